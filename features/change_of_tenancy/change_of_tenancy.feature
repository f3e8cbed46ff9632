@change_of_tenancy @Medium @business_critical
Feature: Change of Tenancy
  Two business requests: the outgoing tenant's Move-Out and the incoming tenant's Move-In. Both start
  by restricting access to the data from before the change (3.2, with the exact date-time: wildcards
  are not permitted) and disabling the privacy PIN; the supplier then sets the product, takes the
  reads at the change and sets the balance, debt and schedules for the new tenant. The DCC cancels
  what Other Users (acting for the old tenant) had set up on the meter: their DSP future-dated requests
  (N3) and their DSP schedules (N4). For gas, 3.2 goes to the GPF. The DIT approach ranks Move-In and Move-Out
  Medium among the critical business scenarios.

  Prerequisites (DIT approach): device IDs pre-notified; two separate business requests; wildcards not permitted
  in the 3.2 date-time.

  @SR-3.2 @SR-3.5 @SR-1.1.1 @SR-4.6.1 @SR-4.4.2 @SR-1.5 @SR-5.3 @SR-5.1 @SR-3.1
  Scenario Outline: CoT (Move Out) <fuel> - CR
    Given the <meter> is installed and commissioned in credit mode by the <supplier>
    And the <supplier> has a DSP schedule for SR 4.6.1 on the <meter>
    And the Other User has a DSP schedule for SR 4.8.1 on the <meter>
    And the Other User has asked for SR 4.8.1 from the <meter> in 2 days
    When 1 day passes
    And the <supplier> sends SR 3.2 "Restrict Access For Change Of Tenancy" to the <restrict_at>
      | restriction_date_time | now |
    Then the request succeeds
    And the Other User receives DCC alert N3
    And the Other User receives DCC alert N4
    And the DCC refuses the <supplier>'s SR 3.2 to the <restrict_at> with a wildcard in its date-time
    When the <supplier> sends SR 3.5 "Disable Privacy PIN" to the <meter>
    Then the request succeeds
    And the consumer sees the <meter>'s consumption history without a privacy PIN
    When the <supplier> sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 4.6.1 "Retrieve Import Daily Read Log" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the <meter>
    Then the request succeeds
    And the billing data log shows the meter's registers at the tariff change
    When the <supplier> sends SR 1.5 "Update Meter Balance" to the <meter>
      | payment_mode | credit |
      | reset        | true   |
    Then the request succeeds
    When the <supplier> sends SR 5.3 "Delete Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends SR 5.1 "Create Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends SR 3.1 "Display Message" to the <meter>
      | message | Thank you, goodbye |
    Then the request succeeds
    And the consumer sees "Thank you, goodbye" on the <meter>'s display
    When 1 day passes
    Then the Other User reads no day before the tenancy change from the <restrict_at>, the <supplier> still does

    @ESME @credit @IS @DIT.1
    Examples: Electricity
      | fuel        | meter | supplier        | restrict_at |
      | Electricity | ESME  | Import Supplier | ESME        |

    @GSME @credit @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     | restrict_at |
      | Gas  | GSME  | Gas Supplier | GPF         |

  @SR-3.2 @SR-3.5 @SR-1.1.1 @SR-4.6.1 @SR-4.4.2 @SR-2.3 @SR-1.5 @SR-5.3 @SR-5.1 @SR-3.1
  Scenario Outline: CoT (Move Out) <fuel> - PP
    Given the <meter> is installed and commissioned in prepayment mode by the <supplier>
    And the <supplier> has a DSP schedule for SR 4.6.1 on the <meter>
    And the Other User has a DSP schedule for SR 4.8.1 on the <meter>
    And the Other User has asked for SR 4.8.1 from the <meter> in 2 days
    When 1 day passes
    And the <supplier> sends SR 3.2 "Restrict Access For Change Of Tenancy" to the <restrict_at>
      | restriction_date_time | now |
    Then the request succeeds
    And the Other User receives DCC alert N3
    And the Other User receives DCC alert N4
    When the <supplier> sends SR 3.5 "Disable Privacy PIN" to the <meter>
    Then the request succeeds
    And the consumer sees the <meter>'s consumption history without a privacy PIN
    When the <supplier> sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 4.6.1 "Retrieve Import Daily Read Log" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 2.3 "Update Debt" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 1.5 "Update Meter Balance" to the <meter>
      | payment_mode | prepayment |
      | reset        | true       |
    Then the request succeeds
    When the <supplier> sends SR 5.3 "Delete Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends SR 5.1 "Create Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends SR 3.1 "Display Message" to the <meter>
      | message | Thank you, goodbye |
    Then the request succeeds
    And the consumer sees "Thank you, goodbye" on the <meter>'s display
    When 1 day passes
    Then the Other User reads no day before the tenancy change from the <restrict_at>, the <supplier> still does

    @ESME @prepayment @IS @DIT.1
    Examples: Electricity
      | fuel        | meter | supplier        | restrict_at |
      | Electricity | ESME  | Import Supplier | ESME        |

    @GSME @prepayment @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     | restrict_at |
      | Gas  | GSME  | Gas Supplier | GPF         |

  @optional_srs @SR-3.2 @SR-3.5 @SR-1.1.1 @SR-2.1 @SR-2.3 @SR-4.6.1 @SR-4.4.2 @SR-1.5 @SR-5.3 @SR-5.1 @SR-3.1
  Scenario Outline: Change of Tenancy Move In - <fuel> <mode_name> (no Mode Change)
    Given the <meter> is installed and commissioned in <mode> mode by the <supplier>
    And the <supplier> has a DSP schedule for SR 4.6.1 on the <meter>
    And the Other User has a DSP schedule for SR 4.8.1 on the <meter>
    And the Other User has asked for SR 4.8.1 from the <meter> in 2 days
    When 1 day passes
    And the <supplier> sends SR 3.2 "Restrict Access For Change Of Tenancy" to the <restrict_at>
      | restriction_date_time | now |
    Then the request succeeds
    And the Other User receives DCC alert N3
    And the Other User receives DCC alert N4
    When the <supplier> sends SR 3.5 "Disable Privacy PIN" to the <meter>
    Then the request succeeds
    And the consumer sees the <meter>'s consumption history without a privacy PIN
    When the <supplier> sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 2.1 "Update Prepay Configuration" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 2.3 "Update Debt" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 4.6.1 "Retrieve Import Daily Read Log" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 1.5 "Update Meter Balance" to the <meter>
      | payment_mode | <mode> |
      | reset        | true   |
    Then the request succeeds
    And the <supplier> reads back payment mode <mode_name> from the <meter>
    When the <supplier> sends optional SR 5.3 "Delete Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends optional SR 5.1 "Create Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends SR 3.1 "Display Message" to the <meter>
      | message | Welcome to your new home |
    Then the request succeeds
    And the consumer sees "Welcome to your new home" on the <meter>'s display
    When 1 day passes
    Then the Other User reads no day before the tenancy change from the <restrict_at>, the <supplier> still does

    @ESME @credit @IS @DIT.1
    Examples: Electricity credit
      | fuel | mode_name | mode   | meter | supplier        | restrict_at |
      | Elec | Credit    | credit | ESME  | Import Supplier | ESME        |

    @GSME @credit @GS @DIT.2
    Examples: Gas credit
      | fuel | mode_name | mode   | meter | supplier     | restrict_at |
      | Gas  | Credit    | credit | GSME  | Gas Supplier | GPF         |

    @ESME @prepayment @IS @DIT.1
    Examples: Electricity prepayment
      | fuel | mode_name  | mode       | meter | supplier        | restrict_at |
      | Elec | Prepayment | prepayment | ESME  | Import Supplier | ESME        |

    @GSME @prepayment @GS @DIT.2
    Examples: Gas prepayment
      | fuel | mode_name  | mode       | meter | supplier     | restrict_at |
      | Gas  | Prepayment | prepayment | GSME  | Gas Supplier | GPF         |

  @prepayment @optional_srs @SR-3.2 @SR-3.5 @SR-1.1.1 @SR-1.6 @SR-4.6.1 @SR-4.4.2 @SR-4.14 @SR-1.5 @SR-5.3 @SR-5.1
  @SR-3.1
  Scenario Outline: Change of Tenancy Move In - <fuel> (PP to CR Mode Change)
    Given the <meter> is installed and commissioned in prepayment mode by the <supplier>
    And the <supplier> has a DSP schedule for SR 4.6.1 on the <meter>
    And the Other User has a DSP schedule for SR 4.8.1 on the <meter>
    And the Other User has asked for SR 4.8.1 from the <meter> in 2 days
    When 1 day passes
    And the <supplier> sends SR 3.2 "Restrict Access For Change Of Tenancy" to the <restrict_at>
      | restriction_date_time | now |
    Then the request succeeds
    And the Other User receives DCC alert N3
    And the Other User receives DCC alert N4
    When the <supplier> sends SR 3.5 "Disable Privacy PIN" to the <meter>
    Then the request succeeds
    And the consumer sees the <meter>'s consumption history without a privacy PIN
    When the <supplier> sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 1.6 "Update Payment Mode" to the <meter>
      | payment_mode | credit |
    Then the request succeeds
    And the <supplier> reads back payment mode Credit from the <meter>
    When the <supplier> sends SR 4.6.1 "Retrieve Import Daily Read Log" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the <meter>
    Then the request succeeds
    And the billing data log shows the meter's registers at the payment mode change
    When the <supplier> sends SR 4.14 "Read Prepayment Daily Read Log" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 1.5 "Update Meter Balance" to the <meter>
      | payment_mode | credit |
      | reset        | true   |
    Then the request succeeds
    When the <supplier> sends optional SR 5.3 "Delete Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends optional SR 5.1 "Create Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends SR 3.1 "Display Message" to the <meter>
      | message | Welcome to your new home |
    Then the request succeeds
    And the consumer sees "Welcome to your new home" on the <meter>'s display
    When 1 day passes
    Then the Other User reads no day before the tenancy change from the <restrict_at>, the <supplier> still does

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel | meter | supplier        | restrict_at |
      | Elec | ESME  | Import Supplier | ESME        |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     | restrict_at |
      | Gas  | GSME  | Gas Supplier | GPF         |

  @credit @optional_srs @SR-3.2 @SR-3.5 @SR-1.1.1 @SR-2.1 @SR-1.6 @SR-4.6.1 @SR-4.4.2 @SR-2.3 @SR-1.5 @SR-5.3 @SR-5.1
  @SR-3.1
  Scenario Outline: Change of Tenancy Move In - <fuel> (CR to PP Mode Change)
    Given the <meter> is installed and commissioned in credit mode by the <supplier>
    And the <supplier> has a DSP schedule for SR 4.6.1 on the <meter>
    And the Other User has a DSP schedule for SR 4.8.1 on the <meter>
    And the Other User has asked for SR 4.8.1 from the <meter> in 2 days
    When 1 day passes
    And the <supplier> sends SR 3.2 "Restrict Access For Change Of Tenancy" to the <restrict_at>
      | restriction_date_time | now |
    Then the request succeeds
    And the Other User receives DCC alert N3
    And the Other User receives DCC alert N4
    When the <supplier> sends SR 3.5 "Disable Privacy PIN" to the <meter>
    Then the request succeeds
    And the consumer sees the <meter>'s consumption history without a privacy PIN
    When the <supplier> sends SR 1.1.1 "Update Import Tariff (Primary Element)" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 2.1 "Update Prepay Configuration" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 1.6 "Update Payment Mode" to the <meter>
      | payment_mode | prepayment |
    Then the request succeeds
    And the <supplier> reads back payment mode Prepayment from the <meter>
    When the <supplier> sends SR 4.6.1 "Retrieve Import Daily Read Log" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 4.4.2 "Retrieve Change Of Mode / Tariff Triggered Billing Data Log" to the <meter>
    Then the request succeeds
    And the billing data log shows the meter's registers at the payment mode change
    When the <supplier> sends SR 2.3 "Update Debt" to the <meter>
    Then the request succeeds
    When the <supplier> sends SR 1.5 "Update Meter Balance" to the <meter>
      | payment_mode | prepayment |
      | adjustment   | 500000     |
    Then the request succeeds
    When the <supplier> sends optional SR 5.3 "Delete Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends optional SR 5.1 "Create Schedule" for the <meter>
    Then the request succeeds
    When the <supplier> sends SR 3.1 "Display Message" to the <meter>
      | message | Welcome to your new home |
    Then the request succeeds
    And the consumer sees "Welcome to your new home" on the <meter>'s display
    When 1 day passes
    Then the Other User reads no day before the tenancy change from the <restrict_at>, the <supplier> still does

    @ESME @IS @DIT.1
    Examples: Electricity
      | fuel | meter | supplier        | restrict_at |
      | Elec | ESME  | Import Supplier | ESME        |

    @GSME @GS @DIT.2
    Examples: Gas
      | fuel | meter | supplier     | restrict_at |
      | Gas  | GSME  | Gas Supplier | GPF         |
