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

from lxml import etree

from harness import catalogue
from harness.catalogue import DeviceType
from harness.eui import EntityId
from harness.gbcs import asn1, axdr, dlms, gbz
from harness.gbcs.axdr import Data, PayloadError, Tag
from harness.gbcs.dlms import Descriptor, DlmsDateTime, Obis, RequestKind, RequestSpec
from harness.usecases.records import DeviceLogBackup
from harness.usecases.esme_config import ACTION, GET, access_request, read_value
from harness.usecases.esme_reads import read_log_period
from harness.usecases.events import ENTRY_TIME
from harness.usecases.mmc import M, utc_text
from harness.usecases.registry import (
    CommandContext,
    Originator,
    ResponseContext,
    command,
    response,
)
from harness.usecases.request import DuisRequest
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
MMC_DEVICE_TYPES = {"gsme": "GSME", "esme": "ESME", "chf": "CHF", "gpf": "GPF", "hcalcs": "HCALCS", "ppmid": "PPMID",
                    "type2": "Type2"}


@response("CS07")
def device_join_details(ctx: ResponseContext, rsp: etree._Element) -> None:
    view = ctx.payload.value.fields()  # type: ignore[attr-defined]
    entries = view.get("deviceLogEntries") or []
    log = M.DeviceLogEntries()
    for entry in entries:
        kind = MMC_DEVICE_TYPES.get(entry["deviceType"]) if isinstance(entry["deviceType"], str) else None
        if kind is None:
            ctx.notes.append(f"CS07: {entry['deviceId']} has device type {entry['deviceType']}, which MMC does not name")
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
