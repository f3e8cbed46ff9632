"""ASN.1 DER payloads of GBCS: security credentials (CS02a-e, CS02g), joining (CS03, CS04, CS07),
firmware activation (CS06, CS08, CCS08), GPF time and device log (GCS28, GCS59, GCS62).

The types are in gbcs.asn next to this module, compiled once with asn1tools' DER codec. Values are
asn1tools values: dicts for SEQUENCE, lists for SEQUENCE OF, (name, value) for CHOICE, (bytes, bit
count) for BIT STRING, names for ENUMERATED; certificates and certification requests are their whole
DER bytes. `Asn1Payload.fields()` gives the JSON view: names for named numbers, EUI-64 entity ids,
ISO-8601 times, and what `cryptography` reads from a certificate.

Decode then encode gives back the same bytes, or decode says why it cannot: the payload must be DER,
with one exception seen in the RTDS: device-built CS02b/CS02g responses and alerts write every length
over 127 in two bytes (82 00 CA, not 81 CA). Decode notes that as `long_lengths` and encode repeats it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from harness import catalogue, parse_cache
from harness.eui import EntityId
from harness.gbcs.asn1tools_der import DecodeError as _Asn1DecodeError
from harness.gbcs.asn1tools_der import asn1tools, ber, der_codec
from harness.gbcs.axdr import PayloadError
from harness.pki.certificates import entity_id_of, role_of

MODULE = Path(__file__).with_name("gbcs.asn")
# asn1tools raises its own errors, and IndexError, ValueError, TypeError or KeyError on odd content or
# on a value of the wrong kind
_ASN1_FAILURES = (asn1tools.Error, IndexError, ValueError, TypeError, KeyError)

_USC = ("UpdateSecurityCredentialsCommand", "UpdateSecurityCredentialsResponse", None)
_JOIN = ("JoinDeviceCommand", "JoinDeviceResponse", None)
_UNJOIN = ("UnjoinDeviceCommand", "UnjoinDeviceResponse", None)

# message code -> ASN.1 type of its (command, response, alert); GBCS section 13 and the RTDS
MESSAGE_TYPES: dict[int, tuple[str | None, str | None, str | None]] = {
    0x0008: ("ProvideSecurityCredentialDetailsCommand", "ProvideSecurityCredentialDetailsResponse", None),
    0x011B: ("ProvideSecurityCredentialDetailsCommand", "ProvideSecurityCredentialDetailsResponse", None),  # CS02f
    0x000A: ("IssueSecurityCredentialsCommand", "IssueSecurityCredentialsResponse", None),
    0x000B: ("UpdateDeviceCertificateCommand", "UpdateDeviceCertificateResponse", None),
    0x000C: ("ProvideDeviceCertificateCommand", "ProvideDeviceCertificateResponse", None),
    0x000D: _JOIN, 0x00AB: _JOIN, 0x000E: _JOIN, 0x00AF: _JOIN,        # CS03A1, CS03A2, CS03B, CS03C
    0x000F: _UNJOIN, 0x0010: _UNJOIN,                                   # CS04AC, CS04B
    0x0012: ("ActivateFirmwareCommand", "ActivateFirmwareResponse", None),
    0x0013: ("ReadDeviceJoinDetailsCommand", "ReadDeviceJoinDetailsResponse", None),
    0x007F: ("SetTimeCommand", "SetTimeResponse", None),
    0x008C: ("GPFDeviceLogRestoreCommand", "GPFDeviceLogRestoreResponse", None),
    0x00B2: (None, None, "GPFDeviceLogBackupAlert"),
    0x00CA: (None, None, "ActivateFirmwareAlert"),
    0x00CB: (None, None, "UpdateSecurityCredentialsAlert"),
    0x0124: (None, None, "UpdateSecurityCredentialsAlert"),            # CS02g future-dated outcome (RTDS)
    0x0126: _USC,                                                      # CS02g load controller by supplier
    0x0128: (None, None, "FirmwareTransferAlert"),
    0x0129: ("ReadPPMIDHCALCSFirmwareVersionCommand", "ReadPPMIDHCALCSFirmwareVersionResponse",
             "ReadPPMIDHCALCSFirmwareVersionAlert"),
    **{code: _USC for code in range(0x0100, 0x010A)},                  # CS02b, one code per replacement mode
}

# CHOICEs whose alternative is a whole certificate: asn1tools cannot put an untagged ANY in a CHOICE,
# so the alternative is picked here by the first tag (gbcs.asn says the same).
_CHOICES: dict[str, dict[int, tuple[str, str]]] = {
    "IssueSecurityCredentialsResponse": {0x30: ("certificationRequest", "CertificationRequest"),
                                         0x02: ("responseCode", "IssueSecurityCredentialsResponseCode")},
    "ProvideDeviceCertificateResponse": {0x30: ("certificate", "Certificate"),
                                         0x02: ("responseCode", "ProvideDeviceCertificateResponseCode")},
}


def type_for(message_code: int, cra_flag: int) -> str | None:
    """The ASN.1 type a message code carries with this CRA flag (1 command, 2 response, 3 alert)."""
    types = MESSAGE_TYPES.get(message_code)
    return types[cra_flag - 1] if types and 1 <= cra_flag <= 3 else None


def named_numbers(type_name: str) -> dict[str, int]:
    """The names gbcs.asn gives the numbers of an INTEGER or ENUMERATED type (StatusCode, RemotePartyRole ...)."""
    found = _module().get(type_name)
    if found is None:
        raise PayloadError(f"no ASN.1 type {type_name!r} in {MODULE.name}", 0)
    return dict(found.get("named-numbers") or found.get("values") or {})


@dataclass(frozen=True, slots=True)
class Asn1Payload:
    """One decoded ASN.1 payload: its type and asn1tools value."""

    type_name: str
    value: object
    long_lengths: bool = False     # lengths over 127 written as 82 nn nn, as devices write CS02b outcomes

    def encode(self) -> bytes:
        return encode(self.type_name, self.value, long_lengths=self.long_lengths)

    def fields(self) -> dict | list | str | int | None:
        """JSON-friendly view: named fields, enum names, EUI-64s, ISO-8601 times, certificate views."""
        return _view({"type": self.type_name}, self.value)


def decode(payload: bytes, message_code: int, cra_flag: int) -> Asn1Payload:
    type_name = type_for(message_code, cra_flag)
    if type_name is None:
        raise PayloadError(f"no ASN.1 payload is known for message code 0x{message_code:04X} "
                           f"with CRA flag {cra_flag}", 0)
    return decode_as(type_name, payload)


def decode_as(type_name: str, payload: bytes) -> Asn1Payload:
    """Decode `payload` as the named type; PayloadError says what was expected, at which byte."""
    data = bytes(payload)
    target, alternative = _alternative(type_name, data)
    try:
        raw, end = _spec().types[target].decode_with_length(data)
    except _ASN1_FAILURES as error:
        problem = _translate(error, type_name)
        try:
            _check_structure(data, type_name)
        except PayloadError as broken:     # the TLV structure breaks: report whichever comes first
            problem = broken if broken.offset <= problem.offset else problem
        raise problem from None
    if end != len(data):
        raise PayloadError(f"expected the end of {type_name}, found {len(data) - end} trailing bytes", end)
    value = _freeze(raw)
    if alternative:
        value = (alternative, value)
    try:
        der = _encode_der(target, value[1] if alternative else value)
    except _ASN1_FAILURES as error:
        raise PayloadError(f"{type_name} decodes but does not re-encode: {error}", 0) from None
    if der == data:
        return Asn1Payload(type_name, value)
    wide = _widen(der, _opaque(value))
    if wide == data:
        return Asn1Payload(type_name, value, long_lengths=True)
    # asn1tools reads BER leniently (members out of order, extra members, non-minimal integers):
    # name the first element that is not as DER has it
    _check_structure(data, type_name)
    reference = der if _common_prefix(data, der) >= _common_prefix(data, wide) else wide
    raise _difference(data, reference, type_name)


def encode(type_name: str, value: object, *, long_lengths: bool = False) -> bytes:
    """DER of `value` as the named type; with long_lengths, lengths over 127 in the 82 nn nn form."""
    target, inner = type_name, value
    if type_name not in _CHOICES and type_name not in _module():
        raise PayloadError(f"cannot encode {type_name}: no such type in {MODULE.name}", 0)
    if type_name in _CHOICES:
        if not (isinstance(value, tuple) and len(value) == 2):
            raise PayloadError(f"cannot encode {type_name}: expected a (name, value) pair", 0)
        names = {name: t for name, t in _CHOICES[type_name].values()}
        if value[0] not in names:
            raise PayloadError(f"cannot encode {type_name}: expected {' or '.join(names)}, "
                               f"got {value[0]!r}", 0)
        target, inner = names[value[0]], value[1]
    try:
        der = _encode_der(target, inner, check=True)
    except _ASN1_FAILURES as error:
        message = str(error).removeprefix(f"{target}: ")
        raise PayloadError(f"cannot encode {type_name}: {message}", 0) from None
    return _widen(der, _opaque(value)) if long_lengths else der


# -- the compiled module ------------------------------------------------------------------------------

class _Certificate(ber.Any):
    """A certificate or certification request: any element to asn1tools, but GBCS's are all a
    SEQUENCE; narrowed so a misplaced element is reported where it is, not taken as a certificate."""

    def decode(self, data, offset, values=None):
        if data[offset:offset + 1] != b"\x30":
            return ber.TAG_MISMATCH, offset
        return super().decode(data, offset)


class _SequenceOf(der_codec.SequenceOf):
    """asn1tools' DER SEQUENCE OF loops for ever on an element with the wrong tag: raise instead."""

    def decode_content(self, data, offset, length):
        decoded, end = [], offset + length
        while offset < end:
            element, offset = self.element_type.decode(data, offset)
            if element is ber.TAG_MISMATCH:
                raise ber.DecodeTagError(self.element_type, data, offset, location=self.element_type)
            decoded.append(element)
        return decoded, offset


class _GeneralizedTime(der_codec.GeneralizedTime):
    """A bad time string is an asn1tools error with no offset: give it the offset of the string."""

    def decode_content(self, data, offset, length):
        # The DER form, YYYYMMDDhhmmssZ with every field in range, read by position: what asn1tools's strptime
        # gives (a naive datetime), without strptime's regular expressions (an 11.1's 50,000 CCS08s have one each).
        text = data[offset:offset + length]
        if length == 15 and text[14] == 0x5A and text[:14].isdigit():
            month, day, hour, minute, second = (int(text[i:i + 2]) for i in (4, 6, 8, 10, 12))
            if 1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59 and second <= 59:
                try:
                    return dt.datetime(int(text[:4]), month, day, hour, minute, second), offset + length
                except ValueError:
                    pass                    # 30 February and the like: asn1tools says what is wrong
        try:
            return super().decode_content(data, offset, length)
        except (asn1tools.Error, ValueError):
            found = bytes(data[offset:offset + length])
            raise _Asn1DecodeError(f"expected a time YYYYMMDDhhmmssZ, found {found!r}", offset=offset) from None


@functools.cache
def _parsed() -> dict:
    """gbcs.asn as asn1tools parses it: pyparsing takes about 0.1 s a process (every dit and xdist worker asks at
    import), so the result is kept (harness.parse_cache) by the file's digest, the Python and asn1tools versions."""
    result = parse_cache.parsed(MODULE, lambda text: asn1tools.parse_string(text.decode()),
                                key=f"asn1tools{asn1tools.__version__}")
    assert isinstance(result, dict)
    return result


def _module() -> dict:
    return _parsed()["GBCS"]["types"]


@functools.cache
def _spec() -> asn1tools.compiler.Specification:
    """The module compiled once, with its ANYs narrowed and its SEQUENCE OFs fixed (see above)."""
    spec = asn1tools.compile_dict(_parsed(), "der")
    seen: set[int] = set()
    for compiled in spec.types.values():
        _adjust(compiled.type, seen)
    return spec


def _adjust(t, seen: set[int]) -> None:
    if id(t) in seen:
        return
    seen.add(id(t))
    if type(t) is ber.Any:
        t.__class__ = _Certificate
        t.tag, t.tag_len = bytearray(b"\x30"), 1
    elif type(t) is der_codec.SequenceOf:
        t.__class__ = _SequenceOf
    elif type(t) is der_codec.GeneralizedTime:
        t.__class__ = _GeneralizedTime
    children = list(getattr(t, "root_members", None) or ()) + list(getattr(t, "members", None) or ())
    for child in children + [getattr(t, "element_type", None), getattr(t, "inner", None)]:
        if child is not None:
            _adjust(child, seen)


def _encode_der(target: str, value: object, check: bool = False) -> bytes:
    compiled = _spec().types[target]
    if check:
        compiled.check_types(value)
    return bytes(compiled.encode(value))


def _alternative(type_name: str, data: bytes) -> tuple[str, str | None]:
    """The type to hand asn1tools, and the CHOICE alternative's name for the CHOICEs picked here."""
    if type_name in _CHOICES:
        options = _CHOICES[type_name]
        found = f"{data[0]:02X}" if data else "end of payload"
        if not data or data[0] not in options:
            expected = " or ".join(f"{_LABELS[tag]} ({tag:02X})" for tag in options)
            raise PayloadError(f"expected {expected} for {type_name}, found {found}", 0)
        name, target = options[data[0]]
        return target, name
    if type_name not in _module():
        raise PayloadError(f"no ASN.1 type {type_name!r} in {MODULE.name}", 0)
    return type_name, None


_LABELS = {0x30: "SEQUENCE", 0x02: "INTEGER"}
_ALTERNATIVES = {target for options in _CHOICES.values() for _, target in options.values()}


def _freeze(value):
    """asn1tools gives ANY values as bytearray slices of its input: make them bytes."""
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_freeze(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, bytearray):
        return bytes(value)
    return value


def _opaque(value) -> frozenset[bytes]:
    """Certificates carried whole: their own DER lengths stay as they are when lengths are widened."""
    found: set[bytes] = set()

    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)
        elif isinstance(v, (bytes, bytearray)) and len(v) > 130 and v[0] == 0x30:
            found.add(bytes(v))

    walk(value)
    return frozenset(found)


# -- TLV walking: structure errors, long lengths, where a payload departs from DER ----------------------

def _header(data: bytes, pos: int, end: int, within: str) -> tuple[int, int, int, int]:
    """(tag, length offset, content start, content end) of the element at pos, checked against its
    container's end."""
    if pos >= end:
        raise PayloadError(f"expected a tag in {within}, found end of data", pos)
    tag, p = data[pos], pos + 1
    if tag & 0x1F == 0x1F:                      # high tag number form (GBCS has none, but skip it right)
        while p < end and data[p] & 0x80:
            p += 1
        p += 1
    if p >= end:
        raise PayloadError(f"truncated {within}: expected a length after tag {tag:02X}, found end of data", p)
    first = data[p]
    if first == 0x80:
        raise PayloadError(f"expected a definite length after tag {tag:02X} in {within}, found 80", p)
    if first & 0x80:
        size = first & 0x7F
        if size > 4 or p + 1 + size > end:
            raise PayloadError(f"truncated {within}: expected {size} length bytes after {first:02X}, "
                               f"found {max(end - p - 1, 0)}", p)
        length, start = int.from_bytes(data[p + 1:p + 1 + size], "big"), p + 1 + size
    else:
        length, start = first, p + 1
    if start + length > end:
        raise PayloadError(f"truncated {within}: expected {length} content bytes after tag {tag:02X}, "
                           f"found {end - start}", pos)
    return tag, p, start, start + length


def _check_structure(data: bytes, type_name: str) -> None:
    """Raise where the TLV structure breaks (truncation, a length that overruns its container)."""
    def walk(pos: int, end: int) -> None:
        while pos < end:
            tag, _, start, stop = _header(data, pos, end, type_name)
            if tag & 0x20:
                walk(start, stop)
            pos = stop

    _, _, _, stop = _header(data, 0, len(data), type_name)
    walk(0, stop)                      # trailing bytes after the value: decode_as says so


def _long_length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    size = max(2, (n.bit_length() + 7) // 8)
    return bytes((0x80 | size,)) + n.to_bytes(size, "big")


def _widen(der: bytes, keep: frozenset[bytes]) -> bytes:
    """Rewrite lengths over 127 as 82 nn nn, bottom-up so each container counts its widened children."""
    def widen(pos: int, end: int, out: bytearray) -> None:
        while pos < end:
            tag, tag_end, start, stop = _header(der, pos, end, "DER")
            if stop - start < 0x80:
                out += der[pos:stop]               # nothing inside can be long either
            elif tag & 0x20 and der[pos:stop] not in keep:
                inner = bytearray()
                widen(start, stop, inner)
                out += der[pos:tag_end] + _long_length(len(inner)) + inner
            else:
                out += der[pos:tag_end] + _long_length(stop - start) + der[start:stop]
            pos = stop

    out = bytearray()
    widen(0, len(der), out)
    return bytes(out)


def _common_prefix(a: bytes, b: bytes) -> int:
    n = min(len(a), len(b))
    return next((i for i in range(n) if a[i] != b[i]), n)


def _difference(data: bytes, der: bytes, type_name: str) -> PayloadError:
    """The first element of `data` that its DER re-encoding writes differently."""
    def compare(p: int, p_end: int, q: int, q_end: int) -> PayloadError | None:
        while p < p_end:
            tag, _, start, stop = _header(data, p, p_end, type_name)
            if q >= q_end:
                return PayloadError(f"expected the end of a {type_name} element, found element {tag:02X} "
                                    "(extra data, or a DEFAULT value written out: not DER)", p)
            der_tag, _, der_start, der_stop = _header(der, q, q_end, "DER")
            if tag != der_tag:
                return PayloadError(f"expected element {der_tag:02X} in {type_name}, found {tag:02X} "
                                    "(elements out of order or a DEFAULT value written out: not DER)", p)
            if data[p:stop] != der[q:der_stop]:
                if tag & 0x20:
                    inner = compare(start, stop, der_start, der_stop)
                    if inner:
                        return inner
                if data[start:stop] == der[der_start:der_stop]:
                    return PayloadError(f"expected the shortest length for element {tag:02X} in {type_name}, "
                                        f"found {data[p + 1:start].hex().upper()} (not DER)", p + 1)
                return PayloadError(f"expected DER content for element {tag:02X} in {type_name}, found "
                                    f"{data[start:stop][:16].hex().upper()} (not DER)", p)
            p, q = stop, der_stop
        return None

    return compare(0, len(data), 0, len(der)) or PayloadError(f"{type_name} is not DER", 0)


# -- asn1tools errors as PayloadError ------------------------------------------------------------------

# asn1tools names a referenced type by its reference (SeqNumber): errors name the ASN.1 type
_KINDS = {"Integer": "INTEGER", "Sequence": "SEQUENCE", "_SequenceOf": "SEQUENCE OF", "Null": "NULL",
          "OctetString": "OCTET STRING", "BitString": "BIT STRING", "Enumerated": "ENUMERATED",
          "_GeneralizedTime": "GeneralizedTime", "_Certificate": "SEQUENCE", "Boolean": "BOOLEAN"}


def _label(t) -> str:
    if isinstance(t, ber.Choice):
        return " or ".join(_label(m) for m in t.members)
    tag = bytes(t.tag).hex().upper() if getattr(t, "tag", None) else "?"
    return f"{_KINDS.get(type(t).__name__, t.type_name)} ({tag})"


def _translate(error: Exception, type_name: str) -> PayloadError:
    if not isinstance(error, _Asn1DecodeError):
        return PayloadError(f"cannot decode {type_name}: {error}", 0)
    where = error.location_str
    root = where.split(".")[0]
    if root != type_name:          # a CHOICE picked here names its alternative's type: name the CHOICE
        where = type_name + where[len(root):] if root in _ALTERNATIVES else f"{type_name}.{where}".rstrip(".")
    offset = error.offset or 0
    if isinstance(error, ber.DecodeTagError):
        found = error.actual_tag.upper() or "end of data"
        return PayloadError(f"expected {_label(error.asn_type)} for {where}, found {found}", offset)
    if isinstance(error, ber.MissingMandatoryFieldError):
        member = error.location[0] if error.location else None
        expected = _label(member) if member is not None else "an element"
        return PayloadError(f"expected {expected} for {where}, found the end of its SEQUENCE", offset)
    if error.message.startswith("Expected enumeration value"):
        found = error.message.rstrip(".").rsplit(" ", 1)[-1]
        return PayloadError(f"expected an ENUMERATED value GBCS defines for {where}, found {found}", offset)
    return PayloadError(f"{where}: {error.message.rstrip('.')}", offset)


# -- fields(): the JSON view -----------------------------------------------------------------------------

def _view(t: dict, value):
    kind = t["type"]
    if kind in _CHOICES:
        name, inner = value
        alternative = next(target for n, target in _CHOICES[kind].values() if n == name)
        return {name: _view({"type": alternative}, inner)}
    special = _SPECIAL.get(kind)
    if special:
        return special(value)
    module = _module()
    if kind in module:                              # a reference to another type of the module
        return _view(module[kind], value)
    if kind == "SEQUENCE":
        members = {m["name"]: m for m in t["members"]}
        return {name: _view(members[name], v) for name, v in value.items() if name in members}
    if kind == "SEQUENCE OF":
        return [_view(t["element"], v) for v in value]
    if kind == "CHOICE":
        name, inner = value
        return {name: _view(next(m for m in t["members"] if m["name"] == name), inner)}
    if kind == "INTEGER":
        names = {n: name for name, n in t.get("named-numbers", {}).items()}
        return names.get(value, value)
    if kind == "BIT STRING":
        raw, count = value
        bits = [i for i in range(count) if raw[i // 8] & (0x80 >> (i % 8))]
        names = {int(n): name for name, n in t.get("named-bits", [])}
        return [names.get(i, f"bit{i}") for i in bits]
    if kind in ("OCTET STRING", "ANY"):
        return value.hex().upper()
    if kind == "GeneralizedTime":
        return _iso(value)
    return value                                    # NULL (None), ENUMERATED (its name)


def _iso(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat() + "Z"


def _entity_id(value: bytes) -> str:
    return EntityId(value).duis if len(value) == 8 else value.hex().upper()


def _alert_code(code: int) -> dict:
    view: dict = {"code": f"0x{code:04X}"}
    try:
        view["name"] = catalogue.device_alert(code).name
    except catalogue.UnknownEntry:
        pass
    return view


def _certificate(der: bytes) -> dict:
    try:
        return _certificate_view(x509.load_der_x509_certificate(der))
    except Exception as error:  # noqa: BLE001 - cryptography raises many kinds, lazily, per field read
        return {"error": f"not a readable X.509 certificate: {error}", "der": der.hex().upper()}


def _certificate_view(cert: x509.Certificate) -> dict:
    eid, role = entity_id_of(cert), role_of(cert)
    roles = {n: name for name, n in _module()["RemotePartyRole"]["named-numbers"].items()}
    view: dict = {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "subjectEntityId": eid.duis if eid else None,
        "remotePartyRole": None if role is None else roles.get(int(role), int(role)),
        "serialNumber": f"{cert.serial_number:X}",
        "notBefore": _iso(cert.not_valid_before_utc),
        "notAfter": _iso(cert.not_valid_after_utc),
        "keyUsage": _key_usage(cert),
        # The whole certificate, key and signature included, in one value a comparison can rely on.
        "sha256Fingerprint": cert.fingerprint(hashes.SHA256()).hex().upper(),
    }
    for name, ext_class, attr in (("subjectKeyIdentifier", x509.SubjectKeyIdentifier, "digest"),
                                  ("authorityKeyIdentifier", x509.AuthorityKeyIdentifier, "key_identifier")):
        try:
            raw = getattr(cert.extensions.get_extension_for_class(ext_class).value, attr)
            view[name] = raw.hex().upper() if raw else None
        except x509.ExtensionNotFound:
            view[name] = None
    return view


def _key_usage(cert: x509.Certificate) -> list[str]:
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return []
    flags = {"digitalSignature": ku.digital_signature, "nonRepudiation": ku.content_commitment,
             "keyEncipherment": ku.key_encipherment, "dataEncipherment": ku.data_encipherment,
             "keyAgreement": ku.key_agreement, "keyCertSign": ku.key_cert_sign, "cRLSign": ku.crl_sign}
    if ku.key_agreement:                         # cryptography refuses these two without keyAgreement
        flags |= {"encipherOnly": ku.encipher_only, "decipherOnly": ku.decipher_only}
    return [name for name, on in flags.items() if on]


def _certification_request(der: bytes) -> dict:
    try:
        csr = x509.load_der_x509_csr(der)
        point = csr.public_key().public_bytes(serialization.Encoding.X962,
                                              serialization.PublicFormat.UncompressedPoint)
        return {"subject": csr.subject.rfc4514_string(), "publicKey": point.hex().upper(),
                "signatureValid": csr.is_signature_valid}
    except Exception as error:  # noqa: BLE001 - as for certificates
        return {"error": f"not a readable PKCS#10 certification request: {error}", "der": der.hex().upper()}


# Types shown in GBCS's words rather than as raw ASN.1 values; each takes the decoded value of its type.
_SPECIAL: dict[str, Callable[..., object]] = {
    "Certificate": _certificate,
    "CertificationRequest": _certification_request,
    "EntityId": _entity_id,
    "AlertCode": _alert_code,
}
