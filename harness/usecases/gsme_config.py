"""GSME configuration (ZigBee GBZ): alert behaviours, payment mode read, gas conversion, billing calendar
and MPRN.

  6.22    GCS20         Set Event Configuration (Device Management), one per distinct configuration
  6.2.9   GCS21j        Read Attributes (Prepayment): Payment Control Configuration
  6.6     GCS23         Publish Conversion Factor, Publish Calorific Value (Price)
  6.8     GCS25/GCS25a  Publish Billing Period, Publish Block Period (Price); GCS25 monthly, GCS25a any
  6.20.1  GCS41         Update Site ID (Device Management): the MPRN

Every published command carries the DSP clock as issuer event id and starts now (UTCTime 0). The GSME reads
and answers each (Device side); the GPF answers GCS21j with the payment mode of the GSME it mirrors.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from lxml import etree

from harness.catalogue import DeviceType, PaymentMode
from harness.gbcs import gbz, zcl
from harness.gbcs.axdr import PayloadError
from harness.usecases import device
from harness.usecases.gsme_reads import (
    PAYMENT_CONTROL_CONFIGURATION,
    PREPAYMENT,
    PRICE,
    attributes,
    gbz_time,
    opened,
    read_attributes,
    success,
    timestamp,
)
from harness.usecases.mmc import M
from harness.usecases.registry import (
    CommandContext,
    DeviceCommand,
    ResponseContext,
    accepts,
    answers,
    command,
    response,
)
from harness.usecases.request import DuisRequest, TransformError

GSME, GPF = DeviceType.GSME, DeviceType.GPF
DEVICE_MANAGEMENT = 0x0708
SERVER_TO_CLIENT = zcl.FRAME_CLUSTER_SPECIFIC | zcl.FRAME_SERVER_TO_CLIENT
NOW, PROVIDER_ID = 0, 0

# Event Configuration (ZSE 1.4 Device Management): bits 0-2 the log (3, the GSME event log), bit 3 push
# to the WAN (alert), bit 4 push to the HAN, bit 6 raise the physical alarm.
EVENT_SETTINGS = (("EventLog", 0x03), ("WANAlert", 0x08), ("HANAlert", 0x10), ("Alarm", 0x40))
SET_EVENT_CONFIGURATION, APPLY_BY_LIST = 0x04, 0x00

# Price cluster commands and the fixed parts of GCS23 / GCS25
PUBLISH_BLOCK_PERIOD, PUBLISH_CONVERSION_FACTOR = 0x01, 0x02
PUBLISH_CALORIFIC_VALUE, PUBLISH_BILLING_PERIOD = 0x03, 0x09
CONVERSION_FACTOR_DIGITS, CALORIFIC_VALUE_DIGITS = 5, 1          # DUIS fraction digits, ZCL trailing digit
MJ_PER_M3 = 0x01
TARIFF_TYPE_DELIVERED = 0x00
BLOCK_PERIOD_CONTROL = 0x02            # the block period repeats
TARIFF_RESOLUTION_BLOCK_PERIOD = 0x01
# Billing period duration and duration type (timebase in bits 0-3: 1 days, 2 weeks, 3 months; bits 4-7
# control 2: not specified) per DUIS Periodicity.
PERIODICITY = {"Daily": (1, 0x21), "Weekly": (1, 0x22), "Monthly": (1, 0x23), "Quarterly": (3, 0x23),
               "SixMonthly": (6, 0x23), "Yearly": (12, 0x23)}

UPDATE_SITE_ID = 0x03

# Payment Control Configuration bits (ZSE 1.4 D.7.2.2.1.1)
PREPAYMENT_ENABLED, DEBT_CONFIGURATION, EMERGENCY_DEBT_CONFIGURATION = 0x0002, 0x0400, 0x0800


def issuer_event_id(ctx: CommandContext) -> int:
    return gbz.gbz_seconds(ctx.now)


def enabled(request: DuisRequest, path: str) -> bool:
    value = request.require(path)
    if value not in ("Enable", "Disable"):
        raise TransformError(f"{request.srv} sr:{path}: {value!r} is neither Enable nor Disable", where=request.where)
    return value == "Enable"


@command("6.22", "GCS20", devices=(GSME,))
def configure_alert_behaviour(request: DuisRequest, ctx: CommandContext) -> bytes:
    """Events grouped by configuration, the groups in the order the request first names them. A ZigBee
    event configuration sets log, WAN, HAN and alarm together, so DUIS GasSupplierAlerts (WAN alert
    only) has no GCS20 form."""
    settings = request.find("GasSupplierAlertEventSettings")
    if settings is None:
        if request.has("GasSupplierAlerts"):
            raise TransformError(f"{request.srv} sr:GasSupplierAlerts: a GSME event configuration needs WANAlert, "
                                 f"HANAlert, EventLog and Alarm together (sr:GasSupplierAlertEventSettings)",
                                 where=request.where)
        settings = request.element("GasSupplierAlertEventSettings")
    groups: dict[int, list[int]] = {}
    for node in settings:
        if not isinstance(node.tag, str):
            continue
        name = etree.QName(node).localname
        path = f"GasSupplierAlertEventSettings/{name}"
        configuration = sum(bit for element, bit in EVENT_SETTINGS if enabled(request, f"{path}/{element}"))
        groups.setdefault(configuration, []).append(int(name[1:], 16))
    if not groups:
        raise TransformError(f"{request.srv} sr:GasSupplierAlertEventSettings names no alert", where=request.where)
    return gbz.command_payload([(DEVICE_MANAGEMENT, SERVER_TO_CLIENT, SET_EVENT_CONFIGURATION,
                         {"issuer_event_id": issuer_event_id(ctx), "start_date_time": NOW,
                          "event_configuration": configuration, "configuration_control": APPLY_BY_LIST,
                          "number_of_events": len(events), "event_ids": [{"event_id": e} for e in events]})
                        for configuration, events in groups.items()])


PAYMENT_MODE_READS = (read_attributes(PREPAYMENT, (PAYMENT_CONTROL_CONFIGURATION,)),)


@command("6.2.9", "GCS21j", devices=(GSME, GPF))
def read_payment_mode(request: DuisRequest, ctx: CommandContext) -> bytes:
    return gbz.command_payload(PAYMENT_MODE_READS)


def fixed_point(request: DuisRequest, path: str, digits: int) -> int:
    """A DUIS decimal as the integer a ZCL value with `digits` trailing digits carries."""
    raw = request.require(path)
    try:
        value = Decimal(raw).scaleb(digits)
    except InvalidOperation:
        raise TransformError(f"{request.srv} sr:{path}: {raw!r} is not a decimal", where=request.where) from None
    if value != value.to_integral_value() or not 0 <= value <= 0xFFFFFFFF:
        raise TransformError(f"{request.srv} sr:{path}: {raw} does not fit {digits} decimal places in 32 bits",
                             where=request.where)
    return int(value)


@command("6.6", "GCS23", devices=(GSME,))
def update_gas_conversion(request: DuisRequest, ctx: CommandContext) -> bytes:
    event = issuer_event_id(ctx)
    return gbz.command_payload([
        (PRICE, SERVER_TO_CLIENT, PUBLISH_CONVERSION_FACTOR,
         {"issuer_event_id": event, "start_time": NOW,
          "conversion_factor": fixed_point(request, "ConversionFactor", CONVERSION_FACTOR_DIGITS),
          "conversion_factor_trailing_digit": CONVERSION_FACTOR_DIGITS << 4}),
        (PRICE, SERVER_TO_CLIENT, PUBLISH_CALORIFIC_VALUE,
         {"issuer_event_id": event, "start_time": NOW,
          "calorific_value": fixed_point(request, "CalorificValue", CALORIFIC_VALUE_DIGITS),
          "calorific_value_unit": MJ_PER_M3, "calorific_value_trailing_digit": CALORIFIC_VALUE_DIGITS << 4})])


def _monthly(request: DuisRequest) -> bool:
    return request.text("GasBillingCalendar/Periodicity") == "Monthly"


# GCS25 (monthly only) is kept for the CH's tapping off; the RTDS pairs a monthly request with it and
# every other periodicity with GCS25a.
@command("6.8", "GCS25", devices=(GSME,), applies=_monthly)
@command("6.8", "GCS25a", devices=(GSME,), applies=lambda request: not _monthly(request))
def update_billing_calendar(request: DuisRequest, ctx: CommandContext) -> bytes:
    start = gbz_time(request, "GasBillingCalendar/BillingPeriodStart")
    periodicity = request.require("GasBillingCalendar/Periodicity")
    if periodicity not in PERIODICITY:
        raise TransformError(f"{request.srv} sr:GasBillingCalendar/Periodicity: {periodicity!r} is not one of "
                             f"{', '.join(PERIODICITY)}", where=request.where)
    duration, duration_type = PERIODICITY[periodicity]
    event = issuer_event_id(ctx)
    return gbz.command_payload([
        (PRICE, SERVER_TO_CLIENT, PUBLISH_BILLING_PERIOD,
         {"provider_id": PROVIDER_ID, "issuer_event_id": event, "billing_period_start_time": start,
          "billing_period_duration": duration, "billing_period_duration_type": duration_type,
          "tariff_type": TARIFF_TYPE_DELIVERED}),
        (PRICE, SERVER_TO_CLIENT, PUBLISH_BLOCK_PERIOD,
         {"provider_id": PROVIDER_ID, "issuer_event_id": event, "block_period_start_time": start,
          "block_period_duration": duration, "block_period_control": BLOCK_PERIOD_CONTROL,
          "block_period_duration_type": duration_type, "tariff_type": TARIFF_TYPE_DELIVERED,
          "tariff_resolution_period": TARIFF_RESOLUTION_BLOCK_PERIOD})])


@command("6.20.1", "GCS41", devices=(GSME,), applies=lambda request: request.has("ImportMPRN"))
def set_mprn(request: DuisRequest, ctx: CommandContext) -> bytes:
    return gbz.command_payload([(DEVICE_MANAGEMENT, SERVER_TO_CLIENT, UPDATE_SITE_ID,
                         {"issuer_event_id": issuer_event_id(ctx), "site_id_time": NOW, "provider_id": PROVIDER_ID,
                          "site_id": request.require("ImportMPRN").encode("utf-8")})])


# -- Parse -------------------------------------------------------------------------------------------------

@response("GCS20", "GCS23", "GCS25", "GCS25a", "GCS41")
def configured(ctx: ResponseContext, rsp: etree._Element) -> None:
    """These responses carry nothing beyond MessageSuccess and each command's default response."""


@response("GCS21j")
def payment_mode(ctx: ResponseContext, rsp: etree._Element) -> None:
    values, ok = attributes(opened(ctx), PREPAYMENT)
    configuration = values.get(PAYMENT_CONTROL_CONFIGURATION)
    if isinstance(configuration, int):
        # GCS02/GCS03 set Debt Configuration for SuspendDebtDisabled and clear Emergency Debt
        # Configuration for SuspendDebtEmergency (debt is then not collected from emergency credit).
        mode = PaymentMode.PREPAYMENT if configuration & PREPAYMENT_ENABLED else PaymentMode.CREDIT
        rsp.extend((M.PaymentMode(mode),
                    M.SuspendDebtEmergency(str(not configuration & EMERGENCY_DEBT_CONFIGURATION).lower()),
                    M.SuspendDebtDisabled(str(bool(configuration & DEBT_CONFIGURATION)).lower())))
    if not ok:
        success(rsp, False)


# -- Device side ----------------------------------------------------------------------------------------
# Payment Control Configuration bits a GSME keeps besides the three GCS21j reads (as the RTDS meter has them).
OTHER_PAYMENT_CONTROL_BITS = 0x0C97 & ~(PREPAYMENT_ENABLED | DEBT_CONFIGURATION | EMERGENCY_DEBT_CONFIGURATION)


@accepts("GCS21j")
def read_payment_mode_command(command: DeviceCommand) -> dict:
    device.only_commands(command, PAYMENT_MODE_READS)
    return {}


@answers("GCS21j")
def payment_mode_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """The Payment Control Configuration of the GSME (a GPF: of the GSME it mirrors)."""
    bits = OTHER_PAYMENT_CONTROL_BITS
    bits |= PREPAYMENT_ENABLED if outcome.get("PaymentMode") == PaymentMode.PREPAYMENT else 0
    bits |= DEBT_CONFIGURATION if device.truth(outcome, "SuspendDebtDisabled") else 0
    bits |= 0 if device.truth(outcome, "SuspendDebtEmergency") else EMERGENCY_DEBT_CONFIGURATION
    return device.read_attributes_answer(command, outcome, {(PREPAYMENT, PAYMENT_CONTROL_CONFIGURATION):
                                                               ("map16", bits)})


@accepts("GCS41")
def set_mprn_command(command: DeviceCommand) -> dict:
    site = device.component_values(command, DEVICE_MANAGEMENT, UPDATE_SITE_ID)["site_id"]
    return {"ImportMPRN": site.decode("utf-8", "replace")}


@answers("GCS41")
def configured_answer(command: DeviceCommand, outcome: dict) -> bytes:
    return device.set_answer(command, outcome)


# A GSME reads these commands back into the DUIS names its firmware model keeps them under (the 6.22, 6.6 and
# 6.8 request bodies' leaves), and answers each ZCL command with a Default Response.

@accepts("GCS20")
def configure_alert_behaviour_command(command: DeviceCommand) -> dict:
    """Each event's WAN, HAN, log and alarm settings from the configuration its Set Event Configuration gives."""
    fields = {}
    for component in device.gbz_command(command).components:
        values = component.frame.values or {}
        if component.cluster != DEVICE_MANAGEMENT or component.frame.command != SET_EVENT_CONFIGURATION:
            raise PayloadError(f"GCS20: expected Set Event Configuration commands only, found cluster "
                               f"0x{component.cluster:04X} command 0x{component.frame.command:02X}", 0)
        for event in values["event_ids"]:
            path = f"GasSupplierAlertEventSettings/x{event['event_id']:04X}"
            fields.update({f"{path}/{element}": "Enable" if values["event_configuration"] & bit else "Disable"
                           for element, bit in EVENT_SETTINGS})
    return fields


def decimal_text(value: int, digits: int) -> str:
    """A ZCL value with `digits` trailing digits as the DUIS decimal it came from."""
    return str(Decimal(value).scaleb(-digits))


@accepts("GCS23")
def update_gas_conversion_command(command: DeviceCommand) -> dict:
    factor = device.component_values(command, PRICE, PUBLISH_CONVERSION_FACTOR)
    calorific = device.component_values(command, PRICE, PUBLISH_CALORIFIC_VALUE)
    return {"ConversionFactor": decimal_text(factor["conversion_factor"],
                                             factor["conversion_factor_trailing_digit"] >> 4),
            "CalorificValue": decimal_text(calorific["calorific_value"],
                                           calorific["calorific_value_trailing_digit"] >> 4)}


PERIODICITY_NAMES = {duration: name for name, duration in PERIODICITY.items()}


@accepts("GCS25", "GCS25a")
def update_billing_calendar_command(command: DeviceCommand) -> dict:
    """The billing calendar, and the issuer event id a 6.2.3 read reports it under (no DUIS element)."""
    period = device.component_values(command, PRICE, PUBLISH_BILLING_PERIOD)
    duration = (period["billing_period_duration"], period["billing_period_duration_type"])
    if duration not in PERIODICITY_NAMES:
        raise PayloadError(f"{command.use_case}: a billing period of {duration[0]} (type 0x{duration[1]:02X}) is no "
                           f"DUIS periodicity", 0)
    return {"GasBillingCalendar/BillingPeriodStart": timestamp(period["billing_period_start_time"]),
            "GasBillingCalendar/Periodicity": PERIODICITY_NAMES[duration], "issuer_event_id": period["issuer_event_id"]}


answers("GCS20", "GCS23", "GCS25", "GCS25a")(device.set_answer)
