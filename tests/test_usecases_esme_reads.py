"""ESME reads (ECS17b/d, ECS19, ECS20b/c, ECS21a/b, ECS22b, ECS66) and event/security logs (ECS35a-g):
the DSP's Transform against the RTDS commands, and the User's Parse of the RTDS responses into MMC,
with the protected (encrypted) values opened by the conformance keystore and passed on without it."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
import rtds
from lxml import etree

from harness import catalogue
from harness.catalogue import DeviceType, UserRole
from harness.duis import requests, xml
from harness.duis.request_id import RequestId
from harness.eui import EntityId
from harness.gbcs import axdr, crypto, dlms
from harness.gbcs.axdr import PayloadError
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning
from harness.pki import KeyUsage
from harness.usecases import DuisRequest, TransformError, device, mmc, parse, transform

USE_CASES = ("ECS17b", "ECS17d", "ECS19", "ECS20b", "ECS20c", "ECS21a", "ECS21b", "ECS22b", "ECS66",
             "ECS35a", "ECS35b", "ECS35c", "ECS35d", "ECS35e", "ECS35f", "ECS35g")
NOW = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)     # the RTDS's DSP clock
SUPPLIER = EntityId("90-B3-D5-1F-30-01-00-00")
ESME = EntityId("00-DB-12-34-56-78-90-A0")
RA = {"ra": "http://www.dccinterface.co.uk/ResponseAndAlert"}


def _responses(conformance: Path) -> list[Path]:
    return [p for p in rtds.answers(conformance, USE_CASES) if p.name.endswith("_RESPONSE_GBCS.HEX")]


def _role(use_case: str) -> UserRole:
    """The User role the DSP records for the RTDS originator of the use case's template."""
    return UserRole.ELECTRICITY_DISTRIBUTOR if use_case == "ECS35g" else UserRole.IMPORT_SUPPLIER


def _device(use_case: str) -> DeviceType:
    return (catalogue.use_case(use_case).devices or (DeviceType.ESME,))[0]


def _texts(doc: etree._Element, path: str) -> list[str]:
    return [node.text for node in doc.xpath(path, namespaces=RA)]


# -- Transform -------------------------------------------------------------------------------------

def test_every_template_transforms_to_its_rtds_command(conformance):
    compared = 0
    for template, command, use_case in rtds.pairs(conformance, USE_CASES):
        expected = rtds.message(command).apdu
        out = transform(rtds.request(template), device_type=_device(use_case), now=NOW, user_role=_role(use_case),
                        dsp_counter=expected.originator_counter)
        assert out.use_case == use_case, template.name
        assert out.apdu.payload.hex() == expected.payload.hex(), template.name
        assert (out.apdu.originator, out.apdu.recipient, out.apdu.originator_counter, out.apdu.message_code,
                out.apdu.supplementary_remote_party, out.apdu.supplementary_remote_party_counter) == \
            (expected.originator, expected.recipient, expected.originator_counter, expected.message_code,
             expected.supplementary_remote_party, expected.supplementary_remote_party_counter), template.name
        compared += 1
    assert compared >= 23


def test_urp_carries_the_users_ka_certificate_and_protects_for_the_user(conformance):
    """4.14 URP: the DCC originates; the protection parameters still name the User, with the DCC's counter."""
    template = conformance / "duis" / "templates" / "ECS21b_4.14_URP_SUCCESS_REQUEST_DUIS.XML"
    request = rtds.request(template)
    out = transform(request, device_type=DeviceType.ESME, now=NOW, dsp_counter=1302)
    certificate = base64.b64decode(request.text("KAPublicSecurityCredentials"))
    assert out.apdu.supplementary_remote_party_ka_certificate == certificate
    assert out.apdu.originator == EntityId("90-B3-D5-1F-30-00-00-02")
    parameters = axdr.decode(out.apdu.payload, 18)[0]          # after D9, invoke id, 00, 01, action spec, 01
    transaction, originator, recipient = (parameters[1][0][1][i].octets for i in range(3))
    assert (transaction, originator, recipient) == (b"\x04" + (1302).to_bytes(8, "big"), bytes(SUPPLIER), bytes(ESME))
    # The RTDS command carries an older release's certificate of the same key (not the template's).
    dcc = rtds.message(rtds.sibling(conformance, template, "COMMAND")).apdu
    assert dcc.supplementary_remote_party_ka_certificate != certificate


def _read_log_request(conformance, template: str, drop: str) -> DuisRequest:
    text = (conformance / "duis" / "templates" / template).read_text()
    return DuisRequest.parse(re.sub(rf"\s*<sr:{drop}>.*?</sr:{drop}>", "", text, flags=re.S).encode(), template)


@pytest.mark.parametrize("template, drop, device", [
    ("ECS20b_4.4.2_SINGLE_SUCCESS_REQUEST_DUIS.XML", "StartDateTime", DeviceType.ESME),
    ("ECS22b_4.8.1_SINGLE_SUCCESS_REQUEST_DUIS.XML", "EndDateTime", DeviceType.ESME),
    ("ECS35a_6.13_SUCCESS_REQUEST_DUIS.XML", "LogToRead", DeviceType.ESME),
    ("ECS35c_6.13_SUCCESS_REQUEST_DUIS.XML", "LogToRead", DeviceType.CHF),
    ("ECS35f_6.13_SUCCESS_REQUEST_DUIS.XML", "ReadLogPeriod", DeviceType.ESME),
])
def test_a_request_missing_a_required_element_names_it(conformance, template, drop, device):
    with pytest.raises(TransformError, match=drop):
        transform(_read_log_request(conformance, template, drop), device_type=device, now=NOW)


def test_a_log_the_device_does_not_keep_is_refused(conformance):
    text = (conformance / "duis" / "templates" / "ECS35c_6.13_SUCCESS_REQUEST_DUIS.XML").read_text()
    request = DuisRequest.parse(text.replace(">Event<", ">PowerEvent<").encode(), "chf-power")
    with pytest.raises(TransformError, match="PowerEvent"):
        transform(request, device_type=DeviceType.CHF, now=NOW)


def test_the_alcs_log_use_case_follows_the_users_role(conformance):
    for template, use_case in (("ECS35f_6.13_SUCCESS_REQUEST_DUIS.XML", "ECS35f"),
                               ("ECS35g_6.13_SUCCESS_REQUEST_DUIS.XML", "ECS35g")):
        out = transform(rtds.request(conformance / "duis" / "templates" / template), device_type=DeviceType.ESME,
                        now=NOW, user_role=_role(use_case))
        assert (out.use_case, out.message_code) == (use_case, catalogue.use_case(use_case).message_codes[0])
    ecs35g = conformance / "duis" / "templates" / "ECS35g_6.13_SUCCESS_REQUEST_DUIS.XML"
    supplier_by_default = transform(rtds.request(ecs35g), device_type=DeviceType.ESME, now=NOW)
    assert supplier_by_default.use_case == "ECS35f"


# -- Parse -----------------------------------------------------------------------------------------

def test_every_response_parses_to_valid_mmc_and_decrypts_with_the_conformance_keystore(
        conformance, conformance_keystore, mmc_schema):
    parsed = 0
    for path in _responses(conformance):
        doc, notes = parse(rtds.message(path), keystore=conformance_keystore)
        assert mmc_schema.errors(doc) == [], path.name
        assert notes == [], (path.name, notes)
        assert not doc.xpath("//ra:GBCSData", namespaces=RA), path.name
        success = doc.xpath("//ra:SMETSData/*/@MessageSuccess", namespaces=RA)
        assert success == (["true"] if "SUCCESS" in path.name else ["false"]), path.name
        if "SUCCESS" in path.name:
            assert len(doc.xpath("//ra:SMETSData/*//*[not(*)]", namespaces=RA)) > 0, f"{path.name}: no values"
        parsed += 1
    assert parsed >= 39


def test_log_entries_lie_in_the_requested_period(conformance, conformance_keystore):
    """The read-back of a log read: every entry's timestamp is within the request's ReadLogPeriod."""
    checked = 0
    for template in rtds.templates(conformance, USE_CASES):
        request, response = rtds.request(template), rtds.sibling(conformance, template, "RESPONSE")
        if not request.has("ReadLogPeriod") or not response.exists():
            continue
        start, end = request.date_time("ReadLogPeriod/StartDateTime"), request.date_time("ReadLogPeriod/EndDateTime")
        doc, _ = parse(rtds.message(response), keystore=conformance_keystore)
        stamps = [dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
                  for t in _texts(doc, "//ra:SMETSData//ra:Timestamp")]
        assert stamps, template.name
        assert all(start <= s <= end for s in stamps), template.name
        checked += 1
    assert checked >= 17


def _supplier_key(conformance_keystore, counter: int) -> bytes:
    return crypto.derive_key(conformance_keystore.private_key(SUPPLIER, KeyUsage.KEY_AGREEMENT),
                             conformance_keystore.public_key(ESME, KeyUsage.KEY_AGREEMENT),
                             originator=ESME, counter=counter, recipient=SUPPLIER, mode=4)


def _protected(message: GbcsMessage) -> bytes:
    # get protected attributes response: DA, invoke id, 00, 00, 01 (one Data), structure {parameters, octets}
    answer = axdr.decode(message.apdu.payload, 8)[0]
    return answer[1].octets


def test_import_registers_decoded_by_hand(conformance, conformance_keystore):
    message = rtds.message(rtds.rtds_file(conformance, "ECS17b_4.1.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX"))
    protected = _protected(message)
    assert protected[:5].hex() == "3100000000"
    plain = crypto.decrypt_field(_supplier_key(conformance_keystore, 1000), ESME, protected[5:])
    # structure{structure{dlu 10, {scaler 0, unit 30 Wh}, dlu 10, {scaler 0, unit 32 varh}}}
    assert plain.hex() == "02010204" "060000000a" "02020f00161e" "060000000a" "02020f001620"
    doc, notes = parse(message, keystore=conformance_keystore)
    assert notes == []
    rsp = "//ra:ReadInstantaneousImportRegistersRsp/ra:Electricity"
    assert _texts(doc, f"{rsp}/ra:ActiveImportRegister/*") == [str(0x0A), "Wh"]
    assert _texts(doc, f"{rsp}/ra:ReactiveImportRegister/*") == [str(0x0A), "varh"]


def test_prepayment_daily_read_log_decoded_by_hand(conformance, conformance_keystore):
    message = rtds.message(rtds.rtds_file(conformance, "ECS21b_4.14_KRP_SUCCESS_RESPONSE_GBCS.HEX"))
    plain = crypto.decrypt_field(_supplier_key(conformance_keystore, 1003), ESME, _protected(message)[5:])
    # compact-array of structure{dlu time, 6 x double-long}; the first entry's contents:
    first = plain.hex().index("1c2f6180")
    assert plain.hex()[first:first + 8 + 6 * 8] == ("1c2f6180" "000aae60" "000f4240" "00077a10" "00064190"
                                                    "000f4240" "001cfde0")
    assert 0x1C2F6180 == int((dt.datetime(2014, 12, 26, tzinfo=dt.UTC)
                              - dt.datetime(2000, 1, 1, tzinfo=dt.UTC)).total_seconds())
    doc, _ = parse(message, keystore=conformance_keystore)
    entry = doc.xpath("//ra:ReadPrepaymentDailyReadLogRsp/ra:Electricity/ra:LogEntry", namespaces=RA)[0]
    values = {etree.QName(e).localname: e.text for e in entry}
    assert values == {"EmergencyCreditBalance": str(0x000AAE60), "MeterBalance": str(0x000F4240),
                      "PaymentDebtRegister": str(0x00077A10), "TimeDebtRegisters1": str(0x00064190),
                      "TimeDebtRegisters2": str(0x000F4240), "AccumulatedDebtRegister": str(0x001CFDE0),
                      "Timestamp": "2014-12-26T00:00:00Z"}
    # The RTDS makes the accumulated debt the sum of the three debt registers: the capture order's anchor.
    assert 0x00077A10 + 0x00064190 + 0x000F4240 == 0x001CFDE0


def test_event_log_decoded_by_hand(conformance, conformance_keystore):
    message = rtds.message(rtds.rtds_file(conformance, "ECS35a_6.13_SUCCESS_RESPONSE_GBCS.HEX"))
    payload = message.apdu.payload.hex()
    # compact-array of structure{dlu time, long-unsigned code, octet-string}: 13 02 03 06 12 09 <len> ...
    assert "1302030612" in payload
    third = payload.index("1c361064")                        # 473305188 s after 2000: 2014-12-31T01:39:48Z
    assert payload[third:third + 8 + 4 + 6] == "1c361064" "8154" "02009b"
    assert 0x1C361064 == int((dt.datetime(2014, 12, 31, 1, 39, 48, tzinfo=dt.UTC)
                              - dt.datetime(2000, 1, 1, tzinfo=dt.UTC)).total_seconds())
    doc, _ = parse(message, keystore=conformance_keystore)
    entry = doc.xpath("//ra:Log/ra:LogEntry", namespaces=RA)[2]
    assert [e.text for e in entry] == ["2014-12-31T01:39:48Z", "8154",
                                       "Immediate HAN Interface Command Received and Successfully Actioned", "009B"]


def test_alcs_log_entries(conformance, conformance_keystore):
    doc, _ = parse(rtds.message(rtds.rtds_file(conformance, "ECS35f_6.13_SUCCESS_RESPONSE_GBCS.HEX")),
                   keystore=conformance_keystore)
    first, second = doc.xpath("//ra:ALCSEvent/ra:ALCSEventLogEntry", namespaces=RA)[:2]
    assert [e.text for e in first] == ["2014-12-15T00:00:00Z", "2", "On", "Outcome not known", "1418601600"]
    assert [e.text for e in second] == ["2014-12-15T00:00:05Z", "2", "Entry relates to a Message from an HC ALCS",
                                        "Success", "1418601600"]


def test_without_the_key_the_values_are_passed_on_encrypted(conformance, conformance_keystore, mmc_schema):
    message = rtds.message(rtds.rtds_file(conformance, "ECS17b_4.1.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX"))
    doc, notes = parse(message, keystore=None)
    assert mmc_schema.errors(doc) == []
    assert any("not decrypted" in n for n in notes)
    assert not doc.xpath("//ra:ActiveImportRegister", namespaces=RA)
    (data,) = doc.xpath("//ra:ResponseMessage/ra:GBCSData", namespaces=RA)
    assert (data.get("format"), data.get("type")) == ("encrypted", "dlms")
    # A second pass has everything it needs: the protection parameters and the protected attributes.
    answer = axdr.decode(base64.b64decode(data.text))[0]
    assert answer[0][0][1][1].octets == bytes(ESME)
    plain = crypto.decrypt_field(_supplier_key(conformance_keystore, 1000), ESME, answer[1].octets[5:])
    assert plain is not None and plain.startswith(b"\x02\x01\x02\x04")


def test_a_tampered_ciphertext_is_reported_not_decoded(conformance, conformance_keystore, mmc_schema):
    message = rtds.message(rtds.rtds_file(conformance, "ECS19_4.3_SUCCESS_RESPONSE_GBCS.HEX"))
    payload = bytearray(message.apdu.payload)
    payload[-10] ^= 0x01                                       # inside the encrypted values
    doc, notes = parse(GbcsMessage(dataclasses.replace(message.apdu, payload=bytes(payload))),
                       keystore=conformance_keystore)
    assert mmc_schema.errors(doc) == []
    assert any("did not decrypt" in n for n in notes)
    assert not doc.xpath("//ra:MeterBalance", namespaces=RA)
    assert doc.xpath("//ra:GBCSData/@format", namespaces=RA) == ["encrypted"]


def test_a_truncated_response_names_the_use_case_and_offset(conformance, conformance_keystore):
    for name, use_case in (("ECS21a_4.6.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX", "ECS21a"),
                           ("ECS35b_6.13_SUCCESS_RESPONSE_GBCS.HEX", "ECS35b")):
        message = rtds.message(rtds.rtds_file(conformance, name))
        cut = GbcsMessage(dataclasses.replace(message.apdu, payload=message.apdu.payload[:-9]))
        with pytest.raises(PayloadError, match=use_case) as caught:
            parse(cut, keystore=conformance_keystore)
        assert caught.value.offset > 0


def test_decrypted_values_of_the_wrong_shape_are_a_payload_error(conformance, conformance_keystore):
    """Re-encrypt a plaintext the use case cannot carry: the Parse says which use case and what."""
    message = rtds.message(rtds.rtds_file(conformance, "ECS17b_4.1.1_SINGLE_SUCCESS_RESPONSE_GBCS.HEX"))
    answer = axdr.decode(message.apdu.payload, 8)[0]
    wrong = axdr.structure(axdr.structure(axdr.double_long_unsigned(10))).encode()
    protected = b"\x31\x00\x00\x00\x00" + crypto.encrypt_field(_supplier_key(conformance_keystore, 1000), ESME, wrong)
    forged = axdr.structure(answer[0], axdr.octet_string(protected))
    payload = message.apdu.payload[:8] + forged.encode() + message.apdu.payload[8 + len(answer.encode()):]
    with pytest.raises(PayloadError, match="ECS17b.*import registers"):
        parse(GbcsMessage(dataclasses.replace(message.apdu, payload=payload)), keystore=conformance_keystore)


def test_a_log_entry_of_the_wrong_type_names_the_use_case(conformance):
    message = rtds.message(rtds.rtds_file(conformance, "ECS35a_6.13_SUCCESS_RESPONSE_GBCS.HEX"))
    bad_time = axdr.array(axdr.structure(axdr.octet_string(b"yesterday"), axdr.long_unsigned(0x8F01)))
    payload = dlms.AccessResponse(message.apdu.originator_counter | dlms.INVOKE_ID_FLAGS, (bad_time,),
                                  (dlms.ResponseSpec(dlms.RequestKind.GET, dlms.AccessResult.SUCCESS),)).encode()
    with pytest.raises(PayloadError, match="ECS35a: a log timestamp"):
        parse(GbcsMessage(dataclasses.replace(message.apdu, payload=payload)))


# -- Device side (the RTDS pairs are in test_usecases_device.py) -----------------------------------------

def _esme_command(srv: str, **params) -> GeneralSigning:
    built = requests.build(srv, RequestId(SUPPLIER, ESME, 1000), **params)
    return transform(DuisRequest.parse(xml.serialize(built), srv), device_type=DeviceType.ESME, now=NOW).apdu


def _response(command: GeneralSigning, payload: bytes = b"") -> GeneralSigning:
    return GeneralSigning(cra_flag=CraFlag.RESPONSE, originator_counter=command.originator_counter, originator=ESME,
                          recipient=command.originator, message_code=command.message_code, payload=payload)


def _answered(command: GeneralSigning, payload: bytes) -> GbcsMessage:
    return GbcsMessage(_response(command, payload))


def _encryptor(conformance_keystore, command: GeneralSigning):
    """The ESME's sealing for the supplier (from the supplier's side of the key agreement: the same key)."""
    supplier = conformance_keystore.private_key(SUPPLIER, KeyUsage.KEY_AGREEMENT)
    meter = conformance_keystore.public_key(ESME, KeyUsage.KEY_AGREEMENT)
    key = crypto.encryption_key(_response(command), supplier, meter)
    return lambda plaintext: crypto.encrypt_field(key, ESME, plaintext)


def test_a_device_reads_the_log_period_from_the_range_it_is_asked_for():
    start, end = dt.datetime(2026, 1, 7, tzinfo=dt.UTC), dt.datetime(2026, 1, 8, 23, 59, 59, 990000,
                                                                              tzinfo=dt.UTC)
    _, fields = device.read(_esme_command("4.6.1", start=start, end=end), DeviceType.ESME, now=NOW)
    assert fields == {"UseCase": "ECS21a", "ReadLogPeriod/StartDateTime": "2026-01-07T00:00:00Z",
                      "ReadLogPeriod/EndDateTime": "2026-01-08T23:59:59.990000Z"}
    _, fields = device.read(_esme_command("4.1.1"), DeviceType.ESME, now=NOW)
    assert fields == {"UseCase": "ECS17b"}


def test_a_device_refuses_a_protected_read_of_other_objects():
    command = _esme_command("4.1.1")
    wrong = command.payload.replace(bytes.fromhex("0906" "00005e2c220a"), bytes.fromhex("0906" "00005e2c2201"))
    assert wrong != command.payload
    with pytest.raises(PayloadError, match="ECS17b: the command reads"):
        device.read(dataclasses.replace(command, payload=wrong), DeviceType.ESME, now=NOW)


def test_protected_values_need_the_devices_encryption():
    read, _ = device.read(_esme_command("4.3"), DeviceType.ESME, now=NOW)
    with pytest.raises(PayloadError, match="ECS19: the values are encrypted end to end"):
        device.answer(read, {"Result": "Success", "MeterBalance": "1"})
    # A failure carries no values: hardware-fault, as the RTDS error responses.
    assert device.answer(read, {"Result": "Failure"}).hex().endswith("0100010301")


@pytest.mark.parametrize("srv, use_case, empty", [
    ("4.4.2", "ECS20b", {"Electricity": ""}), ("4.4.3", "ECS20c", {"Electricity": ""}), ("4.6.1", "ECS21a", {}),
    ("4.14", "ECS21b", {"Electricity": ""}), ("4.8.1", "ECS22b", {}), ("4.17", "ECS66", {"Electricity": ""})])
def test_an_empty_log_is_answered_and_parsed_empty(conformance_keystore, mmc_schema, srv, use_case, empty):
    command = _esme_command(srv)
    read, _ = device.read(command, DeviceType.ESME, now=NOW, encrypt=_encryptor(conformance_keystore, command))
    assert read.use_case == use_case
    doc, notes = parse(_answered(command, device.answer(read, {"Result": "Success", **empty})),
                       keystore=conformance_keystore, srv=srv)
    assert mmc_schema.errors(doc) == [] and notes == []
    assert mmc.values(doc) == {"Result": "Success", **empty}


def test_a_single_entry_log_round_trips(conformance_keystore):
    """mmc.values numbers an element only when it repeats: the device reads a single entry either way."""
    command = _esme_command("4.17")
    read, _ = device.read(command, DeviceType.ESME, now=NOW, encrypt=_encryptor(conformance_keystore, command))
    outcome = {"Result": "Success", "Electricity/LogEntry/Value": "4321",
               "Electricity/LogEntry/Timestamp": "2026-01-07T00:00:00Z"}
    doc, _ = parse(_answered(command, device.answer(read, outcome)), keystore=conformance_keystore, srv="4.17")
    assert mmc.values(doc) == outcome


def test_the_meter_balance_read_round_trips(mmc_schema):
    command = _esme_command("4.18")
    read, fields = device.read(command, DeviceType.ESME, now=NOW)
    assert fields == {"UseCase": "ECS82"}
    for outcome in ({"Result": "Success", "MeterBalance": "-12345"}, {"Result": "Failure"}):
        doc, _ = parse(_answered(command, device.answer(read, outcome)), srv="4.18")
        assert mmc_schema.errors(doc) == [] and mmc.values(doc) == outcome
