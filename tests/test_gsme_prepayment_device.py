"""The emulated GSME reading the real GBZ commands of its tariff and prepayment use cases (GCS01a/b, GCS02/03,
GCS04, GCS05, GCS40a-d, CS01b) and answering as the RTDS meter does, seen through real DUIS."""

from __future__ import annotations

import datetime as dt

from harness.catalogue import PaymentMode
from harness.emulators.meters import MONEY_PER_PENNY
from harness.gbcs import gbz
from harness.gbcs.frame import GbcsMessage
from harness.lab import parameters as params
from harness.usecases import device

GS = "the Gas Supplier"


def _gsme(lab):
    return lab.device("GSME"), params.device(lab.config, "GSME")[1]


def _answer(exchange) -> gbz.GbzPayload:
    return gbz.decode(GbcsMessage.decode(exchange.response.gbcs_payload).apdu.payload)


def test_the_gsme_reads_its_commands_from_the_gbz_payload(lab, do):
    do.install_and_commission(GS, "GSME", PaymentMode.PREPAYMENT)
    gsme, _ = _gsme(lab)
    for use_case in ("GCS01a", "GCS05", "GCS03", "GCS40a"):
        assert device.understood(use_case)
        assert any(f"{use_case} from" in line and "success" in line for line in gsme.history), use_case
    assert gsme.payment_mode is PaymentMode.PREPAYMENT
    assert gsme.tariff["PriceElements/GasPriceElements/TOUTariff/TOUPrice[1]"] == "24500"
    assert gsme.prepay_configuration["UpdatePrepayConfigGas/EmergencyCreditLimit"] == "500000"


def test_a_future_dated_gas_tariff_waits_for_its_start_time(lab, do):
    do.install_and_commission(GS, "GSME")
    gsme, eui = _gsme(lab)
    user = lab.user(GS)
    before = dict(gsme.tariff)
    at = lab.now().replace(microsecond=0) + dt.timedelta(days=1)
    exchange = user.send("1.2.1", eui, fuel="gas", unit_rates=31000, execution_date_time=at)
    assert exchange.succeeded and exchange.device_fields == {"Result": "Success"}, exchange.summary
    assert gsme.tariff == before and gsme.future_dated
    assert user.wait_for_alert("8F66", timeout=2 * 86400) is not None
    assert gsme.tariff["PriceElements/GasPriceElements/TOUTariff/TOUPrice[1]"] == "31000"


def test_the_change_payment_mode_response_reports_the_credit_settings_2_1_set(lab, do):
    do.install_and_commission(GS, "GSME", PaymentMode.PREPAYMENT)
    _, eui = _gsme(lab)
    exchange = lab.user(GS).send("1.6", eui, payment_mode="prepayment")
    assert exchange.succeeded, exchange.summary
    (component,) = _answer(exchange).components
    assert component.frame.command == 0x02 and component.frame.values["emergency_credit_limit"] == 500000
    assert component.frame.values["emergency_credit_threshold"] == 100000


def test_a_gas_top_up_reports_the_credit_and_a_used_utrn_is_refused(lab, do):
    do.install_and_commission(GS, "GSME", PaymentMode.PREPAYMENT)
    gsme, eui = _gsme(lab)
    user = lab.user(GS)
    code, counter = user.vend_utrn(eui, 500)
    exchange = user.send("2.2", eui, utrn=code, counter=counter)
    assert exchange.succeeded and exchange.device_fields == {"Result": "Success"}, exchange.summary
    values = _answer(exchange).components[0].frame.values
    assert values["result_type"] == 0x00 and values["top_up_value"] == 500_000
    assert values["credit_remaining"] == gsme.meter_balance
    again = user.send("2.2", eui, utrn=code, counter=counter)
    assert again.response_code == "I0" and again.device_fields == {"Result": "Failure"}, again.summary
    assert _answer(again).components[0].frame.values["result_type"] == 0x02     # rejected: duplicate
    assert user.wait_for_alert("8F51", device=eui) is not None


def test_a_cancellation_drops_the_pending_gas_price(lab, do):
    do.install_and_commission(GS, "GSME")
    gsme, eui = _gsme(lab)
    user = lab.user(GS)
    before = dict(gsme.tariff)
    at = lab.now().replace(microsecond=0) + dt.timedelta(days=1)
    assert user.send("1.2.1", eui, fuel="gas", unit_rates=31000, execution_date_time=at).succeeded
    cancel = dt.datetime(3000, 12, 31, tzinfo=dt.UTC)
    assert user.send("1.2.1", eui, fuel="gas", unit_rates=31000, execution_date_time=cancel).succeeded
    assert not gsme.future_dated
    assert user.wait_for_alert("8F66", timeout=2 * 86400) is None
    assert gsme.tariff == before


def test_the_gsme_reads_back_the_tariff_and_prepay_configuration_it_was_given(lab, do):
    do.install_and_commission(GS, "GSME", PaymentMode.PREPAYMENT)
    _, eui = _gsme(lab)
    user = lab.user(GS)
    assert user.send("2.3", eui, fuel="gas", time_debt_register_1=1000, debt_recovery_rate_1=300,
                     debt_recovery_rate_period="HOURLY").succeeded
    tariff = user.send("4.11.1", eui)
    assert tariff.succeeded, tariff.summary
    fields = tariff.device_fields
    assert fields["Gas/TOUTariff/TariffTOUPrice[1]"] == "24500" and fields["Gas/PrimaryActiveTariffPrice"] == "24500"
    assert fields["Gas/StandingCharge"] == "30000" and fields["Gas/CurrencyUnitsLabel"] == "GBP"
    assert fields["Gas/TariffSwitchingTable/DayProfiles/DayProfile/TOUTariffAction"] == "1"
    configuration = user.send("4.13", eui)
    assert configuration.succeeded, configuration.summary
    fields = configuration.device_fields
    assert (fields["EmergencyCreditLimit"], fields["CreditMaxCreditThreshold"]) == ("500000", "10000000")
    assert (fields["Gas/DebtRecovery1/DebtRecoveryRate"], fields["Gas/DebtRecovery1/DebtRecoveryRatePeriod"]) == \
        ("300", "HOURLY")
    starts = [v for k, v in fields.items() if k.endswith("/StartTime")]
    assert starts == ["00:00:00Z", "08:00:00Z", "18:00:00Z"], fields


# -- 2.5 Activate Emergency Credit (GCS06) -----------------------------------------------------------------------

def _emergency_credit(lab) -> int:
    return int(lab.user(GS).send("4.3", _gsme(lab)[1]).device_fields["EmergencyCreditBalance"])


def test_emergency_credit_is_activated_at_or_below_the_threshold_and_stays_active(lab, do):
    do.install_and_commission(GS, "GSME", PaymentMode.PREPAYMENT)     # 2.1: limit 500000, threshold 100000
    gsme, eui = _gsme(lab)
    user = lab.user(GS)
    above = user.send("2.5", eui)                                       # 1.5 left the balance at 500000
    assert above.response_code == "I0" and above.device_fields == {"Result": "Failure"}, above.summary
    assert _answer(above).components[0].frame.values == {"command_id": 0x00, "status": device.ZCL_FAILURE}
    assert _emergency_credit(lab) == 0
    assert user.send("1.5", eui, payment_mode=PaymentMode.PREPAYMENT, adjustment=-400000).succeeded
    activated = user.send("2.5", eui)                                   # at or below the threshold now
    assert activated.succeeded and activated.device_fields == {"Result": "Success"}, activated.summary
    assert _answer(activated).components[0].frame.values == {"command_id": 0x00, "status": device.ZCL_SUCCESS}
    assert _emergency_credit(lab) == 500000
    gsme.metering.emergency_credit_balance = 123456                     # partly used
    assert user.send("2.5", eui).succeeded                              # active after the command: success
    assert _emergency_credit(lab) == 123456                             # and left as it was


def test_emergency_credit_needs_prepayment_mode_and_otherwise_takes_the_factory_settings(lab, do):
    do.install_and_commission(GS, "GSME")
    gsme, eui = _gsme(lab)
    user = lab.user(GS)
    assert gsme.meter_balance <= 0 and not gsme.prepay_configuration         # no 2.1: the factory's settings
    assert not user.send("2.5", eui).succeeded                                 # credit mode
    assert user.send("1.6", eui, payment_mode="prepayment").succeeded
    assert user.send("2.5", eui).succeeded
    assert _emergency_credit(lab) == gsme.credit_settings()["emergency_credit_limit"] == 1000000


# -- the prepayment account: top-ups, debt and the meter balance as a User reads them -------------------------

def test_a_gas_utrn_above_the_maximum_credit_threshold_is_refused_as_too_large(lab, do):
    """CS01b: the Consumer Top Up Response says why (Rejected - Over Maximum Credit Per Top Up), 0x8F5B is raised
    and no credit is added."""
    do.install_and_commission(GS, "GSME", PaymentMode.PREPAYMENT)
    gsme, eui = _gsme(lab)
    user = lab.user(GS)
    assert user.send("2.1", eui, fuel="gas", max_credit_threshold=300 * MONEY_PER_PENNY).succeeded    # £3.00
    balance = gsme.meter_balance
    code, counter = user.vend_utrn(eui, 500)
    refused = user.send("2.2", eui, utrn=code, counter=counter)
    assert refused.device_fields == {"Result": "Failure"}, refused.summary
    values = _answer(refused).components[0].frame.values
    assert (values["result_type"], values["top_up_value"], values["credit_remaining"]) == (0x06, -1, -1)
    assert user.wait_for_alert("8F5B", device=eui) is not None and gsme.meter_balance == balance


def test_gas_time_debt_is_recovered_at_midnight(lab, do):
    """2.3 on a GSME: its GasDebtRecovery rates recover time debt as an ESME's do (a DAILY rate once a day)."""
    do.install_and_commission(GS, "GSME", PaymentMode.PREPAYMENT)
    _, eui = _gsme(lab)
    user = lab.user(GS)
    assert user.send("2.3", eui, fuel="gas", time_debt_register_1=1000, debt_recovery_rate_1=300).succeeded
    now = lab.now()
    lab.let_time_pass((dt.datetime(now.year, now.month, now.day, tzinfo=dt.UTC) + dt.timedelta(days=1)
                       - now).total_seconds() + 60)
    values = user.send("4.3", eui).device_fields
    assert (values["TimeDebtRegister1"], values["AccumulatedDebtRegister"]) == ("700", "300"), values


def test_the_gas_bill_to_date_is_what_the_account_owes(lab, do):
    """4.18 from a GSME: MeterBalance is the Bill To Date, never negative (0 while in credit), and
    MeterBalancePrepaymentMode the signed Credit Remaining."""
    do.install_and_commission(GS, "GSME", PaymentMode.PREPAYMENT)       # 1.5 left the balance at 500000
    _, eui = _gsme(lab)
    user = lab.user(GS)
    in_credit = user.send("4.18", eui).device_fields
    assert in_credit["MeterBalance"] == "0" and 0 < int(in_credit["Gas/MeterBalancePrepaymentMode"]) <= 500000
    assert user.send("1.5", eui, payment_mode=PaymentMode.PREPAYMENT, adjustment=-800000).succeeded
    owing = user.send("4.18", eui).device_fields
    assert int(owing["Gas/MeterBalancePrepaymentMode"]) < 0
    assert owing["MeterBalance"] == str(-int(owing["Gas/MeterBalancePrepaymentMode"]))
