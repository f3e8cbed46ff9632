"""ECDSA P-256 / SHA-256 signatures in the raw r||s form (IEEE P1363) that GBCS and DUIS both carry."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature, encode_dss_signature

_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())      # one algorithm object for every signature, not one per call
_ECDSA_PREHASHED = ec.ECDSA(Prehashed(hashes.SHA256()))


def sign(data: bytes, key: ec.EllipticCurvePrivateKey) -> bytes:
    r, s = decode_dss_signature(key.sign(data, _ECDSA_SHA256))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def verify(data: bytes, signature: bytes, public_key: ec.EllipticCurvePublicKey) -> bool:
    return _verify(data, signature, public_key, _ECDSA_SHA256)


def verify_digest(digest: bytes, signature: bytes, public_key: ec.EllipticCurvePublicKey) -> bool:
    """verify() over the SHA-256 digest of the signed bytes, already taken (a firmware image's, hashed once)."""
    return _verify(digest, signature, public_key, _ECDSA_PREHASHED)


def _verify(data: bytes, signature: bytes, public_key: ec.EllipticCurvePublicKey, algorithm: ec.ECDSA) -> bool:
    if len(signature) != 64:
        return False
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public_key.verify(der, data, algorithm)
    except InvalidSignature:
        return False
    return True
