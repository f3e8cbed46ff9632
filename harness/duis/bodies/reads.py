"""Bodies of the read SRs: 4.x meter reads and logs, 6.13 event or security log, 11.2 firmware version.

Most reads share one of four XSD types, so each builder is one line over a shared helper:
- ReadDataOnDemand: an empty body (4.11.1);
- FutureDatedAbstractType / ReadDataOnDemandOrFutureDated: an optional ExecutionDateTime (DSP future
  dating), nothing else (4.1.1, 4.1.2, 4.3, 4.13, 4.18, 11.2);
- ReadLogFutureDatableAndURPCredentials: optional ExecutionDateTime, a ReadLogPeriod and optional
  KAPublicSecurityCredentials (4.4.2, 4.4.3, 4.6.1, 4.8.1, 4.14, 4.17);
- ReadLogOnDemand: a ReadLogPeriod only, never future dated (6.13, plus its LogToRead).

Log periods: `start` and `end` are aware datetimes; None leaves that side open, written as the fixed
bounds WHOLE_LOG_START / WHOLE_LOG_END so that the same parameters always build the same request
(no wall clock). Leaving both out reads the whole log; narrow it for big logs such as profile data.
"""

from __future__ import annotations

import datetime as dt

from lxml import etree

from harness.duis.bodies._common import Certificate, certificate_b64, future_dated, read_log_period
from harness.duis.requests import body
from harness.duis.xml import E
from harness.errors import DitError

WHOLE_LOG_START = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
"""Open start of a log period: before any entry a device could hold (an unset device clock reads 2000)."""
WHOLE_LOG_END = dt.datetime(2099, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
"""Open end of a log period: after any entry a device could hold."""

LOGS_TO_READ = ("Event", "ALCSEvent", "PowerEvent", "Security", "GSMEEvent", "GSMESecurity")
"""The XSD LogToRead values of 6.13."""


def _log_period(srv: str, start: dt.datetime | None, end: dt.datetime | None) -> etree._Element:
    start = WHOLE_LOG_START if start is None else start
    end = WHOLE_LOG_END if end is None else end
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, dt.datetime):
            raise DitError(f"{srv} {name} must be a datetime, not {type(value).__name__}",
                           fix="use an aware datetime (UTC)")
        if value.tzinfo is None:
            raise DitError(f"{srv} {name} {value.isoformat()} has no time zone", fix="use an aware datetime (UTC)")
    if end < start:
        raise DitError(f"{srv} log period ends ({end.isoformat()}) before it starts ({start.isoformat()})",
                       fix="swap start and end")
    return read_log_period(start, end)


def _read_now_or_later(tag: str, execution_date_time: dt.datetime | None) -> etree._Element:
    """ReadDataOnDemandOrFutureDated (and FutureDatedAbstractType extended by nothing)."""
    return E(tag, *future_dated(execution_date_time))


def _read_log_future_datable(tag: str, srv: str, start: dt.datetime | None, end: dt.datetime | None,
                             ka_public_security_credentials: Certificate | None,
                             execution_date_time: dt.datetime | None) -> etree._Element:
    """ReadLogFutureDatableAndURPCredentials; the KA certificate asks for the response to be encrypted
    to the User (the URP variant of the use case)."""
    parts = future_dated(execution_date_time) + [_log_period(srv, start, end)]
    if ka_public_security_credentials is not None:
        parts.append(E.KAPublicSecurityCredentials(certificate_b64(ka_public_security_credentials)))
    return E(tag, *parts)


@body("4.1.1")
def read_instantaneous_import_registers(*, execution_date_time: dt.datetime | None = None) -> etree._Element:
    return _read_now_or_later("ReadInstantaneousImportRegisters", execution_date_time)


@body("4.1.2")
def read_instantaneous_import_tou_matrices(*, execution_date_time: dt.datetime | None = None) -> etree._Element:
    return _read_now_or_later("ReadInstantaneousImportTOUMatrices", execution_date_time)


@body("4.3")
def read_instantaneous_prepay_values(*, execution_date_time: dt.datetime | None = None) -> etree._Element:
    return _read_now_or_later("ReadInstantaneousPrepayValues", execution_date_time)


@body("4.4.2")
def retrieve_com_or_tariff_triggered_billing_data_log(
        *, start: dt.datetime | None = None, end: dt.datetime | None = None,
        ka_public_security_credentials: Certificate | None = None,
        execution_date_time: dt.datetime | None = None) -> etree._Element:
    """The billing snapshot taken at a change of mode or tariff (read after 1.1.1 / 1.6)."""
    return _read_log_future_datable("RetrieveCoMOrTariffTriggeredBillingDataLog", "4.4.2", start, end,
                                    ka_public_security_credentials, execution_date_time)


@body("4.4.3")
def retrieve_billing_calendar_triggered_billing_data_log(
        *, start: dt.datetime | None = None, end: dt.datetime | None = None,
        ka_public_security_credentials: Certificate | None = None,
        execution_date_time: dt.datetime | None = None) -> etree._Element:
    return _read_log_future_datable("RetrieveBillingCalendarTriggeredBillingDataLog", "4.4.3", start, end,
                                    ka_public_security_credentials, execution_date_time)


@body("4.6.1")
def retrieve_import_daily_read_log(*, start: dt.datetime | None = None, end: dt.datetime | None = None,
                                   ka_public_security_credentials: Certificate | None = None,
                                   execution_date_time: dt.datetime | None = None) -> etree._Element:
    """The midnight readings."""
    return _read_log_future_datable("RetrieveImportDailyReadLog", "4.6.1", start, end,
                                    ka_public_security_credentials, execution_date_time)


@body("4.8.1")
def read_active_import_profile_data(*, start: dt.datetime | None = None, end: dt.datetime | None = None,
                                    ka_public_security_credentials: Certificate | None = None,
                                    execution_date_time: dt.datetime | None = None) -> etree._Element:
    """Half-hourly profile data: up to 13 months of it, so give a start and end rather than the whole log."""
    return _read_log_future_datable("ReadActiveImportProfileData", "4.8.1", start, end,
                                    ka_public_security_credentials, execution_date_time)


@body("4.11.1")
def read_tariff_primary_element() -> etree._Element:
    """ReadDataOnDemand: no parameters and no future dating."""
    return E.ReadTariffPrimaryElement()


@body("4.13")
def read_prepayment_configuration(*, execution_date_time: dt.datetime | None = None) -> etree._Element:
    return _read_now_or_later("ReadPrepaymentConfiguration", execution_date_time)


@body("4.14")
def read_prepayment_daily_read_log(*, start: dt.datetime | None = None, end: dt.datetime | None = None,
                                   ka_public_security_credentials: Certificate | None = None,
                                   execution_date_time: dt.datetime | None = None) -> etree._Element:
    return _read_log_future_datable("ReadPrepaymentDailyReadLog", "4.14", start, end,
                                    ka_public_security_credentials, execution_date_time)


@body("4.17")
def retrieve_daily_consumption_log(*, start: dt.datetime | None = None, end: dt.datetime | None = None,
                                   ka_public_security_credentials: Certificate | None = None,
                                   execution_date_time: dt.datetime | None = None) -> etree._Element:
    return _read_log_future_datable("RetrieveDailyConsumptionLog", "4.17", start, end,
                                    ka_public_security_credentials, execution_date_time)


@body("4.18")
def read_meter_balance(*, execution_date_time: dt.datetime | None = None) -> etree._Element:
    return _read_now_or_later("ReadMeterBalance", execution_date_time)


@body("6.13")
def read_event_or_security_log(*, log_to_read: str = "Event", start: dt.datetime | None = None,
                               end: dt.datetime | None = None) -> etree._Element:
    """One log of the device: Event or Security, or the ALCS, power and GSME logs the XSD also names
    (LOGS_TO_READ). Not future-datable."""
    if log_to_read not in LOGS_TO_READ:
        raise DitError(f"6.13 LogToRead must be one of {', '.join(LOGS_TO_READ)}, not {log_to_read!r}")
    return E.ReadEventOrSecurityLog(_log_period("6.13", start, end), E.LogToRead(log_to_read))


@body("11.2")
def read_firmware_version(*, execution_date_time: dt.datetime | None = None) -> etree._Element:
    return _read_now_or_later("ReadFirmwareVersion", execution_date_time)
