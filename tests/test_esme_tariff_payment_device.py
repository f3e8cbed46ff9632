"""The emulated ESME reading the real DLMS COSEM commands of its tariff and payment use cases (ECS01a, ECS01b,
ECS02, ECS03, ECS04a, ECS04b, ECS07, ECS08, ECS08a, CS01a) and the read-backs of what they set (ECS24, ECS26a),
and answering them, seen through real DUIS."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from harness.catalogue import DeviceType, PaymentMode
from harness.duis import requests, xml
from harness.duis.examples import DEVICES, SUPPLIER_A
from harness.duis.request_id import RequestId
from harness.emulators.meters import MONEY_PER_PENNY
from harness.gbcs import payload as gbcs_payload
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning
from harness.lab import parameters as params
from harness.usecases import DspRecords, DuisRequest, device, mmc, transform
from harness.usecases.esme_tariff import CANCELLATION
from harness.usecases.support_reads import prepayment_configuration_read, tariff_read
from tests import rtds

IS = "the Import Supplier"
COMMANDS = ("ECS01a", "ECS01b", "ECS02", "ECS03", "ECS04a", "ECS04b", "ECS07", "ECS08", "ECS08a", "CS01a")
READS = ("ECS24", "ECS26a")
NOW = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
ESME = DeviceType.ESME


def _esme(lab, do, payment_mode: PaymentMode = PaymentMode.CREDIT):
    do.install_and_commission(IS, "ESME", payment_mode)
    return lab.user(IS), lab.device("ESME"), params.device(lab.config, "ESME")[1]


def _real(exchange) -> bool:
    """The device's response decodes as the real payload of its use case (no byte left over)."""
    return gbcs_payload.decode(GbcsMessage.decode(exchange.response.gbcs_payload).apdu).undecoded_bytes == 0


def test_every_use_case_is_understood():
    assert [uc for uc in COMMANDS + READS if not device.understood(uc)] == []


# -- the device reads what the DSP's Transform wrote ------------------------------------------------------

def _normalised(fields: dict) -> dict:
    """DUIS leaves as a meter holds them: numbers without leading zeros, times without zero hundredths."""
    return {k: str(int(v)) if re.fullmatch(r"-?\d+", v) else v.replace(".00Z", "Z") for k, v in fields.items()}


@pytest.mark.parametrize("use_case", COMMANDS)
def test_a_command_reads_back_as_the_duis_leaves_it_was_made_of(conformance, use_case):
    templates = rtds.templates(conformance, [use_case])
    assert templates
    for template in templates:
        request = rtds.request(template)
        records = DspRecords(device_type=ESME, gbcs_version="1.0" if use_case == "ECS08" else None)
        done = transform(request, records, now=NOW)
        _, fields = device.read(done.apdu, ESME, now=NOW)
        leaves = xml.flatten(request.body)
        if use_case in ("ECS04a", "ECS04b"):       # the payload does not say which mode DUIS addressed
            leaves = {k.rsplit("/", 1)[-1]: v for k, v in leaves.items()}
        assert {"UseCase": use_case, **_normalised(leaves)} == _normalised(fields), template.name


def test_activation_times_read_as_duis_execution_date_times(conformance):
    """now: no ExecutionDateTime; a date-time: that; never: DUIS's cancellation date-time."""
    for case, expected in (("IMMEDIATE_TOU", None), ("FUTURE_DATED_TOU_BLOCK", "2030-01-15T09:00:00Z"),
                           ("CANCELLATION_TOU_BLOCK", "3000-12-31T00:00:00Z")):
        command = rtds.rtds_file(conformance, f"ECS01a_1.1.1_{case}_SUCCESS_COMMAND_GBCS.HEX")
        _, fields = device.read(rtds.message(command).apdu, ESME, now=NOW)
        assert fields.get("ExecutionDateTime") == expected, case


# -- what the ESME answers of its reads is what they parse to ---------------------------------------------

def _read_command(srv: str) -> GeneralSigning:
    request = DuisRequest.parse(xml.serialize(requests.build(srv, RequestId(SUPPLIER_A, DEVICES[ESME], 1000))), srv)
    return transform(request, DspRecords(device_type=ESME), now=NOW).apdu


def _answered(apdu: GeneralSigning, outcome: dict) -> dict:
    command, _ = device.read(apdu, ESME, now=NOW)
    response = GeneralSigning(CraFlag.RESPONSE, apdu.originator_counter, apdu.recipient, apdu.originator,
                              apdu.message_code, device.answer(command, outcome))
    document, _ = mmc.parse(GbcsMessage(response, None))
    return mmc.values(document)


def test_what_the_esme_holds_of_a_tariff_reads_back_as_it_answers_it(conformance):
    for template in rtds.templates(conformance, ["ECS01a"]):
        done = transform(rtds.request(template), DspRecords(device_type=ESME), now=NOW)
        _, written = device.read(done.apdu, ESME, now=NOW)
        outcome = {"Result": "Success", **tariff_read(written, 2121)}
        assert _answered(_read_command("4.11.1"), outcome) == outcome, template.name
    empty = {"Result": "Success", **tariff_read({}, 0)}           # a meter before any tariff
    assert _answered(_read_command("4.11.1"), empty) == empty


def test_what_the_esme_holds_of_its_prepayment_configuration_reads_back_as_it_answers_it(conformance):
    def written(name: str) -> dict:
        done = transform(rtds.request(conformance / "duis" / "templates" / name), DspRecords(device_type=ESME),
                         now=NOW)
        return device.read(done.apdu, ESME, now=NOW)[1]
    config = written("ECS08a_2.1_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML")
    payment = {k.removeprefix("Prepayment/"): v for k, v in
               written("ECS03_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML").items()}
    debt = written("ECS07_2.3_SUCCESS_REQUEST_DUIS.XML")
    for mode in (PaymentMode.PREPAYMENT, PaymentMode.CREDIT):
        outcome = {"Result": "Success", **prepayment_configuration_read(config, payment, mode, debt)}
        assert _answered(_read_command("4.13"), outcome) == outcome, mode
    empty = {"Result": "Success", **prepayment_configuration_read({}, {}, PaymentMode.CREDIT, {})}
    assert _answered(_read_command("4.13"), empty) == empty


def test_a_failed_command_reports_break_on_error(conformance):
    """The instructions before the one that failed succeed, it fails, those after were not attempted."""
    apdu = rtds.message(rtds.rtds_file(conformance, "ECS07_2.3_SUCCESS_COMMAND_GBCS.HEX")).apdu
    command, _ = device.read(apdu, ESME, now=NOW)
    answered = rtds.message(rtds.rtds_file(conformance, "ECS07_2.3_SUCCESS_RESPONSE_GBCS.HEX")).apdu
    answer = device.answer(command, {"Result": "Failure"})
    response = GbcsMessage(dataclasses.replace(answered, payload=answer), None)
    document, _ = mmc.parse(response)
    results = [r.findtext(f"{{{mmc.RA}}}ActionResult") or r.findtext(f"{{{mmc.RA}}}DataAccessResult")
               for r in document.iter(f"{{{mmc.RA}}}COSEMResponse")]
    assert results == ["success"] * 8 + ["hardware-fault", "other-reason"]
    assert mmc.values(document) == {"Result": "Failure"}


# -- the emulated ESME ------------------------------------------------------------------------------------

def test_the_tariff_reads_back_as_1_1_1_and_1_2_1_set_it(lab, do):
    user, _, eui = _esme(lab, do)
    assert user.send("1.2.1", eui, unit_rates="26500,12000", standing_charge=32000).succeeded
    read = user.send("4.11.1", eui)
    assert read.succeeded and _real(read), read.summary
    values = read.device_fields
    assert values["Electricity/StandingCharge"] == "32000" and values["Electricity/PriceScale"] == "-5"
    tou = "Electricity/TariffTOUPriceMatrix/TariffTOUPrice"
    assert (values[f"{tou}[1]"], values[f"{tou}[2]"], values[f"{tou}[3]"]) == ("26500", "12000", "0")
    assert values["Electricity/PrimaryActiveTariffPrice"] == "26500"          # 1.1.1's rate 1, all day
    assert values["Electricity/TariffSwitchingTable/Seasons/Season/SeasonName"] == "all year"
    assert values["Electricity/CurrencyUnitsLabel"] == "GBP"


def test_the_prepayment_configuration_reads_back_as_2_1_1_6_and_2_3_set_it(lab, do):
    user, _, eui = _esme(lab, do, PaymentMode.PREPAYMENT)
    assert user.send("2.3", eui, time_debt_register_1=1000, debt_recovery_rate_1=300, debt_recovery_per_payment=2500,
                     debt_recovery_rate_period="HOURLY").succeeded
    read = user.send("4.13", eui)
    assert read.succeeded and _real(read), read.summary
    values = read.device_fields
    # 2.1's, 1.6's and 2.3's as the lab sends them (harness.duis.bodies.tariff defaults)
    assert {k: values[k] for k in ("DebtRecoveryPerPayment", "DebtRecoveryRateCap", "EmergencyCreditLimit",
                                   "CreditMaxCreditThreshold", "MaxCreditMaxMeterBalance", "SuspendDebtDisabled",
                                   "DisablementThreshold", "Electricity/PaymentMode")} == {
        "DebtRecoveryPerPayment": "2500", "DebtRecoveryRateCap": "5000", "EmergencyCreditLimit": "500000",
        "CreditMaxCreditThreshold": "10000000", "MaxCreditMaxMeterBalance": "25000000", "SuspendDebtDisabled": "true",
        "DisablementThreshold": "0", "Electricity/PaymentMode": "Prepayment"}
    recovery = "Electricity/DebtRecovery1"
    assert (values[f"{recovery}/DebtRecoveryRate"], values[f"{recovery}/DebtRecoveryRatePeriod"]) == ("300", "HOURLY")
    start = "Electricity/NonDisablementCalendar/ElectricityNonDisablementSchedule[1]"
    assert (values[f"{start}/NonDisablementScript"], values[f"{start}/ScheduleDatesAndTime/SwitchTime"]) == \
        ("START", "18:00:00Z")


def test_a_response_carries_the_esmes_time_where_the_rtds_ones_do(lab, do):
    """ECS02's response has the date-time of its answer in its header (the RTDS's does); ECS24's has none."""
    user, _, eui = _esme(lab, do)
    before = lab.now()
    change, read = user.send("1.6", eui, payment_mode="credit"), user.send("4.11.1", eui)
    stamped = GbcsMessage.decode(change.response.gbcs_payload).apdu.date_time
    assert stamped is not None and before <= stamped <= lab.now(), stamped
    assert GbcsMessage.decode(read.response.gbcs_payload).apdu.date_time is None


def test_a_future_dated_change_of_mode_is_held_then_reported(lab, do):
    user, esme, eui = _esme(lab, do)
    change = user.send("1.6", eui, payment_mode="prepayment", execution_date_time=lab.now() + dt.timedelta(hours=1))
    # the response says the command was accepted, no more (RTDS FUTURE_DATED_SUCCESS_RESPONSE)
    assert change.device_fields == {"Result": "Success"} and _real(change), change.summary
    assert esme.payment_mode is PaymentMode.CREDIT and [e["UseCase"] for e in esme.future_dated] == ["ECS03"]
    assert user.wait_for_alert("8F66", device=eui) is not None
    assert esme.payment_mode is PaymentMode.PREPAYMENT and esme.future_dated == []


def test_a_cancellation_drops_the_activation_pending(lab, do):
    user, esme, eui = _esme(lab, do)
    tariff = dict(esme.tariff)
    assert user.send("1.1.1", eui, unit_rate=30000, execution_date_time=lab.now() + dt.timedelta(hours=1)).succeeded
    assert [e["UseCase"] for e in esme.future_dated] == ["ECS01a"]
    assert user.send("1.1.1", eui, unit_rate=30000, execution_date_time=CANCELLATION).succeeded
    assert esme.future_dated == []
    assert user.wait_for_alert("8F66", device=eui, timeout=2 * 3600) is None
    assert esme.tariff == tariff


def test_a_used_utrn_is_refused_with_a_failed_response_and_0x8f51(lab, do):
    user, _, eui = _esme(lab, do, PaymentMode.PREPAYMENT)
    code, counter = user.vend_utrn(eui, 500)
    assert user.send("2.2", eui, utrn=code, counter=counter).succeeded
    again = user.send("2.2", eui, utrn=code, counter=counter)
    assert again.device_fields == {"Result": "Failure"} and _real(again), again.summary
    assert user.wait_for_alert("8F51", device=eui) is not None


def test_a_utrn_above_the_maximum_credit_threshold_2_1_set_is_refused_with_0x8f5b(lab, do):
    user, esme, eui = _esme(lab, do, PaymentMode.PREPAYMENT)
    assert user.send("2.1", eui, max_credit_threshold=300 * MONEY_PER_PENNY).succeeded       # £3.00
    balance = esme.meter_balance
    code, counter = user.vend_utrn(eui, 500)
    refused = user.send("2.2", eui, utrn=code, counter=counter)
    assert refused.device_fields == {"Result": "Failure"} and _real(refused), refused.summary
    assert user.wait_for_alert("8F5B", device=eui) is not None and esme.meter_balance == balance
    code, counter = user.vend_utrn(eui, 300)
    assert user.send("2.2", eui, utrn=code, counter=counter).succeeded


# -- the prepayment account: what a User reads of the meter balance and the debt --------------------------

def _until_just_after_midnight(lab) -> None:
    now = lab.now()
    midnight = dt.datetime(now.year, now.month, now.day, tzinfo=dt.UTC) + dt.timedelta(days=1)
    lab.let_time_pass((midnight - now).total_seconds() + 60)


def test_a_negative_adjustment_lowers_the_meter_balance(lab, do):
    """1.5's AdjustMeterBalance is signed: a debit adjustment takes credit away (4.18 reads it)."""
    user, _, eui = _esme(lab, do, PaymentMode.PREPAYMENT)
    before = int(user.send("4.18", eui).device_fields["MeterBalance"])
    assert user.send("1.5", eui, payment_mode=PaymentMode.PREPAYMENT, adjustment=-200000).succeeded
    after = int(user.send("4.18", eui).device_fields["MeterBalance"])
    assert 200000 <= before - after < 201000, (before, after)      # the adjustment, and a few seconds' supply


def test_time_debt_is_recovered_at_its_hourly_rate_and_price_scale(lab, do):
    """2.3: an HOURLY Debt Recovery Rate is charged every hour, in units of its price scale (here 10^-4 GBP):
    10 x 24 hours x 10 = 2400 (10^-5 GBP) a day, from the time debt register to the accumulated debt register."""
    user, _, eui = _esme(lab, do, PaymentMode.PREPAYMENT)
    assert user.send("2.3", eui, time_debt_register_1=100000, debt_recovery_rate_1=10,
                     debt_recovery_rate_period="HOURLY", debt_recovery_rate_price_scale=-4).succeeded
    _until_just_after_midnight(lab)
    values = user.send("4.3", eui).device_fields
    assert (values["TimeDebtRegister1"], values["AccumulatedDebtRegister"]) == ("97600", "2400"), values


def test_a_reset_of_the_meter_balance_empties_every_credit(lab, do):
    """ECS04b sets each Credit's amount to 0 (the Meter Balance, the Emergency Credit and the Accumulated Debt
    Register: the RTDS command's three actions), so 4.3 then reads 0 for each."""
    user, _, eui = _esme(lab, do, PaymentMode.PREPAYMENT)          # 2.1: emergency credit 500000 at 100000
    assert user.send("2.3", eui, time_debt_register_1=1000, debt_recovery_rate_1=300).succeeded
    assert user.send("1.5", eui, payment_mode=PaymentMode.PREPAYMENT, adjustment=-450000).succeeded
    assert user.send("2.5", eui).succeeded
    _until_just_after_midnight(lab)
    held = user.send("4.3", eui).device_fields
    assert (held["EmergencyCreditBalance"], held["AccumulatedDebtRegister"]) == ("500000", "300"), held
    assert user.send("1.5", eui, payment_mode=PaymentMode.PREPAYMENT, reset=True).succeeded
    values = user.send("4.3", eui).device_fields
    assert (values["EmergencyCreditBalance"], values["AccumulatedDebtRegister"]) == ("0", "0"), values
    assert -100 < int(values["MeterBalance"]) <= 0, values                   # the supply since the reset
    assert values["TimeDebtRegister1"] == "700"                              # debts are 2.3's, not credits
