@change_of_supplier @Medium @business_critical
Feature: Change of Supplier (as the SEC guidance draws it)
  The SEC Smart Change of Supplier guidance draws more than the DIT approach's CoS sequences.
  Closing and opening reads (diagrams 3 to 5, after the approved BSC Modification P302): the new supplier
  reads the daily read log once it has the meter and hands the read at the change of supplier to the old
  supplier as its closing read; that same read is the new supplier's opening read. The old supplier may still
  read the meter itself while it is the supplier, to validate the read it is handed.
  The new supplier's SR areas (after 6.23, in any order the supplier chooses): here MPxN, time, billing
  calendar, device logs, tariff, supply tamper state, supply status, auxiliary load control, contact details
  and payment mode, each read back where a read SR of the area exists (6.2.7, 6.11's clock, 6.2.3, 8.9, 4.11.1,
  6.2.4, 7.4 with 4.1.1's register, 7.7, 6.2.9). Auxiliary load control is the switches' descriptions (6.14.1)
  and the switches held on (7.5) or off (7.6) for their minutes and returned to their calendar (7.8, or the
  minutes over); its schedulers (6.14.2, 6.14.3) are not drawn: this lab's ESME keeps no auxiliary load calendar.
  Anomaly detection (glossary): the DCC's Access Control Broker checks each User's communications of a type
  against the threshold the User set itself, and quarantines those in excess (DCC alert AD1).

  @ESME @credit @IS @DIT.1 @SR-4.6.1 @SR-6.23
  Scenario: Change of Supplier closing and opening reads (P302) - ESME
    Given the ESME is installed and commissioned in credit mode by Supplier A
    When 1 day passes
    And Supplier A sends SR 4.6.1 "Retrieve Import Daily Read Log" to the ESME
    Then the request succeeds
    When the change of supplier of the ESME to Supplier B completes
    Then Supplier A receives DCC alert N27
    When Supplier B sends SR 4.6.1 "Retrieve Import Daily Read Log" to the ESME
    Then the request succeeds
    And the daily read log holds the register at each of the last 1 midnights
    When Supplier B hands the ESME's read at the change of supplier to Supplier A as its closing read
    Then Supplier A's own read of the ESME agrees with the closing read it was handed

  @ESME @credit @IS @DIT.1 @SR-4.1.1 @SR-4.18
  Scenario: Change of Supplier - the DCC quarantines what exceeds the new supplier's anomaly detection threshold - ESME
    Given the ESME is installed and commissioned in credit mode by Supplier A
    And Supplier B has set its anomaly detection threshold for SR 4.1.1 to 2 a day
    When the change of supplier of the ESME to Supplier B completes
    And Supplier B sends SR 4.1.1 "Read Instantaneous Import Registers" to the ESME
    Then the request succeeds
    When Supplier B sends SR 4.1.1 "Read Instantaneous Import Registers" to the ESME
    Then the request succeeds
    When Supplier B goes beyond its anomaly detection threshold with SR 4.1.1 "Read Instantaneous Import Registers" to the ESME
    Then Supplier B receives DCC alert AD1
    And the DCC quarantined the request: no response to it comes
    When Supplier B sends SR 4.18 "Read Meter Balance" to the ESME
    Then the request succeeds
    When 1 day passes
    And Supplier B sends SR 4.1.1 "Read Instantaneous Import Registers" to the ESME
    Then the request succeeds

  @ESME @credit @IS @DIT.1 @SR-6.23 @SR-6.20.1 @SR-6.11 @SR-6.8 @SR-8.9 @SR-1.1.1 @SR-6.25 @SR-7.2 @SR-7.3
  @SR-7.1 @SR-6.14.1 @SR-7.5 @SR-7.6 @SR-7.8 @SR-3.4 @SR-1.6
  Scenario: Change of Supplier (Gain) - the new supplier's SR areas in its own order - ESME Credit
    Given the ESME is installed and commissioned in credit mode by Supplier A
    And the Import Supplier at the premises has changed to Supplier B
    And Supplier B has read the inventory of the premises
    When Supplier B sends SR 6.23 "Update Security Credentials (CoS)" to the ESME
      | certificates | Supplier B |
    Then the request succeeds
    And Supplier B finds Supplier B in the supplier trust anchor of the ESME
    When Supplier B sends SR 6.20.1 "Set Device Configuration (Import MPxN)" to the ESME
    Then the request succeeds
    And Supplier B reads back from the ESME what SR 6.20.1 set
    When Supplier B sends SR 6.11 "Synchronise Clock" to the ESME
    Then the request succeeds
    And the ESME's clock reads back within 10 seconds of the DCC's time
    When Supplier B sends SR 6.8 "Update Device Configuration (Billing Calendar)" to the ESME
    Then the request succeeds
    And Supplier B reads back from the ESME what SR 6.8 set
    When Supplier B sends SR 8.9 "Read Device Log" to the CHF
    Then the request succeeds
    And the device log read from the CHF holds the ESME
    When Supplier B sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the ESME
    Then the request succeeds
    And Supplier B reads back from the ESME what SR 1.1.1 set
    When Supplier B sends SR 6.25 "Set Electricity Supply Tamper State" to the ESME
    Then the request succeeds
    And Supplier B reads back from the ESME what SR 6.25 set
    And Supplier A's critical SRs to the ESME are refused with E4
    When Supplier B sends SR 7.2 "Disable Supply" to the ESME
    Then the request succeeds
    And Supplier B reads back supply Disabled from the ESME
    When Supplier B notes the import register of the ESME
    And 2 hours pass
    Then Supplier B reads back the ESME's import register unchanged
    When Supplier B sends SR 7.3 "Arm Supply" to the ESME
    Then the request succeeds
    And Supplier B reads back supply Armed from the ESME
    When the consumer presses the ESME's button
    Then Supplier B reads back supply Enabled from the ESME
    When Supplier B sends SR 7.2 "Disable Supply" to the ESME
    Then the request succeeds
    When Supplier B sends SR 7.1 "Enable Supply" to the ESME
    Then the request succeeds
    And Supplier B reads back supply Enabled from the ESME
    When Supplier B notes the import register of the ESME
    And 2 hours pass
    Then Supplier B reads back the ESME's import register advanced
    When Supplier B sends SR 6.14.1 "Update Device Configuration (Auxiliary Load Control Description)" to the ESME
      | descriptions | 1=Immersion heater; 2=Storage heater |
    Then the request succeeds
    And Supplier B reads back auxiliary load 1 described as "Immersion heater" from the ESME
    And Supplier B reads back auxiliary load 2 described as "Storage heater" from the ESME
    When Supplier B sends SR 7.5 "Activate Auxiliary Load" to the ESME
      | index    | 1  |
      | duration | 30 |
    Then the request succeeds
    And Supplier B reads back auxiliary load 1 on from the ESME
    When Supplier B sends SR 7.6 "Deactivate Auxiliary Load" to the ESME
      | index    | 1  |
      | duration | 60 |
    Then the request succeeds
    And Supplier B reads back auxiliary load 1 off from the ESME
    When Supplier B sends SR 7.5 "Activate Auxiliary Load" to the ESME
      | index    | 2  |
      | duration | 30 |
    Then the request succeeds
    And Supplier B reads back auxiliary load 2 on from the ESME
    When 31 minutes pass
    Then Supplier B reads back auxiliary load 2 off from the ESME
    When Supplier B sends SR 7.5 "Activate Auxiliary Load" to the ESME
      | index    | 1  |
      | duration | 30 |
    Then the request succeeds
    When Supplier B sends SR 7.8 "Reset Auxiliary Load" to the ESME
      | index | 1 |
    Then the request succeeds
    And Supplier B reads back auxiliary load 1 off from the ESME
    When Supplier B sends SR 3.4 "Update Supplier Name" to the ESME
      | supplier_name | Supplier B |
    Then the request succeeds
    When Supplier B sends SR 1.6 "Update Payment Mode" to the ESME
      | payment_mode | credit |
    Then the request succeeds
    And Supplier B reads back payment mode Credit from the ESME
