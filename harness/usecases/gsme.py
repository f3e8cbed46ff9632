"""GSME and GPF use cases (ZigBee GBZ): the gas meter's ZCL clusters behind the GBCS use cases GCSnn."""

from __future__ import annotations

from lxml import etree

from harness.catalogue import DeviceType
from harness.gbcs import gbz, zcl
from harness.usecases.registry import CommandContext, ResponseContext, command, response
from harness.usecases.request import DuisRequest

GSME = (DeviceType.GSME,)
DEVICE_MANAGEMENT = 0x0708
PRICE_SERVER_TO_CLIENT = zcl.FRAME_CLUSTER_SPECIFIC | zcl.FRAME_SERVER_TO_CLIENT


def single(cluster: int, frame_control: int, command_id: int, values: dict, *, sequence: int = 0,
           from_date_time: int | None = None) -> bytes:
    """A GBZ payload of one component."""
    control = gbz.CONTROL_LAST | (gbz.CONTROL_FROM_DATE_TIME if from_date_time is not None else 0)
    frame = zcl.Frame(frame_control, sequence, command_id, values)
    return gbz.GbzPayload((gbz.Component(cluster, frame, control, from_date_time),)).encode()


@command("3.5", "GCS11", devices=GSME)
def disable_privacy_pin(request: DuisRequest, ctx: CommandContext) -> bytes:
    # Request New Password Response with password type 2 (the consumer PIN) and no password: no PIN.
    return single(DEVICE_MANAGEMENT, PRICE_SERVER_TO_CLIENT, 0x02, {
        "issuer_event_id": gbz.gbz_seconds(ctx.now), "implementation_date_time": 0, "duration_in_minutes": 0,
        "password_type": 2, "password": b""})


@response("GCS11")
def privacy_pin_disabled(ctx: ResponseContext, rsp: etree._Element) -> None:
    """DisablePrivacyPINRsp carries nothing beyond MessageSuccess and the default response's status."""
