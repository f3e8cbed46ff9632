"""Pieces that many DUIS bodies share."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree

from harness.catalogue import Fuel
from harness.duis.requests import xs_datetime
from harness.duis.xml import E
from harness.errors import DitError
from harness.eui import EntityId

Certificate = x509.Certificate | bytes | str


def future_dated(execution_date_time: dt.datetime | None) -> list[etree._Element]:
    """The optional ExecutionDateTime that every FutureDatedAbstractType body starts with."""
    return [] if execution_date_time is None else [E.ExecutionDateTime(xs_datetime(execution_date_time))]


def read_log_period(start: dt.datetime, end: dt.datetime) -> etree._Element:
    return E.ReadLogPeriod(E.StartDateTime(xs_datetime(start)), E.EndDateTime(xs_datetime(end)))


def eui(value: EntityId | str) -> str:
    """An entity ID in DUIS form (90-B3-D5-1F-30-01-00-00)."""
    return EntityId(value).duis


def certificate_b64(value: Certificate) -> str:
    """A certificate as DUIS carries it: base64 DER (accepts a certificate, DER bytes or base64)."""
    if isinstance(value, x509.Certificate):
        return base64.b64encode(value.public_bytes(serialization.Encoding.DER)).decode()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return "".join(value.split())


def integer(name: str, value: int | str, low: int, high: int) -> str:
    """A whole number within its XSD bounds; digits typed in a Gherkin table are accepted as text."""
    try:
        if isinstance(value, bool):
            raise TypeError
        number = int(value.strip()) if isinstance(value, str) else int(value)
        if number != value and not isinstance(value, str):
            raise ValueError
    except (TypeError, ValueError):
        raise DitError(f"{name} must be a whole number, not {value!r}") from None
    if not low <= number <= high:
        raise DitError(f"{name} must be between {low} and {high}, not {value!r}")
    return str(number)


def choice(name: str, value: str, allowed: Iterable[str]) -> str:
    """The allowed spelling of value, matched case-insensitively (Gherkin tables are typed by hand)."""
    for option in allowed:
        if str(value).strip().lower() == option.lower():
            return option
    raise DitError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


ELECTRICITY, GAS = Fuel.ELECTRICITY, Fuel.GAS


def fuel_type(value: str, srv: str = "") -> Fuel:
    """electricity or gas: SRs that reach an ESME and a GSME differ in structure between the two."""
    return Fuel.parse(value, f"{srv} fuel".strip())


_TRUE, _FALSE = {"true", "yes", "y", "1", "on"}, {"false", "no", "n", "0", "off"}


def boolean(value: bool | str) -> str:
    """xs:boolean from a bool or from the words a Gherkin table uses ("false" must not become true)."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word not in _TRUE | _FALSE:
            raise DitError(f"not a yes/no value: {value!r}", fix="write true or false")
        return "true" if word in _TRUE else "false"
    return "true" if value else "false"
