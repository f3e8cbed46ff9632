"""A DCC User's Parse: a GBCS response or alert becomes MMC XML (`ra:GBCSResponse`, the format of the
DCC's Parse and Correlate software, mmc.xsd V5.4).

  ra:GBCSResponse/ra:Header       who sent it to whom, counters, message code, SR, timestamp
  ra:Body/ra:ResponseMessage      [ra:GBCSData]* [ra:SMETSData/ra:<SR body>Rsp] [ra:DebugInfo]
  ra:Body/ra:DeviceAlertMessage   [ra:GBCSData]* ra:DeviceAlertContent (code, description, time, payload)

The frame of every document is built here: the header, the response element with MessageSuccess and
the device's per-instruction statuses (DebugInfo), and the alert content. What a use case's response
carries (balances, registers, logs ...) its family module adds to the response element. Encrypted
content that the keystore cannot open is passed on as ra:GBCSData format="encrypted", as the DCC's
Parse does for a second pass, with a note saying whose key was missing.
"""

from __future__ import annotations

import base64
import datetime as dt

from lxml import etree

from harness import catalogue
from harness.duis.xml import Maker, add_fields, copy_tree
from harness.eui import DCC_ACCESS_CONTROL_BROKER
from harness.gbcs import crypto, dlms, gbz, zcl
from harness.gbcs import payload as gbcs_payload
from harness.gbcs.axdr import Data, PayloadError, Tag
from harness.gbcs.frame import CraFlag, GbcsMessage
from harness.pki import Keystore, KeyUsage
from harness.usecases import registry
from harness.usecases.registry import ResponseContext
from harness.usecases.request import DuisRequest
from harness.usecases.transform import DCC_TRANSITIONAL_COS

RA = "http://www.dccinterface.co.uk/ResponseAndAlert"
M = Maker(namespace=RA, nsmap={"ra": RA})
SCHEMA_VERSION = "5.4"

# SRs whose MMC response element is not named after their DUIS body.
_RSP_NAMES = {"8.1.1": "CommissionDeviceSynchroniseClockRsp",
              "6.2.3": "ReadDeviceConfigurationDataBillingCalendarRsp"}


def ra(tag: str) -> str:
    return f"{{{RA}}}{tag}"


def utc_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def bit_string(item: Data) -> tuple[int, bytes]:
    """A DLMS bit-string's (bit count, bytes); a PayloadError when the value is of another type."""
    value = item.value
    if item.tag is not Tag.BIT_STRING or not isinstance(value, tuple):
        raise PayloadError(f"expected a bit-string, found {item.tag.label}", 0)
    count, raw = value
    return count, raw


def _service_request(message_code: int, srv: str | None, apdu=None):
    if srv:
        try:
            return catalogue.service_request(srv)
        except catalogue.UnknownEntry:
            return None
    found = catalogue.service_requests_for_code(message_code)
    if len(found) > 1 and apdu is not None:
        # One code, several SRs (8.7.1/8.7.2, 6.15.1/6.21/6.23): a device answers the command's originator,
        # so drop the SRs whose commands (where built) that party does not originate.
        answered = _answered_party(apdu)
        found = [sr for sr in found if not registry.commands_for(sr.srv)
                 or any(c.originator is answered for c in registry.commands_for(sr.srv))] or found
    return found[0] if found else None


def _future_dated_command(value) -> int | None:
    """The message code of the command a DLMS or GBZ future-dated outcome alert (0x8F66/0x8F67) reports."""
    if isinstance(value, gbz.GbzPayload):
        return value.future_dated.message_code if value.future_dated is not None else None
    if isinstance(value, dlms.DataNotification):
        outcome = dlms.FutureDatedOutcome.of(value)
        return outcome.message_code if outcome is not None else None
    return None


def _answered_party(apdu) -> registry.Originator:
    if apdu.recipient == DCC_TRANSITIONAL_COS:
        return registry.Originator.TRANSCOS
    if apdu.recipient == DCC_ACCESS_CONTROL_BROKER:
        return registry.Originator.ACB if apdu.supplementary_remote_party is not None else registry.Originator.ACB_ALONE
    return registry.Originator.USER


def response_element_name(sr) -> str:
    return _RSP_NAMES.get(sr.srv, f"{sr.body}Rsp")


def header(document: etree._Element, message: GbcsMessage, sr) -> etree._Element:
    """The document's ra:Header, built in place."""
    apdu = message.apdu
    remote = apdu.supplementary_remote_party
    return add_fields(document, "Header", (
        ("BusinessOriginatorID", apdu.originator.duis), ("BusinessTargetID", apdu.recipient.duis),
        ("OriginatorCounter", str(apdu.originator_counter)),
        ("SupplementaryRemotePartyID", None if remote is None else remote.duis),
        ("SupplementaryRemotePartyCounter", None if remote is None or apdu.supplementary_remote_party_counter is None
         else str(apdu.supplementary_remote_party_counter)),
        ("SupplementaryOriginatorCounter", None if remote is None or apdu.supplementary_originator_counter is None
         else str(apdu.supplementary_originator_counter)),
        ("GBCSHexadecimalMessageCode", f"{apdu.message_code:04X}"),
        ("ServiceReference", None if sr is None else sr.service_reference),
        ("ServiceReferenceVariant", None if sr is None else sr.srv),
        ("Timestamp", None if apdu.date_time is None else utc_text(apdu.date_time))), namespace=RA)


# -- decryption ----------------------------------------------------------------------------------------

def decrypt(ctx: ResponseContext, data: bytes) -> bytes | None:
    """An encrypted payload field of the response (ciphertext || 12-byte tag), opened as GBCS encrypts
    end to end (`crypto.encryption_key`: to the supplementary remote party where there is one) with that
    party's KA private key and the device's KA certificate; None, with a note saying why, when it cannot be."""
    apdu = ctx.apdu
    keystore = ctx.keystore
    if keystore is None:
        ctx.notes.append("encrypted content not decrypted: no keystore given (--keystore)")
        return None
    recipient = apdu.supplementary_remote_party or apdu.recipient
    mine = keystore.find(recipient, KeyUsage.KEY_AGREEMENT)
    theirs = keystore.find(apdu.originator, KeyUsage.KEY_AGREEMENT)
    if mine is None or mine.private_key is None:
        ctx.notes.append(f"encrypted content not decrypted: no KA private key of {recipient.duis} in the keystore")
        return None
    if theirs is None:
        ctx.notes.append(f"encrypted content not decrypted: no KA certificate of {apdu.originator.duis} "
                         "in the keystore")
        return None
    key = crypto.encryption_key(apdu, mine.private_key, theirs.public_key)
    plain = crypto.decrypt_field(key, apdu.originator, data)
    if plain is None:
        ctx.notes.append(f"encrypted content from {apdu.originator.duis} did not decrypt (wrong key or tampered)")
    return plain


def pass_on_encrypted(ctx: ResponseContext, data: bytes, *, name: str, kind: str) -> None:
    """Encrypted content a second pass must open: ra:GBCSData format="encrypted"."""
    element = M.GBCSData(base64.b64encode(data).decode("ascii"), format="encrypted",
                         sequence=str(len(ctx.gbcs_data)), name=name, type=kind)
    ctx.gbcs_data.append(element)


# -- the statuses every response carries -------------------------------------------------------------

_RESULT_TEXT = {dlms.AccessResult.LONG_OPERATION_ABORTED: ("long-get-aborted", "long-action-aborted"),
                dlms.AccessResult.NO_LONG_OPERATION_IN_PROGRESS: ("no-long-get-in-progress",
                                                                  "no-long-action-in-progress")}


def _cosem_status(result, action: bool) -> str:
    if isinstance(result, dlms.AccessResult):
        if result in _RESULT_TEXT:
            return _RESULT_TEXT[result][1 if action else 0]
        return result.name.lower().replace("_", "-")
    return "response-code-not-known"


def dlms_debug(apdu: dlms.AccessResponse) -> tuple[bool, etree._Element | None]:
    if not apdu.results:
        return True, None
    statuses = tuple(_status(spec) for spec in apdu.results)
    template = _DEBUG_INFO.get(statuses)
    if template is None:
        template = _debug_info(statuses)
        if len(_DEBUG_INFO) < _MAX_DEBUG_INFO:
            _DEBUG_INFO[statuses] = template
    return apdu.succeeded, copy_tree(template)


def _status(spec: dlms.ResponseSpec) -> tuple[bool, str, int]:
    """An instruction's (action or not, MMC status, response code)."""
    action = spec.kind is dlms.RequestKind.ACTION
    return action, _cosem_status(spec.result, action), int(spec.result)


def _debug_info(statuses: tuple[tuple[bool, str, int], ...]) -> etree._Element:
    debug = M.COSEMDebug()
    for position, (action, text, code) in enumerate(statuses, start=1):
        status = (M.ActionResult if action else M.DataAccessResult)(text)
        debug.append(M.COSEMResponse(status, ResponseCode=str(code), Position=str(position)))
    return M.DebugInfo(debug)


# DebugInfo by its statuses: a response's statuses are a few kinds (all success, mostly),
# and a copy of the tree costs a fraction of building its elements. Bounded in case results vary without end.
_DEBUG_INFO: dict[tuple[tuple[bool, str, int], ...], etree._Element] = {}
_MAX_DEBUG_INFO = 512


# The ZCL statuses MMC can name (mmc.xsd StatusZIGBEE); any other code is RESPONSE_CODE_NOT_KNOWN.
_MMC_ZCL_STATUSES = {"SUCCESS", "FAILURE", "NOT_AUTHORIZED", "MALFORMED_COMMAND", "UNSUP_CLUSTER_COMMAND",
                     "INVALID_FIELD", "UNSUPPORTED_ATTRIBUTE", "INVALID_VALUE", "READ_ONLY", "INSUFFICIENT_SPACE",
                     "NOT_FOUND", "INVALID_DATA_TYPE", "WRITE_ONLY"}


def _zcl_status(value: int) -> etree._Element:
    name = zcl.STATUS.get(value, "")
    return M.Status(M.ZCLStatus(name if name in _MMC_ZCL_STATUSES else "RESPONSE_CODE_NOT_KNOWN"),
                    ResponseCode=f"{value:02X}")


def gbz_debug(payload: gbz.GbzPayload) -> tuple[bool, etree._Element | None]:
    ok, clusters = True, []
    for component in payload.components:
        frame, values = component.frame, component.frame.values or {}
        cluster = M.ZIGBEEClusterResponse(M.ClusterName(zcl.CLUSTERS.get(component.cluster, "Unknown"),
                                                        id=f"{component.cluster:04X}"))
        if not frame.cluster_specific and frame.command == zcl.DEFAULT_RESPONSE:
            ok &= values["status"] == 0
            cluster.append(M.ZIGBEECommandResponse(M.CommandID(f"{values['command_id']:02X}"),
                                                   _zcl_status(values["status"])))
        elif not frame.cluster_specific and frame.command == zcl.READ_ATTRIBUTES_RESPONSE:
            for record in values.get("records", ()):
                ok &= record["status"] == 0
                cluster.append(M.ZIGBEEDataResponse(M.AttributeID(f"{record['attribute']:04X}"),
                                                    _zcl_status(record["status"])))
        if len(cluster) > 1:
            clusters.append(cluster)
    return ok, (M.DebugInfo(M.ZIGBEEDebug(*clusters)) if clusters else None)


# -- the document -------------------------------------------------------------------------------------

def parse(message: GbcsMessage, *, keystore: Keystore | None = None, srv: str | None = None,
          request: DuisRequest | None = None) -> tuple[etree._Element, list[str]]:
    """MMC XML for one GBCS response or alert, and notes on what could not be read (missing keys).
    Raises PayloadError (naming the use case and offset) when the payload is malformed."""
    apdu = message.apdu
    payload = gbcs_payload.decode(apdu)
    commanded = _future_dated_command(payload.value)     # a future-dated outcome names its command's code
    sr = _service_request(commanded or apdu.message_code, srv or (request.srv if request else None), apdu)
    use_case = gbcs_payload.use_case_name(apdu.message_code).split("/")[0]
    if sr is not None:  # a code two SRs share (0x0062: 6.11 ECS70, 8.1.1 ECS70Commission): the SR's use case
        use_case = next((uc.name for uc in sr.use_cases if apdu.message_code in uc.message_codes), use_case)
    ctx = ResponseContext(message, payload, sr.srv if sr else None, use_case, keystore, request)
    if apdu.cra_flag is CraFlag.ALERT:
        body = M.DeviceAlertMessage()
        content = alert_content(ctx)
        body.extend(ctx.gbcs_data)
        body.append(content)
    else:
        body = M.ResponseMessage()
        rsp = None
        if sr is not None:
            rsp = etree.Element(ra(response_element_name(sr)))
        success, debug = True, None
        if isinstance(payload.value, dlms.AccessResponse):
            success, debug = dlms_debug(payload.value)
        elif isinstance(payload.value, gbz.GbzPayload):
            success, debug = gbz_debug(payload.value)
        parser = registry.response_parser(use_case)
        if rsp is not None:
            if parser is not None:
                parser(ctx, rsp)
            if rsp.get("MessageSuccess") is None:
                rsp.set("MessageSuccess", "true" if success else "false")
        body.extend(ctx.gbcs_data)
        if rsp is not None:
            body.append(M.SMETSData(rsp))
        if debug is not None:
            body.append(debug)
    document = M.GBCSResponse(schemaVersion=SCHEMA_VERSION)
    header(document, message, sr)
    etree.SubElement(document, ra("Body")).append(body)
    return document, ctx.notes


def values(document: etree._Element) -> dict[str, str]:
    """What a User reads off a parsed response: "Result" (Success/Failure, from MessageSuccess) and the
    leaves of the SR's response element by path of local names ("DailyReadLog/ImportRegister"); a name
    repeated among its siblings is numbered from 1 ("Entry[2]/EventCode"); attributes are "path@name"."""
    rsp = document.find(f"{{{RA}}}Body/{{{RA}}}ResponseMessage/{{{RA}}}SMETSData")
    found: dict[str, str] = {}
    if rsp is None or not len(rsp):
        return found
    element = rsp[0]
    found["Result"] = "Failure" if element.get("MessageSuccess") == "false" else "Success"
    _leaves(element, "", found)
    return found


def alert_values(document: etree._Element) -> dict[str, str]:
    """What a User reads off an alert's content (ra:DeviceAlertContent/ra:Payload), named as `values` names a
    response's ("ESMEBillingDataLogEntry/TariffTOURegisterMatrixValue[2]@index"); empty when it has none."""
    content = document.find(f".//{{{RA}}}DeviceAlertContent/{{{RA}}}Payload")
    found: dict[str, str] = {}
    if content is not None and len(content):
        _leaves(content[0], "", found)
    return found


def _leaves(element: etree._Element, path: str, found: dict[str, str]) -> None:
    for name, value in element.attrib.items():
        assert isinstance(name, str) and isinstance(value, str)     # lxml gives str; its stubs say str | bytes
        if name != "MessageSuccess":
            found[f"{path}@{name}"] = value
    children = [c for c in element if isinstance(c.tag, str)]
    if not children:
        if path:
            found[path] = (element.text or "").strip()
        return
    names = [etree.QName(c).localname for c in children]
    seen: dict[str, int] = {}
    for child, name in zip(children, names):
        seen[name] = seen.get(name, 0) + 1
        step = f"{name}[{seen[name]}]" if names.count(name) > 1 else name
        _leaves(child, f"{path}/{step}" if path else step, found)


def alert_content(ctx: ResponseContext) -> etree._Element:
    """DeviceAlertContent: the alert code, its description, when it was raised, and for the alerts
    GBCS gives content, that content (future-dated outcomes, firmware, billing data log ...)."""
    payload = ctx.payload
    code, timestamp = alert_code_and_time(payload.value)
    try:
        description = catalogue.device_alert(code).name
    except catalogue.UnknownEntry:
        description = f"Device alert 0x{code:04X}"
    content = M.DeviceAlertContent(M.GBCSHexAlertCode(f"{code:04X}"), M.AlertDescription(description[:250]),
                                   M.Timestamp(timestamp))
    parser = registry.response_parser(ctx.use_case)
    if parser is not None:
        holder = M.Payload()
        parser(ctx, holder)
        if len(holder):
            content.append(holder)
    return content


def alert_code_and_time(value) -> tuple[int, str]:
    if isinstance(value, dlms.DataNotification):
        items = value.body.items
        stamp = dlms.DlmsDateTime(items[1].octets).datetime if len(items) > 1 else None
        return items[0].int, utc_text(stamp) if stamp else "1970-01-01T00:00:00Z"
    if isinstance(value, gbz.GbzPayload):
        return value.alert_code or 0, utc_text(gbz.gbz_time(value.alert_time or 0))
    fields = value.fields() if hasattr(value, "fields") else {}      # ASN.1: alertCode {code: "0x8F66"}
    code = fields.get("alertCode", {}).get("code") if isinstance(fields, dict) else None
    when = fields.get("executionDateTime") or fields.get("backupDateTime") if isinstance(fields, dict) else None
    return (int(str(code), 16) if isinstance(code, str) else int(code or 0)), (when or "1970-01-01T00:00:00Z")
