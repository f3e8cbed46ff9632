@price_update @Medium @business_critical
Feature: Price Update
  A price change on the tariff already on the meter (the DIT approach's "Global Price Change", Medium among the
  critical business scenarios). 1.2.1 puts an entry in the billing data log, which the meter announces
  with 0x8F0A; the supplier reads the log at the time of the change.

  Prerequisites (DIT approach): the device ID has been pre-notified; supplier trust anchors hold the
  organisation certificates.

  @credit @SR-1.2.1 @SR-4.4.2
  Scenario Outline: Price Update - <fuel>
    Given the <meter> is installed and commissioned by the <supplier>
    When the <supplier> sends SR 1.2.1 "Update Price (Primary Element)" to the <meter>
      | unit_rates      | 26500 |
      | standing_charge | 32000 |
    Then the request succeeds
    And the <supplier> receives device alert 0x8F0A from the <meter>
    When the <supplier> sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the <meter>
    Then the request succeeds
    And the billing data log shows the meter's registers at the price change
    And the Electricity Network Operator's critical SRs to the <meter> are refused with E2

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel        | meter | supplier        |
      | Electricity | ESME  | Import Supplier |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     |
      | Gas  | GSME  | Gas Supplier |
