"""11.2 Read Firmware Version: the version a device runs, as DCC tools show it (hex of its octets).

  ESME   ECS52  DLMS get of the active firmware identifier (Data 0-0:0.2.1.255), by the User
  CHF    ECS52  the same, by the DCC's Access Control Broker for the User
  GSME   GCS38  Read Attributes (Metering): attribute 0x0206, the firmware version
  PPMID, HCALCS  CS08  ASN.1 ReadPPMIDHCALCSFirmwareVersion (NULL), by the Access Control Broker for the User;
                 the response carries the version and a read success or failure

Matched against the public RTDS 4.5.0 pairs (SmartDCCInnovation/gbcs-parser, templates from
SmartDCCInnovation/duis-templates): ECS52 and GCS38 commands match; CS08's payload and header match when the
template's RequestID originator is the User the RTDS names (the template has the ACB's own id,
90-B3-D5-1F-30-00-00-02, where the RTDS command's supplementary remote party is 90-B3-D5-1F-30-01-00-00).
The three SUCCESS responses parse to valid MMC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from harness.catalogue import DeviceType
from harness.clock import utc_text
from harness.eui import EntityId
from harness.gbcs import asn1, axdr, dlms, gbz
from harness.gbcs.axdr import PayloadError, Tag
from harness.gbcs.dlms import Descriptor, Obis
from harness.usecases import device
from harness.usecases.esme_config import GET, access_request
from harness.usecases.firmware_activation import firmware_version_octets
from harness.usecases.gsme_reads import attributes, opened, read_attributes, success
from harness.usecases.mmc import M
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

ACTIVE_FIRMWARE_IDENTIFIER = Descriptor(1, Obis.parse("0-0:0.2.1.255"), 2)
METERING, FIRMWARE_VERSION = 0x0702, 0x0206


def read_active_firmware(request: DuisRequest, ctx: CommandContext) -> bytes:
    return access_request(ctx, (GET, ACTIVE_FIRMWARE_IDENTIFIER, axdr.NULL))


command("11.2", "ECS52", devices=(DeviceType.ESME,))(read_active_firmware)
command("11.2", "ECS52", devices=(DeviceType.CHF,), originator=Originator.ACB)(read_active_firmware)


@command("11.2", "GCS38", devices=(DeviceType.GSME,))
def read_gas_firmware(request: DuisRequest, ctx: CommandContext) -> bytes:
    return gbz.command_payload([read_attributes(METERING, (FIRMWARE_VERSION,))])


@command("11.2", "CS08", devices=(DeviceType.PPMID, DeviceType.HCALCS), originator=Originator.ACB)
def read_ppmid_hcalcs_firmware(request: DuisRequest, ctx: CommandContext) -> bytes:
    return asn1.encode("ReadPPMIDHCALCSFirmwareVersionCommand", None)


def version(raw: bytes) -> etree._Element:
    return M.FirmwareVersion(raw.hex().upper())


@response("ECS52")
def firmware_version(ctx: ResponseContext, rsp: etree._Element) -> None:
    value = ctx.payload.value
    if isinstance(value, dlms.AccessResponse) and value.succeeded and value.data \
            and value.data[0].tag is Tag.OCTET_STRING:
        rsp.append(version(value.data[0].octets))


@response("GCS38")
def gas_firmware_version(ctx: ResponseContext, rsp: etree._Element) -> None:
    values, ok = attributes(opened(ctx), METERING)
    if isinstance(values.get(FIRMWARE_VERSION), bytes):
        rsp.append(version(values[FIRMWARE_VERSION]))
    success(rsp, ok)


@response("CS08")
def ppmid_hcalcs_firmware_version(ctx: ResponseContext, rsp: etree._Element) -> None:
    """The version the device reports; a read failure makes the response unsuccessful."""
    payload = asn1_payload(ctx.payload, ctx.use_case)
    raw = asn1_record(payload.value, payload.type_name)
    read = raw["responseCode"] == 0
    if read:
        rsp.append(version(raw["firmwareVersion"]))
    rsp.set("MessageSuccess", "true" if read else "false")


# -- Device side ----------------------------------------------------------------------------------------
# The version a device runs is MMC's FirmwareVersion (hex of its octets), what the firmware model keeps.

@accepts("ECS52")
def read_active_firmware_command(command: DeviceCommand) -> dict:
    request = device.access_request(command)
    if [spec.descriptor for spec in request.specs] != [ACTIVE_FIRMWARE_IDENTIFIER]:
        raise PayloadError("ECS52: expected one get of the active firmware identifier (0-0:0.2.1.255)", 0)
    return {}


@answers("ECS52")
def active_firmware_answer(command: DeviceCommand, outcome: dict) -> bytes:
    version = firmware_version_octets(outcome.get("FirmwareVersion", ""))
    return device.dlms_answer(command, outcome, [axdr.octet_string(version)])


@accepts("GCS38")
def read_gas_firmware_command(command: DeviceCommand) -> dict:
    device.gbz_command(command)
    return {}


@answers("GCS38")
def gas_firmware_answer(command: DeviceCommand, outcome: dict) -> bytes:
    version = firmware_version_octets(outcome.get("FirmwareVersion", ""))
    return device.read_attributes_answer(command, outcome, {(METERING, FIRMWARE_VERSION): ("octstr", version)})


@accepts("CS08")
def read_ppmid_hcalcs_firmware_command(command: DeviceCommand) -> dict:
    asn1_command(command, "ReadPPMIDHCALCSFirmwareVersionCommand")
    return {}


READ_SUCCESS, READ_FAILURE = 0, 1


@answers("CS08")
def ppmid_hcalcs_firmware_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """The version the device runs and whether it read it (on failure the version it has, if any)."""
    return asn1.encode("ReadPPMIDHCALCSFirmwareVersionResponse", {
        "firmwareVersion": firmware_version_octets(outcome.get("FirmwareVersion", "")),
        "responseCode": READ_SUCCESS if device.succeeded(outcome) else READ_FAILURE})


# -- Firmware distribution alerts (device side and the Parse) --------------------------------------------
# A meter that received an 11.1 image over the HAN tells its supplier whether it verified it (0x8F72, 0x8F1C) with
# the hash it calculated over the image: a Firmware Distribution Receipt Alert, DLMS from an ESME (FDRA-DLMS,
# 0x00CE), GBZ from a GSME (FDRA-ZigBee, 0x00CF). The CH tells the DCC how each transfer went: CCS08 (0x0128),
# ASN.1 FirmwareTransferAlert. As the public RTDS 4.5.0 samples show them (SmartDCCInnovation/gbcs-parser
# test/rtds/RTDS-4.5.0/NA_FDRA-DLMS, NA_FDRA-ZigBee, NA_CCS08): signed, no date-time in the header.

FIRMWARE_VERIFIED, FIRMWARE_NOT_VERIFIED = 0x8F72, 0x8F1C
RECEIPT_ALERTS = {DeviceType.ESME: 0x00CE, DeviceType.GSME: 0x00CF}
FIRMWARE_TRANSFER_ALERT = 0x0128
TRANSFER_FAILED, TRANSFER_SUCCEEDED = 0x8F89, 0x8F8A
# FirmwareTransferAlert responseCode (gbcs.asn) by DUIS's TransferResponseCode names
TRANSFER_RESPONSES = {"FileTransferSuccess": 0, "FirmwareImageDiscarded": 1, "HardwareVersionMismatch": 2,
                      "FileTransferFailure": 3}


def calculated_hash(image: bytes) -> bytes:
    """The hash a device calculates over an image it received, the one 11.3 names the image by (SHA-256)."""
    return hashlib.sha256(image).digest()


def receipt_alert(device_type: DeviceType, code: int, image_hash: bytes) -> Callable[[int, dt.datetime], bytes]:
    """FDRA-DLMS / FDRA-ZigBee: the verdict (0x8F72, 0x8F1C) and the hash, from the alert's counter and time."""
    def payload(counter: int, when: dt.datetime) -> bytes:
        if device_type in device.GBZ_DEVICES:
            # the GBZ header announces one component: the hash, a DLMS octet string (RTDS NA_FDRA-ZigBee)
            return gbz.GbzPayload((), code, gbz.gbz_seconds(when), component_count=1,
                                  manufacturer_hash=image_hash).encode()
        encoded, time_at = _receipt_template(code, image_hash)
        out = bytearray(encoded)
        out[1:5] = dlms.invoke_id(counter).to_bytes(4, "big")         # after the data-notification tag
        out[time_at:time_at + len(_TEMPLATE_ALERT_TIME)] = device.alert_date_time(when)
        return bytes(out)
    return payload


# Each meter of an 11.1 sends the same receipt but for its invoke ID (from its counter) and the time, both of fixed
# length: the A-XDR is encoded once per (code, hash) and a meter's receipt is that with its two fields written in.
_TEMPLATE_ALERT_TIME = device.alert_date_time(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))


@lru_cache(maxsize=16)
def _receipt_template(code: int, image_hash: bytes) -> tuple[bytes, int]:
    """The DLMS receipt for invoke ID 0 and a placeholder time, and where its date-time's octets start."""
    body = axdr.structure(axdr.long_unsigned(code), axdr.octet_string(_TEMPLATE_ALERT_TIME),
                          axdr.octet_string(image_hash))
    encoded = dlms.DataNotification(dlms.invoke_id(0), body).encode()
    assert encoded[1:5] == dlms.invoke_id(0).to_bytes(4, "big"), "a data-notification's invoke ID follows its tag"
    return encoded, encoded.index(b"\x09\x0c" + _TEMPLATE_ALERT_TIME) + 2


def _receipt_hash(value: object) -> bytes | None:
    if isinstance(value, gbz.GbzPayload):
        return value.manufacturer_hash
    if isinstance(value, dlms.DataNotification) and len(value.body.items) == 3 \
            and value.body.items[2].tag is Tag.OCTET_STRING:
        return value.body.items[2].octets
    return None


@response("FDRA-DLMS", "FDRA-ZigBee")
def firmware_verification(ctx: ResponseContext, payload: etree._Element) -> None:
    image_hash = _receipt_hash(ctx.payload.value)
    if image_hash is not None:
        payload.append(M.FirmwareVerificationDeviceAlert(M.ManufacturerImageHash(image_hash.hex().upper())))


def transfer_alert(code: int, device_id: EntityId, version: str, response_code: str
                   ) -> Callable[[int, dt.datetime], bytes]:
    """CCS08: the transfer (0x8F8A) or not (0x8F89) of the image of that version (8 hex digits, the OTA header's
    file version) to the device, and why, when the CH knew."""
    def payload(counter: int, when: dt.datetime) -> bytes:
        der, time_at, entity_at = _transfer_template(code, version, response_code)
        out = bytearray(der)
        out[time_at:time_at + len(_TEMPLATE_TIME)] = _generalized_time(when)
        out[entity_at:entity_at + len(_TEMPLATE_ENTITY)] = device_id
        return bytes(out)
    return payload


# A CH sends a CCS08 for each device of an 11.1, up to 50,000 of them: the DER differs between them only in the
# device's entity ID and the time, both of fixed length, so asn1tools encodes it once per (code, version, response)
# and a device's alert is that encoding with its two fields written in.
_TEMPLATE_ENTITY = EntityId("A5A5A5A5A5A5A5A5")
_TEMPLATE_MOMENT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _generalized_time(when: dt.datetime) -> bytes:
    """DER GeneralizedTime content to the second, in UTC: YYYYMMDDHHMMSSZ (ISO 8601's basic form)."""
    return utc_text(when).translate(_BASIC_FORM).encode()


_BASIC_FORM = str.maketrans("", "", "-:T")


_TEMPLATE_TIME = _generalized_time(_TEMPLATE_MOMENT)


@lru_cache(maxsize=16)
def _transfer_template(code: int, version: str, response_code: str) -> tuple[bytes, int, int]:
    """The CCS08's DER for a placeholder device and time, and where its time and entity ID contents start."""
    der = asn1.encode("FirmwareTransferAlert", {
        "alertCode": code, "executionDateTime": _TEMPLATE_MOMENT, "entityId": bytes(_TEMPLATE_ENTITY),
        "firmwareVersion": firmware_version_octets(version), "responseCode": TRANSFER_RESPONSES[response_code]})
    time_tlv, entity_tlv = b"\x18\x0f" + _TEMPLATE_TIME, b"\x04\x08" + _TEMPLATE_ENTITY
    return der, der.index(time_tlv) + 2, der.index(entity_tlv) + 2


@dataclass(frozen=True)
class FirmwareTransfer:
    """What the DCC reads of a CCS08: the device, the image's version, the CH's TransferResponseCode."""

    code: int
    device_id: EntityId
    version: str
    response: str

    @property
    def succeeded(self) -> bool:
        return self.code == TRANSFER_SUCCEEDED


def firmware_transfer(value: object) -> FirmwareTransfer | None:
    """A decoded CCS08 payload (asn1.Asn1Payload) as the DCC reads it; None for anything else."""
    if not isinstance(value, asn1.Asn1Payload) or value.type_name != "FirmwareTransferAlert":
        return None
    raw = asn1_record(value.value, value.type_name)
    response = next((name for name, n in TRANSFER_RESPONSES.items() if n == raw["responseCode"]),
                    f"responseCode {raw['responseCode']}")
    return FirmwareTransfer(raw["alertCode"], EntityId(raw["entityId"]), raw["firmwareVersion"].hex().upper(), response)


@response("CCS08")
def firmware_transferred(ctx: ResponseContext, payload: etree._Element) -> None:
    """mmc.xsd has no alert payload for it (the DCC keeps it: CommsHubAlert, FirmwareDistributionFailure): a note."""
    transfer = firmware_transfer(ctx.payload.value)
    if transfer is not None:
        ctx.notes.append(f"CCS08: firmware {transfer.version} to {transfer.device_id.duis}: {transfer.response}")
