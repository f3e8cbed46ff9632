"""Alerts whose content GBCS defines apart from any one use case: the outcome of a future-dated
command when its execution date-time comes (0x8F66 success, 0x8F67 failure; GBCS 9.2.2.6), one
alert per activation instruction, naming the command by message code and originator counter and
the instruction by its COSEM attribute (DLMS, 0x00CC) or ZCL cluster and command (GBZ, 0x00CD)."""

from __future__ import annotations

from lxml import etree

from harness.gbcs import dlms, gbz
from harness.usecases import mmc
from harness.usecases.mmc import M
from harness.usecases.registry import ResponseContext, response


@response("FDA-DLMS")
def cosem_future_dated_outcome(ctx: ResponseContext, payload: etree._Element) -> None:
    outcome = dlms.FutureDatedOutcome.of(ctx.payload.value)  # type: ignore[arg-type]
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


def payload_values(document: etree._Element) -> dict[str, str]:
    """What a User reads off an alert's content (ra:DeviceAlertContent/ra:Payload): the leaves of the payload's
    element by path of local names below it, named as mmc.values names a response's
    ("ESMEBillingDataLogEntry/TariffTOURegisterMatrixValue[2]@index"); empty when the alert has none."""
    content = document.find(f".//{{{mmc.RA}}}DeviceAlertContent/{{{mmc.RA}}}Payload")
    found: dict[str, str] = {}
    if content is not None and len(content):
        mmc._leaves(content[0], "", found)  # the same naming as mmc.values (to be hoisted there)
    return found
