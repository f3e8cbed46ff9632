@dual_band_hub @Medium @DIT.8
Feature: Dual band Communications Hub sub-GHz configuration
  Beyond the DIT approach's business scenarios: a CHTS v1.1 dual band hub takes its sub-GHz configuration
  (6.28, the frequency agility and duty cycle parameters of GBCS 10.6.2.6 and 10.6.2.2 that DIT.8 asks
  to verify), reports it back (6.30) and the channel it operates on (6.31). These SRs came with R2.0:
  an R1.3 service user or DSP has none of them, and a single band hub has no sub-GHz radio.

  @on_dual_band @on_R2.0 @GS @SR-6.28 @SR-6.30 @SR-6.31
  Scenario: Sub-GHz configuration of a dual band hub
    When the Gas Supplier sends SR 6.28 "Set CHF Sub GHz Configuration" to the CHF
    Then the request succeeds
    When the Gas Supplier sends SR 6.30 "Read CHF Sub GHz Configuration" to the CHF
    Then the request succeeds
    When the Gas Supplier sends SR 6.31 "Read CHF Sub GHz Channel" to the CHF
    Then the request succeeds

  @on_dual_band @on_R2.0 @GS @SR-6.29 @SR-6.31 @SR-6.13
  Scenario: Sub-GHz channel change on a noisy channel
    Frequency agility (GBCS 10.6.2.6): asked to scan (6.29), the hub finds its sub-GHz channel noisy and moves
    the HAN; the GSME follows and still answers.
    Given the GSME is installed and commissioned by the Gas Supplier
    And there is interference on the Communications Hub's sub-GHz channel
    When the Gas Supplier sends SR 6.29 "Request CHF Sub GHz Channel Scan" to the CHF
    Then the request succeeds
    And the HAN capture shows the sub-GHz channel changed
    When the Gas Supplier sends SR 6.31 "Read CHF Sub GHz Channel" to the CHF
    Then the request succeeds
    When the Gas Supplier sends SR 6.13 "Read Event Or Security Log" to the GSME
    Then the request succeeds
