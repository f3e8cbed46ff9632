@ch_firmware_management @proposal_SECMP0024 @Medium @roles_as_named
Feature: Communications Hub firmware management by Suppliers (SECMP0024)
  Beyond the DIT approach's business scenarios: the proposal SECMP0024 and the DCC's web-portal solution. The DCC
  tells Suppliers that a CH firmware update is available; each Supplier chooses when, within the DCC's deployment
  period, its CHs are upgraded; a pilot keeps vulnerable customers out of early deployments; where a premises has
  two Suppliers each sees whether the other has approved without learning who it is; an upgrade does not clash
  with a change of supplier, a tariff or price change, the Supplier's own firmware deployment or a top-up; and
  every Supplier of the premises is told when it is done. Suppliers use the portal's machine-to-machine
  interface; on a real bench these scenarios need the DCC's portal.

  @CHF @IS @SR-8.2 @SR-11.2
  Scenario: CH firmware announced, scheduled by the Supplier and read back
    Given the DCC has announced CH firmware 01020001 for CHTS v1.1, deployable for 28 days with a 7 day pilot
    Then the Import Supplier finds the CHF among the CHs it may upgrade under that release
    And the Import Supplier cannot schedule the CHF's upgrade for 40 days from now: outside the deployment period
    When the Import Supplier schedules the CHF's upgrade for 10 days from now
    Then the Import Supplier sees the CHF's upgrade scheduled
    When 11 days pass
    Then the Import Supplier is notified that the CHF was upgraded
    When the Import Supplier sends SR 8.2 "Read Inventory" to the DCC
      | device_id | the CHF |
    Then the request succeeds
    And the Import Supplier sees the CHF on firmware 01020001 in the inventory
    And the Import Supplier sees the CHF at CHTS V1.1 in the inventory
    When the Import Supplier sends SR 11.2 "Read Firmware Version" to the CHF
    Then the request succeeds
    And the Import Supplier reads back firmware version 01020001 from the CHF

  @CHF @IS
  Scenario: CH firmware pilot with a vulnerable customer excluded
    Given the DCC has announced CH firmware 01020001 for CHTS v1.1, deployable for 28 days with a 7 day pilot
    When the Import Supplier excludes the CHF from the pilot: the customer is vulnerable
    Then the Import Supplier sees the CHF excluded from the pilot
    And the Import Supplier cannot schedule the CHF's upgrade for 3 days from now: excluded from the pilot
    When the Import Supplier schedules the CHF's upgrade for 8 days from now
    And 9 days pass
    Then the Import Supplier is notified that the CHF was upgraded

  @CHF @IS @GS
  Scenario: CH firmware upgrade at a premises with two Suppliers
    Given the gas supplier at the premises is Supplier B
    And the DCC has announced CH firmware 01020001 for CHTS v1.1, deployable for 28 days with a 7 day pilot
    When the Import Supplier schedules the CHF's upgrade for 10 days from now
    Then the Gas Supplier sees the other Supplier has approved the CHF's upgrade, without learning who it is
    And the Import Supplier sees the other Supplier has not yet approved the CHF's upgrade, without learning who it is
    When 11 days pass
    Then the Import Supplier sees the CHF's upgrade awaiting approval
    When the Import Supplier schedules the CHF's upgrade for 3 days from now
    And the Gas Supplier approves the CHF's upgrade
    Then the Import Supplier sees the other Supplier has approved the CHF's upgrade, without learning who it is
    When 4 days pass
    Then the Import Supplier is notified that the CHF was upgraded
    And the Gas Supplier is notified that the CHF was upgraded

  @CHF @IS
  Scenario: CH firmware upgrade deferred by a pending change of supplier
    Given the DCC has announced CH firmware 01020001 for CHTS v1.1, deployable for 28 days with a 7 day pilot
    And a change of the import supplier to Supplier B is due in 11 days
    When the Import Supplier schedules the CHF's upgrade for 10 days from now
    And 10 days pass
    Then the Import Supplier is notified that the CHF's upgrade was deferred: pending change of supplier
    And the Import Supplier sees the CHF's upgrade deferred

  @CHF @IS @GS
  Scenario: Compulsory CH firmware deployed by the DCC at the end of its period despite a missing approval
    The DCC's rule for a compulsory release: where a Supplier has not approved by the end of the deployment period
    the DCC deploys it anyway, deferring it like any other upgrade around other work at the premises.
    Given the gas supplier at the premises is Supplier B
    And the DCC has announced CH firmware 01020001 for CHTS v1.1, deployable for 14 days with a 7 day pilot, compulsory
    And a change of the import supplier to Supplier B is due in 15 days
    When the Import Supplier schedules the CHF's upgrade for 10 days from now
    And 11 days pass
    Then the Gas Supplier sees the CHF's upgrade awaiting approval
    When 4 days pass
    Then the Gas Supplier is notified that the CHF's upgrade was deferred: pending change of supplier
    When 3 days pass
    Then the Gas Supplier is notified that the CHF was upgraded

  @ESME @IS @credit @SR-1.2.1
  Scenario: CH firmware upgrade deferred by a future-dated price change
    Given the ESME is installed and commissioned by the Import Supplier
    And the DCC has announced CH firmware 01020001 for CHTS v1.1, deployable for 28 days with a 7 day pilot
    When the Import Supplier sends SR 1.2.1 "Update Price (Primary Element)" to the ESME
      | execution_date_time | in 10 days |
    Then the request succeeds
    When the Import Supplier schedules the CHF's upgrade for 9 days from now
    And 9 days pass
    Then the Import Supplier is notified that the CHF's upgrade was deferred: future-dated tariff or price change
    And the Import Supplier sees the CHF's upgrade deferred
    When 3 days pass
    Then the Import Supplier is notified that the CHF was upgraded

  @CHF @IS @GS
  Scenario: A change of supplier after the CH firmware release: the new Supplier must approve
    Given the DCC has announced CH firmware 01020001 for CHTS v1.1, deployable for 28 days with a 7 day pilot
    And Supplier A has scheduled the CHF's upgrade for 10 days from now
    And a change of the import supplier to Supplier B is due in 2 days
    When 3 days pass
    Then Supplier B sees the CHF's upgrade awaiting approval
    And Supplier B sees the other Supplier has approved the CHF's upgrade, without learning who it is
    When Supplier B approves the CHF's upgrade
    And 8 days pass
    Then Supplier B is notified that the CHF was upgraded
    And Supplier A is notified that the CHF was upgraded

  @ESME @PPMID @IHD @IS @prepayment @SR-8.8.2 @SR-8.7.2
  Scenario: IHD and PPMID still work after the CH firmware upgrade
    Given the ESME is installed and commissioned in prepayment mode by the Import Supplier
    And the IHD is installed and joined to the ESME by the Import Supplier
    And the PPMID is installed and joined to the ESME by the Import Supplier
    And the DCC has announced CH firmware 01020001 for CHTS v1.1, deployable for 28 days with a 7 day pilot
    And the Import Supplier has scheduled the CHF's upgrade for 1 day from now
    When 2 days pass
    Then the Import Supplier is notified that the CHF was upgraded
    When the Import Supplier notes the meter balance of the ESME
    And the Import Supplier vends a UTRN for 5.00 GBP for the ESME
    And the consumer tops up the ESME at the PPMID
    Then the Import Supplier receives device alert 0x810E from the ESME
    And the Import Supplier reads back the ESME's meter balance risen by the top-up, less at most 1000 used since
    When the Import Supplier sends SR 8.8.2 "Unjoin Service (Non-Critical)" to the ESME
      | other_device_id | the IHD |
    Then the request succeeds
    When the Import Supplier sends SR 8.7.2 "Join Service (Non-Critical)" to the ESME
      | other_device_id | the IHD |
    Then the request succeeds
