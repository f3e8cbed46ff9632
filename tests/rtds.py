"""The DCC's Reference Test Data Set in the conformance folder, as the use case tests read it.

A DUIS template duis/templates/<UC>_<SR>_<CASE>_REQUEST_DUIS.XML pairs with the GBCS messages of its case,
gbcs/rtds/<SR>_<UC>/<UC>_<SR>_<CASE>_{PRECOMMAND,COMMAND,RESPONSE}_GBCS.HEX; alerts are ..._ALERT_..._GBCS.HEX.
CASE may be empty (ECS17b_4.1.1_REQUEST_DUIS.XML) and SR may be NA (CS14_NA_8F12_ALERT_GBCS.HEX).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from pathlib import Path

from lxml import etree

from harness.gbcs.frame import GbcsMessage
from harness.usecases import DuisRequest

NAME = re.compile(r"(?P<uc>[A-Za-z0-9]+)_(?P<sr>[\d.]+|NA)_(?P<case>.*?)_?(?P<kind>REQUEST_DUIS|PRECOMMAND_GBCS|"
                  r"COMMAND_GBCS|RESPONSE_GBCS|ALERT.*_GBCS)\.(XML|HEX)$")


def _mine(name: str, use_cases: Collection[str] | None) -> bool:
    match = NAME.match(name)
    return bool(match) and (use_cases is None or match["uc"] in use_cases)


def templates(conformance: Path, use_cases: Collection[str] | None = None) -> list[Path]:
    """The DUIS templates of these use cases (all of them by default), sorted."""
    return [p for p in sorted((conformance / "duis" / "templates").glob("*_REQUEST_DUIS.XML"))
            if _mine(p.name, use_cases)]


def sibling(conformance: Path, template: Path, kind: str) -> Path:
    """Where the RTDS keeps the `kind` (PRECOMMAND, COMMAND, RESPONSE) of a template's case; it may not exist."""
    match = NAME.match(template.name)
    stem = template.name.removesuffix("REQUEST_DUIS.XML")
    return conformance / "gbcs" / "rtds" / f"{match['sr']}_{match['uc']}" / f"{stem}{kind}_GBCS.HEX"


def command(conformance: Path, template: Path) -> Path | None:
    """The command the DCC made of a template: its PRECOMMAND, else its COMMAND, else None."""
    return next((p for p in (sibling(conformance, template, k) for k in ("PRECOMMAND", "COMMAND")) if p.exists()), None)


def pairs(conformance: Path, use_cases: Collection[str] | None = None) -> list[tuple[Path, Path, str]]:
    """(template, command, use case) for every template of these use cases that has a command."""
    found = ((t, command(conformance, t), NAME.match(t.name)["uc"]) for t in templates(conformance, use_cases))
    return [(t, c, uc) for t, c, uc in found if c is not None]


def answers(conformance: Path, use_cases: Collection[str] | None = None) -> list[Path]:
    """The RESPONSE and ALERT files of these use cases, sorted."""
    return [p for p in sorted((conformance / "gbcs" / "rtds").rglob("*.HEX"))
            if _mine(p.name, use_cases) and ("RESPONSE" in p.name or "ALERT" in p.name)]


def rtds_file(conformance: Path, name: str) -> Path:
    """The one file of that name in the RTDS."""
    (path,) = (conformance / "gbcs" / "rtds").rglob(name)
    return path


def message(path: Path) -> GbcsMessage:
    return GbcsMessage.decode(bytes.fromhex(path.read_text().strip()))


def request(path: Path, edit: Callable[[etree._Element], object] | None = None) -> DuisRequest:
    """A DUIS request file, with `edit(root element)` applied first if given."""
    if edit is None:
        return DuisRequest.parse(path.read_bytes(), path.name)
    root = etree.fromstring(path.read_bytes())
    edit(root)
    return DuisRequest.parse(etree.tostring(root), path.name)


# -- templates with a change to their SR body (for negative tests) --------------------------------------

SR = "{http://www.dccinterface.co.uk/ServiceUserGateway}"
BodyEdit = Callable[[etree._Element], None]


def template(conformance: Path, name: str, edit: BodyEdit | None = None) -> DuisRequest:
    """A DUIS template by name, with `edit(SR body element)` applied first if given."""
    path = conformance / "duis" / "templates" / name
    return request(path) if edit is None else request(path, lambda root: edit(root.find(f"{SR}Body")[0]))


def drop(*names: str) -> BodyEdit:
    """An edit removing every sr:<name> element of the body."""
    def edit(body: etree._Element) -> None:
        for name in names:
            for node in list(body.iter(f"{SR}{name}")):
                node.getparent().remove(node)
    return edit


def set_text(name: str, value: str) -> BodyEdit:
    """An edit setting the first sr:<name> element's text."""
    def edit(body: etree._Element) -> None:
        next(body.iter(f"{SR}{name}")).text = value
    return edit
