"""Read SR bodies (4.x, 6.13, 11.2) build schema-valid requests."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from harness.duis import requests, xml
from harness.duis.bodies import reads
from harness.duis.request_id import RequestId
from harness.errors import DitError

SUPPLIER = "90-B3-D5-1F-30-01-00-00"
ESME = "00-DB-12-34-56-78-90-A0"
GSME = "00-DB-12-34-56-78-90-A1"
CHF = "00-DB-12-34-56-78-90-A2"
UTC = dt.UTC
START = dt.datetime(2025, 5, 1, tzinfo=UTC)
END = dt.datetime(2025, 5, 8, tzinfo=UTC)
LATER = dt.datetime(2030, 1, 1, 1, 30, tzinfo=UTC)
KA_CERT = bytes.fromhex("3082010a0201")   # any DER-ish bytes: the schema only checks base64

LOG_READS = ["4.4.2", "4.4.3", "4.6.1", "4.8.1", "4.14", "4.17"]
SIMPLE_READS = ["4.1.1", "4.1.2", "4.3", "4.13", "4.18", "11.2"]


def _rid(target: str = ESME, counter: int = 1000) -> RequestId:
    return RequestId.parse(f"{SUPPLIER}:{target}:{counter}")


def _body(root):
    return root.find("sr:Body", xml.NSMAP)[0]


@pytest.mark.parametrize("srv, target, params", [
    *[(srv, ESME, {}) for srv in SIMPLE_READS],
    *[(srv, GSME, {"execution_date_time": LATER}) for srv in SIMPLE_READS],
    ("4.11.1", ESME, {}),
    *[(srv, ESME, {}) for srv in LOG_READS],
    *[(srv, GSME, {"start": START, "end": END, "ka_public_security_credentials": KA_CERT,
                   "execution_date_time": LATER}) for srv in LOG_READS],
    ("6.13", ESME, {}),
    ("6.13", CHF, {"log_to_read": "Security", "start": START, "end": END}),
    ("6.13", ESME, {"log_to_read": "PowerEvent", "start": START}),
])
def test_read_bodies_are_schema_valid(duis_schema, srv, target, params):
    root = requests.build(srv, _rid(target), **params)
    assert duis_schema.errors(root) == []
    assert xml.text(root, "sr:Header/sr:ServiceReferenceVariant") == srv


@pytest.mark.parametrize("srv", SIMPLE_READS)
def test_execution_date_time_future_dates_a_read(srv):
    assert _body(requests.build(srv, _rid())).find("sr:ExecutionDateTime", xml.NSMAP) is None
    root = requests.build(srv, _rid(), execution_date_time=LATER)
    assert xml.text(_body(root), "sr:ExecutionDateTime") == "2030-01-01T01:30:00.00Z"


@pytest.mark.parametrize("srv", LOG_READS)
def test_log_reads_carry_the_period_credentials_and_execution_time_in_xsd_order(srv):
    root = requests.build(srv, _rid(), start=START, end=END, ka_public_security_credentials=KA_CERT,
                          execution_date_time=LATER)
    children = [etree.QName(c).localname for c in _body(root)]
    assert children == ["ExecutionDateTime", "ReadLogPeriod", "KAPublicSecurityCredentials"]
    assert xml.text(root, ".//sr:ReadLogPeriod/sr:StartDateTime") == "2025-05-01T00:00:00.00Z"
    assert xml.text(root, ".//sr:ReadLogPeriod/sr:EndDateTime") == "2025-05-08T00:00:00.00Z"
    assert xml.text(root, ".//sr:KAPublicSecurityCredentials") == "MIIBCgIB"


def test_default_log_period_is_the_whole_log_and_deterministic():
    first = xml.serialize(requests.build("4.6.1", _rid()))
    assert first == xml.serialize(requests.build("4.6.1", _rid()))
    root = xml.parse(first)
    assert xml.text(root, ".//sr:StartDateTime") == requests.xs_datetime(reads.WHOLE_LOG_START)
    assert xml.text(root, ".//sr:EndDateTime") == requests.xs_datetime(reads.WHOLE_LOG_END)
    assert root.find(".//sr:KAPublicSecurityCredentials", xml.NSMAP) is None


def test_one_open_bound_keeps_the_other():
    root = requests.build("4.8.1", _rid(), end=END)
    assert xml.text(root, ".//sr:StartDateTime") == requests.xs_datetime(reads.WHOLE_LOG_START)
    assert xml.text(root, ".//sr:EndDateTime") == "2025-05-08T00:00:00.00Z"


def test_a_date_time_is_an_xs_datetime_in_any_year():
    """Four-digit years (xs:dateTime's), centiseconds as DUIS samples write them, UTC with a Z."""
    assert requests.xs_datetime(dt.datetime(333, 4, 9, 1, 2, 3, 456789, tzinfo=dt.UTC)) == "0333-04-09T01:02:03.45Z"
    assert requests.xs_datetime(dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=dt.UTC)) == "2026-12-31T23:59:59.00Z"


def test_log_period_is_written_in_utc():
    bst = dt.timezone(dt.timedelta(hours=1))
    root = requests.build("4.17", _rid(), start=dt.datetime(2025, 5, 1, 1, 0, tzinfo=bst), end=END)
    assert xml.text(root, ".//sr:StartDateTime") == "2025-05-01T00:00:00.00Z"


def test_event_or_security_log_selects_the_log():
    assert xml.text(requests.build("6.13", _rid()), ".//sr:LogToRead") == "Event"
    root = requests.build("6.13", _rid(CHF), log_to_read="Security")
    assert xml.text(root, ".//sr:LogToRead") == "Security"
    assert [etree.QName(c).localname for c in _body(root)] == ["ReadLogPeriod", "LogToRead"]


def test_read_tariff_is_empty():
    assert len(_body(requests.build("4.11.1", _rid()))) == 0


@pytest.mark.parametrize("srv, params, match", [
    ("4.6.1", {"start": END, "end": START}, "before it starts"),
    ("6.13", {"start": END, "end": START}, "before it starts"),
    ("4.8.1", {"start": dt.datetime(2025, 5, 1)}, "no time zone"),
    ("4.14", {"end": dt.date(2025, 5, 1)}, "must be a datetime"),
    ("4.4.2", {"execution_date_time": dt.datetime(2030, 1, 1)}, "no time zone"),
    ("6.13", {"log_to_read": "security"}, "LogToRead"),
    ("6.13", {"execution_date_time": LATER}, "parameters are"),
    ("4.11.1", {"execution_date_time": LATER}, "parameters are"),
])
def test_invalid_read_parameters_are_refused(srv, params, match):
    with pytest.raises(DitError, match=match):
        requests.build(srv, _rid(), **params)


def test_every_read_of_this_module_is_registered():
    assert set(SIMPLE_READS + LOG_READS + ["4.11.1", "6.13"]) <= set(requests.buildable())
