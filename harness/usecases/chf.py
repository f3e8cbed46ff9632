"""Communications Hub Function use cases (DLMS COSEM), each carried out by the DCC's Access Control
Broker with the User as supplementary remote party: the CHF Device Log (CCS01 add and CCS02 remove, SR
8.11; CCS03 restore, 8.12.1; the CS14 alert 0x8F12 that backs the log up) and the dual band CH's sub-GHz
radio (DBCH01 operating channel, 6.31; DBCH03 configuration read, 6.30; DBCH04 set, 6.28, and its DBCH09
alert 0x8F2A; DBCH05 channel scan, 6.29).

The CHF Device Log is the ZigBee network control object 0-0:30.3.0.255 (class 104): register_device
{ieee_address, key type, key, 0}, unregister_device(ieee_address) and restore_pan {extended PAN ID,
[{device id, hashed TC link key}]}. CCS03 restores what the DSP's records hold of the old CHF's log: the
last CS14 backup it sent (`DspRecords.chf_device_log`, `dit duis transform --chf-device-log CS14`).
"""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal, InvalidOperation

from lxml import etree

from harness.catalogue import DeviceType
from harness.duis import xml
from harness.errors import DitError
from harness.eui import EntityId
from harness.gbcs import axdr, dlms
from harness.gbcs import payload as gbcs_payload
from harness.gbcs.axdr import Data, PayloadError, Tag
from harness.gbcs.dlms import Descriptor, Obis
from harness.gbcs.frame import GbcsMessage
from harness.usecases import device
from harness.usecases.esme_config import ACTION, GET, SET, access_request, read_value
from harness.usecases.mmc import M, bit_string
from harness.usecases.records import DeviceLogBackup
from harness.usecases.registry import (
    CommandContext,
    DeviceCommand,
    Originator,
    ResponseContext,
    accepts,
    answers,
    command,
    response,
)
from harness.usecases.request import DuisRequest, TransformError

CHF = (DeviceType.CHF,)
ACB = Originator.ACB

DEVICE_LOG = Obis.parse("0-0:30.3.0.255")
REGISTER_DEVICE = Descriptor(104, DEVICE_LOG, 1)
UNREGISTER_DEVICE = Descriptor(104, DEVICE_LOG, 2)
RESTORE_PAN = Descriptor(104, DEVICE_LOG, 5)
ENABLE_DISABLE_JOINING = Descriptor(104, DEVICE_LOG, 2)
JOIN_TIMEOUT = Descriptor(104, DEVICE_LOG, 3)
KEY_TYPE_INSTALL_CODE = 1


def entity_id(request: DuisRequest, path: str) -> EntityId:
    text = request.require(path)
    try:
        return EntityId(text)
    except DitError:
        raise TransformError(f"{request.srv} sr:{path}: {text!r} is not an EUI-64", where=request.where) from None


# -- the CHF Device Log and its backups ----------------------------------------------------------------

DEVICE_LOG_CHANGED = 0x8F12


def device_log_backup(message: GbcsMessage) -> DeviceLogBackup:
    """The backup a CS14 alert carries."""
    value = gbcs_payload.decode(message.apdu).value
    if not isinstance(value, dlms.DataNotification) or len(value.body.items) < 3:
        raise PayloadError("CS14: expected a DLMS alert with a CHF Device Log backup", 0)
    return DeviceLogBackup.from_alert(value.body.items[2])


def device_log_backup_alert(backup: DeviceLogBackup) -> device.AlertPayload:
    """A CS14 alert (0x8F12, CHF Device Log Changed) carrying the backup, as the RTDS sample does: the alert
    code, its time, then {backup time, Extended PAN ID, [{device, hashed TC link key}]}."""
    def build(counter: int, when: dt.datetime) -> bytes:
        stamp = axdr.octet_string(device.alert_date_time(when))
        content = axdr.structure(stamp, axdr.octet_string(backup.extended_pan_id), backup.entries_data())
        body = axdr.structure(axdr.long_unsigned(DEVICE_LOG_CHANGED), stamp, content)
        return dlms.DataNotification(dlms.invoke_id(counter), body).encode()
    return build


def _update_han_device_log(kind: str):
    return lambda request: request.text("RequestType") == kind


@command("8.11", "CCS01", devices=CHF, originator=ACB, applies=_update_han_device_log("Add"))
def add_device(request: DuisRequest, ctx: CommandContext) -> bytes:
    # The MPxNs of AddDeviceToCHFWhitelist are for the DCC's inventory: they do not reach the CHF.
    device = entity_id(request, "DeviceID")
    install_code = request.require("AddDeviceToCHFWhitelist/InstallCode")
    try:
        key = bytes.fromhex(install_code)
    except ValueError:
        raise TransformError(f"8.11 sr:InstallCode: {install_code!r} is not hex", where=request.where) from None
    registration = axdr.structure(axdr.octet_string(bytes(device)), axdr.enum(KEY_TYPE_INSTALL_CODE),
                                  axdr.octet_string(key), axdr.enum(0))
    join_timeout = axdr.long_unsigned(request.int("AddDeviceToCHFWhitelist/JoinTimePeriod"))
    return access_request(ctx, (ACTION, REGISTER_DEVICE, registration), (SET, JOIN_TIMEOUT, join_timeout),
                          (SET, ENABLE_DISABLE_JOINING, axdr.boolean(True)))


@command("8.11", "CCS02", devices=CHF, originator=ACB, applies=_update_han_device_log("Remove"))
def remove_device(request: DuisRequest, ctx: CommandContext) -> bytes:
    device = entity_id(request, "DeviceID")
    return access_request(ctx, (ACTION, UNREGISTER_DEVICE, axdr.octet_string(bytes(device))))


@command("8.12.1", "CCS03", devices=CHF, originator=ACB)
def restore_device_log(request: DuisRequest, ctx: CommandContext) -> bytes:
    old = entity_id(request, "OldCHFID")
    backup = ctx.records.chf_device_log
    if not isinstance(backup, DeviceLogBackup):
        raise TransformError(f"8.12.1 RestoreHANDeviceLog: the DSP holds no CHF Device Log backup (CS14 alert) "
                             f"of the old CHF {old.duis}", where=request.where,
                             fix="give the old CHF's last CS14 alert (dit duis transform --chf-device-log)")
    restore = axdr.structure(axdr.octet_string(backup.extended_pan_id), backup.entries_data())
    return access_request(ctx, (ACTION, RESTORE_PAN, restore))


def _plain_content(ctx: ResponseContext, content: Data, name: str) -> None:
    """Alert content mmc.xsd has no element for, passed on whole as plain DLMS for a second pass."""
    ctx.gbcs_data.append(M.GBCSData(base64.b64encode(content.encode()).decode("ascii"), format="plain",
                                    sequence=str(len(ctx.gbcs_data)), name=name, type="dlms"))


def _alert_content(ctx: ResponseContext) -> Data | None:
    value = ctx.payload.value
    if isinstance(value, dlms.DataNotification) and len(value.body.items) >= 3:
        return value.body.items[2]
    return None


@response("CS14")
def device_log_changed(ctx: ResponseContext, payload: etree._Element) -> None:
    content = _alert_content(ctx)
    if content is None:
        return
    try:
        backup = DeviceLogBackup.from_alert(content)
        ctx.notes.append(f"CS14: CHF Device Log backup, extended PAN ID {backup.extended_pan_id.hex().upper()}: "
                         + ", ".join(f"{e.device_id.duis} (hashed TC link key {e.hashed_link_key.hex().upper() or '-'})"
                                     for e in backup.entries))
    except PayloadError as exc:
        ctx.notes.append(exc.reason)
    _plain_content(ctx, content, "CHFDeviceLogBackup")


@response("CCS01", "CCS02", "CCS03", "DBCH04", "DBCH05")
def device_log_updated(ctx: ResponseContext, rsp: etree._Element) -> None:
    """These responses carry nothing beyond MessageSuccess and each instruction's status."""


# -- dual band CH: the sub-GHz radio ---------------------------------------------------------------------
SUB_GHZ_CONFIGURATION = Descriptor(1, Obis.parse("0-0:94.44.10.0"), 2)
CHANNEL_SCAN = Descriptor(1, Obis.parse("0-0:94.44.10.1"), 2)
OPERATING_CHANNEL = Descriptor(1, Obis.parse("0-0:94.44.10.2"), 2)

# A channel mask is 32 bits: the ZigBee channel page in the top 5 bits, channel (first + n) at bit n.
# (DUIS/MMC element, page, first channel)
CHANNEL_PAGES = (("LowerBandSubGHzChannels0To26", 28, 0), ("LowerBandSubGHzChannels27To34", 29, 27),
                 ("LowerBandSubGHzChannels35To61", 30, 35), ("UpperBandSubGHzChannels0To26", 31, 0))
_PAGE_CHANNELS = {28: 27, 29: 8, 30: 27, 31: 27}
# The settings after the four masks: (DUIS/MMC element, A-XDR type, decimal places the integer carries).
SUB_GHZ_SETTINGS = (("NormalLimitedDutyCycleThreshold", Tag.LONG_UNSIGNED, 2),
                    ("LimitedCriticalDutyCycleThreshold", Tag.LONG_UNSIGNED, 2),
                    ("MaximumSubGHzChannelChangesPerWeek", Tag.UNSIGNED, 0),
                    ("GSMECurfew", Tag.LONG_UNSIGNED, 0),
                    ("ChannelQuieterThreshold", Tag.UNSIGNED, 0),
                    ("ChannelNoisierThreshold", Tag.UNSIGNED, 0),
                    ("NonGSMEPoorCommsPercentageThreshold", Tag.LONG_UNSIGNED, 2),
                    ("NonGSMEPoorCommsMeasurementPeriods", Tag.UNSIGNED, 0),
                    ("LocalCHNoiseMeasurementPeriod", Tag.LONG_UNSIGNED, 0),
                    ("LocalCHFailurePercentage", Tag.LONG_UNSIGNED, 2),
                    ("LocalCHRetryPercentage", Tag.LONG_UNSIGNED, 2))
_LIMITS = {Tag.UNSIGNED: 0xFF, Tag.LONG_UNSIGNED: 0xFFFF}


def channel_mask(request: DuisRequest, element: str, page: int, first: int) -> Data:
    node = request.find(element)
    if node is None:
        raise TransformError(f"6.28 SetCHFSubGHzConfiguration: missing sr:{element}", where=request.where)
    mask = page << 27
    for child in node:
        name = xml.local_name(child) if isinstance(child.tag, str) else ""
        channel = int(name[7:]) if name.startswith("Channel") and name[7:].isdigit() else -1
        if not first <= channel < first + _PAGE_CHANNELS[page]:
            raise TransformError(f"6.28 sr:{element}: {name} is not one of its channels", where=request.where)
        mask |= 1 << (channel - first)
    return Data(Tag.BIT_STRING, (32, mask.to_bytes(4, "big")))


def setting(request: DuisRequest, name: str, tag: Tag, places: int) -> Data:
    raw = request.require(name)
    try:
        scaled = Decimal(raw).scaleb(places)
    except InvalidOperation:
        scaled = Decimal("NaN")
    if not scaled.is_finite() or scaled != scaled.to_integral_value() or not 0 <= scaled <= _LIMITS[tag]:
        raise TransformError(f"6.28 sr:{name}: {raw!r} does not fit {tag.label} with {places} decimal places",
                             where=request.where)
    return Data(tag, int(scaled))


@command("6.28", "DBCH04", devices=CHF, originator=ACB)
def set_sub_ghz_configuration(request: DuisRequest, ctx: CommandContext) -> bytes:
    masks = [channel_mask(request, *page) for page in CHANNEL_PAGES]
    settings = [setting(request, *entry) for entry in SUB_GHZ_SETTINGS]
    return access_request(ctx, (SET, SUB_GHZ_CONFIGURATION, axdr.structure(*masks, *settings)))


@command("6.29", "DBCH05", devices=CHF, originator=ACB)
def request_channel_scan(request: DuisRequest, ctx: CommandContext) -> bytes:
    return access_request(ctx, (SET, CHANNEL_SCAN, axdr.unsigned(0)))


@command("6.30", "DBCH03", devices=CHF, originator=ACB)
def read_sub_ghz_configuration(request: DuisRequest, ctx: CommandContext) -> bytes:
    return access_request(ctx, (GET, SUB_GHZ_CONFIGURATION, axdr.NULL))


@command("6.31", "DBCH01", devices=CHF, originator=ACB)
def read_operating_channel(request: DuisRequest, ctx: CommandContext) -> bytes:
    return access_request(ctx, (GET, OPERATING_CHANNEL, axdr.NULL))


def _mask(item: Data) -> tuple[int, list[int]]:
    """A channel mask's page and the bit numbers set."""
    bits, raw = bit_string(item)
    value = int.from_bytes(raw, "big") if bits == 32 and len(raw) == 4 else 0
    return value >> 27, [n for n in range(27) if value >> n & 1]


def sub_ghz_configuration(item: Data) -> dict[str, object] | None:
    """A sub-GHz configuration structure as {element: channels (list) or value (Decimal/int)}; None when it
    does not have the structure GBCS gives it."""
    shape = [Tag.BIT_STRING] * 4 + [tag for _, tag, _ in SUB_GHZ_SETTINGS]
    if item.tag is not Tag.STRUCTURE or [child.tag for child in item.items] != shape:
        return None
    out: dict[str, object] = {}
    for (name, page, first), mask in zip(CHANNEL_PAGES, item.items[:4]):
        out[name] = [first + n for n in _mask(mask)[1] if n < _PAGE_CHANNELS[page]]
    for (name, _tag, places), value in zip(SUB_GHZ_SETTINGS, item.items[4:]):
        out[name] = Decimal(value.int).scaleb(-places) if places else value.int
    return out


def sub_ghz_elements(config: dict[str, object]) -> list[etree._Element]:
    out = []
    for name, value in config.items():
        if isinstance(value, list):
            out.append(M(name, *[M(f"Channel{channel}") for channel in value]))
        else:
            out.append(M(name, str(value)))
    return out


@response("DBCH03")
def sub_ghz_configuration_read(ctx: ResponseContext, rsp: etree._Element) -> None:
    item = read_value(ctx, 0)
    if item is None:
        return
    config = sub_ghz_configuration(item)
    if config is None:
        ctx.notes.append("DBCH03: the sub-GHz configuration does not have its 15-member GBCS structure")
        return
    rsp.extend(sub_ghz_elements(config))


@response("DBCH09")
def sub_ghz_configuration_changed(ctx: ResponseContext, payload: etree._Element) -> None:
    content = _alert_content(ctx)
    if content is None:
        return
    config = sub_ghz_configuration(content)
    if config is not None:
        ctx.notes.append("DBCH09: sub-GHz configuration now " + ", ".join(
            f"{name} {value}" for name, value in config.items()))
    _plain_content(ctx, content, "SubGHzConfiguration")


@response("DBCH01")
def operating_channel(ctx: ResponseContext, rsp: etree._Element) -> None:
    item = read_value(ctx, 0)
    if item is None or item.tag is not Tag.BIT_STRING:
        return
    page, bits = _mask(item)
    first = {p: f for _, p, f in CHANNEL_PAGES}.get(page)
    if first is None or len(bits) != 1 or bits[0] >= _PAGE_CHANNELS[page]:
        ctx.notes.append(f"DBCH01: operating channel mask page {page}, channels {bits}: not one sub-GHz channel")
        return
    band = M.OperatingUpperBandSubGHzChannel if page == 31 else M.OperatingLowerBandSubGHzChannel
    rsp.append(M.OperatingSubGHzChannel(band(M(f"Channel{first + bits[0]}"))))


# -- Device side ----------------------------------------------------------------------------------------
# The CHF reads its Device Log commands as the DUIS body's leaves its firmware model acts on and answers a result
# per instruction, processed in order and stopping at the first that fails (the RTDS CCS01 error response:
# success, hardware-fault, other-reason). The sub-GHz reads answer the CHF's values from their MMC names.

def _action(command: DeviceCommand, method: Descriptor) -> Data:
    found = next((data for target, data in device.action_values(command)
                  if (target.class_id, target.instance, target.member) == (method.class_id, method.instance,
                                                                           method.member)), None)
    if found is None:
        raise PayloadError(f"{command.use_case}: the command invokes no {method.class_id}/{method.instance}/"
                           f"{method.member}", 0)
    return found


def _set(command: DeviceCommand, attribute: Descriptor) -> Data:
    found = device.set_values(command).get((attribute.class_id, str(attribute.instance), attribute.member))
    if found is None:
        raise PayloadError(f"{command.use_case}: the command sets no {attribute.class_id}/{attribute.instance}/"
                           f"{attribute.member}", 0)
    return found


@accepts("CCS01")
def add_device_command(command: DeviceCommand) -> dict:
    """register_device {device, key type, install code, 0} and the join timeout, as 8.11's DUIS leaves."""
    registration = _action(command, REGISTER_DEVICE).items
    if len(registration) != 4:
        raise PayloadError(f"CCS01: register_device takes 4 parameters, not {len(registration)}", 0)
    return {"DeviceID": EntityId(registration[0].octets).duis,
            "AddDeviceToCHFWhitelist/InstallCode": registration[2].octets.hex().upper(),
            "AddDeviceToCHFWhitelist/JoinTimePeriod": str(_set(command, JOIN_TIMEOUT).int)}


@accepts("CCS02")
def remove_device_command(command: DeviceCommand) -> dict:
    return {"DeviceID": EntityId(_action(command, UNREGISTER_DEVICE).octets).duis}


@accepts("CCS03")
def restore_device_log_command(command: DeviceCommand) -> dict:
    """restore_pan: Backup/ExtendedPANID (hex) and per device Backup/Device[i]/DeviceID and /HashedLinkKey (bytes)."""
    parameters = _action(command, RESTORE_PAN).items
    if len(parameters) != 2:
        raise PayloadError("CCS03: restore_pan takes {extended PAN ID, [{device id, hashed TC link key}]}", 0)
    pan, devices = parameters
    fields: dict = {"Backup/ExtendedPANID": pan.octets.hex().upper()}
    for i, entry in enumerate(devices.items, 1):
        device_id, hashed = entry.items
        fields[f"Backup/Device[{i}]/DeviceID"] = EntityId(device_id.octets).duis
        fields[f"Backup/Device[{i}]/HashedLinkKey"] = hashed.octets
    return fields


@accepts("DBCH04")
def set_sub_ghz_configuration_command(command: DeviceCommand) -> dict:
    """The configuration as 6.28's DUIS leaves: SetCHFSubGHzConfiguration/<element>[/Channel<n>]."""
    config = sub_ghz_configuration(_set(command, SUB_GHZ_CONFIGURATION))
    if config is None:
        raise PayloadError("DBCH04: the sub-GHz configuration must be GBCS's 15-member structure", 0)
    return {f"{SET_CONFIGURATION}/{name}": value for name, value in configuration_names(config).items()}


@accepts("DBCH05")
def request_channel_scan_command(command: DeviceCommand) -> dict:
    _set(command, CHANNEL_SCAN)
    return {}


@accepts("DBCH03", "DBCH01")
def read_sub_ghz_command(command: DeviceCommand) -> dict:
    return {}


@answers("CCS01", "CCS02", "CCS03", "DBCH04", "DBCH05")
def device_log_answer(command: DeviceCommand, outcome: dict) -> bytes:
    return device.dlms_answer(command, outcome)


SET_CONFIGURATION = "SetCHFSubGHzConfiguration"


def configuration_names(config: dict[str, object]) -> dict[str, str]:
    """A sub-GHz configuration ({element: channels or value}) by the names MMC's DBCH03 response gives it."""
    names: dict[str, str] = {}
    for name, value in config.items():
        if isinstance(value, list):
            names.update({f"{name}/Channel{channel}": "" for channel in value})
        else:
            names[name] = str(value)
    return names


def configuration_structure(names: dict[str, str]) -> Data:
    """The sub-GHz configuration structure from its MMC names (as `configuration_names` gives them)."""
    masks = []
    for element, page, first in CHANNEL_PAGES:
        mask = page << 27
        for name in names:
            if name.startswith(f"{element}/Channel"):
                mask |= 1 << (int(name.rsplit("Channel", 1)[1]) - first)
        masks.append(Data(Tag.BIT_STRING, (32, mask.to_bytes(4, "big"))))
    settings = [Data(tag, int(Decimal(names[name]).scaleb(places))) for name, tag, places in SUB_GHZ_SETTINGS]
    return axdr.structure(*masks, *settings)


@answers("DBCH03")
def sub_ghz_configuration_answer(command: DeviceCommand, outcome: dict) -> bytes:
    read = configuration_structure(outcome) if device.succeeded(outcome) else axdr.NULL
    return device.dlms_answer(command, outcome, [read])


def operating_channel_names(band: str, channel: int) -> dict[str, str]:
    """DBCH01's MMC names of a channel: band 'Lower' (0-61) or 'Upper' (0-26)."""
    return {f"OperatingSubGHzChannel/Operating{band}BandSubGHzChannel/Channel{channel}": ""}


@answers("DBCH01")
def operating_channel_answer(command: DeviceCommand, outcome: dict) -> bytes:
    mask = None
    for name in outcome:
        if name.startswith("OperatingSubGHzChannel/"):
            band, channel = name.split("/")[1], int(name.rsplit("Channel", 1)[1])
            page, first = next((p, f) for element, p, f in CHANNEL_PAGES if element.startswith(
                "Upper" if "Upper" in band else "Lower") and f <= channel < f + _PAGE_CHANNELS[p])
            mask = (page << 27) | 1 << (channel - first)
    gets = [Data(Tag.BIT_STRING, (32, mask.to_bytes(4, "big")))] if mask is not None else []
    return device.dlms_answer(command, outcome, gets)
