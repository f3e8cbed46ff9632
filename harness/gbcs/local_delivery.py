"""What a hand-held terminal brings back from a Communications Hub after Local Command Delivery: the
response to a command it delivered, or an alert the CH raised meanwhile (found among the GBCS messages it
collected, newest first). The emulated terminal and a real one on a serial port share these lookups."""

from __future__ import annotations

from collections.abc import Sequence

from harness.gbcs import payload
from harness.gbcs.frame import CraFlag, GbcsMessage, MalformedMessage


def _apdu(data: bytes):
    try:
        return GbcsMessage.decode(data).apdu
    except MalformedMessage:
        return None


def response_to(collected: Sequence[bytes], command: bytes) -> bytes | None:
    """The response among the collected messages to a delivered command: same counter, from its recipient."""
    sent = _apdu(command)
    if sent is None:
        return None
    for data in reversed(collected):
        apdu = _apdu(data)
        if apdu is not None and apdu.cra_flag is CraFlag.RESPONSE and \
                apdu.originator_counter == sent.originator_counter and apdu.originator == sent.recipient:
            return data
    return None


def alert(collected: Sequence[bytes], code: int) -> bytes | None:
    """The latest collected alert with this code (0x8F12: the CHF's newest device log backup)."""
    for data in reversed(collected):
        apdu = _apdu(data)
        if apdu is None or apdu.cra_flag is not CraFlag.ALERT:
            continue
        if payload.alert_code(apdu) == code:
            return data
    return None


def originator(data: bytes):
    """Who sent a collected message (None if it is not GBCS)."""
    apdu = _apdu(data)
    return None if apdu is None else apdu.originator
