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
  alert  GCS53   0x8F0A Billing Data Log Updated: a Publish Snapshot (Metering) pushed to the supplier

The answers to most of these travel encrypted for the requesting User (GBZ component control bit
0x02): they are opened with the User's KA key from the keystore (GBCS 4.3.3, KDF mode 04, the
supplementary remote party and its counter when the DCC sent the command on the User's behalf) and
decoded with `zcl.COMMANDS`; without the key they are passed on as ra:GBCSData format="encrypted".

Register values of 4.1.1/4.1.2 are scaled by the multiplier and divisor read in the same response.
Snapshot and sample values are the meter's raw units (the response carries no divisor; the Metering
cluster's divisor, attribute 0x0302, read by 4.1.1, scales them); prepayment values are the meter's
integers in its price trailing digits (attribute 0x0617 of the Price cluster, read by 4.3).

The device side (at the end) reads these commands as a GSME or GPF does and answers as the RTDS meters do;
its GBZ answer helpers (one reply per ZCL command, encryption, failures) serve the other GSME families too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from lxml import etree

from harness import catalogue
from harness.catalogue import DeviceType
from harness.gbcs import gbz, zcl
from harness.gbcs.axdr import PayloadError
from harness.usecases import device
from harness.usecases.mmc import M, decrypt, pass_on_encrypted, utc_text
from harness.usecases.registry import (
    CommandContext,
    DeviceCommand,
    Originator,
    ResponseContext,
    accepts,
    answers,
    command,
    gbz_payload,
    response,
)
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


def gbz_time(request: DuisRequest, path: str, *, epoch: bool = False) -> int:
    """A request date-time as GBZ seconds (a UTCTime of the ZCL payload). 0 means 'now' where a command
    takes effect, so only a period's bound (`epoch`) may be 2000-01-01T00:00:00Z (a whole log's start)."""
    value = request.required_date_time(path)
    seconds = gbz.gbz_seconds(value)
    if not (0 if epoch else 1) <= seconds < 0xFFFFFFFF:
        raise TransformError(f"{request.srv} sr:{path}: {value} is outside the ZigBee UTCTime range",
                             where=request.where)
    return seconds


def log_period(request: DuisRequest) -> tuple[int, int]:
    start = gbz_time(request, "ReadLogPeriod/StartDateTime", epoch=True)
    end = gbz_time(request, "ReadLogPeriod/EndDateTime", epoch=True)
    if end < start:
        raise TransformError(f"{request.srv} sr:ReadLogPeriod: EndDateTime is before StartDateTime",
                             where=request.where)
    return start, end


@command("4.1.1", "GCS13a", devices=(GSME, GPF))
def read_import_register(request: DuisRequest, ctx: CommandContext) -> bytes:
    return gbz.command_payload([read_attributes(METERING, (DIVISOR, MULTIPLIER, UNIT_OF_MEASURE,
                                                           CURRENT_SUMMATION_DELIVERED))])


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

# control, cluster, length, additional control, frame counter, ZCL header, length, security header
_CIPHERTEXT_START = 17


def opened(ctx: ResponseContext) -> list[gbz.Component]:
    """The response's components, encrypted ZCL payloads decrypted and decoded where the keystore holds
    the User's KA key; the others are passed on as ra:GBCSData and keep `frame.values` None."""
    payload = gbz_payload(ctx.payload, ctx.use_case)
    out, pos = [], 3 if payload.alert_code is None else 9       # after the header (an alert's: its code and time)
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


# A Publish Prepay Snapshot's debt/credit status fields and their MMC PrepaymentOperationalDataType elements.
PREPAYMENT_DATA = (("accumulated_debt", "AccumulatedDebtRegister"),
                   ("emergency_credit_remaining", "EmergencyCreditBalance"), ("credit_remaining", "MeterBalance"),
                   ("type3_debt_remaining", "PaymentDebtRegister"), ("type1_debt_remaining", "TimeDebtRegisters1"),
                   ("type2_debt_remaining", "TimeDebtRegisters2"))


def prepayment_data(name: str, snapshot: dict) -> etree._Element:
    """A Publish Prepay Snapshot's debt/credit status as MMC PrepaymentOperationalDataType."""
    out = M(name)
    for field, element in PREPAYMENT_DATA:
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


def billing_data_log_entry(snapshot: dict) -> etree._Element:
    """A GSMEBillingDataLogEntry (the billing calendar log's, and the one GCS53 alerts carry)."""
    tou, blocks = registers(snapshot)
    entry = M.GSMEBillingDataLogEntry(M.Timestamp(timestamp(snapshot["snapshot_time"])),
                                      *(M.ActiveImportRegisterValueConsumption(v) for v in consumption(snapshot)))
    entry.extend(indexed("BlockRegisterMatrixValue", blocks) + indexed("TariffTOURegisterMatrixValue", tou))
    return entry


@response("GCS15c")
def billing_calendar_billing_data_log(ctx: ResponseContext, rsp: etree._Element) -> None:
    components = opened(ctx)
    gas = M.Gas()
    for snapshot in frames(components, METERING, PUBLISH_SNAPSHOT[METERING])[:BILLING_DATA_LOG_ENTRIES]:
        gas.append(billing_data_log_entry(snapshot))
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


@response("GCS53")
def billing_data_log_updated(ctx: ResponseContext, payload: etree._Element) -> None:
    """0x8F0A Billing Data Log Updated from a GSME (RTDS NA_GCS53; gbcs-parser parseGbzGcs53AlertPayload): the
    entry is a Publish Snapshot of the Metering cluster, encrypted for the supplier."""
    snapshots = frames(opened(ctx), METERING, PUBLISH_SNAPSHOT[METERING])
    if len(snapshots) > 1:
        ctx.notes.append(f"GCS53: {len(snapshots)} snapshots, MMC carries the first")
    if snapshots:
        payload.append(M.BillingDataLogDeviceAlert(billing_data_log_entry(snapshots[0])))


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


# -- Device side ----------------------------------------------------------------------------------------
# A GSME (or the GPF for it) answers each ZCL command as harness.usecases.device says: a Read Attributes
# Response, a Publish (Prepay) Snapshot, a Get Sampled Data Response, a Publish Event Log, else a Default
# Response (NOT_FOUND where the meter holds nothing to publish). Values a response carries beyond MMC come in
# the outcome under their ZCL names (issuer_event_id, snapshot_causes).

DISABLE_DEFAULT_RESPONSE = 0x10
# Publish commands and responses to a Get: server to client, cluster specific, no default response wanted.
PUBLISHED = zcl.FRAME_CLUSTER_SPECIFIC | zcl.FRAME_SERVER_TO_CLIENT | DISABLE_DEFAULT_RESPONSE


# -- Device side: reading what the outcome says in MMC names -------------------------------------------------

def entries(values: Mapping[str, str], path: str) -> list[dict[str, str]]:
    """The occurrences of a repeated MMC element (`path`, numbered [n] when there are several), each as its
    leaves by path below it ('' its own text, '@name' its attributes), in order."""
    pattern = re.compile(re.escape(path) + r"(?:\[(\d+)\])?(?=/|@|$)/?(.*)")
    found: dict[int, dict[str, str]] = {}
    for name, value in values.items():
        match = pattern.fullmatch(name)
        if match:
            found.setdefault(int(match[1] or 1), {})[match[2]] = value
    return [found[n] for n in sorted(found)]


def indexed_values(values: Mapping[str, str], path: str) -> list[str]:
    """The texts of a repeated MMC element that carries an index attribute, in index order."""
    items = entries(values, path)
    return [item.get("", "") for item in sorted(items, key=lambda item: int(item.get("@index") or 0))]


def seconds(text: str) -> int:
    """An MMC time stamp as GBZ seconds."""
    return gbz.gbz_seconds(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))


def number(text: object) -> int:
    return int(Decimal(str(text)))


def window(start: int, end: int) -> dict:
    """A period of a log read, as the firmware models take it (sr:ReadLogPeriod's names)."""
    return {"ReadLogPeriod/StartDateTime": timestamp(start), "ReadLogPeriod/EndDateTime": timestamp(end)}


# -- 4.1.1 / 4.1.2: registers (GCS13a, GCS13c) --------------------------------------------------------------
# The meter counts dm3 and says so as the RTDS meter does: m3 (unit 01), multiplier 1, divisor 1000.
GAS_MULTIPLIER, GAS_DIVISOR, GAS_UNIT = 1, 1000, 0x01
REGISTER_TYPE = "uint48"
# Its register reads are answered with default response disabled, as the RTDS shows them.
REGISTER_FRAME = zcl.FRAME_SERVER_TO_CLIENT | DISABLE_DEFAULT_RESPONSE
TIERS = len(TIER_SUMMATIONS)


def register_value(raw: int) -> str:
    """A register the meter holds (dm3) as the MMC Value the Parse gives for it (m3)."""
    return scaled(raw, GAS_MULTIPLIER, GAS_DIVISOR)


def register_raw(value: str) -> int:
    return int(Decimal(value) * GAS_DIVISOR / GAS_MULTIPLIER)


def register_scale() -> dict[tuple[int, int], device.Attribute]:
    return {(METERING, DIVISOR): ("uint24", GAS_DIVISOR), (METERING, MULTIPLIER): ("uint24", GAS_MULTIPLIER),
            (METERING, UNIT_OF_MEASURE): ("enum8", GAS_UNIT)}


@accepts("GCS13a", "GCS13c")
def read_registers_command(command: DeviceCommand) -> dict:
    return {}


@answers("GCS13a")
def import_register_answer(command: DeviceCommand, outcome: dict) -> bytes:
    values = register_scale()
    if (value := outcome.get("Gas/ConsumptionRegister/Value")) is not None:
        values[(METERING, CURRENT_SUMMATION_DELIVERED)] = (REGISTER_TYPE, register_raw(value))
    return device.read_attributes_answer(command, outcome, values, frame_control=REGISTER_FRAME, encrypted={METERING})


@answers("GCS13c")
def tou_registers_answer(command: DeviceCommand, outcome: dict) -> bytes:
    values = register_scale()
    tiers = indexed_values(outcome, "Gas/TariffTOURegisterMatrix/TOURegisterMatrixValue")
    values.update({(METERING, attribute): (REGISTER_TYPE, register_raw(value))
                   for attribute, value in zip(TIER_SUMMATIONS, tiers)})
    return device.read_attributes_answer(command, outcome, values, frame_control=REGISTER_FRAME, encrypted={METERING})


# -- 4.3: prepay values (GCS14) -----------------------------------------------------------------------------
# Money is kept in 10^-5 GBP: price trailing digits 5 (upper nibble), currency GBP (ISO 4217 826).
PRICE_TRAILING_DIGITS, GBP = 0x50, 826
PREPAY_TYPES = {0x0005: "int32", 0x0002: "int32", 0x0001: "int32", 0x0231: "uint32", 0x0211: "uint32",
                0x0221: "uint32"}


@accepts("GCS14")
def read_prepay_values_command(command: DeviceCommand) -> dict:
    return {}


@answers("GCS14")
def prepay_values_answer(command: DeviceCommand, outcome: dict) -> bytes:
    values: dict[tuple[int, int], device.Attribute] = {(PRICE, PRICE_TRAILING_DIGIT): ("map8", PRICE_TRAILING_DIGITS),
                                                (PRICE, CURRENCY): ("uint16", GBP)}
    values.update({(PREPAYMENT, attribute): (PREPAY_TYPES[attribute], number(outcome[name]))
                   for attribute, name in PREPAY_VALUES if name in outcome})
    return device.read_attributes_answer(command, outcome, values, encrypted={PREPAYMENT})


# -- 4.4.2, 4.4.3, 4.6.1, 4.14: snapshot logs (GCS15b, GCS15c, GCS16a, GCS16b) --------------------------------
# Metering snapshots are payload type 6 (TOU and block registers), prepayment snapshots type 0 (debt and
# credit status). 'Tiers and block thresholds in use' carries the block register count in its low nibble
# and 1 in its high one, as the RTDS meters report it. A snapshot's id is its offset in the answer.
METERING_SNAPSHOT, PREPAYMENT_SNAPSHOT, BLOCK_TIERS = 6, 0, 0x10
SNAPSHOT_CAUSES = "snapshot_causes"          # the cause of each snapshot, hex, in log order (beyond MMC)


@accepts("GCS15b", "GCS15c", "GCS16a", "GCS16b")
def read_snapshots_command(command: DeviceCommand) -> dict:
    """The period every Get (Prepay) Snapshot of the command asks for."""
    gets = [c.frame.values for c in device.gbz_command(command).components
            if c.frame.cluster_specific and c.frame.values and "snapshot_offset" in c.frame.values]
    if not gets:
        raise PayloadError(f"{command.use_case}: no Get Snapshot or Get Prepay Snapshot", 0)
    return window(gets[0]["earliest_start_time"], gets[0]["latest_end_time"])


def metering_snapshot(entry: Mapping[str, str], register: str, tiers: str, blocks: str) -> dict:
    """A Publish Snapshot's registers (payload type 6) from a log entry in MMC names."""
    tou, block = indexed_values(entry, tiers), indexed_values(entry, blocks)
    return {"snapshot_time": seconds(entry["Timestamp"]), "snapshot_payload_type": METERING_SNAPSHOT,
            "current_summation_delivered": number(entry.get(register, 0)), "number_of_tiers_in_use": len(tou),
            "tier_summations": [{"summation": number(v)} for v in tou],
            "tier_and_block_thresholds_in_use": BLOCK_TIERS | len(block),
            "block_summations": [{"summation": number(v)} for v in block]}


def prepayment_snapshot(entry: Mapping[str, str]) -> dict:
    """A Publish Prepay Snapshot's debt and credit status (payload type 0) from a log entry in MMC names."""
    return {"snapshot_time": seconds(entry["Timestamp"]), "snapshot_payload_type": PREPAYMENT_SNAPSHOT,
            **{field: number(entry.get(element, 0)) for field, element in PREPAYMENT_DATA}}


def snapshots_answer(command: DeviceCommand, outcome: dict, logs: Mapping[int, list[dict]],
                     causes: Callable[[int, int], int]) -> bytes:
    """A Publish (Prepay) Snapshot for each Get whose offset the log holds, else NOT_FOUND. A log holding
    more than the command asks for answers with its latest snapshots, oldest first (offset 0)."""
    components = device.gbz_command(command).components
    asked = {cluster: sum(1 for c in components if c.cluster == cluster) for cluster in logs}
    held = {cluster: log[-asked[cluster]:] if asked[cluster] else [] for cluster, log in logs.items()}

    def reply(component: gbz.Component) -> device.Reply:
        log = held.get(component.cluster, [])
        get = component.frame.values or {}
        offset = get.get("snapshot_offset", len(log))
        if offset >= len(log):
            return device.default_reply(component, device.ZCL_NOT_FOUND)
        first = len(logs[component.cluster]) - len(log)
        values = {"snapshot_id": offset, "snapshots_found": min(len(logs[component.cluster]), 0xFF),
                  "command_index": 0, "number_of_commands": 1,
                  "snapshot_cause": causes(get["snapshot_cause"], first + offset), **log[offset]}
        return device.Reply(component.cluster, zcl.Frame(PUBLISHED, component.frame.sequence,
                                                  PUBLISH_SNAPSHOT[component.cluster], values), True)

    return device.answer_each(command, outcome, reply)


def requested(cause: int) -> Callable[[int, int], int]:
    """Snapshots of one cause: the one asked for."""
    return lambda asked, index: cause


# Change of Tariff Information (bit 3): a tariff or price change; Change of Mode (bit 14).
CHANGE_OF_TARIFF, CHANGE_OF_MODE = 0x00000008, 0x00004000


@answers("GCS15b")
def tariff_triggered_billing_data_log_answer(command: DeviceCommand, outcome: dict) -> bytes:
    gas = "Gas/LogEntryConsumptionRegister"
    metering = [metering_snapshot(e, "ConsumptionRegister", "TariffTOURegisterMatrixValue", "BlockRegisterMatrixValue")
                for e in entries(outcome, gas)]
    prepayment = [prepayment_snapshot(e) for e in entries(outcome, "Gas/LogEntryPrepaymentData")]
    logged = [int(c, 16) for c in str(outcome.get(SNAPSHOT_CAUSES, "")).split()]

    def cause(asked: int, index: int) -> int:
        return logged[index] if index < len(logged) else asked & CHANGE_OF_TARIFF or asked
    return snapshots_answer(command, outcome, {PREPAYMENT: prepayment, METERING: metering}, cause)


@answers("GCS15c")
def billing_calendar_billing_data_log_answer(command: DeviceCommand, outcome: dict) -> bytes:
    metering = [metering_snapshot(e, "ActiveImportRegisterValueConsumption", "TariffTOURegisterMatrixValue",
                                  "BlockRegisterMatrixValue") for e in entries(outcome, "Gas/GSMEBillingDataLogEntry")]
    prepayment = [prepayment_snapshot(e) for e in entries(outcome, "Gas/GSMEBillingPrepaymentDataLogEntry")]
    return snapshots_answer(command, outcome, {METERING: metering, PREPAYMENT: prepayment},
                            requested(CAUSE_END_OF_BILLING_PERIOD))


@answers("GCS16a")
def daily_read_log_answer(command: DeviceCommand, outcome: dict) -> bytes:
    metering = [metering_snapshot({"Timestamp": e["Timestamp"], **{k.removeprefix("Gas/"): v for k, v in e.items()}},
                                  "GasActiveImportRegisterConsumption", "TariffTOURegisterMatrix",
                                  "TariffBlockCounterMatrix") for e in entries(outcome, "LogEntry")]
    return snapshots_answer(command, outcome, {METERING: metering}, requested(CAUSE_GENERAL))


@answers("GCS16b")
def prepayment_daily_read_log_answer(command: DeviceCommand, outcome: dict) -> bytes:
    prepayment = [prepayment_snapshot(e) for e in entries(outcome, "Gas/LogEntry")]
    return snapshots_answer(command, outcome, {PREPAYMENT: prepayment}, requested(CAUSE_GENERAL))


# -- 4.8.1, 4.17: sampled data (GCS17, GCS61) ----------------------------------------------------------------
# A daily sample has no interval ZSE can give in seconds: the RTDS GPF reports 0xFFFF.
SAMPLE_INTERVALS = {PROFILE: int(HALF_HOUR.total_seconds()), DAILY_CONSUMPTION: 0xFFFF}
SAMPLE_STEPS = {PROFILE: HALF_HOUR, DAILY_CONSUMPTION: DAY}


@accepts("GCS17", "GCS61")
def read_sampled_data_command(command: DeviceCommand) -> dict:
    """The period the samples asked for cover: from the earliest sample time, one interval per sample."""
    asked = device.component_values(command, METERING, GET_SAMPLED_DATA)
    step = int(SAMPLE_STEPS.get(asked["sample_id"], HALF_HOUR).total_seconds())
    start = asked["earliest_sample_time"]
    return window(start, start + max(asked["number_of_samples"] - 1, 0) * step)


def sampled_data_answer(command: DeviceCommand, outcome: dict, samples: list[tuple[str, int]]) -> bytes:
    """A Get Sampled Data Response with the samples from the first the meter holds in the period (as many
    as were asked for), else NOT_FOUND."""
    def reply(component: gbz.Component) -> device.Reply:
        asked = component.frame.values or {}
        taken = samples[:asked.get("number_of_samples", 0)]
        if not taken or not component.frame.cluster_specific or component.frame.command != GET_SAMPLED_DATA:
            return device.default_reply(component, device.ZCL_NOT_FOUND)
        return device.Reply(METERING, zcl.Frame(PUBLISHED, component.frame.sequence, GET_SAMPLED_DATA_RESPONSE, {
            "sample_id": asked["sample_id"], "sample_start_time": seconds(taken[0][0]),
            "sample_type": asked["sample_type"], "sample_request_interval": SAMPLE_INTERVALS[asked["sample_id"]],
            "number_of_samples": len(taken), "samples": [{"sample": value} for _, value in taken]}), True)
    return device.answer_each(command, outcome, reply)


@answers("GCS17")
def profile_data_answer(command: DeviceCommand, outcome: dict) -> bytes:
    return sampled_data_answer(command, outcome, [(e["Timestamp"], number(e["Gas/PrimaryValue"]))
                                                  for e in entries(outcome, "LogEntry")])


@answers("GCS61")
def daily_consumption_log_answer(command: DeviceCommand, outcome: dict) -> bytes:
    return sampled_data_answer(command, outcome, [(e["Timestamp"], number(e["Value"]))
                                                  for e in entries(outcome, "Gas/LogEntry")])


# -- 6.13: the event and security logs (CS10a, CS10b) --------------------------------------------------------
# The log id is the low nibble of the Get Event Log's event control / log id; the meter publishes every
# entry of the period (at most MMC's 100, the latest) in one Publish Event Log, in clear, as the RTDS shows.
LOG_NAMES = {0x03: "Event", 0x04: "Security"}
LOG_ENTRIES = 100


@accepts("CS10a", "CS10b")
def read_event_log_command(command: DeviceCommand) -> dict:
    asked = device.component_values(command, EVENTS, GET_EVENT_LOG)
    log = asked["event_control_log_id"] & 0x0F
    if log not in LOG_NAMES:
        raise PayloadError(f"{command.use_case}: log id {log} is neither the event log (3) nor the security log (4)", 0)
    return {"LogToRead": LOG_NAMES[log], **window(asked["start_time"], asked["end_time"])}


def log_entries(outcome: Mapping[str, str]) -> list[tuple[str, int, bytes]]:
    """(time stamp, event code, event data) of each log entry of the outcome."""
    return [(e["Timestamp"], int(e["LogCode"], 16), bytes.fromhex(e.get("OtherInformation", "")))
            for e in entries(outcome, "Log/LogEntry")][-LOG_ENTRIES:]


@answers("CS10a", "CS10b")
def event_log_answer(command: DeviceCommand, outcome: dict) -> bytes:
    logged = log_entries(outcome)

    def reply(component: gbz.Component) -> device.Reply:
        if not logged:
            return device.default_reply(component, device.ZCL_NOT_FOUND)
        log = (component.frame.values or {}).get("event_control_log_id", 0) & 0x0F
        return device.Reply(EVENTS, zcl.Frame(PUBLISHED, component.frame.sequence, PUBLISH_EVENT_LOG, {
            "total_number_of_events": len(logged), "command_index": 0, "total_commands": 1, "log_payload_control": 0,
            "events": [{"log_id": log, "event_id": code, "event_time": seconds(stamp), "event_data": data}
                       for stamp, code, data in logged]}))
    return device.answer_each(command, outcome, reply)


# -- Device side: GCS53, the billing data log entry pushed as alert 0x8F0A ------------------------------------
# As the RTDS alert has it: a GBZ alert (its code and time) of one encrypted component, the entry as a Publish
# Snapshot of the Metering cluster (payload type 6, sequence number 0, one snapshot found and published in one
# command), sealed under the GBCS encryption key of the alert's header (the meter, its counter, the supplier).

Seal = Callable[[int, bytes], bytes]        # (the alert's originator counter, plaintext) -> ciphertext || tag


def billing_data_log_alert(code: int, entry: Mapping[str, str], seal: Seal, *, snapshot_id: int,
                           snapshot_cause: int) -> device.AlertPayload:
    """The GCS53 payload of one billing data log entry, given in the names MMC gives a GSMEBillingDataLogEntry
    (Timestamp, ActiveImportRegisterValueConsumption, TariffTOURegisterMatrixValue[i] ...) with what the snapshot
    carries beyond MMC: its ZCL snapshot id and snapshot cause."""
    snapshot = {"snapshot_id": snapshot_id, "snapshots_found": 1, "command_index": 0, "number_of_commands": 1,
                "snapshot_cause": snapshot_cause, **metering_snapshot(
                    entry, "ActiveImportRegisterValueConsumption", "TariffTOURegisterMatrixValue",
                    "BlockRegisterMatrixValue")}
    frame = zcl.Frame(PUBLISHED, 0, PUBLISH_SNAPSHOT[METERING], snapshot)
    plaintext = frame.encode_payload(METERING)

    def build(counter: int, when: dt.datetime) -> bytes:
        sealed = seal(counter, plaintext)
        cut = len(sealed) - gbz.TAG_LENGTH
        component = gbz.Component(METERING, frame, gbz.CONTROL_LAST | gbz.CONTROL_ENCRYPTED,
                                  ciphered=gbz.Ciphered(sealed[:cut], sealed[cut:]))
        return gbz.GbzPayload((component,), code, gbz.gbz_seconds(when)).encode()
    return build
