"""The emulated GSME and GPF reading the real GBZ and ASN.1 commands of their reads, logs, messages and
configuration (GCS07, GCS09, GCS11, GCS13a/c, GCS14, GCS15b/c, GCS16a/b, GCS17, GCS20, GCS20r, GCS21d/k,
GCS21e/m, GCS21j, GCS23, GCS25/25a, GCS28, GCS28Commission, GCS33, GCS44, GCS60/60a, GCS61, CS10a/b) and
answering them as the RTDS meters do, seen through real DUIS: what a User reads is the MMC of the meter's answer."""

from __future__ import annotations

import datetime as dt

import pytest

from harness.catalogue import DeviceType, PaymentMode
from harness.duis import xml
from harness.gbcs import gbz
from harness.gbcs import payload as gbcs_payload
from harness.gbcs.frame import GbcsMessage
from harness.lab import parameters as params
from harness.usecases import DspRecords, device, gsme_reads, transform
from tests import rtds

GS = "the Gas Supplier"
USE_CASES = ("GCS07", "GCS09", "GCS11", "GCS13a", "GCS13c", "GCS14", "GCS15b", "GCS15c", "GCS16a", "GCS16b",
             "GCS17", "GCS20", "GCS20r", "GCS21d", "GCS21e", "GCS21j", "GCS21k", "GCS21m", "GCS23", "GCS25", "GCS25a",
             "GCS28", "GCS28Commission", "GCS33", "GCS44", "GCS60", "GCS60a", "GCS61", "CS10a", "CS10b")
NOW = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)


def test_every_use_case_is_understood():
    assert [uc for uc in USE_CASES if not device.understood(uc)] == []


# -- the device reads what the DSP's Transform wrote ------------------------------------------------------

def _as_held(leaves: dict) -> dict:
    """DUIS leaves as the firmware model holds them: times without hundredths, decimals without trailing zeros."""
    out = {}
    for name, value in leaves.items():
        if value.endswith(".00Z"):
            value = value.removesuffix(".00Z") + "Z"
        out[name] = value
    return out


@pytest.mark.parametrize("use_case, kind", [("GCS07", DeviceType.GSME), ("GCS09", DeviceType.GPF),
                                            ("GCS20", DeviceType.GSME), ("GCS23", DeviceType.GSME),
                                            ("GCS25", DeviceType.GSME), ("GCS25a", DeviceType.GSME),
                                            ("GCS44", DeviceType.GSME)])
def test_a_command_reads_back_as_the_duis_leaves_it_was_made_of(conformance, use_case, kind):
    templates = rtds.templates(conformance, [use_case])
    assert templates
    for template in templates:
        request = rtds.request(template)
        done = transform(request, DspRecords(device_type=kind), now=NOW)
        _, fields = device.read(done.apdu, kind, now=NOW)
        fields.pop("issuer_event_id", None)              # the billing period's, which 6.2.3 reads back
        assert fields == {"UseCase": use_case, **_as_held(xml.flatten(request.body))}, template.name


def test_a_clock_command_reads_as_its_validity_window(conformance):
    for template in rtds.templates(conformance, ["GCS28Commission"]):
        request = rtds.request(template)
        done = transform(request, DspRecords(device_type=DeviceType.GSME), now=NOW)
        _, fields = device.read(done.apdu, DeviceType.GSME, now=NOW, commissioned=False)
        assert fields == {"UseCase": "GCS28Commission", "CurrentDateTime": _as_held(
            {"": request.require("CurrentDateTime")})[""].replace(".000Z", "Z"),
            "TolerancePeriod": request.require("TolerancePeriod")}, template.name


def test_a_log_read_asks_for_the_period_of_the_request(conformance):
    """Get Snapshot's, Get Sampled Data's and Get Event Log's times are the ReadLogPeriod's (a sampled read
    ends with the last sample it asks for)."""
    for use_case in ("GCS16a", "GCS17", "CS10a"):
        for template in rtds.templates(conformance, [use_case]):
            request = rtds.request(template)
            done = transform(request, DspRecords(device_type=DeviceType.GSME), now=NOW)
            _, fields = device.read(done.apdu, DeviceType.GSME, now=NOW)
            start, end = (request.date_time(f"ReadLogPeriod/{bound}DateTime") for bound in ("Start", "End"))
            assert gsme_reads.seconds(fields["ReadLogPeriod/StartDateTime"]) == gbz.gbz_seconds(start)
            read_end = gsme_reads.seconds(fields["ReadLogPeriod/EndDateTime"])
            step = 1800 if use_case == "GCS17" else 1
            assert 0 <= gbz.gbz_seconds(end) - read_end < step, template.name


# -- the emulated GSME answers through the lab -------------------------------------------------------------

def _gsme(lab, do, mode=PaymentMode.CREDIT):
    do.install_and_commission(GS, "GSME", mode)
    return lab.device("GSME"), params.device(lab.config, "GSME")[1]


def _send(lab, srv, target, **kwargs):
    exchange = lab.user(GS).send(srv, target, **kwargs)
    assert exchange.succeeded, exchange.summary
    message = GbcsMessage.decode(exchange.response.gbcs_payload)
    assert gbcs_payload.decode(message.apdu).undecoded_bytes == 0, srv
    return exchange.device_fields


def test_the_prepay_values_and_the_meter_balance_agree(lab, do):
    gsme, eui = _gsme(lab, do, PaymentMode.PREPAYMENT)
    lab.let_time_pass(86400)
    values = _send(lab, "4.3", eui)
    balance = _send(lab, "4.18", eui)
    assert set(values) == {"Result", "EmergencyCreditBalance", "AccumulatedDebtRegister", "PaymentDebtRegister",
                           "TimeDebtRegister1", "TimeDebtRegister2", "MeterBalance"}
    assert 0 <= int(values["MeterBalance"]) - int(balance["Gas/MeterBalancePrepaymentMode"]) < 1000
    assert balance["MeterBalance"] == str(max(0, -int(balance["Gas/MeterBalancePrepaymentMode"])))


def test_a_tariff_change_shows_in_the_billing_data_log_as_a_change_of_tariff(lab, do):
    gsme, eui = _gsme(lab, do)
    do.send(GS, "1.1.1", "GSME")
    fields = _send(lab, "4.4.2", eui)
    stamps = [v for k, v in fields.items()
              if k.startswith("Gas/LogEntryConsumptionRegister") and k.endswith("Timestamp")]
    assert stamps and stamps == [v for k, v in fields.items()
                                 if k.startswith("Gas/LogEntryPrepaymentData") and k.endswith("Timestamp")]
    answer = gbz.decode(GbcsMessage.decode(lab.user(GS).exchanges[-1].response.gbcs_payload).apdu.payload)
    published = [c for c in answer.components if c.encrypted]
    assert len(published) == 2 * len(stamps)                     # a metering and a prepayment snapshot each


def test_the_billing_calendar_and_the_alert_settings_read_back_as_they_were_set(lab, do):
    gsme, eui = _gsme(lab, do)
    start = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    _send(lab, "6.8", eui, fuel="gas", billing_period_start=start, periodicity="Quarterly")
    calendar = _send(lab, "6.2.3", eui)
    assert calendar == {"Result": "Success",
                        "BillingCalendar/GasBillingCalendar/BillingPeriodStart": "2026-02-01T00:00:00Z",
                        "BillingCalendar/GasBillingCalendar/Periodicity": "Quarterly"}
    _send(lab, "6.22", eui, fuel="gas", alerts="8183=WAN+EventLog, 81A0=Disable", behaviour="AlertEventSettings")
    behaviours = _send(lab, "6.2.10", eui)
    assert behaviours["GasSupplierAlertEventSettings/x8183/WANAlert"] == "Enable"
    assert behaviours["GasSupplierAlertEventSettings/x8183/EventLog"] == "Enable"
    assert behaviours["GasSupplierAlertEventSettings/x8183/HANAlert"] == "Disable"
    assert behaviours["GasSupplierAlertEventSettings/x81A0/Alarm"] == "Disable"


def test_the_event_log_holds_what_the_meter_logged_and_an_empty_period_is_not_found(lab, do):
    gsme, eui = _gsme(lab, do)
    logged = _send(lab, "6.13", eui, log_to_read="Event")
    codes = [v for k, v in logged.items() if k.endswith("/LogCode")]
    assert codes == [e["EventCode"] for e in gsme.event_log][-gsme_reads.LOG_ENTRIES:]
    future = lab.now() + dt.timedelta(days=30)
    empty = lab.user(GS).send("6.13", eui, log_to_read="Event", start=future, end=future + dt.timedelta(days=1))
    assert empty.response_code == "I0" and empty.device_fields == {"Result": "Failure"}      # NOT_FOUND


def test_the_gpf_answers_for_its_gsme_and_restricts_access(lab, do):
    gsme, eui = _gsme(lab, do)
    lab.let_time_pass(2 * 86400)
    gpf = params.device(lab.config, "GPF")[1]
    from_gpf, from_gsme = _send(lab, "4.1.1", gpf), _send(lab, "4.1.1", eui)
    assert from_gpf["Gas/ConsumptionRegister/Unit"] == "m3"
    assert 0 <= float(from_gsme["Gas/ConsumptionRegister/Value"]) - float(from_gpf["Gas/ConsumptionRegister/Value"]) < 1
    days = _send(lab, "4.17", gpf, start=lab.now() - dt.timedelta(days=2), end=lab.now())
    assert len([k for k in days if k.endswith("/Value")]) == 2
    restriction = lab.now().replace(microsecond=0)
    _send(lab, "3.2", gpf, restriction_date_time=restriction)
    assert lab.device("GPF").access_restricted_from == restriction.isoformat().replace("+00:00", "Z")


# -- identity, supply status and payment mode, from the GSME and from the GPF that mirrors it ---------------------

def test_the_gsme_and_its_gpf_read_the_same_identity(lab, do):
    gsme, eui = _gsme(lab, do)
    gpf = params.device(lab.config, "GPF")[1]
    made = lab.device_config("GSME")
    from_gsme, from_gpf = _send(lab, "6.2.4", eui), _send(lab, "6.2.4", gpf)
    assert from_gsme == {"Result": "Success", "DeviceIdentifier": eui.duis, "ModelType": made.model,
                         "ManufacturerIdentifier": made.manufacturer, "Gas/SupplyTamperState": "Unchanged",
                         "Gas/SupplyDepletionState": "Unchanged"}
    # GCS21m names the device by the response's originator: the GPF, answering with its GSME's identity.
    assert from_gpf == {**from_gsme, "DeviceIdentifier": gpf.duis}
    gsme.model_type, gsme.supply_depletion_state = "0A99", "Locked"
    assert _send(lab, "6.2.4", gpf) == {**from_gpf, "ModelType": "0A99", "Gas/SupplyDepletionState": "Locked"}


def test_an_older_gpf_names_its_gsme_in_the_model_identifier(lab, do, monkeypatch):
    """A GPF the DSP records as GBCS 1.0 is sent GCS21e, whose model identifier carries the device id: the GSME's."""
    from harness.dcc import dsp

    gsme, eui = _gsme(lab, do)
    from_gsme = _send(lab, "6.2.4", eui)
    monkeypatch.setattr(dsp, "GBCS_VERSION", "1.0")
    exchange = lab.user(GS).send("6.2.4", params.device(lab.config, "GPF")[1])
    assert GbcsMessage.decode(exchange.response.gbcs_payload).apdu.message_code == 0x009E, exchange.summary  # GCS21e
    assert exchange.device_fields == from_gsme


def test_the_supply_status_is_the_valves_and_the_batterys(lab, do):
    gsme, eui = _gsme(lab, do)
    assert _send(lab, "7.4", eui) == {"Result": "Success", "SupplyState": "Enabled",
                                      "Gas/RemainingBatteryCapacity": str(gsme.remaining_battery_life_days)}
    gsme.supply_state, gsme.remaining_battery_life_days = "Armed", 100
    assert _send(lab, "7.4", eui) == {"Result": "Success", "SupplyState": "Armed",
                                      "Gas/RemainingBatteryCapacity": "100"}


def test_the_gpf_reads_the_payment_mode_1_6_set_on_its_gsme(lab, do):
    gsme, eui = _gsme(lab, do)
    gpf = params.device(lab.config, "GPF")[1]
    assert _send(lab, "6.2.9", gpf)["PaymentMode"] == "Credit"
    _send(lab, "1.6", eui, payment_mode="prepayment", suspend_debt_disabled=False, suspend_debt_emergency=True)
    expected = {"Result": "Success", "PaymentMode": "Prepayment", "SuspendDebtEmergency": "true",
                "SuspendDebtDisabled": "false"}
    assert _send(lab, "6.2.9", gpf) == _send(lab, "6.2.9", eui) == expected


def test_a_gpf_mirroring_no_gsme_answers_its_reads_with_a_failure(lab, do):
    do.install_and_commission(GS, "GSME", join_gpf=False)
    gpf = params.device(lab.config, "GPF")[1]
    for srv in ("6.2.4", "6.2.9"):
        exchange = lab.user(GS).send(srv, gpf)
        assert exchange.response_code == "I0" and exchange.device_fields["Result"] == "Failure", srv
    assert "no GSME joined to this GPF" in lab.device("GPF").history[-1]
