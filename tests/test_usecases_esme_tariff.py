"""ESME tariff, payment and display use cases (DLMS COSEM): the DSP's Transform of each DUIS template
equals the DCC's own (the RTDS PRECOMMAND/COMMAND), the User's Parse of each response and alert is
valid MMC, and the triage view shows tariffs, prices, currency and text as typed values.

ECS01a ECS01b (1.1.1, 1.2.1), ECS02 ECS03 (1.6), ECS04a ECS04b (1.5), ECS07 (2.3), ECS08a ECS08 (2.1),
CS01a (2.2), ECS10 ECS12 ECS14 ECS16 (3.1, 3.2, 3.5, 3.4).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import pytest
import rtds
from lxml import etree

from harness import catalogue
from harness.catalogue import DeviceType
from harness.duis import xml
from harness.gbcs import cosem, dlms, payload
from harness.gbcs.axdr import PayloadError
from harness.gbcs.frame import GbcsMessage
from harness.usecases import TransformError, choose, parse, transform
from harness.usecases.esme_tariff import dlms_date_time

NOW = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
USE_CASES = ("ECS01a", "ECS01b", "ECS02", "ECS03", "ECS04a", "ECS04b", "ECS07", "ECS08", "ECS08a", "CS01a",
             "ECS10", "ECS12", "ECS14", "ECS16")
RESPONSE_ELEMENTS = {
    "ECS01a": "UpdateImportTariffPrimaryElementRsp", "ECS01b": "UpdatePricePrimaryElementRsp",
    "ECS02": "UpdatePaymentModeRsp", "ECS03": "UpdatePaymentModeRsp", "ECS04a": "UpdateMeterBalanceRsp",
    "ECS04b": "UpdateMeterBalanceRsp", "ECS07": "UpdateDebtRsp", "ECS08": "UpdatePrepayConfigurationRsp",
    "ECS08a": "UpdatePrepayConfigurationRsp", "CS01a": "TopUpDeviceRsp", "ECS10": "DisplayMessageRsp",
    "ECS12": "RestrictAccessForChangeOfTenancyRsp", "ECS14": "DisablePrivacyPINRsp",
    "ECS16": "UpdateSupplierNameRsp"}
RA = {"ra": "http://www.dccinterface.co.uk/ResponseAndAlert"}


def _drop(xpath: str):
    def edit(root: etree._Element) -> None:
        nodes = root.xpath(xpath, namespaces=xml.NSMAP)
        assert nodes, xpath
        for node in nodes:
            node.getparent().remove(node)
    return edit


def _header(apdu):
    return (apdu.originator, apdu.recipient, apdu.originator_counter, apdu.message_code,
            apdu.supplementary_remote_party, apdu.supplementary_remote_party_counter)


# -- Transform: the RTDS pairs -------------------------------------------------------------------------------

def test_every_template_transforms_to_the_dcc_command(conformance):
    """Byte for byte, header and payload. Two RTDS facts are the DSP's records of the ESME, not the
    request's: whether it is twin element (_TWIN_ cases: the Secondary Element's prices join the
    credit/charge configuration) and its GBCS version (ECS08 on GBCS 1.0, ECS08a from 2.0)."""
    pairs = rtds.pairs(conformance, USE_CASES)
    assert {uc for _, _, uc in pairs} == set(USE_CASES), "templates missing"
    for template, command, uc in pairs:
        expected = rtds.message(command).apdu
        out = transform(rtds.request(template), device_type=DeviceType.ESME, now=NOW,
                        twin_element="_TWIN_" in template.name, gbcs_version="1.0" if uc == "ECS08" else "2.0")
        assert out.use_case == uc, template.name
        assert _header(out.apdu) == _header(expected), template.name
        assert out.apdu.payload.hex() == expected.payload.hex(), template.name
    assert len(pairs) >= 28


def test_twin_element_and_gbcs_version_change_the_command(conformance):
    twin = rtds.request(conformance / "duis" / "templates" / "ECS03_1.6_FUTURE_DATED_TWIN_SUCCESS_REQUEST_DUIS.XML")
    single = transform(twin, device_type=DeviceType.ESME, now=NOW).apdu.payload
    assert transform(twin, device_type=DeviceType.ESME, now=NOW, twin_element=True).apdu.payload != single
    prepay = rtds.request(conformance / "duis" / "templates" / "ECS08_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML")
    assert transform(prepay, device_type=DeviceType.ESME, now=NOW, gbcs_version="1.0").use_case == "ECS08"
    assert transform(prepay, device_type=DeviceType.ESME, now=NOW, gbcs_version="2.0").use_case == "ECS08a"
    assert transform(prepay, device_type=DeviceType.ESME, now=NOW).use_case == "ECS08a"


def test_future_dated_outcome_alerts_name_an_activation_the_transform_sets(conformance):
    """Each 0x8F66 alert names the future-dated command (its use case's code, the request's counter) and
    one of the activation-time instructions the Transform wrote with the request's ExecutionDateTime."""
    alerts = [p for p in (conformance / "gbcs" / "rtds").rglob("*_8F66_*ALERT*.HEX")
              if p.name.split("_")[0] in USE_CASES]
    assert len(alerts) >= 25
    for path in alerts:
        found = re.match(r"(.+?)_8F66_(.+?_SUCCESS)_ALERT_", path.name)
        request = rtds.request(conformance / "duis" / "templates" / f"{found[1]}_{found[2]}_REQUEST_DUIS.XML")
        command = dlms.decode(transform(request, device_type=DeviceType.ESME, now=NOW).apdu.payload)
        when = dlms_date_time(request.execution_date_time)
        activations = {(s.descriptor.class_id, str(s.descriptor.instance), cosem.member_name(s.descriptor, s.kind))
                       for s, value in zip(command.specs, command.data) if value.value == when}
        named = payload.decode(rtds.message(path).apdu).fields()["future_dated_command"]
        uc = path.name.split("_")[0]
        assert int(named["message_code"], 16) == catalogue.use_case(uc).message_codes[0], path.name
        assert named["originator_counter"] == request.request_id.counter, path.name
        assert (named["class_id"], named["instance"], named["attribute"]) in activations, path.name


def test_activation_times_are_now_the_execution_date_time_or_never(conformance):
    template = conformance / "duis" / "templates" / "ECS01b_1.2.1_FUTURE_DATED_TOU_BLOCK_SUCCESS_REQUEST_DUIS.XML"

    def activation(value: str | None) -> bytes:
        def edit(root):
            node = root.find(".//sr:ExecutionDateTime", xml.NSMAP)
            if value is None:
                node.getparent().remove(node)
            else:
                node.text = value
        request = rtds.request(template, edit)
        return dlms.decode(transform(request, device_type=DeviceType.ESME, now=NOW).apdu.payload).data[-1].value

    assert activation(None) == dlms.DlmsDateTime.NOW_RAW
    assert activation("3000-12-31T00:00:00Z") == dlms.DlmsDateTime.NEVER_RAW
    utc = activation("2030-01-15T09:00:00Z")
    assert utc == bytes.fromhex("07ee010fff090000008000ff")
    assert activation("2030-01-15T10:00:00+01:00") == utc          # GBCS writes UTC


def test_one_sr_chooses_its_use_case_from_the_request(conformance):
    templates = conformance / "duis" / "templates"
    cases = {"ECS02_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML": "ECS02",
             "ECS03_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML": "ECS03",
             "ECS04a_1.5_SUCCESS_REQUEST_DUIS.XML": "ECS04a", "ECS04b_1.5_SUCCESS_REQUEST_DUIS.XML": "ECS04b",
             "CS01a_2.2_SUCCESS_REQUEST_DUIS.XML": "CS01a", "ECS08a_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML": "ECS08a"}
    for name, uc in cases.items():
        assert choose(rtds.request(templates / name), DeviceType.ESME).use_case == uc, name
    # A credit-mode adjustment is ECS04a too: the element says adjust or reset, not the mode.
    def credit_mode(root):
        mode = root.find(".//sr:PrepaymentMode", xml.NSMAP)
        mode.tag = xml.sr("CreditMode")
    assert choose(rtds.request(templates / "ECS04a_1.5_SUCCESS_REQUEST_DUIS.XML", credit_mode),
                  DeviceType.ESME).use_case == "ECS04a"


@pytest.mark.parametrize("template, drop, named", [
    ("ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML", "//sr:Thresholds[@index='3']", "Thresholds index=\"3\""),
    ("ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML", "//sr:CurrencyUnits", "sr:CurrencyUnits"),
    ("ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML", "(//sr:ProfileSchedule)[2]/sr:StartTime",
     "sr:StartTime in sr:ElecTariffElements/sr:SwitchingTable/sr:DayProfiles/sr:DayProfile[1]/sr:ProfileSchedule[2]"),
    ("ECS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML", "//sr:ElectricityPriceElements",
     "sr:PriceElements/sr:ElectricityPriceElements"),
    ("ECS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML", "//sr:PriceScale", "sr:PriceScale"),
    ("ECS03_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML", "//sr:DisablementThreshold", "sr:DisablementThreshold"),
    ("ECS03_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML", "//sr:Prepayment", "sr:Credit or sr:Prepayment"),
    ("ECS04a_1.5_SUCCESS_REQUEST_DUIS.XML", "//sr:AdjustMeterBalance", "sr:AdjustMeterBalance or sr:ResetMeterBalance"),
    ("ECS07_2.3_SUCCESS_REQUEST_DUIS.XML", "//sr:TimeDebtRegister1", "sr:TimeDebtRegister1"),
    ("ECS07_2.3_SUCCESS_REQUEST_DUIS.XML", "//sr:ElecDebtRecovery2/sr:DebtRecoveryRatePeriod",
     "sr:DebtRecoveryRatePeriod"),
    ("ECS08a_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML", "//sr:MaxCreditThreshold", "sr:MaxCreditThreshold"),
    ("ECS08a_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML", "(//sr:ScheduleDatesAndTime)[4]/sr:EndDate", "sr:EndDate"),
    ("CS01a_2.2_SUCCESS_REQUEST_DUIS.XML", "//sr:UTRN", "sr:UTRN"),
    ("ECS10_3.1_SUCCESS_REQUEST_DUIS.XML", "//sr:SupplierMessage", "sr:SupplierMessage"),
    ("ECS12_3.2_SUCCESS_REQUEST_DUIS.XML", "//sr:RestrictionDateTime", "sr:RestrictionDateTime"),
    ("ECS16_3.4_SUCCESS_REQUEST_DUIS.XML", "//sr:SupplierTelephoneNumber", "sr:SupplierTelephoneNumber"),
])
def test_a_request_missing_an_element_names_it(conformance, template, drop, named):
    request = rtds.request(conformance / "duis" / "templates" / template, _drop(drop))
    with pytest.raises(TransformError) as raised:
        transform(request, device_type=DeviceType.ESME, now=NOW)
    assert "missing" in str(raised.value) and named in str(raised.value)


def test_a_bad_value_is_one_line_naming_the_element(conformance):
    def weekly(root):
        root.find(".//sr:DebtRecoveryRatePeriod", xml.NSMAP).text = "WEEKLY"
    with pytest.raises(TransformError, match="DebtRecoveryRatePeriod: 'WEEKLY' is neither HOURLY nor DAILY"):
        transform(rtds.request(conformance / "duis" / "templates" / "ECS07_2.3_SUCCESS_REQUEST_DUIS.XML", weekly),
                  device_type=DeviceType.ESME, now=NOW)

    def short_utrn(root):
        root.find(".//sr:UTRN", xml.NSMAP).text = "7394614433204021731"
    with pytest.raises(TransformError, match="sr:UTRN: '7394614433204021731' is not 20 digits"):
        transform(rtds.request(conformance / "duis" / "templates" / "CS01a_2.2_SUCCESS_REQUEST_DUIS.XML", short_utrn),
                  device_type=DeviceType.ESME, now=NOW)

    def tou_49(root):
        root.find(".//sr:TOUPrice", xml.NSMAP).set("index", "49")
    templates = conformance / "duis" / "templates"
    with pytest.raises(TransformError, match="index must be 1 to 48"):
        transform(rtds.request(templates / "ECS01b_1.2.1_IMMEDIATE_TOU_SUCCESS_REQUEST_DUIS.XML", tou_49),
                  device_type=DeviceType.ESME, now=NOW)


# -- Parse: responses and alerts -----------------------------------------------------------------------------

def test_every_response_and_alert_parses_to_valid_mmc(conformance, conformance_keystore, mmc_schema):
    files = rtds.answers(conformance, USE_CASES)
    assert len(files) >= 71
    for path in files:
        message = rtds.message(path)
        document, notes = parse(message, keystore=conformance_keystore)
        assert not mmc_schema.errors(document), (path.name, mmc_schema.errors(document)[:2])
        if "ALERT" in path.name:
            assert document.find(".//ra:DeviceAlertContent/ra:Payload", RA) is not None, path.name
            continue
        uc = path.name.split("_")[0]
        rsp = document.find(f".//ra:SMETSData/ra:{RESPONSE_ELEMENTS[uc]}", RA)
        assert rsp is not None, path.name
        assert rsp.get("MessageSuccess") == ("true" if "_SUCCESS_" in path.name else "false"), path.name
        # every instruction of the command has its status, in order
        command = path.with_name(path.name.replace("RESPONSE", "COMMAND"))
        statuses = document.findall(".//ra:DebugInfo/ra:COSEMDebug/ra:COSEMResponse", RA)
        assert len(statuses) == len(dlms.decode(rtds.message(command).apdu.payload).specs), path.name
        assert [s.get("Position") for s in statuses] == [str(i) for i in range(1, len(statuses) + 1)]


def test_an_error_response_names_the_failed_instruction(conformance):
    document, _ = parse(rtds.message(rtds.rtds_file(conformance, "ECS16_3.4_ERROR_RESPONSE_GBCS.HEX")))
    results = [r.findtext("ra:DataAccessResult", namespaces=RA)
               for r in document.findall(".//ra:COSEMResponse", RA)]
    assert results == ["hardware-fault", "other-reason"]


def test_a_truncated_response_is_a_payload_error_naming_the_use_case(conformance):
    message = rtds.message(rtds.rtds_file(conformance, "ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_RESPONSE_GBCS.HEX"))
    broken = GbcsMessage(replace(message.apdu, payload=message.apdu.payload[:-1]), None)
    with pytest.raises(PayloadError) as raised:
        parse(broken)
    # the last response specification (2 bytes) lost its second byte
    assert "ECS01a" in str(raised.value) and raised.value.offset == len(message.apdu.payload) - 2


def test_a_tampered_response_is_a_payload_error_naming_the_use_case_and_offset(conformance):
    message = rtds.message(rtds.rtds_file(conformance, "ECS07_2.3_SUCCESS_RESPONSE_GBCS.HEX"))
    data = bytearray(message.apdu.payload)
    data[-2] = 0x09                           # the last response specification: neither get, set nor action
    with pytest.raises(PayloadError) as raised:
        parse(GbcsMessage(replace(message.apdu, payload=bytes(data)), None))
    assert "ECS07" in str(raised.value) and raised.value.offset == len(data) - 2


# -- typed views of what the commands carry ------------------------------------------------------------------

def _requests(path: Path) -> dict:
    fields = payload.decode(rtds.message(path).apdu).fields()
    return {(r["instance"], r["attribute"]): r.get("value") for r in fields["requests"]}


def test_the_tariff_view_shows_calendar_thresholds_prices_and_currency_as_the_request_set_them(conformance):
    template = conformance / "duis" / "templates" / "ECS01a_1.1.1_FUTURE_DATED_TOU_BLOCK_SUCCESS_REQUEST_DUIS.XML"
    request = rtds.request(template)
    view = _requests(rtds.rtds_file(conformance, "ECS01a_1.1.1_FUTURE_DATED_TOU_BLOCK_SUCCESS_PRECOMMAND_GBCS.HEX"))
    assert view[("0-0:94.44.2.0", "value_passive")] == request.require("ElecTariffElements/CurrencyUnits") == "GBP"
    seasons = view[("0-0:13.0.0.255", "season_profile_passive")]
    assert [s["season_profile_name"] for s in seasons] == [n.text for n in request.all(
        "ElecTariffElements/SwitchingTable/Seasons/Season/SeasonName")]
    days = view[("0-0:13.0.0.255", "day_profile_table_passive")]
    assert days[0]["day_schedule"][0] == {"start_time": "00:00:00", "script_logical_name": "0-0:10.0.100.255",
                                          "script_selector": 100 + 2}      # BlockTariffAction 2
    assert view[("0-0:16.1.12.255", "thresholds")] == [40000, 4294967295]
    prices = view[("0-0:19.20.0.255", "unit_charge_passive")]
    assert prices["charge_per_unit_scaling"] == {"commodity_scale": 3,
                                                 "price_scale": request.int("PriceElements/ElectricityPriceElements/"
                                                                            "PriceScale")}
    charges = {entry["index"]: entry["charge_per_unit"] for entry in prices["charge_table"]}
    hybrid = "PriceElements/ElectricityPriceElements/HybridTariff"
    assert charges["01"] == request.int(f"{hybrid}/TOUPrice[@index='1']")
    assert charges["B2"] == request.int(f"{hybrid}/BlockPrices[@index='2']/BlockPrice[@index='2']")   # block B, rate 2
    assert view[("0-0:63.1.1.255", "activate_passive_value_time")] == "2030-01-15T09:00:00Z"


def test_the_payment_and_display_views_show_text_and_credit_charge_pairs(conformance):
    contact = _requests(rtds.rtds_file(conformance, "ECS16_3.4_SUCCESS_COMMAND_GBCS.HEX"))
    assert contact[("0-0:96.13.1.255", "value_active")] == "E-ON"
    assert contact[("0-0:96.13.0.255", "value_active")] == "0333 202 4650"
    message = payload.decode(rtds.message(rtds.rtds_file(conformance, "ECS10_3.1_SUCCESS_COMMAND_GBCS.HEX")).apdu
                             ).fields()
    assert message["requests"][0]["object"] == "Supplier Message" and message["requests"][0]["value"] == "Reset"
    mode = _requests(rtds.rtds_file(conformance, "ECS03_1.6_IMMEDIATE_SINGLE_SUCCESS_PRECOMMAND_GBCS.HEX"))
    pairs = mode[("0-1:19.0.0.255", "credit_charge_configuration")]
    assert pairs[2] == {"credit_reference": "0-0:19.10.0.255", "charge_reference": "0-0:19.20.1.255",
                        "collection_configuration": "110"}          # SuspendDebtDisabled: time debt 1
