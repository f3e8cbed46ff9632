"""Alerts whose content GBCS defines apart from any one use case: the outcome of a future-dated
command when its execution date-time comes (0x8F66 success, 0x8F67 failure; GBCS 9.2.2.6), one
alert per activation instruction, naming the command by message code and originator counter and
the instruction by its COSEM attribute (DLMS, 0x00CC) or ZCL cluster and command (GBZ, 0x00CD)."""

from __future__ import annotations

from lxml import etree

from harness.gbcs import dlms
from harness.gbcs.axdr import PayloadError
from harness.usecases.mmc import M
from harness.usecases.registry import ResponseContext, gbz_payload, response


@response("FDA-DLMS")
def cosem_future_dated_outcome(ctx: ResponseContext, payload: etree._Element) -> None:
    notification = ctx.payload.value
    if not isinstance(notification, dlms.DataNotification):
        raise PayloadError(f"{ctx.use_case}: expected a DLMS data-notification", 0)
    outcome = dlms.FutureDatedOutcome.of(notification)
    if outcome is None:
        return
    instruction = outcome.descriptor
    payload.append(M.FutureDatedCommandOutcomeDeviceAlert(M.COSEMFutureDatedAlert(
        M.FutureDatedCommandMessageCode(f"{outcome.message_code:04X}"),
        M.FutureDatedCommandOriginatorCounter(str(outcome.originator_counter)),
        M.DLMSCOSEMFDInstructionIdentification(M.ClassId(f"{instruction.class_id:04X}"),
                                               M.InstanceId(instruction.instance.raw.hex().upper()),
                                               M.AttributeId(f"{instruction.member:02X}")))))


@response("FDA-GBZ")
def gbz_future_dated_outcome(ctx: ResponseContext, payload: etree._Element) -> None:
    value = gbz_payload(ctx.payload, ctx.use_case)
    outcome = value.future_dated
    if outcome is None:
        return
    payload.append(M.FutureDatedCommandOutcomeDeviceAlert(M.GBZFutureDatedAlert(
        M.FutureDatedCommandMessageCode(f"{outcome.message_code:04X}"),
        M.FutureDatedCommandOriginatorCounter(str(outcome.originator_counter)),
        M.GBZFDInstructionIdentification(M.ExtendedHeaderClusterID(f"{outcome.cluster:04X}"),
                                         M.FrameControl(f"{outcome.frame_control:02X}"),
                                         M.CommandIdentifier(f"{outcome.command:02X}")))))
