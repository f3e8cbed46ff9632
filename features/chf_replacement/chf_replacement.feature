@chf_replacement @High @business_critical
Feature: CHF Replacement
  A live Communications Hub replacement: the installer fits the new CH (it is Commissioned in the SMI
  as soon as it reaches the SM WAN) and the supplier restores onto it the device logs the DCC backed up
  from the old CHF (8.12.1, N30) and GPF (8.12.2, N31). The meters join the new CH's SMHAN with the link
  keys they already have and say so (0x8183). The GSME is unjoined from the old GPF and joined to the
  new one, and the old CH is decommissioned (N9 to the suppliers and network operators; DSP future-dated
  requests for it are cancelled, N34). On a gas site the new GPF, delivered configured as new, is then
  handed over to the gas supplier and its network operator, rekeyed, and its DSP schedules recreated.
  On a dual-fuel site with a supplier per fuel, the lead (electricity) supplier does the CH part and the
  gas supplier the GPF's own part, whichever of them found the fault; the gas supplier either waits for its
  GSME's 0x8183 or reads the new CHF's device log (the plan gives both).

  The plan ends each gas sequence with "Trigger TOM Commands: Trigger Set of TOM Commands SR's" and names no
  SR in that set (nor does the rest of the DIT approach): what the scenarios check in its place is that the
  supplier's service works through the new CH: the GPF answers for the GSME it mirrors and the DSP schedule
  created on the new GPF delivers its first result.

  Prerequisites (DIT approach): device pre-notification done; WAN matrix checks done with full WAN coverage; ACB
  certificates in the supplier and network operator trust anchors of the new GPF; for a gas site a DSP
  schedule on the GPF; the installer on site. The DIT approach ranks CHF Replacement High.

  @ESME @IS @credit @DIT.1 @SR-8.12.1 @SR-8.3
  Scenario: CHF Replacement by Electricity Supplier (Elec Only Site)
    Given the ESME is installed and commissioned by the Import Supplier
    When the installer replaces the Communications Hub
    And the Import Supplier sends SR 8.12.1 "Restore HAN Device Log" to the new CHF
      | old_chf_id | the old CHF |
    Then the request succeeds
    And the Import Supplier receives DCC alert N30
    And the Import Supplier receives device alert 0x8183 from the ESME
    When the Import Supplier sends SR 8.3 "Decommission Device" for the old CHF
    Then the request succeeds
    And the Import Supplier receives DCC alert N9
    And the Electricity Network Operator receives DCC alert N9
    And the Import Supplier sees the old CHF as Decommissioned in the inventory
    And the Import Supplier reads back payment mode Credit from the ESME

  @GSME @GS @credit @DIT.2 @SR-8.12.1 @SR-8.12.2 @SR-8.8.2 @SR-8.7.2 @SR-8.3 @SR-6.21 @SR-6.17 @SR-6.15.2 @SR-5.1
  Scenario: CHF Replacement by Gas Supplier (Gas Only Site)
    Given the GSME is installed and commissioned by the Gas Supplier
    And the Gas Supplier has a DSP schedule for SR 4.17 on the GPF
    And the Gas Supplier has asked for SR 4.17 from the GPF in 2 days
    When the installer replaces the Communications Hub
    And the Gas Supplier sends SR 8.12.1 "Restore HAN Device Log" to the new CHF
      | old_chf_id | the old CHF |
    Then the request succeeds
    And the Gas Supplier receives DCC alert N30
    When the Gas Supplier sends SR 8.12.2 "Restore Gas Proxy Function Device Log" to the new GPF
      | old_gpf_id | the old GPF |
    Then the request succeeds
    And the Gas Supplier receives DCC alert N31
    And the Gas Supplier receives device alert 0x8183 from the GSME
    When the Gas Supplier sends SR 8.8.2 "Unjoin Service (Non-Critical)" to the old GPF
      | other_device_id | the GSME |
    Then the request succeeds
    When the Gas Supplier sends SR 8.7.2 "Join Service (Non-Critical)" to the new GPF
      | other_device_id | the GSME |
    Then the request succeeds
    When the Gas Supplier sends SR 8.3 "Decommission Device" for the old CHF
    Then the request succeeds
    And the Gas Supplier receives DCC alert N9
    And the Gas Network Operator receives DCC alert N9
    And the Gas Supplier receives DCC alert N34
    When the Gas Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the new GPF
      | certificates | the Gas Supplier |
    Then the request succeeds
    When the Gas Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the new GPF
      | certificates | the Gas Network Operator |
    Then the request succeeds
    And the Gas Network Operator receives DCC alert N42
    When the Gas Supplier sends SR 6.17 "Issue Security Credentials" to the new GPF
      | credential_type | Digital Signature |
    Then the request succeeds
    When the Gas Supplier retrieves the new GPF's new Digital Signature certificate from SMKI
    And the Gas Supplier sends SR 6.15.2 "Update Security Credentials (Device)" to the new GPF
      | device_certificate | from SMKI |
    Then the request succeeds
    When the Gas Supplier sends SR 6.17 "Issue Security Credentials" to the new GPF
      | credential_type | Key Agreement |
    Then the request succeeds
    When the Gas Supplier retrieves the new GPF's new Key Agreement certificate from SMKI
    And the Gas Supplier sends SR 6.15.2 "Update Security Credentials (Device)" to the new GPF
      | device_certificate | from SMKI |
    Then the request succeeds
    When the Gas Supplier sends SR 5.1 "Create Schedule" for the new GPF
      | scheduled_srv | 4.17 |
    Then the request succeeds
    And the Gas Supplier finds the GPF mirroring the GSME
    When 1 day passes
    Then the Gas Supplier receives the result of its DSP schedule from the new GPF

  @ESME @GSME @IS @GS @credit @DIT.1 @DIT.2 @SR-8.12.1 @SR-8.12.2 @SR-8.8.2 @SR-8.7.2 @SR-8.3 @SR-6.21 @SR-6.17
  @SR-6.15.2 @SR-5.1
  Scenario: CHF Replacement by Electricity Supplier (Dual Fuel Site- each fuel supplied by different supplier)
    The lead (electricity) supplier finds the fault (its ESME no longer answers) and replaces the CH; the gas
    supplier waits for its GSME's 0x8183 before its own part.

    Given the Gas Supplier at the premises is Supplier B
    And the ESME is installed and commissioned by Supplier A
    And the GSME is installed and commissioned by Supplier B
    And Supplier B has a DSP schedule for SR 4.17 on the GPF
    And the Communications Hub's HAN radio has failed
    Then Supplier A's SR 4.1.1 to the ESME goes unanswered: the DCC answers E21
    When the installer replaces the Communications Hub
    And Supplier A sends SR 8.12.1 "Restore HAN Device Log" to the new CHF
      | old_chf_id | the old CHF |
    Then the request succeeds
    And Supplier A receives DCC alert N30
    When Supplier A sends SR 8.12.2 "Restore Gas Proxy Function Device Log" to the new GPF
      | old_gpf_id | the old GPF |
    Then the request succeeds
    And Supplier A receives DCC alert N31
    And Supplier A receives device alert 0x8183 from the ESME
    When Supplier A sends SR 8.8.2 "Unjoin Service (Non-Critical)" to the old GPF
      | other_device_id | the GSME |
    Then the request succeeds
    When Supplier A sends SR 8.7.2 "Join Service (Non-Critical)" to the new GPF
      | other_device_id | the GSME |
    Then the request succeeds
    When Supplier A sends SR 8.3 "Decommission Device" for the old CHF
    Then the request succeeds
    And Supplier A receives DCC alert N9
    And Supplier B receives DCC alert N9
    And Supplier B receives device alert 0x8183 from the GSME
    When Supplier B sends SR 6.21 "Request Handover Of DCC Controlled Device" to the new GPF
      | certificates | Supplier B |
    Then the request succeeds
    When Supplier B sends SR 6.21 "Request Handover Of DCC Controlled Device" to the new GPF
      | certificates | the Gas Network Operator |
    Then the request succeeds
    And the Gas Network Operator receives DCC alert N42
    When Supplier B sends SR 6.17 "Issue Security Credentials" to the new GPF
      | credential_type | Digital Signature |
    Then the request succeeds
    When Supplier B retrieves the new GPF's new Digital Signature certificate from SMKI
    And Supplier B sends SR 6.15.2 "Update Security Credentials (Device)" to the new GPF
      | device_certificate | from SMKI |
    Then the request succeeds
    When Supplier B sends SR 6.17 "Issue Security Credentials" to the new GPF
      | credential_type | Key Agreement |
    Then the request succeeds
    When Supplier B retrieves the new GPF's new Key Agreement certificate from SMKI
    And Supplier B sends SR 6.15.2 "Update Security Credentials (Device)" to the new GPF
      | device_certificate | from SMKI |
    Then the request succeeds
    When Supplier B sends SR 5.1 "Create Schedule" for the new GPF
      | scheduled_srv | 4.17 |
    Then the request succeeds
    And Supplier B finds the GPF mirroring the GSME
    When 1 day passes
    Then Supplier B receives the result of its DSP schedule from the new GPF

  @ESME @GSME @IS @GS @credit @DIT.1 @DIT.2 @SR-8.12.1 @SR-8.12.2 @SR-8.8.2 @SR-8.7.2 @SR-8.3 @SR-6.21 @SR-6.17
  @SR-6.15.2 @SR-5.1
  Scenario: CHF Replacement identified by Gas Supplier (Dual Fuel Site- each fuel supplied by different supplier)
    The gas supplier finds the fault (its GSME no longer answers) and the lead supplier replaces the CH; the gas
    supplier reads the new CHF's device log (the plan's alternative to waiting for 0x8183) before its own part.

    Given the Gas Supplier at the premises is Supplier B
    And the ESME is installed and commissioned by Supplier A
    And the GSME is installed and commissioned by Supplier B
    And Supplier B has a DSP schedule for SR 4.17 on the GPF
    And the Communications Hub's HAN radio has failed
    Then Supplier B's SR 4.18 to the GSME goes unanswered: the DCC answers E21
    When the installer replaces the Communications Hub
    And Supplier A sends SR 8.12.1 "Restore HAN Device Log" to the new CHF
      | old_chf_id | the old CHF |
    Then the request succeeds
    And Supplier A receives DCC alert N30
    When Supplier A sends SR 8.12.2 "Restore Gas Proxy Function Device Log" to the new GPF
      | old_gpf_id | the old GPF |
    Then the request succeeds
    And Supplier A receives DCC alert N31
    And Supplier A receives device alert 0x8183 from the ESME
    When Supplier A sends SR 8.8.2 "Unjoin Service (Non-Critical)" to the old GPF
      | other_device_id | the GSME |
    Then the request succeeds
    When Supplier A sends SR 8.7.2 "Join Service (Non-Critical)" to the new GPF
      | other_device_id | the GSME |
    Then the request succeeds
    When Supplier A sends SR 8.3 "Decommission Device" for the old CHF
    Then the request succeeds
    And Supplier A receives DCC alert N9
    And Supplier B receives DCC alert N9
    And Supplier B reads the device log of the new CHF and finds the GSME communicating on it
    When Supplier B sends SR 6.21 "Request Handover Of DCC Controlled Device" to the new GPF
      | certificates | Supplier B |
    Then the request succeeds
    When Supplier B sends SR 6.21 "Request Handover Of DCC Controlled Device" to the new GPF
      | certificates | the Gas Network Operator |
    Then the request succeeds
    And the Gas Network Operator receives DCC alert N42
    When Supplier B sends SR 6.17 "Issue Security Credentials" to the new GPF
      | credential_type | Digital Signature |
    Then the request succeeds
    When Supplier B retrieves the new GPF's new Digital Signature certificate from SMKI
    And Supplier B sends SR 6.15.2 "Update Security Credentials (Device)" to the new GPF
      | device_certificate | from SMKI |
    Then the request succeeds
    When Supplier B sends SR 6.17 "Issue Security Credentials" to the new GPF
      | credential_type | Key Agreement |
    Then the request succeeds
    When Supplier B retrieves the new GPF's new Key Agreement certificate from SMKI
    And Supplier B sends SR 6.15.2 "Update Security Credentials (Device)" to the new GPF
      | device_certificate | from SMKI |
    Then the request succeeds
    When Supplier B sends SR 5.1 "Create Schedule" for the new GPF
      | scheduled_srv | 4.17 |
    Then the request succeeds
    And Supplier B finds the GPF mirroring the GSME
    When 1 day passes
    Then Supplier B receives the result of its DSP schedule from the new GPF
