"""HAN capture reading and writing: 802.15.4 MAC frames, pcap/pcapng/TAP files, ZEP, serial sniffers, and tshark's
reading of the same files as the reference."""

from __future__ import annotations

import itertools
import random
import shutil
import socket
import struct
import subprocess
import time
import zlib
from dataclasses import replace

import pytest
import serial
from hypothesis import given, settings
from hypothesis import strategies as st
from serial.urlhandler.protocol_loop import Serial as LoopSerial

from harness.adapters import sniffers
from harness.errors import DitError
from harness.han import capture, mac
from harness.han.capture import CapturedFrame, CaptureError

TSHARK = shutil.which("tshark")
needs_tshark = pytest.mark.skipif(TSHARK is None, reason="tshark not installed (apt-get install tshark)")

PAN = 0x1A2B
HUB_LONG = 0x00DB123456789AA2
T0 = 1_700_000_000.0


def _data(sequence: int = 1, **addressing) -> bytes:
    addressing = {"dst_pan": PAN, "dst": 0x0000, "src": 0x1234, **addressing}
    return mac.encode(mac.DATA, sequence, ack_request=True, payload=b"\x08\x00\x00\x00\x34\x12\x1e\x01", **addressing)


# -- FCS ----------------------------------------------------------------------------------------------------------

def test_fcs_known_vectors():
    assert mac.crc16_kermit(b"123456789") == 0x2189          # CRC-16/KERMIT catalogue check value
    # IEEE 802.15.4-2006 7.2.1.9: ACK, bits b0..b23 0100 0000 0000 0000 0101 0110 -> r0..r15 0010 0111 1001 1110
    assert mac.crc16_kermit(bytes([0x02, 0x00, 0x6A])) == 0x79E4
    assert mac.with_fcs(bytes([0x02, 0x00, 0x6A])) == bytes([0x02, 0x00, 0x6A, 0xE4, 0x79])
    assert mac.crc16_kermit(b"") == 0


def test_fcs_matches_bitwise_definition():
    def bitwise(data: bytes) -> int:
        crc = 0
        for byte in data:
            crc ^= byte
            for _ in range(8):
                crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
        return crc

    rng = random.Random(7)
    for size in (1, 2, 3, 17, 127):
        data = bytes(rng.randrange(256) for _ in range(size))
        assert mac.crc16_kermit(data) == bitwise(data)


# -- MAC header ---------------------------------------------------------------------------------------------------

ADDRESSES = {"none": (None, False), "short": (0x1234, False), "long": (HUB_LONG, True)}


def _cases():
    for version, dst, src, same_pan in itertools.product((0, 1, 2), ADDRESSES, ADDRESSES, (True, False)):
        dst_address, dst_long = ADDRESSES[dst]
        src_address, src_long = ADDRESSES[src]
        dst_pan = PAN if dst_address is not None else None
        src_pan = None
        if src_address is not None:
            src_pan = PAN if same_pan else 0x7777
            if dst_address is None:
                src_pan = PAN
        if version == 2 and dst == src == "long":
            src_pan = None                    # 2015: two extended addresses never carry a source PAN ID
        yield version, dst_address, dst_long, src_address, src_long, dst_pan, src_pan


@pytest.mark.parametrize("version,dst,dst_long,src,src_long,dst_pan,src_pan", sorted(set(_cases()), key=str))
def test_encode_decode_round_trip(version, dst, dst_long, src, src_long, dst_pan, src_pan):
    payload = b"\x01\x02\x03"
    sequence = None if version == 2 and dst is None else 0x5A
    frame = mac.encode(mac.DATA, sequence, dst_pan=dst_pan, dst=dst, dst_long=dst_long, src=src, src_long=src_long,
                       src_pan=src_pan, ack_request=dst is not None, frame_version=version, payload=payload)
    header = mac.decode(frame)
    compressed = dst is not None and src is not None and (src_pan is None or src_pan == dst_pan)
    assert (header.frame_type, header.frame_version, header.sequence) == (mac.DATA, version, sequence)
    assert (header.dst, header.dst_long, header.src, header.src_long) == (dst, dst is not None and dst_long, src,
                                                                          src is not None and src_long)
    assert header.dst_pan == dst_pan
    assert header.src_pan == (None if compressed else src_pan)
    if version < 2:
        assert header.pan_id_compression == compressed
    assert frame[header.length:] == payload
    again = mac.encode(mac.DATA, header.sequence, dst_pan=header.dst_pan, dst=header.dst, dst_long=header.dst_long,
                       src=header.src, src_long=header.src_long, src_pan=header.src_pan,
                       ack_request=header.ack_request, frame_version=header.frame_version, payload=payload)
    assert again == frame


def test_ack_beacon_command_and_flags():
    ack = mac.encode(mac.ACK, 0x6A, frame_pending=True)
    assert ack == bytes([0x12, 0x00, 0x6A])
    header = mac.decode(ack)
    assert (header.frame_type, header.frame_pending, header.sequence, header.length) == (mac.ACK, True, 0x6A, 3)
    beacon = mac.decode(mac.encode(mac.BEACON, 3, src_pan=PAN, src=0x0000, payload=b"\xff\xcf\x00\x00"))
    assert (beacon.frame_type, beacon.src_pan, beacon.src, beacon.dst) == (mac.BEACON, PAN, 0x0000, None)
    poll = mac.decode(mac.encode(mac.COMMAND, 9, dst_pan=PAN, dst=0, src=HUB_LONG, src_long=True, ack_request=True,
                                 payload=b"\x04"))
    assert (poll.frame_type, poll.ack_request, poll.src, poll.src_long, poll.length) == (mac.COMMAND, True, HUB_LONG,
                                                                                         True, 15)
    broadcast = mac.decode(_data(dst=mac.BROADCAST))
    assert broadcast.dst == mac.BROADCAST and broadcast.pan_id_compression


def test_security_header_counts_as_header():
    # 2006 frame, security level 5, key identifier mode 1 (one key index byte): 1 + 4 + 1 auxiliary bytes
    auxiliary = bytes([0x0D]) + (42).to_bytes(4, "little") + bytes([1])
    frame = mac.encode(mac.DATA, 1, dst_pan=PAN, dst=1, src=2, security=True, frame_version=1,
                       payload=auxiliary + b"ciphertext")
    header = mac.decode(frame)
    assert header.security and frame[header.length:] == b"ciphertext"
    with pytest.raises(mac.FrameError, match="auxiliary security header") as error:
        mac.decode(frame[:12])
    assert error.value.byte == 12


def test_a_2015_frame_may_suppress_its_security_frame_counter():
    """802.15.4-2015: security control bit 5 suppresses the 4-byte frame counter (2015 frames only), so the
    payload starts after the security control and key index alone; in a 2006 frame that bit does not."""
    for version, auxiliary in ((2, bytes([0x2D, 1])), (1, bytes([0x2D]) + (42).to_bytes(4, "little") + bytes([1]))):
        frame = mac.encode(mac.DATA, 1, dst_pan=PAN, dst=1, src=2, security=True, frame_version=version,
                           payload=auxiliary + b"ciphertext")
        assert frame[mac.decode(frame).length:] == b"ciphertext", version


def test_a_key_source_of_eight_bytes_and_a_2003_secured_frame():
    """Key identifier mode 3: an 8-byte key source and a key index; a 2003 frame's security has no auxiliary
    header at all, its payload follows the addresses."""
    auxiliary = bytes([0x1D]) + (42).to_bytes(4, "little") + bytes(8) + bytes([1])
    frame = mac.encode(mac.DATA, 1, dst_pan=PAN, dst=1, src=2, security=True, frame_version=1,
                       payload=auxiliary + b"ciphertext")
    assert frame[mac.decode(frame).length:] == b"ciphertext"
    legacy = mac.encode(mac.DATA, 1, dst_pan=PAN, dst=1, src=2, security=True, frame_version=0, payload=b"sealed")
    header = mac.decode(legacy)
    assert header.security and header.length == 9 and legacy[header.length:] == b"sealed"


@pytest.mark.parametrize("frame,byte,words", [
    (b"", 0, "shorter than its 2-byte frame control"),
    (b"\x41", 1, "shorter than its 2-byte frame control"),
    (bytes([0x41, 0x88, 1, 0x2B, 0x1A, 0x00]), 6, "inside the destination address"),
    (bytes([0x41, 0x88, 1, 0x2B, 0x1A, 0x00, 0x00, 0x34]), 8, "inside the source address (bytes 7-8)"),
    (bytes([0x01, 0xCC, 1, 0x2B, 0x1A]) + bytes(8) + b"\x01", 14, "inside the source PAN ID"),
    (bytes([0x41, 0x84, 1, 0, 0, 0, 0]), 1, "reserved destination addressing mode 1"),
    (bytes([0x41, 0x48, 1, 0, 0, 0, 0]), 1, "reserved source addressing mode 1"),
    (bytes([0x41, 0x30, 1]), 1, "frame version 3 is reserved"),
    (bytes([0x05, 0x00, 1]), 0, "frame type 5 (multipurpose)"),
    (bytes([0x41, 0x80, 1, 0x2B, 0x1A, 0x34, 0x12]), 0, "PAN ID compression without both addresses"),
])
def test_malformed_frames_name_the_byte(frame, byte, words):
    with pytest.raises(mac.FrameError, match=words.replace("(", r"\(").replace(")", r"\)")) as error:
        mac.decode(frame)
    assert error.value.byte == byte
    assert f"byte {byte}" in str(error.value)


def test_encode_refuses_impossible_addressing():
    with pytest.raises(ValueError, match="PAN IDs"):
        mac.encode(mac.DATA, 1, dst=1, src=2)                 # a destination address needs its PAN ID
    with pytest.raises(ValueError, match="2015"):
        mac.encode(mac.DATA, None, dst_pan=PAN, dst=1)


def test_address_text_as_tshark_prints_it():
    assert mac.address_text(0x1A2B, False) == "0x1a2b"
    assert mac.address_text(0x0001, False) == "0x0001"
    assert mac.address_text(0x0011223344556677, True) == "00:11:22:33:44:55:66:77"
    assert mac.address_text(None, False) == ""


# -- capture files ------------------------------------------------------------------------------------------------

def _frames() -> list[CapturedFrame]:
    return [
        CapturedFrame(T0 + 0.000001, _data(1), 15, 0, True, -52.0, 255),
        CapturedFrame(T0 + 0.0021, mac.encode(mac.ACK, 1), 15, 0, True, -60.5, 200),
        CapturedFrame(T0 + 1.123456789, _data(2, dst=0x1234, src=0x0000), 5, 28, False, -80.0, 12),
        CapturedFrame(T0 + 2.5, _data(3, dst=HUB_LONG, dst_long=True, src=0x0001234567890ABC, src_long=True), 5, 28,
                      True),
    ]


def _same(read: list[CapturedFrame], written: list[CapturedFrame], *, channel=True, rssi=True, fcs=True):
    assert len(read) == len(written)
    for got, want in zip(read, written, strict=True):
        assert got.mpdu == want.mpdu
        assert got.time == pytest.approx(want.time, abs=1e-6)
        if channel:
            assert (got.channel, got.page) == (want.channel, want.page)
        if rssi:
            assert (got.rssi, got.lqi) == (want.rssi, want.lqi)
        if fcs:
            assert got.fcs_ok == want.fcs_ok


@pytest.mark.parametrize("writer", [capture.write_pcap, capture.write_pcapng])
def test_round_trip_tap_keeps_radio_fields(tmp_path, writer):
    path = tmp_path / "han.cap"
    frames = _frames()
    assert writer(path, frames) == len(frames)
    _same(list(capture.read(path)), frames)


def test_a_capture_longer_than_one_write_reads_back_whole(tmp_path):
    """write_pcap joins records into writes of a bounded size: every frame comes back once, in order."""
    frames = [replace(frame, time=frame.time + n) for n in range(5000) for frame in _frames()]
    assert capture.write_pcap(tmp_path / "long.pcap", frames) == 20000
    _same(list(capture.read(tmp_path / "long.pcap")), frames)


@pytest.mark.parametrize("writer", [capture.write_pcap, capture.write_pcapng])
def test_round_trip_with_fcs_and_without(tmp_path, writer):
    frames = _frames()
    writer(tmp_path / "fcs.cap", frames, capture.LINKTYPE_IEEE802_15_4_WITHFCS)
    got = list(capture.read(tmp_path / "fcs.cap", channel=20, page=0))
    _same(got, frames, channel=False, rssi=False)
    assert {(f.channel, f.page, f.rssi) for f in got} == {(20, 0, None)}     # caller's channel fills in
    writer(tmp_path / "nofcs.cap", frames, capture.LINKTYPE_IEEE802_15_4_NOFCS)
    got = list(capture.read(tmp_path / "nofcs.cap"))
    _same(got, frames, channel=False, rssi=False, fcs=False)
    assert {(f.channel, f.page, f.fcs_ok) for f in got} == {(None, None, None)}


def test_writer_refuses_other_link_types(tmp_path):
    with pytest.raises(CaptureError, match="cannot write link type 1; supported: 195"):
        capture.write_pcap(tmp_path / "x.pcap", _frames(), 1)


def _pcap_file(order: str, nano: bool, linktype: int, records: list[tuple[int, int, bytes]]) -> bytes:
    """A pcap written independently of the code under test: (seconds, fraction, data) records."""
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    out = struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, 65535, linktype)
    for seconds, fraction, data in records:
        out += struct.pack(order + "IIII", seconds, fraction, len(data), len(data)) + data
    return out


@pytest.mark.parametrize("order,nano", [("<", False), (">", False), ("<", True), (">", True)])
def test_pcap_byte_orders_and_resolutions(tmp_path, order, nano):
    frame = _data(7)
    fraction = 123456789 if nano else 123456
    path = tmp_path / "x.pcap"
    path.write_bytes(_pcap_file(order, nano, 195, [(1_700_000_000, fraction, mac.with_fcs(frame)),
                                                   (1_700_000_001, 0, frame + b"\x00\x00")]))
    first, second = capture.read(path, channel=11)
    assert first.mpdu == frame and first.fcs_ok is True and first.channel == 11 and first.page is None
    assert first.time == pytest.approx(1_700_000_000.123456789 if nano else 1_700_000_000.123456, abs=1e-7)
    assert second.mpdu == frame and second.fcs_ok is False and second.time == 1_700_000_001.0


def _block(order: str, kind: int, body: bytes) -> bytes:
    body += bytes(-len(body) % 4)
    return struct.pack(order + "II", kind, len(body) + 12) + body + struct.pack(order + "I", len(body) + 12)


def _pcapng_file(order: str = "<") -> bytes:
    """Two interfaces: 195 in milliseconds with a 100 s offset, 283 in 2^-20 s; an EPB on each, an SPB, an OPB and
    a name resolution block to skip."""
    shb = _block(order, 0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1))
    resolution_ms = struct.pack(order + "HHB3x", 9, 1, 3) + struct.pack(order + "HHq", 14, 8, 100) + bytes(4)
    idb0 = _block(order, 1, struct.pack(order + "HHI", 195, 0, 0) + resolution_ms)
    idb1 = _block(order, 1, struct.pack(order + "HHI", 283, 0, 0) + struct.pack(order + "HHB3x", 9, 1, 0x80 | 20)
                  + bytes(4))
    tap = (struct.pack("<BBH", 0, 0, 20) + struct.pack("<HHB3x", 0, 1, 1) + struct.pack("<HHHBx", 3, 3, 5, 28)
           + mac.with_fcs(_data(2)))
    ms = 1_700_000_000_123
    epb0 = _block(order, 6, struct.pack(order + "IIIII", 0, ms >> 32, ms & 0xFFFFFFFF, 10, 10)
                  + mac.with_fcs(mac.encode(mac.ACK, 1, payload=b"\x00\x00\x00\x00\x00")))
    ticks = 1_700_000_000 * 2 ** 20 + 2 ** 19
    epb1 = _block(order, 6, struct.pack(order + "IIIII", 1, ticks >> 32, ticks & 0xFFFFFFFF, len(tap), len(tap)) + tap)
    nrb = _block(order, 4, struct.pack(order + "HH", 0, 0))
    spb = _block(order, 3, struct.pack(order + "I", 5) + mac.with_fcs(mac.encode(mac.ACK, 3)))
    opb = _block(order, 2, struct.pack(order + "HHIIII", 0, 0, ms >> 32, ms & 0xFFFFFFFF, 5, 5)
                 + mac.with_fcs(mac.encode(mac.ACK, 4)))
    return shb + idb0 + idb1 + epb0 + nrb + epb1 + spb + opb


@pytest.mark.parametrize("order", ["<", ">"])
def test_pcapng_interfaces_resolutions_and_blocks(tmp_path, order):
    path = tmp_path / "multi.pcapng"
    path.write_bytes(_pcapng_file(order))
    ack, data, simple, obsolete = capture.read(path, channel=25, page=0)
    assert ack.mpdu[:3] == bytes([2, 0, 1]) and ack.fcs_ok and ack.time == pytest.approx(1_700_000_100.123, abs=1e-6)
    assert (ack.channel, ack.page) == (25, 0)                      # link type 195: the caller's channel
    assert data.mpdu == _data(2) and (data.channel, data.page, data.fcs_ok) == (5, 28, True)
    assert data.time == pytest.approx(1_700_000_000.5, abs=1e-6)
    assert simple.mpdu == mac.encode(mac.ACK, 3) and simple.time == 0.0    # simple packet blocks carry no time
    assert obsolete.mpdu == mac.encode(mac.ACK, 4) and obsolete.time == pytest.approx(1_700_000_100.123, abs=1e-6)


def test_pcapng_interface_ids_restart_in_each_section(tmp_path):
    """A second section (captures joined with mergecap -a, or a sniffer restarted) brings its own interfaces:
    its interface 0 is its own TAP interface, not the first section's 195 one."""
    shb = _block("<", 0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    first = _block("<", 1, struct.pack("<HHI", 195, 0, 0))
    second = _block("<", 1, struct.pack("<HHI", 283, 0, 0))
    tap = (struct.pack("<BBH", 0, 0, 20) + struct.pack("<HHB3x", 0, 1, 1) + struct.pack("<HHHBx", 3, 3, 5, 28)
           + mac.with_fcs(_data(2)))
    near = mac.with_fcs(_data(1))
    path = tmp_path / "two-sections.pcapng"
    path.write_bytes(shb + first + _block("<", 6, struct.pack("<IIIII", 0, 0, 1_000_000, len(near), len(near)) + near)
                     + shb + second + _block("<", 6, struct.pack("<IIIII", 0, 0, 2_000_000, len(tap), len(tap)) + tap))
    near_frame, sub_frame = capture.read(path, channel=11, page=0)
    assert (near_frame.mpdu, near_frame.channel, near_frame.page, near_frame.fcs_ok) == (_data(1), 11, 0, True)
    assert (sub_frame.mpdu, sub_frame.channel, sub_frame.page, sub_frame.fcs_ok) == (_data(2), 5, 28, True)


def test_a_tap_frame_with_a_32_bit_fcs(tmp_path):
    """TAP FCS type 2: the frame ends in a 4-byte CRC-32, which is not part of the MAC frame."""
    tlvs = struct.pack("<HHB3x", 0, 1, 2) + struct.pack("<HHHBx", 3, 3, 15, 0)
    tap = struct.pack("<BBH", 0, 0, 4 + len(tlvs)) + tlvs + _data(9)
    path = tmp_path / "crc32.pcap"
    path.write_bytes(_pcap_file("<", False, 283, [(1, 0, tap + struct.pack("<I", zlib.crc32(_data(9)))),
                                                  (2, 0, tap + struct.pack("<I", zlib.crc32(_data(9)) ^ 1))]))
    good, bad = capture.read(path)
    assert (good.mpdu, good.channel, good.fcs_ok) == (_data(9), 15, True)
    assert (bad.mpdu, bad.fcs_ok) == (_data(9), False)


def test_not_a_capture(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not a capture\n")
    with pytest.raises(CaptureError, match="not a pcap or pcapng capture: starts with 68656c6c") as error:
        capture.read(path)
    assert str(path) in str(error.value)
    gz = tmp_path / "x.pcap.gz"
    gz.write_bytes(b"\x1f\x8b\x08\x00" + bytes(30))
    with pytest.raises(CaptureError, match="gunzip it first"):
        capture.read(gz)
    with pytest.raises(CaptureError, match="cannot read"):
        capture.read(tmp_path / "missing.pcap")


def test_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "empty.pcap"
    empty.write_bytes(b"")
    with pytest.raises(CaptureError, match="empty file"):
        capture.read(empty)
    header_only = tmp_path / "header.pcap"
    capture.write_pcap(header_only, [])
    assert list(capture.read(header_only)) == []
    cut_header = tmp_path / "cut.pcap"
    cut_header.write_bytes(header_only.read_bytes()[:10])
    with pytest.raises(CaptureError, match="header cut short"):
        capture.read(cut_header)


def test_unsupported_link_type_names_it(tmp_path):
    path = tmp_path / "ethernet.pcap"
    path.write_bytes(_pcap_file("<", False, 1, [(1, 0, bytes(60))]))
    with pytest.raises(CaptureError) as error:
        capture.read(path)
    message = str(error.value)
    assert f"{path}: the file's link type 1 is not IEEE 802.15.4" in message
    assert "195 (IEEE802_15_4_WITHFCS), 230 (IEEE802_15_4_NOFCS), 283 (IEEE802_15_4_TAP)" in message
    ng = tmp_path / "ethernet.pcapng"
    ng.write_bytes(_block("<", 0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
                   + _block("<", 1, struct.pack("<HHI", 1, 0, 0))
                   + _block("<", 6, struct.pack("<IIIII", 0, 0, 0, 4, 4) + bytes(4)))
    with pytest.raises(CaptureError, match="byte 48: frame 1 is on interface 0: link type 1 is not IEEE 802.15.4"):
        list(capture.read(ng))


@pytest.mark.parametrize("writer", [capture.write_pcap, capture.write_pcapng])
def test_truncated_capture_yields_complete_frames_then_fails(tmp_path, writer):
    frames = _frames()[:3]
    writer(tmp_path / "two.cap", frames[:2])
    third = (tmp_path / "two.cap").stat().st_size             # where the third record starts
    writer(tmp_path / "full.cap", frames)
    cut = tmp_path / "cut.cap"
    cut.write_bytes((tmp_path / "full.cap").read_bytes()[:third + 20])
    got = []
    with pytest.raises(CaptureError) as error:
        for frame in capture.read(cut):
            got.append(frame)
    _same(got, frames[:2])
    message = str(error.value)
    assert f"{cut} byte {third}" in message and "frame 3 is cut short" in message


def test_tap_sub_ghz_page_28_channel_5_and_unknown_tlvs(tmp_path):
    frame = CapturedFrame(T0, _data(9), 5, 28, True, -71.25, 99)
    path = tmp_path / "sub.pcap"
    capture.write_pcap(path, [frame])
    assert list(capture.read(path, channel=11, page=0)) == [frame]     # TAP's own channel wins over the caller's
    # a TAP header with a bit-rate TLV (2) and an unknown TLV (99, 5 bytes padded to 8) before the channel
    tlvs = (struct.pack("<HHI", 2, 4, 100_000) + struct.pack("<HH5s3x", 99, 5, b"abcde")
            + struct.pack("<HHHBx", 3, 3, 5, 28))
    tap = struct.pack("<BBH", 0, 0, 4 + len(tlvs)) + tlvs + _data(9)
    other = tmp_path / "other.pcap"
    other.write_bytes(_pcap_file("<", False, 283, [(1, 0, tap)]))
    (got,) = capture.read(other)
    assert (got.mpdu, got.channel, got.page, got.fcs_ok) == (_data(9), 5, 28, None)   # no FCS TLV: no FCS



@pytest.mark.parametrize("fcs_ok", [True, False])
def test_tap_usual_header_reads_as_the_same_tlvs_in_another_order(tmp_path, fcs_ok):
    """The usual TAP header (what write_pcap writes) is read in one go; the same TLVs in another order take the TLV
    walk: both give the same frame, a bad FCS included."""
    frame = CapturedFrame(T0, _data(9), 5, 28, fcs_ok, -71.25, 99)
    usual = tmp_path / "usual.pcap"
    capture.write_pcap(usual, [frame])
    fcs = capture.crc16_kermit(_data(9)) ^ (0 if fcs_ok else 0xFFFF)
    tlvs = (struct.pack("<HHB3x", 10, 1, 99) + struct.pack("<HHf", 1, 4, -71.25) + struct.pack("<HHHBx", 3, 3, 5, 28)
            + struct.pack("<HHB3x", 0, 1, 1))
    tap = struct.pack("<BBH", 0, 0, 4 + len(tlvs)) + tlvs + _data(9) + fcs.to_bytes(2, "little")
    reordered = tmp_path / "reordered.pcap"
    reordered.write_bytes(_pcap_file("<", False, 283, [(int(T0), 0, tap)]))
    (got,) = capture.read(usual)
    (walked,) = capture.read(reordered)
    assert got == frame and walked == CapturedFrame(float(int(T0)), *[getattr(frame, f) for f in (
        "mpdu", "channel", "page", "fcs_ok", "rssi", "lqi")])

# -- ZEP ----------------------------------------------------------------------------------------------------------

def _zep_v2(frame: bytes, *, channel=15, crc_mode=1, lqi=222, ntp: float | None = T0, kind=1) -> bytes:
    seconds, fraction = (0, 0) if ntp is None else (int(ntp) + 2_208_988_800, int(ntp % 1 * 2 ** 32))
    header = b"EX" + struct.pack(">BBBHBBIII10xB", 2, kind, channel, 7, crc_mode, lqi, seconds, fraction, 1, len(frame))
    return header + frame


def _zep_v1(frame: bytes, *, channel=20, crc_mode=1, lqi=100) -> bytes:
    return b"EX" + struct.pack(">BBHBB7xB", 1, channel, 7, crc_mode, lqi, len(frame)) + frame


def test_zep_v1_and_v2_datagrams():
    good = mac.with_fcs(_data(4))
    v1 = capture.zep_frame(_zep_v1(good), received=T0 + 9)
    assert (v1.mpdu, v1.channel, v1.page, v1.fcs_ok, v1.lqi, v1.time) == (_data(4), 20, 0, True, 100, T0 + 9)
    v2 = capture.zep_frame(_zep_v2(good, ntp=T0 + 0.25), received=T0 + 9)
    assert (v2.mpdu, v2.channel, v2.fcs_ok, v2.lqi) == (_data(4), 15, True, 222)
    assert v2.time == pytest.approx(T0 + 0.25, abs=1e-6)
    bad = capture.zep_frame(_zep_v2(_data(4) + b"\x00\x00"))
    assert bad.fcs_ok is False
    relative = capture.zep_frame(_zep_v2(good, ntp=None), received=T0 + 3)      # Sewio: time from sniffer start
    assert relative.time == T0 + 3
    # LQI mode: the last two bytes are CC24xx metadata, RSSI -79 dBm and FCS OK
    cc24xx = capture.zep_frame(_zep_v2(_data(4) + bytes([0xB1, 0x80 | 0x33]), crc_mode=0))
    assert (cc24xx.mpdu, cc24xx.rssi, cc24xx.fcs_ok) == (_data(4), -79.0, True)
    sub_ghz = capture.zep_frame(_zep_v2(good, channel=capture.page_channel_byte(29, 3)))
    assert (sub_ghz.channel, sub_ghz.page) == (3, 29)


@pytest.mark.parametrize("datagram,words", [
    (b"XX\x02\x01" + bytes(40), "no 'EX' preamble"),
    (b"EX\x02\x02\x00\x00\x00\x01", "ack carries no frame"),
    (b"EX\x02\x01" + bytes(10), "header cut short"),
    (_zep_v2(b"")[:-1] + b"\x7f", "datagram holds 0"),
])
def test_zep_rejects(datagram, words):
    with pytest.raises(CaptureError, match=words):
        capture.zep_frame(datagram)


def test_zep_listener_receives_udp_on_loopback():
    with sniffers.ZepListener("127.0.0.1", 0) as listener:
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            for datagram in (_zep_v2(mac.with_fcs(_data(1))), b"EX\x02\x02\x00\x00\x00\x01", b"noise",
                             _zep_v1(mac.with_fcs(_data(2)))):
                sender.sendto(datagram, listener.address)
        finally:
            sender.close()
        started = time.monotonic()
        frames = list(listener.iter_frames(0.5))
        assert time.monotonic() - started < 2
    assert [f.mpdu for f in frames] == [_data(1), _data(2)]
    assert listener.ignored == 2


def test_zep_listener_port_in_use():
    with sniffers.ZepListener("127.0.0.1", 0) as first:
        with pytest.raises(CaptureError, match="cannot listen on UDP 127.0.0.1"):
            sniffers.ZepListener("127.0.0.1", first.address[1])


# -- serial sniffers ----------------------------------------------------------------------------------------------

def _ti_record(mpdu: bytes, rssi: int = -20, fcs_ok: bool = True, lqi: int = 0x55, stamp: int = 1234) -> bytes:
    payload = mpdu + bytes([rssi & 0xFF, (0x80 if fcs_ok else 0) | lqi])
    return bytes([0]) + struct.pack("<HIB", 5 + len(payload), stamp, len(payload)) + payload


def _ti_stream() -> bytes:
    return (_ti_record(_data(1)) + bytes([1, 1, 0, 7]) + _ti_record(mac.encode(mac.ACK, 1), rssi=10, lqi=3)
            + _ti_record(_data(2), fcs_ok=False))


def test_ti_sniffer_frames_at_every_split():
    stream = _ti_stream()
    for split in range(len(stream) + 1):
        first, rest = capture.ti_sniffer_frames(stream[:split], channel=15, received=T0)
        second, rest = capture.ti_sniffer_frames(rest + stream[split:], channel=15, received=T0)
        frames = first + second
        assert rest == b""
        assert [f.mpdu for f in frames] == [_data(1), mac.encode(mac.ACK, 1), _data(2)]
    assert [(f.rssi, f.lqi, f.fcs_ok, f.channel, f.page) for f in frames] == [
        (-93.0, 0x55, True, 15, 0), (-63.0, 3, True, 15, 0), (-93.0, 0x55, False, 15, 0)]


def test_ti_sniffer_frames_resynchronise_after_noise():
    frames, rest = capture.ti_sniffer_frames(b"\x07\xff\x00\x42" + _ti_stream(), received=T0)
    assert len(frames) == 3 and rest == b""


NODETEST_HEADER = ("{{(rxPacket)}{rxNum}{oflo}{seq}{per}{err}{lqi}{rssi}{ed}{gain}{status}{time}{fp}{length}"
                   "{payload}}")


def _nodetest_line(mpdu: bytes, number: int = 1, rssi: int = -47, lqi: int = 0xFF, length: int | None = None) -> str:
    payload = " ".join(f"0x{b:02X}" for b in mpdu)
    length = len(mpdu) if length is None else length
    return (f"{{{{0x{number:04X}}}{{0x00}}{{0x{number:02X}}}{{0.0}}{{0x00}}{{0x{lqi:02X}}}{{{rssi}}}{{-100}}"
            f"{{0x00}}{{0x00}}{{0x0004D2}}{{0x00}}{{0x{length:02X}}}{{{payload}}}}}")


def test_nodetest_lines():
    frame = capture.nodetest_frame(_nodetest_line(_data(3)), channel=5, page=28, received=T0)
    assert frame == CapturedFrame(T0, _data(3), 5, 28, True, -47.0, 0xFF)
    assert capture.nodetest_frame("> " + _nodetest_line(_data(3)), channel=5, page=28, received=T0) == frame
    for line in (NODETEST_HEADER, ">", "test end", "", "setchannel 85", "rx"):
        assert capture.nodetest_frame(line, channel=5, page=28, received=T0) is None
    short = _nodetest_line(_data(3), length=len(_data(3)) + 1)
    with pytest.raises(CaptureError, match="says 18 bytes and carries 17"):
        capture.nodetest_frame(short, channel=5, page=28, received=T0)
    with pytest.raises(CaptureError, match="malformed NodeTest frame line"):
        capture.nodetest_frame("{{0x0001}{0x00}}", channel=5, page=28, received=T0)


def test_page_channel_byte():
    assert capture.page_channel_byte(28, 15) == 0x8F
    assert capture.page_channel_byte(28, 0) == 0x80
    assert capture.page_channel_byte(29, 8) == 0xA8
    assert capture.page_channel_byte(30, 26) == 0xDA
    assert capture.page_channel_byte(31, 1) == 0xE1
    assert capture.page_channel_byte(0, 11) == 11
    for page, channel in ((0, 5), (29, 9), (27, 1), (28, 27)):
        with pytest.raises(DitError, match=f"no channel {channel} on page {page}"):
            capture.page_channel_byte(page, channel)


def test_serial_sniffer_ti_over_loop():
    with sniffers.SerialSniffer("loop://", "ti", channel=20) as sniffer:
        stream = _ti_stream()
        sniffer.port.write(stream[:10])
        sniffer.port.write(stream[10:])
        frames = list(sniffer.iter_frames(0.3))
    assert [(f.mpdu, f.channel, f.page) for f in frames] == [(_data(1), 20, 0), (mac.encode(mac.ACK, 1), 20, 0),
                                                             (_data(2), 20, 0)]


def test_serial_sniffer_nodetest_over_loop():
    with sniffers.SerialSniffer("loop://", "nodetest", channel=5, page=28, prompt_timeout_s=0.05) as sniffer:
        lines = [NODETEST_HEADER, _nodetest_line(_data(1), 1), "garbage {{0x01}}",
                 _nodetest_line(mac.encode(mac.ACK, 1), 2), _nodetest_line(b"\x01\x02", 3, length=5)]
        sniffer.port.write("\r\n".join(lines).encode() + b"\r\n")
        frames = list(sniffer.iter_frames(0.4))
    assert [(f.mpdu, f.channel, f.page, f.rssi) for f in frames] == [(_data(1), 5, 28, -47.0),
                                                                    (mac.encode(mac.ACK, 1), 5, 28, -47.0)]
    assert sniffer.malformed == 1                 # the line whose length does not match its payload


class _NodeTestBoard(LoopSerial):
    """A NodeTest board in miniature: echoes commands, answers with a bare prompt, streams frames after rx."""

    written: list[bytes] = []
    frames: list[str] = []

    def write(self, data):
        data = bytes(data)
        type(self).written.append(data)
        reply = data.replace(b"\r", b"\r\n")
        if data == b"rx\r":
            reply += ("\r\n".join([NODETEST_HEADER, *self.frames]) + "\r\n").encode()
        elif data == b"e":
            reply += b"\r\ntest end\r\n"
        else:
            reply += b">"
        return super().write(reply)


def test_serial_sniffer_drives_nodetest(monkeypatch):
    _NodeTestBoard.written = []
    _NodeTestBoard.frames = [_nodetest_line(_data(n), n) for n in range(1, 4)]
    monkeypatch.setattr(sniffers.serial, "serial_for_url", lambda url, **kw: _NodeTestBoard("loop://", **kw))
    started = time.monotonic()
    with sniffers.SerialSniffer("/dev/ttyACM0", "nodetest", channel=15, page=28) as sniffer:
        frames = list(sniffer.iter_frames(0.3))
    assert time.monotonic() - started < 1.5            # prompts seen, not waited out (1 s each)
    assert [f.mpdu for f in frames] == [_data(1), _data(2), _data(3)]
    assert {(f.channel, f.page, f.fcs_ok) for f in frames} == {(15, 28, True)}
    assert _NodeTestBoard.written == [b"setchannel 8f\r", b"showPayload 1\r", b"rx\r", b"e"]


class _VanishingLoop(LoopSerial):
    """A port that is unplugged after its first two reads."""

    reads = 0

    def read(self, size=1):
        type(self).reads += 1
        if type(self).reads > 2:
            raise serial.SerialException("device reports readiness to read but returned no data")
        return super().read(size)


def test_serial_port_that_vanishes(monkeypatch):
    _VanishingLoop.reads = 0
    monkeypatch.setattr(sniffers.serial, "serial_for_url", lambda url, **kw: _VanishingLoop("loop://", **kw))
    got = []
    with sniffers.SerialSniffer("/dev/ttyACM7", "ti", channel=11) as sniffer:
        sniffer.port.write(_ti_stream())
        with pytest.raises(CaptureError) as error:
            for frame in sniffer.iter_frames(5):
                got.append(frame)
    assert len(got) == 3
    assert "/dev/ttyACM7" in str(error.value) and "stopped answering" in str(error.value)


def test_serial_sniffer_setup_errors():
    with pytest.raises(CaptureError, match="cannot open serial port"):
        sniffers.SerialSniffer("/dev/does-not-exist-dit", "ti")
    with pytest.raises(DitError, match="needs a channel"):
        sniffers.SerialSniffer("loop://", "nodetest")
    with pytest.raises(DitError, match="unknown sniffer framing"):
        sniffers.SerialSniffer("loop://", "pcap")


# -- tshark as the reference --------------------------------------------------------------------------------------

def _varied_frames(count: int, seed: int = 11) -> list[CapturedFrame]:
    """Data frames with short and long addresses both ways, acks, beacons, commands, 2003/2006/2015 versions, on
    2.4 GHz and sub-GHz, some with a bad FCS."""
    rng = random.Random(seed)
    shorts = [0x0000, 0x1234, 0x5678, 0x9ABC]
    longs = [HUB_LONG, 0x00DB123456789AA0, 0x00DB123456789AA1]
    frames, when = [], T0
    for _ in range(count):
        when += rng.uniform(0.0005, 0.2)
        sequence = rng.randrange(256)
        kind = rng.choice(["data", "data", "data-long", "ack", "beacon", "command", "v2"])
        if kind == "data":
            dst, src = rng.sample(shorts, 2)
            mpdu = mac.encode(mac.DATA, sequence, dst_pan=PAN, dst=rng.choice([dst, mac.BROADCAST]), src=src,
                              ack_request=True, payload=rng.randbytes(rng.randrange(2, 60)))
        elif kind == "data-long":
            mpdu = mac.encode(mac.DATA, sequence, dst_pan=PAN, dst=rng.choice(shorts), src=rng.choice(longs),
                              src_long=True, frame_version=1, payload=rng.randbytes(12))
        elif kind == "ack":
            mpdu = mac.encode(mac.ACK, sequence, frame_pending=rng.random() < 0.3)
        elif kind == "beacon":
            mpdu = mac.encode(mac.BEACON, sequence, src_pan=PAN, src=0x0000, payload=b"\xff\xcf\x00\x00")
        elif kind == "command":
            mpdu = mac.encode(mac.COMMAND, sequence, dst_pan=PAN, dst=0x0000, src=rng.choice(longs), src_long=True,
                              ack_request=True, payload=b"\x04")
        else:
            mpdu = mac.encode(mac.DATA, rng.choice([None, sequence]), dst_pan=PAN, dst=rng.choice(longs),
                              dst_long=True, src=rng.choice(longs), src_long=True, frame_version=2, payload=b"\x00")
        channel, page = rng.choice([(rng.randrange(11, 27), 0), (rng.randrange(27), 28), (rng.randrange(9), 29)])
        frames.append(CapturedFrame(round(when, 9), mpdu, channel, page, rng.random() > 0.05,
                                    float(rng.randrange(-95, -30)), rng.randrange(256)))
    return frames


def _tshark(path, *fields: str) -> list[list[str]]:
    command = [TSHARK, "-r", str(path), "-T", "fields", "-E", "separator=,", "-E", "occurrence=f"]
    for field in fields:
        command += ["-e", field]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120).stdout
    return [line.split(",") for line in output.splitlines()]


FIELDS = ("frame.time_epoch", "wpan.frame_type", "wpan.seq_no", "wpan.dst16", "wpan.dst64", "wpan.src16",
          "wpan.src64", "wpan.fcs_ok")


def _expected(frame: CapturedFrame) -> list:
    header = mac.decode(frame.mpdu)
    return [header.frame_type, "" if header.sequence is None else str(header.sequence),
            "" if header.dst_long else mac.address_text(header.dst, False),
            mac.address_text(header.dst, True) if header.dst_long else "",
            "" if header.src_long else mac.address_text(header.src, False),
            mac.address_text(header.src, True) if header.src_long else "", "1" if frame.fcs_ok else "0"]


@needs_tshark
@pytest.mark.parametrize("writer,linktype", [(capture.write_pcap, 283), (capture.write_pcap, 195),
                                             (capture.write_pcapng, 283), (capture.write_pcapng, 195)])
def test_tshark_reads_what_we_read(tmp_path, writer, linktype):
    path = tmp_path / "varied.cap"
    writer(path, _varied_frames(400), linktype)
    ours = list(capture.read(path))
    tap = linktype == 283
    rows = _tshark(path, *FIELDS, *(("wpan-tap.ch_num", "wpan-tap.ch_page") if tap else ()))
    assert len(rows) == len(ours) == 400
    for number, (row, frame) in enumerate(zip(rows, ours, strict=True), 1):
        assert float(row[0]) == pytest.approx(frame.time, abs=1e-6), number
        got = [int(row[1], 16), *row[2:8]]
        assert got == _expected(frame), number
        if tap:
            assert (int(row[8]), int(row[9])) == (frame.channel, frame.page), number


@needs_tshark
def test_tshark_fcs_verdicts(tmp_path):
    good = mac.with_fcs(_data(1))
    frames = [good, good[:-1] + bytes([good[-1] ^ 1]), mac.with_fcs(bytes([0x02, 0x00, 0x6A]))]
    path = tmp_path / "fcs.pcap"
    path.write_bytes(_pcap_file("<", False, 195, [(1, 0, f) for f in frames]))
    assert [row[0] for row in _tshark(path, "wpan.fcs_ok")] == ["1", "0", "1"]
    assert [f.fcs_ok for f in capture.read(path)] == [True, False, True]


# -- damaged input: a CaptureError or FrameError, never another exception ------------------------------------------

@pytest.mark.parametrize("damage,words", [
    (lambda data: data[:24] + struct.pack("<IIII", 1, 0, 1 << 30, 1 << 30), "claims 1073741824 bytes"),
    (lambda data: data[:24] + struct.pack("<IIII", 1, 0, 3, 3) + b"\x01\x00\x08", "no TAP header version 0"),
    (lambda data: data[:24] + struct.pack("<IIII", 1, 0, 8, 8) + b"\x00\x00\x08\x00\x03\x00\x09\x00",
     "TAP TLV 3 runs past"),
])
def test_damaged_pcap_records(tmp_path, damage, words):
    path = tmp_path / "x.pcap"
    capture.write_pcap(path, [])
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(CaptureError, match=words):
        list(capture.read(path))


def test_damaged_pcapng_blocks(tmp_path):
    shb = _block("<", 0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = _block("<", 1, struct.pack("<HHI", 195, 0, 0))
    short_epb = struct.pack("<III", 6, 16, 0) + struct.pack("<I", 16)
    path = tmp_path / "x.pcapng"
    path.write_bytes(shb + idb + short_epb)
    with pytest.raises(CaptureError, match="impossible length 16"):
        list(capture.read(path))
    path.write_bytes(shb + idb + _block("<", 6, struct.pack("<IIIII", 0, 0, 0, 90, 90) + bytes(8)))
    with pytest.raises(CaptureError, match="claims 90 bytes, more than its block holds"):
        list(capture.read(path))
    path.write_bytes(shb + _block("<", 6, struct.pack("<IIIII", 3, 0, 0, 4, 4) + bytes(4)))
    with pytest.raises(CaptureError, match="interface 3, which has no description block"):
        list(capture.read(path))


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=40))
def test_decode_any_bytes(data):
    try:
        header = mac.decode(data)
    except mac.FrameError as error:
        assert 0 <= error.byte <= len(data)
    else:
        assert header.length <= len(data)


@pytest.mark.parametrize("writer", [capture.write_pcap, capture.write_pcapng])
def test_mutated_captures_fail_cleanly(tmp_path, writer):
    good = tmp_path / "good.cap"
    writer(good, _frames())
    original = good.read_bytes()
    rng = random.Random(3)
    path = tmp_path / "mutated.cap"
    for _ in range(300):
        data = bytearray(original[:rng.randrange(5, len(original) + 1)])
        for _ in range(rng.randrange(1, 4)):
            data[rng.randrange(4, len(data))] = rng.randrange(256)
        path.write_bytes(bytes(data))
        try:
            for frame in capture.read(path):
                assert isinstance(frame.mpdu, bytes)
        except CaptureError:
            pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=60), st.text(max_size=80))
def test_live_parsers_on_any_input(data, text):
    try:
        capture.zep_frame(b"EX" + data, received=T0)
    except CaptureError:
        pass
    frames, rest = capture.ti_sniffer_frames(data, received=T0)
    assert len(rest) <= len(data) and all(isinstance(f.mpdu, bytes) for f in frames)
    for line in (text, "{" + text):
        try:
            capture.nodetest_frame(line, channel=11, page=0, received=T0)
        except CaptureError:
            pass
