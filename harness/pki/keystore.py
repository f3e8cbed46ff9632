"""Keystores: a directory of PEM/DER certificates and private keys, looked up as GBCS and DUIS need.

Layout (DESIGN section 5, the layout of the public GBCS test keystore):
  <16 hex EUI>-ds.pem / -ka.pem / -pp-ka.pem   certificates, found by entity ID and usage (GBCS)
  <16 hex EUI>-ds.key / -ka.key / -pp-ka.key   PKCS#8 private keys (PEM or DER)
  <16 hex EUI>-ds.<tag>.pem ...                one more certificate of that party and usage (a run's
                                               report keeps every key a device had: `write`)
  any other *.pem / *.key                      indexed by content: XMLDSig looks certificates up by
                                               issuer and serial number among all of them
A party may have several certificates of one usage: `find` gives the one in use, `candidates` all of
them, so a message verifies with the key its originator had when it was sent.
Private keys are held in memory only; nothing here prints or logs them, and `write` only writes those
its caller leaves on the credentials.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes

from harness.errors import DitError
from harness.eui import EntityId
from harness.pki.certificates import KeyUsage, entity_id_of, public_key_of, usage_of

_GBCS_NAME = re.compile(r"^([0-9a-fA-F]{16})-(ds|ka|pp-ka)(\.[0-9A-Za-z_-]+)?\.(pem|key)$")

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


@lru_cache(maxsize=1024)            # every signed DUIS document names its signer's issuer: parse each name once
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
        self._all_of_party: dict[tuple[EntityId, KeyUsage], list[Credential]] = {}
        self._by_issuer_serial: dict[tuple[frozenset, int], Credential] = {}
        self._by_point: dict[bytes, list[Credential]] = {}
        self._orphan_keys: dict[bytes, ec.EllipticCurvePrivateKey] = {}
        self.sources: list[Path] = []

    # -- building -------------------------------------------------------------------------------

    @classmethod
    def load(cls, *directories: str | Path) -> Keystore:
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
        cred = Credential(eui or entity_id_of(cert), usage or usage_of(cert), public_key_of(cert), cert, path,
                          private_key)
        self._by_issuer_serial.setdefault((issuer_key(cert.issuer), cert.serial_number), cred)
        return self._add(cred)

    def _add(self, cred: Credential) -> Credential:
        point = _point(cred.public_key)
        cred.private_key = cred.private_key or self._orphan_keys.get(point)
        if cred.eui is not None and cred.usage is not None:
            # <eui>-ds.pem is the party's key in use; a tagged one (<eui>-ds.<tag>.pem) is one more it had.
            m = _GBCS_NAME.match(cred.path.name) if cred.path is not None else None
            named = m is not None and m.group(3) is None
            if named or (cred.eui, cred.usage) not in self._by_party:
                self._by_party[(cred.eui, cred.usage)] = cred
            self._all_of_party.setdefault((cred.eui, cred.usage), []).append(cred)
        self._by_point.setdefault(point, []).append(cred)
        return cred

    def add_private_key(self, key: ec.EllipticCurvePrivateKey) -> None:
        point = _point(key.public_key())
        creds = self._by_point.get(point)
        if not creds:
            self._orphan_keys[point] = key
        for cred in creds or ():
            cred.private_key = key

    def copy(self) -> Keystore:
        """An independent view: additions to the copy do not show in the original (one per lab run)."""
        other = Keystore()
        other._by_party = dict(self._by_party)
        other._all_of_party = {k: list(v) for k, v in self._all_of_party.items()}
        other._by_issuer_serial = dict(self._by_issuer_serial)
        other._by_point = {k: list(v) for k, v in self._by_point.items()}
        other._orphan_keys = dict(self._orphan_keys)
        other.sources = list(self.sources)
        return other

    def replace(self, cred: Credential) -> None:
        """Make this the credential of its party and usage (a device's new certificate after a rekey)."""
        if cred.eui is None or cred.usage is None:
            raise DitError("a credential that names no party and usage cannot replace a party's credential")
        self._by_party[(cred.eui, cred.usage)] = cred
        self._all_of_party.setdefault((cred.eui, cred.usage), []).append(cred)   # the old one still verifies
        if cred.certificate is not None:
            self._by_issuer_serial[(issuer_key(cred.certificate.issuer), cred.certificate.serial_number)] = cred

    # -- lookups --------------------------------------------------------------------------------

    def find(self, eui: EntityId | str, usage: KeyUsage) -> Credential | None:
        return self._by_party.get((EntityId(eui), KeyUsage(usage)))

    def candidates(self, eui: EntityId | str, usage: KeyUsage) -> list[Credential]:
        """Every key of a party and usage, the one in use first: evidence from before a rekey verifies with
        the key of its time."""
        party = (EntityId(eui), KeyUsage(usage))
        found = [self._by_party[party]] if party in self._by_party else []
        for cred in self._all_of_party.get(party, ()):
            if all(_point(cred.public_key) != _point(c.public_key) for c in found):
                found.append(cred)
        return found

    def credential(self, eui: EntityId | str, usage: KeyUsage, *, private: bool = False) -> Credential:
        cred = self.find(eui, usage)
        if cred is None:
            raise KeyNotFound(f"no {KeyUsage(usage).value.upper()} certificate for {EntityId(eui)}",
                              where=self._where(), fix=f"add <eui>-{KeyUsage(usage).value}.pem to the keystore")
        if private and cred.private_key is None:
            raise KeyNotFound(f"no {KeyUsage(usage).value.upper()} private key for {EntityId(eui)}",
                              where=self._where(), fix=f"add <eui>-{KeyUsage(usage).value}.key to the keystore")
        return cred

    def public_key(self, eui: EntityId | str, usage: KeyUsage) -> ec.EllipticCurvePublicKey:
        return self.credential(eui, usage).public_key

    def private_key(self, eui: EntityId | str, usage: KeyUsage) -> ec.EllipticCurvePrivateKey:
        key = self.credential(eui, usage, private=True).private_key
        assert key is not None
        return key

    def certificate(self, eui: EntityId | str, usage: KeyUsage) -> x509.Certificate:
        cert = self.credential(eui, usage).certificate
        if cert is None:            # a bare public key file, named <eui>-<usage>.pem
            raise KeyNotFound(f"only a public key, no {KeyUsage(usage).value.upper()} certificate, for "
                              f"{EntityId(eui)}", where=self._where(), fix="add the certificate to the keystore")
        return cert

    def by_issuer_serial(self, issuer: str | x509.Name, serial: int) -> Credential | None:
        return self._by_issuer_serial.get((issuer_key(issuer), serial))

    def __contains__(self, party: tuple[EntityId | str, KeyUsage]) -> bool:
        return self.find(*party) is not None

    def credentials(self) -> list[Credential]:
        return list(self._by_party.values())

    def certificates(self) -> list[Credential]:
        """Every certificate held, CAs' and those a rekey or renewal replaced included."""
        return list(self._by_issuer_serial.values())

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


def credential_of(cert: x509.Certificate) -> Credential:
    """A certificate as a credential of the party and usage it names."""
    return Credential(entity_id_of(cert), usage_of(cert), public_key_of(cert), cert)


def write(directory: str | Path, credentials: Iterable[Credential]) -> None:
    """Add certificates to a keystore directory, each once, named <eui>-<usage>.<fingerprint>.pem (by
    fingerprint alone when it names no party), so several keys of one party and usage live side by side.
    A private key is written beside its certificate only when the credential still carries it: the
    caller decides which (a lab's test keys, never a real lab's)."""
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    # Each file's name looked for as a text: a lab's run asks this of every key after every scenario, and pathlib
    # interns each part of a path it makes (the interned texts' table grows with how many came and went)
    folder = str(path)
    for cred in credentials:
        if cred.certificate is None:
            continue
        der = cred.certificate.public_bytes(serialization.Encoding.DER)
        tag = hashlib.sha256(der).hexdigest()[:16]
        stem = os.path.join(folder, f"{cred.eui.file_stem}-{cred.usage.value}.{tag}" if cred.eui and cred.usage
                            else tag)
        if cred.private_key is not None and not os.path.exists(f"{stem}.key"):     # before its certificate
            write_file(Path(f"{stem}.key"), pkcs8(cred.private_key), private=True)
        if not os.path.exists(f"{stem}.pem"):
            write_file(Path(f"{stem}.pem"), cred.certificate.public_bytes(serialization.Encoding.PEM))


def pkcs8(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def write_file(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write a keystore file. Private keys are created owner-only from the start, never chmod-ed after being
    written. Written aside and renamed into place: several processes (xdist workers) may write the same
    file at once, and none may read a half-written one (they all write the same bytes)."""
    aside = path.with_name(f".{path.name}.{os.getpid()}.partial")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(aside, path)


def _read(file: Path) -> x509.Certificate | ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey:
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise DitError(f"cannot read keystore file: {exc.strerror}", where=str(file)) from None
    key: PublicKeyTypes | PrivateKeyTypes
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
