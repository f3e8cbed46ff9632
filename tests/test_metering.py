"""Metering rules on the emulated ESME, GSME and GPF: every read agrees with the consumption model and
with what happened to the meter (top-ups, tariffs, debt, billing calendar)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
from decimal import Decimal
from fractions import Fraction

import pytest

from harness.catalogue import DeviceType, PaymentMode
from harness.clock import LAB_EPOCH, VirtualClock
from harness.duis import requests, xml
from harness.duis.examples import two_rate_tariff
from harness.duis.request_id import RequestId
from harness.emulators.device import CommandFailed
from harness.emulators.gpf import GasProxyFunction
from harness.emulators.metering import DAILY_LOG_DAYS, PROFILE_LOG_INTERVALS, ConsumptionModel, billing_dates
from harness.emulators.meters import ElectricityMeter, GasMeter
from harness.eui import EntityId
from harness.gbcs import crypto
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning
from harness.pki import Keystore, KeyUsage, derive_private_key
from harness.pki.keystore import Credential
from harness.usecases import DuisRequest, TransformError, device, mmc, transform
from harness.usecases.esme_reads import rows

UTC = dt.UTC
HOUR, DAY, HALF_HOUR = 3600, 86400, dt.timedelta(minutes=30)
ESME_EUI, GSME_EUI, GPF_EUI = (EntityId("00-DB-12-34-56-78-90-A0"), EntityId("00-DB-12-34-56-78-90-A1"),
                               EntityId("00-DB-12-34-56-78-90-A3"))
INSTALLED = LAB_EPOCH                                   # Monday 2026-01-05 09:00 UTC


class MirroringGpf(GasProxyFunction):
    """A GPF mirroring whichever GSME the test joins to it."""

    joined: GasMeter | None = None

    def mirrored_gsme(self):
        return self.joined


def _meter(cls, eui, clock, *, tariff=None, balance=0, mode="Credit", seed=b"metering test"):
    meter = cls(eui, install_code=bytes(16), clock=clock, keys=None, trust=None, key_seed=seed)
    meter.tariff, meter.meter_balance, meter.payment_mode = dict(tariff or {}), balance, PaymentMode(mode)
    meter.metering.start(clock.now())
    return meter


def esme(clock, **kwargs) -> ElectricityMeter:
    return _meter(ElectricityMeter, ESME_EUI, clock, **kwargs)


def gsme(clock, **kwargs) -> GasMeter:
    return _meter(GasMeter, GSME_EUI, clock, **kwargs)


def tariff(fuel="electricity", unit_rate=24500, standing_charge=30000, **scales) -> dict:
    return xml.flatten(requests.builder("1.1.1")(fuel=fuel, unit_rate=unit_rate, standing_charge=standing_charge,
                                                 **scales))


# A read goes the real way: the DSP's Transform of the DUIS request, the meter's reading of the command,
# its handler, its answer (values sealed end to end for the User) and the User's Parse (MMC).
SUPPLIER = EntityId("90-B3-D5-1F-30-01-00-00")
_SUPPLIER_KA, _ESME_KA = (derive_private_key(b"metering test", label) for label in ("supplier ka", "esme ka"))
_DEVICE_KA = {ESME_EUI: _ESME_KA,
              **{eui: derive_private_key(b"metering test", f"{eui} ka") for eui in (GSME_EUI, GPF_EUI)}}
_KEYSTORE = Keystore()
for _party, _key in ((SUPPLIER, _SUPPLIER_KA), *_DEVICE_KA.items()):
    _KEYSTORE.replace(Credential(_party, KeyUsage.KEY_AGREEMENT, _key.public_key(), private_key=_key))
_ESME_READS = {"ECS17b": "4.1.1", "ECS17d": "4.1.2", "ECS19": "4.3", "ECS82": "4.18"}
_READS = {**_ESME_READS, "GCS13a": "4.1.1", "GCS13c": "4.1.2", "GCS14": "4.3", "GCS60a": "4.18"}
_COUNTER = itertools.count(1000)


def exchange(meter, use_case, srv=None, start=None, end=None, **body) -> tuple[dict, dict, list[str]]:
    """A read (or a command, its body's parameters given) end to end: the meter's outcome, the values the User
    parses of its answer, the Parse's notes. A read the meter cannot answer raises CommandFailed once its failure
    response has been checked. (The GPF mirror also answers GSME-only reads: with the command the DCC sends a
    GSME.)"""
    srv = srv or _READS[use_case]
    params = ({"start": start, "end": end} if use_case not in _READS and start is not None else {}) | body
    built = requests.build(srv, RequestId(SUPPLIER, meter.eui, next(_COUNTER)), **params)
    request = DuisRequest.parse(xml.serialize(built), srv)
    try:
        command = transform(request, device_type=meter.device_type, now=meter.clock.now()).apdu
    except TransformError:
        command = transform(request, device_type=DeviceType.GSME, now=meter.clock.now()).apdu
    header = GeneralSigning(cra_flag=CraFlag.RESPONSE, originator_counter=command.originator_counter,
                            originator=meter.eui, recipient=command.originator, message_code=command.message_code,
                            payload=b"")
    key = crypto.encryption_key(header, _DEVICE_KA[meter.eui], _SUPPLIER_KA.public_key())
    read, fields = device.read(command, meter.device_type, now=meter.clock.now(),
                               encrypt=lambda plaintext: crypto.encrypt_field(key, meter.eui, plaintext))
    assert fields["UseCase"] == use_case
    try:
        outcome = {"Result": "Success", **type(meter)._handlers[use_case](meter, fields, command)}
    except CommandFailed as failure:
        outcome, failed = {"Result": "Failure"}, failure
    else:
        failed = None
    answer = GbcsMessage(dataclasses.replace(header, payload=device.answer(read, outcome)))
    document, notes = mmc.parse(answer, keystore=_KEYSTORE, srv=srv)
    values = mmc.values(document)
    if failed is not None:
        assert values["Result"] == "Failure"
        raise failed
    return outcome, values, notes


def read(device, use_case, srv=None, start=None, end=None) -> dict:
    """What a read gives: the values parsed from the meter's real response (the meter's outcome exactly)."""
    outcome, values, notes = exchange(device, use_case, srv, start, end)
    assert values == outcome and notes == [], (use_case, notes)
    return values


# Where an ESME's MMC response holds what the model's log reads name (log, field): the entries and the leaf.
_MMC_LOGS = {
    ("DailyReadLog", "ImportRegister"): ("LogEntry", "Electricity/ElecActiveImportRegisterConsumption"),
    ("DailyReadLog", "TOURegister[1]"): ("LogEntry", "Electricity/TariffTOURegisterMatrixValue[1]"),
    ("DailyConsumptionLog", "Consumption"): ("Electricity/LogEntry", "Value"),
    ("ProfileDataLog", "Consumption"): ("LogEntry", "Electricity/PrimaryValue"),
    ("PrepaymentDailyReadLog", "MeterBalance"): ("Electricity/LogEntry", "MeterBalance"),
    ("BillingDataLog", "ImportRegister"): ("Electricity/ESMEBillingDataLogEntry",
                                           "ActiveImportRegisterValueConsumption"),
    ("BillingDataLog", "TOURegister[1]"): ("Electricity/ESMEBillingDataLogEntry", "TariffTOURegisterMatrixValue[1]"),
    ("BillingDataLog", "MeterBalance"): ("Electricity/ESMEBillingPrepaymentDataLogEntry", "MeterBalance"),
}


# ... and a GSME's (a GPF's), whose logs count its dm3 and 10^-5 GBP.
_GAS_LOGS = {
    ("DailyReadLog", "ImportRegister"): ("LogEntry", "Gas/GasActiveImportRegisterConsumption"),
    ("DailyReadLog", "TOURegister[1]"): ("LogEntry", "Gas/TariffTOURegisterMatrix"),        # the one register
    ("DailyConsumptionLog", "Consumption"): ("Gas/LogEntry", "Value"),
    ("ProfileDataLog", "Consumption"): ("LogEntry", "Gas/PrimaryValue"),
    ("PrepaymentDailyReadLog", "MeterBalance"): ("Gas/LogEntry", "MeterBalance"),
    ("BillingDataLog", "ImportRegister"): ("Gas/GSMEBillingDataLogEntry", "ActiveImportRegisterValueConsumption"),
    ("BillingDataLog", "MeterBalance"): ("Gas/GSMEBillingPrepaymentDataLogEntry", "MeterBalance"),
}


def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def log(response: dict, name: str, field: str) -> list[tuple[dt.datetime, int]]:
    if f"{name}Entries" not in response:
        for layouts in (_MMC_LOGS, _GAS_LOGS):
            entries, leaf = layouts.get((name, field), ("", ""))
            found = [(_when(e["Timestamp"]), int(e[leaf])) for e in rows(response, entries) if leaf in e]
            if found:
                return found
        return []
    n = int(response[f"{name}Entries"])
    return [(dt.datetime.fromisoformat(response[f"{name}[{i}]/DateTime"]), int(response[f"{name}[{i}]/{field}"]))
            for i in range(1, n + 1)]


def entries(response: dict, name: str) -> int:
    """How many entries a log read gave (the first log of _MMC_LOGS an ESME's response holds)."""
    if f"{name}Entries" in response:
        return int(response[f"{name}Entries"])
    return len(rows(response, next(path for (log_name, _), (path, _) in _MMC_LOGS.items() if log_name == name)))


def import_register(response: dict) -> int:
    """4.1.1's register in the meter's unit (a GSME's Wh-like dm3 from the m3 it reports)."""
    if "Gas/ConsumptionRegister/Value" in response:
        return int(Decimal(response["Gas/ConsumptionRegister/Value"]) * 1000)
    return int(response.get("ImportRegister") or response["Electricity/ActiveImportRegister/Value"])


def at(day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A time in January 2026 (days past the 31st run on into February and beyond)."""
    return dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(days=day - 1, hours=hour, minutes=minute)


def advance_to(clock: VirtualClock, when: dt.datetime) -> None:
    clock.advance((when - clock.now()).total_seconds())


def electricity_cost(model, t0, t1, unit_rate=24500, standing=30000) -> Fraction:
    """Cost in 10^-5 GBP of [t0, t1] (half-hour boundaries) from the profile, at scale -5 prices per kWh."""
    energy = sum(v for _, v in model.profile(t0, t1 - HALF_HOUR))
    return Fraction(energy * unit_rate, 1000) + Fraction(standing * int((t1 - t0).total_seconds()), DAY)


# -- the consumption model ------------------------------------------------------------------------

def test_consumption_is_a_pure_function_of_seed_and_interval():
    a = ConsumptionModel(b"seed", "electricity", INSTALLED)
    again = ConsumptionModel(b"seed", "electricity", INSTALLED)
    earlier = ConsumptionModel(b"seed", "electricity", INSTALLED - dt.timedelta(days=10))
    week = (at(6), at(12, 23, 30))
    assert a.profile(*week) == again.profile(*week) == earlier.profile(*week)
    assert a.initial_register == again.initial_register
    assert a.profile(*week) != ConsumptionModel(b"other seed", "electricity", INSTALLED).profile(*week)
    assert a.profile(*week) != ConsumptionModel(b"seed", "gas", INSTALLED).profile(*week)
    assert all(isinstance(v, int) and v >= 0 for _, v in a.profile(*week))
    # Pinned: reads in baselines and recorded runs depend on these exact values (integer arithmetic only).
    assert sum(v for _, v in a.profile(*week)) == 75263
    assert a.interval(at(6, 18)) == 465


def test_nothing_is_consumed_before_installation():
    model = ConsumptionModel(b"seed", "electricity", INSTALLED + dt.timedelta(minutes=10))   # 09:10
    assert model.interval(at(5, 9)) == 0 and model.interval(at(5, 8)) == 0
    assert model.interval(at(5, 9, 30)) > 0                    # from the first half hour boundary after it
    assert model.register(at(1)) == model.register(at(5, 9, 30)) == model.initial_register
    assert model.profile(at(1), at(5, 10))[0][0] == at(5, 9, 30)
    assert model.midnights(at(1), at(5, 23)) == []
    assert model.daily_consumption(at(1), at(5, 23)) == []


def test_register_is_monotonic_and_moves_by_the_profile():
    model = ConsumptionModel(b"seed", "gas", INSTALLED)
    samples = [model.register(INSTALLED + dt.timedelta(minutes=7 * k)) for k in range(3 * 24 * 60 // 7)]
    assert samples == sorted(samples) and samples[-1] > samples[0]
    t0, t1 = at(6, 6, 30), at(8, 21)
    assert model.consumed(t0, t1) == sum(v for _, v in model.profile(t0, t1 - HALF_HOUR))
    assert model.register(at(6, 6, 45)) - model.register(at(6, 6, 30)) == model.interval(at(6, 6, 30)) // 2


def test_daily_shape_is_plausible():
    elec = ConsumptionModel(b"seed", "electricity", at(1))
    days = [sum(elec.day(at(d).date())) for d in range(1, 15)]
    assert all(4_000 <= wh <= 20_000 for wh in days)          # 4-20 kWh a day
    evening = [v for t, v in elec.profile(at(1), at(14, 23)) if 17 <= t.hour < 21]
    night = [v for t, v in elec.profile(at(1), at(14, 23)) if 1 <= t.hour < 5]
    assert sum(evening) / len(evening) > 2 * sum(night) / len(night)
    gas = ConsumptionModel(b"seed", "gas", at(1))
    january = sum(sum(gas.day(at(d).date())) for d in range(1, 32))
    july = sum(sum(gas.day(dt.date(2026, 7, d))) for d in range(1, 32))
    assert january > 3 * july > 0
    assert all(v == 0 for t, v in gas.profile(at(2), at(3)) if 1 <= t.hour < 4)   # heating off at night


# -- reads agree with each other -----------------------------------------------------------------

@pytest.mark.parametrize("fuel", ["electricity", "gas"])
def test_midnight_reads_equal_daily_consumption_equal_profile_sums(fuel):
    clock = VirtualClock()
    meter = esme(clock) if fuel == "electricity" else gsme(clock)
    gpf = MirroringGpf(GPF_EUI, clock=clock, keys=None, trust=None, key_seed=b"gpf")
    gpf.joined = meter if fuel == "gas" else None
    installed = import_register(read(meter, "ECS17b" if fuel == "electricity" else "GCS13a"))
    clock.advance(6 * DAY + 5 * HOUR)

    reads = read(meter, "ECS21a" if fuel == "electricity" else "GCS16a", "4.6.1")
    consumption = (read(meter, "ECS66", "4.17") if fuel == "electricity" else read(gpf, "GCS61", "4.17"))
    midnights = log(reads, "DailyReadLog", "ImportRegister")
    daily = log(consumption, "DailyConsumptionLog", "Consumption")
    assert [t for t, _ in midnights] == [t for t, _ in daily] == [at(d) for d in range(6, 12)]
    if fuel == "gas":                                          # m3 to three decimals: the logs count dm3
        assert read(meter, "GCS13a")["Gas/ConsumptionRegister/Unit"] == "m3"
    else:                                                      # ESME logs carry no unit: the registers' is Wh
        assert read(meter, "ECS17b")["Electricity/ActiveImportRegister/ActiveEnergyUnit"] == "Wh"
    assert daily[0][1] == midnights[0][1] - installed          # the installation day counts from installation
    for (m0, r0), (m1, r1), (stamp, used) in zip(midnights, midnights[1:], daily[1:], strict=False):
        assert stamp == m1 and used == r1 - r0                 # stamped at the midnight that ends the day
        profile = read(meter, "ECS22b" if fuel == "electricity" else "GCS17", "4.8.1",
                       m0, m1 - dt.timedelta(seconds=1))
        values = log(profile, "ProfileDataLog", "Consumption")
        assert len(values) == 48 and values[0][0] == m0
        assert sum(v for _, v in values) == used
    now = import_register(read(meter, "ECS17b" if fuel == "electricity" else "GCS13a"))
    assert now >= midnights[-1][1]
    assert log(reads, "DailyReadLog", "TOURegister[1]")[0][1] == midnights[0][1]    # single rate: all in rate 1


def test_read_log_periods_are_inclusive_and_empty_before_installation():
    clock = VirtualClock()
    meter = esme(clock)
    clock.advance(5 * DAY)
    period = read(meter, "ECS21a", "4.6.1", at(7), at(9))
    assert [t for t, _ in log(period, "DailyReadLog", "ImportRegister")] == [at(7), at(8), at(9)]
    just_short = read(meter, "ECS21a", "4.6.1", at(7), at(9) - dt.timedelta(microseconds=10_000))
    assert entries(just_short, "DailyReadLog") == 2
    profile = read(meter, "ECS22b", "4.8.1", at(7, 10), at(7, 11))
    assert [t for t, _ in log(profile, "ProfileDataLog", "Consumption")] == [at(7, 10), at(7, 10, 30), at(7, 11)]
    consumption = read(meter, "ECS66", "4.17", at(8), at(8))
    assert [t for t, _ in log(consumption, "DailyConsumptionLog", "Consumption")] == [at(8)]
    before = (at(1), at(5, 8, 59))
    for use_case, srv, name in (("ECS21a", "4.6.1", "DailyReadLog"), ("ECS22b", "4.8.1", "ProfileDataLog"),
                                ("ECS66", "4.17", "DailyConsumptionLog"), ("ECS21b", "4.14", "PrepaymentDailyReadLog"),
                                ("ECS20c", "4.4.3", "BillingDataLog")):
        assert entries(read(meter, use_case, srv, *before), name) == 0, use_case
    whole = read(meter, "ECS22b", "4.8.1")                     # WHOLE_LOG bounds: every half hour that has ended
    assert entries(whole, "ProfileDataLog") == 5 * 48
    with pytest.raises(CommandFailed):
        type(meter)._handlers["ECS21a"](meter, {"UseCase": "ECS21a", "ReadLogPeriod/StartDateTime": "yesterday"},
                                         None)


def test_logs_hold_what_a_meter_holds():
    clock = VirtualClock()
    meter = esme(clock)
    clock.advance(800 * DAY)
    assert entries(read(meter, "ECS66", "4.17"), "DailyConsumptionLog") == DAILY_LOG_DAYS
    # The meter answers every daily read and prepayment snapshot it holds; MMC carries the first 31 of them.
    for use_case, srv, name in (("ECS21a", "4.6.1", "LogEntry"), ("ECS21b", "4.14", "Electricity/LogEntry")):
        outcome, values, notes = exchange(meter, use_case, srv)
        assert (len(rows(outcome, name)), len(rows(values, name))) == (DAILY_LOG_DAYS, 31), use_case
        assert notes == [f"{use_case}: {DAILY_LOG_DAYS} log entries, MMC carries the first 31"]
    profile = log(read(meter, "ECS22b", "4.8.1"), "ProfileDataLog", "Consumption")
    assert len(profile) == PROFILE_LOG_INTERVALS
    assert profile[-1][0] == clock.now() - HALF_HOUR            # the last half hour that has ended


# -- the meter balance ---------------------------------------------------------------------------

def test_settle_debits_exactly_the_cost_of_the_profile():
    clock = VirtualClock()
    meter = esme(clock, tariff=tariff(), balance=1_000_000, mode="Prepayment")
    chunked = esme(clock, tariff=tariff(), balance=1_000_000, mode="Prepayment")
    for _ in range(3 * 24 * 60 // 37 + 1):                     # settled often, at odd times
        clock.advance(37 * 60)
        chunked.metering.settle()
    advance_to(clock, at(8, 17))
    meter.metering.settle()
    chunked.metering.settle()
    expected = 1_000_000 - math.floor(electricity_cost(meter.metering.consumption, INSTALLED, clock.now()))
    assert meter.meter_balance == chunked.meter_balance == expected


def test_credit_mode_runs_up_a_negative_balance_the_same_way():
    clock = VirtualClock()
    # Scale -4: 2000 is GBP 0.20 a kWh, 4500 GBP 0.45 a day; the balance still counts 10^-5 GBP.
    meter = esme(clock, tariff=tariff(unit_rate=2000, standing_charge=4500, price_scale=-4, standing_charge_scale=-4))
    clock.advance(2 * DAY)
    meter.metering.settle()
    cost = electricity_cost(meter.metering.consumption, INSTALLED, clock.now(), unit_rate=20000, standing=45000)
    assert meter.meter_balance == -math.floor(cost) < 0


@pytest.mark.parametrize("conversion", [{}, {"CalorificValue": "39.2", "ConversionFactor": "1.02264"}])
def test_gas_is_costed_in_kwh_from_volume(conversion):
    clock = VirtualClock()
    meter = gsme(clock, tariff=tariff("gas", unit_rate=6000, standing_charge=29000), balance=2_000_000,
                 mode="Prepayment")
    meter.gas_conversion.update(conversion)
    clock.advance(2 * DAY + 3 * HOUR)
    meter.metering.settle()
    volume = sum(v for _, v in meter.metering.consumption.profile(INSTALLED, clock.now() - HALF_HOUR))      # dm3
    kwh_per_dm3 = Fraction(conversion.get("ConversionFactor", "1.02264")) * Fraction(conversion.get(
        "CalorificValue", "39.5")) / 3600
    cost = volume * kwh_per_dm3 * 6000 + Fraction(29000 * int((clock.now() - INSTALLED).total_seconds()), DAY)
    assert meter.meter_balance == 2_000_000 - math.floor(cost)


def test_prepayment_snapshots_follow_the_cost_and_show_a_top_up():
    clock = VirtualClock()
    meter = esme(clock, tariff=tariff(), balance=1_000_000, mode="Prepayment")
    advance_to(clock, at(7, 15))
    meter.metering.settle()                                     # what a top-up handler does first
    meter.meter_balance += 500_000
    advance_to(clock, at(9, 10))
    snapshots = log(read(meter, "ECS21b", "4.14"), "PrepaymentDailyReadLog", "MeterBalance")
    assert [t for t, _ in snapshots] == [at(6), at(7), at(8), at(9)]
    for midnight, balance in snapshots:
        topped_up = 500_000 if midnight > at(7, 15) else 0
        cost = electricity_cost(meter.metering.consumption, INSTALLED, midnight)
        assert balance == 1_000_000 + topped_up - math.floor(cost), midnight
    (snapshot,) = rows(read(meter, "ECS21b", "4.14", at(8), at(8)), "Electricity/LogEntry")
    assert {"EmergencyCreditBalance", "AccumulatedDebtRegister", "TimeDebtRegisters1"} <= set(snapshot)


def test_time_debt_is_recovered_at_midnight_in_prepayment_only():
    clock = VirtualClock()
    debt = xml.flatten(requests.builder("2.3")(time_debt_register_1=1000, debt_recovery_rate_1=300))
    prepay = esme(clock, tariff=tariff(), balance=1_000_000, mode="Prepayment")
    credit = esme(clock, tariff=tariff(), balance=1_000_000)
    prepay.debt, credit.debt = dict(debt), dict(debt)
    advance_to(clock, at(9, 12))                     # four midnights
    for meter in (prepay, credit):
        meter.metering.settle()
    cost = math.floor(electricity_cost(prepay.metering.consumption, INSTALLED, clock.now()))
    assert prepay.meter_balance == 1_000_000 - cost - 1000 and prepay.debt["TimeDebtRegister1"] == "0"
    assert [s.accumulated_debt_register for s in prepay.metering.prepayment_daily_log] == [300, 600, 900, 1000]
    assert prepay.metering.accumulated_debt_register == 1000
    assert credit.meter_balance == 1_000_000 - cost and credit.debt["TimeDebtRegister1"] == "1000"


def test_tou_registers_split_by_the_switching_times():
    """Rate 2 from 00:00, rate 1 from 07:00: the night half hours go to TOU register 2 at the rate 2 price."""
    fields = two_rate_tariff(tariff())
    clock = VirtualClock()
    meter = esme(clock, tariff=fields, balance=1_000_000)
    clock.advance(2 * DAY + 3 * HOUR)
    registers = [int(r[""]) for r in rows(read(meter, "ECS17d"),
                                          "Electricity/TariffTOURegisterCollection/TOUPrimaryRegisterValue")]
    total = import_register(read(meter, "ECS17b"))
    assert len(registers) == 48 and not any(registers[2:])     # the ESME's 48 registers: two rates in use
    profile = meter.metering.consumption.profile(INSTALLED, clock.now() - HALF_HOUR)
    night = sum(v for t, v in profile if t.hour < 7)
    assert registers[1] == night
    assert registers[0] + night == total
    meter.metering.settle()
    day_energy = sum(v for _, v in profile) - night
    cost = (Fraction(day_energy * 24500 + night * 12000, 1000)
            + Fraction(30000 * int((clock.now() - INSTALLED).total_seconds()), DAY))
    assert meter.meter_balance == 1_000_000 - math.floor(cost)


def switching(fuel: str, days: dict[int, list[tuple[str, int]] | int], weeks: dict[int, list[int]],
              seasons: list[tuple[int, int, int]], prices: list[int]) -> dict:
    """1.1.1 tariff fields with this switching table and TOU prices. days: day name -> [(start time, TOU rate)]
    (an ESME's) or the one tier of the whole day (a GSME's); weeks: week name -> day names Monday..Sunday;
    seasons: (start month, start day, week name)."""
    elec = fuel == "electricity"
    table = f"{'Elec' if elec else 'Gas'}TariffElements/SwitchingTable"
    price = f"PriceElements/{'Electricity' if elec else 'Gas'}PriceElements/TOUTariff/TOUPrice"
    out = {k: v for k, v in tariff(fuel).items() if not k.startswith((table, price))}
    for n, (name, schedule) in enumerate(days.items(), 1):
        day = f"{table}/DayProfiles/DayProfile[{n}]"
        out[f"{day}/DayName"] = str(name)
        if isinstance(schedule, int):
            out[f"{day}/TOUTariffAction"] = str(schedule)
        for m, (start, rate) in enumerate(schedule if isinstance(schedule, list) else [], 1):
            out[f"{day}/ProfileSchedule[{m}]/StartTime"] = start
            out[f"{day}/ProfileSchedule[{m}]/TOUTariffAction"] = str(rate)
    for n, (name, day_names) in enumerate(weeks.items(), 1):
        week = f"{table}/WeekProfiles/WeekProfile[{n}]"
        out[f"{week}/WeekName"] = str(name)
        for d, day_name in enumerate(day_names, 1):
            out[f"{week}/ReferencedDayName[{d}]@index"], out[f"{week}/ReferencedDayName[{d}]"] = str(d), str(day_name)
    date = ("Month/SpecifiedMonth", "DayOfMonth/SpecifiedDayOfMonth") if elec else \
        ("GasMonthWithWildcards/SpecifiedMonth", "GasDayOfMonthWithWildcards/SpecifiedDayOfMonth")
    for n, (month, day_of_month, week_name) in enumerate(seasons, 1):
        season = f"{table}/Seasons/Season[{n}]"
        out[f"{season}/SeasonStartDate/{date[0]}"] = str(month)
        out[f"{season}/SeasonStartDate/{date[1]}"] = str(day_of_month)
        out[f"{season}/ReferencedWeekName"] = str(week_name)
    for n, unit_rate in enumerate(prices, 1):
        out[f"{price}[{n}]@index"], out[f"{price}[{n}]"] = str(n), str(unit_rate)
    return out


def test_the_switching_table_picks_each_half_hours_rate_by_season_week_day_and_start_time():
    """Weekdays: rate 1 from 07:00, rate 2 from 23:00 (and before 07:00, the rate the day before ended on);
    weekends rate 3; from 12 January a season whose days are all rate 4. 4.1.2 reads each rate's energy, the
    balance its price."""
    prices = [24500, 12000, 15000, 30000]
    fields = switching("electricity", {1: [("07:00:00.00Z", 1), ("23:00:00.00Z", 2)], 2: [("00:00:00.00Z", 3)],
                                       3: [("00:00:00.00Z", 4)]},
                       {1: [1, 1, 1, 1, 1, 2, 2], 2: [3] * 7}, [(1, 1, 1), (1, 12, 2)], prices)

    def rate(t: dt.datetime) -> int:
        if t.date() >= at(12).date():                          # the second season starts that very day
            return 4
        if t.isoweekday() >= 6:                                # ReferencedDayName 6 and 7: Saturday, Sunday
            return 3
        return 1 if 7 <= t.hour < 23 else 2

    clock = VirtualClock()
    meter = esme(clock, tariff=fields, balance=1_000_000)
    advance_to(clock, at(13))                                  # Monday 5th 09:00 to Tuesday 13th 00:00
    registers = [int(r[""]) for r in rows(read(meter, "ECS17d"),
                                          "Electricity/TariffTOURegisterCollection/TOUPrimaryRegisterValue")]
    model = meter.metering.consumption
    energy = {r: 0 for r in range(1, 5)}
    for start, value in model.profile(INSTALLED, clock.now() - HALF_HOUR):
        energy[rate(start)] += value
    assert all(energy.values())
    assert registers[:4] == [model.initial_register + energy[1], energy[2], energy[3], energy[4]]
    assert not any(registers[4:])
    meter.metering.settle()
    cost = (sum(Fraction(energy[r] * prices[r - 1], 1000) for r in energy)
            + Fraction(30000 * int((clock.now() - INSTALLED).total_seconds()), DAY))
    assert meter.meter_balance == 1_000_000 - math.floor(cost)


def test_a_day_without_a_midnight_switch_keeps_the_rate_the_day_before_ended_on():
    """An activity calendar switches only when a day profile says so: a weekday profile starting at 07:00 leaves
    Monday's small hours at Sunday's rate 3, and Tuesday's at Monday's last rate 2."""
    fields = switching("electricity", {1: [("07:00:00.00Z", 1), ("23:00:00.00Z", 2)], 2: [("00:00:00.00Z", 3)]},
                       {1: [1, 1, 1, 1, 1, 2, 2]}, [(1, 1, 1)], [24500, 12000, 15000])
    clock = VirtualClock()
    meter = esme(clock, tariff=fields, balance=1_000_000)

    def registers_at(when: dt.datetime) -> list[int]:
        advance_to(clock, when)
        return [int(r[""]) for r in rows(read(meter, "ECS17d"),
                                         "Electricity/TariffTOURegisterCollection/TOUPrimaryRegisterValue")][:3]

    for day, rate in ((12, 3), (13, 2)):                          # Monday after a weekend, Tuesday after Monday
        midnight, seven = registers_at(at(day)), registers_at(at(day, 7))
        small_hours = sum(v for _, v in meter.metering.consumption.profile(at(day), at(day, 6, 30)))
        grew = [after - before for before, after in zip(midnight, seven)]
        assert small_hours and grew == [small_hours if r == rate else 0 for r in (1, 2, 3)], day


def test_a_gas_day_profile_is_one_tier_all_day():
    """A GSME's calendar gives a day one price tier: tier 1 on weekdays, tier 2 at weekends; 4.1.2 reads the
    tiers' registers (m3) and the balance is debited at each tier's price."""
    fields = switching("gas", {1: 1, 2: 2}, {1: [1, 1, 1, 1, 1, 2, 2]}, [(1, 1, 1)], [6000, 3000])
    clock = VirtualClock()
    meter = gsme(clock, tariff=fields, balance=2_000_000, mode="Prepayment")
    advance_to(clock, at(13))
    tiers = [int(Decimal(r[""]) * 1000) for r in rows(read(meter, "GCS13c"),
                                                       "Gas/TariffTOURegisterMatrix/TOURegisterMatrixValue")]
    model = meter.metering.consumption
    profile = model.profile(INSTALLED, clock.now() - HALF_HOUR)
    weekend = sum(v for t, v in profile if t.isoweekday() >= 6)
    weekdays = sum(v for _, v in profile) - weekend
    assert weekend > 0 and tiers == [model.initial_register + weekdays, weekend, 0, 0]
    meter.metering.settle()
    kwh_per_dm3 = Fraction("1.02264") * Fraction("39.5") / 3600
    cost = ((weekdays * 6000 + weekend * 3000) * kwh_per_dm3
            + Fraction(30000 * int((clock.now() - INSTALLED).total_seconds()), DAY))
    assert meter.meter_balance == 2_000_000 - math.floor(cost)


def active_price(meter) -> str:
    return read(meter, "ECS24", "4.11.1")["Electricity/PrimaryActiveTariffPrice"]


def test_the_active_tariff_price_is_the_price_of_the_rate_in_force_now():
    clock = VirtualClock()
    meter = esme(clock, tariff=two_rate_tariff(tariff()))
    advance_to(clock, at(6, 3))
    assert active_price(meter) == "12000"                      # rate 2 until 07:00
    advance_to(clock, at(6, 7))
    assert active_price(meter) == "24500"


def test_new_prices_replace_the_old_ones_whole():
    """1.2.1 with one price on a two-rate tariff: rate 2 is no longer priced (4.11.1 reads 0 for it, and 0 is the
    price in force at night)."""
    clock = VirtualClock()
    meter = esme(clock, tariff=two_rate_tariff(tariff()))
    _, done, _ = exchange(meter, "ECS01b", "1.2.1", unit_rates=30000)
    assert done["Result"] == "Success"
    values = read(meter, "ECS24", "4.11.1")
    tou = "Electricity/TariffTOUPriceMatrix/TariffTOUPrice"
    assert (values[f"{tou}[1]"], values[f"{tou}[2]"]) == ("30000", "0")
    advance_to(clock, at(6, 3))
    assert active_price(meter) == "0"


def test_a_new_tariff_charges_from_when_it_is_set_and_the_past_at_the_old_prices():
    clock = VirtualClock()
    meter = esme(clock, tariff=tariff(), balance=1_000_000, mode="Prepayment")
    advance_to(clock, at(6, 18))
    changed = clock.now()
    _, done, _ = exchange(meter, "ECS01a", "1.1.1", unit_rate=31000, standing_charge=32000)
    assert done["Result"] == "Success"
    advance_to(clock, at(8, 6))
    model = meter.metering.consumption
    snapshots = log(read(meter, "ECS21b", "4.14"), "PrepaymentDailyReadLog", "MeterBalance")
    assert [t for t, _ in snapshots] == [at(6), at(7), at(8)]
    for midnight, balance in snapshots:
        cost = electricity_cost(model, INSTALLED, min(midnight, changed))
        if midnight > changed:
            cost += electricity_cost(model, changed, midnight, unit_rate=31000, standing=32000)
        assert balance == 1_000_000 - math.floor(cost), midnight


# -- billing calendar ------------------------------------------------------------------------------

def _calendar(**kwargs) -> dict:
    return xml.flatten(requests.builder("6.8")(**kwargs))


def test_daily_billing_calendar_snapshots_each_day_at_the_billing_time():
    clock = VirtualClock()
    meter = esme(clock, tariff=tariff(), balance=1_000_000, mode="Prepayment")
    meter.billing_calendar = _calendar(periodicity="Daily", billing_time="12:00:00")
    advance_to(clock, at(9, 13))
    response = read(meter, "ECS20c", "4.4.3")
    registers = log(response, "BillingDataLog", "ImportRegister")
    assert [t for t, _ in registers] == [at(d, 12) for d in range(5, 10)]
    assert registers == log(response, "BillingDataLog", "TOURegister[1]")
    for (stamp, register), (_, balance) in zip(registers, log(response, "BillingDataLog", "MeterBalance"), strict=True):
        assert register == meter.metering.consumption.register(stamp)
        assert balance == 1_000_000 - math.floor(electricity_cost(meter.metering.consumption, INSTALLED, stamp))
    clock.advance(20 * DAY)
    assert entries(read(meter, "ECS20c", "4.4.3"), "BillingDataLog") == 12          # the log holds 12


def test_monthly_billing_calendars_on_both_fuels():
    clock = VirtualClock()
    elec = esme(clock, tariff=tariff(), balance=9_000_000, mode="Prepayment")
    gas = gsme(clock, tariff=tariff("gas"), balance=9_000_000, mode="Prepayment")
    gpf = MirroringGpf(GPF_EUI, clock=clock, keys=None, trust=None, key_seed=b"gpf")
    gpf.joined = gas
    elec.billing_calendar = _calendar(periodicity="Monthly", day_of_month=1)
    gas.billing_calendar = _calendar(fuel="gas", periodicity="Monthly", billing_period_start=at(10))
    advance_to(clock, at(31 + 28 + 15))               # 15 March
    elec_log = read(elec, "ECS20c", "4.4.3")
    gas_log = read(gas, "GCS15c", "4.4.3")
    assert [t for t, _ in log(elec_log, "BillingDataLog", "MeterBalance")] == [at(32), at(32 + 28)]
    assert [t for t, _ in log(gas_log, "BillingDataLog", "ImportRegister")] == [at(10), at(41), at(69)]
    assert gas_log == read(gpf, "GCS15c", "4.4.3")
    # A billing date at midnight: the same balance the prepayment daily read log captured then.
    for stamp, balance in log(elec_log, "BillingDataLog", "MeterBalance"):
        assert log(read(elec, "ECS21b", "4.14", stamp, stamp), "PrepaymentDailyReadLog", "MeterBalance") == \
            [(stamp, balance)]
    february = read(elec, "ECS20c", "4.4.3", at(32), at(59))
    assert [t for t, _ in log(february, "BillingDataLog", "MeterBalance")] == [at(32)]


def test_billing_dates_of_each_periodicity():
    weekly = billing_dates(_calendar(periodicity="Weekly", day_of_week=3, billing_time="06:30"), at(1), at(31))
    assert [t.isoweekday() for t in weekly] == [3] * 4 and weekly[0] == at(7, 6, 30)
    daily = billing_dates(_calendar(periodicity="Daily", billing_time="12:00"), at(6, 12), at(8, 12))
    assert daily == [at(6, 12), at(7, 12), at(8, 12)]                          # both bounds included
    quarterly = billing_dates(_calendar(periodicity="Quarterly", day_of_month=5, billing_period_start_month=2),
                              at(1), at(365))
    assert [t.month for t in quarterly] == [2, 5, 8, 11] and all(t.day == 5 for t in quarterly)
    gas_weekly = billing_dates(_calendar(fuel="gas", periodicity="Weekly", billing_period_start=at(3, 4)),
                               at(12), at(31, 4))
    assert gas_weekly == [at(17, 4), at(24, 4), at(31, 4)]
    assert billing_dates({}, at(1), at(31)) == []
    # a gas billing period from the 31st ends on the last day of a shorter month, then on the 31st again
    gas_monthly = billing_dates(_calendar(fuel="gas", periodicity="Monthly", billing_period_start=at(31)),
                                at(1), at(120))
    assert gas_monthly == [at(31), at(59), at(90), at(120)]                    # 31 Jan, 28 Feb, 31 Mar, 30 Apr


def test_billing_snapshot_is_the_registers_and_balance_now():
    clock = VirtualClock()
    meter = esme(clock, tariff=tariff(), balance=1_000_000, mode="Prepayment")
    clock.advance(DAY + 90 * 60)
    snapshot = meter.metering.billing_snapshot()
    assert snapshot["MeterBalance"] == str(meter.meter_balance)
    assert int(snapshot["ImportRegister"]) == import_register(read(meter, "ECS17b")) == \
        int(snapshot["TOURegister[1]"])
    assert snapshot["PaymentMode"] == "Prepayment" and snapshot["Unit"] == "Wh"


# -- the GPF mirror and an uninstalled meter ---------------------------------------------------------

def test_gpf_mirror_answers_exactly_what_the_gsme_answers():
    clock = VirtualClock()
    gas = gsme(clock, tariff=tariff("gas"), balance=1_000_000, mode="Prepayment")
    gas.billing_calendar = _calendar(fuel="gas", periodicity="Daily", billing_period_start=at(5, 18))
    gpf = MirroringGpf(GPF_EUI, clock=clock, keys=None, trust=None, key_seed=b"gpf")
    gpf.joined = gas
    clock.advance(3 * DAY + 7 * HOUR)
    period = (at(6, 12), at(7, 12))
    for use_case, srv in (("GCS13a", None), ("GCS13c", None), ("GCS15c", "4.4.3"), ("GCS16a", "4.6.1"),
                          ("GCS16b", "4.14"), ("GCS17", "4.8.1")):
        assert read(gpf, use_case, srv, *period if srv else ()) == read(gas, use_case, srv, *period if srv else ())
    daily = gas.metering.gas_daily_consumption_log(at(1), clock.now())
    assert read(gpf, "GCS61", "4.17") == {"Result": "Success", **daily}
    gpf.joined = None
    with pytest.raises(CommandFailed, match="no GSME joined to this GPF"):
        read(gpf, "GCS16a", "4.6.1")


def test_an_uninstalled_meter_has_measured_nothing():
    clock = VirtualClock()
    meter = ElectricityMeter(ESME_EUI, install_code=bytes(16), clock=clock, keys=None, trust=None, key_seed=b"s")
    meter.meter_balance = 1234
    meter.metering.settle()
    assert meter.meter_balance == 1234 and meter.metering.consumption is None
    assert meter.metering.billing_snapshot() == {}
    with pytest.raises(CommandFailed, match="not installed"):
        read(meter, "ECS21a", "4.6.1")
    meter.metering.start(clock.now())
    clock.advance(HOUR)
    meter.metering.start(clock.now())                  # installed once: the second call changes nothing
    assert meter.metering.consumption.installed == INSTALLED


# -- the ESME's supply (7.1-7.3): an open load switch measures nothing ------------------------------------------

def supply(meter, use_case: str) -> None:
    """7.1 / 7.2 / 7.3 end to end: the DCC's command, the ESME's reading and handling of it, its answer parsed."""
    outcome, values, notes = exchange(meter, use_case, {"ECS42": "7.1", "ECS43": "7.2", "ECS44": "7.3"}[use_case])
    assert values["Result"] == "Success" and notes == [], (values, notes)


def supply_state(meter) -> str:
    return read(meter, "ECS45", "7.4")["SupplyState"]


def test_a_disabled_or_armed_supply_measures_nothing_and_every_read_agrees():
    clock = VirtualClock()
    meter = esme(clock, tariff=tariff())
    clock.advance(DAY + 7 * HOUR + 13 * 60)                    # off part way through a half hour (6th, 16:13)
    assert supply_state(meter) == "Enabled"
    supply(meter, "ECS43")
    off_at, off_register = clock.now(), import_register(read(meter, "ECS17b"))
    assert supply_state(meter) == "Disabled"
    clock.advance(5 * HOUR)
    assert import_register(read(meter, "ECS17b")) == off_register
    supply(meter, "ECS44")
    assert supply_state(meter) == "Armed"
    clock.advance(3 * HOUR)
    assert import_register(read(meter, "ECS17b")) == off_register          # armed: the switch is still open
    assert meter.press_supply_button() and supply_state(meter) == "Enabled"
    on_at = clock.now()                                        # the 7th, 00:13
    advance_to(clock, at(9))
    assert import_register(read(meter, "ECS17b")) > off_register
    # What was measured before the supply went off stays as it was, and the logs agree with the registers.
    model = meter.metering.consumption
    assert model.register(off_at) == off_register and model.consumed(off_at, on_at) == 0
    midnights = dict(log(read(meter, "ECS21a", "4.6.1"), "DailyReadLog", "ImportRegister"))
    for day in (6, 7):                                         # the days the supply was off part of
        m0, m1 = at(day), at(day + 1)
        profile = log(read(meter, "ECS22b", "4.8.1", m0, m1 - dt.timedelta(seconds=1)), "ProfileDataLog",
                      "Consumption")
        assert sum(v for _, v in profile) == midnights[m1] - midnights[m0] < sum(model._raw_day(m0.date()))
        assert all(v == 0 for t, v in profile if off_at + HALF_HOUR <= t < on_at - HALF_HOUR)
        assert any(v > 0 for _, v in profile)
    # and the balance was debited for what was measured (the standing charge runs on)
    meter.metering.settle()
    assert meter.meter_balance == -math.floor(electricity_cost(model, INSTALLED, clock.now()))


def test_only_an_armed_supply_is_enabled_by_the_consumers_press():
    clock = VirtualClock()
    meter = esme(clock)
    assert not meter.press_supply_button() and supply_state(meter) == "Enabled"
    supply(meter, "ECS43")
    assert not meter.press_supply_button() and supply_state(meter) == "Disabled"
    supply(meter, "ECS44")
    assert meter.press_supply_button() and supply_state(meter) == "Enabled"
    supply(meter, "ECS43")
    supply(meter, "ECS42")
    assert supply_state(meter) == "Enabled"


# -- the ESME's auxiliary load control switches (7.5-7.8), read back with 7.7 -----------------------------------

def auxiliary_load(meter, srv: str) -> None:
    """7.5 / 7.6 / 7.8 on switch 1 (7.5 and 7.6 hold it for 30 minutes) end to end."""
    use_case = {"7.5": "ECS47Activate", "7.6": "ECS47Deactivate", "7.8": "ECS47Reset"}[srv]
    outcome, values, notes = exchange(meter, use_case, srv)
    assert values["Result"] == "Success" and notes == [], (values, notes)


def auxiliary_loads_on(meter) -> list[bool]:
    _, values, notes = exchange(meter, "ECS61a", "7.7")
    assert notes == [], notes
    return [values[f"AuxiliaryLoadControlSwitch[{n}]/State"] == "true" for n in range(1, 6)]


def test_an_auxiliary_load_is_held_for_its_minutes_then_follows_its_empty_calendar():
    clock = VirtualClock()
    meter = esme(clock)
    assert auxiliary_loads_on(meter) == [False] * 5
    auxiliary_load(meter, "7.5")
    clock.advance(29 * 60)
    assert auxiliary_loads_on(meter) == [True, False, False, False, False]
    clock.advance(60)                                      # the 30 minutes are over: the calendar holds it off
    assert auxiliary_loads_on(meter) == [False] * 5
    auxiliary_load(meter, "7.5")
    auxiliary_load(meter, "7.6")
    assert auxiliary_loads_on(meter) == [False] * 5
    auxiliary_load(meter, "7.5")
    auxiliary_load(meter, "7.8")                           # back to its calendar before the 30 minutes are over
    assert auxiliary_loads_on(meter) == [False] * 5


def test_the_esme_keeps_the_descriptions_6_14_1_set():
    meter = esme(VirtualClock())
    outcome, values, notes = exchange(meter, "ECS46a", "6.14.1")          # the body's default: switch 1 only
    assert values["Result"] == "Success" and notes == []
    _, values, _ = exchange(meter, "ECS61a", "7.7")
    assert values["AuxiliaryLoadControlSwitch[1]/Description"] == "Immersion heater"
    assert "AuxiliaryLoadControlSwitch[2]/Description" not in values
