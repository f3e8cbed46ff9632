"""Bodies of the device configuration SRs: 6.x, clock synchronisation (6.11, 8.1.1), supply status (7.1-7.4) and
auxiliary load control (6.14.1, 7.5-7.8).

Numbers are checked against the DUIS XSD ranges here, so a bad Gherkin value fails with the parameter's
name instead of a schema error; values the XSD accepts but a device should refuse (a low-medium power
threshold above the medium-high one, say) are left alone for negative tests.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from lxml import etree

from harness.duis.bodies._common import choice, fuel_type, future_dated, integer, read_log_period
from harness.duis.requests import body, xs_datetime
from harness.duis.xml import E
from harness.errors import DitError

UNSIGNED_INT_MAX = 2**32 - 1
UNSIGNED_SHORT_MAX = 2**16 - 1


def _decimal(name: str, value: float | str | Decimal, places: int, low: str, high: str, *,
             exclusive: bool = False) -> str:
    """A decimal with at most `places` fraction digits, written with exactly that many (as DUIS samples)."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise DitError(f"{name} must be a number, not {value!r}") from None
    exponent = number.as_tuple().exponent          # 'n', 'N' or 'F' for NaN and infinity
    if not isinstance(exponent, int) or exponent < -places:
        raise DitError(f"{name} allows at most {places} decimal places, not {value!r}")
    inside = (Decimal(low) < number < Decimal(high)) if exclusive else (Decimal(low) <= number <= Decimal(high))
    if not inside:
        bounds = f"strictly between {low} and {high}" if exclusive else f"between {low} and {high}"
        raise DitError(f"{name} must be {bounds}, not {value!r}")
    return f"{number.quantize(Decimal(1).scaleb(-places)):f}"


# --- 6.4.1, 6.6, 6.8, 6.12, 6.20.1, 6.25: supplier settings -----------------------------------------------

@body("6.4.1")
def update_device_configuration_load_limiting_general_settings(
        *, load_limit_period: int = 300, load_limit_power_threshold: int = 6900,
        load_limit_restoration_period: int = 30, load_limit_supply_state: str = "Unchanged",
        execution_date_time: dt.datetime | None = None) -> etree._Element:
    """Supply state 'Unchanged' by default, so a lab load above the threshold does not cut the rig's supply;
    'Disable' tests the disconnection."""
    return E.UpdateDeviceConfigurationLoadLimitingGeneralSettings(
        *future_dated(execution_date_time),
        E.LoadLimitPeriod(integer("load_limit_period", load_limit_period, 0, UNSIGNED_INT_MAX)),
        E.LoadLimitPowerThreshold(integer("load_limit_power_threshold", load_limit_power_threshold, 0,
                                           UNSIGNED_INT_MAX)),
        E.LoadLimitRestorationPeriod(integer("load_limit_restoration_period", load_limit_restoration_period, 0,
                                              UNSIGNED_INT_MAX)),
        E.LoadLimitSupplyState(choice("load_limit_supply_state", load_limit_supply_state,
                                       ("Disable", "Unchanged"))))


@body("6.6")
def update_device_configuration_gas_conversion(*, calorific_value: float | str | Decimal = 39.2,
                                               conversion_factor: float | str | Decimal = 1.02264) -> etree._Element:
    """Calorific value (1 decimal place) and volume conversion factor (5 decimal places) of a GSME."""
    return E.UpdateDeviceConfigurationGasConversion(
        E.CalorificValue(_decimal("calorific_value", calorific_value, 1, "0", "429496729.5")),
        E.ConversionFactor(_decimal("conversion_factor", conversion_factor, 5, "0", "42949.67295")))


PERIODICITIES = ("Daily", "Weekly", "Monthly", "Quarterly", "SixMonthly", "Yearly")


def _billing_time(value: dt.time | str) -> str:
    if isinstance(value, str):
        try:
            value = dt.time.fromisoformat(value.strip())
        except ValueError:
            raise DitError(f"billing_time must be HH:MM[:SS], not {value!r}") from None
    offset = value.utcoffset()
    if offset:
        raise DitError(f"billing_time {value.isoformat()} is not UTC", fix="give the billing time in UTC")
    return value.strftime("%H:%M:%S") + ".00Z"


@body("6.8")
def update_device_configuration_billing_calendar(
        *, fuel: str = "electricity", periodicity: str = "Monthly", billing_time: dt.time | str = "00:00:00",
        day_of_week: int = 1, day_of_month: int = 1, billing_period_start_month: int = 1,
        billing_period_start: dt.datetime | None = None) -> etree._Element:
    """The ESME calendar is a time of day plus a day (of week or month, 1-28) and, for quarterly and longer
    periods, a start month; the GSME calendar is a start date-time plus a periodicity."""
    periodicity = choice("periodicity", periodicity, PERIODICITIES)
    if fuel_type(fuel) == "gas":
        if billing_period_start is None:
            raise DitError("6.8 gas billing calendar needs billing_period_start",
                           fix="give the first billing date-time (aware datetime)")
        return E.UpdateDeviceConfigurationBillingCalendar(E.GasBillingCalendar(
            E.BillingPeriodStart(xs_datetime(billing_period_start)), E.Periodicity(periodicity)))
    if billing_period_start is not None:
        raise DitError("billing_period_start is for the gas calendar",
                       fix="for electricity give billing_time, day_of_week / day_of_month, billing_period_start_month")
    if periodicity == "Daily":
        period = E.Daily()
    elif periodicity == "Weekly":
        period = E.Weekly(integer("day_of_week", day_of_week, 1, 7))
    elif periodicity == "Monthly":
        period = E.Monthly(integer("day_of_month", day_of_month, 1, 28))
    else:
        period = E(periodicity, E.DayOfMonth(integer("day_of_month", day_of_month, 1, 28)),
                   E.BillingPeriodStartMonth(integer("billing_period_start_month", billing_period_start_month,
                                                      1, 12)))
    return E.UpdateDeviceConfigurationBillingCalendar(
        E.ElectricityBillingCalendar(E.BillingTime(_billing_time(billing_time)), period))


@body("6.12")
def update_device_configuration_instantaneous_power_threshold(
        *, low_medium_power_threshold: int = 2300, medium_high_power_threshold: int = 4600,
        execution_date_time: dt.datetime | None = None) -> etree._Element:
    """The two power levels at which the ESME's consumption indication changes band."""
    return E.UpdateDeviceConfigurationInstantaneousPowerThreshold(
        *future_dated(execution_date_time),
        E.LowMediumPowerThreshold(integer("low_medium_power_threshold", low_medium_power_threshold, 0,
                                           UNSIGNED_INT_MAX)),
        E.MediumHighPowerThreshold(integer("medium_high_power_threshold", medium_high_power_threshold, 0,
                                            UNSIGNED_INT_MAX)))


@body("6.20.1")
def set_device_configuration_import_mpxn(*, import_mpan: str | None = None, secondary_import_mpan: str | None = None,
                                         import_mprn: str | None = None,
                                         execution_date_time: dt.datetime | None = None) -> etree._Element:
    """An ESME takes an MPAN (and, for a twin element meter, a secondary MPAN); a GSME takes an MPRN."""
    if (import_mpan is None) == (import_mprn is None):
        raise DitError("6.20.1 needs exactly one of import_mpan (ESME) or import_mprn (GSME)")
    if import_mprn is not None:
        if secondary_import_mpan is not None:
            raise DitError("secondary_import_mpan is for an ESME, not with import_mprn")
        mprn = str(import_mprn).strip()
        if not 1 <= len(mprn) <= 10:
            raise DitError(f"import_mprn must be 1 to 10 characters, not {import_mprn!r}")
        return E.SetDeviceConfigurationImportMPxN(*future_dated(execution_date_time), E.ImportMPRN(mprn))
    mpans: list[etree._Element] = []
    for name, value in (("import_mpan", import_mpan), ("secondary_import_mpan", secondary_import_mpan)):
        if value is not None:
            mpan = str(value).strip()
            if len(mpan) != 13:
                raise DitError(f"{name} must be 13 characters, not {value!r}")
            mpans.append(E.SecondaryImportMPAN(mpan) if mpans else E.ImportMPAN(mpan))
    return E.SetDeviceConfigurationImportMPxN(*future_dated(execution_date_time), E.ImportMPANs(*mpans))


@body("6.25")
def set_electricity_supply_tamper_state(*, supply_tamper_state: str = "Locked") -> etree._Element:
    """'Locked': the ESME locks its supply when it detects tampering; 'Unchanged': it leaves it as is."""
    return E.SetElectricitySupplyTamperState(
        E.SupplyTamperState(choice("supply_tamper_state", supply_tamper_state, ("Locked", "Unchanged"))))


# --- 6.11, 8.1.1: clock ------------------------------------------------------------------------------------

def _clock(tag: str, current_date_time: dt.datetime, tolerance_period: int) -> etree._Element:
    return E(tag, E.CurrentDateTime(xs_datetime(current_date_time)),
             E.TolerancePeriod(integer("tolerance_period", tolerance_period, 0, 86400)))


@body("6.11")
def synchronise_clock(*, current_date_time: dt.datetime, tolerance_period: int = 60) -> etree._Element:
    """The device adjusts its clock only if it is within tolerance_period seconds of current_date_time
    (alert 0x8145), else refuses (0x81C6); the lab clock supplies current_date_time."""
    return _clock("SynchroniseClock", current_date_time, tolerance_period)


@body("8.1.1")
def commission_device_synchronise_clock(*, current_date_time: dt.datetime,
                                        tolerance_period: int = 60) -> etree._Element:
    """The clock synchronisation that commissions a device: on success the DSP sets it Commissioned in the SMI."""
    return _clock("CommissionDeviceSynchroniseClock", current_date_time, tolerance_period)


# --- 6.22: alert behaviour ------------------------------------------------------------------------------

def _codes(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Alert codes each group accepts, in XSD sequence order (the schema enforces that order); the Parse of
# 6.2.10 reads alert behaviours back by the same groups.
ESME_SUPPLIER_ALERTS = (
    ("SupplierESMECommon", _codes(
        "810D 810E 8119 8145 8154 8155 8161 8162 8168 8183 81A0 81A1 81A2 81A3 81A4 81A5 81A6 81A7 81A8 81A9 81AA "
        "81AB 81AC 81AD 81AE 81AF 81B0 81B1 81B2 81B3 81B8 81B9 81BA 81BB 81BC 81BD 81BE 81C0 81C1 81C4 81C5 81C6")),
    ("SupplierESMEPolyPhase", _codes("81B7")),
)
ESME_NETWORK_OPERATOR_ALERTS = (
    ("NetworkOperatorESMECommon", _codes("8014 8015")),
    ("NetworkOperatorESMESinglePhase", _codes("8002 8006 8020 8024 8028 802C 8085 8089 808D 8091 8095 8099 8010")),
    ("NetworkOperatorESMEPolyPhase", _codes(
        "8003 8004 8005 8007 8008 8009 8021 8022 8023 8025 8026 8027 8029 802A 802B 802D 802E 802F 8086 8087 8088 "
        "808A 808B 808C 808E 808F 8090 8092 8093 8094 8096 8097 8098 809A 809B 809C 8011 8016 8013")),
)
GSME_SUPPLIER_ALERTS = _codes(
    "810D 810E 8119 8145 8154 8155 8168 8183 8184 81A1 81A4 81A5 81A6 81A7 81A8 81A9 81AA 81AB 81AC 81AD 81AE 81AF "
    "81B0 81B1 81B2 81B3 81B4 81B5 81B6 81B9 81BA 81BC 81BD 81BE 81BF 81C0 81C2 81C3 81C4 81C5")
GSME_SUPPLIER_EVENTS = _codes(
    "810D 810E 8119 8145 8154 8155 8161 8162 8168 8183 8184 81A0 81A1 81A4 81A5 81A6 81A7 81A8 81A9 81AA 81AB 81AC "
    "81AD 81AE 81AF 81B0 81B1 81B2 81B3 81B4 81B5 81B6 81B9 81BA 81BC 81BD 81BE 81BF 81C0 81C2 81C3 81C4 81C5 81C6")

# (fuel, role) -> the behaviours that user may set; each element is <Fuel><Role><behaviour>.
ALERT_BEHAVIOURS = {
    ("electricity", "supplier"): ("Alerts", "HANAlertSettings", "AlarmSettings", "LoggingSettings"),
    ("electricity", "network_operator"): ("Alerts", "LoggingSettings"),
    ("gas", "supplier"): ("Alerts", "AlertEventSettings"),
}
EVENT_FLAGS = ("WANAlert", "HANAlert", "EventLog", "Alarm")
_FLAG_WORDS = {"wan": "WANAlert", "wanalert": "WANAlert", "han": "HANAlert", "hanalert": "HANAlert",
               "eventlog": "EventLog", "event": "EventLog", "log": "EventLog", "alarm": "Alarm"}
AlertValue = bool | str | Mapping[str, bool | str] | Iterable[str]


def _alert_code(code: int | str) -> str:
    text = f"{code:04X}" if isinstance(code, int) else re.sub(r"^(0X|X)", "", str(code).strip().upper())
    if not re.fullmatch(r"[0-9A-F]{4}", text):
        raise DitError(f"alert code {code!r} is not a 4-digit hex code", fix="write it as 8183 or 0x8183")
    return text


def _alert_items(alerts: Mapping[int | str, AlertValue] | str) -> dict[str, AlertValue]:
    """'8183=Enable, 0x81A0=Disable' (a Gherkin cell) or a mapping, keyed by normalised code."""
    if isinstance(alerts, str):
        pairs = []
        for item in filter(None, (part.strip() for part in re.split(r"[,;\n]", alerts))):
            match = re.fullmatch(r"(\S+?)\s*[=:]\s*(.+)", item)
            if match is None:
                raise DitError(f"alert setting {item!r} has no value", fix="write code=value, e.g. 8183=Enable")
            pairs.append(match.groups())
    elif isinstance(alerts, Mapping):
        pairs = list(alerts.items())
    else:
        raise DitError("alerts must be a mapping or text like '8183=Enable, 81A0=Disable'")
    items: dict[str, AlertValue] = {}
    for code, value in pairs:
        key = _alert_code(code)
        if key in items:
            raise DitError(f"alert 0x{key} is given twice")
        items[key] = value
    if not items:
        raise DitError("6.22 Configure Alert Behaviour needs at least one alert", fix="e.g. alerts='8183=Enable'")
    return items


def _enable(code: str, value: AlertValue) -> str:
    if isinstance(value, bool):
        return "Enable" if value else "Disable"
    if isinstance(value, str):
        return choice(f"alert 0x{code}", value, ("Enable", "Disable"))
    raise DitError(f"alert 0x{code} takes Enable or Disable, not {value!r}")


def _event_flags(code: str, value: AlertValue) -> etree._Element:
    """WANAlert, HANAlert, EventLog and Alarm for one GSME alert: all (Enable/True), none (Disable/False),
    the enabled ones ('WAN+EventLog') or a mapping flag -> Enable/Disable (missing ones disabled)."""
    if isinstance(value, bool) or (isinstance(value, str) and value.strip().lower() in ("enable", "disable")):
        enabled = set(EVENT_FLAGS) if _enable(code, value) == "Enable" else set()
    elif isinstance(value, Mapping):
        enabled = {flag for flag, on in ((_event_flag(code, k), _enable(code, v)) for k, v in value.items())
                   if on == "Enable"}
    else:
        words = re.split(r"[+|\s]+", value.strip()) if isinstance(value, str) else list(value)
        enabled = {_event_flag(code, w) for w in words if w and str(w).lower() != "none"}
    return E(f"x{code}", *(E(flag, "Enable" if flag in enabled else "Disable") for flag in EVENT_FLAGS))


def _event_flag(code: str, word: str) -> str:
    try:
        return _FLAG_WORDS[str(word).strip().lower()]
    except KeyError:
        raise DitError(f"alert 0x{code}: {word!r} is not one of {', '.join(EVENT_FLAGS)}") from None


def _grouped(element: str, groups, items: dict[str, AlertValue], one_phase_only: bool) -> etree._Element:
    where = {code: group for group, codes in groups for code in codes}
    for code in items:
        if code not in where:
            raise DitError(f"alert 0x{code} cannot be configured through {element}")
    chosen = []
    for group, codes in groups:
        settings = [E(f"x{code}", _enable(code, items[code])) for code in codes if code in items]
        if settings:
            chosen.append(E(group, *settings))
    if one_phase_only and len([g for g in chosen if g.tag.endswith(("SinglePhase", "PolyPhase"))]) > 1:
        raise DitError(f"{element} sets single-phase or poly-phase alerts, not both",
                       fix="send one request per ESME variant")
    return E(element, *chosen)


def _flat(element: str, codes: tuple[str, ...], items: dict[str, AlertValue], events: bool) -> etree._Element:
    for code in items:
        if code not in codes:
            raise DitError(f"alert 0x{code} cannot be configured through {element}")
    make = _event_flags if events else (lambda code, value: E(f"x{code}", _enable(code, value)))
    return E(element, *(make(code, items[code]) for code in codes if code in items))


@body("6.22")
def configure_alert_behaviour(*, alerts: Mapping[int | str, AlertValue] | str, fuel: str = "electricity",
                              role: str = "supplier", behaviour: str = "Alerts") -> etree._Element:
    """Enable or disable alerts by code, e.g. alerts='8183=Enable, 81A0=Disable'.

    fuel, role and behaviour pick the DUIS element <Fuel><Role><behaviour>: an Import Supplier sets Alerts,
    HANAlertSettings, AlarmSettings or LoggingSettings of an ESME, the Network Operator (role
    network_operator) Alerts or LoggingSettings, a Gas Supplier Alerts or AlertEventSettings of a GSME. For
    AlertEventSettings a value names the enabled flags ('WAN+EventLog') or is Enable / Disable for all four.
    """
    fuel = fuel_type(fuel)
    role = choice("role", str(role).replace(" ", "_").replace("-", "_"), ("supplier", "network_operator"))
    if (fuel, role) not in ALERT_BEHAVIOURS:
        raise DitError("6.22: only the Gas Supplier configures GSME alerts", fix="use role supplier for gas")
    behaviour = choice(f"behaviour for {fuel} {role}", behaviour, ALERT_BEHAVIOURS[fuel, role])
    element = ("Electricity" if fuel == "electricity" else "Gas") \
        + ("Supplier" if role == "supplier" else "NetworkOperator") + behaviour
    items = _alert_items(alerts)
    if fuel == "gas":
        events = behaviour == "AlertEventSettings"
        settings = _flat(element, GSME_SUPPLIER_EVENTS if events else GSME_SUPPLIER_ALERTS, items, events)
    elif role == "supplier":
        settings = _grouped(element, ESME_SUPPLIER_ALERTS, items, False)
    else:
        settings = _grouped(element, ESME_NETWORK_OPERATOR_ALERTS, items, True)
    return E.ConfigureAlertBehaviour(settings)


# --- 6.28 - 6.32: dual band Communications Hub sub-GHz ----------------------------------------------------

def _channels(name: str, value: Iterable[int] | str, highest: int) -> list[int]:
    """Channel numbers from a list or from text such as '1, 2, 28-29'."""
    numbers: set[int] = set()
    parts = re.split(r"[,\s]+", value.strip()) if isinstance(value, str) else list(value)
    for part in parts:
        if part in ("", None):
            continue
        try:
            if isinstance(part, str) and "-" in part:
                first, last = (int(p) for p in part.split("-", 1))
                numbers.update(range(first, last + 1))
            else:
                numbers.add(int(part))
        except ValueError:
            raise DitError(f"{name}: {part!r} is not a channel number or range") from None
    wrong = sorted(n for n in numbers if not 0 <= n <= highest)
    if wrong:
        raise DitError(f"{name}: channels {wrong} are outside 0-{highest}")
    return sorted(numbers)


def _channel_group(tag: str, channels: list[int], low: int, high: int) -> etree._Element:
    return E(tag, *(E(f"Channel{n}") for n in channels if low <= n <= high))


@body("6.28")
def set_chf_sub_ghz_configuration(
        *, lower_band_channels: Iterable[int] | str = (1, 2, 28, 29, 36, 37),
        upper_band_channels: Iterable[int] | str = (1, 2),
        normal_limited_duty_cycle_threshold: float | str = 1.3,
        limited_critical_duty_cycle_threshold: float | str = 2.2,
        maximum_sub_ghz_channel_changes_per_week: int = 5, gsme_curfew: int = 7,
        channel_quieter_threshold: int = 7, channel_noisier_threshold: int = 12,
        non_gsme_poor_comms_percentage_threshold: float | str = 60.0,
        non_gsme_poor_comms_measurement_periods: int = 130, local_ch_noise_measurement_period: int = 100,
        local_ch_failure_percentage: float | str = 40.0,
        local_ch_retry_percentage: float | str = 30.0) -> etree._Element:
    """Channels the CHF may use and its duty-cycle and frequency-agility thresholds (defaults: the RTDS
    DBCH04 sample). Lower band channels are 0-61 across the three XSD groups, upper band 0-26; duty-cycle
    thresholds are percentages (Normal-Limited 0.5-2.0, Limited-Critical strictly between 1.5 and 2.5)."""
    lower = _channels("lower_band_channels", lower_band_channels, 61)
    upper = _channels("upper_band_channels", upper_band_channels, 26)
    return E.SetCHFSubGHzConfiguration(
        _channel_group("LowerBandSubGHzChannels0To26", lower, 0, 26),
        _channel_group("LowerBandSubGHzChannels27To34", lower, 27, 34),
        _channel_group("LowerBandSubGHzChannels35To61", lower, 35, 61),
        _channel_group("UpperBandSubGHzChannels0To26", upper, 0, 26),
        E.NormalLimitedDutyCycleThreshold(_decimal("normal_limited_duty_cycle_threshold",
                                                   normal_limited_duty_cycle_threshold, 1, "0.5", "2.0")),
        E.LimitedCriticalDutyCycleThreshold(_decimal("limited_critical_duty_cycle_threshold",
                                                     limited_critical_duty_cycle_threshold, 1, "1.5", "2.5",
                                                     exclusive=True)),
        E.MaximumSubGHzChannelChangesPerWeek(integer("maximum_sub_ghz_channel_changes_per_week",
                                                      maximum_sub_ghz_channel_changes_per_week, 1, 7)),
        E.GSMECurfew(integer("gsme_curfew", gsme_curfew, 2, UNSIGNED_SHORT_MAX)),
        E.ChannelQuieterThreshold(integer("channel_quieter_threshold", channel_quieter_threshold, 1, 255)),
        E.ChannelNoisierThreshold(integer("channel_noisier_threshold", channel_noisier_threshold, 0, 20)),
        E.NonGSMEPoorCommsPercentageThreshold(_decimal("non_gsme_poor_comms_percentage_threshold",
                                                       non_gsme_poor_comms_percentage_threshold, 2, "1", "100")),
        E.NonGSMEPoorCommsMeasurementPeriods(integer("non_gsme_poor_comms_measurement_periods",
                                                      non_gsme_poor_comms_measurement_periods, 50, 150)),
        E.LocalCHNoiseMeasurementPeriod(integer("local_ch_noise_measurement_period",
                                                 local_ch_noise_measurement_period, 61, UNSIGNED_SHORT_MAX)),
        E.LocalCHFailurePercentage(_decimal("local_ch_failure_percentage", local_ch_failure_percentage, 2,
                                            "1", "100")),
        E.LocalCHRetryPercentage(_decimal("local_ch_retry_percentage", local_ch_retry_percentage, 2, "1", "100")))


@body("6.29")
def request_chf_sub_ghz_channel_scan() -> etree._Element:
    """The CHF answers with alert 0x8F28 saying whether it accepted the scan."""
    return E.RequestCHFSubGHzChannelScan()


@body("6.30")
def read_chf_sub_ghz_configuration() -> etree._Element:
    return E.ReadCHFSubGHzConfiguration()


@body("6.31")
def read_chf_sub_ghz_channel() -> etree._Element:
    return E.ReadCHFSubGHzChannel()


@body("6.32")
def read_chf_sub_ghz_channel_log(*, start_date_time: dt.datetime, end_date_time: dt.datetime) -> etree._Element:
    if end_date_time < start_date_time:
        raise DitError("6.32: end_date_time is before start_date_time")
    return E.ReadCHFSubGHzChannelLog(read_log_period(start_date_time, end_date_time))


# --- 6.2.x, 7.4: reads with no parameters --------------------------------------------------------------------

@body("6.2.3")
def read_device_configuration_billing_calendar() -> etree._Element:
    return E.ReadDeviceConfigurationBillingCalendar()


@body("6.2.4")
def read_device_configuration_identity_exc_mpxn() -> etree._Element:
    return E.ReadDeviceConfigurationIdentityExcMPxN()


@body("6.2.7")
def read_device_configuration_mpxn() -> etree._Element:
    return E.ReadDeviceConfigurationMPxN()


@body("6.2.8")
def read_device_configuration_gas() -> etree._Element:
    return E.ReadDeviceConfigurationGas()


@body("6.2.9")
def read_device_configuration_payment_mode() -> etree._Element:
    return E.ReadDeviceConfigurationPaymentMode()


@body("6.2.10")
def read_device_configuration_event_and_alert_behaviours() -> etree._Element:
    return E.ReadDeviceConfigurationEventAndAlertBehaviours()


@body("7.4")
def read_supply_status() -> etree._Element:
    return E.ReadSupplyStatus()


# --- 7.1-7.3: the supply's state, which the SR names alone -----------------------------------------------------

@body("7.1")
def enable_supply() -> etree._Element:
    return E.EnableSupply()


@body("7.2")
def disable_supply() -> etree._Element:
    return E.DisableSupply()


@body("7.3")
def arm_supply() -> etree._Element:
    return E.ArmSupply()


# --- 6.14.1: the auxiliary load control switches' descriptions -----------------------------------------------------

ALC_DESCRIPTION = re.compile(r"[ -~]{1,22}")


@body("6.14.1")
def update_device_configuration_alc_descriptions(*, descriptions: str = "1=Immersion heater") -> etree._Element:
    """'index=text' for each switch described (1-5), separated by ';': printable ASCII of 1 to 22 characters."""
    described: dict[int, str] = {}
    for part in str(descriptions).split(";"):
        index, sep, text = part.partition("=")
        number = int(integer("descriptions index", index, 1, 5)) if sep else 0
        if not sep or not ALC_DESCRIPTION.fullmatch(text.strip()) or number in described:
            raise DitError(f"descriptions: {part.strip()!r} is not 'index=text' for a new switch of 1-5 with 1 to 22 "
                           "printable ASCII characters (e.g. '1=Immersion heater; 2=Storage heater')")
        described[number] = text.strip()
    return E.UpdateDeviceConfigurationALCDescriptions(
        *(E.ALCSHCALCSDescription(E.SwitchDescription(text), index=str(n)) for n, text in described.items()))


# --- 7.5-7.8: an auxiliary load control switch (ALCS or HCALCS, 1-5) ----------------------------------------------

def _switch(tag: str, index: int, duration: int | None = None) -> etree._Element:
    element = E(tag, index=integer("index", index, 1, 5))
    if duration is not None:             # minutes the switch is held on (7.5) or off (7.6)
        element.append(E.Duration(integer("duration", duration, 0, 65535)))
    return element


@body("7.5")
def activate_auxiliary_load(*, index: int = 1, duration: int = 30) -> etree._Element:
    return E.ActivateAuxiliaryLoad(_switch("ActivateALCSHCALCS", index, duration))


@body("7.6")
def deactivate_auxiliary_load(*, index: int = 1, duration: int = 30) -> etree._Element:
    return E.DeactivateAuxiliaryLoad(_switch("DeactivateALCSHCALCS", index, duration))


@body("7.7")
def read_alcs_data(*, execution_date_time: dt.datetime | None = None) -> etree._Element:
    return E.ReadALCSData(*future_dated(execution_date_time))


@body("7.8")
def reset_auxiliary_load(*, index: int = 1) -> etree._Element:
    return E.ResetAuxiliaryLoad(_switch("ResetALCSHCALCS", index))
