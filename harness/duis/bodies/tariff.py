"""Bodies of the tariff, prepayment and supplier-display SRs: 1.x, 2.x and 3.x.

Money values are the raw integers DUIS carries, not pounds: an electricity price or debt recovery
rate counts units of 10**scale of the currency (DUIS gives the scale beside it; -5 by default here,
so 24500 reads £0.245), while the GSME's values carry no scale in DUIS at all. Read as thousandths
of a penny, the DUIS samples' values are plausible on both fuels, so the defaults use that reading
(an inference: the XSD states no unit). Values are range-checked against their XSD types so that
a bad Gherkin value fails here, with its name, rather than as a schema error on the whole request.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from lxml import etree

from harness.catalogue import PaymentMode
from harness.duis.bodies._common import ELECTRICITY, boolean, fuel_type, future_dated, integer
from harness.duis.requests import body, xs_datetime
from harness.duis.xml import E
from harness.errors import DitError

_SHORT = (-2**15, 2**15 - 1)
_USHORT = (0, 2**16 - 1)
_INT = (-2**31, 2**31 - 1)
_UINT = (0, 2**32 - 1)
_SCALE = (-128, 127)
_DEFAULT_SCALE = -5
_NO_BLOCK_THRESHOLD = 2**32 - 1        # a block threshold never reached: the tariff is pure TOU
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_PRINTABLE = re.compile(r"[ -~]+")     # the XSD's printable-ASCII pattern for display texts


def _fuel(srv: str, fuel: str) -> bool:
    """True for electricity: the ESME and GSME bodies differ in structure and in value types."""
    return fuel_type(fuel, srv) == ELECTRICITY


def _number(srv: str, name: str, value: int | str, bounds: tuple[int, int], xsd_type: str) -> str:
    """An integer within its XSD type (named in the error, since the bounds come from it)."""
    return integer(f"{srv} {name} ({xsd_type})", value, *bounds)


def _scale(srv: str, name: str, value: int | str | None, elec: bool) -> str:
    if value is None:
        return str(_DEFAULT_SCALE)
    if not elec:
        raise DitError(f"{srv} {name} applies to electricity only", fix="gas values carry no scale in DUIS")
    return _number(srv, name, value, _SCALE, "price scale")


def _text(srv: str, name: str, value: str, max_length: int) -> str:
    value = str(value)
    if not _PRINTABLE.fullmatch(value) or len(value) > max_length:
        raise DitError(f"{srv} {name} must be 1 to {max_length} printable ASCII characters, not {value!r}")
    return value


def _time_of_day(srv: str, name: str, value: dt.time | str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError:
        raise DitError(f"{srv} {name} must be a time of day such as 18:00, not {value!r}") from None


def _xs_time(value: dt.time) -> str:
    """xs:time in UTC, as the DUIS samples write switching times."""
    return f"{value:%H:%M:%S}.00Z"


def _wildcard_year_date(month: int, day: int, elec: bool) -> list[etree._Element]:
    """An every-year date: the ESME (sr:Date) and GSME (GasDateWithWildcards) spell it differently."""
    if elec:
        return [E.Year(E.NonSpecifiedYear()), E.Month(E.SpecifiedMonth(str(month))),
                E.DayOfMonth(E.SpecifiedDayOfMonth(str(day))), E.DayOfWeek(E.NonSpecifiedDayOfWeek())]
    return [E.GasYearWithWildcards(E.NonSpecifiedYear()), E.GasMonthWithWildcards(E.SpecifiedMonth(str(month))),
            E.GasDayOfMonthWithWildcards(E.SpecifiedDayOfMonth(str(day))),
            E.GasDayOfWeekWithWildcards(E.NonSpecifiedDayOfWeek())]


def _seven_days(tag: str, day_name: int) -> list[etree._Element]:
    return [E(tag, str(day_name), index=str(i)) for i in range(1, 8)]


# --- 1.1.1 and 1.2.1: tariff and prices -------------------------------------------------------

def _single_rate_switching(elec: bool) -> etree._Element:
    """One day profile on TOU rate 1 all day, every day of a single year-round season."""
    if elec:
        tariff = [E.CurrencyUnits("GBP")]
        day = E.DayProfile(E.DayName("1"), E.ProfileSchedule(E.StartTime("00:00:00.00Z"), E.TOUTariffAction("1")))
        season = E.Season(E.SeasonName("all year"), E.SeasonStartDate(*_wildcard_year_date(1, 1, elec)),
                          E.ReferencedWeekName("1"))
        thresholds = [E.Thresholds(E.BlockThreshold(str(_NO_BLOCK_THRESHOLD), index="1"), index=str(i))
                      for i in range(1, 9)]
    else:
        tariff = []
        day = E.DayProfile(E.DayName("1"), E.TOUTariffAction("1"))
        season = E.Season(E.SeasonStartDate(*_wildcard_year_date(1, 1, elec)), E.ReferencedWeekName("1"))
        # Required by the XSD although the GBCS command has no gas threshold: the samples mock it.
        thresholds = [E.BlockThreshold(str(_NO_BLOCK_THRESHOLD), index="1")]
    switching = E.SwitchingTable(E.DayProfiles(day),
                                 E.WeekProfiles(E.WeekProfile(E.WeekName("1"), *_seven_days("ReferencedDayName", 1))),
                                 E.Seasons(season))
    tariff += [switching, E.SpecialDays(), E.ThresholdMatrix(*thresholds)]
    return E("ElecTariffElements" if elec else "GasTariffElements", *tariff)


def _price_elements(srv: str, elec: bool, unit_rates: Sequence[int | str], standing_charge: int | str,
                    price_scale: int | str | None, standing_charge_scale: int | str | None) -> etree._Element:
    most = 48 if elec else 4
    if not 1 <= len(unit_rates) <= most:
        raise DitError(f"{srv} takes 1 to {most} {'electricity' if elec else 'gas'} TOU unit rates, "
                       f"not {len(unit_rates)}")
    bounds, xsd_type = (_SHORT, "xs:short") if elec else (_UINT, "xs:unsignedInt")
    prices = [E.TOUPrice(_number(srv, f"unit rate {i}", rate, bounds, xsd_type), index=str(i))
              for i, rate in enumerate(unit_rates, start=1)]
    standing = E.StandingCharge(_number(srv, "standing_charge", standing_charge, bounds, xsd_type))
    if elec:
        prices_element = E.ElectricityPriceElements(
            standing, E.StandingChargeScale(_scale(srv, "standing_charge_scale", standing_charge_scale, elec)),
            E.PriceScale(_scale(srv, "price_scale", price_scale, elec)), E.TOUTariff(*prices))
    else:
        _scale(srv, "standing_charge_scale", standing_charge_scale, elec)
        _scale(srv, "price_scale", price_scale, elec)
        prices_element = E.GasPriceElements(E.CurrencyUnits("GBP"), standing, E.TOUTariff(*prices))
    return E.PriceElements(prices_element)


@body("1.1.1")
def update_import_tariff_primary_element(*, fuel: str = ELECTRICITY, unit_rate: int = 24500,
                                         standing_charge: int = 30000, price_scale: int | None = None,
                                         standing_charge_scale: int | None = None,
                                         execution_date_time: dt.datetime | None = None) -> etree._Element:
    """A single-rate tariff (TOU rate 1 all day, all year, no special days): enough to see the meter
    switch tariff and bill at the new price, without a switching table to maintain in a test.
    The scales (default -5) are for electricity only."""
    elec = _fuel("1.1.1", fuel)
    return E.UpdateImportTariffPrimaryElement(
        *future_dated(execution_date_time), _single_rate_switching(elec),
        _price_elements("1.1.1", elec, [unit_rate], standing_charge, price_scale, standing_charge_scale))


@body("1.2.1")
def update_price_primary_element(*, fuel: str = ELECTRICITY, unit_rates: int | str | Sequence[int | str] = 24500,
                                 standing_charge: int = 30000, price_scale: int | None = None,
                                 standing_charge_scale: int | None = None,
                                 execution_date_time: dt.datetime | None = None) -> etree._Element:
    """New prices for the tariff already on the meter: one unit rate for the single-rate tariff of
    1.1.1, or one per TOU rate in use (up to 48 electricity, 4 gas), as a list or comma-separated."""
    elec = _fuel("1.2.1", fuel)
    rates: list[int | str]
    if isinstance(unit_rates, str):
        rates = [rate for rate in unit_rates.split(",") if rate.strip()]   # "24500, 12000" from a table
    else:
        rates = [unit_rates] if isinstance(unit_rates, int) else list(unit_rates)
    return E.UpdatePricePrimaryElement(
        *future_dated(execution_date_time),
        _price_elements("1.2.1", elec, rates, standing_charge, price_scale, standing_charge_scale))


# --- 1.5, 1.6: meter balance and payment mode -------------------------------------------------

@body("1.5")
def update_meter_balance(*, payment_mode: PaymentMode | str = PaymentMode.PREPAYMENT, adjustment: int = 500000,
                         reset: bool = False) -> etree._Element:
    """Adjust the meter balance by a signed amount, or reset it (then adjustment is not sent).
    payment_mode is the mode the meter is in: DUIS addresses the prepayment or credit balance."""
    mode = PaymentMode.parse(payment_mode, "1.5 payment_mode")
    action = E.ResetMeterBalance() if reset else E.AdjustMeterBalance(
        _number("1.5", "adjustment", adjustment, _INT, "xs:int"))
    return E.UpdateMeterBalance(E.PrepaymentMode(action) if mode is PaymentMode.PREPAYMENT else E.CreditMode(action))


@body("1.6")
def update_payment_mode(*, payment_mode: PaymentMode | str = PaymentMode.CREDIT, suspend_debt_disabled: bool = True,
                        suspend_debt_emergency: bool = True, disablement_threshold: int = 0,
                        execution_date_time: dt.datetime | None = None) -> etree._Element:
    """Credit, or prepayment with its debt-collection settings and disablement threshold (those three
    are not sent for credit). Same body for ESME and GSME."""
    parts = future_dated(execution_date_time)
    if PaymentMode.parse(payment_mode, "1.6 payment_mode") is PaymentMode.CREDIT:
        parts.append(E.Credit())
    else:
        parts.append(E.Prepayment(
            E.SuspendDebtDisabled(boolean(suspend_debt_disabled)),
            E.SuspendDebtEmergency(boolean(suspend_debt_emergency)),
            E.DisablementThreshold(_number("1.6", "disablement_threshold", disablement_threshold, _INT, "xs:int"))))
    return E.UpdatePaymentMode(*parts)


# --- 2.x: prepayment --------------------------------------------------------------------------

def _electricity_non_disablement(start: dt.time, stop: dt.time) -> etree._Element:
    """Two daily scripts, START and STOP, every day of the week over a long date range."""
    def schedule(script: str, at: dt.time) -> etree._Element:
        return E.ElectricityNonDisablementSchedule(
            E.NonDisablementScript(script), E.SpecialDaysApplicability(),
            E.DaysOfWeekApplicability(*[E.DayOfWeekApplicability(E.DayOfWeekID(d)) for d in _WEEKDAYS]),
            E.ScheduleDatesAndTime(E.SwitchTime(_xs_time(at)), E.StartDate("2025-01-01Z"), E.EndDate("2099-12-31Z")))
    return E.ElectricityNonDisablementCalendar(E.ElectricitySpecialDays(), schedule("START", start),
                                               schedule("STOP", stop))


def _gas_non_disablement(start: dt.time, stop: dt.time) -> etree._Element:
    """One day profile used every day of a single year-round season; the day opens in whichever state
    the window leaves it at midnight."""
    midnight = dt.time(0, 0)
    events = sorted([(start, "START"), (stop, "STOP")])
    if midnight not in (start, stop):
        events.insert(0, (midnight, events[-1][1]))
    actions = [E.TimeStartAction(E.StartTime(_xs_time(at)), E.NonDisablementAction(action)) for at, action in events]
    season = E.Season(E.SeasonStartDate(*_wildcard_year_date(1, 1, elec=False)), E.ReferencedWeekName("1"))
    return E.GasNonDisablementCalendar(
        E.DayProfiles(E.GasNonDisablementDayProfile(*actions, E.GasDayName("1"))),
        E.WeekProfiles(E.WeekProfile(E.WeekName("1"), *_seven_days("ReferencedDayName", 1))),
        E.SeasonProfiles(season), E.SpecialDays())


@body("2.1")
def update_prepay_configuration(*, fuel: str = ELECTRICITY, debt_recovery_rate_cap: int = 5000,
                                emergency_credit_limit: int = 500000, emergency_credit_threshold: int = 100000,
                                low_credit_threshold: int = 200000, max_meter_balance: int = 25000000,
                                max_credit_threshold: int = 10000000,
                                non_disablement_start: dt.time | str = dt.time(18, 0),
                                non_disablement_stop: dt.time | str = dt.time(8, 0),
                                execution_date_time: dt.datetime | None = None) -> etree._Element:
    """Prepayment settings plus a daily non-disablement ("friendly credit") window, by default
    18:00 to 08:00 UTC every day; no special days."""
    srv = "2.1"
    elec = _fuel(srv, fuel)
    start = _time_of_day(srv, "non_disablement_start", non_disablement_start)
    stop = _time_of_day(srv, "non_disablement_stop", non_disablement_stop)
    if start == stop:
        raise DitError(f"{srv} non_disablement_start and non_disablement_stop are both {start:%H:%M}",
                       fix="give a window with different start and stop times")
    # The ESME and GSME types differ: the cap is xs:unsignedShort vs xs:int, the rest xs:int vs xs:unsignedInt.
    cap = (_USHORT, "xs:unsignedShort") if elec else (_INT, "xs:int")
    money = (_INT, "xs:int") if elec else (_UINT, "xs:unsignedInt")

    def value(tag: str, name: str, number: int, bounds: tuple[tuple[int, int], str]) -> etree._Element:
        return E(tag, _number(srv, name, number, *bounds))

    calendar = _electricity_non_disablement(start, stop) if elec else _gas_non_disablement(start, stop)
    config = [value("DebtRecoveryRateCap", "debt_recovery_rate_cap", debt_recovery_rate_cap, cap),
              value("EmergencyCreditLimit", "emergency_credit_limit", emergency_credit_limit, money),
              value("EmergencyCreditThreshold", "emergency_credit_threshold", emergency_credit_threshold, money),
              value("LowCreditThreshold", "low_credit_threshold", low_credit_threshold, money),
              calendar,
              value("MaxMeterBalance", "max_meter_balance", max_meter_balance, money),
              value("MaxCreditThreshold", "max_credit_threshold", max_credit_threshold, money)]
    return E.UpdatePrepayConfiguration(
        *future_dated(execution_date_time),
        E("UpdatePrepayConfigElectricity" if elec else "UpdatePrepayConfigGas", *config))


@body("2.2")
def top_up_device(*, utrn: str) -> etree._Element:
    """The 20-digit UTRN as printed (spaces and hyphens between digit groups are dropped)."""
    digits = re.sub(r"[\s-]", "", str(utrn))
    if not re.fullmatch(r"[0-9]{20}", digits):
        raise DitError(f"2.2 UTRN must be 20 digits, not {utrn!r}")
    return E.TopUpDevice(E.UTRN(digits))


@body("2.3")
def update_debt(*, fuel: str = ELECTRICITY, time_debt_register_1: int = 0, time_debt_register_2: int = 0,
                payment_debt_register: int = 0, debt_recovery_per_payment: int = 0,
                debt_recovery_rate_1: int = 0, debt_recovery_rate_2: int = 0,
                debt_recovery_rate_period: str = "DAILY",
                debt_recovery_rate_price_scale: int | None = None) -> etree._Element:
    """The three debt registers with their recovery settings; both time-debt recovery rates share one
    period. debt_recovery_per_payment is 0-10000 (hundredths of a percent of each payment); the rate
    scale (default -5) is for electricity only."""
    srv = "2.3"
    elec = _fuel(srv, fuel)
    period = str(debt_recovery_rate_period).strip().upper()
    if period not in ("HOURLY", "DAILY"):
        raise DitError(f"{srv} debt_recovery_rate_period must be HOURLY or DAILY, not {debt_recovery_rate_period!r}")
    scale = _scale(srv, "debt_recovery_rate_price_scale", debt_recovery_rate_price_scale, elec)
    parts = [E.TimeDebtRegister1(_number(srv, "time_debt_register_1", time_debt_register_1, _INT, "xs:int")),
             E.TimeDebtRegister2(_number(srv, "time_debt_register_2", time_debt_register_2, _INT, "xs:int")),
             E.PaymentDebtRegister(_number(srv, "payment_debt_register", payment_debt_register, _INT, "xs:int")),
             E.DebtRecoveryPerPayment(_number(srv, "debt_recovery_per_payment", debt_recovery_per_payment,
                                              (0, 10000), "0-10000"))]
    for i, rate in ((1, debt_recovery_rate_1), (2, debt_recovery_rate_2)):
        name = f"debt_recovery_rate_{i}"
        if elec:
            parts.append(E(f"ElecDebtRecovery{i}", E.DebtRecoveryRate(_number(srv, name, rate, _SHORT, "xs:short")),
                           E.DebtRecoveryRatePriceScale(scale), E.DebtRecoveryRatePeriod(period)))
        else:
            parts.append(E(f"GasDebtRecovery{i}", E.DebtRecoveryRate(_number(srv, name, rate, _INT, "xs:int")),
                           E.DebtRecoveryRatePeriod(period)))
    return E.UpdateDebt(*parts)


@body("2.5")
def activate_emergency_credit() -> etree._Element:
    return E.ActivateEmergencyCredit()


# --- 3.x: supplier display and change of tenancy ----------------------------------------------

@body("3.1")
def display_message(*, message: str = "DIT test message",
                    execution_date_time: dt.datetime | None = None) -> etree._Element:
    """Up to 116 printable ASCII characters for the meter (and IHD) display."""
    return E.DisplayMessage(*future_dated(execution_date_time),
                            E.SupplierMessage(_text("3.1", "message", message, 116)))


@body("3.2")
def restrict_access_for_change_of_tenancy(*, restriction_date_time: dt.datetime,
                                          execution_date_time: dt.datetime | None = None) -> etree._Element:
    """Required: the XSD has no default and DIT allows no wildcards, so the tenancy change instant
    (an aware datetime) must come from the scenario."""
    if not isinstance(restriction_date_time, dt.datetime):
        raise DitError(f"3.2 restriction_date_time must be a date-time, not {restriction_date_time!r}",
                       fix="give an aware datetime (UTC); wildcards are not allowed")
    return E.RestrictAccessForChangeOfTenancy(*future_dated(execution_date_time),
                                              E.RestrictionDateTime(xs_datetime(restriction_date_time)))


@body("3.4")
def update_supplier_name(*, supplier_name: str = "DIT Energy", supplier_telephone_number: str = "0808 157 0123",
                         execution_date_time: dt.datetime | None = None) -> etree._Element:
    """Name (up to 15 printable ASCII characters) and telephone number (up to 18 digits and spaces)
    shown on the meter; the default number is in Ofcom's range reserved for drama."""
    phone = str(supplier_telephone_number)
    if not re.fullmatch(r"[0-9 ]{1,18}", phone):
        raise DitError(f"3.4 supplier_telephone_number must be up to 18 digits and spaces, not {phone!r}")
    return E.UpdateSupplierName(*future_dated(execution_date_time),
                                E.SupplierName(_text("3.4", "supplier_name", supplier_name, 15)),
                                E.SupplierTelephoneNumber(phone))


@body("3.5")
def disable_privacy_pin() -> etree._Element:
    return E.DisablePrivacyPIN()
