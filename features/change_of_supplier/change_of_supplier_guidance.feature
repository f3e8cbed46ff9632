@change_of_supplier @Medium @business_critical
Feature: Change of Supplier as the SEC guidance draws it
  The SEC Smart Change of Supplier guidance draws more than the DIT approach's CoS sequences.
  Closing and opening reads (diagrams 3 to 5, after the approved BSC Modification P302): the new supplier
  reads the daily read log once it has the meter and hands the read at the change of supplier to the old
  supplier as its closing read; that same read is the new supplier's opening read. The old supplier may still
  read the meter itself while it is the supplier, to validate the read it is handed.
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
    When the change of supplier of the ESME to Supplier B completes
    And Supplier B sends SR 4.1.1 "Read Instantaneous Import Registers" to the ESME
    Then the request succeeds
    When Supplier B sends SR 4.1.1 "Read Instantaneous Import Registers" to the ESME
    Then the request succeeds
    When Supplier B sends SR 4.1.1 "Read Instantaneous Import Registers" to the ESME beyond its anomaly detection threshold
    Then Supplier B receives DCC alert AD1
    And the DCC quarantined the request: no response to it comes
    When Supplier B sends SR 4.18 "Read Meter Balance" to the ESME
    Then the request succeeds
    When 1 day passes
    And Supplier B sends SR 4.1.1 "Read Instantaneous Import Registers" to the ESME
    Then the request succeeds
