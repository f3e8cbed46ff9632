"""Which devices took part in a scenario, and which alerts it waited for and received, judged only from what
its DCC Users observed: the requests they sent, the responses that came back and the alerts they waited for
(ServiceUser.exchanges and .awaited). Never from the lab's emulators, so a real bench is judged the same way.

A device took part when
- it ANSWERED: a response to one of the scenario's requests carries the device's own GBCS response (CRA flag
  Response, originated by the device). A DCC-only answer carries none: I0 to a non-device SR (12.2, 8.2, 11.1),
  I99, an E-code such as 11.1's E110103, the Pre-Command or a command for local delivery (originated by the
  User or the ACB). Under Local Command Delivery the installer's terminal brings the device's response back and
  the User returns it with 8.13: an 8.13 the DCC accepted (I0) carrying a device's GBCS response counts too.
- it ALERTED: a device alert the scenario waited for and received whose GBCS alert the device originated (a
  future-dated outcome too), or one the installer's terminal brought back and the User returned with an 8.13 the
  DCC accepted (Local Command Delivery: the CHF's 0x8F12). A DCC alert (N-codes) is the DCC's, not the device's.
- it JOINED: the scenario added it to the CHF's device log (8.11 Add, accepted) and later read the Smart
  Metering Inventory (8.2) with it Installed Not Commissioned or Commissioned. The DCC moves a whitelisted
  device to Installed Not Commissioned only when its CH reports the device joined (the CHF's device log
  backup, CS14 / 0x8F12, with the device's link key; dcc/outcomes.py does the same), so that read is the join
  as a User sees it. A device alert 0x8183 (Device joined SMHAN, after a CH replacement) from it is a join too.

Each EUI is the test set's device under the name the scenario gave it (its role: 'ESME', 'ESME 2', 'PPMID'),
or its Communications Hub ('CHF', 'GPF'; 'old CHF' after a replacement). Anything else (another User's EUI, a
device of no test set) is not a participant.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from harness.adapters.duis_client import Received
from harness.adapters.service_user import Exchange
from harness.duis.responses import ResponseKind
from harness.errors import DitError
from harness.eui import EntityId
from harness.gbcs import payload as payload_codec
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning
from harness.lab.config import PremisesConfig
from harness.lab.contract import Lab
from harness.ledger import Part, Participant
from harness.usecases import DuisRequest

JOINED_STATUSES = ("InstalledNotCommissioned", "Commissioned")
JOIN_ALERTS = ("0x8183",)                   # Device joined SMHAN


@dataclass(frozen=True)
class Observed:
    participants: list[Participant]
    alerts: list[str]           # codes as the records keep them, first received first: '0x8F72', 'N24'


def of_lab(lab: Lab) -> Observed:
    """What the scenario's service users observed on this lab (its one test set)."""
    users = list(lab.users.values())
    return observe(lab.config.premises[0], [x for u in users for x in u.exchanges],
                   [a for u in users for a in u.awaited])


def observe(site: PremisesConfig, exchanges: Iterable[Exchange], awaited: Iterable[Received]) -> Observed:
    who = roles(site)
    parts: dict[EntityId, set[Part]] = {}
    received: list[tuple[dt.datetime, str]] = []

    def took_part(eui: EntityId | None, part: Part) -> None:
        if eui is not None and eui in who:
            parts.setdefault(eui, set()).add(part)

    def alerted(origin: EntityId | None, code: str, at: dt.datetime) -> None:
        received.append((at, code))
        took_part(origin, Part.ALERTED)
        if code in JOIN_ALERTS:
            took_part(origin, Part.JOINED)

    exchanges = sorted(exchanges, key=_sent_at)
    added: dict[EntityId, dt.datetime] = {}         # devices an accepted 8.11 Add whitelisted, and when
    for x in exchanges:
        took_part(_answered_by(x), Part.ANSWERED)
        if x.srv == "8.13" and (returned := _returned_alert(x)) is not None:
            alerted(*returned, _sent_at(x))
        elif x.srv == "8.11" and x.succeeded and (device := _added_to_device_log(x)) is not None:
            added.setdefault(device, _sent_at(x))
        elif x.srv == "8.2" and x.response is not None:
            for entry in x.response.inventory:
                eui = _eui(entry.get("DeviceID"))
                if eui in added and added[eui] <= _sent_at(x) and entry.get("DeviceStatus") in JOINED_STATUSES:
                    took_part(eui, Part.JOINED)
    for item in awaited:
        if (code := alert_label(item)) is not None:
            dcc = item.response.kind is ResponseKind.DCC_ALERT
            alerted(None if dcc else _originator(item.response.gbcs_payload, CraFlag.ALERT), code, item.at)
    codes = list(dict.fromkeys(code for _, code in sorted(received, key=lambda r: r[0])))
    # in the test set's order: its devices as the lab config lists them, then its hubs
    return Observed([Participant(*who[eui], tuple(p for p in Part if p in parts[eui])) for eui in who if eui in parts],
                    codes)


def roles(site: PremisesConfig) -> dict[EntityId, tuple[str, str]]:
    """(asset, role) by EUI: the test set's devices by the names the scenario uses, and its hubs."""
    found = {cfg.eui: (cfg.asset or cfg.name, cfg.name) for cfg in site.devices}
    for hub, prefix in ((site.hub, ""), (site.replaced_hub, "old "), (site.spare_hub, "spare ")):
        if hub is not None:
            asset = hub.asset or f"{site.name} CH"
            found |= {hub.chf: (asset, f"{prefix}CHF"), hub.gpf: (asset, f"{prefix}GPF")}
    return found


def alert_label(item: Received) -> str | None:
    """'0x8F72' for a device alert (future-dated outcomes too), 'N24' for a DCC alert."""
    r = item.response
    if not r.alert_code:
        return None
    if r.kind is ResponseKind.DCC_ALERT:
        return r.alert_code.upper()
    return "0x" + r.alert_code.upper().removeprefix("0X")


def _sent_at(x: Exchange) -> dt.datetime:
    return x.evidence[0].at if x.evidence else dt.datetime.min.replace(tzinfo=dt.UTC)


def _answered_by(x: Exchange) -> EntityId | None:
    """The device whose own GBCS response this exchange brought back, if any."""
    r = x.response
    if r is None:
        return None
    if r.kind is ResponseKind.RESPONSE and r.content == "GBCSPayload":
        return _originator(r.gbcs_payload, CraFlag.RESPONSE)
    if x.srv == "8.13" and r.success and (request := _request(x)) is not None:
        return _originator(_base64(request.text("DeviceGBCSResponse")), CraFlag.RESPONSE)
    return None


def _returned_alert(x: Exchange) -> tuple[EntityId, str] | None:
    """A device's GBCS alert the installer's terminal brought back and the DCC accepted with 8.13 (I0): its
    originator and code."""
    request = _request(x) if x.response is not None and x.response.success else None
    data = _base64(request.text("DeviceGBCSResponse")) if request is not None else None
    try:
        apdu = GbcsMessage.decode(data).apdu if data else None
    except DitError:
        return None
    code = payload_codec.alert_code(apdu) if apdu is not None and apdu.cra_flag is CraFlag.ALERT else None
    return None if apdu is None or code is None else (apdu.originator, f"0x{code:04X}")


def _added_to_device_log(x: Exchange) -> EntityId | None:
    request = _request(x)
    if request is None or request.text("RequestType") != "Add":
        return None
    return _eui(request.text("DeviceID"))


def _request(x: Exchange) -> DuisRequest | None:
    """The request the User sent first (its body; a CV 5 that follows carries only the signed Pre-Command)."""
    sent = next((e for e in x.evidence if e.label.startswith("request to ")), None)
    if sent is None:
        return None
    try:
        return DuisRequest.parse(sent.data)
    except DitError:
        return None


def _originator(data: bytes | None, flag: CraFlag) -> EntityId | None:
    if not data:
        return None
    try:
        apdu: GeneralSigning = GbcsMessage.decode(data).apdu
    except DitError:
        return None
    return apdu.originator if apdu.cra_flag is flag else None


def _base64(text: str | None) -> bytes | None:
    if not text:
        return None
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except binascii.Error:
        return None


def _eui(text: str | None) -> EntityId | None:
    if not text:
        return None
    try:
        return EntityId(text)
    except DitError:
        return None
