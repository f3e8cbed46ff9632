"""A local test SMKI: root, organisation and device CAs, organisation and device certificates.

Generated on first use into a keystore directory and reused after. Keys and certificate serials are
derived from a seed (HMAC-SHA256) and certificates are signed with deterministic ECDSA, so the same
seed gives the same SMKI on every machine. These are test keys: they must never protect anything real.

The organisations reuse the entity IDs of the public ZAZ1 test PKI (the DCC at 90-B3-D5-1F-30-00-00-02,
the template supplier at 90-B3-D5-1F-30-01-00-00, ...) so that DUIS written for DCC Boxed reads the
same against the emulated lab, but their keys are this SMKI's own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from harness.catalogue import DeviceType, RemotePartyRole
from harness.errors import DitError
from harness.eui import DCC_ACCESS_CONTROL_BROKER, EntityId
from harness.pki import certificates as profile
from harness.pki.certificates import KeyUsage
from harness.pki.keystore import Credential, Keystore, pkcs8, write_file

_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_UTC = dt.UTC
ORG_NOT_BEFORE = dt.datetime(2025, 1, 1, tzinfo=_UTC)
ORG_NOT_AFTER = dt.datetime(2034, 12, 31, 23, 59, 59, tzinfo=_UTC)   # organisation certs: <= 10 years
DEVICE_NOT_BEFORE = dt.datetime(2016, 1, 1, tzinfo=_UTC)
DEFAULT_SEED = b"dit-test-smki-v1"
ENV_VAR = "DIT_SMKI"


def default_directory() -> Path:
    """Where the test SMKI lives unless told otherwise: $DIT_SMKI, else .dit/smki in the working directory."""
    return Path(os.environ.get(ENV_VAR) or Path(".dit", "smki"))

DS, KA, PP_KA, XML = (KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT,
                      KeyUsage.PREPAYMENT_KEY_AGREEMENT, KeyUsage.XML_SIGNING)


@dataclass(frozen=True)
class Organisation:
    eui: EntityId
    role: RemotePartyRole
    name: str
    usages: tuple[KeyUsage, ...]

    @property
    def xml_role(self) -> RemotePartyRole:
        """XML-signing certificates: OU=89 for the DSP, OU=87 for every User."""
        return (RemotePartyRole.DSP_XML_SIGN if self.eui == DCC_ACCESS_CONTROL_BROKER
                else RemotePartyRole.XML_SIGN)


ORGANISATIONS: tuple[Organisation, ...] = (
    Organisation(EntityId("90-B3-D5-1F-30-00-00-01"), RemotePartyRole.RECOVERY, "DIT RECOVERY", (DS,)),
    Organisation(DCC_ACCESS_CONTROL_BROKER, RemotePartyRole.ACCESS_CONTROL_BROKER, "DIT DCC ACB", (DS, KA, XML)),
    Organisation(EntityId("90-B3-D5-1F-30-00-00-04"), RemotePartyRole.TRANSITIONAL_COS, "DIT DCC TRANSCOS", (DS,)),
    Organisation(EntityId("90-B3-D5-1F-30-00-00-07"), RemotePartyRole.WAN_PROVIDER, "DIT WAN PROVIDER", (DS, KA)),
    Organisation(EntityId("90-B3-D5-1F-30-01-00-00"), RemotePartyRole.SUPPLIER, "DIT SUPPLIER A", (DS, KA, PP_KA, XML)),
    Organisation(EntityId("90-B3-D5-1F-30-03-00-00"), RemotePartyRole.SUPPLIER, "DIT SUPPLIER B", (DS, KA, PP_KA, XML)),
    Organisation(EntityId("90-B3-D5-1F-30-02-00-00"), RemotePartyRole.NETWORK_OPERATOR, "DIT ELEC NETWORK OPERATOR",
                 (DS, KA, XML)),
    Organisation(EntityId("90-B3-D5-1F-30-04-00-00"), RemotePartyRole.NETWORK_OPERATOR, "DIT GAS NETWORK OPERATOR",
                 (DS, KA, XML)),
    Organisation(EntityId("00-DB-12-34-56-78-00-04"), RemotePartyRole.OTHER, "DIT OTHER USER", (DS, KA, XML)),
)

# Devices of the template/RTDS numbering (A0 ESME ... A5 HCALCS), plus the Communications Hub that
# replaces A2/A3 in CH replacement (B2 CHF, B3 GPF): enough for every SR the DIT plan uses; labs add
# their own with SMKI.ensure_device().
DEFAULT_DEVICES: tuple[tuple[EntityId, DeviceType], ...] = (
    (EntityId("00-DB-12-34-56-78-90-A0"), DeviceType.ESME),
    (EntityId("00-DB-12-34-56-78-90-A1"), DeviceType.GSME),
    (EntityId("00-DB-12-34-56-78-90-A2"), DeviceType.CHF),
    (EntityId("00-DB-12-34-56-78-90-A3"), DeviceType.GPF),
    (EntityId("00-DB-12-34-56-78-90-A4"), DeviceType.PPMID),
    (EntityId("00-DB-12-34-56-78-90-A5"), DeviceType.HCALCS),
    (EntityId("00-DB-12-34-56-78-90-B2"), DeviceType.CHF),
    (EntityId("00-DB-12-34-56-78-90-B3"), DeviceType.GPF),
)

_ROOT_NAME = x509.Name([x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "00"),
                        x509.NameAttribute(NameOID.COMMON_NAME, "DITROOT")])
_ORG_CA_NAME = x509.Name([x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "07"),
                          x509.NameAttribute(NameOID.COMMON_NAME, "DITOCA")])
_DEVICE_CA_NAME = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "DITDCA")])
_CA_FILES = {"root": _ROOT_NAME, "org-ca": _ORG_CA_NAME, "device-ca": _DEVICE_CA_NAME}


def derive_private_key(seed: bytes, label: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 key determined by seed and label: test keys only, reproducible on every machine."""
    value = int.from_bytes(hmac.new(seed, b"key:" + label.encode(), hashlib.sha256).digest(), "big")
    return ec.derive_private_key(value % (_P256_ORDER - 1) + 1, ec.SECP256R1())


class SMKI:
    """The test SMKI: CAs that issue certificates, and the keystore that holds what they issued."""

    def __init__(self, directory: Path, seed: bytes, keystore: Keystore,
                 ca: dict[str, tuple[x509.Certificate, ec.EllipticCurvePrivateKey]]):
        self.directory = directory
        self.seed = seed
        self.keystore = keystore
        self._ca = ca

    @classmethod
    def open(cls, directory: str | Path, *, seed: bytes = DEFAULT_SEED,
             devices: tuple[tuple[EntityId, DeviceType], ...] = DEFAULT_DEVICES) -> SMKI:
        """Load the SMKI in `directory`, generating whatever is missing (first use creates all of it)."""
        path = Path(directory)
        try:
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise DitError(f"cannot create the SMKI keystore: {exc.strerror}", where=str(path)) from None
        ca: dict[str, tuple[x509.Certificate, ec.EllipticCurvePrivateKey]] = {}
        for label, name in _CA_FILES.items():
            ca[label] = cls._ca_pair(path, seed, label, name, ca.get("root"))
        smki = cls(path, seed, Keystore.load(path), ca)
        for org in ORGANISATIONS:
            for usage in org.usages:
                if smki.keystore.find(org.eui, usage) is None:
                    smki._issue_organisation(org, usage)
        for eui, device_type in devices:
            smki.ensure_device(eui, device_type)
        return smki

    # -- derivation -----------------------------------------------------------------------------

    @staticmethod
    def _derive_key(seed: bytes, label: str) -> ec.EllipticCurvePrivateKey:
        return derive_private_key(seed, label)

    @staticmethod
    def _derive_serial(seed: bytes, label: str) -> int:
        # Positive and at most 127 bits, as RFC 5280 requires of serial numbers.
        return int.from_bytes(hmac.new(seed, b"serial:" + label.encode(), hashlib.sha256).digest()[:16], "big") >> 1

    # -- CAs ------------------------------------------------------------------------------------

    @classmethod
    def _ca_pair(cls, path: Path, seed: bytes, label: str, name: x509.Name,
                 root: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None):
        cert_file, key_file = path / f"{label}.pem", path / f"{label}.key"
        key = cls._derive_key(seed, label)
        if cert_file.exists():
            return x509.load_pem_x509_certificate(cert_file.read_bytes()), key
        issuer, issuer_key = (name, key) if root is None else (root[0].subject, root[1])
        cert = profile.ca_certificate(name, key.public_key(), issuer, issuer_key, cls._derive_serial(seed, label),
                                      dt.datetime(2015, 1, 1, tzinfo=_UTC),
                                      dt.datetime(2040, 12, 31, 23, 59, 59, tzinfo=_UTC))
        write_file(key_file, pkcs8(key), private=True)
        write_file(cert_file, cert.public_bytes(serialization.Encoding.PEM))
        return cert, key

    @property
    def root_certificate(self) -> x509.Certificate:
        return self._ca["root"][0]

    @property
    def organisation_ca_certificate(self) -> x509.Certificate:
        return self._ca["org-ca"][0]

    # -- issuing --------------------------------------------------------------------------------

    def _store(self, eui: EntityId, usage: KeyUsage, cert: x509.Certificate,
               key: ec.EllipticCurvePrivateKey | None) -> Credential:
        stem = f"{eui.file_stem}-{usage.value}"
        # The key first: another process (an xdist worker, a run beside the tests) that sees the certificate
        # must find its key too, or it would load a credential without one and never issue it again.
        if key is not None:
            write_file(self.directory / f"{stem}.key", pkcs8(key), private=True)
        write_file(self.directory / f"{stem}.pem", cert.public_bytes(serialization.Encoding.PEM))
        return self.keystore.add_certificate(cert, eui=eui, usage=usage,
                                             path=self.directory / f"{stem}.pem", private_key=key)

    def _issue_organisation(self, org: Organisation, usage: KeyUsage) -> Credential:
        label = f"org:{org.eui.file_stem}:{usage.value}"
        key = self._derive_key(self.seed, label)
        role = org.xml_role if usage is XML else org.role
        ca_cert, ca_key = self._ca["org-ca"]
        cert = profile.organisation_certificate(org.eui, role, usage, org.name, key.public_key(), ca_cert.subject,
                                                ca_key, self._derive_serial(self.seed, label),
                                                ORG_NOT_BEFORE, ORG_NOT_AFTER)
        return self._store(org.eui, usage, cert, key)

    def renewed_organisation_credential(self, eui: EntityId, usage: KeyUsage, generation: int) -> Credential:
        """A replacement organisation certificate with a new key (kept in memory: the renewal belongs to
        the lab run that asked for it, not to the SMKI on disk)."""
        org = self.organisation(eui)
        label = f"org:{org.eui.file_stem}:{usage.value}:renewal:{generation}"
        key = self._derive_key(self.seed, label)
        ca_cert, ca_key = self._ca["org-ca"]
        cert = profile.organisation_certificate(org.eui, org.role, usage, org.name, key.public_key(), ca_cert.subject,
                                                ca_key, self._derive_serial(self.seed, label),
                                                ORG_NOT_BEFORE, ORG_NOT_AFTER)
        return Credential(org.eui, usage, key.public_key(), cert, private_key=key)

    def ensure_device(self, eui: EntityId | str, device_type: DeviceType | str) -> None:
        """Give a device its DS and KA key pairs and certificates, unless it has them (IHDs have none)."""
        eui, device_type = EntityId(eui), DeviceType(device_type)
        if not device_type.holds_certificates:
            return
        for usage in (DS, KA):
            if self.keystore.find(eui, usage) is None:
                key = self._derive_key(self.seed, f"device:{eui.file_stem}:{usage.value}")
                self._store(eui, usage, self.device_certificate(eui, usage, key.public_key()), key)

    def device_certificate(self, eui: EntityId, usage: KeyUsage,
                           public_key: ec.EllipticCurvePublicKey) -> x509.Certificate:
        """Issue a device certificate for a public key (the SMKI step between 6.17 and 6.15.2)."""
        point = public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
        serial = self._derive_serial(self.seed, f"device:{eui.file_stem}:{usage.value}:{point.hex()}")
        ca_cert, ca_key = self._ca["device-ca"]
        return profile.device_certificate(eui, usage, public_key, ca_cert.subject, ca_key, serial,
                                          DEVICE_NOT_BEFORE)

    def organisation(self, eui: EntityId | str) -> Organisation:
        eui = EntityId(eui)
        for org in ORGANISATIONS:
            if org.eui == eui:
                return org
        raise DitError(f"{eui} is not an organisation of the test SMKI")
