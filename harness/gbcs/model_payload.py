"""The payload encoding the emulated lab's device models speak inside real GBCS framing.

Real devices carry DLMS COSEM (ESME), ZigBee GBZ (GSME) or ASN.1 (CS02, CS03 ...) payloads; the
emulated devices are firmware models, so their payload is a plain list of named fields instead. It
is marked (E7 01) so it can never be mistaken for a real payload, and triage shows its fields.
The framing, counters, signatures and MACs around it are the real GBCS ones.

  E7 01 { key-length(1) key(ASCII) type(1: 'S' UTF-8 text | 'B' bytes) BER-length value }*
"""

from __future__ import annotations

from collections.abc import Mapping

from harness.gbcs.frame import MalformedMessage, _Reader, ber_length

MARKER = b"\xe7\x01"
Fields = dict[str, str | bytes]


def encode(fields: Mapping[str, str | bytes | int]) -> bytes:
    out = bytearray(MARKER)
    for key, value in fields.items():
        name = key.encode("ascii")
        if len(name) > 255:
            raise ValueError(f"model payload key too long: {key[:40]}...")
        if isinstance(value, bytes):
            kind, data = b"B", value
        else:
            kind, data = b"S", str(value).encode("utf-8")
        out += bytes([len(name)]) + name + kind + ber_length(len(data)) + data
    return bytes(out)


def is_model_payload(payload: bytes) -> bool:
    return payload[:2] == MARKER


def decode(payload: bytes) -> Fields:
    if not is_model_payload(payload):
        raise MalformedMessage("not an emulated-lab model payload (expected E7 01)", 0)
    r = _Reader(payload, 2)
    fields: Fields = {}
    while r.pos < r.end:
        name = r.take(r.byte("field name length"), "field name").decode("ascii", "replace")
        kind = r.take(1, "field type")
        data = r.take(r.length("field length"), f"value of {name}")
        if kind == b"S":
            fields[name] = data.decode("utf-8", "replace")
        elif kind == b"B":
            fields[name] = data
        else:
            raise MalformedMessage(f"unknown field type {kind!r} for {name}", r.pos - 1)
    return fields
