"""Alerts whose content GBCS defines apart from any one use case: the outcome of a future-dated
command when its execution date-time comes (0x8F66 success, 0x8F67 failure; GBCS 9.2.2.6), one
alert per activation instruction, naming the command by message code and originator counter and
the instruction by its COSEM attribute (DLMS, 0x00CC) or ZCL cluster and command (GBZ, 0x00CD)."""

from __future__ import annotations

from lxml import etree

from harness.gbcs import dlms, gbz
from harness.usecases.mmc import M
from harness.usecases.registry import ResponseContext, response


@response("FDA-DLMS")
def cosem_future_dated_outcome(ctx: ResponseContext, payload: etree._Element) -> None:
    notification: dlms.DataNotification = ctx.payload.value  # type: ignore[attr-defined]
    items = notification.body.items
    if len(items) < 3 or len(items[2].octets) != 19:
        return
    raw = items[2].octets
    payload.append(M.FutureDatedCommandOutcomeDeviceAlert(M.COSEMFutureDatedAlert(
        M.FutureDatedCommandMessageCode(raw[0:2].hex().upper()),
        M.FutureDatedCommandOriginatorCounter(str(int.from_bytes(raw[2:10], "big"))),
        M.DLMSCOSEMFDInstructionIdentification(M.ClassId(raw[10:12].hex().upper()),
                                               M.InstanceId(raw[12:18].hex().upper()),
                                               M.AttributeId(raw[18:19].hex().upper())))))


@response("FDA-GBZ")
def gbz_future_dated_outcome(ctx: ResponseContext, payload: etree._Element) -> None:
    value: gbz.GbzPayload = ctx.payload.value  # type: ignore[attr-defined]
    outcome = value.future_dated
    if outcome is None:
        return
    payload.append(M.FutureDatedCommandOutcomeDeviceAlert(M.GBZFutureDatedAlert(
        M.FutureDatedCommandMessageCode(f"{outcome.message_code:04X}"),
        M.FutureDatedCommandOriginatorCounter(str(outcome.originator_counter)),
        M.GBZFDInstructionIdentification(M.ExtendedHeaderClusterID(f"{outcome.cluster:04X}"),
                                         M.FrameControl(f"{outcome.frame_control:02X}"),
                                         M.CommandIdentifier(f"{outcome.command:02X}")))))
