@install_commission @business_critical @High
Feature: Install & Commission (incl. post commissioning activities)
  The DCC's standard Install & Commission sequences of the DIT business scenario packs: the supplier
  whitelists the meter on the Communications Hub, takes over the supplier trust anchors from the ACB,
  commissions the meter, configures the consumer's product, reads the billing data log, rekeys the
  meter (and for gas the GPF), and finally places the Network Operator's certificates.

  Prerequisites (DIT approach): device pre-notification to the DCC is completed; WAN matrix checks are
  completed; ACB certificates are pre-populated on the supplier and network operator trust anchors
  (devices configured as new); the installer is on site. The energy supplier does not receive
  0x8F69 while ACB certificates are in the device's supplier trust anchor, so it waits for N24.

  Background:
    Given the Import Supplier sees the Communications Hub installed and commissioned
    And the Import Supplier has completed the WAN matrix check for the premises

  @ESME @credit @IS @DIT.1 @DIT.9 @DIT.15
  @SR-8.11 @SR-6.21 @SR-8.1.1 @SR-6.20.1 @SR-1.1.1 @SR-1.6 @SR-6.8 @SR-5.1 @SR-6.22 @SR-4.4.2 @SR-1.5 @SR-3.4
  @SR-6.4.1 @SR-6.12 @SR-6.25 @SR-6.17 @SR-6.15.2
  Scenario: Install & Commission - ESME Credit
    Given the Import Supplier has pre-notified the ESME to the DCC
    When the Import Supplier sends SR 8.11 "Update HAN Device Log" to the CHF
      | device_id | the ESME |
    Then the request succeeds
    And the Import Supplier receives DCC alert N24
    When the installer powers on the ESME
    Then the Import Supplier sees the ESME join the HAN
    When the Import Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the ESME
      | certificates | the Import Supplier |
    Then the request succeeds
    And the Import Supplier receives DCC alert N42
    And the Import Supplier finds the Import Supplier in the supplier trust anchor of the ESME
    When the Import Supplier sends SR 8.1.1 "Commission Device" to the ESME
    Then the request succeeds
    And the Import Supplier sees the ESME as Commissioned in the inventory
    When the Import Supplier sends SR 6.20.1 "Set Device Configuration (Import MPxN)" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 1.6 "Update Payment Mode" to the ESME
      | payment_mode | credit |
    Then the request succeeds
    And the Import Supplier reads back payment mode Credit from the ESME
    When the Import Supplier sends SR 6.8 "Update Device Configuration (Billing Calendar)" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 5.1 "Create Schedule" for the ESME
    Then the request succeeds
    When the Import Supplier sends SR 6.22 "Configure Alert Behaviour" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 1.5 "Update Meter Balance" to the ESME
      | payment_mode | credit |
      | adjustment   | 0      |
    Then the request succeeds
    When the Import Supplier sends SR 3.4 "Update Supplier Name" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 6.4.1 "Update Device Configuration (Load Limiting General Settings)" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 6.12 "Update Device Configuration (Instantaneous Power Threshold)" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 6.25 "Set Electricity Supply Tamper State" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 6.17 "Issue Security Credentials" to the ESME
      | credential_type | Digital Signature |
    Then the request succeeds
    When the Import Supplier retrieves the ESME's new Digital Signature certificate from SMKI
    And the Import Supplier sends SR 6.15.2 "Update Security Credentials (Device)" to the ESME
      | device_certificate | from SMKI |
    Then the request succeeds
    When the Import Supplier sends SR 6.17 "Issue Security Credentials" to the ESME
      | credential_type | Key Agreement |
    Then the request succeeds
    When the Import Supplier retrieves the ESME's new Key Agreement certificate from SMKI
    And the Import Supplier sends SR 6.15.2 "Update Security Credentials (Device)" to the ESME
      | device_certificate | from SMKI |
    Then the request succeeds
    When the Import Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the ESME
      | certificates | the Electricity Network Operator |
    Then the request succeeds
    And the Electricity Network Operator receives DCC alert N42

  @GSME @credit @GS @DIT.2 @DIT.9 @DIT.15
  @SR-8.11 @SR-6.21 @SR-8.1.1 @SR-6.20.1 @SR-1.1.1 @SR-1.6 @SR-6.8 @SR-5.1 @SR-6.22 @SR-4.4.2 @SR-8.7.2 @SR-3.4
  @SR-6.6 @SR-1.5 @SR-6.17 @SR-6.15.2
  Scenario: Install & Commission - GSME Credit
    Given the Gas Supplier has pre-notified the GSME to the DCC
    When the Gas Supplier sends SR 8.11 "Update HAN Device Log" to the CHF
      | device_id | the GSME |
    Then the request succeeds
    And the Gas Supplier receives DCC alert N24
    When the installer powers on the GSME
    Then the Gas Supplier sees the GSME join the HAN
    When the Gas Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the GSME
      | certificates | the Gas Supplier |
    Then the request succeeds
    When the Gas Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the GPF
      | certificates | the Gas Supplier |
    Then the request succeeds
    When the Gas Supplier sends SR 8.1.1 "Commission Device" to the GSME
    Then the request succeeds
    And the Gas Supplier sees the GSME as Commissioned in the inventory
    When the Gas Supplier sends SR 6.20.1 "Set Device Configuration (Import MPxN)" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 1.6 "Update Payment Mode" to the GSME
      | payment_mode | credit |
    Then the request succeeds
    When the Gas Supplier sends SR 6.8 "Update Device Configuration (Billing Calendar)" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 5.1 "Create Schedule" for the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 6.22 "Configure Alert Behaviour" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 8.7.2 "Join Service (Non-Critical)" to the GPF
      | other_device_id | the GSME |
    Then the request succeeds
    And the Gas Supplier sees the GPF as Commissioned in the inventory
    When the Gas Supplier sends SR 3.4 "Update Supplier Name" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 6.6 "Update Device Configuration (Gas Conversion)" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 1.5 "Update Meter Balance" to the GSME
      | payment_mode | credit |
      | adjustment   | 0      |
    Then the request succeeds
    When the Gas Supplier sends SR 6.17 "Issue Security Credentials" to the GSME
      | credential_type | Digital Signature |
    Then the request succeeds
    When the Gas Supplier retrieves the GSME's new Digital Signature certificate from SMKI
    And the Gas Supplier sends SR 6.15.2 "Update Security Credentials (Device)" to the GSME
      | device_certificate | from SMKI |
    Then the request succeeds
    When the Gas Supplier sends SR 6.17 "Issue Security Credentials" to the GSME
      | credential_type | Key Agreement |
    Then the request succeeds
    When the Gas Supplier retrieves the GSME's new Key Agreement certificate from SMKI
    And the Gas Supplier sends SR 6.15.2 "Update Security Credentials (Device)" to the GSME
      | device_certificate | from SMKI |
    Then the request succeeds
    When the Gas Supplier sends SR 6.17 "Issue Security Credentials" to the GPF
      | credential_type | Digital Signature |
    Then the request succeeds
    When the Gas Supplier retrieves the GPF's new Digital Signature certificate from SMKI
    And the Gas Supplier sends SR 6.15.2 "Update Security Credentials (Device)" to the GPF
      | device_certificate | from SMKI |
    Then the request succeeds
    When the Gas Supplier sends SR 6.17 "Issue Security Credentials" to the GPF
      | credential_type | Key Agreement |
    Then the request succeeds
    When the Gas Supplier retrieves the GPF's new Key Agreement certificate from SMKI
    And the Gas Supplier sends SR 6.15.2 "Update Security Credentials (Device)" to the GPF
      | device_certificate | from SMKI |
    Then the request succeeds
    When the Gas Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the GPF
      | certificates | the Gas Network Operator |
    Then the request succeeds
    And the Gas Network Operator receives DCC alert N42

  @ESME @prepayment @IS @DIT.1 @DIT.9 @DIT.15
  @SR-8.11 @SR-6.21 @SR-8.1.1 @SR-6.20.1 @SR-1.1.1 @SR-2.1 @SR-1.6 @SR-6.8 @SR-5.1 @SR-6.22 @SR-4.4.2 @SR-2.3
  @SR-1.5 @SR-3.4 @SR-6.4.1 @SR-6.12 @SR-6.25 @SR-6.17 @SR-6.15.2
  Scenario: Install & Commission - ESME Prepayment
    Given the Import Supplier has pre-notified the ESME to the DCC
    When the Import Supplier sends SR 8.11 "Update HAN Device Log" to the CHF
      | device_id | the ESME |
    Then the request succeeds
    And the Import Supplier receives DCC alert N24
    When the installer powers on the ESME
    Then the Import Supplier sees the ESME join the HAN
    When the Import Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the ESME
      | certificates | the Import Supplier |
    Then the request succeeds
    When the Import Supplier sends SR 8.1.1 "Commission Device" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 6.20.1 "Set Device Configuration (Import MPxN)" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 2.1 "Update Prepay Configuration" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 1.6 "Update Payment Mode" to the ESME
      | payment_mode | prepayment |
    Then the request succeeds
    And the Import Supplier reads back payment mode Prepayment from the ESME
    When the Import Supplier sends SR 6.8 "Update Device Configuration (Billing Calendar)" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 5.1 "Create Schedule" for the ESME
    Then the request succeeds
    When the Import Supplier sends SR 6.22 "Configure Alert Behaviour" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 2.3 "Update Debt" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 1.5 "Update Meter Balance" to the ESME
      | payment_mode | prepayment |
      | adjustment   | 500000     |
    Then the request succeeds
    And the Import Supplier reads back meter balance 500000 from the ESME, less at most 1000 used since
    When the Import Supplier sends SR 3.4 "Update Supplier Name" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 6.4.1 "Update Device Configuration (Load Limiting General Settings)" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 6.12 "Update Device Configuration (Instantaneous Power Threshold)" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 6.25 "Set Electricity Supply Tamper State" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 6.17 "Issue Security Credentials" to the ESME
      | credential_type | Digital Signature |
    Then the request succeeds
    When the Import Supplier retrieves the ESME's new Digital Signature certificate from SMKI
    And the Import Supplier sends SR 6.15.2 "Update Security Credentials (Device)" to the ESME
      | device_certificate | from SMKI |
    Then the request succeeds
    When the Import Supplier sends SR 6.17 "Issue Security Credentials" to the ESME
      | credential_type | Key Agreement |
    Then the request succeeds
    When the Import Supplier retrieves the ESME's new Key Agreement certificate from SMKI
    And the Import Supplier sends SR 6.15.2 "Update Security Credentials (Device)" to the ESME
      | device_certificate | from SMKI |
    Then the request succeeds
    When the Import Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the ESME
      | certificates | the Electricity Network Operator |
    Then the request succeeds
    And the Electricity Network Operator receives DCC alert N42

  @GSME @prepayment @GS @DIT.2 @DIT.9 @DIT.15
  @SR-8.11 @SR-6.21 @SR-8.1.1 @SR-6.20.1 @SR-1.1.1 @SR-2.1 @SR-1.6 @SR-6.8 @SR-5.1 @SR-6.22 @SR-4.4.2 @SR-8.7.2
  @SR-1.5 @SR-3.4 @SR-6.6 @SR-2.3 @SR-6.17 @SR-6.15.2
  Scenario: Install & Commission - GSME Prepayment
    Given the Gas Supplier has pre-notified the GSME to the DCC
    When the Gas Supplier sends SR 8.11 "Update HAN Device Log" to the CHF
      | device_id | the GSME |
    Then the request succeeds
    And the Gas Supplier receives DCC alert N24
    When the installer powers on the GSME
    Then the Gas Supplier sees the GSME join the HAN
    When the Gas Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the GSME
      | certificates | the Gas Supplier |
    Then the request succeeds
    When the Gas Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the GPF
      | certificates | the Gas Supplier |
    Then the request succeeds
    When the Gas Supplier sends SR 8.1.1 "Commission Device" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 6.20.1 "Set Device Configuration (Import MPxN)" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 2.1 "Update Prepay Configuration" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 1.6 "Update Payment Mode" to the GSME
      | payment_mode | prepayment |
    Then the request succeeds
    And the Gas Supplier reads back payment mode Prepayment from the GSME
    When the Gas Supplier sends SR 6.8 "Update Device Configuration (Billing Calendar)" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 5.1 "Create Schedule" for the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 6.22 "Configure Alert Behaviour" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 8.7.2 "Join Service (Non-Critical)" to the GPF
      | other_device_id | the GSME |
    Then the request succeeds
    When the Gas Supplier sends SR 1.5 "Update Meter Balance" to the GSME
      | payment_mode | prepayment |
      | adjustment   | 500000     |
    Then the request succeeds
    When the Gas Supplier sends SR 3.4 "Update Supplier Name" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 6.6 "Update Device Configuration (Gas Conversion)" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 2.3 "Update Debt" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 6.17 "Issue Security Credentials" to the GSME
      | credential_type | Digital Signature |
    Then the request succeeds
    When the Gas Supplier retrieves the GSME's new Digital Signature certificate from SMKI
    And the Gas Supplier sends SR 6.15.2 "Update Security Credentials (Device)" to the GSME
      | device_certificate | from SMKI |
    Then the request succeeds
    When the Gas Supplier sends SR 6.17 "Issue Security Credentials" to the GSME
      | credential_type | Key Agreement |
    Then the request succeeds
    When the Gas Supplier retrieves the GSME's new Key Agreement certificate from SMKI
    And the Gas Supplier sends SR 6.15.2 "Update Security Credentials (Device)" to the GSME
      | device_certificate | from SMKI |
    Then the request succeeds
    When the Gas Supplier sends SR 6.17 "Issue Security Credentials" to the GPF
      | credential_type | Digital Signature |
    Then the request succeeds
    When the Gas Supplier retrieves the GPF's new Digital Signature certificate from SMKI
    And the Gas Supplier sends SR 6.15.2 "Update Security Credentials (Device)" to the GPF
      | device_certificate | from SMKI |
    Then the request succeeds
    When the Gas Supplier sends SR 6.17 "Issue Security Credentials" to the GPF
      | credential_type | Key Agreement |
    Then the request succeeds
    When the Gas Supplier retrieves the GPF's new Key Agreement certificate from SMKI
    And the Gas Supplier sends SR 6.15.2 "Update Security Credentials (Device)" to the GPF
      | device_certificate | from SMKI |
    Then the request succeeds
    When the Gas Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the GPF
      | certificates | the Gas Network Operator |
    Then the request succeeds
    And the Gas Network Operator receives DCC alert N42
