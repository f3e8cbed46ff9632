"""ESME configuration (ECS25a-b3, ECS26j, ECS28a, ECS30/30a, ECS34, ECS39a, ECS81, ECS70Commission) and
Communications Hub Function use cases (CCS01-03, DBCH01/03/04/05, the DBCH09 and CS14 alerts): the DSP's
Transform against the RTDS commands, and the User's Parse of the RTDS responses and alerts into MMC."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import re
from decimal import Decimal

import pytest
import rtds
from dit_command import dit
from lxml import etree

from harness import catalogue
from harness.eui import EntityId
from harness.gbcs import cosem, dlms
from harness.gbcs import payload as gbcs_payload
from harness.gbcs.axdr import PayloadError
from harness.gbcs.frame import GbcsMessage
from harness.usecases import DuisRequest, TransformError, chf, parse, records, transform

ESME_USE_CASES = ("ECS25a", "ECS25a1", "ECS25a2", "ECS25a3", "ECS25b", "ECS25b3", "ECS26j", "ECS28a", "ECS30",
                  "ECS30a", "ECS34", "ECS39a", "ECS81", "ECS70Commission")
CHF_USE_CASES = ("CCS01", "CCS02", "CCS03", "DBCH01", "DBCH03", "DBCH04", "DBCH05", "CS14")
USE_CASES = ESME_USE_CASES + CHF_USE_CASES
NOW = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)     # the RTDS's DSP clock
RA = {"ra": "http://www.dccinterface.co.uk/ResponseAndAlert"}
SR = "{http://www.dccinterface.co.uk/ServiceUserGateway}"

# RTDS commands made from another request than the template (the RTDS release differs): the alert bits
# the command carries are not the template's. The Transform stays true to the request.
DISAGREEING = {
    "ECS25a_6.22_SUCCESS_REQUEST_DUIS.XML": "RTDS sets 810D/810E/81C4/81C5, the template 810D/810E/81B7",
    "ECS25b_6.22_SUCCESS_REQUEST_DUIS.XML": "RTDS sets 8014/8015, the template 8014/8015/8003",
}
OLD_CHF = EntityId("00-DB-12-34-56-78-90-95")
# What the DSP's records hold of the old CHF's log (the last CS14 backup it sent), for CCS03.
OLD_CHF_LOG = records.DeviceLogBackup(bytes.fromhex("0000000000000140"), (
    records.DeviceLogEntry(EntityId("00-DB-12-34-56-78-90-A0"), bytes.fromhex("83FED3407A939723A5C639B26916D506")),
    records.DeviceLogEntry(EntityId("00-DB-12-34-56-78-90-A1"), bytes.fromhex("83FED3407A939723A5C639B26916D505"))))


def _with_payload(message: GbcsMessage, payload: bytes) -> GbcsMessage:
    return GbcsMessage(dataclasses.replace(message.apdu, payload=payload))










def _transform(request: DuisRequest, use_case: str, counter: int | None = None,
               chf_device_log: records.DeviceLogBackup | None = OLD_CHF_LOG):
    return transform(request, device_type=catalogue.use_case(use_case).devices[0], now=NOW, dsp_counter=counter,
                     chf_device_log=chf_device_log)


def _texts(doc: etree._Element, path: str) -> list[str]:
    return [node.text for node in doc.xpath(path, namespaces=RA)]


# -- Transform -------------------------------------------------------------------------------------

def test_every_template_transforms_to_its_rtds_command(conformance):
    checked, wrong = [], []
    for template, command, use_case in rtds.pairs(conformance, USE_CASES):
        expected = rtds.message(command).apdu
        out = _transform(DuisRequest.parse(template.read_bytes(), template.name), use_case,
                         expected.originator_counter)
        header = (out.apdu.originator, out.apdu.recipient, out.apdu.originator_counter, out.apdu.message_code,
                  out.apdu.supplementary_remote_party, out.apdu.supplementary_remote_party_counter)
        assert out.use_case == use_case, template.name
        assert header == (expected.originator, expected.recipient, expected.originator_counter,
                          expected.message_code, expected.supplementary_remote_party,
                          expected.supplementary_remote_party_counter), template.name
        checked.append(template.name)
        if (out.apdu.payload == expected.payload) != (template.name not in DISAGREEING):
            wrong.append(f"{template.name}: {out.apdu.payload.hex()} != {expected.payload.hex()}")
    assert not wrong
    assert len(checked) >= 24, checked


def test_disagreeing_templates_keep_the_request_alert_settings(conformance):
    for name in DISAGREEING:
        request = rtds.template(conformance, name)
        out = _transform(request, rtds.NAME.match(name)["uc"])
        spec = gbcs_payload.decode(out.apdu).value
        settings = cosem.alert_configuration_view(spec.data[0].value[1], 0x81 if name.startswith("ECS25a") else 0x80)
        wanted = {f"0x{node.tag.rsplit('}', 1)[1][1:]}": node.text for node in request.body.iter()
                  if isinstance(node.tag, str) and re.fullmatch(r".*}x[0-9A-F]{4}", node.tag)}
        assert settings == wanted


def test_alert_settings_bits_count_back_from_the_end_of_each_half(conformance):
    # x8014 Enable, x8015 Disable on the network operator's logging object (0-33:97.98.14.255).
    out = _transform(rtds.template(conformance, "ECS25b3_6.22_SUCCESS_REQUEST_DUIS.XML"), "ECS25b3")
    bits = gbcs_payload.decode(out.apdu).value.data[0].value[1]
    mask, value = int.from_bytes(bits[:32], "big"), int.from_bytes(bits[32:], "big")
    assert mask == (1 << 0x14) | (1 << 0x15) and value == 1 << 0x14


def test_use_case_is_chosen_by_the_request_body(conformance):
    chosen = {name: _transform(rtds.template(conformance, name), rtds.NAME.match(name)["uc"]).use_case
              for name in ("ECS25a1_6.22_SUCCESS_REQUEST_DUIS.XML", "ECS25b3_6.22_SUCCESS_REQUEST_DUIS.XML",
                           "ECS30_6.8_SUCCESS_REQUEST_DUIS.XML", "ECS30a_6.8_SUCCESS_REQUEST_DUIS.XML",
                           "CCS01_8.11_SUCCESS_REQUEST_DUIS.XML", "CCS02_8.11_SUCCESS_REQUEST_DUIS.XML")}
    assert chosen == {"ECS25a1_6.22_SUCCESS_REQUEST_DUIS.XML": "ECS25a1", "ECS25b3_6.22_SUCCESS_REQUEST_DUIS.XML":
                      "ECS25b3", "ECS30_6.8_SUCCESS_REQUEST_DUIS.XML": "ECS30", "ECS30a_6.8_SUCCESS_REQUEST_DUIS.XML":
                      "ECS30a", "CCS01_8.11_SUCCESS_REQUEST_DUIS.XML": "CCS01",
                      "CCS02_8.11_SUCCESS_REQUEST_DUIS.XML": "CCS02"}


def test_billing_calendar_periodicities(conformance):
    def dates(edit) -> list[str]:
        out = _transform(rtds.template(conformance, "ECS30a_6.8_SUCCESS_REQUEST_DUIS.XML", edit), "ECS30a")
        return [entry["date"] for entry in gbcs_payload.decode(out.apdu).fields()["requests"][0]["value"]]

    def period(name: str, start: str):
        def edit(body):
            node = next(body.iter(f"{SR}Quarterly"))
            node.tag = f"{SR}{name}"
            node.find(f"{SR}BillingPeriodStartMonth").text = start
        return edit
    assert dates(period("SixMonthly", "11")) == ["*-11-01", "*-05-01"]
    assert dates(period("Yearly", "3")) == ["*-03-01"]
    assert dates(period("Quarterly", "2")) == ["*-02-01", "*-05-01", "*-08-01", "*-11-01"]


def test_load_limit_activation_now_future_and_never(conformance):
    times = {}
    for case in ("IMMEDIATE", "FUTURE_DATED", "CANCELLATION"):
        out = _transform(rtds.template(conformance, f"ECS28a_6.4.1_{case}_SUCCESS_REQUEST_DUIS.XML"), "ECS28a")
        times[case] = {r["value"] for r in gbcs_payload.decode(out.apdu).fields()["requests"][4:]}
    assert times == {"IMMEDIATE": {"now"}, "FUTURE_DATED": {"2030-01-15T09:00:00Z"}, "CANCELLATION": {"never"}}


@pytest.mark.parametrize("template, edit, missing", [
    ("ECS28a_6.4.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML", rtds.drop("LoadLimitPeriod"), "sr:LoadLimitPeriod"),
    ("ECS34_6.12_SUCCESS_REQUEST_DUIS.XML", rtds.drop("MediumHighPowerThreshold"), "sr:MediumHighPowerThreshold"),
    ("ECS39a_6.20.1_SINGLE_SUCCESS_REQUEST_DUIS.XML", rtds.drop("ImportMPAN"), "sr:ImportMPANs/sr:ImportMPAN"),
    ("ECS81_6.25_SUCCESS_REQUEST_DUIS.XML", rtds.drop("SupplyTamperState"), "sr:SupplyTamperState"),
    ("ECS70Commission_8.1.1_SUCCESS_REQUEST_DUIS.XML", rtds.drop("TolerancePeriod"), "sr:TolerancePeriod"),
    ("ECS30_6.8_SUCCESS_REQUEST_DUIS.XML", rtds.drop("BillingTime"), "BillingTime"),
    ("CCS01_8.11_SUCCESS_REQUEST_DUIS.XML", rtds.drop("InstallCode"), "sr:InstallCode"),
    ("DBCH04_6.28_SUCCESS_REQUEST_DUIS.XML", rtds.drop("LocalCHRetryPercentage"), "sr:LocalCHRetryPercentage"),
    ("DBCH04_6.28_SUCCESS_REQUEST_DUIS.XML", rtds.drop("UpperBandSubGHzChannels0To26"), "UpperBandSubGHzChannels0To26"),
])
def test_a_request_missing_an_element_is_refused_naming_it(conformance, template, edit, missing):
    with pytest.raises(TransformError, match=re.escape(missing)):
        _transform(rtds.template(conformance, template, edit), rtds.NAME.match(template)["uc"])


@pytest.mark.parametrize("template, edit, why", [
    ("ECS25a3_6.22_SUCCESS_REQUEST_DUIS.XML", rtds.set_text("x8145", "Sometimes"), "not Enable or Disable"),
    ("ECS28a_6.4.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML", rtds.set_text("LoadLimitSupplyState", "Off"), "not one of"),
    ("DBCH04_6.28_SUCCESS_REQUEST_DUIS.XML", rtds.set_text("NormalLimitedDutyCycleThreshold", "1.305"),
     "decimal places"),
    ("CCS01_8.11_SUCCESS_REQUEST_DUIS.XML", rtds.set_text("DeviceID", "not-an-eui"), "not an EUI-64"),
])
def test_a_request_with_a_bad_value_is_refused(conformance, template, edit, why):
    with pytest.raises(TransformError, match=why):
        _transform(rtds.template(conformance, template, edit), rtds.NAME.match(template)["uc"])


def test_sub_ghz_channel_outside_its_group_is_refused(conformance):
    def edit(body):
        group = next(body.iter(f"{SR}LowerBandSubGHzChannels27To34"))
        etree.SubElement(group, f"{SR}Channel35")
    with pytest.raises(TransformError, match="Channel35 is not one of its channels"):
        _transform(rtds.template(conformance, "DBCH04_6.28_SUCCESS_REQUEST_DUIS.XML", edit), "DBCH04")


def test_restore_needs_the_old_chf_log_backup(conformance):
    with pytest.raises(TransformError, match="no CHF Device Log backup .* 00-DB-12-34-56-78-90-95"):
        _transform(rtds.template(conformance, "CCS03_8.12.1_SUCCESS_REQUEST_DUIS.XML"), "CCS03", chf_device_log=None)


def test_restore_sends_the_backup_of_the_cs14_alert(conformance):
    template = conformance / "duis" / "templates" / "CCS03_8.12.1_SUCCESS_REQUEST_DUIS.XML"
    cs14 = rtds.rtds_file(conformance, "CS14_NA_8F12_ALERT_GBCS.HEX")
    result = dit("duis", "transform", "--json", "--device-type", "CHF", "--chf-device-log", str(cs14), str(template))
    assert result.returncode == 0, result.stdout
    out = GbcsMessage.decode(bytes.fromhex(json.loads(result.stdout)[0]["pre_command"]))
    params = gbcs_payload.decode(out.apdu).value.data[0]
    assert params[0].octets == bytes.fromhex("0001020304050607")
    assert [(e[0].octets.hex().upper(), e[1].octets.hex().upper()) for e in params[1].items] == [
        ("00DB1234567890A0", "83FED3407A939723A5C639B26916D506"),
        ("00DB1234567890A1", "83FED3407A939723A5C639B26916D505")]


# -- Parse ---------------------------------------------------------------------------------------------

def test_every_response_and_alert_parses_to_valid_mmc(conformance, mmc_schema):
    files = rtds.answers(conformance, USE_CASES)
    bad = []
    for path in files:
        srv = rtds.NAME.match(path.name)["sr"]
        for given in {None, None if srv == "NA" else srv}:
            doc, _notes = parse(rtds.message(path), srv=given)
            errors = mmc_schema.errors(doc)
            if errors:
                bad.append(f"{path.name} (srv {given}): {errors[:2]}")
    assert not bad
    assert len(files) >= 51


def _rsp(conformance, name: str, srv: str | None = None) -> tuple[etree._Element, bytes, list[str]]:
    message = rtds.message(rtds.rtds_file(conformance, name))
    doc, notes = parse(message, srv=srv)
    return doc, message.apdu.payload, notes


def test_payment_mode_read(conformance):
    doc, payload, _ = _rsp(conformance, "ECS26j_6.2.9_SUCCESS_RESPONSE_GBCS.HEX")
    assert payload.hex().endswith("0102021602160201" + "0100")     # {enum 2 (prepayment), enum 2 (active)}
    assert _texts(doc, "//ra:ReadDeviceConfigurationPaymentModeRsp/ra:PaymentMode") == ["Prepayment"]


def test_payment_mode_not_credit_or_prepayment_is_left_out_with_a_note(conformance):
    message = rtds.message(rtds.rtds_file(conformance, "ECS26j_6.2.9_SUCCESS_RESPONSE_GBCS.HEX"))
    tampered = message.apdu.payload.replace(bytes.fromhex("02021602"), bytes.fromhex("02021603"))
    doc, notes = parse(_with_payload(message, tampered))
    assert not _texts(doc, "//ra:PaymentMode")
    assert any("account mode 3" in note for note in notes)


def test_commission_clock_read_back(conformance):
    doc, payload, _ = _rsp(conformance, "ECS70Commission_8.1.1_SUCCESS_RESPONSE_GBCS.HEX", srv="8.1.1")
    assert "090c07df0101ff000000008000ff" "1100" in payload.hex()
    rsp = "//ra:CommissionDeviceSynchroniseClockRsp"
    assert _texts(doc, f"{rsp}/ra:DeviceTime") == ["2015-01-01T00:00:00Z"]
    assert _texts(doc, f"{rsp}/ra:Electricity/ra:ElecClockTimeStatus/ra:TimeStatus") == ["reliable"]
    assert doc.xpath(f"{rsp}//ra:ElecClockTimeStatus/@TimeStatusCode", namespaces=RA) == ["0"]
    # The device took the preset time: it lies in the request's validity interval.
    request = rtds.template(conformance, "ECS70Commission_8.1.1_SUCCESS_REQUEST_DUIS.XML")
    start = request.date_time("CurrentDateTime")
    device_time = dt.datetime.fromisoformat(_texts(doc, f"{rsp}/ra:DeviceTime")[0])
    assert start <= device_time <= start + dt.timedelta(seconds=request.int("TolerancePeriod"))


def test_sub_ghz_configuration_read(conformance):
    doc, payload, _ = _rsp(conformance, "DBCH03_6.30_SUCCESS_RESPONSE_GBCS.HEX")
    assert payload.hex() == ("da20000514000001020f0420e00000030420e80000030420f00000030420f800000312007d1200c81104"
                             "1200061106110a1213ba117d12005a121388120bb8010100")
    rsp = doc.xpath("//ra:ReadCHFSubGHzConfigurationRsp", namespaces=RA)[0]
    values = {etree.QName(child).localname: (child.text or [etree.QName(c).localname for c in child])
              for child in rsp}
    assert values == {
        "LowerBandSubGHzChannels0To26": ["Channel0", "Channel1"],
        "LowerBandSubGHzChannels27To34": ["Channel27", "Channel28"],
        "LowerBandSubGHzChannels35To61": ["Channel35", "Channel36"],
        "UpperBandSubGHzChannels0To26": ["Channel0", "Channel1"],
        "NormalLimitedDutyCycleThreshold": "1.25", "LimitedCriticalDutyCycleThreshold": "2.00",
        "MaximumSubGHzChannelChangesPerWeek": "4", "GSMECurfew": "6", "ChannelQuieterThreshold": "6",
        "ChannelNoisierThreshold": "10", "NonGSMEPoorCommsPercentageThreshold": "50.50",
        "NonGSMEPoorCommsMeasurementPeriods": "125", "LocalCHNoiseMeasurementPeriod": "90",
        "LocalCHFailurePercentage": "50.00", "LocalCHRetryPercentage": "30.00"}


def test_operating_sub_ghz_channel_read(conformance):
    doc, payload, _ = _rsp(conformance, "DBCH01_6.31_SUCCESS_RESPONSE_GBCS.HEX")
    assert "0420e0000001" in payload.hex()           # page 28 (lower band), channel 0
    channel = doc.xpath("//ra:OperatingSubGHzChannel/*/*", namespaces=RA)
    assert [etree.QName(doc.xpath("//ra:OperatingSubGHzChannel/*", namespaces=RA)[0]).localname,
            etree.QName(channel[0]).localname] == ["OperatingLowerBandSubGHzChannel", "Channel0"]


def test_sub_ghz_configuration_changed_alert_reads_back_the_set(conformance):
    """DBCH09 follows the 6.28 set: its content is the configuration the request gave."""
    message = rtds.message(rtds.rtds_file(conformance, "DBCH04_6.28_NA_SUCCESS_ALERT_DBCH09_GBCS.HEX"))
    config = chf.sub_ghz_configuration(gbcs_payload.decode(message.apdu).value.body.items[2])
    request = rtds.template(conformance, "DBCH04_6.28_SUCCESS_REQUEST_DUIS.XML")
    wanted: dict[str, object] = {}
    for name, _page, _first in chf.CHANNEL_PAGES:
        wanted[name] = [int(etree.QName(node).localname[7:]) for node in request.find(name)]
    for name, _tag, places in chf.SUB_GHZ_SETTINGS:
        wanted[name] = Decimal(request.require(name)) if places else int(request.require(name))
    assert config == wanted
    doc, _notes = parse(message)
    assert _texts(doc, "//ra:DeviceAlertContent/ra:GBCSHexAlertCode") == ["8F2A"]
    data = doc.xpath("//ra:GBCSData[@name='SubGHzConfiguration']", namespaces=RA)[0]
    assert (data.get("format"), data.get("type")) == ("plain", "dlms")
    assert base64.b64decode(data.text) == gbcs_payload.decode(message.apdu).value.body.items[2].encode()


def test_device_log_backup_alert_entries_are_typed(conformance):
    message = rtds.message(rtds.rtds_file(conformance, "CS14_NA_8F12_ALERT_GBCS.HEX"))
    assert message.apdu.payload.hex().endswith(
        "0908000102030405060701020202090800db1234567890a0091083fed3407a939723a5c639b26916d506"
        "0202090800db1234567890a1091083fed3407a939723a5c639b26916d505")
    backup = chf.device_log_backup(message)
    assert backup.extended_pan_id.hex() == "0001020304050607" and backup.backed_up == NOW
    assert [(e.device_id.duis, e.hashed_link_key.hex().upper()) for e in backup.entries] == [
        ("00-DB-12-34-56-78-90-A0", "83FED3407A939723A5C639B26916D506"),
        ("00-DB-12-34-56-78-90-A1", "83FED3407A939723A5C639B26916D505")]
    content = gbcs_payload.decode(message.apdu).fields()["content"][0]
    assert content["devices"][1] == {"device_id": "00-DB-12-34-56-78-90-A1",
                                     "hashed_tc_link_key": "83FED3407A939723A5C639B26916D505"}
    doc, notes = parse(message)
    assert _texts(doc, "//ra:DeviceAlertContent/ra:AlertDescription") == ["CHF Device Log Changed"]
    assert any("00-DB-12-34-56-78-90-A1 (hashed TC link key 83FED3407A939723A5C639B26916D505)" in n for n in notes)


def test_set_responses_report_each_instruction(conformance):
    doc, _, _ = _rsp(conformance, "ECS28a_6.4.1_IMMEDIATE_ERROR_RESPONSE_GBCS.HEX")
    assert doc.xpath("//ra:UpdateDeviceConfigurationLoadLimitingGeneralSettingsRsp/@MessageSuccess",
                     namespaces=RA) == ["false"]
    assert _texts(doc, "//ra:COSEMResponse/ra:DataAccessResult")[6:] == ["hardware-fault", "other-reason"]


def test_each_response_has_its_own_statuses_whatever_was_parsed_before(conformance):
    """DebugInfo is copied from one kept per set of statuses: a response that failed at an instruction is never shown
    with the statuses of one of the same shape that succeeded, nor the other way round."""
    error = rtds.message(rtds.rtds_file(conformance, "ECS28a_6.4.1_IMMEDIATE_ERROR_RESPONSE_GBCS.HEX"))
    access = dlms.decode(error.apdu.payload)
    assert isinstance(access, dlms.AccessResponse)
    all_good = tuple(dataclasses.replace(r, result=dlms.AccessResult.SUCCESS) for r in access.results)
    succeeded = dataclasses.replace(access, results=all_good).encode()
    success = GbcsMessage(dataclasses.replace(error.apdu, payload=succeeded))
    path = "//ra:COSEMResponse/ra:DataAccessResult"
    for first, second in ((success, error), (error, success), (error, error)):
        parse(first)
        failed = _texts(parse(second)[0], path)[6:] != ["success", "success"]
        assert failed is (second is error)
    kept = parse(error)[0]
    parse(error)
    assert len(_texts(kept, path)) == len(access.results)      # each document has a copy of its own


@pytest.mark.parametrize("name, use_case", [
    ("DBCH03_6.30_SUCCESS_RESPONSE_GBCS.HEX", "DBCH03"),
    ("ECS26j_6.2.9_SUCCESS_RESPONSE_GBCS.HEX", "ECS26j"),
    ("CS14_NA_8F12_ALERT_GBCS.HEX", "CS14"),
])
def test_a_truncated_answer_is_a_payload_error_naming_use_case_and_offset(conformance, name, use_case):
    message = rtds.message(rtds.rtds_file(conformance, name))
    with pytest.raises(PayloadError, match=rf"^{use_case}: DLMS COSEM payload: .* at payload byte \d+$"):
        parse(_with_payload(message, message.apdu.payload[:-3]))


def test_a_tampered_sub_ghz_structure_is_not_read_as_configuration(conformance):
    message = rtds.message(rtds.rtds_file(conformance, "DBCH03_6.30_SUCCESS_RESPONSE_GBCS.HEX"))
    # GSMECurfew's long-unsigned becomes an unsigned and a null: the structure no longer has GBCS's shape.
    payload = message.apdu.payload.replace(bytes.fromhex("1200061106"), bytes.fromhex("1100001106"))
    payload = payload.replace(bytes.fromhex("020f"), bytes.fromhex("0210"), 1)
    doc, notes = parse(_with_payload(message, payload))
    assert not doc.xpath("//ra:ReadCHFSubGHzConfigurationRsp/*", namespaces=RA)
    assert any("15-member GBCS structure" in note for note in notes)


def test_command_values_have_typed_views(conformance):
    out = _transform(rtds.template(conformance, "ECS39a_6.20.1_TWIN_SUCCESS_REQUEST_DUIS.XML"), "ECS39a")
    assert gbcs_payload.decode(out.apdu).fields()["requests"][0]["value"] == "13123456781111312345678222"
    out = _transform(rtds.template(conformance, "ECS25a2_6.22_SUCCESS_REQUEST_DUIS.XML"), "ECS25a2")
    assert gbcs_payload.decode(out.apdu).fields()["requests"][0]["value"] == {
        "0x8154": "Enable", "0x8155": "Enable", "0x8161": "Enable", "0x8162": "Enable"}
    out = _transform(rtds.template(conformance, "DBCH04_6.28_SUCCESS_REQUEST_DUIS.XML"), "DBCH04")
    value = gbcs_payload.decode(out.apdu).fields()["requests"][0]["value"]
    assert value["lower_band_channels_27_34"] == {"page": 29, "band": "lower", "channels": [28, 29]}
    assert value["non_gsme_poor_comms_percentage_threshold"] == "60.00"


def test_a_chf_device_log_record_that_is_not_a_cs14_alert_is_refused(conformance):
    template = conformance / "duis" / "templates" / "CCS03_8.12.1_SUCCESS_REQUEST_DUIS.XML"
    response = rtds.rtds_file(conformance, "CCS03_8.12.1_SUCCESS_RESPONSE_GBCS.HEX")
    result = dit("duis", "transform", "--device-type", "CHF", "--chf-device-log", str(response), str(template))
    assert result.returncode != 0
    assert "not a CS14 alert: CS14: expected a DLMS alert with a CHF Device Log backup" in result.stderr
