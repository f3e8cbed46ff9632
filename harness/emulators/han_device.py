"""A device that lives on a HAN: it joins a Communications Hub's SMHAN before anything reaches it, and a
device other HAN devices are joined to (8.7.x) and unjoined from (8.8.x).

Only a device in the CHF's device log, inside its join period, presenting the link key derived from its
whitelisted install code, can join (harness.emulators.chf); a powered device keeps trying for two hours.
Its first join raises 0x8F69; a join to another CH's SMHAN (after a CH replacement) raises 0x8183.
A device IHDs are joined to tells them what they show over the HAN, in ZCL (harness.emulators.displays).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.catalogue import DeviceType
from harness.emulators import zigbee
from harness.emulators.device import EmulatedDevice, handles
from harness.emulators.han import BAND_24GHZ
from harness.errors import DitError
from harness.eui import EntityId
from harness.gbcs import zcl
from harness.gbcs.frame import GeneralSigning
from harness.usecases import device_log, joins

if TYPE_CHECKING:
    from harness.emulators.hub import CommunicationsHub

JOIN_RETRY_S = 60.0
JOIN_ATTEMPTS = 120                       # a powered device keeps trying for two hours
ALERT_HAN_LOG = 0x8F69          # first join (the DIT I&C packs: "Device Alert HAN Log")
ALERT_JOINED_SMHAN = 0x8183     # joining another CH's SMHAN, as after a CH replacement


class HanDevice(EmulatedDevice):
    """A device that lives on a HAN: it must join a CHF before anything reaches it."""

    sleepy = False
    bands: frozenset[str] = frozenset({BAND_24GHZ})       # from its device profile
    zigbee_version = "1.4"

    def __init__(self, eui: EntityId, *, install_code: bytes | None, **kwargs):
        super().__init__(eui, **kwargs)
        self.install_code = install_code
        self.hub: CommunicationsHub | None = None
        self.joined_to: EntityId | None = None
        self.joined_before: set[EntityId] = set()
        self._join_attempts = 0
        self.powered = False

    def power_on(self) -> None:
        self.powered = True
        self._join_attempts = 0
        self.note("powered on")
        self._try_join()

    def power_off(self) -> None:
        self.powered = False
        self.note("powered off")

    def move_to(self, hub: CommunicationsHub) -> None:
        """Its CH was replaced: it looks for the new one's SMHAN."""
        self.hub, self.joined_to, self._join_attempts = hub, None, 0
        self.clock.call_later(JOIN_RETRY_S, self._try_join, f"{self} join retry")

    def _try_join(self) -> None:
        if not self.powered or self.joined_to is not None or self.hub is None:
            return
        self._join_attempts += 1
        if self.install_code is None:           # a lab config may leave it out; joining needs it
            raise DitError(f"{self} has no install code to join its CH's HAN with",
                           fix="give the device its install_code")
        if self.hub.join(self, zigbee.link_key(self.install_code)):
            chf = self.hub.chf.eui
            first = not self.joined_before
            self.joined_to = chf
            self.joined_before.add(chf)
            self.note(f"joined the SMHAN of {chf}")
            # Addressed as every alert: to the Supplier cell's holder, so the ACB while configured as new.
            self.raise_alert(ALERT_HAN_LOG if first else ALERT_JOINED_SMHAN)
        elif self._join_attempts < JOIN_ATTEMPTS:
            self.clock.call_later(JOIN_RETRY_S, self._try_join, f"{self} join retry")
        else:
            self.note("gave up joining")


class PairedDevice(HanDevice):
    """A HAN device that other HAN devices are joined to (8.7.x) and unjoined from (8.8.x)."""

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.joined_devices: dict[EntityId, int | None] = {}        # its Device Log: id -> ASN.1 device type

    @handles(*joins.JOINS)
    def _join(self, fields: dict, apdu: GeneralSigning) -> dict:
        """8.7.x: a device of the right type, by the method its message code says, that is on this HAN (an
        entry already there for another device type is refused); the outcome as the MMC response names it."""
        other, kind = EntityId(fields["OtherDeviceID"]), fields.get("OtherDeviceType")
        refused = joins.join_refusal(fields["UseCase"], self.device_type, fields)
        if refused is None:
            refused = not_on_han(self.hub, other, fields)
        held = self.joined_devices.get(other)
        if refused is None and None not in (held, kind) and held != kind:
            refused = joins.JOIN_RESPONSES["incompatibleWithExistingEntry"]
        if refused is not None:
            self.note(f"join of {other} refused: {joins.join_outcome(refused)['joinResponseCode/ASN1Status']}")
            return joins.join_outcome(refused)
        self.joined_devices[other] = kind
        self.paired(other)
        return joins.join_outcome(joins.JOINED)

    @handles("CS07")
    def _read_join_details(self, fields: dict, apdu: GeneralSigning) -> dict:
        """8.9: its Device Log, each entry with the device type its join gave."""
        return device_log.join_details(self.joined_devices)

    def paired(self, other: EntityId) -> None:
        """What a device starts doing for a device just joined to it (a meter: reporting to an IHD)."""

    def joined_displays(self) -> list[HanDevice]:
        """The IHDs joined to this device that are on its HAN now."""
        members = self.hub.members if self.hub else {}
        return [d for d in (members.get(e) for e in self.joined_devices)
                if d is not None and d.device_type is DeviceType.IHD]

    def tell_displays(self, cluster: int, frame: zcl.Frame, label: str) -> None:
        """A ZCL frame to each joined IHD over the HAN: what the display shows comes only from these."""
        hub = self.hub
        if hub is None or not self.powered:
            return
        data = frame.encode(cluster)
        for display in self.joined_displays():
            def deliver(received: bytes, display=display) -> None:
                display.heard(self.eui, cluster, received)
            hub.han.transmit(data, deliver, f"HAN {self} -> {display} {label}", hub.bands.get(display.eui, BAND_24GHZ),
                             source=self.eui, destination=display.eui, cluster=cluster)

    def heard(self, source: EntityId, cluster: int, data: bytes) -> None:
        """A ZCL frame another HAN device sent this one (an IHD shows it; others ignore it)."""

    @handles(*joins.UNJOINS)
    def _unjoin(self, fields: dict, apdu: GeneralSigning) -> dict:
        other = EntityId(fields["OtherDeviceID"])
        if other not in self.joined_devices:
            return joins.unjoin_outcome(joins.UNJOIN_RESPONSES["notInDeviceLog"])
        del self.joined_devices[other]
        return joins.unjoin_outcome(joins.UNJOINED)


def not_on_han(hub: CommunicationsHub | None, other: EntityId, fields: dict) -> int | None:
    """A join with a device that is not on this HAN gets no link key: method A's key establishment has no one
    to answer (noCBKEResponse), methods B and C get no partner link key from the trust centre (this model's
    reading of the codes: GBCS names them, not when each is given)."""
    entry = hub.chf.device_log.get(other) if hub else None
    if entry is not None and entry.joined:
        return None
    method = fields.get("JoinMethodAndRole")
    if method in (joins.METHOD_A_INITIATOR, joins.METHOD_A_RESPONDER):
        return joins.JOIN_RESPONSES["noCBKEResponse"]
    return joins.JOIN_RESPONSES["noPartnerLinkKeyReceived"]
