"""The HAN radio model of one Communications Hub: every message between the CH and a device travels as
IEEE 802.15.4 / ZigBee frames, timed from the PHY, and a sniffer's capture of them is kept (harness.han).

- PHYs: 2.4 GHz O-QPSK at 250 kb/s (channel page 0, channels 11-26); sub-GHz (868 MHz, GB dual band) FSK at
  100 kb/s on channel page 28-31. Airtime = (synchronisation header + PHY header + MPDU) x 8 / bit rate.
- Channel access: unslotted CSMA-CA at 2.4 GHz (802.15.4 defaults: macMinBE 3, macMaxBE 5, 4 backoffs, unit
  backoff 20 symbols, CCA 8 symbols); listen before talk on sub-GHz (ETSI EN 300 220: listen 5 ms plus a
  random 0-5 ms when the channel is busy). Backoffs come from a seeded generator: runs repeat exactly.
- Each MAC data frame asks for an acknowledgement, sent after the turnaround time; a message longer than
  one frame's APS payload is fragmented (APS extended header, block numbers) and answered by an APS ACK.
- A sleepy GSME polls its parent with a MAC Data Request; the CH's ACK has frame pending set when it holds
  something for it, which follows at once.
- Addresses: the CH is the coordinator (short address 0x0000); a device's short address comes from its
  EUI; the NWK header carries the sender's IEEE address, so a capture names devices by EUI.

Model simplifications, said here so no one mistakes them for measurements: NWK and APS security are not
applied (GBCS protects its own payload), so frames are shorter by the auxiliary header and MIC; a GBCS message
rides in the Tunneling cluster's APS payload without the ZCL TransferData header and tunnel ID; the channel is
quiet unless the model's own traffic occupies it or the lab switches on interference on a sub-GHz channel (then
each message's first tries go unacknowledged and the sender reports link problems). Channel access never gives
up and frames never collide: senders take the channel first come, first served, each backing off until it is free
(802.15.4 would report a channel access failure after macMaxCSMABackoffs, 4, and leave retrying to NWK/APS), so a
crowd -- 11.1's meters answering at once -- queues rather than losing frames.
"""

from __future__ import annotations

import math
import random
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import overload

from harness.clock import VirtualClock
from harness.eui import EntityId
from harness.han import mac
from harness.han.capture import CapturedFrame, Record
from harness.han.duty_cycle import WINDOW_S, Thresholds, Transmitter

SUB_GHZ, BAND_24GHZ = "sub-GHz", "2.4 GHz"
FRAGMENT_PAYLOAD = 82             # bytes of APS payload per frame (what the stack allows with security on)
SE_PROFILE, TUNNELING_CLUSTER, SUB_GHZ_CLUSTER = 0x0109, 0x0704, 0x070B
DATA_REQUEST = 0x04               # MAC command a sleepy device polls with


@dataclass(frozen=True)
class Phy:
    band: str
    page: int
    bit_rate: int
    symbol_s: float
    header_bytes: int             # synchronisation header (preamble, SFD) and PHY header
    turnaround_s: float           # receive to transmit: when an ACK starts after the frame it acknowledges

    def airtime(self, mpdu_bytes: int) -> float:
        """On air for an MPDU of this many bytes, FCS included."""
        return (self.header_bytes + mpdu_bytes) * 8 / self.bit_rate


O_QPSK_2400 = Phy(BAND_24GHZ, 0, 250_000, 16e-6, 6, 12 * 16e-6)       # SHR 5 + PHR 1; aTurnaroundTime 12 symbols
# 802.15.4g SUN FSK with its shortest preamble (4 octets), 2-octet SFD and 2-octet PHR; 1 ms turnaround.
FSK_868 = Phy(SUB_GHZ, 28, 100_000, 10e-6, 8, 1e-3)
UNIT_BACKOFF_SYMBOLS, CCA_SYMBOLS, MIN_BE = 20, 8, 3
MAX_BE = 5                          # macMaxBE: from here the backoffs are alike, 0-31 units
_LONGEST_BACKOFF = (2 ** MAX_BE - 1) * UNIT_BACKOFF_SYMBOLS + CCA_SYMBOLS          # symbols
_MEAN_BACKOFF = (2 ** MAX_BE - 1) / 2 * UNIT_BACKOFF_SYMBOLS + CCA_SYMBOLS
_SD_BACKOFF = math.sqrt((4 ** MAX_BE - 1) / 12) * UNIT_BACKOFF_SYMBOLS
CROWDED_BACKOFFS = 8                # a channel busy for this many backoffs and more is crowded
MAX_FRAME_RETRIES, ACK_WAIT_SYMBOLS = 3, 54
LBT_LISTEN_S, LBT_RANDOM_S = 5e-3, 5e-3


@dataclass(frozen=True)
class HanTiming:
    gsme_poll_interval_s: float = 30.0


class FrameLog(Sequence[CapturedFrame]):
    """What a sniffer on the HAN captured, packed: the frames' times, channels, pages and MPDUs in flat arrays
    (about 80 bytes a frame rather than 250 as CapturedFrame objects: an 11.1 to 50,000 meters puts 300,000
    frames on air). The model's sniffer hears every frame well: FCS good, one RSSI and LQI."""

    RSSI, LQI = -52.0, 255

    def __init__(self) -> None:
        self._times = array("d")
        self._channels = array("B")
        self._pages = array("B")
        self._ends = array("L")
        self._mpdus = bytearray()

    def append(self, time: float, mpdu: bytes, channel: int, page: int) -> None:
        self._times.append(time)
        self._channels.append(channel)
        self._pages.append(page)
        self._mpdus += mpdu
        self._ends.append(len(self._mpdus))

    def __len__(self) -> int:
        return len(self._times)

    def _frame(self, i: int) -> CapturedFrame:
        start = self._ends[i - 1] if i else 0
        return CapturedFrame(self._times[i], bytes(self._mpdus[start:self._ends[i]]), self._channels[i],
                             self._pages[i], True, self.RSSI, self.LQI)

    @overload
    def __getitem__(self, index: int) -> CapturedFrame: ...

    @overload
    def __getitem__(self, index: slice) -> list[CapturedFrame]: ...

    def __getitem__(self, index: int | slice) -> CapturedFrame | list[CapturedFrame]:
        if isinstance(index, slice):
            return [self._frame(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("frame index out of range")
        return self._frame(index)

    def __iter__(self) -> Iterator[CapturedFrame]:
        # a snapshot: frames sent while the caller iterates are not part of it
        count, mpdus, start, rssi, lqi = len(self), bytes(self._mpdus), 0, self.RSSI, self.LQI
        for time, channel, page, end in zip(self._times[:count], self._channels[:count], self._pages[:count],
                                            self._ends[:count]):
            yield CapturedFrame(time, mpdus[start:end], channel, page, True, rssi, lqi)
            start = end

    def records(self) -> Iterator[Record]:
        """The frames as capture.Record (time, mpdu, channel, page), without a CapturedFrame each; a snapshot too."""
        count, mpdus, start = len(self), bytes(self._mpdus), 0
        for time, channel, page, end in zip(self._times[:count], self._channels[:count], self._pages[:count],
                                            self._ends[:count]):
            yield time, mpdus[start:end], channel, page
            start = end

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]      # mutable, like the list it stands for


class HanNetwork:
    def __init__(self, clock: VirtualClock, timing: HanTiming | None = None, *, hub: EntityId | None = None,
                 sub_ghz_channel: int = 0, seed: int = 1):
        self.clock = clock
        self.timing = timing or HanTiming()
        hub_bits = int.from_bytes(hub[-2:], "big") if hub else 0x1A2B
        self.pan_id = hub_bits or 0x1A2B
        self.channels = {BAND_24GHZ: 11 + hub_bits % 16, SUB_GHZ: sub_ghz_channel}
        self.frames = FrameLog()
        self._random = random.Random(seed)
        self._free_at = {BAND_24GHZ: 0.0, SUB_GHZ: 0.0}         # epoch seconds the channel is busy until
        self._sequence: dict[int, int] = {}
        self._data_requests: dict[int, bytes] = {}          # poll's MAC Data Request per device, with sequence 0
        self._addressing: dict[tuple[int, int], tuple[bytes, bytes, bytes]] = {}     # _data_frame's, per node pair
        self._hub = hub
        # Sub-GHz duty cycle per transmitter (short address) on a rolling hour; the hub is told of its own changes.
        self.duty: dict[int, Transmitter] = {}
        self.interference: set[int] = set()       # sub-GHz channels a noise source occupies (the lab turns it on)
        # Unicasts failing on a noisy channel: the device (None: the CH itself) whose tries went unacknowledged.
        self.on_link_problems: Callable[[EntityId | None], None] | None = None
        self.thresholds = Thresholds()
        self.on_duty_cycle: Callable[[str, str, float], None] | None = None

    def phy(self, band: str) -> Phy:
        return FSK_868 if band == SUB_GHZ else O_QPSK_2400

    def short_address(self, eui: EntityId | None) -> int:
        """The coordinator is 0x0000; a device's short address is fixed by its EUI (never 0 or broadcast)."""
        if eui is None or eui == self._hub:
            return 0x0000
        return (int.from_bytes(eui[-2:], "big") % 0xFFF0) + 1

    # -- frames on air ---------------------------------------------------------------------------------

    def _next_sequence(self, node: int) -> int:
        last = self._sequence.get(node)
        if last is None:                                  # a node's first frame: a random start, drawn once
            last = self._random.randrange(256)
        self._sequence[node] = sequence = (last + 1) % 256
        return sequence

    def _channel_access(self, phy: Phy, at: float) -> float:
        """When a frame may start, sensing from `at`: CSMA-CA backoffs at 2.4 GHz, listen before talk on sub-GHz."""
        if phy.band == SUB_GHZ:
            start = at + LBT_LISTEN_S
            while start < self._free_at[phy.band]:
                start = self._free_at[phy.band] + LBT_LISTEN_S + self._random.uniform(0, LBT_RANDOM_S)
            return start
        exponent, start = MIN_BE, at
        while True:
            busy = self._free_at[phy.band] - start
            crowd = self._crowd(busy, phy.symbol_s) if exponent == MAX_BE else 0
            if crowd:
                start += min(self._backoffs(crowd, phy.symbol_s), busy)     # sensed busy all along
                continue
            start += (self._random.getrandbits(exponent) * UNIT_BACKOFF_SYMBOLS + CCA_SYMBOLS) * phy.symbol_s
            if start >= self._free_at[phy.band]:
                return start
            exponent = min(exponent + 1, MAX_BE)

    @staticmethod
    def _crowd(busy_s: float, symbol_s: float) -> int:
        """How many backoffs all but surely (4 standard deviations) end before a busy channel is free: 0 for
        fewer than CROWDED_BACKOFFS."""
        busy = busy_s / symbol_s
        k = int((busy - 4 * _SD_BACKOFF * math.sqrt(max(busy, 0.0) / _MEAN_BACKOFF)) / _MEAN_BACKOFF)
        return k if k >= CROWDED_BACKOFFS else 0

    def _backoffs(self, k: int, symbol_s: float) -> float:
        """A channel busy for many backoffs (a crowd of devices answering at once, as 11.1's 50,000 meters do):
        k backoffs drawn as their sum (normal, by the central limit theorem) instead of one by one, which made
        a crowd of n frames cost n^2 draws."""
        drawn = self._random.gauss(k * _MEAN_BACKOFF, math.sqrt(k) * _SD_BACKOFF)
        return min(max(drawn, k * CCA_SYMBOLS), k * _LONGEST_BACKOFF) * symbol_s

    def _on_air(self, phy: Phy, start: float, mpdu: bytes, src: int, dst: int, sequence: int, ack_request: bool,
                frame_pending_ack: bool | None) -> float:
        """A frame and, when it asks for one, its MAC ACK (sent by the addressee); when the channel is free again.
        The caller passes the addresses, sequence number and ACK request it encoded rather than have them decoded
        back from the MPDU."""
        end = self._frame(phy, start, mpdu, src)
        if ack_request:
            end = self._frame(phy, end + phy.turnaround_s, _ack(sequence, bool(frame_pending_ack)), dst)
        if end > self._free_at[phy.band]:
            self._free_at[phy.band] = end
        return end

    def _frame(self, phy: Phy, start: float, mpdu: bytes, sender: int | None) -> float:
        self.frames.append(start, mpdu, self.channels[phy.band], phy.page)
        seconds = phy.airtime(len(mpdu) + 2)
        if phy.band == SUB_GHZ and sender is not None:      # ETSI duty cycle: the 868 MHz band's concern
            before, after, percent = self.duty.setdefault(sender, Transmitter()).add(start + seconds, seconds,
                                                                                    self.thresholds)
            if sender == 0x0000 and after != before and self.on_duty_cycle is not None:
                changed = self.on_duty_cycle
                self.clock.call_later(0, lambda: changed(before, after, percent), "CH duty cycle state")
        return start + seconds

    def duty_cycle(self, eui: EntityId | None) -> float:
        """A transmitter's sub-GHz airtime in the last hour, in percent (None: the CH)."""
        sender, now = self.duty.get(self.short_address(eui)), self.clock.now().timestamp()
        held = sum(seconds for end, seconds in sender.held if end > now - WINDOW_S) if sender else 0.0
        return held / WINDOW_S * 100

    def _data_frame(self, src: EntityId | None, dst: EntityId | None, aps: bytes) -> tuple[bytes, int, int, int]:
        """A MAC data frame asking for an ACK, and its source and destination short addresses and sequence number.
        Between two nodes only the sequence numbers and payload change: the frame is the addressing mac.encode
        and _nwk_header made for the pair once, with them put in."""
        source, destination = self.short_address(src), self.short_address(dst)
        pair = self._addressing.get((source, destination))
        if pair is None:
            if len(self._addressing) >= _ADDRESSING_HELD:       # an 11.1 crowd: 50,000 meters, two pairs each
                self._addressing.clear()
            mpdu = mac.encode(mac.DATA, 0, dst_pan=self.pan_id, dst=destination, src=source, ack_request=True)
            nwk = _nwk_header(destination, source, 0, src or self._hub)
            pair = self._addressing[(source, destination)] = (mpdu[:2], mpdu[3:] + nwk[:7], nwk[8:])
        control, addresses, source_ieee = pair
        nwk_sequence = self._next_sequence(0x10000 | source)       # drawn in this order: the first draws are random
        sequence = self._next_sequence(source)
        mpdu = control + _BYTE[sequence] + addresses + _BYTE[nwk_sequence] + source_ieee + aps
        return mpdu, source, destination, sequence

    def _noisy(self, band: str) -> bool:
        return band == SUB_GHZ and self.channels[SUB_GHZ] in self.interference

    def _send(self, src: EntityId | None, dst: EntityId | None, data: bytes, band: str, cluster: int) -> float:
        """The frames of one APS message (fragmented when long) and its APS ACK; when it was delivered."""
        phy, at = self.phy(band), self.clock.now().timestamp()
        if self._noisy(band):
            at = self._lost_attempts(phy, src, dst, at)
        counter = self._next_sequence(0x20000 | self.short_address(src))
        blocks = [data[i:i + FRAGMENT_PAYLOAD] for i in range(0, len(data), FRAGMENT_PAYLOAD)] or [b""]
        for number, block in enumerate(blocks):
            aps = _aps_data(cluster, counter, number, len(blocks)) + block
            at = self._on_air(phy, self._channel_access(phy, at), *self._data_frame(src, dst, aps), True, False)
        delivered = at
        self._on_air(phy, self._channel_access(phy, at), *self._data_frame(dst, src, _aps_ack(cluster, counter,
                                                                                             len(blocks))), True, False)
        return delivered

    def _lost_attempts(self, phy: Phy, src: EntityId | None, dst: EntityId | None, at: float) -> float:
        """On a channel with interference the first tries go unacknowledged (macMaxFrameRetries is 3): each is on
        air, then the sender waits macAckWaitDuration before trying again. A device whose unicasts fail tells the
        network manager (the CH) with Mgmt_NWK_Unsolicited_Enhanced_Update_notify."""
        for _ in range(MAX_FRAME_RETRIES):
            mpdu, source, _, _ = self._data_frame(src, dst, b"")
            start = self._channel_access(phy, at)
            at = self._frame(phy, start, mpdu, source) + ACK_WAIT_SYMBOLS * phy.symbol_s
            self._free_at[phy.band] = max(self._free_at[phy.band], at)
        if self.on_link_problems is not None:
            reporter, sender = self.on_link_problems, None if src == self._hub else src
            self.clock.call_later(0, lambda: reporter(sender), "link problems")
        return at

    def notify_link_problems(self, device: EntityId, failures: int) -> None:
        """The device's Mgmt_NWK_Unsolicited_Enhanced_Update_notify (ZDO 0x803B) to the CH on its channel."""
        mask = (self.phy(SUB_GHZ).page << 27) | (1 << self.channels[SUB_GHZ])
        payload = bytes([self._next_sequence(0x30000), 0]) + mask.to_bytes(4, "little") + \
            (failures + 1).to_bytes(2, "little") + failures.to_bytes(2, "little") + failures.to_bytes(2, "little") + \
            bytes([1])
        self._zdo(device, 0x0000, 0x803B, payload)

    def change_channel(self, channel: int, update_id: int) -> None:
        """The CH, as network manager, moves the sub-GHz HAN: Mgmt_NWK_Update_req (ZDO 0x0038) broadcast with
        scan duration 0xFE and the new channel in the mask; from then on the band's frames are on it."""
        mask = (self.phy(SUB_GHZ).page << 27) | (1 << channel)
        payload = bytes([self._next_sequence(0x30000)]) + mask.to_bytes(4, "little") + bytes([0xFE, update_id % 256])
        self._zdo(None, mac.BROADCAST, 0x0038, payload)
        self.channels[SUB_GHZ] = channel

    def _zdo(self, src: EntityId | None, destination: int, cluster: int, payload: bytes) -> None:
        phy, at = self.phy(SUB_GHZ), self.clock.now().timestamp()
        source = self.short_address(src)
        aps = bytes([0x00, 0]) + cluster.to_bytes(2, "little") + bytes([0, 0, 0, self._next_sequence(0x20000 | source)])
        nwk = _nwk_header(destination, source, self._next_sequence(0x10000 | source), src or self._hub)
        sequence, ack_request = self._next_sequence(source), destination != mac.BROADCAST
        mpdu = mac.encode(mac.DATA, sequence, dst_pan=self.pan_id, dst=destination, src=source,
                          ack_request=ack_request, payload=nwk + aps + payload)
        self._on_air(phy, self._channel_access(phy, at), mpdu, source, destination, sequence, ack_request, False)

    # -- what the CH and devices use -------------------------------------------------------------------------

    def transmit(self, data: bytes, deliver: Callable[[bytes], None], label: str = "HAN frame",
                 band: str = BAND_24GHZ, *, source: EntityId | None = None, destination: EntityId | None = None,
                 cluster: int = TUNNELING_CLUSTER) -> None:
        """Send `data` from source to destination (None: the CH) on a band; `deliver` runs when it arrives."""
        delivered = self._send(source, destination, data, band, cluster)
        self.clock.call_later(max(0.0, delivered - self.clock.now().timestamp()), lambda: deliver(data), label)

    def poll(self, device: EntityId, band: str, pending: bool) -> None:
        """A sleepy device asks its parent for data; the ACK says whether the parent holds any."""
        self._polls(device, band, pending, [self.clock.now().timestamp()])

    def idle_polls(self, device: EntityId, band: str, stamps: list[float]) -> None:
        """Polls at these timestamps, each finding nothing held."""
        if stamps:
            self._polls(device, band, False, stamps)

    def _polls(self, device: EntityId, band: str, pending: bool, stamps: list[float]) -> None:
        phy, source = self.phy(band), self.short_address(device)
        request = self._data_requests.get(source)
        if request is None:
            request = self._data_requests[source] = mac.encode(
                mac.COMMAND, 0, dst_pan=self.pan_id, dst=0x0000, src=source, ack_request=True,
                payload=bytes([DATA_REQUEST]))
        control, rest = request[:2], request[3:]          # mac.encode's, made once a device: the sequence put in
        for at in stamps:
            sequence = self._next_sequence(source)
            self._on_air(phy, self._channel_access(phy, at), control + _BYTE[sequence] + rest, source, 0x0000, sequence,
                         True, pending)


_BYTE = [bytes([n]) for n in range(256)]
_ADDRESSING_HELD = 1024
_ACKS: list[bytes | None] = [None] * 512


def _ack(sequence: int, frame_pending: bool) -> bytes:
    """A MAC ACK: mac.encode's, made once for each sequence number and frame pending bit."""
    key = sequence << 1 | frame_pending
    ack = _ACKS[key]
    if ack is None:
        ack = _ACKS[key] = mac.encode(mac.ACK, sequence, frame_pending=frame_pending)
    return ack


def _nwk_header(destination: int, source: int, sequence: int, source_eui: EntityId | None) -> bytes:
    """ZigBee PRO NWK data frame header: protocol version 2, source IEEE address present."""
    control = (2 << 2) | (1 << 12)
    return (control.to_bytes(2, "little") + destination.to_bytes(2, "little") + source.to_bytes(2, "little")
            + bytes([30, sequence]) + bytes(reversed(source_eui or bytes(8))))


def _aps_header(control: int, cluster: int, counter: int) -> bytes:
    """APS frame control, endpoints 1 -> 1, cluster, the Smart Energy profile, APS counter."""
    return _aps_prefix(control, cluster) + _BYTE[counter]


@lru_cache(maxsize=64)            # a few kinds of frame on a few clusters: made once each, not once a frame
def _aps_prefix(control: int, cluster: int) -> bytes:
    return bytes([control, 1]) + cluster.to_bytes(2, "little") + SE_PROFILE.to_bytes(2, "little") + bytes([1])


def _aps_data(cluster: int, counter: int, block: int, blocks: int) -> bytes:
    """APS data frame, unicast, ACK requested; fragments carry the extended header (first: the block count)."""
    header = _aps_header(0x40 | (0x80 if blocks > 1 else 0), cluster, counter)
    if blocks > 1:
        header += bytes([0x01, blocks]) if block == 0 else bytes([0x02, block])
    return header


def _aps_ack(cluster: int, counter: int, blocks: int) -> bytes:
    header = _aps_header(0x02 | (0x80 if blocks > 1 else 0), cluster, counter)
    if blocks > 1:       # acknowledges every block of the window
        header += bytes([0x02, 0, (1 << min(blocks, 8)) - 1])
    return header
