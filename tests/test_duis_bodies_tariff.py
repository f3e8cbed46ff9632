"""Tariff, prepayment and supplier-display SR bodies (1.x, 2.x, 3.x) build schema-valid requests."""

from __future__ import annotations

import datetime as dt

import pytest

from harness.duis import requests, xml
from harness.duis.request_id import RequestId
from harness.errors import DitError

SUPPLIER = "90-B3-D5-1F-30-01-00-00"
ESME = "00-DB-12-34-56-78-90-A0"
GSME = "00-DB-12-34-56-78-90-A1"
GPF = "00-DB-12-34-56-78-90-A3"
LATER = dt.datetime(2030, 4, 1, 0, 0, tzinfo=dt.UTC)
MOVE_OUT = dt.datetime(2025, 6, 1, 9, 30, tzinfo=dt.UTC)
UTRN = "73946144332040217315"


def _rid(target: str, counter: int = 1000) -> RequestId:
    return RequestId.parse(f"{SUPPLIER}:{target}:{counter}")


def _body(root, path: str) -> str | None:
    return xml.text(root, f"sr:Body/{path}")


@pytest.mark.parametrize("srv, target, params", [
    ("1.1.1", ESME, {}),
    ("1.1.1", GSME, {"fuel": "gas"}),
    ("1.1.1", ESME, {"unit_rate": -1200, "price_scale": -4, "standing_charge_scale": -3, "execution_date_time": LATER}),
    ("1.1.1", GSME, {"fuel": "gas", "unit_rate": 6240, "standing_charge": 31650, "execution_date_time": LATER}),
    ("1.2.1", ESME, {}),
    ("1.2.1", GSME, {"fuel": "gas"}),
    ("1.2.1", ESME, {"unit_rates": list(range(1000, 1048)), "execution_date_time": LATER}),
    ("1.2.1", GSME, {"fuel": "gas", "unit_rates": "6000, 6100, 6200, 6300"}),
    ("1.5", ESME, {}),
    ("1.5", GSME, {"payment_mode": "credit", "reset": True}),
    ("1.5", ESME, {"adjustment": -250000}),
    ("1.6", ESME, {}),
    ("1.6", GSME, {"payment_mode": "prepayment", "disablement_threshold": -50000, "execution_date_time": LATER}),
    ("2.1", ESME, {}),
    ("2.1", GSME, {"fuel": "gas"}),
    ("2.1", ESME, {"non_disablement_start": "10:00", "non_disablement_stop": "16:00", "execution_date_time": LATER}),
    ("2.1", GSME, {"fuel": "gas", "non_disablement_start": "10:00", "non_disablement_stop": "16:00"}),
    ("2.1", GSME, {"fuel": "gas", "non_disablement_start": dt.time(0, 0), "non_disablement_stop": dt.time(7, 30)}),
    ("2.2", ESME, {"utrn": UTRN}),
    ("2.2", GSME, {"utrn": "7394 6144 3320 4021 7315"}),
    ("2.3", ESME, {}),
    ("2.3", GSME, {"fuel": "gas"}),
    ("2.3", ESME, {"time_debt_register_1": 1000000, "debt_recovery_rate_1": 30000, "debt_recovery_per_payment": 1000,
                   "debt_recovery_rate_period": "hourly", "debt_recovery_rate_price_scale": -4}),
    ("2.3", GSME, {"fuel": "gas", "payment_debt_register": 1000000, "debt_recovery_rate_2": 50000}),
    ("2.5", ESME, {}),
    ("2.5", GSME, {}),
    ("3.1", ESME, {}),
    ("3.1", GSME, {"message": "Your new tariff starts today", "execution_date_time": LATER}),
    ("3.2", ESME, {"restriction_date_time": MOVE_OUT}),
    ("3.2", GPF, {"restriction_date_time": MOVE_OUT, "execution_date_time": LATER}),
    ("3.4", ESME, {}),
    ("3.4", GSME, {"supplier_name": "E-ON", "supplier_telephone_number": "0333 202 4650"}),
    ("3.5", ESME, {}),
    ("3.5", GSME, {}),
])
def test_tariff_bodies_are_schema_valid(duis_schema, srv, target, params):
    root = requests.build(srv, _rid(target), **params)
    assert duis_schema.errors(root) == []
    assert xml.text(root, "sr:Header/sr:ServiceReferenceVariant") == srv


@pytest.mark.parametrize("fuel, tariff, prices", [
    ("electricity", "ElecTariffElements", "ElectricityPriceElements"),
    ("gas", "GasTariffElements", "GasPriceElements"),
])
def test_tariff_structure_follows_the_fuel(fuel, tariff, prices):
    root = requests.build("1.1.1", _rid(ESME), fuel=fuel, unit_rate=12345, standing_charge=23456)
    base = "sr:UpdateImportTariffPrimaryElement"
    assert root.find(f".//{base}/sr:{tariff}", xml.NSMAP) is not None
    assert _body(root, f"{base}/sr:PriceElements/sr:{prices}/sr:TOUTariff/sr:TOUPrice[@index='1']") == "12345"
    assert _body(root, f"{base}/sr:PriceElements/sr:{prices}/sr:StandingCharge") == "23456"


def test_electricity_prices_carry_their_scales():
    root = requests.build("1.2.1", _rid(ESME), unit_rates=[2100, 3100], price_scale=-4, standing_charge_scale=-3)
    prices = "sr:UpdatePricePrimaryElement/sr:PriceElements/sr:ElectricityPriceElements"
    assert _body(root, f"{prices}/sr:PriceScale") == "-4"
    assert _body(root, f"{prices}/sr:StandingChargeScale") == "-3"
    assert [p.text for p in root.iterfind(f".//{prices}/sr:TOUTariff/sr:TOUPrice", xml.NSMAP)] == ["2100", "3100"]


def test_execution_date_time_comes_first():
    root = requests.build("1.1.1", _rid(ESME), execution_date_time=LATER)
    first = root.find(".//sr:UpdateImportTariffPrimaryElement", xml.NSMAP)[0]
    assert first.tag == xml.sr("ExecutionDateTime") and first.text == "2030-04-01T00:00:00.00Z"
    assert root.find(".//sr:UpdatePaymentMode/sr:ExecutionDateTime", xml.NSMAP) is None


@pytest.mark.parametrize("payment_mode, element", [("prepayment", "PrepaymentMode"), ("Credit", "CreditMode")])
def test_meter_balance_adjusts_the_balance_of_the_mode(payment_mode, element):
    root = requests.build("1.5", _rid(ESME), payment_mode=payment_mode, adjustment=-250000)
    assert _body(root, f"sr:UpdateMeterBalance/sr:{element}/sr:AdjustMeterBalance") == "-250000"


def test_meter_balance_reset_sends_no_adjustment():
    root = requests.build("1.5", _rid(ESME), reset=True)
    assert root.find(".//sr:PrepaymentMode/sr:ResetMeterBalance", xml.NSMAP) is not None
    assert root.find(".//sr:AdjustMeterBalance", xml.NSMAP) is None


def test_payment_mode_lands_in_its_element():
    credit = requests.build("1.6", _rid(ESME))
    assert credit.find(".//sr:UpdatePaymentMode/sr:Credit", xml.NSMAP) is not None
    assert credit.find(".//sr:Prepayment", xml.NSMAP) is None
    prepayment = requests.build("1.6", _rid(ESME), payment_mode="PREPAYMENT", suspend_debt_emergency=False,
                                disablement_threshold=-10000)
    mode = "sr:UpdatePaymentMode/sr:Prepayment"
    assert _body(prepayment, f"{mode}/sr:SuspendDebtDisabled") == "true"
    assert _body(prepayment, f"{mode}/sr:SuspendDebtEmergency") == "false"
    assert _body(prepayment, f"{mode}/sr:DisablementThreshold") == "-10000"


@pytest.mark.parametrize("fuel, config", [("electricity", "UpdatePrepayConfigElectricity"),
                                          ("gas", "UpdatePrepayConfigGas")])
def test_prepay_configuration_values_land(fuel, config):
    root = requests.build("2.1", _rid(ESME), fuel=fuel, emergency_credit_limit=1500000, low_credit_threshold=300000,
                          max_meter_balance="20000000")
    base = f"sr:UpdatePrepayConfiguration/sr:{config}"
    assert _body(root, f"{base}/sr:EmergencyCreditLimit") == "1500000"
    assert _body(root, f"{base}/sr:LowCreditThreshold") == "300000"
    assert _body(root, f"{base}/sr:MaxMeterBalance") == "20000000"


def test_electricity_non_disablement_window():
    root = requests.build("2.1", _rid(ESME), non_disablement_start="17:30", non_disablement_stop=dt.time(9, 0))
    schedules = root.findall(".//sr:ElectricityNonDisablementSchedule", xml.NSMAP)
    assert [(xml.text(s, "sr:NonDisablementScript"), xml.text(s, "sr:ScheduleDatesAndTime/sr:SwitchTime"))
            for s in schedules] == [("START", "17:30:00.00Z"), ("STOP", "09:00:00.00Z")]
    assert len(schedules[0].findall(".//sr:DayOfWeekID", xml.NSMAP)) == 7


@pytest.mark.parametrize("start, stop, expected", [
    ("18:00", "08:00", [("00:00", "START"), ("08:00", "STOP"), ("18:00", "START")]),
    ("10:00", "16:00", [("00:00", "STOP"), ("10:00", "START"), ("16:00", "STOP")]),
    ("00:00", "07:00", [("00:00", "START"), ("07:00", "STOP")]),
])
def test_gas_non_disablement_day_opens_in_the_midnight_state(start, stop, expected):
    root = requests.build("2.1", _rid(GSME), fuel="gas", non_disablement_start=start, non_disablement_stop=stop)
    actions = root.findall(".//sr:GasNonDisablementDayProfile/sr:TimeStartAction", xml.NSMAP)
    assert [(xml.text(a, "sr:StartTime")[:5], xml.text(a, "sr:NonDisablementAction")) for a in actions] == expected


def test_utrn_is_sent_as_twenty_digits():
    root = requests.build("2.2", _rid(ESME), utrn="7394-6144-3320-4021-7315")
    assert _body(root, "sr:TopUpDevice/sr:UTRN") == UTRN


@pytest.mark.parametrize("fuel, recovery, scaled", [("electricity", "ElecDebtRecovery", True),
                                                    ("gas", "GasDebtRecovery", False)])
def test_debt_values_land(fuel, recovery, scaled):
    root = requests.build("2.3", _rid(ESME), fuel=fuel, time_debt_register_1=1000000, payment_debt_register=200000,
                          debt_recovery_per_payment=2500, debt_recovery_rate_2=1500)
    assert _body(root, "sr:UpdateDebt/sr:TimeDebtRegister1") == "1000000"
    assert _body(root, "sr:UpdateDebt/sr:PaymentDebtRegister") == "200000"
    assert _body(root, "sr:UpdateDebt/sr:DebtRecoveryPerPayment") == "2500"
    assert _body(root, f"sr:UpdateDebt/sr:{recovery}2/sr:DebtRecoveryRate") == "1500"
    assert _body(root, f"sr:UpdateDebt/sr:{recovery}1/sr:DebtRecoveryRatePeriod") == "DAILY"
    has_scale = _body(root, f"sr:UpdateDebt/sr:{recovery}1/sr:DebtRecoveryRatePriceScale") is not None
    assert has_scale == scaled


def test_display_texts_land():
    message = requests.build("3.1", _rid(ESME), message="Welcome to DIT Energy")
    assert _body(message, "sr:DisplayMessage/sr:SupplierMessage") == "Welcome to DIT Energy"
    name = requests.build("3.4", _rid(GSME), supplier_name="Octo Test", supplier_telephone_number="0808 157 0999")
    assert _body(name, "sr:UpdateSupplierName/sr:SupplierName") == "Octo Test"
    assert _body(name, "sr:UpdateSupplierName/sr:SupplierTelephoneNumber") == "0808 157 0999"


def test_restriction_date_time_is_sent_in_utc():
    bst = dt.timezone(dt.timedelta(hours=1))
    root = requests.build("3.2", _rid(ESME), restriction_date_time=dt.datetime(2025, 6, 1, 10, 30, tzinfo=bst))
    assert _body(root, "sr:RestrictAccessForChangeOfTenancy/sr:RestrictionDateTime") == "2025-06-01T09:30:00.00Z"


@pytest.mark.parametrize("srv, params, match", [
    ("1.1.1", {"fuel": "water"}, "fuel must be one of electricity, gas"),
    ("1.1.1", {"unit_rate": 40000}, "must be between"),                               # xs:short on the ESME
    ("1.1.1", {"fuel": "gas", "standing_charge": -1}, "must be between"),             # xs:unsignedInt on the GSME
    ("1.1.1", {"fuel": "gas", "price_scale": -4}, "electricity only"),
    ("1.1.1", {"unit_rate": 24.5}, "whole number"),
    ("1.1.1", {"price_scale": 200}, "must be between"),
    ("1.2.1", {"fuel": "gas", "unit_rates": [1, 2, 3, 4, 5]}, "1 to 4 gas"),
    ("1.2.1", {"unit_rates": []}, "1 to 48 electricity"),
    ("1.5", {"payment_mode": "pay as you go"}, "one of credit, prepayment"),
    ("1.5", {"adjustment": 2**31}, "must be between"),
    ("1.6", {"payment_mode": "PAYG"}, "one of credit, prepayment"),
    ("2.1", {"fuel": "gas", "low_credit_threshold": -1}, "must be between"),
    ("2.1", {"debt_recovery_rate_cap": 70000}, "must be between"),                    # xs:unsignedShort on the ESME
    ("2.1", {"non_disablement_start": "08:00", "non_disablement_stop": "08:00"}, "both 08:00"),
    ("2.1", {"non_disablement_start": "teatime"}, "time of day"),
    ("2.2", {"utrn": UTRN[:-1]}, "20 digits"),
    ("2.2", {"utrn": UTRN[:-1] + "X"}, "20 digits"),
    ("2.3", {"debt_recovery_per_payment": 10001}, "must be between"),
    ("2.3", {"debt_recovery_rate_1": 50000}, "must be between"),
    ("2.3", {"fuel": "gas", "debt_recovery_rate_price_scale": -1}, "electricity only"),
    ("2.3", {"debt_recovery_rate_period": "WEEKLY"}, "HOURLY or DAILY"),
    ("3.1", {"message": "x" * 117}, "1 to 116"),
    ("3.1", {"message": ""}, "1 to 116"),
    ("3.1", {"message": "Café closed"}, "printable ASCII"),
    ("3.2", {"restriction_date_time": "2025-06-01T09:30:00Z"}, "must be a date-time"),
    ("3.2", {"restriction_date_time": dt.datetime(2025, 6, 1, 9, 30)}, "no time zone"),
    ("3.4", {"supplier_name": "A Very Long Supplier"}, "1 to 15"),
    ("3.4", {"supplier_telephone_number": "+44 808 157 0123"}, "digits and spaces"),
])
def test_invalid_parameters_are_refused(srv, params, match):
    with pytest.raises(DitError, match=match):
        requests.build(srv, _rid(ESME), **params)


def test_restriction_date_time_is_required():
    with pytest.raises(DitError, match="restriction_date_time"):
        requests.build("3.2", _rid(ESME))


def test_utrn_is_required():
    with pytest.raises(DitError, match="utrn"):
        requests.build("2.2", _rid(ESME))


def test_every_sr_of_the_group_is_buildable():
    group = {"1.1.1", "1.2.1", "1.5", "1.6", "2.1", "2.2", "2.3", "2.5", "3.1", "3.2", "3.4", "3.5"}
    assert group <= set(requests.buildable())
    assert requests.parameters("1.1.1")["fuel"] == "electricity"
