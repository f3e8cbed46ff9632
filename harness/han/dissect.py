"""`dit han show`: one frame of a HAN capture dissected layer by layer with scapy's IEEE 802.15.4 and ZigBee layers
(the dissector the project's users named), up to what the frame carries: a ZDP or ZCL command, or the GBCS message
of the Tunneling cluster, which goes to the GBCS triage decoder of `dit gbcs decode`.

What scapy does not do, and who does it here:
- the capture file: scapy has no link type 283 (IEEE 802.15.4 TAP, what dit writes), so frames come from
  harness.han.capture, which reads 195, 230 and 283, pcap and pcapng, and gives the FCS verdict;
- APS fragments: scapy dissects each block alone (and takes a middle block for a ZCL frame); the blocks of the
  frame's message are found in the capture (same NWK source and destination, APS counter and cluster, within a
  minute of the frame) and joined in block order before the message is dissected;
- the Tunneling cluster's payload: scapy reads it as a ZCL frame; it is a GBCS message, behind a ZCL TransferData
  header on a real HAN and without one in the emulated lab's HAN model, which carries GBCS straight in APS;
- NWK and APS security: scapy shows the auxiliary security header and cannot decrypt; dit is given no network
  key (the HAN model does not secure frames, GBCS protects its own payload), so a secured payload is said to be
  ciphered;
- the ZDO commands of frequency agility (Mgmt_NWK_Update_req, its notify and SE 1.4's unsolicited enhanced notify),
  which scapy leaves raw, are read field by field, a channel mask also as its page and channels.

A layer scapy cannot dissect (a frame cut short, a malformed header) is a DissectionError naming the layer and
the byte it starts at; the capture's own problems (no file, not a capture, a cut-short record) are CaptureError.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from scapy.config import conf
from scapy.fields import FlagValue
from scapy.layers.dot15d4 import Dot15d4
from scapy.layers.zigbee import ZigbeeAppDataPayload, ZigbeeClusterLibrary, ZigbeeSecurityHeader
from scapy.packet import NoPayload, Packet, Raw

from harness.errors import CheckFailed, DitError
from harness.han import analysis, capture
from harness.han.capture import CapturedFrame, CaptureError

if TYPE_CHECKING:
    import os

    from harness.pki import Keystore

SE_PROFILE, ZDP_PROFILE = 0x0109, 0x0000
TUNNELING_CLUSTER = 0x0704
# Tunneling cluster TransferData: command 0x02 client to server, 0x01 server to client (ZCL SE, Tunneling).
_TRANSFER_DATA = {0: 0x02, 1: 0x01}
_GBCS_TAGS = (0xDD, 0xDF)           # general-ciphering, general-signing: how every GBCS message starts
_BLOCK_WINDOW_S = 60.0              # the blocks of one APS message are on air within this of each other
_FIRST_BLOCK, _MIDDLE_BLOCK = 1, 2


class Protocol(str, Enum):
    """Which protocol a layer of the dissection is: what `--json` says in `protocol`."""

    CAPTURE = "capture"
    MAC = "mac"
    NWK = "nwk"
    NWK_SECURITY = "nwk_security"
    APS = "aps"
    APS_SECURITY = "aps_security"
    APS_FRAGMENT = "aps_fragment"
    ZDP = "zdp"
    ZCL = "zcl"
    GBCS = "gbcs"
    PAYLOAD = "payload"


class DissectionError(CheckFailed):
    """A frame whose layer scapy cannot dissect: cut short or malformed."""


@dataclass(frozen=True)
class Layer:
    """One layer: its fields as scapy names them (`fields`: the values; `shown`: as scapy prints them), where it
    starts in the MAC frame (None in a message joined from fragments) and how many bytes its header takes."""

    name: str
    protocol: Protocol
    fields: dict[str, Any]
    shown: dict[str, str]
    offset: int | None
    length: int
    notes: tuple[str, ...] = ()
    tree: tuple[str, ...] = ()      # a decoded payload's fields as an indented tree (GBCS)
    problem: str | None = None      # what fails triage in this layer: a GBCS message unreadable or failing a check

    def as_dict(self) -> dict:
        return {"layer": self.name, "protocol": self.protocol.value, "offset": self.offset, "length": self.length,
                "fields": self.fields, "shown": self.shown, "notes": list(self.notes), "problem": self.problem}


@dataclass(frozen=True)
class FrameDissection:
    capture: str
    number: int
    layers: tuple[Layer, ...]

    def layer(self, protocol: Protocol) -> Layer | None:
        return next((layer for layer in self.layers if layer.protocol is protocol), None)

    @property
    def problems(self) -> list[str]:
        return [f"{layer.name}: {layer.problem}" for layer in self.layers if layer.problem]

    def as_dict(self) -> dict:
        return {"capture": self.capture, "frame": self.number, "layers": [layer.as_dict() for layer in self.layers]}

    def text(self) -> list[str]:
        """The layer tree a test engineer pastes into a defect."""
        lines = []
        for layer in self.layers:
            where = "" if layer.offset is None else f"  [byte {layer.offset}]" if layer.length == 1 else \
                f"  [bytes {layer.offset}-{layer.offset + layer.length - 1}]" if layer.length else \
                f"  [byte {layer.offset}, empty]"
            lines.append(f"{layer.name}{where}")
            for name, value in layer.fields.items():
                if name not in layer.shown:         # shown another way (a payload's tree)
                    continue
                shown = layer.shown[name]
                # an enumeration's name with its number ("Data (1)"); numbers and flags as scapy prints them
                named = type(value) is int and shown not in (str(value), "(none)") and not shown.startswith("0x") \
                    and ":" not in shown
                lines.append(f"  {name}: {shown} ({value})" if named else f"  {name}: {shown}")
            lines += [f"  {line}" for line in layer.tree]
            lines += [f"  note: {note}" for note in layer.notes]
        return lines


# -- reading the frame from its capture ---------------------------------------------------------------------------

def frame_of(path: str | os.PathLike, number: int, *, channel: int | None = None,
             page: int | None = None) -> tuple[CapturedFrame, list[CapturedFrame]]:
    """Frame `number` (1-based, as Wireshark counts) of a capture and the frames within a minute either side of it
    (where the other blocks of a fragmented message are), in one pass with bounded memory."""
    before: deque[CapturedFrame] = deque()
    after: list[CapturedFrame] = []
    found: CapturedFrame | None = None
    count = 0
    frames = capture.read(path, channel=channel, page=page)
    try:
        for count, frame in enumerate(frames, 1):
            if found is None:
                if count == number:
                    found = frame
                    while before and before[0].time < frame.time - _BLOCK_WINDOW_S:
                        before.popleft()
                    continue
                before.append(frame)
                while len(before) > 1 and before[0].time < frame.time - _BLOCK_WINDOW_S:
                    before.popleft()
            elif frame.time > found.time + _BLOCK_WINDOW_S:
                break
            else:
                after.append(frame)
    except CaptureError:
        if found is None:
            raise
        # a record cut short after the frame: the frame itself was read whole; its neighbours up to the break are
    finally:
        close = getattr(frames, "close", None)
        if close is not None:
            close()
    if found is None:
        raise DitError(f"no frame {number}: the capture has {count} frame{'s' if count != 1 else ''}",
                       where=str(path), fix=f"give --frame 1 to {count}" if count else "the capture holds no frame")
    return found, [*before, *after]


# -- scapy ------------------------------------------------------------------------------------------------------------

@contextmanager
def _zigbee() -> Iterator[None]:
    """scapy's ZigBee reading of 802.15.4 data frames (else it takes them for 6LoWPAN), and its dissectors' own
    failure log quiet: a layer it cannot dissect is found and named here."""
    protocol, runtime = conf.dot15d4_protocol, logging.getLogger("scapy.runtime")
    level = runtime.level
    conf.dot15d4_protocol = "zigbee"        # type: ignore[assignment]   # scapy types the default None only
    runtime.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        conf.dot15d4_protocol = protocol
        runtime.setLevel(level)


def _json(value: Any) -> Any:
    if isinstance(value, FlagValue):
        return int(value)
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Packet):
        return {f.name: _json(value.fields[f.name]) for f in value.fields_desc if value.fields.get(f.name) is not None}
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    return str(value)


def _header_length(packet: Packet) -> int:
    return len(bytes(packet)) - len(bytes(packet.payload))


def _scapy_layer(packet: Packet, protocol: Protocol, offset: int | None, *notes: str) -> Layer:
    fields: dict[str, Any] = {}
    shown: dict[str, str] = {}
    for spec in packet.fields_desc:
        value = packet.fields.get(spec.name)
        if value is None:                       # a conditional field this frame does not have
            continue
        fields[spec.name] = _json(value)
        shown[spec.name] = str(spec.i2repr(packet, value)) or "(none)"     # flags with none set print as ""
    return Layer(str(packet.name), protocol, fields, shown, offset, _header_length(packet), notes)


def _failed(packet: Packet, number: int, offset: int | None, context: str) -> DissectionError:
    """The layer scapy fell back to raw bytes for (`_fell_back`), with scapy's own reason."""
    underlayer = packet.underlayer
    expected = underlayer.guess_payload_class(bytes(packet)) if underlayer is not None else Raw
    reason = ""
    debug = conf.debug_dissector
    conf.debug_dissector = True
    try:
        expected(bytes(packet), _underlayer=underlayer)
    except Exception as exc:            # scapy's dissectors raise struct.error, IndexError ... on short input
        reason = f": {exc}"
    finally:
        conf.debug_dissector = debug
    at = f"byte {offset}" if offset is not None else "the start"
    return DissectionError(f"the {expected().name} at {at} of {context} ({len(bytes(packet))} bytes) is cut short "
                           f"or malformed{reason}", where=f"frame {number}",
                           fix="the frame was damaged or truncated on capture; the layers before it are sound")


def _fell_back(packet: Packet) -> bool:
    """scapy made raw bytes of what its layer below says is a protocol layer: that layer failed to dissect."""
    underlayer = packet.underlayer
    if not isinstance(packet, Raw) or underlayer is None:
        return False
    return underlayer.guess_payload_class(bytes(packet)) not in (Raw, conf.raw_layer, conf.padding_layer)


# -- the layers -------------------------------------------------------------------------------------------------------

@dataclass
class _Context:
    number: int
    neighbours: list[CapturedFrame]
    keystore: Keystore | None
    layers: list[Layer] = field(default_factory=list)


def _capture_layer(frame: CapturedFrame, path: str, number: int) -> Layer:
    band = analysis.band_of(frame)
    fields: dict[str, Any] = {
        "time": datetime.fromtimestamp(frame.time, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "band": band, "page": frame.page, "channel": frame.channel, "length": len(frame.mpdu),
        "fcs": {True: "good", False: "wrong", None: "not recorded"}[frame.fcs_ok], "rssi_dbm": frame.rssi,
        "lqi": frame.lqi}
    fields = {name: value for name, value in fields.items() if value is not None}
    notes = ("the FCS does not match: the frame was damaged on air, its fields may be wrong",) \
        if frame.fcs_ok is False else ()
    return Layer(f"Frame {number} of {path}", Protocol.CAPTURE, fields, {k: str(v) for k, v in fields.items()}, None,
                 0, notes)


_LAYER_PROTOCOLS = {"Dot15d4": Protocol.MAC, "Dot15d4FCS": Protocol.MAC, "Dot15d4Data": Protocol.MAC,
                    "Dot15d4Cmd": Protocol.MAC, "Dot15d4Beacon": Protocol.MAC, "Dot15d4Ack": Protocol.MAC,
                    "ZigBeeBeacon": Protocol.MAC, "ZigbeeNWK": Protocol.NWK, "ZigbeeNWKStub": Protocol.NWK,
                    "ZigbeeNWKCommandPayload": Protocol.NWK, "ZigbeeAppCommandPayload": Protocol.APS,
                    "ZigbeeAppDataPayloadStub": Protocol.APS}


def dissect(frame: CapturedFrame, number: int, *, capture_name: str = "capture",
            neighbours: Iterable[CapturedFrame] = (), keystore: Keystore | None = None) -> FrameDissection:
    """A frame's layers as scapy dissects them, the application payload as the module docstring says."""
    context = _Context(number, list(neighbours), keystore)
    context.layers.append(_capture_layer(frame, capture_name, number))
    with _zigbee():
        try:
            packet: Packet = Dot15d4(frame.mpdu)
        except Exception as exc:            # shorter than a frame control and sequence number
            raise DissectionError(f"the 802.15.4 MAC header is cut short or malformed ({len(frame.mpdu)} bytes): "
                                  f"{exc}", where=f"frame {number}",
                                  fix="the frame was damaged or truncated on capture") from None
        offset = 0
        while not isinstance(packet, NoPayload):
            if _fell_back(packet):
                raise _failed(packet, number, offset, "the MAC frame")
            if isinstance(packet, ZigbeeAppDataPayload):
                _aps(packet, offset, context)
                break
            if isinstance(packet, ZigbeeSecurityHeader):
                context.layers.append(_scapy_layer(packet, Protocol.NWK_SECURITY, offset, _CIPHERED.format("NWK")))
                break
            if isinstance(packet, Raw):
                context.layers.append(_payload(packet.load, offset, _raw_note(packet)))
                break
            layer = _scapy_layer(packet, _LAYER_PROTOCOLS.get(type(packet).__name__, Protocol.MAC), offset)
            if type(packet).__name__ == "Dot15d4" and packet.fcf_framever == 2:
                layer = _noted(layer, "frame version 2 (802.15.4-2015): scapy reads it with the 2006 layout, so "
                                      "PAN IDs and header IEs may be misread")
            context.layers.append(layer)
            offset += layer.length
            packet = packet.payload
    return FrameDissection(capture_name, number, tuple(context.layers))


_CIPHERED = ("{} security: the payload is ciphered (AES-CCM*) and dit is given no key to open it; on air the "
             "security level reads 0, so scapy keeps the MIC in data: at the network's level 5 it is data's last 4 "
             "bytes")


def _noted(layer: Layer, *notes: str) -> Layer:
    return Layer(layer.name, layer.protocol, layer.fields, layer.shown, layer.offset, layer.length,
                 layer.notes + notes, layer.tree)


def _raw_note(packet: Packet) -> str:
    underlayer = packet.underlayer
    if underlayer is not None and underlayer.fields.get("aux_sec_header") is not None:
        return "MAC security: the payload is ciphered and dit is given no key to open it"
    return "bytes scapy has no layer for"


def _payload(data: bytes, offset: int | None, *notes: str, name: str = "Payload",
             protocol: Protocol = Protocol.PAYLOAD) -> Layer:
    fields: dict[str, Any] = {"length": len(data), "hex": data.hex()}
    shown = {"length": str(len(data)), "hex": data.hex(" ")}
    if data and all(32 <= b < 127 for b in data):
        fields["text"] = shown["text"] = data.decode("ascii")
    return Layer(name, protocol, fields, shown, offset, len(data), notes)


def _aps(aps: ZigbeeAppDataPayload, offset: int, context: _Context) -> None:
    """The APS frame and what it carries: a secured payload, a command, a fragment (and its message), the rest."""
    notes = []
    cluster, profile = aps.fields.get("cluster"), aps.fields.get("profile")
    if cluster is not None and profile == ZDP_PROFILE:
        notes.append(f"ZDO {analysis.ZDO.get(cluster, f'cluster 0x{cluster:04X}')}")
    elif cluster is not None:
        notes.append(f"{analysis.CLUSTERS.get(cluster, 'cluster')} cluster 0x{cluster:04X}")
    layer = _scapy_layer(aps, Protocol.APS, offset, *notes)
    context.layers.append(layer)
    offset += layer.length
    body = bytes(aps.payload)
    if aps.frame_control.security:
        security = aps.payload
        if isinstance(security, ZigbeeSecurityHeader):
            context.layers.append(_scapy_layer(security, Protocol.APS_SECURITY, offset, _CIPHERED.format("APS")))
        elif body:
            raise _failed(security, context.number, offset, "the MAC frame")
        return
    if aps.aps_frametype != 0:                        # an ACK has no payload; commands are scapy's
        packet = aps.payload
        while not isinstance(packet, NoPayload):
            if _fell_back(packet):
                raise _failed(packet, context.number, offset, "the MAC frame")
            if isinstance(packet, Raw):
                context.layers.append(_payload(packet.load, offset, "bytes scapy has no layer for"))
                break
            sub = _scapy_layer(packet, Protocol.APS, offset)
            context.layers.append(sub)
            offset += sub.length
            packet = packet.payload
        return
    header = bytes(aps)[:layer.length]
    fragmentation = aps.fields.get("fragmentation") or 0
    if fragmentation in (_FIRST_BLOCK, _MIDDLE_BLOCK):
        message = _reassemble(aps, offset, context)
        if message is None:
            return
        # the whole message, dissected as if it had come in one frame
        _application(header, message, None, context)
        return
    _application(header, body, offset, context)


def _block_key(aps: Packet) -> tuple:
    nwk = aps.underlayer
    return (nwk.source if nwk else None, nwk.destination if nwk else None, aps.counter, aps.fields.get("cluster"),
            aps.fields.get("profile"))


def _reassemble(aps: ZigbeeAppDataPayload, offset: int, context: _Context) -> bytes | None:
    """The APS message a block belongs to, from the blocks the capture holds; None (and a note) when one is missing."""
    this_block = aps.block_number
    total = this_block if aps.fragmentation == _FIRST_BLOCK else None
    index = 0 if aps.fragmentation == _FIRST_BLOCK else this_block
    blocks: dict[int, bytes] = {index: bytes(aps.payload)}
    key = _block_key(aps)
    for other in context.neighbours:
        try:
            packet = Dot15d4(other.mpdu)
        except Exception:                       # a damaged neighbour is not this frame's problem
            continue
        found = packet.getlayer(ZigbeeAppDataPayload)
        if found is None or found.aps_frametype != 0 or found.fields.get("fragmentation") not in (1, 2):
            continue
        if _block_key(found) != key:
            continue
        if found.fragmentation == _FIRST_BLOCK:
            total, at = found.block_number, 0
        else:
            at = found.block_number
        blocks.setdefault(at, bytes(found.payload))          # a retransmitted block: the first copy
    where = f"block {index + 1}" + (f" of {total}" if total else "") + f" of APS counter {aps.counter}"
    if total is None or any(i not in blocks for i in range(total)):
        missing = "the first block (which gives the count)" if total is None else \
            "blocks " + ", ".join(str(i + 1) for i in range(total) if i not in blocks)
        context.layers.append(_payload(blocks[index], offset, f"{where}; {missing} not in the capture within "
                                       f"{_BLOCK_WINDOW_S:.0f} s, so the message is not reassembled",
                                       name="APS fragment", protocol=Protocol.APS_FRAGMENT))
        return None
    message = b"".join(blocks[i] for i in range(total))
    context.layers.append(_payload(blocks[index], offset, f"{where}; the message ({len(message)} bytes) joined from "
                                   f"its {total} blocks follows", name="APS fragment",
                                   protocol=Protocol.APS_FRAGMENT))
    return message


def _application(header: bytes, body: bytes, offset: int | None, context: _Context) -> None:
    """What an APS data frame carries: GBCS in the Tunneling cluster, else ZDP or ZCL as scapy dissects them."""
    aps = ZigbeeAppDataPayload(header + body)       # scapy's layers below it look at the APS cluster and profile
    cluster, profile = aps.fields.get("cluster"), aps.fields.get("profile")
    if not body:
        return
    if profile == SE_PROFILE and cluster == TUNNELING_CLUSTER:
        if body[0] in _GBCS_TAGS:
            context.layers.append(_gbcs(body, offset, context, "carried straight in APS, as the emulated lab's "
                                                               "HAN model does (a real HAN adds a ZCL TransferData "
                                                               "header)"))
            return
        zcl = aps.payload
        if isinstance(zcl, ZigbeeClusterLibrary) and zcl.zcl_frametype == 1 \
                and zcl.command_identifier == _TRANSFER_DATA[zcl.command_direction]:
            layer = _noted(_scapy_layer(zcl, Protocol.ZCL, offset), "Tunneling TransferData")
            context.layers.append(layer)
            rest = bytes(zcl.payload)
            at = None if offset is None else offset + layer.length
            if len(rest) < 2:
                raise DissectionError("the Tunneling TransferData is cut short before its tunnel ID",
                                      where=f"frame {context.number}", fix="the frame was damaged or truncated")
            tunnel = int.from_bytes(rest[:2], "little")
            context.layers.append(Layer("Tunnel", Protocol.ZCL, {"tunnel_id": tunnel}, {"tunnel_id": f"{tunnel:#06x}"},
                                        at, 2))
            context.layers.append(_gbcs(rest[2:], None if at is None else at + 2, context, "in a Tunneling "
                                                                                            "TransferData"))
            return
        context.layers.append(_payload(body, offset, "Tunneling cluster payload that is neither GBCS nor a "
                                                     "TransferData (the HAN model carries a PPMID's UTRN so)"))
        return
    packet = aps.payload
    protocol = Protocol.ZDP if profile == ZDP_PROFILE else Protocol.ZCL
    while not isinstance(packet, NoPayload):
        if _fell_back(packet):
            raise _failed(packet, context.number, offset,
                          "the MAC frame" if offset is not None else "the reassembled message")
        if isinstance(packet, Raw):
            if profile == ZDP_PROFILE and cluster in _ZDO_COMMANDS:
                context.layers.append(_zdo_command(cluster, packet.load, offset, context.number))
            else:
                context.layers.append(_payload(packet.load, offset, "a command payload scapy does not dissect"))
            break
        layer = _scapy_layer(packet, protocol, offset)
        context.layers.append(layer)
        offset = None if offset is None else offset + layer.length
        packet = packet.payload


# The ZDO commands of frequency agility (DIT.8), which scapy leaves raw: (name, size) of each field after the
# transaction sequence number, ZigBee spec 2.4.3.3.9 / 2.4.4.3.9 and SE 1.4's unsolicited enhanced notify.
_ZDO_COMMANDS: dict[int, tuple[str, tuple[tuple[str, int], ...]]] = {
    0x0038: ("Mgmt_NWK_Update_req", (("scan_channels", 4), ("scan_duration", 1))),
    0x8038: ("Mgmt_NWK_Update_notify", (("status", 1), ("scanned_channels", 4), ("total_transmissions", 2),
                                        ("transmission_failures", 2), ("scanned_channels_list_count", 1))),
    0x803B: ("Mgmt_NWK_Unsolicited_Enhanced_Update_notify", (
        ("status", 1), ("channel_in_use", 4), ("mac_tx_ucast_total", 2), ("mac_tx_ucast_failures", 2),
        ("mac_tx_ucast_retries", 2), ("period_minutes", 1))),
}
_CHANNEL_MASKS = ("scan_channels", "scanned_channels", "channel_in_use")


def _zdo_command(cluster: int, data: bytes, offset: int | None, number: int) -> Layer:
    """A frequency agility ZDO command's fields; a channel mask also as its page and channels (page << 27)."""
    name, layout = _ZDO_COMMANDS[cluster]
    fields: dict[str, Any] = {}
    shown: dict[str, str] = {}
    at = 0
    if cluster == 0x0038 and len(data) >= 5:      # what follows the duration depends on it
        duration = data[4]
        layout += (("nwk_update_id", 1),) if duration >= 0xFE else (("scan_count", 1),)
        layout += (("nwk_manager_addr", 2),) if duration == 0xFF else ()
    for field_name, size in layout:
        if at + size > len(data):
            where = "byte the reassembled message" if offset is None else f"byte {offset + at}"
            raise DissectionError(f"the {name} is cut short in its {field_name} ({where})", where=f"frame {number}",
                                  fix="the frame was damaged or truncated on capture")
        value = int.from_bytes(data[at:at + size], "little")
        fields[field_name] = value
        shown[field_name] = f"0x{value:0{size * 2}x}" if size > 1 or field_name.startswith("status") else str(value)
        if field_name in _CHANNEL_MASKS:
            page, channels = value >> 27, [c for c in range(27) if value >> c & 1]
            fields[f"{field_name}_page"], fields[f"{field_name}_list"] = page, channels
            shown[f"{field_name}_page"], shown[f"{field_name}_list"] = str(page), ", ".join(map(str, channels))
        at += size
    notes = []
    if cluster == 0x0038:
        notes.append({0xFE: "a channel change to the channel of the mask", 0xFF: "a new channel mask and network "
                      "manager"}.get(fields["scan_duration"], "an energy scan request"))
    if at < len(data):
        fields["rest"] = shown["rest"] = data[at:].hex()
    return Layer(name, Protocol.ZDP, fields, shown, offset, len(data), tuple(notes))


def _gbcs(message: bytes, offset: int | None, context: _Context, how: str) -> Layer:
    from harness.gbcs.decode import decode, tree

    result = decode(message, keystore=context.keystore)
    problem = None if result.ok else result.error or \
        f"signature {result.signature}, MAC {result.mac} (with the keystore given)"
    decoded = result.as_dict()
    payload = decoded.pop("payload")
    for name in ("file", "keystore_given"):
        decoded.pop(name)
    fields = {name: value for name, value in decoded.items() if value not in (None, [])}
    shown = {name: ",".join(value) if isinstance(value, list) else str(value) for name, value in fields.items()}
    notes = [f"GBCS message of {len(message)} bytes {how}"]
    if context.keystore is None:
        notes.append("signature and MAC not checked: give --keystore (a run's is REPORT_DIR/keystore)")
    lines: tuple[str, ...] = ()
    if payload:
        fields["payload"] = payload             # --json: kind, fields, undecoded_bytes; the text shows the tree
        lines = (f"payload {payload['kind']} (undecoded bytes: {payload['undecoded_bytes']})",
                 *tree(payload["fields"], "  "))
    return Layer("GBCS", Protocol.GBCS, fields, shown, offset, len(message), tuple(notes), lines, problem)
