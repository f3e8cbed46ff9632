"""Keystores: a directory of PEM/DER certificates and private keys, looked up as GBCS and DUIS need.

Layout (DESIGN section 5, the layout of the public GBCS test keystore):
  <16 hex EUI>-ds.pem / -ka.pem / -pp-ka.pem   certificates, found by entity ID and usage (GBCS)
  <16 hex EUI>-ds.key / -ka.key / -pp-ka.key   PKCS#8 private keys (PEM or DER)
  any other *.pem / *.key                      indexed by content: XMLDSig looks certificates up by
                                               issuer and serial number among all of them
Private keys are held in memory only; nothing here prints or logs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from harness.errors import DitError
from harness.eui import EntityId
from harness.pki.certificates import KeyUsage, entity_id_of, usage_of

_GBCS_NAME = re.compile(r"^([0-9a-fA-F]{16})-(ds|ka|pp-ka)\.(pem|key)$")

# Attribute type names that appear in X509IssuerName strings (RFC 4514 keywords).
_NAME_KEYWORDS = {"CN": "2.5.4.3", "OU": "2.5.4.11", "O": "2.5.4.10", "C": "2.5.4.6", "L": "2.5.4.7",
                  "ST": "2.5.4.8", "SERIALNUMBER": "2.5.4.5", "X500UNIQUEIDENTIFIER": "2.5.4.45"}


class KeyNotFound(DitError):
    """The keystore has no certificate or private key for what was asked."""


@dataclass
class Credential:
    """A public key (normally in a certificate) and, when the keystore holds it, its private key."""

    eui: EntityId | None
    usage: KeyUsage | None
    public_key: ec.EllipticCurvePublicKey
    certificate: x509.Certificate | None = None
    path: Path | None = None
    private_key: ec.EllipticCurvePrivateKey | None = field(default=None, repr=False)


def _point(public_key: ec.EllipticCurvePublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def issuer_key(name: str | x509.Name) -> frozenset[tuple[str, str]]:
    """Order- and whitespace-insensitive form of a distinguished name ('CN=Z1,OU=07' == 'OU=07, CN=Z1')."""
    if isinstance(name, x509.Name):
        return frozenset((a.oid.dotted_string, a.value if isinstance(a.value, str) else a.value.hex())
                         for a in name)
    pairs = []
    for part in re.split(r"(?<!\\),", name):
        if "=" not in part:
            raise DitError(f"not a distinguished name: {name!r}", fix="write it as CN=Z1,OU=07")
        key, value = part.split("=", 1)
        key = key.strip().upper()
        pairs.append((_NAME_KEYWORDS.get(key, key), value.strip().replace("\\,", ",")))
    return frozenset(pairs)


class Keystore:
    """Certificates and private keys of organisations and devices, indexed for GBCS and XMLDSig."""

    def __init__(self) -> None:
        self._by_party: dict[tuple[EntityId, KeyUsage], Credential] = {}
        self._by_issuer_serial: dict[tuple[frozenset, int], Credential] = {}
        self._by_point: dict[bytes, list[Credential]] = {}
        self._orphan_keys: dict[bytes, ec.EllipticCurvePrivateKey] = {}
        self.sources: list[Path] = []

    # -- building -------------------------------------------------------------------------------

    @classmethod
    def load(cls, *directories: str | Path) -> "Keystore":
        store = cls()
        for directory in directories:
            store.add_directory(directory)
        return store

    def add_directory(self, directory: str | Path) -> None:
        path = Path(directory)
        if not path.is_dir():
            raise DitError("keystore directory not found", where=str(path),
                           fix="give a directory of <eui>-ds.pem / <eui>-ka.pem certificates and keys")
        keys: list[ec.EllipticCurvePrivateKey] = []
        for file in sorted(path.iterdir()):
            if not file.is_file() or file.suffix.lower() not in (".pem", ".key", ".crt", ".der"):
                continue
            loaded = _read(file)
            m = _GBCS_NAME.match(file.name)
            eui = EntityId(m.group(1)) if m else None
            usage = KeyUsage(m.group(2)) if m else None
            if isinstance(loaded, x509.Certificate):
                self.add_certificate(loaded, eui=eui, usage=usage, path=file)
            elif isinstance(loaded, ec.EllipticCurvePublicKey):
                if eui is not None:   # a bare public key is only useful under a GBCS name
                    self._add(Credential(eui, usage, loaded, path=file))
            else:
                keys.append(loaded)
        for key in keys:       # after the certificates, so each key finds its certificate
            self.add_private_key(key)
        self.sources.append(path)

    def add_certificate(self, cert: x509.Certificate, *, eui: EntityId | None = None,
                        usage: KeyUsage | None = None, path: Path | None = None,
                        private_key: ec.EllipticCurvePrivateKey | None = None) -> Credential:
        """Index a certificate; named ones (from file names) win over ones identified by content."""
        cred = Credential(eui or entity_id_of(cert), usage or usage_of(cert), cert.public_key(), cert, path,
                          private_key)
        self._by_issuer_serial.setdefault((issuer_key(cert.issuer), cert.serial_number), cred)
        return self._add(cred)

    def _add(self, cred: Credential) -> Credential:
        point = _point(cred.public_key)
        cred.private_key = cred.private_key or self._orphan_keys.get(point)
        if cred.eui is not None and cred.usage is not None:
            named = cred.path is not None and _GBCS_NAME.match(cred.path.name) is not None
            if named or (cred.eui, cred.usage) not in self._by_party:
                self._by_party[(cred.eui, cred.usage)] = cred
        self._by_point.setdefault(point, []).append(cred)
        return cred

    def add_private_key(self, key: ec.EllipticCurvePrivateKey) -> None:
        point = _point(key.public_key())
        creds = self._by_point.get(point)
        if not creds:
            self._orphan_keys[point] = key
        for cred in creds or ():
            cred.private_key = key

    def copy(self) -> "Keystore":
        """An independent view: additions to the copy do not show in the original (one per lab run)."""
        other = Keystore()
        other._by_party = dict(self._by_party)
        other._by_issuer_serial = dict(self._by_issuer_serial)
        other._by_point = {k: list(v) for k, v in self._by_point.items()}
        other._orphan_keys = dict(self._orphan_keys)
        other.sources = list(self.sources)
        return other

    def replace(self, cred: Credential) -> None:
        """Make this the credential of its party and usage (a device's new certificate after a rekey)."""
        self._by_party[(cred.eui, cred.usage)] = cred
        if cred.certificate is not None:
            self._by_issuer_serial[(issuer_key(cred.certificate.issuer), cred.certificate.serial_number)] = cred

    # -- lookups --------------------------------------------------------------------------------

    def find(self, eui: EntityId | str, usage: KeyUsage) -> Credential | None:
        return self._by_party.get((EntityId(eui), KeyUsage(usage)))

    def credential(self, eui: EntityId | str, usage: KeyUsage, *, private: bool = False) -> Credential:
        cred = self.find(eui, usage)
        if cred is None:
            raise KeyNotFound(f"no {KeyUsage(usage).value.upper()} certificate for {EntityId(eui)}",
                              where=self._where(), fix="add <eui>-%s.pem to the keystore" % KeyUsage(usage).value)
        if private and cred.private_key is None:
            raise KeyNotFound(f"no {KeyUsage(usage).value.upper()} private key for {EntityId(eui)}",
                              where=self._where(), fix="add <eui>-%s.key to the keystore" % KeyUsage(usage).value)
        return cred

    def public_key(self, eui: EntityId | str, usage: KeyUsage) -> ec.EllipticCurvePublicKey:
        return self.credential(eui, usage).public_key

    def private_key(self, eui: EntityId | str, usage: KeyUsage) -> ec.EllipticCurvePrivateKey:
        key = self.credential(eui, usage, private=True).private_key
        assert key is not None
        return key

    def by_issuer_serial(self, issuer: str | x509.Name, serial: int) -> Credential | None:
        return self._by_issuer_serial.get((issuer_key(issuer), serial))

    def __contains__(self, party: tuple[EntityId | str, KeyUsage]) -> bool:
        return self.find(*party) is not None

    def credentials(self) -> list[Credential]:
        return list(self._by_party.values())

    def issuer_of(self, cert: x509.Certificate) -> x509.Certificate | None:
        """The CA certificate in this keystore that issued `cert` (CAs are held by content, not by party)."""
        for creds in self._by_point.values():
            for cred in creds:
                if cred.certificate is not None and cred.certificate.subject == cert.issuer:
                    return cred.certificate
        return None

    def _where(self) -> str:
        return ", ".join(str(p) for p in self.sources) or "keystore"

    def __len__(self) -> int:
        return len(self._by_issuer_serial)

    def __repr__(self) -> str:
        return f"Keystore({len(self)} certificates from {self._where()})"


def _read(file: Path) -> x509.Certificate | ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey:
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise DitError(f"cannot read keystore file: {exc.strerror}", where=str(file)) from None
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificate(data)
        if b"-----BEGIN PUBLIC KEY-----" in data:
            key = serialization.load_pem_public_key(data)
        elif b"PRIVATE KEY-----" in data:
            key = serialization.load_pem_private_key(data, password=None)
        else:
            try:
                return x509.load_der_x509_certificate(data)
            except ValueError:
                key = serialization.load_der_private_key(data, password=None)
    except (ValueError, TypeError):
        raise DitError("not a readable certificate or unencrypted private key", where=str(file),
                       fix="keystore files are PEM or DER X.509 certificates and PKCS#8 keys") from None
    if not isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        raise DitError("key is not an elliptic-curve key", where=str(file),
                       fix="GBCS and DUIS keys are P-256")
    return key
