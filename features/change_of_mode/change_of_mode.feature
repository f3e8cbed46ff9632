@change_of_mode @High @business_critical
Feature: Change of Mode (Product Change)
  The consumer moves between prepayment and credit: the new tariff and payment mode go on the meter,
  the billing data log the change triggers is read, the balance is set for the new mode, the DSP
  schedules change if the product needs it, and the consumer sees a message.

  Prerequisites (DIT approach): the device ID has been pre-notified; supplier trust anchors are populated; the
  prepayment KAK certificate is on credit and prepayment meters. The DIT approach ranks "Consumer - Payment
  Mode Change" High among the critical business scenarios.

  @prepayment @optional_srs @SR-1.1.1 @SR-1.6 @SR-4.4.2 @SR-1.5 @SR-5.3 @SR-5.1 @SR-3.1
  Scenario Outline: Change of Mode - PP to CR (Product Change) - <fuel>
    Given the <meter> is installed and commissioned in prepayment mode by the <supplier>
    And the <supplier> has a DSP schedule for SR 4.6.1 on the <meter>
    When the <supplier> sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 1.6 "Update Payment Mode" to the <meter>
      | payment_mode | credit |
    Then the request succeeds
    And the <supplier> reads back payment mode Credit from the <meter>
    When the <supplier> sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the <meter>
    Then the request succeeds
    And the billing data log shows the meter's registers at the payment mode change
    When the <supplier> sends SR 1.5 "Update Meter Balance" to the <meter>
      | payment_mode | credit |
      | reset        | true   |
    Then the request succeeds
    And the <supplier> reads back the <meter>'s meter balance reset, less than 1000 from zero
    When the <supplier> sends optional SR 5.3 "Delete Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends optional SR 5.1 "Create Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends SR 3.1 "Display Message" to the <meter>
      | message | You are now on a credit tariff |
    Then the request succeeds
    And the consumer sees "You are now on a credit tariff" on the <meter>'s display

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel | meter | supplier        |
      | Elec | ESME  | Import Supplier |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     |
      | Gas  | GSME  | Gas Supplier |

  @credit @optional_srs @SR-2.1 @SR-1.6 @SR-1.1.1 @SR-4.4.2 @SR-2.3 @SR-1.5 @SR-5.3 @SR-5.1 @SR-3.1
  Scenario Outline: Change of Mode - CR to PP (Product Change) - <fuel>
    Given the <meter> is installed and commissioned in credit mode by the <supplier>
    And the <supplier> has a DSP schedule for SR 4.6.1 on the <meter>
    When the <supplier> sends SR 2.1 "Update Prepay Configuration" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 1.6 "Update Payment Mode" to the <meter>
      | payment_mode | prepayment |
    Then the request succeeds
    And the <supplier> reads back payment mode Prepayment from the <meter>
    When the <supplier> sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the <meter>
    Then the request succeeds
    And the billing data log shows the meter's registers at the payment mode change
    When the <supplier> sends SR 2.3 "Update Debt" to the <meter>
      | time_debt_register_1 | 150000 |
      | debt_recovery_rate_1 | 100    |
    Then the request succeeds
    And the <supplier> reads back a time debt of 150000 on the <meter>, less at most 1000 recovered since
    When the <supplier> notes the meter balance of the <meter>
    And the <supplier> sends SR 1.5 "Update Meter Balance" to the <meter>
      | payment_mode | prepayment |
      | adjustment   | 1000000    |
    Then the request succeeds
    And the <supplier> reads back the <meter>'s meter balance adjusted by 1000000, less at most 1000 used since
    When the <supplier> sends optional SR 5.3 "Delete Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends optional SR 5.1 "Create Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends SR 3.1 "Display Message" to the <meter>
      | message | You are now on a prepayment tariff |
    Then the request succeeds
    And the consumer sees "You are now on a prepayment tariff" on the <meter>'s display

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel | meter | supplier        |
      | Elec | ESME  | Import Supplier |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     |
      | Gas  | GSME  | Gas Supplier |
