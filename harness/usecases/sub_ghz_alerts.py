"""The dual band CH's sub-GHz alerts (GBCS 10.6.2): what the CHF tells the DCC when it acts on its sub-GHz radio,
addressed to the Access Control Broker and MAC'd (SME.A.NC). Six have a use case of their own, a DLMS
data-notification {alert code, time, content}:

  DBCH06 0x0110  0x8F20 Limited Duty Cycle Action Taken     octet-string(8): the device told to suspend
  DBCH07 0x0111  0x8F26 Sub GHz Channel Changed             {bit-string(32) the channel now, octet-string(1) trigger}
  DBCH08 0x0112  0x8F28 Sub GHz Channel Scan Request Assessment Outcome
                                                            {octet-string(1) status, octet-string(1) trigger}
  DBCH09 0x0113  0x8F2A Sub GHz Configuration Changed       the 15-member configuration (harness.usecases.chf)
  DBCH10 0x0114  0x8F2C Message Discarded Due to Duty Cycle Management
                                                            octet-string(25): the discarded message's originator,
                                                            recipient, CRA flag and originator counter
  DBCH11 0x0115  0x8F2D No More Sub GHz Device Capacity     octet-string(8): the device refused

The CHF's other sub-GHz alerts (0x8F21-0x8F25 duty cycle, 0x8F27 scan initiated, 0x8F2B channel not changed) are
Generic Non Critical Alerts. The shapes are the public RTDS 4.5.0 samples' (SmartDCCInnovation/gbcs-parser
test/rtds/RTDS-4.5.0/NA_DBCH06 ... NA_DBCH11; 6.28_DBCH04 for DBCH09). A one-octet code is the position of its
value in DUIS's enumeration (ScanTrigger, the assessment's StatusCode): inferred, GBCS's table is not public, but
the RTDS samples' 00 and the DBCH02 channel log's triggers 00-07 (eight values, as ScanTrigger has) fit it.

mmc.xsd has no alert payload element for them (the DCC tells Users in a DualBandCHAlert): the Parse passes the
content on as plain DLMS ra:GBCSData, named as DualBandCHAlert names it, with a note saying what it holds.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable

from lxml import etree

from harness.eui import EntityId
from harness.gbcs import axdr, cosem, dlms
from harness.gbcs.axdr import Data, Tag
from harness.gbcs.frame import CraFlag, GeneralSigning
from harness.usecases import chf, device
from harness.usecases.mmc import M, bit_string
from harness.usecases.registry import ResponseContext, response

LIMITED_DUTY_CYCLE_ACTION, CHANNEL_CHANGED, SCAN_ASSESSED = 0x8F20, 0x8F26, 0x8F28
CONFIGURATION_CHANGED, MESSAGE_DISCARDED, NO_CAPACITY = 0x8F2A, 0x8F2C, 0x8F2D
# The message code of each: DBCH06, DBCH07, DBCH08, DBCH09, DBCH10, DBCH11
MESSAGE_CODES = {LIMITED_DUTY_CYCLE_ACTION: 0x0110, CHANNEL_CHANGED: 0x0111, SCAN_ASSESSED: 0x0112,
                 CONFIGURATION_CHANGED: 0x0113, MESSAGE_DISCARDED: 0x0114, NO_CAPACITY: 0x0115}

SCAN_TRIGGERS = ("RemotePartyCommand", "GSMERequest", "GSMEMissedItsCurfew", "GSMEMissingForTheLastDay",
                 "CHDetectedMessageFailureProblems", "CHDetectedMessageRetryProblems", "SubGHzNon-GSMEDeviceRequest",
                 "SMHANFormation")
SCAN_ASSESSMENTS = ("ScanRequestAccepted", "HHTConnected", "DutyCycleUsageIsTooHigh", "JoiningIsCurrentlyPermitted",
                    "GSMEOTADistributionUnderway", "TooManyScansToday", "TooManyCommandsToday", "TooManyScansThisWeek")


# -- Device side: the CHF's alert payloads ---------------------------------------------------------------
# Each builder gives the payload from the alert's originator counter and the time it is raised, as
# EmulatedDevice.raise_alert(payload=...) asks.
AlertPayload = Callable[[int, dt.datetime], bytes]

def dlms_alert(code: int, when: dt.datetime, counter: int, *content: Data) -> bytes:
    """A DLMS alert with use-case content: the alert code, its time (device.alert_date_time) and the content,
    the invoke-id the alert's originator counter's."""
    body = axdr.structure(axdr.long_unsigned(code), axdr.octet_string(device.alert_date_time(when)), *content)
    return dlms.DataNotification(dlms.invoke_id(counter), body).encode()


def _code(names: tuple[str, ...], name: str) -> Data:
    return axdr.octet_string(bytes((names.index(name),)))


def channel_mask(channel: int, band: str = "Lower") -> Data:
    """A sub-GHz channel as GBCS writes one: the page of its band and range in the top 5 bits, its bit set."""
    pages = [(page, first) for element, page, first in chf.CHANNEL_PAGES if element.startswith(band)]
    page, first = max((p for p in pages if p[1] <= channel), key=lambda p: p[1])
    return Data(Tag.BIT_STRING, (32, ((page << 27) | 1 << (channel - first)).to_bytes(4, "big")))


def limited_duty_cycle_action(device_id: EntityId) -> AlertPayload:
    """DBCH06: the device the CHF told to suspend its communications."""
    return lambda counter, when: dlms_alert(LIMITED_DUTY_CYCLE_ACTION, when, counter,
                                            axdr.octet_string(bytes(device_id)))


def channel_changed(channel: int, trigger: str, band: str = "Lower") -> AlertPayload:
    """DBCH07: the sub-GHz channel the CHF operates on now, and what made it scan."""
    return lambda counter, when: dlms_alert(CHANNEL_CHANGED, when, counter, axdr.structure(
        channel_mask(channel, band), _code(SCAN_TRIGGERS, trigger)))


def scan_assessed(status: str, trigger: str) -> AlertPayload:
    """DBCH08: whether the CHF will scan its sub-GHz channels as asked."""
    return lambda counter, when: dlms_alert(SCAN_ASSESSED, when, counter, axdr.structure(
        _code(SCAN_ASSESSMENTS, status), _code(SCAN_TRIGGERS, trigger)))


def configuration_changed(configuration: dict[str, str]) -> AlertPayload:
    """DBCH09: the sub-GHz configuration now, from its MMC names (chf.configuration_names)."""
    return lambda counter, when: dlms_alert(CONFIGURATION_CHANGED, when, counter,
                                            chf.configuration_structure(configuration))


def message_discarded(message: GeneralSigning) -> AlertPayload:
    """DBCH10: the Remote Party message the CHF discarded for a suspended sub-GHz device."""
    discarded = (bytes(message.originator) + bytes(message.recipient) + bytes((int(message.cra_flag),))
                 + message.originator_counter.to_bytes(8, "big"))
    return lambda counter, when: dlms_alert(MESSAGE_DISCARDED, when, counter, axdr.octet_string(discarded))


def no_capacity(device_id: EntityId) -> AlertPayload:
    """DBCH11: the device the CHF did not let join at sub-GHz."""
    return lambda counter, when: dlms_alert(NO_CAPACITY, when, counter, axdr.octet_string(bytes(device_id)))


# -- The Parse ------------------------------------------------------------------------------------------

def _content(ctx: ResponseContext) -> Data | None:
    value = ctx.payload.value
    if isinstance(value, dlms.DataNotification) and len(value.body.items) == 3:
        return value.body.items[2]
    return None


def _pass_on(ctx: ResponseContext, content: Data, name: str, note: str) -> None:
    ctx.notes.append(f"{ctx.use_case}: {note}")
    ctx.gbcs_data.append(M.GBCSData(base64.b64encode(content.encode()).decode("ascii"), format="plain",
                                    sequence=str(len(ctx.gbcs_data)), name=name, type="dlms"))


def _octets(content: Data, size: int) -> bytes | None:
    return content.octets if content.tag is Tag.OCTET_STRING and len(content.octets) == size else None


def _named(names: tuple[str, ...], item: Data) -> str:
    raw = _octets(item, 1)
    return names[raw[0]] if raw is not None and raw[0] < len(names) else f"unknown ({item.plain()})"


def _channel(item: Data) -> str:
    count, raw = bit_string(item) if item.tag is Tag.BIT_STRING else (0, b"")
    if count != 32:
        return f"unknown ({item.plain()})"
    view = cosem.channel_mask_view(int.from_bytes(raw, "big"))
    return f"{view['band']} band channel {', '.join(map(str, view['channels']))} (page {view['page']})"


@response("DBCH06")
def limited_duty_cycle_action_taken(ctx: ResponseContext, payload: etree._Element) -> None:
    content = _content(ctx)
    if content is not None:
        raw = _octets(content, 8)
        _pass_on(ctx, content, "LimitedDutyCycleActionTaken",
                 f"device told to suspend: {EntityId(raw).duis if raw else content.plain()}")


@response("DBCH07")
def sub_ghz_channel_changed(ctx: ResponseContext, payload: etree._Element) -> None:
    content = _content(ctx)
    if content is not None:
        parts = content.items if content.tag is Tag.STRUCTURE and len(content.items) == 2 else None
        _pass_on(ctx, content, "SubGHzChannelChanged",
                 f"now on {_channel(parts[0])}, scan trigger {_named(SCAN_TRIGGERS, parts[1])}" if parts
                 else f"unexpected content {content.plain()}")


@response("DBCH08")
def sub_ghz_channel_scan_request_assessed(ctx: ResponseContext, payload: etree._Element) -> None:
    content = _content(ctx)
    if content is not None:
        parts = content.items if content.tag is Tag.STRUCTURE and len(content.items) == 2 else None
        _pass_on(ctx, content, "SubGHzChannelScanRequestAssessmentOutcome",
                 f"{_named(SCAN_ASSESSMENTS, parts[0])}, scan trigger {_named(SCAN_TRIGGERS, parts[1])}" if parts
                 else f"unexpected content {content.plain()}")


@response("DBCH10")
def message_discarded_due_to_duty_cycle_management(ctx: ResponseContext, payload: etree._Element) -> None:
    content = _content(ctx)
    if content is not None:
        raw = _octets(content, 25)
        if raw is None:
            _pass_on(ctx, content, "MessageDiscardedDueToDutyCycleManagement", f"unexpected content {content.plain()}")
            return
        flag = {int(f): f.name.title() for f in CraFlag}.get(raw[16], f"CRA flag {raw[16]}")
        _pass_on(ctx, content, "MessageDiscardedDueToDutyCycleManagement",
                 f"discarded {flag} {EntityId(raw[:8]).duis}:{EntityId(raw[8:16]).duis}:"
                 f"{int.from_bytes(raw[17:], 'big')}")


@response("DBCH11")
def no_more_sub_ghz_device_capacity(ctx: ResponseContext, payload: etree._Element) -> None:
    content = _content(ctx)
    if content is not None:
        raw = _octets(content, 8)
        _pass_on(ctx, content, "NoMoreSubGHzDeviceCapacity",
                 f"no sub-GHz capacity for {EntityId(raw).duis if raw else content.plain()}")
