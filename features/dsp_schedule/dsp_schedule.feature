@dsp_schedule @Medium @business_critical
Feature: DSP Schedule Management
  The supplier changes what the DCC reads from a meter on its behalf: delete the DSP schedule and create the
  schedules the product needs. The DIT approach gives two methods to delete: by the DSP Schedule ID the DCC
  returned when the schedule was created (method 1, electricity here) or by the device's GUID, which deletes
  all the supplier's schedules for the device (method 2, gas here). The DCC then holds only the new schedule,
  runs it on time and delivers the reads. The DIT approach ranks "Meter Reading Schedule Management" Medium
  among the critical business scenarios.

  Prerequisites (DIT approach): the device ID has been pre-notified; supplier trust anchors are populated.

  @credit @SR-5.3 @SR-5.1
  Scenario Outline: DSP Schedule Management - <fuel>
    Given the <meter> is installed and commissioned by the <supplier>
    And the <supplier> has a DSP schedule for SR 4.8.1 on the <meter>
    When the <supplier> sends SR 5.3 "Delete Schedule" to the DCC
      | <delete_by> | <which> |
    Then the request succeeds
    When the <supplier> sends SR 5.1 "Create Schedule" for the <meter>
      | scheduled_srv | 4.6.1 |
    Then the request succeeds
    And the <supplier> reads back from the DCC only the new DSP schedule of the <meter>, for SR 4.6.1
    When 1 day passes
    Then the <supplier> receives the result of its DSP schedule from the <meter>
    And Supplier B cannot delete that DSP schedule: the DCC answers E19

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel        | meter | supplier        | delete_by       | which            |
      | Electricity | ESME  | Import Supplier | dsp_schedule_id | the DSP schedule |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     | delete_by | which    |
      | Gas  | GSME  | Gas Supplier | device_id | the GSME |
