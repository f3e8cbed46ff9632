@tariff_update @Medium
Feature: Tariff Update (Product Change)
  The supplier moves the consumer to another product: the new tariff goes on the meter, the billing
  data log the change triggers is read, the DSP schedules change if the product needs it, and the
  consumer sees a message on the display.

  Prerequisites (DIT approach): the device ID has been pre-notified to the DCC; the supplier trust anchors are
  populated; the prepayment KAK certificate is on credit and prepayment meters. The DIT approach does not rank
  this scenario; it is Medium here. The plan names it for PP/CR meters: a credit and a prepayment variant of each
  fuel run (the prepayment ones beyond the plan's count of 80).

  @credit @optional_srs @SR-1.1.1 @SR-4.4.2 @SR-5.3 @SR-5.1 @SR-3.1
  Scenario Outline: Tariff Update (Product Change) - <fuel>
    Given the <meter> is installed and commissioned by the <supplier>
    And the <supplier> has a DSP schedule for SR 4.6.1 on the <meter>
    When the <supplier> sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the <meter>
      | unit_rate       | 21000 |
      | standing_charge | 25000 |
    Then the request succeeds
    And the <supplier> reads back the <meter>'s tariff: unit rate 21000, standing charge 25000
    When the <supplier> sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the <meter>
    Then the request succeeds
    And the billing data log shows the meter's registers at the tariff change
    When the <supplier> sends optional SR 5.3 "Delete Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends optional SR 5.1 "Create Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends SR 3.1 "Display Message" to the <meter>
      | message | Your new tariff starts today |
    Then the request succeeds
    And the consumer sees "Your new tariff starts today" on the <meter>'s display

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel        | meter | supplier        |
      | Electricity | ESME  | Import Supplier |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     |
      | Gas  | GSME  | Gas Supplier |

  @prepayment @optional_srs @SR-1.1.1 @SR-4.4.2 @SR-5.3 @SR-5.1 @SR-3.1
  Scenario Outline: Tariff Update (Product Change) - <fuel> - PP
    Given the <meter> is installed and commissioned in prepayment mode by the <supplier>
    And the <supplier> has a DSP schedule for SR 4.6.1 on the <meter>
    When the <supplier> sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the <meter>
      | unit_rate       | 21000 |
      | standing_charge | 25000 |
    Then the request succeeds
    And the <supplier> reads back the <meter>'s tariff: unit rate 21000, standing charge 25000
    When the <supplier> sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the <meter>
    Then the request succeeds
    And the billing data log shows the meter's registers at the tariff change
    When the <supplier> sends optional SR 5.3 "Delete Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends optional SR 5.1 "Create Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends SR 3.1 "Display Message" to the <meter>
      | message | Your new tariff starts today |
    Then the request succeeds
    And the consumer sees "Your new tariff starts today" on the <meter>'s display

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel        | meter | supplier        |
      | Electricity | ESME  | Import Supplier |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     |
      | Gas  | GSME  | Gas Supplier |
