"""Device configuration SR bodies (6.x, 7.4, 8.1.1) build schema-valid requests."""

from __future__ import annotations

import datetime as dt

import pytest

from harness.duis import requests, xml
from harness.duis.request_id import RequestId
from harness.errors import DitError

SUPPLIER = "90-B3-D5-1F-30-01-00-00"
ESME = "00-DB-12-34-56-78-90-A0"
GSME = "00-DB-12-34-56-78-90-A1"
CHF = "00-DB-12-34-56-78-90-A2"
NOW = dt.datetime(2025, 6, 1, 12, 0, 30, tzinfo=dt.UTC)


def _rid(target: str, counter: int = 1000) -> RequestId:
    return RequestId.parse(f"{SUPPLIER}:{target}:{counter}")


def _body(srv: str, target: str = ESME, **params):
    return requests.build(srv, _rid(target), **params).find("sr:Body", xml.NSMAP)[0]


def _text(srv: str, path: str, target: str = ESME, **params) -> str | None:
    return xml.text(requests.build(srv, _rid(target), **params), f"sr:Body/{path}")


def _tags(element) -> list[str]:
    return [child.tag.split("}")[1] for child in element]


@pytest.mark.parametrize("srv, target, params", [
    ("6.4.1", ESME, {}),
    ("6.4.1", ESME, {"load_limit_supply_state": "Disable", "execution_date_time": NOW + dt.timedelta(days=1)}),
    ("6.6", GSME, {}),
    ("6.6", GSME, {"calorific_value": "40.0", "conversion_factor": "1.0226"}),
    ("6.8", ESME, {}),
    ("6.8", ESME, {"periodicity": "Daily", "billing_time": "12:00"}),
    ("6.8", ESME, {"periodicity": "Weekly", "day_of_week": 7}),
    ("6.8", ESME, {"periodicity": "Quarterly", "day_of_month": 28, "billing_period_start_month": 3}),
    ("6.8", ESME, {"periodicity": "SixMonthly"}),
    ("6.8", ESME, {"periodicity": "yearly", "billing_time": dt.time(23, 30)}),
    ("6.8", GSME, {"fuel": "gas", "billing_period_start": dt.datetime(2025, 7, 1, tzinfo=dt.UTC)}),
    ("6.8", GSME, {"fuel": "gas", "periodicity": "Quarterly",
                   "billing_period_start": dt.datetime(2025, 7, 1, tzinfo=dt.UTC)}),
    ("6.11", ESME, {"current_date_time": NOW}),
    ("6.11", GSME, {"current_date_time": NOW, "tolerance_period": 0}),
    ("8.1.1", ESME, {"current_date_time": NOW}),
    ("8.1.1", GSME, {"current_date_time": NOW, "tolerance_period": 86400}),
    ("6.12", ESME, {}),
    ("6.12", ESME, {"execution_date_time": NOW}),
    ("6.20.1", ESME, {"import_mpan": "1234567890123"}),
    ("6.20.1", ESME, {"import_mpan": "1234567890123", "secondary_import_mpan": "1234567890124",
                      "execution_date_time": NOW}),
    ("6.20.1", GSME, {"import_mprn": "1234567890"}),
    ("6.22", ESME, {"alerts": "810D=Enable, 810E=Disable, 81B7=Enable"}),
    ("6.22", ESME, {"alerts": {0x8183: True}, "behaviour": "HANAlertSettings"}),
    ("6.22", ESME, {"alerts": "8183=Enable", "behaviour": "AlarmSettings"}),
    ("6.22", ESME, {"alerts": "8183=Enable", "behaviour": "LoggingSettings"}),
    ("6.22", ESME, {"alerts": "8014=Enable, 8002=Enable, 8010=Disable", "role": "network_operator"}),
    ("6.22", ESME, {"alerts": "8013=Enable, 8003=Enable", "role": "network operator",
                    "behaviour": "LoggingSettings"}),
    ("6.22", GSME, {"alerts": "8184=Enable, 810D=Disable", "fuel": "gas"}),
    ("6.22", GSME, {"alerts": "810E=WAN, 8161=EventLog+Alarm, 81AA=Enable, 81C6=none", "fuel": "gas",
                    "behaviour": "AlertEventSettings"}),
    ("6.25", ESME, {}),
    ("6.25", ESME, {"supply_tamper_state": "Unchanged"}),
    ("6.28", CHF, {}),
    ("6.28", CHF, {"lower_band_channels": "0-26, 61", "upper_band_channels": [], "gsme_curfew": 2,
                   "normal_limited_duty_cycle_threshold": 0.5, "limited_critical_duty_cycle_threshold": "2.4",
                   "non_gsme_poor_comms_percentage_threshold": 100, "local_ch_noise_measurement_period": 61}),
    ("6.29", CHF, {}),
    ("6.30", CHF, {}),
    ("6.31", CHF, {}),
    ("6.32", CHF, {"start_date_time": NOW - dt.timedelta(days=7), "end_date_time": NOW}),
    ("6.2.3", ESME, {}),
    ("6.2.3", GSME, {}),
    ("6.2.4", CHF, {}),
    ("6.2.7", GSME, {}),
    ("6.2.9", ESME, {}),
    ("6.2.10", GSME, {}),
    ("7.4", ESME, {}),
    ("7.1", ESME, {}),
    ("7.2", ESME, {}),
    ("7.3", ESME, {}),
    ("6.14.1", ESME, {}),
    ("6.14.1", ESME, {"descriptions": "2=Storage heater; 1=Immersion heater"}),
    ("7.5", ESME, {"index": 1, "duration": 30}),
    ("7.6", ESME, {"index": "3", "duration": "60"}),
    ("7.7", ESME, {}),
    ("7.8", ESME, {"index": 5}),
])
def test_configuration_bodies_are_schema_valid(duis_schema, srv, target, params):
    root = requests.build(srv, _rid(target), **params)
    assert duis_schema.errors(root) == []
    assert xml.text(root, "sr:Header/sr:ServiceReferenceVariant") == srv


def test_every_sr_of_the_group_has_a_builder():
    group = {"6.4.1", "6.6", "6.8", "6.11", "8.1.1", "6.12", "6.20.1", "6.22", "6.25", "6.28", "6.29", "6.30",
             "6.31", "6.32", "6.2.3", "6.2.4", "6.2.7", "6.2.9", "6.2.10", "7.4"}
    assert group <= set(requests.buildable())


def test_critical_configuration_sr_is_built_for_the_transform():
    root = requests.build("6.6", _rid(GSME))
    assert xml.text(root, "sr:Header/sr:CommandVariant") == "4"


# --- parameters reach the XML ---------------------------------------------------------------------------

def test_clock_carries_the_lab_time_and_tolerance():
    body = _body("8.1.1", current_date_time=dt.datetime(2025, 6, 1, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
                 tolerance_period=10)
    assert _tags(body) == ["CurrentDateTime", "TolerancePeriod"]
    assert body[0].text == "2025-06-01T12:00:00.00Z"
    assert body[1].text == "10"
    assert _body("6.11", current_date_time=NOW).tag == xml.sr("SynchroniseClock")


def test_load_limiting_settings():
    body = _body("6.4.1", load_limit_period="600", load_limit_power_threshold=23000, load_limit_restoration_period=60,
                 load_limit_supply_state="disable", execution_date_time=NOW)
    assert [(t, e.text) for t, e in zip(_tags(body), body)] == [
        ("ExecutionDateTime", "2025-06-01T12:00:30.00Z"), ("LoadLimitPeriod", "600"),
        ("LoadLimitPowerThreshold", "23000"), ("LoadLimitRestorationPeriod", "60"), ("LoadLimitSupplyState", "Disable")]


def test_gas_conversion_is_written_with_the_xsd_decimal_places():
    body = _body("6.6", GSME, calorific_value=39, conversion_factor="1.0226")
    assert [e.text for e in body] == ["39.0", "1.02260"]


def test_electricity_billing_calendar_forms():
    monthly = _body("6.8", day_of_month=15, billing_time="06:30")[0]
    assert _tags(monthly) == ["BillingTime", "Monthly"]
    assert [e.text for e in monthly] == ["06:30:00.00Z", "15"]
    weekly = _body("6.8", periodicity="Weekly", day_of_week=3)[0]
    assert weekly[1].tag == xml.sr("Weekly") and weekly[1].text == "3"
    assert _body("6.8", periodicity="Daily")[0][1].tag == xml.sr("Daily")
    quarterly = _body("6.8", periodicity="Quarterly", day_of_month=2, billing_period_start_month=4)[0][1]
    assert _tags(quarterly) == ["DayOfMonth", "BillingPeriodStartMonth"]
    assert [e.text for e in quarterly] == ["2", "4"]


def test_gas_billing_calendar():
    start = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
    calendar = _body("6.8", GSME, fuel="GAS", periodicity="Weekly", billing_period_start=start)[0]
    assert calendar.tag == xml.sr("GasBillingCalendar")
    assert [e.text for e in calendar] == ["2025-07-01T00:00:00.00Z", "Weekly"]


def test_instantaneous_power_thresholds():
    body = _body("6.12", low_medium_power_threshold=1000, medium_high_power_threshold="3000")
    assert [e.text for e in body] == ["1000", "3000"]


def test_import_mpxn_follows_the_parameter_given():
    assert _tags(_body("6.20.1", import_mpan="1234567890123")[0]) == ["ImportMPAN"]
    twin = _body("6.20.1", import_mpan="1234567890123", secondary_import_mpan="1234567890124")[0]
    assert [e.text for e in twin] == ["1234567890123", "1234567890124"]
    assert _text("6.20.1", "sr:SetDeviceConfigurationImportMPxN/sr:ImportMPRN", GSME, import_mprn="987654") == "987654"


def test_tamper_state():
    assert _text("6.25", "sr:SetElectricitySupplyTamperState/sr:SupplyTamperState",
                 supply_tamper_state="unchanged") == "Unchanged"


def test_esme_supplier_alerts_are_grouped_and_in_xsd_order():
    settings = _body("6.22", alerts={"0x81B7": "Enable", "x81C6": False, 0x810D: True})[0]
    assert settings.tag == xml.sr("ElectricitySupplierAlerts")
    assert _tags(settings) == ["SupplierESMECommon", "SupplierESMEPolyPhase"]
    assert [(t, e.text) for t, e in zip(_tags(settings[0]), settings[0])] == [("x810D", "Enable"),
                                                                              ("x81C6", "Disable")]


def test_network_operator_alerts_keep_xsd_order_not_numeric_order():
    settings = _body("6.22", alerts="8013=Enable, 8011=Disable, 8016=Enable", role="network_operator",
                     behaviour="LoggingSettings")[0]
    assert settings.tag == xml.sr("ElectricityNetworkOperatorLoggingSettings")
    assert _tags(settings[0]) == ["x8011", "x8016", "x8013"]


def test_gas_alert_event_settings_flags():
    settings = _body("6.22", GSME, alerts="810E=WAN, 8161=EventLog+Alarm, 81AA=Enable", fuel="gas",
                     behaviour="AlertEventSettings")[0]
    assert settings.tag == xml.sr("GasSupplierAlertEventSettings")
    flags = {alert.tag.split("}")[1]: [e.text for e in alert] for alert in settings}
    assert flags == {"x810E": ["Enable", "Disable", "Disable", "Disable"],
                     "x8161": ["Disable", "Disable", "Enable", "Enable"],
                     "x81AA": ["Enable", "Enable", "Enable", "Enable"]}
    mapped = _body("6.22", GSME, alerts={"81AB": {"HANAlert": True, "Alarm": "Enable"}}, fuel="gas",
                   behaviour="AlertEventSettings")[0][0]
    assert [e.text for e in mapped] == ["Disable", "Enable", "Disable", "Enable"]


def test_sub_ghz_channels_are_split_into_the_xsd_groups():
    body = _body("6.28", CHF, lower_band_channels="0, 26-28, 61", upper_band_channels=[5])
    assert [_tags(group) for group in body[:4]] == [["Channel0", "Channel26"], ["Channel27", "Channel28"],
                                                  ["Channel61"], ["Channel5"]]


def test_sub_ghz_thresholds_are_written_with_the_xsd_decimal_places():
    root = requests.build("6.28", _rid(CHF), normal_limited_duty_cycle_threshold=1, local_ch_retry_percentage=12.5)
    assert xml.text(root, ".//sr:NormalLimitedDutyCycleThreshold") == "1.0"
    assert xml.text(root, ".//sr:LocalCHRetryPercentage") == "12.50"
    assert xml.text(root, ".//sr:NonGSMEPoorCommsPercentageThreshold") == "60.00"


def test_sub_ghz_channel_log_period():
    period = _body("6.32", CHF, start_date_time=NOW - dt.timedelta(hours=1), end_date_time=NOW)[0]
    assert [e.text for e in period] == ["2025-06-01T11:00:30.00Z", "2025-06-01T12:00:30.00Z"]


# --- invalid parameters ---------------------------------------------------------------------------------

@pytest.mark.parametrize("srv, params, message", [
    ("6.4.1", {"load_limit_supply_state": "Enable"}, "load_limit_supply_state"),
    ("6.4.1", {"load_limit_period": -1}, "load_limit_period"),
    ("6.4.1", {"load_limit_power_threshold": "lots"}, "whole number"),
    ("6.6", {"calorific_value": "39.25"}, "calorific_value allows at most 1 decimal"),
    ("6.6", {"conversion_factor": -1}, "conversion_factor"),
    ("6.8", {"fuel": "water"}, "fuel"),
    ("6.8", {"periodicity": "Fortnightly"}, "periodicity"),
    ("6.8", {"day_of_month": 31}, "day_of_month"),
    ("6.8", {"periodicity": "Weekly", "day_of_week": 0}, "day_of_week"),
    ("6.8", {"periodicity": "Yearly", "billing_period_start_month": 13}, "billing_period_start_month"),
    ("6.8", {"billing_time": "noon"}, "billing_time"),
    ("6.8", {"fuel": "gas"}, "billing_period_start"),
    ("6.8", {"billing_period_start": NOW}, "gas calendar"),
    ("6.11", {"current_date_time": NOW, "tolerance_period": 86401}, "tolerance_period"),
    ("8.1.1", {"current_date_time": dt.datetime(2025, 6, 1)}, "time zone"),
    ("6.12", {"medium_high_power_threshold": 2**32}, "medium_high_power_threshold"),
    ("6.20.1", {}, "exactly one"),
    ("6.20.1", {"import_mpan": "1234567890123", "import_mprn": "1"}, "exactly one"),
    ("6.20.1", {"import_mpan": "123"}, "13 characters"),
    ("6.20.1", {"import_mprn": "12345678901"}, "1 to 10"),
    ("6.20.1", {"import_mprn": "1234", "secondary_import_mpan": "1234567890123"}, "secondary_import_mpan"),
    ("6.22", {"alerts": ""}, "at least one"),
    ("6.22", {"alerts": "8183"}, "no value"),
    ("6.22", {"alerts": "81=Enable"}, "4-digit hex"),
    ("6.22", {"alerts": "8183=On"}, "Enable, Disable"),
    ("6.22", {"alerts": "8183=Enable, 0x8183=Disable"}, "twice"),
    ("6.22", {"alerts": "8002=Enable"}, "cannot be configured through ElectricitySupplierAlerts"),
    ("6.22", {"alerts": "8161=Enable", "fuel": "gas"}, "cannot be configured through GasSupplierAlerts"),
    ("6.22", {"alerts": "8002=Enable, 8003=Enable", "role": "network_operator"}, "not both"),
    ("6.22", {"alerts": "8014=Enable", "role": "network_operator", "behaviour": "AlarmSettings"}, "behaviour"),
    ("6.22", {"alerts": "8183=Enable", "fuel": "gas", "role": "network_operator"}, "Gas Supplier"),
    ("6.22", {"alerts": "8183=WAN+Buzzer", "fuel": "gas", "behaviour": "AlertEventSettings"}, "Buzzer"),
    ("6.25", {"supply_tamper_state": "Open"}, "supply_tamper_state"),
    ("6.28", {"lower_band_channels": "1, 62"}, "outside 0-61"),
    ("6.28", {"upper_band_channels": "27"}, "outside 0-26"),
    ("6.28", {"lower_band_channels": "one"}, "not a channel"),
    ("6.28", {"limited_critical_duty_cycle_threshold": 2.5}, "strictly between 1.5 and 2.5"),
    ("6.28", {"normal_limited_duty_cycle_threshold": 1.25}, "at most 1 decimal"),
    ("6.28", {"maximum_sub_ghz_channel_changes_per_week": 8}, "maximum_sub_ghz_channel_changes_per_week"),
    ("6.28", {"gsme_curfew": 1}, "gsme_curfew"),
    ("6.28", {"channel_noisier_threshold": 21}, "channel_noisier_threshold"),
    ("6.28", {"non_gsme_poor_comms_measurement_periods": 49}, "non_gsme_poor_comms_measurement_periods"),
    ("6.28", {"local_ch_noise_measurement_period": 60}, "local_ch_noise_measurement_period"),
    ("6.28", {"local_ch_failure_percentage": 0.5}, "local_ch_failure_percentage"),
    ("6.32", {"start_date_time": NOW, "end_date_time": NOW - dt.timedelta(seconds=1)}, "before"),
    ("6.14.1", {"descriptions": "Immersion heater"}, "index=text"),
    ("6.14.1", {"descriptions": "6=Immersion heater"}, "descriptions index"),
    ("6.14.1", {"descriptions": "1=A; 1=B"}, "new switch"),
    ("6.14.1", {"descriptions": "1=" + "x" * 23}, "1 to 22"),
    ("7.5", {"index": 6}, "index"),
    ("7.6", {"duration": 65536}, "duration"),
    ("7.8", {"index": 0}, "index"),
])
def test_invalid_parameters_are_refused(srv, params, message):
    target = CHF if srv.startswith(("6.28", "6.32")) else ESME
    with pytest.raises(DitError, match=message):
        requests.build(srv, _rid(target), **params)


def test_clock_needs_the_lab_time():
    with pytest.raises(DitError, match="current_date_time"):
        requests.build("6.11", _rid(ESME))


def test_read_bodies_take_no_parameters():
    with pytest.raises(DitError, match="parameters are"):
        requests.build("7.4", _rid(ESME), fuel="gas")
