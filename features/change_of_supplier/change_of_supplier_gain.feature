@change_of_supplier @High @business_critical
Feature: Change of Supplier (Gain)
  The gaining supplier, now registered for the supply, takes over the meter: 6.23 (through the
  Transitional CoS party) replaces the supplier trust anchors, so from then on the meter obeys the
  gaining supplier and no longer the losing one. The DCC tells the losing supplier (N27) and removes
  its DSP schedules for the meter (N17). The gaining supplier then puts its product on the meter.

  Prerequisites (DIT approach): device IDs pre-notified; supplier trust anchors on ESME, GSME and GPF hold the
  losing supplier's DS, KA and prepayment KA certificates; no change of network operator certificates;
  the gaining supplier has read the inventory. Supplier A loses the supply to Supplier B.

  @ESME @credit @IS @DIT.1 @SR-6.23 @SR-1.1.1 @SR-1.6 @SR-4.4.2 @SR-5.1 @SR-6.8 @SR-1.5 @SR-3.4 @SR-6.25 @SR-6.4.1
  @SR-6.22 @SR-6.12 @SR-3.1
  Scenario: Change of Supplier (Gain) - ESME Credit
    Given the ESME is installed and commissioned in credit mode by Supplier A
    And Supplier A has a DSP schedule for SR 4.6.1 on the ESME
    And the Import Supplier at the premises has changed to Supplier B
    And Supplier B has read the inventory of the premises
    And Supplier B has noted the network operator trust anchors of the ESME
    When Supplier B sends SR 6.23 "Update Security Credentials (CoS)" to the ESME
      | certificates | Supplier B |
    Then the request succeeds
    And Supplier A receives DCC alert N27
    And Supplier A receives DCC alert N17
    And Supplier A receives no device alert 0x8F69 from the ESME
    And Supplier B finds Supplier B in the supplier trust anchor of the ESME
    And Supplier B finds the network operator trust anchors of the ESME unchanged
    When Supplier B sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the ESME
    Then the request succeeds
    And Supplier B reads back from the ESME what SR 1.1.1 set
    When Supplier B sends SR 1.6 "Update Payment Mode" to the ESME
      | payment_mode | credit |
    Then the request succeeds
    And Supplier B reads back payment mode Credit from the ESME
    When Supplier B sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the ESME
    Then the request succeeds
    When Supplier B sends SR 5.1 "Create Schedule" for the ESME
    Then the request succeeds
    When Supplier B sends SR 6.8 "Update Device Configuration (Billing Calendar)" to the ESME
    Then the request succeeds
    And Supplier B reads back from the ESME what SR 6.8 set
    When Supplier B sends SR 1.5 "Update Meter Balance" to the ESME
      | payment_mode | credit |
      | reset        | true   |
    Then the request succeeds
    When Supplier B sends SR 3.4 "Update Supplier Name" to the ESME
      | supplier_name | Supplier B |
    Then the request succeeds
    When Supplier B sends SR 6.25 "Set Electricity Supply Tamper State" to the ESME
    Then the request succeeds
    When Supplier B sends SR 6.4.1 "Update Device Configuration (Load Limiting General Settings)" to the ESME
    Then the request succeeds
    When Supplier B sends SR 6.22 "Configure Alert Behaviour" to the ESME
    Then the request succeeds
    When Supplier B sends SR 6.12 "Update Device Configuration (Instantaneous Power Threshold)" to the ESME
    Then the request succeeds
    When Supplier B sends SR 3.1 "Display Message" to the ESME
      | message | Welcome to Supplier B |
    Then the request succeeds
    And Supplier A's critical SRs to the ESME are refused with E4

  @GSME @credit @GS @DIT.2 @SR-6.23 @SR-1.1.1 @SR-1.6 @SR-4.4.2 @SR-5.1 @SR-6.8 @SR-1.5 @SR-6.6 @SR-3.4 @SR-6.22
  @SR-3.1
  Scenario: Change of Supplier (Gain) - GSME Credit
    Given the GSME is installed and commissioned in credit mode by Supplier A
    And Supplier A has a DSP schedule for SR 4.6.1 on the GSME
    And the Gas Supplier at the premises has changed to Supplier B
    And Supplier B has read the inventory of the premises
    And Supplier B has noted the network operator trust anchors of the GSME
    And Supplier B has noted the network operator trust anchors of the GPF
    When Supplier B sends SR 6.23 "Update Security Credentials (CoS)" to the GSME
      | certificates | Supplier B |
    Then the request succeeds
    When Supplier B sends SR 6.23 "Update Security Credentials (CoS)" to the GPF
      | certificates | Supplier B |
    Then the request succeeds
    And Supplier A receives DCC alert N27
    And Supplier A receives DCC alert N17
    And Supplier A receives no device alert 0x8F69 from the GSME
    And Supplier B finds Supplier B in the supplier trust anchor of the GSME
    And Supplier B finds Supplier B in the supplier trust anchor of the GPF
    And Supplier B finds the network operator trust anchors of the GSME unchanged
    And Supplier B finds the network operator trust anchors of the GPF unchanged
    When Supplier B sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the GSME
    Then the request succeeds
    And Supplier B reads back from the GSME what SR 1.1.1 set
    When Supplier B sends SR 1.6 "Update Payment Mode" to the GSME
      | payment_mode | credit |
    Then the request succeeds
    And Supplier B reads back payment mode Credit from the GSME
    When Supplier B sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the GSME
    Then the request succeeds
    When Supplier B sends SR 5.1 "Create Schedule" for the GSME
    Then the request succeeds
    When Supplier B sends SR 6.8 "Update Device Configuration (Billing Calendar)" to the GSME
    Then the request succeeds
    And Supplier B reads back from the GSME what SR 6.8 set
    When Supplier B sends SR 1.5 "Update Meter Balance" to the GSME
      | payment_mode | credit |
      | reset        | true   |
    Then the request succeeds
    When Supplier B sends SR 6.6 "Update Device Configuration (Gas Conversion)" to the GSME
      | calorific_value   | 38.7    |
      | conversion_factor | 1.02150 |
    Then the request succeeds
    And Supplier B reads back from the GSME what SR 6.6 set
    When Supplier B sends SR 3.4 "Update Supplier Name" to the GSME
      | supplier_name | Supplier B |
    Then the request succeeds
    When Supplier B sends SR 6.22 "Configure Alert Behaviour" to the GSME
    Then the request succeeds
    When Supplier B sends SR 3.1 "Display Message" to the GSME
      | message | Welcome to Supplier B |
    Then the request succeeds
    And Supplier A's critical SRs to the GSME are refused with E4

  @ESME @prepayment @IS @DIT.1 @SR-6.23 @SR-2.1 @SR-1.6 @SR-1.1.1 @SR-4.4.2 @SR-5.1 @SR-6.8 @SR-2.3 @SR-1.5 @SR-3.4
  @SR-6.25 @SR-6.4.1 @SR-6.22 @SR-6.12 @SR-3.1
  Scenario: Change of Supplier (Gain) - ESME Prepayment
    Given the ESME is installed and commissioned in prepayment mode by Supplier A
    And Supplier A has a DSP schedule for SR 4.6.1 on the ESME
    And the Import Supplier at the premises has changed to Supplier B
    And Supplier B has read the inventory of the premises
    And Supplier B has noted the network operator trust anchors of the ESME
    When Supplier B sends SR 6.23 "Update Security Credentials (CoS)" to the ESME
      | certificates | Supplier B |
    Then the request succeeds
    And Supplier A receives DCC alert N27
    And Supplier A receives DCC alert N17
    And Supplier B finds Supplier B in the supplier prepayment key agreement trust anchor of the ESME
    And Supplier B finds the network operator trust anchors of the ESME unchanged
    When Supplier B sends SR 2.1 "Update Prepay Configuration" to the ESME
    Then the request succeeds
    And Supplier B reads back from the ESME what SR 2.1 set
    When Supplier B sends SR 1.6 "Update Payment Mode" to the ESME
      | payment_mode | prepayment |
    Then the request succeeds
    And Supplier B reads back payment mode Prepayment from the ESME
    When Supplier B sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the ESME
    Then the request succeeds
    And Supplier B reads back from the ESME what SR 1.1.1 set
    When Supplier B sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the ESME
    Then the request succeeds
    When Supplier B sends SR 5.1 "Create Schedule" for the ESME
    Then the request succeeds
    When Supplier B sends SR 6.8 "Update Device Configuration (Billing Calendar)" to the ESME
    Then the request succeeds
    And Supplier B reads back from the ESME what SR 6.8 set
    When Supplier B sends SR 2.3 "Update Debt" to the ESME
    Then the request succeeds
    And Supplier B reads back from the ESME what SR 2.3 set
    When Supplier B sends SR 1.5 "Update Meter Balance" to the ESME
      | payment_mode | prepayment |
      | adjustment   | 500000     |
    Then the request succeeds
    When Supplier B sends SR 3.4 "Update Supplier Name" to the ESME
      | supplier_name | Supplier B |
    Then the request succeeds
    When Supplier B sends SR 6.25 "Set Electricity Supply Tamper State" to the ESME
    Then the request succeeds
    When Supplier B sends SR 6.4.1 "Update Device Configuration (Load Limiting General Settings)" to the ESME
    Then the request succeeds
    When Supplier B sends SR 6.22 "Configure Alert Behaviour" to the ESME
    Then the request succeeds
    When Supplier B sends SR 6.12 "Update Device Configuration (Instantaneous Power Threshold)" to the ESME
    Then the request succeeds
    When Supplier B sends SR 3.1 "Display Message" to the ESME
      | message | Welcome to Supplier B |
    Then the request succeeds
    And Supplier A's critical SRs to the ESME are refused with E4

  @GSME @prepayment @GS @DIT.2 @SR-6.23 @SR-2.1 @SR-1.6 @SR-1.1.1 @SR-4.4.2 @SR-5.1 @SR-6.8 @SR-2.3 @SR-1.5 @SR-6.6
  @SR-3.4 @SR-6.22 @SR-3.1
  Scenario: Change of Supplier (Gain) - GSME Prepayment
    Given the GSME is installed and commissioned in prepayment mode by Supplier A
    And Supplier A has a DSP schedule for SR 4.6.1 on the GSME
    And the Gas Supplier at the premises has changed to Supplier B
    And Supplier B has read the inventory of the premises
    And Supplier B has noted the network operator trust anchors of the GSME
    And Supplier B has noted the network operator trust anchors of the GPF
    When Supplier B sends SR 6.23 "Update Security Credentials (CoS)" to the GSME
      | certificates | Supplier B |
    Then the request succeeds
    When Supplier B sends SR 6.23 "Update Security Credentials (CoS)" to the GPF
      | certificates | Supplier B |
    Then the request succeeds
    And Supplier A receives DCC alert N27
    And Supplier A receives DCC alert N17
    And Supplier B finds Supplier B in the supplier prepayment key agreement trust anchor of the GSME
    And Supplier B finds Supplier B in the supplier trust anchor of the GPF
    And Supplier B finds the network operator trust anchors of the GSME unchanged
    And Supplier B finds the network operator trust anchors of the GPF unchanged
    When Supplier B sends SR 2.1 "Update Prepay Configuration" to the GSME
    Then the request succeeds
    And Supplier B reads back from the GSME what SR 2.1 set
    When Supplier B sends SR 1.6 "Update Payment Mode" to the GSME
      | payment_mode | prepayment |
    Then the request succeeds
    And Supplier B reads back payment mode Prepayment from the GSME
    When Supplier B sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the GSME
    Then the request succeeds
    And Supplier B reads back from the GSME what SR 1.1.1 set
    When Supplier B sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the GSME
    Then the request succeeds
    When Supplier B sends SR 5.1 "Create Schedule" for the GSME
    Then the request succeeds
    When Supplier B sends SR 6.8 "Update Device Configuration (Billing Calendar)" to the GSME
    Then the request succeeds
    And Supplier B reads back from the GSME what SR 6.8 set
    When Supplier B sends SR 2.3 "Update Debt" to the GSME
    Then the request succeeds
    And Supplier B reads back from the GSME what SR 2.3 set
    When Supplier B sends SR 1.5 "Update Meter Balance" to the GSME
      | payment_mode | prepayment |
      | adjustment   | 500000     |
    Then the request succeeds
    When Supplier B sends SR 6.6 "Update Device Configuration (Gas Conversion)" to the GSME
      | calorific_value   | 38.7    |
      | conversion_factor | 1.02150 |
    Then the request succeeds
    And Supplier B reads back from the GSME what SR 6.6 set
    When Supplier B sends SR 3.4 "Update Supplier Name" to the GSME
      | supplier_name | Supplier B |
    Then the request succeeds
    When Supplier B sends SR 6.22 "Configure Alert Behaviour" to the GSME
    Then the request succeeds
    When Supplier B sends SR 3.1 "Display Message" to the GSME
      | message | Welcome to Supplier B |
    Then the request succeeds
    And Supplier A's critical SRs to the GSME are refused with E4
