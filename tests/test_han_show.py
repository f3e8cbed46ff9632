"""`dit han show`: a frame of a HAN capture dissected layer by layer with scapy, and the fast decoder `dit han
analyse` and the criteria count on (harness.han.mac, capture, analysis) cross-checked against scapy on every kind of
frame the HAN model emits: in a run's capture (one short `dit run` of the dual band channel change, made once) and in
a capture made with the HAN model directly for the kinds that scenario does not bring (ZCL, link problems, lost
tries, 2.4 GHz)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from dit_command import dit
from scapy.config import conf
from scapy.layers.dot15d4 import Dot15d4, Dot15d4FCS
from scapy.layers.zigbee import ZigbeeAppDataPayload, ZigbeeClusterLibrary, ZigbeeNWK, ZigbeeSecurityHeader
from scapy.utils import RawPcapReader

from harness import cli
from harness.clock import VirtualClock
from harness.emulators.han import BAND_24GHZ, SUB_GHZ, SUB_GHZ_CLUSTER, HanNetwork
from harness.eui import EntityId
from harness.han import analysis, capture, dissect, mac
from harness.han.dissect import Protocol

HUB = EntityId("00-DB-12-34-56-78-90-A2")
ESME = EntityId("00-DB-12-34-56-78-90-A0")
GSME = EntityId("00-DB-12-34-56-78-90-A1")


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Path, Path]:
    """One scenario's capture and keystore: the dual band hub's sub-GHz channel change (as named, no cast)."""
    tmp = tmp_path_factory.mktemp("han_show")
    result = dit("run", "-k", "noisy and not GSME2", "--test-set", "DB11-core", "--report-dir", str(tmp / "r"),
                 DIT_SMKI=str(tmp / "smki"))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    [pcap] = (tmp / "r" / "evidence").glob("*/han.pcap")
    return pcap, tmp / "r" / "keystore"


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    """The HAN model's other frame kinds, straight from its API: a 2.4 GHz message, a ZCL command of the Sub-GHz
    cluster, a device's link problems report (ZDO 0x803B), tries lost on a noisy channel, a poll with data pending."""
    clock = VirtualClock()
    han = HanNetwork(clock, hub=HUB, seed=7)
    han.transmit(bytes(40), lambda _: None, band=BAND_24GHZ, destination=ESME)
    han.transmit(bytes([0x01, 0x00, 0x00, 5]), lambda _: None, band=SUB_GHZ, destination=GSME,
                 cluster=SUB_GHZ_CLUSTER)
    han.poll(GSME, SUB_GHZ, pending=True)
    han.notify_link_problems(GSME, 3)
    han.interference.add(han.channels[SUB_GHZ])
    han.transmit(bytes(200), lambda _: None, band=SUB_GHZ, destination=GSME)
    han.change_channel(han.channels[SUB_GHZ] + 1, 1)
    path = tmp_path_factory.mktemp("han_model") / "model.pcap"
    capture.write_pcap(path, han.frames)
    return path


# -- the cross-check ------------------------------------------------------------------------------------------------

def _scapy(mpdu: bytes) -> Dot15d4:
    conf.dot15d4_protocol = "zigbee"
    return Dot15d4(mpdu)


def kind(packet: Dot15d4) -> tuple:
    """A frame's kind by what scapy reads: MAC frame type (and frame pending), NWK with or without APS, APS frame
    type, profile, cluster, fragmentation."""
    key: tuple = (packet.fcf_frametype, bool(packet.fcf_pending))
    nwk = packet.getlayer(ZigbeeNWK)
    if nwk is not None:
        key += ("NWK" if bytes(nwk.payload) else "NWK only",)
    aps = packet.getlayer(ZigbeeAppDataPayload)
    if aps is not None:
        key += (aps.aps_frametype, aps.profile, aps.cluster, aps.fields.get("fragmentation") or 0)
    return key


DATA, ACK, COMMAND = 1, 2, 3
APS_DATA, APS_ACK = 0, 2
SE, ZDP, TUNNELING = 0x0109, 0x0000, 0x0704
# What the dual band scenario's capture brings, and what only the model capture does.
RUN_KINDS = {
    (ACK, False), (ACK, True), (COMMAND, False),
    (DATA, False, "NWK", APS_DATA, SE, TUNNELING, 0), (DATA, False, "NWK", APS_DATA, SE, TUNNELING, 1),
    (DATA, False, "NWK", APS_DATA, SE, TUNNELING, 2), (DATA, False, "NWK", APS_ACK, SE, TUNNELING, 0),
    (DATA, False, "NWK", APS_ACK, SE, TUNNELING, 2), (DATA, False, "NWK", APS_DATA, ZDP, 0x0038, 0)}
MODEL_KINDS = {(DATA, False, "NWK", APS_DATA, SE, SUB_GHZ_CLUSTER, 0), (DATA, False, "NWK", APS_DATA, ZDP, 0x803B, 0),
               (DATA, False, "NWK only")}


def _records(path: Path) -> list[bytes]:
    """The capture's records as scapy's pcap reader gives them (it has no TAP dissector): TAP header, frame, FCS."""
    with RawPcapReader(str(path)) as reader:
        return [record for record, _ in reader]


def cross_check(frame: capture.CapturedFrame, record: bytes) -> list[str]:
    """Where the fast decoder and scapy disagree on one frame: capture reading and FCS, MAC header, NWK, APS."""
    differences = []

    def same(what: str, ours, theirs) -> None:
        if ours != theirs:
            differences.append(f"{what}: fast decoder {ours!r}, scapy {theirs!r}")

    # the capture: TAP header length at bytes 2-3, then the MPDU and the FCS scapy checks itself
    with_fcs = Dot15d4FCS(record[int.from_bytes(record[2:4], "little"):])
    same("MPDU", frame.mpdu, bytes(with_fcs)[:-2])
    same("FCS good", frame.fcs_ok, with_fcs.fcs == int.from_bytes(with_fcs.compute_fcs(frame.mpdu), "little"))
    same("FCS value", mac.crc16_kermit(frame.mpdu), int.from_bytes(with_fcs.compute_fcs(frame.mpdu), "little"))

    header, packet = mac.decode(frame.mpdu), _scapy(frame.mpdu)
    same("frame type", header.frame_type, packet.fcf_frametype)
    same("security", header.security, bool(packet.fcf_security))
    same("frame pending", header.frame_pending, bool(packet.fcf_pending))
    same("ACK request", header.ack_request, bool(packet.fcf_ackreq))
    same("PAN ID compression", header.pan_id_compression, bool(packet.fcf_panidcompress))
    same("frame version", header.frame_version, packet.fcf_framever)
    same("sequence", header.sequence, packet.seqnum)
    addressing = packet.payload if header.frame_type != mac.ACK else None
    fields = addressing.fields if addressing is not None else {}
    same("destination PAN", header.dst_pan, fields.get("dest_panid"))
    same("destination", header.dst, fields.get("dest_addr") if packet.fcf_destaddrmode else None)
    same("destination long", header.dst_long, packet.fcf_destaddrmode == 3)
    same("source PAN", header.src_pan, fields.get("src_panid"))
    same("source", header.src, fields.get("src_addr") if packet.fcf_srcaddrmode else None)
    same("source long", header.src_long, packet.fcf_srcaddrmode == 3)
    # the MAC header's length: all but the payload (a command's identifier is payload to the fast decoder)
    rest = bytes(addressing.payload) if addressing is not None else b""
    same("MAC header length", header.length, len(frame.mpdu) - len(rest) - (header.frame_type == mac.COMMAND))

    nwk = packet.getlayer(ZigbeeNWK)
    ours = analysis._nwk(frame.mpdu, header.length) if header.frame_type == mac.DATA else None
    same("NWK data frame", ours is not None, nwk is not None and nwk.frametype == 0)
    if ours is None or nwk is None:
        return differences
    destination, source, ieee, secured, aps_at = ours
    aps_bytes = frame.mpdu[aps_at:]
    same("NWK destination", destination, nwk.destination)
    same("NWK source", source, nwk.source)
    same("NWK source IEEE", ieee, nwk.ext_src.to_bytes(8, "big") if nwk.fields.get("ext_src") is not None else None)
    same("NWK security", secured, bool(nwk.flags.security))
    same("NWK payload", aps_bytes, bytes(nwk.payload))

    aps = packet.getlayer(ZigbeeAppDataPayload)
    decoded = analysis._aps(frame.mpdu, aps_at)
    same("APS frame", decoded is not None, aps is not None and aps.aps_frametype in (APS_DATA, APS_ACK))
    if decoded is None or aps is None:
        return differences
    frame_kind, cluster, counter, fragmentation, zdo, payload_at = decoded
    payload = frame.mpdu[payload_at:]
    same("APS frame type", frame_kind, {APS_DATA: "data", APS_ACK: "ack"}[aps.aps_frametype])
    same("APS cluster", cluster, aps.cluster)
    same("APS counter", counter, aps.counter)
    same("APS fragmentation", fragmentation, aps.fields.get("fragmentation") or 0)
    same("ZDO", zdo, aps.profile == 0)
    same("APS payload", payload, bytes(aps.payload))
    return differences


def _frames(path: Path) -> list[tuple[capture.CapturedFrame, bytes, tuple]]:
    frames = list(capture.read(path))
    records = _records(path)
    assert len(records) == len(frames)
    return [(frame, record, kind(_scapy(frame.mpdu))) for frame, record in zip(frames, records)]


def test_every_frame_kind_of_a_run_reads_the_same_in_the_fast_decoder_and_in_scapy(run, model):
    """Every frame of both captures, so every kind: the capture reader's MPDU and FCS verdict, the MAC header, the
    NWK header and the APS header as the fast decoder reads them are what scapy reads."""
    run_frames, model_frames = _frames(run[0]), _frames(model)
    assert {k for _, _, k in run_frames} >= RUN_KINDS, "the scenario no longer brings every kind it did"
    assert {k for _, _, k in model_frames} >= MODEL_KINDS
    disagreements = [f"{path.name} frame {number} {k}: {difference}"
                     for path, frames in ((run[0], run_frames), (model, model_frames))
                     for number, (frame, record, k) in enumerate(frames, 1)
                     for difference in cross_check(frame, record)]
    assert not disagreements, "\n".join(disagreements[:20])


def test_the_cross_check_fails_when_the_fast_decoder_misreads_a_field(model, monkeypatch):
    """The check can fail: a fast decoder that reads the NWK source as the destination is caught."""
    def swapped(frame: bytes, at: int):
        found = _nwk(frame, at)
        return None if found is None else (found[1], found[0], *found[2:])

    _nwk = analysis._nwk
    monkeypatch.setattr(analysis, "_nwk", swapped)
    frames = _frames(model)
    assert any("NWK destination" in d for frame, record, _ in frames for d in cross_check(frame, record))


# -- dit han show -----------------------------------------------------------------------------------------------------

def _number(frames, wanted: tuple) -> int:
    return next(n for n, (_, _, k) in enumerate(frames, 1) if k == wanted)


def _show(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["han", "show", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_block_of_a_fragmented_gbcs_message_is_joined_with_its_blocks_and_decoded(run, capsys):
    pcap, keystore = run
    frames = _frames(pcap)
    middle = _number(frames, (DATA, False, "NWK", APS_DATA, SE, TUNNELING, 2))
    code, out, err = _show(capsys, str(pcap), "--frame", str(middle), "--keystore", str(keystore), "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert [layer["protocol"] for layer in shown["layers"]] == ["capture", "mac", "mac", "nwk", "aps", "aps_fragment",
                                                                "gbcs"]
    mac_layer, nwk, aps, fragment, gbcs = (shown["layers"][i] for i in (1, 3, 4, 5, 6))
    header = mac.decode(frames[middle - 1][0].mpdu)
    assert mac_layer["fields"]["seqnum"] == header.sequence and aps["fields"]["fragmentation"] == 2
    assert fragment["offset"] == aps["offset"] + aps["length"] and "joined from its" in fragment["notes"][0]
    # the GBCS message, verified with the run's keys: it is whole, or neither would hold
    assert gbcs["fields"]["signature"] in ("valid", "absent") and gbcs["fields"]["mac"] == "valid"
    assert gbcs["fields"]["message_code"].startswith("0x") and gbcs["problem"] is None
    assert gbcs["fields"]["payload_length"] > 82                # more than one block carries


def test_without_its_first_block_a_fragment_says_the_message_cannot_be_joined(run, tmp_path, capsys):
    pcap, _ = run
    frames = _frames(pcap)
    first = _number(frames, (DATA, False, "NWK", APS_DATA, SE, TUNNELING, 1))
    second = next(n for n, (_, _, k) in enumerate(frames, 1) if n > first and k[-1] == 2 and k[3] == APS_DATA)
    capture.write_pcap(tmp_path / "cut.pcap", [frame for n, (frame, _, _) in enumerate(frames, 1) if n != first])
    code, out, _ = _show(capsys, str(tmp_path / "cut.pcap"), "--frame", str(second - 1), "--json")
    layers = json.loads(out)["layers"]
    assert code == 0 and layers[-1]["protocol"] == "aps_fragment" and "not reassembled" in layers[-1]["notes"][0]


def test_a_short_message_text_tree_names_each_layer_and_its_fields(run, capsys):
    pcap, _ = run
    frames = _frames(pcap)
    number = _number(frames, (DATA, False, "NWK", APS_DATA, SE, TUNNELING, 0))
    code, out, _ = _show(capsys, str(pcap), "--frame", str(number))
    heads = [line.split("  [")[0] for line in out.splitlines() if not line.startswith(" ")]
    assert code == 0 and heads == [f"Frame {number} of {pcap}", "802.15.4", "802.15.4 Data", "Zigbee Network Layer",
                                   "Zigbee Application Layer Data Payload (General APS Frame Format)", "GBCS"]
    assert "  fcf_frametype: Data (1)" in out and "  cluster: 0x704" in out and "  cra_flag: " in out
    assert "carried straight in APS" in out and "signature and MAC not checked" in out


@pytest.mark.parametrize(("wanted", "protocols", "note"), [
    ((DATA, False, "NWK", APS_DATA, ZDP, 0x803B, 0), ["aps", "zdp", "zdp"], "ZDO Mgmt_NWK_Unsolicited"),
    ((DATA, False, "NWK", APS_DATA, SE, SUB_GHZ_CLUSTER, 0), ["aps", "zcl", "payload"], "Sub-GHz cluster 0x070B"),
    ((DATA, False, "NWK only"), ["mac", "mac", "nwk"], None),
    ((ACK, True), ["capture", "mac"], None),
    ((COMMAND, False), ["mac", "mac"], None),
])
def test_each_kind_the_model_emits_dissects_to_its_layers(model, capsys, wanted, protocols, note):
    number = _number(_frames(model), wanted)
    code, out, _ = _show(capsys, str(model), "--frame", str(number), "--json")
    layers = json.loads(out)["layers"]
    assert code == 0 and [layer["protocol"] for layer in layers][-len(protocols):] == protocols
    if note:
        aps = next(layer for layer in layers if layer["protocol"] == "aps")
        assert any(n.startswith(note) for n in aps["notes"])


def test_the_link_problems_a_device_reports_are_read_field_by_field(model):
    """Mgmt_NWK_Unsolicited_Enhanced_Update_notify (ZDO 0x803B), which scapy leaves raw: the HAN model's report of
    3 failures on its sub-GHz channel."""
    frames = _frames(model)
    number = _number(frames, (DATA, False, "NWK", APS_DATA, ZDP, 0x803B, 0))
    report = dissect.dissect(frames[number - 1][0], number).layers[-1]
    assert report.name == "Mgmt_NWK_Unsolicited_Enhanced_Update_notify"
    assert (report.fields["mac_tx_ucast_failures"], report.fields["mac_tx_ucast_retries"],
            report.fields["mac_tx_ucast_total"]) == (3, 3, 4)
    assert report.fields["channel_in_use_page"] == 28
    assert report.fields["channel_in_use_list"] == [frames[number - 1][0].channel]


def test_a_channel_change_announced_reads_as_the_fast_decoder_counts_it(run):
    """Mgmt_NWK_Update_req with scan duration 0xFE: the new channel in its mask is the one `dit han analyse` says the
    band moved to."""
    pcap, _ = run
    frames = _frames(pcap)
    number = _number(frames, (DATA, False, "NWK", APS_DATA, ZDP, 0x0038, 0))
    update = dissect.dissect(frames[number - 1][0], number).layers[-1]
    announced = [c for c in analysis.analyse(f for f, _, _ in frames)["channel_changes"] if c["how"] == "announced"]
    assert update.name == "Mgmt_NWK_Update_req" and update.fields["scan_duration"] == 0xFE
    assert update.fields["nwk_update_id"] >= 1 and "scan_count" not in update.fields     # a change, not a scan
    assert update.notes == ("a channel change to the channel of the mask",)
    assert update.fields["scan_channels_list"] == [announced[0]["to"]] and update.fields["scan_channels_page"] == 28


def _frame_with(payload: bytes, *, nwk_flags: str = "extended_src") -> capture.CapturedFrame:
    """A MAC data frame from the CH to a device carrying `payload` after a NWK header scapy builds."""
    nwk = bytes(ZigbeeNWK(flags=nwk_flags, destination=0x1234, source=0, radius=30, seqnum=7, ext_src=0x00DB))
    mpdu = mac.encode(mac.DATA, 1, dst_pan=0x1A2B, dst=0x1234, src=0, ack_request=True, payload=nwk + payload)
    return capture.CapturedFrame(1.7e9, mpdu, 11, 0, True)


@pytest.mark.parametrize("direction,command", [(0, 0x02), (1, 0x01)], ids=["to server", "to client"])
def test_a_real_hans_tunneling_transfer_data_is_opened_to_its_gbcs_message(run, direction, command):
    """On a real HAN GBCS rides in a ZCL TransferData (client to server 0x02, server to client 0x01: a command and
    its response) after a 2-byte tunnel ID."""
    pcap, _ = run
    frames = _frames(pcap)
    number = _number(frames, (DATA, False, "NWK", APS_DATA, SE, TUNNELING, 0))
    gbcs = bytes(_scapy(frames[number - 1][0].mpdu)[ZigbeeAppDataPayload].payload)
    aps = ZigbeeAppDataPayload(frame_control="ack_req", delivery_mode=0, aps_frametype=0, dst_endpoint=1,
                               cluster=TUNNELING, profile=SE, src_endpoint=1, counter=9)
    zcl = ZigbeeClusterLibrary(zcl_frametype=1, command_direction=direction, transaction_sequence=3,
                               command_identifier=command)
    frame = _frame_with(bytes(aps) + bytes(zcl) + (0x0101).to_bytes(2, "little") + gbcs)
    layers = dissect.dissect(frame, 1).layers
    assert [layer.protocol for layer in layers][-4:] == [Protocol.APS, Protocol.ZCL, Protocol.ZCL, Protocol.GBCS]
    assert layers[-2].fields == {"tunnel_id": 0x0101} and layers[-1].fields["message_code"].startswith("0x")


def test_a_secured_nwk_frame_shows_its_security_header_and_says_the_payload_is_ciphered():
    security = bytes(ZigbeeSecurityHeader(nwk_seclevel=5, key_type=1, fc=0x42, source=0x00DB, key_seqnum=0,
                                          data=bytes(20)))
    layers = dissect.dissect(_frame_with(security, nwk_flags="security+extended_src"), 1).layers
    assert layers[-1].protocol is Protocol.NWK_SECURITY and layers[-1].fields["fc"] == 0x42
    assert "ciphered" in layers[-1].notes[0]


def test_a_secured_aps_frame_shows_its_security_header_and_says_the_payload_is_ciphered():
    aps = ZigbeeAppDataPayload(frame_control="security+ack_req", delivery_mode=0, aps_frametype=0, dst_endpoint=1,
                               cluster=0x0702, profile=SE, src_endpoint=1, counter=9)
    security = ZigbeeSecurityHeader(nwk_seclevel=5, key_type=0, extended_nonce=0, fc=0x43, data=bytes(12))
    layers = dissect.dissect(_frame_with(bytes(aps) + bytes(security)), 1).layers
    assert [layer.protocol for layer in layers][-2:] == [Protocol.APS, Protocol.APS_SECURITY]
    assert layers[-1].fields["fc"] == 0x43 and "APS security: the payload is ciphered" in layers[-1].notes[0]


# -- bad input --------------------------------------------------------------------------------------------------------

def test_bad_input_is_one_line(run, tmp_path, capsys):
    pcap, _ = run
    not_capture = tmp_path / "notes.txt"
    not_capture.write_text("not a capture\n")
    frames = list(capture.read(pcap))
    for args, code, words in [
        ((str(tmp_path / "missing.pcap"), "--frame", "1"), 2, "cannot read: No such file"),
        ((str(not_capture), "--frame", "1"), 2, "not a pcap or pcapng capture"),
        ((str(pcap), "--frame", str(len(frames) + 1)), 2, f"no frame {len(frames) + 1}: the capture has {len(frames)}"),
        ((str(pcap), "--frame", "0"), 2, "frames count from 1"),
    ]:
        result, out, err = _show(capsys, *args)
        lines = err.strip().splitlines()
        assert result == code and out == "" and len(lines) == 1 and words in lines[0], lines


def test_a_frame_cut_short_names_the_layer_and_the_byte_it_starts_at(run, tmp_path, capsys):
    pcap, _ = run
    first = next(capture.read(pcap))
    cuts = {5: "802.15.4 Data at byte 3", 20: "Zigbee Network Layer at byte 9", 30: "Zigbee Application Layer Data "
            "Payload (General APS Frame Format) at byte 25", 2: "802.15.4 MAC header is cut short"}
    capture.write_pcap(tmp_path / "cut.pcap", [dataclasses.replace(first, mpdu=first.mpdu[:n]) for n in cuts])
    for number, words in enumerate(cuts.values(), 1):
        code = cli.main(["han", "show", str(tmp_path / "cut.pcap"), "--frame", str(number)])
        out, err = capsys.readouterr()
        assert code == 1 and out == "" and len(err.strip().splitlines()) == 1 and words in err, err


def test_a_gbcs_message_cut_short_is_shown_and_fails(run, tmp_path, capsys):
    pcap, _ = run
    first = next(capture.read(pcap))                 # a short message: its MAC, NWK and APS headers take 33 bytes
    capture.write_pcap(tmp_path / "cut.pcap", [dataclasses.replace(first, mpdu=first.mpdu[:40])])
    code = cli.main(["han", "show", str(tmp_path / "cut.pcap"), "--frame", "1"])
    out, err = capsys.readouterr()
    assert code == 1 and "GBCS  [bytes 33-39]" in out and "error: " in out
    assert len(err.strip().splitlines()) == 1 and "frame 1: GBCS: " in err
