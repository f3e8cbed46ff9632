"""The SM WAN between the DSP and the Communications Hubs (the CSPs' networks), as latency only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from harness.clock import VirtualClock
from harness.eui import EntityId


class Hub(Protocol):
    """What the WAN needs of a Communications Hub (harness.emulators.CommunicationsHub)."""

    wan_uplink: Callable[[bytes], None] | None

    def from_wan(self, data: bytes) -> None: ...

    def receive_firmware(self, image: bytes, devices: list, reference: str) -> None: ...


WAN_LATENCY_S = 1.5          # one way, DSP <-> CH; the SEC's target response times are not modelled
WAN_FIRMWARE_BYTES_PER_S = 2_000    # an image crosses the SM WAN slowly: 750 KB in about six minutes


class SmWan:
    def __init__(self, clock: VirtualClock, to_dsp: Callable[[bytes], None], latency_s: float = WAN_LATENCY_S):
        self.clock = clock
        self._to_dsp = to_dsp
        self.latency_s = latency_s
        self.hubs: dict[EntityId, Hub] = {}
        self.messages = 0

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
        self.messages += 1
        self.clock.call_later(self.latency_s, lambda: hub.from_wan(data), f"SM WAN DSP -> {chf}")
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
