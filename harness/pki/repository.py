"""The SMKI repository a lab shares: where the DCC and the Users find each party's current certificates.

After a device rekey (6.17 -> SMKI -> 6.15.2) the device uses a new key; SMKI issues the certificate
when the User asks ("Retrieve Certificate From SMKI") and it becomes the device's certificate in use
once 6.15.2 succeeds. One repository per lab run, over the test SMKI.

`Smki` is what a lab needs of any SMKI: this repository is the emulated lab's, a real lab's is its adapter to
the lab's SMKI (harness.lab.real.SmkiService).
"""

from __future__ import annotations

from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from harness.errors import DitError
from harness.eui import EntityId
from harness.pki.certificates import KeyUsage, entity_id_of, public_key_of, requested_key, usage_of
from harness.pki.keystore import Credential, Keystore
from harness.pki.smki import SMKI

# The organisation keys a supplier renews with the SMKI and places in its devices' trust anchor cells (6.15.1).
ORGANISATION_USAGES = (KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT, KeyUsage.PREPAYMENT_KEY_AGREEMENT)


class Smki(Protocol):
    """An SMKI as a lab's scenarios use it: where each party's certificates in use are, the device certificates
    it issued for a rekey, and the renewal of a party's organisation certificates."""

    @property
    def keystore(self) -> Keystore:
        """The certificates each party uses now (6.15.2 and a renewal put new ones here)."""

    @property
    def issued(self) -> list[x509.Certificate]:
        """The device certificates it issued, in order."""

    @property
    def organisation_ca_certificate(self) -> x509.Certificate: ...

    def certify_request(self, device: EntityId, usage: KeyUsage, request: bytes) -> x509.Certificate: ...

    def renew_organisation(self, party: EntityId) -> dict[KeyUsage, Credential]: ...

    def renewed(self, party: EntityId) -> dict[KeyUsage, Credential]:
        """A party's renewed organisation credentials not yet in use (empty when it renewed none)."""

    def put_organisation_in_use(self, party: EntityId) -> None: ...


class SmkiRepository:
    def __init__(self, smki: SMKI):
        self.smki = smki
        self.keystore: Keystore = smki.keystore.copy()
        self.issued: list[x509.Certificate] = []
        self.pending: dict[EntityId, dict[KeyUsage, Credential]] = {}
        self._renewals: dict[EntityId, int] = {}

    def issue_device_certificate(self, device: EntityId, usage: KeyUsage,
                                 public_key: ec.EllipticCurvePublicKey) -> x509.Certificate:
        """What SMKI returns for a device's certificate signing request."""
        if usage not in (KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT):
            raise DitError(f"devices hold DS and KA certificates, not {usage.value}")
        cert = self.smki.device_certificate(EntityId(device), usage, public_key)
        self.issued.append(cert)
        return cert

    def certify_request(self, device: EntityId, usage: KeyUsage, request: bytes) -> x509.Certificate:
        """What SMKI returns for a device's certification request (PKCS#10 DER, the 6.17 response): the
        certificate of the key the request is signed with, once the request holds (`requested_key`)."""
        try:
            public_key = requested_key(request, EntityId(device), usage)
        except ValueError as exc:
            raise DitError(f"SMKI refuses the certification request: {exc}") from None
        return self.issue_device_certificate(device, usage, public_key)

    def put_in_use(self, cert: x509.Certificate) -> None:
        """The device confirmed it now uses this certificate's key (6.15.2 succeeded)."""
        eui, usage = entity_id_of(cert), usage_of(cert)
        if eui is None or usage is None or cert not in self.issued:
            raise DitError("only a certificate this repository issued can be put in use")
        self.keystore.replace(Credential(eui, usage, public_key_of(cert), cert))

    def renew_organisation(self, party: EntityId) -> dict[KeyUsage, Credential]:
        """New organisation certificates (and keys) for a party, not yet in use: the party first places
        them on its devices (6.15.1) with its current key, then starts using them."""
        self._renewals[party] = self._renewals.get(party, 0) + 1
        usages = [u for u in ORGANISATION_USAGES if self.keystore.find(party, u) is not None]
        self.pending[party] = {u: self.smki.renewed_organisation_credential(party, u, self._renewals[party])
                               for u in usages}
        return self.pending[party]

    def renewed(self, party: EntityId) -> dict[KeyUsage, Credential]:
        return self.pending.get(party, {})

    def put_organisation_in_use(self, party: EntityId) -> None:
        for credential in self.pending.pop(party, {}).values():
            self.keystore.replace(credential)

    @property
    def organisation_ca_certificate(self) -> x509.Certificate:
        """The certification path a party's replacement certificates go with (6.21, 6.15.1, 6.23)."""
        return self.smki.organisation_ca_certificate

    def public_key(self, party: EntityId, usage: KeyUsage) -> ec.EllipticCurvePublicKey:
        return self.keystore.public_key(party, usage)
