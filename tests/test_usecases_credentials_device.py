"""The device side of the security credential and firmware use cases (CS02a/f, CS02b/g, CS02c, CS02d, CS02e,
CS06, ECS52, GCS38, CS08): what the device models state in MMC names is what their answers parse to, the
6.17 certification request is the RTDS device's, and through a lab the User reads every value from the MMC
of the device's real ASN.1, DLMS or GBZ answer."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from pathlib import Path

import pytest
import rtds
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from harness.catalogue import DeviceType, RemotePartyRole
from harness.duis import requests, xml
from harness.duis.examples import DEVICES, SUPPLIER_A
from harness.duis.request_id import RequestId
from harness.errors import DitError
from harness.eui import EntityId
from harness.gbcs import asn1
from harness.gbcs.axdr import PayloadError
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning
from harness.lab import parameters as params
from harness.lab.procedures import Procedures
from harness.pki import KeyUsage
from harness.pki.certificates import device_certification_request, requested_key
from harness.usecases import DuisRequest, device, mmc, transform
from harness.usecases.credentials import (
    TrustAnchor,
    credential_details_outcome,
    device_certificate_outcome,
    replaced_cell,
    role_cells,
    trust_anchor_holder,
)
from harness.usecases.firmware_activation import activation_outcome, firmware_activated_alert
from harness.usecases.security import (
    ReplacementOutcome,
    certificate_updated_outcome,
    credentials_issued_outcome,
    credentials_not_issued_outcome,
    credentials_outcome,
    credentials_updated_alert,
    mmc_entries,
    parsed_values,
)

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
ESME, GSME, PPMID = DEVICES[DeviceType.ESME], DEVICES[DeviceType.GSME], DEVICES[DeviceType.PPMID]
SUPPLIER = EntityId("90-B3-D5-1F-30-01-00-00")
IS = "the Import Supplier"


def _command(srv: str, target: EntityId, device_type: DeviceType, **request_params) -> device.DeviceCommand:
    built = requests.build(srv, RequestId(SUPPLIER_A, target, 1000), **request_params)
    apdu = transform(DuisRequest.parse(xml.serialize(built), srv), device_type=device_type, now=NOW).apdu
    return device.read(apdu, device_type, now=NOW)[0]


def _rtds_command(conformance, name: str) -> device.DeviceCommand:
    apdu = rtds.message(rtds.rtds_file(conformance, name)).apdu
    return device.read(apdu, DeviceType.ESME, now=NOW)[0]


def _answered(command: device.DeviceCommand, outcome: dict, srv: str, mmc_schema) -> dict:
    """The MMC values of the device's answer to the command, as the User's Parse reads them (valid MMC)."""
    apdu = command.apdu
    response = GeneralSigning(CraFlag.RESPONSE, apdu.originator_counter, apdu.recipient, apdu.originator,
                              apdu.message_code, device.answer(command, outcome))
    document, notes = mmc.parse(GbcsMessage(response, None), srv=srv)
    assert mmc_schema.errors(document) == [] and notes == []
    return mmc.values(document)


def _csr(eui: EntityId = ESME, usage: KeyUsage = KeyUsage.DIGITAL_SIGNING) -> bytes:
    key = ec.derive_private_key(7, ec.SECP256R1())
    return device_certification_request(eui, usage, key).public_bytes(Encoding.DER)


def _cell(role: str, kind: str, status: str, old: str, new: str) -> ReplacementOutcome:
    return ReplacementOutcome(role, kind, status, old, b"\x01" * 8, new, (b"\x02" if new != old else b"\x01") * 8)


# -- what a device model states is what its answer parses to ------------------------------------------------------

def test_what_the_credential_models_state_their_answers_parse_to(conformance, mmc_schema):
    cs02b = _rtds_command(conformance, "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX")
    acb, unknown = "90-B3-D5-1F-30-00-00-02", "00-00-00-00-00-00-00-00"
    placed = _cell("supplier", "DigitalSigning", "success", acb, SUPPLIER.duis)
    missing = _cell("supplier", "KeyAgreementTopUp", "trustAnchorNotFound", unknown, unknown)
    outcomes = [
        credentials_outcome("CS02bSupplierBySupplier", counter=1000, mode="SupplierBySupplier", role=2, floor=0,
                            top_up_floor=0, outcomes=[placed, missing]),
        credentials_outcome("CS02bSupplierBySupplier", counter=1001, mode="SupplierBySupplier", role=2, floor=None,
                            top_up_floor=None, outcomes=[placed]),
        {"Result": "Success"}]                                                  # accepted, future dated
    for outcome in outcomes:
        assert _answered(cs02b, outcome, "6.15.1", mmc_schema) == outcome
    assert outcomes[0]["Result"] == "Failure"            # one cell the device does not have fails the response
    assert [e["StatusCode/ASN1Status"] for e in mmc_entries(outcomes[0], "ExecutionOutcome/ReplacementOutcome")] == \
        ["success", "trustAnchorNotFound"]
    assert len(mmc_entries(outcomes[1], "ExecutionOutcome/ReplacementOutcome")) == 1      # unnumbered when alone

    cs02c = _rtds_command(conformance, "CS02c_6.17_SUCCESS_COMMAND_GBCS.HEX")
    for outcome in (credentials_issued_outcome(_csr()), credentials_not_issued_outcome("invalidKeyUsage")):
        assert _answered(cs02c, outcome, "6.17", mmc_schema) == outcome
    cs02d = _rtds_command(conformance, "CS02d_6.15.2_SUCCESS_COMMAND_GBCS.HEX")
    for status in ("success", "wrongDeviceIdentity", "noCorrespondingKeyPairGenerated", "wrongPublicKey"):
        outcome = certificate_updated_outcome(status)
        assert _answered(cs02d, outcome, "6.15.2", mmc_schema) == outcome
        assert outcome["Result"] == ("Success" if status == "success" else "Failure")


def test_a_credential_details_answer_keeps_each_roles_cells_in_the_order_asked(mmc_schema, smki):
    command = _command("6.24.1", ESME, DeviceType.ESME, remote_party_roles=["Supplier", "NetworkOperator"])
    anchors = [TrustAnchor("supplier", "success", 7, kind, SUPPLIER, bytes([n]) * 8)
               for n, kind in enumerate(("DigitalSigning", "KeyAgreement", "KeyAgreementTopUp"), 1)]
    anchors.append(TrustAnchor("networkOperator", "trustAnchorNotFound", None, None, None, None))
    outcome = credential_details_outcome(anchors)
    assert _answered(command, outcome, "6.24.1", mmc_schema) == outcome
    assert trust_anchor_holder(outcome, "Supplier", "KeyAgreementTopUp") == SUPPLIER.duis
    assert trust_anchor_holder(outcome, "NetworkOperator", "DigitalSigning") is None
    assert outcome["Result"] == "Failure"

    command = _command("6.24.2", ESME, DeviceType.ESME, credential_type="Key Agreement")
    der = smki.keystore.credential(ESME, KeyUsage.KEY_AGREEMENT).certificate.public_bytes(Encoding.DER)
    for outcome in (device_certificate_outcome(der), device_certificate_outcome(None, "noCertificateHeld")):
        assert _answered(command, outcome, "6.24.2", mmc_schema) == outcome


def test_what_the_firmware_models_state_their_answers_parse_to(conformance, mmc_schema):
    cs06 = _rtds_command(conformance, "CS06_11.3_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX")
    for outcome in (activation_outcome("success", "00040001"), activation_outcome("hashMismatch", "00030002"),
                    {"Result": "Success"}):
        assert _answered(cs06, outcome, "11.3", mmc_schema) == outcome
    for target, device_type in ((ESME, DeviceType.ESME), (GSME, DeviceType.GSME), (PPMID, DeviceType.PPMID)):
        command = _command("11.2", target, device_type)
        outcome = {"Result": "Success", "FirmwareVersion": "00040001"}
        assert _answered(command, outcome, "11.2", mmc_schema) == outcome, device_type
        assert _answered(command, {"Result": "Failure"}, "11.2", mmc_schema) == {"Result": "Failure"}, device_type


# -- the future-dated outcome alerts: FDA-CS02b (0x00CB), FDA-CS02g (0x0124), FDA-CS06 (0x00CA) --------------------

FDA_BUILDERS = {0x00CB: credentials_updated_alert, 0x0124: credentials_updated_alert, 0x00CA: firmware_activated_alert}


def _future_dated_outcome_alerts(conformance) -> list[tuple[Path, Path]]:
    """(alert, the command it reports) for every ASN.1 future-dated outcome alert of the RTDS: a 0x8F66 reports
    its folder's FUTURE_DATED_SUCCESS command, a 0x8F67 its FUTURE_DATED_ERROR one."""
    found = []
    for path in sorted((conformance / "gbcs" / "rtds").rglob("*_8F6[67]_FUTURE_DATED_*ALERT*_GBCS.HEX")):
        if rtds.message(path).apdu.message_code in FDA_BUILDERS:
            case = "SUCCESS" if "_8F66_" in path.name else "ERROR"
            (command,) = path.parent.glob(f"*_FUTURE_DATED_{case}_COMMAND_GBCS.HEX")
            found.append((path, command))
    return found


def _stated_outcome(command: device.DeviceCommand, alert_value: dict) -> dict:
    """What the device's handler states when the command comes due: the alert's execution outcome in the names of
    the use case's response (the outcome contract), as credentials_outcome and activation_outcome make it."""
    if command.use_case == "CS06":
        response = asn1.Asn1Payload("ActivateFirmwareResponse", ("executionOutcome", alert_value["executionOutcome"]))
    else:
        response = asn1.Asn1Payload("UpdateSecurityCredentialsResponse",
                                    {"commandAccepted": None, "executionOutcome": alert_value["executionOutcome"]},
                                    True)
    return parsed_values(command.use_case, response)


def test_the_future_dated_outcome_alerts_are_the_rtds_ones_byte_for_byte(conformance, mmc_schema):
    """Each RTDS FDA-CS02b/CS02g/CS06 alert is what the device builds from the command of its folder and the outcome
    its handler states, with the alert code execute_when_due picks from it; the RTDS frames them as the emulated
    device does (signed, to the command's originator: TransCoS for 6.23, the time in the payload only), and they
    parse to valid MMC."""
    pairs = _future_dated_outcome_alerts(conformance)
    if not pairs:
        pytest.skip("no RTDS ASN.1 future-dated outcome alert")
    assert {p.parent.name for p, _ in pairs} == {"6.15.1_CS02bSupplierBySupplier", "6.23_CS02bSupplierByTransCoS",
                                                  "6.15.1_CS02gLoadControllerBySupplier", "11.3_CS06"}
    for alert_path, command_path in pairs:
        alert, apdu = rtds.message(alert_path), rtds.message(command_path).apdu
        command = device.read(apdu, DeviceType.ESME, now=NOW)[0]
        value = asn1.decode(alert.apdu.payload, alert.apdu.message_code, int(CraFlag.ALERT)).value
        outcome = _stated_outcome(command, value)
        code = 0x8F66 if device.succeeded(outcome) else 0x8F67
        assert code == value["alertCode"], alert_path.name
        built = FDA_BUILDERS[alert.apdu.message_code](command, code, outcome)
        assert built == alert.apdu.payload, alert_path.name
        header = alert.apdu
        assert (header.signature is not None, header.recipient, header.date_time) == (True, apdu.originator, None), \
            alert_path.name
        answered = dataclasses.replace(alert, apdu=dataclasses.replace(header, payload=built))
        document, notes = mmc.parse(answered, srv=rtds.NAME.match(alert_path.name)["sr"])
        assert mmc_schema.errors(document) == [] and notes == [], alert_path.name
        assert document.findtext(f".//{{{mmc.RA}}}GBCSHexAlertCode") == f"{code:04X}"


def test_an_outcome_alert_is_only_for_a_future_dated_command(conformance):
    for name, build in (("CS06_11.3_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX", firmware_activated_alert),
                        ("CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX",
                         credentials_updated_alert)):
        with pytest.raises(PayloadError, match="not a future-dated"):
            build(_rtds_command(conformance, name), 0x8F66, {"Result": "Success"})


# -- 6.17: the device's certification request, and what SMKI makes of it --------------------------------------------

def test_the_certification_request_is_the_rtds_devices_but_for_the_key(conformance):
    rtds_request = base64.b64decode(mmc.values(mmc.parse(rtds.message(rtds.rtds_file(
        conformance, "CS02c_6.17_SUCCESS_RESPONSE_GBCS.HEX")))[0])["CertificationRequest"])
    ours = _csr(EntityId("00-DB-12-34-56-78-90-A0"))
    theirs, mine = x509.load_der_x509_csr(rtds_request), x509.load_der_x509_csr(ours)
    assert mine.subject == theirs.subject and list(mine.extensions) == list(theirs.extensions)
    assert mine.tbs_certrequest_bytes[:12] == theirs.tbs_certrequest_bytes[:12]           # version, empty subject
    assert mine.tbs_certrequest_bytes[-90:] == theirs.tbs_certrequest_bytes[-90:]         # the extension request
    assert requested_key(rtds_request, EntityId("00-DB-12-34-56-78-90-A0"), KeyUsage.DIGITAL_SIGNING) == \
        theirs.public_key()


def test_smki_certifies_only_a_request_signed_for_the_device_and_usage_it_names(smki):
    from harness.pki.repository import SmkiRepository
    repository = SmkiRepository(smki)
    cert = repository.certify_request(ESME, KeyUsage.DIGITAL_SIGNING, _csr())
    assert cert.public_key() == x509.load_der_x509_csr(_csr()).public_key() and cert in repository.issued
    tampered = bytearray(_csr())
    tampered[-5] ^= 0x01
    p384 = device_certification_request(ESME, KeyUsage.DIGITAL_SIGNING, ec.derive_private_key(7, ec.SECP384R1()))
    for request, reason in ((_csr(GSME), "names device"), (_csr(usage=KeyUsage.KEY_AGREEMENT), "not for a digital"),
                            (bytes(tampered), "not signed"), (p384.public_bytes(Encoding.DER), "not a P-256 key"),
                            (b"\x30\x00", "")):
        with pytest.raises(DitError, match=f"SMKI refuses the certification request.*{reason}"):
            repository.certify_request(ESME, KeyUsage.DIGITAL_SIGNING, request)


# -- through a lab: the User reads the device's real answers ---------------------------------------------------------

def _commissioned(lab) -> None:
    Procedures(lab, lambda exchange: exchange).install_and_commission(IS, "ESME")


def test_a_rekey_goes_through_the_devices_certification_request(lab):
    _commissioned(lab)
    esme, user = lab.device("ESME"), lab.user(IS)
    issued = user.send("6.17", esme.eui, credential_type="Digital Signature")
    request = base64.b64decode(issued.device_fields["CertificationRequest"])
    assert any(e.kind == "mmc" for e in issued.evidence)               # parsed from the device's ASN.1 answer
    new_key = requested_key(request, esme.eui, KeyUsage.DIGITAL_SIGNING)
    assert new_key.public_numbers() == esme.pending_keys[KeyUsage.DIGITAL_SIGNING].public_key().public_numbers()
    cert = lab.certificate_from_smki(esme.eui, KeyUsage.DIGITAL_SIGNING, request)
    updated = user.send("6.15.2", esme.eui, device_certificate=cert)
    assert updated.device_fields == {"Result": "Success", "UpdateSecurityCredentialsResponseCode@ResponseCode": "0",
                                     "UpdateSecurityCredentialsResponseCode/ASN1Status": "success"}
    read = user.send("6.24.2", esme.eui, credential_type="Digital Signature")
    assert base64.b64decode(read.device_fields["Certificate"]) == cert.public_bytes(Encoding.DER)
    assert read.device_signature == "valid"
    again = user.send("6.15.2", esme.eui, device_certificate=cert)          # no key pair waits for it now
    assert again.device_fields["UpdateSecurityCredentialsResponseCode/ASN1Status"] == \
        "noCorrespondingKeyPairGenerated"


def test_the_trust_anchors_read_back_name_each_cells_holder_and_sequence_number(lab):
    _commissioned(lab)
    esme, user = lab.device("ESME"), lab.user(IS)
    read = user.send("6.24.1", esme.eui, remote_party_roles=["Supplier", "NetworkOperator", "LoadController"])
    entries = mmc_entries(read.device_fields, "RemotePartyDetails")
    assert [(e.get("RemotePartyRole"), e.get("CertificateUsage")) for e in entries] == [
        ("Supplier", "DigitalSigning"), ("Supplier", "KeyAgreement"), ("Supplier", "KeyAgreementTopUp"),
        ("NetworkOperator", "DigitalSigning"), ("NetworkOperator", "KeyAgreement"), ("LoadController", None)]
    assert {e["ExistingRemotePartyID"] for e in entries[:3]} == {user.eui.duis}
    assert int(entries[0]["RemotePartyFloorSeqNumber"]) == esme.counters[user.eui]     # its last accepted counter
    assert entries[5]["StatusCode/ASN1Status"] == "trustAnchorNotFound" and read.device_fields["Result"] == "Failure"


def test_after_cos_the_gaining_supplier_is_in_every_supplier_cell_and_its_critical_commands_run(lab):
    """6.23 (SEC CoS guidance, diagram 1): the meter's answer names, cell by cell, the losing supplier it replaced
    and the gaining one now there; 6.24.1 reads the gaining supplier back in each Supplier cell; its critical SR
    runs on the meter."""
    _commissioned(lab)
    esme, losing, gaining = lab.device("ESME"), lab.user("Supplier A"), lab.user("Supplier B")
    lab.register("Import Supplier", "Supplier B")
    cos = Procedures(lab, lambda exchange: exchange).send("Supplier B", "6.23", "ESME", certificates="Supplier B")
    ds = replaced_cell(cos.device_fields, "Supplier", "DigitalSigning")
    assert ds is not None and ds[:2] == ("success", gaining.eui.duis)
    assert mmc_entries(cos.device_fields, "ExecutionOutcome/ReplacementOutcome")[0]["ExistingRemotePartyID"] == \
        losing.eui.duis
    read = gaining.send("6.24.1", esme.eui, remote_party_roles=["Supplier"])
    assert {usage: holder for usage, (holder, _) in role_cells(read.device_fields, "Supplier").items()} == \
        dict.fromkeys(("DigitalSigning", "KeyAgreement", "KeyAgreementTopUp"), gaining.eui.duis)
    assert Procedures(lab, lambda exchange: exchange).send("Supplier B", "1.6", "ESME", payment_mode="credit").succeeded


def test_a_future_dated_credentials_update_is_held_then_reported_and_can_be_cancelled(lab):
    _commissioned(lab)
    esme, user = lab.device("ESME"), lab.user(IS)
    lab.repository.renew_organisation(user.eui)
    renewed = params.certificates(lab, "the Import Supplier's renewed certificates", DeviceType.ESME)
    held = user.send("6.15.1", esme.eui, execution_date_time=lab.now() + dt.timedelta(hours=1),
                     remote_party_role="Supplier", **renewed)
    assert held.device_fields == {"Result": "Success"} and esme.future_dated[0]["UseCase"] == "CS02bSupplierBySupplier"
    cancelled = user.send("6.15.1", esme.eui, execution_date_time=dt.datetime(3000, 12, 31, tzinfo=dt.UTC),
                          remote_party_role="Supplier", **renewed)
    assert cancelled.device_fields == {"Result": "Success"} and esme.future_dated == []
    again = user.send("6.15.1", esme.eui, execution_date_time=lab.now() + dt.timedelta(hours=1),
                      remote_party_role="Supplier", **renewed)
    assert again.succeeded
    assert user.wait_for_alert("8F66", device=esme.eui, timeout=2 * 3600) is not None
    cell = esme.trust.cell(RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING)
    renewed_key = lab.repository.renewed(user.eui)[KeyUsage.DIGITAL_SIGNING].public_key
    assert cell.public_key.public_numbers() == renewed_key.public_numbers()
