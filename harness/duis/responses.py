"""DUIS responses and alerts: parse what the DCC sends a User, and build it (for the emulated DCC).

An sr:Response is either a ResponseMessage (synchronous I0/I99/E-code, or an asynchronous device
response), a DeviceAlertMessage (a GBCS alert from a device) or a DCCAlertMessage (N-codes raised by
the DCC systems). All of them travel the same way, so one parser reads them all.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field
from enum import Enum

from lxml import etree

from harness.duis.request_id import RequestId
from harness.duis.requests import xs_datetime
from harness.duis.xml import (
    NSMAP,
    SCHEMA_VERSION,
    SR,
    E,
    Skeletons,
    copy_tree,
    find,
    first_texts,
    local,
    parse,
    sr,
    text,
)
from harness.errors import CheckFailed, DitError


class ResponseKind(str, Enum):
    RESPONSE = "response"
    DEVICE_ALERT = "device_alert"
    DCC_ALERT = "dcc_alert"
    SMETS1 = "smets1"


_KIND_BY_ELEMENT = {
    "ResponseMessage": ResponseKind.RESPONSE,
    "DeviceAlertMessage": ResponseKind.DEVICE_ALERT,
    "DCCAlertMessage": ResponseKind.DCC_ALERT,
    "SMETS1ResponseMessage": ResponseKind.SMETS1,
}


@dataclass(slots=True)
class DuisResponse:
    """What a User learns from one sr:Response."""

    kind: ResponseKind
    response_code: str
    response_date_time: str | None
    request_id: RequestId | None = None
    response_id: RequestId | None = None
    service_reference_variant: str | None = None
    gbcs_payload: bytes | None = None          # device response, device alert or local command
    pre_command: bytes | None = None           # CV 4 Transform result, to be signed by the User
    gbcs_version: str | None = None
    alert_code: str | None = None              # "8F66" for device alerts, "N24" for DCC alerts
    alert_body: str | None = None              # the DCCAlert child element, e.g. UpdateHANDeviceLogResult
    alert_fields: dict[str, str] = field(default_factory=dict)
    content: str | None = None                 # the ResponseMessage payload element, e.g. DSPInventory
    inventory: list[dict[str, str]] = field(default_factory=list)   # 8.2: one entry per sr:Device
    schedules: dict[str, str] = field(default_factory=dict)          # 5.2: DSP Schedule ID -> the SR it runs
    element: etree._Element | None = field(default=None, repr=False)

    @property
    def stamped(self) -> dt.datetime | None:
        """ResponseDateTime: the DCC's clock when it answered (a bench's, on a served bench)."""
        return dt.datetime.fromisoformat(self.response_date_time.replace("Z", "+00:00")) if self.response_date_time \
            else None

    @property
    def success(self) -> bool:
        return self.response_code == "I0"

    @property
    def acknowledged(self) -> bool:
        return self.response_code == "I99"

    @property
    def error(self) -> bool:
        return self.response_code.startswith("E")

    @property
    def referenced_request_id(self) -> RequestId | None:
        """The request a DCC alert is about (N24's UpdateHANDeviceLogServiceRequestID, N33's
        CommandRequestID, N27's ChangeOfSupplierServiceRequestID ...)."""
        for name, value in self.alert_fields.items():
            if name.endswith("RequestID"):
                try:
                    return RequestId.parse(value)
                except DitError:
                    return None
        return None

    @property
    def label(self) -> str:
        if self.kind is ResponseKind.DEVICE_ALERT:
            return f"device alert 0x{self.alert_code}"
        if self.kind is ResponseKind.DCC_ALERT:
            return f"DCC alert {self.alert_code}"
        return f"{self.response_code} for SR {self.service_reference_variant}"


def _b64(node: etree._Element | None, what: str) -> bytes | None:
    if node is None or node.text is None:
        return None
    try:
        return base64.b64decode("".join(node.text.split()), validate=True)
    except binascii.Error:
        raise CheckFailed(f"{what} is not base64") from None



def _flatten(node: etree._Element, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for child in node:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        name = prefix + tag.rpartition("}")[2]            # local(tag), inline: a response has dozens of values
        if len(child):
            out.update(_flatten(child, name + "/"))
        else:
            value = child.text
            out[name] = value.strip() if value else ""
    return out


_RESPONSE, _HEADER, _BODY = sr("Response"), sr("Header"), sr("Body")
_REQUEST_ID, _RESPONSE_ID, _RESPONSE_CODE, _RESPONSE_DATE_TIME = (sr("RequestID"), sr("ResponseID"), sr("ResponseCode"),
                                                                  sr("ResponseDateTime"))
_SERVICE_REFERENCE_VARIANT = sr("ServiceReferenceVariant")


def parse_response(data: bytes | etree._Element, where: str | None = None) -> DuisResponse:
    root = parse(data, where) if isinstance(data, bytes) else data
    if root.tag != _RESPONSE:
        raise CheckFailed(f"expected sr:Response, found {etree.QName(root.tag).localname}", where=where)
    headers, body = [], None
    for part in root:                       # sr:Header, sr:Body (and ds:Signature)
        tag = part.tag
        if tag == _HEADER:
            headers.append(part)
        elif tag == _BODY and body is None:
            body = part
    chosen = None if body is None else next((c for c in body if isinstance(c.tag, str)), None)
    kind = None if chosen is None else _KIND_BY_ELEMENT.get(local(chosen.tag))
    if chosen is None or kind is None:
        raise CheckFailed("sr:Response has no ResponseMessage, DeviceAlertMessage or DCCAlertMessage", where=where)
    header = first_texts(headers)
    request_id, response_id = header.get(_REQUEST_ID), header.get(_RESPONSE_ID)
    out = DuisResponse(
        kind=kind,
        response_code=header.get(_RESPONSE_CODE) or "",
        response_date_time=header.get(_RESPONSE_DATE_TIME),
        request_id=RequestId.parse(request_id) if request_id else None,
        response_id=RequestId.parse(response_id) if response_id else None,
        element=root,
    )
    if kind is ResponseKind.RESPONSE:
        content = None
        for c in chosen:
            tag = c.tag
            if tag == _SERVICE_REFERENCE_VARIANT:
                if out.service_reference_variant is None:
                    value = c.text
                    out.service_reference_variant = None if value is None else value.strip()
            elif content is None and isinstance(tag, str) and \
                    local(tag) not in ("ServiceReference", "ServiceReferenceVariant"):
                content = c
        if content is not None:
            out.content = local(content.tag)
            if out.content == "GBCSPayload":
                out.gbcs_payload = _b64(content, "GBCSPayload")
            elif out.content == "PreCommand":
                out.pre_command = _b64(find(content, "sr:GBCSPayload"), "PreCommand GBCSPayload")
                out.gbcs_version = text(content, "sr:GBCSVersion")
            elif out.content == "LocalCommand":
                out.gbcs_payload = _b64(find(content, "sr:GBCSPayload"), "LocalCommand GBCSPayload")
            elif out.content == "FutureDatedDeviceAlertMessage":
                out.alert_code = text(content, "sr:FutureDatedAlertCode")
                out.gbcs_payload = _b64(find(content, "sr:GBCSPayload"), "GBCSPayload")
            elif out.content == "DSPInventory":
                out.inventory = [_flatten(device) for device in content if isinstance(device.tag, str)]
            elif out.content == "DSPSchedulesRead":
                out.schedules = {text(each, "sr:DSPScheduleID") or "":
                                 text(each, "sr:DSPScheduleDetails/sr:DSPScheduledServiceReferenceVariant") or ""
                                 for each in content.iterfind("sr:DSPSchedules", NSMAP)}
            elif out.content == "DSPScheduledMessage":
                out.gbcs_payload = _b64(find(content, "sr:GBCSPayload"), "DSPScheduledMessage GBCSPayload")
                out.alert_fields = {"DSPScheduleID": text(content, "sr:DSPScheduleID") or ""}
            elif len(content):
                out.alert_fields = _flatten(content)
            else:                                   # a single value, e.g. DSPScheduleID
                out.alert_fields = {out.content: (content.text or "").strip()}
    elif out.kind is ResponseKind.DEVICE_ALERT:
        out.alert_code = (text(chosen, "sr:AlertCode") or "").upper()
        out.gbcs_payload = _b64(find(chosen, "sr:GBCSPayload"), "GBCSPayload")
    elif out.kind is ResponseKind.DCC_ALERT:
        out.alert_code = text(chosen, "sr:DCCAlertCode")
        alert = find(chosen, "sr:DCCAlert")
        detail = None if alert is None else next((c for c in alert if isinstance(c.tag, str)), None)
        if detail is not None:
            out.alert_body = local(detail.tag)
            out.alert_fields = _flatten(detail)
    return out


# -- building (what the emulated DCC sends) --------------------------------------------------------

def _response_skeleton(request_id: bool, response_id: bool) -> etree._Element:
    """An sr:Response with its Header's fields (RequestID and ResponseID when present) and Body, all empty."""
    root = etree.Element(sr("Response"), nsmap={"sr": SR})
    root.set("schemaVersion", SCHEMA_VERSION)
    header = etree.SubElement(root, sr("Header"))
    for name, present in (("RequestID", request_id), ("ResponseID", response_id), ("ResponseCode", True),
                          ("ResponseDateTime", True)):
        if present:
            etree.SubElement(header, sr(name))
    etree.SubElement(root, sr("Body"))
    return root


# Every response and alert the DCC sends is one of these four, copied and filled in: a tree copy costs a third of
# building it element by element (as add_fields's records), and the document is the same, byte for byte.
_RESPONSES = {(request_id, response_id): _response_skeleton(request_id, response_id)
              for request_id in (False, True) for response_id in (False, True)}


def build_response(body_element: etree._Element, *, response_code: str, response_date_time: dt.datetime,
                   request_id: RequestId | None = None, response_id: RequestId | None = None) -> etree._Element:
    root = copy_tree(_RESPONSES[request_id is not None, response_id is not None])
    header, body = root
    values = [str(request_id)] if request_id is not None else []
    if response_id is not None:
        values.append(str(response_id))
    values += (response_code, xs_datetime(response_date_time))
    for child, value in zip(header, values, strict=True):
        child.text = value
    body.append(body_element)
    return root


def response_message(srv: str, content: etree._Element | None = None) -> etree._Element:
    """A ResponseMessage for an SR; content is e.g. E.GBCSPayload(...), E.PreCommand(...), E.DSPInventory(...)."""
    def make() -> etree._Element:
        made = E.ResponseMessage()
        etree.SubElement(made, sr("ServiceReference")).text = ".".join(srv.split(".")[:2])
        etree.SubElement(made, sr("ServiceReferenceVariant")).text = srv
        return made
    message = _RESPONSE_MESSAGES.copy(srv, make)                # its two fields already in place
    if content is not None:
        message.append(content)
    return message


_RESPONSE_MESSAGES: Skeletons[str] = Skeletons(512)        # response_message's by SR (129), its two fields filled in


def gbcs_payload(data: bytes) -> etree._Element:
    return E.GBCSPayload(base64.b64encode(data).decode())


def pre_command(data: bytes, gbcs_version: str = "4.0") -> etree._Element:
    element = _PRE_COMMANDS.copy(gbcs_version, lambda: E.PreCommand(E.GBCSVersion(gbcs_version), E.GBCSPayload()))
    element[1].text = base64.b64encode(data).decode()
    return element


_PRE_COMMANDS: Skeletons[str] = Skeletons(16)      # pre_command's, by GBCS version, its payload empty


def device_alert_message(alert_code: int, gbcs: bytes) -> etree._Element:
    return E.DeviceAlertMessage(E.AlertCode(f"{alert_code:04X}"), E.GBCSPayload(base64.b64encode(gbcs).decode()))


def dcc_alert_message(code: str, detail: etree._Element) -> etree._Element:
    """A DCCAlertMessage: code (N24 ...) and its DCCAlert detail element, e.g.
    E.UpdateHANDeviceLogResult(E.UpdateHANDeviceLogServiceRequestID(str(request_id)))."""
    return E.DCCAlertMessage(E.DCCAlertCode(code), E.DCCAlert(detail))
