"""Trust anchor cells: which remote party a device believes in, for what.

A device holds one cell per (remote party role, key usage); each names an entity ID and holds its
public key (and certificate). Devices used in DIT are "configured as new": the Supplier and Network
Operator cells hold the Access Control Broker's certificates until 6.21 hands them over
(gbcs_security.md section 4). IHDs hold no cells.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes

from harness.catalogue import DeviceType, RemotePartyRole
from harness.eui import EntityId
from harness.pki import Keystore, KeyUsage, entity_id_of, role_of

DS, KA, PP_KA = KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT, KeyUsage.PREPAYMENT_KEY_AGREEMENT
R = RemotePartyRole


@dataclass
class TrustAnchorCell:
    role: RemotePartyRole
    usage: KeyUsage
    entity_id: EntityId
    public_key: ec.EllipticCurvePublicKey
    certificate: x509.Certificate | None = None
    floor_sequence_number: int = 0

    def __repr__(self) -> str:
        return f"TrustAnchorCell({self.role.name} {self.usage.value}: {self.entity_id})"


# Cells per device type. GPF: no prepayment KA (DIT: "Prepayment KAK certificate is not required for the
# Gas Proxy Function"); CHF: the DCC's and WAN provider's only; PPMID and HCALCS: supplier and DCC.
_CELLS = {
    DeviceType.ESME: [(R.ROOT, DS), (R.RECOVERY, DS), (R.SUPPLIER, DS), (R.SUPPLIER, KA), (R.SUPPLIER, PP_KA),
                      (R.NETWORK_OPERATOR, DS), (R.NETWORK_OPERATOR, KA), (R.ACCESS_CONTROL_BROKER, DS),
                      (R.ACCESS_CONTROL_BROKER, KA), (R.WAN_PROVIDER, DS), (R.TRANSITIONAL_COS, DS)],
    DeviceType.GPF: [(R.ROOT, DS), (R.RECOVERY, DS), (R.SUPPLIER, DS), (R.SUPPLIER, KA), (R.NETWORK_OPERATOR, DS),
                     (R.NETWORK_OPERATOR, KA), (R.ACCESS_CONTROL_BROKER, DS), (R.ACCESS_CONTROL_BROKER, KA),
                     (R.WAN_PROVIDER, DS), (R.TRANSITIONAL_COS, DS)],
    DeviceType.CHF: [(R.ROOT, DS), (R.RECOVERY, DS), (R.ACCESS_CONTROL_BROKER, DS), (R.ACCESS_CONTROL_BROKER, KA),
                     (R.WAN_PROVIDER, DS), (R.WAN_PROVIDER, KA)],
    DeviceType.PPMID: [(R.ROOT, DS), (R.SUPPLIER, DS), (R.SUPPLIER, KA), (R.ACCESS_CONTROL_BROKER, DS),
                       (R.ACCESS_CONTROL_BROKER, KA)],
}
_CELLS[DeviceType.GSME] = _CELLS[DeviceType.ESME]
_CELLS[DeviceType.HCALCS] = _CELLS[DeviceType.PPMID]


class TrustAnchors:
    def __init__(self, cells: list[TrustAnchorCell]):
        self._cells = {(c.role, c.usage): c for c in cells}

    @classmethod
    def configured_as_new(cls, device_type: DeviceType, parties: dict[RemotePartyRole, EntityId],
                          keystore: Keystore, root: x509.Certificate, *,
                          supplier: EntityId | None = None) -> TrustAnchors:
        """The OCA4 'configured as new' state: Supplier and Network Operator cells hold the ACB. A device
        delivered configured for a supplier (a PPMID a supplier ordered) holds that supplier instead."""
        cells = []
        for role, usage in _CELLS.get(device_type, []):
            if role is R.ROOT:
                cells.append(TrustAnchorCell(role, usage, EntityId(bytes(8)), _ec_key(root), root))
                continue
            if role is R.SUPPLIER and supplier is not None:
                cred = keystore.credential(supplier, usage)
                cells.append(TrustAnchorCell(role, usage, supplier, cred.public_key, cred.certificate))
                continue
            holder = R.ACCESS_CONTROL_BROKER if role in (R.SUPPLIER, R.NETWORK_OPERATOR) else role
            key_usage = KA if usage is PP_KA else usage
            cred = keystore.credential(parties[holder], key_usage)
            cells.append(TrustAnchorCell(role, usage, parties[holder], cred.public_key, cred.certificate))
        return cls(cells)

    def cell(self, role: RemotePartyRole, usage: KeyUsage) -> TrustAnchorCell | None:
        return self._cells.get((role, usage))

    def cells(self) -> list[TrustAnchorCell]:
        return list(self._cells.values())

    def holder_of(self, role: RemotePartyRole) -> EntityId | None:
        cell = self.cell(role, DS)
        return None if cell is None else cell.entity_id

    def key_agreement_key(self, party: EntityId) -> ec.EllipticCurvePublicKey | None:
        """A party's KA public key from whichever KA cell names it (to MAC a response to it)."""
        for cell in self._cells.values():
            if cell.usage is KA and cell.entity_id == party:
                return cell.public_key
        return None

    def replace(self, role: RemotePartyRole, usage: KeyUsage, certificate: x509.Certificate,
                certification_path: list[x509.Certificate]) -> None:
        """Install a replacement certificate after checking it chains to the root cell and names a party
        of the cell's role (a device refuses anything else)."""
        if (role, usage) not in self._cells:
            raise TrustAnchorRejected(f"no {role.name} {usage.value} cell on this device", "trustAnchorNotFound")
        root = self._cells[(R.ROOT, DS)].public_key
        issuer = next((ca for ca in certification_path if ca.subject == certificate.issuer), None)
        if issuer is None or not _signed_by(certificate, issuer.public_key()) or not _signed_by(issuer, root):
            raise TrustAnchorRejected("certification path does not lead to the root trust anchor", "noTrustAnchor")
        cert_role = role_of(certificate)
        if cert_role is not role:
            raise TrustAnchorRejected(f"certificate is for role {cert_role}, not {role.name}")
        eui = entity_id_of(certificate)
        if eui is None:
            raise TrustAnchorRejected("certificate names no entity ID")
        self._cells[(role, usage)] = TrustAnchorCell(role, usage, eui, _ec_key(certificate), certificate)


class TrustAnchorRejected(Exception):
    """The device refuses a trust anchor replacement; `status` is the GBCS StatusCode it reports for the cell
    (RFC 5934's: trustAnchorNotFound, noTrustAnchor for a path that does not end at the root, else
    badCertificate)."""

    def __init__(self, reason: str, status: str = "badCertificate"):
        super().__init__(reason)
        self.status = status


def _ec_key(certificate: x509.Certificate) -> ec.EllipticCurvePublicKey:
    """The certificate's key: a trust anchor cell holds a P-256 key (GBCS keys are all ECDSA P-256)."""
    key = certificate.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise TrustAnchorRejected("certificate key is not an elliptic-curve key")
    return key


def _signed_by(cert: x509.Certificate, public_key: CertificatePublicKeyTypes) -> bool:
    if not isinstance(public_key, ec.EllipticCurvePublicKey):      # only a P-256 key signs a GBCS certificate
        return False
    try:
        public_key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True
