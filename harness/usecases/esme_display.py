"""ESME use cases for what the consumer sees and who may see it (DLMS COSEM): supplier messages on the
display (ECS10), restricting data to a new tenant (ECS12), disabling the privacy PIN (ECS14) and the
supplier's name and telephone number (ECS16)."""

from __future__ import annotations

from lxml import etree

from harness.catalogue import DeviceType
from harness.gbcs import axdr, dlms
from harness.gbcs.axdr import PayloadError
from harness.gbcs.dlms import Descriptor, Obis, RequestKind, RequestSpec
from harness.usecases import device
from harness.usecases.esme_tariff import access_request, ascii_value, dlms_date_time, set_, set_value
from harness.usecases.mmc import utc_text
from harness.usecases.registry import (
    CommandContext,
    DeviceCommand,
    ResponseContext,
    accepts,
    answers,
    command,
    response,
)
from harness.usecases.request import DuisRequest

ESME = (DeviceType.ESME,)
DISABLE_PRIVACY_PIN = Descriptor(1, Obis.parse("0-0:94.44.3.1"), 2)
SUPPLIER_MESSAGE = "0-2:96.13.1.255"
RESTRICT_DATA_DATE_TIME = "0-0:94.44.3.2"
SUPPLIER_TELEPHONE_NUMBER, SUPPLIER_NAME = "0-0:96.13.0.255", "0-0:96.13.1.255"


def _ascii(request: DuisRequest, path: str) -> bytes:
    return ascii_value(request, request.element(path))


# Non-critical SRs: an ExecutionDateTime is the DSP's to wait for (DSP future dating), not the device's.

@command("3.1", "ECS10", devices=ESME)
def display_message(request: DuisRequest, ctx: CommandContext) -> bytes:
    return access_request(ctx, [set_(1, SUPPLIER_MESSAGE, 2, axdr.octet_string(_ascii(request, "SupplierMessage")))])


@command("3.2", "ECS12", devices=ESME)
def restrict_access_for_change_of_tenancy(request: DuisRequest, ctx: CommandContext) -> bytes:
    when = request.required_date_time("RestrictionDateTime")
    return access_request(ctx, [set_(1, RESTRICT_DATA_DATE_TIME, 2, axdr.octet_string(dlms_date_time(when)))])


@command("3.4", "ECS16", devices=ESME)
def update_supplier_name(request: DuisRequest, ctx: CommandContext) -> bytes:
    return access_request(ctx, [
        set_(9000, SUPPLIER_TELEPHONE_NUMBER, 2, axdr.octet_string(_ascii(request, "SupplierTelephoneNumber"))),
        set_(9000, SUPPLIER_NAME, 2, axdr.octet_string(_ascii(request, "SupplierName")))])


@response("ECS10", "ECS12", "ECS16")
def display_updated(ctx: ResponseContext, rsp: etree._Element) -> None:
    """DisplayMessageRsp, RestrictAccessForChangeOfTenancyRsp and UpdateSupplierNameRsp carry nothing
    beyond MessageSuccess (mmc.xsd); each set's result is in DebugInfo."""


@command("3.5", "ECS14", devices=ESME)
def disable_privacy_pin(request: DuisRequest, ctx: CommandContext) -> bytes:
    # Writing an empty octet-string to the PIN protection object switches the PIN off.
    return dlms.AccessRequest(dlms.invoke_id(ctx.counter), (RequestSpec(RequestKind.SET, DISABLE_PRIVACY_PIN),),
                              (axdr.octet_string(b""),)).encode()


@response("ECS14")
def privacy_pin_disabled(ctx: ResponseContext, rsp: etree._Element) -> None:
    """DisablePrivacyPINRsp carries nothing beyond MessageSuccess and the set's status."""


# -- Device side ----------------------------------------------------------------------------------------
# What the ESME reads of these commands is what its firmware model acts on, named as the DUIS bodies' leaves
# (ECS10 and ECS16 share their handlers with the GSME's GCS07 and GCS44); each response is a result per set.

def _text(command: DeviceCommand, class_id: int, obis: str) -> str:
    return set_value(command, class_id, obis, 2).octets.decode("ascii", "replace")


@accepts("ECS10")
def display_message_command(command: DeviceCommand) -> dict:
    return {"SupplierMessage": _text(command, 1, SUPPLIER_MESSAGE)}


@accepts("ECS12")
def restrict_access_command(command: DeviceCommand) -> dict:
    when = dlms.DlmsDateTime(set_value(command, 1, RESTRICT_DATA_DATE_TIME, 2).octets).datetime
    if when is None:
        raise PayloadError("ECS12: the restriction date-time is not a date-time", 0)
    return {"RestrictionDateTime": utc_text(when)}


@accepts("ECS14")
def disable_privacy_pin_command(command: DeviceCommand) -> dict:
    set_value(command, DISABLE_PRIVACY_PIN.class_id, str(DISABLE_PRIVACY_PIN.instance), DISABLE_PRIVACY_PIN.member)
    return {}


@accepts("ECS16")
def update_supplier_name_command(command: DeviceCommand) -> dict:
    return {"SupplierTelephoneNumber": _text(command, 9000, SUPPLIER_TELEPHONE_NUMBER),
            "SupplierName": _text(command, 9000, SUPPLIER_NAME)}


@answers("ECS10", "ECS12", "ECS14", "ECS16")
def display_answer(command: DeviceCommand, outcome: dict) -> bytes:
    return device.dlms_answer(command, outcome)
