"""GBCS ASN.1 DER payloads: every RTDS payload round-trips byte for byte, typed fields of the use cases
the DIT plan exercises, and errors that say what was expected at which payload byte."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.gbcs import asn1
from harness.gbcs.axdr import PayloadError
from harness.gbcs.frame import GbcsMessage


def _rtds(conformance: Path) -> list[Path]:
    return sorted((conformance / "gbcs" / "rtds").rglob("*.HEX"))


def _payload(conformance: Path, name: str) -> tuple[bytes, int, int]:
    """(payload, message code, CRA flag) of one RTDS file, by file name."""
    path = next(p for p in _rtds(conformance) if p.name == name)
    apdu = GbcsMessage.decode(bytes.fromhex(path.read_text().strip())).apdu
    return apdu.payload, apdu.message_code, int(apdu.cra_flag)


def _error(payload: bytes, code: int, cra: int) -> PayloadError:
    with pytest.raises(PayloadError) as caught:
        asn1.decode(payload, code, cra)
    return caught.value


def _patched(payload: bytes, offset: int, byte: int) -> bytes:
    raw = bytearray(payload)
    raw[offset] = byte
    return bytes(raw)


CS02B_COMMAND = "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX"
CS02B_ERROR_RESPONSE = "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_ERROR_RESPONSE_GBCS.HEX"
CS03B_COMMAND = "CS03B_8.7.2_SUCCESS_COMMAND_GBCS.HEX"        # 30 10 | 02 01 02 | 04 08 <eui> | 02 01 03
CS06_ALERT = "CS06_11.3_8F66_FUTURE_DATED_SUCCESS_ALERT_GBCS.HEX"
SUPPLIER = "90-B3-D5-1F-30-01-00-00"


# -- the RTDS -----------------------------------------------------------------------------------------

def test_every_rtds_asn1_payload_decodes_and_round_trips(conformance):
    seen, long_form = 0, 0
    for path in _rtds(conformance):
        apdu = GbcsMessage.decode(bytes.fromhex(path.read_text().strip())).apdu
        if asn1.type_for(apdu.message_code, int(apdu.cra_flag)) is None:
            continue
        decoded = asn1.decode(apdu.payload, apdu.message_code, int(apdu.cra_flag))
        assert decoded.encode() == apdu.payload, path.name
        json.dumps(decoded.fields())
        seen += 1
        long_form += decoded.long_lengths
    assert seen >= 100          # 119 in the RTDS this was written against
    assert long_form >= 10      # the device-built CS02b / CS02g responses and alerts


def test_device_built_outcomes_keep_their_two_byte_lengths(conformance):
    payload, code, cra = _payload(conformance, CS02B_ERROR_RESPONSE)
    assert payload[:4] == bytes.fromhex("308200CA")
    decoded = asn1.decode(payload, code, cra)
    assert decoded.long_lengths
    der = asn1.encode(decoded.type_name, decoded.value)
    assert der[:3] == bytes.fromhex("3081C8") and len(der) == len(payload) - 3   # 81 C8, 81 C3, 81 A5
    assert asn1.decode(der, code, cra) == asn1.Asn1Payload(decoded.type_name, decoded.value)


def test_long_lengths_leave_certificates_as_they_are(conformance):
    payload, code, cra = _payload(conformance, "CS03CCritical_8.7.1_SUCCESS_COMMAND_GBCS.HEX")
    decoded = asn1.decode(payload, code, cra)
    certificate = decoded.value["otherDeviceKeyAgreementCertificate"]
    assert b"\xa3\x81" in certificate                     # the certificate's own one-byte long form
    assert asn1.encode(decoded.type_name, decoded.value, long_lengths=True) == payload


# -- typed fields -------------------------------------------------------------------------------------

def test_cs02b_command_fields(conformance):
    decoded = asn1.decode(*_payload(conformance, CS02B_COMMAND))
    assert decoded.type_name == "UpdateSecurityCredentialsCommand"
    assert decoded.value["replacements"][0]["replacementCertificate"][:2] == b"\x30\x82"   # the DER, whole
    fields = decoded.fields()
    control = fields["authorisingRemotePartyControl"]
    assert control["credentialsReplacementMode"] == "supplierBySupplier"
    assert control["authorisingRemotePartySeqNumber"] == 1000
    assert control["applyTimeBasedCPVChecks"] == "disapply"
    first, _, third = fields["replacements"]
    certificate = first["replacementCertificate"]
    assert certificate["subjectEntityId"] == SUPPLIER
    assert certificate["remotePartyRole"] == "supplier"
    assert certificate["keyUsage"] == ["digitalSignature"]
    assert certificate["serialNumber"] == "4A07BC01D9253B51FAF01F7EC7DA5B2F"
    assert (certificate["notBefore"], certificate["notAfter"]) == ("2016-01-10T00:00:00Z", "2026-01-09T23:59:59Z")
    assert first["targetTrustAnchorCell"] == {"trustAnchorCellRemotePartyRole": "supplier",
                                              "trustAnchorCellKeyUsage": ["digitalSignature"],
                                              "trustAnchorCellUsage": "management"}
    assert third["targetTrustAnchorCell"]["trustAnchorCellKeyUsage"] == ["keyAgreement"]
    assert third["targetTrustAnchorCell"]["trustAnchorCellUsage"] == "prePaymentTopUp"
    assert fields["certificationPathCertificates"][0]["keyUsage"] == ["keyCertSign", "cRLSign"]
    assert "executionDateTime" not in fields


def test_cs02b_response_execution_outcome(conformance):
    outcome = asn1.decode(*_payload(conformance, CS02B_ERROR_RESPONSE)).fields()["executionOutcome"]
    assert outcome["authorisingRemotePartySeqNumber"] == 1003
    assert outcome["remotePartySeqNumberChanges"][0]["remotePartyRole"] == "supplier"
    replacements = outcome["replacementOutcomes"]
    assert [r["statusCode"] for r in replacements] == ["success", "noTrustAnchor", "success"]
    assert replacements[0]["existingSubjectUniqueID"] == SUPPLIER
    assert replacements[0]["existingSubjectKeyIdentifier"] == "44899792D196F4B8"
    assert replacements[0]["replacingSubjectKeyIdentifier"] == "43046B4FB7C4F11B"
    failed = replacements[1]        # the KA cell kept its key
    assert failed["affectedTrustAnchorCell"]["trustAnchorCellKeyUsage"] == ["keyAgreement"]
    assert failed["existingSubjectKeyIdentifier"] == failed["replacingSubjectKeyIdentifier"] == "405B8C62687D8F70"


def test_cs03b_command_fields(conformance):
    decoded = asn1.decode(*_payload(conformance, CS03B_COMMAND))
    assert decoded.fields() == {"joinMethodAndRole": "methodB", "otherDeviceEntityId": "00-DB-12-34-56-78-90-9C",
                                "otherDeviceType": "gpf"}
    response = asn1.decode(*_payload(conformance, "CS03A1_8.7.1_ERROR_RESPONSE_GBCS.HEX"))
    assert response.fields() == "incompatibleWithExistingEntry"


def test_cs06_alert_fields(conformance):
    fields = asn1.decode(*_payload(conformance, CS06_ALERT)).fields()
    assert fields["alertCode"]["code"] == "0x8F66"
    assert fields["executionDateTime"] == "2030-01-15T09:00:00Z"
    assert fields["originatorCounter"] == 1001
    assert fields["executionOutcome"] == {"responseCode": "success", "firmwareVersion": "0123ABCF"}
    failed = asn1.decode(*_payload(conformance, "CS06_11.3_8F67_FUTURE_DATED_ERROR_ALERT_GBCS.HEX")).fields()
    assert failed["executionOutcome"]["responseCode"] == "hashMismatch"
    accepted = asn1.decode(*_payload(conformance, "CS06_11.3_FUTURE_DATED_SUCCESS_RESPONSE_GBCS.HEX"))
    assert accepted.value == ("commandAccepted", None)


def test_gcs28_response_fields(conformance):
    ok = asn1.decode(*_payload(conformance, "GCS28Commission_8.1.1_SUCCESS_RESPONSE_GBCS.HEX"))
    assert ok.fields() == {"deviceTime": "2014-12-31T23:30:00Z", "deviceTimeStatus": "reliable"}
    assert ok.value["deviceTime"].replace(tzinfo=None) == dt.datetime(2014, 12, 31, 23, 30)
    failed = asn1.decode(*_payload(conformance, "GCS28Commission_8.1.1_ERROR_RESPONSE_GBCS.HEX"))
    assert failed.fields() == {"deviceTime": "2015-01-01T00:00:00Z", "deviceTimeStatus": "unreliable"}


def test_cs02c_response_is_a_certification_request_or_a_code(conformance):
    request = asn1.decode(*_payload(conformance, "CS02c_6.17_SUCCESS_RESPONSE_GBCS.HEX"))
    assert request.value[0] == "certificationRequest"
    assert request.fields()["certificationRequest"]["signatureValid"] is True
    code = asn1.decode(*_payload(conformance, "CS02c_6.17_ERROR_RESPONSE_GBCS.HEX"))
    assert code.value == ("responseCode", 3) and code.fields() == {"responseCode": "crProductionFailed"}


def test_use_cases_absent_from_the_rtds_round_trip(conformance):
    device_certificate, _, _ = _payload(conformance, "CS02d_6.15.2_SUCCESS_COMMAND_GBCS.HEX")
    at = dt.datetime(2025, 6, 1, 12, 0)
    entry = {"deviceId": bytes.fromhex("00DB1234567890A0"), "deviceType": 1}
    cell = {"trustAnchorCellRemotePartyRole": 2, "trustAnchorCellKeyUsage": (b"\x08", 5), "trustAnchorCellUsage": 1}
    cases = [
        (0x0008, 1, {"authorisingRemotePartyTACellIdentifier": cell, "remotePartyRolesCredentialsRequired": [2, 3]}),
        (0x0008, 2, [{"targetRemotePartyRole": 2, "statusCode": "success", "currentSeqNumber": 7,
                      "trustAnchorCellDetails": [{"trustAnchorCellKeyUsage": (b"\x80", 1), "trustAnchorCellUsage": 0,
                                                  "subjectUniqueID": bytes(8), "subjectKeyIdentifier": bytes(8)}]},
                     {"targetRemotePartyRole": 3, "statusCode": "noTrustAnchor"}]),
        (0x000C, 1, {"keyUsage": (b"\x80", 1)}),
        (0x000C, 2, ("certificate", device_certificate)),
        (0x000C, 2, ("responseCode", 2)),
        (0x0013, 1, None),
        (0x0013, 2, {"responseCode": 0, "deviceLogEntries": [entry]}),
        (0x00B2, 3, {"alertCode": 0x8F3E, "backupDateTime": at, "deviceLogEntries": [entry]}),
        (0x0128, 3, {"alertCode": 0x8F8A, "executionDateTime": at, "entityId": entry["deviceId"],
                     "firmwareVersion": b"\x01\x02\x03\x04", "responseCode": 0}),
        (0x0129, 1, None),
        (0x0129, 2, {"firmwareVersion": b"\x01\x02", "responseCode": 1}),
        (0x0129, 3, {"alertCode": 0x8F8B, "executionDateTime": at, "firmwareVersion": b"\x01", "activateImage": 0}),
    ]
    for code, cra, value in cases:
        encoded = asn1.encode(asn1.type_for(code, cra), value)
        decoded = asn1.decode(encoded, code, cra)
        assert decoded.value == value and decoded.encode() == encoded, (hex(code), cra)
        json.dumps(decoded.fields())
    details = asn1.decode(asn1.encode("ProvideSecurityCredentialDetailsResponse", cases[1][2]), 0x0008, 2).fields()
    assert details[0]["trustAnchorCellDetails"][0]["subjectUniqueID"] == "00-00-00-00-00-00-00-00"
    certificate = asn1.decode(asn1.encode("ProvideDeviceCertificateResponse", cases[3][2]), 0x000C, 2).fields()
    assert certificate["certificate"]["subjectEntityId"] == "00-DB-12-34-56-78-90-A0"


@pytest.mark.parametrize(("counter", "tlv"), [
    (0, "020100"), (127, "02017F"), (128, "02020080"), (1000, "020203E8"), (0x8F66, "0203008F66"),
    (2**63 - 1, "02087FFFFFFFFFFFFFFF"), (2**64 - 1, "020900FFFFFFFFFFFFFFFF"),
])
def test_counters_are_minimal_signed_integers(counter, tlv):
    value = {"manufacturerImageHash": bytes(32), "originatorCounter": counter}
    encoded = asn1.encode("ActivateFirmwareCommand", value)
    assert encoded.hex().upper().endswith(tlv)
    assert asn1.decode(encoded, 0x0012, 1).value == value


def test_type_table():
    assert asn1.type_for(0x0102, 1) == "UpdateSecurityCredentialsCommand"
    assert asn1.type_for(0x0126, 2) == "UpdateSecurityCredentialsResponse"
    assert asn1.type_for(0x0124, 3) == asn1.type_for(0x00CB, 3) == "UpdateSecurityCredentialsAlert"
    assert asn1.type_for(0x000E, 2) == "JoinDeviceResponse"
    assert asn1.type_for(0x00CA, 1) is None and asn1.type_for(0x0012, 4) is None
    assert asn1.type_for(0x0001, 1) is None        # a DLMS use case


# -- errors -------------------------------------------------------------------------------------------

def test_wrong_tag_at_the_top(conformance):
    payload, code, cra = _payload(conformance, CS02B_COMMAND)
    error = _error(_patched(payload, 0, 0x31), code, cra)
    assert "expected SEQUENCE (30) for UpdateSecurityCredentialsCommand, found 31" in str(error)
    assert error.offset == 0


def test_wrong_tag_where_a_certificate_could_follow(conformance):
    # JoinDeviceCommand ends with an optional certificate: the misplaced element is reported where it is
    payload, code, cra = _payload(conformance, CS03B_COMMAND)
    error = _error(_patched(payload, 5, 0x05), code, cra)
    assert "expected OCTET STRING (04) for JoinDeviceCommand.otherDeviceEntityId, found 05" in str(error)
    assert error.offset == 5


def test_wrong_tag_two_levels_down(conformance):
    payload, code, cra = _payload(conformance, CS02B_COMMAND)
    error = _error(_patched(payload, 12, 0xA7), code, cra)          # [2] TA cell identifier -> [7]
    assert "expected INTEGER (83) for UpdateSecurityCredentialsCommand.authorisingRemotePartyControl." \
           "authorisingRemotePartySeqNumber, found A7" in str(error)
    assert error.offset == 12


def test_wrong_tag_in_a_sequence_of_is_reported_not_looped_on(conformance):
    payload, code, cra = _payload(conformance, CS02B_COMMAND)
    broken = _patched(payload, 42, 0x31)                             # the first TrustAnchorReplacement
    # Unpatched, asn1tools 0.169's DER SEQUENCE OF never returns here (the test would hang, not pass).
    error = _error(broken, code, cra)
    assert error.offset == 42
    assert "expected SEQUENCE (30) for UpdateSecurityCredentialsCommand.replacements, found 31" in str(error)


def test_truncated_payload(conformance):
    payload, code, cra = _payload(conformance, CS02B_COMMAND)
    error = _error(payload[:100], code, cra)
    assert "expected 1747 content bytes after tag 30, found 96" in str(error)
    assert error.offset == 0
    error = _error(payload[:2], code, cra)
    assert "expected 2 length bytes after 82, found 0" in str(error)
    assert error.offset == 1


def test_a_length_that_overruns_its_container(conformance):
    payload, code, cra = _payload(conformance, CS03B_COMMAND)
    error = _error(_patched(payload, 6, 0x0C), code, cra)            # entity id: 12 bytes, 11 left
    assert "expected 12 content bytes after tag 04, found 11" in str(error)
    assert error.offset == 5


def test_trailing_bytes(conformance):
    payload, code, cra = _payload(conformance, CS03B_COMMAND)
    error = _error(payload + b"\x05\x00", code, cra)
    assert "expected the end of JoinDeviceCommand, found 2 trailing bytes" in str(error)
    assert error.offset == len(payload)


def test_unknown_message_code(conformance):
    payload, _, _ = _payload(conformance, CS03B_COMMAND)
    error = _error(payload, 0x0200, 1)
    assert "message code 0x0200" in str(error) and error.offset == 0
    assert "0x00CA with CRA flag 1" in str(_error(payload, 0x00CA, 1))    # an alert-only code


def test_ber_that_is_not_der_is_named(conformance):
    payload, code, cra = _payload(conformance, CS03B_COMMAND)
    padded = bytes.fromhex("3011" "02020002") + payload[5:]           # join method 2 as 00 02
    error = _error(padded, code, cra)
    assert "expected DER content for element 02 in JoinDeviceCommand, found 0002" in str(error)
    assert error.offset == 2
    swapped = payload[:2] + payload[5:15] + payload[2:5] + payload[15:]   # members out of order
    assert _error(swapped, code, cra).offset == 2


def test_bad_content_is_located(conformance):
    payload, code, cra = _payload(conformance, CS06_ALERT)
    error = _error(_patched(payload, 9, ord("x")), code, cra)        # the execution date-time's first digit
    assert "ActivateFirmwareAlert.executionDateTime: expected a time YYYYMMDDhhmmssZ" in str(error)
    assert error.offset == 9
    payload, code, cra = _payload(conformance, CS02B_ERROR_RESPONSE)
    error = _error(_patched(payload, 54, 50), code, cra)             # first replacement outcome's status
    assert "replacementOutcomes.statusCode, found 50" in str(error)
    assert error.offset == 54


def test_encode_errors_are_payload_errors():
    with pytest.raises(PayloadError, match="otherDeviceEntityId"):
        asn1.encode("JoinDeviceCommand", {"joinMethodAndRole": 2})
    with pytest.raises(PayloadError, match="no such type"):
        asn1.encode("NoSuchType", None)
    with pytest.raises(PayloadError, match="certificationRequest or responseCode"):
        asn1.encode("IssueSecurityCredentialsResponse", ("certificate", b"\x30\x00"))


@pytest.mark.parametrize("text", [b"20260105090000Z", b"19991231235959Z", b"20240229120000Z", b"00010101000000Z",
                                  b"20250229120000Z", b"20261301120000Z", b"20261310120000Z", b"20260132000000Z",
                                  b"20260105240000Z", b"20260105096000Z", b"20260105090060Z", b"00000105090000Z",
                                  b"2026010509000Z", b"20260105090000", b"20260105090000.5Z", b"2026010509000aZ",
                                  b"+2026010509000Z", b"20260105090000z"])
def test_a_generalized_time_reads_as_asn1tools_reads_it(text):
    """The DER GeneralizedTime read by position (the usual YYYYMMDDhhmmssZ) gives what asn1tools's own reading
    gives, and where that fails, the same failure."""
    from asn1tools.codecs import der as der_codec
    ours, theirs = asn1._GeneralizedTime("t"), der_codec.GeneralizedTime("t")
    try:
        expected = theirs.decode_content(bytearray(text), 0, len(text))
    except Exception as error:  # noqa: BLE001 - asn1tools raises its own Error and ValueError
        with pytest.raises(Exception, match="expected a time"):
            ours.decode_content(bytearray(text), 0, len(text))
        assert error is not None
        return
    assert ours.decode_content(bytearray(text), 0, len(text)) == expected


def test_asn1tools_codecs_gbcs_never_uses_are_not_loaded_yet_still_work_when_asked_for() -> None:
    """asn1tools' PER and UPER modules build BMPString tables as they load (13 MB): GBCS is DER, so a process that
    decodes and encodes GBCS payloads has not run them; a program that asks asn1tools for UPER still gets it."""
    program = (
        "import sys\n"
        "from harness.gbcs import asn1\n"
        "payload = asn1.encode('UnjoinDeviceResponse', 1)\n"
        "print(payload.hex(), asn1.decode_as('UnjoinDeviceResponse', payload).value)\n"
        "print([n for n in ('per', 'uper', 'xer', 'jer', 'oer', 'gser')\n"
        "       if type(sys.modules['asn1tools.codecs.' + n]) is type(sys)])\n"
        "import asn1tools\n"
        "spec = asn1tools.compile_string('M DEFINITIONS ::= BEGIN B ::= BMPString END', 'uper')\n"
        "print(spec.encode('B', 'GB').hex(), spec.decode('B', spec.encode('B', 'GB')))\n")
    ran = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert ran.stdout.splitlines() == ["020101 1", "[]", "0200470042 GB"]
