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

from lxml import etree

from harness.catalogue import DeviceType
from harness.gbcs import asn1, axdr, dlms, gbz
from harness.gbcs.axdr import Tag
from harness.gbcs.dlms import Descriptor, Obis
from harness.usecases.esme_config import GET, access_request
from harness.usecases.gsme_reads import (
    attributes,
   
    opened,
    read_attributes,
    success,
)
from harness.usecases.mmc import M
from harness.usecases.registry import (
    CommandContext,
    Originator,
    ResponseContext,
    command,
    response,
)
from harness.usecases.request import DuisRequest

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
    value = ctx.payload.value  # type: ignore[attr-defined]
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
    payload: asn1.Asn1Payload = ctx.payload.value  # type: ignore[attr-defined]
    raw = payload.value
    read = raw["responseCode"] == 0  # type: ignore[index]
    if read:
        rsp.append(version(raw["firmwareVersion"]))  # type: ignore[index]
    rsp.set("MessageSuccess", "true" if read else "false")
