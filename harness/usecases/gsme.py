"""GSME and GPF use cases (ZigBee GBZ): the gas meter's ZCL clusters behind the GBCS use cases GCSnn."""

from __future__ import annotations

from lxml import etree

from harness.catalogue import DeviceType
from harness.gbcs import gbz, zcl
from harness.usecases.registry import CommandContext, ResponseContext, command, response
from harness.usecases.request import DuisRequest

GSME = (DeviceType.GSME,)
DEVICE_MANAGEMENT = 0x0708
SERVER_TO_CLIENT = zcl.FRAME_CLUSTER_SPECIFIC | zcl.FRAME_SERVER_TO_CLIENT


@command("3.5", "GCS11", devices=GSME)
def disable_privacy_pin(request: DuisRequest, ctx: CommandContext) -> bytes:
    # Request New Password Response with password type 2 (the consumer PIN) and no password: no PIN.
    return gbz.command_payload([(DEVICE_MANAGEMENT, SERVER_TO_CLIENT, 0x02, {
        "issuer_event_id": gbz.gbz_seconds(ctx.now), "implementation_date_time": 0, "duration_in_minutes": 0,
        "password_type": 2, "password": b""})])


@response("GCS11")
def privacy_pin_disabled(ctx: ResponseContext, rsp: etree._Element) -> None:
    """DisablePrivacyPINRsp carries nothing beyond MessageSuccess and the default response's status."""
