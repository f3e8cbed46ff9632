"""harness.usecases.readback: a read-back shows what a setting SR set, by the MMC's names and by value."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from harness.duis import xml
from harness.usecases.readback import most_used, not_read_back


def _request(body: str) -> etree._Element:
    return etree.fromstring(f'<sr:Request xmlns:sr="{xml.SR}"><sr:Header/><sr:Body>{body}</sr:Body></sr:Request>')


GAS_CALENDAR = _request("<sr:UpdateDeviceConfigurationBillingCalendar><sr:GasBillingCalendar>"
                        "<sr:BillingPeriodStart>2026-02-01T00:00:00.00Z</sr:BillingPeriodStart>"
                        "<sr:Periodicity>Monthly</sr:Periodicity></sr:GasBillingCalendar>"
                        "</sr:UpdateDeviceConfigurationBillingCalendar>")


def test_a_read_back_showing_every_value_set_passes_whatever_the_text_form():
    read = {"Result": "Success", "BillingCalendar/GasBillingCalendar/BillingPeriodStart": "2026-02-01T00:00:00Z",
            "BillingCalendar/GasBillingCalendar/Periodicity": "Monthly"}
    assert not_read_back("6.8", GAS_CALENDAR, read) == []


def test_a_value_the_device_did_not_keep_is_named():
    read = {"BillingCalendar/GasBillingCalendar/BillingPeriodStart": "2026-02-01T00:00:00Z",
            "BillingCalendar/GasBillingCalendar/Periodicity": "Daily"}
    assert not_read_back("6.8", GAS_CALENDAR, read) == ["Periodicity=Monthly"]


def test_values_read_back_under_the_mmc_name_and_numbers_by_value():
    request = _request("<sr:UpdatePrepaySettings><sr:MaxCreditThreshold>10000000</sr:MaxCreditThreshold>"
                       "<sr:CalorificValue>39.20</sr:CalorificValue></sr:UpdatePrepaySettings>")
    assert not_read_back("2.1", request, {"CreditMaxCreditThreshold": "10000000", "CalorificValue": "39.2"}) == []
    assert not_read_back("2.1", request, {"MaxCreditThreshold": "10000000", "CalorificValue": "39.2"}) == \
        ["MaxCreditThreshold=10000000"]


def test_only_the_debt_registers_of_2_3_are_compared_with_4_3():
    request = _request("<sr:UpdateDebt><sr:PaymentDebtRegister>0</sr:PaymentDebtRegister>"
                       "<sr:DebtRecoveryPerPayment>0</sr:DebtRecoveryPerPayment></sr:UpdateDebt>")
    assert not_read_back("2.3", request, {"PaymentDebtRegister": "0"}) == []
    assert not_read_back("2.3", request, {"PaymentDebtRegister": "2000000"}) == ["PaymentDebtRegister=0"]


def test_what_a_meter_may_use_grows_with_the_time_between_the_change_and_the_read():
    """A served bench on a loaded machine (or a slow real one) takes longer between the change and the read, and its
    meter uses more meanwhile: the allowance is the rate over that span, from the User's own clock."""
    sent = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    assert most_used(sent, sent + dt.timedelta(minutes=2), 750) == 1500
    assert most_used(sent, sent + dt.timedelta(minutes=20, seconds=1), 750) == 15013        # rounded up
    assert most_used(sent, sent, 750) == 0
    with pytest.raises(ValueError, match="came back before the change was sent"):
        most_used(sent, sent - dt.timedelta(seconds=1), 750)
