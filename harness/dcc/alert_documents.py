"""The DCC's device alerts to Users (DeviceAlertMessage), signed from a prepared template.

DUIS sends a User one document per device alert, and an 11.1 to 50,000 meters brings 50,000 of them: each is
the same document but for its ResponseID, ResponseDateTime, AlertCode and GBCSPayload. So the DSP builds and signs
one document the general way (harness.duis.responses, harness.duis.xmldsig) with placeholder values and keeps
three texts of it: the document's inclusive C14N form (what the Reference digests), SignedInfo's exclusive C14N
form (what ECDSA signs) and the signed document as serialized. An alert is those texts with its values written
in: digested and ECDSA-signed as every signature is, without building and canonicalising a tree for it. The
values (hex, digits, dashes, colons, base64) need no escaping in XML, and C14N leaves them as they are.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree

from harness.duis import xml, xmldsig
from harness.duis.request_id import RequestId
from harness.duis.requests import xs_datetime
from harness.duis.responses import build_response, device_alert_message
from harness.duis.xml import NSMAP
from harness.eui import EntityId
from harness.pki.signatures import sign as ecdsa_sign

# Placeholders: letters only, so neither serialisation nor C14N changes them, and found nowhere else in DUIS.
_FIELDS = {"response_id": "sr:Header/sr:ResponseID", "when": "sr:Header/sr:ResponseDateTime",
           "code": "sr:Body/sr:DeviceAlertMessage/sr:AlertCode",
           "payload": "sr:Body/sr:DeviceAlertMessage/sr:GBCSPayload"}
_SIGNATURE_FIELDS = {"digest": "ds:Signature/ds:SignedInfo/ds:Reference/ds:DigestValue",
                     "signature": "ds:Signature/ds:SignatureValue"}
_SAFE = re.compile(r"[0-9A-Za-z+/=:.\-]*")         # what the values are made of: nothing XML would escape


def _marker(name: str) -> str:
    return f"PLACEHOLDERx{name.replace('_', 'x')}x"


def _template(text: bytes) -> str:
    """A text with its placeholders turned into str.format fields (the text has no braces of its own)."""
    source = text.decode()
    if "{" in source or "}" in source:
        raise ValueError("a DUIS template cannot hold braces")
    for name in (*_FIELDS, *_SIGNATURE_FIELDS):
        source = source.replace(_marker(name), "{" + name + "}")
    return source


class DeviceAlertSigner:
    """Signed DeviceAlertMessage documents from one prepared template, with the DSP's XML signing key."""

    def __init__(self, key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate):
        self._key = key
        root = build_response(device_alert_message(0, b""), response_code="I0",
                              response_date_time=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
                              response_id=RequestId(EntityId(bytes(8)), EntityId(bytes(8)), 1))
        for name, path in _FIELDS.items():
            _node(root, path).text = _marker(name)
        self._document = _template(xml.canonical(root.getroottree(), exclusive=False))
        xmldsig.sign(root, key, certificate)
        for name, path in _SIGNATURE_FIELDS.items():
            _node(root, path).text = _marker(name)
        signed_info = _node(root, "ds:Signature/ds:SignedInfo")
        self._signed_info = _template(xml.canonical(signed_info, exclusive=True))
        self._signed = _template(xml.serialize(root))

    def sign(self, alert_code: int, gbcs: bytes, *, response_id: RequestId, at: dt.datetime) -> bytes:
        """The signed document for a device's alert to a User, byte for byte what building and signing it gives."""
        values = {"response_id": str(response_id), "when": xs_datetime(at), "code": f"{alert_code:04X}",
                  "payload": base64.b64encode(gbcs).decode()}
        if not all(_SAFE.fullmatch(value) for value in values.values()):
            raise ValueError(f"a value XML would escape: {values}")
        digest = hashlib.sha256(self._document.format(**values).encode()).digest()
        values["digest"] = base64.b64encode(digest).decode()
        signature = ecdsa_sign(self._signed_info.format(digest=values["digest"]).encode(), self._key)
        values["signature"] = base64.b64encode(signature).decode()
        return self._signed.format(**values).encode()


def _node(root: etree._Element, path: str) -> etree._Element:
    node = root.find(path, NSMAP)
    assert node is not None, f"the alert template has no {path}"
    return node
