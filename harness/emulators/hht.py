"""The hand-held terminal an installer uses for Local Command Delivery where there is no SM WAN.

It carries commands the DCC returned for local delivery (CV 2, 3, 6, 7) to a Communications Hub over
Inter-PAN, and brings back whatever the CH would have sent up the SM WAN meanwhile (responses, and
alerts such as the CHF's 0x8F12 and the GPF's 0x8071) so the service user can return them with 8.13.
"""

from __future__ import annotations

from harness.catalogue import DeviceType
from harness.clock import VirtualClock
from harness.eui import EntityId
from harness.gbcs import model_payload
from harness.gbcs.frame import CraFlag, GbcsMessage, MalformedMessage


class HandHeldTerminal:
    device_type = DeviceType.HHT

    def __init__(self, eui: EntityId, *, install_code: bytes, clock: VirtualClock):
        self.eui = eui
        self.install_code = install_code
        self.clock = clock
        self.collected: list[bytes] = []
        self.history: list[str] = []
        self.hub = None

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
        try:
            sent = GbcsMessage.decode(command).apdu
        except MalformedMessage:
            return None
        for data in reversed(self.collected):
            apdu = _apdu(data)
            if apdu is not None and apdu.cra_flag is CraFlag.RESPONSE and \
                    apdu.originator_counter == sent.originator_counter and apdu.originator == sent.recipient:
                return data
        return None

    def alert(self, code: int) -> bytes | None:
        """The latest alert with this code the terminal brought back (0x8F12: the CHF's newest log backup)."""
        for data in reversed(self.collected):
            apdu = _apdu(data)
            if apdu is None or apdu.cra_flag is not CraFlag.ALERT:
                continue
            try:
                fields = model_payload.decode(apdu.payload)
            except MalformedMessage:
                continue
            if str(fields.get("AlertCode", "")).upper() == f"{code:04X}":
                return data
        return None


def _apdu(data: bytes):
    try:
        return GbcsMessage.decode(data).apdu
    except MalformedMessage:
        return None
