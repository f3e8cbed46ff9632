@firmware @High @business_critical
Feature: Firmware Management
  Firmware is managed in two steps: Update (11.1: the DCC distributes the manufacturer's image to up to
  50,000 commissioned devices that share the image signer; each device verifies it, 0x8F72 or 0x8F1C;
  distribution failures come as N18-N23) and Activation (11.3 per device, future dated by the device:
  0x8F66 / 0x8F67). The DIT approach ranks "Management of Update/Activation of Firmware" High.

  Prerequisites (DIT approach): device IDs pre-notified; supplier trust anchors populated; every device in the
  list Commissioned; images at most 750 KB; all devices in the list with the same digital signature
  certificates; 11.1 is not available by Local Command Delivery.

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
    When the <supplier> sends SR 11.3 "Activate Firmware" to the <meter>
      | execution_date_time | in 1 hour |
    Then the request succeeds
    When 2 hours pass
    Then the <supplier> receives device alert 0x8F66 from the <meter>
    And the <supplier> reads back firmware version 00040001 from the <meter>

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel        | meter | supplier        |
      | Electricity | ESME  | Import Supplier |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     |
      | Gas  | GSME  | Gas Supplier |
