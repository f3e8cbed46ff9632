@ihd @High @business_critical @credit @DIT.12
Feature: In House Display
  Join and unjoin of the in-home display: IHD exchange (remove the old IHD, add the new one) and a meter
  exchanged with the IHD (or, for gas, the GPF) re-paired. IHDs hold no certificates: they join the HAN
  and are joined to a meter or the GPF with the non-critical join service. The DIT approach ranks "Join/UnJoin
  PPMID/IHD" High among the critical business scenarios.

  Prerequisites (DIT approach): device IDs pre-notified; ESME, GSME, GPF and CHF Commissioned; two business
  requests (remove the old IHD, add the new one); the installer on site with the right job type for a
  meter exchange, where the focus is the IHD join and unjoin.

  @ESME @IS @SR-8.8.2 @SR-8.11 @SR-8.7.2
  Scenario: IHD exchange - Electricity site
    Given the ESME is installed and commissioned by the Import Supplier
    And the IHD is installed and joined to the ESME by the Import Supplier
    And the Import Supplier has pre-notified the IHD 2 to the DCC
    When the Import Supplier sends SR 8.8.2 "Unjoin Service (Non-Critical)" to the ESME
      | other_device_id | the IHD |
    Then the request succeeds
    When the Import Supplier sends SR 8.11 "Update HAN Device Log" to the CHF
      | device_id    | the IHD |
      | request_type | Remove  |
    Then the request succeeds
    And the Import Supplier receives DCC alert N24
    When the Import Supplier sends SR 8.11 "Update HAN Device Log" to the CHF
      | device_id | the IHD 2 |
    Then the request succeeds
    And the Import Supplier receives DCC alert N24
    When the installer powers on the IHD 2
    Then the Import Supplier sees the IHD 2 join the HAN
    When the Import Supplier sends SR 8.7.2 "Join Service (Non-Critical)" to the ESME
      | other_device_id | the IHD 2 |
    Then the request succeeds
    And the consumer sees the ESME's import register on the IHD 2, as the Import Supplier reads it

  @GSME @GS @SR-8.8.2 @SR-8.11 @SR-8.7.2
  Scenario: IHD exchange - Gas site
    Given the GSME is installed and commissioned by the Gas Supplier
    And the IHD is installed and joined to the GSME by the Gas Supplier
    And the Gas Supplier has pre-notified the IHD 2 to the DCC
    When the Gas Supplier sends SR 8.8.2 "Unjoin Service (Non-Critical)" to the GPF
      | other_device_id | the IHD |
    Then the request succeeds
    When the Gas Supplier sends SR 8.11 "Update HAN Device Log" to the CHF
      | device_id    | the IHD |
      | request_type | Remove  |
    Then the request succeeds
    And the Gas Supplier receives DCC alert N24
    And the CHF's device log no longer holds the IHD: a second SR 8.11 from the Gas Supplier removing it fails
    And the Gas Supplier receives DCC alert N25
    When the Gas Supplier sends SR 8.11 "Update HAN Device Log" to the CHF
      | device_id | the IHD 2 |
    Then the request succeeds
    And the Gas Supplier receives DCC alert N24
    When the installer powers on the IHD 2
    Then the Gas Supplier sees the IHD 2 join the HAN
    When the Gas Supplier sends SR 8.7.2 "Join Service (Non-Critical)" to the GPF
      | other_device_id | the IHD 2 |
    Then the request succeeds

  @ESME @IS @SR-8.8.2 @SR-8.7.2
  Scenario: ESME exchange - re-pairing with IHD
    Given the ESME is installed and commissioned by the Import Supplier
    And the IHD is installed and joined to the ESME by the Import Supplier
    And the ESME 2 is installed and commissioned by the Import Supplier
    When the Import Supplier sends SR 8.8.2 "Unjoin Service (Non-Critical)" to the ESME
      | other_device_id | the IHD |
    Then the request succeeds
    When the Import Supplier sends SR 8.7.2 "Join Service (Non-Critical)" to the ESME 2
      | other_device_id | the IHD |
    Then the request succeeds
    And the consumer sees the ESME 2's import register on the IHD, as the Import Supplier reads it

  @GSME @GS @SR-8.8.2 @SR-8.7.2
  Scenario: GSME exchange - re-pairing with GPF
    The GPF-IHD join stays as it is; the new GSME is joined to the GPF in place of the old one.

    Given the GSME is installed and commissioned by the Gas Supplier
    And the IHD is installed and joined to the GSME by the Gas Supplier
    And the GSME 2 is installed and commissioned by the Gas Supplier, not yet joined to the GPF
    When the Gas Supplier sends SR 8.8.2 "Unjoin Service (Non-Critical)" to the GPF
      | other_device_id | the GSME |
    Then the request succeeds
    When the Gas Supplier sends SR 8.7.2 "Join Service (Non-Critical)" to the GPF
      | other_device_id | the GSME 2 |
    Then the request succeeds
    And the Gas Supplier finds the GPF mirroring the GSME 2
