"""Security credentials (CS02b, CS02g, CS02c, CS02d and their FDA-CS02b / FDA-CS02g alerts), joins and unjoins
(CS03x, CS04x), firmware activation (CS06, FDA-CS06), the GSME commissioning clock (GCS28Commission) and the
GPF Device Log restore (GCS59): the DSP's Transform against the RTDS commands, and the User's Parse of the
RTDS responses and alerts into MMC."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt

import pytest
import rtds
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree

from harness.catalogue import DeviceType
from harness.eui import EntityId
from harness.gbcs import asn1
from harness.gbcs.axdr import PayloadError
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning
from harness.pki import KeyUsage
from harness.pki.certificates import entity_id_of
from harness.usecases import DuisRequest, TransformError, joins, parse, transform

SECURITY = ("CS02bSupplierBySupplier", "CS02bNOByNO", "CS02gLoadControllerBySupplier",
            "CS02bSupplierBySupplierHandover", "CS02bNOByNOHandover", "CS02bSupplierByTransCoS", "CS02c", "CS02d")
JOINS = ("CS03A1", "CS03A2Critical", "CS03CCritical", "CS03A2NonCritical", "CS03B", "CS03CNonCritical",
         "CS04ACCritical", "CS04ACNonCritical", "CS04B", "GCS28Commission", "GCS59")
USE_CASES = SECURITY + JOINS + ("CS06",)
NOW = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)     # the RTDS's DSP clock
RA = {"ra": "http://www.dccinterface.co.uk/ResponseAndAlert"}
SR = "{http://www.dccinterface.co.uk/ServiceUserGateway}"

D = DeviceType
# The DSP's Smart Metering Inventory of the RTDS devices: what a join's use case and payload need.
INVENTORY = {"00-DB-12-34-56-78-90-A0": D.ESME, "00-DB-12-34-56-78-90-A1": D.GSME, "00-DB-12-34-56-78-90-A3": D.GPF,
             "00-DB-12-34-56-78-90-A4": D.PPMID, "00-DB-12-34-56-78-90-A5": D.HCALCS, "00-DB-12-34-56-78-90-93": D.ESME,
             "00-DB-12-34-56-78-90-94": D.GSME, "00-DB-12-34-56-78-90-98": D.PPMID,
             "00-DB-12-34-56-78-90-9A": D.HCALCS, "00-DB-12-34-56-78-90-9C": D.GPF}
OLD_GPF = EntityId("00-DB-12-34-56-78-90-B3")
# What the DSP holds of the old GPF's Device Log (its last GCS62 backup), for GCS59.
OLD_GPF_LOG = [{"deviceId": bytes(EntityId("00-11-22-33-44-55-66-77")), "deviceType": 5},
               {"deviceId": bytes(EntityId("88-99-AA-BB-CC-DD-EE-FF")), "deviceType": 6}]

_REISSUED = {f"replacements[*].replacementCertificate.{f}"
             for f in ("serialNumber", "notBefore", "notAfter", "sha256Fingerprint")}
# RTDS commands made from another request than the template beside it: the fields (of the decoded payloads)
# that differ. The Transform stays true to the request.
DISAGREEING = {
    # The templates carry the same parties' certificates (same subject, key and issuer) re-issued in 2025.
    **{name: _REISSUED for name in (
        "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
        "CS02bSupplierBySupplier_6.15.1_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML",
        "CS02bSupplierBySupplier_6.15.1_CANCELLATION_SUCCESS_REQUEST_DUIS.XML",
        "CS02bNOByNO_6.15.1_SUCCESS_REQUEST_DUIS.XML", "CS02bSupplierBySupplierHandover_6.21_SUCCESS_REQUEST_DUIS.XML",
        "CS02bNOByNOHandover_6.21_SUCCESS_REQUEST_DUIS.XML",
        "CS02bSupplierByTransCoS_6.23_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
        "CS02bSupplierByTransCoS_6.23_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML")},
    # ... and the RTDS cancellation leaves out the new supplier's floor sequence numbers the template gives.
    "CS02bSupplierByTransCoS_6.23_CANCELLATION_SUCCESS_REQUEST_DUIS.XML": _REISSUED | {
        f"authorisingRemotePartyControl.otherRemotePartySeqNumberChanges[*].{f}" for f in (
            "remotePartyRole", "floorSeqNumber", "specialistFloorSeqNumbers[*].seqNumberUsage",
            "specialistFloorSeqNumbers[*].seqNumber")},
    # The templates carry the load controller's certificates (90-B3-D5-1F-30-01-00-08), the RTDS the supplier's.
    **{f"CS02gLoadControllerBySupplier_6.15.1_{case}_SUCCESS_REQUEST_DUIS.XML": {
        f"replacements[*].replacementCertificate.{f}" for f in (
            "subject", "subjectEntityId", "remotePartyRole", "serialNumber", "notBefore", "notAfter",
            "subjectKeyIdentifier", "sha256Fingerprint")} for case in ("IMMEDIATE", "FUTURE_DATED", "CANCELLATION")},
    # The RTDS carries an older issue (issuer CN=0001) of the PPMID's KA certificate, the keystore (SMKI) 2016's.
    "CS03CCritical_8.7.1_SUCCESS_REQUEST_DUIS.XML": {
        f"otherDeviceKeyAgreementCertificate.{f}" for f in (
            "issuer", "serialNumber", "notBefore", "authorityKeyIdentifier", "sha256Fingerprint")},
    # The RTDS carries the KA certificate of 00-DB-12-34-56-78-90-A1, not of the GSME the request names (94).
    "CS03CNonCritical_8.7.2_SUCCESS_REQUEST_DUIS.XML": {
        f"otherDeviceKeyAgreementCertificate.{f}" for f in ("subjectEntityId", "serialNumber", "subjectKeyIdentifier",
                                                            "sha256Fingerprint")},
}










def _ka_certificate(keystore, device: str) -> bytes | None:
    found = keystore.find(device, KeyUsage.KEY_AGREEMENT)
    return None if found is None else found.certificate.public_bytes(serialization.Encoding.DER)


def _gcs62() -> GbcsMessage:
    """The old GPF's backup alert the DSP received."""
    payload = asn1.encode("GPFDeviceLogBackupAlert", {"alertCode": 0x8F84, "backupDateTime": dt.datetime(2014, 12, 1),
                                                      "deviceLogEntries": OLD_GPF_LOG})
    return GbcsMessage(GeneralSigning(cra_flag=CraFlag.ALERT, originator_counter=1, originator=OLD_GPF,
                                      recipient=EntityId("90-B3-D5-1F-30-00-00-02"), message_code=0x00B2,
                                      payload=payload))


def _transform(request: DuisRequest, keystore, counter: int | None = None, **records):
    """The Transform with the DSP's records of the RTDS devices."""
    other = request.text("OtherDeviceID")
    defaults = {"device_type": INVENTORY.get(request.target.duis), "other_device_type": INVENTORY.get(other or ""),
                "other_device_ka_certificate": _ka_certificate(keystore, other) if other else None,
                "gpf_device_log": joins.gpf_device_log_backup(_gcs62())}
    return transform(request, now=NOW, dsp_counter=counter, **{**defaults, **records})


def _paths(view, prefix: str = ""):
    if isinstance(view, dict):
        for key, value in view.items():
            yield from _paths(value, f"{prefix}.{key}" if prefix else key)
    elif isinstance(view, list):
        for value in view:
            yield from _paths(value, f"{prefix}[*]")
    else:
        yield prefix, view


def _differences(mine: GeneralSigning, theirs: GeneralSigning) -> set[str]:
    """The fields (list indices as [*]) whose values differ between two payloads of one message code."""
    a = sorted(_paths(asn1.decode(mine.payload, mine.message_code, 1).fields()))
    b = sorted(_paths(asn1.decode(theirs.payload, theirs.message_code, 1).fields()))
    return {path for path, _ in set(a) ^ set(b)}


# -- Transform ------------------------------------------------------------------------------------------

def test_every_template_transforms_to_the_rtds_command(conformance, conformance_keystore):
    templates = rtds.templates(conformance, USE_CASES)
    assert len(templates) >= 28
    matched = 0
    for template in templates:
        command = rtds.command(conformance, template)
        assert command is not None, template.name
        expected = rtds.message(command).apdu
        out = _transform(rtds.request(template), conformance_keystore, expected.originator_counter)
        assert out.use_case == rtds.NAME.match(template.name)["uc"], template.name
        mine = out.apdu
        assert (mine.originator, mine.recipient, mine.originator_counter, mine.message_code,
                mine.supplementary_remote_party, mine.supplementary_remote_party_counter) == (
            expected.originator, expected.recipient, expected.originator_counter, expected.message_code,
            expected.supplementary_remote_party, expected.supplementary_remote_party_counter), template.name
        if template.name in DISAGREEING:
            assert _differences(mine, expected) == DISAGREEING[template.name], template.name
        else:
            assert mine.payload == expected.payload, template.name
            matched += 1
    assert matched == len(templates) - len(DISAGREEING)


def test_a_cs02b_command_carries_the_requests_certificates_into_the_parties_cells(conformance, conformance_keystore):
    request = rtds.template(conformance, "CS02bSupplierByTransCoS_6.23_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML")
    value = asn1.decode(_transform(request, conformance_keystore, 6001).apdu.payload, 0x0107, 1).value
    certificates = request.find("SupplierReplacementCertificates")
    sent = [base64.b64decode("".join(node.itertext())) for node in certificates]
    assert [r["replacementCertificate"] for r in value["replacements"]] == sent
    assert [(r["targetTrustAnchorCell"]["trustAnchorCellKeyUsage"], r["targetTrustAnchorCell"]["trustAnchorCellUsage"])
            for r in value["replacements"]] == [((b"\x80", 1), 0), ((b"\x08", 5), 0), ((b"\x08", 5), 1)]
    control = value["authorisingRemotePartyControl"]
    assert control["authorisingRemotePartyTACellIdentifier"]["trustAnchorCellRemotePartyRole"] == 5   # TransCoS
    assert control["authorisingRemotePartySeqNumber"] == 6001                # the Transitional CoS party's counter


def test_applying_time_based_checks_is_the_default_and_not_written(conformance, conformance_keystore):
    name = "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML"

    def control(request):
        payload = _transform(request, conformance_keystore).apdu.payload
        return asn1.decode(payload, 0x0102, 1).value["authorisingRemotePartyControl"]

    assert control(rtds.template(conformance, name))["applyTimeBasedCPVChecks"] == 1          # disapply
    assert "applyTimeBasedCPVChecks" not in control(
        rtds.template(conformance, name, rtds.set_text("ApplyTimeBasedCPVChecks", "true")))


def test_a_cancellation_is_the_command_again_for_9999(conformance, conformance_keystore):
    for name, code in (("CS06_11.3_CANCELLATION_SUCCESS_REQUEST_DUIS.XML", 0x0012),
                       ("CS02bSupplierBySupplier_6.15.1_CANCELLATION_SUCCESS_REQUEST_DUIS.XML", 0x0102)):
        payload = _transform(rtds.template(conformance, name), conformance_keystore).apdu.payload
        assert asn1.decode(payload, code, 1).value["executionDateTime"] == dt.datetime(9999, 12, 31, 23, 59, 59)


def test_a_join_follows_from_the_two_devices_types(conformance, conformance_keystore):
    request = rtds.template(conformance, "CS03A2NonCritical_8.7.2_SUCCESS_REQUEST_DUIS.XML")    # a PPMID's join
    assert _transform(request, conformance_keystore).use_case == "CS03A2NonCritical"
    with_gsme = _transform(request, conformance_keystore, other_device_type=D.GSME)
    assert with_gsme.use_case == "CS03CNonCritical"
    value = asn1.decode(with_gsme.apdu.payload, with_gsme.message_code, 1).value
    assert value["joinMethodAndRole"] == joins.METHOD_C and value["otherDeviceType"] == 0
    assert value["otherDeviceKeyAgreementCertificate"] == \
        _ka_certificate(conformance_keystore, "00-DB-12-34-56-78-90-93")
    # A GSME joins a GPF by method B, the User originating: a PPMID's joins are the ACB's.
    gsme = _transform(rtds.template(conformance, "CS03B_8.7.2_SUCCESS_REQUEST_DUIS.XML"), conformance_keystore)
    assert (gsme.use_case, gsme.apdu.originator, gsme.apdu.supplementary_remote_party) == (
        "CS03B", EntityId("90-B3-D5-1F-30-01-00-00"), None)
    assert with_gsme.apdu.supplementary_remote_party == EntityId("90-B3-D5-1F-30-01-00-00")


# -- Transform: what a request or the DSP's records must give ---------------------------------------------

def test_a_cs02b_request_without_a_certificate_is_refused_naming_it(conformance, conformance_keystore):
    name = "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML"
    with pytest.raises(TransformError, match="missing sr:ReplacementCertificates/"
                                             "sr:SupplierOrNetworkOperatorCertificates/sr:DigitalSigningCertificate"):
        _transform(rtds.template(conformance, name, rtds.drop("DigitalSigningCertificate")), conformance_keystore)
    with pytest.raises(TransformError, match="missing sr:CertificationPathCertificates/sr:Certificate"):
        _transform(rtds.template(conformance, name, rtds.drop("Certificate")), conformance_keystore)
    with pytest.raises(TransformError, match="sr:ReplacementCertificates/.*KeyAgreementCertificate: not a base64 DER"):
        _transform(rtds.template(conformance, name, rtds.set_text("KeyAgreementCertificate", "AAAA")),
                   conformance_keystore)
    # Without the top-up certificate, its cell is not replaced.
    value = asn1.decode(_transform(rtds.template(conformance, name, rtds.drop("KeyAgreementTopUpCertificate")),
                                   conformance_keystore).apdu.payload, 0x0102, 1).value
    assert len(value["replacements"]) == 2


def test_a_join_needs_the_dsps_records_of_the_other_device(conformance, conformance_keystore):
    request = rtds.template(conformance, "CS03A1_8.7.1_SUCCESS_REQUEST_DUIS.XML")
    with pytest.raises(TransformError, match="no device type for sr:OtherDeviceID 00-DB-12-34-56-78-90-9A"):
        _transform(request, conformance_keystore, other_device_type=None)
    with pytest.raises(TransformError, match="ESME joins a PPMID/HCALCS this way, not a GSME"):
        _transform(request, conformance_keystore, other_device_type=D.GSME)
    with pytest.raises(TransformError, match="method C join carries the KA certificate of 00-DB-12-34-56-78-90-98"):
        _transform(rtds.template(conformance, "CS03CCritical_8.7.1_SUCCESS_REQUEST_DUIS.XML"), conformance_keystore,
                   other_device_ka_certificate=None)
    with pytest.raises(TransformError, match="no GPF Device Log backup .* of the old GPF 00-DB-12-34-56-78-90-B3"):
        _transform(rtds.template(conformance, "GCS59_8.12.2_SUCCESS_REQUEST_DUIS.XML"), conformance_keystore,
                   gpf_device_log=None)
    with pytest.raises(TransformError, match="OldGPFID"):
        _transform(rtds.template(conformance, "GCS59_8.12.2_SUCCESS_REQUEST_DUIS.XML", rtds.drop("OldGPFID")),
                   conformance_keystore)
    # the backup the DSP holds is the old GPF's (B3): it is not restored to replace another GPF
    with pytest.raises(TransformError, match="no GPF Device Log backup .* of the old GPF 00-DB-12-34-56-78-90-B4"):
        _transform(rtds.template(conformance, "GCS59_8.12.2_SUCCESS_REQUEST_DUIS.XML",
                                 rtds.set_text("OldGPFID", "00-DB-12-34-56-78-90-B4")), conformance_keystore)


def test_an_activation_needs_a_32_byte_image_hash(conformance, conformance_keystore):
    name = "CS06_11.3_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML"
    with pytest.raises(TransformError, match="sr:FirmwareHash: expected a 32-byte"):
        _transform(rtds.template(conformance, name, rtds.set_text("FirmwareHash", "AA" * 16)), conformance_keystore)
    with pytest.raises(TransformError, match="missing sr:FirmwareHash"):
        _transform(rtds.template(conformance, name, rtds.drop("FirmwareHash")), conformance_keystore)
    with pytest.raises(TransformError, match="missing sr:TolerancePeriod"):
        _transform(rtds.template(conformance, "GCS28Commission_8.1.1_SUCCESS_REQUEST_DUIS.XML",
                                 rtds.drop("TolerancePeriod")), conformance_keystore)


# -- Parse ----------------------------------------------------------------------------------------------

def _parsed(conformance, keystore, name: str, srv: str | None = None) -> etree._Element:
    document, _ = parse(rtds.message(rtds.rtds_file(conformance, name)), keystore=keystore, srv=srv)
    return document


def test_every_response_and_alert_parses_to_valid_mmc(conformance, conformance_keystore, mmc_schema):
    answers = rtds.answers(conformance, USE_CASES)
    assert len(answers) >= 45
    for path in answers:
        srv = rtds.NAME.match(path.name)["sr"]
        for given in (None, srv):       # as `dit gbcs parse` does, and as the User who knows its request does
            document, _ = parse(rtds.message(path), keystore=conformance_keystore, srv=given)
            assert mmc_schema.errors(document) == [], path.name
            if given:
                assert document.findtext("ra:Header/ra:ServiceReferenceVariant", namespaces=RA) == srv
                content = document.find(".//ra:SMETSData/*", RA)
                if content is None:
                    content = document.find(".//ra:DeviceAlertContent/ra:Payload/*", RA)
                accepted = "RESPONSE" in path.name and ("FUTURE_DATED" in path.name or "CANCELLATION" in path.name)
                # every answer carries typed values, but an acceptance for future-dated execution
                assert content is not None and (len(content) > 0) != accepted, path.name


def test_the_sr_a_response_answers_follows_from_whom_the_device_answers(conformance, conformance_keystore):
    cases = {
        "CS02bSupplierBySupplierHandover_6.21_SUCCESS_RESPONSE_GBCS.HEX": "RequestHandoverOfDCCControlledDeviceRsp",
        "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS_RESPONSE_GBCS.HEX": "UpdateSecurityCredentialsKRPRsp",
        "CS03A2NonCritical_8.7.2_SUCCESS_RESPONSE_GBCS.HEX": "JoinServiceNonCriticalRsp",
        "CS03A2Critical_8.7.1_SUCCESS_RESPONSE_GBCS.HEX": "JoinServiceCriticalRsp",
        "CS04ACNonCritical_8.8.2_SUCCESS_RESPONSE_GBCS.HEX": "UnjoinServiceNonCriticalRsp"}
    for name, element in cases.items():
        document = _parsed(conformance, conformance_keystore, name)
        assert document.find(f".//ra:SMETSData/ra:{element}", RA) is not None, name
    alert = _parsed(conformance, conformance_keystore,
                    "CS02bSupplierByTransCoS_6.23_8F66_FUTURE_DATED_SUCCESS_ALERT_GBCS.HEX")
    assert alert.findtext("ra:Header/ra:ServiceReferenceVariant", namespaces=RA) == "6.23"


def _outcomes(document: etree._Element) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(role, certificate type) -> (status, new party's entity id, new certificate's key identifier hex)."""
    return {(o.findtext("ra:RemotePartyRole", namespaces=RA), o.findtext("ra:CertificateType", namespaces=RA)): (
        o.findtext("ra:StatusCode/ra:ASN1Status", namespaces=RA), o.findtext("ra:NewRemotePartyID", namespaces=RA),
        base64.b64decode(o.findtext("ra:NewCertificateHash", namespaces=RA)).hex().upper())
        for o in document.iterfind(".//ra:ReplacementOutcome", RA)}


def _requested(request: DuisRequest) -> dict[tuple[str, str], tuple[str, str, str]]:
    """What the request puts in which cell: (role, certificate type) -> (success, entity id, key identifier)."""
    role = request.text("RemotePartyRole") or "Supplier"          # 6.23 replaces the supplier's
    out = {}
    for kind, element in (("DigitalSigning", "DigitalSigningCertificate"), ("KeyAgreement", "KeyAgreementCertificate"),
                          ("KeyAgreementTopUp", "KeyAgreementTopUpCertificate")):
        node = next(request.body.iter(f"{SR}{element}"), None)
        if node is not None:
            cert = x509.load_der_x509_certificate(base64.b64decode("".join(node.itertext())))
            key_id = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest.hex().upper()
            out[(role, kind)] = ("success", entity_id_of(cert).duis, key_id)
    return out


# The answers that report the execution of a template's command, cell by cell.
READ_BACKS = {
    "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS_RESPONSE_GBCS.HEX":
        "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
    "CS02bSupplierBySupplier_6.15.1_8F66_FUTURE_DATED_SUCCESS_ALERT_GBCS.HEX":
        "CS02bSupplierBySupplier_6.15.1_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML",
    "CS02bNOByNO_6.15.1_SUCCESS_RESPONSE_GBCS.HEX": "CS02bNOByNO_6.15.1_SUCCESS_REQUEST_DUIS.XML",
    "CS02bSupplierBySupplierHandover_6.21_SUCCESS_RESPONSE_GBCS.HEX":
        "CS02bSupplierBySupplierHandover_6.21_SUCCESS_REQUEST_DUIS.XML",
    "CS02bNOByNOHandover_6.21_SUCCESS_RESPONSE_GBCS.HEX": "CS02bNOByNOHandover_6.21_SUCCESS_REQUEST_DUIS.XML",
    "CS02bSupplierByTransCoS_6.23_IMMEDIATE_SUCCESS_RESPONSE_GBCS.HEX":
        "CS02bSupplierByTransCoS_6.23_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML",
    "CS02bSupplierByTransCoS_6.23_8F66_FUTURE_DATED_SUCCESS_ALERT_GBCS.HEX":
        "CS02bSupplierByTransCoS_6.23_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML",
}


def test_the_trust_anchors_a_cs02b_reports_are_the_certificates_its_command_carried(conformance, conformance_keystore):
    for answer, template in READ_BACKS.items():
        document = _parsed(conformance, conformance_keystore, answer)
        assert _outcomes(document) == _requested(rtds.template(conformance, template)), answer
    # After Change of Supplier the supplier cells hold the new supplier's certificates (90-B3-D5-1F-30-03-00-00).
    cos = _outcomes(_parsed(conformance, conformance_keystore,
                            "CS02bSupplierByTransCoS_6.23_IMMEDIATE_SUCCESS_RESPONSE_GBCS.HEX"))
    assert {entity for _, entity, _ in cos.values()} == {"90-B3-D5-1F-30-03-00-00"} and len(cos) == 3


def test_a_failed_replacement_says_which_cell_and_keeps_the_old_certificate(conformance, conformance_keystore):
    document = _parsed(conformance, conformance_keystore,
                       "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_ERROR_RESPONSE_GBCS.HEX")
    assert document.find(".//ra:UpdateSecurityCredentialsKRPRsp", RA).get("MessageSuccess") == "false"
    failed = [o for o in document.iterfind(".//ra:ReplacementOutcome", RA)
              if o.findtext("ra:StatusCode/ra:ASN1Status", namespaces=RA) != "success"]
    assert len(failed) == 1 and failed[0].findtext("ra:CertificateType", namespaces=RA) == "KeyAgreement"
    assert failed[0].find("ra:StatusCode", RA).get("ResponseCode") == "10"                 # noTrustAnchor
    assert failed[0].findtext("ra:ExistingCertificateHash", namespaces=RA) == \
        failed[0].findtext("ra:NewCertificateHash", namespaces=RA)
    accepted = _parsed(conformance, conformance_keystore,
                       "CS02bSupplierBySupplier_6.15.1_FUTURE_DATED_SUCCESS_RESPONSE_GBCS.HEX")
    rsp = accepted.find(".//ra:UpdateSecurityCredentialsKRPRsp", RA)
    assert rsp.get("MessageSuccess") == "true" and len(rsp) == 0       # accepted: the outcome comes in the alert


def test_the_future_dated_outcome_alerts_carry_their_execution(conformance, conformance_keystore):
    alert = _parsed(conformance, conformance_keystore,
                    "CS02gLoadControllerBySupplier_6.15.1_8F67_FUTURE_DATED_ERROR_ALERT_GBCS.HEX")
    content = alert.find(".//ra:DeviceAlertContent", RA)
    assert (content.findtext("ra:GBCSHexAlertCode", namespaces=RA),
            content.findtext("ra:Timestamp", namespaces=RA)) == ("8F67", "2030-01-15T00:00:00Z")
    outcome = content.find("ra:Payload/ra:FutureDatedCommandOutcomeDeviceAlert/ra:UpdateSecurityCredentialsDeviceAlert/"
                           "ra:UpdateSecurityCredentialsExecutionOutcome", RA)
    assert outcome.findtext("ra:CredentialsReplacementMode", namespaces=RA) == "LoadControllerBySupplier"
    assert outcome.findtext("ra:AuthorisingRemotePartyOriginatorCounter", namespaces=RA) == "1004"
    assert {o.findtext("ra:RemotePartyRole", namespaces=RA) for o in outcome.iterfind("ra:ReplacementOutcome", RA)} == {
        "LoadController"}
    # The firmware activation alert names the command by the counter the request gave it.
    request = rtds.template(conformance, "CS06_11.3_FUTURE_DATED_SUCCESS_REQUEST_DUIS.XML")
    fw = _parsed(conformance, conformance_keystore, "CS06_11.3_8F66_FUTURE_DATED_SUCCESS_ALERT_GBCS.HEX").find(
        ".//ra:FirmwareActivationDeviceAlert", RA)
    assert fw.findtext("ra:OriginatorCounterFromCommand", namespaces=RA) == str(request.request_id.counter)
    assert fw.findtext("ra:ExecutionDateTime", namespaces=RA) == "2030-01-15T09:00:00Z" == \
        request.execution_date_time.isoformat().replace("+00:00", "Z")
    assert (fw.findtext("ra:ActivateImageResponseCode/ra:ASN1Status", namespaces=RA),
            fw.findtext("ra:FirmwareVersion", namespaces=RA)) == ("success", "0123ABCF")


def test_responses_carry_the_devices_codes_and_values(conformance, conformance_keystore):
    def rsp(name: str, srv: str | None = None) -> etree._Element:
        return _parsed(conformance, conformance_keystore, name, srv).find(".//ra:SMETSData/*", RA)

    def status(element, path: str) -> tuple[str, str]:
        node = element.find(path, RA)
        return node.findtext("ra:ASN1Status", namespaces=RA), node.get("ResponseCode")

    ok, error = rsp("CS06_11.3_IMMEDIATE_SUCCESS_RESPONSE_GBCS.HEX"), rsp("CS06_11.3_IMMEDIATE_ERROR_RESPONSE_GBCS.HEX")
    assert (status(ok, "ra:ActivateImageResponseCode"), ok.findtext("ra:FirmwareVersion", namespaces=RA)) == (
        ("success", "0"), "0123ABCE")
    assert (status(error, "ra:ActivateImageResponseCode"), error.get("MessageSuccess")) == (
        ("noImageHeld", "1"), "false")
    unjoin = rsp("CS04ACCritical_8.8.1_ERROR_RESPONSE_GBCS.HEX")
    assert (status(unjoin, "ra:unjoinResponseCode"), unjoin.get("MessageSuccess")) == (
        ("otherDeviceNotInDeviceLog", "1"), "false")
    assert status(rsp("CS03CNonCritical_8.7.2_ERROR_RESPONSE_GBCS.HEX"), "ra:joinResponseCode") == (
        "invalidOrMissingCertificate", "11")
    assert status(rsp("CS02c_6.17_ERROR_RESPONSE_GBCS.HEX"), "ra:IssueCredentialsResponseCode") == (
        "cRProductionFailed", "3")
    csr = x509.load_der_x509_csr(base64.b64decode(rsp("CS02c_6.17_SUCCESS_RESPONSE_GBCS.HEX").findtext(
        "ra:CertificationRequest", namespaces=RA)))
    assert csr.is_signature_valid
    assert status(rsp("CS02d_6.15.2_ERROR_RESPONSE_GBCS.HEX"), "ra:UpdateSecurityCredentialsResponseCode") == (
        "invalidKeyUsage", "3")
    clock = rsp("GCS28Commission_8.1.1_SUCCESS_RESPONSE_GBCS.HEX", "8.1.1")
    request = rtds.template(conformance, "GCS28Commission_8.1.1_SUCCESS_REQUEST_DUIS.XML")
    start = request.date_time("CurrentDateTime")
    device_time = dt.datetime.fromisoformat(clock.findtext("ra:DeviceTime", namespaces=RA).replace("Z", "+00:00"))
    assert start <= device_time <= start + dt.timedelta(seconds=request.int("TolerancePeriod"))
    assert status(clock, "ra:Gas/ra:GasClockTimeStatus") == ("reliable", "0")
    assert rsp("GCS28Commission_8.1.1_ERROR_RESPONSE_GBCS.HEX", "8.1.1").get("MessageSuccess") == "false"


def test_a_restored_gpf_device_log_is_the_backup_the_dsp_held(conformance, conformance_keystore):
    restored = _parsed(conformance, conformance_keystore, "GCS59_8.12.2_SUCCESS_RESPONSE_GBCS.HEX")
    entries = [(o.findtext("ra:DeviceLogEntry/ra:DeviceID", namespaces=RA),
                o.findtext("ra:DeviceLogEntry/ra:DeviceType", namespaces=RA),
                o.findtext("ra:joinResponseCode/ra:ASN1Status", namespaces=RA))
               for o in restored.iterfind(".//ra:RestoreDeviceLogOutcome", RA)]
    backup = joins.gpf_device_log_backup(_gcs62())
    assert backup.gpf == OLD_GPF
    assert entries == [(device.duis, {5: "PPMID", 6: "Type2"}[kind], "success") for device, kind in backup.entries]


def test_a_tampered_response_is_refused_naming_the_use_case_and_offset(conformance, conformance_keystore):
    message = rtds.message(rtds.rtds_file(conformance,
                                          "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS_RESPONSE_GBCS.HEX"))
    payload = message.apdu.payload
    truncated = GbcsMessage(dataclasses.replace(message.apdu, payload=payload[:-3]))
    with pytest.raises(PayloadError, match=r"^CS02bSupplierBySupplier.*: ASN\.1 DER payload: truncated .*202 content "
                                           r"bytes after tag 30, found 199 at payload byte 0"):
        parse(truncated, keystore=conformance_keystore)
    # An unknown replacement status: a StatusCode value GBCS does not define, at its own offset.
    status_at = payload.index(bytes.fromhex("0a0100"))
    tampered = payload[:status_at + 2] + b"\x63" + payload[status_at + 3:]
    with pytest.raises(PayloadError, match="CS02bSupplierBySupplier.*ENUMERATED value GBCS defines .* 99") as caught:
        parse(GbcsMessage(dataclasses.replace(message.apdu, payload=tampered)), keystore=conformance_keystore)
    assert caught.value.offset == status_at + 2                   # the value byte
    join = rtds.message(rtds.rtds_file(conformance, "CS03A1_8.7.1_SUCCESS_RESPONSE_GBCS.HEX"))
    # A response code GBCS does not name is passed on as notKnown, with its number.
    unknown, _ = parse(GbcsMessage(dataclasses.replace(join.apdu, payload=bytes.fromhex("020163"))))
    code = unknown.find(".//ra:JoinServiceCriticalRsp", RA)
    assert (code.get("MessageSuccess"), code.findtext("ra:joinResponseCode/ra:ASN1Status", namespaces=RA),
            code.find("ra:joinResponseCode", RA).get("ResponseCode")) == ("false", "notKnown", "99")
    with pytest.raises(PayloadError, match="^CS03A1: ASN.1 DER payload: expected INTEGER") as caught:
        parse(GbcsMessage(dataclasses.replace(join.apdu, payload=b"\x04" + join.apdu.payload[1:])))
    assert caught.value.offset == 0
