"""Joining devices on the HAN (ASN.1 DER, GBCS 13.7-13.8) and the commissioning clock of a gas meter.

A join (SR 8.7.1 critical, 8.7.2 non-critical) goes to one device and names the other; the DCC chooses the
use case from the two devices' types (its Smart Metering Inventory, `DspRecords.other_device_type`):

  SR     target  other            use case           join method and role    originator
  8.7.1  ESME    PPMID, HCALCS    CS03A1             method A, initiator     the User
  8.7.1  HCALCS  ESME             CS03A2Critical     method A, responder     the User
  8.7.1  GSME    PPMID            CS03CCritical      method C                the User
  8.7.2  PPMID   ESME             CS03A2NonCritical  method A, responder     the ACB for the User
  8.7.2  PPMID   GSME             CS03CNonCritical   method C                the ACB for the User
  8.7.2  GSME    GPF              CS03B              method B                the User
  8.7.2  ESME    IHD, CAD         CS03B              method B                the User
  8.7.2  GPF     GSME, PPMID,     CS03B              method B                the ACB for the User
                 IHD, CAD

A method C join carries the other device's KA certificate (from SMKI: `DspRecords.other_device_ka_certificate`).
An unjoin (8.8.1 CS04ACCritical; 8.8.2 CS04ACNonCritical to a PPMID, CS04B to a meter or GPF) names only
the other device. The GPF's joins are taken to be method B throughout (no key establishment: the GPF is
part of the Communications Hub, whose TC link key each device already shares), as its Device Log backup
(GCS62) lists PPMIDs with Type 2 devices. Devices that hold no User's trust anchors (PPMID, GPF) are
addressed by the DCC's Access Control Broker, the User as supplementary remote party.

GCS59 (8.12.2) restores on a new GPF what the DSP holds of the old GPF's Device Log: its last GCS62 backup
alert (`DspRecords.gpf_device_log`, read by `gpf_device_log_backup`). GCS28Commission (8.1.1) sets a GSME's
clock at commissioning: the command is valid in [CurrentDateTime, + TolerancePeriod] only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from lxml import etree

from harness.catalogue import DeviceType
from harness.eui import EntityId
from harness.gbcs import asn1
from harness.gbcs import payload as gbcs_payload
from harness.gbcs.axdr import PayloadError
from harness.gbcs.frame import GbcsMessage
from harness.usecases import device
from harness.usecases.chf import entity_id
from harness.usecases.mmc import M, utc_text
from harness.usecases.records import DspRecords, GpfDeviceLogBackup
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
from harness.usecases.request import DuisRequest, TransformError
from harness.usecases.security import (
    asn1_command,
    asn1_command_record,
    asn1_octets,
    asn1_record,
    asn1_status,
    mmc_entries,
    parsed_values,
    response_code,
)

D = DeviceType
USER, ACB = Originator.USER, Originator.ACB
# ASN.1 DeviceType of the DUIS device types (IHDs and CADs are Type 2 devices).
ASN1_DEVICE_TYPES = {D.GSME: 0, D.ESME: 1, D.CHF: 2, D.GPF: 3, D.HCALCS: 4, D.PPMID: 5, D.IHD: 6, D.CAD: 6}
MMC_DEVICE_TYPES = {"gsme": "GSME", "esme": "ESME", "chf": "CHF", "gpf": "GPF", "hcalcs": "HCALCS", "ppmid": "PPMID",
                    "type2": "Type2"}
METHOD_A_INITIATOR, METHOD_A_RESPONDER, METHOD_B, METHOD_C = 0, 1, 2, 3


# -- 8.7.1 / 8.7.2 Join ------------------------------------------------------------------------------------

def _join(method: int, others: Collection[DeviceType]):
    def build(request: DuisRequest, ctx: CommandContext) -> bytes:
        other = entity_id(request, "OtherDeviceID")
        kind = ctx.records.other_device_type
        what = f"{request.srv} {request.body_name}"
        if kind is None:
            raise TransformError(f"{what}: the DSP's records give no device type for sr:OtherDeviceID {other.duis}",
                                 where=request.where, fix="say the other device's type (its pre-notified type)")
        if kind not in others:
            target = ctx.device_type.value if ctx.device_type else "the target"
            raise TransformError(f"{what}: {target} joins a {'/'.join(d.value for d in others)} this way, "
                                 f"not a {kind.value} ({other.duis})", where=request.where)
        value: dict = {"joinMethodAndRole": method, "otherDeviceEntityId": bytes(other),
                       "otherDeviceType": ASN1_DEVICE_TYPES[kind]}
        if method == METHOD_C:     # no key establishment on the HAN: each device is given the other's KA key
            certificate = ctx.records.other_device_ka_certificate
            if certificate is None:
                raise TransformError(f"{what}: a method C join carries the KA certificate of {other.duis}, and the "
                                     f"DSP's records (SMKI) hold none", where=request.where)
            value["otherDeviceKeyAgreementCertificate"] = certificate
        return asn1.encode("JoinDeviceCommand", value)
    return build


def _other_is(*kinds: DeviceType | None):
    return lambda records: records.other_device_type in kinds


command("8.7.1", "CS03A1", devices=(D.ESME,))(_join(METHOD_A_INITIATOR, (D.PPMID, D.HCALCS)))
command("8.7.1", "CS03A2Critical", devices=(D.HCALCS,))(_join(METHOD_A_RESPONDER, (D.ESME,)))
command("8.7.1", "CS03CCritical", devices=(D.GSME,))(_join(METHOD_C, (D.PPMID,)))
# A PPMID joins an ESME by method A, a GSME by method C: the other device's type says which; without it
# the method A use case is chosen, and says what is missing.
command("8.7.2", "CS03A2NonCritical", devices=(D.PPMID,), originator=ACB,
        requires=_other_is(None, D.ESME))(_join(METHOD_A_RESPONDER, (D.ESME,)))
command("8.7.2", "CS03CNonCritical", devices=(D.PPMID,), originator=ACB,
        requires=_other_is(D.GSME))(_join(METHOD_C, (D.GSME,)))
command("8.7.2", "CS03B", devices=(D.GSME,))(_join(METHOD_B, (D.GPF,)))
command("8.7.2", "CS03B", devices=(D.ESME,))(_join(METHOD_B, (D.IHD, D.CAD)))
command("8.7.2", "CS03B", devices=(D.GPF,), originator=ACB)(_join(METHOD_B, (D.GSME, D.PPMID, D.IHD, D.CAD)))


# -- 8.8.1 / 8.8.2 Unjoin ----------------------------------------------------------------------------------

def _unjoin(request: DuisRequest, ctx: CommandContext) -> bytes:
    return asn1.encode("UnjoinDeviceCommand", bytes(entity_id(request, "OtherDeviceID")))


CS04B = 0x0010       # the catalogue also lists 0x000F for CS04B (an RTDS error case): CS04B's own code
command("8.8.1", "CS04ACCritical", devices=(D.ESME, D.GSME, D.HCALCS))(_unjoin)
command("8.8.2", "CS04ACNonCritical", devices=(D.PPMID,), originator=ACB)(_unjoin)
command("8.8.2", "CS04B", devices=(D.ESME, D.GSME), message_code=CS04B)(_unjoin)
command("8.8.2", "CS04B", devices=(D.GPF,), originator=ACB, message_code=CS04B)(_unjoin)


@response("CS03A1", "CS03A2Critical", "CS03A2NonCritical", "CS03B", "CS03CCritical", "CS03CNonCritical")
def joined(ctx: ResponseContext, rsp: etree._Element) -> None:
    _response_code(ctx, rsp, "joinResponseCode")


@response("CS04ACCritical", "CS04ACNonCritical", "CS04B")
def unjoined(ctx: ResponseContext, rsp: etree._Element) -> None:
    _response_code(ctx, rsp, "unjoinResponseCode")


def _response_code(ctx: ResponseContext, rsp: etree._Element, tag: str) -> None:
    value = asn1_payload(ctx.payload, ctx.use_case)
    rsp.append(asn1_status(tag, value.fields(), value.value))
    rsp.set("MessageSuccess", "true" if value.value == 0 else "false")


# -- 8.12.2 GCS59 Restore GPF Device Log -------------------------------------------------------------------

def gpf_device_log_backup(message: GbcsMessage) -> GpfDeviceLogBackup:
    """The backup a GCS62 alert (0x00B2) carries."""
    value = gbcs_payload.decode(message.apdu).value
    if not isinstance(value, asn1.Asn1Payload) or value.type_name != "GPFDeviceLogBackupAlert":
        raise PayloadError("GCS62: expected a GPF Device Log backup alert (message code 0x00B2)", 0)
    raw = asn1_record(value.value, value.type_name)
    entries = tuple((EntityId(e["deviceId"]), e["deviceType"]) for e in raw["deviceLogEntries"])
    return GpfDeviceLogBackup(entries, message.apdu.originator, raw["backupDateTime"].replace(tzinfo=dt.UTC))


GPF_DEVICE_LOG_CHANGED = 0x8071


def gpf_device_log_backup_alert(entries: tuple[tuple[EntityId, int], ...]) -> device.AlertPayload:
    """A GCS62 alert (0x8071, GPF Device Log Changed): the GPF Device Log, each device with its ASN.1 type."""
    def build(counter: int, when: dt.datetime) -> bytes:
        return asn1.encode("GPFDeviceLogBackupAlert", {
            "alertCode": GPF_DEVICE_LOG_CHANGED,
            "backupDateTime": when.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0),
            "deviceLogEntries": [{"deviceId": bytes(eui), "deviceType": kind} for eui, kind in entries]})
    return build


def _backup_of(records: DspRecords) -> GpfDeviceLogBackup | None:
    backup = records.gpf_device_log
    return backup if isinstance(backup, GpfDeviceLogBackup) else None


@command("8.12.2", "GCS59", devices=(D.GPF,), originator=Originator.ACB_ALONE)
def restore_gpf_device_log(request: DuisRequest, ctx: CommandContext) -> bytes:
    old = entity_id(request, "OldGPFID")
    backup = _backup_of(ctx.records)
    if backup is None or (backup.gpf is not None and backup.gpf != old):
        raise TransformError(f"8.12.2 RestoreGPFDeviceLog: the DSP holds no GPF Device Log backup (GCS62 alert) "
                             f"of the old GPF {old.duis}", where=request.where,
                             fix="give the old GPF's last GCS62 alert")
    entries = [{"deviceId": bytes(device), "deviceType": kind} for device, kind in backup.entries]
    return asn1.encode("GPFDeviceLogRestoreCommand", {"deviceLogEntries": entries})


@response("GCS59")
def gpf_device_log_restored(ctx: ResponseContext, rsp: etree._Element) -> None:
    """Per device the log held, whether the new GPF took it back (a join response code)."""
    value = asn1_payload(ctx.payload, ctx.use_case)
    raw = asn1_record(value.value, value.type_name)["restoreOutcomes"]
    view = asn1_record(value.fields(), value.type_name)["restoreOutcomes"]
    for r, v in zip(raw, view, strict=True):
        kind = MMC_DEVICE_TYPES.get(v["deviceLogEntry"]["deviceType"])
        entry = M.DeviceLogEntry(M.DeviceID(v["deviceLogEntry"]["deviceId"]))
        if kind:
            entry.append(M.DeviceType(kind))
        rsp.append(M.RestoreDeviceLogOutcome(*([entry] if kind else []),
                                             asn1_status("joinResponseCode", v["joinResponse"], r["joinResponse"])))
    rsp.set("MessageSuccess", "true" if all(r["joinResponse"] == 0 for r in raw) else "false")


# -- 8.1.1 GCS28Commission: the GSME's clock --------------------------------------------------------------

@command("8.1.1", "GCS28Commission", devices=(D.GSME,))
def commission_gas_clock(request: DuisRequest, ctx: CommandContext) -> bytes:
    request.require("CurrentDateTime")
    start = request.date_time("CurrentDateTime")
    assert start is not None
    start = start.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    end = start + dt.timedelta(seconds=request.int("TolerancePeriod"))
    return asn1.encode("SetTimeCommand", {"validityIntervalStart": start, "validityIntervalEnd": end})


@response("GCS28Commission", "GCS28")     # 6.11's GCS28 answers the same SetTimeResponse
def gas_clock_set(ctx: ResponseContext, rsp: etree._Element) -> None:
    """The GSME's time and its status: anything but reliable means the clock was not set."""
    value = asn1_payload(ctx.payload, ctx.use_case)
    raw, view = asn1_record(value.value, value.type_name), asn1_record(value.fields(), value.type_name)
    rsp.append(M.DeviceTime(view["deviceTime"]))
    rsp.append(M.Gas(asn1_status("GasClockTimeStatus", view["deviceTimeStatus"], raw["deviceTimeStatus"])))
    rsp.set("MessageSuccess", "true" if raw["deviceTimeStatus"] == 0 else "false")


# -- 8.1.1 / 6.11 on the GSME: SetTime ------------------------------------------------------------------------
# The firmware model sets its clock to the window's start if that is within the window's length of its own
# time (sr:CurrentDateTime and sr:TolerancePeriod, which the window was made of), and reports its time and
# the clock's status in the names of the MMC response; a clock it did not set is 'unreliable', as the RTDS
# error response has it, at the time it read the command unless the outcome gives the device's time.
DEVICE_TIME, CLOCK_STATUS = "DeviceTime", "Gas/GasClockTimeStatus@ResponseCode"
RELIABLE, UNRELIABLE = 0, 2


@accepts("GCS28Commission", "GCS28")
def set_gas_clock_command(command: DeviceCommand) -> dict:
    value = asn1_payload(command.payload, command.use_case)
    window = asn1_record(value.value, value.type_name)
    start, end = window["validityIntervalStart"], window["validityIntervalEnd"]
    return {"CurrentDateTime": utc_text(start.replace(tzinfo=dt.UTC)),
            "TolerancePeriod": str(int((end - start).total_seconds()))}


@answers("GCS28Commission", "GCS28")
def gas_clock_answer(command: DeviceCommand, outcome: dict) -> bytes:
    ok = outcome.get("Result", "Success") == "Success"
    when = dt.datetime.fromisoformat(outcome[DEVICE_TIME].replace("Z", "+00:00")) if DEVICE_TIME in outcome \
        else command.now
    status = int(outcome.get(CLOCK_STATUS, RELIABLE if ok else UNRELIABLE))
    return asn1.encode("SetTimeResponse", {
        "deviceTime": when.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0), "deviceTimeStatus": status})


# -- Device side ----------------------------------------------------------------------------------------
# A device reads a join as the other device's id, the join method and role, the other's ASN.1 device type and
# (method C) its KA certificate; an unjoin as the other device's id. It answers the JoinDeviceResponse or
# UnjoinDeviceResponse code its firmware gives, named as the User's Parse names it (joinResponseCode@ResponseCode,
# joinResponseCode/ASN1Status): `join_outcome` and `unjoin_outcome` give those names.

JOINS = ("CS03A1", "CS03A2Critical", "CS03A2NonCritical", "CS03B", "CS03CCritical", "CS03CNonCritical")
UNJOINS = ("CS04ACCritical", "CS04ACNonCritical", "CS04B")
JOIN_RESPONSES = asn1.named_numbers("JoinDeviceResponse")
UNJOIN_RESPONSES = asn1.named_numbers("UnjoinDeviceResponse")
JOINED = UNJOINED = 0
# The join method each use case's message code carries (GBCS: a command whose method is not its code's is
# refused with invalidMessageCodeForJoinMethodAndRole).
USE_CASE_METHODS = {"CS03A1": METHOD_A_INITIATOR, "CS03A2Critical": METHOD_A_RESPONDER,
                    "CS03A2NonCritical": METHOD_A_RESPONDER, "CS03B": METHOD_B, "CS03CCritical": METHOD_C,
                    "CS03CNonCritical": METHOD_C}
# What each device joins, by which method and role (the table in the module text, as ASN.1 device types).
_T = ASN1_DEVICE_TYPES
DEVICE_JOINS: dict[DeviceType, dict[int, frozenset[int]]] = {
    D.ESME: {METHOD_A_INITIATOR: frozenset({_T[D.PPMID], _T[D.HCALCS]}), METHOD_B: frozenset({_T[D.IHD]})},
    D.HCALCS: {METHOD_A_RESPONDER: frozenset({_T[D.ESME]})},
    D.GSME: {METHOD_C: frozenset({_T[D.PPMID]}), METHOD_B: frozenset({_T[D.GPF]})},
    D.PPMID: {METHOD_A_RESPONDER: frozenset({_T[D.ESME]}), METHOD_C: frozenset({_T[D.GSME]})},
    D.GPF: {METHOD_B: frozenset({_T[D.GSME], _T[D.PPMID], _T[D.IHD]})},
}
# A failure the firmware gives no code for: the write to the device log failed / some other failure.
_JOIN_FAILED, _UNJOIN_FAILED = JOIN_RESPONSES["writeFailure"], UNJOIN_RESPONSES["otherFailure"]


@accepts(*JOINS)
def join_command(command: DeviceCommand) -> dict:
    """OtherDeviceID (as DUIS names it), JoinMethodAndRole and OtherDeviceType (ASN.1 numbers) and, for
    method C, OtherDeviceKeyAgreementCertificate (DER)."""
    value = asn1_command_record(command, "JoinDeviceCommand")
    fields: dict = {"OtherDeviceID": EntityId(value["otherDeviceEntityId"]).duis,
                    "JoinMethodAndRole": value["joinMethodAndRole"], "OtherDeviceType": value["otherDeviceType"]}
    if value.get("otherDeviceKeyAgreementCertificate") is not None:
        fields["OtherDeviceKeyAgreementCertificate"] = value["otherDeviceKeyAgreementCertificate"]
    return fields


@accepts(*UNJOINS)
def unjoin_command(command: DeviceCommand) -> dict:
    device_id = asn1_octets(asn1_command(command, "UnjoinDeviceCommand"), "UnjoinDeviceCommand")
    return {"OtherDeviceID": EntityId(device_id).duis}


def join_refusal(use_case: str, device_type: DeviceType, fields: dict) -> int | None:
    """The JoinDeviceResponse code a device of this type refuses a join with before looking at its device log:
    a method its message code does not carry, a method or other device type it does not join by, or a
    method C join without the other device's certificate; None when it may go on."""
    method, other = fields["JoinMethodAndRole"], fields["OtherDeviceType"]
    if USE_CASE_METHODS.get(use_case, method) != method:
        return JOIN_RESPONSES["invalidMessageCodeForJoinMethodAndRole"]
    if other not in DEVICE_JOINS.get(device_type, {}).get(method, ()):
        return JOIN_RESPONSES["invalidJoinMethodAndRole"]
    if method == METHOD_C and not fields.get("OtherDeviceKeyAgreementCertificate"):
        return JOIN_RESPONSES["invalidOrMissingCertificate"]
    return None


def join_outcome(code: int) -> dict[str, str]:
    """A join's outcome in the names of its MMC response (Result among them)."""
    return parsed_values("CS03B", asn1.decode_as("JoinDeviceResponse", asn1.encode("JoinDeviceResponse", code)))


def unjoin_outcome(code: int) -> dict[str, str]:
    return parsed_values("CS04B", asn1.decode_as("UnjoinDeviceResponse", asn1.encode("UnjoinDeviceResponse", code)))


def join_answer(command: DeviceCommand, outcome: dict) -> bytes:
    code = response_code(outcome, "joinResponseCode", JOINED if device.succeeded(outcome) else _JOIN_FAILED)
    return asn1.encode("JoinDeviceResponse", code)


answers(*JOINS)(join_answer)


@answers(*UNJOINS)
def unjoin_answer(command: DeviceCommand, outcome: dict) -> bytes:
    code = response_code(outcome, "unjoinResponseCode", UNJOINED if device.succeeded(outcome) else _UNJOIN_FAILED)
    return asn1.encode("UnjoinDeviceResponse", code)


# GCS59: the GPF reads the entries it is to restore and says per entry whether it took it back.

@accepts("GCS59")
def restore_gpf_device_log_command(command: DeviceCommand) -> dict:
    """Backup/Device[i]/DeviceID and Backup/Device[i]/DeviceType (its ASN.1 number), from 1."""
    value = asn1_command_record(command, "GPFDeviceLogRestoreCommand")
    fields: dict = {}
    for i, entry in enumerate(value["deviceLogEntries"], 1):
        fields[f"Backup/Device[{i}]/DeviceID"] = EntityId(entry["deviceId"]).duis
        fields[f"Backup/Device[{i}]/DeviceType"] = entry["deviceType"]
    return fields


def gpf_restore_outcome(outcomes: list[tuple[EntityId, int, int]]) -> dict[str, str]:
    """GCS59's outcome in its MMC names from (device id, ASN.1 device type, join response code) per entry."""
    value = {"restoreOutcomes": [{"deviceLogEntry": {"deviceId": bytes(eui), "deviceType": kind}, "joinResponse": code}
                                 for eui, kind, code in outcomes]}
    return parsed_values("GCS59", asn1.decode_as("GPFDeviceLogRestoreResponse",
                                                  asn1.encode("GPFDeviceLogRestoreResponse", value)))


_MMC_TYPE_NUMBERS = {mmc_name: asn1.named_numbers("DeviceType")[name] for name, mmc_name in MMC_DEVICE_TYPES.items()}


@answers("GCS59")
def gpf_device_log_restored_answer(command: DeviceCommand, outcome: dict) -> bytes:
    outcomes = []
    for entry in mmc_entries(outcome, "RestoreDeviceLogOutcome"):
        code = response_code(entry, "joinResponseCode", JOINED if device.succeeded(outcome) else _JOIN_FAILED)
        outcomes.append({"deviceLogEntry": {"deviceId": bytes(EntityId(entry["DeviceLogEntry/DeviceID"])),
                                            "deviceType": _MMC_TYPE_NUMBERS[entry["DeviceLogEntry/DeviceType"]]},
                         "joinResponse": code})
    return asn1.encode("GPFDeviceLogRestoreResponse", {"restoreOutcomes": outcomes})
