"""SMKI certificate profiles: what an organisation or device certificate says and how to make one.

Organisation certificates name their party in the subject (OU = remote party role as two hex digits,
x500UniqueIdentifier = entity ID); device certificates have an empty subject and carry the device's
EUI-64 as a hwModuleName in subjectAltName. Both are P-256 / ECDSA-SHA256 (gbcs_security.md section 6).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from enum import Enum
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID, ObjectIdentifier

from harness.catalogue import RemotePartyRole
from harness.errors import DitError
from harness.eui import EntityId


class KeyUsage(str, Enum):
    """What a credential is for; the value is its keystore file-name suffix."""

    DIGITAL_SIGNING = "ds"
    KEY_AGREEMENT = "ka"
    PREPAYMENT_KEY_AGREEMENT = "pp-ka"   # supplier's prepayment top-up KA (trust anchor cell usage 1)
    XML_SIGNING = "xml"                  # DUIS XMLDSig key (OU=87 for Users, OU=89 for the DSP)


HW_MODULE_NAME = ObjectIdentifier("1.3.6.1.5.5.7.8.4")
# hwType inside a device certificate's hwModuleName, as in the RTDS device certificates.
DEVICE_HW_TYPE = ObjectIdentifier("1.2.826.0.1.8641679.1.2.2.1")
DEVICE_POLICY = ObjectIdentifier("1.2.826.0.1.1800000.1.2.1.4")
ORGANISATION_POLICY = ObjectIdentifier("1.2.826.0.1.8641679.1.2.1.4")

# Device certificates never expire (RFC 5280 "no well-defined expiration date").
DEVICE_NOT_AFTER = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


_T = TypeVar("_T")


def per_certificate(read: Callable[[x509.Certificate], _T], size: int = 256) -> Callable[[x509.Certificate], _T]:
    """`read` remembered per certificate object, for what every signed document asks of its signer's certificate.

    Keyed by identity, not by the certificate: hashing a Certificate hashes its DER at every call, which cost more
    than the lookup saved. Each certificate is held with its value, so no other object can take its id while it
    is remembered."""
    memo: dict[int, tuple[x509.Certificate, _T]] = {}

    def remembered(cert: x509.Certificate) -> _T:
        hit = memo.get(id(cert))
        if hit is not None:
            return hit[1]
        value = read(cert)
        if len(memo) >= size:
            memo.clear()
        memo[id(cert)] = (cert, value)
        return value

    return remembered


def entity_id_of(cert: x509.Certificate | x509.CertificateSigningRequest) -> EntityId | None:
    """The entity ID a certificate (or a device's certification request) is bound to: subject
    x500UniqueIdentifier or SAN hwModuleName."""
    for attr in cert.subject.get_attributes_for_oid(NameOID.X500_UNIQUE_IDENTIFIER):
        raw = attr.value if isinstance(attr.value, bytes) else bytes.fromhex(str(attr.value))
        # DER BIT STRING content: one unused-bits byte, then the 8 EUI bytes.
        if len(raw) == 9:
            return EntityId(raw[1:])
        if len(raw) == 8:
            return EntityId(raw)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    for name in san:
        if isinstance(name, x509.OtherName) and name.type_id == HW_MODULE_NAME:
            # SEQUENCE { hwType OID, hwSerialNum OCTET STRING (8) }: the serial is the last 8 bytes.
            if len(name.value) >= 10 and name.value[-10:-8] == b"\x04\x08":
                return EntityId(name.value[-8:])
    return None


def public_key_of(cert: x509.Certificate) -> ec.EllipticCurvePublicKey:
    """The certificate's key: GBCS and DUIS keys are P-256, so a certificate with another kind is refused."""
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise DitError(f"the certificate of {cert.subject.rfc4514_string()} carries a {type(key).__name__}, "
                       "not an elliptic-curve key", fix="GBCS and DUIS keys are P-256")
    return key


def role_of(cert: x509.Certificate) -> RemotePartyRole | None:
    """Remote party role from the subject OU: two hex digits (02, 04, 87, 89); older DSP certs wrote 137."""
    for attr in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME):
        text = str(attr.value)
        try:
            value = int(text, 16) if len(text) == 2 else int(text)
            return RemotePartyRole(value)
        except ValueError:
            return None
    return None


def usage_of(cert: x509.Certificate) -> KeyUsage | None:
    role = role_of(cert)
    if role in (RemotePartyRole.XML_SIGN, RemotePartyRole.DSP_XML_SIGN):
        return KeyUsage.XML_SIGNING
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None
    if ku.key_agreement:
        return KeyUsage.KEY_AGREEMENT
    if ku.digital_signature:
        return KeyUsage.DIGITAL_SIGNING
    return None


def key_id(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """8-byte key identifier, the length SMKI certificates use."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).digest()[:8]


def _key_usage(usage: KeyUsage) -> x509.KeyUsage:
    signing = usage in (KeyUsage.DIGITAL_SIGNING, KeyUsage.XML_SIGNING)
    return x509.KeyUsage(digital_signature=signing, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=not signing, key_cert_sign=False,
                         crl_sign=False, encipher_only=False, decipher_only=False)


def _builder(subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey,
             issuer_key: ec.EllipticCurvePrivateKey, serial: int,
             not_before: dt.datetime, not_after: dt.datetime) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(serial).not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.SubjectKeyIdentifier(key_id(public_key)), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier(key_id(issuer_key.public_key()), None, None),
                           critical=False))


def _sign(builder: x509.CertificateBuilder, issuer_key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    # Deterministic ECDSA (RFC 6979): the same SMKI seed always yields byte-identical certificates.
    return builder.sign(issuer_key, hashes.SHA256(), ecdsa_deterministic=True)


def ca_certificate(name: x509.Name, public_key: ec.EllipticCurvePublicKey, issuer: x509.Name,
                   issuer_key: ec.EllipticCurvePrivateKey, serial: int,
                   not_before: dt.datetime, not_after: dt.datetime) -> x509.Certificate:
    builder = (_builder(name, issuer, public_key, issuer_key, serial, not_before, not_after)
               .add_extension(x509.BasicConstraints(ca=True, path_length=0 if name != issuer else None),
                              critical=True)
               .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                              critical=True))
    return _sign(builder, issuer_key)


def organisation_certificate(eui: EntityId, role: RemotePartyRole, usage: KeyUsage, name: str | None,
                             public_key: ec.EllipticCurvePublicKey, issuer: x509.Name,
                             issuer_key: ec.EllipticCurvePrivateKey, serial: int,
                             not_before: dt.datetime, not_after: dt.datetime) -> x509.Certificate:
    attrs: list[x509.NameAttribute[str | bytes]] = [x509.NameAttribute(NameOID.COMMON_NAME, name)] if name else []
    attrs += [
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, role.ou),
        x509.NameAttribute(NameOID.X500_UNIQUE_IDENTIFIER, b"\x00" + bytes(eui), _type=_ASN1Type.BitString),
    ]
    builder = (_builder(x509.Name(attrs), issuer, public_key, issuer_key, serial, not_before, not_after)
               .add_extension(_key_usage(usage), critical=True)
               .add_extension(x509.CertificatePolicies([x509.PolicyInformation(ORGANISATION_POLICY, None)]),
                              critical=True))
    return _sign(builder, issuer_key)


def _device_name(eui: EntityId) -> x509.SubjectAlternativeName:
    """A device's subjectAltName: hwModuleName SEQUENCE { hwType OID, hwSerialNum OCTET STRING (the EUI-64) }."""
    hw_type = _der_oid(DEVICE_HW_TYPE.dotted_string)
    hw_module_name = b"\x30" + bytes([len(hw_type) + 10]) + hw_type + b"\x04\x08" + bytes(eui)
    return x509.SubjectAlternativeName([x509.OtherName(HW_MODULE_NAME, hw_module_name)])


def device_certificate(eui: EntityId, usage: KeyUsage, public_key: ec.EllipticCurvePublicKey,
                       issuer: x509.Name, issuer_key: ec.EllipticCurvePrivateKey, serial: int,
                       not_before: dt.datetime) -> x509.Certificate:
    builder = (_builder(x509.Name([]), issuer, public_key, issuer_key, serial, not_before, DEVICE_NOT_AFTER)
               .add_extension(_key_usage(usage), critical=True)
               .add_extension(_device_name(eui), critical=True)
               .add_extension(x509.CertificatePolicies([x509.PolicyInformation(DEVICE_POLICY, None)]),
                              critical=True))
    return _sign(builder, issuer_key)


def device_certification_request(eui: EntityId, usage: KeyUsage,
                                 key: ec.EllipticCurvePrivateKey) -> x509.CertificateSigningRequest:
    """The PKCS#10 request a device answers 6.17 (CS02c) with for its new key pair, as the RTDS device writes
    it: an empty subject, and as requested extensions the key usage and the device's hwModuleName (both
    critical), signed with the new key."""
    builder = (x509.CertificateSigningRequestBuilder().subject_name(x509.Name([]))
               .add_extension(_key_usage(usage), critical=True)
               .add_extension(_device_name(eui), critical=True))
    return builder.sign(key, hashes.SHA256(), ecdsa_deterministic=True)


def requested_key(request: bytes, eui: EntityId, usage: KeyUsage) -> ec.EllipticCurvePublicKey:
    """The public key a device's certification request (DER) asks SMKI to certify, once the request is
    shown to be signed with that key, to name the device and to ask for that key usage; ValueError says
    which does not hold."""
    csr = x509.load_der_x509_csr(request)
    if not csr.is_signature_valid:
        raise ValueError("the certification request is not signed with the key it asks to certify")
    named = entity_id_of(csr)
    if named != eui:
        raise ValueError(f"the certification request names device {named}, not {eui}")
    try:
        asked = csr.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        raise ValueError("the certification request asks for no key usage") from None
    if asked != _key_usage(usage):
        raise ValueError(f"the certification request is not for a {usage.name.lower().replace('_', ' ')} key")
    public_key = csr.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or public_key.curve.name != "secp256r1":
        raise ValueError("the certification request's key is not a P-256 key")
    return public_key


def _der_oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray([40 * parts[0] + parts[1]])
    for value in parts[2:]:
        chunk = [value & 0x7F]
        value >>= 7
        while value:
            chunk.append(0x80 | (value & 0x7F))
            value >>= 7
        body.extend(reversed(chunk))
    return bytes([0x06, len(body)]) + bytes(body)
