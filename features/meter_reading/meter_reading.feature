@meter_reading @Medium
Feature: Meter Reading
  The reads a supplier takes from a commissioned meter: midnight reads (daily read log), half-hourly
  profile data, the daily consumption log, instantaneous registers and TOU matrices, and the billing
  data log the billing calendar triggers. Every read is checked against the others, as a back office
  would: the meter's consumption must add up whichever way it is read.

  The DIT approach's table "Meter Reading Log Type Service Requests" gives one SR per read type; it does not rank
  these scenarios except the billing calendar reads ("Retrieve Meter Reading and Profile Data using DSP
  Schedule/Billing Calendar", Medium, critical). Gas consumption logs are kept by the GPF (4.17 targets it).

  @credit @SR-4.6.1
  Scenario Outline: Meter Reading - <fuel> (Mid Night)
    Given the <meter> is installed and commissioned by the <supplier>
    When 3 days pass
    And the <supplier> sends SR 4.6.1 "Retrieve Import Daily Read Log" to the <meter>
    Then the request succeeds
    And the daily read log holds the register at each of the last 3 midnights

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel        | meter | supplier        |
      | Electricity | ESME  | Import Supplier |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     |
      | Gas  | GSME  | Gas Supplier |

  @credit @SR-4.8.1
  Scenario Outline: Meter Reading - <fuel> (Half Hourly)
    Given the <meter> is installed and commissioned by the <supplier>
    When 2 days pass
    And the <supplier> sends SR 4.8.1 "Read Active Import Profile Data" to the <meter>
      | start | 2 days ago |
    Then the request succeeds
    And the <supplier> finds the half-hourly profile adding up to the difference of the <meter>'s midnight reads

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel        | meter | supplier        |
      | Electricity | ESME  | Import Supplier |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     |
      | Gas  | GSME  | Gas Supplier |

  @credit @SR-4.17
  Scenario Outline: Meter Reading - <fuel> (Consumption Data)
    Given the <meter> is installed and commissioned by the <supplier>
    When 3 days pass
    And the <supplier> sends SR 4.17 "Retrieve Daily Consumption Log" to the <log_keeper>
    Then the request succeeds
    And the <supplier> finds each day's consumption equal to the difference of the <meter>'s midnight reads

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel        | meter | supplier        | log_keeper |
      | Electricity | ESME  | Import Supplier | ESME       |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     | log_keeper |
      | Gas  | GSME  | Gas Supplier | GPF        |

  @credit @SR-4.1.1 @SR-4.1.2
  Scenario Outline: Meter Reading - <fuel> (Instantaneous Read)
    Given the <meter> is installed and commissioned by the <supplier>
    When 1 day passes
    And the <supplier> sends SR 4.1.1 "Read Instantaneous Import Registers" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 4.1.2 "Read Instantaneous Import TOU Matrices" to the <meter>
    Then the request succeeds
    And the TOU registers add up to the import register

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel        | meter | supplier        |
      | Electricity | ESME  | Import Supplier |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     |
      | Gas  | GSME  | Gas Supplier |

  @business_critical @credit @SR-4.4.3
  Scenario Outline: Meter Reading & PP Data - <fuel> (Billing Data Log)
    Given the <meter> is installed and commissioned by the <supplier>
    And the <supplier> has set a daily billing calendar on the <meter>
    When 3 days pass
    And the <supplier> sends SR 4.4.3 "Retrieve Billing Calendar Triggered Billing Data Log" to the <meter>
    Then the request succeeds
    And the billing data log holds an entry for each of the last 3 billing dates

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel        | meter | supplier        |
      | Electricity | ESME  | Import Supplier |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     |
      | Gas  | GSME  | Gas Supplier |
