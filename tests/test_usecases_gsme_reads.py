"""GSME/GPF reads and configuration (gsme_reads.py, gsme_config.py): the DSP's Transform against the
RTDS pairs, the User's Parse of every response to valid MMC, and the values read back, checked
against the response hex decoded by hand."""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import pytest
import rtds
from lxml import etree

from harness import catalogue
from harness.gbcs import crypto, gbz
from harness.gbcs.axdr import PayloadError
from harness.gbcs.frame import GbcsMessage
from harness.pki import KeyUsage
from harness.usecases import DuisRequest, TransformError, parse, transform

USE_CASES = ("GCS13a", "GCS13c", "GCS14", "GCS15b", "GCS15c", "GCS16a", "GCS16b", "GCS17", "GCS61", "GCS20",
             "GCS21j", "GCS23", "GCS25", "GCS25a", "GCS41", "CS10a", "CS10b")
NOW = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
RA = {"ra": "http://www.dccinterface.co.uk/ResponseAndAlert"}

# Pairs whose RTDS command was not made from the template beside it (another RTDS release): the
# field that differs, and the request value that gives the RTDS command (checked below).
DISAGREEMENTS = {
    "GCS15c_4.4.3_SUCCESS": "ReadLogPeriod: the command asks 2015-01-01T00:00:01Z..2016-01-01T00:00:01Z",
    "GCS16b_4.14_URP_SUCCESS": "ReadLogPeriod/StartDateTime: the command asks from 2014-12-29T23:00:00Z; "
                               "the header's KA certificate is not the template's KAPublicSecurityCredentials",
    "GCS61_4.17_SUCCESS": "ReadLogPeriod: the command asks 731 days from 2014-12-22; the header's KA "
                          "certificate is not the template's KAPublicSecurityCredentials",
    "GCS20_6.22_SUCCESS": "the order of the Set Event Configuration commands (same commands)",
}


def rtds_message(conformance: Path, name: str) -> GbcsMessage:
    return rtds.message(rtds.rtds_file(conformance, f"{name}_GBCS.HEX"))


def template(conformance: Path, case: str) -> str:
    return (conformance / "duis" / "templates" / f"{case}_REQUEST_DUIS.XML").read_text()


def transformed(text: str, case: str, dsp_counter: int | None = None):
    request = DuisRequest.parse(text.encode(), case)
    devices = catalogue.use_case(case.split("_")[0]).devices
    return transform(request, device_type=devices[0], now=NOW, dsp_counter=dsp_counter)


def header(apdu) -> tuple:
    return (apdu.originator, apdu.recipient, apdu.originator_counter, apdu.message_code,
            apdu.supplementary_remote_party, apdu.supplementary_remote_party_counter)


# -- Transform ----------------------------------------------------------------------------------------------

def test_every_pair_matches_but_the_known_disagreements(conformance):
    matched, differing = [], set()
    for path, command, _ in rtds.pairs(conformance, USE_CASES):
        case, expected = path.name.removesuffix("_REQUEST_DUIS.XML"), rtds.message(command).apdu
        out = transformed(path.read_text(), case, expected.originator_counter).apdu
        same = header(out) == header(expected) and out.payload == expected.payload and \
            out.supplementary_remote_party_ka_certificate == expected.supplementary_remote_party_ka_certificate
        (matched.append(case) if same else differing.add(case))
    assert differing == set(DISAGREEMENTS)
    assert {c.split("_")[0] for c in matched + sorted(differing)} == set(USE_CASES)
    assert len(matched) == 20


@pytest.mark.parametrize("case, edits", [
    ("GCS15c_4.4.3_SUCCESS", {"2014-12-01T00:00:00.00Z": "2015-01-01T00:00:01Z",
                              "2015-11-01T00:00:00.00Z": "2016-01-01T00:00:01Z"}),
    ("GCS16b_4.14_URP_SUCCESS", {"2014-12-30T23:00:00.00Z": "2014-12-29T23:00:00Z"}),
    ("GCS61_4.17_SUCCESS", {"2014-12-10T00:00:00.00Z": "2014-12-22T00:00:00Z",
                            "2014-12-20T00:00:00.00Z": "2016-12-21T00:00:00Z"}),
])
def test_the_disagreeing_pairs_match_with_the_values_the_rtds_was_made_from(conformance, case, edits):
    expected = rtds_message(conformance, f"{case}_COMMAND").apdu
    text = template(conformance, case)
    for old, new in edits.items():
        assert old in text
        text = text.replace(old, new)
    if expected.supplementary_remote_party_ka_certificate:
        text = re.sub(r"(KAPublicSecurityCredentials>)[^<]+",
                      lambda m: m[1] + base64.b64encode(expected.supplementary_remote_party_ka_certificate).decode(),
                      text)
    out = transformed(text, case, expected.originator_counter).apdu
    assert header(out) == header(expected)
    assert out.supplementary_remote_party_ka_certificate == expected.supplementary_remote_party_ka_certificate
    assert out.payload == expected.payload


def test_alert_behaviours_send_the_rtds_commands_grouped_by_configuration(conformance):
    expected = gbz.decode(rtds_message(conformance, "GCS20_6.22_SUCCESS_COMMAND").apdu.payload)
    out = gbz.decode(transformed(template(conformance, "GCS20_6.22_SUCCESS"), "GCS20_6.22_SUCCESS").apdu.payload)

    def commands(payload):
        return sorted((c.cluster, c.frame.frame_control, c.frame.command, repr(c.frame.values))
                      for c in payload.components)

    assert commands(out) == commands(expected)
    # 810E is WAN alert only (0x08); 8161, 8162 and 81C6 log and alarm (0x43); 81AA/81AB/81C4 all (0x5B)
    groups = {c.frame.values["event_configuration"]: [e["event_id"] for e in c.frame.values["event_ids"]]
              for c in out.components}
    assert groups == {0x08: [0x810E], 0x43: [0x8161, 0x8162, 0x81C6], 0x5B: [0x81AA, 0x81AB, 0x81C4],
                      0x4B: [0x81BD, 0x81BE, 0x81BF, 0x81C0]}


def test_urp_reads_are_sent_by_the_dcc_with_the_users_certificate(conformance):
    text = template(conformance, "GCS16b_4.14_URP_SUCCESS")
    out = transformed(text, "GCS16b_4.14_URP_SUCCESS", 1300).apdu
    cert = re.search(r"KAPublicSecurityCredentials>([^<]+)<", text)[1]
    assert str(out.originator) == "90-B3-D5-1F-30-00-00-02" and out.originator_counter == 1300
    assert str(out.supplementary_remote_party) == "90-B3-D5-1F-30-03-00-00"
    assert out.supplementary_remote_party_ka_certificate == base64.b64decode(cert)
    # without the certificate the User itself (a known remote party) sends it
    krp = transformed(re.sub(r"\s*<sr:KAPublicSecurityCredentials>[^<]+</sr:KAPublicSecurityCredentials>", "", text),
                      "GCS16b_4.14_URP_SUCCESS", 1300).apdu
    assert str(krp.originator) == "90-B3-D5-1F-30-03-00-00" and krp.supplementary_remote_party is None


@pytest.mark.parametrize("case, element, missing", [
    ("GCS17_4.8.1_SUCCESS", "<sr:StartDateTime>2014-12-30T00:00:00.00Z</sr:StartDateTime>",
     "sr:ReadLogPeriod/sr:StartDateTime"),
    ("CS10a_6.13_SUCCESS", "<sr:EndDateTime>2030-01-01T00:00:00.00Z</sr:EndDateTime>",
     "sr:ReadLogPeriod/sr:EndDateTime"),
    ("GCS23_6.6_SUCCESS", "<sr:CalorificValue>40.0</sr:CalorificValue>", "sr:CalorificValue"),
    ("GCS25a_6.8_SUCCESS", "<sr:BillingPeriodStart>2015-01-01T00:00:00.00Z</sr:BillingPeriodStart>",
     "sr:GasBillingCalendar/sr:BillingPeriodStart"),
])
def test_a_request_missing_a_required_element_is_refused_naming_it(conformance, case, element, missing):
    text = template(conformance, case)
    assert element in text
    with pytest.raises(TransformError, match=re.escape(missing)):
        transformed(text.replace(element, ""), case)


def test_an_end_before_the_start_and_an_alert_list_without_settings_are_refused(conformance):
    text = template(conformance, "GCS17_4.8.1_SUCCESS").replace("2015-01-01T00:00:00.00Z", "2014-12-29T00:00:00Z")
    with pytest.raises(TransformError, match="EndDateTime is before StartDateTime"):
        transformed(text, "GCS17_4.8.1_SUCCESS")
    text = template(conformance, "GCS20_6.22_SUCCESS")
    empty = re.sub(r"<sr:GasSupplierAlertEventSettings>.*</sr:GasSupplierAlertEventSettings>",
                   "<sr:GasSupplierAlertEventSettings/>", text, flags=re.S)
    with pytest.raises(TransformError, match="names no alert"):
        transformed(empty, "GCS20_6.22_SUCCESS")


def test_samples_and_rates_follow_the_request(conformance):
    # 2 days of half hours, both ends included: 97 samples; 11 days: 11 daily samples
    out = gbz.decode(transformed(template(conformance, "GCS17_4.8.1_SUCCESS"), "GCS17_4.8.1_SUCCESS").apdu.payload)
    assert out.components[0].frame.values == {"sample_id": 0, "earliest_sample_time": gbz.gbz_seconds(
        dt.datetime(2014, 12, 30, tzinfo=dt.UTC)), "sample_type": 0, "number_of_samples": 97}
    out = gbz.decode(transformed(template(conformance, "GCS61_4.17_SUCCESS"), "GCS61_4.17_SUCCESS", 1).apdu.payload)
    assert out.components[0].frame.values["number_of_samples"] == 11
    out = gbz.decode(transformed(template(conformance, "GCS23_6.6_SUCCESS"), "GCS23_6.6_SUCCESS").apdu.payload)
    assert [c.frame.values.get("conversion_factor", c.frame.values.get("calorific_value"))
            for c in out.components] == [102264, 400]


# -- Parse --------------------------------------------------------------------------------------------------

def responses(conformance: Path) -> list[Path]:
    return [p for p in rtds.answers(conformance, USE_CASES) if p.name.endswith("_RESPONSE_GBCS.HEX")]


def parsed(conformance, name: str, keystore=None):
    return parse(rtds_message(conformance, f"{name}_RESPONSE"), keystore=keystore)


def texts(doc, path: str) -> list[str]:
    return doc.xpath(f"//ra:SMETSData/*/{path}/text()", namespaces=RA)


def test_every_response_parses_to_valid_mmc_with_and_without_the_key(conformance, conformance_keystore, mmc_schema):
    files = responses(conformance)
    assert len(files) >= 44
    for path in files:
        message = rtds.message(path)
        for keystore in (conformance_keystore, None):
            doc, notes = parse(message, keystore=keystore)
            assert mmc_schema.errors(doc) == [], path.name
            assert doc.find(".//ra:SMETSData", RA) is not None, path.name
            encrypted = doc.xpath("//ra:GBCSData[@format='encrypted']", namespaces=RA)
            if keystore is not None:
                assert not encrypted, path.name
            elif any(c.encrypted for c in gbz.decode(message.apdu.payload).components):
                assert encrypted and all(e.get("type") == "zigbeeCiphered" for e in encrypted), path.name
                assert any("no keystore" in n for n in notes), path.name


def test_registers_are_scaled_by_the_divisor_read_with_them(conformance, conformance_keystore):
    # plaintext 0203 00 22 e80300 | 0103 00 22 010000 | 0003 00 30 01 | 0000 00 25 393000000000
    doc, _ = parsed(conformance, "GCS13a_4.1.1_SUCCESS_RELIABLE_GSME", conformance_keystore)
    assert texts(doc, "ra:Gas/ra:ConsumptionRegister/ra:Value") == ["12.345"]
    assert texts(doc, "ra:Gas/ra:ConsumptionRegister/ra:Unit") == ["m3"]
    # tiers 0100..0106: e80300, d00700, b80b00, a00f00
    doc, _ = parsed(conformance, "GCS13c_4.1.2_SUCCESS_RELIABLE_GPF", conformance_keystore)
    assert texts(doc, "ra:Gas/ra:TariffTOURegisterMatrix/ra:TOURegisterMatrixValue") == ["1.000", "2.000", "3.000",
                                                                                          "4.000"]
    # the divisor's status is C0: nothing is scaled, the response is not a success, a note says why
    doc, notes = parsed(conformance, "GCS13a_4.1.1_ERROR", conformance_keystore)
    assert texts(doc, "ra:Gas/ra:ConsumptionRegister/ra:Value") == []
    assert doc.xpath("//ra:SMETSData/*/@MessageSuccess", namespaces=RA) == ["false"]
    assert any("multiplier and divisor" in n for n in notes)


def test_prepay_values_and_payment_mode(conformance, conformance_keystore):
    # 0005 2b a0252600, 0002 2b 20a10700, 0001 2b a0252600, 0231/0211/0221 23 88130000
    doc, _ = parsed(conformance, "GCS14_4.3_SUCCESS_UNRELIABLE", conformance_keystore)
    rsp = doc.find(".//ra:ReadInstantaneousPrepayValuesRsp", RA)
    assert [(etree.QName(e).localname, e.text) for e in rsp] == [
        ("EmergencyCreditBalance", "500000"), ("AccumulatedDebtRegister", "2500000"), ("PaymentDebtRegister", "5000"),
        ("TimeDebtRegister1", "5000"), ("TimeDebtRegister2", "5000"), ("MeterBalance", "2500000")]
    # Payment Control Configuration 0x0C97: prepayment enabled, debt configuration set, emergency debt set
    doc, _ = parsed(conformance, "GCS21j_6.2.9_SUCCESS")
    assert texts(doc, "ra:PaymentMode") == ["Prepayment"]
    assert texts(doc, "ra:SuspendDebtEmergency") == ["false"] and texts(doc, "ra:SuspendDebtDisabled") == ["true"]


def test_billing_data_logs(conformance, conformance_keystore):
    doc, _ = parsed(conformance, "GCS15b_4.4.2_SUCCESS", conformance_keystore)
    entries = doc.findall(".//ra:Gas/ra:LogEntryConsumptionRegister", RA)
    # 900000000000 | 04 | 6c.. ea.. 84.. 84.. | 14 | 4a.. 30.. b1.. b3..
    assert [e.findtext("ra:ConsumptionRegister", namespaces=RA) for e in entries] == ["144", "190"]
    assert [v.text for v in entries[0].findall("ra:TariffTOURegisterMatrixValue", RA)] == ["108", "234", "132", "132"]
    assert [v.text for v in entries[0].findall("ra:BlockRegisterMatrixValue", RA)] == ["74", "48", "177", "179"]
    assert [e.findtext("ra:Timestamp", namespaces=RA) for e in entries] == ["2014-12-01T00:00:00Z",
                                                                           "2015-01-01T00:00:00Z"]
    prepay = doc.findall(".//ra:Gas/ra:LogEntryPrepaymentData", RA)
    # 82000000 79000000 df000000 ca000000 32000000 42000000, then ... c0ffffff 4bffffff
    assert [[v.text for v in p][:6] for p in prepay] == [["130", "50", "66", "202", "121", "223"],
                                                         ["79", "-64", "-181", "69", "17", "171"]]
    assert doc.xpath("//ra:SMETSData/*/@MessageSuccess", namespaces=RA) == ["true"]   # NOT_FOUND: no more entries
    doc, _ = parsed(conformance, "GCS15b_4.4.2_ERROR", conformance_keystore)
    assert doc.xpath("//ra:SMETSData/*/@MessageSuccess", namespaces=RA) == ["false"]  # C0 and FAILURE
    doc, _ = parsed(conformance, "GCS15c_4.4.3_SUCCESS", conformance_keystore)
    assert texts(doc, "ra:Gas/ra:GSMEBillingDataLogEntry/ra:ActiveImportRegisterValueConsumption") == ["65", "48"]
    assert texts(doc, "ra:Gas/ra:GSMEBillingPrepaymentDataLogEntry/ra:MeterBalance") == ["-126", "23"]


def in_period(conformance, case: str, stamps: list[str]) -> bool:
    text = template(conformance, case)
    start, end = (dt.datetime.fromisoformat(re.search(f"<sr:{t}>([^<]+)<", text)[1].replace("Z", "+00:00"))
                  for t in ("StartDateTime", "EndDateTime"))
    return bool(stamps) and all(start <= dt.datetime.fromisoformat(s.replace("Z", "+00:00")) <= end for s in stamps)


def test_daily_logs_read_back_the_requested_period(conformance, conformance_keystore):
    doc, _ = parsed(conformance, "GCS16a_4.6.1_SUCCESS", conformance_keystore)
    assert texts(doc, "ra:LogEntry/ra:Gas/ra:GasActiveImportRegisterConsumption") == ["32", "57"]
    assert in_period(conformance, "GCS16a_4.6.1_SUCCESS", texts(doc, "ra:LogEntry/ra:Timestamp"))
    for case in ("GCS16b_4.14_KRP_SUCCESS", "GCS16b_4.14_URP_SUCCESS"):
        doc, notes = parsed(conformance, case, conformance_keystore)
        assert texts(doc, "ra:Gas/ra:LogEntry/ra:MeterBalance") == ["66", "-181"] and not notes
        assert texts(doc, "ra:Gas/ra:LogEntry/ra:Timestamp") == ["2014-12-30T09:00:00Z", "2014-12-31T09:00:00Z"]
    assert in_period(conformance, "GCS16b_4.14_KRP_SUCCESS", ["2014-12-30T09:00:00Z", "2014-12-31T09:00:00Z"])


def test_profile_data_and_daily_consumption(conformance, conformance_keystore):
    doc, _ = parsed(conformance, "GCS17_4.8.1_SUCCESS", conformance_keystore)
    stamps = texts(doc, "ra:LogEntry/ra:Timestamp")
    values = texts(doc, "ra:LogEntry/ra:Gas/ra:PrimaryValue")
    # 97 samples of 3 bytes every 0x0708 s from 0x1c34a780: 4abe48 -> 4767306, 8e443c -> 3949710
    assert len(stamps) == 97 and values[:2] == ["4767306", "3949710"]
    assert stamps[0] == "2014-12-30T00:00:00Z" and stamps[-1] == "2015-01-01T00:00:00Z"
    assert in_period(conformance, "GCS17_4.8.1_SUCCESS", stamps)
    # the DCC sent it on the supplier's behalf: the response is encrypted for the supplementary party
    doc, notes = parsed(conformance, "GCS61_4.17_SUCCESS", conformance_keystore)
    assert not notes
    assert texts(doc, "ra:Gas/ra:LogEntry/ra:Value")[:2] == ["48714", "17550"]
    assert texts(doc, "ra:Gas/ra:LogEntry/ra:Timestamp")[::10] == ["2014-12-22T00:00:00Z", "2015-01-01T00:00:00Z"]


def test_event_and_security_logs(conformance, conformance_keystore):
    doc, _ = parsed(conformance, "CS10a_6.13_SUCCESS")
    entries = doc.findall(".//ra:Log/ra:LogEntry", RA)
    assert len(entries) == 32
    assert [entries[0].findtext(f"ra:{t}", namespaces=RA) for t in ("Timestamp", "LogCode")] == [
        "2014-12-31T00:00:00Z", "8F1F"]
    assert entries[2].findtext("ra:LogCode", namespaces=RA) == "8154"
    assert entries[2].findtext("ra:OtherInformation", namespaces=RA) == "009B"
    assert in_period(conformance, "CS10a_6.13_SUCCESS", texts(doc, "ra:Log/ra:LogEntry/ra:Timestamp"))
    doc, _ = parsed(conformance, "CS10b_6.13_SUCCESS")
    assert texts(doc, "ra:Log/ra:LogEntry/ra:LogCode")[:2] == ["8F0C", "8F1C"]
    assert in_period(conformance, "CS10b_6.13_SUCCESS", texts(doc, "ra:Log/ra:LogEntry/ra:Timestamp"))
    doc, _ = parsed(conformance, "CS10b_6.13_NOT_FOUND")
    assert doc.find(".//ra:Log", RA) is None
    assert doc.xpath("//ra:ZCLStatus/text()", namespaces=RA) == ["NOT_FOUND"]


def test_a_truncated_or_malformed_response_names_the_use_case_and_offset(conformance):
    message = rtds_message(conformance, "CS10a_6.13_SUCCESS_RESPONSE")
    payload = message.apdu.payload
    # 01 09 01 | 01 0709 0110: the component length (payload bytes 6-7) says 272 bytes, 267 follow
    with pytest.raises(PayloadError, match=r"CS10a: .*272 bytes but 267 follow at payload byte 6\b"):
        parse(with_payload(message, payload[:-5]))
    # the last event's data length (the payload's last byte, 279) says 5 bytes, none follow
    assert len(payload) == 280 and payload[279] == 0
    with pytest.raises(PayloadError, match=r"CS10a: .*string of 5 bytes, 0 left at payload byte 279\b"):
        parse(with_payload(message, payload[:279] + b"\x05"))


def with_payload(message: GbcsMessage, payload: bytes) -> GbcsMessage:
    return GbcsMessage(replace(message.apdu, payload=payload))


def test_a_tampered_ciphertext_is_noted_and_a_bad_plaintext_names_its_payload_byte(conformance, conformance_keystore):
    message = rtds_message(conformance, "GCS13a_4.1.1_SUCCESS_RELIABLE_GSME_RESPONSE")
    payload = bytearray(message.apdu.payload)
    payload[-13] ^= 0x01                                    # last ciphertext byte
    doc, notes = parse(with_payload(message, bytes(payload)), keystore=conformance_keystore)
    assert any("did not decrypt" in n for n in notes)
    assert doc.xpath("//ra:GBCSData[@format='encrypted']/@type", namespaces=RA) == ["zigbeeCiphered"]
    # re-encrypt a plaintext whose last record is one byte short: the error points at that byte
    apdu = message.apdu
    mine = conformance_keystore.find(apdu.recipient, KeyUsage.KEY_AGREEMENT)
    theirs = conformance_keystore.find(apdu.originator, KeyUsage.KEY_AGREEMENT)
    key = crypto.derive_key(mine.private_key, theirs.public_key, originator=apdu.originator,
                            counter=apdu.originator_counter, recipient=apdu.recipient, mode=crypto.ENCRYPTION_MODE)
    component = gbz.decode(apdu.payload).components[0]
    plain = crypto.decrypt_field(key, apdu.originator, component.ciphered.ciphertext + component.ciphered.tag)
    short = crypto.encrypt_field(key, apdu.originator, plain[:-1])
    ciphered = gbz.Ciphered(short[:-12], short[-12:], component.ciphered.security_header)
    rebuilt = gbz.GbzPayload((gbz.Component(component.cluster, component.frame, component.control, None,
                                            component.additional_control, component.frame_counter, ciphered),)).encode()
    # records 0302 (7 bytes), 0301 (7), 0300 (5), then 0000 00 25 and the uint48 at plaintext byte 23;
    # the ciphertext starts 17 bytes into the component at payload byte 3: 3 + 17 + 23 = 43
    with pytest.raises(PayloadError, match=r"GCS13a: decrypted .*uint48 needs 6 bytes, 5 left at payload byte 43\b"):
        parse(with_payload(message, rebuilt), keystore=conformance_keystore)


def test_decrypted_payloads_decode_to_typed_fields_that_encode_back(conformance, conformance_keystore):
    """The ZCL schemas (Publish Snapshot / Publish Prepay Snapshot by payload type, Get Sampled Data
    Response, Read Attributes Response) account for every plaintext byte."""
    from harness.gbcs import payload as gbcs_payload
    from harness.usecases import gsme_reads
    from harness.usecases.registry import ResponseContext

    checked = 0
    for path in responses(conformance):
        message = rtds.message(path)
        ctx = ResponseContext(message, gbcs_payload.decode(message.apdu), None, path.name.split("_")[0],
                              conformance_keystore)
        for component in gsme_reads.opened(ctx):
            if component.encrypted:
                assert component.frame.values is not None, path.name
                assert component.frame.encode_payload(component.cluster) == gsme_reads.decrypt(
                    ctx, component.ciphered.ciphertext + component.ciphered.tag), path.name
                checked += 1
    assert checked >= 30
