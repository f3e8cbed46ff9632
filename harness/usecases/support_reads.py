"""Read-backs and support SRs of the DIT plan on meters (ESME: DLMS COSEM; GSME/GPF: ZigBee GBZ):

  2.5     ECS09, GCS06              Activate Emergency Credit (invoke_credit; Select Available Emergency Credit)
  4.11.1  ECS24, GCS21f             Read Tariff (Primary Element): switching table, special days, thresholds,
                                    currency, standing charge and price matrix
  4.13    ECS26a, GCS21b            Read Prepayment Configuration (and the non-disablement calendar)
  4.18    ECS82, GCS60, GCS60a      Read Meter Balance
  6.2.3   ECS26d/l, GCS21d/k        Read Device Configuration (Billing Calendar)
  6.2.4   ECS26e/m, ECS26i/n (CHF), GCS21e/m   Read Device Configuration (Identity Exc MPxN)
  6.2.7   ECS40, GCS46              Read Device Configuration (MPxN)
  6.2.8   GCS21a                    Read Device Configuration (Gas): calorific value and conversion factor
  6.2.10  ECS25r1/r2, GCS20r        Read Device Configuration (Event and Alert Behaviours)
  6.11    ECS70, GCS28              Synchronise Clock (the commands of 8.1.1's ECS70Commission / GCS28Commission)
  7.4     ECS45, GCS33              Read Supply Status
  7.7     ECS61a                    Read Auxiliary Load Switch Data: descriptions, type and id, special days,
                                    scheduler and the five switches' states

Every command here is fixed by the SR and the target (nothing in these request bodies reaches the device but
6.11's clock window), so the Transforms are tables of the objects or attributes read, in the order the DCC
reads them. Where one SR has an older and a newer use case for a device type (ECS26d/ECS26l ...), the DSP's
records choose: the older one serves devices of the GBCS versions before the newer existed (`NEWER`).

The Parses give the values a test engineer reads back as typed MMC, in the units the device holds them (as the
setting SRs sent them: ECS01a/GCS01a prices, ECS08a/GCS05 thresholds, ECS30/GCS25 calendars, ECS39a/GCS41
MPxNs, ECS25a/GCS20 alert settings), so a read-back compares equal with the request that set it.

Matched against the public RTDS 4.5.0 pairs (SmartDCCInnovation/gbcs-parser test/rtds, templates from
SmartDCCInnovation/duis-templates): 32 of 32 command payloads and headers (ECS09, GCS06, ECS24, GCS21f,
ECS26a single and twin, GCS21b, ECS82, GCS60, GCS60a x3, ECS26d, ECS26l, GCS21d, GCS21k, ECS26e, ECS26i,
ECS26m, ECS26n, GCS21e, GCS21m, ECS40 single and twin, GCS46, ECS25r1, ECS25r2, GCS20r, ECS70, GCS28, ECS45,
GCS33; the older use cases with the records giving an earlier GBCS version, ECS25r2 with an Electricity
Distributor's request); every SUCCESS, NOT_FOUND and ERROR response parses to valid MMC.

Device side: the emulated devices read these commands and answer them from what their firmware model holds:
the ESME ECS09, ECS24, ECS26a, ECS26d/l, ECS26e/m, ECS25r1/r2, ECS40, ECS45, ECS61a, ECS70 and ECS82; the CHF
ECS26i/n; the GSME GCS06, GCS20r, GCS21a/b/d/f/k, GCS21e/m, GCS33, GCS46 and GCS60/60a; the GPF GCS21e/m and GCS60a
from the GSME it mirrors. Answers to GCS06, GCS21e, GCS21m, GCS33, ECS26i and ECS26n are the RTDS SUCCESS responses
byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from harness.catalogue import DeviceType, PaymentMode, UserRole
from harness.duis import xml
from harness.duis.bodies.configuration import ESME_NETWORK_OPERATOR_ALERTS, ESME_SUPPLIER_ALERTS, GSME_SUPPLIER_EVENTS
from harness.eui import EntityId
from harness.gbcs import axdr, dlms, gbz, zcl
from harness.gbcs.axdr import Data, PayloadError, Tag
from harness.gbcs.dlms import Descriptor, Obis
from harness.usecases import device, esme_config, joins
from harness.usecases import esme_prepayment as prepayment_commands
from harness.usecases import esme_tariff as tariff_commands
from harness.usecases.esme_config import ACTION, GET, access_request
from harness.usecases.gsme_config import (
    CALORIFIC_VALUE_DIGITS,
    CONVERSION_FACTOR_DIGITS,
    EVENT_SETTINGS,
    MJ_PER_M3,
    PERIODICITY,
    decimal_text,
)
from harness.usecases.gsme_reads import all_found, attributes, frames, opened, read_attributes, seconds, success
from harness.usecases.gsme_tariff import (
    BLOCK_THRESHOLD_DIVISOR,
    BLOCK_THRESHOLD_MULTIPLIER,
    PRICE_TRAILING_DIGITS,
    UNIT_KWH,
    default_response,
    gbz_answer,
)
from harness.usecases.mmc import M, bit_string, utc_text
from harness.usecases.records import DspRecords
from harness.usecases.registry import (
    CommandContext,
    DeviceCommand,
    Originator,
    ResponseContext,
    accepts,
    answers,
    command,
    response,
)
from harness.usecases.request import DuisRequest

ESME, GSME, GPF, CHF = DeviceType.ESME, DeviceType.GSME, DeviceType.GPF, DeviceType.CHF
GAS = (GSME, GPF)
BASIC, PRICE, METERING, PREPAYMENT, CALENDAR, DEVICE_MANAGEMENT = 0x0000, 0x0700, 0x0702, 0x0705, 0x0707, 0x0708
CLIENT_TO_SERVER = zcl.FRAME_CLUSTER_SPECIFIC
SERVER_TO_CLIENT = zcl.FRAME_CLUSTER_SPECIFIC | zcl.FRAME_SERVER_TO_CLIENT


# -- which of two use cases: the device's GBCS version ---------------------------------------------------
# The newer use case and the first GBCS version whose devices take it. Assumed from the use case titles and
# message codes (the RTDS pairs name no version): the 'all periodicities' billing calendar, the identity with
# supply tamper state and the CHF device log with HAN communications came with GBCS 2.0; GCS60a, whose
# response carries the device's time and its status, with 4.0.
NEWER = {"ECS26l": "2.0", "GCS21k": "2.0", "ECS26m": "2.0", "ECS26n": "2.0", "GCS21m": "2.0", "CCS06": "2.0",
         "GCS60a": "4.0"}


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


def takes(use_case: str) -> Callable[[DspRecords], bool]:
    """Whether the target takes the newer `use_case`: yes unless the records give an earlier GBCS version."""
    first = _version(NEWER[use_case])
    return lambda records: records.gbcs_version is None or not _version(records.gbcs_version) \
        or _version(records.gbcs_version) >= first


def predates(use_case: str) -> Callable[[DspRecords], bool]:
    newer = takes(use_case)
    return lambda records: not newer(records)


# -- building commands ------------------------------------------------------------------------------------

Read = tuple[int, str, int]          # (class id, logical name, attribute) of one get


def gets(ctx: CommandContext, reads: Iterable[Read]) -> bytes:
    return access_request(ctx, *((GET, Descriptor(c, Obis.parse(o), a), axdr.NULL) for c, o, a in reads))


def dlms_reads(srv: str, use_case: str, reads: tuple[Read, ...], devices=(ESME,), **options) -> None:
    """Register a Transform that is these gets and nothing else."""
    def build(request: DuisRequest, ctx: CommandContext) -> bytes:
        return gets(ctx, reads)
    build.__name__ = f"read_{use_case}"
    command(srv, use_case, devices=devices, **options)(build)


def gbz_reads(srv: str, use_case: str, zcl_commands: Sequence[gbz.ZclCommand], devices=(GSME,),
              **options) -> None:
    def build(request: DuisRequest, ctx: CommandContext) -> bytes:
        return gbz.command_payload(zcl_commands)
    build.__name__ = f"read_{use_case}"
    command(srv, use_case, devices=devices, **options)(build)


# -- reading responses --------------------------------------------------------------------------------------

def check(ctx: ResponseContext, ok: bool, what: str) -> None:
    if not ok:
        raise PayloadError(f"{ctx.use_case}: {what}", 0)


def dlms_values(ctx: ResponseContext, reads: tuple[Read, ...]) -> dict[Read, Data]:
    """The values the device returned for each get, by what was read (failed gets are left out)."""
    out: dict[Read, Data] = {}
    for position, read in enumerate(reads):
        item = esme_config.read_value(ctx, position)
        if item is not None:
            out.setdefault(read, item)
    return out


def integer(ctx: ResponseContext, item: Data, what: str) -> int:
    value = item.value
    if not isinstance(value, int) or isinstance(value, bool):
        raise PayloadError(f"{ctx.use_case}: {what} must be an integer, found {item.tag.label}", 0)
    return value


def octets(ctx: ResponseContext, item: Data, what: str, size: int | None = None) -> bytes:
    value = item.value
    check(ctx, item.tag is Tag.OCTET_STRING and isinstance(value, bytes) and (size is None or len(value) == size),
          f"{what} must be an octet-string" + (f" of {size} bytes" if size else "") + f", found {item.tag.label}")
    return item.octets


def items(ctx: ResponseContext, item: Data, what: str, tag: Tag = Tag.ARRAY, size: int | None = None) -> tuple:
    """The members of an array (or compact-array) or of a structure of `size` members."""
    found = Tag.ARRAY if item.tag is Tag.COMPACT_ARRAY else item.tag
    check(ctx, found is tag and (size is None or len(item.items) == size),
          f"{what} must be {'an array' if tag is Tag.ARRAY else f'a structure of {size}'}, found {item.tag.label}")
    return item.items


def text(raw: bytes) -> str:
    """Device text (identifiers, names): as it is when printable ASCII, else hex."""
    return raw.decode("ascii") if raw and all(0x20 <= b < 0x7F for b in raw) else raw.hex().upper()


def xs_time(raw: bytes) -> str:
    """A 4-byte DLMS time (UTC, as the DSP writes them) as xs:time; wildcards read as 0."""
    hour, minute, second, hundredths = (0 if b == 0xFF else b for b in raw)
    return f"{hour:02d}:{minute:02d}:{second:02d}" + (f".{hundredths:02d}" if hundredths else "") + "Z"


def xs_date(raw: bytes) -> str:
    """A 5-byte DLMS date without wildcards (year 65535 is DUIS's 'every year') as xs:date."""
    return f"{int.from_bytes(raw[:2], 'big'):04d}-{raw[2]:02d}-{raw[3]:02d}"


def mmc_date(raw: bytes) -> list[etree._Element]:
    """A 5-byte DLMS date with wildcards as MMC's Date (Year, Month, DayOfMonth, DayOfWeek)."""
    year, month, day, weekday = int.from_bytes(raw[:2], "big"), raw[2], raw[3], raw[4]
    return [M.Year(M.NonSpecifiedYear() if year == 0xFFFF else M.SpecifiedYear(str(year))),
            M.Month(M.SpecifiedMonth(str(month)) if 1 <= month <= 12 else M.NonSpecifiedMonth()),
            M.DayOfMonth({0xFE: M.LastDayOfMonth, 0xFD: M.SecondLastDayOfMonth}.get(day, M.NonSpecifiedDayOfMonth)()
                         if not 1 <= day <= 31 else M.SpecifiedDayOfMonth(str(day))),
            M.DayOfWeek(M.SpecifiedDayOfWeek(str(weekday)) if 1 <= weekday <= 7 else M.NonSpecifiedDayOfWeek())]


def gas_date(raw: bytes) -> list[etree._Element]:
    """A ZCL Date (year - 1900, month, day, weekday; FF any) as MMC's GasDateWithWildcards."""
    year, month, day, weekday = raw
    return [M.GasYearWithWildcards(M.NonSpecifiedYear() if year == 0xFF else M.SpecifiedYear(str(1900 + year))),
            M.GasMonthWithWildcards(M.NonSpecifiedMonth() if month == 0xFF else M.SpecifiedMonth(str(month))),
            M.GasDayOfMonthWithWildcards(M.GasNonSpecifiedDayOfMonth() if day == 0xFF
                                         else M.SpecifiedDayOfMonth(str(day))),
            M.GasDayOfWeekWithWildcards(M.NonSpecifiedDayOfWeek() if weekday == 0xFF
                                        else M.SpecifiedDayOfWeek(str(weekday)))]


def minutes_time(value: int) -> str:
    """Minutes after midnight UTC (ZCL day profiles) as xs:time."""
    return f"{value // 60 % 24:02d}:{value % 60:02d}:00Z"


def indexed(name: str, values: Iterable[object], start: int = 1) -> list[etree._Element]:
    return [M(name, str(v), index=str(i)) for i, v in enumerate(values, start=start)]


def gas_components(ctx: ResponseContext) -> list[gbz.Component]:
    value = ctx.payload.value
    check(ctx, isinstance(value, gbz.GbzPayload), "expected a GBZ payload")
    return opened(ctx)


def read_ok(components: list[gbz.Component]) -> bool:
    """A read succeeded when every attribute was read and every command answered with what the meter holds,
    or NOT_FOUND where it holds none (no calendar, no current price): the read-back shows what is there."""
    return all_found(components) and all(
        record["status"] == 0 for c in components if not c.frame.cluster_specific and c.frame.values
        and c.frame.command == zcl.READ_ATTRIBUTES_RESPONSE for record in c.frame.values["records"])


CURRENCIES = {826: "GBP", 978: "ECB"}       # ISO 4217, DUIS names the euro by its central bank


# -- 2.5 Activate Emergency Credit ----------------------------------------------------------------------------

EMERGENCY_CREDIT = Descriptor(112, Obis.parse("0-0:19.10.1.255"), 3)       # Credit invoke_credit


@command("2.5", "ECS09", devices=(ESME,))
def activate_emergency_credit(request: DuisRequest, ctx: CommandContext) -> bytes:
    return access_request(ctx, (ACTION, EMERGENCY_CREDIT, axdr.integer(0)))


SELECT_AVAILABLE_EMERGENCY_CREDIT = 0x00          # Prepayment cluster, client to server


@command("2.5", "GCS06", devices=(GSME,))
def select_emergency_credit(request: DuisRequest, ctx: CommandContext) -> bytes:
    # Select Available Emergency Credit as from the energy service interface, issued 'now' (0).
    return gbz.command_payload([(PREPAYMENT, CLIENT_TO_SERVER, SELECT_AVAILABLE_EMERGENCY_CREDIT,
                                 {"command_issue_date_time": 0, "originating_device": 0})])


@response("ECS09", "GCS06")
def emergency_credit_activated(ctx: ResponseContext, rsp: etree._Element) -> None:
    """ActivateEmergencyCreditRsp carries only MessageSuccess: invoke_credit's result, or the default
    response's status (FAILURE when emergency credit is not active after the command)."""


@accepts("ECS09")
def activate_emergency_credit_command(command: DeviceCommand) -> dict:
    """invoke_credit on the Emergency Credit object and nothing else: no fields for the firmware."""
    specs = device.access_request(command).specs
    asked = [(s.kind, (s.descriptor.class_id, s.descriptor.instance, s.descriptor.member)) for s in specs]
    if asked != [(ACTION, (EMERGENCY_CREDIT.class_id, EMERGENCY_CREDIT.instance, EMERGENCY_CREDIT.member))]:
        raise PayloadError("ECS09: the command must invoke invoke_credit on the Emergency Credit object alone", 0)
    return {}


@answers("ECS09")
def activate_emergency_credit_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """invoke_credit's result: success, or other-reason (250) when emergency credit is not active after the
    command, as GBCS ECS09 has it (the RTDS ERROR case's hardware-fault is a fault, as GCS06's)."""
    return device.dlms_answer(command, outcome, failure=dlms.AccessResult.OTHER_REASON)


@accepts("GCS06")
def select_emergency_credit_command(command: DeviceCommand) -> dict:
    """One Select Available Emergency Credit and nothing else (whenever and wherever it says it was issued): no
    fields for the firmware."""
    device.component_values(command, PREPAYMENT, SELECT_AVAILABLE_EMERGENCY_CREDIT)
    if len(device.gbz_command(command).components) != 1:
        raise PayloadError("GCS06: the command must be one Select Available Emergency Credit and nothing else", 0)
    return {}


@answers("GCS06")
def select_emergency_credit_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """A Default Response: SUCCESS when emergency credit is active after the command, else FAILURE, as GBCS GCS06
    has it. (The RTDS ERROR case reports HARDWARE_FAILURE: a fault, not emergency credit left unavailable.)"""
    return device.answer_each(command, outcome, device.default_reply,
                              lambda component: device.default_reply(component, device.ZCL_FAILURE))


# -- 4.11.1 Read Tariff (Primary Element) ---------------------------------------------------------------------

SWITCHING_TABLE, PRICE_MATRIX, STANDING_CHARGE = "0-0:13.0.0.255", "0-0:19.20.0.255", "0-0:19.20.4.255"
ACTIVE_PRICE = (3, "0-0:94.44.1.7", 2)
TARIFF: dict[str, Read] = {
    "price": ACTIVE_PRICE, "price_scaler_unit": (3, "0-0:94.44.1.7", 3),
    "seasons": (20, SWITCHING_TABLE, 3), "weeks": (20, SWITCHING_TABLE, 4), "days": (20, SWITCHING_TABLE, 5),
    "special_days": (11, "0-0:11.0.0.255", 2),
    **{f"thresholds{rate}": (21, f"0-0:16.0.{10 + rate}.255", 2) for rate in range(1, 9)},
    "currency": (9000, "0-0:94.44.2.0", 2),
    "standing_charge": (113, STANDING_CHARGE, 5), "price_matrix": (113, PRICE_MATRIX, 5),
}
TARIFF_READS = tuple(TARIFF.values())
BLOCK_SELECTOR_BASE = 100         # a day profile's script selector 100 + n runs block tariff n (ECS01a)
dlms_reads("4.11.1", "ECS24", TARIFF_READS)


@dataclass(frozen=True)
class UnitCharge:
    commodity_scale: int
    price_scale: int
    table: tuple[tuple[bytes, int], ...]

    @classmethod
    def of(cls, ctx: ResponseContext, item: Data, what: str) -> UnitCharge:
        scaling, _commodity, table = items(ctx, item, what, Tag.STRUCTURE, 3)
        commodity_scale, price_scale = items(ctx, scaling, f"{what} scaling", Tag.STRUCTURE, 2)
        entries = tuple((octets(ctx, index, f"{what} index"), integer(ctx, charge, f"{what} charge"))
                        for index, charge in (items(ctx, entry, f"{what} entry", Tag.STRUCTURE, 2)
                                              for entry in items(ctx, table, f"{what} table")))
        return cls(integer(ctx, commodity_scale, "commodity scale"), integer(ctx, price_scale, "price scale"), entries)


def _price_matrix(charge: UnitCharge) -> tuple[etree._Element, etree._Element]:
    """The Price Matrix's 48 TOU prices (index 01..30 hex) and 8 rates x 4 blocks (A1..D8)."""
    tou, blocks = M.TariffTOUPriceMatrix(), M.TariffBlockPriceMatrix()
    by_index = {index[0]: price for index, price in charge.table if len(index) == 1}
    tou.extend(M.TariffTOUPrice(str(by_index[i]), index=str(i)) for i in range(1, 49) if i in by_index)
    for rate in range(1, 9):
        prices = [M.BlockPrice(str(by_index[code]), index=str(block)) for block in range(1, 5)
                  if (code := 0x90 + 0x10 * block + rate) in by_index]
        if prices:
            blocks.append(M.TariffBlockPrices(*prices, index=str(rate)))
    return blocks, tou


def _switching_table(ctx: ResponseContext, values: dict[Read, Data]) -> etree._Element:
    table = M.TariffSwitchingTable()
    if (days := values.get(TARIFF["days"])) is not None:
        profiles = M.DayProfiles()
        for day in items(ctx, days, "day profile table")[:16]:
            day_id, actions = items(ctx, day, "day profile", Tag.STRUCTURE, 2)
            profile = M.DayProfile(M.Day(str(integer(ctx, day_id, "day id"))))
            for action in items(ctx, actions, "day schedule")[:48]:
                start, _script, selector = items(ctx, action, "day profile action", Tag.STRUCTURE, 3)
                n = integer(ctx, selector, "script selector")
                profile.append(M.ProfileSchedule(
                    M.StartTime(xs_time(octets(ctx, start, "start time", 4))),
                    M.BlockTariffAction(str(n - BLOCK_SELECTOR_BASE)) if n > BLOCK_SELECTOR_BASE
                    else M.TOUTariffAction(str(n))))
            profiles.append(profile)
        table.append(profiles)
    if (weeks := values.get(TARIFF["weeks"])) is not None:
        profiles = M.WeekProfiles()
        for week in items(ctx, weeks, "week profile table")[:4]:
            name, *day_ids = items(ctx, week, "week profile", Tag.STRUCTURE, 8)
            profiles.append(M.WeekProfile(M.WeekName(str(octets(ctx, name, "week name", 1)[0])),
                                          *indexed("ReferencedElecDay", (integer(ctx, d, "day id") for d in day_ids))))
        table.append(profiles)
    if (seasons := values.get(TARIFF["seasons"])) is not None:
        out = M.Seasons()
        for season in items(ctx, seasons, "season profile")[:4]:
            name, start, week = items(ctx, season, "season", Tag.STRUCTURE, 3)
            out.append(M.Season(M.SeasonName(text(octets(ctx, name, "season name"))[:8]),
                                M.SeasonStartDate(*mmc_date(octets(ctx, start, "season start", 12)[:5])),
                                M.ReferencedWeekName(str(octets(ctx, week, "week name", 1)[0]))))
        table.append(out)
    return table


@response("ECS24")
def esme_tariff(ctx: ResponseContext, rsp: etree._Element) -> None:
    values = dlms_values(ctx, TARIFF_READS)
    electricity = M.Electricity()
    rsp.append(electricity)
    if (price := values.get(TARIFF["price"])) is not None:
        electricity.append(M.PrimaryActiveTariffPrice(str(integer(ctx, price, "active tariff price"))))
    prices = values.get(TARIFF["price_matrix"])
    matrix = None if prices is None else UnitCharge.of(ctx, prices, "price matrix")
    if (currency := values.get(TARIFF["currency"])) is not None:
        check(ctx, currency.tag is Tag.BOOLEAN, f"the currency unit must be a boolean, found {currency.tag.label}")
        electricity.append(M.CurrencyUnitsLabel("GBP" if currency.value else "ECB"))
        if matrix is not None and matrix.price_scale == -5:       # 10^-5 of the currency: its 1/1000 cent
            electricity.append(M.CurrencyUnitsName("Millipence" if currency.value else "Millicent"))
    if (standing := values.get(TARIFF["standing_charge"])) is not None:
        charge = UnitCharge.of(ctx, standing, "standing charge")
        if charge.table:
            electricity.append(M.StandingCharge(str(charge.table[0][1])))
        electricity.append(M.StandingChargeScale(str(charge.price_scale)))
    if matrix is not None:
        electricity.append(M.PriceScale(str(matrix.price_scale)))
        electricity.extend(_price_matrix(matrix))
    if len(table := _switching_table(ctx, values)):
        electricity.append(table)
    if (special := values.get(TARIFF["special_days"])) is not None:
        days = M.TariffSwitchingTableSpecialDays()
        for entry in items(ctx, special, "special days")[:50]:
            _index, date, day_id = items(ctx, entry, "special day", Tag.STRUCTURE, 3)
            days.append(M.SpecialDay(M.Date(*mmc_date(octets(ctx, date, "special day date", 5))),
                                     M.ReferencedDay(str(integer(ctx, day_id, "day id")))))
        electricity.append(days)
    thresholds = M.TariffThresholdMatrix()
    for rate in range(1, 9):
        if (found := values.get(TARIFF[f"thresholds{rate}"])) is not None:
            levels = [integer(ctx, t, "threshold") for t in items(ctx, found, "thresholds")][:3]
            thresholds.append(M.ElecTariffThresholds(*indexed("BlockThreshold", levels), index=str(rate)))
    if len(thresholds):
        electricity.append(thresholds)


# GSME: the Price cluster's attributes, the tariff calendar (Calendar cluster) and the current price.
GAS_TARIFF_ATTRIBUTES = (0x0203, 0x0202, 0x0100, 0x0101, 0x0102, 0x0615, 0x0400, 0x0401, 0x0402, 0x0403,
                         0x0410, 0x0420, 0x0430, 0x0440, 0x0616, 0x0617, 0x0301)
BLOCK_THRESHOLDS, BLOCK_PRICES, TIER_PRICES = (0x0100, 0x0101, 0x0102), (0x0400, 0x0401, 0x0402, 0x0403), \
    (0x0410, 0x0420, 0x0430, 0x0440)
STANDING_CHARGE_ATTRIBUTE, CURRENCY_ATTRIBUTE, PRICE_TRAILING_DIGIT = 0x0301, 0x0616, 0x0617
CURRENT_CALENDAR, FRIENDLY_CREDIT_CALENDAR_ID = 0xFFFFFFFF, 0xFFFFFFFE     # issuer calendar ids the DCC asks for
DELIVERED, FRIENDLY_CREDIT = 0x00, 0x03                                    # calendar types


def calendar_reads(calendar_id: int, calendar_type: int) -> list[gbz.ZclCommand]:
    """Get Day Profiles, Get Week Profiles, Get Seasons (all, from id 1), Get Special Days (all)."""
    ids = {"provider_id": 0, "issuer_calendar_id": calendar_id}
    return [gbz.ZclCommand(CALENDAR, CLIENT_TO_SERVER, 0x01, {**ids, "start_day_id": 1, "number_of_days": 0}),
            gbz.ZclCommand(CALENDAR, CLIENT_TO_SERVER, 0x02, {**ids, "start_week_id": 1, "number_of_weeks": 0}),
            gbz.ZclCommand(CALENDAR, CLIENT_TO_SERVER, 0x03, ids),
            gbz.ZclCommand(CALENDAR, CLIENT_TO_SERVER, 0x04, {"start_time": 0, "number_of_events": 0,
                                                              "calendar_type": calendar_type, **ids})]


gbz_reads("4.11.1", "GCS21f", [read_attributes(PRICE, GAS_TARIFF_ATTRIBUTES),
                               *calendar_reads(CURRENT_CALENDAR, DELIVERED),
                               gbz.ZclCommand(PRICE, CLIENT_TO_SERVER, 0x00, {"command_options": 0})])  # Get Price

PUBLISH_PRICE, PUBLISH_DAY_PROFILE, PUBLISH_WEEK_PROFILE, PUBLISH_SEASONS, PUBLISH_SPECIAL_DAYS = 0x00, 1, 2, 3, 4
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class GasCalendar:
    """What the Calendar cluster published: day profiles, week profiles, seasons, special days."""

    days: list[dict]
    weeks: list[dict]
    seasons: list[dict]
    special_days: list[dict]

    @classmethod
    def of(cls, components: list[gbz.Component]) -> GasCalendar:
        def published(command: int) -> list[dict]:
            return frames(components, CALENDAR, command)
        return cls(published(PUBLISH_DAY_PROFILE), published(PUBLISH_WEEK_PROFILE),
                   [s for f in published(PUBLISH_SEASONS) for s in f["seasons"]],
                   [d for f in published(PUBLISH_SPECIAL_DAYS) for d in f["special_days"]])

    def weeks_element(self, tag: str, week_limit: int, day_name: str) -> etree._Element:
        return M(tag, *(M.WeekProfile(M.WeekName(str(w["week_id"])), *indexed(day_name, (w[d] for d in WEEKDAYS)))
                        for w in self.weeks[:week_limit]))

    def seasons_element(self, tag: str) -> etree._Element:
        return M(tag, *(M.Season(M.SeasonStartDate(*gas_date(s["season_start_date"])),
                                 M.ReferencedWeekName(str(s["week_id"]))) for s in self.seasons[:3]))

    def special_days_element(self, tag: str, day_name: str) -> etree._Element:
        return M(tag, *(M.SpecialDay(M.Date(*gas_date(d["special_day_date"])), M(day_name, str(d["day_id"])))
                        for d in self.special_days[:20]))


@response("GCS21f")
def gsme_tariff(ctx: ResponseContext, rsp: etree._Element) -> None:
    components = gas_components(ctx)
    values, _ = attributes(components, PRICE)
    gas = M.Gas()
    rsp.append(gas)
    for current in frames(components, PRICE, PUBLISH_PRICE)[:1]:
        gas.extend((M.PrimaryActiveTariffPrice(str(current["price"])),
                    M.PrimaryActiveTariffPriceScale(str(-(current["price_trailing_digit_and_tier"] >> 4)))))
    if CURRENCY_ATTRIBUTE in values and values[CURRENCY_ATTRIBUTE] in CURRENCIES:
        gas.append(M.CurrencyUnitsLabel(CURRENCIES[values[CURRENCY_ATTRIBUTE]]))
    if STANDING_CHARGE_ATTRIBUTE in values:
        gas.append(M.StandingCharge(str(values[STANDING_CHARGE_ATTRIBUTE])))
    calendar = GasCalendar.of(components)
    if calendar.days or calendar.weeks or calendar.seasons:
        days = M.DayProfiles()
        for day in calendar.days[:4]:
            tier = day["schedule_entries"][0]["price_tier_or_function"] if day["schedule_entries"] else 0
            days.append(M.DayProfile(M.DayName(str(day["day_id"])),
                                     M.TOUTariffAction(str(tier)) if tier else M.BlockTariff()))
        gas.append(M.TariffSwitchingTable(days, calendar.weeks_element("WeekProfiles", 2, "ReferencedDay"),
                                          calendar.seasons_element("Seasons")))
    if calendar.special_days:
        gas.append(calendar.special_days_element("TariffSwitchingTableSpecialDays", "ReferencedDay"))
    # As GCS01a sent them: thresholds in the meter's units (multiplier 0x0202, divisor 0x0203), prices in
    # 10^-(price trailing digit) of the currency.
    for element, child, found in (("TariffThresholds", "BlockThreshold", BLOCK_THRESHOLDS),
                                  ("TOUTariff", "TariffTOUPrice", TIER_PRICES),
                                  ("BlockTariff", "BlockPrice", BLOCK_PRICES)):
        present = [M(child, str(values[a]), index=str(i)) for i, a in enumerate(found, start=1) if a in values]
        if present:
            gas.append(M(element, *present))
    success(rsp, read_ok(components))


# -- 4.13 Read Prepayment Configuration -------------------------------------------------------------------

ACCOUNT, TIME_DEBT_1, TIME_DEBT_2, PAYMENT_DEBT = "0-0:19.0.0.255", "0-0:19.20.1.255", "0-0:19.20.2.255", \
    "0-0:19.20.3.255"
PREPAY: dict[str, Read] = {
    "debt_recovery_1": (113, TIME_DEBT_1, 5), "special_days": (11, "0-0:11.0.2.255", 2),
    "debt_period_1": (113, TIME_DEBT_1, 8), "debt_recovery_2": (113, TIME_DEBT_2, 5),
    "debt_period_2": (113, TIME_DEBT_2, 8), "debt_per_payment": (113, PAYMENT_DEBT, 13),
    "max_credit_threshold": (9000, "0-0:94.44.2.10", 2), "disablement_threshold": (21, "0-0:16.0.1.255", 2),
    "max_meter_balance": (9000, "0-0:94.44.2.20", 2), "low_credit_threshold": (111, ACCOUNT, 16),
    "debt_recovery_rate_cap": (111, ACCOUNT, 18), "debt_recovery_rate_cap_period": (111, ACCOUNT, 19),
    "emergency_credit_limit": (112, "0-0:19.10.1.255", 9), "emergency_credit_threshold": (112, "0-0:19.10.1.255", 10),
    "non_disablement_schedule": (10, "0-0:12.0.1.255", 2), "credit_charge_configuration": (111, ACCOUNT, 11),
}
# The DCC's order, each time-based debt's unit charge read before and after its period.
PREPAY_READS: tuple[Read, ...] = tuple(PREPAY[name] for name in (
    "debt_recovery_1", "special_days", "debt_period_1", "debt_recovery_1", "debt_recovery_2", "debt_period_2",
    "debt_recovery_2", "debt_per_payment", "max_credit_threshold", "disablement_threshold", "max_meter_balance",
    "low_credit_threshold", "debt_recovery_rate_cap", "debt_recovery_rate_cap_period", "emergency_credit_limit",
    "emergency_credit_threshold", "non_disablement_schedule", "credit_charge_configuration"))
dlms_reads("4.13", "ECS26a", PREPAY_READS)

PERIODS = {3600: "HOURLY", 86400: "DAILY"}
NON_DISABLEMENT_SCRIPTS = {32: "START", 33: "STOP"}
DAYS_OF_WEEK = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Credits and charges of the Account's credit_charge_configuration (esme_prepayment.credit_charge_configuration)
EMERGENCY_CREDIT_OBIS, ACCUMULATED_DEBT_OBIS = Obis.parse("0-0:19.10.1.255").raw, Obis.parse("0-0:19.10.2.255").raw
TIME_DEBTS = (Obis.parse(TIME_DEBT_1).raw, Obis.parse(TIME_DEBT_2).raw)
SUSPENDED = "110"


def _bits(item: Data) -> str:
    bits, raw = bit_string(item)
    return "".join(f"{b:08b}" for b in raw)[:bits]


def _schedule(ctx: ResponseContext, entry: Data) -> etree._Element:
    (_index, _enable, _script, selector, switch_time, _window, weekdays, special_days, begin, end) = items(
        ctx, entry, "non-disablement schedule entry", Tag.STRUCTURE, 10)
    out = M.ElectricityNonDisablementSchedule()
    script = NON_DISABLEMENT_SCRIPTS.get(integer(ctx, selector, "script selector"))
    if script:
        out.append(M.NonDisablementScript(script))
    out.append(M.SpecialDaysApplicability(*(M.SpecialDayApplicability(M.SpecialDayID(str(i)))
                                            for i, bit in enumerate(_bits(special_days), start=1) if bit == "1")))
    out.append(M.DaysOfWeekApplicability(*(M.DayOfWeekApplicability(M.DayOfWeekID(day))
                                           for day, bit in zip(DAYS_OF_WEEK, _bits(weekdays)) if bit == "1")))
    out.append(M.ScheduleDatesAndTime(M.SwitchTime(xs_time(octets(ctx, switch_time, "switch time", 4))),
                                      M.StartDate(xs_date(octets(ctx, begin, "begin date", 5))),
                                      M.EndDate(xs_date(octets(ctx, end, "end date", 5)))))
    return out


def _debt_recovery(ctx: ResponseContext, name: str, charge: Data | None, period: Data | None) -> etree._Element:
    out = M(name)
    if charge is not None:
        unit = UnitCharge.of(ctx, charge, f"{name} unit charge")
        if unit.table:
            out.append(M.DebtRecoveryRate(str(unit.table[0][1])))
        out.append(M.DebtRecoveryRatePriceScale(str(unit.price_scale)))
    if period is not None and (period_seconds := integer(ctx, period, "debt recovery period")) in PERIODS:
        out.append(M.DebtRecoveryRatePeriod(PERIODS[period_seconds]))
    return out


def payment_configuration(ctx: ResponseContext, item: Data) -> tuple[PaymentMode, bool, bool]:
    """Payment mode, SuspendDebtDisabled and SuspendDebtEmergency from the credit_charge_configuration, as
    ECS02/ECS03 write it: emergency credit pays only in prepayment mode, time-based debt collection bits 110
    suspend it while disabled, and the accumulated debt register pays time-based debt when collection
    is suspended in emergency credit."""
    pairs = [(octets(ctx, credit, "credit reference"), octets(ctx, charge, "charge reference"), _bits(bits))
             for credit, charge, bits in (items(ctx, row, "credit charge configuration", Tag.STRUCTURE, 3)
                                          for row in items(ctx, item, "credit charge configuration"))]
    prepayment = any(credit == EMERGENCY_CREDIT_OBIS for credit, _, _ in pairs)
    mode = PaymentMode.PREPAYMENT if prepayment else PaymentMode.CREDIT
    suspend_disabled = any(charge in TIME_DEBTS and bits == SUSPENDED for _, charge, bits in pairs)
    suspend_emergency = any(credit == ACCUMULATED_DEBT_OBIS and charge in TIME_DEBTS for credit, charge, _ in pairs)
    return mode, suspend_disabled, suspend_emergency


@response("ECS26a")
def esme_prepayment_configuration(ctx: ResponseContext, rsp: etree._Element) -> None:
    values = dlms_values(ctx, PREPAY_READS)

    def number(name: str) -> str | None:
        item = values.get(PREPAY[name])
        if item is None:
            return None
        if item.tag is Tag.ARRAY:               # a register monitor's thresholds: the first
            item = items(ctx, item, name)[0]
        return str(integer(ctx, item, name))

    for element, name in (("DebtRecoveryPerPayment", "debt_per_payment"),
                          ("DebtRecoveryRateCap", "debt_recovery_rate_cap"),
                          ("DisablementThreshold", "disablement_threshold"),
                          ("EmergencyCreditLimit", "emergency_credit_limit"),
                          ("EmergencyCreditThreshold", "emergency_credit_threshold"),
                          ("LowCreditThreshold", "low_credit_threshold"),
                          ("CreditMaxCreditThreshold", "max_credit_threshold"),
                          ("MaxCreditMaxMeterBalance", "max_meter_balance")):
        if (value := number(name)) is not None:
            rsp.append(M(element, value))
    electricity = M.Electricity()
    if (configuration := values.get(PREPAY["credit_charge_configuration"])) is not None:
        mode, suspend_disabled, suspend_emergency = payment_configuration(ctx, configuration)
        rsp.extend((M.SuspendDebtDisabled(str(suspend_disabled).lower()),
                    M.SuspendDebtEmergency(str(suspend_emergency).lower())))
        electricity.append(M.PaymentMode(mode))
    calendar = M.NonDisablementCalendar()
    if (special := values.get(PREPAY["special_days"])) is not None:
        days = M.ElectricitySpecialDays()
        for entry in items(ctx, special, "special days")[:20]:
            index, date, _day_id = items(ctx, entry, "special day", Tag.STRUCTURE, 3)
            days.append(M.SpecialDay(*mmc_date(octets(ctx, date, "special day date", 5)),
                                     index=str(integer(ctx, index, "special day index"))))
        calendar.append(days)
    if (schedule := values.get(PREPAY["non_disablement_schedule"])) is not None:
        calendar.extend(_schedule(ctx, entry) for entry in items(ctx, schedule, "non-disablement schedule")[:22])
    electricity.append(calendar)
    electricity.append(_debt_recovery(ctx, "DebtRecovery1", values.get(PREPAY["debt_recovery_1"]),
                                      values.get(PREPAY["debt_period_1"])))
    electricity.append(_debt_recovery(ctx, "DebtRecovery2", values.get(PREPAY["debt_recovery_2"]),
                                      values.get(PREPAY["debt_period_2"])))
    rsp.append(electricity)


# GSME: the Prepayment cluster's settings, the price trailing digit and the friendly credit calendar.
GAS_PREPAY: dict[int, str] = {0x0239: "DebtRecoveryPerPayment", 0x0006: "DebtRecoveryRateCap",
                              0x0040: "DisablementThreshold", 0x0010: "EmergencyCreditLimit",
                              0x0011: "EmergencyCreditThreshold", 0x0031: "LowCreditThreshold",
                              0x0022: "CreditMaxCreditThreshold", 0x0021: "MaxCreditMaxMeterBalance"}
GAS_PREPAY_READ = (0x0239, 0x0006, 0x0216, 0x0226, 0x0040, 0x0010, 0x0011, 0x0031, 0x0021, 0x0022, 0x0217, 0x0227)
GAS_DEBT_RECOVERY = (("DebtRecovery1", 0x0217, 0x0216), ("DebtRecovery2", 0x0227, 0x0226))   # (rate, frequency)
GAS_RECOVERY_PERIODS = {0x00: "HOURLY", 0x01: "DAILY"}
NON_DISABLEMENT_ACTIONS = {0x00: "STOP", 0x01: "START"}
gbz_reads("4.13", "GCS21b", [read_attributes(PREPAYMENT, GAS_PREPAY_READ),
                             read_attributes(PRICE, (PRICE_TRAILING_DIGIT,)),
                             *calendar_reads(FRIENDLY_CREDIT_CALENDAR_ID, FRIENDLY_CREDIT)])


@response("GCS21b")
def gsme_prepayment_configuration(ctx: ResponseContext, rsp: etree._Element) -> None:
    components = gas_components(ctx)
    values, _ = attributes(components, PREPAYMENT)
    rsp.extend(M(name, str(values[attribute])) for attribute, name in GAS_PREPAY.items() if attribute in values)
    calendar = GasCalendar.of(components)
    days = M.DayProfiles()
    for day in calendar.days[:5]:
        actions = [M.TimeStartAction(M.StartTime(minutes_time(e["start_time"])),
                                     *([M.NonDisablementAction(NON_DISABLEMENT_ACTIONS[e["price_tier_or_function"]])]
                                       if e["price_tier_or_function"] in NON_DISABLEMENT_ACTIONS else []),
                                     index=str(i))
                   for i, e in enumerate(day["schedule_entries"][:3], start=1)]
        days.append(M.GasNonDisablementDayProfile(*actions, M.GasDayName(str(day["day_id"]))))
    parts = [days, calendar.weeks_element("WeekProfiles", 2, "ReferencedDayName"),
             calendar.seasons_element("SeasonProfiles"),
             calendar.special_days_element("SpecialDays", "ReferencedDayName")]
    gas = M.Gas()
    if any(len(part) for part in parts):      # NOT_FOUND: the meter holds no friendly credit calendar
        gas.append(M.NonDisablementCalendar(*(part for part in parts if len(part))))
    for name, rate, frequency in GAS_DEBT_RECOVERY:
        recovery = M(name)
        if rate in values:
            recovery.append(M.DebtRecoveryRate(str(values[rate])))
        if values.get(frequency) in GAS_RECOVERY_PERIODS:
            recovery.append(M.DebtRecoveryRatePeriod(GAS_RECOVERY_PERIODS[values[frequency]]))
        gas.append(recovery)
    rsp.append(gas)
    success(rsp, read_ok(components))


# -- 4.18 Read Meter Balance ------------------------------------------------------------------------------------

METER_BALANCE: Read = (112, "0-0:19.10.0.255", 2)           # Credit current_credit_amount
dlms_reads("4.18", "ECS82", (METER_BALANCE,))
BILL_TO_DATE, CREDIT_REMAINING = 0x0A00, 0x0001              # Metering (credit mode), Prepayment (prepayment mode)
_GAS_BALANCE = [read_attributes(METERING, (BILL_TO_DATE,)), read_attributes(PREPAYMENT, (CREDIT_REMAINING,))]
gbz_reads("4.18", "GCS60", _GAS_BALANCE, devices=(GSME,), requires=predates("GCS60a"))
gbz_reads("4.18", "GCS60a", _GAS_BALANCE, devices=(GSME,), requires=takes("GCS60a"))
gbz_reads("4.18", "GCS60a", _GAS_BALANCE, devices=(GPF,))


@response("ECS82")
def esme_meter_balance(ctx: ResponseContext, rsp: etree._Element) -> None:
    if (balance := esme_config.read_value(ctx, 0)) is not None:
        rsp.append(M.MeterBalance(str(integer(ctx, balance, "meter balance"))))


CLOCK_STATUS_INVALID, CLOCK_STATUS_DOUBTFUL = 0x01, 0x02


@response("GCS60", "GCS60a")
def gsme_meter_balance(ctx: ResponseContext, rsp: etree._Element) -> None:
    components = gas_components(ctx)
    metering, ok = attributes(components, METERING)
    prepayment, prepayment_ok = attributes(components, PREPAYMENT)
    if BILL_TO_DATE in metering:
        rsp.append(M.MeterBalance(str(metering[BILL_TO_DATE])))
    rsp.append(M.Gas(*([M.MeterBalancePrepaymentMode(str(prepayment[CREDIT_REMAINING]))]
                       if CREDIT_REMAINING in prepayment else [])))
    # GCS60a: the grouping header carries the device's time; its clock status says whether to trust the values.
    raw = ctx.apdu.date_time_raw
    if raw and len(raw) == 13 and raw[-1] != 0xFF and raw[-1] & (CLOCK_STATUS_INVALID | CLOCK_STATUS_DOUBTFUL):
        ctx.notes.append(f"{ctx.use_case}: the device's clock status is 0x{raw[-1]:02X} (invalid or doubtful): "
                         f"its balances may not be current")
    success(rsp, ok and prepayment_ok)


# -- 6.2.3 Read Device Configuration (Billing Calendar) -----------------------------------------------------

BILLING_CALENDAR: Read = (22, "0-0:15.0.0.255", 4)           # Single Action Schedule execution_time
dlms_reads("6.2.3", "ECS26d", (BILLING_CALENDAR,), requires=predates("ECS26l"))
dlms_reads("6.2.3", "ECS26l", (BILLING_CALENDAR,), requires=takes("ECS26l"))
_GET_BILLING_PERIOD = [gbz.ZclCommand(PRICE, CLIENT_TO_SERVER, 0x0B, {
    "earliest_start_time": 0, "min_issuer_event_id": 0xFFFFFFFF, "number_of_commands": 1, "tariff_type": 0})]
gbz_reads("6.2.3", "GCS21d", _GET_BILLING_PERIOD, requires=predates("GCS21k"))
gbz_reads("6.2.3", "GCS21k", _GET_BILLING_PERIOD, requires=takes("GCS21k"))
_N_MONTHLY = {4: "Quarterly", 2: "SixMonthly", 1: "Yearly"}
PUBLISH_BILLING_PERIOD = 0x09


def billing_periodicity(ctx: ResponseContext, dates: list[bytes]) -> etree._Element:
    """The DUIS periodicity of the execution dates ECS30/ECS30a write (esme_config.billing_dates)."""
    first = dates[0]
    if len(dates) == 1 and first[2:4] == b"\xff\xff":
        return M.Daily() if first[4] == 0xFF else M.Weekly(str(first[4]))
    if len(dates) == 1 and first[2] == 0xFF:
        return M.Monthly(str(first[3]))
    check(ctx, len(dates) in _N_MONTHLY and len({d[3] for d in dates}) == 1 and all(1 <= d[2] <= 12 for d in dates),
          f"billing calendar dates {[d.hex().upper() for d in dates]} are no periodicity DUIS names")
    return M(_N_MONTHLY[len(dates)], M.DayOfMonth(str(first[3])), M.BillingPeriodStartMonth(str(first[2])))


@response("ECS26d", "ECS26l")
def esme_billing_calendar(ctx: ResponseContext, rsp: etree._Element) -> None:
    if (schedule := esme_config.read_value(ctx, 0)) is None:
        return
    entries = [items(ctx, e, "execution time", Tag.STRUCTURE, 2) for e in items(ctx, schedule, "execution times")]
    if not entries:
        ctx.notes.append(f"{ctx.use_case}: the billing calendar holds no execution time")
        return
    dates = [octets(ctx, date, "billing date", 5) for _, date in entries]
    time = xs_time(octets(ctx, entries[0][0], "billing time", 4))
    rsp.append(M.BillingCalendar(M.ElectricityBillingCalendar(M.BillingTime(time), billing_periodicity(ctx, dates))))


@response("GCS21d", "GCS21k")
def gsme_billing_calendar(ctx: ResponseContext, rsp: etree._Element) -> None:
    components = gas_components(ctx)
    periods = {v: k for k, v in PERIODICITY.items()}
    for published in frames(components, PRICE, PUBLISH_BILLING_PERIOD)[:1]:
        periodicity = periods.get((published["billing_period_duration"], published["billing_period_duration_type"]))
        if periodicity is None:
            ctx.notes.append(f"{ctx.use_case}: billing period of {published['billing_period_duration']} "
                             f"(type 0x{published['billing_period_duration_type']:02X}) is no DUIS periodicity")
            continue
        rsp.append(M.BillingCalendar(M.GasBillingCalendar(
            M.BillingPeriodStart(utc_text(gbz.gbz_time(published["billing_period_start_time"]))),
            M.Periodicity(periodicity))))
    success(rsp, all_found(components))


# -- 6.2.4 Read Device Configuration (Identity Exc MPxN) --------------------------------------------------

DEVICE_ID, METER_VARIANT, MODEL, MANUFACTURER = ((1, f"0-0:96.1.{n}.255", 2) for n in (1, 2, 4, 6))
SUPPLY_TAMPER_STATE: Read = (1, "0-0:94.44.0.4", 2)
IDENTITY = {"ECS26e": (DEVICE_ID, METER_VARIANT, MODEL, MANUFACTURER, SUPPLY_TAMPER_STATE),
            "ECS26m": (METER_VARIANT, MODEL, MANUFACTURER, SUPPLY_TAMPER_STATE),
            "ECS26i": (DEVICE_ID, MODEL, MANUFACTURER), "ECS26n": (MODEL, MANUFACTURER)}
dlms_reads("6.2.4", "ECS26e", IDENTITY["ECS26e"], requires=predates("ECS26m"))
dlms_reads("6.2.4", "ECS26m", IDENTITY["ECS26m"], requires=takes("ECS26m"))
# The CHF's identity: the DCC's Access Control Broker reads it for the User.
dlms_reads("6.2.4", "ECS26i", IDENTITY["ECS26i"], devices=(CHF,), originator=Originator.ACB,
           requires=predates("ECS26n"))
dlms_reads("6.2.4", "ECS26n", IDENTITY["ECS26n"], devices=(CHF,), originator=Originator.ACB, requires=takes("ECS26n"))
MANUFACTURER_NAME, MODEL_IDENTIFIER, HW_VERSION = 0x0004, 0x0005, 0x0003      # Basic cluster
GAS_SUPPLY_DEPLETION_STATE, GAS_SUPPLY_TAMPER_STATE = 0x0608, 0x0607          # Metering cluster
_GAS_STATES = read_attributes(METERING, (GAS_SUPPLY_DEPLETION_STATE, GAS_SUPPLY_TAMPER_STATE))
GAS_IDENTITY = {"GCS21e": (read_attributes(BASIC, (MANUFACTURER_NAME, MODEL_IDENTIFIER, HW_VERSION)), _GAS_STATES),
                "GCS21m": (read_attributes(BASIC, (MANUFACTURER_NAME, MODEL_IDENTIFIER)), _GAS_STATES)}
gbz_reads("6.2.4", "GCS21e", GAS_IDENTITY["GCS21e"], devices=GAS, requires=predates("GCS21m"))
gbz_reads("6.2.4", "GCS21m", GAS_IDENTITY["GCS21m"], devices=GAS, requires=takes("GCS21m"))
# The supply state a gas meter goes to on tamper or depletion (ZSE Supply Status values): unchanged, or off /
# armed, which DUIS calls Locked.
GAS_LOCK_STATES = {0x00: "Locked", 0x01: "Locked", 0x03: "Unchanged"}


IDENTITY_LENGTHS = {"ModelType": 8, "ManufacturerIdentifier": 32, "MeterVariant": 1}      # MMC maxLength


def identity(ctx: ResponseContext, parent: etree._Element, element: str, raw: bytes) -> None:
    value = text(raw)
    if len(value) > IDENTITY_LENGTHS[element]:
        ctx.notes.append(f"{ctx.use_case}: {element} {value!r} is longer than MMC's {IDENTITY_LENGTHS[element]}")
    else:
        parent.append(M(element, value))


@response("ECS26e", "ECS26m", "ECS26i", "ECS26n")
def esme_identity(ctx: ResponseContext, rsp: etree._Element) -> None:
    values = dlms_values(ctx, IDENTITY[ctx.use_case])
    device = values.get(DEVICE_ID)
    # The newer use cases read no device id: the grouping header's originator is the device.
    rsp.append(M.DeviceIdentifier(ctx.apdu.originator.duis if device is None
                                  else "-".join(f"{b:02X}" for b in octets(ctx, device, "device id", 8))))
    if MODEL in values:
        identity(ctx, rsp, "ModelType", octets(ctx, values[MODEL], "model type"))
    if MANUFACTURER in values:
        identity(ctx, rsp, "ManufacturerIdentifier", octets(ctx, values[MANUFACTURER], "manufacturer identifier"))
    if ctx.use_case in ("ECS26i", "ECS26n"):
        return
    electricity = M.Electricity()
    if (tamper := values.get(SUPPLY_TAMPER_STATE)) is not None:
        check(ctx, tamper.tag is Tag.BOOLEAN, f"the supply tamper state must be a boolean, found {tamper.tag.label}")
        electricity.append(M.SupplyTamperState("Locked" if tamper.value else "Unchanged"))
    if (variant := values.get(METER_VARIANT)) is not None:
        identity(ctx, electricity, "MeterVariant", octets(ctx, variant, "meter variant"))
    rsp.append(electricity)


@response("GCS21e", "GCS21m")
def gsme_identity(ctx: ResponseContext, rsp: etree._Element) -> None:
    components = gas_components(ctx)
    basic, ok = attributes(components, BASIC)
    metering, metering_ok = attributes(components, METERING)
    # GBCS's model identifier is the model type (8 bytes) followed, on older meters, by the device id.
    model = basic.get(MODEL_IDENTIFIER)
    model = model if isinstance(model, bytes) else b""
    device = EntityId(model[8:]) if len(model) == 16 else ctx.apdu.originator
    rsp.append(M.DeviceIdentifier(device.duis))
    if model:
        identity(ctx, rsp, "ModelType", model[:8])
    if isinstance(basic.get(MANUFACTURER_NAME), bytes):
        identity(ctx, rsp, "ManufacturerIdentifier", basic[MANUFACTURER_NAME])
    gas = M.Gas()
    for element, attribute in (("SupplyTamperState", GAS_SUPPLY_TAMPER_STATE),
                               ("SupplyDepletionState", GAS_SUPPLY_DEPLETION_STATE)):
        if attribute in metering:
            if metering[attribute] in GAS_LOCK_STATES:
                gas.append(M(element, GAS_LOCK_STATES[metering[attribute]]))
            else:
                ctx.notes.append(f"{ctx.use_case}: {element} {metering[attribute]} is neither unchanged (3) nor "
                                 f"off / armed (0, 1)")
    rsp.append(gas)
    success(rsp, ok and metering_ok)


# -- 6.2.7 Read Device Configuration (MPxN) ---------------------------------------------------------------

IMPORT_MPAN, EXPORT_MPAN = (1, "0-0:94.44.34.11", 2), (1, "1-0:0.0.2.255", 2)
dlms_reads("6.2.7", "ECS40", (IMPORT_MPAN, EXPORT_MPAN))
SITE_ID = 0x0307
gbz_reads("6.2.7", "GCS46", [read_attributes(METERING, (SITE_ID,))])
MPAN_LENGTH = 13


@response("ECS40")
def esme_mpans(ctx: ResponseContext, rsp: etree._Element) -> None:
    values = dlms_values(ctx, (IMPORT_MPAN, EXPORT_MPAN))
    electricity = M.Electricity()
    if IMPORT_MPAN in values:
        # A twin element meter holds its two import MPANs as one string, the primary first (ECS39a).
        mpans = octets(ctx, values[IMPORT_MPAN], "import MPAN").decode("utf-8", "replace")
        primary, secondary = (mpans[:MPAN_LENGTH], mpans[MPAN_LENGTH:]) if len(mpans) > MPAN_LENGTH else (mpans, "")
        electricity.append(M.ImportMPAN(primary))
        if secondary:
            electricity.append(M.SecondaryImportMPAN(secondary))
    if EXPORT_MPAN in values and (export := octets(ctx, values[EXPORT_MPAN], "export MPAN")):
        electricity.append(M.ExportMPAN(export.decode("utf-8", "replace")))
    rsp.append(electricity)


@response("GCS46")
def gsme_mprn(ctx: ResponseContext, rsp: etree._Element) -> None:
    values, ok = attributes(gas_components(ctx), METERING)
    site = values.get(SITE_ID)
    rsp.append(M.Gas(*([M.MPRN(site.decode("utf-8", "replace"))] if isinstance(site, bytes) else [])))
    success(rsp, ok)


# -- 6.2.8 Read Device Configuration (Gas) -----------------------------------------------------------------
# The Price cluster's commodity attributes that 6.6 (GCS23) publishes: conversion factor and calorific value with
# their trailing digits (ZSE 1.4 Price cluster, attribute set 0x03). The public RTDS has no GCS21a pair: the reads
# are those of what GCS23 sets; MMC's optional flow settings are not read.
CONVERSION_FACTOR, CONVERSION_FACTOR_TRAILING_DIGIT = 0x0302, 0x0303
CALORIFIC_VALUE, CALORIFIC_VALUE_UNIT, CALORIFIC_VALUE_TRAILING_DIGIT = 0x0304, 0x0305, 0x0306
GAS_CONVERSION = (("CalorificValue", CALORIFIC_VALUE, CALORIFIC_VALUE_TRAILING_DIGIT, CALORIFIC_VALUE_DIGITS),
                  ("ConversionFactor", CONVERSION_FACTOR, CONVERSION_FACTOR_TRAILING_DIGIT, CONVERSION_FACTOR_DIGITS))
gbz_reads("6.2.8", "GCS21a", [read_attributes(PRICE, (CONVERSION_FACTOR, CONVERSION_FACTOR_TRAILING_DIGIT,
                                                      CALORIFIC_VALUE, CALORIFIC_VALUE_UNIT,
                                                      CALORIFIC_VALUE_TRAILING_DIGIT))])


@response("GCS21a")
def gas_configuration(ctx: ResponseContext, rsp: etree._Element) -> None:
    values, ok = attributes(gas_components(ctx), PRICE)
    for name, value, trailing, _ in GAS_CONVERSION:
        if isinstance(values.get(value), int) and isinstance(values.get(trailing), int):
            rsp.append(M(name, decimal_text(values[value], values[trailing] >> 4)))
    success(rsp, ok)


# -- 6.2.10 Read Device Configuration (Event and Alert Behaviours) ------------------------------------------
# The alert settings objects read back what 6.22 set (esme_config.ALERT_SETTINGS): 256 bits each, alert
# 0xHHLL at bit LL counted from the end (1 = enabled). Supplier: WAN, HAN, audible alarm, logging; network
# operator: WAN, logging.
SUPPLIER_SETTINGS = (("ElectricitySupplierWANAlertSettings", "0-30:97.98.15.255"),
                     ("ElectricitySupplierHANAlertSettings", "0-30:97.98.16.255"),
                     ("ElectricitySupplierAlarmSettings", "0-30:97.98.17.255"),
                     ("ElectricitySupplierLoggingSettings", "0-30:97.98.18.255"))
NETWORK_OPERATOR_SETTINGS = (("ElectricityNetworkOperatorWANAlertSettings", "0-33:97.98.15.255"),
                             ("ElectricityNetworkOperatorLoggingSettings", "0-33:97.98.18.255"))
ALERT_READS = {"ECS25r1": SUPPLIER_SETTINGS, "ECS25r2": NETWORK_OPERATOR_SETTINGS}


def _network_operator(records: DspRecords) -> bool:
    return records.user_role is UserRole.ELECTRICITY_DISTRIBUTOR


for _use_case, _settings, _requires in (("ECS25r1", SUPPLIER_SETTINGS, lambda r: not _network_operator(r)),
                                        ("ECS25r2", NETWORK_OPERATOR_SETTINGS, _network_operator)):
    dlms_reads("6.2.10", _use_case, tuple((1, obis, 2) for _, obis in _settings), requires=_requires)
# Get Event Configuration of the event group 0x81FF: every 0x81xx event the GSME supports
gbz_reads("6.2.10", "GCS20r", [gbz.ZclCommand(DEVICE_MANAGEMENT, SERVER_TO_CLIENT, 0x05, {"event_id": 0x81FF})])


def enabled_alerts(ctx: ResponseContext, item: Data, high: int) -> set[str]:
    bits, raw = bit_string(item) if item.tag is Tag.BIT_STRING else (0, b"")
    check(ctx, item.tag is Tag.BIT_STRING and bits == 256, f"alert settings must be 256 bits, found {item.tag.label}")
    value = int.from_bytes(raw, "big")
    return {f"{high:02X}{low:02X}" for low in range(256) if value >> low & 1}


def _alert_groups(groups: tuple[tuple[str, tuple[str, ...]], ...], enabled: set[str]) -> list[etree._Element]:
    return [M(name, *(M(f"x{code}", "Enable" if code in enabled else "Disable") for code in codes))
            for name, codes in groups]


@response("ECS25r1", "ECS25r2")
def esme_alert_behaviours(ctx: ResponseContext, rsp: etree._Element) -> None:
    supplier = ctx.use_case == "ECS25r1"
    settings = ALERT_READS[ctx.use_case]
    out = M.ElectricitySupplierAlertEventSettings() if supplier else M.ElectricityNetworkOperatorAlertEventSettings()
    for position, (name, _obis) in enumerate(settings):
        if (item := esme_config.read_value(ctx, position)) is None:
            continue
        enabled = enabled_alerts(ctx, item, 0x81 if supplier else 0x80)
        if supplier:
            common, poly = ESME_SUPPLIER_ALERTS
            groups = (common,) + ((poly,) if enabled & set(poly[1]) else ())     # 81B7: poly phase meters only
        else:
            common, single, poly = ESME_NETWORK_OPERATOR_ALERTS
            groups = (common, poly if enabled & set(poly[1]) else single)
        out.append(M(name, *_alert_groups(groups, enabled)))
        unknown = enabled - {code for _, codes in groups for code in codes}
        if unknown:
            ctx.notes.append(f"{ctx.use_case}: {name} enables alerts MMC has no element for: "
                             f"{', '.join(sorted(unknown))}")
    rsp.append(out)


REPORT_EVENT_CONFIGURATION = 0x04
# An event configuration's bits (as GCS20 sets them), in MMC's WANHANEventLogAlarm order: bits 0-2 the log
# the event goes to (none when 0), bit 3 the WAN alert, bit 4 the HAN alert, bit 6 the audible alarm.
EVENT_FLAGS = (("WANAlert", 0x08), ("HANAlert", 0x10), ("EventLog", 0x07), ("Alarm", 0x40))


@response("GCS20r")
def gsme_alert_behaviours(ctx: ResponseContext, rsp: etree._Element) -> None:
    components = gas_components(ctx)
    reported = {f"{e['event_id']:04X}": e["event_configuration"] for c in components
                if c.cluster == DEVICE_MANAGEMENT and c.frame.cluster_specific and c.frame.values is not None
                and c.frame.command == REPORT_EVENT_CONFIGURATION for e in c.frame.values.get("events", ())}
    out = M.GasSupplierAlertEventSettings()
    for code in GSME_SUPPLIER_EVENTS:
        if code in reported:
            config = reported[code]
            out.append(M(f"x{code}", *(M(flag, "Enable" if config & bits else "Disable")
                                       for flag, bits in EVENT_FLAGS)))
    unknown = sorted(set(reported) - set(GSME_SUPPLIER_EVENTS))
    if unknown:
        ctx.notes.append(f"GCS20r: events MMC has no element for: {', '.join(unknown)}")
    rsp.append(out)
    success(rsp, all_found(components))


# -- 6.11 Synchronise Clock -------------------------------------------------------------------------------
# The same commands as 8.1.1's clock synchronisation at commissioning: set the clock within
# [CurrentDateTime, + TolerancePeriod] and read it back (ESME), or SetTime in that window (GSME).

command("6.11", "ECS70", devices=(ESME,))(esme_config.commission_clock)
command("6.11", "GCS28", devices=(GSME,))(joins.commission_gas_clock)
response("ECS70")(esme_config.clock_read_back)          # GCS28's SetTimeResponse: joins.gas_clock_set


# -- 7.4 Read Supply Status ---------------------------------------------------------------------------------

CONTROL_STATE: Read = (70, "0-0:96.3.10.255", 3)             # Disconnect Control control_state
dlms_reads("7.4", "ECS45", (CONTROL_STATE,))
REMAINING_BATTERY_LIFE, SUPPLY_STATUS = 0x0205, 0x0014
GAS_SUPPLY_STATUS_READS = (read_attributes(METERING, (REMAINING_BATTERY_LIFE, SUPPLY_STATUS)),)
gbz_reads("7.4", "GCS33", GAS_SUPPLY_STATUS_READS)
CONTROL_STATES = {0: "Disabled", 1: "Enabled", 2: "Armed"}   # disconnected, connected, ready for reconnection
GAS_SUPPLY_STATUS = {0x00: "Disabled", 0x01: "Armed", 0x02: "Enabled"}   # ZSE: off, off/armed, on


@response("ECS45")
def esme_supply_status(ctx: ResponseContext, rsp: etree._Element) -> None:
    if (state := esme_config.read_value(ctx, 0)) is None:
        return
    value = integer(ctx, state, "control state")
    if value in CONTROL_STATES:
        rsp.append(M.SupplyState(CONTROL_STATES[value]))
    else:
        ctx.notes.append(f"ECS45: control state {value} is none of disconnected, connected, ready for reconnection")


@response("GCS33")
def gsme_supply_status(ctx: ResponseContext, rsp: etree._Element) -> None:
    values, ok = attributes(gas_components(ctx), METERING)
    if values.get(SUPPLY_STATUS) in GAS_SUPPLY_STATUS:
        rsp.append(M.SupplyState(GAS_SUPPLY_STATUS[values[SUPPLY_STATUS]]))
    elif SUPPLY_STATUS in values:
        ctx.notes.append(f"GCS33: supply status {values[SUPPLY_STATUS]} is none of off, armed, on")
    # The meter reports its remaining battery life in days: what MMC's RemainingBatteryCapacity carries.
    rsp.append(M.Gas(*([M.RemainingBatteryCapacity(str(values[REMAINING_BATTERY_LIFE]))]
                       if REMAINING_BATTERY_LIFE in values else [])))
    success(rsp, ok)


# -- 7.7 Read Auxiliary Load Switch Data --------------------------------------------------------------------
# The five switches' descriptions (6.14.1) and type and identifier, the special days and scheduler (6.14.2), and
# each switch's Disconnect Control output_state (true: on), in the order of the RTDS 4.5.0 7.7_ECS61a command.
ALCS_DESCRIPTIONS: tuple[Read, ...] = tuple((1, f"0-0:94.44.0.{11 + n}", 2) for n in range(5))
ALCS_TYPES: tuple[Read, ...] = tuple((1, f"0-0:94.44.0.{21 + n}", 2) for n in range(5))
ALCS_SPECIAL_DAYS: Read = (11, "0-0:11.0.3.255", 2)
ALCS_SCHEDULE: Read = (10, "0-0:12.0.2.255", 2)
ALCS_STATES: tuple[Read, ...] = tuple((70, f"0-{n}:96.3.10.255", 2) for n in range(1, 6))
ALCS_READS = ALCS_DESCRIPTIONS + ALCS_TYPES + (ALCS_SPECIAL_DAYS, ALCS_SCHEDULE) + ALCS_STATES
dlms_reads("7.7", "ECS61a", ALCS_READS)
ALCS_ACTIONS = {0x01: "ActivateSwitch", 0x02: "DeactivateSwitch"}     # the scheduler's selectors 0x[n]01, 0x[n]02


def _alcs_schedule(ctx: ResponseContext, entry: Data) -> etree._Element:
    (_index, _enable, _script, selector, switch_time, _window, weekdays, special_days, begin, end) = items(
        ctx, entry, "auxiliary load scheduler entry", Tag.STRUCTURE, 10)
    switch, action = divmod(integer(ctx, selector, "script selector"), 0x100)
    check(ctx, switch in range(1, 6) and action in ALCS_ACTIONS, f"scheduler selector {switch:02X}{action:02X} is "
          "not 0x[n]01 or 0x[n]02 for a switch n of 1-5")
    return M.ALCSScheduler(
        M.ActivateDeactivateSwitch(M(ALCS_ACTIONS[action]), index=str(switch)),
        *(M.SpecialDaysApplicability(index=str(i)) for i, bit in enumerate(_bits(special_days), start=1) if bit == "1"),
        M.DaysOfWeekApplicability(*(M.DayOfWeekApplicability(M.DayOfWeekID(day))
                                    for day, bit in zip(DAYS_OF_WEEK, _bits(weekdays)) if bit == "1")),
        M.ALCSScheduleDatesAndTime(M.SwitchTime(xs_time(octets(ctx, switch_time, "switch time", 4))),
                                   M.StartDate(*mmc_date(octets(ctx, begin, "begin date", 5))),
                                   M.EndDate(*mmc_date(octets(ctx, end, "end date", 5)))))


@response("ECS61a")
def esme_auxiliary_loads(ctx: ResponseContext, rsp: etree._Element) -> None:
    values = dlms_values(ctx, ALCS_READS)
    for n, (described, typed, state) in enumerate(zip(ALCS_DESCRIPTIONS, ALCS_TYPES, ALCS_STATES), start=1):
        switch = M.AuxiliaryLoadControlSwitch(Index=str(n))
        if described in values:
            description = values[described].value
            check(ctx, values[described].tag is Tag.VISIBLE_STRING and isinstance(description, str),
                  f"switch {n}'s description must be a visible-string")
            if description:
                switch.append(M.Description(description))
        if typed in values:
            eui = octets(ctx, values[typed], "switch type and identifier", 8)
            switch.append(M.TypeAndIdentifier(M.HCALCS(EntityId(eui).duis) if any(eui) else M.ALCS()))
        if state in values:
            check(ctx, values[state].tag is Tag.BOOLEAN, f"switch {n}'s state must be a boolean")
            switch.append(M.State("true" if values[state].value else "false"))
        rsp.append(switch)
    if ALCS_SPECIAL_DAYS in values:
        days = []
        for day in items(ctx, values[ALCS_SPECIAL_DAYS], "special days"):
            index, date, _day_id = items(ctx, day, "special day", Tag.STRUCTURE, 3)
            days.append(M.ALCSHCALCSSpecialDay(*mmc_date(octets(ctx, date, "special day date", 5)),
                                               index=str(integer(ctx, index, "special day index"))))
        rsp.append(M.ALCSHCALCSSpecialDays(*days))
    if ALCS_SCHEDULE in values:
        rsp.extend(_alcs_schedule(ctx, entry) for entry in items(ctx, values[ALCS_SCHEDULE], "scheduler"))


# -- Device side ----------------------------------------------------------------------------------------

@accepts("ECS61a")
def auxiliary_loads_read_command(command: DeviceCommand) -> dict:
    _only_gets(command, ALCS_READS)
    return {}


@answers("ECS61a")
def auxiliary_loads_read_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """The switches' descriptions (6.14.1) and states (7.5, 7.6, 7.8) as the ESME holds them. The rest is answered
    as an ESME that 6.14.2 never configured and no HCALCS joined holds it: five ALCS (type and identifier all zero,
    as the RTDS answers for its ALCS), no special days and an empty scheduler."""
    states = tuple(outcome.get("AuxiliaryLoadsOn", (False,) * len(ALCS_STATES)))
    descriptions = tuple(outcome.get("AuxiliaryLoadDescriptions", ("",) * len(ALCS_DESCRIPTIONS)))
    return device.dlms_answer(command, outcome, (
        *(axdr.visible_string(text) for text in descriptions), *(axdr.octet_string(bytes(8)) for _ in ALCS_TYPES),
        axdr.array(), axdr.array(), *(axdr.boolean(on) for on in states)))


@accepts("ECS82")
def meter_balance_command(command: DeviceCommand) -> dict:
    specs = device.access_request(command).specs
    read = [(s.kind, (s.descriptor.class_id, str(s.descriptor.instance), s.descriptor.member)) for s in specs]
    if read != [(GET, METER_BALANCE)]:
        raise PayloadError(f"ECS82: the command must get the meter balance {METER_BALANCE} and nothing else", 0)
    return {}


@answers("ECS82")
def meter_balance_answer(command: DeviceCommand, outcome: dict) -> bytes:
    # current_credit_amount is a double-long (Blue Book class 112): a balance owed in credit mode is negative.
    return device.dlms_answer(command, outcome, [axdr.double_long(int(outcome.get("MeterBalance", "0")))])


# -- Device side: the ESME's billing calendar (6.2.3), MPANs (6.2.7), alert behaviours (6.2.10) and clock (6.11) --

def _only_gets(command: DeviceCommand, reads: tuple[Read, ...]) -> None:
    specs = device.access_request(command).specs
    asked = [(s.kind, (s.descriptor.class_id, str(s.descriptor.instance), s.descriptor.member)) for s in specs]
    if asked != [(GET, read) for read in reads]:
        raise PayloadError(f"{command.use_case}: the command must get {', '.join(map(str, reads))} and nothing else", 0)


@accepts("ECS40")
def mpan_read_command(command: DeviceCommand) -> dict:
    _only_gets(command, (IMPORT_MPAN, EXPORT_MPAN))
    return {}


@answers("ECS40")
def mpan_read_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """The import MPAN 6.20.1 set (ECS39a) and the export MPAN, empty where the meter holds none."""
    return esme_config.device.dlms_answer(command, outcome, (
        axdr.octet_string(str(outcome.get("ImportMPxN", "")).encode()),
        axdr.octet_string(str(outcome.get("ExportMPAN", "")).encode())))


@accepts("ECS45")
def supply_status_read_command(command: DeviceCommand) -> dict:
    _only_gets(command, (CONTROL_STATE,))
    return {}


@answers("ECS45")
def supply_status_read_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """The load switch's control state as the ESME holds it (7.1-7.3 and the consumer's press change it)."""
    states = {name: value for value, name in CONTROL_STATES.items()}
    return device.dlms_answer(command, outcome, (axdr.enum(states[outcome.get("SupplyState", "Enabled")]),))


@accepts("ECS26e", "ECS26m", "ECS26i", "ECS26n")
def identity_read_command(command: DeviceCommand) -> dict:
    _only_gets(command, IDENTITY[command.use_case])
    return {}


@answers("ECS26e", "ECS26m", "ECS26i", "ECS26n")
def identity_read_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """The device's identity in the order the use case reads it: the ESME's with the supply tamper state 6.25
    set (ECS81's boolean: true Locked), the CHF's model and manufacturer (ECS26i/n); the device id ECS26e and
    ECS26i read is the answering device's own."""
    values = {DEVICE_ID: axdr.octet_string(bytes(command.apdu.recipient)),
              METER_VARIANT: axdr.octet_string(str(outcome.get("MeterVariant", "")).encode()),
              MODEL: axdr.octet_string(str(outcome.get("ModelType", "")).encode()),
              MANUFACTURER: axdr.octet_string(str(outcome.get("ManufacturerIdentifier", "")).encode()),
              SUPPLY_TAMPER_STATE: axdr.boolean(outcome.get("SupplyTamperState") == "Locked")}
    return device.dlms_answer(command, outcome, tuple(values[read] for read in IDENTITY[command.use_case]))


@accepts("ECS26d", "ECS26l")
def billing_calendar_read_command(command: DeviceCommand) -> dict:
    _only_gets(command, (BILLING_CALENDAR,))
    return {}


@answers("ECS26d", "ECS26l")
def billing_calendar_read_answer(command: DeviceCommand, outcome: dict) -> bytes:
    return esme_config.device.dlms_answer(command, outcome, (esme_config.execution_times(outcome),))


# 6.22's DUIS element for each settings object 6.2.10 reads back, and the MMC element that holds it.
ALERT_SETTINGS_READ_AS = {"ElectricitySupplierAlerts": "ElectricitySupplierWANAlertSettings",
                          "ElectricitySupplierHANAlertSettings": "ElectricitySupplierHANAlertSettings",
                          "ElectricitySupplierAlarmSettings": "ElectricitySupplierAlarmSettings",
                          "ElectricitySupplierLoggingSettings": "ElectricitySupplierLoggingSettings",
                          "ElectricityNetworkOperatorAlerts": "ElectricityNetworkOperatorWANAlertSettings",
                          "ElectricityNetworkOperatorLoggingSettings": "ElectricityNetworkOperatorLoggingSettings"}
_ALERT_READ_ROOTS = {"ECS25r1": "ElectricitySupplierAlertEventSettings",
                     "ECS25r2": "ElectricityNetworkOperatorAlertEventSettings"}


def alert_behaviour_read(use_case: str, written: dict[str, str]) -> dict[str, str]:
    """What ECS25r1/r2 read back (MMC names, as esme_alert_behaviours shows them) of the alert settings 6.22
    wrote (its DUIS leaves, e.g. ElectricitySupplierAlerts/SupplierESMECommon/x810E: Enable); an alert never
    configured is disabled."""
    root, supplier = _ALERT_READ_ROOTS[use_case], use_case == "ECS25r1"
    enabled: dict[str, set[str]] = {name: set() for name, _ in ALERT_READS[use_case]}
    for path, value in written.items():
        element, code = path.split("/", 1)[0], path.rsplit("/x", 1)[-1]
        name = ALERT_SETTINGS_READ_AS.get(element)
        if name in enabled and value == "Enable":
            enabled[name].add(code)
    out = {}
    for name, codes in enabled.items():
        if supplier:
            common, poly = ESME_SUPPLIER_ALERTS
            groups = (common,) + ((poly,) if codes & set(poly[1]) else ())
        else:
            common, single, poly = ESME_NETWORK_OPERATOR_ALERTS
            groups = (common, poly if codes & set(poly[1]) else single)
        out.update({f"{root}/{name}/{group}/x{code}": "Enable" if code in codes else "Disable"
                    for group, group_codes in groups for code in group_codes})
    return out


@accepts("ECS25r1", "ECS25r2")
def alert_behaviours_read_command(command: DeviceCommand) -> dict:
    _only_gets(command, tuple((1, obis, 2) for _, obis in ALERT_READS[command.use_case]))
    return {}


@answers("ECS25r1", "ECS25r2")
def alert_behaviours_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """Each settings object's 256 bits: alert 0xHHLL enabled at bit LL counted from the end."""
    root = _ALERT_READ_ROOTS[command.use_case]
    settings = []
    for name, _ in ALERT_READS[command.use_case]:
        bits = 0
        for path, value in outcome.items():
            if path.startswith(f"{root}/{name}/") and value == "Enable":
                bits |= 1 << (int(path.rsplit("/x", 1)[1], 16) & 0xFF)
        settings.append(Data(Tag.BIT_STRING, (256, bits.to_bytes(32, "big"))))
    return esme_config.device.dlms_answer(command, outcome, tuple(settings))


accepts("ECS70")(esme_config.clock_command)             # 8.1.1's clock synchronisation on a commissioned ESME
answers("ECS70")(esme_config.clock_answer)


# -- Device side: the ESME's tariff and prepayment configuration read-backs (ECS24, ECS26a) ---------------
# What the ESME answers is what its objects hold: the active values ECS01a/ECS01b, ECS02/ECS03, ECS07 and
# ECS08a wrote (as passive values) and activated, each written back as the setting command wrote it.

def repeated(values: dict[str, str], path: str) -> list[dict[str, str]]:
    """A repeated element's occurrences in MMC values (mmc.values names it 'path[n]' when it repeats,
    'path' when it is there once), each as its values below it ('' its text, '@name' its attributes)."""
    pattern = re.compile(re.escape(path) + r"(?:\[(\d+)\])?(?:/(.*)|(@.*))?$")
    found: dict[int, dict[str, str]] = {}
    for key, value in values.items():
        if (match := pattern.match(key)) is not None:
            found.setdefault(int(match.group(1) or 1), {})[match.group(2) or match.group(3) or ""] = value
    return [found[n] for n in sorted(found)]


def _by_index(entries: list[dict[str, str]]) -> list[dict[str, str]]:
    return sorted(entries, key=lambda entry: int(entry.get("@index", "0")))


def _wildcard_date(parts: dict[str, str]) -> bytes:
    """MMC's Year, Month, DayOfMonth, DayOfWeek as a 5-byte DLMS date with its wildcards."""
    if "DayOfMonth/SpecifiedDayOfMonth" in parts:
        day = int(parts["DayOfMonth/SpecifiedDayOfMonth"])
    else:
        day = 0xFE if "DayOfMonth/LastDayOfMonth" in parts else 0xFD if "DayOfMonth/SecondLastDayOfMonth" in parts \
            else 0xFF
    year, month = int(parts.get("Year/SpecifiedYear", 0xFFFF)), int(parts.get("Month/SpecifiedMonth", 0xFF))
    return year.to_bytes(2, "big") + bytes((month, day, int(parts.get("DayOfWeek/SpecifiedDayOfWeek", 0xFF))))


def _below(values: dict[str, str], prefix: str) -> dict[str, str]:
    return {k.removeprefix(f"{prefix}/"): v for k, v in values.items() if k.startswith(f"{prefix}/")}


_XS_TIME = re.compile(r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,2}))?Z?$")


def _dlms_time(text: str) -> bytes:
    """MMC's xs:time (UTC, as xs_time writes it) as a 4-byte DLMS time."""
    found = _XS_TIME.match(text)
    if found is None:
        raise PayloadError(f"{text!r} is not a time of day", 0)
    return bytes((int(found[1]), int(found[2]), int(found[3]), int((found[4] or "0").ljust(2, "0"))))


def _dlms_plain_date(text: str) -> bytes:
    year, month, day = (int(part) for part in text.removesuffix("Z").split("-"))
    return year.to_bytes(2, "big") + bytes((month, day, 0xFF))


def _number(values: dict[str, str], name: str, default: int = 0) -> int:
    return int(values.get(name) or default)


def _flatten(*elements: etree._Element) -> dict[str, str]:
    """MMC elements' values named as mmc.values names them."""
    return xml.flatten(M.Read(*elements))


def tariff_read(written: dict[str, str], active_price: int) -> dict[str, str]:
    """What ECS24 reads back (MMC names, as esme_tariff shows them) of the tariff ECS01a / ECS01b wrote (their
    DUIS leaves, as the meter holds them once active) and the price now in force. A DLMS ESME's Price Matrix
    holds every TOU and block price (unpriced ones 0); before any tariff its calendar is empty and every price
    0 at the default scale."""
    tariff, prices = "ElecTariffElements", "PriceElements/ElectricityPriceElements"
    price_scale = _number(written, f"{prices}/PriceScale", DEFAULT_PRICE_SCALE)
    currency = written.get(f"{tariff}/CurrencyUnits", "GBP")
    tou: dict[int, int] = {}
    blocks: dict[tuple[int, int], int] = {}
    for kind in ("TOUTariff", "BlockTariff", "HybridTariff"):
        tou.update({int(p["@index"]): int(p[""]) for p in repeated(written, f"{prices}/{kind}/TOUPrice")})
        blocks.update({(int(r["@index"]), int(b["@index"])): int(b[""])
                       for r in repeated(written, f"{prices}/{kind}/BlockPrices") for b in repeated(r, "BlockPrice")})
    table = f"{tariff}/SwitchingTable"
    days = [M.DayProfile(M.Day(str(_number(d, "DayName"))), *(M.ProfileSchedule(
        M.StartTime(xs_time(_dlms_time(a["StartTime"]))),
        M.TOUTariffAction(str(int(a["TOUTariffAction"]))) if "TOUTariffAction" in a
        else M.BlockTariffAction(str(_number(a, "BlockTariffAction")))) for a in repeated(d, "ProfileSchedule")))
        for d in repeated(written, f"{table}/DayProfiles/DayProfile")]
    weeks = [M.WeekProfile(M.WeekName(str(_number(w, "WeekName"))), *indexed(
        "ReferencedElecDay", (int(d[""]) for d in _by_index(repeated(w, "ReferencedDayName")))))
        for w in repeated(written, f"{table}/WeekProfiles/WeekProfile")]
    seasons = [M.Season(M.SeasonName(s.get("SeasonName", "")[:8]),
                        M.SeasonStartDate(*mmc_date(_wildcard_date(_below(s, "SeasonStartDate")))),
                        M.ReferencedWeekName(str(_number(s, "ReferencedWeekName"))))
               for s in repeated(written, f"{table}/Seasons/Season")]
    special_days = [M.SpecialDay(M.Date(*mmc_date(_wildcard_date(_below(d, "Date")))),
                                 M.ReferencedDay(str(_number(d, "ReferencedDayName"))))
                    for d in repeated(written, f"{tariff}/SpecialDays/SpecialDay")]
    thresholds = {int(t.get("@index", "0")): t for t in repeated(written, f"{tariff}/ThresholdMatrix/Thresholds")}
    electricity = M.Electricity(M.PrimaryActiveTariffPrice(str(active_price)), M.CurrencyUnitsLabel(currency))
    if price_scale == -5:                                # as esme_tariff names 10^-5 of the currency
        electricity.append(M.CurrencyUnitsName("Millipence" if currency == "GBP" else "Millicent"))
    electricity.extend((
        M.StandingCharge(str(_number(written, f"{prices}/StandingCharge"))),
        M.StandingChargeScale(str(_number(written, f"{prices}/StandingChargeScale", DEFAULT_PRICE_SCALE))),
        M.PriceScale(str(price_scale)),
        M.TariffBlockPriceMatrix(*(M.TariffBlockPrices(*(M.BlockPrice(str(blocks.get((rate, block), 0)),
                                                                      index=str(block)) for block in range(1, 5)),
                                                       index=str(rate)) for rate in range(1, 9))),
        M.TariffTOUPriceMatrix(*indexed("TariffTOUPrice", (tou.get(i, 0) for i in range(1, 49)))),
        M.TariffSwitchingTable(M.DayProfiles(*days), M.WeekProfiles(*weeks), M.Seasons(*seasons)),
        M.TariffSwitchingTableSpecialDays(*special_days),
        M.TariffThresholdMatrix(*(M.ElecTariffThresholds(*indexed("BlockThreshold", (int(t[""]) for t in _by_index(
            repeated(thresholds.get(rate, {}), "BlockThreshold")))), index=str(rate)) for rate in range(1, 9)))))
    return _flatten(electricity)


def prepayment_configuration_read(written: dict[str, str], payment: dict[str, str], mode: PaymentMode,
                                  debt: dict[str, str]) -> dict[str, str]:
    """What ECS26a reads back (MMC names, as esme_prepayment_configuration shows them) of what ECS08a wrote
    (its DUIS leaves), of ECS03's debt suspensions and disablement threshold (sr:Prepayment's leaves) in the
    payment mode now, and of ECS07's debt recovery (its DUIS leaves); what was never set reads 0."""
    config = "UpdatePrepayConfigElectricity"
    calendar = f"{config}/ElectricityNonDisablementCalendar"
    prepayment = mode is PaymentMode.PREPAYMENT
    special_days = _by_index(repeated(written, f"{calendar}/ElectricitySpecialDays/SpecialDay"))
    special_count = max((int(d["@index"]) for d in special_days), default=0)
    schedules = []
    for entry in repeated(written, f"{calendar}/ElectricityNonDisablementSchedule"):
        days = {d["DayOfWeekID"] for d in repeated(entry, "DaysOfWeekApplicability/DayOfWeekApplicability")}
        applies = {int(d["SpecialDayID"]) for d in repeated(entry, "SpecialDaysApplicability/SpecialDayApplicability")}
        when = _below(entry, "ScheduleDatesAndTime")
        schedules.append(M.ElectricityNonDisablementSchedule(
            M.NonDisablementScript(entry["NonDisablementScript"]),
            M.SpecialDaysApplicability(*(M.SpecialDayApplicability(M.SpecialDayID(str(i)))
                                         for i in sorted(applies) if i <= special_count)),
            M.DaysOfWeekApplicability(*(M.DayOfWeekApplicability(M.DayOfWeekID(day))
                                        for day in DAYS_OF_WEEK if day in days)),
            M.ScheduleDatesAndTime(M.SwitchTime(xs_time(_dlms_time(when["SwitchTime"]))),
                                   M.StartDate(xs_date(_dlms_plain_date(when["StartDate"]))),
                                   M.EndDate(xs_date(_dlms_plain_date(when["EndDate"]))))))

    def recovery(n: int) -> etree._Element:
        rate = _below(debt, f"ElecDebtRecovery{n}")
        period = rate.get("DebtRecoveryRatePeriod", "").upper()
        return M(f"DebtRecovery{n}", M.DebtRecoveryRate(str(_number(rate, "DebtRecoveryRate"))),
                 M.DebtRecoveryRatePriceScale(str(_number(rate, "DebtRecoveryRatePriceScale", DEFAULT_PRICE_SCALE))),
                 *([M.DebtRecoveryRatePeriod(period)] if period in PERIODS.values() else []))

    def setting(name: str) -> str:
        return str(_number(written, f"{config}/{name}"))
    return _flatten(
        M.DebtRecoveryPerPayment(str(_number(debt, "DebtRecoveryPerPayment"))),
        M.DebtRecoveryRateCap(setting("DebtRecoveryRateCap")),
        M.DisablementThreshold(str(_number(payment, "DisablementThreshold"))),
        M.EmergencyCreditLimit(setting("EmergencyCreditLimit")),
        M.EmergencyCreditThreshold(setting("EmergencyCreditThreshold")),
        M.LowCreditThreshold(setting("LowCreditThreshold")),
        M.CreditMaxCreditThreshold(setting("MaxCreditThreshold")),
        M.MaxCreditMaxMeterBalance(setting("MaxMeterBalance")),
        # the credit_charge_configuration says these only of prepayment mode (payment_configuration)
        M.SuspendDebtDisabled(str(prepayment and device.truth(payment, "SuspendDebtDisabled")).lower()),
        M.SuspendDebtEmergency(str(prepayment and device.truth(payment, "SuspendDebtEmergency")).lower()),
        M.Electricity(M.PaymentMode(mode), M.NonDisablementCalendar(M.ElectricitySpecialDays(*(
            M.SpecialDay(*mmc_date(_wildcard_date(_below(d, "Date"))), index=d["@index"]) for d in special_days)),
            *schedules), recovery(1), recovery(2)))


@accepts("ECS24")
def tariff_read_command(command: DeviceCommand) -> dict:
    _only_gets(command, TARIFF_READS)
    return {}


# The Active Tariff Price's scaler_unit: the price scale, and unit 254 (a currency has no DLMS unit), as the
# RTDS ESME answers ECS24 (RTDS 4.5.0, 4.11.1_ECS24).
PRICE_UNIT = 254
SEASON_START_TIME = bytes(4) + b"\x80\x00\xff"       # midnight UTC, as ECS01a writes a season's start
DEFAULT_PRICE_SCALE = -5


@answers("ECS24")
def tariff_read_answer(command: DeviceCommand, outcome: dict) -> bytes:
    values = {k.removeprefix("Electricity/"): v for k, v in outcome.items() if k.startswith("Electricity/")}
    table = "TariffSwitchingTable"
    price_scale = _number(values, "PriceScale", DEFAULT_PRICE_SCALE)
    seasons = [axdr.structure(axdr.octet_string(s.get("SeasonName", "").encode("ascii", "replace")),
                              axdr.octet_string(_wildcard_date(_below(s, "SeasonStartDate")) + SEASON_START_TIME),
                              axdr.octet_string(bytes((_number(s, "ReferencedWeekName"),))))
               for s in repeated(values, f"{table}/Seasons/Season")]
    weeks = [axdr.structure(axdr.octet_string(bytes((_number(w, "WeekName"),))),
                            *(axdr.unsigned(int(d[""])) for d in _by_index(repeated(w, "ReferencedElecDay"))))
             for w in repeated(values, f"{table}/WeekProfiles/WeekProfile")]
    days = [axdr.structure(axdr.unsigned(_number(d, "Day")), axdr.array(*(axdr.structure(
        axdr.octet_string(_dlms_time(a["StartTime"])), axdr.octet_string(tariff_commands.TARIFF_SCRIPTS),
        axdr.long_unsigned(int(a["TOUTariffAction"]) if "TOUTariffAction" in a
                           else tariff_commands.BLOCK_SELECTOR_BASE + _number(a, "BlockTariffAction")))
        for a in repeated(d, "ProfileSchedule"))))
        for d in repeated(values, f"{table}/DayProfiles/DayProfile")]
    special_days = [axdr.structure(axdr.long_unsigned(n), axdr.octet_string(_wildcard_date(_below(d, "Date"))),
                                   axdr.unsigned(_number(d, "ReferencedDay")))
                    for n, d in enumerate(repeated(values, "TariffSwitchingTableSpecialDays/SpecialDay"), 1)]
    rates = {int(t.get("@index", "0")): t for t in repeated(values, "TariffThresholdMatrix/ElecTariffThresholds")}
    tou = {int(p["@index"]): int(p[""]) for p in repeated(values, "TariffTOUPriceMatrix/TariffTOUPrice")}
    blocks = {(int(r["@index"]), int(p["@index"])): int(p[""])
              for r in repeated(values, "TariffBlockPriceMatrix/TariffBlockPrices") for p in repeated(r, "BlockPrice")}
    # The Price Matrix as ECS01a writes it: TOU prices 01..30 (hex), then block prices A1..D8.
    matrix = [(bytes((i,)), tou.get(i, 0)) for i in range(1, tariff_commands.TOU_RATES + 1)]
    matrix += [(bytes((0xA0 + 0x10 * block + rate,)), blocks.get((rate, block + 1), 0))
               for block in range(tariff_commands.BLOCKS) for rate in range(1, tariff_commands.BLOCK_RATES + 1)]
    read = {
        TARIFF["price"]: axdr.double_long_unsigned(_number(values, "PrimaryActiveTariffPrice")),
        TARIFF["price_scaler_unit"]: axdr.structure(axdr.integer(price_scale), axdr.enum(PRICE_UNIT)),
        TARIFF["seasons"]: axdr.array(*seasons), TARIFF["weeks"]: axdr.array(*weeks),
        TARIFF["days"]: axdr.array(*days), TARIFF["special_days"]: axdr.array(*special_days),
        **{TARIFF[f"thresholds{rate}"]: axdr.array(*(axdr.double_long_unsigned(int(t[""])) for t in _by_index(
            repeated(rates.get(rate, {}), "BlockThreshold")))) for rate in range(1, tariff_commands.BLOCK_RATES + 1)},
        TARIFF["currency"]: axdr.boolean(values.get("CurrencyUnitsLabel", "GBP") == "GBP"),
        TARIFF["standing_charge"]: tariff_commands.unit_charge(
            _number(values, "StandingChargeScale", DEFAULT_PRICE_SCALE), [(b"", _number(values, "StandingCharge"))]),
        TARIFF["price_matrix"]: tariff_commands.unit_charge(
            price_scale, matrix, commodity=tariff_commands.ACTIVE_IMPORT,
            commodity_scale=tariff_commands.PRICE_COMMODITY_SCALE)}
    return esme_config.device.dlms_answer(command, outcome, tuple(read[r] for r in TARIFF_READS))


@accepts("ECS26a")
def prepayment_configuration_read_command(command: DeviceCommand) -> dict:
    _only_gets(command, PREPAY_READS)
    return {}


@answers("ECS26a")
def prepayment_configuration_read_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """A single element ESME's: a twin element ESME's credit_charge_configuration also has its secondary
    element's prices paid from its credits (esme_prepayment.credit_charge_configuration)."""
    electricity = _below(outcome, "Electricity")
    seconds = {name: period for period, name in PERIODS.items()}
    special_days = _by_index(repeated(electricity, "NonDisablementCalendar/ElectricitySpecialDays/SpecialDay"))
    special_count = max((int(d["@index"]) for d in special_days), default=0)
    schedule = []
    for n, entry in enumerate(repeated(electricity, "NonDisablementCalendar/ElectricityNonDisablementSchedule"), 1):
        weekdays = {d["DayOfWeekID"] for d in repeated(entry, "DaysOfWeekApplicability/DayOfWeekApplicability")}
        applies = {int(d["SpecialDayID"]) for d in repeated(entry, "SpecialDaysApplicability/SpecialDayApplicability")}
        when = _below(entry, "ScheduleDatesAndTime")
        schedule.append(axdr.structure(
            axdr.long_unsigned(n), axdr.boolean(True), axdr.octet_string(prepayment_commands.NON_DISABLEMENT_SCRIPTS),
            axdr.long_unsigned(prepayment_commands.NON_DISABLEMENT_SCRIPT[entry["NonDisablementScript"]]),
            axdr.octet_string(_dlms_time(when["SwitchTime"])), axdr.long_unsigned(0xFFFF),
            axdr.bit_string("".join("1" if day in weekdays else "0" for day in DAYS_OF_WEEK)),
            axdr.bit_string("".join("1" if i in applies else "0" for i in range(1, special_count + 1))),
            axdr.octet_string(_dlms_plain_date(when["StartDate"])),
            axdr.octet_string(_dlms_plain_date(when["EndDate"]))))

    def recovery(n: int) -> tuple[Data, Data]:
        rate = _below(electricity, f"DebtRecovery{n}")
        return (tariff_commands.unit_charge(_number(rate, "DebtRecoveryRatePriceScale", DEFAULT_PRICE_SCALE),
                                       [(b"", _number(rate, "DebtRecoveryRate"))]),
                axdr.double_long_unsigned(seconds.get(rate.get("DebtRecoveryRatePeriod", ""), 0)))
    (charge_1, period_1), (charge_2, period_2) = recovery(1), recovery(2)
    read = {
        PREPAY["debt_recovery_1"]: charge_1, PREPAY["debt_period_1"]: period_1,
        PREPAY["debt_recovery_2"]: charge_2, PREPAY["debt_period_2"]: period_2,
        PREPAY["special_days"]: axdr.array(*(axdr.structure(
            axdr.long_unsigned(int(d["@index"])), axdr.octet_string(_wildcard_date(d)), axdr.unsigned(int(d["@index"])))
            for d in special_days)),
        PREPAY["debt_per_payment"]: axdr.long_unsigned(_number(outcome, "DebtRecoveryPerPayment")),
        PREPAY["max_credit_threshold"]: axdr.double_long(_number(outcome, "CreditMaxCreditThreshold")),
        PREPAY["disablement_threshold"]: axdr.array(axdr.double_long(_number(outcome, "DisablementThreshold"))),
        PREPAY["max_meter_balance"]: axdr.double_long(_number(outcome, "MaxCreditMaxMeterBalance")),
        PREPAY["low_credit_threshold"]: axdr.double_long(_number(outcome, "LowCreditThreshold")),
        PREPAY["debt_recovery_rate_cap"]: axdr.long_unsigned(_number(outcome, "DebtRecoveryRateCap")),
        PREPAY["debt_recovery_rate_cap_period"]: axdr.double_long(prepayment_commands.RATE_CAP_PERIOD_SECONDS),
        PREPAY["emergency_credit_limit"]: axdr.double_long(_number(outcome, "EmergencyCreditLimit")),
        PREPAY["emergency_credit_threshold"]: axdr.double_long(_number(outcome, "EmergencyCreditThreshold")),
        PREPAY["non_disablement_schedule"]: axdr.array(*schedule),
        PREPAY["credit_charge_configuration"]: prepayment_commands.credit_charge_configuration(
            prepayment=electricity.get("PaymentMode") == PaymentMode.PREPAYMENT,
            suspend_debt_disabled=device.truth(outcome, "SuspendDebtDisabled"),
            suspend_debt_emergency=device.truth(outcome, "SuspendDebtEmergency"))}
    return esme_config.device.dlms_answer(command, outcome, tuple(read[r] for r in PREPAY_READS))


# -- Device side: the GSME's and GPF's read-backs ----------------------------------------------------------

@accepts("GCS60", "GCS60a", "GCS20r", "GCS21d", "GCS21k", "GCS21a")
def gas_read_back_command(command: DeviceCommand) -> dict:
    """These commands are the same whatever the request: the firmware model needs nothing from them."""
    return {}


@answers("GCS60", "GCS60a")
def gas_meter_balance_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """Bill To Date (credit mode, unsigned) and Credit Remaining (prepayment mode), in clear as the RTDS shows."""
    values = {}
    if "MeterBalance" in outcome:
        values[(METERING, BILL_TO_DATE)] = ("uint32", int(outcome["MeterBalance"]))
    if "Gas/MeterBalancePrepaymentMode" in outcome:
        values[(PREPAYMENT, CREDIT_REMAINING)] = ("int32", int(outcome["Gas/MeterBalancePrepaymentMode"]))
    return device.read_attributes_answer(command, outcome, values)


@answers("GCS21a")
def gas_configuration_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """The calorific value and conversion factor the meter holds (outcome: DUIS decimals), in its ZCL units."""
    values: dict[tuple[int, int], tuple[str, int]] = {(PRICE, CALORIFIC_VALUE_UNIT): ("enum8", MJ_PER_M3)}
    for name, value, trailing, digits in GAS_CONVERSION:
        if name in outcome:
            values[(PRICE, value)] = ("uint32", int(Decimal(str(outcome[name])).scaleb(digits)))
            values[(PRICE, trailing)] = ("map8", digits << 4)
    return device.read_attributes_answer(command, outcome, values)


@accepts("GCS21e", "GCS21m")
def gas_identity_read_command(command: DeviceCommand) -> dict:
    device.only_commands(command, GAS_IDENTITY[command.use_case])
    return {}


HARDWARE_VERSION = 0x01                  # the RTDS GSME's (MMC does not carry it)
GAS_LOCK_STATE_IDS = {"Locked": 0x01, "Unchanged": 0x03}      # ZSE: off/armed, unchanged (GAS_LOCK_STATES)


@answers("GCS21e", "GCS21m")
def gas_identity_read_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """The Basic cluster's manufacturer name and model identifier (GCS21e: and hardware version), and the supply
    states on tamper and on depletion, as the GSME holds them (a GPF: its GSME's). GCS21e's model identifier is
    the model type padded to 8 bytes with spaces, as the RTDS GSME's, then the device id (the GSME's own)."""
    model = str(outcome.get("ModelType", "")).encode()
    if command.use_case == "GCS21e":
        eui = EntityId(outcome["DeviceIdentifier"]) if "DeviceIdentifier" in outcome else command.apdu.recipient
        width = IDENTITY_LENGTHS["ModelType"]
        model = model.ljust(width)[:width] + bytes(eui)
    values = {(BASIC, MANUFACTURER_NAME): ("string", str(outcome.get("ManufacturerIdentifier", "")).encode()),
              (BASIC, MODEL_IDENTIFIER): ("string", model), (BASIC, HW_VERSION): ("uint8", HARDWARE_VERSION),
              **{(METERING, attribute): ("enum8", GAS_LOCK_STATE_IDS[outcome.get(f"Gas/{name}", "Unchanged")])
                 for name, attribute in (("SupplyDepletionState", GAS_SUPPLY_DEPLETION_STATE),
                                         ("SupplyTamperState", GAS_SUPPLY_TAMPER_STATE))}}
    return device.read_attributes_answer(command, outcome, values)


@accepts("GCS33")
def gas_supply_status_read_command(command: DeviceCommand) -> dict:
    device.only_commands(command, GAS_SUPPLY_STATUS_READS)
    return {}


@answers("GCS33")
def gas_supply_status_read_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """The valve's Supply Status and the Remaining Battery Life in days, as the GSME holds them."""
    states = {name: value for value, name in GAS_SUPPLY_STATUS.items()}
    values = {(METERING, SUPPLY_STATUS): ("enum8", states[outcome.get("SupplyState", "Enabled")])}
    if "Gas/RemainingBatteryCapacity" in outcome:
        values[(METERING, REMAINING_BATTERY_LIFE)] = ("uint16", int(outcome["Gas/RemainingBatteryCapacity"]))
    return device.read_attributes_answer(command, outcome, values)


# The RTDS GSME frames its Report Event Configuration as a client command, and a failed Get Event
# Configuration's Default Response as from the server.
REPORT_FRAME, GET_EVENT_CONFIGURATION_FAILED_FRAME = zcl.FRAME_CLUSTER_SPECIFIC, zcl.FRAME_SERVER_TO_CLIENT


@answers("GCS20r")
def gsme_alert_behaviours_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """One Report Event Configuration with each event the outcome names (GasSupplierAlertEventSettings/xHHHH),
    in code order, its configuration made of the four settings as GCS20 sets them."""
    events: dict[int, int] = {}
    for name, value in outcome.items():
        parts = name.split("/")
        if len(parts) == 3 and parts[0] == "GasSupplierAlertEventSettings" and parts[1].startswith("x"):
            bit = dict(EVENT_SETTINGS).get(parts[2], 0)
            code = int(parts[1][1:], 16)
            events[code] = events.get(code, 0) | (bit if value == "Enable" else 0)

    def reply(component: gbz.Component) -> device.Reply:
        return device.Reply(DEVICE_MANAGEMENT, zcl.Frame(
            REPORT_FRAME, component.frame.sequence, REPORT_EVENT_CONFIGURATION, {
            "command_index": 0, "total_commands": 1,
            "events": [{"event_id": code, "event_configuration": events[code]} for code in sorted(events)]}))

    def failure(component: gbz.Component) -> device.Reply:
        failed = device.default_reply(component, device.ZCL_HARDWARE_FAILURE)
        return device.Reply(failed.cluster, zcl.Frame(GET_EVENT_CONFIGURATION_FAILED_FRAME, failed.frame.sequence,
                                               failed.frame.command, failed.frame.values))
    return device.answer_each(command, outcome, reply, failure)


BILLING_FRAME = zcl.FRAME_CLUSTER_SPECIFIC | zcl.FRAME_SERVER_TO_CLIENT     # as the RTDS GSME publishes it
GAS_BILLING_CALENDAR = "BillingCalendar/GasBillingCalendar"


@answers("GCS21d", "GCS21k")
def gsme_billing_calendar_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """The billing period the meter holds, under the issuer event id it came with; NOT_FOUND without one."""
    start = outcome.get(f"{GAS_BILLING_CALENDAR}/BillingPeriodStart")
    periodicity = outcome.get(f"{GAS_BILLING_CALENDAR}/Periodicity")

    def reply(component: gbz.Component) -> device.Reply:
        if start is None or periodicity not in PERIODICITY:
            return device.default_reply(component, device.ZCL_NOT_FOUND)
        duration, duration_type = PERIODICITY[periodicity]
        return device.Reply(PRICE, zcl.Frame(BILLING_FRAME, component.frame.sequence, PUBLISH_BILLING_PERIOD, {
            "provider_id": 0, "issuer_event_id": int(outcome.get("issuer_event_id", 0)),
            "billing_period_start_time": seconds(start), "billing_period_duration": duration,
            "billing_period_duration_type": duration_type, "tariff_type": 0}))
    return device.answer_each(command, outcome, reply)


# -- Device side: the GSME's tariff and prepayment configuration read-backs (GCS21f, GCS21b) -------------
# As the RTDS GSME answers them (RTDS 4.5.0 4.11.1_GCS21f and 4.13_GCS21b, SmartDCCInnovation/gbcs-parser):
# per ZCL command its answers under the command's sequence number, the last flagged: a Read Attributes
# Response, and for each Get the Publish commands it asks for (a Publish Day Profile per day, a Publish
# Week Profile per week, one Publish Seasons, one Publish Special Days, one Publish Price), or NOT_FOUND
# where the meter holds no such calendar or price. A failure as gsme_tariff.gbz_answer. What the answers
# carry beyond MMC (the issuer event and calendar ids the setting command gave, the price tier in force)
# comes in the outcome under its ZCL name; the meter's clock is the command's `now`.

GAS_TARIFF_READ_FRAME = zcl.FRAME_SERVER_TO_CLIENT | 0x10     # the RTDS GSME's: no default response wanted
GAS_PREPAY_READ_FRAME = zcl.FRAME_SERVER_TO_CLIENT
PUBLISHED_FRAME = zcl.FRAME_CLUSTER_SPECIFIC | zcl.FRAME_SERVER_TO_CLIENT | 0x10
GET_DAY_PROFILES, GET_WEEK_PROFILES, GET_SEASONS, GET_SPECIAL_DAYS, GET_CURRENT_PRICE = 0x01, 0x02, 0x03, 0x04, 0x00
ZCL_NOT_FOUND_STATUS = 0x8B
# The Publish Price of the RTDS GSME: unit m3 (the Metering cluster's), the price for the day.
PRICE_UNIT_M3, PRICE_DURATION_MINUTES = 0x01, 1440
PRICE_DIGITS = PRICE_TRAILING_DIGITS >> 4
_TYPES = {0x0203: "uint24", 0x0202: "uint24", 0x0615: "enum8", 0x0616: "uint16", 0x0617: "map8",
          **dict.fromkeys(BLOCK_THRESHOLDS, "uint48"),
          **dict.fromkeys((*BLOCK_PRICES, *TIER_PRICES, STANDING_CHARGE_ATTRIBUTE), "uint32")}
_PREPAY_TYPES = {0x0239: "uint16", 0x0006: "int32", 0x0040: "int32", 0x0216: "enum8", 0x0226: "enum8",
                 **dict.fromkeys((0x0010, 0x0011, 0x0031, 0x0021, 0x0022, 0x0217, 0x0227), "uint32")}
_RECOVERY_PERIOD_IDS = {name: value for value, name in GAS_RECOVERY_PERIODS.items()}
_ACTION_IDS = {name: value for value, name in NON_DISABLEMENT_ACTIONS.items()}
_CURRENCY_IDS = {name: value for value, name in CURRENCIES.items()}
_DATE_GROUPS = (("GasYearWithWildcards", "SpecifiedYear", 1900), ("GasMonthWithWildcards", "SpecifiedMonth", 0),
                ("GasDayOfMonthWithWildcards", "SpecifiedDayOfMonth", 0),
                ("GasDayOfWeekWithWildcards", "SpecifiedDayOfWeek", 0))


def mmc_named(prefix: str, entries: list[dict[str, str]]) -> dict[str, str]:
    """Entries (values below each, '' its text, '@x' attributes) named as mmc.values names them: 'prefix[n]'
    when there are several, 'prefix' when one."""
    out = {}
    for n, entry in enumerate(entries, start=1):
        name = f"{prefix}[{n}]" if len(entries) > 1 else prefix
        out.update({f"{name}/{k}" if k and not k.startswith("@") else f"{name}{k}": v for k, v in entry.items()})
    return out


def _numbers(values: dict[str, str], path: str, count: int) -> list[dict[str, str]]:
    """`count` indexed values (1..count) of a DUIS or MMC element, 0 where the meter holds none."""
    held = {int(e.get("@index", n)): e.get("", "0") for n, e in enumerate(repeated(values, path), start=1)}
    return [{"": str(int(held.get(i, "0") or 0)), "@index": str(i)} for i in range(1, count + 1)]


def _gas_date_values(parts: dict[str, str]) -> dict[str, str]:
    """A DUIS sr:GasDateWithWildcards (or MMC's) as MMC's, numbers without leading zeros."""
    out = {}
    for group, specified, _ in _DATE_GROUPS:
        value = parts.get(f"{group}/{specified}")
        if value is not None:
            out[f"{group}/{specified}"] = str(int(value))
        else:
            wildcard = next((k for k in parts if k.startswith(f"{group}/")), f"{group}/NonSpecified")
            out[wildcard] = ""
    return out


def _zcl_date(parts: dict[str, str]) -> bytes:
    return bytes(int(parts[f"{group}/{specified}"]) - offset if f"{group}/{specified}" in parts else 0xFF
                 for group, specified, offset in _DATE_GROUPS)


def _weeks_and_seasons(held: dict[str, str], weeks: str, seasons: str, day_name: str) -> tuple[list, list]:
    week_entries = []
    for week in repeated(held, f"{weeks}/WeekProfile")[:2]:
        days = sorted(repeated(week, "ReferencedDayName"), key=lambda d: int(d.get("@index", 0)))
        entry = {"WeekName": str(int(week["WeekName"]))}
        entry.update(mmc_named(day_name, [{"": str(int(d[""])), "@index": str(i)} for i, d in enumerate(days, 1)]))
        week_entries.append(entry)
    season_entries = []
    for season in repeated(held, f"{seasons}/Season")[:3]:
        date = {k.removeprefix("SeasonStartDate/"): v for k, v in season.items() if k.startswith("SeasonStartDate/")}
        season_entries.append({**{f"SeasonStartDate/{k}": v for k, v in _gas_date_values(date).items()},
                               "ReferencedWeekName": str(int(season["ReferencedWeekName"]))})
    return week_entries, season_entries


def _special_days(held: dict[str, str], path: str, day_name: str) -> list[dict[str, str]]:
    entries = []
    for day in repeated(held, f"{path}/SpecialDay")[:20]:
        date = {k.removeprefix("Date/"): v for k, v in day.items() if k.startswith("Date/")}
        entries.append({**{f"Date/{k}": v for k, v in _gas_date_values(date).items()},
                        day_name: str(int(day["ReferencedDayName"]))})
    return entries


def gas_tariff_read(tariff: dict[str, str], tier: int | None) -> dict:
    """What GCS21f reads back of the tariff GCS01a/GCS01b set (`tariff`: their DUIS fields as the GSME keeps
    them), in MMC names, with the ZCL values its answer needs; `tier`: the price tier in force (None: no
    price in force)."""
    prices, table = "PriceElements/GasPriceElements", "GasTariffElements/SwitchingTable"
    tou = _numbers(tariff, f"{prices}/TOUTariff/TOUPrice", len(TIER_PRICES))
    out: dict = {"Gas/CurrencyUnitsLabel": tariff.get(f"{prices}/CurrencyUnits", "GBP"),
                 "Gas/StandingCharge": str(int(tariff.get(f"{prices}/StandingCharge") or 0)),
                 **mmc_named("Gas/TariffThresholds/BlockThreshold",
                             _numbers(tariff, "GasTariffElements/ThresholdMatrix/BlockThreshold",
                                      len(BLOCK_THRESHOLDS))),
                 **mmc_named("Gas/TOUTariff/TariffTOUPrice", tou),
                 **mmc_named("Gas/BlockTariff/BlockPrice",
                             _numbers(tariff, f"{prices}/BlockTariff/BlockPrice", len(BLOCK_PRICES))),
                 "issuer_event_id": int(tariff.get(f"{table}/IssuerEventID") or 0),
                 "issuer_calendar_id": int(tariff.get(f"{table}/IssuerCalendarID") or 0),
                 "price_issuer_event_id": int(tariff.get(f"{prices}/IssuerEventID") or 0)}
    if tier is not None and f"{prices}/StandingCharge" in tariff:
        # A TOU tariff's price is the tier's the calendar puts in force now; a block tariff's, its first block's.
        tiered = bool(repeated(tariff, f"{prices}/TOUTariff/TOUPrice"))
        price = tou[tier - 1][""] if tiered and 1 <= tier <= len(tou) else \
            _numbers(tariff, f"{prices}/BlockTariff/BlockPrice", 1)[0][""]
        out.update({"Gas/PrimaryActiveTariffPrice": price, "Gas/PrimaryActiveTariffPriceScale": str(-PRICE_DIGITS),
                    "price_tier": tier if tiered else 1})
    days = []
    for day in repeated(tariff, f"{table}/DayProfiles/DayProfile")[:4]:
        entry = {"DayName": str(int(day["DayName"]))}
        if int(day.get("TOUTariffAction") or 0):
            entry["TOUTariffAction"] = str(int(day["TOUTariffAction"]))
        else:
            entry["BlockTariff"] = ""
        days.append(entry)
    weeks, seasons = _weeks_and_seasons(tariff, f"{table}/WeekProfiles", f"{table}/Seasons", "ReferencedDay")
    out.update(mmc_named("Gas/TariffSwitchingTable/DayProfiles/DayProfile", days))
    out.update(mmc_named("Gas/TariffSwitchingTable/WeekProfiles/WeekProfile", weeks))
    out.update(mmc_named("Gas/TariffSwitchingTable/Seasons/Season", seasons))
    out.update(mmc_named("Gas/TariffSwitchingTableSpecialDays/SpecialDay",
                         _special_days(tariff, "GasTariffElements/SpecialDays", "ReferencedDay")))
    return out


def _calendar_frames(component: gbz.Component, outcome: dict, calendar_type: int, days: list[tuple[int, list]],
                     weeks: list[dict[str, str]], day_name: str, seasons: list[dict[str, str]],
                     special_days: list[dict[str, str]], special_day_name: str) -> list[tuple[int, zcl.Frame]]:
    """The answers to one Get command of the Calendar cluster; NOT_FOUND when the meter holds no calendar."""
    if not days and not weeks and not seasons:
        return [default_response(component, ZCL_NOT_FOUND_STATUS)]
    ids = {"provider_id": 0, "issuer_event_id": int(outcome.get("issuer_event_id", 0)),
           "issuer_calendar_id": int(outcome.get("issuer_calendar_id", 0))}
    index = {"command_index": 0, "number_of_commands": 1}

    def publish(command: int, values: dict) -> tuple[int, zcl.Frame]:
        return CALENDAR, zcl.Frame(PUBLISHED_FRAME, component.frame.sequence, command, {**ids, **values})

    get = component.frame.command
    if get == GET_DAY_PROFILES:
        return [publish(PUBLISH_DAY_PROFILE, {"day_id": day, "total_number_of_schedule_entries": len(entries), **index,
                                              "calendar_type": calendar_type, "schedule_entries": entries})
                for day, entries in days]
    if get == GET_WEEK_PROFILES:
        return [publish(PUBLISH_WEEK_PROFILE, {"week_id": int(week["WeekName"]), **dict(zip(WEEKDAYS, (
            int(d[""]) for d in _by_index(repeated(week, day_name)))))}) for week in weeks]
    if get == GET_SEASONS:
        return [publish(PUBLISH_SEASONS, {**index, "seasons": [
            {"season_start_date": _zcl_date(_below(s, "SeasonStartDate")), "week_id": int(s["ReferencedWeekName"])}
            for s in seasons]})]
    return [publish(PUBLISH_SPECIAL_DAYS, {"start_time": 0, "calendar_type": calendar_type,
                                           "total_number_of_special_days": len(special_days), **index,
                                           "special_days": [{"special_day_date": _zcl_date(_below(d, "Date")),
                                                             "day_id": int(d[special_day_name])}
                                                            for d in special_days]})]


def _attributes_frame(component: gbz.Component, frame_control: int, values: dict[int, tuple[str, int]]):
    records = [{"attribute": a, "status": device.ZCL_SUCCESS, "type": values[a][0], "value": values[a][1]}
               if a in values else {"attribute": a, "status": device.UNSUPPORTED_ATTRIBUTE}
               for a in (component.frame.values or {}).get("attributes", ())]
    return component.cluster, zcl.Frame(frame_control, component.frame.sequence, zcl.READ_ATTRIBUTES_RESPONSE,
                                        {"records": records})


@accepts("GCS21f", "GCS21b")
def gas_configuration_read_command(command: DeviceCommand) -> dict:
    return {}


@answers("GCS21f")
def gas_tariff_read_answer(command: DeviceCommand, outcome: dict) -> bytes:
    values = {k.removeprefix("Gas/"): v for k, v in outcome.items() if k.startswith("Gas/")}
    table = "TariffSwitchingTable"
    tou = [int(p[""]) for p in _by_index(repeated(values, "TOUTariff/TariffTOUPrice"))]
    attributes = {0x0203: BLOCK_THRESHOLD_DIVISOR, 0x0202: BLOCK_THRESHOLD_MULTIPLIER,
                  0x0615: UNIT_KWH, 0x0617: PRICE_TRAILING_DIGITS,
                  0x0616: _CURRENCY_IDS.get(values.get("CurrencyUnitsLabel", ""), 0),
                  STANDING_CHARGE_ATTRIBUTE: _number(values, "StandingCharge")}
    for ids, path in ((BLOCK_THRESHOLDS, "TariffThresholds/BlockThreshold"), (BLOCK_PRICES, "BlockTariff/BlockPrice"),
                      (TIER_PRICES, "TOUTariff/TariffTOUPrice")):
        held = [int(e[""]) for e in _by_index(repeated(values, path))]
        attributes.update({a: held[i] if i < len(held) else 0 for i, a in enumerate(ids)})
    typed = {a: (_TYPES[a], v) for a, v in attributes.items()}
    days = [(int(d["DayName"]), [{"start_time": 0, "price_tier_or_function": int(d.get("TOUTariffAction") or 0)}])
            for d in repeated(values, f"{table}/DayProfiles/DayProfile")]
    weeks = repeated(values, f"{table}/WeekProfiles/WeekProfile")
    seasons = repeated(values, f"{table}/Seasons/Season")
    special_days = repeated(values, "TariffSwitchingTableSpecialDays/SpecialDay")

    def answer(component: gbz.Component) -> list[tuple[int, zcl.Frame]]:
        frame = component.frame
        if not frame.cluster_specific:
            return [_attributes_frame(component, GAS_TARIFF_READ_FRAME, typed)]
        if component.cluster == CALENDAR:
            return _calendar_frames(component, outcome, DELIVERED, days, weeks, "ReferencedDay", seasons,
                                    special_days, "ReferencedDay")
        if "PrimaryActiveTariffPrice" not in values:
            return [default_response(component, ZCL_NOT_FOUND_STATUS)]
        tier = int(outcome.get("price_tier", 1))
        digits = -int(values.get("PrimaryActiveTariffPriceScale", -PRICE_DIGITS))
        return [(PRICE, zcl.Frame(PUBLISHED_FRAME, frame.sequence, PUBLISH_PRICE, {
            "provider_id": 0, "rate_label": b"", "issuer_event_id": int(outcome.get("price_issuer_event_id", 0)),
            "current_time": gbz.gbz_seconds(command.now), "unit_of_measure": PRICE_UNIT_M3,
            "currency": attributes[0x0616], "price_trailing_digit_and_tier": digits << 4 | tier,
            "number_of_tiers_and_register_tier": sum(1 for p in tou if p) << 4 | tier, "start_time": 0,
            "duration_in_minutes": PRICE_DURATION_MINUTES, "price": _number(values, "PrimaryActiveTariffPrice")}))]
    return gbz_answer(command, outcome, answer)


def gas_prepayment_configuration_read(configuration: dict[str, str], debt: dict[str, str],
                                      payment: dict[str, str], factory: dict[str, int]) -> dict:
    """What GCS21b reads back of what GCS05 (`configuration`), GCS04 (`debt`) and GCS03 (`payment`, its
    Prepayment settings) set, as the GSME keeps their DUIS fields, in MMC names with the ZCL values its
    answer needs; `factory`: the meter's own emergency credit settings before any GCS05."""
    gas, calendar = "UpdatePrepayConfigGas", "UpdatePrepayConfigGas/GasNonDisablementCalendar"

    def held(name: str, default: int = 0) -> str:
        return str(int(configuration.get(f"{gas}/{name}") or default))

    out: dict = {"DebtRecoveryPerPayment": str(int(debt.get("DebtRecoveryPerPayment") or 0)),
                 "DebtRecoveryRateCap": held("DebtRecoveryRateCap"),
                 "DisablementThreshold": str(int(payment.get("DisablementThreshold") or 0)),
                 "EmergencyCreditLimit": held("EmergencyCreditLimit", factory["emergency_credit_limit"]),
                 "EmergencyCreditThreshold": held("EmergencyCreditThreshold", factory["emergency_credit_threshold"]),
                 "LowCreditThreshold": held("LowCreditThreshold"),
                 "CreditMaxCreditThreshold": held("MaxCreditThreshold"),
                 "MaxCreditMaxMeterBalance": held("MaxMeterBalance"),
                 "issuer_event_id": int(configuration.get(f"{calendar}/IssuerEventID") or 0),
                 "issuer_calendar_id": int(configuration.get(f"{calendar}/IssuerCalendarID") or 0)}
    for n in (1, 2):
        out[f"Gas/DebtRecovery{n}/DebtRecoveryRate"] = str(int(debt.get(f"GasDebtRecovery{n}/DebtRecoveryRate") or 0))
        out[f"Gas/DebtRecovery{n}/DebtRecoveryRatePeriod"] = debt.get(f"GasDebtRecovery{n}/DebtRecoveryRatePeriod",
                                                                      GAS_RECOVERY_PERIODS[0x01])
    days = []
    for day in repeated(configuration, f"{calendar}/DayProfiles/GasNonDisablementDayProfile")[:5]:
        actions = [{"StartTime": minutes_time(_minutes(a["StartTime"])),
                    "NonDisablementAction": a["NonDisablementAction"], "@index": str(i)}
                   for i, a in enumerate(repeated(day, "TimeStartAction")[:3], start=1)]
        days.append({**mmc_named("TimeStartAction", actions), "GasDayName": str(int(day["GasDayName"]))})
    weeks, seasons = _weeks_and_seasons(configuration, f"{calendar}/WeekProfiles", f"{calendar}/SeasonProfiles",
                                        "ReferencedDayName")
    mmc = "Gas/NonDisablementCalendar"
    out.update(mmc_named(f"{mmc}/DayProfiles/GasNonDisablementDayProfile", days))
    out.update(mmc_named(f"{mmc}/WeekProfiles/WeekProfile", weeks))
    out.update(mmc_named(f"{mmc}/SeasonProfiles/Season", seasons))
    out.update(mmc_named(f"{mmc}/SpecialDays/SpecialDay", _special_days(configuration, f"{calendar}/SpecialDays",
                                                                         "ReferencedDayName")))
    return out


def _minutes(text: str) -> int:
    hours, minutes = text.strip()[:5].split(":")
    return int(hours) * 60 + int(minutes)


@answers("GCS21b")
def gas_prepayment_configuration_read_answer(command: DeviceCommand, outcome: dict) -> bytes:
    values = {k.removeprefix("Gas/"): v for k, v in outcome.items() if k.startswith("Gas/")}
    typed = {a: (_PREPAY_TYPES[a], int(outcome.get(name, 0))) for a, name in GAS_PREPAY.items()}
    for name, rate, frequency in GAS_DEBT_RECOVERY:
        typed[rate] = (_PREPAY_TYPES[rate], _number(values, f"{name}/DebtRecoveryRate"))
        typed[frequency] = (_PREPAY_TYPES[frequency],
                            _RECOVERY_PERIOD_IDS.get(values.get(f"{name}/DebtRecoveryRatePeriod", ""), 0x01))
    price = {PRICE_TRAILING_DIGIT: ("map8", PRICE_TRAILING_DIGITS)}
    calendar = "NonDisablementCalendar"
    days = [(int(d["GasDayName"]), [{"start_time": _minutes(a["StartTime"]),
                                     "price_tier_or_function": _ACTION_IDS.get(a.get("NonDisablementAction", ""), 0)}
                                    for a in _by_index(repeated(d, "TimeStartAction"))])
            for d in repeated(values, f"{calendar}/DayProfiles/GasNonDisablementDayProfile")]
    weeks = repeated(values, f"{calendar}/WeekProfiles/WeekProfile")
    seasons = repeated(values, f"{calendar}/SeasonProfiles/Season")
    special_days = repeated(values, f"{calendar}/SpecialDays/SpecialDay")

    def answer(component: gbz.Component) -> list[tuple[int, zcl.Frame]]:
        if not component.frame.cluster_specific:
            return [_attributes_frame(component, GAS_PREPAY_READ_FRAME,
                                      typed if component.cluster == PREPAYMENT else price)]
        return _calendar_frames(component, outcome, FRIENDLY_CREDIT, days, weeks, "ReferencedDayName", seasons,
                                special_days, "ReferencedDayName")
    return gbz_answer(command, outcome, answer)


# -- Device side: 6.2.7 the gas MPRN read back (what 6.20.1 set; the ESME's ECS40 is above) ------------------------

@accepts("GCS46")
def mprn_read_command(command: DeviceCommand) -> dict:
    return {}


@answers("GCS46")
def mprn_read_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """The Metering cluster's Site ID: the MPRN GCS41 wrote."""
    return device.read_attributes_answer(command, outcome,
                                         {(METERING, SITE_ID): ("octstr", str(outcome.get("ImportMPxN", "")).encode())})
