"""`dit han analyse` on crafted captures whose figures are computed by hand, and on the radio model's own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from dit_command import dit

from harness.han import mac
from harness.han.analysis import SUB_GHZ, Analysis, airtime, analyse, percentile
from harness.han.capture import CapturedFrame, CaptureError, read, write_pcap, write_pcapng
from harness.han.capture import records as records_of
from harness.han.duty_cycle import Thresholds

PAN, CH, ESME, GSME = 0x1A2B, 0x0000, 0x3C01, 0x3C02
ESME_EUI = bytes.fromhex("00DB1234567890A0")


def nwk(destination: int, source: int, sequence: int, ieee: bytes | None = None) -> bytes:
    control = (2 << 2) | ((1 << 12) if ieee else 0)
    return (control.to_bytes(2, "little") + destination.to_bytes(2, "little") + source.to_bytes(2, "little")
            + bytes([30, sequence]) + (bytes(reversed(ieee)) if ieee else b""))


def aps(cluster: int, counter: int, profile: int = 0x0109, fragment: tuple[int, int] | None = None) -> bytes:
    control = 0x40 | (0x80 if fragment else 0)
    header = bytes([control, 1]) + cluster.to_bytes(2, "little") + profile.to_bytes(2, "little") + bytes([1, counter])
    return header + (bytes(fragment) if fragment else b"")


def data(time: float, src: int, dst: int, seq: int, payload: bytes, channel: int = 11, page: int = 0,
         ieee: bytes | None = None) -> CapturedFrame:
    mpdu = mac.encode(mac.DATA, seq, dst_pan=PAN, dst=dst, src=src, ack_request=False,
                      payload=nwk(dst, src, seq, ieee) + payload)
    return CapturedFrame(time, mpdu, channel, page)


def test_request_response_latency_is_the_answer_start_minus_the_request_end():
    frames, expected = [], []
    for n, gap in enumerate((0.010, 0.030, 0.020, 0.200)):
        request = data(100.0 + n, CH, ESME, 2 * n, aps(0x0704, n) + bytes(30))
        end = request.time + airtime("2.4 GHz", len(request.mpdu))
        frames += [request, data(end + gap, ESME, CH, 2 * n + 1, aps(0x0704, 100 + n) + bytes(12), ieee=ESME_EUI)]
        expected.append(gap)
    result = analyse(frames)["bands"]["2.4 GHz"]
    overall = result["latency"]["overall"]
    # nearest rank over [0.010, 0.020, 0.030, 0.200]: p50 is the 2nd, p95 the 4th
    assert overall == {"count": 4, "p50_s": 0.02, "p95_s": 0.2, "max_s": 0.2}
    assert list(result["latency"]["by_device"]) == ["00-DB-12-34-56-78-90-A0"]
    assert result["latency"]["by_type"]["Tunneling 0x0704"]["count"] == 4
    assert percentile([5, 1, 4, 2, 3], 50) == 3 and percentile([1, 2], 95) == 2


def test_airtime_from_the_phy_of_each_band():
    assert airtime("2.4 GHz", 40) == pytest.approx((6 + 40 + 2) * 8 / 250_000)      # 1.536 ms
    assert airtime(SUB_GHZ, 40) == pytest.approx((8 + 40 + 2) * 8 / 100_000)         # 4.0 ms


def test_fragments_make_one_message_timed_from_first_start_to_last_end():
    blocks = [data(10.0 + 0.01 * b, CH, GSME, b, aps(0x0704, 7, fragment=(1, 3) if b == 0 else (2, b)) + bytes(82))
              for b in range(3)]
    result = analyse(blocks)["bands"]["2.4 GHz"]
    assert result["messages"] == 1
    transfer = result["latency"]["transfer_by_type"]["Tunneling 0x0704"]
    assert transfer["max_s"] == pytest.approx(0.02 + airtime("2.4 GHz", len(blocks[2].mpdu)), abs=1e-6)


def test_duty_cycle_states_on_a_rolling_hour_with_hand_computed_crossings():
    # 125-byte MPDUs on sub-GHz: (8 + 125 + 2) x 8 / 100 kb/s = 10.8 ms each; 1.3 % of an hour is 46.8 s, so the
    # 4,334th frame (46.8072 s) takes the ESME to Limited; frames are 0.5 s apart, all within the hour.
    payload = bytes(125 - 9 - 8)
    frames = [data(1000.0 + 0.5 * n, ESME, CH, n % 256, payload, channel=5, page=28) for n in range(4400)]
    frames.append(data(1000.0 + 0.5 * 4399 + 3600.0, ESME, CH, 1, payload, channel=5, page=28))  # an hour later
    assert all(len(f.mpdu) == 125 for f in frames)
    result = analyse(frames, Thresholds(1.3, 2.2, 2.5))["bands"][SUB_GHZ]["duty_cycle"]
    [up, down] = result["transitions"]
    assert (up["from"], up["to"], up["device"]) == ("Normal", "Limited", "0x3c01")
    assert up["time"] == pytest.approx(1000.0 + 0.5 * 4333 + 0.0108, abs=1e-6)
    assert up["percent"] == pytest.approx(4334 * 0.0108 / 3600 * 100, abs=1e-4)
    assert (down["from"], down["to"]) == ("Limited", "Normal")
    esme = result["devices"]["0x3c01"]
    assert esme["max_percent"] == pytest.approx(4400 * 0.0108 / 36, abs=1e-4) and esme["max_state"] == "Limited"
    assert esme["airtime_s"] == pytest.approx(4401 * 0.0108) and esme["state"] == "Normal"


def test_an_ack_counts_towards_the_device_it_came_from():
    request = CapturedFrame(5.0, mac.encode(mac.DATA, 9, dst_pan=PAN, dst=ESME, src=CH, ack_request=True,
                                            payload=nwk(ESME, CH, 1)), 11, 0)
    ack = CapturedFrame(5.002, mac.encode(mac.ACK, 9), 11, 0)
    devices = analyse([request, ack])["bands"]["2.4 GHz"]["duty_cycle"]["devices"]
    assert devices["0x3c01"]["airtime_s"] == pytest.approx(airtime("2.4 GHz", 3))
    assert devices["CH"]["airtime_s"] == pytest.approx(airtime("2.4 GHz", len(request.mpdu)))


def test_channel_changes_seen_on_air_and_announced_with_their_trigger():
    notify = data(50.0, ESME, CH, 1, aps(0x8038, 1, profile=0) + bytes([1, 0]) + bytes(11))
    update = data(60.0, CH, 0xFFFF, 2, aps(0x0038, 2, profile=0) + bytes([3]) + ((28 << 27) | (1 << 5)).to_bytes(
        4, "little") + bytes([0xFE, 1]), channel=11)
    moved = data(70.0, CH, ESME, 3, aps(0x0704, 3) + bytes(4), channel=15)
    changes = analyse([data(40.0, CH, ESME, 0, aps(0x0704, 0)), notify, update, moved])["channel_changes"]
    assert changes[0] == {"band": "2.4 GHz", "time": 60.0, "from": None, "to": 5, "how": "announced",
                          "trigger": "Mgmt_NWK_Update_notify", "page": 28}
    assert changes[1] == {"band": "2.4 GHz", "time": 70.0, "from": 11, "to": 15, "how": "seen on air",
                          "trigger": "Mgmt_NWK_Update_notify"}


def test_dit_han_analyse_prints_and_writes_json(tmp_path):
    frames = [data(1.0, CH, ESME, 1, aps(0x0704, 1) + bytes(20)), data(1.05, ESME, CH, 2, aps(0x0704, 2))]
    path = tmp_path / "han.pcap"
    write_pcap(path, frames)
    result = dit("han", "analyse", str(path), "--json")
    assert result.returncode == 0, result.stderr
    [summary] = json.loads(result.stdout)
    assert summary["frames"] == 2 and set(summary) >= {"frames", "bands", "channel_changes"}
    assert summary["bands"]["2.4 GHz"]["latency"]["overall"]["count"] == 1
    text = dit("han", "analyse", str(path))
    assert "2.4 GHz: 2 frames (ch 11: 2)" in text.stdout and "over 1 exchanges" in text.stdout
    bad = dit("han", "analyse", str(path), "--limited", "3", "--critical", "2")
    assert bad.returncode == 2 and "thresholds must rise" in bad.stderr



def test_dit_han_analyse_lists_the_first_channel_changes_and_counts_them_all(tmp_path):
    """A band hopping on every frame: the JSON lists the first CHANGES_LISTED changes and counts all of them;
    --all-changes lists every one; the analysis itself keeps them all."""
    from harness.cli.han import CHANGES_LISTED

    frames = [data(1.0 + n, CH, ESME, n % 256, aps(0x0704, n % 256), channel=11 + n % 2)
              for n in range(CHANGES_LISTED + 6)]
    path = tmp_path / "hopping.pcap"
    write_pcap(path, frames)
    changes = analyse(frames)["channel_changes"]
    assert len(changes) == CHANGES_LISTED + 5
    [summary] = json.loads(dit("han", "analyse", str(path), "--json").stdout)
    assert summary["channel_changes"] == changes[:CHANGES_LISTED]
    assert summary["channel_change_counts"] == {"total": CHANGES_LISTED + 5, "by_band": {"2.4 GHz": CHANGES_LISTED + 5},
                                                "by_how": {"seen on air": CHANGES_LISTED + 5},
                                                "by_trigger": {"unknown": CHANGES_LISTED + 5}}
    [everything] = json.loads(dit("han", "analyse", str(path), "--json", "--all-changes").stdout)
    assert everything["channel_changes"] == changes and everything["channel_change_counts"]["total"] == len(changes)
    text = dit("han", "analyse", str(path)).stdout
    assert text.count("channel change 2.4 GHz") == CHANGES_LISTED and "and 5 more channel changes" in text

def test_a_truncated_capture_is_analysed_up_to_the_break(tmp_path):
    path = tmp_path / "cut.pcap"
    write_pcap(path, [data(1.0 + n, CH, ESME, n, aps(0x0704, n) + bytes(20)) for n in range(5)])
    path.write_bytes(path.read_bytes()[:-10])
    result = dit("han", "analyse", str(path), "--json")
    assert result.returncode == 1
    [summary] = json.loads(result.stdout)
    assert summary["frames"] == 4 and "truncated" in summary["error"]
    assert dit("han", "analyse", str(tmp_path / "none.pcap")).returncode == 2


SAMPLES = os.environ.get("DIT_ZIGBEE_SAMPLES", "")
NO_SAMPLES = ("no public ZigBee sample captures here: set DIT_ZIGBEE_SAMPLES to a folder of them (e.g. Wireshark's "
              "zigbee-join-authenticate.pcap, scapy's test/pcaps, KillerBee's control4-sample.pcap); none ships in a "
              "PyPI or Debian package this project can install")


@pytest.mark.parametrize("sample", sorted(p for p in Path(SAMPLES).glob("*.pcap*") if p.is_file()) if SAMPLES else
                         [pytest.param(None, marks=pytest.mark.skip(reason=NO_SAMPLES))])
def test_public_sample_captures_agree_with_tshark(sample):
    if shutil.which("tshark") is None:
        pytest.skip("tshark not installed (apt-get install tshark)")
    fields = ["frame.time_epoch", "wpan.src16", "wpan.dst16", "wpan.src64", "wpan.dst64"]
    out = subprocess.run(["tshark", "-r", str(sample), "-T", "fields", "-E", "separator=,",
                          *[x for f in fields for x in ("-e", f)]], capture_output=True, text=True, check=True)
    rows = [line.split(",") for line in out.stdout.splitlines()]
    frames = list(read(sample))
    assert len(frames) == len(rows) == analyse(read(sample))["frames"]
    for row, frame in zip(rows, frames, strict=True):
        assert float(row[0]) == pytest.approx(frame.time, abs=1e-6)
        header = mac.decode(frame.mpdu)
        ours = [mac.address_text(header.src, False) if header.src is not None and not header.src_long else "",
                mac.address_text(header.dst, False) if header.dst is not None and not header.dst_long else "",
                mac.address_text(header.src, True) if header.src_long else "",
                mac.address_text(header.dst, True) if header.dst_long else ""]
        assert row[1:] == ours


def _every_finding() -> list[CapturedFrame]:
    """A capture with every kind of finding the analysis makes, on both bands: request/response pairs, a long
    address named by its NWK IEEE, a fragmented message, an ACK counted to its sender, a duty cycle crossing to
    Limited and back, a channel change seen on air and one announced with its trigger, an energy scan request, a
    NWK-secured message, an APS ACK, a MAC-secured frame and a malformed one; some frames without RSS and LQI or
    without a channel, so their TAP header is not the usual one."""
    secured_nwk = mac.encode(mac.DATA, 7, dst_pan=PAN, dst=CH, src=GSME,
                             payload=((2 << 2) | (1 << 9)).to_bytes(2, "little") + bytes(6) + bytes(20))
    frames = [data(1.0, CH, ESME, 1, aps(0x0704, 1) + bytes(30)),
              data(1.02, ESME, CH, 2, aps(0x0704, 2) + bytes(12), ieee=ESME_EUI),
              *[data(2.0 + 0.01 * b, CH, GSME, 3 + b, aps(0x0704, 9, fragment=(1, 3) if b == 0 else (2, b)) + bytes(60))
                for b in range(3)],
              CapturedFrame(3.0, mac.encode(mac.DATA, 9, dst_pan=PAN, dst=ESME, src=CH, ack_request=True,
                                            payload=nwk(ESME, CH, 9)), 11, 0, True, -60.0, 200),
              CapturedFrame(3.001, mac.encode(mac.ACK, 9), 11, 0),                        # no RSS or LQI
              CapturedFrame(3.5, secured_nwk, None, None),                                 # no channel: no page
              data(4.0, GSME, CH, 10, bytes([0x02]) + aps(0x0704, 4)[1:]),                  # an APS ACK
              CapturedFrame(4.5, mac.encode(mac.DATA, 11, dst_pan=PAN, dst=CH, src=ESME, security=True,
                                            frame_version=1, payload=bytes([0x05]) + bytes(4) + bytes(20)), 11, 0),
              CapturedFrame(4.6, b"\x41", 11, 0),                                          # malformed
              data(50.0, ESME, CH, 12, aps(0x8038, 1, profile=0) + bytes([1, 0]) + bytes(11)),
              data(55.0, CH, 0xFFFF, 13, aps(0x0038, 2, profile=0) + bytes([3]) + (1 << 15).to_bytes(4, "little")
                   + bytes([0x02, 1])),                                                   # an energy scan request
              data(60.0, CH, 0xFFFF, 14, aps(0x0038, 3, profile=0) + bytes([3]) + ((28 << 27) | (1 << 5)).to_bytes(
                  4, "little") + bytes([0xFE, 1])),
              data(70.0, CH, ESME, 15, aps(0x0704, 5) + bytes(4), channel=15)]
    payload = bytes(125 - 9 - 8)                     # 125-byte MPDUs: the sub-GHz ESME crosses 1.3 % of an hour
    frames += [data(1000.0 + 0.5 * n, ESME, CH, n % 256, payload, channel=5, page=28) for n in range(4400)]
    frames.append(data(1000.0 + 0.5 * 4399 + 3600.0, ESME, CH, 1, payload, channel=5, page=28))
    frames += [data(1000.0 + 0.5 * 4399 + 3600.2, CH, ESME, 2, aps(0x0704, 6) + bytes(8), channel=5, page=28),
               data(1000.0 + 0.5 * 4399 + 3600.3, ESME, CH, 3, aps(0x0704, 7) + bytes(8), channel=5, page=28)]
    return frames


@pytest.mark.parametrize("writer", [write_pcap, write_pcapng], ids=["pcap", "pcapng"])
def test_the_one_pass_reading_gives_the_frames_and_the_analysis_of_the_frame_reader(tmp_path, writer):
    """capture.records (what `dit han analyse` reads: one struct per usual TAP frame, no CapturedFrame) gives what
    capture.read gives, and the analysis of its records is the analysis of the frames themselves, every finding kind
    in it; a cut-short capture breaks off after the same frames."""
    frames = _every_finding()
    path = tmp_path / "every.cap"
    writer(path, frames)
    records = list(records_of(path))
    assert records == [(f.time, f.mpdu, f.channel, f.page) for f in read(path)]
    assert [r[1] for r in records] == [f.mpdu for f in frames]
    result = Analysis().add_records(records_of(path)).result()
    assert result == analyse(frames)
    sub_ghz, near = result["bands"][SUB_GHZ], result["bands"]["2.4 GHz"]
    assert [t["to"] for t in sub_ghz["duty_cycle"]["transitions"]] == ["Limited", "Normal"]
    assert {c["how"] for c in result["channel_changes"]} == {"seen on air", "announced"}
    assert near["latency"]["overall"]["count"] >= 1 and sub_ghz["latency"]["overall"]["count"] == 1
    assert "00-DB-12-34-56-78-90-A0" in near["duty_cycle"]["devices"] and result["malformed"] == 1
    assert near["latency"]["transfer_by_type"]["NWK data"]["count"] == 1
    cut = tmp_path / "cut.cap"
    cut.write_bytes(path.read_bytes()[:-7])
    study = Analysis()
    with pytest.raises(CaptureError) as broke:
        study.add_records(records_of(cut))
    assert study.frames == len(frames) - 1 and "cut short" in str(broke.value)


# -- the rules of reading a capture, each on a capture built to show it ------------------------------------------

def _exchanges(frames: list[CapturedFrame], band: str = "2.4 GHz") -> list[tuple[str, str, float]]:
    study = Analysis().add(frames)
    return [(kind, device, round(seconds, 6)) for kind, device, seconds in study.exchanges(band)]


def _end(frame: CapturedFrame, band: str = "2.4 GHz") -> float:
    return frame.time + airtime(band, len(frame.mpdu))


@pytest.mark.parametrize("page", [28, 29, 30, 31])
def test_every_sub_ghz_page_is_the_sub_ghz_band(page):
    """GB's sub-GHz pages 28-31 are all one band for DIT.8 and DIT.11, page 0 is 2.4 GHz."""
    frames = [data(1.0, CH, ESME, 1, aps(0x0704, 1), channel=3, page=page), data(2.0, CH, ESME, 2, aps(0x0704, 2))]
    bands = analyse(frames)["bands"]
    assert sorted(bands) == ["2.4 GHz", SUB_GHZ] and bands[SUB_GHZ]["channels"] == {"3": 1}


def test_a_capture_without_pages_is_2_4_ghz_on_channels_11_to_26_given_with_channel(tmp_path, capsys):
    """Link type 195 records no channel: `dit han analyse --channel 15` puts its frames on 2.4 GHz (page 0 is the
    only one with channels 11-26); a channel that is not a 2.4 GHz one with no page says nothing of the band."""
    from harness import cli
    from harness.han.capture import LINKTYPE_IEEE802_15_4_WITHFCS

    path = tmp_path / "whsniff.pcap"
    write_pcap(path, [data(1.0, CH, ESME, 1, aps(0x0704, 1) + bytes(20)), data(1.05, ESME, CH, 2, aps(0x0704, 2))],
               LINKTYPE_IEEE802_15_4_WITHFCS)
    assert cli.main(["han", "analyse", str(path), "--channel", "15", "--json"]) == 0
    [summary] = json.loads(capsys.readouterr().out)
    assert list(summary["bands"]) == ["2.4 GHz"] and summary["bands"]["2.4 GHz"]["channels"] == {"15": 2}
    assert summary["bands"]["2.4 GHz"]["latency"]["overall"]["count"] == 1
    assert list(analyse(read(path, channel=5))["bands"]) == ["unknown band"]
    assert list(analyse(read(path))["bands"]) == ["unknown band"]


def test_an_answer_more_than_a_minute_after_the_request_is_a_new_message():
    for gap, answered in ((59.9, True), (60.1, False)):
        request = data(10.0, CH, ESME, 1, aps(0x0704, 1) + bytes(20))
        answer = data(_end(request) + gap, ESME, CH, 2, aps(0x0704, 2))
        assert _exchanges([request, answer]) == ([("Tunneling 0x0704", "0x3c01", gap)] if answered else [])


def test_what_a_device_sends_the_ch_is_never_a_request_the_ch_answers():
    """An alert to the CH, then the CH's command to the device and the device's response: one exchange, the
    command's, not the alert 'answered' by the command."""
    alert = data(1.0, ESME, CH, 1, aps(0x0702, 1))
    command = data(1.5, CH, ESME, 2, aps(0x0704, 2) + bytes(20))
    response = data(_end(command) + 0.04, ESME, CH, 3, aps(0x0704, 3))
    assert _exchanges([alert, command, response]) == [("Tunneling 0x0704", "0x3c01", 0.04)]


def test_of_two_requests_to_a_device_its_answer_answers_the_later():
    """A request repeated before any answer: the answer times from the later one (before another request to it)."""
    first = data(1.0, CH, ESME, 1, aps(0x0702, 1) + bytes(20))
    second = data(3.0, CH, ESME, 2, aps(0x0704, 2) + bytes(20))
    answer = data(_end(second) + 0.03, ESME, CH, 3, aps(0x0704, 3))
    assert _exchanges([first, second, answer]) == [("Tunneling 0x0704", "0x3c01", 0.03)]


def test_an_ack_whose_sequence_is_not_the_awaited_ones_is_no_ones_airtime():
    request = CapturedFrame(5.0, mac.encode(mac.DATA, 9, dst_pan=PAN, dst=ESME, src=CH, ack_request=True,
                                            payload=nwk(ESME, CH, 1)), 11, 0)
    stray = CapturedFrame(5.002, mac.encode(mac.ACK, 10), 11, 0)
    devices = analyse([request, stray])["bands"]["2.4 GHz"]["duty_cycle"]["devices"]
    assert list(devices) == ["CH"]


def test_a_devices_aps_ack_is_not_its_response():
    """The radio acknowledges a message at APS level before the device answers it: the latency is the answer's,
    and the APS ACK is no message of its own."""
    command = data(1.0, CH, ESME, 1, aps(0x0704, 1) + bytes(20))
    aps_ack = data(_end(command) + 0.005, ESME, CH, 2, bytes([0x02]) + aps(0x0704, 1)[1:])
    response = data(_end(command) + 0.25, ESME, CH, 3, aps(0x0704, 9))
    assert _exchanges([command, aps_ack, response]) == [("Tunneling 0x0704", "0x3c01", 0.25)]
    assert analyse([command, aps_ack, response])["bands"]["2.4 GHz"]["messages"] == 2


def _notify(time: float, cluster: int = 0x8038) -> CapturedFrame:
    return data(time, ESME, CH, 1, aps(cluster, 1, profile=0) + bytes([1, 0]) + bytes(11))


def test_a_channel_change_is_triggered_by_a_notify_of_the_ten_minutes_before_only():
    for moved_after, trigger in ((599.0, "Mgmt_NWK_Update_notify"), (601.0, "unknown")):
        frames = [data(1.0, CH, ESME, 0, aps(0x0704, 0)), _notify(2.0),
                  data(2.0 + moved_after, CH, ESME, 3, aps(0x0704, 3), channel=15)]
        [change] = analyse(frames)["channel_changes"]
        assert (change["how"], change["trigger"]) == ("seen on air", trigger)


def test_a_devices_unsolicited_enhanced_notify_triggers_a_sub_ghz_channel_change():
    """SE 1.4: a sub-GHz device reports link problems with ZDO 0x803B; the CH's move that follows is its doing."""
    frames = [data(1.0, CH, GSME, 0, aps(0x0704, 0), channel=5, page=28),
              data(2.0, GSME, CH, 1, aps(0x803B, 1, profile=0) + bytes([1, 0]) + bytes(11), channel=5, page=28),
              data(30.0, CH, GSME, 3, aps(0x0704, 3), channel=9, page=28)]
    assert analyse(frames)["channel_changes"] == [
        {"band": SUB_GHZ, "time": 30.0, "from": 5, "to": 9, "how": "seen on air",
         "trigger": "Mgmt_NWK_Unsolicited_Enhanced_Update_notify"}]


def test_a_devices_duty_cycle_now_is_its_airtime_in_the_last_hour_of_the_capture():
    """A device silent for the capture's last hour is at 0 % now, whatever it reached before."""
    frames = [data(1.0 + n, ESME, CH, n, bytes(100), channel=5, page=28) for n in range(50)]
    frames.append(data(5000.0, CH, ESME, 60, bytes(20), channel=5, page=28))
    esme = analyse(frames)["bands"][SUB_GHZ]["duty_cycle"]["devices"]["0x3c01"]
    assert esme["percent"] == 0 and esme["state"] == "Normal"
    assert esme["max_percent"] == pytest.approx(esme["airtime_s"] / 36, abs=1e-4) and esme["airtime_s"] > 0


def test_dit_11_needs_request_response_exchanges_on_both_bands():
    from harness.han.analysis import BAND_24GHZ, timings

    near_only = {"frames": 4, "latencies_s": {BAND_24GHZ: [0.02, 0.03]}}
    both = {"frames": 2, "latencies_s": {SUB_GHZ: [0.3]}}
    assert timings([near_only])[0] == "not_met"
    status, text = timings([near_only, both])
    assert status == "met" and "sub-GHz: 1 request/response exchanges" in text


def test_dit_8_needs_a_channel_change_as_well_as_the_duty_cycle():
    from harness.han.analysis import agility

    quiet = {"frames": 9, "sub_ghz": {"peak_percent": 1.5, "busiest": "CH", "states": ["Limited"]},
             "channel_changes": []}
    status, text = agility([quiet])
    assert status == "not_met" and "frequency agility not exercised" in text
    moved = {**quiet, "channel_changes": [{"band": SUB_GHZ, "trigger": "Mgmt_NWK_Update_notify"}]}
    assert agility([quiet, moved])[0] == "met"
