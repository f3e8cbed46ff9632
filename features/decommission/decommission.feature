@decommission @Medium @business_critical
Feature: Decommission Device
  The supplier takes a meter out of service: final reads, customer data cleared (balance, debt, MPxN),
  a privacy restriction on the meter's logs, the event and security logs read, the meter removed from
  the CH's whitelist (for gas, first unjoined from the GPF), and its SMI status set to Decommissioned.
  The DCC then cancels what it still held for the meter: its DSP schedules (N6 to their owners), DSP
  future-dated requests (N33 to their senders), and tells the network operator (N1 for an ESME, N2 for
  a GSME). GPF, IHD and CAD cannot be decommissioned.

  Prerequisites (DIT approach): the meter Commissioned; after decommissioning the device goes to factory reset
  before reuse; PPMID/IHD unjoin is part of the prepayment and IHD scenarios. The DIT approach ranks
  De-Commissioning Medium among the critical business scenarios.

  @ESME @credit @IS @DIT.1 @SR-4.1.1 @SR-4.1.2 @SR-1.5 @SR-6.20.1 @SR-3.2 @SR-6.13 @SR-8.11 @SR-8.3
  Scenario: Device De-Commission - ESME Credit
    Given the ESME is installed and commissioned in credit mode by the Import Supplier
    And the Import Supplier has a DSP schedule for SR 4.6.1 on the ESME
    And the Import Supplier has asked for SR 4.8.1 from the ESME in 2 days
    When the Import Supplier sends SR 4.1.1 "Read Instantaneous Import Registers" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 4.1.2 "Read Instantaneous Import TOU Matrices" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 1.5 "Update Meter Balance" to the ESME
      | payment_mode | credit |
      | reset        | true   |
    Then the request succeeds
    And the Import Supplier reads back the ESME's meter balance reset, less than 1000 from zero
    When the Import Supplier sends SR 6.20.1 "Set Device Configuration (Import MPxN)" to the ESME
      | import_mpan | 0000000000000 |
    Then the request succeeds
    And the Import Supplier reads back the ESME's MPxN as 0000000000000
    When the Import Supplier sends SR 3.2 "Restrict Access For Change Of Tenancy" to the ESME
      | restriction_date_time | now |
    Then the request succeeds
    When the Import Supplier sends SR 6.13 "Read Event Or Security Log" to the ESME
      | log_to_read | Event |
    Then the request succeeds
    When the Import Supplier sends SR 6.13 "Read Event Or Security Log" to the ESME
      | log_to_read | Security |
    Then the request succeeds
    And the Import Supplier finds the ESME in the CHF's device log
    When the Import Supplier sends SR 8.11 "Update HAN Device Log" to the CHF
      | device_id    | the ESME |
      | request_type | Remove   |
    Then the request succeeds
    And the Import Supplier finds the ESME gone from the CHF's device log
    When the Import Supplier sends SR 8.3 "Decommission Device" for the ESME
    Then the request succeeds
    And the Electricity Network Operator receives DCC alert N1
    And the Import Supplier receives DCC alert N6
    And the Import Supplier receives DCC alert N33
    And the Import Supplier sees the ESME as Decommissioned in the inventory
    And the DCC refuses to decommission the GPF with E11

  @ESME @prepayment @IS @DIT.1 @SR-4.1.1 @SR-4.1.2 @SR-4.3 @SR-2.3 @SR-1.5 @SR-6.20.1 @SR-3.2 @SR-6.13 @SR-8.11
  @SR-8.3
  Scenario: Device De-Commission - ESME Prepayment
    Given the ESME is installed and commissioned in prepayment mode by the Import Supplier
    And the Import Supplier has put a time debt of 150000 on the ESME
    And the Import Supplier has a DSP schedule for SR 4.6.1 on the ESME
    And the Import Supplier has asked for SR 4.8.1 from the ESME in 2 days
    When the Import Supplier sends SR 4.1.1 "Read Instantaneous Import Registers" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 4.1.2 "Read Instantaneous Import TOU Matrices" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 4.3 "Read Instantaneous Prepay Values" to the ESME
    Then the request succeeds
    When the Import Supplier sends SR 2.3 "Update Debt" to the ESME
    Then the request succeeds
    And the Import Supplier reads back the ESME's debt registers at zero
    When the Import Supplier sends SR 1.5 "Update Meter Balance" to the ESME
      | payment_mode | prepayment |
      | reset        | true       |
    Then the request succeeds
    And the Import Supplier reads back the ESME's meter balance reset, less than 1000 from zero
    When the Import Supplier sends SR 6.20.1 "Set Device Configuration (Import MPxN)" to the ESME
      | import_mpan | 0000000000000 |
    Then the request succeeds
    And the Import Supplier reads back the ESME's MPxN as 0000000000000
    When the Import Supplier sends SR 3.2 "Restrict Access For Change Of Tenancy" to the ESME
      | restriction_date_time | now |
    Then the request succeeds
    When the Import Supplier sends SR 6.13 "Read Event Or Security Log" to the ESME
      | log_to_read | Event |
    Then the request succeeds
    When the Import Supplier sends SR 6.13 "Read Event Or Security Log" to the ESME
      | log_to_read | Security |
    Then the request succeeds
    And the Import Supplier finds the ESME in the CHF's device log
    When the Import Supplier sends SR 8.11 "Update HAN Device Log" to the CHF
      | device_id    | the ESME |
      | request_type | Remove   |
    Then the request succeeds
    And the Import Supplier finds the ESME gone from the CHF's device log
    When the Import Supplier sends SR 8.3 "Decommission Device" for the ESME
    Then the request succeeds
    And the Electricity Network Operator receives DCC alert N1
    And the Import Supplier receives DCC alert N6
    And the Import Supplier receives DCC alert N33
    And the Import Supplier sees the ESME as Decommissioned in the inventory

  @GSME @credit @GS @DIT.2 @SR-4.1.1 @SR-4.1.2 @SR-1.5 @SR-6.20.1 @SR-3.2 @SR-6.13 @SR-8.8.2 @SR-8.11 @SR-8.3
  Scenario: Device De-Commission - GSME Credit
    Given the GSME is installed and commissioned in credit mode by the Gas Supplier
    And the Gas Supplier has a DSP schedule for SR 4.6.1 on the GSME
    And the Gas Supplier has asked for SR 4.8.1 from the GSME in 2 days
    When the Gas Supplier sends SR 4.1.1 "Read Instantaneous Import Registers" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 4.1.2 "Read Instantaneous Import TOU Matrices" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 1.5 "Update Meter Balance" to the GSME
      | payment_mode | credit |
      | reset        | true   |
    Then the request succeeds
    And the Gas Supplier reads back the GSME's meter balance reset, less than 1000 from zero
    When the Gas Supplier sends SR 6.20.1 "Set Device Configuration (Import MPxN)" to the GSME
      | import_mprn | 0000000000 |
    Then the request succeeds
    And the Gas Supplier reads back the GSME's MPxN as 0000000000
    When the Gas Supplier sends SR 3.2 "Restrict Access For Change Of Tenancy" to the GPF
      | restriction_date_time | now |
    Then the request succeeds
    When the Gas Supplier sends SR 6.13 "Read Event Or Security Log" to the GSME
      | log_to_read | Event |
    Then the request succeeds
    When the Gas Supplier sends SR 6.13 "Read Event Or Security Log" to the GSME
      | log_to_read | Security |
    Then the request succeeds
    When the Gas Supplier sends SR 8.8.2 "Unjoin Service (Non-Critical)" to the GPF
      | other_device_id | the GSME |
    Then the request succeeds
    And the Gas Supplier finds the GSME in the CHF's device log
    When the Gas Supplier sends SR 8.11 "Update HAN Device Log" to the CHF
      | device_id    | the GSME |
      | request_type | Remove   |
    Then the request succeeds
    And the Gas Supplier finds the GSME gone from the CHF's device log
    When the Gas Supplier sends SR 8.3 "Decommission Device" for the GSME
    Then the request succeeds
    And the Gas Network Operator receives DCC alert N2
    And the Gas Supplier receives DCC alert N6
    And the Gas Supplier receives DCC alert N33
    And the Gas Supplier sees the GSME as Decommissioned in the inventory

  @GSME @prepayment @GS @DIT.2 @SR-4.1.1 @SR-4.1.2 @SR-4.3 @SR-2.3 @SR-1.5 @SR-6.20.1 @SR-3.2 @SR-6.13 @SR-8.8.2
  @SR-8.11 @SR-8.3
  Scenario: Device De-Commission - GSME Prepayment
    Given the GSME is installed and commissioned in prepayment mode by the Gas Supplier
    And the Gas Supplier has put a time debt of 150000 on the GSME
    And the Gas Supplier has a DSP schedule for SR 4.6.1 on the GSME
    And the Gas Supplier has asked for SR 4.8.1 from the GSME in 2 days
    When the Gas Supplier sends SR 4.1.1 "Read Instantaneous Import Registers" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 4.1.2 "Read Instantaneous Import TOU Matrices" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 4.3 "Read Instantaneous Prepay Values" to the GSME
    Then the request succeeds
    When the Gas Supplier sends SR 2.3 "Update Debt" to the GSME
    Then the request succeeds
    And the Gas Supplier reads back the GSME's debt registers at zero
    When the Gas Supplier sends SR 1.5 "Update Meter Balance" to the GSME
      | payment_mode | prepayment |
      | reset        | true       |
    Then the request succeeds
    And the Gas Supplier reads back the GSME's meter balance reset, less than 1000 from zero
    When the Gas Supplier sends SR 6.20.1 "Set Device Configuration (Import MPxN)" to the GSME
      | import_mprn | 0000000000 |
    Then the request succeeds
    And the Gas Supplier reads back the GSME's MPxN as 0000000000
    When the Gas Supplier sends SR 3.2 "Restrict Access For Change Of Tenancy" to the GPF
      | restriction_date_time | now |
    Then the request succeeds
    When the Gas Supplier sends SR 6.13 "Read Event Or Security Log" to the GSME
      | log_to_read | Event |
    Then the request succeeds
    When the Gas Supplier sends SR 6.13 "Read Event Or Security Log" to the GSME
      | log_to_read | Security |
    Then the request succeeds
    When the Gas Supplier sends SR 8.8.2 "Unjoin Service (Non-Critical)" to the GPF
      | other_device_id | the GSME |
    Then the request succeeds
    And the Gas Supplier finds the GSME in the CHF's device log
    When the Gas Supplier sends SR 8.11 "Update HAN Device Log" to the CHF
      | device_id    | the GSME |
      | request_type | Remove   |
    Then the request succeeds
    And the Gas Supplier finds the GSME gone from the CHF's device log
    When the Gas Supplier sends SR 8.3 "Decommission Device" for the GSME
    Then the request succeeds
    And the Gas Network Operator receives DCC alert N2
    And the Gas Supplier receives DCC alert N6
    And the Gas Supplier receives DCC alert N33
    And the Gas Supplier sees the GSME as Decommissioned in the inventory
