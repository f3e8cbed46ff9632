"""What an emulated ESME or GSME measures and what it costs: consumption, registers, logs and the meter balance.

Every read a DIT scenario makes must agree with every other and with what happened to the meter, so
all of them come from one deterministic consumption model and one account:
- ConsumptionModel: half-hourly consumption from installation (Wh for electricity, dm3 for gas), a pure
  function of (seed, interval). Registers, the daily read log, the daily consumption log and profile
  data are views of it, so a midnight read difference equals that day's consumption log entry equals
  the sum of that day's 48 profile values, by construction.
- Metering.settle(): brings the meter balance up to now. The cost of supply (energy x unit rate of
  the TOU rate the switching table gives each half hour, plus the standing charge pro rata in time) is
  accumulated exactly and the balance debited in whole units (10^-5 GBP), in credit mode as in
  prepayment (a negative credit balance is the amount owed). At each midnight it recovers time debt
  (prepayment only) and records the prepayment daily read log snapshot. Whoever changes the balance,
  tariff, payment mode or emergency credit settles first, so each change starts a new account segment.
- The supply (an ESME's load switch, 7.1-7.3): while it is off the meter measures nothing; the consumption
  model's values are the household's demand, and every read is of the demand while the supply was on.
- Logs hold what a meter holds (module constants): older entries have dropped off. A log read returns
  the entries whose time stamp lies in the ReadLogPeriod, bounds included.

A meter owns its Metering (composition rather than a mixin: the few things it reads and writes of the meter are
the MeteringHost protocol, which a type checker holds every meter to); GasReads answers the gas reads from a
GSME's Metering, for the GSME itself and for the GPF that mirrors it.

Model choices (not GBCS facts): time is the lab clock in UTC (no BST, no meter clock offset); consumption
starts at the first half hour boundary at or after installation; profile entries are stamped with the
start of their half hour, daily logs with the midnight that captured them (so the daily consumption
entry stamped 2026-01-07T00:00 is 6 January's); the 6.8 calendar in force applies from installation.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import math
import re
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Protocol

from harness.catalogue import Fuel, PaymentMode
from harness.clock import Clock
from harness.emulators.device import CommandFailed, GeneralSigning, handles, when
from harness.usecases import gsme_reads

UTC = dt.UTC
HALF_HOUR = dt.timedelta(minutes=30)
DAY = dt.timedelta(days=1)
SLOTS = 48
_SLOT_US = 1_800_000_000                       # microseconds in a half hour
_DAY_US = 86_400_000_000

ELECTRICITY, GAS = Fuel.ELECTRICITY, Fuel.GAS
UNITS = {ELECTRICITY: "Wh", GAS: "dm3"}
CURRENCY, MONEY_SCALE = "GBP", -5              # the meter balance counts 10^-5 GBP, the DUIS price default

# Log capacities: a read never returns more history than a meter keeps.
PROFILE_LOG_INTERVALS = 19056                  # 13 months of half hours (397 days; the MMC 4.8.1 maximum)
DAILY_LOG_DAYS = 731                           # daily read, daily consumption and prepayment daily read logs
BILLING_LOG_ENTRIES = 12                       # billing calendar triggered billing data log
DEBT_REGISTERS = ("PaymentDebtRegister", "TimeDebtRegister1", "TimeDebtRegister2")    # 2.3's, in 10^-5 GBP

# Gas volume to energy when the GSME has no 6.6 values: kWh = m3 x correction factor x CV (MJ/m3) / 3.6.
DEFAULT_CALORIFIC_VALUE = Fraction("39.5")
DEFAULT_CONVERSION_FACTOR = Fraction("1.02264")

# A day's shape, per hour of the day (each half hour of it): electricity in Wh, gas in dm3 per half hour.
_SHAPE = {
    (ELECTRICITY, False): (80, 70, 65, 65, 65, 75, 140, 300, 260, 160, 140, 140,
                           170, 150, 140, 150, 220, 380, 450, 420, 340, 280, 200, 120),
    (ELECTRICITY, True): (90, 75, 65, 65, 65, 65, 80, 140, 260, 300, 260, 240,
                          280, 240, 220, 220, 260, 380, 440, 400, 340, 280, 220, 140),
    (GAS, False): (0, 0, 0, 0, 0, 10, 175, 225, 150, 40, 20, 20,
                   30, 20, 20, 30, 125, 190, 210, 190, 165, 140, 60, 5),
    (GAS, True): (0, 0, 0, 0, 0, 0, 40, 150, 210, 180, 120, 100,
                  110, 100, 90, 100, 140, 190, 210, 190, 165, 140, 60, 5),
}
# Seasonal level per month in percent (heating makes gas swing far more than electricity).
_SEASON = {ELECTRICITY: (120, 115, 105, 95, 88, 82, 80, 82, 90, 100, 112, 122),
           GAS: (150, 140, 115, 80, 50, 25, 20, 22, 40, 80, 120, 150)}
_INITIAL_REGISTER_LIMIT = {ELECTRICITY: 20_000_000, GAS: 10_000_000}     # 20 MWh, 10,000 m3


def _utc(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None:
        raise ValueError(f"{at.isoformat()} has no time zone: metering works in UTC")
    return at.astimezone(UTC)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=UTC)


def _next_midnight_from(at: dt.datetime) -> dt.datetime:
    """The first midnight at or after `at`."""
    midnight = _midnight(at.date())
    return midnight if midnight == at else midnight + DAY


def _slot_floor(at: dt.datetime) -> dt.datetime:
    return at - dt.timedelta(minutes=at.minute % 30, seconds=at.second, microseconds=at.microsecond)


def _slot_ceil(at: dt.datetime) -> dt.datetime:
    floor = _slot_floor(at)
    return floor if floor == at else floor + HALF_HOUR


def _stamp(at: dt.datetime) -> str:
    return at.isoformat()


# -- consumption -----------------------------------------------------------------------------------

class ConsumptionModel:
    """Half-hourly consumption of one meter from its installation: a pure function of (seed, interval).

    Integer arithmetic only (no floats, no libm), so every machine computes the same values. Days are
    computed once and cached with their prefix sums; the register at any time costs O(days since
    installation) the first time and O(1) after.
    """

    def __init__(self, seed: bytes, fuel: Fuel | str, start: dt.datetime):
        if fuel not in UNITS:
            raise ValueError(f"fuel must be {ELECTRICITY.value!r} or {GAS.value!r}, not {fuel!r}")
        self.seed, self.fuel = bytes(seed), Fuel(fuel)
        self.installed = _utc(start)
        self.first_interval = _slot_ceil(self.installed)
        self._first_day = self.first_interval.date()
        raw = int.from_bytes(self._digest(b"initial register", 8), "big")
        self.initial_register = raw % _INITIAL_REGISTER_LIMIT[self.fuel]
        self._days: dict[dt.date, tuple[int, ...]] = {}
        self._prefixes: dict[dt.date, tuple[int, ...]] = {}
        self._before = [0]                     # consumption before midnight of first day + i
        self._splits: dict[tuple[dt.date, tuple[int, ...]], dict[int, int]] = {}
        # The supply's off spans [start, end) (end None: off still): nothing is consumed in them. Raw values
        # are the household's demand; what the meter measures is the demand while the supply is on.
        self._off: list[tuple[dt.datetime, dt.datetime | None]] = []
        self._measured: dict[dt.date, tuple[int, ...]] = {}

    @property
    def unit(self) -> str:
        return UNITS[self.fuel]

    def _digest(self, label: bytes, size: int) -> bytes:
        return hashlib.shake_256(b"metering|" + self.fuel.encode() + b"|" + label + b"|" + self.seed).digest(size)

    @property
    def supply_on(self) -> bool:
        return not self._off or self._off[-1][1] is not None

    def switch_supply(self, on: bool, at: dt.datetime) -> None:
        """The load switch closes (on) or opens at `at`: from then on the meter measures the demand, or nothing.
        What was measured before `at` stays as it was."""
        at = _utc(at)
        if on == self.supply_on:
            return
        if on:
            start, _ = self._off.pop()
            self._off.append((start, max(at, start)))
        else:
            self._off.append((at, None))
        changed = at.date()
        self._measured = {d: v for d, v in self._measured.items() if d < changed}
        self._splits = {k: v for k, v in self._splits.items() if k[0] < changed}

    def day(self, day: dt.date) -> tuple[int, ...]:
        """The day's 48 half-hour values as measured (zero before installation and while the supply is off)."""
        start, end = _midnight(day), _midnight(day) + DAY
        if not any(a < end and (b is None or b > start) for a, b in self._off):
            return self._raw_day(day)
        values = self._measured.get(day)
        if values is None:
            edges = [self.register(start + n * HALF_HOUR) for n in range(SLOTS + 1)]
            values = self._measured[day] = tuple(b - a for a, b in zip(edges, edges[1:]))
        return values

    def _raw_day(self, day: dt.date) -> tuple[int, ...]:
        """The day's 48 half-hour values of demand (zero before installation)."""
        values = self._days.get(day)
        if values is None:
            values = self._days[day] = self._compute_day(day)
        return values

    def _compute_day(self, day: dt.date) -> tuple[int, ...]:
        if day < self._first_day:
            return (0,) * SLOTS
        noise = self._digest(day.isoformat().encode(), 2 + 2 * SLOTS)
        day_level = 85 + int.from_bytes(noise[:2], "big") % 31             # this day: 85-115 %
        season = _SEASON[self.fuel]
        days_in_month = ((day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)).day
        # Interpolated between this month's level and the next's, so months do not step.
        level = (season[day.month - 1] * (days_in_month - day.day + 1)
                 + season[day.month % 12] * (day.day - 1)) // days_in_month
        shape = _SHAPE[(self.fuel, day.weekday() >= 5)]
        first = 0
        if day == self._first_day:
            first = (self.first_interval - _midnight(day)) // HALF_HOUR
        values = []
        for slot in range(SLOTS):
            jitter = 70 + int.from_bytes(noise[2 + 2 * slot:4 + 2 * slot], "big") % 61   # this half hour: 70-130 %
            value = shape[slot // 2] * level * day_level * jitter // 1_000_000
            values.append(value if slot >= first else 0)
        return tuple(values)

    def _prefix(self, day: dt.date) -> tuple[int, ...]:
        prefix = self._prefixes.get(day)
        if prefix is None:
            running, sums = 0, [0]
            for value in self._raw_day(day):
                running += value
                sums.append(running)
            prefix = self._prefixes[day] = tuple(sums)
        return prefix

    def _consumed_before(self, day: dt.date) -> int:
        index = (day - self._first_day).days
        while len(self._before) <= index:
            self._before.append(self._before[-1] + self._prefix(self._first_day + dt.timedelta(days=len(self._before)
                                                                                                 - 1))[-1])
        return self._before[index]

    def interval(self, start: dt.datetime) -> int:
        """Consumption in the half hour starting at (the half-hour boundary at or before) `start`."""
        start = _slot_floor(_utc(start))
        return self.day(start.date())[(start - _midnight(start.date())) // HALF_HOUR]

    def register(self, at: dt.datetime) -> int:
        """The cumulative import register at `at`: the demand's, less the demand of the supply's off spans."""
        at = _utc(at)
        off = sum(self._raw_register(min(at, b) if b is not None else at) - self._raw_register(a)
                  for a, b in self._off if a < at)
        return self._raw_register(at) - off

    def _raw_register(self, at: dt.datetime) -> int:
        """The demand's cumulative register at `at`; a half hour in progress counts pro rata (rounded down)."""
        at = _utc(at)
        if at <= self.first_interval:
            return self.initial_register
        day = at.date()
        into = (at - _midnight(day)) // dt.timedelta(microseconds=1)
        slot, rest = divmod(into, _SLOT_US)
        partial = self._raw_day(day)[slot] * rest // _SLOT_US
        return self.initial_register + self._consumed_before(day) + self._prefix(day)[slot] + partial

    def consumed(self, t0: dt.datetime, t1: dt.datetime) -> int:
        return self.register(t1) - self.register(t0)

    def profile(self, t0: dt.datetime, t1: dt.datetime) -> list[tuple[dt.datetime, int]]:
        """(start, value) of every half hour after installation starting in [t0, t1]."""
        at, end = max(_slot_ceil(_utc(t0)), self.first_interval), _utc(t1)
        out = []
        while at <= end:
            midnight = _midnight(at.date())
            values = self.day(at.date())
            for slot in range((at - midnight) // HALF_HOUR, SLOTS):
                start = midnight + slot * HALF_HOUR
                if start > end:
                    break
                out.append((start, values[slot]))
            at = midnight + DAY
        return out

    def midnights(self, t0: dt.datetime, t1: dt.datetime) -> list[tuple[dt.datetime, int]]:
        """(midnight, register) at every midnight in [t0, t1] from installation on."""
        at, end = _next_midnight_from(max(_utc(t0), self.installed)), _utc(t1)
        out = []
        while at <= end:
            out.append((at, self.register(at)))
            at += DAY
        return out

    def daily_consumption(self, t0: dt.datetime, t1: dt.datetime) -> list[tuple[dt.datetime, int]]:
        """(midnight, consumption of the day it ends) at every midnight in [t0, t1] after installation;
        the installation day counts from installation."""
        return [(at, register - self.register(max(at - DAY, self.installed)))
                for at, register in self.midnights(t0, t1) if at > self.installed]

    def by_rate(self, t0: dt.datetime, t1: dt.datetime,
                rates: Callable[[dt.date], tuple[int, ...]] | None) -> dict[int, int]:
        """Consumption in [t0, t1] per TOU rate, given each day's 48 half-hour rates (None: all rate 1).
        Additive over adjacent periods and summing to consumed(t0, t1)."""
        t0, t1 = _utc(t0), _utc(t1)
        if t1 <= t0:
            return {}
        if rates is None:
            return {1: self.consumed(t0, t1)}
        out: dict[int, int] = {}
        day = t0.date()
        while _midnight(day) < t1:
            midnight = _midnight(day)
            lo, hi = max(t0, midnight), min(t1, midnight + DAY)
            day_rates = rates(day)
            if lo == midnight and hi == midnight + DAY:
                for rate, energy in self._day_split(day, day_rates).items():
                    out[rate] = out.get(rate, 0) + energy
            else:
                first, last = (lo - midnight) // HALF_HOUR, (hi - midnight - dt.timedelta(microseconds=1)) // HALF_HOUR
                for slot in range(first, last + 1):
                    start = midnight + slot * HALF_HOUR
                    energy = self.register(min(hi, start + HALF_HOUR)) - self.register(max(lo, start))
                    out[day_rates[slot]] = out.get(day_rates[slot], 0) + energy
            day += dt.timedelta(days=1)
        return out

    def _day_split(self, day: dt.date, day_rates: tuple[int, ...]) -> dict[int, int]:
        split = self._splits.get((day, day_rates))
        if split is None:
            split = {}
            for rate, value in zip(day_rates, self.day(day), strict=True):
                split[rate] = split.get(rate, 0) + value
            self._splits[(day, day_rates)] = split
        return split


# -- tariff ------------------------------------------------------------------------------------------

def _repeated(fields: Mapping[str, str], prefix: str) -> dict[int, dict[str, str]]:
    """The repeated element at `prefix` in flattened fields, by index: {n: {path below it: value}}.
    flatten() writes [n] only when an element repeats, so a single one is index 1; an index
    attribute (the key 'path@index') wins over the position."""
    out: dict[int, dict[str, str]] = {}
    for key, value in fields.items():
        if not key.startswith(prefix):
            continue
        m = re.fullmatch(r"(?:\[(\d+)\])?(?:/(.*)|(@.*))?", key[len(prefix):])
        if m:
            out.setdefault(int(m.group(1) or 1), {})[m.group(2) or m.group(3) or ""] = value
    return {_int(entry.get("@index"), n): entry for n, entry in out.items()}


def _int(text: object, default: int = 0) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        return default


def _slot_of(text: str) -> int:
    """The half hour a switching time falls in ("07:00:00.00Z"); switching is modelled per half hour."""
    hours, minutes = (_int(part) for part in text.strip()[:5].split(":"))
    return min(SLOTS - 1, (hours * 60 + minutes) // 30)


class Tariff:
    """The prices and TOU switching of the tariff fields (flattened 1.1.1 / 1.2.1) a meter holds, in
    balance units (10^-5 GBP) per Wh or dm3. Special days are not modelled."""

    def __init__(self, fields: Mapping[str, str], fuel: Fuel, gas_conversion: Mapping[str, str]):
        elec = fuel == ELECTRICITY
        prices = f"PriceElements/{'Electricity' if elec else 'Gas'}PriceElements"
        if elec:
            price_scale = _int(fields.get(f"{prices}/PriceScale"), MONEY_SCALE)
            standing_scale = _int(fields.get(f"{prices}/StandingChargeScale"), MONEY_SCALE)
            per_unit = Fraction(10) ** (price_scale - MONEY_SCALE) / 1000                # price per kWh -> per Wh
        else:
            # GSME prices carry no scale in DUIS: read as 10^-5 GBP (see harness.duis.bodies.tariff).
            standing_scale = MONEY_SCALE
            cv = Fraction(gas_conversion.get("CalorificValue") or DEFAULT_CALORIFIC_VALUE)
            cf = Fraction(gas_conversion.get("ConversionFactor") or DEFAULT_CONVERSION_FACTOR)
            per_unit = cf * cv / 3600                                                      # kWh per dm3
        tou_prices = _repeated(fields, f"{prices}/TOUTariff/TOUPrice")
        self.unit_rates = {n: _int(entry.get("")) for n, entry in tou_prices.items()}
        self.price_per_unit = {n: rate * per_unit for n, rate in self.unit_rates.items()}
        self.standing_charge_per_day = (_int(fields.get(f"{prices}/StandingCharge"))
                                        * Fraction(10) ** (standing_scale - MONEY_SCALE))
        self._parse_switching(fields, f"{'Elec' if elec else 'Gas'}TariffElements/SwitchingTable")
        self.registers = max([1, *self.unit_rates, *self._actions])

    def _parse_switching(self, fields: Mapping[str, str], table: str) -> None:
        self._day_profiles: dict[str, tuple[int, ...]] = {}
        self._first_switch: dict[str, int] = {}         # day profile -> the half hour of its first switch
        self._actions: set[int] = set()
        for profile in _repeated(fields, f"{table}/DayProfiles/DayProfile").values():
            switches = sorted((_slot_of(s.get("StartTime", "00:00")), _int(s.get("TOUTariffAction"), 1))
                              for s in _repeated(profile, "ProfileSchedule").values())
            if not switches and "TOUTariffAction" in profile:            # a gas day profile: one rate all day
                switches = [(0, _int(profile["TOUTariffAction"], 1))]
            if not switches:
                continue
            # the half hours before the day's first switch are the day before's last rate's (rates_on)
            rates, current, pending = [], switches[-1][1], list(switches)
            for slot in range(SLOTS):
                while pending and pending[0][0] <= slot:
                    current = pending.pop(0)[1]
                rates.append(current)
            name = profile.get("DayName", "")
            self._day_profiles[name], self._first_switch[name] = tuple(rates), switches[0][0]
            self._actions.update(rates)
        self._weeks = {week.get("WeekName", ""): {n: d.get("", "")
                                                  for n, d in _repeated(week, "ReferencedDayName").items()}
                       for week in _repeated(fields, f"{table}/WeekProfiles/WeekProfile").values()}
        seasons = []
        for season in _repeated(fields, f"{table}/Seasons/Season").values():
            month = next((_int(v, 1) for k, v in season.items() if k.endswith("SpecifiedMonth")), 1)
            day = next((_int(v, 1) for k, v in season.items() if k.endswith("SpecifiedDayOfMonth")), 1)
            seasons.append(((month, day), season.get("ReferencedWeekName", "")))
        self._seasons = sorted(seasons)
        self._by_day: dict[dt.date, tuple[int, ...]] = {}

    @property
    def single_rate(self) -> bool:
        return self._actions <= {1}

    def rates_on(self, day: dt.date) -> tuple[int, ...]:
        """The TOU rate of each half hour of the day: season -> week profile -> day profile. As an activity
        calendar runs, nothing switches at midnight unless the day profile says so: until the day's first switch
        the rate the day before ended on is still in force."""
        rates = self._by_day.get(day)
        if rates is None:
            name = self._profile_name(day)
            own = self._day_profiles.get(name) or (1,) * SLOTS
            first = self._first_switch.get(name, 0)
            if first:
                before = self._day_profiles.get(self._profile_name(day - dt.timedelta(days=1))) or own
                own = (before[-1],) * first + own[first:]
            rates = self._by_day[day] = own
        return rates

    def _profile_name(self, day: dt.date) -> str:
        """The day profile in force on a day (the first one the tariff has if its calendar names none)."""
        week_name = next((w for start, w in reversed(self._seasons) if start <= (day.month, day.day)),
                         self._seasons[-1][1] if self._seasons else "")
        week = self._weeks.get(week_name) or next(iter(self._weeks.values()), {})
        name = week.get(day.isoweekday(), "")
        return name if name in self._day_profiles else next(iter(self._day_profiles), "")

    def cost(self, energy: Mapping[int, int], span: dt.timedelta) -> Fraction:
        """Exact cost of energy per TOU rate (a rate without a price costs nothing) plus standing charge."""
        cost = Fraction(self.standing_charge_per_day * (span // dt.timedelta(microseconds=1)), _DAY_US)
        for rate, amount in energy.items():
            cost += amount * self.price_per_unit.get(rate, 0)
        return cost


# -- billing calendar ----------------------------------------------------------------------------------

_MONTH_STEPS = {"Monthly": 1, "Quarterly": 3, "SixMonthly": 6, "Yearly": 12}


def _add_months(start: dt.datetime, months: int) -> dt.datetime:
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    month += 1
    last = ((dt.date(year, month, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)).day
    return start.replace(year=year, month=month, day=min(start.day, last))


def billing_dates(calendar: Mapping[str, str], start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The billing dates a flattened 6.8 calendar defines in [start, end]. ESME: BillingTime on every day,
    a DayOfWeek (1 Monday .. 7 Sunday), a DayOfMonth, or a DayOfMonth of every 3rd / 6th / 12th month
    counted from BillingPeriodStartMonth. GSME: BillingPeriodStart and every period after it."""
    start, end = _utc(start), _utc(end)
    gas_start = calendar.get("GasBillingCalendar/BillingPeriodStart")
    if gas_start:
        return _gas_billing_dates(when(gas_start), calendar.get("GasBillingCalendar/Periodicity", ""), start, end)
    elec = {k.removeprefix("ElectricityBillingCalendar/"): v for k, v in calendar.items()
            if k.startswith("ElectricityBillingCalendar/")}
    kind = next((k.split("/")[0] for k in elec if k.split("/")[0] in ("Daily", "Weekly", *_MONTH_STEPS)), None)
    if kind is None:
        return []
    time_of_day = dt.time.fromisoformat(elec.get("BillingTime", "00:00:00").strip()[:8])

    def number(name: str) -> int:
        value = elec.get(f"{kind}/{name}", elec.get(kind, ""))
        if not value.strip().isdigit():
            raise ValueError(f"6.8 {kind} calendar has no {name}")
        return int(value)

    weekday = number("DayOfWeek") if kind == "Weekly" else 0
    day_of_month = number("DayOfMonth") if kind in _MONTH_STEPS else 0
    step = _MONTH_STEPS.get(kind, 1)
    first_month = _int(elec.get(f"{kind}/BillingPeriodStartMonth"), 1) if step > 1 else 1

    def matches(day: dt.date) -> bool:
        if kind == "Daily":
            return True
        if kind == "Weekly":
            return day.isoweekday() == weekday
        return day.day == day_of_month and (day.month - first_month) % step == 0

    out, day = [], start.date()
    while day <= end.date():
        at = dt.datetime.combine(day, time_of_day, tzinfo=UTC)
        if start <= at <= end and matches(day):
            out.append(at)
        day += dt.timedelta(days=1)
    return out


def _gas_billing_dates(first: dt.datetime, periodicity: str, start: dt.datetime,
                       end: dt.datetime) -> list[dt.datetime]:
    first = _utc(first)
    out: list[dt.datetime] = []
    if periodicity in ("Daily", "Weekly"):
        step = DAY if periodicity == "Daily" else 7 * DAY
        at = first if start <= first else first - ((first - start) // step) * step     # the first at or after start
        while at <= end:
            out.append(at)
            at += step
        return out
    if periodicity not in _MONTH_STEPS:
        raise ValueError(f"6.8 gas calendar periodicity {periodicity!r} is not one of Daily, Weekly, "
                         f"{', '.join(_MONTH_STEPS)}")
    k = 0
    while (at := _add_months(first, k * _MONTH_STEPS[periodicity])) <= end:
        if at >= start:
            out.append(at)
        k += 1
    return out


# -- the account -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Account:
    """The meter's accounts at one instant; until the next account only consumption and time change them."""

    at: dt.datetime
    balance: int
    cost: Fraction              # exact cost of supply since installation; the balance was debited floor(cost)
    tou: tuple[int, ...]        # TOU registers, rate 1 first (the initial register counts in rate 1)
    tariff: Tariff
    payment_mode: PaymentMode
    emergency_credit: int
    accumulated_debt: int

    def project(self, model: ConsumptionModel, at: dt.datetime) -> _Account:
        if at <= self.at:
            return self
        rates = None if self.tariff.single_rate else self.tariff.rates_on
        energy = model.by_rate(self.at, at, rates)
        cost = self.cost + self.tariff.cost(energy, at - self.at)
        tou = list(self.tou) + [0] * (max([len(self.tou), *energy]) - len(self.tou))
        for rate, amount in energy.items():
            tou[rate - 1] += amount
        return replace(self, at=at, cost=cost, tou=tuple(tou),
                       balance=self.balance - (math.floor(cost) - math.floor(self.cost)))


@dataclass(frozen=True)
class PrepaymentSnapshot:
    """One prepayment daily read log entry, captured at midnight (money in 10^-5 GBP)."""

    at: dt.datetime
    meter_balance: int
    emergency_credit_balance: int
    accumulated_debt_register: int
    time_debt_registers: tuple[int, int]
    payment_debt_register: int

    def fields(self) -> dict[str, str]:
        return {"DateTime": _stamp(self.at), "MeterBalance": str(self.meter_balance),
                "EmergencyCreditBalance": str(self.emergency_credit_balance),
                "AccumulatedDebtRegister": str(self.accumulated_debt_register),
                "TimeDebtRegister1": str(self.time_debt_registers[0]),
                "TimeDebtRegister2": str(self.time_debt_registers[1]),
                "PaymentDebtRegister": str(self.payment_debt_register)}


@dataclass
class _Metering:
    """A meter's metering state: its consumption and its accounts, settled up to settled_to."""

    model: ConsumptionModel
    settled_to: dt.datetime
    head: _Account                                     # the account at settled_to
    accounts: list[_Account]
    times: list[dt.datetime]
    prepayment_log: deque[PrepaymentSnapshot]
    tariffs: dict[tuple, Tariff]


def log_period(fields: Mapping[str, str]) -> tuple[dt.datetime, dt.datetime]:
    """ReadLogPeriod bounds (inclusive); an absent bound is open."""
    try:
        start = fields.get("ReadLogPeriod/StartDateTime")
        end = fields.get("ReadLogPeriod/EndDateTime")
        return (when(start) if start else dt.datetime.min.replace(tzinfo=UTC),
                when(end) if end else dt.datetime.max.replace(tzinfo=UTC))
    except (TypeError, ValueError):
        raise CommandFailed("ReadLogPeriod is not a pair of date-times") from None


# -- ESME reads in the names of their MMC responses -------------------------------------------------------
# (mmc.values: an element repeated among its siblings is numbered from 1, a single one is not; register
# lists carry an index attribute). The ESME's TOU register matrix has 48 registers and its block register
# matrices 4 x 8 (GBCS); the model has no block tariff, so the block registers stay 0.

ESME_TOU_REGISTERS, ESME_BLOCKS, ESME_BLOCK_REGISTERS = 48, 4, 8
# The prepayment data of ESME logs by their MMC names, from the model's.
_ESME_PREPAYMENT = {"AccumulatedDebtRegister": "AccumulatedDebtRegister", "EmergencyCreditBalance":
                    "EmergencyCreditBalance", "MeterBalance": "MeterBalance", "PaymentDebtRegister":
                    "PaymentDebtRegister", "TimeDebtRegisters1": "TimeDebtRegister1",
                    "TimeDebtRegisters2": "TimeDebtRegister2"}


def mmc_repeated(path: str, entries: list[dict[str, str]]) -> dict[str, str]:
    """Entries of a repeated MMC element, each given as its leaves by path below it ('' its own text)."""
    out = {}
    for i, entry in enumerate(entries, 1):
        at = path if len(entries) == 1 else f"{path}[{i}]"
        for leaf, value in entry.items():
            out[at + (leaf if not leaf or leaf.startswith("@") else f"/{leaf}")] = value
    return out


def mmc_time(at: dt.datetime | str) -> str:
    """An MMC time stamp: UTC, whole seconds (what a log entry's seconds since 2000 carry)."""
    at = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
    return _utc(at).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def esme_tou(snapshot: Mapping[str, str]) -> list[int]:
    return [_int(snapshot.get(f"TOURegister[{n}]")) for n in range(1, ESME_TOU_REGISTERS + 1)]


def esme_consumption(snapshot: Mapping[str, str], register: str, prefix: str = "") -> dict[str, str]:
    """A consumption capture: active import register, TOU register matrix, block register matrices."""
    out = {f"{prefix}{register}": snapshot["ImportRegister"],
           **mmc_indexed(f"{prefix}TariffTOURegisterMatrixValue", esme_tou(snapshot))}
    for n in range(1, ESME_BLOCKS + 1):
        out.update(mmc_indexed(f"{prefix}TariffTOUBlock{n}RegisterMatrixValue", [0] * ESME_BLOCK_REGISTERS))
    return out


def esme_prepayment(values: Mapping[str, str], at: dt.datetime | str) -> dict[str, str]:
    return {**{mmc: str(_int(values.get(model))) for mmc, model in _ESME_PREPAYMENT.items()},
            "Timestamp": mmc_time(at)}


def snapshot_tou(snapshot: Mapping[str, str]) -> list[int]:
    """The TOU registers of a snapshot (TOURegister[1] ...), as many as its tariff has."""
    count = sum(k.startswith("TOURegister[") for k in snapshot)
    return [_int(snapshot[f"TOURegister[{n}]"]) for n in range(1, count + 1)]


def mmc_indexed(name: str, values: list[int] | list[str]) -> dict[str, str]:
    """A register list in MMC names: each value with its index attribute (numbered when there are several)."""
    return mmc_repeated(name, [{"": str(v), "@index": str(i)} for i, v in enumerate(values, 1)])


def mmc_element(name: str, leaves: dict[str, str]) -> dict[str, str]:
    """An element MMC writes even when empty (mmc.values gives it as an empty leaf)."""
    return leaves or {name: ""}


class MeteringHost(Protocol):
    """What a meter's Metering uses of the meter: the lab clock and the state its service users configure. Settling
    writes meter_balance and, recovering time debt, debt's time debt registers."""

    meter_balance: int                          # 10^-5 GBP

    @property
    def clock(self) -> Clock: ...

    @property
    def payment_mode(self) -> PaymentMode: ...

    @property
    def tariff(self) -> dict[str, str]: ...                 # flattened 1.1.1 / 1.2.1 fields

    @property
    def debt(self) -> dict[str, str]: ...                   # flattened 2.3 fields

    @property
    def billing_calendar(self) -> dict[str, str]: ...       # flattened 6.8 fields

    @property
    def gas_conversion(self) -> dict[str, str]: ...         # flattened 6.6 fields (an ESME's stay empty)


class Metering:
    """Consumption, registers, logs and the meter balance of the meter (ESME or GSME) that owns it, from
    installation (start) on; before it, settling does nothing and a read fails. The emergency credit balance is
    its own: 0 until 2.5 grants the limit (the ESME's ECS09); consumption does not draw it down in this model."""

    def __init__(self, host: MeteringHost, fuel: Fuel, seed: bytes):
        self.host, self.fuel, self._seed = host, fuel, seed
        self.emergency_credit_balance = 0
        self._state: _Metering | None = None

    # -- installation and settlement ---------------------------------------------------------------

    def start(self, at: dt.datetime) -> None:
        """The meter is installed at `at`: consumption starts. A second call changes nothing."""
        if self._state is not None:
            return
        at = _utc(at)
        seed = hashlib.sha256(self._seed).digest()
        model = ConsumptionModel(seed, self.fuel, at)
        tariff = self._tariff()
        account = _Account(at, self.host.meter_balance, Fraction(0), (model.initial_register,), tariff,
                           self.host.payment_mode, self.emergency_credit_balance, 0)
        self._state = _Metering(model, at, account, [account], [at], deque(maxlen=DAILY_LOG_DAYS),
                                {self._tariff_key(): tariff})

    @property
    def consumption(self) -> ConsumptionModel | None:
        """The consumption model, or None before installation."""
        return self._state.model if self._state else None

    @property
    def prepayment_daily_log(self) -> list[PrepaymentSnapshot]:
        return list(self._state.prepayment_log) if self._state else []

    @property
    def accumulated_debt_register(self) -> int:
        return self._state.head.accumulated_debt if self._state else 0

    def settle(self) -> None:
        """Bring the meter balance (and the TOU registers) up to now, day by day. Callers that change the
        balance, tariff, payment mode or emergency credit call this first, so the past is costed as it was."""
        m = self._state
        if m is None:
            return
        now = self.host.clock.now()
        if now < m.settled_to:
            return
        self._open_account_if_changed()
        midnight = _next_midnight_from(m.settled_to)
        if midnight == m.settled_to:
            midnight += DAY
        while midnight <= now:
            self._close_day(midnight)
            midnight += DAY
        m.head = m.head.project(m.model, now)
        m.settled_to = now
        self.host.meter_balance = m.head.balance

    def clear_accumulated_debt(self) -> None:
        """The accumulated debt register set to 0 now (ECS04b resets it with the other credits); the past keeps it."""
        if self._state is None:
            return
        self.settle()
        m = self._state
        if m.head.accumulated_debt:
            m.head = replace(m.head, accumulated_debt=0)
            self._keep(m.head)

    def switch_supply(self, on: bool) -> None:
        """The load switch closed (on) or opened now: consumption so far is costed as it was, and from now on
        the meter measures (and charges for) nothing while it is open. Before installation there is nothing to
        measure."""
        if self._state is None:
            return
        self.settle()
        self._state.model.switch_supply(on, self.host.clock.now())

    def _tariff_key(self) -> tuple:
        return (tuple(sorted(self.host.tariff.items())), tuple(sorted(self.host.gas_conversion.items())))

    def _tariff(self) -> Tariff:
        key = self._tariff_key()
        tariffs = self._state.tariffs if self._state else {}
        tariff = tariffs.get(key)
        if tariff is None:
            tariff = tariffs[key] = Tariff(self.host.tariff, self.fuel, self.host.gas_conversion)
        return tariff

    def rate_now(self) -> int:
        """The TOU rate the tariff's switching table gives the half hour now."""
        now = self.host.clock.now().astimezone(UTC)
        return self._tariff().rates_on(now.date())[(now.hour * 60 + now.minute) // 30]

    def unit_rate_now(self) -> int:
        """The unit rate of the TOU rate in force now (an ESME's Active Tariff Price)."""
        return self._tariff().unit_rates.get(self.rate_now(), 0)

    def _open_account_if_changed(self) -> None:
        """Someone changed the meter since the last settlement (which they did at its time): a new account."""
        m = self._installed()
        head, tariff = m.head, self._tariff()
        state = (self.host.meter_balance, self.host.payment_mode, self.emergency_credit_balance)
        if state != (head.balance, head.payment_mode, head.emergency_credit) or tariff is not head.tariff:
            m.head = replace(head, balance=self.host.meter_balance, payment_mode=self.host.payment_mode,
                             emergency_credit=self.emergency_credit_balance, tariff=tariff)
            self._keep(m.head)

    def _keep(self, account: _Account) -> None:
        m = self._installed()
        m.accounts.append(account)
        m.times.append(account.at)

    def _close_day(self, midnight: dt.datetime) -> None:
        """Midnight: recover the day's time debt (prepayment only), then take the daily snapshot."""
        m = self._installed()
        head = m.head.project(m.model, midnight)
        recovered = self._recover_time_debt() if head.payment_mode is PaymentMode.PREPAYMENT else 0
        m.head = replace(head, balance=head.balance - recovered, accumulated_debt=head.accumulated_debt + recovered)
        self._keep(m.head)                             # an account a day: a past state costs at most a day to rebuild
        self.host.meter_balance = m.head.balance
        m.prepayment_log.append(PrepaymentSnapshot(
            midnight, m.head.balance, m.head.emergency_credit, m.head.accumulated_debt,
            (_int(self.host.debt.get("TimeDebtRegister1")), _int(self.host.debt.get("TimeDebtRegister2"))),
            _int(self.host.debt.get("PaymentDebtRegister"))))

    def _recover_time_debt(self) -> int:
        """A day's recovery from each time debt register at its 2.3 rate (HOURLY rates x 24), never more
        than is owed; the registers in `debt` go down, the accumulated debt register up."""
        group = "ElecDebtRecovery" if self.fuel == ELECTRICITY else "GasDebtRecovery"
        recovered = 0
        for i in (1, 2):
            owed = _int(self.host.debt.get(f"TimeDebtRegister{i}"))
            rate = _int(self.host.debt.get(f"{group}{i}/DebtRecoveryRate"))
            if owed <= 0 or rate <= 0:
                continue
            scale = _int(self.host.debt.get(f"{group}{i}/DebtRecoveryRatePriceScale"), MONEY_SCALE)
            hours = 24 if str(self.host.debt.get(f"{group}{i}/DebtRecoveryRatePeriod", "")).upper() == "HOURLY" else 1
            take = min(owed, math.floor(rate * hours * Fraction(10) ** (scale - MONEY_SCALE)))
            self.host.debt[f"TimeDebtRegister{i}"] = str(owed - take)
            recovered += take
        return recovered

    def _account_at(self, at: dt.datetime) -> _Account:
        """The accounts at a settled time (installation <= at <= settled_to)."""
        m = self._installed()
        i = bisect.bisect_right(m.times, at) - 1
        return m.accounts[max(i, 0)].project(m.model, at)

    def _snapshot(self, at: dt.datetime) -> dict[str, str]:
        account = self._account_at(at)
        registers = account.tou + (0,) * (account.tariff.registers - len(account.tou))
        out = {"DateTime": _stamp(at), "ImportRegister": str(self._installed().model.register(at))}
        out.update({f"TOURegister[{n}]": str(value) for n, value in enumerate(registers, 1)})
        out.update({"MeterBalance": str(account.balance), "EmergencyCreditBalance": str(account.emergency_credit),
                    "AccumulatedDebtRegister": str(account.accumulated_debt), "PaymentMode": account.payment_mode})
        return out

    def billing_snapshot(self) -> dict[str, str]:
        """Registers and balance now, for a billing data log entry (settles first); nothing before installation."""
        if self._state is None:
            return {}
        self.settle()
        debt = {name: str(_int(self.host.debt.get(name))) for name in DEBT_REGISTERS}
        return {**self._snapshot(self.host.clock.now()), **debt, "Unit": self._state.model.unit, "Currency": CURRENCY,
                "MoneyScale": str(MONEY_SCALE)}

    def _installed(self) -> _Metering:
        if self._state is None:
            raise CommandFailed(f"{type(self.host).__name__} is not installed: it has measured nothing")
        return self._state

    # -- reads (the GPF mirror answers with these too) ------------------------------------------------

    def read_import_registers(self) -> dict[str, str]:
        m, now = self._installed(), self.host.clock.now()
        return {"DateTime": _stamp(now), "ImportRegister": str(m.model.register(now)), "Unit": m.model.unit}

    def read_tou_registers(self) -> dict[str, str]:
        m = self._installed()
        self.settle()
        snapshot = self._snapshot(self.host.clock.now())
        registers = {k: v for k, v in snapshot.items() if k.startswith("TOURegister[")}
        return {"DateTime": snapshot["DateTime"], "TOURegisters": str(len(registers)), **registers,
                "Unit": m.model.unit}

    def billing_calendar_entries(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, str]]:
        """The billing calendar triggered billing data log entries (snapshots) in [start, end]."""
        m = self._installed()
        self.settle()
        try:
            dates = billing_dates(self.host.billing_calendar, m.model.installed, self.host.clock.now())
        except ValueError as exc:
            raise CommandFailed(f"billing calendar: {exc}") from None
        return [self._snapshot(at) for at in dates[-BILLING_LOG_ENTRIES:] if start <= at <= end]

    def daily_read_entries(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, str]]:
        """The daily read log entries (register and TOU registers at each midnight) in [start, end]."""
        m = self._installed()
        self.settle()
        entries = []
        for at, register in m.model.midnights(*self._daily_window(start, end)):
            snapshot = self._snapshot(at)
            entries.append({"DateTime": _stamp(at), "ImportRegister": str(register),
                            **{k: v for k, v in snapshot.items() if k.startswith("TOURegister[")}})
        return entries

    def profile_entries(self, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, int]]:
        """(start, consumption) of each half hour the profile data log holds in [start, end]."""
        m, now = self._installed(), self.host.clock.now()
        last = _slot_floor(now) - HALF_HOUR                       # the last half hour that has ended
        oldest = last - (PROFILE_LOG_INTERVALS - 1) * HALF_HOUR
        return m.model.profile(max(start, oldest), min(end, last)) if start <= end else []

    def prepayment_daily_entries(self, start: dt.datetime, end: dt.datetime) -> list[PrepaymentSnapshot]:
        m = self._installed()
        self.settle()
        return [s for s in m.prepayment_log if start <= s.at <= end]

    def daily_consumption_entries(self, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, int]]:
        """(midnight, the consumption of the day it ends) of each daily consumption log entry in [start, end]."""
        return self._installed().model.daily_consumption(*self._daily_window(start, end))

    def debt_registers_at(self, at: dt.datetime) -> dict[str, str]:
        """The payment and time debt registers at a past time: as the last prepayment daily snapshot at or
        before it holds them (the model changes time debt at midnight; a 2.3 update between that midnight
        and `at` shows only from the next midnight), else as they are now."""
        taken = [s for s in self.prepayment_daily_log if s.at <= at]
        if taken:
            fields = taken[-1].fields()
            return {name: fields[name] for name in DEBT_REGISTERS}
        return {name: str(_int(self.host.debt.get(name))) for name in DEBT_REGISTERS}

    def billing_prepayment(self, entries: list[dict[str, str]]) -> list[dict[str, str]]:
        """The prepayment data captured with each billing data log entry, in MMC names (ESME and GSME alike)."""
        return [esme_prepayment({**e, **self.debt_registers_at(dt.datetime.fromisoformat(e["DateTime"]))},
                                e["DateTime"]) for e in entries]

    def _daily_window(self, start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """The part of [start, end] the daily logs still hold: the last DAILY_LOG_DAYS midnights up to now."""
        now = self.host.clock.now()
        oldest = _midnight(now.date()) - (DAILY_LOG_DAYS - 1) * DAY
        return max(start, oldest), min(end, now)

    # -- GSME reads in the names of their MMC responses (the GPF mirror answers with these too) ----------
    # Registers read instantaneously are in m3 as the GSME reports them (gsme_reads.register_value); logs
    # carry the meter's dm3 and 10^-5 GBP. A gas meter has 4 TOU tier registers (Metering attributes
    # 0x0100-0x0106); its snapshots carry the tariff's registers and, the model having no block tariff, no
    # block registers.

    def gas_import_register(self) -> dict[str, str]:
        m = self._installed()
        return {"Gas/ConsumptionRegister/Value": gsme_reads.register_value(m.model.register(self.host.clock.now())),
                "Gas/ConsumptionRegister/Unit": "m3"}

    def gas_tou_registers(self) -> dict[str, str]:
        tiers = snapshot_tou(self.read_tou_registers())
        tiers = (tiers + [0] * gsme_reads.TIERS)[:gsme_reads.TIERS]
        return mmc_indexed("Gas/TariffTOURegisterMatrix/TOURegisterMatrixValue",
                        [gsme_reads.register_value(v) for v in tiers])

    def prepay_values(self) -> dict[str, str]:
        """ReadInstantaneousPrepayValuesRsp (4.3, ESME and GSME alike): the balances and debt registers now."""
        self.settle()
        return {"EmergencyCreditBalance": str(self.emergency_credit_balance),
                "AccumulatedDebtRegister": str(self.accumulated_debt_register),
                **{name: str(_int(self.host.debt.get(name))) for name in DEBT_REGISTERS},
                "MeterBalance": str(self.host.meter_balance)}

    def gas_meter_balance(self) -> dict[str, str]:
        """ReadMeterBalanceRsp: the Bill To Date (unsigned: what the account owes) and the Credit Remaining,
        both of the one account the model keeps in either payment mode."""
        self.settle()
        return {"MeterBalance": str(max(0, -self.host.meter_balance)),
                "Gas/MeterBalancePrepaymentMode": str(self.host.meter_balance)}

    def gas_billing_calendar_log(self, start: dt.datetime, end: dt.datetime) -> dict[str, str]:
        entries = self.billing_calendar_entries(start, end)
        consumption = [{"Timestamp": mmc_time(e["DateTime"]),
                        "ActiveImportRegisterValueConsumption": e["ImportRegister"],
                        **mmc_indexed("TariffTOURegisterMatrixValue", snapshot_tou(e))} for e in entries]
        return mmc_element("Gas", {**mmc_repeated("Gas/GSMEBillingDataLogEntry", consumption),
                                   **mmc_repeated("Gas/GSMEBillingPrepaymentDataLogEntry",
                                                  self.billing_prepayment(entries))})

    def gas_daily_read_log(self, start: dt.datetime, end: dt.datetime) -> dict[str, str]:
        return mmc_repeated("LogEntry", [{"Timestamp": mmc_time(e["DateTime"]),
                                          "Gas/GasActiveImportRegisterConsumption": e["ImportRegister"],
                                          **mmc_indexed("Gas/TariffTOURegisterMatrix", snapshot_tou(e))}
                                         for e in self.daily_read_entries(start, end)])

    def gas_prepayment_daily_log(self, start: dt.datetime, end: dt.datetime) -> dict[str, str]:
        return mmc_element("Gas", mmc_repeated("Gas/LogEntry", [esme_prepayment(s.fields(), s.at)
                                                                for s in self.prepayment_daily_entries(start, end)]))

    def gas_profile(self, start: dt.datetime, end: dt.datetime) -> dict[str, str]:
        return mmc_repeated("LogEntry", [{"Timestamp": mmc_time(at), "Gas/PrimaryValue": str(value)}
                                         for at, value in self.profile_entries(start, end)])

    def gas_daily_consumption_log(self, start: dt.datetime, end: dt.datetime) -> dict[str, str]:
        days = self.daily_consumption_entries(start, end)
        return mmc_element("Gas", mmc_repeated("Gas/LogEntry", [{"Value": str(value), "Timestamp": mmc_time(at)}
                                                                for at, value in days]))


class GasReads(ABC):
    """The gas reads in the names of their MMC responses, answered from a GSME's metering: a meter's own, or the
    one the GPF mirrors (GBCS: the GPF mirrors the GSME's data; the model answers from the GSME's state now, not
    from a last synchronisation)."""

    access_restricted_from: str | None                       # 3.2's Change of Tenancy date (ESME, GPF)
    for_other_user: Callable[[GeneralSigning], bool]         # EmulatedDevice's

    def readable_period(self, fields: Mapping[str, str], apdu: GeneralSigning) -> tuple[dt.datetime, dt.datetime]:
        """The ReadLogPeriod as this requester may see it. GBCS ECS12/GCS09: once a Change of Tenancy date is set,
        the householder's access to the profile, daily read, prepayment daily read, billing data and daily
        consumption logs (and the historical value store) starts at it; the householder reads through Other
        Users, so their reads start there while the suppliers' and network operators' do not."""
        start, end = log_period(fields)
        if self.access_restricted_from and self.for_other_user(apdu):
            start = max(start, when(self.access_restricted_from))
        return start, end

    @abstractmethod
    def gas_metering(self) -> Metering:
        """The metering these reads answer from (CommandFailed if there is none)."""

    @handles("GCS13a")
    def _gas_import_register(self, fields: dict, apdu: GeneralSigning) -> dict:
        return self.gas_metering().gas_import_register()

    @handles("GCS13c")
    def _gas_tou_registers(self, fields: dict, apdu: GeneralSigning) -> dict:
        return self.gas_metering().gas_tou_registers()

    @handles("GCS15c")
    def _gas_billing_calendar_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        return self.gas_metering().gas_billing_calendar_log(*self.readable_period(fields, apdu))

    @handles("GCS16a")
    def _gas_daily_read_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        return self.gas_metering().gas_daily_read_log(*self.readable_period(fields, apdu))

    @handles("GCS17")
    def _gas_profile(self, fields: dict, apdu: GeneralSigning) -> dict:
        return self.gas_metering().gas_profile(*self.readable_period(fields, apdu))

    @handles("GCS16b")
    def _gas_prepayment_daily_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        return self.gas_metering().gas_prepayment_daily_log(*self.readable_period(fields, apdu))
