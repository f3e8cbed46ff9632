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
from harness.usecases.chf import entity_id
from harness.usecases.mmc import M
from harness.usecases.records import DspRecords, GpfDeviceLogBackup
from harness.usecases.registry import CommandContext, Originator, ResponseContext, command, response
from harness.usecases.request import DuisRequest, TransformError
from harness.usecases.security import asn1_status

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
    value: asn1.Asn1Payload = ctx.payload.value  # type: ignore[attr-defined]
    rsp.append(asn1_status(tag, value.fields(), value.value))
    rsp.set("MessageSuccess", "true" if value.value == 0 else "false")


# -- 8.12.2 GCS59 Restore GPF Device Log -------------------------------------------------------------------

def gpf_device_log_backup(message: GbcsMessage) -> GpfDeviceLogBackup:
    """The backup a GCS62 alert (0x00B2) carries."""
    value = gbcs_payload.decode(message.apdu).value
    if not isinstance(value, asn1.Asn1Payload) or value.type_name != "GPFDeviceLogBackupAlert":
        raise PayloadError("GCS62: expected a GPF Device Log backup alert (message code 0x00B2)", 0)
    raw: dict = value.value  # type: ignore[assignment]
    entries = tuple((EntityId(e["deviceId"]), e["deviceType"]) for e in raw["deviceLogEntries"])
    return GpfDeviceLogBackup(entries, message.apdu.originator, raw["backupDateTime"].replace(tzinfo=dt.timezone.utc))


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
    value: asn1.Asn1Payload = ctx.payload.value  # type: ignore[attr-defined]
    raw, view = value.value["restoreOutcomes"], value.fields()["restoreOutcomes"]  # type: ignore[index]
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
    start = start.astimezone(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    end = start + dt.timedelta(seconds=request.int("TolerancePeriod"))
    return asn1.encode("SetTimeCommand", {"validityIntervalStart": start, "validityIntervalEnd": end})


@response("GCS28Commission", "GCS28")     # 6.11's GCS28 answers the same SetTimeResponse
def gas_clock_set(ctx: ResponseContext, rsp: etree._Element) -> None:
    """The GSME's time and its status: anything but reliable means the clock was not set."""
    value: asn1.Asn1Payload = ctx.payload.value  # type: ignore[attr-defined]
    raw, view = value.value, value.fields()
    rsp.append(M.DeviceTime(view["deviceTime"]))  # type: ignore[index]
    rsp.append(M.Gas(asn1_status("GasClockTimeStatus", view["deviceTimeStatus"], raw["deviceTimeStatus"])))  # type: ignore
    rsp.set("MessageSuccess", "true" if raw["deviceTimeStatus"] == 0 else "false")  # type: ignore[index]
