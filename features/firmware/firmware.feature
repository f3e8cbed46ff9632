@firmware @High @business_critical
Feature: Firmware Management
  Firmware is managed in two steps: Update (11.1: the DCC distributes the manufacturer's image to up to
  50,000 commissioned devices that share the image signer; each device verifies it, 0x8F72 or 0x8F1C;
  distribution failures come as N18-N23) and Activation (11.3 per device, future dated by the device:
  0x8F66 / 0x8F67). The DIT approach ranks "Management of Update/Activation of Firmware" High.

  Prerequisites (DIT approach): device IDs pre-notified; supplier trust anchors populated; every device in the
  list Commissioned; images at most 750 KB; all devices in the list with the same digital signature
  certificates; 11.1 is not available by Local Command Delivery.

  The firmware alerts of the DIT approach are each waited for where its flow raises them: a device refuses an
  image its manufacturer did not sign (0x8F1C), a distribution the DCC cannot complete because the CH is off
  the SM WAN (N18, one of N18-N23), an activation of an image the meter never verified (0x8F67). A device
  whose firmware version is no longer certified is Suspended; activating a certified version returns it to
  the status it held immediately prior to its suspension (Scenario 8).

  @credit @SR-11.1
  Scenario Outline: Firmware Update - <fuel>
    Given the <meter> is installed and commissioned by the <supplier>
    And the <supplier> has pre-notified the <other_meter> to the DCC
    And the manufacturer of the <meter> has released firmware version 00040001
    When the <supplier> sends SR 11.1 "Update Firmware" to the DCC
      | device_id_list | the <meter> |
    Then the request succeeds
    And the <supplier> receives device alert 0x8F72 from the <meter>
    And the DCC refuses an SR 11.1 for the <other_meter> with E110103
    And an SR 11.1 from the <supplier> with an image signed by someone else for the <meter> is accepted by the DCC
    And the <supplier> receives device alert 0x8F1C from the <meter>
    When the Communications Hub loses its SM WAN connection
    Then an SR 11.1 from the <supplier> with the released image for the <meter> is accepted by the DCC
    And the <supplier> receives DCC alert N18

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel        | meter | other_meter | supplier        |
      | Electricity | ESME  | ESME 2      | Import Supplier |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | other_meter | supplier     |
      | Gas  | GSME  | GSME 2      | Gas Supplier |

  @credit @SR-11.3
  Scenario Outline: Firmware Activation - <fuel>
    Given the <meter> is installed and commissioned by the <supplier>
    And the manufacturer of the <meter> has released firmware version 00040001
    And the firmware has been distributed to the <meter> by the <supplier> and verified
    And the DCC has withdrawn the <meter>'s firmware version from the Certified Products List
    Then the <supplier> sees the <meter> as Suspended in the inventory
    And an SR 11.3 from the <supplier> activating an image the <meter> never verified in 1 hour is accepted by the <meter>
    When 2 hours pass
    Then the <supplier> receives device alert 0x8F67 from the <meter>
    And the <supplier> sees the <meter> as Suspended in the inventory
    When the <supplier> sends SR 11.3 "Activate Firmware" to the <meter>
      | execution_date_time | in 1 hour |
    Then the request succeeds
    When 2 hours pass
    Then the <supplier> receives device alert 0x8F66 from the <meter>
    And the <supplier> reads back firmware version 00040001 from the <meter>
    And the <supplier> sees the <meter> as Commissioned in the inventory

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel        | meter | supplier        |
      | Electricity | ESME  | Import Supplier |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     |
      | Gas  | GSME  | Gas Supplier |

  @ESME @IS @DIT.1 @credit @SR-11.1 @SR-11.3 @on_one_image_signer @roles_as_named
  Scenario: Firmware Update and Activation - Electricity, several devices
    The plan's device list of many GUIDs (up to 50,000) sharing one image signer, and its activation with an
    individual 11.3 for each GUID: here the ESME and a second meter of its model (the test set's ESME 3).

    Given the ESME is installed and commissioned by the Import Supplier
    And the ESME 3 is installed and commissioned by the Import Supplier
    And the manufacturer of the ESME has released firmware version 00040001
    When the Import Supplier sends SR 11.1 "Update Firmware" to the DCC
      | device_id_list | the ESME, the ESME 3 |
    Then the request succeeds
    And the Import Supplier receives device alert 0x8F72 from the ESME
    And the Import Supplier receives device alert 0x8F72 from the ESME 3
    When the Import Supplier sends SR 11.3 "Activate Firmware" to the ESME
      | execution_date_time | in 1 hour |
    Then the request succeeds
    When the Import Supplier sends SR 11.3 "Activate Firmware" to the ESME 3
      | execution_date_time | in 1 hour |
    Then the request succeeds
    When 2 hours pass
    Then the Import Supplier receives device alert 0x8F66 from the ESME
    And the Import Supplier receives device alert 0x8F66 from the ESME 3
    And the Import Supplier reads back firmware version 00040001 from the ESME
    And the Import Supplier reads back firmware version 00040001 from the ESME 3
