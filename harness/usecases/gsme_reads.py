"""GSME and GPF reads (ZigBee GBZ): what a test engineer reads back from a gas meter.

  4.1.1  GCS13a  Read Attributes (Metering): divisor, multiplier, unit, current summation delivered
  4.1.2  GCS13c  Read Attributes (Metering): divisor, multiplier, unit, the four TOU tier registers
  4.3    GCS14   Read Attributes (Price: trailing digits, currency; Prepayment: debts and balances)
  4.4.2  GCS15b  Get Prepay Snapshot x12 then Get Snapshot x12, change of mode / tariff snapshots
  4.4.3  GCS15c  Get Snapshot x12 then Get Prepay Snapshot x12, billing calendar snapshots
  4.6.1  GCS16a  Get Snapshot x31, daily snapshots (the daily read log)
  4.14   GCS16b  Get Prepay Snapshot x31, daily snapshots (the prepayment daily read log)
  4.8.1  GCS17   Get Sampled Data, sample id 0: half-hourly consumption (profile data)
  4.17   GCS61   Get Sampled Data, sample id 1: daily consumption (GPF)
  6.13   CS10a/b Get Event Log, the event log (log id 3) or the security log (log id 4)

The answers to most of these travel encrypted for the requesting User (GBZ component control bit
0x02): they are opened with the User's KA key from the keystore (GBCS 4.3.3, KDF mode 04, the
supplementary remote party and its counter when the DCC sent the command on the User's behalf) and
decoded with `zcl.COMMANDS`; without the key they are passed on as ra:GBCSData format="encrypted".

Register values of 4.1.1/4.1.2 are scaled by the multiplier and divisor read in the same response.
Snapshot and sample values are the meter's raw units (the response carries no divisor; the Metering
cluster's divisor, attribute 0x0302, read by 4.1.1, scales them); prepayment values are the meter's
integers in its price trailing digits (attribute 0x0617 of the Price cluster, read by 4.3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from decimal import Decimal

from lxml import etree

from harness import catalogue
from harness.catalogue import DeviceType
from harness.gbcs import gbz, zcl
from harness.gbcs.axdr import PayloadError
from harness.usecases.mmc import M, decrypt, pass_on_encrypted, utc_text
from harness.usecases.registry import CommandContext, Originator, ResponseContext, command, response
from harness.usecases.request import DuisRequest, TransformError

GSME, GPF = DeviceType.GSME, DeviceType.GPF
PRICE, METERING, PREPAYMENT, EVENTS = 0x0700, 0x0702, 0x0705, 0x0709
CLIENT_TO_SERVER = zcl.FRAME_CLUSTER_SPECIFIC
GET_SNAPSHOT = {METERING: 0x06, PREPAYMENT: 0x07}
PUBLISH_SNAPSHOT = {METERING: 0x06, PREPAYMENT: 0x01}
GET_SAMPLED_DATA, GET_SAMPLED_DATA_RESPONSE = 0x08, 0x07
GET_EVENT_LOG, PUBLISH_EVENT_LOG = 0x00, 0x01

# Metering attributes (ZSE 1.4 D.3.2.2)
CURRENT_SUMMATION_DELIVERED, UNIT_OF_MEASURE, MULTIPLIER, DIVISOR = 0x0000, 0x0300, 0x0301, 0x0302
TIER_SUMMATIONS = (0x0100, 0x0102, 0x0104, 0x0106)         # Current Tier 1..4 Summation Delivered
CUBIC_METRES = {0x01, 0x81}                                   # m3 (binary, BCD)
# Price attributes: price trailing digit, currency
PRICE_TRAILING_DIGIT, CURRENCY = 0x0617, 0x0616
# Prepayment attributes and the MMC element each becomes (ReadInstantaneousPrepayValuesRsp order)
PAYMENT_CONTROL_CONFIGURATION = 0x0000
PREPAY_VALUES = ((0x0002, "EmergencyCreditBalance"), (0x0005, "AccumulatedDebtRegister"),
                 (0x0231, "PaymentDebtRegister"), (0x0211, "TimeDebtRegister1"), (0x0221, "TimeDebtRegister2"),
                 (0x0001, "MeterBalance"))
PREPAY_READ = (0x0005, 0x0002, 0x0001, 0x0231, 0x0211, 0x0221)   # the order the DCC asks for them

# Snapshot causes (ZSE 1.4 D.3.2.3.1.7) GBCS asks for, and how many snapshots each log holds.
CAUSE_GENERAL = 0x00000001                                    # daily snapshot
CAUSE_END_OF_BILLING_PERIOD = 0x00000002                      # billing calendar
CAUSE_CHANGE_OF_TARIFF_OR_MODE = 0x00006008                   # tariff information, price matrix, payment mode
BILLING_DATA_LOG_ENTRIES, DAILY_READ_LOG_ENTRIES = 12, 31

# Get Sampled Data: sample id 0 the half-hourly profile, 1 the daily consumption log (GBCS 7.x).
PROFILE, DAILY_CONSUMPTION = 0, 1
CONSUMPTION_DELIVERED = 0
HALF_HOUR, DAY = dt.timedelta(minutes=30), dt.timedelta(days=1)

# Get Event Log's event control / log id byte per DUIS LogToRead: the event log (id 3, full details)
# or the security log (id 4).
EVENT_LOGS = {"Event": 0x13, "Security": 0x04}


# -- Transform ---------------------------------------------------------------------------------------------

def read_attributes(cluster: int, attributes: Iterable[int]) -> gbz.ZclCommand:
    return gbz.ZclCommand(cluster, 0x00, zcl.READ_ATTRIBUTES, {"attributes": list(attributes)})


def gbz_time(request: DuisRequest, path: str) -> int:
    """A request date-time as GBZ seconds (a UTCTime of the ZCL payload)."""
    value = request.date_time(path)
    if value is None:
        request.require(path)
    seconds = gbz.gbz_seconds(value)  # type: ignore[arg-type]
    if not 0 < seconds < 0xFFFFFFFF:
        raise TransformError(f"{request.srv} sr:{path}: {value} is outside the ZigBee UTCTime range",
                             where=request.where)
    return seconds


def log_period(request: DuisRequest) -> tuple[int, int]:
    start, end = gbz_time(request, "ReadLogPeriod/StartDateTime"), gbz_time(request, "ReadLogPeriod/EndDateTime")
    if end < start:
        raise TransformError(f"{request.srv} sr:ReadLogPeriod: EndDateTime is before StartDateTime",
                             where=request.where)
    return start, end


@command("4.1.1", "GCS13a", devices=(GSME, GPF))
def read_import_register(request: DuisRequest, ctx: CommandContext) -> bytes:
    return gbz.command_payload([read_attributes(METERING, (DIVISOR, MULTIPLIER, UNIT_OF_MEASURE, CURRENT_SUMMATION_DELIVERED))])


@command("4.1.2", "GCS13c", devices=(GSME, GPF))
def read_tou_registers(request: DuisRequest, ctx: CommandContext) -> bytes:
    return gbz.command_payload([read_attributes(METERING, (DIVISOR, MULTIPLIER, UNIT_OF_MEASURE, *TIER_SUMMATIONS))])


@command("4.3", "GCS14", devices=(GSME, GPF))
def read_prepay_values(request: DuisRequest, ctx: CommandContext) -> bytes:
    return gbz.command_payload([read_attributes(PRICE, (PRICE_TRAILING_DIGIT, CURRENCY)),
                        read_attributes(PREPAYMENT, PREPAY_READ)])


def get_snapshots(request: DuisRequest, plan: Sequence[tuple[int, int]], cause: int) -> bytes:
    """One Get Snapshot / Get Prepay Snapshot per snapshot the log can hold (offsets 0, 1 ...): a ZCL
    command returns one snapshot, and the DCC asks for all of them in one GBZ payload."""
    start, end = log_period(request)
    return gbz.command_payload([(cluster, CLIENT_TO_SERVER, GET_SNAPSHOT[cluster],
                         {"earliest_start_time": start, "latest_end_time": end, "snapshot_offset": offset,
                          "snapshot_cause": cause})
                        for cluster, count in plan for offset in range(count)])


@command("4.4.2", "GCS15b", devices=(GSME,))
def read_tariff_triggered_billing_data_log(request: DuisRequest, ctx: CommandContext) -> bytes:
    return get_snapshots(request, ((PREPAYMENT, BILLING_DATA_LOG_ENTRIES), (METERING, BILLING_DATA_LOG_ENTRIES)),
                         CAUSE_CHANGE_OF_TARIFF_OR_MODE)


@command("4.4.3", "GCS15c", devices=(GSME,))
def read_billing_calendar_billing_data_log(request: DuisRequest, ctx: CommandContext) -> bytes:
    return get_snapshots(request, ((METERING, BILLING_DATA_LOG_ENTRIES), (PREPAYMENT, BILLING_DATA_LOG_ENTRIES)),
                         CAUSE_END_OF_BILLING_PERIOD)


@command("4.6.1", "GCS16a", devices=(GSME,))
def read_daily_read_log(request: DuisRequest, ctx: CommandContext) -> bytes:
    return get_snapshots(request, ((METERING, DAILY_READ_LOG_ENTRIES),), CAUSE_GENERAL)


def _urp(request: DuisRequest) -> bool:
    """An Unknown Remote Party sends its KA certificate: the DCC then originates the command (ACB)."""
    return request.has("KAPublicSecurityCredentials")


def _krp(request: DuisRequest) -> bool:
    return not _urp(request)


@command("4.14", "GCS16b", devices=(GSME, GPF), applies=_krp)
@command("4.14", "GCS16b", devices=(GSME, GPF), applies=_urp, originator=Originator.ACB)
def read_prepayment_daily_read_log(request: DuisRequest, ctx: CommandContext) -> bytes:
    return get_snapshots(request, ((PREPAYMENT, DAILY_READ_LOG_ENTRIES),), CAUSE_GENERAL)


def get_sampled_data(request: DuisRequest, sample_id: int, interval: dt.timedelta) -> bytes:
    """Get Sampled Data from StartDateTime, as many samples as the period holds, both ends included."""
    start, end = log_period(request)
    count = (end - start) // int(interval.total_seconds()) + 1
    if count > 0xFFFF:
        raise TransformError(f"{request.srv} sr:ReadLogPeriod: {count} samples, more than one command can ask for",
                             where=request.where)
    return gbz.command_payload([(METERING, CLIENT_TO_SERVER, GET_SAMPLED_DATA,
                         {"sample_id": sample_id, "earliest_sample_time": start, "sample_type": CONSUMPTION_DELIVERED,
                          "number_of_samples": count})])


@command("4.8.1", "GCS17", devices=(GSME,))
def read_profile_data(request: DuisRequest, ctx: CommandContext) -> bytes:
    return get_sampled_data(request, PROFILE, HALF_HOUR)


@command("4.17", "GCS61", devices=(GPF,), applies=_krp)
@command("4.17", "GCS61", devices=(GPF,), applies=_urp, originator=Originator.ACB)
def read_daily_consumption_log(request: DuisRequest, ctx: CommandContext) -> bytes:
    return get_sampled_data(request, DAILY_CONSUMPTION, DAY)


def _log(name: str):
    return lambda request: request.text("LogToRead") == name


@command("6.13", "CS10a", devices=(GSME, GPF), applies=_log("Event"))
@command("6.13", "CS10b", devices=(GSME, GPF), applies=_log("Security"))
def read_event_log(request: DuisRequest, ctx: CommandContext) -> bytes:
    start, end = log_period(request)
    return gbz.command_payload([(EVENTS, CLIENT_TO_SERVER, GET_EVENT_LOG,
                         {"event_control_log_id": EVENT_LOGS[request.require("LogToRead")], "event_id": 0,
                          "start_time": start, "end_time": end, "number_of_events": 0, "event_offset": 0})])


# -- Parse: opening encrypted components ---------------------------------------------------------------

_CIPHERTEXT_START = 17   # control, cluster, length, additional control, frame counter, ZCL header, length, security header


def opened(ctx: ResponseContext) -> list[gbz.Component]:
    """The response's components, encrypted ZCL payloads decrypted and decoded where the keystore holds
    the User's KA key; the others are passed on as ra:GBCSData and keep `frame.values` None."""
    payload = ctx.payload.value  # type: ignore[attr-defined]
    out, pos = [], 3
    for component in payload.components:
        size = len(component.encode())
        if component.encrypted and component.frame.values is None and component.ciphered is not None:
            sealed = component.ciphered.ciphertext + component.ciphered.tag
            plain = decrypt(ctx, sealed)
            if plain is None:
                pass_on_encrypted(ctx, component.encode(), kind="zigbeeCiphered", name=(
                    f"{zcl.CLUSTERS.get(component.cluster, 'cluster')} {component.frame.name(component.cluster)}"))
            else:
                try:
                    component = component.with_plaintext(plain)
                except PayloadError as exc:   # the plaintext byte k is the payload byte at ciphertext + k
                    raise PayloadError(f"{ctx.use_case}: decrypted ZigBee GBZ payload: {exc.reason}",
                                       pos + _CIPHERTEXT_START + exc.offset - 3) from None
        out.append(component)
        pos += size
    return out


def frames(components: Iterable[gbz.Component], cluster: int, command: int) -> list[dict]:
    """The decoded values of each cluster-specific response `command` of `cluster`."""
    return [c.frame.values for c in components
            if c.cluster == cluster and c.frame.cluster_specific and c.frame.command == command
            and c.frame.values is not None]


def attributes(components: Iterable[gbz.Component], cluster: int) -> tuple[dict[int, Any], bool]:
    """Attribute values of the Read Attributes Responses of `cluster`, and whether all were read."""
    values, ok = {}, True
    for c in components:
        if c.cluster != cluster or c.frame.cluster_specific or c.frame.values is None:
            continue
        if c.frame.command == zcl.READ_ATTRIBUTES_RESPONSE:
            for record in c.frame.values["records"]:
                ok &= record["status"] == 0
                if record["status"] == 0:
                    values[record["attribute"]] = record["value"]
        elif c.frame.command == zcl.DEFAULT_RESPONSE:
            ok &= c.frame.values["status"] == 0
    return values, ok


def all_found(components: Iterable[gbz.Component]) -> bool:
    """A log read succeeded when every default response says SUCCESS or NOT_FOUND (no more entries)."""
    return all(c.frame.values["status"] in (0x00, 0x8B) for c in components
               if not c.frame.cluster_specific and c.frame.command == zcl.DEFAULT_RESPONSE and c.frame.values)


def success(rsp: etree._Element, ok: bool) -> None:
    rsp.set("MessageSuccess", "true" if ok else "false")


# -- Parse: values -------------------------------------------------------------------------------------------

def scaled(raw: int, multiplier: int, divisor: int) -> str:
    """A register in its unit: raw x multiplier / divisor, as many decimals as a power-of-ten divisor gives."""
    value = raw * multiplier
    if divisor in (0, 1):
        return str(value)
    digits = str(divisor)
    if digits.strip("0") == "1":
        return str(Decimal(value).scaleb(-(len(digits) - 1)))
    return format(Decimal(value) / Decimal(divisor), "f")


def timestamp(seconds: int) -> str:
    return utc_text(gbz.gbz_time(seconds))


def indexed(name: str, values: Iterable[int]) -> list[etree._Element]:
    return [M(name, str(v), index=str(i)) for i, v in enumerate(values, start=1)]


def unscaled(ctx: ResponseContext, values: dict) -> bool:
    """Whether the multiplier and divisor were read to scale registers with; a note when not."""
    if MULTIPLIER in values and DIVISOR in values:
        return True
    ctx.notes.append(f"{ctx.use_case}: the meter did not return its multiplier and divisor, so its registers "
                     f"cannot be scaled and are left out")
    return False


@response("GCS13a")
def import_register(ctx: ResponseContext, rsp: etree._Element) -> None:
    values, ok = attributes(opened(ctx), METERING)
    register = M.ConsumptionRegister()
    if CURRENT_SUMMATION_DELIVERED in values and unscaled(ctx, values):
        register.append(M.Value(scaled(values[CURRENT_SUMMATION_DELIVERED], values[MULTIPLIER], values[DIVISOR])))
    if values.get(UNIT_OF_MEASURE) in CUBIC_METRES:
        register.append(M.Unit("m3"))
    rsp.append(M.Gas(register) if len(register) else M.Gas())
    if not ok:
        success(rsp, False)


@response("GCS13c")
def tou_registers(ctx: ResponseContext, rsp: etree._Element) -> None:
    values, ok = attributes(opened(ctx), METERING)
    gas = M.Gas()
    if any(a in values for a in TIER_SUMMATIONS) and unscaled(ctx, values):
        matrix = M.TariffTOURegisterMatrix()
        for index, attribute in enumerate(TIER_SUMMATIONS, start=1):
            if attribute in values:
                matrix.append(M.TOURegisterMatrixValue(scaled(values[attribute], values[MULTIPLIER], values[DIVISOR]),
                                                       index=str(index)))
        gas.append(matrix)
    rsp.append(gas)
    if not ok:
        success(rsp, False)


@response("GCS14")
def prepay_values(ctx: ResponseContext, rsp: etree._Element) -> None:
    components = opened(ctx)
    values, ok = attributes(components, PREPAYMENT)
    rsp.extend(M(name, str(values[attribute])) for attribute, name in PREPAY_VALUES if attribute in values)
    ok &= attributes(components, PRICE)[1]
    if not ok:
        success(rsp, False)


def prepayment_data(name: str, snapshot: dict) -> etree._Element:
    """A Publish Prepay Snapshot's debt/credit status as MMC PrepaymentOperationalDataType."""
    out = M(name)
    for field, element in (("accumulated_debt", "AccumulatedDebtRegister"),
                           ("emergency_credit_remaining", "EmergencyCreditBalance"), ("credit_remaining", "MeterBalance"),
                           ("type3_debt_remaining", "PaymentDebtRegister"), ("type1_debt_remaining", "TimeDebtRegisters1"),
                           ("type2_debt_remaining", "TimeDebtRegisters2")):
        if field in snapshot:
            out.append(M(element, str(snapshot[field])))
    out.append(M.Timestamp(timestamp(snapshot["snapshot_time"])))
    return out


def registers(snapshot: dict) -> tuple[list[int], list[int]]:
    """A Publish Snapshot's TOU tier registers and block registers."""
    return ([t["summation"] for t in snapshot.get("tier_summations", ())],
            [b["summation"] for b in snapshot.get("block_summations", ())])


def consumption(snapshot: dict) -> list[str]:
    value = snapshot.get("current_summation_delivered")
    return [] if value is None else [str(value)]


@response("GCS15b")
def tariff_triggered_billing_data_log(ctx: ResponseContext, rsp: etree._Element) -> None:
    components = opened(ctx)
    gas = M.Gas()
    for snapshot in frames(components, METERING, PUBLISH_SNAPSHOT[METERING])[:BILLING_DATA_LOG_ENTRIES]:
        tou, blocks = registers(snapshot)
        entry = M.LogEntryConsumptionRegister(*(M.ConsumptionRegister(v) for v in consumption(snapshot)),
                                              M.Timestamp(timestamp(snapshot["snapshot_time"])))
        entry.extend(indexed("TariffTOURegisterMatrixValue", tou) + indexed("BlockRegisterMatrixValue", blocks))
        gas.append(entry)
    for snapshot in frames(components, PREPAYMENT, PUBLISH_SNAPSHOT[PREPAYMENT])[:BILLING_DATA_LOG_ENTRIES]:
        gas.append(prepayment_data("LogEntryPrepaymentData", snapshot))
    rsp.append(gas)
    success(rsp, all_found(components))


@response("GCS15c")
def billing_calendar_billing_data_log(ctx: ResponseContext, rsp: etree._Element) -> None:
    components = opened(ctx)
    gas = M.Gas()
    for snapshot in frames(components, METERING, PUBLISH_SNAPSHOT[METERING])[:BILLING_DATA_LOG_ENTRIES]:
        tou, blocks = registers(snapshot)
        entry = M.GSMEBillingDataLogEntry(M.Timestamp(timestamp(snapshot["snapshot_time"])),
                                          *(M.ActiveImportRegisterValueConsumption(v) for v in consumption(snapshot)))
        entry.extend(indexed("BlockRegisterMatrixValue", blocks) + indexed("TariffTOURegisterMatrixValue", tou))
        gas.append(entry)
    for snapshot in frames(components, PREPAYMENT, PUBLISH_SNAPSHOT[PREPAYMENT])[:BILLING_DATA_LOG_ENTRIES]:
        gas.append(prepayment_data("GSMEBillingPrepaymentDataLogEntry", snapshot))
    rsp.append(gas)
    success(rsp, all_found(components))


@response("GCS16a")
def daily_read_log(ctx: ResponseContext, rsp: etree._Element) -> None:
    components = opened(ctx)
    for snapshot in frames(components, METERING, PUBLISH_SNAPSHOT[METERING])[:DAILY_READ_LOG_ENTRIES]:
        tou, blocks = registers(snapshot)
        gas = M.Gas(*(M.GasActiveImportRegisterConsumption(v) for v in consumption(snapshot)))
        gas.extend(indexed("TariffBlockCounterMatrix", blocks) + indexed("TariffTOURegisterMatrix", tou))
        rsp.append(M.LogEntry(M.Timestamp(timestamp(snapshot["snapshot_time"])), gas))
    success(rsp, all_found(components))


@response("GCS16b")
def prepayment_daily_read_log(ctx: ResponseContext, rsp: etree._Element) -> None:
    components = opened(ctx)
    gas = M.Gas(*(prepayment_data("LogEntry", snapshot) for snapshot
                  in frames(components, PREPAYMENT, PUBLISH_SNAPSHOT[PREPAYMENT])[:DAILY_READ_LOG_ENTRIES]))
    rsp.append(gas)
    success(rsp, all_found(components))


def samples(components: Iterable[gbz.Component]) -> list[tuple[str, int]]:
    """(timestamp, value) of each sample of the Get Sampled Data Responses: sample i was taken at the
    sample start time plus i intervals (daily consumption: i days; ZSE has no interval for a day)."""
    out = []
    for data in frames(components, METERING, GET_SAMPLED_DATA_RESPONSE):
        step = DAY.total_seconds() if data["sample_id"] == DAILY_CONSUMPTION else data["sample_request_interval"]
        out += [(timestamp(data["sample_start_time"] + int(i * step)), s["sample"])
                for i, s in enumerate(data["samples"])]
    return out


@response("GCS17")
def profile_data(ctx: ResponseContext, rsp: etree._Element) -> None:
    rsp.extend(M.LogEntry(M.Timestamp(when), M.Gas(M.PrimaryValue(str(value))))
               for when, value in samples(opened(ctx))[:19056])


@response("GCS61")
def daily_consumption_log(ctx: ResponseContext, rsp: etree._Element) -> None:
    rsp.append(M.Gas(*(M.LogEntry(M.Value(str(value)), M.Timestamp(when))
                       for when, value in samples(opened(ctx))[:731])))


def event_meaning(code: int) -> str | None:
    try:
        return catalogue.device_alert(code).name[:200]
    except catalogue.UnknownEntry:
        return None


@response("CS10a", "CS10b")
def event_log(ctx: ResponseContext, rsp: etree._Element) -> None:
    published = frames(opened(ctx), EVENTS, PUBLISH_EVENT_LOG)
    if not published:
        return
    log = M.Log()
    for event in [e for p in published for e in p["events"]][:100]:
        entry = M.LogEntry(M.Timestamp(timestamp(event["event_time"])), M.LogCode(f"{event['event_id']:04X}"))
        meaning = event_meaning(event["event_id"])
        if meaning:
            entry.append(M.LogMeaning(meaning))
        if event["event_data"]:
            entry.append(M.OtherInformation(event["event_data"].hex().upper()))
        log.append(entry)
    rsp.append(log)
