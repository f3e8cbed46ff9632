"""GSME tariffs and prices (ZigBee GBZ): Update Import Tariff (SR 1.1.1, GCS01a) and Update Price
(SR 1.2.1, GCS01b), and what they share with other GSME use cases: several ZCL commands in one GBZ
payload, device future dating and cancellation, and the Calendar cluster's calendars.

  GCS01a  Publish Calendar, Publish Day Profile (one per day), Publish Week Profile (one per week),
          Publish Seasons, Publish Special Days (Calendar cluster), then Publish Tariff Information,
          [Publish Block Thresholds,] Publish Price Matrix (Price cluster)
  GCS01b  Publish Tariff Information, Publish Price Matrix

A GSME holds one tariff whose calendar gives each day a single price tier (TOU) or the block tariff,
so each day profile is one entry from midnight. Every component carries the DSP clock as issuer
event id (and calendar id); the instruction's start time is 0 for now, the request's
ExecutionDateTime, or the cancellation value when that is 3000-12-31T00:00:00Z (DUIS: cancel the
pending future-dated command).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from lxml import etree

from harness.catalogue import DeviceType
from harness.gbcs import gbz, zcl
from harness.gbcs.gbz import ZclCommand, command_payload
from harness.usecases import device
from harness.usecases.device import gbz_command
from harness.usecases.mmc import utc_text
from harness.usecases.registry import (
    CommandContext,
    DeviceCommand,
    ResponseContext,
    accepts,
    answers,
    command,
    response,
)
from harness.usecases.request import DuisRequest, TransformError, value_of

GSME = (DeviceType.GSME,)
PRICE, CALENDAR = 0x0700, 0x0707
SERVER_TO_CLIENT = zcl.FRAME_CLUSTER_SPECIFIC | zcl.FRAME_SERVER_TO_CLIENT     # Price, Calendar, Messaging ...
CLIENT_TO_SERVER = zcl.FRAME_CLUSTER_SPECIFIC                                  # Prepayment commands

# ZCL values GBCS fixes for a GSME (no DUIS element carries them).
PROVIDER_ID = 0                   # GSME commands name no energy provider
ISSUER_TARIFF_ID = 1              # the GSME's one tariff
UNIT_KWH = 0x00
PRICE_TRAILING_DIGITS = 0x50      # upper nibble: prices have 5 decimal places (1/1000 p)
TIER_BLOCK_MODE_UNUSED = 0xFF
BLOCK_THRESHOLD_MULTIPLIER, BLOCK_THRESHOLD_DIVISOR = 1, 1000
TARIFF_TOU, TARIFF_BLOCK = 0x00, 0x10    # Tariff Type: delivered; charging scheme in the upper nibble
DELIVERED_CALENDAR = 0x00
CURRENCIES = {"GBP": 826, "ECB": 978}    # ISO 4217: DUIS names the euro by its central bank

# Cancelling a pending future-dated command: ZSE's 0xFFFFFFFF for most commands; the DCC's Transform
# uses 0xFFFFFFFE for the Calendar cluster's commands and the Price Matrix and Block Thresholds.
CANCEL = 0xFFFFFFFF
CANCEL_CALENDAR = 0xFFFFFFFE
CANCELLATION = dt.datetime(3000, 12, 31, tzinfo=dt.UTC)


def issuer_event_id(ctx: CommandContext) -> int:
    return gbz.gbz_seconds(ctx.now)


@dataclass(frozen=True)
class Execution:
    """When a device-future-dated command takes effect: now (0), a GBZ time, or cancelled (None)."""

    at: int | None

    def start(self, cancel: int = CANCEL) -> int:
        return cancel if self.at is None else self.at


def execution(request: DuisRequest) -> Execution:
    when = request.execution_date_time
    if when is None:
        return Execution(0)
    if when == CANCELLATION:
        return Execution(None)
    return Execution(_gbz_seconds(request, "ExecutionDateTime", when))


def _gbz_seconds(request: DuisRequest, path: str, when: dt.datetime) -> int:
    seconds = gbz.gbz_seconds(when)
    if not 0 < seconds < CANCEL_CALENDAR:
        raise TransformError(f"{request.srv} sr:{path}: {when.isoformat()} is outside GBZ time "
                             f"(2000-01-01 to 2136-02-07)", where=request.where)
    return seconds


# -- reading repeated DUIS elements ---------------------------------------------------------------------

def part(request: DuisRequest, node: etree._Element) -> DuisRequest:
    """The request seen from one of its elements: paths, values and errors relative to `node`."""
    return replace(request, body=node)


def indexed(request: DuisRequest, path: str) -> list[int]:
    """Values of repeated elements with an `index` attribute (1-based), in index order."""
    entries = []
    for node in request.all(path):
        try:
            entries.append((int(node.get("index", "")), int(value_of(node))))
        except ValueError:
            raise TransformError(f"{request.srv} sr:{path}: index {node.get('index')!r} or value "
                                 f"{value_of(node)!r} is not a number", where=request.where) from None
    return [value for _, value in sorted(entries)]


def gbz_date_time(request: DuisRequest, path: str) -> int:
    return _gbz_seconds(request, path, request.required_date_time(path))


_DATE_PARTS = (("GasYearWithWildcards", "SpecifiedYear", 1900), ("GasMonthWithWildcards", "SpecifiedMonth", 0),
               ("GasDayOfMonthWithWildcards", "SpecifiedDayOfMonth", 0),
               ("GasDayOfWeekWithWildcards", "SpecifiedDayOfWeek", 0))


def wildcard_date(request: DuisRequest, path: str) -> bytes:
    """A sr:GasDateWithWildcards as a ZCL Date: year - 1900, month, day, weekday (1 = Monday); FF = any."""
    out = bytearray()
    for group, specified, offset in _DATE_PARTS:
        request.require(f"{path}/{group}")
        value = request.int(f"{path}/{group}/{specified}", -1)
        if value >= 0 and not 0 <= value - offset < 0xFF:
            raise TransformError(f"{request.srv} sr:{path}/sr:{group}: {value} does not fit a ZCL Date",
                                 where=request.where)
        out.append(0xFF if value < 0 else value - offset)
    return bytes(out)


def minutes(request: DuisRequest, path: str) -> int:
    """An xs:time as minutes after midnight UTC (ZCL day profile start times)."""
    raw = request.require(path).replace("Z", "+00:00")
    try:
        value = dt.time.fromisoformat(raw)
    except ValueError:
        raise TransformError(f"{request.srv} sr:{path}: {raw!r} is not an xs:time", where=request.where) from None
    offset = value.utcoffset() or dt.timedelta()
    return (value.hour * 60 + value.minute - int(offset.total_seconds()) // 60) % 1440


# -- calendars (Calendar cluster) -----------------------------------------------------------------------

@dataclass(frozen=True)
class Calendar:
    """A calendar as the Calendar cluster publishes it: day profiles (day id, [(minute, tier or
    function)]), week profiles (week id, Monday..Sunday day ids), seasons and special days."""

    calendar_type: int
    days: list[tuple[int, list[tuple[int, int]]]]
    weeks: list[tuple[int, list[int]]]
    seasons: list[tuple[bytes, int]]
    special_days: list[tuple[bytes, int]]

    def instructions(self, event: int, when: Execution) -> list[ZclCommand]:
        start = when.start(CANCEL_CALENDAR)
        ids = {"provider_id": PROVIDER_ID, "issuer_event_id": event, "issuer_calendar_id": event}
        out = [ZclCommand(CALENDAR, SERVER_TO_CLIENT, 0x00, {
            **ids, "start_time": start, "calendar_type": self.calendar_type, "calendar_time_reference": 0,
            "calendar_name": b"", "number_of_seasons": len(self.seasons),
            "number_of_week_profiles": len(self.weeks), "number_of_day_profiles": len(self.days)})]
        out += [ZclCommand(CALENDAR, SERVER_TO_CLIENT, 0x01, {
            **ids, "day_id": day, "total_number_of_schedule_entries": len(entries), "command_index": 0,
            "number_of_commands": 1, "calendar_type": self.calendar_type,
            "schedule_entries": [{"start_time": m, "price_tier_or_function": t} for m, t in entries]})
            for day, entries in self.days]
        out += [ZclCommand(CALENDAR, SERVER_TO_CLIENT, 0x02, {
            **ids, "week_id": week, **dict(zip(WEEKDAYS, days))}) for week, days in self.weeks]
        out.append(ZclCommand(CALENDAR, SERVER_TO_CLIENT, 0x03, {
            **ids, "command_index": 0, "number_of_commands": 1,
            "seasons": [{"season_start_date": date, "week_id": week} for date, week in self.seasons]}))
        out.append(ZclCommand(CALENDAR, SERVER_TO_CLIENT, 0x04, {
            **ids, "start_time": start, "calendar_type": self.calendar_type,
            "total_number_of_special_days": len(self.special_days), "command_index": 0, "number_of_commands": 1,
            "special_days": [{"special_day_date": date, "day_id": day} for date, day in self.special_days]}))
        return out


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def week_profiles(request: DuisRequest, path: str) -> list[tuple[int, list[int]]]:
    weeks = []
    for node in request.all(path):
        week = part(request, node)
        days = indexed(week, "ReferencedDayName")
        if len(days) != 7:
            raise TransformError(f"{request.srv} sr:{path}: week {week.require('WeekName')} names {len(days)} "
                                 f"days, not 7", where=request.where)
        weeks.append((week.int("WeekName"), days))
    return weeks


def dated(request: DuisRequest, path: str, date: str, reference: str) -> list[tuple[bytes, int]]:
    """Seasons or special days: (ZCL date, referenced week or day)."""
    return [(wildcard_date(p, date), p.int(reference)) for p in (part(request, n) for n in request.all(path))]


def tariff_calendar(request: DuisRequest) -> Calendar:
    """GasTariffElements: each day profile is one tier (TOU) or the block tariff (0) all day."""
    table = "GasTariffElements/SwitchingTable"
    request.require(table)
    days = []
    for node in request.all(f"{table}/DayProfiles/DayProfile"):
        day = part(request, node)
        tier = 0 if day.has("BlockTariff") else day.int("TOUTariffAction")
        days.append((day.int("DayName"), [(0, tier)]))
    return Calendar(DELIVERED_CALENDAR, days, week_profiles(request, f"{table}/WeekProfiles/WeekProfile"),
                    dated(request, f"{table}/Seasons/Season", "SeasonStartDate", "ReferencedWeekName"),
                    dated(request, "GasTariffElements/SpecialDays/SpecialDay", "Date", "ReferencedDayName"))


# -- prices (Price cluster) -----------------------------------------------------------------------------

def price_instructions(request: DuisRequest, event: int, when: Execution,
                       thresholds: list[int] | None) -> list[ZclCommand]:
    """Publish Tariff Information, [Publish Block Thresholds,] Publish Price Matrix from
    PriceElements/GasPriceElements. `thresholds`: GCS01a's ThresholdMatrix; None where the request
    gives only their number (GCS01b)."""
    prices = part(request, request.element("PriceElements/GasPriceElements"))
    currency = prices.require("CurrencyUnits")
    if currency not in CURRENCIES:
        raise TransformError(f"{request.srv} sr:CurrencyUnits: {currency!r} is not GBP or ECB", where=request.where)
    block = not prices.has("TOUTariff")
    if block:
        prices.require("BlockTariff")
        matrix = [{"tier_block_id": n, "price": p} for n, p in enumerate(indexed(prices, "BlockTariff/BlockPrice"))]
        in_use = len(thresholds) if thresholds is not None else prices.int("BlockTariff/NumberOfThresholds")
    else:
        matrix = [{"tier_block_id": n, "price": p}
                  for n, p in enumerate(indexed(prices, "TOUTariff/TOUPrice"), start=1)]
        in_use = 0
    if not matrix:
        raise TransformError(f"{request.srv} sr:GasPriceElements: missing sr:{'BlockPrice' if block else 'TOUPrice'}",
                             where=request.where)
    ids = {"provider_id": PROVIDER_ID, "issuer_event_id": event}
    out = [ZclCommand(PRICE, SERVER_TO_CLIENT, 0x04, {
        **ids, "issuer_tariff_id": ISSUER_TARIFF_ID, "start_time": when.start(CANCEL),
        "tariff_type": TARIFF_BLOCK if block else TARIFF_TOU, "tariff_label": b"",
        "number_of_price_tiers_in_use": 0 if block else len(matrix), "number_of_block_thresholds_in_use": in_use,
        "unit_of_measure": UNIT_KWH, "currency": CURRENCIES[currency], "price_trailing_digit": PRICE_TRAILING_DIGITS,
        "standing_charge": prices.int("StandingCharge"), "tier_block_mode": TIER_BLOCK_MODE_UNUSED,
        "block_threshold_multiplier": BLOCK_THRESHOLD_MULTIPLIER, "block_threshold_divisor": BLOCK_THRESHOLD_DIVISOR})]
    matrix_ids = {**ids, "start_time": when.start(CANCEL_CALENDAR), "issuer_tariff_id": ISSUER_TARIFF_ID,
                  "command_index": 0, "number_of_commands": 1}
    if block and thresholds is not None:
        # Sub-payload control 1: the thresholds apply to all tiers (tier nibble 0).
        out.append(ZclCommand(PRICE, SERVER_TO_CLIENT, 0x06, {**matrix_ids, "sub_payload_control": 1, "tiers": [
            {"tier_and_number_of_thresholds": len(thresholds), "thresholds": [{"threshold": t} for t in thresholds]}]}))
    # Sub-payload control: 1 = TOU (ids are tiers), 0 = block (ids are tier << 4 | block - 1).
    out.append(ZclCommand(PRICE, SERVER_TO_CLIENT, 0x05, {**matrix_ids, "sub_payload_control": 0 if block else 1,
                                                   "prices": matrix}))
    return out


@command("1.1.1", "GCS01a", devices=GSME)
def update_import_tariff(request: DuisRequest, ctx: CommandContext) -> bytes:
    event, when = issuer_event_id(ctx), execution(request)
    calendar = tariff_calendar(request)
    block = not request.has("PriceElements/GasPriceElements/TOUTariff")
    thresholds = indexed(request, "GasTariffElements/ThresholdMatrix/BlockThreshold") if block else None
    if block and not thresholds:
        request.require("GasTariffElements/ThresholdMatrix/BlockThreshold")
    return command_payload(calendar.instructions(event, when) + price_instructions(request, event, when, thresholds))


@command("1.2.1", "GCS01b", devices=GSME)
def update_price(request: DuisRequest, ctx: CommandContext) -> bytes:
    return command_payload(price_instructions(request, issuer_event_id(ctx), execution(request), None))


@response("GCS01a", "GCS01b")
def tariff_set(ctx: ResponseContext, rsp: etree._Element) -> None:
    """The MMC response carries only MessageSuccess: one ZCL default response per command (DebugInfo)."""


# -- Device side ----------------------------------------------------------------------------------------
# A GSME reads a tariff or price command back into the DUIS names its firmware model keeps them under
# (harness.emulators.metering.Tariff reads them), and answers each ZCL command with a Default Response.

_DUIS_DATE = (("GasYearWithWildcards", "SpecifiedYear", "NonSpecifiedYear", 1900),
              ("GasMonthWithWildcards", "SpecifiedMonth", "NonSpecifiedMonth", 0),
              ("GasDayOfMonthWithWildcards", "SpecifiedDayOfMonth", "GasNonSpecifiedDayOfMonth", 0),
              ("GasDayOfWeekWithWildcards", "SpecifiedDayOfWeek", "NonSpecifiedDayOfWeek", 0))
CURRENCY_NAMES = {number: name for name, number in CURRENCIES.items()}


Answer = Callable[[gbz.Component], list[tuple[int, zcl.Frame]]]


def default_response(component: gbz.Component, status: int = device.ZCL_SUCCESS,
                     command_id: int | None = None) -> tuple[int, zcl.Frame]:
    """A Default Response to a component (device.default_reply) as (cluster, frame)."""
    reply = device.default_reply(component, status, command_id)
    return reply.cluster, reply.frame


def gbz_answer(command: DeviceCommand, outcome: dict, answer: Answer | None = None) -> bytes:
    """The response to a GBZ command: each component's answer (by default a Default Response, SUCCESS).
    A failed command fails as device.answer_each says; which one fails is the RTDS device's: the last but
    one of several, else the only one."""
    def reply(component: gbz.Component) -> device.Reply | list[device.Reply]:
        if answer is None:
            return device.default_reply(component)
        return [device.Reply(cluster, frame) for cluster, frame in answer(component)]
    return device.answer_each(command, outcome, reply, failing=-2)


def set_responses(command: DeviceCommand, outcome: dict) -> bytes:
    """A ZCL Default Response to each command (see gbz_answer)."""
    return gbz_answer(command, outcome)


def start_of(component: gbz.Component) -> int | None:
    """When a ZCL command takes effect (GBZ seconds; 0 now; CANCEL or CANCEL_CALENDAR: cancel): its start
    time or implementation date-time, else the component's from date-time; None for commands without."""
    values = component.frame.values or {}
    for name in ("start_time", "implementation_date_time"):
        if name in values:
            return values[name]
    return component.from_date_time


def execution_of(command: DeviceCommand) -> dict:
    """The command's execution date-time as the device schedules it ({} for now): the start of its first
    timed ZCL command (the DCC's Transform gives them all sr:ExecutionDateTime); a cancellation is DUIS's
    3000-12-31T00:00:00Z."""
    for component in gbz_command(command).components:
        start = start_of(component)
        if start is None:
            continue
        if start == 0:
            return {}
        return {"ExecutionDateTime": utc_text(CANCELLATION if start in (CANCEL, CANCEL_CALENDAR)
                                              else gbz.gbz_time(start))}
    return {}


def duis_date(path: str, date: bytes) -> dict:
    """A ZCL Date (year - 1900, month, day, weekday; FF any) as the sr:GasDateWithWildcards at `path`."""
    out = {}
    for (group, specified, any_value, offset), value in zip(_DUIS_DATE, date):
        if value == 0xFF:
            out[f"{path}/{group}/{any_value}"] = ""
        else:
            out[f"{path}/{group}/{specified}"] = str(value + offset)
    return out


def indexed_fields(path: str, values: list[int], start: int = 1) -> dict:
    """Repeated DUIS elements with an index attribute: 'path[n]' and 'path[n]@index'."""
    out = {}
    for n, value in enumerate(values, start=start):
        out[f"{path}[{n}]@index"] = str(n)
        out[f"{path}[{n}]"] = str(value)
    return out


def published(command: DeviceCommand, cluster: int, zcl_command: int) -> list[dict]:
    """The values of every cluster-specific command of that cluster and id, in order."""
    return [dict(c.frame.values or {}) for c in gbz_command(command).components
            if c.cluster == cluster and c.frame.cluster_specific and c.frame.command == zcl_command]


PUBLISH_CALENDAR, PUBLISH_DAY_PROFILE, PUBLISH_WEEK_PROFILE, PUBLISH_SEASONS, PUBLISH_SPECIAL_DAYS = 0, 1, 2, 3, 4
PUBLISH_TARIFF_INFORMATION, PUBLISH_PRICE_MATRIX, PUBLISH_BLOCK_THRESHOLDS = 0x04, 0x05, 0x06


def week_and_season_fields(command: DeviceCommand, weeks: str, seasons: str) -> dict:
    out: dict = {}
    for n, week in enumerate(published(command, CALENDAR, PUBLISH_WEEK_PROFILE), start=1):
        out[f"{weeks}/WeekProfile[{n}]/WeekName"] = str(week["week_id"])
        out.update(indexed_fields(f"{weeks}/WeekProfile[{n}]/ReferencedDayName", [week[d] for d in WEEKDAYS]))
    entries = [s for f in published(command, CALENDAR, PUBLISH_SEASONS) for s in f["seasons"]]
    for n, season in enumerate(entries, start=1):
        out.update(duis_date(f"{seasons}/Season[{n}]/SeasonStartDate", season["season_start_date"]))
        out[f"{seasons}/Season[{n}]/ReferencedWeekName"] = str(season["week_id"])
    return out


def special_day_fields(command: DeviceCommand, path: str) -> dict:
    days = [d for f in published(command, CALENDAR, PUBLISH_SPECIAL_DAYS) for d in f["special_days"]]
    out: dict = {}
    for n, day in enumerate(days, start=1):
        out.update(duis_date(f"{path}/SpecialDay[{n}]/Date", day["special_day_date"]))
        out[f"{path}/SpecialDay[{n}]/ReferencedDayName"] = str(day["day_id"])
    return out


def tariff_calendar_fields(command: DeviceCommand) -> dict:
    """GasTariffElements from the Calendar cluster's commands and the Block Thresholds."""
    table = "GasTariffElements/SwitchingTable"
    out: dict = {}
    for calendar in published(command, CALENDAR, PUBLISH_CALENDAR)[:1]:     # no DUIS element: the meter's
        out[f"{table}/IssuerEventID"] = str(calendar["issuer_event_id"])
        out[f"{table}/IssuerCalendarID"] = str(calendar["issuer_calendar_id"])
    for n, day in enumerate(published(command, CALENDAR, PUBLISH_DAY_PROFILE), start=1):
        out[f"{table}/DayProfiles/DayProfile[{n}]/DayName"] = str(day["day_id"])
        entries = day["schedule_entries"]
        tier = entries[0]["price_tier_or_function"] if entries else 0
        if tier:
            out[f"{table}/DayProfiles/DayProfile[{n}]/TOUTariffAction"] = str(tier)
        else:
            out[f"{table}/DayProfiles/DayProfile[{n}]/BlockTariff"] = ""
    out.update(week_and_season_fields(command, f"{table}/WeekProfiles", f"{table}/Seasons"))
    out.update(special_day_fields(command, "GasTariffElements/SpecialDays"))
    thresholds = [t["threshold"] for f in published(command, PRICE, PUBLISH_BLOCK_THRESHOLDS)
                  for tier in f["tiers"] for t in tier["thresholds"]]
    out.update(indexed_fields("GasTariffElements/ThresholdMatrix/BlockThreshold", thresholds))
    return out


def price_fields(command: DeviceCommand) -> dict:
    """PriceElements/GasPriceElements from Publish Tariff Information and Publish Price Matrix."""
    prices = "PriceElements/GasPriceElements"
    out: dict = {}
    for information in published(command, PRICE, PUBLISH_TARIFF_INFORMATION)[:1]:
        out[f"{prices}/IssuerEventID"] = str(information["issuer_event_id"])        # no DUIS element: the meter's
        out[f"{prices}/CurrencyUnits"] = CURRENCY_NAMES.get(information["currency"], str(information["currency"]))
        out[f"{prices}/StandingCharge"] = str(information["standing_charge"])
        if information["tariff_type"] & 0xF0 == TARIFF_BLOCK:
            out[f"{prices}/BlockTariff/NumberOfThresholds"] = str(information["number_of_block_thresholds_in_use"])
    for matrix in published(command, PRICE, PUBLISH_PRICE_MATRIX)[:1]:
        values = [p["price"] for p in sorted(matrix["prices"], key=lambda p: p["tier_block_id"])]
        # Sub-payload control 1: TOU, ids are tiers from 1; 0: block, ids are tier << 4 | block - 1.
        element = "TOUTariff/TOUPrice" if matrix["sub_payload_control"] & 0x01 else "BlockTariff/BlockPrice"
        out.update(indexed_fields(f"{prices}/{element}", values))
    return out


@accepts("GCS01a")
def read_tariff_command(command: DeviceCommand) -> dict:
    return {**execution_of(command), **tariff_calendar_fields(command), **price_fields(command)}


@accepts("GCS01b")
def read_price_command(command: DeviceCommand) -> dict:
    return {**execution_of(command), **price_fields(command)}


answers("GCS01a", "GCS01b")(set_responses)
