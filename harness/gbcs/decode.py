"""Triage decoding: what a GBCS message is, who sent it to whom, and whether its signature and MAC hold.

This is what `dit gbcs decode` prints. It never raises on a bad message: a message that cannot be
read comes back with `error` set, so a batch of captures can be triaged in one go.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import asdict, dataclass, field
from enum import Enum

from cryptography.hazmat.primitives.asymmetric import ec

from harness import catalogue
from harness.errors import DitError
from harness.eui import DCC_ACCESS_CONTROL_BROKER, EntityId
from harness.gbcs import crypto
from harness.gbcs import payload as gbcs_payload
from harness.gbcs.axdr import PayloadError
from harness.gbcs.frame import GbcsMessage, GeneralSigning, MalformedMessage
from harness.pki import Keystore, KeyUsage


class Check(str, Enum):
    VALID = "valid"
    INVALID = "invalid"
    ABSENT = "absent"
    UNKNOWN_KEY = "unknown_key"


@dataclass
class DecodedMessage:
    file: str | None
    cra_flag: str | None = None
    message_code: str | None = None
    use_case: str | None = None
    service_requests: list[str] = field(default_factory=list)
    originator: str | None = None
    recipient: str | None = None
    originator_counter: int | None = None
    date_time: str | None = None
    supplementary_remote_party: str | None = None
    alert_code: str | None = None
    payload_length: int | None = None
    payload: dict | None = None
    signature: str | None = None
    mac: str | None = None
    error: str | None = None
    keystore_given: bool = False

    @property
    def ok(self) -> bool:
        """Readable, and no check failed; with a keystore, every signature and MAC present was checked (a
        key it does not hold, as a tampered party gives, is a failure then, not a pass)."""
        failing = {Check.INVALID.value} | ({Check.UNKNOWN_KEY.value} if self.keystore_given else set())
        return self.error is None and not failing & {self.signature, self.mac}

    def as_dict(self) -> dict:
        return asdict(self)


def parse_text(text: str | bytes) -> bytes:
    """Message bytes from hex (whitespace allowed), base64, or raw bytes starting DD/DF."""
    if isinstance(text, bytes):
        if text[:1] in (b"\xdd", b"\xdf"):
            return text
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            raise DitError("neither GBCS bytes (DD/DF) nor hex or base64 text") from None
    compact = re.sub(r"\s+", "", text)
    if compact and re.fullmatch(r"[0-9A-Fa-f]+", compact) and len(compact) % 2 == 0:
        return bytes.fromhex(compact)
    try:
        data = base64.b64decode(compact, validate=True)
    except binascii.Error:
        raise DitError("input is neither hex nor base64") from None
    return data


def check_signature(apdu: GeneralSigning, keystore: Keystore | None) -> Check:
    if apdu.signature is None:
        return Check.ABSENT
    # Every key the originator had: a device rekeyed during a run signed earlier messages with its old key.
    creds = keystore.candidates(apdu.originator, KeyUsage.DIGITAL_SIGNING) if keystore else []
    if not creds:
        return Check.UNKNOWN_KEY
    return Check.VALID if any(crypto.verify_apdu(apdu, c.public_key) for c in creds) else Check.INVALID


def check_mac(message: GbcsMessage, keystore: Keystore | None,
              access_control_broker: EntityId = DCC_ACCESS_CONTROL_BROKER) -> Check:
    if message.mac is None:
        return Check.ABSENT
    if keystore is None:
        return Check.UNKNOWN_KEY
    first, second = crypto.mac_parties(message.apdu, access_control_broker)
    # Either side's private key with the other's public key gives the MAC key; every KA key each side had.
    pairs: list[tuple[ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey]] = []
    for a in keystore.candidates(first, KeyUsage.KEY_AGREEMENT):
        for b in keystore.candidates(second, KeyUsage.KEY_AGREEMENT):
            if a.private_key is not None:
                pairs.append((a.private_key, b.public_key))
            elif b.private_key is not None:
                pairs.append((b.private_key, a.public_key))
    if not pairs:
        return Check.UNKNOWN_KEY
    ok = any(crypto.verify_gmac(crypto.mac_key(message.apdu, private, public), message.apdu.originator,
                                message.apdu_bytes, message.mac) for private, public in pairs)
    return Check.VALID if ok else Check.INVALID


def decode(data: bytes | str, *, keystore: Keystore | None = None, file: str | None = None,
           access_control_broker: EntityId = DCC_ACCESS_CONTROL_BROKER) -> DecodedMessage:
    out = DecodedMessage(file=file, keystore_given=keystore is not None)
    try:
        raw = parse_text(data) if isinstance(data, str) else parse_text(bytes(data))
        message = GbcsMessage.decode(raw)
    except (MalformedMessage, DitError) as exc:
        out.error = str(exc)
        return out
    apdu = message.apdu
    code = apdu.message_code
    use_cases = catalogue.use_cases_for_code(code)
    out.cra_flag = apdu.cra_flag.name.lower()
    out.message_code = f"0x{code:04X}"
    out.use_case = "/".join(uc.name for uc in use_cases) or None
    out.service_requests = [sr.srv for sr in catalogue.service_requests_for_code(code)]
    out.originator = apdu.originator.duis
    out.recipient = apdu.recipient.duis
    out.originator_counter = apdu.originator_counter
    out.date_time = apdu.date_time.isoformat() if apdu.date_time else None
    if apdu.supplementary_remote_party is not None:
        out.supplementary_remote_party = apdu.supplementary_remote_party.duis
    if apdu.cra_flag.name == "ALERT":
        found = gbcs_payload.alert_code(apdu)
        out.alert_code = None if found is None else f"0x{found:04X}"
    out.payload_length = len(apdu.payload)
    out.signature = check_signature(apdu, keystore).value
    out.mac = check_mac(message, keystore, access_control_broker).value
    try:
        decoded = gbcs_payload.decode(apdu)
    except PayloadError as exc:
        out.error = f"payload: {exc}"
        return out
    out.payload = {"kind": decoded.kind.value, "fields": decoded.fields(), "undecoded_bytes": decoded.undecoded_bytes}
    return out


def tree(value, indent: str = "") -> list[str]:
    """Payload fields as an indented tree, the form a test engineer pastes into a defect."""
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{indent}{key}:")
                lines += tree(item, indent + "  ")
            else:
                lines.append(f"{indent}{key}: {_scalar(item)}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{indent}[{index}]")
                lines += tree(item, indent + "  ")
            else:
                lines.append(f"{indent}[{index}] {_scalar(item)}")
    else:
        lines.append(f"{indent}{_scalar(value)}")
    return lines


def _scalar(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, (dict, list)):
        return "(none)"
    return str(value)
