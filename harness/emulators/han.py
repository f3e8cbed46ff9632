"""The home area network of one Communications Hub, as far as timing and reachability go.

A frame between the CH and a device takes its 2.4 GHz O-QPSK airtime (250 kb/s) per fragment plus a
per-fragment overhead for CSMA backoff and the acknowledgement; long GBCS messages are fragmented.
A GSME sleeps: the CHF holds what is addressed to it until it polls. (The HAN radio model with
channels, sub-GHz and captures comes later and replaces these figures; the interface stays.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from harness.clock import VirtualClock

BIT_RATE_24GHZ = 250_000          # IEEE 802.15.4 O-QPSK
BIT_RATE_SUB_GHZ = 100_000        # ZigBee sub-GHz (868 MHz region) GFSK
SUB_GHZ, BAND_24GHZ = "sub-GHz", "2.4 GHz"
FRAGMENT_PAYLOAD = 82             # bytes of APS payload per fragment after ZigBee headers
FRAGMENT_OVERHEAD_S = 0.004       # CSMA backoff, turnaround, ACK
PHY_OVERHEAD_BYTES = 33           # preamble, SFD, PHR, MAC/NWK/APS headers, FCS


@dataclass(frozen=True)
class HanTiming:
    bit_rate: int = BIT_RATE_24GHZ
    gsme_poll_interval_s: float = 30.0

    def airtime(self, size: int) -> float:
        fragments = max(1, -(-size // FRAGMENT_PAYLOAD))
        on_air = (size + fragments * PHY_OVERHEAD_BYTES) * 8 / self.bit_rate
        return on_air + fragments * FRAGMENT_OVERHEAD_S


class HanNetwork:
    def __init__(self, clock: VirtualClock, timing: HanTiming | None = None):
        self.clock = clock
        self.timing = timing or HanTiming()
        self.sub_ghz = dataclasses.replace(self.timing, bit_rate=BIT_RATE_SUB_GHZ)
        self.frames_sent = 0
        self.bytes_sent = 0

    def transmit(self, data: bytes, deliver: Callable[[bytes], None], label: str = "HAN frame",
                 band: str = BAND_24GHZ) -> None:
        self.frames_sent += 1
        self.bytes_sent += len(data)
        timing = self.sub_ghz if band == SUB_GHZ else self.timing
        self.clock.call_later(timing.airtime(len(data)), lambda: deliver(data), label)
