@no_wan_lcd @Medium
Feature: 'no WAN' Installation Using Local Command Delivery
  Installing where the SM WAN does not reach: the DCC hands the supplier each command for local
  delivery (command variant 2 for non-critical SRs, 6 for critical ones after the Transform and the
  supplier's signature); the installer's hand-held terminal carries it to the Communications Hub over
  Inter-PAN, and what the CH and devices answer comes back to the DCC with 8.13. The HHT is pre-notified
  to the SMI (as an IHD) and whitelisted on the CH first: a terminal that hands the CH a CCS01 adding
  itself is logged as an HHT (GBCS 10.5.3.3). Inter-PAN is open for 60 minutes from CH power-on; the CHF
  drops the HHT 65535 s after adding it. Afterwards 8.14.2 starts the CSP's 90-day SLA. The DIT approach does
  not rank this scenario; Medium here.

  Prerequisites (DIT approach): device IDs pre-notified; the HHT pre-notified as an IHD and added to the CH
  whitelist before installation; HHT integration is the energy supplier's; local commands sent one by
  one. The device rekey is left out of the sequence (the DIT approach: it takes too long on site).
  The CHF's 0x8F12 and the GPF's 0x8071 reach the DCC as the plan draws them, brought back by the HHT and returned
  with 8.13 (the step fails if the terminal brought none back). What was delivered locally is read back the same
  way (CV 2 and 8.13). The plan lists N42 but no 8.13 for the network operator's handover: the DCC can only tell
  the network operator once that response reaches it, so the electricity credit variant returns it. The same
  variant sends its tariff and billing calendar over the SM WAN as well (CV 7, CV 3), as the plan's command
  variant table allows, and ends with the HHT's CloseTunnel, one of the three ways the plan names to take the
  HHT off the CH. The balance is read before and after 1.5 adjusts it (the meter has used energy since it was
  installed); the read-back allows for what the meter uses at most a minute (a home's peak demand at the tariff's
  rates) while the terminal goes to and fro: the longer that takes, the more is used.

  @ESME @credit @IS @DIT.1 @DIT.13 @SR-12.2 @SR-8.11 @SR-8.13 @SR-6.21 @SR-1.1.1 @SR-6.8 @SR-8.14.2
  Scenario: no WAN Installation Using LCD - ESME Credit
    Given the Import Supplier has pre-notified the ESME to the DCC
    Given the Communications Hub is installed where there is no SM WAN coverage
    When the Import Supplier sends SR 12.2 "Device Pre-notification" to the DCC
      | device_id   | the HHT |
      | device_type | HHT     |
    Then the request succeeds
    When the Import Supplier sends SR 8.11 "Update HAN Device Log" to the CHF by Local Command Delivery
      | device_id | the HHT |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the CHF with the HHT
    When the Import Supplier sends SR 8.11 "Update HAN Device Log" to the CHF by Local Command Delivery
      | device_id | the ESME |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the CHF with the HHT
    And the installer powers on the ESME
    And the Import Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | the response to SR 8.11 |
    Then the request succeeds
    When the Import Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | device alert 0x8F12 |
    Then the request succeeds
    And the Import Supplier receives DCC alert N24
    And the Import Supplier sees the ESME as InstalledNotCommissioned in the inventory
    When the Import Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the ESME by Local Command Delivery
      | certificates | the Import Supplier |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the ESME with the HHT
    When the Import Supplier sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the ESME over the SM WAN and by Local Command Delivery
      | unit_rate       | 23000 |
      | standing_charge | 27000 |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the ESME with the HHT
    Then the Import Supplier reads back the ESME's tariff: unit rate 23000, standing charge 27000 by Local Command Delivery
    When the Import Supplier sends SR 6.8 "Update Device Configuration (Billing Calendar)" to the ESME over the SM WAN and by Local Command Delivery
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the ESME with the HHT
    When the Import Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | the response to SR 6.8 |
    Then the request succeeds
    When the Import Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the ESME by Local Command Delivery
      | certificates | the Electricity Network Operator |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the ESME with the HHT
    And the Import Supplier hands the DCC the HHT's response to SR 6.21
    Then the Electricity Network Operator receives DCC alert N42
    When the Import Supplier sends SR 8.14.2 "Communications Hub Status Update – Install No SM WAN" to the DCC
      | device_id | the CHF |
    Then the request succeeds
    When the installer closes the HHT's Inter-PAN tunnel
    Then the Communications Hub takes no more commands from the HHT

  @GSME @credit @GS @DIT.2 @DIT.13 @SR-12.2 @SR-8.11 @SR-8.13 @SR-6.21 @SR-1.1.1 @SR-6.8 @SR-8.7.2 @SR-1.5 @SR-8.14.2
  Scenario: no WAN Installation Using LCD - GSME Credit
    Given the Gas Supplier has pre-notified the GSME to the DCC
    Given the Communications Hub is installed where there is no SM WAN coverage
    When the Gas Supplier sends SR 12.2 "Device Pre-notification" to the DCC
      | device_id   | the HHT |
      | device_type | HHT     |
    Then the request succeeds
    When the Gas Supplier sends SR 8.11 "Update HAN Device Log" to the CHF by Local Command Delivery
      | device_id | the HHT |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the CHF with the HHT
    When the Gas Supplier sends SR 8.11 "Update HAN Device Log" to the CHF by Local Command Delivery
      | device_id | the GSME |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the CHF with the HHT
    And the installer powers on the GSME
    And the Gas Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | the response to SR 8.11 |
    Then the request succeeds
    When the Gas Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | device alert 0x8F12 |
    Then the request succeeds
    And the Gas Supplier receives DCC alert N24
    And the Gas Supplier sees the GSME as InstalledNotCommissioned in the inventory
    When the Gas Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the GSME by Local Command Delivery
      | certificates | the Gas Supplier |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the GSME with the HHT
    When the Gas Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the GPF by Local Command Delivery
      | certificates | the Gas Supplier |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the GPF with the HHT
    When the Gas Supplier sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the GSME by Local Command Delivery
      | unit_rate       | 23000 |
      | standing_charge | 27000 |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the GSME with the HHT
    Then the Gas Supplier reads back the GSME's tariff: unit rate 23000, standing charge 27000 by Local Command Delivery
    When the Gas Supplier sends SR 6.8 "Update Device Configuration (Billing Calendar)" to the GSME by Local Command Delivery
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the GSME with the HHT
    When the Gas Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | the response to SR 6.8 |
    Then the request succeeds
    When the Gas Supplier sends SR 8.7.2 "Join Service (Non-Critical)" to the GPF by Local Command Delivery
      | other_device_id | the GSME |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the GPF with the HHT
    When the Gas Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | the response to SR 8.7.2 |
    Then the request succeeds
    When the Gas Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | device alert 0x8071 |
    Then the request succeeds
    When the Gas Supplier sends SR 1.5 "Update Meter Balance" to the GSME by Local Command Delivery
      | payment_mode | credit |
      | adjustment | 0 |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the GSME with the HHT
    When the Gas Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the GPF by Local Command Delivery
      | certificates | the Gas Network Operator |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the GPF with the HHT
    When the Gas Supplier sends SR 8.14.2 "Communications Hub Status Update – Install No SM WAN" to the DCC
      | device_id | the CHF |
    Then the request succeeds

  @ESME @prepayment @IS @DIT.1 @DIT.13 @SR-12.2 @SR-8.11 @SR-8.13 @SR-6.21 @SR-1.1.1 @SR-2.1 @SR-1.6 @SR-6.8 @SR-2.3 @SR-1.5 @SR-8.14.2
  Scenario: no WAN Installation Using LCD - ESME Prepayment
    Given the Import Supplier has pre-notified the ESME to the DCC
    Given the Communications Hub is installed where there is no SM WAN coverage
    When the Import Supplier sends SR 12.2 "Device Pre-notification" to the DCC
      | device_id   | the HHT |
      | device_type | HHT     |
    Then the request succeeds
    When the Import Supplier sends SR 8.11 "Update HAN Device Log" to the CHF by Local Command Delivery
      | device_id | the HHT |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the CHF with the HHT
    When the Import Supplier sends SR 8.11 "Update HAN Device Log" to the CHF by Local Command Delivery
      | device_id | the ESME |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the CHF with the HHT
    And the installer powers on the ESME
    And the Import Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | the response to SR 8.11 |
    Then the request succeeds
    When the Import Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | device alert 0x8F12 |
    Then the request succeeds
    And the Import Supplier receives DCC alert N24
    And the Import Supplier sees the ESME as InstalledNotCommissioned in the inventory
    When the Import Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the ESME by Local Command Delivery
      | certificates | the Import Supplier |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the ESME with the HHT
    When the Import Supplier sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the ESME by Local Command Delivery
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the ESME with the HHT
    When the Import Supplier sends SR 2.1 "Update Prepay Configuration" to the ESME by Local Command Delivery
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the ESME with the HHT
    When the Import Supplier sends SR 1.6 "Update Payment Mode" to the ESME by Local Command Delivery
      | payment_mode | prepayment |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the ESME with the HHT
    Then the Import Supplier reads back payment mode Prepayment from the ESME by Local Command Delivery
    When the Import Supplier sends SR 6.8 "Update Device Configuration (Billing Calendar)" to the ESME by Local Command Delivery
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the ESME with the HHT
    When the Import Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | the response to SR 6.8 |
    Then the request succeeds
    When the Import Supplier sends SR 2.3 "Update Debt" to the ESME by Local Command Delivery
      | time_debt_register_1 | 50000 |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the ESME with the HHT
    Then the Import Supplier reads back a time debt of 50000 on the ESME, less at most 1000 recovered since by Local Command Delivery
    When the Import Supplier notes the meter balance of the ESME by Local Command Delivery
    And the Import Supplier sends SR 1.5 "Update Meter Balance" to the ESME by Local Command Delivery
      | payment_mode | prepayment |
      | adjustment | 500000 |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the ESME with the HHT
    Then the Import Supplier reads back the ESME's meter balance adjusted by 500000, less at most 750 a minute used since by Local Command Delivery
    When the Import Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the ESME by Local Command Delivery
      | certificates | the Electricity Network Operator |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the ESME with the HHT
    When the Import Supplier sends SR 8.14.2 "Communications Hub Status Update – Install No SM WAN" to the DCC
      | device_id | the CHF |
    Then the request succeeds

  @GSME @prepayment @GS @DIT.2 @DIT.13 @SR-12.2 @SR-8.11 @SR-8.13 @SR-6.21 @SR-1.1.1 @SR-2.1 @SR-1.6 @SR-6.8 @SR-8.7.2 @SR-1.5 @SR-2.3 @SR-8.14.2
  Scenario: no WAN Installation Using LCD - GSME Prepayment
    Given the Gas Supplier has pre-notified the GSME to the DCC
    Given the Communications Hub is installed where there is no SM WAN coverage
    When the Gas Supplier sends SR 12.2 "Device Pre-notification" to the DCC
      | device_id   | the HHT |
      | device_type | HHT     |
    Then the request succeeds
    When the Gas Supplier sends SR 8.11 "Update HAN Device Log" to the CHF by Local Command Delivery
      | device_id | the HHT |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the CHF with the HHT
    When the Gas Supplier sends SR 8.11 "Update HAN Device Log" to the CHF by Local Command Delivery
      | device_id | the GSME |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the CHF with the HHT
    And the installer powers on the GSME
    And the Gas Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | the response to SR 8.11 |
    Then the request succeeds
    When the Gas Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | device alert 0x8F12 |
    Then the request succeeds
    And the Gas Supplier receives DCC alert N24
    And the Gas Supplier sees the GSME as InstalledNotCommissioned in the inventory
    When the Gas Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the GSME by Local Command Delivery
      | certificates | the Gas Supplier |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the GSME with the HHT
    When the Gas Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the GPF by Local Command Delivery
      | certificates | the Gas Supplier |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the GPF with the HHT
    When the Gas Supplier sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the GSME by Local Command Delivery
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the GSME with the HHT
    When the Gas Supplier sends SR 2.1 "Update Prepay Configuration" to the GSME by Local Command Delivery
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the GSME with the HHT
    When the Gas Supplier sends SR 1.6 "Update Payment Mode" to the GSME by Local Command Delivery
      | payment_mode | prepayment |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the GSME with the HHT
    Then the Gas Supplier reads back payment mode Prepayment from the GSME by Local Command Delivery
    When the Gas Supplier sends SR 6.8 "Update Device Configuration (Billing Calendar)" to the GSME by Local Command Delivery
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the GSME with the HHT
    When the Gas Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | the response to SR 6.8 |
    Then the request succeeds
    When the Gas Supplier sends SR 8.7.2 "Join Service (Non-Critical)" to the GPF by Local Command Delivery
      | other_device_id | the GSME |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the GPF with the HHT
    When the Gas Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | the response to SR 8.7.2 |
    Then the request succeeds
    When the Gas Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | device alert 0x8071 |
    Then the request succeeds
    When the Gas Supplier notes the meter balance of the GSME by Local Command Delivery
    And the Gas Supplier sends SR 1.5 "Update Meter Balance" to the GSME by Local Command Delivery
      | payment_mode | prepayment |
      | adjustment | 500000 |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the GSME with the HHT
    Then the Gas Supplier reads back the GSME's meter balance adjusted by 500000, less at most 5000 a minute used since by Local Command Delivery
    When the Gas Supplier sends SR 2.3 "Update Debt" to the GSME by Local Command Delivery
      | time_debt_register_1 | 50000 |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the GSME with the HHT
    Then the Gas Supplier reads back a time debt of 50000 on the GSME, less at most 1000 recovered since by Local Command Delivery
    When the Gas Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the GPF by Local Command Delivery
      | certificates | the Gas Network Operator |
    Then the DCC returns the command for local delivery
    When the installer delivers the command to the GPF with the HHT
    When the Gas Supplier sends SR 8.14.2 "Communications Hub Status Update – Install No SM WAN" to the DCC
      | device_id | the CHF |
    Then the request succeeds
