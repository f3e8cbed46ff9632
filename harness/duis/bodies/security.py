"""Bodies of the security-credential SRs: 6.15.x, 6.17, 6.21, 6.23 and 6.24.x.

Certificates come from the lab's SMKI and are accepted as x509.Certificate, DER bytes, base64 DER or
PEM. Before a body is built they are checked for the mix-ups that otherwise surface only as a DCC
rejection or a device alert: a certificate in the wrong slot (key usage), another party's certificate
(its subject OU against RemotePartyRole, DS and KA of one entity), and a certification path that
does not hold the CA that issued them. Deliberately broken bodies can still be sent as body_element.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Sequence

from cryptography import x509
from lxml import etree

from harness.catalogue import RemotePartyRole
from harness.duis.bodies._common import Certificate, boolean, certificate_b64, future_dated
from harness.duis.requests import body
from harness.duis.xml import E
from harness.errors import DitError
from harness.pki import KeyUsage, entity_id_of, role_of, usage_of
from harness.pki.keystore import issuer_key

DUIS_ROLES = tuple(role.duis_name for role in RemotePartyRole if role.duis_name)
MAX_FLOOR = 2**63 - 1   # floorSequenceNumber: xs:nonNegativeInteger <= 9223372036854775807
SUPPLIER = "Supplier"
DS_TAG, KA_TAG, TOP_UP_TAG = "DigitalSigningCertificate", "KeyAgreementCertificate", "KeyAgreementTopUpCertificate"
_PARAMS = {DS_TAG: "digital_signing_certificate", KA_TAG: "key_agreement_certificate",
           TOP_UP_TAG: "key_agreement_top_up_certificate"}
_USAGES = {DS_TAG: KeyUsage.DIGITAL_SIGNING, KA_TAG: KeyUsage.KEY_AGREEMENT, TOP_UP_TAG: KeyUsage.KEY_AGREEMENT}
_CREDENTIAL_TYPES = {"digitalsignature": "Digital Signature", "digitalsigning": "Digital Signature",
                     "ds": "Digital Signature", "keyagreement": "Key Agreement", "ka": "Key Agreement"}


def _fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def role_name(value: RemotePartyRole | str) -> str:
    """The DUIS RemotePartyRole name ("Supplier", "NetworkOperator", ...) of a role or any spelling of it."""
    if isinstance(value, RemotePartyRole):
        if value.duis_name is None:
            raise DitError(f"remote party role {value.name} has no DUIS RemotePartyRole",
                           fix=f"use one of {', '.join(DUIS_ROLES)}")
        return value.duis_name
    key = _fold(str(value))
    for role in RemotePartyRole:
        if role.duis_name and key in (_fold(role.name), _fold(role.duis_name)):
            return role.duis_name
    raise DitError(f"unknown RemotePartyRole {value!r}", fix=f"use one of {', '.join(DUIS_ROLES)}")


def credential_type_name(value: KeyUsage | str) -> str:
    """The DUIS CredentialType of a device's own key pair: "Digital Signature" or "Key Agreement"."""
    text = value.value if isinstance(value, KeyUsage) else str(value)
    name = _CREDENTIAL_TYPES.get(_fold(text))
    if name is None:
        raise DitError(f"a device has no {text!r} credential",
                       fix="use Digital Signature (KeyUsage.DIGITAL_SIGNING) or Key Agreement (KeyUsage.KEY_AGREEMENT)")
    return name


def load_certificate(value: Certificate, what: str) -> x509.Certificate:
    """A certificate given as an object, DER bytes, base64 DER text or PEM."""
    if isinstance(value, x509.Certificate):
        return value
    try:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("-----BEGIN"):
                return x509.load_pem_x509_certificate(text.encode())
            return x509.load_der_x509_certificate(base64.b64decode("".join(text.split()), validate=True))
        if value.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(value)
        return x509.load_der_x509_certificate(value)
    except ValueError:
        raise DitError(f"{what} is not an X.509 certificate",
                       fix="give an x509.Certificate, DER bytes, base64 DER or PEM") from None


def _floor(value: int, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FLOOR:
        raise DitError(f"{name} must be an integer from 0 to {MAX_FLOOR}, not {value!r}")
    return str(value)


def _replacement(srv: str, role: RemotePartyRole | str | None, allowed: tuple[str, ...],
                 given: dict[str, Certificate | None]) -> tuple[str, list[tuple[str, x509.Certificate]]]:
    """Load the replacement certificates, check each fits its slot, and settle the remote party role
    (taken from the DS/KA certificates' subject OU when not given)."""
    certs = [(tag, load_certificate(value, f"{srv} {_PARAMS[tag]}")) for tag, value in given.items()
             if value is not None]
    if not certs:
        raise DitError(f"{srv} replaces no certificate", fix="give digital_signing_certificate and/or "
                       "key_agreement_certificate")
    for tag, cert in certs:
        found = usage_of(cert)
        if found is not None and found is not _USAGES[tag]:
            raise DitError(f"{srv} {_PARAMS[tag]} is a {found.name} certificate, not {_USAGES[tag].name}",
                           fix="check which SMKI certificate goes in which slot")
    # The top-up KA may be a payment provider's, so only DS and KA name the party whose cells change.
    party = [cert for tag, cert in certs if tag != TOP_UP_TAG]
    entities = {party_eui for cert in party if (party_eui := entity_id_of(cert)) is not None}
    if len(entities) > 1:
        raise DitError(f"{srv}: the DS and KA certificates belong to different parties "
                       f"({', '.join(sorted(e.duis for e in entities))})")
    roles = {party_role for cert in party if (party_role := role_of(cert)) is not None}
    if len(roles) > 1:
        raise DitError(f"{srv}: the DS and KA certificates carry different roles "
                       f"({', '.join(sorted(r.name for r in roles))})")
    cert_role = roles.pop() if roles else None
    if role is None:
        if cert_role is None:
            raise DitError(f"{srv}: no certificate names its remote party role", fix="give remote_party_role")
        role = role_name(cert_role)
    else:
        role = role_name(role)
        if cert_role is not None and cert_role.duis_name != role:
            raise DitError(f"{srv}: RemotePartyRole is {role} but the certificates are for "
                           f"{cert_role.duis_name or cert_role.name} (OU={cert_role.ou})",
                           fix="give that party's certificates or the matching remote_party_role")
    if role not in allowed:
        raise DitError(f"{srv} cannot replace {role} certificates",
                       fix=f"RemotePartyRole is one of {', '.join(allowed)}")
    if role != SUPPLIER and TOP_UP_TAG in dict(certs):
        raise DitError(f"{srv}: only a Supplier has a prepayment top-up cell, not {role}",
                       fix="leave out key_agreement_top_up_certificate")
    return role, certs


def _certification_path(srv: str, path: Certificate | Sequence[Certificate],
                        certs: list[tuple[str, x509.Certificate]]) -> etree._Element:
    """1 to 3 CA certificates, which must include the issuer of every replacement certificate."""
    items = [path] if isinstance(path, (x509.Certificate, bytes, str)) else list(path)
    if not 1 <= len(items) <= 3:
        raise DitError(f"{srv} carries 1 to 3 certification path certificates, not {len(items)}",
                       fix="normally just the organisation CA certificate; the root is already on the device")
    loaded = [load_certificate(c, f"{srv} certification path certificate {n}") for n, c in enumerate(items, 1)]
    subjects = {issuer_key(cert.subject) for cert in loaded}
    for tag, cert in certs:
        if issuer_key(cert.issuer) not in subjects:
            raise DitError(f"{srv}: the issuer of {_PARAMS[tag]} ({cert.issuer.rfc4514_string()}) is not among "
                           "the certification path certificates",
                           fix="give the CA certificate that issued it (smki.organisation_ca_certificate)")
    return E.CertificationPathCertificates(*(E.Certificate(certificate_b64(cert)) for cert in loaded))


def _top_up_floor(srv: str, role: str, certs: list[tuple[str, x509.Certificate]], value: int | None,
                  name: str) -> str | None:
    """The prepayment floor goes with the Supplier's top-up cell: 0 when its certificate is replaced."""
    if value is None:
        return "0" if TOP_UP_TAG in dict(certs) else None
    if role != SUPPLIER:
        raise DitError(f"{srv}: {name} is for the Supplier's prepayment top-up cell, not {role}",
                       fix=f"leave out {name}")
    return _floor(value, name)


def _krp_like(tag: str, srv: str, allowed: tuple[str, ...], certificates_tag: str | None,
              role: RemotePartyRole | str | None, given: dict[str, Certificate | None],
              certification_path_certificates, floor: int | None, top_up_floor: int | None,
              apply_time_based_cpv_checks: bool, execution_date_time: dt.datetime | None) -> etree._Element:
    role, certs = _replacement(srv, role, allowed, given)
    path = _certification_path(srv, certification_path_certificates, certs)
    parts = future_dated(execution_date_time) + [E.RemotePartyRole(role)]
    if floor is not None:
        parts.append(E.RemotePartyFloorSeqNumber(_floor(floor, "remote_party_floor_seq_number")))
    top_up = _top_up_floor(srv, role, certs, top_up_floor, "remote_party_prepayment_top_up_floor_seq_number")
    if top_up is not None:
        parts.append(E.RemotePartyPrepaymentTopUpFloorSeqNumber(top_up))
    slots = [E(slot, certificate_b64(cert)) for slot, cert in certs]
    holder = [E(certificates_tag, *slots)] if certificates_tag else slots
    parts += [E.ReplacementCertificates(*holder), path,
              E.ApplyTimeBasedCPVChecks(boolean(apply_time_based_cpv_checks))]
    return E(tag, *parts)


@body("6.15.1")
def update_security_credentials_krp(
        *, digital_signing_certificate: Certificate | None = None,
        key_agreement_certificate: Certificate | None = None,
        key_agreement_top_up_certificate: Certificate | None = None,
        certification_path_certificates: Certificate | Sequence[Certificate],
        remote_party_role: RemotePartyRole | str | None = None,
        remote_party_floor_seq_number: int | None = 0,
        remote_party_prepayment_top_up_floor_seq_number: int | None = None,
        apply_time_based_cpv_checks: bool = True,
        execution_date_time: dt.datetime | None = None) -> etree._Element:
    """A Supplier, Network Operator or Load Controller replaces its own trust anchors (CS02b/CS02g).

    The role defaults to the one the certificates name; the prepayment floor is sent (as 0) when the
    Supplier's top-up certificate is replaced. Give only the cells that change.
    """
    return _krp_like("UpdateSecurityCredentialsKRP", "6.15.1", (SUPPLIER, "NetworkOperator", "LoadController"),
                     "SupplierOrNetworkOperatorCertificates", remote_party_role,
                     {DS_TAG: digital_signing_certificate, KA_TAG: key_agreement_certificate,
                      TOP_UP_TAG: key_agreement_top_up_certificate},
                     certification_path_certificates, remote_party_floor_seq_number,
                     remote_party_prepayment_top_up_floor_seq_number, apply_time_based_cpv_checks,
                     execution_date_time)


@body("6.15.2")
def update_security_credentials_device(*, device_certificate: Certificate) -> etree._Element:
    """Load back on the device the certificate SMKI issued for the key pair that 6.17 made (CS02d)."""
    cert = load_certificate(device_certificate, "6.15.2 device_certificate")
    role = role_of(cert)
    if role is not None:
        raise DitError(f"6.15.2 device_certificate is an organisation certificate (OU={role.ou}, {role.name})",
                       fix="give the device certificate SMKI issued after 6.17")
    return E.UpdateSecurityCredentialsDevice(E.DeviceCertificate(certificate_b64(cert)))


@body("6.17")
def issue_security_credentials(*, credential_type: KeyUsage | str = "Digital Signature") -> etree._Element:
    """Have the device generate a new key pair (CS02c). DIT rekeys Digital Signature first, then Key Agreement."""
    return E.IssueSecurityCredentials(E.CredentialType(credential_type_name(credential_type)))


@body("6.21")
def request_handover_of_dcc_controlled_device(
        *, digital_signing_certificate: Certificate,
        key_agreement_certificate: Certificate | None = None,
        key_agreement_top_up_certificate: Certificate | None = None,
        certification_path_certificates: Certificate | Sequence[Certificate],
        remote_party_role: RemotePartyRole | str | None = None,
        remote_party_floor_seq_number: int | None = 0,
        remote_party_prepayment_top_up_floor_seq_number: int | None = None,
        apply_time_based_cpv_checks: bool = True,
        execution_date_time: dt.datetime | None = None) -> etree._Element:
    """Take over cells that hold the ACB's certificates; the DCC signs the CS02b with the ACB key.

    In DIT the Supplier goes first (DS, KA and, except on a GPF, prepayment KA), then the Network Operator.
    """
    return _krp_like("RequestHandoverOfDCCControlledDevice", "6.21", (SUPPLIER, "NetworkOperator"), None,
                     remote_party_role,
                     {DS_TAG: digital_signing_certificate, KA_TAG: key_agreement_certificate,
                      TOP_UP_TAG: key_agreement_top_up_certificate},
                     certification_path_certificates, remote_party_floor_seq_number,
                     remote_party_prepayment_top_up_floor_seq_number, apply_time_based_cpv_checks,
                     execution_date_time)


@body("6.23")
def update_security_credentials_cos(
        *, digital_signing_certificate: Certificate,
        key_agreement_certificate: Certificate | None = None,
        key_agreement_top_up_certificate: Certificate | None = None,
        certification_path_certificates: Certificate | Sequence[Certificate],
        import_mpxn: str,
        supplier_floor_seq_number: int = 0,
        supplier_prepayment_top_up_floor_seq_number: int | None = None,
        apply_time_based_cpv_checks: bool = True,
        execution_date_time: dt.datetime | None = None) -> etree._Element:
    """Change of Supplier: the gaining Supplier's certificates go in via the DCC's TransCoS (CS02b mode 7).

    import_mpxn (the device's import MPAN, or MPRN for gas) has no default: the XSD requires it.
    """
    role, certs = _replacement("6.23", SUPPLIER, (SUPPLIER,),
                               {DS_TAG: digital_signing_certificate, KA_TAG: key_agreement_certificate,
                                TOP_UP_TAG: key_agreement_top_up_certificate})
    path = _certification_path("6.23", certification_path_certificates, certs)
    mpxn = str(import_mpxn).strip()
    if not 1 <= len(mpxn) <= 13:
        raise DitError(f"6.23 import_mpxn must be 1 to 13 characters, not {import_mpxn!r}")
    parts = future_dated(execution_date_time)
    parts.append(E.SupplierFloorSeqNumber(_floor(supplier_floor_seq_number, "supplier_floor_seq_number")))
    top_up = _top_up_floor("6.23", role, certs, supplier_prepayment_top_up_floor_seq_number,
                           "supplier_prepayment_top_up_floor_seq_number")
    if top_up is not None:
        parts.append(E.SupplierPrepaymentTopUpFloorSeqNumber(top_up))
    parts += [E.SupplierReplacementCertificates(*(E(tag, certificate_b64(cert)) for tag, cert in certs)), path,
              E.ApplyTimeBasedCPVChecks(boolean(apply_time_based_cpv_checks)), E.ImportMPxN(mpxn)]
    return E.UpdateSecurityCredentialsCoS(*parts)


@body("6.24.1")
def retrieve_device_security_credentials_krp(
        *, remote_party_roles: RemotePartyRole | str | Sequence[RemotePartyRole | str] = (SUPPLIER, "NetworkOperator"),
) -> etree._Element:
    """Read the trust anchor cells of the given roles (CS02a), e.g. to confirm a handover or a rekey.

    A comma-separated string ("Supplier, NetworkOperator") is read as several roles.
    """
    items: list[RemotePartyRole | str]
    if isinstance(remote_party_roles, (str, RemotePartyRole)):
        items = [remote_party_roles] if isinstance(remote_party_roles, RemotePartyRole) else [
            part for part in remote_party_roles.split(",") if part.strip()]
    else:
        items = list(remote_party_roles)
    roles = [role_name(item) for item in items]
    if not roles:
        raise DitError("6.24.1 needs at least one RemotePartyRole", fix=f"use some of {', '.join(DUIS_ROLES)}")
    if len(set(roles)) != len(roles):
        raise DitError(f"6.24.1 names a RemotePartyRole twice: {', '.join(roles)}")
    return E.RetrieveDeviceSecurityCredentialsKRP(*(E.RemotePartyRole(role) for role in roles))


@body("6.24.2")
def retrieve_device_security_credentials_device(
        *, credential_type: KeyUsage | str = "Digital Signature") -> etree._Element:
    """Read the device's own certificate (CS02e), e.g. to confirm 6.15.2 took effect."""
    return E.RetrieveDeviceSecurityCredentialsDevice(E.CredentialType(credential_type_name(credential_type)))

