"""GSME prepayment and what the supplier tells the consumer (ZigBee GBZ): the Prepayment cluster's
payment mode (SR 1.6, GCS02 credit / GCS03 prepayment), meter balance (SR 1.5, GCS40a-d), debt
(SR 2.3, GCS04), prepayment configuration with its non-disablement (friendly credit) calendar
(SR 2.1, GCS05) and the consumer's UTRN top up (SR 2.2, CS01b); supplier messages (SR 3.1, GCS07),
the change of tenancy date (SR 3.2, GCS09) and the supplier's name and telephone number (SR 3.4, GCS44).

SRs 3.1, 3.2 and 3.4 are future dated by the DSP (it holds the request), so their commands act now.
"""

from __future__ import annotations

from lxml import etree

from harness.catalogue import DeviceType
from harness.gbcs import gbz
from harness.gbcs.gbz import ZclCommand, command_payload
from harness.usecases.gsme_tariff import (CANCEL, CLIENT_TO_SERVER, GSME, PROVIDER_ID, SERVER_TO_CLIENT, Calendar,
                                          dated, execution, gbz_date_time, issuer_event_id, minutes,
                                          part, week_profiles)
from harness.usecases.registry import CommandContext, ResponseContext, command, response
from harness.usecases.request import DuisRequest, TransformError

PREPAYMENT, MESSAGING, DEVICE_MANAGEMENT = 0x0705, 0x0703, 0x0708
FRIENDLY_CREDIT_CALENDAR = 0x03

# Payment Control Configuration (ZSE map16): credit mode, and prepayment mode whose bits 10 and 11
# say whether time debt is collected while disabled / in emergency credit.
CREDIT_MODE_CONFIGURATION = 0x0C94
PREPAYMENT_MODE_CONFIGURATION = 0x0097
SUSPEND_DEBT_DISABLED, COLLECT_DEBT_EMERGENCY = 0x0400, 0x0800
CREDIT_MODE_CUT_OFF = -1                      # no cut off value in credit mode

# Credit Adjustment Type as GBCS uses it for the two meter balances (GCS40a-d).
CREDIT_ADJUSTMENT = {("PrepaymentMode", False): 0x00,   # incremental
                     ("PrepaymentMode", True): 0x01,    # absolute (reset to 0)
                     ("CreditMode", True): 0x02,        # credit mode balance reset
                     ("CreditMode", False): 0x03}       # credit mode balance adjustment

# Change Debt: Debt Recovery Method, Debt Amount Type (incremental, per register), Recovery Frequency.
TIME_BASED, PERCENTAGE_BASED = 0x00, 0x01
TIME_DEBT_1_INCREMENTAL, TIME_DEBT_2_INCREMENTAL, PAYMENT_DEBT_INCREMENTAL = 0x01, 0x03, 0x05
RECOVERY_FREQUENCY = {"HOURLY": 0x00, "DAILY": 0x01}
PAYMENT_DEBT_FREQUENCY = RECOVERY_FREQUENCY["DAILY"]    # not used by percentage-based recovery

NON_DISABLEMENT_ACTION = {"STOP": 0x00, "START": 0x01}
CONSUMER_TOP_UP_FROM_ESI = 0x00                  # Originating Device: the Energy Service Interface
TOP_UP_ACCEPTED = {0x00, 0x10, 0x11, 0x12}       # Consumer Top Up Response Result Type: accepted (+ supply state)
UNTIL_CHANGED = 0xFFFF                           # Display Message duration
TENANCY_CHANGE_CONTROL = 0x00000200              # restrict the consumer's access to data before the date
SUPPLIER_NAME_AND_CONTACT = 0x00001800           # Provider Change Control: name and contact details given


# -- SR 1.6 Update Payment Mode -------------------------------------------------------------------------

def _change_payment_mode(request: DuisRequest, ctx: CommandContext, configuration: int, cut_off: int) -> bytes:
    return command_payload([ZclCommand(PREPAYMENT, CLIENT_TO_SERVER, 0x06, {
        "provider_id": PROVIDER_ID, "issuer_event_id": issuer_event_id(ctx),
        "implementation_date_time": execution(request).start(CANCEL),
        "proposed_payment_control_configuration": configuration, "cut_off_value": cut_off})])


@command("1.6", "GCS02", devices=GSME, applies=lambda r: r.has("Credit"))
def set_credit_mode(request: DuisRequest, ctx: CommandContext) -> bytes:
    return _change_payment_mode(request, ctx, CREDIT_MODE_CONFIGURATION, CREDIT_MODE_CUT_OFF)


@command("1.6", "GCS03", devices=GSME, applies=lambda r: not r.has("Credit"))
def set_prepayment_mode(request: DuisRequest, ctx: CommandContext) -> bytes:
    configuration = PREPAYMENT_MODE_CONFIGURATION
    if _boolean(request, "Prepayment/SuspendDebtDisabled"):
        configuration |= SUSPEND_DEBT_DISABLED
    if not _boolean(request, "Prepayment/SuspendDebtEmergency"):
        configuration |= COLLECT_DEBT_EMERGENCY
    return _change_payment_mode(request, ctx, configuration, request.int("Prepayment/DisablementThreshold"))


def _boolean(request: DuisRequest, path: str) -> bool:
    raw = request.require(path)
    if raw not in ("true", "false", "1", "0"):
        raise TransformError(f"{request.srv} sr:{path}: {raw!r} is not an xs:boolean", where=request.where)
    return raw in ("true", "1")


# -- SR 1.5 Update Meter Balance ------------------------------------------------------------------------

def _balance_mode(request: DuisRequest) -> tuple[str, bool]:
    mode = "CreditMode" if request.has("CreditMode") else "PrepaymentMode"
    return mode, request.has(f"{mode}/ResetMeterBalance")


def _credit_adjustment(request: DuisRequest, ctx: CommandContext) -> bytes:
    mode, reset = _balance_mode(request)
    value = 0 if reset else request.int(f"{mode}/AdjustMeterBalance")
    return command_payload([ZclCommand(PREPAYMENT, CLIENT_TO_SERVER, 0x05, {
        "issuer_event_id": issuer_event_id(ctx), "start_time": 0,
        "credit_adjustment_type": CREDIT_ADJUSTMENT[mode, reset], "credit_adjustment_value": value})])


for _use_case, _key in (("GCS40a", ("PrepaymentMode", False)), ("GCS40b", ("PrepaymentMode", True)),
                        ("GCS40c", ("CreditMode", False)), ("GCS40d", ("CreditMode", True))):
    command("1.5", _use_case, devices=GSME, applies=lambda r, key=_key: _balance_mode(r) == key)(_credit_adjustment)


# -- SR 2.3 Update Debt ---------------------------------------------------------------------------------

@command("2.3", "GCS04", devices=GSME)
def update_debt(request: DuisRequest, ctx: CommandContext) -> bytes:
    """One Change Debt per register: the two time debts with their recovery rates, then the payment
    debt recovered as a percentage of each payment."""
    event = issuer_event_id(ctx)

    def change_debt(amount: int, method: int, amount_type: int, frequency: int, rate: int, percentage: int) -> ZclCommand:
        return ZclCommand(PREPAYMENT, CLIENT_TO_SERVER, 0x02, {
            "issuer_event_id": event, "debt_label": b"", "debt_amount": amount, "debt_recovery_method": method,
            "debt_amount_type": amount_type, "debt_recovery_start_time": 0, "debt_recovery_collection_time": 0,
            "debt_recovery_frequency": frequency, "debt_recovery_amount": rate,
            "debt_recovery_balance_percentage": percentage})

    def period(path: str) -> int:
        raw = request.require(path)
        if raw not in RECOVERY_FREQUENCY:
            raise TransformError(f"{request.srv} sr:{path}: {raw!r} is not HOURLY or DAILY", where=request.where)
        return RECOVERY_FREQUENCY[raw]

    def time_debt(register: int, amount_type: int) -> ZclCommand:
        recovery = f"GasDebtRecovery{register}"
        return change_debt(request.int(f"TimeDebtRegister{register}"), TIME_BASED, amount_type,
                           period(f"{recovery}/DebtRecoveryRatePeriod"), request.int(f"{recovery}/DebtRecoveryRate"), 0)

    return command_payload([
        time_debt(1, TIME_DEBT_1_INCREMENTAL),
        time_debt(2, TIME_DEBT_2_INCREMENTAL),
        change_debt(request.int("PaymentDebtRegister"), PERCENTAGE_BASED, PAYMENT_DEBT_INCREMENTAL,
                    PAYMENT_DEBT_FREQUENCY, 0, request.int("DebtRecoveryPerPayment"))])


# -- SR 2.1 Update Prepay Configuration -----------------------------------------------------------------

def non_disablement_calendar(request: DuisRequest) -> Calendar:
    """GasNonDisablementCalendar: when friendly credit applies (START) or not (STOP) through each day."""
    path = "UpdatePrepayConfigGas/GasNonDisablementCalendar"
    request.require(path)
    days = []
    for node in request.all(f"{path}/DayProfiles/GasNonDisablementDayProfile"):
        day = part(request, node)
        entries = []
        for action_node in day.all("TimeStartAction"):
            action = part(request, action_node)
            name = action.require("NonDisablementAction")
            if name not in NON_DISABLEMENT_ACTION:
                raise TransformError(f"{request.srv} sr:NonDisablementAction: {name!r} is not START or STOP",
                                     where=request.where)
            entries.append((minutes(action, "StartTime"), NON_DISABLEMENT_ACTION[name]))
        if not entries:
            day.require("TimeStartAction")
        days.append((day.int("GasDayName"), entries))
    return Calendar(FRIENDLY_CREDIT_CALENDAR, days, week_profiles(request, f"{path}/WeekProfiles/WeekProfile"),
                    dated(request, f"{path}/SeasonProfiles/Season", "SeasonStartDate", "ReferencedWeekName"),
                    dated(request, f"{path}/SpecialDays/SpecialDay", "Date", "ReferencedDayName"))


@command("2.1", "GCS05", devices=GSME)
def update_prepay_configuration(request: DuisRequest, ctx: CommandContext) -> bytes:
    event, when = issuer_event_id(ctx), execution(request)
    gas = "UpdatePrepayConfigGas"
    request.require(gas)
    start = when.start(CANCEL)
    return command_payload([
        ZclCommand(PREPAYMENT, CLIENT_TO_SERVER, 0x03, {
            "issuer_event_id": event, "start_time": start,
            "emergency_credit_limit": request.int(f"{gas}/EmergencyCreditLimit"),
            "emergency_credit_threshold": request.int(f"{gas}/EmergencyCreditThreshold")}),
        ZclCommand(PREPAYMENT, CLIENT_TO_SERVER, 0x0C, {
            "provider_id": PROVIDER_ID, "issuer_event_id": event, "implementation_date_time": start,
            "overall_debt_cap": request.int(f"{gas}/DebtRecoveryRateCap")}),
        # Set Low Credit Warning Level has no time of its own: it goes in the GBZ from date-time.
        ZclCommand(PREPAYMENT, CLIENT_TO_SERVER, 0x09, {"low_credit_warning_level": request.int(f"{gas}/LowCreditThreshold")},
            from_date_time=start),
        ZclCommand(PREPAYMENT, CLIENT_TO_SERVER, 0x0B, {
            "provider_id": PROVIDER_ID, "issuer_event_id": event, "implementation_date_time": start,
            "maximum_credit_level": request.int(f"{gas}/MaxMeterBalance"),
            "maximum_credit_per_top_up": request.int(f"{gas}/MaxCreditThreshold")}),
        *non_disablement_calendar(request).instructions(event, when)])


# -- SR 2.2 Top Up Device -------------------------------------------------------------------------------

@command("2.2", "CS01b", devices=GSME)
def top_up(request: DuisRequest, ctx: CommandContext) -> bytes:
    utrn = request.require("UTRN")
    if len(utrn) != 20 or not utrn.isdigit():
        raise TransformError(f"{request.srv} sr:UTRN: {utrn!r} is not 20 digits", where=request.where)
    return command_payload([ZclCommand(PREPAYMENT, CLIENT_TO_SERVER, 0x04, {
        "originating_device": CONSUMER_TOP_UP_FROM_ESI, "top_up_code": utrn.encode("ascii")})])


@response("CS01b")
def topped_up(ctx: ResponseContext, rsp: etree._Element) -> None:
    """TopUpDeviceRsp: MessageSuccess is the Consumer Top Up Response's result (accepted or rejected)."""
    value: gbz.GbzPayload = ctx.payload.value  # type: ignore[attr-defined]
    for component in value.components:
        frame = component.frame
        if component.cluster == PREPAYMENT and frame.cluster_specific and frame.command == 0x03 and frame.values:
            rsp.set("MessageSuccess", "true" if frame.values["result_type"] in TOP_UP_ACCEPTED else "false")


# -- SR 3.1, 3.2, 3.4: messages, tenancy and supplier details -------------------------------------------

@command("3.1", "GCS07", devices=GSME)
def display_message(request: DuisRequest, ctx: CommandContext) -> bytes:
    return command_payload([ZclCommand(MESSAGING, SERVER_TO_CLIENT, 0x00, {
        "message_id": issuer_event_id(ctx), "message_control": 0, "start_time": 0,
        "duration_in_minutes": UNTIL_CHANGED, "message": _ascii(request, "SupplierMessage")})])


@command("3.2", "GCS09", devices=(DeviceType.GPF,))
def restrict_access_for_change_of_tenancy(request: DuisRequest, ctx: CommandContext) -> bytes:
    return command_payload([ZclCommand(DEVICE_MANAGEMENT, SERVER_TO_CLIENT, 0x00, {
        "provider_id": PROVIDER_ID, "issuer_event_id": issuer_event_id(ctx), "tariff_type": 0,
        "implementation_date_time": gbz_date_time(request, "RestrictionDateTime"),
        "proposed_tenancy_change_control": TENANCY_CHANGE_CONTROL})])


@command("3.4", "GCS44", devices=GSME)
def update_supplier_name(request: DuisRequest, ctx: CommandContext) -> bytes:
    return command_payload([ZclCommand(DEVICE_MANAGEMENT, SERVER_TO_CLIENT, 0x01, {
        "current_provider_id": PROVIDER_ID, "issuer_event_id": issuer_event_id(ctx), "tariff_type": 0,
        "proposed_provider_id": PROVIDER_ID, "provider_change_implementation_time": 0,
        "provider_change_control": SUPPLIER_NAME_AND_CONTACT,
        "proposed_provider_name": _ascii(request, "SupplierName"),
        "proposed_provider_contact_details": _ascii(request, "SupplierTelephoneNumber")})])


def _ascii(request: DuisRequest, path: str) -> bytes:
    raw = request.require(path)
    try:
        return raw.encode("ascii")
    except UnicodeEncodeError:
        raise TransformError(f"{request.srv} sr:{path}: only printable ASCII reaches the display",
                             where=request.where) from None


@response("GCS02", "GCS03", "GCS40a", "GCS40b", "GCS40c", "GCS40d", "GCS04", "GCS05", "GCS07", "GCS09", "GCS44")
def prepayment_or_display_set(ctx: ResponseContext, rsp: etree._Element) -> None:
    """These MMC responses carry only MessageSuccess: ZCL default responses (DebugInfo), or for a
    payment mode change the Change Payment Mode Response (friendly credit and emergency credit
    settings, for which MMC has no element)."""

