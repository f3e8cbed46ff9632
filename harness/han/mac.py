"""IEEE 802.15.4 MAC frames: the frame control, sequence number, addressing fields and FCS of a HAN capture.

Frame versions 0 (2003) and 1 (2006) share one rule for which PAN IDs are present; version 2 (2015) has its own
table (802.15.4-2015 Table 7-2). The auxiliary security header (versions 1 and 2) counts as header, so `length`
is where the MAC payload starts; 2015 header IEs are not parsed, so with IEs present the payload begins with them.
All multi-byte fields are little-endian; extended addresses are 64-bit integers (most significant byte printed
first, as tshark does).
"""

from __future__ import annotations

import binascii
import struct
from dataclasses import dataclass

from harness.errors import DitError

BEACON, DATA, ACK, COMMAND = 0, 1, 2, 3
BROADCAST = 0xFFFF

_NONE, _SHORT, _LONG = 0, 2, 3
_ADDRESS_SIZE = {_NONE: 0, _SHORT: 2, _LONG: 8}
_KEY_ID_SIZE = (0, 1, 5, 9)
_FRAME_TYPES = {4: "reserved", 5: "multipurpose", 6: "fragment", 7: "extended"}
_REVERSED_BITS = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


def crc16_kermit(data: bytes) -> int:
    """The 802.15.4 FCS: ITU-T CRC-16 over bits sent least significant first, initial value 0.

    That is CRC-16/XMODEM (binascii, in C) over bit-reversed bytes, bit-reversed: fast enough for every frame
    of a million-frame capture."""
    crc = binascii.crc_hqx(data.translate(_REVERSED_BITS), 0)
    return _REVERSED_BITS[crc & 0xFF] << 8 | _REVERSED_BITS[crc >> 8]


def with_fcs(mpdu: bytes) -> bytes:
    return mpdu + crc16_kermit(mpdu).to_bytes(2, "little")


@dataclass(frozen=True, slots=True)
class MacHeader:
    """A decoded MAC header. dst_pan/src_pan are None when absent from the frame: with PAN ID compression the
    source's PAN is dst_pan. dst/src are None when the addressing mode is none."""

    frame_type: int
    security: bool
    frame_pending: bool
    ack_request: bool
    pan_id_compression: bool
    frame_version: int
    sequence: int | None
    dst_pan: int | None
    dst: int | None
    dst_long: bool
    src_pan: int | None
    src: int | None
    src_long: bool
    length: int


class FrameError(DitError):
    """A malformed MAC frame: what is wrong, at which byte."""

    def __init__(self, what: str, byte: int):
        super().__init__(what, where=f"MAC frame byte {byte}")
        self.byte = byte


def _pan_ids_present(version: int, dst_mode: int, src_mode: int, compression: bool) -> tuple[bool, bool]:
    if version < 2:
        # 2003/2006: each address brings its PAN ID, except that compression drops the source's (both present)
        return dst_mode != _NONE, src_mode != _NONE and not compression
    if dst_mode != _NONE and src_mode != _NONE:
        if dst_mode == _LONG and src_mode == _LONG:
            return not compression, False
        return True, not compression
    if dst_mode != _NONE:
        return not compression, False
    if src_mode != _NONE:
        return False, not compression
    return compression, False


class _Layout:
    """What a frame control value fixes: flags, field offsets and the struct that reads the fields."""

    __slots__ = ("flags", "fields", "unpack", "end", "secured", "present")

    def __init__(self, control: int):
        frame_type, version = control & 7, control >> 12 & 3
        if version == 3:
            raise FrameError("frame version 3 is reserved", 1)
        if frame_type > COMMAND:
            raise FrameError(f"frame type {frame_type} ({_FRAME_TYPES[frame_type]}) is not decoded", 0)
        dst_mode, src_mode = control >> 10 & 3, control >> 14 & 3
        for mode, which in ((dst_mode, "destination"), (src_mode, "source")):
            if mode == 1:
                raise FrameError(f"reserved {which} addressing mode 1", 1)
        compression = bool(control & 0x40)
        if compression and version < 2 and not (dst_mode and src_mode):
            # as wireshark: "Invalid Setting for PAN ID Compression"
            raise FrameError("PAN ID compression without both addresses is invalid before 802.15.4-2015", 0)
        dst_pan, src_pan = _pan_ids_present(version, dst_mode, src_mode, compression)
        has_sequence = not (version == 2 and control & 0x100)
        self.flags = (frame_type, bool(control & 0x08), bool(control & 0x10), bool(control & 0x20), compression,
                      version)
        # (name, struct code, size) in frame order; absent fields are None in the header
        fields = [("sequence", "B", 1)] if has_sequence else []
        if dst_pan:
            fields.append(("destination PAN ID", "H", 2))
        if dst_mode:
            fields.append(("destination address", "H" if dst_mode == _SHORT else "Q", _ADDRESS_SIZE[dst_mode]))
        if src_pan:
            fields.append(("source PAN ID", "H", 2))
        if src_mode:
            fields.append(("source address", "H" if src_mode == _SHORT else "Q", _ADDRESS_SIZE[src_mode]))
        self.fields = fields
        self.unpack = struct.Struct("<2x" + "".join(code for _, code, _ in fields)).unpack_from
        self.end = 2 + sum(size for _, _, size in fields)
        self.secured = bool(control & 0x08) and version >= 1     # 2003 security has no auxiliary header
        self.present = (has_sequence, dst_pan, dst_mode, src_pan, src_mode)

    def header(self, mpdu: bytes, length: int) -> MacHeader:
        values = iter(self.unpack(mpdu))
        has_sequence, dst_pan, dst_mode, src_pan, src_mode = self.present
        sequence = next(values) if has_sequence else None
        dpan = next(values) if dst_pan else None
        dst = next(values) if dst_mode else None
        span = next(values) if src_pan else None
        src = next(values) if src_mode else None
        return MacHeader(*self.flags, sequence, dpan, dst, dst_mode == _LONG, span, src, src_mode == _LONG, length)

    def cut_short(self, size: int) -> FrameError:
        at = 2
        for name, _, field_size in self.fields:
            if at + field_size > size:
                last = at + field_size - 1
                return FrameError(f"frame ends after {size} bytes, inside the {name} (bytes {at}-{last})", size)
            at += field_size
        return FrameError(f"frame ends after {size} bytes, inside the auxiliary security header", size)


_LAYOUTS: dict[bytes, _Layout] = {}
# Decoded headers by their bytes: a HAN's few devices repeat the same addresses with 256 sequence numbers, so a
# capture decodes mostly from here. MacHeader is immutable, so sharing is safe; the bound keeps memory flat.
_HEADERS: dict[bytes, MacHeader] = {}
_HEADERS_MAX = 1 << 16


def decode(mpdu: bytes) -> MacHeader:
    """The MAC header of a frame given without its FCS; FrameError when the frame cannot hold what its frame
    control announces."""
    if type(mpdu) is not bytes:
        mpdu = bytes(mpdu)
    if len(mpdu) < 2:
        raise FrameError(f"frame is {len(mpdu)} bytes, shorter than its 2-byte frame control", len(mpdu))
    control = mpdu[:2]
    layout = _LAYOUTS.get(control)
    if layout is None:
        layout = _LAYOUTS[control] = _Layout(int.from_bytes(control, "little"))
    length = layout.end
    if layout.secured and len(mpdu) > length:
        security_control = mpdu[length]
        counter = 0 if layout.flags[5] == 2 and security_control & 0x20 else 4
        length += 1 + counter + _KEY_ID_SIZE[security_control >> 3 & 3]
    elif layout.secured:
        length += 1
    if len(mpdu) < length:
        raise layout.cut_short(len(mpdu))
    key = mpdu[:length]
    header = _HEADERS.get(key)
    if header is None:
        if len(_HEADERS) >= _HEADERS_MAX:
            _HEADERS.clear()
        header = _HEADERS[key] = layout.header(mpdu, length)
    return header


def encode(frame_type: int, sequence: int | None, *, dst_pan: int | None = None, dst: int | None = None,
           dst_long: bool = False, src: int | None = None, src_long: bool = False, src_pan: int | None = None,
           ack_request: bool = False, frame_pending: bool = False, security: bool = False, payload: bytes = b"",
           frame_version: int = 0) -> bytes:
    """A MAC frame without FCS. PAN ID compression is set when both addresses are present and src_pan is None or
    equal to dst_pan. With security set the payload must begin with the auxiliary security header (versions 1
    and 2). frame_version 2 (2015) follows the 2015 PAN ID table and takes sequence=None for a suppressed
    sequence number; versions 0 and 1 need a sequence number."""
    if frame_type not in (BEACON, DATA, ACK, COMMAND):
        raise ValueError(f"frame type {frame_type} is not one of BEACON, DATA, ACK, COMMAND")
    if frame_version not in (0, 1, 2):
        raise ValueError(f"frame version {frame_version} is not 0, 1 or 2")
    if sequence is None and frame_version != 2:
        raise ValueError("only a 2015 (version 2) frame can leave out its sequence number")
    dst_mode = _NONE if dst is None else _LONG if dst_long else _SHORT
    src_mode = _NONE if src is None else _LONG if src_long else _SHORT
    if src_mode and dst_mode and src_pan == dst_pan:
        src_pan = None
    compression = _compression(frame_version, dst_mode, src_mode, dst_pan, src_pan)
    if _pan_ids_present(frame_version, dst_mode, src_mode, compression) != (dst_pan is not None, src_pan is not None):
        raise ValueError(f"PAN IDs dst_pan={dst_pan} src_pan={src_pan} cannot go with these addresses in a "
                         f"version {frame_version} frame")
    control = (frame_type | security << 3 | frame_pending << 4 | ack_request << 5 | compression << 6
               | (sequence is None) << 8 | dst_mode << 10 | frame_version << 12 | src_mode << 14)
    parts = [control.to_bytes(2, "little")]
    if sequence is not None:
        parts.append(bytes([sequence & 0xFF]))
    for pan, address, mode in ((dst_pan, dst, dst_mode), (src_pan, src, src_mode)):
        if pan is not None:
            parts.append(pan.to_bytes(2, "little"))
        if address is not None:
            parts.append(address.to_bytes(_ADDRESS_SIZE[mode], "little"))
    parts.append(payload)
    return b"".join(parts)


def _compression(version: int, dst_mode: int, src_mode: int, dst_pan: int | None, src_pan: int | None) -> bool:
    if version < 2:
        return bool(dst_mode and src_mode and src_pan is None)
    if dst_mode and src_mode:
        return dst_pan is None if dst_mode == src_mode == _LONG else src_pan is None
    if dst_mode:
        return dst_pan is None
    if src_mode:
        return src_pan is None
    return dst_pan is not None


def address_text(address: int | None, long: bool) -> str:
    """An address as tshark prints it: wpan.src16 "0x1a2b", wpan.src64 "00:11:22:33:44:55:66:77"; "" when absent."""
    if address is None:
        return ""
    if long:
        return ":".join(f"{b:02x}" for b in address.to_bytes(8, "big"))
    return f"0x{address:04x}"
