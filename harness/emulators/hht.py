"""The hand-held terminal an installer uses for Local Command Delivery where there is no SM WAN.

It carries commands the DCC returned for local delivery (CV 2, 3, 6, 7) to a Communications Hub over
Inter-PAN, and brings back whatever the CH would have sent up the SM WAN meanwhile (responses, and
alerts such as the CHF's 0x8F12 and the GPF's 0x8071) so the service user can return them with 8.13.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.catalogue import DeviceType
from harness.clock import VirtualClock
from harness.eui import EntityId
from harness.gbcs import local_delivery

if TYPE_CHECKING:
    from harness.emulators.hub import CommunicationsHub


class HandHeldTerminal:
    device_type = DeviceType.HHT

    def __init__(self, eui: EntityId, *, install_code: bytes | None, clock: VirtualClock):
        self.eui = eui
        self.install_code = install_code
        self.clock = clock
        self.collected: list[bytes] = []
        self.history: list[str] = []
        self.hub: CommunicationsHub | None = None

    def __repr__(self) -> str:
        return f"HandHeldTerminal({self.eui})"

    def deliver(self, command: bytes) -> bool:
        """Hand a command to the CH over Inter-PAN; False if the CH would not take it."""
        if self.hub is None:
            return False
        accepted = self.hub.inter_pan(self, command)
        self.history.append(f"{self.clock.now():%H:%M:%S} delivered a command: {'taken' if accepted else 'refused'}")
        return accepted

    def close_tunnel(self) -> None:
        if self.hub is not None:
            self.hub.close_tunnel(self)

    def collect(self, data: bytes) -> None:
        self.collected.append(data)

    def response_to(self, command: bytes) -> bytes | None:
        """The response the terminal brought back for a command it delivered."""
        return local_delivery.response_to(self.collected, command)

    def alert(self, code: int) -> bytes | None:
        """The latest alert with this code the terminal brought back (0x8F12: the CHF's newest log backup)."""
        return local_delivery.alert(self.collected, code)
