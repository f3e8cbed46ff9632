@prepayment_data @Medium @prepayment
Feature: Prepayment Data
  What a prepayment meter holds about the consumer's credit: the prepayment daily read log (a snapshot
  of balance and debt at each midnight) and the instantaneous prepayment values. The reads must agree
  with the meter's consumption and with its current balance. Not ranked by the DIT approach; Medium here.

  @SR-4.14
  Scenario Outline: Prepayment Data - <fuel> (Mid Night)
    Given the <meter> is installed and commissioned in prepayment mode by the <supplier>
    When 3 days pass
    And the <supplier> sends SR 4.14 "Read Prepayment Daily Read Log" to the <meter>
    Then the request succeeds
    And the prepayment daily read log shows the balance the meter's consumption leaves each midnight

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel        | meter | supplier        |
      | Electricity | ESME  | Import Supplier |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     |
      | Gas  | GSME  | Gas Supplier |

  @SR-4.3
  Scenario Outline: Prepayment Data - <fuel> (Instantaneous)
    Given the <meter> is installed and commissioned in prepayment mode by the <supplier>
    When 1 day passes
    And the <supplier> sends SR 4.3 "Read Instantaneous Prepay Values" to the <meter>
    Then the request succeeds
    And the <supplier> finds the prepay values agreeing with the <meter>'s meter balance

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel        | meter | supplier        |
      | Electricity | ESME  | Import Supplier |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     |
      | Gas  | GSME  | Gas Supplier |
