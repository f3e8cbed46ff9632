"""In-home devices: the PPMID (prepayment interface) and the IHD (in-home display).

An IHD holds no certificates and takes no GBCS commands; it only joins the HAN and pairs with meters.
A PPMID holds supplier and DCC trust anchors, is joined to meters with 8.7.x, and is where a consumer
can type a UTRN: it passes it over the HAN to the meter it is joined with for that fuel, which checks it
and tells its supplier (0x810E). A PPMID keeps the key of each meter it joins; after the meter is
rekeyed it can no longer talk to it until it is joined again (DIT: "PPMID re-join after device rekey").

A PPMID with an internet interface (SECMP0038 proposal; `serve_internet`: HTTP on loopback) takes, from a DCC
User over the internet, commands the DCC prepared for Local Command Delivery and hands them to its CH over the
HAN (the CH decides whether to forward them, hub.py), and returns what came back (the device's GBCS answers and
alerts, as the device made them). It also takes UTRNs, which it shows until the consumer accepts one. The
internet hop needs no trust of its own: a command is MAC'd by the ACB and signed by the User where critical, an
answer is signed or MAC'd by the device, and a UTRN is made with the supplier's prepayment key; each end checks.

  POST /command   body: a GBCS command            202, or 409 when the PPMID has no CH to hand it to
  POST /utrn      body: {"utrn": "...", "fuel": "ESME"|"GSME"}   202 (shown on the display)
  POST /messages  body: empty                      200 {"messages": [base64, ...]}: what came back since
"""

from __future__ import annotations

import base64
import json

from harness.catalogue import DeviceType
from harness.emulators.device import GeneralSigning, handles
from harness.emulators.firmware import FirmwareHost
from harness.emulators.han import BAND_24GHZ
from harness.emulators.han_device import HanDevice, PairedDevice
from harness.emulators.meters import CURRENT_SUMMATION_DELIVERED, MESSAGING_CLUSTER, METERING_CLUSTER, Meter
from harness.eui import EntityId
from harness.gbcs import zcl
from harness.gbcs.axdr import PayloadError
from harness.httpio import HttpServer

UTRN_FUELS = {"ESME": DeviceType.ESME, "GSME": DeviceType.GSME}


def _key_of(device) -> bytes | None:
    keys = getattr(device, "keys", None)
    return None if keys is None else keys.key_agreement.public_key().public_numbers().x.to_bytes(32, "big")


class PrepaymentInterfaceDevice(FirmwareHost, PairedDevice):
    device_type = DeviceType.PPMID
    image_type = 0x0401

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.partner_keys: dict[EntityId, bytes | None] = {}
        self.internet: HttpServer | None = None
        self.came_back: list[bytes] = []                        # over the PPMID route, not yet fetched
        self.offered_utrns: list[tuple[str, DeviceType]] = []   # on the display, awaiting the consumer

    # -- the internet interface (SECMP0038) -------------------------------------------------------------

    def serve_internet(self) -> str:
        """Start the PPMID's internet interface (loopback); its base URL."""
        if self.internet is None:
            self.internet = HttpServer(self.on_internet).start()
        return self.internet.base_url

    def stop_internet(self) -> None:
        if self.internet is not None:
            self.internet.stop()
            self.internet = None

    def on_internet(self, path: str, body: bytes) -> tuple[int, str, bytes]:
        """A POST to the internet interface: /command, /utrn or /messages."""
        with self.clock.lock:           # HTTP threads change lab state one at a time, as the DCC's do
            if path == "/command":
                if not self.route_command(body):
                    return 409, "text/plain", b"the PPMID is not on a HAN with a Communications Hub"
                return 202, "text/plain", b"handed to the Communications Hub"
            if path == "/utrn":
                try:
                    offer = json.loads(body)
                    code, fuel = str(offer["utrn"]), UTRN_FUELS[str(offer.get("fuel", "ESME"))]
                except (ValueError, KeyError, TypeError):
                    return 400, "text/plain", b'body must be {"utrn": "<20 digits>", "fuel": "ESME" or "GSME"}'
                self.offer_utrn(code, fuel)
                return 202, "text/plain", b"shown to the consumer"
            if path == "/messages":
                messages, self.came_back = self.came_back, []
                return 200, "application/json", json.dumps(
                    {"messages": [base64.b64encode(m).decode() for m in messages]}).encode()
        return 404, "text/plain", f"no PPMID service at {path}".encode()

    def route_command(self, data: bytes) -> bool:
        """Hand a command to the CH over the HAN for it to forward; False if there is no CH to hand it to."""
        hub = self.hub
        if hub is None or not self.powered or self.joined_to is None:
            self.note("command not routed: not on a HAN")
            return False
        def hand_over(frame: bytes) -> None:          # a refusal is the CH's to log: the PPMID is not told
            hub.from_ppmid(self, frame)
        hub.han.transmit(data, hand_over, f"HAN {self} -> CHF (PPMID route)", hub.bands.get(self.eui, BAND_24GHZ),
                         source=self.eui)
        return True

    def routed_back(self, data: bytes) -> None:
        """What the CH sent back over the PPMID route: kept for the User to fetch."""
        self.came_back.append(data)
        self.note(f"PPMID route: {len(data)} bytes back for the User")

    def offer_utrn(self, code: str, fuel: DeviceType) -> None:
        self.offered_utrns.append((code, fuel))
        self.note(f"UTRN for the {fuel.value} on the display: accept?")

    def accept_utrn(self) -> bool:
        """The consumer accepts the UTRN the display shows; False if none is shown or the meter cannot take it."""
        if not self.offered_utrns:
            self.note("no UTRN to accept")
            return False
        code, fuel = self.offered_utrns.pop(0)
        return self.enter_utrn(code, fuel)

    @handles("CS03A2NonCritical", "CS03A2Critical", "CS03CNonCritical", "CS03CCritical")
    def _join_meter(self, fields: dict, apdu: GeneralSigning) -> dict:
        """A meter joined (ESME by method A, GSME by method C): the PPMID keeps the key it now shares with it."""
        outcome = self._join(fields, apdu)
        if outcome.get("Result", "Success") == "Success":
            other = EntityId(fields["OtherDeviceID"])
            self.partner_keys[other] = _key_of(self.hub.members.get(other)) if self.hub else None
        return outcome

    def enter_utrn(self, code: str, fuel: DeviceType = DeviceType.ESME) -> bool:
        """The consumer types a UTRN for one fuel; False if no joined meter of that fuel can take it."""
        hub = self.hub
        meters = [m for m in (hub.members.get(d) for d in self.joined_devices)
                  if isinstance(m, Meter) and m.device_type is fuel] if hub else []
        if hub is None or not self.powered or not meters:
            self.note(f"UTRN not passed on: no {fuel.value} joined to this PPMID")
            return False
        meter = meters[0]
        if self.partner_keys.get(meter.eui) != _key_of(meter):
            self.note(f"UTRN not passed on: {meter.eui}'s key changed since it was joined")
            return False

        def deliver(data: bytes) -> None:         # the meter alerts a refusal itself: its answer goes nowhere
            meter.enter_utrn(data.decode(), "PPMID", self.eui)
        hub.han.transmit(code.encode(), deliver, f"HAN {self} -> {meter} UTRN", hub.bands.get(self.eui, BAND_24GHZ),
                         source=self.eui, destination=meter.eui)
        return True


class InHomeDisplay(HanDevice):
    """Shows what the meters joined to it tell it over the HAN (meters.py): each one's import register from
    its latest Metering report, and the latest supplier message; nothing else reaches its screen."""

    device_type = DeviceType.IHD

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.registers: dict[EntityId, int] = {}
        self.message: str | None = None

    def heard(self, source: EntityId, cluster: int, data: bytes) -> None:
        try:
            frame = zcl.decode_frame(cluster, data)
        except PayloadError as exc:
            self.note(f"frame from {source} not understood: {exc}")
            return
        values = frame.values or {}
        if cluster == METERING_CLUSTER and frame.command == zcl.REPORT_ATTRIBUTES:
            for record in values.get("records", []):
                if record["attribute"] == CURRENT_SUMMATION_DELIVERED:
                    self.registers[source] = int(record["value"])
        elif cluster == MESSAGING_CLUSTER and frame.cluster_specific and frame.command == 0x00:
            self.message = bytes(values["message"]).decode("utf-8", errors="replace")

    def display(self) -> list[str]:
        """The screen, as a person reads it (console DISPLAY): a line per meter heard, then the message."""
        shown = [f"IMPORT {meter.hex().upper()} {value}" for meter, value in self.registers.items()]
        return shown + ([f"MESSAGE {self.message}"] if self.message else [])
