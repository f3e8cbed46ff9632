"""ECDSA P-256 / SHA-256 signatures in the raw r||s form (IEEE P1363) that GBCS and DUIS both carry."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())      # one algorithm object for every signature, not one per call


def sign(data: bytes, key: ec.EllipticCurvePrivateKey) -> bytes:
    r, s = decode_dss_signature(key.sign(data, _ECDSA_SHA256))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def verify(data: bytes, signature: bytes, public_key: ec.EllipticCurvePublicKey) -> bool:
    if len(signature) != 64:
        return False
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public_key.verify(der, data, _ECDSA_SHA256)
    except InvalidSignature:
        return False
    return True
