@ppmid @High @business_critical @prepayment @DIT.4
Feature: PPMID
  Join and unjoin of the prepayment interface: PPMID exchange (two business requests: remove the old
  PPMID, add the new one), the PPMID re-joined after the meter's rekey, and a meter exchanged with the
  PPMID re-paired to the new meter. The DIT approach ranks "Join/UnJoin PPMID/IHD (incl. post meter certificate
  refresh)" High among the critical business scenarios.

  Prerequisites (DIT approach): device IDs pre-notified; WAN matrix checks completed; supplier trust anchors
  populated with DS, KA and prepayment KA certificates on ESME and GSME; ESME, GSME, GPF and CHF
  Commissioned for the join service; in a meter exchange the focus is the PPMID join and unjoin (the
  meter's commissioning and decommissioning are separate processes).

  @ESME @IS @SR-8.8.1 @SR-8.8.2 @SR-8.11 @SR-8.3 @SR-8.7.1 @SR-8.7.2
  Scenario: PPMID exchange - Electricity site
    Given the ESME is installed and commissioned in prepayment mode by the Import Supplier
    And the PPMID is installed and joined to the ESME by the Import Supplier
    And the Import Supplier has pre-notified the PPMID 2 to the DCC
    When the Import Supplier sends SR 8.8.1 "Unjoin Service (Critical)" to the ESME
      | other_device_id | the PPMID |
    Then the request succeeds
    When the Import Supplier sends SR 8.8.2 "Unjoin Service (Non-Critical)" to the PPMID
      | other_device_id | the ESME |
    Then the request succeeds
    When the Import Supplier sends SR 8.11 "Update HAN Device Log" to the CHF
      | device_id    | the PPMID |
      | request_type | Remove    |
    Then the request succeeds
    And the Import Supplier receives DCC alert N24
    When the Import Supplier sends SR 8.3 "Decommission Device" for the PPMID
    Then the request succeeds
    And the Import Supplier sees the PPMID as Decommissioned in the inventory
    When the Import Supplier sends SR 8.11 "Update HAN Device Log" to the CHF
      | device_id | the PPMID 2 |
    Then the request succeeds
    And the Import Supplier receives DCC alert N24
    When the installer powers on the PPMID 2
    Then the Import Supplier sees the PPMID 2 join the HAN
    When the Import Supplier sends SR 8.7.1 "Join Service (Critical)" to the ESME
      | other_device_id | the PPMID 2 |
    Then the request succeeds
    When the Import Supplier sends SR 8.7.2 "Join Service (Non-Critical)" to the PPMID 2
      | other_device_id | the ESME |
    Then the request succeeds
    And the Import Supplier sees the PPMID 2 as Commissioned in the inventory
    When the Import Supplier vends a UTRN for 3.00 GBP for the ESME
    And the consumer tops up the ESME at the PPMID 2
    Then the Import Supplier receives device alert 0x810E from the ESME

  @GSME @GS @SR-8.8.1 @SR-8.8.2 @SR-8.11 @SR-8.3 @SR-8.7.1 @SR-8.7.2
  Scenario: PPMID exchange - Gas site
    The PPMID also serves the electricity meter of this dual-fuel premises: taking it off the CH while
    the ESME is still joined to it removes it from under the electricity supplier, who is told (N43).

    Given the GSME is installed and commissioned in prepayment mode by the Gas Supplier
    And the ESME is installed and commissioned in prepayment mode by the Import Supplier
    And the PPMID is installed and joined to the GSME by the Gas Supplier
    And the PPMID is installed and joined to the ESME by the Import Supplier
    And the Gas Supplier has pre-notified the PPMID 2 to the DCC
    When the Gas Supplier sends SR 8.8.1 "Unjoin Service (Critical)" to the GSME
      | other_device_id | the PPMID |
    Then the request succeeds
    When the Gas Supplier sends SR 8.8.2 "Unjoin Service (Non-Critical)" to the PPMID
      | other_device_id | the GSME |
    Then the request succeeds
    When the Gas Supplier sends SR 8.8.2 "Unjoin Service (Non-Critical)" to the GPF
      | other_device_id | the PPMID |
    Then the request succeeds
    When the Gas Supplier sends SR 8.11 "Update HAN Device Log" to the CHF
      | device_id    | the PPMID |
      | request_type | Remove    |
    Then the request succeeds
    And the Gas Supplier receives DCC alert N24
    And the Import Supplier receives DCC alert N43
    When the Gas Supplier sends SR 8.3 "Decommission Device" for the PPMID
    Then the request succeeds
    When the Gas Supplier sends SR 8.11 "Update HAN Device Log" to the CHF
      | device_id | the PPMID 2 |
    Then the request succeeds
    And the Gas Supplier receives DCC alert N24
    When the installer powers on the PPMID 2
    Then the Gas Supplier sees the PPMID 2 join the HAN
    When the Gas Supplier sends SR 8.7.1 "Join Service (Critical)" to the GSME
      | other_device_id | the PPMID 2 |
    Then the request succeeds
    When the Gas Supplier sends SR 8.7.2 "Join Service (Non-Critical)" to the PPMID 2
      | other_device_id | the GSME |
    Then the request succeeds
    When the Gas Supplier sends SR 8.7.2 "Join Service (Non-Critical)" to the GPF
      | other_device_id | the PPMID 2 |
    Then the request succeeds
    When the Gas Supplier vends a UTRN for 3.00 GBP for the GSME
    And the consumer tops up the GSME at the PPMID 2
    Then the Gas Supplier receives device alert 0x810E from the GSME

  @GSME @GS @SR-8.7.2
  Scenario: PPMID re-join after Device rekey process
    Given the GSME is installed and commissioned in prepayment mode by the Gas Supplier
    And the PPMID is installed and joined to the GSME by the Gas Supplier
    And the Gas Supplier has rekeyed the GSME
    When the Gas Supplier vends a UTRN for 5.00 GBP for the GSME
    Then the consumer cannot top up the GSME at the PPMID
    When the Gas Supplier sends SR 8.7.2 "Join Service (Non-Critical)" to the PPMID
      | other_device_id | the GSME |
    Then the request succeeds
    When the consumer tops up the GSME at the PPMID
    Then the Gas Supplier receives device alert 0x810E from the GSME

  @ESME @IS @SR-8.8.1 @SR-8.8.2 @SR-8.7.1 @SR-8.7.2
  Scenario: ESME exchange - re-pairing with PPMID
    Given the ESME is installed and commissioned in prepayment mode by the Import Supplier
    And the PPMID is installed and joined to the ESME by the Import Supplier
    And the ESME 2 is installed and commissioned in prepayment mode by the Import Supplier
    When the Import Supplier sends SR 8.8.1 "Unjoin Service (Critical)" to the ESME
      | other_device_id | the PPMID |
    Then the request succeeds
    When the Import Supplier sends SR 8.8.2 "Unjoin Service (Non-Critical)" to the PPMID
      | other_device_id | the ESME |
    Then the request succeeds
    When the Import Supplier sends SR 8.7.1 "Join Service (Critical)" to the ESME 2
      | other_device_id | the PPMID |
    Then the request succeeds
    When the Import Supplier sends SR 8.7.2 "Join Service (Non-Critical)" to the PPMID
      | other_device_id | the ESME 2 |
    Then the request succeeds
    When the Import Supplier vends a UTRN for 2.00 GBP for the ESME 2
    And the consumer tops up the ESME 2 at the PPMID
    Then the Import Supplier receives device alert 0x810E from the ESME 2

  @GSME @GS @SR-8.8.1 @SR-8.8.2 @SR-8.7.1 @SR-8.7.2
  Scenario: GSME exchange - re-pairing with PPMID
    Given the GSME is installed and commissioned in prepayment mode by the Gas Supplier
    And the PPMID is installed and joined to the GSME by the Gas Supplier
    And the GSME 2 is installed and commissioned in prepayment mode by the Gas Supplier
    When the Gas Supplier sends SR 8.8.1 "Unjoin Service (Critical)" to the GSME
      | other_device_id | the PPMID |
    Then the request succeeds
    When the Gas Supplier sends SR 8.8.2 "Unjoin Service (Non-Critical)" to the PPMID
      | other_device_id | the GSME |
    Then the request succeeds
    When the Gas Supplier sends SR 8.8.2 "Unjoin Service (Non-Critical)" to the GPF
      | other_device_id | the PPMID |
    Then the request succeeds
    When the Gas Supplier sends SR 8.7.1 "Join Service (Critical)" to the GSME 2
      | other_device_id | the PPMID |
    Then the request succeeds
    When the Gas Supplier sends SR 8.7.2 "Join Service (Non-Critical)" to the PPMID
      | other_device_id | the GSME 2 |
    Then the request succeeds
    When the Gas Supplier sends SR 8.7.2 "Join Service (Non-Critical)" to the GPF
      | other_device_id | the PPMID |
    Then the request succeeds
    When the Gas Supplier vends a UTRN for 2.00 GBP for the GSME 2
    And the consumer tops up the GSME 2 at the PPMID
    Then the Gas Supplier receives device alert 0x810E from the GSME 2
