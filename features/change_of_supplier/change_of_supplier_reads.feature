@change_of_supplier @Medium @business_critical
Feature: Change of Supplier reads (P302)
  The SEC Smart Change of Supplier guidance (diagrams 3 to 5, after the approved BSC Modification P302): the
  new supplier reads the daily read log once it has the meter and hands the read at the change of supplier to
  the old supplier as its closing read; that same read is the new supplier's opening read. The old supplier
  may still read the meter itself while it is the supplier, to validate the read it is handed.

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
