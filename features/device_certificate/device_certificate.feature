@device_certificate @Medium
Feature: Device Certificate Update
  A device rekey: the device makes a new key pair (6.17), the supplier has SMKI certify it, and the
  certificate goes back to the device (6.15.2) -- for the Digital Signature key, then the Key Agreement
  key. Afterwards the device signs with the new key, seals its reads with the new Key Agreement key, and SMKI
  has both new certificates in use. Required
  within 7 days of commissioning (SEC) or when a device certificate is compromised; device
  certificates never expire. Not ranked by the DIT approach; Medium here.

  Prerequisites (DIT approach): device IDs pre-notified; the steps apply to ESME, GSME and GPF.

  @credit @SR-6.17 @SR-6.15.2
  Scenario Outline: Device Certificate Update - <device_name>
    Given the <meter> is installed and commissioned by the <supplier>
    When the <supplier> sends SR 6.17 "Issue Security Credentials" to the <device>
      | credential_type | Digital Signature |
    Then the request succeeds
    When the <supplier> retrieves the <device>'s new Digital Signature certificate from SMKI
    And the <supplier> sends SR 6.15.2 "Update Security Credentials (Device)" to the <device>
      | device_certificate | from SMKI |
    Then the request succeeds
    When the <supplier> sends SR 6.17 "Issue Security Credentials" to the <device>
      | credential_type | Key Agreement |
    Then the request succeeds
    When the <supplier> retrieves the <device>'s new Key Agreement certificate from SMKI
    And the <supplier> sends SR 6.15.2 "Update Security Credentials (Device)" to the <device>
      | device_certificate | from SMKI |
    Then the request succeeds
    And the <supplier> finds the <device>'s responses verifying with its new Digital Signature certificate
    And the <supplier> reads the <device>'s encrypted register with the <device>'s new Key Agreement certificate

    @GSME @GS @DIT.2
    Examples: Gas
      | device_name | device | meter | supplier     |
      | Gas         | GSME   | GSME  | Gas Supplier |

    @GPF @GS @DIT.2
    Examples: GPF
      | device_name | device | meter | supplier     |
      | GPF         | GPF    | GSME  | Gas Supplier |

    @ESME @IS @DIT.1
    Examples: Electricity
      | device_name | device | meter | supplier        |
      | Electricity | ESME   | ESME  | Import Supplier |
