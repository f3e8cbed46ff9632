"""6.13 Read Event or Security Log on an ESME or the Communications Hub Function (DLMS COSEM): ECS35a-g.

A get-with-selection of a log's buffer (profile generic, attribute 2) by range: the restricting object is
the entries' UTC timestamp and the bounds are seconds since 2000-01-01 UTC. Which log and use case come
from sr:LogToRead and the target's device type; the CHF's logs (ECS35c/d) are read by the DCC's Access
Control Broker on the User's behalf; the ALCS event log is ECS35f for a Supplier and ECS35g for an
Electricity Network Operator. Log entries are not protected: the response carries them in clear.
"""

from __future__ import annotations

import datetime as dt

from lxml import etree

from harness import catalogue
from harness.catalogue import DeviceType, UserRole
from harness.gbcs import axdr, dlms, gbz
from harness.gbcs.axdr import Data, PayloadError, Tag
from harness.gbcs.dlms import Descriptor, Obis, RequestKind, RequestSpec
from harness.usecases import device
from harness.usecases.esme_reads import named, read_log_period, timestamp
from harness.usecases.gsme_reads import entries
from harness.usecases.mmc import M, utc_text
from harness.usecases.records import DspRecords
from harness.usecases.registry import (
    Build,
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

PROFILE_GENERIC, BUFFER, RANGE_SELECTOR = 7, 2, 1
# The range's restricting object: the entry timestamp (class 1, 0-0:94.44.100.255, attribute 2).
ENTRY_TIME = axdr.structure(axdr.long_unsigned(1), axdr.octet_string(Obis.parse("0-0:94.44.100.255").raw),
                            axdr.integer(2), axdr.long_unsigned(0))

# sr:LogToRead -> the log's logical name, per device type.
LOGS: dict[tuple[DeviceType, str], str] = {
    (DeviceType.ESME, "Event"): "0-0:99.98.0.255",
    (DeviceType.ESME, "Security"): "0-0:99.98.1.255",
    (DeviceType.ESME, "PowerEvent"): "0-0:99.98.4.255",
    (DeviceType.ESME, "ALCSEvent"): "0-17:99.98.2.255",
    (DeviceType.CHF, "Event"): "0-0:99.98.0.255",
    (DeviceType.CHF, "Security"): "0-0:99.98.1.255",
}
LOG_LIMIT = 100                                 # MMC's LogEntry / ALCSEventLogEntry maxOccurs

# Who is a Network Operator: the DSP knows Users' roles from their registration, which a DUIS request
# does not carry; the framework's records of the test organisations stand in for it.


def _log(request: DuisRequest) -> str | None:
    return request.text("LogToRead")


def _log_reader(device: DeviceType) -> Build:
    """read_log for one device's logs (a closure: a loop's lambda would see the loop's last device)."""
    def build(request: DuisRequest, ctx: CommandContext) -> bytes:
        return read_log(request, ctx, device)
    return build


def read_log(request: DuisRequest, ctx: CommandContext, device: DeviceType) -> bytes:
    log = request.require("LogToRead")
    if (device, log) not in LOGS:
        raise TransformError(f"{request.srv} sr:LogToRead {log!r} is not a log of the {device.value}",
                             where=request.where)
    start, end = read_log_period(request)
    selection = axdr.structure(ENTRY_TIME, axdr.double_long_unsigned(gbz.gbz_seconds(start)),
                               axdr.double_long_unsigned(gbz.gbz_seconds(end)), axdr.array())
    spec = RequestSpec(RequestKind.GET_WITH_SELECTION, Descriptor(PROFILE_GENERIC, Obis.parse(LOGS[device, log]),
                                                                  BUFFER), RANGE_SELECTOR, selection)
    return dlms.AccessRequest(dlms.invoke_id(ctx.counter), (spec,), (axdr.NULL,)).encode()


def _reading(device: DeviceType, log: str | None):
    """Whether a request reads `log` of the device; log None: a log the device does not keep, or none,
    so that the Transform says what is wrong."""
    if log is None:
        return lambda r: (device, _log(r)) not in LOGS
    return lambda r: _log(r) == log


def _network_operator(records: DspRecords) -> bool:
    return records.user_role is UserRole.ELECTRICITY_DISTRIBUTOR


def _supplier(records: DspRecords) -> bool:
    return not _network_operator(records)


def _anyone(records: DspRecords) -> bool:
    return True


ESME, CHF, USER, ACB = DeviceType.ESME, DeviceType.CHF, Originator.USER, Originator.ACB
for _use_case, _device, _applies, _requires, _originator in (
        ("ECS35a", ESME, _reading(ESME, "Event"), _anyone, USER),
        ("ECS35a", ESME, _reading(ESME, None), _anyone, USER),
        ("ECS35b", ESME, _reading(ESME, "Security"), _anyone, USER),
        ("ECS35e", ESME, _reading(ESME, "PowerEvent"), _anyone, USER),
        ("ECS35f", ESME, _reading(ESME, "ALCSEvent"), _supplier, USER),
        ("ECS35g", ESME, _reading(ESME, "ALCSEvent"), _network_operator, USER),
        ("ECS35c", CHF, _reading(CHF, "Event"), _anyone, ACB),          # the CHF's logs: the DCC reads them
        ("ECS35c", CHF, _reading(CHF, None), _anyone, ACB),
        ("ECS35d", CHF, _reading(CHF, "Security"), _anyone, ACB)):
    command("6.13", _use_case, devices=(_device,), originator=_originator, applies=_applies, requires=_requires)(
        _log_reader(_device))


# -- Parse ----------------------------------------------------------------------------------------

def _buffer(ctx: ResponseContext) -> tuple[Data, ...] | None:
    value = ctx.payload.value
    if not isinstance(value, dlms.AccessResponse) or not value.succeeded or not value.data \
            or value.data[0].tag is Tag.NULL:
        return None
    log = value.data[0]
    if log.tag not in (Tag.ARRAY, Tag.COMPACT_ARRAY) or any(
            row.tag is not Tag.STRUCTURE or len(row.items) < 2 for row in log.items):
        raise PayloadError(f"{ctx.use_case}: a log buffer must be an array of structures (timestamp, code ...)", 0)
    if len(log.items) > LOG_LIMIT:
        ctx.notes.append(f"{ctx.use_case}: {len(log.items)} log entries, MMC carries the first {LOG_LIMIT}")
    return log.items[:LOG_LIMIT]


def _hex(item: Data) -> str:
    """Other information as hexBinary: octet-strings as they are, integers big-endian in their size."""
    if item.tag is Tag.OCTET_STRING:
        return item.octets.hex().upper()
    size = {Tag.UNSIGNED: 1, Tag.LONG_UNSIGNED: 2, Tag.DOUBLE_LONG_UNSIGNED: 4, Tag.LONG64_UNSIGNED: 8}.get(item.tag)
    if size is None:
        raise PayloadError(f"event log other information must be an octet-string or unsigned, found {item.tag.label}",
                           0)
    return item.int.to_bytes(size, "big").hex().upper()


def log_entry(row: Data) -> etree._Element:
    stamp, code, *other = row.items
    entry = M.LogEntry(M.Timestamp(timestamp(stamp)), M.LogCode(f"{code.int:04X}"))
    try:
        entry.append(M.LogMeaning(catalogue.device_alert(code.int).name[:200]))
    except catalogue.UnknownEntry:
        pass
    if other and not (other[0].tag is Tag.OCTET_STRING and not other[0].octets):
        entry.append(M.OtherInformation(_hex(other[0])))
    return entry


# ALCS event codes: the high byte is the switch (1-5), the low byte the action; 00 records the message an
# HC ALCS sent about a command (it carries that command's outcome). Inferred from the RTDS ALCS log, where
# each HAN command entry (outcome not known) is followed by a 00 entry with the same HAN command id.
SWITCH_ACTIONS = {0x11: "On", 0x12: "Off", 0x20: "Revert to calendar control",
                  0x00: "Entry relates to a Message from an HC ALCS"}
OUTCOMES = ("Outcome not known", "Success", "Failure")


def alcs_entry(ctx: ResponseContext, row: Data) -> etree._Element:
    if len(row.items) != 4:
        raise PayloadError(f"{ctx.use_case}: an ALCS event log entry must be timestamp, event code, outcome, "
                           f"HAN command id; found {len(row.items)} items", 0)
    stamp, code, outcome, han_command = row.items
    entry = M.ALCSEventLogEntry(M.Timestamp(timestamp(stamp)))
    switch, action = code.int >> 8, code.int & 0xFF
    if 1 <= switch <= 5:
        entry.append(M.SwitchNumber(str(switch)))
    if action in SWITCH_ACTIONS:
        entry.append(M.SwitchAction(SWITCH_ACTIONS[action]))
    if not (1 <= switch <= 5 and action in SWITCH_ACTIONS):
        ctx.notes.append(f"{ctx.use_case}: ALCS event code 0x{code.int:04X} not fully understood")
    if 0 <= outcome.int < len(OUTCOMES):
        entry.append(M.Outcome(OUTCOMES[outcome.int]))
    entry.append(M.HANCommandID(str(han_command.int)))
    return entry


@response("ECS35a", "ECS35b", "ECS35c", "ECS35d", "ECS35e")
@named
def event_or_security_log(ctx: ResponseContext, rsp: etree._Element) -> None:
    """Timestamp, event code (with its name) and, for event and power event logs, other information."""
    rows = _buffer(ctx)
    if rows is not None:
        rsp.append(M.Log(*(log_entry(row) for row in rows)))


@response("ECS35f", "ECS35g")
@named
def alcs_event_log(ctx: ResponseContext, rsp: etree._Element) -> None:
    rows = _buffer(ctx)
    if rows is not None:
        rsp.append(M.ALCSEvent(*(alcs_entry(ctx, row) for row in rows)))


# -- Device side ----------------------------------------------------------------------------------------
# The ESME (and the CHF, for its own two logs) reads which log and period from the get-with-selection (the
# device's handlers act on them, named as the DUIS body's leaves) and answers the entries as the RTDS ESME does,
# a compact-array of: (timestamp, event code, other information) for the Event Log; (timestamp, event code) for
# the Security Log; (timestamp, event code, a double-long-unsigned value) for the Power Event Log; (timestamp,
# switch and action, outcome, HAN command id) for the ALCS Event Log.
_ESME_LOGS = {LOGS[ESME, log]: log for log in ("Event", "Security", "PowerEvent", "ALCSEvent")}
_TIME, _CODE = axdr.TypeDescription(Tag.DOUBLE_LONG_UNSIGNED), axdr.TypeDescription(Tag.LONG_UNSIGNED)
_ENTRY = {"Event": (_TIME, _CODE, axdr.TypeDescription(Tag.OCTET_STRING)),
          "Security": (_TIME, _CODE),
          "PowerEvent": (_TIME, _CODE, axdr.TypeDescription(Tag.DOUBLE_LONG_UNSIGNED)),
          "ALCSEvent": (_TIME, _CODE, axdr.TypeDescription(Tag.ENUM), axdr.TypeDescription(Tag.DOUBLE_LONG_UNSIGNED))}
# The log each use case reads (its message code says which: ECS35a and c the Event Log of an ESME or a CHF).
_READS = {"ECS35a": "Event", "ECS35b": "Security", "ECS35c": "Event", "ECS35d": "Security",
          "ECS35e": "PowerEvent", "ECS35f": "ALCSEvent", "ECS35g": "ALCSEvent"}


def _log_read(command: DeviceCommand) -> tuple[str, Data | None]:
    """Which log a command reads, and its range selection (None when it gives none)."""
    specs = device.access_request(command).specs
    spec = specs[0] if len(specs) == 1 else None
    log = _ESME_LOGS.get(str(spec.descriptor.instance)) if spec is not None else None
    if spec is None or log != _READS[command.use_case] or spec.kind is not RequestKind.GET_WITH_SELECTION \
            or (spec.descriptor.class_id, spec.descriptor.member, spec.selector) != (PROFILE_GENERIC, BUFFER,
                                                                                    RANGE_SELECTOR):
        raise PayloadError(f"{command.use_case}: expected a range read of the {_READS[command.use_case]} Log "
                           f"buffer", 0)
    return log, spec.selection


@accepts(*_READS)
def read_log_command(command: DeviceCommand) -> dict:
    log, selection = _log_read(command)
    if selection is None or selection.tag is not Tag.STRUCTURE or len(selection.items) != 4:
        raise PayloadError(f"{command.use_case}: a range selection is (restricting object, from, to, columns)", 0)
    _restricting, start, end, _columns = selection.items
    return {"LogToRead": log, "ReadLogPeriod/StartDateTime": utc_text(gbz.gbz_time(start.int)),
            "ReadLogPeriod/EndDateTime": utc_text(gbz.gbz_time(end.int))}


def _seconds(text: str) -> Data:
    return axdr.double_long_unsigned(gbz.gbz_seconds(dt.datetime.fromisoformat(text.replace("Z", "+00:00"))))


def _alcs_row(entry: dict[str, str]) -> Data:
    """An ALCS Event Log entry from its MMC names: the event code is the switch and its action (SWITCH_ACTIONS)."""
    action = next(code for code, name in SWITCH_ACTIONS.items() if name == entry["SwitchAction"])
    return axdr.structure(_seconds(entry["Timestamp"]), axdr.long_unsigned(int(entry["SwitchNumber"]) << 8 | action),
                          axdr.enum(OUTCOMES.index(entry["Outcome"])),
                          axdr.double_long_unsigned(int(entry["HANCommandID"])))


@answers(*_READS)
def log_answer(command: DeviceCommand, outcome: dict) -> bytes:
    log, _ = _log_read(command)
    if log == "ALCSEvent":
        rows = [_alcs_row(entry) for entry in entries(outcome, "ALCSEvent/ALCSEventLogEntry")]
    else:
        rows = []
        for entry in entries(outcome, "Log/LogEntry"):
            row = [_seconds(entry["Timestamp"]), axdr.long_unsigned(int(entry["LogCode"], 16))]
            other = bytes.fromhex(entry.get("OtherInformation", ""))
            if log == "Event":
                row.append(axdr.octet_string(other))
            elif log == "PowerEvent":
                row.append(axdr.double_long_unsigned(int.from_bytes(other, "big")))
            rows.append(axdr.structure(*row))
    shape = axdr.TypeDescription(Tag.STRUCTURE, children=_ENTRY[log])
    return device.dlms_answer(command, outcome, [Data(Tag.COMPACT_ARRAY, (shape, tuple(rows)))])
