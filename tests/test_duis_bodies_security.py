"""Security-credential SR bodies (6.15.x, 6.17, 6.21, 6.23, 6.24.x) build schema-valid requests from SMKI
certificates, put the given certificates where they belong, and refuse certificate mix-ups."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lxml import etree

from harness.catalogue import RemotePartyRole
from harness.duis import requests, xml
from harness.duis.request_id import RequestId
from harness.errors import DitError
from harness.eui import EntityId
from harness.pki import KeyUsage
from harness.pki import certificates as profile

SUPPLIER = "90-B3-D5-1F-30-01-00-00"
SUPPLIER_B = "90-B3-D5-1F-30-03-00-00"
NETWORK_OPERATOR = "90-B3-D5-1F-30-02-00-00"
ESME = "00-DB-12-34-56-78-90-A0"
GPF = "00-DB-12-34-56-78-90-A3"
IMPORT_MPXN = "1312345678333"
DS, KA, PP_KA = KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT, KeyUsage.PREPAYMENT_KEY_AGREEMENT
BODY = "sr:Body/sr:{}/"


def _rid(target: str, counter: int = 1000, sender: str = SUPPLIER) -> RequestId:
    return RequestId.parse(f"{sender}:{target}:{counter}")


def _cert(smki, eui: str, usage: KeyUsage) -> x509.Certificate:
    return smki.keystore.credential(eui, usage).certificate


def _b64(cert: x509.Certificate) -> str:
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def _supplier_set(smki, eui: str = SUPPLIER) -> dict:
    return {"digital_signing_certificate": _cert(smki, eui, DS), "key_agreement_certificate": _cert(smki, eui, KA),
            "key_agreement_top_up_certificate": _cert(smki, eui, PP_KA),
            "certification_path_certificates": smki.organisation_ca_certificate}


def _network_operator_set(smki) -> dict:
    return {"digital_signing_certificate": _cert(smki, NETWORK_OPERATOR, DS),
            "key_agreement_certificate": _cert(smki, NETWORK_OPERATOR, KA),
            "certification_path_certificates": smki.organisation_ca_certificate}


def _load_controller(role: RemotePartyRole = RemotePartyRole.LOAD_CONTROLLER) -> tuple[x509.Certificate, ...]:
    """A party the test SMKI does not issue for: its own CA and DS certificate."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "07"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "LCCA")])
    start, end = dt.datetime(2025, 1, 1, tzinfo=dt.UTC), dt.datetime(2034, 1, 1, tzinfo=dt.UTC)
    ca = profile.ca_certificate(ca_name, ca_key.public_key(), ca_name, ca_key, 1, start, end)
    ds = profile.organisation_certificate(EntityId("90-B3-D5-1F-30-05-00-00"), role, DS, "DIT LOAD CONTROLLER",
                                          key.public_key(), ca_name, ca_key, 2, start, end)
    return ds, ca


def _rekeyed_device_certificate(smki, usage: KeyUsage = DS) -> x509.Certificate:
    """What SMKI issues between 6.17 and 6.15.2: a device certificate for a fresh key pair."""
    return smki.device_certificate(EntityId(ESME), usage, ec.generate_private_key(ec.SECP256R1()).public_key())


AT = dt.datetime(2030, 1, 2, tzinfo=dt.UTC)

CASES = [
    ("6.15.1", ESME, lambda s: _supplier_set(s)),
    ("6.15.1", ESME, lambda s: {**_supplier_set(s), "remote_party_role": "Supplier", "execution_date_time": AT,
                                "apply_time_based_cpv_checks": False, "remote_party_floor_seq_number": 7,
                                "remote_party_prepayment_top_up_floor_seq_number": 9}),
    ("6.15.1", GPF, lambda s: {"digital_signing_certificate": _cert(s, SUPPLIER, DS),
                               "certification_path_certificates": [s.organisation_ca_certificate,
                                                                   s.root_certificate]}),
    ("6.15.1", ESME, lambda s: _network_operator_set(s)),
    ("6.15.1", ESME, lambda s: dict(zip(("digital_signing_certificate", "certification_path_certificates"),
                                        _load_controller()))),
    ("6.15.2", ESME, lambda s: {"device_certificate": _rekeyed_device_certificate(s)}),
    ("6.15.2", ESME, lambda s: {"device_certificate": _rekeyed_device_certificate(s, KA)}),
    ("6.17", ESME, lambda s: {}),
    ("6.17", ESME, lambda s: {"credential_type": KA}),
    ("6.21", ESME, lambda s: _supplier_set(s)),
    ("6.21", GPF, lambda s: {**_supplier_set(s), "key_agreement_top_up_certificate": None}),
    ("6.21", ESME, lambda s: {**_network_operator_set(s), "execution_date_time": AT}),
    ("6.23", ESME, lambda s: {**_supplier_set(s, SUPPLIER_B), "import_mpxn": IMPORT_MPXN}),
    ("6.23", GPF, lambda s: {"digital_signing_certificate": _cert(s, SUPPLIER_B, DS),
                             "key_agreement_certificate": _cert(s, SUPPLIER_B, KA),
                             "certification_path_certificates": s.organisation_ca_certificate,
                             "import_mpxn": "1234567890", "execution_date_time": AT,
                             "supplier_floor_seq_number": 3}),
    ("6.24.1", ESME, lambda s: {}),
    ("6.24.1", ESME, lambda s: {"remote_party_roles": "Supplier, NetworkOperator, ACB, Root, Recovery, "
                                                      "TransCoS, LoadController"}),
    ("6.24.2", ESME, lambda s: {}),
    ("6.24.2", GPF, lambda s: {"credential_type": "Key Agreement"}),
]


@pytest.mark.parametrize("srv, target, params", CASES)
def test_security_bodies_are_schema_valid(duis_schema, smki, srv, target, params):
    root = requests.build(srv, _rid(target), **params(smki))
    assert duis_schema.errors(root) == []
    assert xml.text(root, "sr:Header/sr:ServiceReferenceVariant") == srv


def _shape(node) -> tuple:
    """An element as (local tag, text, children), blind to whitespace and namespace prefixes."""
    text = "".join((node.text or "").split())
    return (etree.QName(node).localname, text, tuple(_shape(child) for child in node
                                                         if isinstance(child.tag, str)))


@pytest.mark.parametrize("template, srv, extra", [
    ("CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML", "6.15.1",
     {"apply_time_based_cpv_checks": False}),
    ("CS02bSupplierBySupplierHandover_6.21_SUCCESS_REQUEST_DUIS.XML", "6.21", {}),
    ("CS02bSupplierByTransCoS_6.23_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML", "6.23", {"import_mpxn": IMPORT_MPXN}),
])
def test_template_certificates_rebuild_the_template_body(conformance, template, srv, extra):
    """From the template's certificates alone (role, floors and slots left to the defaults) the body is the
    DCC's sample body, element for element."""
    sample = xml.parse((conformance / "duis" / "templates" / template).read_bytes())
    expected = sample.find("sr:Body", xml.NSMAP)[0]
    found = {etree.QName(e).localname: e.text.strip() for e in expected.iter() if isinstance(e.tag, str)}
    params = {"digital_signing_certificate": found["DigitalSigningCertificate"],
              "key_agreement_certificate": found["KeyAgreementCertificate"],
              "key_agreement_top_up_certificate": found["KeyAgreementTopUpCertificate"],
              "certification_path_certificates": found["Certificate"], **extra}
    root = requests.build(srv, RequestId.parse(xml.text(sample, "sr:Header/sr:RequestID")), **params)
    assert _shape(root.find("sr:Body", xml.NSMAP)[0]) == _shape(expected)


def test_supplier_certificates_land_in_their_slots_as_base64_der(smki):
    params = _supplier_set(smki)
    for srv, element, holder in (("6.15.1", "UpdateSecurityCredentialsKRP",
                                  "sr:ReplacementCertificates/sr:SupplierOrNetworkOperatorCertificates/"),
                                 ("6.21", "RequestHandoverOfDCCControlledDevice", "sr:ReplacementCertificates/")):
        root = requests.build(srv, _rid(ESME), **params)
        at = BODY.format(element)
        assert xml.text(root, at + holder + "sr:DigitalSigningCertificate") == _b64(_cert(smki, SUPPLIER, DS))
        assert xml.text(root, at + holder + "sr:KeyAgreementCertificate") == _b64(_cert(smki, SUPPLIER, KA))
        assert xml.text(root, at + holder + "sr:KeyAgreementTopUpCertificate") == _b64(_cert(smki, SUPPLIER, PP_KA))
        assert xml.text(root, at + "sr:CertificationPathCertificates/sr:Certificate") == _b64(
            smki.organisation_ca_certificate)
        assert xml.text(root, at + "sr:RemotePartyRole") == "Supplier"
        assert xml.text(root, at + "sr:RemotePartyFloorSeqNumber") == "0"
        assert xml.text(root, at + "sr:RemotePartyPrepaymentTopUpFloorSeqNumber") == "0"
        assert xml.text(root, at + "sr:ApplyTimeBasedCPVChecks") == "true"


def test_gaining_supplier_certificates_and_mpxn_are_in_the_cos_body(smki):
    root = requests.build("6.23", _rid(ESME), **_supplier_set(smki, SUPPLIER_B), import_mpxn=IMPORT_MPXN,
                          supplier_floor_seq_number=12)
    at = BODY.format("UpdateSecurityCredentialsCoS")
    assert xml.text(root, at + "sr:SupplierReplacementCertificates/sr:DigitalSigningCertificate") == _b64(
        _cert(smki, SUPPLIER_B, DS))
    assert xml.text(root, at + "sr:SupplierReplacementCertificates/sr:KeyAgreementTopUpCertificate") == _b64(
        _cert(smki, SUPPLIER_B, PP_KA))
    assert xml.text(root, at + "sr:SupplierFloorSeqNumber") == "12"
    assert xml.text(root, at + "sr:SupplierPrepaymentTopUpFloorSeqNumber") == "0"
    assert xml.text(root, at + "sr:ImportMPxN") == IMPORT_MPXN


def test_network_operator_role_comes_from_its_certificates(smki):
    root = requests.build("6.21", _rid(ESME), **_network_operator_set(smki))
    at = BODY.format("RequestHandoverOfDCCControlledDevice")
    assert xml.text(root, at + "sr:RemotePartyRole") == "NetworkOperator"
    assert root.find(".//sr:RemotePartyPrepaymentTopUpFloorSeqNumber", xml.NSMAP) is None
    assert root.find(".//sr:KeyAgreementTopUpCertificate", xml.NSMAP) is None
    assert xml.text(root, at + "sr:ReplacementCertificates/sr:DigitalSigningCertificate") == _b64(
        _cert(smki, NETWORK_OPERATOR, DS))


def test_parameters_change_floors_checks_and_execution_time(smki):
    root = requests.build("6.15.1", _rid(ESME), **_supplier_set(smki), remote_party_floor_seq_number=2**63 - 1,
                          remote_party_prepayment_top_up_floor_seq_number=5, apply_time_based_cpv_checks=False,
                          execution_date_time=AT)
    body = root.find(BODY.format("UpdateSecurityCredentialsKRP")[:-1], xml.NSMAP)
    assert etree.QName(body[0]).localname == "ExecutionDateTime"
    assert body[0].text == "2030-01-02T00:00:00.00Z"
    assert xml.text(body, "sr:RemotePartyFloorSeqNumber") == str(2**63 - 1)
    assert xml.text(body, "sr:RemotePartyPrepaymentTopUpFloorSeqNumber") == "5"
    assert xml.text(body, "sr:ApplyTimeBasedCPVChecks") == "false"


def test_floors_are_left_out_when_asked_or_without_a_top_up_certificate(smki):
    root = requests.build("6.15.1", _rid(ESME), digital_signing_certificate=_cert(smki, SUPPLIER, DS),
                          certification_path_certificates=smki.organisation_ca_certificate,
                          remote_party_floor_seq_number=None)
    assert root.find(".//sr:RemotePartyFloorSeqNumber", xml.NSMAP) is None
    assert root.find(".//sr:RemotePartyPrepaymentTopUpFloorSeqNumber", xml.NSMAP) is None
    assert root.find(".//sr:KeyAgreementCertificate", xml.NSMAP) is None


def test_every_certificate_form_gives_the_same_body(smki):
    cert, ca = _cert(smki, SUPPLIER, DS), smki.organisation_ca_certificate
    forms = [(cert, ca), (cert.public_bytes(serialization.Encoding.DER), ca.public_bytes(serialization.Encoding.DER)),
             (_b64(cert), _b64(ca)), (cert.public_bytes(serialization.Encoding.PEM).decode(),
                                      ca.public_bytes(serialization.Encoding.PEM))]
    bodies = {xml.serialize(requests.build("6.21", _rid(ESME), digital_signing_certificate=c,
                                           certification_path_certificates=p)) for c, p in forms}
    assert len(bodies) == 1


def test_device_certificate_is_the_one_loaded_back(smki):
    cert = _rekeyed_device_certificate(smki)
    root = requests.build("6.15.2", _rid(ESME), device_certificate=cert)
    assert xml.text(root, BODY.format("UpdateSecurityCredentialsDevice") + "sr:DeviceCertificate") == _b64(cert)
    assert xml.text(root, "sr:Header/sr:CommandVariant") == "4"


@pytest.mark.parametrize("srv, element", [("6.17", "IssueSecurityCredentials"),
                                          ("6.24.2", "RetrieveDeviceSecurityCredentialsDevice")])
@pytest.mark.parametrize("given, expected", [(None, "Digital Signature"), ("DS", "Digital Signature"),
                                             (KeyUsage.DIGITAL_SIGNING, "Digital Signature"),
                                             ("Key Agreement", "Key Agreement"), ("ka", "Key Agreement"),
                                             (KeyUsage.KEY_AGREEMENT, "Key Agreement")])
def test_credential_type(srv, element, given, expected):
    params = {} if given is None else {"credential_type": given}
    root = requests.build(srv, _rid(ESME), **params)
    assert xml.text(root, BODY.format(element) + "sr:CredentialType") == expected


@pytest.mark.parametrize("given, expected", [
    (None, ["Supplier", "NetworkOperator"]),
    ("NetworkOperator", ["NetworkOperator"]),
    ("ACB, Supplier", ["ACB", "Supplier"]),
    ([RemotePartyRole.ACCESS_CONTROL_BROKER, "network operator", "TRANSITIONAL_COS"], ["ACB", "NetworkOperator",
                                                                                       "TransCoS"]),
])
def test_retrieve_krp_names_the_roles_in_order(given, expected):
    params = {} if given is None else {"remote_party_roles": given}
    root = requests.build("6.24.1", _rid(ESME), **params)
    assert [e.text for e in root.iterfind(".//sr:RemotePartyRole", xml.NSMAP)] == expected


# -- refusals ------------------------------------------------------------------------------------------

def test_swapped_ds_and_ka_certificates_are_refused(smki):
    with pytest.raises(DitError, match="KEY_AGREEMENT certificate, not DIGITAL_SIGNING"):
        requests.build("6.15.1", _rid(ESME), **{**_supplier_set(smki),
                                                "digital_signing_certificate": _cert(smki, SUPPLIER, KA),
                                                "key_agreement_certificate": _cert(smki, SUPPLIER, DS)})


def test_role_that_contradicts_the_certificates_is_refused(smki):
    with pytest.raises(DitError, match="RemotePartyRole is Supplier but the certificates are for NetworkOperator"):
        requests.build("6.21", _rid(ESME), **_network_operator_set(smki), remote_party_role="Supplier")


def test_cos_takes_only_supplier_certificates(smki):
    with pytest.raises(DitError, match="NetworkOperator"):
        requests.build("6.23", _rid(ESME), **_network_operator_set(smki), import_mpxn=IMPORT_MPXN)


def test_ds_and_ka_of_two_parties_are_refused(smki):
    with pytest.raises(DitError, match="different parties"):
        requests.build("6.15.1", _rid(ESME), **{**_supplier_set(smki),
                                                "key_agreement_certificate": _cert(smki, SUPPLIER_B, KA)})


def test_a_payment_providers_top_up_certificate_need_not_be_the_suppliers(smki):
    root = requests.build("6.15.1", _rid(ESME), **{**_supplier_set(smki),
                                                   "key_agreement_top_up_certificate": _cert(smki, SUPPLIER_B, PP_KA)})
    assert xml.text(root, ".//sr:KeyAgreementTopUpCertificate") == _b64(_cert(smki, SUPPLIER_B, PP_KA))


def test_network_operator_has_no_prepayment_cell(smki):
    with pytest.raises(DitError, match="only a Supplier has a prepayment top-up cell"):
        requests.build("6.15.1", _rid(ESME), **_network_operator_set(smki),
                       key_agreement_top_up_certificate=_cert(smki, SUPPLIER, PP_KA))
    with pytest.raises(DitError, match="prepayment top-up cell, not NetworkOperator"):
        requests.build("6.21", _rid(ESME), **_network_operator_set(smki),
                       remote_party_prepayment_top_up_floor_seq_number=0)


def test_update_with_no_certificate_is_refused(smki):
    with pytest.raises(DitError, match="replaces no certificate"):
        requests.build("6.15.1", _rid(ESME), certification_path_certificates=smki.organisation_ca_certificate)


def test_certification_path_must_hold_the_issuing_ca(smki):
    with pytest.raises(DitError, match="issuer of digital_signing_certificate"):
        requests.build("6.15.1", _rid(ESME), **{**_supplier_set(smki),
                                                "certification_path_certificates": smki.root_certificate})
    with pytest.raises(DitError, match="1 to 3 certification path certificates, not 4"):
        requests.build("6.21", _rid(ESME), **{**_supplier_set(smki), "certification_path_certificates":
                                              [smki.organisation_ca_certificate] * 4})


def test_load_controller_is_for_6_15_1_only():
    ds, ca = _load_controller()
    root = requests.build("6.15.1", _rid(ESME), digital_signing_certificate=ds, certification_path_certificates=ca)
    assert xml.text(root, ".//sr:RemotePartyRole") == "LoadController"
    with pytest.raises(DitError, match="6.21 cannot replace LoadController"):
        requests.build("6.21", _rid(ESME), digital_signing_certificate=ds, certification_path_certificates=ca)


def test_roles_duis_cannot_name_are_refused():
    ds, ca = _load_controller(RemotePartyRole.OTHER)
    with pytest.raises(DitError, match="OTHER has no DUIS RemotePartyRole"):
        requests.build("6.15.1", _rid(ESME), digital_signing_certificate=ds, certification_path_certificates=ca)


def test_organisation_certificate_is_not_a_device_certificate(smki):
    with pytest.raises(DitError, match="organisation certificate"):
        requests.build("6.15.2", _rid(ESME), device_certificate=_cert(smki, SUPPLIER, DS))


@pytest.mark.parametrize("srv, params, message", [
    ("6.17", {"credential_type": PP_KA}, "no .* credential"),
    ("6.24.2", {"credential_type": "Prepayment"}, "no 'Prepayment' credential"),
    ("6.24.1", {"remote_party_roles": "Shipper"}, "unknown RemotePartyRole 'Shipper'"),
    ("6.24.1", {"remote_party_roles": ["Supplier", "supplier"]}, "twice"),
    ("6.24.1", {"remote_party_roles": []}, "at least one"),
    ("6.15.2", {"device_certificate": "bm90IGEgY2VydGlmaWNhdGU="}, "not an X.509 certificate"),
    ("6.15.2", {}, "device_certificate"),
])
def test_bad_parameters_are_refused(srv, params, message):
    with pytest.raises(DitError, match=message):
        requests.build(srv, _rid(ESME), **params)


@pytest.mark.parametrize("params, message", [
    ({"supplier_floor_seq_number": -1}, "supplier_floor_seq_number must be an integer"),
    ({"supplier_floor_seq_number": 2**63}, "from 0 to 9223372036854775807"),
    ({"supplier_prepayment_top_up_floor_seq_number": "0"}, "must be an integer"),
    ({"import_mpxn": "13123456783330"}, "1 to 13 characters"),
    ({"import_mpxn": " "}, "1 to 13 characters"),
])
def test_bad_cos_parameters_are_refused(smki, params, message):
    with pytest.raises(DitError, match=message):
        requests.build("6.23", _rid(ESME), **{**_supplier_set(smki, SUPPLIER_B), "import_mpxn": IMPORT_MPXN,
                                              **params})
