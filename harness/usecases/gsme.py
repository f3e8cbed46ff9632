"""GSME and GPF use cases (ZigBee GBZ): the gas meter's ZCL clusters behind the GBCS use cases GCSnn."""

from __future__ import annotations

from lxml import etree

from harness.catalogue import DeviceType
from harness.gbcs import gbz, zcl
from harness.gbcs.axdr import PayloadError
from harness.usecases import device
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

GSME = (DeviceType.GSME,)
DEVICE_MANAGEMENT = 0x0708
SERVER_TO_CLIENT = zcl.FRAME_CLUSTER_SPECIFIC | zcl.FRAME_SERVER_TO_CLIENT


REQUEST_NEW_PASSWORD_RESPONSE, CONSUMER_PIN = 0x02, 2


@command("3.5", "GCS11", devices=GSME)
def disable_privacy_pin(request: DuisRequest, ctx: CommandContext) -> bytes:
    # Request New Password Response with password type 2 (the consumer PIN) and no password: no PIN.
    return gbz.command_payload([(DEVICE_MANAGEMENT, SERVER_TO_CLIENT, REQUEST_NEW_PASSWORD_RESPONSE, {
        "issuer_event_id": gbz.gbz_seconds(ctx.now), "implementation_date_time": 0, "duration_in_minutes": 0,
        "password_type": CONSUMER_PIN, "password": b""})])


@response("GCS11")
def privacy_pin_disabled(ctx: ResponseContext, rsp: etree._Element) -> None:
    """DisablePrivacyPINRsp carries nothing beyond MessageSuccess and the default response's status."""


# -- Device side ----------------------------------------------------------------------------------------

@accepts("GCS11")
def disable_privacy_pin_command(command: DeviceCommand) -> dict:
    """The consumer PIN set to none is the PIN disabled; the firmware model needs nothing more."""
    password = device.component_values(command, DEVICE_MANAGEMENT, REQUEST_NEW_PASSWORD_RESPONSE)
    if password["password_type"] != CONSUMER_PIN or password["password"]:
        raise PayloadError("GCS11: expected the consumer PIN (password type 2) set to none", 0)
    return {}


answers("GCS11")(device.set_answer)
