"""Which read SR reads back what a setting SR set, and whether the read-back shows it: what a supplier checks
after putting its product on a meter (Change of Supplier, the SEC Smart Change of Supplier guidance's SR areas).

Each value a setting request sets (its leaves: DUIS local name and value) is looked for among the read-back
response's MMC values under the MMC's name for it (`RENAMED`, else the same name): the support reads give the
values in the units the setting SR sent them (support_reads), so a value the device kept reads back equal. Times
and numbers compare by value ("00:00:00.00Z" and "00:00:00Z", "39.20" and "39.2").
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation

from lxml import etree

from harness.duis import xml

# setting SR -> the read SR that reads it back
READ_BACK = {"1.1.1": "4.11.1", "2.1": "4.13", "2.3": "4.3", "6.6": "6.2.8", "6.8": "6.2.3", "6.20.1": "6.2.7",
             "6.25": "6.2.4"}
# Where the read SR shows only some of what the setting SR set: those leaves (4.3 reads 2.3's debt registers;
# 4.13 its recovery settings).
COMPARED = {"2.3": frozenset({"PaymentDebtRegister", "TimeDebtRegister1", "TimeDebtRegister2"})}
# Request leaves that are instructions to the DCC or the device, not settings it keeps; and a tariff's block
# thresholds, which GCS01a does not carry to a GSME for a TOU tariff (gsme_tariff.update_import_tariff).
IGNORED = frozenset({"ExecutionDateTime", "TransactionId", "BlockThreshold"})
# DUIS request name -> the MMC response names the value reads back under (MMC 4.11.1 names the tariff's TOU prices
# by matrix and the active one apart; 4.13 names the two max-credit settings by their group).
RENAMED = {"CurrencyUnits": ("CurrencyUnitsLabel",), "TOUPrice": ("TariffTOUPrice", "PrimaryActiveTariffPrice"),
           "DayName": ("DayName", "Day"),
           "ReferencedDayName": ("ReferencedDayName", "ReferencedDay", "ReferencedElecDay"),
           "MaxCreditThreshold": ("CreditMaxCreditThreshold",), "MaxMeterBalance": ("MaxCreditMaxMeterBalance",)}
_TIME = re.compile(r"((?:\d{4}-\d\d-\d\dT)?\d\d:\d\d:\d\d)(?:\.0+)?(Z?)")
_DATE = re.compile(r"(\d{4}-\d\d-\d\d)Z?")


def _number(value: str) -> str:
    """Equal values in either text form ("39.20" and "39.2", "0500" and "500") compare equal."""
    if m := _TIME.fullmatch(value):
        return m[1] + m[2]
    if m := _DATE.fullmatch(value):
        return m[1]
    try:
        return format(Decimal(value).normalize(), "f")
    except InvalidOperation:
        return value


def setting_leaves(request: etree._Element) -> set[tuple[str, str]]:
    """The (leaf name, value) pairs of a DUIS request's SR body element."""
    body = request.find("sr:Body", xml.NSMAP)
    found: set[tuple[str, str]] = set()
    for leaf in body.iter() if body is not None else ():
        text = (leaf.text or "").strip()
        if isinstance(leaf.tag, str) and not len(leaf) and text and xml.local_name(leaf) not in IGNORED:
            found.add((xml.local_name(leaf), _number(text)))
    return found


def read_leaves(values: dict[str, str]) -> set[tuple[str, str]]:
    """The (leaf name, value) pairs of a read-back's MMC values ("A/B[2]/C" -> "C")."""
    return {(re.sub(r"\[\d+\]$", "", key.rsplit("/", 1)[-1]), _number(value)) for key, value in values.items()
            if "@" not in key}


def not_read_back(srv: str, request: etree._Element, values: dict[str, str]) -> list[str]:
    """The settings SR `srv`'s request set that the read-back does not show (as "Name=value"), empty when it shows
    them all."""
    read = read_leaves(values)
    compared = COMPARED.get(srv)
    return [f"{name}={value}" for name, value in sorted(setting_leaves(request))
            if (compared is None or name in compared)
            and not any((alias, value) in read for alias in RENAMED.get(name, (name,)))]


def most_used(changed: dt.datetime, read: dt.datetime, per_minute: int) -> int:
    """What a meter may have used (or recovered) at `per_minute` between `changed` (before the meter could act on a
    change) and `read` (after it answered the read of it): it acted on both within that span, however long the
    bench or the machine took over it."""
    if read < changed:
        raise ValueError(f"the read ({read.isoformat()}) came back before the change was sent ({changed.isoformat()})")
    return math.ceil(per_minute * (read - changed).total_seconds() / 60)
