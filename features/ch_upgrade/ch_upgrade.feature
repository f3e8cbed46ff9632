@ch_upgrade @High @DIT.9
Feature: Communications Hub upgrade from CHTS v1.0 to v1.1 (DIT.9)
  Beyond the DIT approach's business scenarios: DIT.9 asks that v1.1 Communications Hubs, which run ZigBee 1.4,
  stay compatible with installed ZigBee 1.2a devices -- while a hub is upgraded from v1.0 to v1.1 with
  1.2a devices connected, when a new 1.2a device joins an upgraded hub, and when a v1.1 hub is installed
  with 1.2a devices. The DIT approach also names the R1.3 to R2.0 CH upgrade a high priority (Table 7).

  @on_CHTS_v1.0 @on_SMETS2_v2.0 @ESME @GSME @IS @GS @credit @SR-6.2.9 @SR-8.2
  Scenario: CH upgraded from v1.0 to v1.1 with ZigBee 1.2a devices connected
    Given the ESME is installed and commissioned by the Import Supplier
    And the GSME is installed and commissioned by the Gas Supplier
    And the IHD is installed and joined to the ESME by the Import Supplier
    When the CSP upgrades the Communications Hub to CHTS v1.1
    Then the Import Supplier receives device alert 0x8183 from the ESME
    And the Gas Supplier receives device alert 0x8183 from the GSME
    When the Import Supplier sends SR 8.2 "Read Inventory" to the DCC
      | device_id | the CHF |
    Then the request succeeds
    And the Import Supplier sees the CHF at CHTS V1.1 in the inventory
    When the Import Supplier sends SR 6.2.9 "Read Device Configuration (Payment Mode)" to the ESME
    Then the request succeeds
    When the Gas Supplier sends SR 6.2.9 "Read Device Configuration (Payment Mode)" to the GSME
    Then the request succeeds

  @on_CHTS_v1.0 @on_SMETS2_v2.0 @ESME @IS @credit @SR-8.11 @SR-8.1.1
  Scenario: A ZigBee 1.2a device joins a CH upgraded to v1.1
    Given the CSP has upgraded the Communications Hub to CHTS v1.1
    And the Import Supplier has pre-notified the ESME to the DCC
    When the Import Supplier sends SR 8.11 "Update HAN Device Log" to the CHF
      | device_id | the ESME |
    Then the request succeeds
    And the Import Supplier receives DCC alert N24
    When the installer powers on the ESME
    Then the Import Supplier sees the ESME join the HAN
    When the Import Supplier sends SR 6.21 "Request Handover Of DCC Controlled Device" to the ESME
      | certificates | the Import Supplier |
    Then the request succeeds
    When the Import Supplier sends SR 8.1.1 "Commission Device" to the ESME
    Then the request succeeds
    And the Import Supplier sees the ESME as Commissioned in the inventory

  @on_CHTS_v1.1 @on_SMETS2_v2.0 @ESME @GSME @IS @GS @credit @SR-6.2.9
  Scenario: A v1.1 CH installed with ZigBee 1.2a devices
    Given the ESME is installed and commissioned by the Import Supplier
    And the GSME is installed and commissioned by the Gas Supplier
    And the PPMID is installed and joined to the ESME by the Import Supplier
    When the Import Supplier sends SR 6.2.9 "Read Device Configuration (Payment Mode)" to the ESME
    Then the request succeeds
    When the Gas Supplier sends SR 6.2.9 "Read Device Configuration (Payment Mode)" to the GSME
    Then the request succeeds
