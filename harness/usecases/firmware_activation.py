"""Firmware activation (ASN.1 DER, GBCS 11.5): CS06 Activate Firmware (SR 11.3) makes a device run the
image it holds when the image's manufacturer hash is the one the command names, now or at the command's
execution date-time; a future-dated activation ends in the FDA-CS06 alert (0x00CA), which names the
command by its originator counter and says what the activation did and which firmware version runs. To a CHF
the ACB sends it for the User, signed by the DCC (a CHF holds no User's key)."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from harness.catalogue import DeviceType
from harness.gbcs import asn1
from harness.gbcs.axdr import PayloadError
from harness.usecases import device
from harness.usecases.mmc import M, utc_text
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
    asn1_choice,
    asn1_command_record,
    asn1_record,
    asn1_status,
    execution_date_time,
    parsed_values,
    response_code,
)

DEVICES = (DeviceType.ESME, DeviceType.GSME, DeviceType.PPMID, DeviceType.HCALCS)
FDA_CS06 = 0x00CA                   # the message code of a future-dated activation's outcome alert


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


# To a CHF the ACB sends it for the User, as every CHF command: a CHF's DS cells are the DCC's (ACB) and the WAN
# provider's, none a User's, so the DCC signs it once the User's signature verifies (harness.dcc.dsp). That the ACB,
# not the WAN provider, signs a CHF's CS06 is this model's reading (UNCONFIRMED: no RTDS pair sends CS06 to a CHF).
command("11.3", "CS06", devices=(DeviceType.CHF,), originator=Originator.ACB)(activate_firmware)


def _outcome(raw: dict, view: dict) -> list[etree._Element]:
    """ActivateImageResponseCode and FirmwareVersion (the running version's 4 bytes, as hex)."""
    return [asn1_status("ActivateImageResponseCode", view["responseCode"], raw["responseCode"]),
            M.FirmwareVersion(raw["firmwareVersion"].hex().upper())]


@response("CS06")
def firmware_activated(ctx: ResponseContext, rsp: etree._Element) -> None:
    """Nothing beyond MessageSuccess when accepted for future-dated activation, else the outcome."""
    value = asn1_payload(ctx.payload, ctx.use_case)
    name, raw = asn1_choice(value.value, value.type_name)
    if name == "executionOutcome":
        rsp.extend(_outcome(raw, asn1_record(value.fields(), value.type_name)["executionOutcome"]))
        rsp.set("MessageSuccess", "true" if raw["responseCode"] == 0 else "false")


@response("FDA-CS06")
def firmware_activated_when_due(ctx: ResponseContext, payload: etree._Element) -> None:
    value = asn1_payload(ctx.payload, ctx.use_case)
    raw, view = asn1_record(value.value, value.type_name), asn1_record(value.fields(), value.type_name)
    alert = M.FirmwareActivationDeviceAlert(
        M.ExecutionDateTime(view["executionDateTime"]),
        M.OriginatorCounterFromCommand(str(raw["originatorCounter"])),
        *_outcome(raw["executionOutcome"], view["executionOutcome"]))
    payload.append(M.FutureDatedCommandOutcomeDeviceAlert(alert))


# -- Device side ----------------------------------------------------------------------------------------

ACTIVATION_FAILURE = asn1.named_numbers("ActivateImageResponseCode")["activationFailure"]


@accepts("CS06")
def activate_firmware_command(command: DeviceCommand) -> dict:
    """The image's hash (hex) and the execution time (ISO 8601; the far-future one cancels). The outcome alert
    quotes the command's own counter from the command itself (firmware_activated_alert)."""
    value = asn1_command_record(command, "ActivateFirmwareCommand")
    fields = {"FirmwareHash": value["manufacturerImageHash"].hex().upper()}
    if value.get("executionDateTime") is not None:
        fields["ExecutionDateTime"] = utc_text(value["executionDateTime"].replace(tzinfo=dt.UTC))
    return fields


def firmware_version_octets(version: str) -> bytes:
    """A firmware version as its octets: DUIS and MMC write it as hex (00040001)."""
    try:
        return bytes.fromhex(version)
    except ValueError:
        return version.encode("utf-8")


def activation_outcome(status: str, version: str) -> dict[str, str]:
    """A device's outcome of an activation it carried out (success, noImageHeld, hashMismatch,
    activationFailure) and the version it runs, in MMC names."""
    outcome = {"responseCode": asn1.named_numbers("ActivateImageResponseCode")[status],
               "firmwareVersion": firmware_version_octets(version)}
    return parsed_values("CS06", asn1.Asn1Payload("ActivateFirmwareResponse", ("executionOutcome", outcome)))


@answers("CS06")
def firmware_activated_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """The outcome of an activation carried out; accepted alone for a held (or cancelling) one."""
    carried_out = "FirmwareVersion" in outcome or "ActivateImageResponseCode@ResponseCode" in outcome
    if not carried_out and device.succeeded(outcome):
        return asn1.encode("ActivateFirmwareResponse", ("commandAccepted", None))
    return asn1.encode("ActivateFirmwareResponse", ("executionOutcome", _execution_outcome(outcome)))


def firmware_activated_alert(command: DeviceCommand, code: int, outcome: dict) -> bytes:
    """FDA-CS06 (0x00CA): a future-dated activation's outcome when its time came, as the RTDS devices send it:
    the alert code (0x8F66 / 0x8F67), the command's execution time and its own originator counter (the User
    finds its request by it) and the outcome as the response to an immediate activation carries it."""
    value = asn1_command_record(command, "ActivateFirmwareCommand")
    if value.get("executionDateTime") is None:
        raise PayloadError(f"{command.use_case}: not a future-dated activation, so no outcome alert", 0)
    return asn1.encode("ActivateFirmwareAlert", {
        "alertCode": code, "executionDateTime": value["executionDateTime"],
        "originatorCounter": value["originatorCounter"], "executionOutcome": _execution_outcome(outcome)})


def _execution_outcome(outcome: dict) -> dict:
    """ActivateFirmwareExecutionOutcome from its MMC names: the response code (activationFailure for a failure
    the model gave no reason for) and the version running."""
    code = response_code(outcome, "ActivateImageResponseCode", 0 if device.succeeded(outcome) else ACTIVATION_FAILURE)
    return {"responseCode": code, "firmwareVersion": firmware_version_octets(outcome.get("FirmwareVersion", ""))}
