"""ESME configuration use cases (DLMS COSEM): alert and event behaviours (ECS25a, ECS25a1-a3, ECS25b,
ECS25b3; SR 6.22), the payment mode read-back (ECS26j, 6.2.9), load limiting (ECS28a, 6.4.1), the
billing calendar (ECS30 monthly, ECS30a any periodicity; 6.8), the instantaneous power thresholds (ECS34,
6.12), the import MPAN (ECS39a, 6.20.1), the supply tamper state (ECS81, 6.25) and the clock set at
commissioning (ECS70Commission, 8.1.1).

Date-times the DSP writes into a command are UTC with day of week, deviation and clock status not
specified (FF, 8000, FF), as the RTDS commands carry them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TypeVar

from lxml import etree

from harness.catalogue import DeviceType, PaymentMode
from harness.duis import xml
from harness.duis.bodies.configuration import ESME_NETWORK_OPERATOR_ALERTS, ESME_SUPPLIER_ALERTS
from harness.gbcs import axdr, dlms
from harness.gbcs.axdr import Data, PayloadError, Tag
from harness.gbcs.dlms import AccessResult, Descriptor, DlmsDateTime, Obis, RequestKind, RequestSpec
from harness.usecases import device
from harness.usecases.esme_tariff import execution, set_value
from harness.usecases.mmc import M, bit_string, utc_text
from harness.usecases.registry import (
    Applies,
    CommandContext,
    DeviceCommand,
    ResponseContext,
    accepts,
    answers,
    command,
    response,
)
from harness.usecases.request import DuisRequest, TransformError, value_of

T = TypeVar("T")

ESME = (DeviceType.ESME,)
GET, SET, ACTION = RequestKind.GET, RequestKind.SET, RequestKind.ACTION

Instruction = tuple[RequestKind, Descriptor, Data]


def access_request(ctx: CommandContext, *instructions: Instruction) -> bytes:
    """An access-request of (kind, descriptor, data) instructions; gets and actions without a
    parameter carry null-data."""
    specs = tuple(RequestSpec(kind, descriptor) for kind, descriptor, _ in instructions)
    return dlms.AccessRequest(dlms.invoke_id(ctx.counter), specs, tuple(data for *_, data in instructions)).encode()


def command_date_time(value: dt.datetime) -> bytes:
    """A 12-byte DLMS date-time as the DSP writes it: UTC, day of week, deviation and status unspecified."""
    v = value.astimezone(dt.UTC)
    return (v.year.to_bytes(2, "big") + bytes((v.month, v.day, 0xFF, v.hour, v.minute, v.second,
                                               v.microsecond // 10000)) + b"\x80\x00\xff")


# DUIS cancels a device-pattern future-dated command by sending it again for this date-time.
CANCELLATION = dt.datetime(3000, 12, 31, tzinfo=dt.UTC)


def activation_date_time(request: DuisRequest) -> bytes:
    """When a device-pattern future-dated command takes effect: now without sr:ExecutionDateTime, never
    for a cancellation, else the execution date-time."""
    when = request.execution_date_time
    if when is None:
        return DlmsDateTime.NOW_RAW
    if when == CANCELLATION:
        return DlmsDateTime.NEVER_RAW
    return command_date_time(when)


def choice(request: DuisRequest, path: str, values: Mapping[str, T]) -> T:
    text = request.require(path)
    if text not in values:
        raise TransformError(f"{request.srv} sr:{path}: {text!r} is not one of {', '.join(values)}",
                             where=request.where)
    return values[text]


def read_value(ctx: ResponseContext, position: int) -> Data | None:
    """The data of the response's instruction at `position` (0-based) when it succeeded."""
    value = ctx.payload.value
    if not isinstance(value, dlms.AccessResponse) or position >= min(len(value.results), len(value.data)):
        return None
    item = value.data[position]
    return item if value.results[position].result == AccessResult.SUCCESS and item.tag is not Tag.NULL else None


# -- 6.22 Configure Alert Behaviour -------------------------------------------------------------------
# The body's choice element names the use case and the alert configuration object it writes. The object
# holds 512 bits: a 256-bit mask of the alerts being configured, then 256 bits of their new settings
# (1 = enabled). An alert's bit counts back from the end of each half by the low byte of its code:
# supplier objects (B=30) carry the 0x81xx alerts, network operator objects (B=33) the 0x80xx alerts.
ALERT_SETTINGS: dict[str, tuple[str, str]] = {
    "ECS25a": ("ElectricitySupplierAlerts", "0-30:97.98.11.255"),
    "ECS25a1": ("ElectricitySupplierHANAlertSettings", "0-30:97.98.12.255"),
    "ECS25a2": ("ElectricitySupplierAlarmSettings", "0-30:97.98.13.255"),
    "ECS25a3": ("ElectricitySupplierLoggingSettings", "0-30:97.98.14.255"),
    "ECS25b": ("ElectricityNetworkOperatorAlerts", "0-33:97.98.11.255"),
    "ECS25b3": ("ElectricityNetworkOperatorLoggingSettings", "0-33:97.98.14.255"),
}
_ALERT_RANGE = {30: 0x81, 33: 0x80}     # value group B -> high byte of the alert codes it configures


def alert_settings(request: DuisRequest, group: str, instance: Obis) -> Data:
    node = request.find(group)
    if node is None:
        raise TransformError(f"{request.srv} {request.body_name}: missing sr:{group}", where=request.where)
    bits = bytearray(64)
    for element in node.iter():
        name = xml.local_name(element) if isinstance(element.tag, str) else ""
        if len(name) != 5 or name[0] != "x":
            continue
        code = int(name[1:], 16)
        if code >> 8 != _ALERT_RANGE[instance.raw[1]]:
            raise TransformError(f"{request.srv} sr:{group}: alert 0x{code:04X} has no bit in {instance}",
                                 where=request.where)
        setting = value_of(element)
        if setting not in ("Enable", "Disable"):
            raise TransformError(f"{request.srv} sr:{name}: {setting!r} is not Enable or Disable", where=request.where)
        index = 255 - (code & 0xFF)
        bits[index // 8] |= 0x80 >> (index % 8)
        if setting == "Enable":
            bits[32 + index // 8] |= 0x80 >> (index % 8)
    return Data(Tag.BIT_STRING, (512, bytes(bits)))


def _carries(group: str) -> Applies:
    def applies(request: DuisRequest) -> bool:
        return request.has(group)
    return applies


def _alert_behaviour(group: str, instance: str) -> Callable[[DuisRequest, CommandContext], bytes]:
    descriptor = Descriptor(1, Obis.parse(instance), 2)

    def build(request: DuisRequest, ctx: CommandContext) -> bytes:
        return access_request(ctx, (SET, descriptor, alert_settings(request, group, descriptor.instance)))
    build.__name__ = f"configure_{group}"
    return build


for _use_case, (_group, _instance) in ALERT_SETTINGS.items():
    command("6.22", _use_case, devices=ESME, applies=_carries(_group))(_alert_behaviour(_group, _instance))


# -- 6.2.9 Read Device Configuration (Payment Mode) ---------------------------------------------------
ACCOUNT_MODE_AND_STATUS = Descriptor(111, Obis.parse("0-0:19.0.0.255"), 2)
ACCOUNT_MODES = {1: PaymentMode.CREDIT, 2: PaymentMode.PREPAYMENT}
ACCOUNT_ACTIVE = 2                      # account_status as the RTDS meter reports it


@command("6.2.9", "ECS26j", devices=ESME)
def read_payment_mode(request: DuisRequest, ctx: CommandContext) -> bytes:
    return access_request(ctx, (GET, ACCOUNT_MODE_AND_STATUS, axdr.NULL))


@response("ECS26j")
def payment_mode(ctx: ResponseContext, rsp: etree._Element) -> None:
    """account_mode_and_status is {account mode (1 credit, 2 prepayment), account status}."""
    item = read_value(ctx, 0)
    if item is None:
        return
    mode = item.items[0] if item.tag is Tag.STRUCTURE and item.items else item
    if mode.tag is Tag.ENUM and mode.value in ACCOUNT_MODES:
        rsp.append(M.PaymentMode(ACCOUNT_MODES[mode.value]))
    else:
        ctx.notes.append(f"ECS26j: account mode {mode.plain()!r} is neither credit (1) nor prepayment (2)")


# -- 6.4.1 Load Limiting General Settings -------------------------------------------------------------
# (DUIS element, GBCS Extended Data object); the passive values are set, then their activation times.
LOAD_LIMIT = (("LoadLimitSupplyState", "0-0:94.44.0.3"), ("LoadLimitPowerThreshold", "0-0:94.44.128.7"),
              ("LoadLimitPeriod", "0-0:94.44.128.6"), ("LoadLimitRestorationPeriod", "0-0:94.44.128.8"))
VALUE_PASSIVE, ACTIVATE_PASSIVE_VALUE_TIME = 4, 6


@command("6.4.1", "ECS28a", devices=ESME)
def load_limit_settings(request: DuisRequest, ctx: CommandContext) -> bytes:
    values = [axdr.boolean(choice(request, "LoadLimitSupplyState", {"Disable": True, "Unchanged": False}))]
    values += [axdr.double_long_unsigned(request.int(name)) for name, _ in LOAD_LIMIT[1:]]
    when = axdr.octet_string(activation_date_time(request))
    objects = [Obis.parse(instance) for _, instance in LOAD_LIMIT]
    return access_request(ctx, *[(SET, Descriptor(9000, obis, VALUE_PASSIVE), value)
                                 for obis, value in zip(objects, values)],
                          *[(SET, Descriptor(9000, obis, ACTIVATE_PASSIVE_VALUE_TIME), when) for obis in objects])


# -- 6.8 Billing Calendar ----------------------------------------------------------------------------
# A single action schedule's execution_time: (time, date) pairs, the date's unused fields wildcards.
BILLING_CALENDAR = Descriptor(22, Obis.parse("0-0:15.0.0.255"), 4)
CALENDAR = "ElectricityBillingCalendar"
_EVERY_N_MONTHS = {"Quarterly": 3, "SixMonthly": 6, "Yearly": 12}


def billing_time(request: DuisRequest) -> bytes:
    raw = request.require(f"{CALENDAR}/BillingTime")
    try:
        value = dt.time.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise TransformError(f"{request.srv} sr:BillingTime: {raw!r} is not an xs:time", where=request.where) from None
    offset = value.utcoffset() or dt.timedelta(0)
    utc = (dt.datetime.combine(dt.date(2000, 1, 1), value.replace(tzinfo=None)) - offset).time()
    return bytes((utc.hour, utc.minute, utc.second, utc.microsecond // 10000))


def billing_dates(request: DuisRequest) -> list[bytes]:
    every = b"\xff\xff"        # every year
    if request.has(f"{CALENDAR}/Daily"):
        return [every + b"\xff\xff\xff"]
    if request.has(f"{CALENDAR}/Weekly"):
        return [every + bytes((0xFF, 0xFF, request.int(f"{CALENDAR}/Weekly")))]
    if request.has(f"{CALENDAR}/Monthly"):
        return [every + bytes((0xFF, request.int(f"{CALENDAR}/Monthly"), 0xFF))]
    for name, step in _EVERY_N_MONTHS.items():
        if request.has(f"{CALENDAR}/{name}"):
            day = request.int(f"{CALENDAR}/{name}/DayOfMonth")
            start = request.int(f"{CALENDAR}/{name}/BillingPeriodStartMonth")
            return [every + bytes(((start - 1 + k) % 12 + 1, day, 0xFF)) for k in range(0, 12, step)]
    raise TransformError(f"{request.srv} sr:{CALENDAR}: missing its periodicity (Daily, Weekly, Monthly, "
                         f"Quarterly, SixMonthly or Yearly)", where=request.where)


def _billing_calendar(request: DuisRequest, ctx: CommandContext) -> bytes:
    time = axdr.octet_string(billing_time(request))
    entries = [axdr.structure(time, axdr.octet_string(date)) for date in billing_dates(request)]
    return access_request(ctx, (SET, BILLING_CALENDAR, axdr.array(*entries)))


# ECS30 is the monthly billing calendar; ECS30a every other periodicity.
command("6.8", "ECS30", devices=ESME,
        applies=lambda request: request.has(f"{CALENDAR}/Monthly"))(_billing_calendar)
command("6.8", "ECS30a", devices=ESME,
        applies=lambda request: request.has(CALENDAR) and not request.has(f"{CALENDAR}/Monthly"))(_billing_calendar)


# -- 6.12 Instantaneous Power Threshold ---------------------------------------------------------------
POWER_THRESHOLDS = Descriptor(21, Obis.parse("0-0:16.0.0.255"), 2)


@command("6.12", "ECS34", devices=ESME)
def power_thresholds(request: DuisRequest, ctx: CommandContext) -> bytes:
    thresholds = [axdr.double_long_unsigned(request.int(name))
                  for name in ("LowMediumPowerThreshold", "MediumHighPowerThreshold")]
    return access_request(ctx, (SET, POWER_THRESHOLDS, axdr.array(*thresholds)))


# -- 6.20.1 Import MPAN -------------------------------------------------------------------------------
IMPORT_MPAN = Descriptor(1, Obis.parse("0-0:94.44.34.11"), 2)


@command("6.20.1", "ECS39a", devices=ESME)
def import_mpan(request: DuisRequest, ctx: CommandContext) -> bytes:
    # A twin element meter's two MPANs are written as one string, the primary first.
    mpans = request.require("ImportMPANs/ImportMPAN") + (request.text("ImportMPANs/SecondaryImportMPAN") or "")
    return access_request(ctx, (SET, IMPORT_MPAN, axdr.octet_string(mpans.encode("utf-8"))))


# -- 6.25 Supply Tamper State -------------------------------------------------------------------------
SUPPLY_TAMPER_STATE = Descriptor(1, Obis.parse("0-0:94.44.0.4"), 2)


@command("6.25", "ECS81", devices=ESME)
def supply_tamper_state(request: DuisRequest, ctx: CommandContext) -> bytes:
    locked = choice(request, "SupplyTamperState", {"Locked": True, "Unchanged": False})
    return access_request(ctx, (SET, SUPPLY_TAMPER_STATE, axdr.boolean(bool(locked))))


# -- 8.1.1 Commission Device: synchronise the clock ---------------------------------------------------
# clock_base is set, the time preset to be adopted within [CurrentDateTime, + TolerancePeriod s], the
# preset adopted, and the clock's time and status read back.
CLOCK = Obis.parse("0-0:1.0.0.255")
CLOCK_BASE, CLOCK_TIME, CLOCK_STATUS = 9, 2, 4
ADJUST_TO_PRESET_TIME, PRESET_ADJUSTING_TIME = 4, 5
CLOCK_BASE_GBCS = 5


@command("8.1.1", "ECS70Commission", devices=ESME)
def commission_clock(request: DuisRequest, ctx: CommandContext) -> bytes:
    request.require("CurrentDateTime")
    current = request.date_time("CurrentDateTime")
    assert current is not None
    tolerance = dt.timedelta(seconds=request.int("TolerancePeriod"))
    preset = axdr.structure(axdr.octet_string(DlmsDateTime.NEVER_RAW),        # preset time unspecified
                            axdr.octet_string(command_date_time(current)),    # validity interval start
                            axdr.octet_string(command_date_time(current + tolerance)))
    return access_request(ctx, (SET, Descriptor(8, CLOCK, CLOCK_BASE), axdr.enum(CLOCK_BASE_GBCS)),
                          (ACTION, Descriptor(8, CLOCK, PRESET_ADJUSTING_TIME), preset),
                          (ACTION, Descriptor(8, CLOCK, ADJUST_TO_PRESET_TIME), axdr.integer(0)),
                          (GET, Descriptor(8, CLOCK, CLOCK_TIME), axdr.NULL),
                          (GET, Descriptor(8, CLOCK, CLOCK_STATUS), axdr.NULL))


def clock_status_text(status: int) -> str:
    """MMC TimeStatus of a DLMS clock status: bit 0 invalid value, bit 1 doubtful value."""
    return "invalid" if status & 0x01 else "unreliable" if status & 0x02 else "reliable"


@response("ECS70Commission")
def clock_read_back(ctx: ResponseContext, rsp: etree._Element) -> None:
    """The clock's time and status, the command's last two (get) instructions."""
    value = ctx.payload.value
    if not isinstance(value, dlms.AccessResponse) or len(value.results) < 2:
        return
    time, status = read_value(ctx, len(value.results) - 2), read_value(ctx, len(value.results) - 1)
    if time is not None and time.tag is Tag.OCTET_STRING and len(time.octets) == 12:
        when = DlmsDateTime(time.octets).datetime
        if when is not None:
            rsp.append(M.DeviceTime(utc_text(when)))
    if status is not None and status.tag in (Tag.UNSIGNED, Tag.ENUM, Tag.LONG_UNSIGNED):
        rsp.append(M.Electricity(M.ElecClockTimeStatus(M.TimeStatus(clock_status_text(status.int)),
                                                       TimeStatusCode=str(status.int))))


@response("ECS25a", "ECS25a1", "ECS25a2", "ECS25a3", "ECS25b", "ECS25b3", "ECS28a", "ECS30", "ECS30a", "ECS34",
          "ECS39a", "ECS81")
def configuration_set(ctx: ResponseContext, rsp: etree._Element) -> None:
    """These responses carry nothing beyond MessageSuccess and each set's status."""


# -- Device side ----------------------------------------------------------------------------------------

@accepts("ECS26j")
def read_payment_mode_command(command: DeviceCommand) -> dict:
    return {}


@answers("ECS26j")
def payment_mode_answer(command: DeviceCommand, outcome: dict) -> bytes:
    mode = next((code for code, name in ACCOUNT_MODES.items() if name == outcome.get("PaymentMode")), 1)
    return device.dlms_answer(command, outcome, [axdr.structure(axdr.enum(mode), axdr.enum(ACCOUNT_ACTIVE))])


@accepts("ECS39a")
def import_mpan_command(command: DeviceCommand) -> dict:
    value = device.set_values(command).get((IMPORT_MPAN.class_id, str(IMPORT_MPAN.instance), IMPORT_MPAN.member))
    if value is None:
        raise PayloadError("ECS39a: the command sets no import MPAN", 0)
    return {"ImportMPANs/ImportMPAN": value.octets.decode("utf-8", "replace")}


@answers("ECS39a")
def configuration_answer(command: DeviceCommand, outcome: dict) -> bytes:
    return device.dlms_answer(command, outcome)


# What the ESME reads of the other configuration commands is what its firmware model acts on, named as the
# DUIS bodies' leaves (6.8 and 6.22 share their handlers with the GSME's GCS25 and GCS20); each response is a
# result per instruction, processed in order and stopping at the first that fails (device.dlms_answer).

@accepts(*ALERT_SETTINGS)
def alert_behaviour_command(command: DeviceCommand) -> dict:
    """The alerts the 512-bit object configures (its first half a mask), each as sr:x<code> Enable or
    Disable in its XSD group."""
    element, instance = ALERT_SETTINGS[command.use_case]
    obis = Obis.parse(instance)
    value = set_value(command, 1, str(obis), 2)
    count, raw = bit_string(value) if value.tag is Tag.BIT_STRING else (0, b"")
    if count != 512:
        raise PayloadError(f"{command.use_case}: {instance} takes 512 bits, not {value.plain()!r}", 0)
    mask, settings = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    high = _ALERT_RANGE[obis.raw[1]]
    groups = ESME_SUPPLIER_ALERTS if obis.raw[1] == 30 else ESME_NETWORK_OPERATOR_ALERTS
    group_of = {code: group for group, codes in groups for code in codes}
    out = {}
    for low in range(256):
        if mask >> low & 1:
            code = f"{high:02X}{low:02X}"
            path = f"{element}/{group_of[code]}/x{code}" if code in group_of else f"{element}/x{code}"
            out[path] = "Enable" if settings >> low & 1 else "Disable"
    return out


@accepts("ECS28a")
def load_limit_command(command: DeviceCommand) -> dict:
    state, *numbers = (set_value(command, 9000, instance, VALUE_PASSIVE) for _, instance in LOAD_LIMIT)
    if state.tag is not Tag.BOOLEAN:
        raise PayloadError(f"ECS28a: the load limit supply state must be a boolean, not {state.tag.label}", 0)
    return {**execution(command, (9000, LOAD_LIMIT[0][1], ACTIVATE_PASSIVE_VALUE_TIME)),
            "LoadLimitSupplyState": "Disable" if state.value else "Unchanged",
            **{name: str(number.int) for (name, _), number in zip(LOAD_LIMIT[1:], numbers)}}


def billing_time_text(raw: bytes) -> str:
    """A 4-byte DLMS time (UTC) as xs:time, as 6.2.3's read-back shows it."""
    hour, minute, second, hundredths = (0 if b == 0xFF else b for b in raw[:4])
    return f"{hour:02d}:{minute:02d}:{second:02d}" + (f".{hundredths:02d}" if hundredths else "") + "Z"


_MONTHS_APART = {len(range(0, 12, step)): name for name, step in _EVERY_N_MONTHS.items()}


def billing_periodicity(use_case: str, dates: list[bytes]) -> dict[str, str]:
    """DUIS's periodicity of the execution dates billing_dates writes."""
    first = dates[0]
    if len(dates) == 1 and first[2] == 0xFF:
        if first[3] == 0xFF:
            return {"Daily": ""} if first[4] == 0xFF else {"Weekly": str(first[4])}
        return {"Monthly": str(first[3])}
    name = _MONTHS_APART.get(len(dates))
    if name is None or len({d[3] for d in dates}) != 1 or not all(1 <= d[2] <= 12 for d in dates):
        raise PayloadError(f"{use_case}: billing dates {[d.hex().upper() for d in dates]} are no periodicity DUIS "
                           f"names", 0)
    return {f"{name}/DayOfMonth": str(first[3]), f"{name}/BillingPeriodStartMonth": str(first[2])}


@accepts("ECS30", "ECS30a")
def billing_calendar_command(command: DeviceCommand) -> dict:
    schedule = set_value(command, BILLING_CALENDAR.class_id, str(BILLING_CALENDAR.instance), BILLING_CALENDAR.member)
    entries = [entry.items for entry in schedule.items]
    if not entries or any(len(e) != 2 or len(e[0].octets) != 4 or len(e[1].octets) != 5 for e in entries):
        raise PayloadError(f"{command.use_case}: execution_time must be (time, date) pairs", 0)
    periodicity = billing_periodicity(command.use_case, [date.octets for _, date in entries])
    return {f"{CALENDAR}/BillingTime": billing_time_text(entries[0][0].octets),
            **{f"{CALENDAR}/{name}": value for name, value in periodicity.items()}}


def execution_times(calendar: dict[str, str]) -> Data:
    """The execution_time a meter holds for a billing calendar named as 6.8's DUIS leaves (or 6.2.3's MMC
    ones, under BillingCalendar/): what billing_time and billing_dates write for that request."""
    values = {k.split(f"{CALENDAR}/", 1)[1]: v for k, v in calendar.items() if f"{CALENDAR}/" in k}
    if "BillingTime" not in values:
        return axdr.array()
    time = dt.time.fromisoformat(values["BillingTime"].replace("Z", "+00:00"))
    every = b"\xff\xff"
    if "Daily" in values:
        dates = [every + b"\xff\xff\xff"]
    elif "Weekly" in values:
        dates = [every + bytes((0xFF, 0xFF, int(values["Weekly"])))]
    elif "Monthly" in values:
        dates = [every + bytes((0xFF, int(values["Monthly"]), 0xFF))]
    else:
        name, step = next((n, s) for n, s in _EVERY_N_MONTHS.items() if f"{n}/DayOfMonth" in values)
        day, start = int(values[f"{name}/DayOfMonth"]), int(values[f"{name}/BillingPeriodStartMonth"])
        dates = [every + bytes(((start - 1 + k) % 12 + 1, day, 0xFF)) for k in range(0, 12, step)]
    raw = bytes((time.hour, time.minute, time.second, time.microsecond // 10000))
    return axdr.array(*(axdr.structure(axdr.octet_string(raw), axdr.octet_string(date)) for date in dates))


@accepts("ECS34")
def power_thresholds_command(command: DeviceCommand) -> dict:
    thresholds = set_value(command, POWER_THRESHOLDS.class_id, str(POWER_THRESHOLDS.instance),
                           POWER_THRESHOLDS.member).items
    if len(thresholds) != 2:
        raise PayloadError(f"ECS34: two thresholds, not {len(thresholds)}", 0)
    return {"LowMediumPowerThreshold": str(thresholds[0].int), "MediumHighPowerThreshold": str(thresholds[1].int)}


@accepts("ECS81")
def supply_tamper_state_command(command: DeviceCommand) -> dict:
    locked = set_value(command, SUPPLY_TAMPER_STATE.class_id, str(SUPPLY_TAMPER_STATE.instance),
                       SUPPLY_TAMPER_STATE.member)
    if locked.tag is not Tag.BOOLEAN:
        raise PayloadError(f"ECS81: the supply tamper state must be a boolean, not {locked.tag.label}", 0)
    return {"SupplyTamperState": "Locked" if locked.value else "Unchanged"}


@answers(*ALERT_SETTINGS, "ECS28a", "ECS30", "ECS30a", "ECS34", "ECS81")
def configured_answer(command: DeviceCommand, outcome: dict) -> bytes:
    return device.dlms_answer(command, outcome)


@accepts("ECS70Commission")
def clock_command(command: DeviceCommand) -> dict:
    """The validity interval the clock may be set in, as 8.1.1's (and 6.11's) CurrentDateTime and
    TolerancePeriod; the clock must be told to adjust to it."""
    actions = {(target.class_id, str(target.instance), target.member): data
               for target, data in device.action_values(command)}
    preset = actions.get((8, str(CLOCK), PRESET_ADJUSTING_TIME))
    adjusts = (8, str(CLOCK), ADJUST_TO_PRESET_TIME) in actions
    if preset is None or not adjusts:
        raise PayloadError(f"{command.use_case}: the command neither presets nor adjusts the clock", 0)
    start, end = (DlmsDateTime(item.octets).datetime for item in preset.items[1:3])
    if start is None or end is None or end < start:
        raise PayloadError(f"{command.use_case}: the validity interval {preset.plain()!r} is no interval", 0)
    return {"CurrentDateTime": utc_text(start), "TolerancePeriod": str(int((end - start).total_seconds()))}


@answers("ECS70Commission")
def clock_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """The gets read back the clock's time and status."""
    if not device.succeeded(outcome):
        return device.dlms_answer(command, outcome)
    time = dt.datetime.fromisoformat(outcome["DeviceTime"].replace("Z", "+00:00"))
    status = int(outcome.get("Electricity/ElecClockTimeStatus@TimeStatusCode", "0"))
    return device.dlms_answer(command, outcome, (axdr.octet_string(command_date_time(time)), axdr.unsigned(status)))
