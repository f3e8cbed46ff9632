"""The HAN radio model: frames, PHY timings, acknowledgements, fragmentation, sleepy polling, both bands; and
its captures read back the same by `dit han analyse` and by tshark."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter, defaultdict

import pytest

from harness.clock import VirtualClock
from harness.emulators.han import (
    BAND_24GHZ,
    FRAGMENT_PAYLOAD,
    FSK_868,
    LBT_LISTEN_S,
    LBT_RANDOM_S,
    O_QPSK_2400,
    SUB_GHZ,
    FrameLog,
    HanNetwork,
)
from harness.eui import EntityId
from harness.han import analysis, capture, dissect, mac
from harness.han.analysis import Analysis, analyse
from harness.han.capture import read, write_pcap, written_records
from harness.han.capture import records as records_of
from harness.run import evidence_files, han_evidence

HUB = EntityId("00-DB-12-34-56-78-90-A2")
ESME = EntityId("00-DB-12-34-56-78-90-A0")
NO_TSHARK = "tshark not installed (apt-get install tshark)"


def _network(seed: int = 1) -> tuple[VirtualClock, HanNetwork, list[bytes]]:
    clock = VirtualClock()
    return clock, HanNetwork(clock, hub=HUB, seed=seed), []


def _send(band: str, size: int, seed: int = 1):
    clock, han, delivered = _network(seed)
    sent_at = clock.now().timestamp()
    han.transmit(bytes(size), delivered.append, band=band, destination=ESME)
    assert not delivered                              # nothing arrives before its frames are on air
    clock.wait_until(lambda: bool(delivered), timeout=5)
    return clock, han, delivered, sent_at


def test_a_short_message_is_one_data_frame_its_ack_and_an_aps_ack_with_phy_timings():
    clock, han, delivered, sent_at = _send(BAND_24GHZ, 40)
    [data, ack, aps_ack, aps_mac_ack] = han.frames
    headers = [mac.decode(f.mpdu) for f in han.frames]
    assert [h.frame_type for h in headers] == [mac.DATA, mac.ACK, mac.DATA, mac.ACK]
    assert (headers[0].src, headers[0].dst, headers[0].ack_request) == (0x0000, han.short_address(ESME), True)
    assert headers[1].sequence == headers[0].sequence and headers[3].sequence == headers[2].sequence
    # the ACK starts a turnaround time (12 symbols) after the data frame's last bit
    data_end = data.time + O_QPSK_2400.airtime(len(data.mpdu) + 2)
    assert ack.time == pytest.approx(data_end + 12 * 16e-6, abs=1e-6)       # abs: times are epoch seconds
    # CSMA-CA: at least one CCA (8 symbols) and at most 7 unit backoffs of 20 symbols before the first frame
    assert 8 * 16e-6 <= data.time - sent_at <= (7 * 20 + 8) * 16e-6 + 1e-9
    assert delivered == [bytes(40)]
    assert clock.now().timestamp() == pytest.approx(ack.time + O_QPSK_2400.airtime(5), abs=1e-6)
    assert {(f.channel, f.page) for f in han.frames} == {(han.channels[BAND_24GHZ], 0)}


def test_a_message_and_its_aps_ack_are_smart_energy_frames_between_endpoints_1():
    """APS data and ACK frames as the Smart Energy profile carries a tunnel: endpoint 1 to 1, the cluster, profile
    0x0109, one APS counter for the message and its ACK (read by scapy, through dit's dissector)."""
    _, han, _, _ = _send(BAND_24GHZ, 40)
    data, aps_ack = (dissect.dissect(frame, n).layers for n, frame in ((1, han.frames[0]), (3, han.frames[2])))
    fields = [next(layer.fields for layer in layers if layer.protocol is dissect.Protocol.APS)
              for layers in (data, aps_ack)]
    assert [(f["src_endpoint"], f["dst_endpoint"], f["cluster"], f["profile"]) for f in fields] == \
        [(1, 1, 0x0704, 0x0109)] * 2
    assert fields[0]["counter"] == fields[1]["counter"]


def test_a_long_message_is_fragmented_and_each_fragment_acknowledged():
    _, han, delivered, _ = _send(BAND_24GHZ, 3 * FRAGMENT_PAYLOAD + 1)
    data = [f for f in han.frames if mac.decode(f.mpdu).frame_type == mac.DATA]
    assert len(data) == 5 and len(han.frames) == 10                 # 4 fragments + the APS ACK, each MAC-acked
    assert delivered == [bytes(3 * FRAGMENT_PAYLOAD + 1)]
    times = [f.time for f in han.frames]
    assert times == sorted(times)                                      # nothing overlaps on the one channel


def test_a_fragmented_message_goes_in_82_byte_blocks_numbered_in_order_and_joins_again():
    """The APS payload of a frame is at most 82 bytes (what the stack leaves with security on), each frame within
    aMaxPHYPacketSize (127 bytes, FCS included); the first block gives the count and the others their number, the
    APS ACK acknowledges every block, and a dissector joins the blocks back into the message sent."""
    clock, han, delivered = _network()
    message = bytes(range(200))
    han.transmit(message, delivered.append, destination=ESME)
    clock.wait_until(lambda: bool(delivered), timeout=5)
    frames = list(han.frames)
    assert delivered == [message] and all(len(f.mpdu) + 2 <= 127 for f in frames)
    layers = [dissect.dissect(frame, n + 1, neighbours=frames) for n, frame in enumerate(frames)
              if mac.decode(frame.mpdu).frame_type == mac.DATA]
    aps = [d.layer(dissect.Protocol.APS).fields for d in layers]
    blocks = [d.layer(dissect.Protocol.APS_FRAGMENT) for d in layers[:-1]]
    assert [b.fields["length"] for b in blocks] == [82, 82, 36]
    assert [(f["fragmentation"], f["block_number"]) for f in aps[:-1]] == [(1, 3), (2, 1), (2, 2)]
    assert (aps[-1]["aps_frametype"], aps[-1]["ack_bitfield"]) == (2, 0b111)         # the APS ACK: all three
    joined = layers[-2].layers[-1]                       # the last block's dissection ends with the joined message
    assert joined.fields["length"] == 200 and joined.fields["hex"] == message.hex()


def test_sub_ghz_frames_are_on_page_28_and_take_longer():
    _, fast, _, _ = _send(BAND_24GHZ, 200)
    _, slow, _, _ = _send(SUB_GHZ, 200)
    assert {f.page for f in slow.frames} == {28} and {f.page for f in fast.frames} == {0}
    span = [h.frames[-1].time - h.frames[0].time for h in (fast, slow)]
    assert span[1] > 2 * span[0]
    assert FSK_868.airtime(50) == pytest.approx((8 + 50) * 8 / 100_000)


@pytest.mark.parametrize("band", [BAND_24GHZ, SUB_GHZ])
def test_messages_sent_at_once_take_turns_on_the_channel(band):
    """Three devices answering at the same instant: CSMA-CA (2.4 GHz) or listen before talk (sub-GHz) puts one frame
    on air at a time. A MAC ACK follows its frame after the turnaround time; on sub-GHz every other frame starts
    after listening 5 ms to a free channel, plus a random 0-5 ms when it found the channel busy."""
    clock, han, got = _network()
    for n in range(3):
        han.transmit(bytes(100), got.append, band=band, source=EntityId(f"00-DB-12-34-56-78-90-B{n}"))
    clock.wait_until(lambda: len(got) == 3, timeout=5)
    phy, frames = han.phy(band), list(han.frames)
    assert len(frames) == 3 * 6
    for before, after in zip(frames, frames[1:]):
        gap = after.time - (before.time + phy.airtime(len(before.mpdu) + 2))
        if mac.decode(after.mpdu).frame_type == mac.ACK:
            assert gap == pytest.approx(phy.turnaround_s, abs=1e-6)
        elif band == SUB_GHZ:
            assert LBT_LISTEN_S - 1e-6 <= gap <= LBT_LISTEN_S + LBT_RANDOM_S + 1e-6
        else:
            assert gap >= -1e-6


def test_the_first_frame_on_a_free_sub_ghz_channel_waits_the_listen_time():
    clock, han, delivered = _network()
    sent_at = clock.now().timestamp()
    han.transmit(bytes(20), delivered.append, band=SUB_GHZ, destination=ESME)
    assert han.frames[0].time - sent_at == pytest.approx(LBT_LISTEN_S, abs=1e-6)


def test_a_device_whose_eui_ends_in_zeros_is_not_taken_for_the_coordinator():
    """Short addresses come from the EUI but never give 0x0000 (the CH's) or a broadcast address."""
    clock, han, got = _network()
    for eui in ("00-DB-12-34-56-78-00-00", "00-DB-12-34-56-78-FF-FF", "00-DB-12-34-56-78-FF-F7"):
        han.transmit(bytes(10), got.append, source=EntityId(eui))
    clock.wait_until(lambda: len(got) == 3, timeout=5)
    data = [mac.decode(f.mpdu) for f in han.frames if mac.decode(f.mpdu).frame_type == mac.DATA]
    senders = [h.src for h in data if h.dst == 0x0000]
    assert len(senders) == 3 and all(0x0000 < s < 0xFFF8 for s in senders)


def test_on_a_noisy_sub_ghz_channel_three_tries_go_unacknowledged_and_the_sender_reports_it():
    """Interference on the sub-GHz channel: the first tries (macMaxFrameRetries, 3) get no ACK, each followed by
    the ACK wait (54 symbols) before the next; then the message gets through and the sender reports link
    problems. The 2.4 GHz band, on its own channel, is not affected."""
    clock, han, got = _network()
    reports: list[EntityId | None] = []
    han.on_link_problems = reports.append
    han.interference.add(han.channels[SUB_GHZ])
    han.transmit(bytes(40), got.append, band=SUB_GHZ, source=ESME)
    clock.advance(1)
    kinds = [mac.decode(f.mpdu).frame_type for f in han.frames]
    assert kinds == [mac.DATA] * 4 + [mac.ACK, mac.DATA, mac.ACK] and got == [bytes(40)] and reports == [ESME]
    tries = list(han.frames)[:4]
    for before, after in zip(tries, tries[1:]):
        assert after.time - before.time - FSK_868.airtime(len(before.mpdu) + 2) >= 54 * 10e-6 + LBT_LISTEN_S - 1e-6
    han.transmit(bytes(40), got.append, band=BAND_24GHZ, source=ESME)
    clock.advance(1)
    later = [mac.decode(f.mpdu).frame_type for f in han.frames[len(kinds):]]
    assert later == [mac.DATA, mac.ACK, mac.DATA, mac.ACK] and reports == [ESME]


def test_a_sleepy_device_polls_and_the_ack_says_whether_data_waits():
    clock, han, _ = _network()
    han.poll(ESME, BAND_24GHZ, pending=True)
    han.poll(ESME, BAND_24GHZ, pending=False)
    request, ack, *rest = [mac.decode(f.mpdu) for f in han.frames]
    assert request.frame_type == mac.COMMAND and han.frames[0].mpdu[request.length] == 0x04     # Data Request
    assert ack.frame_type == mac.ACK and ack.frame_pending and not rest[1].frame_pending


def test_the_same_seed_gives_the_same_capture():
    assert _send(BAND_24GHZ, 500, seed=7)[1].frames == _send(BAND_24GHZ, 500, seed=7)[1].frames
    assert _send(BAND_24GHZ, 500, seed=7)[1].frames != _send(BAND_24GHZ, 500, seed=8)[1].frames


def test_the_capture_names_the_device_by_eui_and_times_its_answer(tmp_path):
    clock, han, got = _network()
    han.transmit(bytes(60), lambda data: han.transmit(bytes(30), got.append, source=ESME), destination=ESME)
    clock.wait_until(lambda: bool(got), timeout=5)
    path = tmp_path / "han.pcap"
    write_pcap(path, han.frames)
    result = analyse(read(path))["bands"][BAND_24GHZ]
    assert result["latency"]["overall"]["count"] == 1
    assert list(result["latency"]["by_device"]) == ["00-DB-12-34-56-78-90-A0"]
    assert 0 < result["latency"]["overall"]["max_s"] < 0.02      # after the APS ACK exchange and a backoff


def test_tshark_reads_the_model_capture_as_we_do(tmp_path):
    if shutil.which("tshark") is None:
        pytest.skip(NO_TSHARK)
    clock, han, got = _network()
    for size in (20, 200, 700):
        han.transmit(bytes(size), got.append, destination=ESME)
        han.transmit(bytes(size // 2), got.append, band=SUB_GHZ, source=ESME)
    han.poll(ESME, BAND_24GHZ, pending=False)
    clock.wait_until(lambda: len(got) == 6, timeout=5)
    path = tmp_path / "han.pcap"
    write_pcap(path, han.frames)
    fields = ["frame.time_epoch", "wpan.src16", "wpan.dst16", "wpan.frame_type", "wpan-tap.ch_page"]
    out = subprocess.run(["tshark", "-r", str(path), "-T", "fields", "-E", "separator=,",
                          *[x for f in fields for x in ("-e", f)]], capture_output=True, text=True, check=True)
    rows = [line.split(",") for line in out.stdout.splitlines()]
    ours = list(read(path))
    assert len(rows) == len(ours) == len(han.frames)
    for row, frame in zip(rows, ours, strict=True):
        header = mac.decode(frame.mpdu)
        assert float(row[0]) == pytest.approx(frame.time, abs=1e-6)
        assert row[1] == (mac.address_text(header.src, False) if header.src is not None else "")
        assert row[2] == (mac.address_text(header.dst, False) if header.dst is not None else "")
        assert int(row[3], 0) == header.frame_type and int(row[4]) == frame.page


def test_an_emulated_labs_han_pcap_is_written_from_its_packed_records_as_from_its_frames(lab, tmp_path):
    """The evidence's han.pcap, written from the sniffers' packed records, is byte for byte write_pcap's of
    han_capture(), and the DIT.8/DIT.11 figures worked out as it is written are those read back from the file."""
    got: list[bytes] = []
    for n, network in enumerate(lab.han_networks):       # every hub's HAN: the records of all merged in time order
        network.transmit(bytes(40 + n), got.append, destination=ESME)
        network.transmit(bytes(700), got.append, band=SUB_GHZ, source=ESME)
        network.poll(ESME, BAND_24GHZ, pending=True)
    lab.clock.wait_until(lambda: len(got) == 2 * len(lab.han_networks), timeout=5)
    frames = lab.han_capture()
    assert {f.page for f in frames} == {0, 28} and len(lab.han_networks) >= 1
    write_pcap(tmp_path / "frames.pcap", frames)
    fed = Analysis()
    (tmp_path / "bench").mkdir()
    assert evidence_files.keep_bench(tmp_path / "bench", lab, han=fed)
    written = tmp_path / "bench" / "han.pcap"
    assert written.read_bytes() == (tmp_path / "frames.pcap").read_bytes()
    assert fed.frames == len(frames) and fed.figures() == han_evidence.figures(written)
    records, rssi, lqi = lab.han_records()           # what the analysis is fed: the file's records as read back
    assert list(written_records(tmp_path / "again.pcap", records, rssi=rssi, lqi=lqi)) == list(records_of(written))


def test_written_records_give_each_frame_as_the_file_reads_it_back(tmp_path):
    """Times to the nanosecond (a sub-nanosecond part and one that rounds up to the next second), as records() reads
    them, so what is analysed as han.pcap is written is what reading the file gives."""
    log = FrameLog()
    for n, time in enumerate((7.123456789123, 7.9999999996, 8.5)):       # near 1970: floats finer than 1 ns
        log.append(time, mac.encode(mac.DATA, n, dst_pan=0x1A2B, dst=0, src=1), 11 + n, 0 if n else 28)
    path = tmp_path / "han.pcap"
    got = list(written_records(path, log.records(), rssi=FrameLog.RSSI, lqi=FrameLog.LQI))
    assert got == list(records_of(path)) and got[1][0] == 8.0 and got[0][0] != log[0].time
    write_pcap(tmp_path / "frames.pcap", log)
    assert path.read_bytes() == (tmp_path / "frames.pcap").read_bytes()


def _sleepy_polls(log: FrameLog, polls: int) -> None:
    """A GSME's evidence in miniature: its data requests to the CH and their ACKs round the 256 sequence numbers,
    moving channel half-way and again on the other band, with a data frame and a stray ACK now and then."""
    when = 1_700_000_000.123456789
    for n in range(polls):
        channel, page = (11, 28) if n < polls // 2 else (12, 28) if n % 7 else (12, 0)
        poll = mac.encode(mac.COMMAND, n & 0xFF, dst_pan=0x1A2B, dst=0, src=0x1234, ack_request=True, payload=b"\x04")
        log.append(when, poll, channel, page)
        stray = n % 13 == 5                 # now and then an ACK of another frame (its sequence is not the poll's)
        log.append(when + 0.000864, mac.encode(mac.ACK, n + stray & 0xFF), channel, page)
        if n % 50 == 0:
            log.append(when + 0.01, mac.encode(mac.DATA, n & 0xFF, dst_pan=0x1A2B, dst=0x1234, src=0,
                                               payload=bytes([n & 0xFF]) * 20), channel, page)
        when += 7.5 + n * 1e-7


def test_a_sleepy_devices_repeated_frames_are_written_byte_for_byte(tmp_path, monkeypatch):
    """written_records keeps the records it has written by frame (a poll and its ACK recur with each sequence
    number): the file is still write_pcap's of the same frames, byte for byte, across channel changes and with the
    memory cleared when full."""
    monkeypatch.setattr(capture, "_BODIES_MAX", 64)
    log = FrameLog()
    _sleepy_polls(log, 700)
    path = tmp_path / "han.pcap"
    fed = Analysis().add_records(written_records(path, log.records(), rssi=FrameLog.RSSI, lqi=FrameLog.LQI))
    write_pcap(tmp_path / "frames.pcap", log)
    assert path.read_bytes() == (tmp_path / "frames.pcap").read_bytes()
    assert fed.frames == len(log) and fed.figures() == han_evidence.figures(path)


def test_a_sleepy_devices_repeated_frames_are_each_counted_with_their_own_sequence(monkeypatch):
    """The analysis keeps decoded frames by their bytes: each ACK is still matched by its own sequence number, so
    every poll's ACK's airtime is the CH's, a stray ACK's nobody's and every poll's the device's, on the band each
    was sent on; and each band's frames are counted by channel as the device hops between them."""
    monkeypatch.setattr(analysis, "_KNOWN_MAX", 64)
    log = FrameLog()
    _sleepy_polls(log, 700)
    expected: dict[tuple[str, str], float] = defaultdict(float)
    poll = None
    for frame in log:
        header = mac.decode(frame.mpdu)
        if header.frame_type == mac.ACK and header.sequence != poll:
            continue                                    # a stray ACK: nobody's airtime
        poll = header.sequence if header.frame_type == mac.COMMAND else poll
        sender = "0x1234" if header.frame_type == mac.COMMAND else "CH"
        band = analysis.band_of(frame)
        expected[(band, sender)] += analysis.airtime(band, len(frame.mpdu))
    bands = Analysis().add_records(log.records()).result()["bands"]
    got = {(band, device): figures["airtime_s"] for band in bands
           for device, figures in bands[band]["duty_cycle"]["devices"].items()}
    assert got == {key: round(seconds, 6) for key, seconds in expected.items()} and len(got) == 4
    on_air = Counter((analysis.band_of(frame), str(frame.channel)) for frame in log)    # frames by band and channel
    assert {(band, channel): count for band in bands for channel, count in bands[band]["channels"].items()} == on_air
    assert {band: bands[band]["frames"] for band in bands} == {band: sum(n for (b, _), n in on_air.items() if b == band)
                                                                for band in bands}
