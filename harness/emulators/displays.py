"""In-home devices: the PPMID (prepayment interface) and the IHD (in-home display).

An IHD holds no certificates and takes no GBCS commands; it only joins the HAN and pairs with meters.
A PPMID holds supplier and DCC trust anchors, is joined to meters with 8.7.x, and is where a consumer
can type a UTRN: it passes it over the HAN to the meter it is joined with for that fuel, which checks it
and tells its supplier (0x810E). A PPMID keeps the key of each meter it joins; after the meter is
rekeyed it can no longer talk to it until it is joined again (DIT: "PPMID re-join after device rekey").
"""

from __future__ import annotations

from harness.catalogue import DeviceType
from harness.emulators.device import GeneralSigning, handles
from harness.emulators.firmware import FirmwareHost
from harness.emulators.han import BAND_24GHZ
from harness.emulators.han_device import HanDevice, PairedDevice
from harness.emulators.meters import CURRENT_SUMMATION_DELIVERED, MESSAGING_CLUSTER, METERING_CLUSTER, Meter
from harness.eui import EntityId
from harness.gbcs import zcl
from harness.gbcs.axdr import PayloadError


def _key_of(device) -> bytes | None:
    keys = getattr(device, "keys", None)
    return None if keys is None else keys.key_agreement.public_key().public_numbers().x.to_bytes(32, "big")


class PrepaymentInterfaceDevice(FirmwareHost, PairedDevice):
    device_type = DeviceType.PPMID
    image_type = 0x0401

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.partner_keys: dict[EntityId, bytes | None] = {}

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
