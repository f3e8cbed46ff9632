@change_of_supplier @Medium @business_critical
Feature: Change of Supplier (Loss)
  The losing supplier closes the account before the supply moves: a closing midnight read and, for a
  prepayment meter, the prepayment values read, the debt reset and the meter put back to credit mode.
  Its DSP schedules for the meter go with the change of supplier anyway (deleting one first is
  optional; the DCC tells it of each it removes, N17). Once the gaining supplier has taken the meter over, the losing supplier hears of it (N27)
  and can no longer command the meter. The DIT approach ranks CoS (Loss) Medium among the critical scenarios.

  Prerequisites (DIT approach): device IDs pre-notified; supplier trust anchors populated. Supplier A loses the
  supply to Supplier B.

  @credit @optional_srs @SR-4.6.1 @SR-5.3
  Scenario Outline: Change of Supplier (Loss) - <meter> Credit
    Given the <meter> is installed and commissioned in credit mode by Supplier A
    And Supplier A has a DSP schedule for SR 4.8.1 on the <meter>
    And Supplier A has a DSP schedule for SR 4.6.1 on the <meter>
    When 1 day passes
    And Supplier A sends SR 4.6.1 "Retrieve Import Daily Read Log" to the <meter>
    Then the request succeeds
    And the daily read log holds the register at each of the last 1 midnights
    When Supplier A sends optional SR 5.3 "Delete Schedule" to the DCC
      | dsp_schedule_id | the DSP schedule |
    Then the request succeeds
    When the change of supplier of the <meter> to Supplier B completes
    Then Supplier A receives DCC alert N27
    And Supplier A receives DCC alert N17
    And Supplier A's critical SRs to the <meter> are refused with E4
    And the <meter> now obeys Supplier B's critical SRs

    @ESME @IS @DIT.1
    Examples: Electricity
      | meter |
      | ESME  |

    @GSME @GS @DIT.2
    Examples: Gas
      | meter |
      | GSME  |

  @prepayment @optional_srs @SR-4.3 @SR-2.3 @SR-1.6 @SR-4.6.1 @SR-5.3
  Scenario Outline: Change of Supplier (Loss) - <meter> Prepayment
    Given the <meter> is installed and commissioned in prepayment mode by Supplier A
    And the consumer owes Supplier A a payment debt of 20 GBP on the <meter>
    And Supplier A has a DSP schedule for SR 4.8.1 on the <meter>
    And Supplier A has a DSP schedule for SR 4.6.1 on the <meter>
    When 1 day passes
    And Supplier A sends SR 4.3 "Read Instantaneous Prepay Values" to the <meter>
    Then the request succeeds
    And Supplier A finds the prepay values agreeing with the <meter>'s meter balance
    And the prepay values show a payment debt of 20 GBP
    When Supplier A sends SR 2.3 "Update Debt" to the <meter>
      | payment_debt_register | 0 |
    Then the request succeeds
    And Supplier A reads back from the <meter> what SR 2.3 set
    When Supplier A sends SR 1.6 "Update Payment Mode" to the <meter>
      | payment_mode | credit |
    Then the request succeeds
    And Supplier A reads back payment mode Credit from the <meter>
    When Supplier A sends SR 4.6.1 "Retrieve Import Daily Read Log" to the <meter>
    Then the request succeeds
    When Supplier A sends optional SR 5.3 "Delete Schedule" to the DCC
      | dsp_schedule_id | the DSP schedule |
    Then the request succeeds
    When the change of supplier of the <meter> to Supplier B completes
    Then Supplier A receives DCC alert N27
    And Supplier A receives DCC alert N17
    And Supplier A's critical SRs to the <meter> are refused with E4
    And the <meter> now obeys Supplier B's critical SRs

    @ESME @IS @DIT.1
    Examples: Electricity
      | meter |
      | ESME  |

    @GSME @GS @DIT.2
    Examples: Gas
      | meter |
      | GSME  |
