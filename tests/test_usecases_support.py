"""The DIT plan's read-back and support SRs (support_reads.py, device_log.py, firmware.py, credentials.py):
2.5, 4.11.1, 4.13, 4.18, 6.2.3, 6.2.4, 6.2.7, 6.2.10, 6.11, 6.32, 7.4, 8.9, 11.2, 6.24.1, 6.24.2.

Their RTDS pairs are not in the shared conformance folder, so these tests check what the project can: every
DIT example request of these SRs transforms to a command that decodes and re-encodes to the same bytes, the
DCC's choice of use case and originator per device type and DSP records, and that responses built with the
codecs parse to MMC valid against mmc.xsd carrying the values typed, equal to what the setting SR's request
wrote where a read-back follows a set (tariff, billing calendar, MPxN, alert behaviours)."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from harness import catalogue
from harness.catalogue import DeviceType, UserRole
from harness.duis import requests, xml
from harness.duis.examples import DEVICES, SUPPLIER_A, build_example, example
from harness.duis.request_id import RequestId
from harness.eui import DCC_ACCESS_CONTROL_BROKER, EntityId
from harness.gbcs import asn1, axdr, dlms, gbz, zcl
from harness.gbcs import payload as gbcs_payload
from harness.gbcs.axdr import Data, PayloadError, Tag
from harness.gbcs.dlms import AccessResult, RequestKind, ResponseSpec
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning
from harness.pki import KeyUsage
from harness.usecases import DuisRequest, TransformError, parse, transform
from harness.usecases.credentials import trust_anchors
from harness.usecases.esme_prepayment import credit_charge_configuration
from harness.usecases.support_reads import PREPAY, PREPAY_READS, TARIFF, TARIFF_READS

SRS = ("2.5", "4.11.1", "4.13", "4.18", "6.2.3", "6.2.4", "6.2.7", "6.2.10", "6.11", "6.32", "7.4", "8.9", "11.2",
       "6.24.1", "6.24.2")
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
ESME, GSME, GPF, CHF, PPMID = (DEVICES[t] for t in (DeviceType.ESME, DeviceType.GSME, DeviceType.GPF, DeviceType.CHF,
                                                    DeviceType.PPMID))
RA = "{http://www.dccinterface.co.uk/ResponseAndAlert}"


def request(srv: str, target: EntityId, counter: int = 1000, **params) -> DuisRequest:
    return DuisRequest.parse(xml.serialize(requests.build(srv, RequestId(SUPPLIER_A, target, counter), **params)), srv)


def respond(use_case: str, payload: bytes, device: EntityId, counter: int = 1000) -> GbcsMessage:
    code = catalogue.use_case(use_case).message_codes[0]
    return GbcsMessage(GeneralSigning(CraFlag.RESPONSE, counter, device, SUPPLIER_A, code, payload), None)


def parsed(mmc_schema, message: GbcsMessage, srv: str) -> tuple[etree._Element, list[str]]:
    """The SR's response element of the MMC document, which must be valid."""
    document, notes = parse(message, srv=srv)
    assert mmc_schema.errors(document) == [], etree.tostring(document, pretty_print=True).decode()
    return document.find(f".//{RA}SMETSData")[0], notes


def find(element: etree._Element, path: str) -> list[etree._Element]:
    return element.findall("./" + "/".join(f"{RA}{part}" for part in path.split("/")))


def dlms_response(counter: int, *values: Data, kind: RequestKind = RequestKind.GET) -> bytes:
    return dlms.AccessResponse(dlms.invoke_id(counter), tuple(values),
                               tuple(ResponseSpec(kind, AccessResult.SUCCESS) for _ in values)).encode()


def gbz_response(*frames: tuple[int, int, int, dict]) -> bytes:
    last = len(frames) - 1
    return gbz.GbzPayload(tuple(gbz.Component(cluster, zcl.Frame(control, n, command, values),
                                              gbz.CONTROL_LAST if n == last else 0)
                                for n, (cluster, control, command, values) in enumerate(frames))).encode()


def attributes_response(cluster: int, *records: tuple[int, str, object]) -> tuple[int, int, int, dict]:
    return (cluster, zcl.FRAME_SERVER_TO_CLIENT, zcl.READ_ATTRIBUTES_RESPONSE,
            {"records": [{"attribute": a, "status": 0, "type": t, "value": v} for a, t, v in records]})


def sets(command: bytes) -> dict[tuple[int, str, int], Data]:
    """The values a DLMS command sets, by (class, logical name, attribute)."""
    apdu = dlms.decode(command)
    return {(s.descriptor.class_id, str(s.descriptor.instance), s.descriptor.member): d
            for s, d in zip(apdu.specs, apdu.data) if s.kind is RequestKind.SET}


# -- Transform -------------------------------------------------------------------------------------------------

def test_every_dit_example_of_these_srs_transforms_to_a_command_that_round_trips(smki):
    for srv in SRS:
        target_type = example(srv, smki, NOW).target_type
        sr = catalogue.service_request(srv)
        out = transform(DuisRequest.parse(xml.serialize(build_example(srv, smki, NOW, 1000)), srv),
                        device_type=target_type, now=NOW)
        assert out.use_case in {uc.name for uc in sr.use_cases}, srv
        decoded = gbcs_payload.decode(out.apdu)
        assert decoded.encode() == out.apdu.payload, srv
        assert GbcsMessage.decode(GbcsMessage(out.apdu, None).encode()).apdu.payload == out.apdu.payload


# (SR, target, DSP records, request params) -> the use case the DCC sends and who originates it
ROUTES = [
    ("2.5", DeviceType.ESME, {}, {}, "ECS09", "user"),
    ("2.5", DeviceType.GSME, {}, {}, "GCS06", "user"),
    ("4.11.1", DeviceType.GSME, {}, {}, "GCS21f", "user"),
    ("4.13", DeviceType.GSME, {}, {}, "GCS21b", "user"),
    ("4.18", DeviceType.ESME, {}, {}, "ECS82", "user"),
    ("4.18", DeviceType.GSME, {"gbcs_version": "2.0"}, {}, "GCS60", "user"),
    ("4.18", DeviceType.GSME, {}, {}, "GCS60a", "user"),
    ("4.18", DeviceType.GPF, {"gbcs_version": "2.0"}, {}, "GCS60a", "user"),
    ("6.2.3", DeviceType.ESME, {"gbcs_version": "1.0"}, {}, "ECS26d", "user"),
    ("6.2.3", DeviceType.ESME, {"gbcs_version": "2.0"}, {}, "ECS26l", "user"),
    ("6.2.3", DeviceType.GSME, {"gbcs_version": "1.0"}, {}, "GCS21d", "user"),
    ("6.2.3", DeviceType.GSME, {}, {}, "GCS21k", "user"),
    ("6.2.4", DeviceType.ESME, {"gbcs_version": "1.0"}, {}, "ECS26e", "user"),
    ("6.2.4", DeviceType.ESME, {}, {}, "ECS26m", "user"),
    ("6.2.4", DeviceType.CHF, {"gbcs_version": "1.0"}, {}, "ECS26i", "acb"),
    ("6.2.4", DeviceType.CHF, {}, {}, "ECS26n", "acb"),
    ("6.2.4", DeviceType.GSME, {"gbcs_version": "1.0"}, {}, "GCS21e", "user"),
    ("6.2.4", DeviceType.GSME, {}, {}, "GCS21m", "user"),
    ("6.2.7", DeviceType.GSME, {}, {}, "GCS46", "user"),
    ("6.2.10", DeviceType.ESME, {}, {}, "ECS25r1", "user"),
    ("6.2.10", DeviceType.ESME, {"user_role": UserRole.ELECTRICITY_DISTRIBUTOR}, {}, "ECS25r2", "user"),
    ("6.2.10", DeviceType.GSME, {}, {}, "GCS20r", "user"),
    ("6.11", DeviceType.GSME, {}, {"current_date_time": NOW}, "GCS28", "user"),
    ("7.4", DeviceType.GSME, {}, {}, "GCS33", "user"),
    ("8.9", DeviceType.CHF, {"gbcs_version": "1.0"}, {}, "CCS05CCS04", "acb"),
    ("8.9", DeviceType.CHF, {}, {}, "CCS06", "acb"),
    ("8.9", DeviceType.ESME, {}, {}, "CS07", "user"),
    ("8.9", DeviceType.GSME, {}, {}, "CS07", "user"),
    ("8.9", DeviceType.GPF, {}, {}, "CS07", "acb"),
    ("11.2", DeviceType.CHF, {}, {}, "ECS52", "acb"),
    ("11.2", DeviceType.GSME, {}, {}, "GCS38", "user"),
    ("11.2", DeviceType.PPMID, {}, {}, "CS08", "acb"),
    ("11.2", DeviceType.HCALCS, {}, {}, "CS08", "acb"),
    ("6.24.1", DeviceType.GSME, {}, {"remote_party_roles": ["Supplier", "LoadController"]}, "CS02fMAC", "acb alone"),
    ("6.24.2", DeviceType.GPF, {}, {"credential_type": "Key Agreement"}, "CS02e", "user"),
]


@pytest.mark.parametrize("srv, device, records, params, use_case, originator", ROUTES,
                         ids=[f"{r[0]}-{r[1].value}-{r[4]}" for r in ROUTES])
def test_the_dcc_chooses_the_use_case_and_its_originator(srv, device, records, params, use_case, originator):
    incoming = request(srv, DEVICES[device], 1001, **params)
    out = transform(incoming, device_type=device, now=NOW, dsp_counter=1400, **records)
    apdu = out.apdu
    assert out.use_case == use_case
    assert apdu.recipient == DEVICES[device]
    if originator == "user":
        assert (apdu.originator, apdu.originator_counter, apdu.supplementary_remote_party) == (SUPPLIER_A, 1001, None)
    elif originator == "acb":
        assert (apdu.originator, apdu.originator_counter) == (DCC_ACCESS_CONTROL_BROKER, 1400)
        assert (apdu.supplementary_remote_party, apdu.supplementary_remote_party_counter) == (SUPPLIER_A, 1001)
    else:
        assert (apdu.originator, apdu.originator_counter, apdu.supplementary_remote_party) == \
            (DCC_ACCESS_CONTROL_BROKER, 1400, None)
    assert gbcs_payload.decode(apdu).encode() == apdu.payload


def test_a_chf_device_log_read_with_security_details_is_ccs07():
    out = transform(request("8.9", CHF, read_security_details=True), device_type=DeviceType.CHF, now=NOW)
    assert out.use_case == "CCS07"
    actions = dlms.decode(out.apdu.payload)
    assert [(s.kind, str(s.descriptor.instance), s.descriptor.member) for s in actions.specs] == \
        [(RequestKind.ACTION, "0-0:30.3.0.255", 4), (RequestKind.ACTION, "0-0:30.3.1.255", 4)]


def test_emergency_credit_is_invoked_on_the_emergency_credit():
    apdu = dlms.decode(transform(request("2.5", ESME), device_type=DeviceType.ESME, now=NOW).apdu.payload)
    (spec,) = apdu.specs
    assert (spec.kind, spec.descriptor.class_id, str(spec.descriptor.instance), spec.descriptor.member) == \
        (RequestKind.ACTION, 112, "0-0:19.10.1.255", 3)



def test_an_esme_that_leaves_emergency_credit_unavailable_answers_other_reason():
    """GBCS ECS09: invoke_credit's result is other-reason (250) when emergency credit is not active after it."""
    from harness.usecases import device

    read, _ = device.read(transform(request("2.5", ESME), device_type=DeviceType.ESME, now=NOW).apdu,
                          DeviceType.ESME, now=NOW)
    answered = dlms.decode(device.answer(read, {"Result": "Failure"}))
    assert [spec.result for spec in answered.results] == [AccessResult.OTHER_REASON]
    assert [spec.result for spec in dlms.decode(device.answer(read, {})).results] == [AccessResult.SUCCESS]

def test_the_clock_is_set_within_the_requests_window():
    esme = dlms.decode(transform(request("6.11", ESME, current_date_time=NOW, tolerance_period=90),
                                 device_type=DeviceType.ESME, now=NOW).apdu.payload)
    _preset, start, end = esme.data[1].items
    assert dlms.DlmsDateTime(start.octets).datetime == NOW
    assert dlms.DlmsDateTime(end.octets).datetime == NOW + dt.timedelta(seconds=90)
    gsme = asn1.decode(transform(request("6.11", GSME, current_date_time=NOW, tolerance_period=90),
                                 device_type=DeviceType.GSME, now=NOW).apdu.payload, 0x007F, 1).value
    assert gsme == {"validityIntervalStart": NOW.replace(tzinfo=None),
                    "validityIntervalEnd": NOW.replace(tzinfo=None) + dt.timedelta(seconds=90)}


def test_the_channel_log_is_read_for_the_requests_period():
    start = NOW - dt.timedelta(days=3)
    out = transform(request("6.32", CHF, start_date_time=start, end_date_time=NOW), device_type=DeviceType.CHF, now=NOW)
    (spec,) = dlms.decode(out.apdu.payload).specs
    assert (spec.kind, str(spec.descriptor.instance), spec.selector) == \
        (RequestKind.GET_WITH_SELECTION, "0-0:94.44.10.3", 1)
    _restricting, first, last, _columns = spec.selection.items
    assert (gbz.gbz_time(first.value), gbz.gbz_time(last.value)) == (start, NOW)


def test_credentials_requests_name_the_roles_and_the_key_usage():
    roles = asn1.decode(transform(request("6.24.1", ESME), device_type=DeviceType.ESME, now=NOW).apdu.payload,
                        0x0008, 1).fields()
    assert roles["remotePartyRolesCredentialsRequired"] == ["supplier", "networkOperator"]
    assert roles["authorisingRemotePartyTACellIdentifier"]["trustAnchorCellRemotePartyRole"] == "accessControlBroker"
    usage = asn1.decode(transform(request("6.24.2", ESME, credential_type="Key Agreement"),
                                  device_type=DeviceType.ESME, now=NOW).apdu.payload, 0x000C, 1).fields()
    assert usage == {"keyUsage": ["keyAgreement"]}


def _without(srv: str, target: EntityId, element: str, **params) -> DuisRequest:
    body = requests.build(srv, RequestId(SUPPLIER_A, target, 1000), **params)
    for node in body.iter(f"{{*}}{element}"):
        node.getparent().remove(node)
    return DuisRequest.parse(xml.serialize(body), srv)


@pytest.mark.parametrize("srv, device, element, params", [
    ("6.11", DeviceType.ESME, "CurrentDateTime", {"current_date_time": NOW}),
    ("6.11", DeviceType.GSME, "TolerancePeriod", {"current_date_time": NOW}),
    ("6.32", DeviceType.CHF, "EndDateTime", {}),
    ("6.24.1", DeviceType.ESME, "RemotePartyRole", {}),
    ("6.24.2", DeviceType.ESME, "CredentialType", {}),
])
def test_a_request_missing_a_required_element_is_refused_naming_it(smki, srv, device, element, params):
    params = params or example(srv, smki, NOW).params
    with pytest.raises(TransformError, match=element):
        transform(_without(srv, DEVICES[device], element, **params), device_type=device, now=NOW)


def test_an_unknown_remote_party_role_or_credential_type_is_refused():
    body = requests.build("6.24.2", RequestId(SUPPLIER_A, ESME, 1000))
    node = next(body.iter("{*}CredentialType"))
    node.text = "Top Up"
    with pytest.raises(TransformError, match="CredentialType"):
        transform(DuisRequest.parse(xml.serialize(body), "6.24.2"), device_type=DeviceType.ESME, now=NOW)


# -- Parse: read-backs of what a setting SR wrote -------------------------------------------------------------

def test_the_tariff_reads_back_as_ecs01a_set_it(mmc_schema):
    tariff = request("1.1.1", ESME, unit_rate=21210, standing_charge=20000)
    written = sets(transform(tariff, device_type=DeviceType.ESME, now=NOW).apdu.payload)
    table, passive = "0-0:13.0.0.255", {"seasons": 7, "weeks": 8, "days": 9}
    values = {TARIFF["price"]: axdr.double_long_unsigned(21210),
              TARIFF["price_scaler_unit"]: axdr.structure(axdr.integer(-5), axdr.enum(254)),
              **{TARIFF[name]: written[(20, table, member)] for name, member in passive.items()},
              TARIFF["special_days"]: written[(11, "0-1:11.0.0.255", 2)],
              **{TARIFF[f"thresholds{r}"]: written[(21, f"0-0:16.1.{10 + r}.255", 2)] for r in range(1, 9)},
              TARIFF["currency"]: written[(9000, "0-0:94.44.2.0", 4)],
              TARIFF["standing_charge"]: written[(113, "0-0:19.20.4.255", 6)],
              TARIFF["price_matrix"]: written[(113, "0-0:19.20.0.255", 6)]}
    rsp, _ = parsed(mmc_schema, respond("ECS24", dlms_response(1000, *(values[r] for r in TARIFF_READS)), ESME),
                    "4.11.1")
    electricity = rsp.find(f"{RA}Electricity")
    assert electricity.findtext(f"{RA}PrimaryActiveTariffPrice") == "21210"
    assert electricity.findtext(f"{RA}CurrencyUnitsLabel") == tariff.text("ElecTariffElements/CurrencyUnits") == "GBP"
    prices = "PriceElements/ElectricityPriceElements"
    assert electricity.findtext(f"{RA}StandingCharge") == tariff.text(f"{prices}/StandingCharge") == "20000"
    assert electricity.findtext(f"{RA}PriceScale") == tariff.text(f"{prices}/PriceScale")
    assert electricity.findtext(f"{RA}StandingChargeScale") == tariff.text(f"{prices}/StandingChargeScale")
    tou = {p.get("index"): p.text for p in find(electricity, "TariffTOUPriceMatrix/TariffTOUPrice")}
    assert tou["1"] == tariff.text(f"{prices}/TOUTariff/TOUPrice") == "21210" and len(tou) == 48
    assert len(find(electricity, "TariffBlockPriceMatrix/TariffBlockPrices/BlockPrice")) == 32
    day = "SwitchingTable/DayProfiles/DayProfile"
    (profile,) = find(electricity, "TariffSwitchingTable/DayProfiles/DayProfile")
    assert profile.findtext(f"{RA}Day") == tariff.text(f"ElecTariffElements/{day}/DayName")
    schedule = profile.find(f"{RA}ProfileSchedule")
    assert schedule.findtext(f"{RA}StartTime") == "00:00:00Z"
    assert schedule.findtext(f"{RA}TOUTariffAction") == tariff.text(f"ElecTariffElements/{day}/ProfileSchedule/"
                                                                    f"TOUTariffAction")
    (week,) = find(electricity, "TariffSwitchingTable/WeekProfiles/WeekProfile")
    assert [d.text for d in week.findall(f"{RA}ReferencedElecDay")] == ["1"] * 7
    (season,) = find(electricity, "TariffSwitchingTable/Seasons/Season")
    assert season.findtext(f"{RA}SeasonName") == "all year"
    assert season.find(f"{RA}SeasonStartDate/{RA}Year/{RA}NonSpecifiedYear") is not None
    assert season.findtext(f"{RA}SeasonStartDate/{RA}Month/{RA}SpecifiedMonth") == "1"
    assert [t.get("index") for t in find(electricity, "TariffThresholdMatrix/ElecTariffThresholds")] == \
        [str(r) for r in range(1, 9)]


@pytest.mark.parametrize("periodicity, expected", [
    ("Daily", {"Daily": ""}), ("Weekly", {"Weekly": "3"}), ("Monthly", {"Monthly": "15"}),
    ("Quarterly", {"Quarterly/DayOfMonth": "15", "Quarterly/BillingPeriodStartMonth": "2"}),
    ("SixMonthly", {"SixMonthly/DayOfMonth": "15", "SixMonthly/BillingPeriodStartMonth": "2"}),
    ("Yearly", {"Yearly/DayOfMonth": "15", "Yearly/BillingPeriodStartMonth": "2"}),
])
def test_the_esme_billing_calendar_reads_back_as_6_8_set_it(mmc_schema, periodicity, expected):
    setting = request("6.8", ESME, periodicity=periodicity, billing_time="06:30:00", day_of_week=3,
                      day_of_month=15, billing_period_start_month=2)
    written = sets(transform(setting, device_type=DeviceType.ESME, now=NOW).apdu.payload)
    schedule = written[(22, "0-0:15.0.0.255", 4)]
    rsp, _ = parsed(mmc_schema, respond("ECS26l", dlms_response(1000, schedule), ESME), "6.2.3")
    calendar = rsp.find(f"{RA}BillingCalendar/{RA}ElectricityBillingCalendar")
    assert calendar.findtext(f"{RA}BillingTime") == "06:30:00Z"
    for path, value in expected.items():
        assert (calendar.findtext("/".join(f"{RA}{p}" for p in path.split("/"))) or "") == value


@pytest.mark.parametrize("periodicity", ["Daily", "Weekly", "Monthly", "Quarterly", "SixMonthly", "Yearly"])
def test_the_gsme_billing_calendar_reads_back_as_6_8_set_it(mmc_schema, periodicity):
    start = dt.datetime(2026, 1, 1, 5, tzinfo=dt.UTC)
    setting = request("6.8", GSME, fuel="gas", periodicity=periodicity, billing_period_start=start)
    command = gbz.decode(transform(setting, device_type=DeviceType.GSME, now=NOW).apdu.payload)
    published = command.components[0]                       # Publish Billing Period, as the meter holds it
    frame = (published.cluster, published.frame.frame_control, published.frame.command, published.frame.values)
    rsp, _ = parsed(mmc_schema, respond("GCS21k", gbz_response(frame), GSME), "6.2.3")
    calendar = rsp.find(f"{RA}BillingCalendar/{RA}GasBillingCalendar")
    assert calendar.findtext(f"{RA}BillingPeriodStart") == "2026-01-01T05:00:00Z"
    assert calendar.findtext(f"{RA}Periodicity") == periodicity


def test_mpans_read_back_as_6_20_1_set_them(mmc_schema):
    setting = request("6.20.1", ESME, import_mpan="1312345678111", secondary_import_mpan="1312345678222")
    (mpans,) = sets(transform(setting, device_type=DeviceType.ESME, now=NOW, twin_element=True).apdu.payload).values()
    rsp, _ = parsed(mmc_schema, respond("ECS40", dlms_response(1000, mpans, axdr.octet_string(b"1312345678333")),
                                        ESME), "6.2.7")
    electricity = rsp.find(f"{RA}Electricity")
    assert [e.text for e in electricity] == ["1312345678111", "1312345678222", "1312345678333"]
    assert [etree.QName(e).localname for e in electricity] == ["ImportMPAN", "SecondaryImportMPAN", "ExportMPAN"]
    # a single element meter without an export MPAN
    rsp, _ = parsed(mmc_schema, respond("ECS40", dlms_response(1000, axdr.octet_string(b"1312345678111"),
                                                               axdr.octet_string(b"")), ESME), "6.2.7")
    assert [(etree.QName(e).localname, e.text) for e in rsp.find(f"{RA}Electricity")] == \
        [("ImportMPAN", "1312345678111")]


def test_the_mprn_reads_back_as_6_20_1_set_it(mmc_schema):
    setting = request("6.20.1", GSME, import_mprn="7512345678")
    site = gbz.decode(transform(setting, device_type=DeviceType.GSME, now=NOW).apdu.payload).components[0]
    rsp, _ = parsed(mmc_schema, respond("GCS46", gbz_response(attributes_response(
        0x0702, (0x0307, "octstr", site.frame.values["site_id"]))), GSME), "6.2.7")
    assert rsp.findtext(f"{RA}Gas/{RA}MPRN") == "7512345678"


def test_the_gas_conversion_reads_back_as_6_6_set_it(mmc_schema):
    """6.6 (GCS23) publishes CV and conversion factor with their trailing digits; 6.2.8 (GCS21a) reads them back."""
    setting = request("6.6", GSME, calorific_value="38.7", conversion_factor="1.02150")
    published = gbz.decode(transform(setting, device_type=DeviceType.GSME, now=NOW).apdu.payload).components
    factor, calorific = (c.frame.values for c in published)
    rsp, _ = parsed(mmc_schema, respond("GCS21a", gbz_response(attributes_response(
        0x0700, (0x0302, "uint32", factor["conversion_factor"]),
        (0x0303, "map8", factor["conversion_factor_trailing_digit"]),
        (0x0304, "uint32", calorific["calorific_value"]), (0x0305, "enum8", 1),
        (0x0306, "map8", calorific["calorific_value_trailing_digit"]))), GSME), "6.2.8")
    assert [(etree.QName(e).localname, e.text) for e in rsp] == [("CalorificValue", "38.7"),
                                                                 ("ConversionFactor", "1.02150")]


def test_esme_alert_behaviours_read_back_as_6_22_set_them(mmc_schema):
    setting = request("6.22", ESME, alerts="810E=Enable, 8183=Disable, 81A0=Enable")
    (configured,) = sets(transform(setting, device_type=DeviceType.ESME, now=NOW).apdu.payload).values()
    _bits, raw = configured.value
    settings = Data(Tag.BIT_STRING, (256, raw[32:]))         # what the device holds: the settings half
    nothing = Data(Tag.BIT_STRING, (256, bytes(32)))
    rsp, notes = parsed(mmc_schema, respond("ECS25r1", dlms_response(1000, settings, nothing, nothing, nothing),
                                            ESME), "6.2.10")
    wan = rsp.find(f"{RA}ElectricitySupplierAlertEventSettings/{RA}ElectricitySupplierWANAlertSettings/"
                   f"{RA}SupplierESMECommon")
    enabled = {etree.QName(e).localname for e in wan if e.text == "Enable"}
    assert enabled == {"x810E", "x81A0"} and wan.findtext(f"{RA}x8183") == "Disable"
    assert notes == []


def test_gsme_alert_behaviours_read_back_as_6_22_set_them(mmc_schema):
    flags = {"8183": {"WANAlert": True, "HANAlert": False, "EventLog": True, "Alarm": False},
             "81A0": {"WANAlert": False, "HANAlert": True, "EventLog": False, "Alarm": True}}
    setting = request("6.22", GSME, alerts=flags, fuel="gas", behaviour="AlertEventSettings")
    command = gbz.decode(transform(setting, device_type=DeviceType.GSME, now=NOW).apdu.payload)
    events = [{"event_id": e["event_id"], "event_configuration": c.frame.values["event_configuration"]}
              for c in command.components for e in c.frame.values["event_ids"]]
    report = (0x0708, zcl.FRAME_CLUSTER_SPECIFIC, 0x04, {"command_index": 0, "total_commands": 1, "events": events})
    rsp, _ = parsed(mmc_schema, respond("GCS20r", gbz_response(report), GSME), "6.2.10")
    for code, expected in flags.items():
        got = rsp.find(f"{RA}GasSupplierAlertEventSettings/{RA}x{code}")
        assert {etree.QName(e).localname: e.text == "Enable" for e in got} == expected


# -- Parse: values typed ----------------------------------------------------------------------------------------

def test_the_esme_prepayment_configuration_is_typed(mmc_schema):
    def unit(rate):
        return axdr.structure(axdr.structure(axdr.integer(0), axdr.integer(-5)),
                              axdr.structure(axdr.long_unsigned(0), axdr.octet_string(bytes(6)), axdr.integer(0)),
                              axdr.array(axdr.structure(axdr.octet_string(b""), axdr.long(rate))))
    schedule = axdr.array(axdr.structure(
        axdr.long_unsigned(1), axdr.boolean(True), axdr.octet_string(bytes.fromhex("00000A006AFF")),
        axdr.long_unsigned(33), axdr.octet_string(bytes.fromhex("12000000")), axdr.long_unsigned(0xFFFF),
        axdr.bit_string("1111100"), axdr.bit_string("01"), axdr.octet_string(bytes.fromhex("07EA0101FF")),
        axdr.octet_string(bytes.fromhex("07EA0C1FFF"))))
    values = {PREPAY["debt_recovery_1"]: unit(1200), PREPAY["debt_recovery_2"]: unit(300),
              PREPAY["special_days"]: axdr.array(
                  axdr.structure(axdr.long_unsigned(1), axdr.octet_string(bytes.fromhex("FFFF0C19FF")),
                                 axdr.unsigned(1)),
                  axdr.structure(axdr.long_unsigned(2), axdr.octet_string(bytes.fromhex("07EA0406FF")),
                                 axdr.unsigned(2))),
              PREPAY["debt_period_1"]: axdr.double_long_unsigned(3600),
              PREPAY["debt_period_2"]: axdr.double_long_unsigned(86400),
              PREPAY["debt_per_payment"]: axdr.long_unsigned(2500),
              PREPAY["max_credit_threshold"]: axdr.double_long(4000000),
              PREPAY["disablement_threshold"]: axdr.array(axdr.double_long(-250000)),
              PREPAY["max_meter_balance"]: axdr.double_long(9000000),
              PREPAY["low_credit_threshold"]: axdr.double_long(300000),
              PREPAY["debt_recovery_rate_cap"]: axdr.long_unsigned(7000),
              PREPAY["debt_recovery_rate_cap_period"]: axdr.double_long_unsigned(604800),
              PREPAY["emergency_credit_limit"]: axdr.double_long(1500000),
              PREPAY["emergency_credit_threshold"]: axdr.double_long(50000),
              PREPAY["non_disablement_schedule"]: schedule,
              PREPAY["credit_charge_configuration"]: credit_charge_configuration(
                  prepayment=True, suspend_debt_disabled=True, suspend_debt_emergency=False)}
    rsp, _ = parsed(mmc_schema, respond("ECS26a", dlms_response(1000, *(values[r] for r in PREPAY_READS)), ESME),
                    "4.13")
    got = {etree.QName(e).localname: e.text for e in rsp if etree.QName(e).localname != "Electricity"}
    assert got == {"DebtRecoveryPerPayment": "2500", "DebtRecoveryRateCap": "7000", "DisablementThreshold": "-250000",
                   "EmergencyCreditLimit": "1500000", "EmergencyCreditThreshold": "50000",
                   "LowCreditThreshold": "300000", "CreditMaxCreditThreshold": "4000000",
                   "MaxCreditMaxMeterBalance": "9000000", "SuspendDebtDisabled": "true",
                   "SuspendDebtEmergency": "false"}
    electricity = rsp.find(f"{RA}Electricity")
    assert electricity.findtext(f"{RA}PaymentMode") == "Prepayment"
    assert [electricity.findtext(f"{RA}DebtRecovery{n}/{RA}{e}") for n in (1, 2)
            for e in ("DebtRecoveryRate", "DebtRecoveryRatePriceScale", "DebtRecoveryRatePeriod")] == \
        ["1200", "-5", "HOURLY", "300", "-5", "DAILY"]
    (entry,) = find(electricity, "NonDisablementCalendar/ElectricityNonDisablementSchedule")
    assert entry.findtext(f"{RA}NonDisablementScript") == "STOP"
    assert [d.text for d in entry.iter(f"{RA}DayOfWeekID")] == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    assert [d.text for d in entry.iter(f"{RA}SpecialDayID")] == ["2"]
    assert [entry.findtext(f"{RA}ScheduleDatesAndTime/{RA}{e}") for e in ("SwitchTime", "StartDate", "EndDate")] == \
        ["18:00:00Z", "2026-01-01", "2026-12-31"]
    assert [d.get("index") for d in find(electricity, "NonDisablementCalendar/ElectricitySpecialDays/SpecialDay")] == \
        ["1", "2"]
    # credit mode: no emergency credit pays anything
    values[PREPAY["credit_charge_configuration"]] = credit_charge_configuration(prepayment=False)
    rsp, _ = parsed(mmc_schema, respond("ECS26a", dlms_response(1000, *(values[r] for r in PREPAY_READS)), ESME),
                    "4.13")
    assert rsp.findtext(f"{RA}Electricity/{RA}PaymentMode") == "Credit"


def test_the_gsme_prepayment_configuration_and_friendly_credit_calendar_are_typed(mmc_schema):
    records = [(0x0239, "uint16", 1500), (0x0006, "int32", 900000), (0x0216, "enum8", 0), (0x0226, "enum8", 1),
               (0x0040, "int32", -100), (0x0010, "uint32", 700), (0x0011, "uint32", 80), (0x0031, "uint32", 60),
               (0x0021, "uint32", 9999), (0x0022, "uint32", 5555), (0x0217, "uint32", 42), (0x0227, "uint32", 43)]
    ids = {"provider_id": 0, "issuer_event_id": 1, "issuer_calendar_id": 2}
    day = (0x0707, 0x19, 0x01, {**ids, "day_id": 1, "total_number_of_schedule_entries": 2, "command_index": 0,
                                "number_of_commands": 1, "calendar_type": 3,
                                "schedule_entries": [{"start_time": 0, "price_tier_or_function": 1},
                                                     {"start_time": 450, "price_tier_or_function": 0}]})
    message = respond("GCS21b", gbz_response(attributes_response(0x0705, *records),
                                             attributes_response(0x0700, (0x0617, "map8", 0x50)), day), GSME)
    rsp, _ = parsed(mmc_schema, message, "4.13")
    assert rsp.findtext(f"{RA}DebtRecoveryPerPayment") == "1500"
    assert rsp.findtext(f"{RA}DisablementThreshold") == "-100"
    assert rsp.findtext(f"{RA}CreditMaxCreditThreshold") == "5555"
    gas = rsp.find(f"{RA}Gas")
    assert [gas.findtext(f"{RA}DebtRecovery{n}/{RA}DebtRecoveryRatePeriod") for n in (1, 2)] == ["HOURLY", "DAILY"]
    (profile,) = find(gas, "NonDisablementCalendar/DayProfiles/GasNonDisablementDayProfile")
    assert [(a.findtext(f"{RA}StartTime"), a.findtext(f"{RA}NonDisablementAction")) for a in
            profile.findall(f"{RA}TimeStartAction")] == [("00:00:00Z", "START"), ("07:30:00Z", "STOP")]


def test_meter_balances_are_typed(mmc_schema):
    rsp, _ = parsed(mmc_schema, respond("ECS82", dlms_response(1000, axdr.double_long(-12345)), ESME), "4.18")
    assert rsp.findtext(f"{RA}MeterBalance") == "-12345"
    for use_case in ("GCS60", "GCS60a"):
        message = respond(use_case, gbz_response(attributes_response(0x0702, (0x0A00, "uint32", 4200)),
                                                 attributes_response(0x0705, (0x0001, "int32", -300))), GSME)
        rsp, _ = parsed(mmc_schema, message, "4.18")
        assert (rsp.findtext(f"{RA}MeterBalance"), rsp.findtext(f"{RA}Gas/{RA}MeterBalancePrepaymentMode")) == \
            ("4200", "-300")


def test_identity_is_typed(mmc_schema):
    values = (axdr.octet_string(b"A"), axdr.octet_string(b"MODEL-01"), axdr.octet_string(b"ACME"), axdr.boolean(False))
    rsp, _ = parsed(mmc_schema, respond("ECS26m", dlms_response(1000, *values), ESME), "6.2.4")
    assert [(etree.QName(e).localname, e.text) for e in rsp.iter() if e.text and e.text.strip()] == [
        ("DeviceIdentifier", ESME.duis), ("ModelType", "MODEL-01"), ("ManufacturerIdentifier", "ACME"),
        ("SupplyTamperState", "Unchanged"), ("MeterVariant", "A")]
    message = respond("GCS21m", gbz_response(attributes_response(0x0000, (0x0004, "string", b"ACME Gas"),
                                                                 (0x0005, "string", b"GASMODEL")),
                                             attributes_response(0x0702, (0x0608, "enum8", 3), (0x0607, "enum8", 1))),
                      GSME)
    rsp, _ = parsed(mmc_schema, message, "6.2.4")
    assert rsp.findtext(f"{RA}ModelType") == "GASMODEL"
    assert (rsp.findtext(f"{RA}Gas/{RA}SupplyTamperState"), rsp.findtext(f"{RA}Gas/{RA}SupplyDepletionState")) == \
        ("Locked", "Unchanged")


@pytest.mark.parametrize("state, expected", [(0, "Disabled"), (1, "Enabled"), (2, "Armed")])
def test_supply_status_is_typed(mmc_schema, state, expected):
    rsp, _ = parsed(mmc_schema, respond("ECS45", dlms_response(1000, axdr.enum(state)), ESME), "7.4")
    assert rsp.findtext(f"{RA}SupplyState") == expected
    gas = {0: 0x00, 1: 0x02, 2: 0x01}[state]               # ZSE: off, on, armed
    rsp, _ = parsed(mmc_schema, respond("GCS33", gbz_response(attributes_response(
        0x0702, (0x0205, "uint16", 365), (0x0014, "enum8", gas))), GSME), "7.4")
    assert (rsp.findtext(f"{RA}SupplyState"), rsp.findtext(f"{RA}Gas/{RA}RemainingBatteryCapacity")) == (
        expected, "365")


def test_the_chf_device_log_is_typed(mmc_schema):
    def device(eui: EntityId, rssi: int, when: dt.datetime) -> Data:
        return axdr.structure(axdr.octet_string(bytes(eui)), axdr.bit_string("11001000"), axdr.integer(-30),
                              axdr.integer(rssi), axdr.integer(-90), axdr.unsigned(9), axdr.unsigned(50),
                              axdr.unsigned(200), axdr.octet_string(dlms.DlmsDateTime.of(when).raw), axdr.unsigned(1),
                              axdr.unsigned(0), axdr.unsigned(7), axdr.unsigned(1), axdr.unsigned(1))
    seen = NOW - dt.timedelta(minutes=5)
    log = axdr.array(device(ESME, -61, seen), device(GSME, -72, NOW))
    rsp, _ = parsed(mmc_schema, respond("CCS06", dlms_response(1000, log), CHF), "8.9")
    assert [[c.text for c in e] for e in find(rsp, "CHFDeviceLog/CHFDeviceLogEntry")] == [
        [ESME.duis, "2026-11-30T23:55:00Z", "-61"], [GSME.duis, "2026-12-01T00:00:00Z", "-72"]]

    def backup(*entries):
        return axdr.structure(
            axdr.octet_string(dlms.DlmsDateTime.of(NOW).raw), axdr.octet_string(bytes(8)),
            axdr.array(*(axdr.structure(axdr.octet_string(bytes(eui)), axdr.octet_string(key))
                         for eui, key in entries)))
    message = respond("CCS07", dlms_response(1000, backup((ESME, b"\x01" * 16)), backup((PPMID, b"")),
                                             kind=RequestKind.ACTION), CHF)
    rsp, _ = parsed(mmc_schema, message, "8.9")
    log = rsp.find(f"{RA}CHFConnectedDeviceLog")
    assert [(etree.QName(e).localname, e.findtext(f"{RA}DeviceID"), e.findtext(f"{RA}DeviceSecurityDetails"))
            for e in log] == [("CHFCurrentConnectedDeviceLogEntry", ESME.duis, "01" * 16),
                              ("CHFHistoricConnectedDeviceLogEntry", PPMID.duis, "")]


def test_a_devices_join_details_are_typed(mmc_schema):
    value = {"responseCode": 0, "deviceLogEntries": [{"deviceId": bytes(GPF), "deviceType": 3},
                                                     {"deviceId": bytes(PPMID), "deviceType": 5}]}
    message = respond("CS07", asn1.encode("ReadDeviceJoinDetailsResponse", value), GSME)
    rsp, _ = parsed(mmc_schema, message, "8.9")
    assert [[c.text for c in e] for e in find(rsp, "DeviceLogEntries/LogEntry")] == [[GPF.duis, "GPF"],
                                                                                      [PPMID.duis, "PPMID"]]
    failed = respond("CS07", asn1.encode("ReadDeviceJoinDetailsResponse", {"responseCode": 1}), GSME)
    assert parsed(mmc_schema, failed, "8.9")[0].get("MessageSuccess") == "false"


def test_the_sub_ghz_channel_log_is_typed(mmc_schema):
    entry = axdr.structure(axdr.double_long_unsigned(gbz.gbz_seconds(NOW)), axdr.long_unsigned(0x8F26),
                           axdr.octet_string(((29 << 27) | 1 << 3).to_bytes(4, "big") + b"\x09\x01\x07"))
    rsp, _ = parsed(mmc_schema, respond("DBCH02", dlms_response(1000, axdr.array(entry)), CHF), "6.32")
    (log,) = rsp.findall(f"{RA}LogEntry")
    assert log.findtext(f"{RA}Timestamp") == "2026-12-01T00:00:00Z" and log.findtext(f"{RA}EventCode") == "8F26"
    assert log.find(f"{RA}OperatingSubGHzChannel/{RA}OperatingLowerBandSubGHzChannel/{RA}Channel30") is not None
    assert log.findtext(f"{RA}ScanTrigger") == "SMHANFormation"


def test_firmware_versions_are_typed(mmc_schema):
    version = bytes.fromhex("00020001")
    for use_case, payload, device in (
            ("ECS52", dlms_response(1000, axdr.octet_string(version)), ESME),
            ("GCS38", gbz_response(attributes_response(0x0702, (0x0206, "octstr", version))), GSME),
            ("CS08", asn1.encode("ReadPPMIDHCALCSFirmwareVersionResponse",
                                 {"firmwareVersion": version, "responseCode": 0}), PPMID)):
        rsp, _ = parsed(mmc_schema, respond(use_case, payload, device), "11.2")
        assert (rsp.findtext(f"{RA}FirmwareVersion"), rsp.get("MessageSuccess")) == ("00020001", "true"), use_case
    failed = asn1.encode("ReadPPMIDHCALCSFirmwareVersionResponse", {"firmwareVersion": bytes(4), "responseCode": 1})
    rsp, _ = parsed(mmc_schema, respond("CS08", failed, PPMID), "11.2")
    assert (rsp.find(f"{RA}FirmwareVersion"), rsp.get("MessageSuccess")) == (None, "false")


def _cell(usage_bit: int, cell_usage: int, eui: EntityId, key: bytes) -> dict:
    size = usage_bit // 8 + 1
    value = {"trustAnchorCellKeyUsage": ((1 << (8 * size - 1 - usage_bit)).to_bytes(size, "big"), usage_bit + 1),
             "subjectUniqueID": bytes(eui), "subjectKeyIdentifier": key}
    if cell_usage:
        value["trustAnchorCellUsage"] = cell_usage
    return value


def test_trust_anchors_read_back_typed_and_complete(mmc_schema):
    """After a Change of Supplier a DIT step reads the supplier's cells: whose certificates they hold."""
    new_supplier = EntityId("90-B3-D5-1F-30-03-00-00")
    value = [{"targetRemotePartyRole": 2, "statusCode": "success", "currentSeqNumber": 7, "trustAnchorCellDetails": [
                 _cell(0, 0, new_supplier, b"\x11" * 8), _cell(4, 0, new_supplier, b"\x22" * 8),
                 _cell(4, 1, new_supplier, b"\x33" * 8)]},
             {"targetRemotePartyRole": 8, "statusCode": "trustAnchorNotFound"}]
    message = respond("CS02fMAC", asn1.encode("ProvideSecurityCredentialDetailsResponse", value), ESME)
    anchors = trust_anchors(gbcs_payload.decode(message.apdu).value)
    assert [(a.role, a.status, a.sequence_number, a.certificate_usage, a.entity_id, a.key_identifier)
            for a in anchors] == [("supplier", "success", 7, "DigitalSigning", new_supplier, b"\x11" * 8),
                                  ("supplier", "success", 7, "KeyAgreement", new_supplier, b"\x22" * 8),
                                  ("supplier", "success", 7, "KeyAgreementTopUp", new_supplier, b"\x33" * 8),
                                  ("loadController", "trustAnchorNotFound", None, None, None, None)]
    rsp, _ = parsed(mmc_schema, message, "6.24.1")
    details = rsp.findall(f"{RA}RemotePartyDetails")
    assert [(etree.QName(c).localname, c.text) for c in details[0] if c.text and c.text.strip()] == [
        ("RemotePartyRole", "Supplier"), ("RemotePartyFloorSeqNumber", "7"), ("CertificateUsage", "DigitalSigning"),
        ("ExistingRemotePartyID", new_supplier.duis),
        ("ExistingCertificateHash", base64.b64encode(b"\x11" * 8).decode())]
    assert details[3].findtext(f"{RA}StatusCode/{RA}ASN1Status") == "trustAnchorNotFound"
    assert details[3].find(f"{RA}StatusCode").get("ResponseCode") == "25"
    assert rsp.get("MessageSuccess") == "false"


def test_the_devices_certificate_is_returned_whole(mmc_schema, smki):
    der = smki.keystore.credential(ESME, KeyUsage.DIGITAL_SIGNING).certificate.public_bytes(Encoding.DER)
    message = respond("CS02e", asn1.encode("ProvideDeviceCertificateResponse", ("certificate", der)), ESME)
    rsp, _ = parsed(mmc_schema, message, "6.24.2")
    assert base64.b64decode(rsp.findtext(f"{RA}Certificate")) == der
    refused = respond("CS02e", asn1.encode("ProvideDeviceCertificateResponse", ("responseCode", 2)), ESME)
    rsp, _ = parsed(mmc_schema, refused, "6.24.2")
    assert rsp.findtext(f"{RA}RetrieveDeviceSecurityCredentialsStatusCode/{RA}ASN1Status") == "noCertificateHeld"
    assert rsp.get("MessageSuccess") == "false"


# -- Parse: broken responses -----------------------------------------------------------------------------------

@pytest.mark.parametrize("use_case, srv, device, payload", [
    ("ECS82", "4.18", ESME, dlms_response(1000, axdr.double_long(5))),
    ("GCS60", "4.18", GSME, gbz_response(attributes_response(0x0702, (0x0A00, "uint32", 1)))),
    ("CS07", "8.9", GSME, asn1.encode("ReadDeviceJoinDetailsResponse", {"responseCode": 0, "deviceLogEntries": []})),
])
def test_a_truncated_response_is_a_payload_error_naming_the_use_case(use_case, srv, device, payload):
    with pytest.raises(PayloadError) as caught:
        parse(respond(use_case, payload[:-1], device), srv=srv)
    assert caught.value.reason.startswith(f"{use_case}:") and caught.value.offset >= 0


@pytest.mark.parametrize("use_case, srv, device, values, what", [
    ("ECS82", "4.18", ESME, (axdr.octet_string(b"12"),), "meter balance must be an integer"),
    ("ECS26l", "6.2.3", ESME, (axdr.array(axdr.structure(axdr.octet_string(bytes(4)),
                                                         axdr.octet_string(bytes.fromhex("FFFF0101FF")),
                                                         axdr.unsigned(1))),), "execution time"),
    ("ECS24", "4.11.1", ESME, (axdr.NULL,) * 15 + (axdr.octet_string(b"x"), axdr.NULL), "standing charge"),
    ("DBCH02", "6.32", CHF, (axdr.array(axdr.structure(axdr.unsigned(1), axdr.unsigned(2), axdr.octet_string(b""))),),
     "channel log entry"),
])
def test_a_tampered_response_is_a_payload_error_naming_the_use_case(use_case, srv, device, values, what):
    with pytest.raises(PayloadError, match=f"^{use_case}: .*{what}"):
        parse(respond(use_case, dlms_response(1000, *values), device), srv=srv)


# -- Device side: the CHF's identity against the public RTDS ---------------------------------------------------

# The RTDS 4.5.0 6.2.4 SUCCESS pairs to the CHF (SmartDCCInnovation/gbcs-parser test/rtds/RTDS-4.5.0/6.2.4_ECS26i and
# 6.2.4_ECS26n: the ACB's command 1300 for Supplier A's request 1000), payloads only: the command, the response and
# the RTDS CHF's manufacturer identifier (written "CSW" in one, "CSW " in the other); its model is ATGTypeY.
CHF_IDENTITY_RTDS = {
    "ECS26i": ("D92000051400030100010000600101FF020100010000600104FF020100010000600106FF0203000000",
               "DA20000514000003090800DB1234567890A209084154475479706559090343535703010001000100", "CSW"),
    "ECS26n": ("D92000051400020100010000600104FF020100010000600106FF02020000",
               "DA20000514000002090841544754797065590904435357200201000100", "CSW "),
}


@pytest.mark.parametrize("use_case", sorted(CHF_IDENTITY_RTDS))
def test_the_chf_answers_6_2_4_with_the_rtds_response(mmc_schema, use_case):
    from harness.usecases import device

    command_hex, response_hex, manufacturer = CHF_IDENTITY_RTDS[use_case]
    code = catalogue.use_case(use_case).message_codes[0]
    command = GeneralSigning(CraFlag.COMMAND, 1300, DCC_ACCESS_CONTROL_BROKER, CHF, code, bytes.fromhex(command_hex),
                             supplementary_remote_party=SUPPLIER_A, supplementary_remote_party_counter=1000)
    read, fields = device.read(command, DeviceType.CHF, now=NOW)
    assert fields == {"UseCase": use_case}
    answered = device.answer(read, {"ModelType": "ATGTypeY", "ManufacturerIdentifier": manufacturer})
    assert answered.hex().upper() == response_hex
    response = GeneralSigning(CraFlag.RESPONSE, 1300, CHF, DCC_ACCESS_CONTROL_BROKER, code, bytes.fromhex(response_hex),
                              supplementary_remote_party=SUPPLIER_A, supplementary_remote_party_counter=1000)
    rsp, notes = parsed(mmc_schema, GbcsMessage(response, None), "6.2.4")
    assert notes == [] and [(etree.QName(e).localname, e.text) for e in rsp.iter() if e.text and e.text.strip()] == [
        ("DeviceIdentifier", CHF.duis), ("ModelType", "ATGTypeY"), ("ManufacturerIdentifier", manufacturer)]
