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
from harness.gbcs import gbz, zcl
from harness.gbcs.axdr import PayloadError
from harness.gbcs.gbz import ZclCommand, command_payload
from harness.usecases import device
from harness.usecases.device import gbz_command
from harness.usecases.gsme_reads import timestamp
from harness.usecases.gsme_tariff import (
    CALENDAR,
    CANCEL,
    CLIENT_TO_SERVER,
    GSME,
    PROVIDER_ID,
    PUBLISH_CALENDAR,
    PUBLISH_DAY_PROFILE,
    SERVER_TO_CLIENT,
    Calendar,
    dated,
    execution,
    execution_of,
    gbz_date_time,
    issuer_event_id,
    minutes,
    part,
    published,
    set_responses,
    special_day_fields,
    week_and_season_fields,
    week_profiles,
)
from harness.usecases.registry import (
    Applies,
    CommandContext,
    DeviceCommand,
    ResponseContext,
    accepts,
    answers,
    command,
    gbz_payload,
    response,
)
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

def _in_balance_mode(mode: tuple[str, bool]) -> Applies:
    def applies(request: DuisRequest) -> bool:
        return _balance_mode(request) == mode
    return applies


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
    command("1.5", _use_case, devices=GSME, applies=_in_balance_mode(_key))(_credit_adjustment)


# -- SR 2.3 Update Debt ---------------------------------------------------------------------------------

@command("2.3", "GCS04", devices=GSME)
def update_debt(request: DuisRequest, ctx: CommandContext) -> bytes:
    """One Change Debt per register: the two time debts with their recovery rates, then the payment
    debt recovered as a percentage of each payment."""
    event = issuer_event_id(ctx)

    def change_debt(amount: int, method: int, amount_type: int, frequency: int, rate: int,
                    percentage: int) -> ZclCommand:
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
        ZclCommand(PREPAYMENT, CLIENT_TO_SERVER, 0x09,
                   {"low_credit_warning_level": request.int(f"{gas}/LowCreditThreshold")}, from_date_time=start),
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
    value = gbz_payload(ctx.payload, ctx.use_case)
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



# -- Device side ----------------------------------------------------------------------------------------
# A GSME reads these commands back into the DUIS names its firmware model keeps them under, and answers
# each ZCL command with a Default Response, but for a payment mode change (Change Payment Mode
# Response) and a top up (Consumer Top Up Response), which report the meter's own settings and credit.
# Those values have no MMC element: the firmware gives them in the outcome under their ZCL names.

CHANGE_DEBT, EMERGENCY_CREDIT_SETUP, CONSUMER_TOP_UP, CREDIT_ADJUSTMENT_COMMAND, CHANGE_PAYMENT_MODE = \
    0x02, 0x03, 0x04, 0x05, 0x06
SET_LOW_CREDIT_WARNING_LEVEL, SET_MAXIMUM_CREDIT_LIMIT, SET_OVERALL_DEBT_CAP = 0x09, 0x0B, 0x0C
CHANGE_PAYMENT_MODE_RESPONSE, CONSUMER_TOP_UP_RESPONSE = 0x02, 0x03
# As the RTDS frames them: the Change Payment Mode Response with default response disabled, the top up's not.
PAYMENT_MODE_RESPONSE_FRAME = SERVER_TO_CLIENT | 0x10
PREPAYMENT_ENABLED = 0x0002                       # Payment Control Configuration bit 1
FREQUENCY_NAMES = {value: name for name, value in RECOVERY_FREQUENCY.items()}
ACTION_NAMES = {value: name for name, value in NON_DISABLEMENT_ACTION.items()}

# What the RTDS GSME reports in its Change Payment Mode Response: friendly credit enabled with calendar 2,
# emergency credit limit 10.00 and threshold 2.00 (10^-5 GBP). The emulated GSME's factory settings.
CREDIT_SETTINGS = {"friendly_credit": 0x01, "friendly_credit_calendar_id": 2,
                   "emergency_credit_limit": 1000000, "emergency_credit_threshold": 200000}

# Consumer Top Up Response: Result Type when the meter refuses a UTRN, by the alert it raises (0x8F63 not
# authentic, 0x8F51 already used, 0x8F5B above the maximum credit per top up), else Rejected - Error;
# the RTDS refusal (an invalid UTRN) has no top-up value or credit remaining (-1).
TOP_UP_INVALID, TOP_UP_DUPLICATE, TOP_UP_ERROR, TOP_UP_TOO_LARGE = 0x01, 0x02, 0x03, 0x06
TOP_UP_REFUSALS = {0x8F63: TOP_UP_INVALID, 0x8F51: TOP_UP_DUPLICATE, 0x8F5B: TOP_UP_TOO_LARGE}
NO_VALUE = -1


@accepts("GCS02", "GCS03")
def read_payment_mode_change(command: DeviceCommand) -> dict:
    values = device.component_values(command, PREPAYMENT, CHANGE_PAYMENT_MODE)
    configuration = values["proposed_payment_control_configuration"]
    fields = execution_of(command)
    if not configuration & PREPAYMENT_ENABLED:
        return {**fields, "Credit": ""}
    return {**fields, "Prepayment/SuspendDebtDisabled": str(bool(configuration & SUSPEND_DEBT_DISABLED)).lower(),
            "Prepayment/SuspendDebtEmergency": str(not configuration & COLLECT_DEBT_EMERGENCY).lower(),
            "Prepayment/DisablementThreshold": str(values["cut_off_value"])}


@answers("GCS02", "GCS03")
def payment_mode_changed(command: DeviceCommand, outcome: dict) -> bytes:
    if not device.succeeded(outcome):
        return set_responses(command, outcome)
    request = gbz_command(command).components[0]
    settings = {name: outcome.get(name, default) for name, default in CREDIT_SETTINGS.items()}
    return gbz.GbzPayload((gbz.Component(PREPAYMENT, zcl.Frame(
        PAYMENT_MODE_RESPONSE_FRAME, request.frame.sequence, CHANGE_PAYMENT_MODE_RESPONSE, settings)),)).encode()


_BALANCE_FIELDS = {0x00: ("PrepaymentMode/AdjustMeterBalance", True), 0x01: ("PrepaymentMode/ResetMeterBalance", False),
                   0x02: ("CreditMode/ResetMeterBalance", False), 0x03: ("CreditMode/AdjustMeterBalance", True)}


@accepts("GCS40a", "GCS40b", "GCS40c", "GCS40d")
def read_credit_adjustment(command: DeviceCommand) -> dict:
    values = device.component_values(command, PREPAYMENT, CREDIT_ADJUSTMENT_COMMAND)
    kind = values["credit_adjustment_type"]
    if kind not in _BALANCE_FIELDS:
        raise PayloadError(f"{command.use_case}: credit adjustment type 0x{kind:02X} is not one GBCS uses", 0)
    name, adjust = _BALANCE_FIELDS[kind]
    return {name: str(values["credit_adjustment_value"]) if adjust else ""}


@accepts("GCS04")
def read_debt_changes(command: DeviceCommand) -> dict:
    """Time debts 1 and 2 with their recovery rates, the payment debt with its recovery per payment."""
    fields: dict = {}
    for change in published(command, PREPAYMENT, CHANGE_DEBT):
        kind = change["debt_amount_type"]
        if kind in (TIME_DEBT_1_INCREMENTAL, TIME_DEBT_2_INCREMENTAL):
            register = 1 if kind == TIME_DEBT_1_INCREMENTAL else 2
            fields[f"TimeDebtRegister{register}"] = str(change["debt_amount"])
            fields[f"GasDebtRecovery{register}/DebtRecoveryRate"] = str(change["debt_recovery_amount"])
            fields[f"GasDebtRecovery{register}/DebtRecoveryRatePeriod"] = FREQUENCY_NAMES.get(
                change["debt_recovery_frequency"], str(change["debt_recovery_frequency"]))
        elif kind == PAYMENT_DEBT_INCREMENTAL:
            fields["PaymentDebtRegister"] = str(change["debt_amount"])
            fields["DebtRecoveryPerPayment"] = str(change["debt_recovery_balance_percentage"])
        else:
            raise PayloadError(f"GCS04: debt amount type 0x{kind:02X} is not one GBCS uses", 0)
    return fields


def friendly_credit_calendar_fields(command: DeviceCommand, path: str) -> dict:
    out: dict = {}
    for calendar in published(command, CALENDAR, PUBLISH_CALENDAR)[:1]:
        out[f"{path}/IssuerEventID"] = str(calendar["issuer_event_id"])            # no DUIS elements: the meter's
        out[f"{path}/IssuerCalendarID"] = str(calendar["issuer_calendar_id"])
    for n, day in enumerate(published(command, CALENDAR, PUBLISH_DAY_PROFILE), start=1):
        profile = f"{path}/DayProfiles/GasNonDisablementDayProfile[{n}]"
        for k, entry in enumerate(day["schedule_entries"], start=1):
            minutes = entry["start_time"]
            out[f"{profile}/TimeStartAction[{k}]/StartTime"] = f"{minutes // 60:02d}:{minutes % 60:02d}:00.00Z"
            out[f"{profile}/TimeStartAction[{k}]/NonDisablementAction"] = ACTION_NAMES.get(
                entry["price_tier_or_function"], str(entry["price_tier_or_function"]))
        out[f"{profile}/GasDayName"] = str(day["day_id"])
    out.update(week_and_season_fields(command, f"{path}/WeekProfiles", f"{path}/SeasonProfiles"))
    out.update(special_day_fields(command, f"{path}/SpecialDays"))
    return out


@accepts("GCS05")
def read_prepay_configuration(command: DeviceCommand) -> dict:
    gas = "UpdatePrepayConfigGas"
    emergency = device.component_values(command, PREPAYMENT, EMERGENCY_CREDIT_SETUP)
    cap = device.component_values(command, PREPAYMENT, SET_OVERALL_DEBT_CAP)
    low = device.component_values(command, PREPAYMENT, SET_LOW_CREDIT_WARNING_LEVEL)
    maximum = device.component_values(command, PREPAYMENT, SET_MAXIMUM_CREDIT_LIMIT)
    return {**execution_of(command),
            f"{gas}/DebtRecoveryRateCap": str(cap["overall_debt_cap"]),
            f"{gas}/EmergencyCreditLimit": str(emergency["emergency_credit_limit"]),
            f"{gas}/EmergencyCreditThreshold": str(emergency["emergency_credit_threshold"]),
            f"{gas}/LowCreditThreshold": str(low["low_credit_warning_level"]),
            **friendly_credit_calendar_fields(command, f"{gas}/GasNonDisablementCalendar"),
            f"{gas}/MaxMeterBalance": str(maximum["maximum_credit_level"]),
            f"{gas}/MaxCreditThreshold": str(maximum["maximum_credit_per_top_up"])}


answers("GCS40a", "GCS40b", "GCS40c", "GCS40d", "GCS04", "GCS05")(set_responses)


@accepts("CS01b")
def read_top_up(command: DeviceCommand) -> dict:
    code = device.component_values(command, PREPAYMENT, CONSUMER_TOP_UP)["top_up_code"]
    return {"UTRN": code.decode("ascii", "replace")}


@answers("CS01b")
def topped_up_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """Consumer Top Up Response: accepted with the credit added and now remaining (10^-5 GBP, the GSME's
    price trailing digits), or why the UTRN was refused."""
    request = gbz_command(command).components[0]
    accepted = device.succeeded(outcome)
    values = {"result_type": outcome.get("result_type", 0x00 if accepted else TOP_UP_INVALID),
              "top_up_value": outcome.get("top_up_value", NO_VALUE) if accepted else NO_VALUE,
              "source_of_top_up": CONSUMER_TOP_UP_FROM_ESI,
              "credit_remaining": outcome.get("credit_remaining", NO_VALUE) if accepted else NO_VALUE}
    return gbz.GbzPayload((gbz.Component(PREPAYMENT, zcl.Frame(
        SERVER_TO_CLIENT, request.frame.sequence, CONSUMER_TOP_UP_RESPONSE, values)),)).encode()


# -- SR 3.1, 3.2, 3.4 on the device: the DUIS names the firmware model keeps them under ------------------------

@accepts("GCS07")
def display_message_command(command: DeviceCommand) -> dict:
    message = device.component_values(command, MESSAGING, 0x00)["message"]
    return {"SupplierMessage": message.decode("ascii", "replace")}


@accepts("GCS09")
def restrict_access_command(command: DeviceCommand) -> dict:
    tenancy = device.component_values(command, DEVICE_MANAGEMENT, 0x00)
    return {"RestrictionDateTime": timestamp(tenancy["implementation_date_time"])}


@accepts("GCS44")
def update_supplier_name_command(command: DeviceCommand) -> dict:
    supplier = device.component_values(command, DEVICE_MANAGEMENT, 0x01)
    return {"SupplierName": supplier["proposed_provider_name"].decode("ascii", "replace"),
            "SupplierTelephoneNumber": supplier["proposed_provider_contact_details"].decode("ascii", "replace")}


answers("GCS07", "GCS09", "GCS44")(device.set_answer)
