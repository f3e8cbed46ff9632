"""The emulated ESME reading the real DLMS COSEM commands of its display, configuration, clock and log use
cases (ECS10, ECS12, ECS14, ECS16, ECS25a-b3 and their read ECS25r1/r2, ECS28a, ECS30/ECS30a and their read
ECS26d/l, ECS34, ECS35a/b/e/f/g, ECS70/ECS70Commission, ECS81) and answering them, seen through real DUIS."""

from __future__ import annotations

import datetime as dt

import pytest

from harness.catalogue import DeviceType
from harness.duis import xml
from harness.gbcs import payload as gbcs_payload
from harness.gbcs.frame import GbcsMessage
from harness.lab import parameters as params
from harness.usecases import DspRecords, device, mmc, transform
from harness.usecases.gsme_reads import entries
from tests import rtds

IS = "the Import Supplier"
USE_CASES = ("ECS10", "ECS12", "ECS14", "ECS16", "ECS25a", "ECS25a1", "ECS25a2", "ECS25a3", "ECS25b", "ECS25b3",
             "ECS25r1", "ECS25r2", "ECS26d", "ECS26l", "ECS28a", "ECS30", "ECS30a", "ECS34", "ECS35a", "ECS35b",
             "ECS70", "ECS70Commission", "ECS81")
NOW = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)


def _esme(lab, do):
    do.install_and_commission(IS, "ESME")
    return lab.device("ESME"), params.device(lab.config, "ESME")[1]


def _real(exchange) -> bool:
    """The device's response decodes as the real payload of its use case (no byte left over)."""
    return gbcs_payload.decode(GbcsMessage.decode(exchange.response.gbcs_payload).apdu).undecoded_bytes == 0


def test_every_use_case_is_understood():
    assert [uc for uc in USE_CASES if not device.understood(uc)] == []


# -- the device reads what the DSP's Transform wrote ------------------------------------------------------

def _normalised(fields: dict) -> dict:
    """DUIS leaves as the ESME holds them: times without zero hundredths."""
    return {k: v.removesuffix(".00Z") + "Z" if v.endswith(".00Z") else v for k, v in fields.items()}


@pytest.mark.parametrize("use_case", ["ECS10", "ECS12", "ECS16", "ECS25a", "ECS25a1", "ECS25a2", "ECS25a3",
                                      "ECS25b", "ECS25b3", "ECS28a", "ECS30", "ECS30a", "ECS34", "ECS81"])
def test_a_command_reads_back_as_the_duis_leaves_it_was_made_of(conformance, use_case):
    for template in rtds.templates(conformance, [use_case]):
        request = rtds.request(template)
        done = transform(request, DspRecords(device_type=DeviceType.ESME), now=NOW)
        _, fields = device.read(done.apdu, DeviceType.ESME, now=NOW)
        leaves = xml.flatten(request.body)
        assert {"UseCase": use_case, **_normalised(leaves)} == fields, template.name


def test_the_log_and_clock_commands_read_back_as_their_request(conformance):
    for name, expected in (
            ("ECS35a_6.13_SUCCESS_REQUEST_DUIS.XML", {"LogToRead": "Event"}),
            ("ECS35b_6.13_SUCCESS_REQUEST_DUIS.XML", {"LogToRead": "Security"}),
            ("ECS70Commission_8.1.1_SUCCESS_REQUEST_DUIS.XML", {})):
        request = rtds.request(conformance / "duis" / "templates" / name)
        done = transform(request, DspRecords(device_type=DeviceType.ESME), now=NOW)
        _, fields = device.read(done.apdu, DeviceType.ESME, now=NOW, commissioned=False)
        leaves = xml.flatten(request.body)
        for path in ("ReadLogPeriod/StartDateTime", "ReadLogPeriod/EndDateTime", "CurrentDateTime"):
            if path in leaves:
                assert mmc.utc_text(request.date_time(path)) == fields[path], name
        if "TolerancePeriod" in leaves:
            assert fields["TolerancePeriod"] == leaves["TolerancePeriod"]
        assert expected.items() <= fields.items(), name


# -- the emulated ESME --------------------------------------------------------------------------------------

def test_the_esme_acts_on_its_display_and_configuration_commands(lab, do):
    esme, eui = _esme(lab, do)
    user = lab.user(IS)
    sent = {"3.1": {"message": "Hello"}, "3.2": {"restriction_date_time": "now"}, "3.4": {"supplier_name": "DIT"},
            "3.5": {}, "6.22": {"alerts": "810E=Enable, 81B7=Enable"}, "6.4.1": {"load_limit_power_threshold": "7000"},
            "6.8": {"periodicity": "Quarterly", "day_of_month": "5", "billing_period_start_month": "2",
                    "billing_time": "06:30:00"},
            "6.12": {"low_medium_power_threshold": "2000"}, "6.25": {"supply_tamper_state": "Locked"}}
    for srv, body in sent.items():
        exchange = user.send(srv, eui, **params.resolve(lab, srv, eui, body))
        assert exchange.succeeded and exchange.device_fields == {"Result": "Success"}, exchange.summary
        assert _real(exchange), srv
    assert esme.display_message == "Hello" and esme.supplier_name == "DIT" and not esme.privacy_pin_enabled
    assert esme.access_restricted_from is not None and esme.supply_tamper_state == "Locked"
    assert esme.alert_behaviour["ElectricitySupplierAlerts/SupplierESMEPolyPhase/x81B7"] == "Enable"
    assert esme.load_limiting["LoadLimitPowerThreshold"] == "7000"
    assert esme.power_thresholds["LowMediumPowerThreshold"] == "2000"
    assert esme.billing_calendar == {"ElectricityBillingCalendar/BillingTime": "06:30:00Z",
                                     "ElectricityBillingCalendar/Quarterly/DayOfMonth": "5",
                                     "ElectricityBillingCalendar/Quarterly/BillingPeriodStartMonth": "2"}


def test_the_billing_calendar_and_alert_behaviours_read_back_as_they_were_set(lab, do):
    esme, eui = _esme(lab, do)
    user = lab.user(IS)
    assert user.send("6.8", eui, periodicity="Weekly", day_of_week=3, billing_time="23:00:00").succeeded
    assert user.send("6.22", eui, alerts="810E=Enable, 81B7=Enable").succeeded
    calendar = user.send("6.2.3", eui)
    assert calendar.device_fields == {"Result": "Success",
                                      "BillingCalendar/ElectricityBillingCalendar/BillingTime": "23:00:00Z",
                                      "BillingCalendar/ElectricityBillingCalendar/Weekly": "3"}, calendar.summary
    alerts = user.send("6.2.10", eui)
    fields = alerts.device_fields
    assert alerts.succeeded and _real(alerts), alerts.summary
    root = "ElectricitySupplierAlertEventSettings/ElectricitySupplierWANAlertSettings"
    assert fields[f"{root}/SupplierESMECommon/x810E"] == "Enable"
    assert fields[f"{root}/SupplierESMEPolyPhase/x81B7"] == "Enable"
    assert fields[f"{root}/SupplierESMECommon/x8145"] == "Disable"
    # What the firmware reported is what the User parsed (the device-side contract).
    assert {"Result": "Success", **esme._read_alert_behaviour({"UseCase": "ECS25r1"}, None)} == fields


def test_a_load_limit_for_later_waits_for_its_activation_time(lab, do):
    esme, eui = _esme(lab, do)
    user = lab.user(IS)
    at = lab.now().replace(microsecond=0) + dt.timedelta(days=1)
    exchange = user.send("6.4.1", eui, load_limit_power_threshold=8000, execution_date_time=at)
    assert exchange.succeeded and _real(exchange), exchange.summary
    assert "LoadLimitPowerThreshold" not in esme.load_limiting and esme.future_dated
    lab.let_time_pass(2 * 86400)
    assert esme.load_limiting["LoadLimitPowerThreshold"] == "8000"


def test_the_clock_is_adopted_only_inside_its_validity_interval(lab, do):
    esme, eui = _esme(lab, do)
    user = lab.user(IS)
    assert esme.commissioned and esme.meter_time is not None
    ok = user.send("6.11", eui, current_date_time=lab.now())
    assert ok.succeeded and _real(ok), ok.summary
    assert ok.device_fields["Electricity/ElecClockTimeStatus/TimeStatus"] == "reliable"
    assert abs(dt.datetime.fromisoformat(ok.device_fields["DeviceTime"]) - lab.now()) < dt.timedelta(seconds=60)
    late = user.send("6.11", eui, current_date_time=lab.now() + dt.timedelta(hours=1))
    assert late.response_code == "I0" and late.device_fields == {"Result": "Failure"}, late.summary
    assert any(e["EventCode"] == "8F0C" for e in esme.security_log)


def test_the_event_and_security_logs_hold_what_happened(lab, do):
    esme, eui = _esme(lab, do)
    user = lab.user(IS)
    user.send("6.11", eui, current_date_time=lab.now() - dt.timedelta(hours=1))      # refused: 0x8F0C
    events = user.send("6.13", eui, log_to_read="Event")
    assert events.succeeded and _real(events), events.summary
    codes = [v for k, v in events.device_fields.items() if k.endswith("/LogCode")]
    assert "8145" in codes and "8F69" in codes, events.device_fields
    security = user.send("6.13", eui, log_to_read="Security")
    assert security.succeeded, security.summary
    assert [v for k, v in security.device_fields.items() if k.endswith("/LogCode")][-1] == "8F0C"
    assert {"Result": "Success", **esme._read_log({"LogToRead": "Security"}, None)} == security.device_fields


def test_the_network_operator_reads_back_its_own_alert_settings(lab, do):
    esme, eui = _esme(lab, do)
    operator = lab.user("the Electricity Network Operator")
    configured = operator.send("6.22", eui, alerts="8014=Enable, 8003=Enable", role="network_operator")
    assert configured.succeeded and _real(configured), configured.summary
    read = operator.send("6.2.10", eui)
    assert read.succeeded and _real(read), read.summary
    root = "ElectricityNetworkOperatorAlertEventSettings/ElectricityNetworkOperatorWANAlertSettings"
    assert read.device_fields[f"{root}/NetworkOperatorESMECommon/x8014"] == "Enable"
    assert read.device_fields[f"{root}/NetworkOperatorESMEPolyPhase/x8003"] == "Enable"
    assert {"Result": "Success", **esme._read_alert_behaviour({"UseCase": "ECS25r2"}, None)} == read.device_fields


def _message_code(exchange) -> int:
    return GbcsMessage.decode(exchange.response.gbcs_payload).apdu.message_code


def test_the_power_event_log_holds_each_outage_with_its_length(lab, do):
    esme, eui = _esme(lab, do)
    for seconds in (60, 240):                       # an outage of 3 minutes or more is 0x8F36
        esme.power_off()
        lab.let_time_pass(seconds)
        esme.power_on()
    read = lab.user(IS).send("6.13", eui, log_to_read="PowerEvent")
    assert read.succeeded and _real(read) and _message_code(read) == 0x00B9, read.summary      # ECS35e
    logged = [(e["LogCode"], e["OtherInformation"]) for e in entries(read.device_fields, "Log/LogEntry")]
    assert logged == [("8F35", f"{60:08X}"), ("8F36", f"{240:08X}")]


def test_the_alcs_event_log_holds_each_switching_for_the_supplier_and_the_network_operator(lab, do):
    esme, eui = _esme(lab, do)
    supplier, operator = lab.user(IS), lab.user("the Electricity Network Operator")
    assert supplier.send("7.5", eui, index=2, duration=30).succeeded
    assert supplier.send("7.6", eui, index=4, duration=60).succeeded
    assert supplier.send("7.8", eui, index=2).succeeded
    read = supplier.send("6.13", eui, log_to_read="ALCSEvent")
    assert read.succeeded and _real(read) and _message_code(read) == 0x00BA, read.summary      # ECS35f
    logged = [(e["SwitchNumber"], e["SwitchAction"], e["Outcome"], e["HANCommandID"])
              for e in entries(read.device_fields, "ALCSEvent/ALCSEventLogEntry")]
    assert logged == [("2", "On", "Success", "0"), ("4", "Off", "Success", "0"),
                      ("2", "Revert to calendar control", "Success", "0")]
    theirs = operator.send("6.13", eui, log_to_read="ALCSEvent")
    assert theirs.succeeded and _message_code(theirs) == 0x00FD, theirs.summary                # ECS35g
    assert theirs.device_fields == read.device_fields
    before = lab.user(IS).send("6.13", eui, log_to_read="ALCSEvent", end=lab.now() - dt.timedelta(days=1))
    assert before.succeeded and not entries(before.device_fields, "ALCSEvent/ALCSEventLogEntry"), before.summary
