"""The payload of a GBCS message, whatever its family: which codec a message code calls for, decoding
to typed values, encoding back, and the readable field tree triage shows.

GBCS fixes the payload family by use case (GBCS section 7): ESME, CHF and dual band CH use cases carry
DLMS COSEM, GSME and GPF use cases ZigBee GBZ, the security and HAN-management use cases common to all
devices (CS02x, CS03x, CS04x, CS06, CS07, CS08, CCS08, GCS28, GCS59, GCS62) ASN.1 DER. A payload that is
not what its message code says is an error naming the use case, the offset and what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cache

from harness import catalogue
from harness.gbcs import asn1, cosem, dlms, gbz, zcl
from harness.gbcs.axdr import PayloadError, Tag
from harness.gbcs.frame import CraFlag, GeneralSigning


class PayloadKind(str, Enum):
    DLMS = "dlms"
    GBZ = "gbz"
    ASN1 = "asn1"


# Use cases of GSME/GPF (GCS..) and some CS ones are GBZ; the common security use cases are ASN.1.
_ASN1_PREFIXES = ("CS02", "CS03", "CS04", "CS06", "CS07", "CS08", "CCS08", "GCS28", "GCS59", "GCS62",
                  "FDA-CS06", "FDA-CS02")
_GBZ_PREFIXES = ("GCS", "CS01b", "CS10a", "CS10b", "CS11", "FDA-GBZ", "FDRA-ZigBee", "MIIWA-ZigBee")


@cache                      # the catalogue is fixed: asked at each payload decoded, answered once a code
def kind_for(message_code: int) -> PayloadKind | None:
    """The payload family a message code carries; None for a code the catalogue does not know."""
    if asn1.type_for(message_code, CraFlag.COMMAND) or asn1.type_for(message_code, CraFlag.ALERT):
        return PayloadKind.ASN1
    names = [uc.name for uc in catalogue.use_cases_for_code(message_code)]
    if not names:
        return None
    name = names[0]
    if name.startswith(_ASN1_PREFIXES):
        return PayloadKind.ASN1
    if name.startswith(_GBZ_PREFIXES):
        return PayloadKind.GBZ
    return PayloadKind.DLMS


@cache
def use_case_name(message_code: int) -> str:
    names = [uc.name for uc in catalogue.use_cases_for_code(message_code)]
    return "/".join(names) if names else f"message code 0x{message_code:04X}"


@dataclass(frozen=True, slots=True)
class Payload:
    """A decoded payload: its family and its typed value (`dlms.Apdu`, `gbz.GbzPayload` or
    `asn1.Asn1Payload`). Decoding is exact (a byte the structure does not account for is a PayloadError),
    so a decoded payload leaves no bytes undecoded; `undecoded_bytes` is there for triage's JSON contract."""

    kind: PayloadKind
    value: object

    @property
    def undecoded_bytes(self) -> int:
        return 0

    def encode(self) -> bytes:
        return self.value.encode()  # type: ignore[attr-defined]

    def fields(self) -> dict:
        if self.kind is PayloadKind.DLMS:
            return dlms_fields(self.value)  # type: ignore[arg-type]
        if self.kind is PayloadKind.GBZ:
            return gbz_fields(self.value)  # type: ignore[arg-type]
        return {"type": self.value.type_name, "value": self.value.fields()}  # type: ignore[attr-defined]


# Alert codes any device may send, DLMS or GBZ as the device speaks: the payload itself says which
# (gbcs-parser parser.ts dispatches them on the GBZ profile id 01 09 or the data-notification tag 0F).
GENERIC_ALERTS = (0x1000, 0x1001)
FIRMWARE_RECEIPT_GBZ = 0x00CF          # FDRA-ZigBee: after the GBZ alert header, the image hash the GSME calculated


def decode(apdu: GeneralSigning) -> Payload:
    """The payload of an APDU, decoded as its message code says; PayloadError names the use case."""
    code, payload = apdu.message_code, apdu.payload
    kind = kind_for(code)
    if code in GENERIC_ALERTS and payload[:2] == gbz.PROFILE_ID:
        kind = PayloadKind.GBZ
    name = use_case_name(code)
    try:
        if kind is None:
            raise PayloadError(f"unknown message code 0x{code:04X}: no use case says what its payload is", 0)
        if kind is PayloadKind.DLMS:
            return Payload(kind, dlms.decode(payload))
        if kind is PayloadKind.GBZ:
            return Payload(kind, gbz.decode(payload, alert=apdu.cra_flag is CraFlag.ALERT,
                                            firmware_receipt=code == FIRMWARE_RECEIPT_GBZ))
        return Payload(kind, asn1.decode(payload, code, int(apdu.cra_flag)))
    except PayloadError as exc:
        expected = {PayloadKind.DLMS: "DLMS COSEM", PayloadKind.GBZ: "ZigBee GBZ", PayloadKind.ASN1: "ASN.1 DER"}
        what = exc.reason if kind is None else f"{expected[kind]} payload: {exc.reason}"
        raise PayloadError(f"{name}: {what}", exc.offset) from None


def alert_code(apdu: GeneralSigning) -> int | None:
    """The alert code an alert carries (DLMS: the notification's first item; GBZ: the alert header;
    ASN.1: alertCode); None when the payload does not decode or carries none."""
    try:
        return alert_code_of(decode(apdu))
    except PayloadError:
        return None


def alert_code_of(payload: Payload) -> int | None:
    """alert_code of a payload already decoded (the DCC reads a CCS08's code and then its transfer report)."""
    value = payload.value
    if isinstance(value, dlms.DataNotification):
        items = value.body.items if value.body.tag is Tag.STRUCTURE else (value.body,)
        return items[0].int if items and items[0].tag is Tag.LONG_UNSIGNED else None
    if isinstance(value, gbz.GbzPayload):
        return value.alert_code
    if isinstance(value, asn1.Asn1Payload):
        # The decoded SEQUENCE's alertCode member (every one is of type AlertCode, an INTEGER), as fields() would
        # show it, without building the whole view (certificates and all) for it.
        code = value.value.get("alertCode") if isinstance(value.value, dict) else None
        return code if isinstance(code, int) else None
    fields = value.fields() if hasattr(value, "fields") else {}
    code = fields.get("alertCode", {}).get("code") if isinstance(fields, dict) else None
    return int(code, 16) if isinstance(code, str) else code


# -- field trees ---------------------------------------------------------------------------------------

def _dlms_date_time(raw: bytes | None) -> str | None:
    return None if raw is None else str(dlms.DlmsDateTime(raw))


def dlms_fields(apdu: dlms.Apdu) -> dict:
    if isinstance(apdu, dlms.AccessRequest):
        requests = []
        for index, spec in enumerate(apdu.specs):
            entry: dict = {"kind": spec.kind.name.lower().replace("_", "-"),
                           **cosem.describe(spec.descriptor, spec.kind)}
            if spec.selection is not None:
                entry["access_selector"] = spec.selector
                entry["access_parameters"] = cosem.plain(spec.selection)
            item = apdu.data[index] if index < len(apdu.data) else None
            if item is not None and item.tag is not Tag.NULL:
                if spec.kind is dlms.RequestKind.SET:
                    entry["value"] = cosem.attribute_view(spec.descriptor, item)
                else:
                    entry["parameters"] = cosem.plain(item)
            requests.append(entry)
        return {"apdu": "access-request", "invoke_id": apdu.invoke_id & 0xFFFFFF,
                "date_time": _dlms_date_time(apdu.date_time), "requests": requests}
    if isinstance(apdu, dlms.AccessResponse):
        results = []
        for index, result in enumerate(apdu.results):
            entry = {"kind": result.kind.name.lower(),
                           "result": result.result.name.lower() if isinstance(result.result, dlms.AccessResult)
                           else result.result}
            item = apdu.data[index] if index < len(apdu.data) else None
            if item is not None and item.tag is not Tag.NULL:
                entry["value"] = cosem.plain(item)
            results.append(entry)
        return {"apdu": "access-response", "invoke_id": apdu.invoke_id & 0xFFFFFF,
                "date_time": _dlms_date_time(apdu.date_time), "results": results}
    return {"apdu": "data-notification", "invoke_id": apdu.invoke_id & 0xFFFFFF,
            "date_time": _dlms_date_time(apdu.date_time), **alert_fields(apdu)}


def alert_fields(notification: dlms.DataNotification) -> dict:
    """A GBCS DLMS alert: structure {alert code, timestamp, use-case specific content...}."""
    body = notification.body
    items = body.items if body.tag is Tag.STRUCTURE else (body,)
    out: dict = {}
    if items and items[0].tag is Tag.LONG_UNSIGNED:
        out["alert_code"] = f"0x{items[0].value:04X}"
        items = items[1:]
        if items and items[0].tag is Tag.OCTET_STRING and len(items[0].octets) == 12:
            out["timestamp"] = str(dlms.DlmsDateTime(items[0].octets))
            items = items[1:]
    outcome = dlms.FutureDatedOutcome.of(notification)
    if outcome is not None:
        out["future_dated_command"] = {"message_code": f"0x{outcome.message_code:04X}",
                                       "originator_counter": outcome.originator_counter,
                                       **cosem.describe(outcome.descriptor, dlms.RequestKind.SET)}
        items = items[1:]
    if items:
        schema = cosem.ALERT_CONTENT.get(int(out.get("alert_code", "0"), 16))   # a typed view where one is known
        out["content"] = [cosem.plain(item) if schema is None else cosem.view(schema, item) for item in items]
    return out


def _zcl_value(kind: zcl.ZclType, value):
    if kind.names and isinstance(value, int):
        return dict(kind.names).get(value, value)
    if kind.kind == "utc" and isinstance(value, int):
        if value == 0xFFFFFFFF:
            return "never"
        if value == 0:
            return "now"
        return gbz.gbz_time(value).isoformat().replace("+00:00", "Z")
    if kind.kind == "date" and isinstance(value, bytes):
        year, month, day, weekday = value
        parts = ["*" if v == 0xFF else str(v) for v in (year + 1900 if year != 0xFF else 0xFF, month, day)]
        return "-".join(parts) + ("" if weekday == 0xFF else f" (weekday {weekday})")
    if kind.kind == "octets" and isinstance(value, bytes):
        return value.decode("ascii") if value and all(0x20 <= b < 0x7F for b in value) else value.hex().upper()
    if kind.kind == "bitmap" and isinstance(value, int):
        return f"0x{value:0{kind.size * 2}X}"
    return value


def _zcl_view(schema: tuple, values: dict) -> dict:
    out: dict = {}
    for item in schema:
        if isinstance(item, zcl.Repeat):
            out[item.name] = [_zcl_view(item.fields, entry) for entry in values.get(item.name, ())]
        elif isinstance(item, zcl.Switch):
            out.update(_zcl_view(item.cases.get(values.get(item.on), ()), values))
        elif item[0] in values:
            out[item[0]] = _zcl_value(item[1], values[item[0]])
    return out


def frame_fields(cluster: int, frame: zcl.Frame) -> dict:
    out: dict = {"cluster": f"{zcl.CLUSTERS.get(cluster, 'cluster')} (0x{cluster:04X})",
                 "command": frame.name(cluster), "frame_control": f"0x{frame.frame_control:02X}",
                 "sequence": frame.sequence}
    if frame.values is None:
        return out
    if frame.cluster_specific:
        schema = zcl.COMMANDS[(cluster, frame.server_to_client, frame.command)][1]
        out["fields"] = _zcl_view(schema, frame.values)
    elif "records" in frame.values:
        out["fields"] = {"records": [
            {**r, **({"attribute": f"0x{r['attribute']:04X}"} if "attribute" in r else {}),
             **({"value": _zcl_value(next(k for k in zcl.DATA_TYPES.values() if k.name == r["type"]), r["value"])}
                if "value" in r else {})} for r in frame.values["records"]]}
    elif "attributes" in frame.values:
        out["fields"] = {"attributes": [f"0x{a:04X}" for a in frame.values["attributes"]]}
    else:
        out["fields"] = {"command_id": f"0x{frame.values['command_id']:02X}",
                         "status": zcl.STATUS.get(frame.values["status"], frame.values["status"])}
    return out


def gbz_fields(payload: gbz.GbzPayload) -> dict:
    out: dict = {}
    if payload.alert_code is not None:
        out["alert_code"] = f"0x{payload.alert_code:04X}"
        out["timestamp"] = gbz.gbz_time(payload.alert_time or 0).isoformat().replace("+00:00", "Z")
    if payload.future_dated is not None:
        fd = payload.future_dated
        out["future_dated_command"] = {"message_code": f"0x{fd.message_code:04X}",
                                       "originator_counter": fd.originator_counter,
                                       **frame_fields(fd.cluster, zcl.Frame(fd.frame_control, 0, fd.command, None))}
        del out["future_dated_command"]["sequence"]
    if payload.manufacturer_hash is not None:
        out["calculated_manufacturer_hash"] = payload.manufacturer_hash.hex().upper()
    components = []
    for component in payload.components:
        entry = frame_fields(component.cluster, component.frame)
        if component.from_date_time is not None:
            entry["from_date_time"] = gbz.gbz_time(component.from_date_time).isoformat().replace("+00:00", "Z")
        if component.encrypted and component.frame.values is None:
            entry["encrypted"] = {"ciphertext_length": len(component.ciphered.ciphertext)}  # type: ignore[union-attr]
        components.append(entry)
    out["components"] = components
    return out


