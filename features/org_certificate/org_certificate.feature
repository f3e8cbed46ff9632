@org_certificate @Medium @business_critical
Feature: Organisation Certificate Update
  The supplier renews its organisation certificates with SMKI (they expire at most every ten years) and
  places the new ones in its trust anchor cells on its devices with 6.15.1: Digital Signature, Key
  Agreement and, on meters, the Prepayment Key Agreement cell (the GPF has none). It signs the update
  with its current key -- the one the device still trusts -- and only then starts using the new keys.
  The DIT approach ranks "Certificate Management - Supplier (incl. Prepayment)" Medium among the critical ones.

  Prerequisites (DIT approach): device IDs pre-notified; supplier trust anchors populated with organisation
  certificates; the Remote Party Role of 6.15.1 is Supplier; network operator certificates are not
  the supplier's to replace after installation.

  The DIT approach draws each fuel for prepayment and credit (PP/CR): a credit meter holds a Prepayment Key
  Agreement cell too, so its 6.15.1 is the same; what it reports placed in each cell is read from its response.

  @GSME @GS @DIT.2 @SR-6.15.1 @prepayment
  Scenario: Organisation Certificate Update - Gas
    Given the GSME is installed and commissioned in prepayment mode by the Gas Supplier
    And the Gas Supplier has renewed its organisation certificates with SMKI
    When the Gas Supplier sends SR 6.15.1 "Update Security Credentials (KRP)" to the GSME
      | certificates | the Gas Supplier's renewed certificates |
    Then the request succeeds
    When the Gas Supplier sends SR 6.15.1 "Update Security Credentials (KRP)" to the GPF
      | certificates | the Gas Supplier's renewed certificates |
    Then the request succeeds
    When the Gas Supplier starts using its renewed certificates
    Then the GSME accepts the Gas Supplier's critical commands signed with its renewed key
    And the GPF accepts the Gas Supplier's critical commands signed with its renewed key
    And a UTRN the Gas Supplier vends with its renewed prepayment key tops up the GSME

  @ESME @IS @DIT.1 @SR-6.15.1 @prepayment
  Scenario: Organisation Certificate Update - Electricity
    Given the ESME is installed and commissioned in prepayment mode by the Import Supplier
    And the Import Supplier has renewed its organisation certificates with SMKI
    When the Import Supplier sends SR 6.15.1 "Update Security Credentials (KRP)" to the ESME
      | certificates | the Import Supplier's renewed certificates |
    Then the request succeeds
    When the Import Supplier starts using its renewed certificates
    Then the ESME accepts the Import Supplier's critical commands signed with its renewed key
    And a UTRN the Import Supplier vends with its renewed prepayment key tops up the ESME

  @GSME @GS @DIT.2 @SR-6.15.1 @credit
  Scenario: Organisation Certificate Update - Gas, credit
    Given the GSME is installed and commissioned in credit mode by the Gas Supplier
    And the Gas Supplier has renewed its organisation certificates with SMKI
    When the Gas Supplier sends SR 6.15.1 "Update Security Credentials (KRP)" to the GSME
      | certificates | the Gas Supplier's renewed certificates |
    Then the request succeeds
    And the GSME reports its supplier Digital Signing trust anchor now holds the Gas Supplier's renewed certificate
    And the GSME reports its supplier Key Agreement trust anchor now holds the Gas Supplier's renewed certificate
    And the GSME reports its supplier Prepayment Key Agreement trust anchor now holds the Gas Supplier's renewed certificate
    When the Gas Supplier sends SR 6.15.1 "Update Security Credentials (KRP)" to the GPF
      | certificates | the Gas Supplier's renewed certificates |
    Then the request succeeds
    And the GPF reports its supplier Digital Signing trust anchor now holds the Gas Supplier's renewed certificate
    And the GPF reports its supplier Key Agreement trust anchor now holds the Gas Supplier's renewed certificate
    When the Gas Supplier starts using its renewed certificates
    Then the GSME accepts the Gas Supplier's critical commands signed with its renewed key
    And the GPF accepts the Gas Supplier's critical commands signed with its renewed key

  @ESME @IS @DIT.1 @SR-6.15.1 @credit
  Scenario: Organisation Certificate Update - Electricity, credit
    Given the ESME is installed and commissioned in credit mode by the Import Supplier
    And the Import Supplier has renewed its organisation certificates with SMKI
    When the Import Supplier sends SR 6.15.1 "Update Security Credentials (KRP)" to the ESME
      | certificates | the Import Supplier's renewed certificates |
    Then the request succeeds
    And the ESME reports its supplier Digital Signing trust anchor now holds the Import Supplier's renewed certificate
    And the ESME reports its supplier Key Agreement trust anchor now holds the Import Supplier's renewed certificate
    And the ESME reports its supplier Prepayment Key Agreement trust anchor now holds the Import Supplier's renewed certificate
    When the Import Supplier starts using its renewed certificates
    Then the ESME accepts the Import Supplier's critical commands signed with its renewed key

  @ESME @HCALCS @IS @DIT.1 @DIT.10 @SR-6.15.1 @on_HCALCS @prepayment
  Scenario: Organisation Certificate Update - Electricity, with an HCALCS
    The plan's electricity scenario where the premises has an HCALCS (DIT.10: "should actual HCALCS Devices
    exist"): after the ESME's cells the supplier updates the Digital Signature in the HCALCS using SR 6.15.1.

    Given the ESME is installed and commissioned in prepayment mode by the Import Supplier
    And the HCALCS is installed and joined to the ESME by the Import Supplier
    And the Import Supplier has renewed its organisation certificates with SMKI
    When the Import Supplier sends SR 6.15.1 "Update Security Credentials (KRP)" to the ESME
      | certificates | the Import Supplier's renewed certificates |
    Then the request succeeds
    When the Import Supplier sends SR 6.15.1 "Update Security Credentials (KRP)" to the HCALCS
      | certificates | the Import Supplier's renewed Digital Signature certificate |
    Then the request succeeds
    And the HCALCS reports its supplier Digital Signing trust anchor now holds the Import Supplier's renewed certificate
    When the Import Supplier starts using its renewed certificates
    Then the ESME accepts the Import Supplier's critical commands signed with its renewed key
    And the HCALCS accepts the Import Supplier's critical commands signed with its renewed key
    And a UTRN the Import Supplier vends with its renewed prepayment key tops up the ESME
