"""ESME tariff use cases (DLMS COSEM): a new tariff with its prices (ECS01a, SR 1.1.1) and new prices
for the tariff in place (ECS01b, SR 1.2.1).

The Primary Element's tariff is written to passive attributes and switched in by activation times:
  Tariff Switching Table (Activity Calendar 0-0:13.0.0.255)   seasons, week and day profiles
  Special Days (0-1:11.0.0.255)                               dates that follow another day profile
  Threshold Matrix (Register Monitors 0-0:16.1.11..18.255)    block thresholds per TOU rate
  Currency Unit (GBCS Extended Data 0-0:94.44.2.0)            TRUE = GBP
  Standing Charge, Price Matrix (Charge 0-0:19.20.4/0.255)    unit_charge_passive with its scaling
Each activation time is 'now' for an immediate request, the ExecutionDateTime for a future-dated
one and 'never' for a cancellation (ExecutionDateTime 3000-12-31T00:00:00Z, DUIS 3.2.3).

The helpers here (DLMS dates and times from DUIS, activation times, unit charges, access-requests)
serve the other ESME families too (esme_prepayment, esme_display).
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from lxml import etree

from harness.catalogue import DeviceType
from harness.duis import xml
from harness.gbcs import axdr, dlms
from harness.gbcs.axdr import Data
from harness.gbcs.dlms import Descriptor, Obis, RequestKind, RequestSpec
from harness.usecases import device
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

ESME = (DeviceType.ESME,)

# DUIS's ExecutionDateTime that cancels a pending future-dated command.
CANCELLATION = dt.datetime(3000, 12, 31, tzinfo=dt.UTC)
NOW = axdr.octet_string(dlms.DlmsDateTime.NOW_RAW)
NEVER = axdr.octet_string(dlms.DlmsDateTime.NEVER_RAW)


# -- reading the request's nested elements ---------------------------------------------------------------

def _where(request: DuisRequest, node: etree._Element) -> str:
    """The element's path below the SR body, with positions where siblings share a name."""
    parts = []
    current: etree._Element | None = node
    while current is not None and current is not request.body:
        name = xml.local_name(current)
        parent = current.getparent()
        same = [] if parent is None else [c for c in parent if isinstance(c.tag, str) and c.tag == current.tag]
        parts.append(f"sr:{name}" + (f"[{same.index(current) + 1}]" if len(same) > 1 else ""))
        current = parent
    return "/".join(reversed(parts))


def missing(request: DuisRequest, node: etree._Element, name: str) -> TransformError:
    inside = _where(request, node)
    return TransformError(f"{request.srv} {request.body_name}: missing sr:{name}" + (f" in {inside}" if inside else ""),
                          where=request.where)


def child(request: DuisRequest, node: etree._Element, name: str) -> etree._Element:
    found = node.find(f"sr:{name}", xml.NSMAP)
    if found is None:
        raise missing(request, node, name)
    return found


def children(node: etree._Element, name: str) -> list[etree._Element]:
    return node.findall(f"sr:{name}", xml.NSMAP)


def number(request: DuisRequest, node: etree._Element, name: str | None = None) -> int:
    """An integer element (`name` below `node`, or `node` itself)."""
    target = node if name is None else child(request, node, name)
    raw = value_of(target)
    try:
        return int(raw)
    except ValueError:
        raise TransformError(f"{request.srv} {_where(request, target)}: {raw!r} is not a number",
                             where=request.where) from None


def boolean(request: DuisRequest, node: etree._Element, name: str) -> bool:
    raw = value_of(child(request, node, name))
    if raw not in ("true", "false", "1", "0"):
        raise TransformError(f"{request.srv} sr:{name}: {raw!r} is not an xs:boolean", where=request.where)
    return raw in ("true", "1")


def ascii_value(request: DuisRequest, node: etree._Element) -> bytes:
    """Text a meter shows or stores as an octet-string: printable ASCII only."""
    text = value_of(node)
    if not text.isascii():
        raise TransformError(f"{request.srv} {_where(request, node)}: {text!r} is not ASCII", where=request.where)
    return text.encode("ascii")


def indexed(request: DuisRequest, nodes: list[etree._Element]) -> list[etree._Element]:
    """Elements that carry an `index` attribute, in index order."""
    def key(node: etree._Element) -> int:
        try:
            return int(node.get("index", ""))
        except ValueError:
            raise TransformError(f"{request.srv} {_where(request, node)}: needs a numeric index attribute",
                                 where=request.where) from None
    return sorted(nodes, key=key)


# -- DLMS dates and times from DUIS ---------------------------------------------------------------------------

def dlms_date_time(value: dt.datetime) -> bytes:
    """A DUIS xs:dateTime as GBCS writes it: UTC, day of week not specified, deviation not specified,
    clock status not specified."""
    value = value.astimezone(dt.UTC)
    return (value.year.to_bytes(2, "big") + bytes((value.month, value.day, 0xFF, value.hour, value.minute,
                                                   value.second, value.microsecond // 10000)) + b"\x80\x00\xff")


def activation_time(request: DuisRequest) -> Data:
    """When a critical command's passive values become active: now, at ExecutionDateTime, or never."""
    when = request.execution_date_time
    if when is None:
        return NOW
    if when == CANCELLATION:
        return NEVER
    return axdr.octet_string(dlms_date_time(when))


def dlms_date(request: DuisRequest, node: etree._Element) -> bytes:
    """An sr:Date (Year, Month, DayOfMonth, DayOfWeek with their wildcards) as a 5-byte DLMS date."""
    def part(name: str, specified: str, wildcards: dict[str, int]) -> int:
        holder = child(request, node, name)
        for element in holder:
            if not isinstance(element.tag, str):
                continue
            local = xml.local_name(element)
            if local == specified:
                return number(request, element)
            if local in wildcards:
                return wildcards[local]
        raise missing(request, holder, f"{specified} or one of {', '.join(f'sr:{w}' for w in wildcards)}")
    year = part("Year", "SpecifiedYear", {"NonSpecifiedYear": 0xFFFF})
    month = part("Month", "SpecifiedMonth", {"NonSpecifiedMonth": 0xFF})
    day = part("DayOfMonth", "SpecifiedDayOfMonth", {"LastDayOfMonth": 0xFE, "SecondLastDayOfMonth": 0xFD,
                                                     "NonSpecifiedDayOfMonth": 0xFF})
    weekday = part("DayOfWeek", "SpecifiedDayOfWeek", {"NonSpecifiedDayOfWeek": 0xFF})
    return year.to_bytes(2, "big") + bytes((month, day, weekday))


_XS_TIME = re.compile(r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$")
_XS_DATE = re.compile(r"(\d{4,5})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$")


def dlms_time(request: DuisRequest, node: etree._Element) -> bytes:
    """An xs:time as a 4-byte DLMS time (hour, minute, second, hundredths), in UTC."""
    raw = value_of(node)
    found = _XS_TIME.match(raw)
    if not found:
        raise TransformError(f"{request.srv} {_where(request, node)}: {raw!r} is not an xs:time", where=request.where)
    hour, minute, second = (int(found.group(i)) for i in (1, 2, 3))
    hundredths = int((found.group(4) or "0")[:2].ljust(2, "0"))
    zone = found.group(5)
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        minutes = (hour * 60 + minute - sign * (int(zone[1:3]) * 60 + int(zone[4:6]))) % (24 * 60)
        hour, minute = divmod(minutes, 60)
    return bytes((hour, minute, second, hundredths))


def dlms_plain_date(request: DuisRequest, node: etree._Element) -> bytes:
    """An xs:date as a 5-byte DLMS date; DUIS's year 65535 is 'every year'."""
    raw = value_of(node)
    found = _XS_DATE.match(raw)
    if not found or not 1 <= int(found.group(2)) <= 12 or not 1 <= int(found.group(3)) <= 31 \
            or int(found.group(1)) > 0xFFFF:
        raise TransformError(f"{request.srv} {_where(request, node)}: {raw!r} is not an xs:date", where=request.where)
    return int(found.group(1)).to_bytes(2, "big") + bytes((int(found.group(2)), int(found.group(3)), 0xFF))


# -- COSEM building blocks ------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1024)      # every Transform names the same attributes: made once each (immutable)
def descriptor(class_id: int, obis: str, member: int) -> Descriptor:
    return Descriptor(class_id, Obis.parse(obis), member)


Instruction = tuple[RequestKind, Descriptor, Data]


def set_(class_id: int, obis: str, attribute: int, value: Data) -> Instruction:
    return RequestKind.SET, descriptor(class_id, obis, attribute), value


def action(class_id: int, obis: str, method: int, parameters: Data) -> Instruction:
    return RequestKind.ACTION, descriptor(class_id, obis, method), parameters


def access_request(ctx: CommandContext, instructions: list[Instruction]) -> bytes:
    return dlms.AccessRequest(dlms.invoke_id(ctx.counter),
                              tuple(RequestSpec(kind, target) for kind, target, _ in instructions),
                              tuple(value for _, _, value in instructions)).encode()


NO_COMMODITY = axdr.structure(axdr.long_unsigned(0), axdr.octet_string(bytes(6)), axdr.integer(0))
ACTIVE_IMPORT = axdr.structure(axdr.long_unsigned(3), axdr.octet_string(Obis.parse("1-0:1.8.0.255").raw),
                               axdr.integer(2))


def unit_charge(price_scale: int, table: list[tuple[bytes, int]], *, commodity: Data = NO_COMMODITY,
                commodity_scale: int = 0) -> Data:
    """A Charge's unit_charge: scaling, the commodity it is charged on, and (index, price) entries."""
    return axdr.structure(
        axdr.structure(axdr.integer(commodity_scale), axdr.integer(price_scale)), commodity,
        axdr.array(*(axdr.structure(axdr.octet_string(index), axdr.long(price)) for index, price in table)))


# -- ECS01a / ECS01b ------------------------------------------------------------------------------------------

SWITCHING_TABLE = "0-0:13.0.0.255"
SPECIAL_DAYS = "0-1:11.0.0.255"
SPECIAL_DAYS_ACTIVATION = "0-0:94.44.128.29"
CURRENCY_UNIT = "0-0:94.44.2.0"
STANDING_CHARGE = "0-0:19.20.4.255"
PRICE_MATRIX = "0-0:19.20.0.255"
THRESHOLD_MATRIX_ACTIVATION = "0-0:63.1.1.255"
TARIFF_SCRIPTS = Obis.parse("0-0:10.0.100.255").raw
TOU_RATES, BLOCK_RATES, BLOCKS = 48, 8, 4
BLOCK_SELECTOR_BASE = 100            # a day profile's block action n runs script 100 + n, a TOU action n script n
PRICE_COMMODITY_SCALE = 3            # prices are per kWh of the Active Import Register (Wh)
CURRENCIES = {"GBP": True, "ECB": False}


def _seasons(request: DuisRequest, table: etree._Element) -> Data:
    out = []
    for season in children(child(request, table, "Seasons"), "Season"):
        start = dlms_date(request, child(request, season, "SeasonStartDate")) + bytes(4) + b"\x80\x00\xff"
        out.append(axdr.structure(axdr.octet_string(ascii_value(request, child(request, season, "SeasonName"))),
                                  axdr.octet_string(start),
                                  axdr.octet_string(bytes((number(request, season, "ReferencedWeekName"),)))))
    return axdr.array(*out)


def _weeks(request: DuisRequest, table: etree._Element) -> Data:
    out = []
    for week in children(child(request, table, "WeekProfiles"), "WeekProfile"):
        days = indexed(request, children(week, "ReferencedDayName"))
        if len(days) != 7:
            raise missing(request, week, "ReferencedDayName (seven, Monday to Sunday)")
        out.append(axdr.structure(axdr.octet_string(bytes((number(request, week, "WeekName"),))),
                                  *(axdr.unsigned(number(request, day)) for day in days)))
    return axdr.array(*out)


def _days(request: DuisRequest, table: etree._Element) -> Data:
    out = []
    for day in children(child(request, table, "DayProfiles"), "DayProfile"):
        actions = []
        for entry in children(day, "ProfileSchedule"):
            tou, block = entry.find("sr:TOUTariffAction", xml.NSMAP), entry.find("sr:BlockTariffAction", xml.NSMAP)
            if tou is not None:
                selector = number(request, tou)
            elif block is not None:
                selector = BLOCK_SELECTOR_BASE + number(request, block)
            else:
                raise missing(request, entry, "TOUTariffAction or sr:BlockTariffAction")
            actions.append(axdr.structure(axdr.octet_string(dlms_time(request, child(request, entry, "StartTime"))),
                                          axdr.octet_string(TARIFF_SCRIPTS), axdr.long_unsigned(selector)))
        out.append(axdr.structure(axdr.unsigned(number(request, day, "DayName")), axdr.array(*actions)))
    return axdr.array(*out)


def _special_days(request: DuisRequest, holder: etree._Element) -> Data:
    return axdr.array(*(axdr.structure(axdr.long_unsigned(position), axdr.octet_string(dlms_date(request, child(
        request, day, "Date"))), axdr.unsigned(number(request, day, "ReferencedDayName")))
        for position, day in enumerate(children(holder, "SpecialDay"), start=1)))


def _thresholds(request: DuisRequest, matrix: etree._Element) -> list[Instruction]:
    out = []
    for rate in range(1, BLOCK_RATES + 1):
        found = matrix.find(f"sr:Thresholds[@index='{rate}']", xml.NSMAP)
        if found is None:
            raise missing(request, matrix, f"Thresholds index=\"{rate}\"")
        values = [axdr.double_long_unsigned(number(request, t)) for t in indexed(request, children(found,
                                                                                                   "BlockThreshold"))]
        out.append(set_(21, f"0-0:16.1.{10 + rate}.255", 2, axdr.array(*values)))
    return out


def _price_matrix(request: DuisRequest, prices: etree._Element) -> Data:
    """The 80-entry Price Matrix: TOU prices 01..30 (hex), then block prices A1..D8 (block A-D, rate 1-8);
    what the request does not price is 0."""
    tariff = next((t for name in ("TOUTariff", "BlockTariff", "HybridTariff")
                   if (t := prices.find(f"sr:{name}", xml.NSMAP)) is not None), None)
    if tariff is None:
        raise missing(request, prices, "TOUTariff, sr:BlockTariff or sr:HybridTariff")
    table: dict[int, int] = {index: 0 for index in range(1, TOU_RATES + 1)}
    table.update({0xA0 + 0x10 * block + rate: 0 for block in range(BLOCKS) for rate in range(1, BLOCK_RATES + 1)})
    for price in children(tariff, "TOUPrice"):
        table[_index(request, price, TOU_RATES)] = number(request, price)
    for rate_prices in children(tariff, "BlockPrices"):
        rate = _index(request, rate_prices, BLOCK_RATES)
        for price in children(rate_prices, "BlockPrice"):
            table[0xA0 + 0x10 * (_index(request, price, BLOCKS) - 1) + rate] = number(request, price)
    return unit_charge(number(request, prices, "PriceScale"), [(bytes((i,)), p) for i, p in table.items()],
                       commodity=ACTIVE_IMPORT, commodity_scale=PRICE_COMMODITY_SCALE)


def _index(request: DuisRequest, node: etree._Element, top: int) -> int:
    raw = node.get("index", "")
    if not raw.isdigit() or not 1 <= int(raw) <= top:
        raise TransformError(f"{request.srv} {_where(request, node)}: index must be 1 to {top}, not {raw!r}",
                             where=request.where)
    return int(raw)


def _electricity_prices(request: DuisRequest) -> etree._Element:
    return request.element("PriceElements/ElectricityPriceElements")


def _price_instructions(request: DuisRequest) -> tuple[list[Instruction], list[Instruction]]:
    """The standing charge and price matrix, and their activation times."""
    prices = _electricity_prices(request)
    standing = unit_charge(number(request, prices, "StandingChargeScale"),
                           [(b"", number(request, prices, "StandingCharge"))])
    when = activation_time(request)
    return ([set_(113, STANDING_CHARGE, 6, standing), set_(113, PRICE_MATRIX, 6, _price_matrix(request, prices))],
            [set_(113, STANDING_CHARGE, 7, when), set_(113, PRICE_MATRIX, 7, when)])


@command("1.1.1", "ECS01a", devices=ESME)
def update_import_tariff(request: DuisRequest, ctx: CommandContext) -> bytes:
    elements = request.element("ElecTariffElements")
    table = child(request, elements, "SwitchingTable")
    currency = value_of(child(request, elements, "CurrencyUnits"))
    if currency not in CURRENCIES:
        raise TransformError(f"{request.srv} sr:CurrencyUnits: {currency!r} is neither GBP nor ECB",
                             where=request.where)
    prices, price_activations = _price_instructions(request)
    when = activation_time(request)
    return access_request(ctx, [
        set_(20, SWITCHING_TABLE, 7, _seasons(request, table)),
        set_(20, SWITCHING_TABLE, 8, _weeks(request, table)),
        set_(20, SWITCHING_TABLE, 9, _days(request, table)),
        set_(11, SPECIAL_DAYS, 2, _special_days(request, child(request, elements, "SpecialDays"))),
        *_thresholds(request, child(request, elements, "ThresholdMatrix")),
        set_(9000, CURRENCY_UNIT, 4, axdr.boolean(CURRENCIES[currency])),
        *prices,
        set_(20, SWITCHING_TABLE, 10, when),
        set_(9000, SPECIAL_DAYS_ACTIVATION, 6, when),
        set_(9000, CURRENCY_UNIT, 6, when),
        *price_activations,
        set_(9000, THRESHOLD_MATRIX_ACTIVATION, 6, when),
    ])


@command("1.2.1", "ECS01b", devices=ESME)
def update_price(request: DuisRequest, ctx: CommandContext) -> bytes:
    prices, price_activations = _price_instructions(request)
    return access_request(ctx, [*prices, *price_activations])


@response("ECS01a", "ECS01b")
def tariff_updated(ctx: ResponseContext, rsp: etree._Element) -> None:
    """UpdateImportTariffPrimaryElementRsp and UpdatePricePrimaryElementRsp carry nothing beyond
    MessageSuccess (mmc.xsd); each set's result is in DebugInfo, and a future-dated tariff's
    activation is reported by 0x8F66/0x8F67 alerts (alerts.py)."""


# -- Device side ----------------------------------------------------------------------------------------
# What an ESME reads of these commands is what the firmware model acts on: the DUIS body's leaves
# (xml.flatten names), which the tariff, payment and debt models share with the GSME.

def set_value(command: DeviceCommand, class_id: int, obis: str, attribute: int) -> Data:
    found = device.set_values(command).get((class_id, obis, attribute))
    if found is None:
        raise axdr.PayloadError(f"{command.use_case}: the command sets no {class_id}/{obis}/{attribute}", 0)
    return found


def execution(command: DeviceCommand, *activations: tuple[int, str, int]) -> dict[str, str]:
    """DUIS's ExecutionDateTime of a command whose passive values take effect at activation times
    (GBCS: the DSP writes the execution date-time, 'now' or 'never' into each): none for now, DUIS's
    cancellation date-time for never. The model activates a command's objects together, at the first
    activation time the command sets."""
    when = dlms.DlmsDateTime(set_value(command, *activations[0]).octets)
    if when.is_now:
        return {}
    if when.is_never:
        return {"ExecutionDateTime": CANCELLATION.isoformat().replace("+00:00", "Z")}
    at = when.datetime
    if at is None:
        raise axdr.PayloadError(f"{command.use_case}: activation time {when} is not a date-time", 0)
    return {"ExecutionDateTime": at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")}


def duis_time(raw: bytes) -> str:
    """A 4-byte DLMS time (UTC, as the DSP writes them) as DUIS's xs:time; wildcards read as 0."""
    hour, minute, second, hundredths = (0 if b == 0xFF else b for b in raw[:4])
    return f"{hour:02d}:{minute:02d}:{second:02d}.{hundredths:02d}Z"


def duis_date(raw: bytes) -> list[etree._Element]:
    """A 5-byte DLMS date with wildcards as DUIS's sr:Date parts (the inverse of dlms_date)."""
    E = xml.E
    year, month, day, weekday = int.from_bytes(raw[:2], "big"), raw[2], raw[3], raw[4]
    days = {0xFE: E.LastDayOfMonth, 0xFD: E.SecondLastDayOfMonth, 0xFF: E.NonSpecifiedDayOfMonth}
    return [E.Year(E.NonSpecifiedYear() if year == 0xFFFF else E.SpecifiedYear(str(year))),
            E.Month(E.NonSpecifiedMonth() if month == 0xFF else E.SpecifiedMonth(str(month))),
            E.DayOfMonth(days[day]() if day in days else E.SpecifiedDayOfMonth(str(day))),
            E.DayOfWeek(E.NonSpecifiedDayOfWeek() if weekday == 0xFF else E.SpecifiedDayOfWeek(str(weekday)))]


def leaves(*elements: etree._Element) -> dict[str, str]:
    """The DUIS leaves of body elements, named as xml.flatten names a request body's."""
    return xml.flatten(xml.E.Body(*elements))


def _unit_charge(item: Data) -> tuple[int, int, list[tuple[bytes, int]]]:
    """A Charge's unit_charge: (commodity scale, price scale, [(index, price)])."""
    scales, _commodity, table = item.items
    commodity_scale, price_scale = scales.items
    return commodity_scale.int, price_scale.int, [(entry[0].octets, entry[1].int) for entry in table.items]


def _price_elements(command: DeviceCommand) -> etree._Element:
    """sr:PriceElements from the standing charge and Price Matrix a command writes. The matrix holds
    every TOU and block price, unpriced ones 0: a price of 0 charges as an unpriced rate does, so only
    the priced ones are DUIS's; TOU and block prices make a hybrid tariff."""
    E = xml.E
    _, standing_scale, standing = _unit_charge(set_value(command, 113, STANDING_CHARGE, 6))
    _, price_scale, table = _unit_charge(set_value(command, 113, PRICE_MATRIX, 6))
    prices = {index[0]: price for index, price in table if len(index) == 1}
    tou = [E.TOUPrice(str(prices[i]), index=str(i)) for i in range(1, TOU_RATES + 1) if prices.get(i)]
    blocks = []
    for rate in range(1, BLOCK_RATES + 1):
        priced = [E.BlockPrice(str(prices[code]), index=str(block + 1)) for block in range(BLOCKS)
                  if prices.get(code := 0xA0 + 0x10 * block + rate)]
        if priced:
            blocks.append(E.BlockPrices(*priced, index=str(rate)))
    kind = "HybridTariff" if tou and blocks else "BlockTariff" if blocks else "TOUTariff"
    return E.PriceElements(E.ElectricityPriceElements(
        E.StandingCharge(str(standing[0][1] if standing else 0)), E.StandingChargeScale(str(standing_scale)),
        E.PriceScale(str(price_scale)), E(kind, *tou, *blocks)))


def _switching_table(command: DeviceCommand) -> etree._Element:
    E = xml.E
    days = []
    for day in set_value(command, 20, SWITCHING_TABLE, 9).items:
        day_id, actions = day.items
        schedule = []
        for action in actions.items:
            start, _script, selector = action.items
            n = selector.int
            rate = E.BlockTariffAction(str(n - BLOCK_SELECTOR_BASE)) if n > BLOCK_SELECTOR_BASE \
                else E.TOUTariffAction(str(n))
            schedule.append(E.ProfileSchedule(E.StartTime(duis_time(start.octets)), rate))
        days.append(E.DayProfile(E.DayName(str(day_id.int)), *schedule))
    weeks = [E.WeekProfile(E.WeekName(str(week[0].octets[0])),
                           *(E.ReferencedDayName(str(d.int), index=str(i)) for i, d in enumerate(week.items[1:], 1)))
             for week in set_value(command, 20, SWITCHING_TABLE, 8).items]
    seasons = [E.Season(E.SeasonName(season[0].octets.decode("ascii", "replace")),
                        E.SeasonStartDate(*duis_date(season[1].octets)),
                        E.ReferencedWeekName(str(season[2].octets[0])))
               for season in set_value(command, 20, SWITCHING_TABLE, 7).items]
    return E.SwitchingTable(E.DayProfiles(*days), E.WeekProfiles(*weeks), E.Seasons(*seasons))


@accepts("ECS01a")
def tariff_command(command: DeviceCommand) -> dict:
    E = xml.E
    special_days = [E.SpecialDay(E.Date(*duis_date(day[1].octets)), E.ReferencedDayName(str(day[2].int)))
                    for day in set_value(command, 11, SPECIAL_DAYS, 2).items]
    thresholds = [E.Thresholds(*(E.BlockThreshold(str(t.int), index=str(i)) for i, t in enumerate(
        set_value(command, 21, f"0-0:16.1.{10 + rate}.255", 2).items, 1)), index=str(rate))
        for rate in range(1, BLOCK_RATES + 1)]
    currency = "GBP" if set_value(command, 9000, CURRENCY_UNIT, 4).value else "ECB"
    elements = E.ElecTariffElements(E.CurrencyUnits(currency), _switching_table(command),
                                    E.SpecialDays(*special_days), E.ThresholdMatrix(*thresholds))
    return {**execution(command, (20, SWITCHING_TABLE, 10)), **leaves(elements, _price_elements(command))}


@accepts("ECS01b")
def price_command(command: DeviceCommand) -> dict:
    return {**execution(command, (113, STANDING_CHARGE, 7)), **leaves(_price_elements(command))}


@answers("ECS01a", "ECS01b")
def tariff_answer(command: DeviceCommand, outcome: dict) -> bytes:
    return device.dlms_answer(command, outcome)
