"""The SM WAN between the DSP and the Communications Hubs (the CSPs' networks): latency, and outages.

An outage (intermittent WAN, SECMP0038) cuts one CH off on the virtual clock. What the CH sends meanwhile is
lost (its modem has no network; the hub falls back as it does without WAN). What the DSP sends to it is held by
the CSP for at most OUTAGE_HOLD_S and delivered if the WAN returns in time, else dropped. The DSP is not told:
its E21 timer runs as for any command, so a User whose command outlived the outage gets E21 "no response received
from Device" (DUIS ResponseCode, ../shared/reference/dcc_interface.md, "Meanings"). E20 "unable to communicate
with Device" would need the DSP to know of the outage when the request arrives, which a CSP does not tell it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from harness.clock import VirtualClock
from harness.eui import EntityId


class Hub(Protocol):
    """What the WAN needs of a Communications Hub (harness.emulators.CommunicationsHub)."""

    wan_uplink: Callable[[bytes], None] | None

    def from_wan(self, data: bytes) -> None: ...

    def receive_firmware(self, image: bytes, devices: list, reference: str) -> None: ...

    def upgrade(self, chts_version: str = "CHTS v1.1", firmware_version: str | None = None) -> None: ...


WAN_LATENCY_S = 1.5          # one way, DSP <-> CH; the SEC's target response times are not modelled
WAN_FIRMWARE_BYTES_PER_S = 2_000    # an image crosses the SM WAN slowly: 750 KB in about six minutes
CH_UPGRADE_S = 20 * 60              # the CSP's CH upgrade: its image over the SM WAN, then the restart
OUTAGE_HOLD_S = 300.0        # the DSP's E21 timeout for a non-sleepy device: held longer, nobody awaits it


@dataclass
class Outage:
    """One CH cut off from the SM WAN: what the CSP holds for it, with when each stops being worth sending."""

    hub: Hub
    held: list[tuple[float, bytes]] = field(default_factory=list)     # (expires, message)
    dropped: int = 0


class SmWan:
    def __init__(self, clock: VirtualClock, to_dsp: Callable[[bytes], None], latency_s: float = WAN_LATENCY_S):
        self.clock = clock
        self._to_dsp = to_dsp
        self.latency_s = latency_s
        self.hubs: dict[EntityId, Hub] = {}
        self.messages = 0
        self.outages: dict[EntityId, Outage] = {}
        self._labels: dict[EntityId, str] = {}

    # -- intermittent WAN ------------------------------------------------------------------------------

    def outage(self, chf: EntityId, *, starts_in_s: float = 0.0, lasts_s: float | None = None) -> None:
        """Schedule an outage of one CH's SM WAN on the clock (now if starts_in_s is 0); lasts_s None: until
        `restore`."""
        def start() -> None:
            hub = self.hubs.get(chf)
            if hub is None or chf in self.outages:
                return
            self.outages[chf] = Outage(hub)
            hub.wan_uplink = None
        if starts_in_s <= 0:
            start()
        else:
            self.clock.call_later(starts_in_s, start, f"SM WAN outage of {chf} starts")
        if lasts_s is not None:
            self.clock.call_later(max(starts_in_s, 0.0) + lasts_s, lambda: self.restore(chf),
                                  f"SM WAN outage of {chf} ends")

    def restore(self, chf: EntityId) -> None:
        """The CH's SM WAN is back: the CSP sends on what it still holds."""
        outage = self.outages.pop(chf, None)
        if outage is None:
            return
        if self.hubs.get(chf) is outage.hub:
            outage.hub.wan_uplink = self._up
        now = self.clock.elapsed
        for expires, data in outage.held:
            if expires >= now:
                self.down(chf, data)

    def in_outage(self, chf: EntityId) -> bool:
        return chf in self.outages

    def _label(self, chf: EntityId) -> str:
        label = self._labels.get(chf)
        if label is None:
            label = self._labels[chf] = f"SM WAN DSP -> {chf}"     # made once a CH rather than a message
        return label

    def connect(self, chf: EntityId, hub: Hub) -> None:
        self.hubs[chf] = hub
        hub.wan_uplink = self._up

    def disconnect(self, chf: EntityId) -> None:
        hub = self.hubs.pop(chf, None)
        if hub is not None:
            hub.wan_uplink = None

    def _up(self, data: bytes) -> None:
        self.messages += 1
        self.clock.call_later(self.latency_s, lambda: self._to_dsp(data), "SM WAN CH -> DSP")

    def down(self, chf: EntityId, data: bytes) -> bool:
        hub = self.hubs.get(chf)
        if hub is None:
            return False
        if (outage := self.outages.get(chf)) is not None:
            outage.held.append((self.clock.elapsed + OUTAGE_HOLD_S, data))
            return True
        self.messages += 1
        self.clock.call_later(self.latency_s, lambda: hub.from_wan(data), self._label(chf))
        return True

    def distribute_firmware(self, chf: EntityId, image: bytes, devices: list[EntityId], reference: str) -> bool:
        """An 11.1 image on its way to a CH, for some of its devices; False if the CH is not reachable."""
        hub = self.hubs.get(chf)
        if hub is None:
            return False
        self.messages += 1
        self.clock.call_later(self.latency_s + len(image) / WAN_FIRMWARE_BYTES_PER_S,
                              lambda: hub.receive_firmware(image, devices, reference), f"SM WAN image -> {chf}")
        return True

    def upgrade_hub(self, chf: EntityId, chts_version: str, firmware_version: str,
                    done: Callable[[bool], None]) -> bool:
        """The CSP upgrades a CH's firmware; `done` hears whether the hub came back on it. False if the CH is not
        reachable."""
        hub = self.hubs.get(chf)
        if hub is None or self.in_outage(chf):
            return False
        self.messages += 1

        def restart() -> None:
            if self.hubs.get(chf) is not hub or self.in_outage(chf):       # cut off from the SM WAN meanwhile
                done(False)
                return
            hub.upgrade(chts_version, firmware_version)
            done(True)
        self.clock.call_later(CH_UPGRADE_S, restart, f"SM WAN CH upgrade {chf} to {firmware_version}")
        return True
