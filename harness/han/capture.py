"""HAN captures: pcap and pcapng files of IEEE 802.15.4 frames, and what live sniffers send (ZEP datagrams, the TI
packet-sniffer stream, NodeTest lines); the sniffers themselves are adapters (harness.adapters.sniffers).

Every source becomes CapturedFrame: the MAC frame without its FCS, when it was seen, and what the source says
about the radio (channel, page, FCS verdict, RSSI, LQI). Link types: 195 (frame + 16-bit FCS), 230 (frame
only), 283 (IEEE 802.15.4 TAP, https://github.com/jkcko/ieee802.15.4-tap: TLVs with FCS type, RSS, channel and
page, LQI; the only one that says the page, so the one we write).
"""

from __future__ import annotations

import mmap
import os
import struct
import time as _time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from harness.errors import DitError
from harness.han.mac import crc16_kermit


@dataclass(frozen=True, slots=True)
class CapturedFrame:
    time: float                 # seconds since the Unix epoch
    mpdu: bytes                 # the MAC frame without its FCS
    channel: int | None         # logical channel; None when the source does not say
    page: int | None            # channel page: 0 = 2.4 GHz, 28-31 sub-GHz; None when unknown
    fcs_ok: bool | None = None  # None when the source carried no FCS verdict
    rssi: float | None = None   # dBm
    lqi: int | None = None


class CaptureError(DitError):
    """A capture that cannot be read: not a capture, an unsupported link type, a truncated record, a lost port."""


LINKTYPE_IEEE802_15_4_WITHFCS, LINKTYPE_IEEE802_15_4_NOFCS, LINKTYPE_IEEE802_15_4_TAP = 195, 230, 283
_LINKTYPES = {LINKTYPE_IEEE802_15_4_WITHFCS: "IEEE802_15_4_WITHFCS", LINKTYPE_IEEE802_15_4_NOFCS: "IEEE802_15_4_NOFCS",
              LINKTYPE_IEEE802_15_4_TAP: "IEEE802_15_4_TAP"}
_SUPPORTED = ", ".join(f"{number} ({name})" for number, name in _LINKTYPES.items())

_PCAP_MAGIC = {b"\xd4\xc3\xb2\xa1": ("<", 1_000_000), b"\xa1\xb2\xc3\xd4": (">", 1_000_000),
               b"\x4d\x3c\xb2\xa1": ("<", 1_000_000_000), b"\xa1\xb2\x3c\x4d": (">", 1_000_000_000)}
_PCAPNG_SHB = b"\x0a\x0d\x0d\x0a"
_SHB, _IDB, _OPB, _SPB, _EPB = 0x0A0D0D0A, 1, 2, 3, 6
_IF_TSRESOL, _IF_TSOFFSET = 9, 14
_SMALLEST_BLOCK = {_IDB: 20, _EPB: 32, _OPB: 32, _SPB: 16}
# A record longer than this is a corrupt length field, not a frame (802.15.4 frames are at most 2047 bytes).
_MAX_RECORD = 1 << 18
_WRITE_PIECES = 1 << 14          # a writer's record pieces joined into one write()
_BODIES_MAX = 1 << 14            # records written from memory, per channel (written_records)

_TAP_FCS_TYPE, _TAP_RSS, _TAP_CHANNEL, _TAP_LQI = 0, 1, 3, 10
_TAP_FCS_LENGTH = {0: 0, 1: 2, 2: 4}
_u16, _u32, _f32 = struct.Struct("<H").unpack_from, struct.Struct("<I").unpack_from, struct.Struct("<f").unpack_from
_tlv = struct.Struct("<HH").unpack_from
# The TAP header write_pcap writes, most captures a reader meets: version 0, its length, then the TLVs FCS type,
# channel and page, RSS, LQI.
_TAP_USUAL_STRUCT = struct.Struct("<BxH" "HHB3x" "HHHBx" "HHf" "HHB3x")
_TAP_USUAL, _TAP_USUAL_SIZE = _TAP_USUAL_STRUCT.unpack_from, _TAP_USUAL_STRUCT.size
_TAP_USUAL_FIXED = (0, _TAP_USUAL_SIZE, _TAP_FCS_TYPE, 1, _TAP_CHANNEL, 3, _TAP_RSS, 4, _TAP_LQI, 1)

_NOT_CAPTURE_FIX = "give a pcap or pcapng file of IEEE 802.15.4 frames; tshark -r FILE -F pcapng -w OUT converts others"


# -- reading --------------------------------------------------------------------------------------------------------

def read(path: str | os.PathLike, *, channel: int | None = None, page: int | None = None) -> Iterator[CapturedFrame]:
    """The frames of a pcap or pcapng capture, in file order. channel/page fill in where the link type does not
    say (195, 230). Raises CaptureError at once for a file that is not a capture or a pcap of another link type,
    and while iterating for a pcapng interface of another link type or a damaged or cut-short record (after the
    complete frames before it)."""
    return _read(path, channel, page, raw=False)


# What the analysis reads of a frame: (time, MAC frame without its FCS, channel, page).
Record = tuple[float, bytes, int | None, int | None]


def records(path: str | os.PathLike, *, channel: int | None = None, page: int | None = None) -> Iterator[Record]:
    """read()'s frames as (time, mpdu, channel, page), the same values and errors, without a CapturedFrame or the
    FCS check (the analysis uses neither): the usual TAP pcap read with one struct per frame, header and TAP
    TLVs together, which is what lets `dit han analyse` keep pace with tshark on a million frames."""
    return _read(path, channel, page, raw=True)


def _read(path: str | os.PathLike, channel: int | None, page: int | None, raw: bool) -> Iterator:
    name = str(path)
    try:
        with open(path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size == 0:
                raise CaptureError("empty file, not a capture", where=name,
                                   fix="the sniffer wrote nothing: check that it ran and had the file open")
            data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as exc:
        raise CaptureError(f"cannot read: {exc.strerror}", where=name) from None
    magic = data[:4]
    if magic == _PCAPNG_SHB:
        return _closing(data, _pcapng(data, name, channel, page, raw))
    if magic in _PCAP_MAGIC:
        if size < 24:
            data.close()
            raise CaptureError(f"pcap file header cut short: {size} of 24 bytes", where=name,
                               fix="the capture was cut off before any frame")
        order = _PCAP_MAGIC[magic][0]
        linktype = struct.unpack_from(order + "I", data, 20)[0] & 0xFFFF
        if linktype not in _LINKTYPES:
            data.close()
            raise _unsupported(linktype, name, "the file's")
        if raw and linktype == LINKTYPE_IEEE802_15_4_TAP and order == "<":
            return _closing(data, _pcap_tap_records(data, name, channel, page))
        return _closing(data, _pcap(data, name, linktype, channel, page, raw))
    data.close()
    hint = " (gzip-compressed: gunzip it first)" if magic[:2] == b"\x1f\x8b" else ""
    raise CaptureError(f"not a pcap or pcapng capture: starts with {magic.hex()}{hint}", where=name,
                       fix=_NOT_CAPTURE_FIX)


def _closing(data: mmap.mmap, frames: Iterator) -> Iterator:
    try:
        yield from frames
    finally:
        data.close()


def _truncated(name: str, offset: int, record: str, need: int, have: int) -> CaptureError:
    return CaptureError(f"{record} is cut short: it needs {need} bytes, the file has {have} left",
                        where=f"{name} byte {offset}",
                        fix="the capture was cut off (sniffer stopped mid-write?); the frames before it were read")


def _unsupported(linktype: int, where: str, whose: str) -> CaptureError:
    return CaptureError(f"{whose} link type {linktype} is not IEEE 802.15.4; supported: {_SUPPORTED}", where=where,
                        fix="give a capture of the HAN taken with an IEEE 802.15.4 sniffer")


# A little-endian pcap record header and the usual TAP header (see _TAP_USUAL) in one struct, for records():
# the constant parts read as integers to compare, RSS and LQI skipped.
_RECORD_TAP = struct.Struct("<IIII" "QB3x" "IHBx" "I4x" "I4x")
_RECORD_TAP_FIXED = struct.unpack("<Q4xI4xI4xI4x", struct.pack("<BxH" "HHB3x" "HHHBx" "HHf" "HHB3x", 0, _TAP_USUAL_SIZE,
                                                               _TAP_FCS_TYPE, 1, 0, _TAP_CHANNEL, 3, 0, 0,
                                                               _TAP_RSS, 4, 0.0, _TAP_LQI, 1, 0))


def _pcap_tap_records(data: mmap.mmap, name: str, channel: int | None, page: int | None) -> Iterator[Record]:
    """records() of a little-endian TAP pcap: a frame with the usual TAP header read with one unpack, any other
    through its frame maker; from a damaged or cut-short record on, _pcap reads (and reports) the rest."""
    ticks = _PCAP_MAGIC[data[:4]][1]
    make = _frame_maker(LINKTYPE_IEEE802_15_4_TAP, channel, page, data, name)
    unpack, step, tap = _RECORD_TAP.unpack_from, _RECORD_TAP.size, _TAP_USUAL_SIZE
    fixed_header, fixed_channel, fixed_rss, fixed_lqi = _RECORD_TAP_FIXED
    scale, size, offset, number, shortest = 1 / ticks, len(data), 24, 0, _TAP_USUAL_SIZE + 2
    while offset + step <= size:
        seconds, fraction, captured, _, header, fcs_type, channel_tlv, frame_channel, frame_page, rss_tlv, lqi_tlv \
            = unpack(data, offset)
        start = offset + 16
        end = start + captured
        if captured > _MAX_RECORD or end > size:
            break
        number += 1
        if (captured >= shortest and header == fixed_header and fcs_type == 1 and channel_tlv == fixed_channel
                and rss_tlv == fixed_rss and lqi_tlv == fixed_lqi):
            yield seconds + fraction * scale, data[start + tap:end - 2], frame_channel, frame_page
        else:
            frame = make(seconds + fraction * scale, start, end, number)
            yield frame.time, frame.mpdu, frame.channel, frame.page
        offset = end
    yield from _pcap(data, name, LINKTYPE_IEEE802_15_4_TAP, channel, page, True, offset, number)


def _pcap(data: mmap.mmap, name: str, linktype: int, channel: int | None, page: int | None, raw: bool,
          offset: int = 24, number: int = 0) -> Iterator:
    order, ticks = _PCAP_MAGIC[data[:4]]
    make = _maker(linktype, channel, page, data, name, raw)
    record = struct.Struct(order + "IIII").unpack_from
    scale, size = 1 / ticks, len(data)
    while offset < size:
        number += 1
        if offset + 16 > size:
            raise _truncated(name, offset, f"frame {number}", 16, size - offset)
        seconds, fraction, captured, _ = record(data, offset)
        start = offset + 16
        if captured > _MAX_RECORD:
            raise CaptureError(f"frame {number} claims {captured} bytes: corrupt record header",
                               where=f"{name} byte {offset}", fix="the file is damaged; the frames before it were read")
        if start + captured > size:
            raise _truncated(name, offset, f"frame {number}", 16 + captured, size - offset)
        yield make(seconds + fraction * scale, start, start + captured, number)
        offset = start + captured


def _pcapng(data: mmap.mmap, name: str, channel: int | None, page: int | None, raw: bool) -> Iterator:
    size, offset, number = len(data), 0, 0
    order = "<"
    interfaces: list[tuple] = []         # (frame maker or None, ticks per second, offset s, snaplen, link type)
    while offset < size:
        if offset + 12 > size:
            raise _truncated(name, offset, f"the block after frame {number}", 12, size - offset)
        if data[offset:offset + 4] == _PCAPNG_SHB:
            bom = data[offset + 8:offset + 12]
            if bom not in (b"\x4d\x3c\x2b\x1a", b"\x1a\x2b\x3c\x4d"):
                raise CaptureError("pcapng section header has no byte-order magic", where=f"{name} byte {offset}",
                                   fix=_NOT_CAPTURE_FIX)
            order = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            interfaces = []                                  # interface ids restart in each section
        kind, length = struct.unpack_from(order + "II", data, offset)
        if length < _SMALLEST_BLOCK.get(kind, 12) or length % 4:
            raise CaptureError(f"pcapng block of type {kind:#x} has impossible length {length}",
                               where=f"{name} byte {offset}", fix="the file is damaged; the frames before it were read")
        packet = kind in (_EPB, _SPB, _OPB)
        number += packet
        if offset + length > size:
            record = f"frame {number}" if packet else f"the block (type {kind:#x}) after frame {number}"
            raise _truncated(name, offset, record, length, size - offset)
        body = offset + 8
        if kind == _IDB:
            linktype, snaplen = struct.unpack_from(order + "H2xI", data, body)
            ticks, shift = _interface_options(data, order, body + 8, offset + length - 4)
            maker = _maker(linktype, channel, page, data, name, raw) if linktype in _LINKTYPES else None
            interfaces.append((maker, ticks, shift, snaplen, linktype))
        elif kind == _EPB or kind == _OPB:
            interface, high, low, captured = struct.unpack_from(order + ("IIII" if kind == _EPB else "H2xIII"),
                                                                data, body)
            start = body + 20
            if interface >= len(interfaces):
                raise CaptureError(f"frame {number} names interface {interface}, which has no description block",
                                   where=f"{name} byte {offset}", fix="the file is damaged")
            maker, ticks, shift, _, linktype = interfaces[interface]
            if maker is None:
                raise _unsupported(linktype, f"{name} byte {offset}", f"frame {number} is on interface {interface}:")
            if start + captured > offset + length - 4:
                raise CaptureError(f"frame {number} claims {captured} bytes, more than its block holds",
                                   where=f"{name} byte {offset}", fix="the file is damaged")
            stamp = high << 32 | low
            yield maker(stamp // ticks + shift + stamp % ticks / ticks, start, start + captured, number)
        elif kind == _SPB:
            if not interfaces:
                raise CaptureError(f"frame {number} comes before any interface description block",
                                   where=f"{name} byte {offset}", fix="the file is damaged")
            maker, _, _, snaplen, linktype = interfaces[0]
            if maker is None:
                raise _unsupported(linktype, f"{name} byte {offset}", f"frame {number} is on interface 0:")
            original = struct.unpack_from(order + "I", data, body)[0]
            captured = min(original, length - 16, snaplen or original)
            yield maker(0.0, body + 4, body + 4 + captured, number)     # a simple packet block has no timestamp
        offset += length


def _interface_options(data: mmap.mmap, order: str, at: int, end: int) -> tuple[int, float]:
    """if_tsresol (ticks per second, default microseconds) and if_tsoffset (seconds added to every timestamp)."""
    ticks, shift = 1_000_000, 0.0
    while at + 4 <= end:
        code, length = struct.unpack_from(order + "HH", data, at)
        if code == 0 or at + 4 + length > end:
            break
        if code == _IF_TSRESOL and length >= 1:
            value = data[at + 4]
            ticks = 2 ** (value & 0x7F) if value & 0x80 else 10 ** value
        elif code == _IF_TSOFFSET and length >= 8:
            shift = float(struct.unpack_from(order + "q", data, at + 4)[0])
        at += 4 + (length + 3 & ~3)
    return ticks, shift


def _maker(linktype: int, channel: int | None, page: int | None, data: mmap.mmap, name: str,
           raw: bool) -> Callable[[float, int, int, int], CapturedFrame | Record]:
    """_frame_maker's function, or for records() one that gives the frame's Record."""
    make = _frame_maker(linktype, channel, page, data, name)
    if not raw:
        return make

    def record(when: float, start: int, end: int, number: int) -> Record:
        frame = make(when, start, end, number)
        return frame.time, frame.mpdu, frame.channel, frame.page
    return record


def _frame_maker(linktype: int, channel: int | None, page: int | None, data: mmap.mmap,
                 name: str) -> Callable[[float, int, int, int], CapturedFrame]:
    """A function (time, start, end, frame number) -> CapturedFrame for one link type, reading data[start:end]."""
    if linktype == LINKTYPE_IEEE802_15_4_NOFCS:
        return lambda when, start, end, number: CapturedFrame(when, data[start:end], channel, page)
    if linktype == LINKTYPE_IEEE802_15_4_WITHFCS:
        def with_fcs(when: float, start: int, end: int, number: int) -> CapturedFrame:
            if end - start < 2:
                return CapturedFrame(when, data[start:end], channel, page, False)
            mpdu = data[start:end - 2]
            return CapturedFrame(when, mpdu, channel, page, crc16_kermit(mpdu) == _u16(data, end - 2)[0])
        return with_fcs

    def tap(when: float, start: int, end: int, number: int) -> CapturedFrame:
        if end - start >= _TAP_USUAL_SIZE + 2:
            # The usual header (what write_pcap writes) read in one go; any other layout takes the TLV walk below,
            # which reads this one to the same values.
            (version, length, t1, l1, fcs_type, t2, l2, frame_channel, frame_page, t3, l3, rssi, t4, l4,
             lqi) = _TAP_USUAL(data, start)
            if (version, length, t1, l1, t2, l2, t3, l3, t4, l4) == _TAP_USUAL_FIXED and fcs_type == 1:
                mpdu = data[start + _TAP_USUAL_SIZE:end - 2]
                return CapturedFrame(when, mpdu, frame_channel, frame_page,
                                     crc16_kermit(mpdu) == _u16(data, end - 2)[0], rssi, lqi)
        if end - start < 4 or data[start] != 0:
            raise CaptureError(f"frame {number} has no TAP header version 0", where=f"{name} byte {start}",
                               fix="the file's link type says IEEE802_15_4_TAP but the frame is not")
        header_end = start + _u16(data, start + 2)[0]
        if header_end > end or header_end < start + 4:
            raise CaptureError(f"frame {number}: TAP header length runs past the frame", where=f"{name} byte {start}",
                               fix="the file is damaged")
        fcs_type, frame_channel, frame_page, rssi, lqi = 0, channel, page, None, None
        at = start + 4
        while at + 4 <= header_end:
            kind, length = _tlv(data, at)
            if at + 4 + length > header_end:
                raise CaptureError(f"frame {number}: TAP TLV {kind} runs past the TAP header",
                                   where=f"{name} byte {at}", fix="the file is damaged")
            if kind == _TAP_CHANNEL and length >= 3:
                frame_channel, frame_page = _u16(data, at + 4)[0], data[at + 6]
            elif kind == _TAP_FCS_TYPE and length >= 1:
                fcs_type = data[at + 4]
            elif kind == _TAP_RSS and length >= 4:
                rssi = _f32(data, at + 4)[0]
            elif kind == _TAP_LQI and length >= 1:
                lqi = data[at + 4]
            at += 4 + (length + 3 & ~3)
        fcs_length = _TAP_FCS_LENGTH.get(fcs_type)
        if fcs_length is None or end - header_end < fcs_length:
            raise CaptureError(f"frame {number}: TAP FCS type {fcs_type} does not fit the frame",
                               where=f"{name} byte {start}", fix="the file is damaged")
        mpdu = data[header_end:end - fcs_length]
        if fcs_length == 2:
            fcs_ok = crc16_kermit(mpdu) == _u16(data, end - 2)[0]
        elif fcs_length == 4:
            fcs_ok = zlib.crc32(mpdu) == _u32(data, end - 4)[0]
        else:
            fcs_ok = None
        return CapturedFrame(when, mpdu, frame_channel, frame_page, fcs_ok, rssi, lqi)
    return tap


# -- writing --------------------------------------------------------------------------------------------------------

def _record_maker(linktype: int) -> Callable[[CapturedFrame], bytes]:
    if linktype not in _LINKTYPES:
        raise CaptureError(f"cannot write link type {linktype}; supported: {_SUPPORTED}")
    if linktype == LINKTYPE_IEEE802_15_4_NOFCS:
        return lambda frame: frame.mpdu
    if linktype == LINKTYPE_IEEE802_15_4_WITHFCS:
        return lambda frame: frame.mpdu + _fcs(frame)
    headers: dict[tuple, bytes] = {}        # a capture's frames share a few channels, one RSSI and LQI

    def tap(frame: CapturedFrame) -> bytes:
        key = (frame.channel, frame.page, frame.rssi, frame.lqi)
        header = headers.get(key)
        if header is None:
            header = headers[key] = _tap_header(*key)
        return header + frame.mpdu + _fcs(frame)
    return tap


def _tap_header(channel: int | None, page: int | None, rssi: float | None, lqi: int | None) -> bytes:
    """A TAP header with the FCS type TLV (16-bit FCS), channel and page when the channel is known, RSS, LQI."""
    tlvs = [struct.pack("<HHB3x", _TAP_FCS_TYPE, 1, 1)]
    if channel is not None:
        # the TLV needs a page: an unknown one is written as 0 (2.4 GHz)
        tlvs.append(struct.pack("<HHHBx", _TAP_CHANNEL, 3, channel, page or 0))
    if rssi is not None:
        tlvs.append(struct.pack("<HHf", _TAP_RSS, 4, rssi))
    if lqi is not None:
        tlvs.append(struct.pack("<HHB3x", _TAP_LQI, 1, lqi))
    header = b"".join(tlvs)
    return struct.pack("<BBH", 0, 0, 4 + len(header)) + header


def _fcs(frame: CapturedFrame) -> bytes:
    crc = crc16_kermit(frame.mpdu) ^ (0xFFFF if frame.fcs_ok is False else 0)
    return crc.to_bytes(2, "little")


def _nanoseconds(when: float) -> int:
    seconds = int(when // 1)
    return seconds * 1_000_000_000 + round((when - seconds) * 1e9)


def write_pcap(path: str | os.PathLike, frames: Iterable[CapturedFrame],
               linktype: int = LINKTYPE_IEEE802_15_4_TAP) -> int:
    """A nanosecond-resolution pcap of the frames; how many were written. With TAP (283) each frame carries the
    FCS type TLV and a 16-bit FCS, channel and page when the channel is known (an unknown page as 0), RSS and LQI
    when set; with 195 and 283 a frame whose fcs_ok is False gets a wrong FCS, so the verdict survives."""
    record = _record_maker(linktype)
    header, count = struct.Struct("<IIII").pack, 0
    with open(path, "wb") as file:
        chunk = [struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, _MAX_RECORD, linktype)]
        for frame in frames:
            data = record(frame)
            seconds, nanoseconds = divmod(_nanoseconds(frame.time), 1_000_000_000)
            chunk += (header(seconds, nanoseconds, len(data), len(data)), data)
            count += 1
            if len(chunk) >= _WRITE_PIECES:         # a few writes a scenario; a million frames in bounded memory
                file.write(b"".join(chunk))
                chunk.clear()
        file.write(b"".join(chunk))
    return count


def written_records(path: str | os.PathLike, records: Iterable[Record], *, rssi: float, lqi: int) -> Iterator[Record]:
    """write_pcap of the records as frames with a good FCS, this RSSI and LQI -- the same bytes -- without a
    CapturedFrame a frame; yields each record as records() reads it back from the file (its time to the nanosecond),
    so the capture can be analysed as it is written. The file is complete once the iterator is exhausted."""
    # A record's body (TAP header, frame, FCS) by channel and page, then by frame: a sleepy device's polls and
    # their ACKs repeat the same bytes round the 256 sequence numbers, so most frames are written from here
    # (bounded: cleared when full, as mac's header cache).
    bodies: dict[tuple[int | None, int | None], tuple[bytes, dict[bytes, bytes]]] = {}
    header, scale, billion = struct.Struct("<IIII").pack, 1 / 1_000_000_000, 1_000_000_000
    with open(path, "wb") as file:
        chunk = [struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, _MAX_RECORD, LINKTYPE_IEEE802_15_4_TAP)]
        on_channel: int | None = -1                 # the channel and page the frames before were on
        on_page: int | None = -1
        tap, known = b"", dict[bytes, bytes]()
        for time, mpdu, channel, page in records:
            if channel != on_channel or page != on_page:
                on_channel, on_page = channel, page
                if (channel, page) not in bodies:
                    bodies[(channel, page)] = (_tap_header(channel, page, rssi, lqi), {})
                tap, known = bodies[(channel, page)]
            body = known.get(mpdu)
            if body is None:
                if len(known) >= _BODIES_MAX:
                    known.clear()
                body = known[mpdu] = tap + mpdu + crc16_kermit(mpdu).to_bytes(2, "little")
            length = len(body)
            seconds = int(time // 1)       # _nanoseconds, inlined, without its big integers
            nanoseconds = round((time - seconds) * 1e9)
            if nanoseconds == billion:      # a fraction that rounds up to the next second
                seconds, nanoseconds = seconds + 1, 0
            chunk += (header(seconds, nanoseconds, length, length), body)
            if len(chunk) >= _WRITE_PIECES:
                file.write(b"".join(chunk))
                chunk.clear()
            yield seconds + nanoseconds * scale, mpdu, channel, page
        file.write(b"".join(chunk))


def write_pcapng(path: str | os.PathLike, frames: Iterable[CapturedFrame],
                 linktype: int = LINKTYPE_IEEE802_15_4_TAP) -> int:
    """A pcapng of the frames (one section, one nanosecond-resolution interface), as write_pcap writes them."""
    record = _record_maker(linktype)
    header, count = struct.Struct("<IIIIIII").pack, 0
    with open(path, "wb") as file:
        file.write(struct.pack("<IIIHHqI", _SHB, 28, 0x1A2B3C4D, 1, 0, -1, 28))
        options = struct.pack("<HHB3xHH", _IF_TSRESOL, 1, 9, 0, 0)      # nanoseconds, end of options
        length = 20 + len(options)
        file.write(struct.pack("<IIHHI", _IDB, length, linktype, 0, 0) + options + struct.pack("<I", length))
        for frame in frames:
            data = record(frame)
            padding = -len(data) % 4
            length = 32 + len(data) + padding
            stamp = _nanoseconds(frame.time)
            file.write(header(_EPB, length, 0, stamp >> 32, stamp & 0xFFFFFFFF, len(data), len(data)))
            file.write(data + bytes(padding) + struct.pack("<I", length))
            count += 1
    return count


# -- ZEP (UDP 17754) ------------------------------------------------------------------------------------------------

ZEP_PORT = 17754
_NTP_TO_UNIX = 2_208_988_800


def zep_frame(datagram: bytes, received: float | None = None) -> CapturedFrame:
    """One ZEP v1 or v2 data datagram. LQI/CRC mode 1: the last two payload bytes are the FCS (checked); mode 0:
    they are CC24xx metadata (RSSI in dBm, FCS OK bit 7), as wireshark's ZEP dissector reads them. The v2 NTP
    timestamp is the time unless it is before 1970 (Sewio sniffers count from their start): then `received`.
    A channel byte of 128 or more is read as the EmberZNet page/channel byte (page 28-31), so an Ember sniffer on
    sub-GHz keeps its page (inferred: Ember treats radio channels >= 128 as sub-GHz)."""
    if len(datagram) < 4 or datagram[:2] != b"EX":
        raise CaptureError("not a ZEP datagram (no 'EX' preamble)", where="ZEP", fix="only ZEP senders on this port")
    version = datagram[2]
    received = _time.time() if received is None else received
    if version == 1:
        if len(datagram) < 16:
            raise CaptureError(f"ZEP v1 header cut short: {len(datagram)} of 16 bytes", where="ZEP")
        channel, crc_mode, lqi, length = datagram[3], datagram[6], datagram[7], datagram[15] & 0x7F
        start, when = 16, received
    else:
        if datagram[3] == 2:
            raise CaptureError("a ZEP ack carries no frame", where="ZEP")
        if len(datagram) < 32:
            raise CaptureError(f"ZEP v2 header cut short: {len(datagram)} of 32 bytes", where="ZEP")
        channel, crc_mode, lqi = datagram[4], datagram[7], datagram[8]
        seconds, fraction = struct.unpack_from(">II", datagram, 9)
        length, start = datagram[31] & 0x7F, 32
        when = seconds - _NTP_TO_UNIX + fraction / 2 ** 32 if seconds >= _NTP_TO_UNIX else received
    payload = datagram[start:start + length]
    if len(payload) != length or length < 2:
        raise CaptureError(f"ZEP frame of {length} bytes, datagram holds {len(datagram) - start}", where="ZEP")
    page, channel = ((channel >> 5) + 24, channel & 0x1F) if channel >= 0x80 else (0, channel)
    mpdu = payload[:-2]
    if crc_mode:
        return CapturedFrame(when, mpdu, channel, page, crc16_kermit(mpdu) == _u16(payload, length - 2)[0], lqi=lqi)
    rssi = payload[-2] - 256 if payload[-2] > 127 else payload[-2]
    return CapturedFrame(when, mpdu, channel, page, bool(payload[-1] & 0x80), float(rssi), lqi)


def zep_datagram(frame: CapturedFrame, sequence: int = 0) -> bytes:
    """A frame as a ZEP v2 data datagram, the way a network sniffer sends it: LQI/CRC mode 1 (the FCS computed
    and appended), the frame's time as NTP, a sub-GHz page and channel as the EmberZNet byte (zep_frame's reading)."""
    page = frame.page or 0
    channel = page_channel_byte(page, frame.channel or 0) if page else (frame.channel or 0)
    seconds = frame.time + _NTP_TO_UNIX
    whole = int(seconds)
    payload = frame.mpdu + struct.pack("<H", crc16_kermit(frame.mpdu))
    return (b"EX" + bytes([2, 1, channel]) + struct.pack(">HBB", 0, 1, frame.lqi or 255)
            + struct.pack(">IIi", whole, int((seconds - whole) * 2 ** 32), sequence & 0x7FFFFFFF)
            + bytes(10) + bytes([len(payload)]) + payload)


# -- serial sniffers' framings --------------------------------------------------------------------------------------

def ti_sniffer_frames(stream: bytes, *, channel: int | None = None,
                      received: float | None = None) -> tuple[list[CapturedFrame], bytes]:
    """Frames of the TI packet-sniffer firmware (CC2531) stream: [type 0][length LE16][timestamp LE32][n][n bytes],
    the last two of which are RSSI (signed, - 73 for dBm) and FCS OK (bit 7) | LQI; type 1 records are tick
    counters. Returns the frames and the bytes of an incomplete record. Bytes that cannot start a record are
    skipped one at a time until the stream is back in step. The firmware is 2.4 GHz only (page 0); it does not
    say the channel, so the caller does; time is the host's receive time."""
    when = _time.time() if received is None else received
    frames, at, size = [], 0, len(stream)
    while at + 3 <= size:
        kind, length = stream[at], stream[at + 1] | stream[at + 2] << 8
        if kind == 0 and 7 <= length <= 134:
            if at + 8 > size:
                break
            if stream[at + 7] + 5 == length:
                end = at + 3 + length
                if end > size:
                    break
                rssi, status = stream[end - 2], stream[end - 1]
                frames.append(CapturedFrame(when, stream[at + 8:end - 2], channel, 0, bool(status & 0x80),
                                            float((rssi - 256 if rssi > 127 else rssi) - 73), status & 0x7F))
                at = end
                continue
        elif kind == 1 and length == 1:
            if at + 4 > size:
                break
            at += 4
            continue
        at += 1                 # not the start of a record: out of step, look at the next byte
    return frames, stream[at:]


def _number(token: str) -> int:
    return int(token, 16) if token[:2].lower() == "0x" else int(token)


def nodetest_frame(line: str, *, channel: int, page: int, received: float) -> CapturedFrame | None:
    """One line of Silicon Labs NodeTest `rx` output with showPayload 1: twelve brace-delimited fields (number,
    overflow, sequence, PER, error, LQI, RSSI, ED, gain, status, time, frame pending), the payload length and the
    payload as 0x.. tokens, without FCS (NodeTest passes good-FCS frames only). None for lines that are not frames
    (prompts, echoes, the field-name header, "test end"); CaptureError for a frame line that does not add up."""
    text = line.strip().lstrip(">").lstrip()          # a prompt may precede the first line
    if not text.startswith("{"):
        return None
    tokens = text[1:].replace("{", " ").replace("}", " ").split()
    try:
        _number(tokens[0])
    except (IndexError, ValueError):
        return None
    try:
        lqi, rssi, length = _number(tokens[5]), _number(tokens[6]), int(tokens[12], 16)
        payload = bytes(int(token, 16) for token in tokens[13:])
    except (IndexError, ValueError):
        raise CaptureError(f"malformed NodeTest frame line: {text[:80]}", where="NodeTest",
                           fix="check the firmware is NodeTest with showPayload 1 at 115200 8N1") from None
    if len(payload) != length:
        raise CaptureError(f"NodeTest frame line says {length} bytes and carries {len(payload)}", where="NodeTest",
                           fix="serial data was lost: check the baud rate and the USB link")
    return CapturedFrame(received, payload, channel, page, True, float(rssi), lqi)


_PAGE_CHANNELS = {0: range(11, 27), 28: range(27), 29: range(9), 30: range(27), 31: range(27)}
_CHANNEL_RULE = "page 0 (2.4 GHz): channels 11-26; pages 28, 30, 31 (sub-GHz): 0-26; page 29: 0-8"


def check_channel(page: int, channel: int | None = None) -> None:
    """A channel page, and a channel on it, that ZigBee has (IEEE 802.15.4: 2.4 GHz, and GB's sub-GHz pages)."""
    if page not in _PAGE_CHANNELS and channel is None:
        raise DitError(f"no channel page {page}", fix=_CHANNEL_RULE)
    if channel is not None and channel not in _PAGE_CHANNELS.get(page, ()):
        raise DitError(f"no channel {channel} on page {page}" + (" (2.4 GHz)" if page == 0 else ""),
                       fix=_CHANNEL_RULE)


def page_channel_byte(page: int, channel: int) -> int:
    """The 8-bit page/channel of NodeTest and EmberZNet: page 28-31 in the top three bits (100-111), the channel in
    the low five; a 2.4 GHz channel (page 0) is itself."""
    check_channel(page, channel)
    return (page << 5 & 0xFF) + channel if page else channel
