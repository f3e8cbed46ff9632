"""ESME payment use cases (DLMS COSEM): payment mode (ECS02 to credit, ECS03 to prepayment; SR 1.6),
meter balance (ECS04a adjust, ECS04b reset; SR 1.5), debt (ECS07; SR 2.3), prepayment configuration
(ECS08a, and ECS08 of earlier GBCS versions; SR 2.1) and top-up by UTRN (CS01a; SR 2.2).

The Account (0-1:19.0.0.255) says which Credits pay which Charges (credit_charge_configuration):
  Credits  0-0:19.10.0.255 Meter Balance, .1 Emergency Credit, .2 Accumulated Debt Register
  Charges  0-0:19.20.0.255 Price Matrix, .1/.2 time-based debt (Debt Recovery Rates 1/2), .3 payment-based
           debt, .4 Standing Charge, .5 the Secondary Element's prices (twin element ESMEs only)
and its collection_configuration bits; the RTDS pairs show how the DCC sets them from the request.
"""

from __future__ import annotations

import functools
import re

from lxml import etree

from harness.duis import xml
from harness.gbcs import axdr
from harness.gbcs.axdr import Data
from harness.gbcs.dlms import Obis
from harness.usecases import device
from harness.usecases.esme_tariff import (
    ESME,
    access_request,
    action,
    activation_time,
    boolean,
    child,
    children,
    dlms_date,
    dlms_plain_date,
    dlms_time,
    duis_date,
    duis_time,
    execution,
    indexed,
    leaves,
    missing,
    number,
    set_,
    set_value,
    unit_charge,
)
from harness.usecases.mmc import bit_string
from harness.usecases.registry import (
    CommandContext,
    DeviceCommand,
    ResponseContext,
    accepts,
    answers,
    command,
    response,
)
from harness.usecases.request import DuisRequest, TransformError, value_of

ACCOUNT = "0-1:19.0.0.255"
METER_BALANCE, EMERGENCY_CREDIT, ACCUMULATED_DEBT = "0-0:19.10.0.255", "0-0:19.10.1.255", "0-0:19.10.2.255"
PRICE_MATRIX, TIME_DEBT_1, TIME_DEBT_2, PAYMENT_DEBT, STANDING_CHARGE, SECONDARY_PRICES = (
    f"0-0:19.20.{n}.255" for n in range(6))
DISABLEMENT_THRESHOLD = "0-0:94.44.128.22"
CREDIT_MODE, PREPAYMENT_MODE = 1, 2
NEW_ACCOUNT = 1                               # account_status: the mode takes effect at account activation
COLLECT_ALWAYS, SUSPENDED = "111", "110"      # collection_configuration bits


# -- 1.6 ECS02 / ECS03 -----------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=64)      # a few flags, one value each (Data is immutable): made once, not per Transform
def credit_charge_configuration(*, prepayment: bool, suspend_debt_disabled: bool = False,
                                suspend_debt_emergency: bool = False, twin_element: bool = False) -> Data:
    """Which Credit pays which Charge, as the RTDS pairs of 1.6 show (inferred from them, not from GBCS
    text): in credit mode only the Meter Balance pays (prices and standing charge); in prepayment mode
    the Meter Balance and Emergency Credit pay every charge, time-based debt with collection bits 110
    when SuspendDebtDisabled (111 otherwise), and SuspendDebtEmergency adds the Accumulated Debt
    Register for the standing charge and time-based debt. A twin element ESME adds the Secondary
    Element's prices."""
    debt = SUSPENDED if suspend_debt_disabled else COLLECT_ALWAYS
    if not prepayment:
        pairs = [(METER_BALANCE, PRICE_MATRIX, COLLECT_ALWAYS), (METER_BALANCE, STANDING_CHARGE, COLLECT_ALWAYS)]
    else:
        pairs = [(METER_BALANCE, PRICE_MATRIX, COLLECT_ALWAYS), (METER_BALANCE, STANDING_CHARGE, COLLECT_ALWAYS),
                 (METER_BALANCE, TIME_DEBT_1, debt), (METER_BALANCE, TIME_DEBT_2, debt),
                 (METER_BALANCE, PAYMENT_DEBT, COLLECT_ALWAYS),
                 (EMERGENCY_CREDIT, PAYMENT_DEBT, COLLECT_ALWAYS), (EMERGENCY_CREDIT, PRICE_MATRIX, COLLECT_ALWAYS),
                 (EMERGENCY_CREDIT, STANDING_CHARGE, COLLECT_ALWAYS),
                 (EMERGENCY_CREDIT, TIME_DEBT_1, debt), (EMERGENCY_CREDIT, TIME_DEBT_2, debt)]
        if suspend_debt_emergency:
            pairs += [(ACCUMULATED_DEBT, STANDING_CHARGE, COLLECT_ALWAYS),
                      (ACCUMULATED_DEBT, TIME_DEBT_1, COLLECT_ALWAYS), (ACCUMULATED_DEBT, TIME_DEBT_2, COLLECT_ALWAYS)]
    if twin_element:
        pairs.append((METER_BALANCE, SECONDARY_PRICES, COLLECT_ALWAYS))
        if prepayment:
            pairs.append((EMERGENCY_CREDIT, SECONDARY_PRICES, COLLECT_ALWAYS))
    return axdr.array(*(axdr.structure(axdr.octet_string(Obis.parse(credit).raw), axdr.octet_string(
        Obis.parse(charge).raw), axdr.bit_string(bits)) for credit, charge, bits in pairs))


def payment_mode(request: DuisRequest, ctx: CommandContext) -> bytes:
    """ECS02 or ECS03 as the request's sr:Credit or sr:Prepayment says; a twin element ESME (the DCC's
    inventory says, the request cannot) also pays its secondary element's prices from its credits."""
    twin_element = ctx.records.twin_element
    when = activation_time(request)
    prepayment = request.find("Prepayment")
    if prepayment is None:
        if not request.has("Credit"):
            raise missing(request, request.body, "Credit or sr:Prepayment")
        return access_request(ctx, [
            set_(111, ACCOUNT, 2, axdr.structure(axdr.enum(CREDIT_MODE), axdr.enum(NEW_ACCOUNT))),
            set_(111, ACCOUNT, 11, credit_charge_configuration(prepayment=False, twin_element=twin_element)),
            set_(111, ACCOUNT, 13, when)])
    configuration = credit_charge_configuration(
        prepayment=True, suspend_debt_disabled=boolean(request, prepayment, "SuspendDebtDisabled"),
        suspend_debt_emergency=boolean(request, prepayment, "SuspendDebtEmergency"), twin_element=twin_element)
    return access_request(ctx, [
        set_(111, ACCOUNT, 2, axdr.structure(axdr.enum(PREPAYMENT_MODE), axdr.enum(NEW_ACCOUNT))),
        set_(9000, DISABLEMENT_THRESHOLD, 4, axdr.double_long(number(request, prepayment, "DisablementThreshold"))),
        set_(111, ACCOUNT, 11, configuration),
        set_(9000, DISABLEMENT_THRESHOLD, 6, when),
        set_(111, ACCOUNT, 13, when)])


@command("1.6", "ECS02", devices=ESME, applies=lambda request: request.has("Credit"))
def payment_mode_to_credit(request: DuisRequest, ctx: CommandContext) -> bytes:
    return payment_mode(request, ctx)


@command("1.6", "ECS03", devices=ESME, applies=lambda request: not request.has("Credit"))
def payment_mode_to_prepayment(request: DuisRequest, ctx: CommandContext) -> bytes:
    return payment_mode(request, ctx)


# -- 1.5 ECS04a / ECS04b ---------------------------------------------------------------------------------------

def _adjust(request: DuisRequest) -> etree._Element | None:
    found = request.find("PrepaymentMode/AdjustMeterBalance")
    return found if found is not None else request.find("CreditMode/AdjustMeterBalance")


def _no_adjust_or_reset(request: DuisRequest) -> TransformError:
    return TransformError(f"{request.srv} {request.body_name}: missing sr:AdjustMeterBalance or sr:ResetMeterBalance "
                          f"(in sr:PrepaymentMode or sr:CreditMode)", where=request.where)


@command("1.5", "ECS04a", devices=ESME, applies=lambda request: _adjust(request) is not None)
def adjust_meter_balance(request: DuisRequest, ctx: CommandContext) -> bytes:
    node = _adjust(request)
    if node is None:
        raise _no_adjust_or_reset(request)
    # Credit update_amount: the balance moves by the (signed) amount.
    return access_request(ctx, [action(112, METER_BALANCE, 1, axdr.double_long(number(request, node)))])


@command("1.5", "ECS04b", devices=ESME, applies=lambda request: _adjust(request) is None)
def reset_meter_balance(request: DuisRequest, ctx: CommandContext) -> bytes:
    if not (request.has("PrepaymentMode/ResetMeterBalance") or request.has("CreditMode/ResetMeterBalance")):
        raise _no_adjust_or_reset(request)
    # SMETS 'Reset Meter Balance': every Credit set_amount_to_value 0.
    return access_request(ctx, [action(112, credit, 2, axdr.double_long(0))
                                for credit in (METER_BALANCE, EMERGENCY_CREDIT, ACCUMULATED_DEBT)])


# -- 2.3 ECS07 --------------------------------------------------------------------------------------------------

RECOVERY_PERIODS = {"HOURLY": 3600, "DAILY": 86400}


def _recovery(request: DuisRequest, name: str) -> tuple[Data, Data]:
    """A time-based debt's unit charge and its collection period (seconds)."""
    node = request.element(name)
    period = value_of(child(request, node, "DebtRecoveryRatePeriod"))
    if period not in RECOVERY_PERIODS:
        raise TransformError(f"{request.srv} sr:{name}/sr:DebtRecoveryRatePeriod: {period!r} is neither HOURLY "
                             f"nor DAILY", where=request.where)
    charge = unit_charge(number(request, node, "DebtRecoveryRatePriceScale"),
                         [(b"", number(request, node, "DebtRecoveryRate"))])
    return charge, axdr.double_long_unsigned(RECOVERY_PERIODS[period])


@command("2.3", "ECS07", devices=ESME)
def update_debt(request: DuisRequest, ctx: CommandContext) -> bytes:
    (rate_1, period_1), (rate_2, period_2) = _recovery(request, "ElecDebtRecovery1"), _recovery(request,
                                                                                                 "ElecDebtRecovery2")
    return access_request(ctx, [
        set_(113, TIME_DEBT_1, 6, rate_1), set_(113, TIME_DEBT_2, 6, rate_2),
        set_(113, PAYMENT_DEBT, 13, axdr.long_unsigned(request.int("DebtRecoveryPerPayment"))),   # proportion
        set_(113, TIME_DEBT_1, 8, period_1), set_(113, TIME_DEBT_2, 8, period_2),
        action(113, TIME_DEBT_1, 2, axdr.integer(0)), action(113, TIME_DEBT_2, 2, axdr.integer(0)),
        # update_total_amount_remaining: what each debt register holds
        action(113, PAYMENT_DEBT, 4, axdr.double_long(request.int("PaymentDebtRegister"))),
        action(113, TIME_DEBT_1, 4, axdr.double_long(request.int("TimeDebtRegister1"))),
        action(113, TIME_DEBT_2, 4, axdr.double_long(request.int("TimeDebtRegister2")))])


# -- 2.1 ECS08a / ECS08 ----------------------------------------------------------------------------------------

NON_DISABLEMENT_SPECIAL_DAYS = "0-1:11.0.2.255"
NON_DISABLEMENT_CALENDAR = "0-1:12.0.1.255"
NON_DISABLEMENT_SCRIPTS = Obis.parse("0-0:10.0.106.255").raw
NON_DISABLEMENT_SCRIPT = {"START": 32, "STOP": 33}
MAX_METER_BALANCE, MAX_CREDIT_THRESHOLD = "0-0:94.44.2.20", "0-0:94.44.2.10"
RATE_CAP_AMOUNT, RATE_CAP_PERIOD = "0-0:94.44.128.12", "0-0:94.44.128.13"
LOW_CREDIT_THRESHOLD, EMERGENCY_CREDIT_LIMIT, EMERGENCY_CREDIT_THRESHOLD = (
    "0-0:94.44.128.9", "0-0:94.44.128.2", "0-0:94.44.128.3")
SPECIAL_DAYS_ACTIVATION, CALENDAR_ACTIVATION = "0-0:94.44.128.31", "0-0:94.44.128.28"
RATE_CAP_PERIOD_SECONDS = 7 * 86400           # the Debt Recovery Rate Cap is per week
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _non_disablement(request: DuisRequest, calendar: etree._Element) -> tuple[Data, Data]:
    """The Non-Disablement Calendar: its special days (day_id = the SpecialDay's index) and its
    schedule of START/STOP switch times."""
    specials = indexed(request, children(child(request, calendar, "ElectricitySpecialDays"), "SpecialDay"))
    ids = [int(day.get("index", "")) for day in specials]      # `indexed` checked them numeric
    special_days = axdr.array(*(axdr.structure(axdr.long_unsigned(i), axdr.octet_string(dlms_date(
        request, child(request, day, "Date"))), axdr.unsigned(i)) for i, day in zip(ids, specials)))
    entries = []
    for position, entry in enumerate(children(calendar, "ElectricityNonDisablementSchedule"), start=1):
        script = value_of(child(request, entry, "NonDisablementScript"))
        if script not in NON_DISABLEMENT_SCRIPT:
            raise TransformError(f"{request.srv} sr:NonDisablementScript: {script!r} is neither START nor STOP",
                                 where=request.where)
        days = {value_of(d) for d in entry.iterfind(
            "sr:DaysOfWeekApplicability/sr:DayOfWeekApplicability/sr:DayOfWeekID", xml.NSMAP)}
        applies = {number(request, d) for d in entry.iterfind(
            "sr:SpecialDaysApplicability/sr:SpecialDayApplicability/sr:SpecialDayID", xml.NSMAP)}
        when = child(request, entry, "ScheduleDatesAndTime")
        entries.append(axdr.structure(
            axdr.long_unsigned(position), axdr.boolean(True), axdr.octet_string(NON_DISABLEMENT_SCRIPTS),
            axdr.long_unsigned(NON_DISABLEMENT_SCRIPT[script]),
            axdr.octet_string(dlms_time(request, child(request, when, "SwitchTime"))),
            axdr.long_unsigned(0xFFFF),                                                  # no validity window
            axdr.bit_string("".join("1" if day in days else "0" for day in WEEKDAYS)),
            axdr.bit_string("".join("1" if i in applies else "0" for i in range(1, max(ids, default=0) + 1))),
            axdr.octet_string(dlms_plain_date(request, child(request, when, "StartDate"))),
            axdr.octet_string(dlms_plain_date(request, child(request, when, "EndDate")))))
    return special_days, axdr.array(*entries)


def prepay_configuration(request: DuisRequest, ctx: CommandContext, *, max_meter_balance_attribute: int) -> bytes:
    """ECS08a; ECS08 (GBCS 1.0 devices) writes the Max Meter Balance's value_active (attribute 2) where
    ECS08a writes value_passive (4)."""
    config = request.element("UpdatePrepayConfigElectricity")
    special_days, calendar = _non_disablement(request, child(request, config, "ElectricityNonDisablementCalendar"))
    when = activation_time(request)

    def value(name: str) -> Data:
        return axdr.double_long(number(request, config, name))
    return access_request(ctx, [
        set_(11, NON_DISABLEMENT_SPECIAL_DAYS, 2, special_days),
        set_(9000, MAX_METER_BALANCE, max_meter_balance_attribute, value("MaxMeterBalance")),
        set_(9000, MAX_CREDIT_THRESHOLD, 4, value("MaxCreditThreshold")),
        set_(10, NON_DISABLEMENT_CALENDAR, 2, calendar),
        set_(9000, RATE_CAP_AMOUNT, 4, axdr.long_unsigned(number(request, config, "DebtRecoveryRateCap"))),
        set_(9000, RATE_CAP_PERIOD, 4, axdr.double_long(RATE_CAP_PERIOD_SECONDS)),
        set_(9000, LOW_CREDIT_THRESHOLD, 4, value("LowCreditThreshold")),
        set_(9000, EMERGENCY_CREDIT_LIMIT, 4, value("EmergencyCreditLimit")),
        set_(9000, SPECIAL_DAYS_ACTIVATION, 6, when),
        set_(9000, EMERGENCY_CREDIT_THRESHOLD, 4, value("EmergencyCreditThreshold")),
        *(set_(9000, obis, 6, when) for obis in (MAX_METER_BALANCE, MAX_CREDIT_THRESHOLD, RATE_CAP_AMOUNT,
                                                 RATE_CAP_PERIOD, LOW_CREDIT_THRESHOLD, EMERGENCY_CREDIT_LIMIT,
                                                 EMERGENCY_CREDIT_THRESHOLD, CALENDAR_ACTIVATION))])


def _gbcs_1(records) -> bool:
    return records.gbcs_version == "1.0"


@command("2.1", "ECS08", devices=ESME, requires=_gbcs_1)
def update_prepay_configuration_gbcs_1(request: DuisRequest, ctx: CommandContext) -> bytes:
    return prepay_configuration(request, ctx, max_meter_balance_attribute=2)


@command("2.1", "ECS08a", devices=ESME, requires=lambda records: not _gbcs_1(records))
def update_prepay_configuration(request: DuisRequest, ctx: CommandContext) -> bytes:
    return prepay_configuration(request, ctx, max_meter_balance_attribute=4)


# -- 2.2 CS01a --------------------------------------------------------------------------------------------------

TOKEN_GATEWAY = "0-0:19.40.0.255"


@command("2.2", "CS01a", devices=ESME)
def top_up(request: DuisRequest, ctx: CommandContext) -> bytes:
    # Token Gateway enter with the UTRN's digits; the meter checks the UTRN (and raises 0x8F63 etc.),
    # so a DIT can send bad ones.
    utrn = request.require("UTRN")
    if not re.fullmatch(r"[0-9]{20}", utrn):
        raise TransformError(f"{request.srv} sr:UTRN: {utrn!r} is not 20 digits", where=request.where)
    return access_request(ctx, [action(115, TOKEN_GATEWAY, 1, axdr.octet_string(utrn.encode("ascii")))])


@response("ECS02", "ECS03", "ECS04a", "ECS04b", "ECS07", "ECS08", "ECS08a", "CS01a")
def payment_updated(ctx: ResponseContext, rsp: etree._Element) -> None:
    """UpdatePaymentModeRsp, UpdateMeterBalanceRsp, UpdateDebtRsp, UpdatePrepayConfigurationRsp and
    TopUpDeviceRsp carry nothing beyond MessageSuccess (mmc.xsd); each set's or action's result is in
    DebugInfo, future-dated activation outcomes come as 0x8F66/0x8F67 alerts (alerts.py)."""


# -- Device side ----------------------------------------------------------------------------------------
# What the ESME reads of these commands is what its firmware model acts on, named as the DUIS body's
# leaves (shared with the GSME's handlers); each response is a result per instruction (esme_tariff).

def action_value(command: DeviceCommand, class_id: int, obis: str, method: int) -> Data:
    for target, data in device.action_values(command):
        if (target.class_id, str(target.instance), target.member) == (class_id, obis, method):
            return data
    raise axdr.PayloadError(f"{command.use_case}: the command invokes no {class_id}/{obis}/{method}", 0)


def _bits(item: Data) -> str:
    count, raw = bit_string(item)
    return "".join(f"{b:08b}" for b in raw)[:count]


def _suspensions(configuration: Data) -> tuple[bool, bool]:
    """SuspendDebtDisabled and SuspendDebtEmergency from a credit_charge_configuration, as
    credit_charge_configuration writes them: time-based debt collected with bits 110, and the
    Accumulated Debt Register paying time-based debt."""
    rows = [(credit.octets, charge.octets, _bits(bits)) for credit, charge, bits in
            (row.items for row in configuration.items)]
    time_debts = {Obis.parse(TIME_DEBT_1).raw, Obis.parse(TIME_DEBT_2).raw}
    disabled = any(charge in time_debts and bits == SUSPENDED for _, charge, bits in rows)
    emergency = any(credit == Obis.parse(ACCUMULATED_DEBT).raw and charge in time_debts for credit, charge, _ in rows)
    return disabled, emergency


@accepts("ECS02", "ECS03")
def payment_mode_command(command: DeviceCommand) -> dict:
    mode = set_value(command, 111, ACCOUNT, 2)[0].int
    when = execution(command, (111, ACCOUNT, 13))
    if mode == CREDIT_MODE:
        return {**when, "Credit": ""}
    if mode != PREPAYMENT_MODE:
        raise axdr.PayloadError(f"{command.use_case}: account mode {mode} is neither credit nor prepayment", 0)
    disabled, emergency = _suspensions(set_value(command, 111, ACCOUNT, 11))
    return {**when, "Prepayment/SuspendDebtDisabled": str(disabled).lower(),
            "Prepayment/SuspendDebtEmergency": str(emergency).lower(),
            "Prepayment/DisablementThreshold": str(set_value(command, 9000, DISABLEMENT_THRESHOLD, 4).int)}


@accepts("ECS04a")
def adjust_meter_balance_command(command: DeviceCommand) -> dict:
    # The payload does not say which mode DUIS addressed (sr:PrepaymentMode or sr:CreditMode): the leaf.
    return {"AdjustMeterBalance": str(action_value(command, 112, METER_BALANCE, 1).int)}


@accepts("ECS04b")
def reset_meter_balance_command(command: DeviceCommand) -> dict:
    for credit in (METER_BALANCE, EMERGENCY_CREDIT, ACCUMULATED_DEBT):
        if action_value(command, 112, credit, 2).int != 0:
            raise axdr.PayloadError(f"{command.use_case}: {credit} is set to a value other than 0", 0)
    return {"ResetMeterBalance": ""}


PERIODS = {seconds: name for name, seconds in RECOVERY_PERIODS.items()}


@accepts("ECS07")
def debt_command(command: DeviceCommand) -> dict:
    out = {"TimeDebtRegister1": str(action_value(command, 113, TIME_DEBT_1, 4).int),
           "TimeDebtRegister2": str(action_value(command, 113, TIME_DEBT_2, 4).int),
           "PaymentDebtRegister": str(action_value(command, 113, PAYMENT_DEBT, 4).int),
           "DebtRecoveryPerPayment": str(set_value(command, 113, PAYMENT_DEBT, 13).int)}
    for n, charge in ((1, TIME_DEBT_1), (2, TIME_DEBT_2)):
        scales, _commodity, table = set_value(command, 113, charge, 6).items
        _, scale = scales.items
        period = set_value(command, 113, charge, 8).int
        if period not in PERIODS:
            raise axdr.PayloadError(f"{command.use_case}: a debt recovery period of {period} s is neither hourly "
                                    f"nor daily", 0)
        out.update({f"ElecDebtRecovery{n}/DebtRecoveryRate": str(table[0][1].int if len(table) else 0),
                    f"ElecDebtRecovery{n}/DebtRecoveryRatePriceScale": str(scale.int),
                    f"ElecDebtRecovery{n}/DebtRecoveryRatePeriod": PERIODS[period]})
    return out


def duis_plain_date(raw: bytes) -> str:
    """A 5-byte DLMS date as DUIS's xs:date (UTC; year 65535 is every year)."""
    return f"{int.from_bytes(raw[:2], 'big'):04d}-{raw[2]:02d}-{raw[3]:02d}Z"


def _non_disablement_calendar(command: DeviceCommand) -> etree._Element:
    E = xml.E
    scripts = {n: name for name, n in NON_DISABLEMENT_SCRIPT.items()}
    special_days = [E.SpecialDay(E.Date(*duis_date(day[1].octets)), index=str(day[0].int))
                    for day in set_value(command, 11, NON_DISABLEMENT_SPECIAL_DAYS, 2).items]
    schedule = []
    for entry in set_value(command, 10, NON_DISABLEMENT_CALENDAR, 2).items:
        _index, _enabled, _script, selector, switch_time, _window, weekdays, specials, begin, end = entry.items
        if selector.int not in scripts:
            raise axdr.PayloadError(f"{command.use_case}: script {selector.int} is neither START nor STOP", 0)
        schedule.append(E.ElectricityNonDisablementSchedule(
            E.NonDisablementScript(scripts[selector.int]),
            E.SpecialDaysApplicability(*(E.SpecialDayApplicability(E.SpecialDayID(str(i)))
                                         for i, bit in enumerate(_bits(specials), 1) if bit == "1")),
            E.DaysOfWeekApplicability(*(E.DayOfWeekApplicability(E.DayOfWeekID(day))
                                        for day, bit in zip(WEEKDAYS, _bits(weekdays)) if bit == "1")),
            E.ScheduleDatesAndTime(E.SwitchTime(duis_time(switch_time.octets)),
                                   E.StartDate(duis_plain_date(begin.octets)), E.EndDate(duis_plain_date(end.octets)))))
    return E.ElectricityNonDisablementCalendar(E.ElectricitySpecialDays(*special_days), *schedule)


@accepts("ECS08", "ECS08a")
def prepay_configuration_command(command: DeviceCommand) -> dict:
    """ECS08 (GBCS 1.0 devices) writes the Max Meter Balance's value_active where ECS08a writes value_passive."""
    E = xml.E
    max_meter_balance = set_value(command, 9000, MAX_METER_BALANCE, 2 if command.use_case == "ECS08" else 4)

    def value(name: str, obis: str) -> etree._Element:
        return E(name, str(set_value(command, 9000, obis, 4).int))
    return {**execution(command, (9000, SPECIAL_DAYS_ACTIVATION, 6)), **leaves(E.UpdatePrepayConfigElectricity(
        value("DebtRecoveryRateCap", RATE_CAP_AMOUNT), value("EmergencyCreditLimit", EMERGENCY_CREDIT_LIMIT),
        value("EmergencyCreditThreshold", EMERGENCY_CREDIT_THRESHOLD),
        value("LowCreditThreshold", LOW_CREDIT_THRESHOLD), _non_disablement_calendar(command),
        E.MaxMeterBalance(str(max_meter_balance.int)), value("MaxCreditThreshold", MAX_CREDIT_THRESHOLD)))}


@accepts("CS01a")
def top_up_command(command: DeviceCommand) -> dict:
    return {"UTRN": action_value(command, 115, TOKEN_GATEWAY, 1).octets.decode("ascii", "replace")}


@answers("ECS02", "ECS03", "ECS04a", "ECS04b", "ECS07", "ECS08", "ECS08a", "CS01a")
def payment_answer(command: DeviceCommand, outcome: dict) -> bytes:
    return device.dlms_answer(command, outcome)
