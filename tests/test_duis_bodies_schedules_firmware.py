"""DSP schedule (5.x) and firmware (11.1, 11.3, 11.4) SR bodies build schema-valid requests."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from lxml import etree

from harness import catalogue
from harness.duis import requests, xml
from harness.duis.bodies import schedules_firmware as sf
from harness.duis.request_id import RequestId
from harness.errors import DitError

SUPPLIER = "90-B3-D5-1F-30-01-00-00"
DCC = "90-B3-D5-1F-30-00-00-02"
ESME = "00-DB-12-34-56-78-90-A0"
GSME = "00-DB-12-34-56-78-90-A1"
GPF = "00-DB-12-34-56-78-90-A3"
PPMID = "00-DB-12-34-56-78-90-A4"
START_DATE = dt.date(2025, 7, 1)
IMAGE = bytes(range(256)) * 4
HASH = "AA758690730934FF0685AA758690730934FF0685657788990011223344556677"
LATER = dt.datetime(2030, 1, 1, 2, 0, tzinfo=dt.UTC)
SCHEDULABLE = [s.srv for s in catalogue.service_requests() if s.dsp_schedulable]


def _rid(target: str = DCC, counter: int = 1000) -> RequestId:
    return RequestId.parse(f"{SUPPLIER}:{target}:{counter}")


def _body(root):
    return root.find("sr:Body", xml.NSMAP)[0]


def _names(element) -> list[str]:
    return [etree.QName(c).localname for c in element]


@pytest.mark.parametrize("srv, target, params", [
    *[("5.1", DCC, {"device_id": GPF if s in ("4.17", "14.1") else ESME, "schedule_start_date": START_DATE,
                    "scheduled_srv": s}) for s in SCHEDULABLE],
    ("5.1", DCC, {"device_id": ESME, "schedule_start_date": START_DATE, "scheduled_srv": "4.8.1",
                  "schedule_frequency": "Half-Yearly", "schedule_end_date": dt.date(2026, 7, 1),
                  "schedule_execution_start_time": dt.time(1, 30), "ka_public_security_credential": b"\x30\x82",
                  "start_date_offset": -400, "start_time": dt.time(0, 30), "end_date_offset": -1,
                  "end_time": dt.time(23, 59, 59)}),
    ("5.2", DCC, {"dsp_schedule_id": 12345}),
    ("5.2", DCC, {"device_id": ESME}),
    ("5.3", DCC, {"dsp_schedule_id": "1000000000000"}),
    ("5.3", DCC, {"device_id": GSME}),
    ("11.1", DCC, {"firmware_image": IMAGE, "firmware_version": "00000000", "device_id_list": [ESME]}),
    ("11.1", DCC, {"firmware_image": IMAGE, "firmware_version": "1.2", "device_id_list": f"{ESME}, {GSME}"}),
    ("11.3", ESME, {"firmware_hash": HASH}),
    ("11.3", GSME, {"firmware_hash": bytes.fromhex(HASH), "execution_date_time": LATER}),
    ("11.4", DCC, {"firmware_image": IMAGE, "firmware_version": "P1", "device_id_list": PPMID}),
])
def test_schedule_and_firmware_bodies_are_schema_valid(duis_schema, srv, target, params):
    root = requests.build(srv, _rid(target), **params)
    assert duis_schema.errors(root) == []
    assert xml.text(root, "sr:Header/sr:ServiceReferenceVariant") == srv


def test_create_schedule_names_the_scheduled_sr_and_its_log_period():
    root = requests.build("5.1", _rid(), device_id=ESME, schedule_start_date=START_DATE, scheduled_srv="4.8.1",
                          schedule_frequency="Weekly", start_date_offset=-7, end_date_offset=-1,
                          end_time=dt.time(23, 30))
    body = _body(root)
    assert xml.text(body, "sr:ScheduleFrequency") == "Weekly"
    assert xml.text(body, "sr:ScheduleStartDate") == "2025-07-01"
    assert xml.text(body, "sr:DSPScheduledServiceReference") == "4.8"
    assert xml.text(body, "sr:DSPScheduledServiceReferenceVariant") == "4.8.1"
    assert xml.text(body, "sr:DeviceID") == ESME
    scheduled = body[-1]
    assert etree.QName(scheduled).localname == "DSPReadActiveImportProfileData"
    assert [c.text for c in scheduled] == ["-7", "00:00:00Z", "-1", "23:30:00Z"]


def test_create_schedule_defaults_to_yesterdays_midnight_reads():
    body = _body(requests.build("5.1", _rid(), device_id=ESME, schedule_start_date=START_DATE))
    assert _names(body) == ["ScheduleFrequency", "ScheduleStartDate", "DSPScheduledServiceReference",
                            "DSPScheduledServiceReferenceVariant", "DeviceID", "DSPRetrieveImportDailyReadLog"]
    assert xml.text(body, "sr:ScheduleFrequency") == "Daily"
    assert [c.text for c in body[-1]] == ["-1", "00:00:00Z", "0", "00:00:00Z"]


def test_create_schedule_optional_elements_in_xsd_order():
    body = _body(requests.build("5.1", _rid(), device_id=ESME, schedule_start_date=START_DATE,
                                schedule_end_date=dt.date(2025, 12, 31),
                                schedule_execution_start_time=dt.time(2, 15),
                                ka_public_security_credential=b"\x01\x02"))
    assert _names(body)[:5] == ["ScheduleFrequency", "ScheduleStartDate", "ScheduleEndDate",
                                "ScheduleExecutionStartTime", "KAPublicSecurityCredential"]
    assert xml.text(body, "sr:ScheduleExecutionStartTime") == "02:15:00Z"
    assert xml.text(body, "sr:KAPublicSecurityCredential") == "AQI="


@pytest.mark.parametrize("scheduled_srv, element", [("4.16", "DSPReadActivePowerImport"),
                                                    ("14.1", "DSPRecordNetworkDataGAS")])
def test_reads_without_a_log_period_schedule_an_empty_element(scheduled_srv, element):
    body = _body(requests.build("5.1", _rid(), device_id=ESME, schedule_start_date=START_DATE,
                                scheduled_srv=scheduled_srv, start_date_offset=-3))
    assert etree.QName(body[-1]).localname == element and len(body[-1]) == 0


@pytest.mark.parametrize("params, match", [
    ({"scheduled_srv": "4.1.1"}, "not DSP-schedulable"),
    ({"scheduled_srv": "4.2"}, "request matrix does not"),
    ({"scheduled_srv": "4.99"}, "unknown Service Reference Variant"),
    ({"schedule_frequency": "daily"}, "ScheduleFrequency"),
    ({"schedule_end_date": dt.date(2025, 6, 30)}, "ends .* before it starts"),
    ({"schedule_start_date": dt.datetime(2025, 7, 1, tzinfo=dt.UTC)}, "must be a date"),
    ({"start_date_offset": -401}, "-400 to 0"),
    ({"end_date_offset": 1}, "-400 to 0"),
    ({"start_date_offset": 0, "end_date_offset": -1}, "log period ends before it starts"),
    ({"start_time": dt.time(0, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))}, "not UTC"),
])
def test_invalid_schedules_are_refused(params, match):
    with pytest.raises(DitError, match=match):
        requests.build("5.1", _rid(), **{"device_id": ESME, "schedule_start_date": START_DATE, **params})


@pytest.mark.parametrize("srv, tag", [("5.2", "ReadSchedule"), ("5.3", "DeleteSchedule")])
def test_schedules_are_selected_by_id_or_by_device(srv, tag):
    by_id = _body(requests.build(srv, _rid(), dsp_schedule_id=42))
    assert etree.QName(by_id).localname == tag and _names(by_id) == ["DSPScheduleID"] and by_id[0].text == "42"
    by_device = _body(requests.build(srv, _rid(), device_id="00db1234567890a0"))
    assert _names(by_device) == ["DeviceID"] and by_device[0].text == ESME


@pytest.mark.parametrize("params, match", [
    ({}, "exactly one"),
    ({"dsp_schedule_id": 1, "device_id": ESME}, "exactly one"),
    ({"dsp_schedule_id": -1}, "DSP Schedule ID"),
    ({"dsp_schedule_id": sf.MAX_SCHEDULE_ID + 1}, "DSP Schedule ID"),
    ({"dsp_schedule_id": "abc"}, "DSP Schedule ID"),
    ({"dsp_schedule_id": 12.5}, "DSP Schedule ID"),
])
def test_invalid_schedule_selectors_are_refused(params, match):
    with pytest.raises(DitError, match=match):
        requests.build("5.3", _rid(), **params)


@pytest.mark.parametrize("srv", ["11.1", "11.4"])
def test_firmware_image_is_base64_and_devices_comma_separated(srv):
    root = requests.build(srv, _rid(), firmware_image=IMAGE, firmware_version="ABC",
                          device_id_list=[ESME, "00db1234567890a1"])
    body = _body(root)
    assert base64.b64decode(xml.text(body, "sr:FirmwareImage")) == IMAGE
    assert xml.text(body, "sr:FirmwareVersion") == "ABC"
    assert xml.text(body, "sr:DeviceIDList") == f"{ESME},{GSME}"


def test_firmware_limits_are_inclusive(duis_schema):
    devices = [f"00-DB-00-00-00-{i >> 16:02X}-{(i >> 8) & 0xFF:02X}-{i & 0xFF:02X}"
               for i in range(sf.MAX_FIRMWARE_DEVICES)]
    root = requests.build("11.1", _rid(), firmware_image=b"\x00" * sf.MAX_FIRMWARE_IMAGE_BYTES,
                          firmware_version="12345678", device_id_list=devices)
    assert duis_schema.errors(root) == []
    assert len(xml.text(root, ".//sr:DeviceIDList")) == 50_000 * 24 - 1


@pytest.mark.parametrize("srv", ["11.1", "11.4"])
@pytest.mark.parametrize("params, match", [
    ({"firmware_image": b"\x00" * (750 * 1024 + 1)}, "750 KB"),
    ({"firmware_image": b""}, "empty"),
    ({"firmware_image": "not bytes"}, "image bytes"),
    ({"firmware_version": ""}, "1 to 8 characters"),
    ({"firmware_version": "123456789"}, "1 to 8 characters"),
    ({"device_id_list": []}, "at least one device"),
    ({"device_id_list": [ESME, "00db1234567890a0"]}, "more than once"),
    ({"device_id_list": "00-DB-12"}, "not an EUI-64"),
])
def test_invalid_firmware_distributions_are_refused(srv, params, match):
    with pytest.raises(DitError, match=match):
        requests.build(srv, _rid(), **{"firmware_image": IMAGE, "firmware_version": "1", "device_id_list": ESME,
                                       **params})


def test_more_than_50000_devices_are_refused():
    devices = [f"00-DB-00-00-00-{i >> 16:02X}-{(i >> 8) & 0xFF:02X}-{i & 0xFF:02X}"
               for i in range(sf.MAX_FIRMWARE_DEVICES + 1)]
    with pytest.raises(DitError, match="50,001 devices"):
        requests.build("11.1", _rid(), firmware_image=IMAGE, firmware_version="1", device_id_list=devices)


def test_activate_firmware_hash_and_future_date():
    body = _body(requests.build("11.3", _rid(ESME), firmware_hash=HASH.lower(), execution_date_time=LATER))
    assert _names(body) == ["ExecutionDateTime", "FirmwareHash"]
    assert xml.text(body, "sr:FirmwareHash") == HASH
    assert _names(_body(requests.build("11.3", _rid(ESME), firmware_hash=bytes.fromhex(HASH)))) == ["FirmwareHash"]


@pytest.mark.parametrize("firmware_hash, match", [
    (HASH[:-2], "32 bytes"),
    (bytes(31), "32 bytes"),
    ("ZZ" * 32, "not hex"),
])
def test_invalid_firmware_hashes_are_refused(firmware_hash, match):
    with pytest.raises(DitError, match=match):
        requests.build("11.3", _rid(ESME), firmware_hash=firmware_hash)
