@no_wan_prepayment @proposal_SECMP0038 @Medium @prepayment
Feature: Prepayment without SM WAN: commands and UTRNs through a PPMID (SECMP0038 proposal)
  Beyond the DIT approach's business scenarios: the SEC working group on SECMP0038 and SEC0009 asked how a
  prepayment consumer is served where the SM WAN is intermittent. The DCC prepares a command for Local Command
  Delivery (MAC'd by the ACB, signed by the supplier where critical); the supplier sends it to the consumer's
  PPMID over the internet; the PPMID hands it to the Communications Hub, which forwards it to the meter on the
  HAN if it came from a PPMID in its device log, is a command with the ACB's MAC frame, and the PPMID is not
  flooding it (six commands in ten minutes; 0x8F3E beyond that). The meter checks MAC, counter and signature
  as over the WAN, and its answer comes back the same way; the supplier returns it to the DCC with 8.13. A UTRN
  reaches the PPMID over the internet and the meter when the consumer accepts it at the PPMID.
  While the WAN is down the CSP holds what the DCC sends for up to five minutes, then the DCC answers E21.

  @ESME @IS @SR-2.2
  Scenario: Top up during an SM WAN outage by a UTRN sent to the PPMID
    Given the ESME is installed and commissioned in prepayment mode by the Import Supplier
    And the PPMID is installed and joined to the ESME by the Import Supplier
    When the Import Supplier notes the meter balance of the ESME
    And the SM WAN to the Communications Hub goes down
    And the Import Supplier vends a UTRN for 5.00 GBP for the ESME
    And the Import Supplier sends the vended UTRN to the PPMID's internet interface
    And the consumer accepts the UTRN at the PPMID
    And the SM WAN to the Communications Hub comes back
    Then the Import Supplier reads back the ESME's meter balance risen by the top-up, less at most 1000 used since

  @ESME @IS @SR-2.1 @SR-8.13 @SR-4.13 @SR-8.2 @SR-4.3
  Scenario: Prepayment configuration change through the PPMID during an SM WAN outage
    Given the ESME is installed and commissioned in prepayment mode by the Import Supplier
    And the PPMID is installed and joined to the ESME by the Import Supplier
    When the SM WAN to the Communications Hub goes down
    And the Import Supplier sends SR 4.13 "Read Prepayment Configuration" to the ESME
    Then the device does not act on the request
    When the Import Supplier sends SR 2.1 "Update Prepay Configuration" to the ESME by Local Command Delivery
      | emergency_credit_limit     | 750000 |
      | emergency_credit_threshold | 200000 |
    Then the DCC returns the command for local delivery
    When the Import Supplier sends the command through the PPMID's internet interface
    Then the Import Supplier receives the ESME's response through the PPMID
    When the SM WAN to the Communications Hub comes back
    And the Import Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | the response to SR 2.1 through the PPMID |
    Then the request succeeds
    And the Import Supplier sees the ESME as Commissioned in the inventory
    And the Import Supplier reads back emergency credit limit 750000 from the ESME
    When the Import Supplier sends SR 4.3 "Read Instantaneous Prepay Values" to the ESME
    Then the request succeeds
    And the Import Supplier finds the prepay values agreeing with the ESME's meter balance

  @ESME @IS @SR-2.1 @SR-1.5 @SR-2.5 @SR-8.13 @SR-4.3
  Scenario: Emergency credit activated through the PPMID during an SM WAN outage
    Given the ESME is installed and commissioned in prepayment mode by the Import Supplier
    And the PPMID is installed and joined to the ESME by the Import Supplier
    When the SM WAN to the Communications Hub goes down
    And the Import Supplier sends SR 2.1 "Update Prepay Configuration" to the ESME by Local Command Delivery
      | emergency_credit_limit     | 500000 |
      | emergency_credit_threshold | 100000 |
    Then the DCC returns the command for local delivery
    When the Import Supplier sends the command through the PPMID's internet interface
    Then the Import Supplier receives the ESME's response through the PPMID
    When the Import Supplier sends SR 1.5 "Update Meter Balance" to the ESME by Local Command Delivery
      | reset | true |
    Then the DCC returns the command for local delivery
    When the Import Supplier sends the command through the PPMID's internet interface
    Then the Import Supplier receives the ESME's response through the PPMID
    When the Import Supplier sends SR 2.5 "Activate Emergency Credit" to the ESME by Local Command Delivery
    Then the DCC returns the command for local delivery
    When the Import Supplier sends the command through the PPMID's internet interface
    Then the Import Supplier receives the ESME's response through the PPMID
    When the SM WAN to the Communications Hub comes back
    And the Import Supplier sends SR 8.13 "Return Local Command Response" to the DCC
      | local_response | the response to SR 2.5 through the PPMID |
    Then the request succeeds
    And the Import Supplier reads back emergency credit balance 500000 from the ESME

  @ESME @IS @SR-2.1
  Scenario: A forged command through the PPMID is refused by the meter
    Given the ESME is installed and commissioned in prepayment mode by the Import Supplier
    And the PPMID is installed and joined to the ESME by the Import Supplier
    When the SM WAN to the Communications Hub goes down
    And the Import Supplier sends SR 2.1 "Update Prepay Configuration" to the ESME by Local Command Delivery
    Then the DCC returns the command for local delivery
    When someone sends a forged copy of the command through the PPMID's internet interface
    Then no response from the ESME comes back through the PPMID
    And the Import Supplier receives device alert 8F3D from the ESME through the PPMID
    When the Import Supplier sends the command through the PPMID's internet interface
    Then the Import Supplier receives the ESME's response through the PPMID

  @ESME @IS @SR-2.1 @SR-2.2 @SR-6.13
  Scenario: A PPMID flooding the Communications Hub is throttled while top-ups still work
    Given the ESME is installed and commissioned in prepayment mode by the Import Supplier
    And the PPMID is installed and joined to the ESME by the Import Supplier
    When the Import Supplier sends SR 2.1 "Update Prepay Configuration" to the ESME by Local Command Delivery
    Then the DCC returns the command for local delivery
    When someone floods the PPMID's internet interface with the command 20 times
    Then the Import Supplier receives device alert 0x8F60 from the ESME
    And the Import Supplier finds event 8F3E in the CHF's security log
    When the Import Supplier notes the meter balance of the ESME
    And the Import Supplier vends a UTRN for 5.00 GBP for the ESME
    And the Import Supplier sends the vended UTRN to the PPMID's internet interface
    And the consumer accepts the UTRN at the PPMID
    Then the Import Supplier receives device alert 0x810E from the ESME
    And the Import Supplier reads back the ESME's meter balance risen by the top-up, less at most 1000 used since
