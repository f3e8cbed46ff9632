"""Device logs a test engineer reads back: which devices a device talks to on the HAN (SR 8.9 Read Device
Log) and the dual band CH's sub-GHz channel history (SR 6.32 Read CHF Sub GHz Channel Log).

  8.9   CHF         CCS06 (CCS05CCS04 on GBCS 1.0 hubs)  the CHF Device Log's active devices: each one's id,
                                                         when the CHF last heard it and its signal strength
                    CCS07 (sr:ReadSecurityDetails)       backup_pan of the CHF Device Log and of the CHF
                                                         Historic Device Log: ids and hashed TC link keys
        ESME, GSME  CS07 (ASN.1 Read Device Join Details) the device's own Device Log: ids and device types
        GPF         CS07, sent by the DCC's Access Control Broker (a GPF holds no User's trust anchors)
  6.32  CHF         DBCH02  the Sub GHz Channel Log (0-0:94.44.10.3) by range of its entries' UTC time

The CHF's use cases are carried out by the DCC's Access Control Broker with the User as supplementary
remote party, as 8.11 and 6.13's are.

Matched against the public RTDS 4.5.0 pairs (SmartDCCInnovation/gbcs-parser, templates from
SmartDCCInnovation/duis-templates): 5 of 5 commands (CCS05CCS04, CCS06, CCS07, CS07, DBCH02), and their
SUCCESS responses parse to valid MMC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from lxml import etree

from harness import catalogue
from harness.catalogue import DeviceType
from harness.eui import EntityId
from harness.gbcs import asn1, axdr, dlms, gbz
from harness.gbcs.axdr import Data, PayloadError, Tag
from harness.gbcs.dlms import Descriptor, DlmsDateTime, Obis, RequestKind, RequestSpec
from harness.gbcs.payload import Payload, PayloadKind
from harness.usecases import device, mmc
from harness.usecases.esme_config import ACTION, GET, access_request, read_value
from harness.usecases.esme_reads import read_log_period
from harness.usecases.events import ENTRY_TIME
from harness.usecases.mmc import M, utc_text
from harness.usecases.records import DeviceLogBackup
from harness.usecases.registry import (
    CommandContext,
    DeviceCommand,
    Originator,
    ResponseContext,
    accepts,
    answers,
    asn1_payload,
    command,
    response,
)
from harness.usecases.request import DuisRequest
from harness.usecases.security import asn1_command, asn1_record
from harness.usecases.support_reads import check, items, octets, predates, takes

CHF, ACB = (DeviceType.CHF,), Originator.ACB
ZIGBEE_NETWORK_CONTROL = 104
DEVICE_LOG, HISTORIC_DEVICE_LOG = Obis.parse("0-0:30.3.0.255"), Obis.parse("0-0:30.3.1.255")
ACTIVE_DEVICES = Descriptor(ZIGBEE_NETWORK_CONTROL, DEVICE_LOG, 4)
BACKUP_PAN = 4                      # method: the log as {backup time, extended PAN id, [{device, hashed key}]}
CHF_LOG_ENTRIES = 16                # MMC's CHFDeviceLogEntry / CHFConnectedDeviceLogEntry maxOccurs


# -- 8.9 on the CHF -----------------------------------------------------------------------------------------

def _security_details(request: DuisRequest) -> bool:
    return request.has("ReadSecurityDetails")


def read_active_devices(request: DuisRequest, ctx: CommandContext) -> bytes:
    return access_request(ctx, (GET, ACTIVE_DEVICES, axdr.NULL))


command("8.9", "CCS05CCS04", devices=CHF, originator=ACB, applies=lambda r: not _security_details(r),
        requires=predates("CCS06"))(read_active_devices)
command("8.9", "CCS06", devices=CHF, originator=ACB, applies=lambda r: not _security_details(r),
        requires=takes("CCS06"))(read_active_devices)


@command("8.9", "CCS07", devices=CHF, originator=ACB, applies=_security_details)
def read_device_logs(request: DuisRequest, ctx: CommandContext) -> bytes:
    return access_request(ctx, *((ACTION, Descriptor(ZIGBEE_NETWORK_CONTROL, log, BACKUP_PAN), axdr.NULL)
                                 for log in (DEVICE_LOG, HISTORIC_DEVICE_LOG)))


# An active_devices entry (Blue Book class 104): mac address, status, max / average / min RSSI (dBm),
# max / average / min LQI, last communication date-time, hops, transmission failures and successes,
# application and stack versions.
ACTIVE_DEVICE = ("mac_address", "status", "max_rssi", "average_rssi", "min_rssi", "max_lqi", "average_lqi",
                 "min_lqi", "last_communication_date_time", "number_of_hops", "transmission_failures",
                 "transmission_successes", "application_version", "stack_version")


def _eui(ctx: ResponseContext, item: Data, what: str) -> str:
    return EntityId(octets(ctx, item, what, 8)).duis


def _limited(ctx: ResponseContext, entries: tuple, what: str) -> tuple:
    if len(entries) > CHF_LOG_ENTRIES:
        ctx.notes.append(f"{ctx.use_case}: {len(entries)} {what} entries, MMC carries the first {CHF_LOG_ENTRIES}")
    return entries[:CHF_LOG_ENTRIES]


@response("CCS05CCS04", "CCS06")
def chf_device_log(ctx: ResponseContext, rsp: etree._Element) -> None:
    if (devices := read_value(ctx, 0)) is None:
        return
    log = M.CHFDeviceLog()
    for entry in _limited(ctx, items(ctx, devices, "active devices"), "CHF Device Log"):
        device = dict(zip(ACTIVE_DEVICE, items(ctx, entry, "active device", Tag.STRUCTURE, len(ACTIVE_DEVICE))))
        out = M.CHFDeviceLogEntry(M.DeviceID(_eui(ctx, device["mac_address"], "device id")))
        when = DlmsDateTime(octets(ctx, device["last_communication_date_time"], "last communication", 12)).datetime
        if when is not None:
            out.append(M.LastCommunicationsDateTime(utc_text(when)))
        # MMC's signal strength of the link (a signed short): the average RSSI the CHF measured, in dBm.
        rssi = device["average_rssi"]
        check(ctx, rssi.tag is Tag.INTEGER, f"average RSSI must be an integer, found {rssi.tag.label}")
        out.append(M.SubGHzLinkQuality(str(rssi.value)))
        log.append(out)
    rsp.append(log)


@response("CCS07")
def chf_device_logs(ctx: ResponseContext, rsp: etree._Element) -> None:
    """The CHF Device Log and the CHF Historic Device Log: device ids and the hash of each one's TC link key
    (empty until the device has established one), as hex."""
    log = M.CHFConnectedDeviceLog()
    for position, tag in ((0, "CHFCurrentConnectedDeviceLogEntry"), (1, "CHFHistoricConnectedDeviceLogEntry")):
        if (backup := read_value(ctx, position)) is None:
            continue
        try:
            entries = DeviceLogBackup.from_alert(backup).entries
        except PayloadError:
            raise PayloadError(f"CCS07: backup_pan must be {{backup time, extended PAN id, [{{device id, hashed "
                               f"TC link key}}]}}, found {backup.tag.label}", 0) from None
        log.extend(M(tag, M.DeviceID(e.device_id.duis), M.DeviceSecurityDetails(e.hashed_link_key.hex().upper()))
                   for e in _limited(ctx, entries, tag))
    rsp.append(log)


# -- 8.9 on a meter or GPF: CS07 Read Device Join Details --------------------------------------------------

def read_join_details(request: DuisRequest, ctx: CommandContext) -> bytes:
    return asn1.encode("ReadDeviceJoinDetailsCommand", None)


command("8.9", "CS07", devices=(DeviceType.ESME, DeviceType.GSME))(read_join_details)
command("8.9", "CS07", devices=(DeviceType.GPF,), originator=ACB)(read_join_details)
JOIN_DETAILS = "DeviceLogEntries"         # a device's CS07 outcome: its Device Log as (id, ASN.1 device type)


def join_details(log: Mapping[EntityId, int | None]) -> dict:
    """What a device's firmware reads of its Device Log for CS07: the entries whose device type it knows."""
    return {JOIN_DETAILS: [(device_id, kind) for device_id, kind in log.items() if kind is not None]}


@accepts("CS07")
def read_join_details_command(command: DeviceCommand) -> dict:
    asn1_command(command, "ReadDeviceJoinDetailsCommand")
    return {}


@answers("CS07")
def join_details_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """The Device Log the firmware read (success), or readFailure without entries."""
    if not device.succeeded(outcome):
        return asn1.encode("ReadDeviceJoinDetailsResponse", {"responseCode": 1})
    return asn1.encode("ReadDeviceJoinDetailsResponse", {"responseCode": 0, "deviceLogEntries": [
        {"deviceId": bytes(device_id), "deviceType": kind} for device_id, kind in outcome[JOIN_DETAILS]]})


MMC_DEVICE_TYPES = {"gsme": "GSME", "esme": "ESME", "chf": "CHF", "gpf": "GPF", "hcalcs": "HCALCS", "ppmid": "PPMID",
                    "type2": "Type2"}


@response("CS07")
def device_join_details(ctx: ResponseContext, rsp: etree._Element) -> None:
    value = asn1_payload(ctx.payload, ctx.use_case)
    view = asn1_record(value.fields(), value.type_name)
    entries = view.get("deviceLogEntries") or []
    log = M.DeviceLogEntries()
    for entry in entries:
        kind = MMC_DEVICE_TYPES.get(entry["deviceType"]) if isinstance(entry["deviceType"], str) else None
        if kind is None:
            ctx.notes.append(f"CS07: {entry['deviceId']} has device type {entry['deviceType']}, "
                             "which MMC does not name")
            continue
        log.append(M.LogEntry(M.DeviceID(entry["deviceId"]), M.DeviceType(kind)))
    rsp.append(log)
    rsp.set("MessageSuccess", "true" if view["responseCode"] == "success" else "false")


# -- 6.32 Read CHF Sub GHz Channel Log ---------------------------------------------------------------------

CHANNEL_LOG = Descriptor(7, Obis.parse("0-0:94.44.10.3"), 2)        # Profile Generic buffer
RANGE_SELECTOR = 1


@command("6.32", "DBCH02", devices=CHF, originator=ACB)
def read_channel_log(request: DuisRequest, ctx: CommandContext) -> bytes:
    """The log's entries whose UTC time (seconds since 2000) is in sr:ReadLogPeriod, all columns."""
    start, end = read_log_period(request)
    selection = axdr.structure(ENTRY_TIME, axdr.double_long_unsigned(gbz.gbz_seconds(start)),
                               axdr.double_long_unsigned(gbz.gbz_seconds(end)), axdr.array())
    spec = RequestSpec(RequestKind.GET_WITH_SELECTION, CHANNEL_LOG, RANGE_SELECTOR, selection)
    return dlms.AccessRequest(dlms.invoke_id(ctx.counter), (spec,), (axdr.NULL,)).encode()


# A channel mask: ZigBee channel page in the top 5 bits, channel (first + n) at bit n (as chf.py reads them).
PAGES = {28: ("OperatingLowerBandSubGHzChannel", 0), 29: ("OperatingLowerBandSubGHzChannel", 27),
         30: ("OperatingLowerBandSubGHzChannel", 35), 31: ("OperatingUpperBandSubGHzChannel", 0)}
# Why the CH scanned, in the order GBCS numbers the triggers (0 .. 7).
SCAN_TRIGGERS = ("RemotePartyCommand", "GSMERequest", "GSMEMissedItsCurfew", "GSMEMissingForTheLastDay",
                 "CHDetectedMessageFailureProblems", "CHDetectedMessageRetryProblems", "SubGHzNon-GSMEDeviceRequest",
                 "SMHANFormation")
CHANNEL_LOG_ENTRIES = 100


def operating_channel(mask: int) -> etree._Element | None:
    page = PAGES.get(mask >> 27)
    channels = [n for n in range(27) if mask >> n & 1]
    if page is None or len(channels) != 1:
        return None
    band, first = page
    return M.OperatingSubGHzChannel(M(band, M(f"Channel{first + channels[0]}")))


def channel_log_entry(ctx: ResponseContext, row: Data) -> etree._Element:
    """{UTC time (seconds since 2000), event code, details}: the details are the new channel's 32-bit mask
    then, as a one-byte octet-string (09 01 nn), what triggered the scan (as the RTDS shows them)."""
    stamp, code, details = items(ctx, row, "channel log entry", Tag.STRUCTURE, 3)
    check(ctx, stamp.tag is Tag.DOUBLE_LONG_UNSIGNED and code.tag is Tag.LONG_UNSIGNED,
          f"a channel log entry must be time (double-long-unsigned), event code (long-unsigned), details; found "
          f"{stamp.tag.label}, {code.tag.label}")
    raw = octets(ctx, details, "channel log details")
    entry = M.LogEntry(M.Timestamp(utc_text(gbz.gbz_time(stamp.value))), M.EventCode(f"{code.value:04X}"))
    try:
        entry.append(M.EventDescription(catalogue.device_alert(code.value).name[:200]))
    except catalogue.UnknownEntry:
        pass
    channel = operating_channel(int.from_bytes(raw[:4], "big")) if len(raw) >= 4 else None
    if channel is not None:
        entry.append(channel)
    else:
        ctx.notes.append(f"DBCH02: log entry details {raw.hex().upper()} name no single sub-GHz channel")
    if len(raw) == 7 and raw[4:6] == b"\x09\x01" and raw[6] < len(SCAN_TRIGGERS):
        entry.append(M.ScanTrigger(SCAN_TRIGGERS[raw[6]]))
    return entry


@response("DBCH02")
def channel_log(ctx: ResponseContext, rsp: etree._Element) -> None:
    if (log := read_value(ctx, 0)) is None:
        return
    rows = items(ctx, log, "channel log")
    if len(rows) > CHANNEL_LOG_ENTRIES:
        ctx.notes.append(f"DBCH02: {len(rows)} log entries, MMC carries the first {CHANNEL_LOG_ENTRIES}")
    rsp.extend(channel_log_entry(ctx, row) for row in rows[:CHANNEL_LOG_ENTRIES])


# -- Device side ----------------------------------------------------------------------------------------
# 8.9 on the CHF: per active device the 14 members of class 104's active_devices, of which MMC carries three
# (id, last communication, average RSSI): the others are this model's constants, the first entry of the public
# RTDS 4.5.0 CCS06 response (SmartDCCInnovation/gbcs-parser). CCS07 answers each log's backup_pan: when it was
# taken (the CHF's time), the hub's Extended PAN ID (the outcome's "ExtendedPANID", hex, which MMC does not
# carry; else the CHF's own id) and each device with its hashed TC link key.
ACTIVE_DEVICE_STATUS = axdr.bit_string("11001000")
MAX_RSSI, MIN_RSSI = -35, -100                                   # dBm
MAX_LQI, AVERAGE_LQI, MIN_LQI = 2, 39, 247
HOPS, TRANSMISSION_FAILURES, TRANSMISSION_SUCCESSES, APPLICATION_VERSION, STACK_VERSION = 1, 0, 100, 1, 1
NOT_SPECIFIED = b"\xff" * 9 + b"\x80\x00\xff"                    # a date-time with no value
CHF_LOG_TAGS = ("CHFCurrentConnectedDeviceLogEntry", "CHFHistoricConnectedDeviceLogEntry")


def numbered(names: list[str]) -> list[str]:
    """Sibling element names as `mmc.values` paths them: numbered from 1 where a name repeats."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(f"{name}[{seen[name]}]" if names.count(name) > 1 else name)
    return out


def date_time(when: dt.datetime | None, *, weekday: bool = True) -> bytes:
    """A DLMS date-time as the RTDS CHF writes them: UTC, deviation unspecified, with the day of week (a last
    communication) or without (a backup's time)."""
    if when is None:
        return NOT_SPECIFIED
    v = when.astimezone(dt.UTC)
    day = v.isoweekday() if weekday else 0xFF
    return v.year.to_bytes(2, "big") + bytes((v.month, v.day, day, v.hour, v.minute, v.second, 0)) + b"\x80\x00\xff"


def active_devices_outcome(entries: list[tuple[EntityId, dt.datetime | None, int]]) -> dict[str, str]:
    """CCS06's MMC names of the CHF Device Log: (device, last communication or None, average RSSI) each."""
    out: dict[str, str] = {}
    for path, (eui, when, rssi) in zip(numbered(["CHFDeviceLogEntry"] * len(entries)), entries):
        out[f"CHFDeviceLog/{path}/DeviceID"] = eui.duis
        if when is not None:
            out[f"CHFDeviceLog/{path}/LastCommunicationsDateTime"] = utc_text(when)
        out[f"CHFDeviceLog/{path}/SubGHzLinkQuality"] = str(rssi)
    return out


def device_logs_outcome(current: list[tuple[EntityId, bytes]], historic: list[tuple[EntityId, bytes]]
                        ) -> dict[str, str]:
    """CCS07's MMC names of the CHF Device Log and Historic Device Log: (device, hashed TC link key) each."""
    tags = [CHF_LOG_TAGS[0]] * len(current) + [CHF_LOG_TAGS[1]] * len(historic)
    out: dict[str, str] = {}
    for path, (eui, key) in zip(numbered(tags), [*current, *historic]):
        out[f"CHFConnectedDeviceLog/{path}/DeviceID"] = eui.duis
        out[f"CHFConnectedDeviceLog/{path}/DeviceSecurityDetails"] = key.hex().upper()
    return out


def _entries(outcome: dict, prefix: str) -> list[dict[str, str]]:
    """The entries under `prefix` (mmc.values names, numbered or not), each by its leaves, in order."""
    found: dict[str, dict[str, str]] = {}
    for name, value in outcome.items():
        if name.startswith(prefix):
            entry, _, leaf = name[len(prefix):].partition("/")
            found.setdefault(entry, {})[leaf] = value
    return [found[k] for k in sorted(found, key=lambda k: int(k[1:-1]) if k.startswith("[") else 0)]


@accepts("CCS06", "CCS05CCS04", "CCS07")
def read_device_log_command(command: DeviceCommand) -> dict:
    specs = device.access_request(command).specs
    wanted = [(s.kind, s.descriptor.class_id, str(s.descriptor.instance), s.descriptor.member) for s in specs]
    logs = [(RequestKind.ACTION, ZIGBEE_NETWORK_CONTROL, str(log), BACKUP_PAN) for log in (DEVICE_LOG,
                                                                                          HISTORIC_DEVICE_LOG)]
    active = [(RequestKind.GET, ZIGBEE_NETWORK_CONTROL, str(DEVICE_LOG), ACTIVE_DEVICES.member)]
    if wanted != (logs if command.use_case == "CCS07" else active):
        what = " and Historic Device Log backups" if command.use_case == "CCS07" else "'s active devices"
        raise PayloadError(f"{command.use_case}: not a read of the CHF Device Log{what}", 0)
    return {"ReadSecurityDetails": ""} if command.use_case == "CCS07" else {}


@answers("CCS06", "CCS05CCS04")
def active_devices_answer(command: DeviceCommand, outcome: dict) -> bytes:
    devices = []
    for entry in _entries(outcome, "CHFDeviceLog/CHFDeviceLogEntry"):
        when = entry.get("LastCommunicationsDateTime")
        devices.append(axdr.structure(
            axdr.octet_string(bytes(EntityId(entry["DeviceID"]))), ACTIVE_DEVICE_STATUS, axdr.integer(MAX_RSSI),
            axdr.integer(int(entry["SubGHzLinkQuality"])), axdr.integer(MIN_RSSI), axdr.unsigned(MAX_LQI),
            axdr.unsigned(AVERAGE_LQI), axdr.unsigned(MIN_LQI),
            axdr.octet_string(date_time(dt.datetime.fromisoformat(when.replace("Z", "+00:00")) if when else None)),
            axdr.unsigned(HOPS), axdr.unsigned(TRANSMISSION_FAILURES), axdr.unsigned(TRANSMISSION_SUCCESSES),
            axdr.unsigned(APPLICATION_VERSION), axdr.unsigned(STACK_VERSION)))
    return device.dlms_answer(command, outcome, (axdr.array(*devices),))


@answers("CCS07")
def device_logs_answer(command: DeviceCommand, outcome: dict) -> bytes:
    if not device.succeeded(outcome):
        return device.dlms_answer(command, outcome)
    pan = bytes.fromhex(outcome["ExtendedPANID"]) if outcome.get("ExtendedPANID") else bytes(command.apdu.recipient)
    backups = []
    for tag in CHF_LOG_TAGS:
        entries = [axdr.structure(axdr.octet_string(bytes(EntityId(e["DeviceID"]))),
                                  axdr.octet_string(bytes.fromhex(e.get("DeviceSecurityDetails", ""))))
                   for e in _entries(outcome, f"CHFConnectedDeviceLog/{tag}")]
        backups.append(axdr.structure(axdr.octet_string(date_time(command.now, weekday=False)), axdr.octet_string(pan),
                                      axdr.array(*entries)))
    request = device.access_request(command)
    return dlms.AccessResponse(request.invoke_id, tuple(backups), tuple(
        dlms.ResponseSpec(RequestKind.ACTION, dlms.AccessResult.SUCCESS) for _ in request.specs)).encode()


# 6.32 on a dual band CHF: its Sub GHz Channel Log as the RTDS shows it, a compact-array of {UTC time, event
# code, the channel's mask and what triggered the scan}; the outcome in the names of the MMC response.
CHANNEL_LOG_ROW = axdr.TypeDescription(Tag.STRUCTURE, children=(
    axdr.TypeDescription(Tag.DOUBLE_LONG_UNSIGNED), axdr.TypeDescription(Tag.LONG_UNSIGNED),
    axdr.TypeDescription(Tag.OCTET_STRING)))
CHANNEL_CHANGED = 0x8F26


@accepts("DBCH02")
def read_channel_log_command(command: DeviceCommand) -> dict:
    specs = device.access_request(command).specs
    spec = specs[0] if len(specs) == 1 else None
    if spec is None or spec.kind is not RequestKind.GET_WITH_SELECTION or spec.descriptor != CHANNEL_LOG \
            or spec.selector != RANGE_SELECTOR or spec.selection is None:
        raise PayloadError("DBCH02: expected a range read of the Sub GHz Channel Log buffer", 0)
    _restricting, start, end, _columns = spec.selection.items
    return {"ReadLogPeriod/StartDateTime": utc_text(gbz.gbz_time(start.int)),
            "ReadLogPeriod/EndDateTime": utc_text(gbz.gbz_time(end.int))}


def channel_log_row(when: dt.datetime, code: int, band: str, channel: int, trigger: str) -> Data:
    """One log entry: the channel ('Lower' 0-61 or 'Upper' 0-26) as its page's mask, the trigger as 09 01 nn."""
    page, first = next((p, f) for p, (name, f) in PAGES.items() if band in name and f <= channel < f + (
        8 if p == 29 else 27))
    details = ((page << 27) | 1 << (channel - first)).to_bytes(4, "big") + bytes((0x09, 0x01,
                                                                                 SCAN_TRIGGERS.index(trigger)))
    return axdr.structure(axdr.double_long_unsigned(gbz.gbz_seconds(when)), axdr.long_unsigned(code),
                          axdr.octet_string(details))


def channel_log_outcome(rows: list[Data]) -> dict[str, str]:
    """The log entries in the names the User's Parse gives them (LogEntry[i]/Timestamp ...)."""
    # channel_log_entry reads the row it is given and names the use case in its errors: the context's
    # payload is just the rows, there being no response yet
    ctx = ResponseContext(None, Payload(PayloadKind.DLMS, axdr.array(*rows)), None, "DBCH02")
    rsp = M.Rsp(*(channel_log_entry(ctx, row) for row in rows[:CHANNEL_LOG_ENTRIES]), MessageSuccess="true")
    values = mmc.values(M.GBCSResponse(M.Body(M.ResponseMessage(M.SMETSData(rsp)))))
    return {k: v for k, v in values.items() if k != "Result"}


@answers("DBCH02")
def channel_log_answer(command: DeviceCommand, outcome: dict) -> bytes:
    rows = []
    for entry in _entries(outcome, "LogEntry"):
        channel = next((k for k in entry if k.startswith("OperatingSubGHzChannel/")), None)
        if channel is None:
            raise PayloadError("DBCH02: a channel log entry names no channel", 0)
        band = "Upper" if "Upper" in channel else "Lower"
        rows.append(channel_log_row(dt.datetime.fromisoformat(entry["Timestamp"].replace("Z", "+00:00")),
                                    int(entry["EventCode"], 16), band, int(channel.rsplit("Channel", 1)[1]),
                                    entry.get("ScanTrigger", SCAN_TRIGGERS[0])))
    return device.dlms_answer(command, outcome, (Data(Tag.COMPACT_ARRAY, (CHANNEL_LOG_ROW, tuple(rows))),))
