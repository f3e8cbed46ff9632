@prepayment_top_up @High @business_critical @prepayment
Feature: Prepayment - ToP Up
  A prepayment consumer buys credit: the supplier (or its payment service provider) vends a UTRN for
  the meter, made with the supplier's Prepayment Key Agreement key and the meter's current KA
  certificate, and it reaches the meter over the SM WAN (2.2) or is typed at the PPMID or the meter.
  The meter accepts a UTRN once; a local top-up is announced to the supplier with 0x810E because DUIS
  has no unsolicited SR response.

  Prerequisites (DIT approach): WAN matrix checks completed; supplier trust anchors populated with the DS, KA and
  prepayment KA certificates on ESME and GSME; UTRN generation as the latest GBCS; the meter's latest KAK
  certificate used; ESME, GSME, GPF and CHF Commissioned. The plan names both top-ups for IS/GS: each runs for
  electricity and for gas (the gas ones beyond the plan's count of 80).

  @ESME @IS @DIT.1 @SR-2.2
  Scenario: Prepayment Device ToP Up via WAN
    Given the ESME is installed and commissioned in prepayment mode by the Import Supplier
    When the Import Supplier notes the meter balance of the ESME
    And the Import Supplier vends a UTRN for 10.00 GBP for the ESME
    And the Import Supplier sends SR 2.2 "Top Up Device" to the ESME
      | utrn | the vended UTRN |
    Then the request succeeds
    And the Import Supplier reads back the ESME's meter balance risen by the top-up, less at most 1000 used since
    And a second SR 2.2 with the same UTRN is refused by the ESME

  @ESME @IS @DIT.1 @DIT.4
  Scenario: Prepayment Device ToP Up - Directly via PPMID/Meter
    Given the ESME is installed and commissioned in prepayment mode by the Import Supplier
    And the PPMID is installed and joined to the ESME by the Import Supplier
    When the Import Supplier notes the meter balance of the ESME
    And the Import Supplier vends a UTRN for 5.00 GBP for the ESME
    And the consumer tops up the ESME at the PPMID
    Then the Import Supplier receives device alert 0x810E from the ESME
    And the Import Supplier reads back the ESME's meter balance risen by the top-up, less at most 1000 used since
    And the ESME refuses the UTRN typed again at its keypad, telling the Import Supplier (0x8F51)

  @GSME @GS @DIT.2 @SR-2.2
  Scenario: Prepayment Device ToP Up via WAN - Gas
    Given the GSME is installed and commissioned in prepayment mode by the Gas Supplier
    When the Gas Supplier notes the meter balance of the GSME
    And the Gas Supplier vends a UTRN for 10.00 GBP for the GSME
    And the Gas Supplier sends SR 2.2 "Top Up Device" to the GSME
      | utrn | the vended UTRN |
    Then the request succeeds
    And the Gas Supplier reads back the GSME's meter balance risen by the top-up, less at most 1000 used since
    And a second SR 2.2 with the same UTRN is refused by the GSME

  @GSME @GS @DIT.2 @DIT.4
  Scenario: Prepayment Device ToP Up - Directly via PPMID/Meter - Gas
    Given the GSME is installed and commissioned in prepayment mode by the Gas Supplier
    And the PPMID is installed and joined to the GSME by the Gas Supplier
    When the Gas Supplier notes the meter balance of the GSME
    And the Gas Supplier vends a UTRN for 5.00 GBP for the GSME
    And the consumer tops up the GSME at the PPMID
    Then the Gas Supplier receives device alert 0x810E from the GSME
    And the Gas Supplier reads back the GSME's meter balance risen by the top-up, less at most 1000 used since
    And the GSME refuses the UTRN typed again at its keypad, telling the Gas Supplier (0x8F51)
