"""Firmware activation (ASN.1 DER, GBCS 11.5): CS06 Activate Firmware (SR 11.3) makes a device run the
image it holds when the image's manufacturer hash is the one the command names, now or at the command's
execution date-time; a future-dated activation ends in the FDA-CS06 alert (0x00CA), which names the
command by its originator counter and says what the activation did and which firmware version runs."""

from __future__ import annotations

from lxml import etree

from harness.catalogue import DeviceType
from harness.gbcs import asn1
from harness.usecases.mmc import M
from harness.usecases.registry import CommandContext, ResponseContext, command, response
from harness.usecases.request import DuisRequest, TransformError
from harness.usecases.security import asn1_status, execution_date_time

DEVICES = (DeviceType.ESME, DeviceType.GSME, DeviceType.CHF, DeviceType.PPMID, DeviceType.HCALCS)


@command("11.3", "CS06", devices=DEVICES)
def activate_firmware(request: DuisRequest, ctx: CommandContext) -> bytes:
    text = request.require("FirmwareHash")
    try:
        image_hash = bytes.fromhex(text)
    except ValueError:
        raise TransformError(f"11.3 sr:FirmwareHash: {text!r} is not hex", where=request.where) from None
    if len(image_hash) != 32:
        raise TransformError(f"11.3 sr:FirmwareHash: expected a 32-byte SHA-256 hash, found {len(image_hash)} bytes",
                             where=request.where)
    # The command names itself by its own originator counter: the alert quotes it back.
    value: dict = {"manufacturerImageHash": image_hash, "originatorCounter": ctx.counter}
    when = execution_date_time(request)
    if when is not None:
        value["executionDateTime"] = when
    return asn1.encode("ActivateFirmwareCommand", value)


def _outcome(raw: dict, view: dict) -> list[etree._Element]:
    """ActivateImageResponseCode and FirmwareVersion (the running version's 4 bytes, as hex)."""
    return [asn1_status("ActivateImageResponseCode", view["responseCode"], raw["responseCode"]),
            M.FirmwareVersion(raw["firmwareVersion"].hex().upper())]


@response("CS06")
def firmware_activated(ctx: ResponseContext, rsp: etree._Element) -> None:
    """Nothing beyond MessageSuccess when accepted for future-dated activation, else the outcome."""
    value: asn1.Asn1Payload = ctx.payload.value  # type: ignore[attr-defined]
    name, raw = value.value  # type: ignore[misc]
    if name == "executionOutcome":
        rsp.extend(_outcome(raw, value.fields()["executionOutcome"]))  # type: ignore[index]
        rsp.set("MessageSuccess", "true" if raw["responseCode"] == 0 else "false")


@response("FDA-CS06")
def firmware_activated_when_due(ctx: ResponseContext, payload: etree._Element) -> None:
    value: asn1.Asn1Payload = ctx.payload.value  # type: ignore[attr-defined]
    raw, view = value.value, value.fields()
    alert = M.FirmwareActivationDeviceAlert(
        M.ExecutionDateTime(view["executionDateTime"]),  # type: ignore[index]
        M.OriginatorCounterFromCommand(str(raw["originatorCounter"])),  # type: ignore[index]
        *_outcome(raw["executionOutcome"], view["executionOutcome"]))  # type: ignore[index]
    payload.append(M.FutureDatedCommandOutcomeDeviceAlert(alert))
