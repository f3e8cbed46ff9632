"""ZigBee GBZ payloads of GBCS (GBCS section 7.3): ZCL frames of the Smart Energy clusters in
'GBZ components'.

  command / response   01 09 <component count> component...
  alert                01 09 <component count> <alert code 2> <time 4> (use-case specific content)
  firmware receipt     01 09 01 <alert code 2> <time 4> 09 <length> <calculated manufacturer hash>  (FDRA-ZigBee)
  component            <control 1> <cluster 2> <length 2> [from date-time 4 | additional control 1,
                       frame counter 1] <ZCL frame control 1> <sequence 1> <command 1> <payload>

GBZ header fields are big-endian and GBZ times are seconds since 2000-01-01 UTC; everything inside a
ZCL frame is little-endian, as ZigBee has it. An encrypted component (control bit 0x02) carries its
ZCL payload as 'ciphered information': length 2, security header 31 00000000, ciphertext, 12-byte tag.

Each ZCL payload is decoded to typed fields by a schema (`zcl.COMMANDS`); zigpy and scapy define few
of the Smart Energy cluster commands GBCS uses (Price, Calendar, Prepayment, Device Management and
Events are empty in zigpy 2.4), so the schemas are kept here, written from ZigBee SE 1.4 and GBCS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import NamedTuple

from harness.gbcs import axdr, zcl
from harness.gbcs.axdr import PayloadError, Tag

PROFILE_ID = b"\x01\x09"
GBZ_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

CONTROL_LAST = 0x01
CONTROL_ENCRYPTED = 0x02
CONTROL_FROM_DATE_TIME = 0x10
SECURITY_HEADER = b"\x31\x00\x00\x00\x00"
TAG_LENGTH = 12


def gbz_time(seconds: int) -> dt.datetime:
    return GBZ_EPOCH + dt.timedelta(seconds=seconds)


def gbz_seconds(value: dt.datetime) -> int:
    return int((value - GBZ_EPOCH).total_seconds())


@dataclass(frozen=True, slots=True)
class Ciphered:
    """An encrypted ZCL payload as it travels: the AES-GCM ciphertext and its 12-byte tag."""

    ciphertext: bytes
    tag: bytes
    security_header: bytes = SECURITY_HEADER

    def encode(self) -> bytes:
        body = self.security_header + self.ciphertext + self.tag
        return len(body).to_bytes(2, "big") + body


@dataclass(frozen=True, slots=True)
class Component:
    """One GBZ component: a ZCL frame for one cluster, with the GBZ extended header around it."""

    cluster: int
    frame: zcl.Frame
    control: int = CONTROL_LAST
    from_date_time: int | None = None          # GBZ seconds, when control bit 0x10 is set
    additional_control: int = 0                 # encrypted components only
    frame_counter: int = 0
    ciphered: Ciphered | None = None            # encrypted components: the payload as it travels

    @property
    def encrypted(self) -> bool:
        return bool(self.control & CONTROL_ENCRYPTED)

    def encode(self) -> bytes:
        body = bytearray()
        if self.encrypted:
            if self.ciphered is None:
                raise PayloadError("an encrypted GBZ component needs its ciphered payload", 0)
            body += bytes((self.additional_control, self.frame_counter)) + self.frame.header()
            body += self.ciphered.encode()
        else:
            if self.control & CONTROL_FROM_DATE_TIME:
                body += (self.from_date_time or 0).to_bytes(4, "big")
            body += self.frame.encode(self.cluster)
        return bytes((self.control,)) + self.cluster.to_bytes(2, "big") + len(body).to_bytes(2, "big") + body

    def with_plaintext(self, payload: bytes) -> Component:
        """The component with its decrypted ZCL payload decoded (its ciphered form is kept)."""
        return replace(self, frame=zcl.decode_frame(self.cluster, self.frame.header() + payload))


@dataclass(frozen=True, slots=True)
class FutureDatedOutcome:
    """The content of a GBZ future-dated command outcome alert (0x8F66 / 0x8F67, message code 0x00CD):
    which command and which ZCL instruction in it reached its execution date-time."""

    message_code: int
    originator_counter: int
    cluster: int
    frame_control: int
    command: int

    def encode(self) -> bytes:
        body = (self.message_code.to_bytes(2, "big") + self.originator_counter.to_bytes(8, "big")
                + self.cluster.to_bytes(2, "big") + bytes((self.frame_control, self.command)))
        return bytes((len(body),)) + body


@dataclass(frozen=True, slots=True)
class GbzPayload:
    """A GBZ command, response or alert payload."""

    components: tuple[Component, ...]
    alert_code: int | None = None
    alert_time: int | None = None               # GBZ seconds
    future_dated: FutureDatedOutcome | None = None
    component_count: int | None = None          # as announced, when it differs from len(components)
    manufacturer_hash: bytes | None = None      # a firmware receipt alert's (FDRA-ZigBee), an A-XDR octet string

    def encode(self) -> bytes:
        count = len(self.components) if self.component_count is None else self.component_count
        out = bytearray(PROFILE_ID) + bytes((count,))
        if self.alert_code is not None:
            out += self.alert_code.to_bytes(2, "big") + (self.alert_time or 0).to_bytes(4, "big")
            if self.future_dated is not None:
                out += self.future_dated.encode()
            if self.manufacturer_hash is not None:
                out += axdr.octet_string(self.manufacturer_hash).encode()
        for component in self.components:
            out += component.encode()
        return bytes(out)


class ZclCommand(NamedTuple):
    """One ZCL command of a GBZ command payload; `from_date_time` (GBZ seconds) goes in the GBZ header."""

    cluster: int
    frame_control: int
    command: int
    values: dict
    from_date_time: int | None = None


def command_payload(commands: Iterable[ZclCommand | tuple]) -> bytes:
    """A GBZ command payload as GBCS builds one: a component per ZCL command, in order, ZCL sequence
    numbers 0, 1, ..., the last component flagged, a from date-time where the command has one."""
    items = [ZclCommand(*command) for command in commands]
    last = len(items) - 1
    return GbzPayload(tuple(
        Component(c.cluster, zcl.Frame(c.frame_control, n, c.command, c.values),
                  (CONTROL_LAST if n == last else 0) | (CONTROL_FROM_DATE_TIME if c.from_date_time is not None else 0),
                  c.from_date_time)
        for n, c in enumerate(items))).encode()


def _component(data: bytes, pos: int, end: int) -> tuple[Component, int]:
    start = pos
    if pos + 5 > end:
        raise PayloadError(f"truncated GBZ component header: need 5 bytes, {end - pos} left", pos)
    control = data[pos]
    cluster = int.from_bytes(data[pos + 1:pos + 3], "big")
    length = int.from_bytes(data[pos + 3:pos + 5], "big")
    pos += 5
    if pos + length > end:
        raise PayloadError(f"GBZ component length says {length} bytes but {end - pos} follow", start + 3)
    stop = pos + length
    if control & CONTROL_ENCRYPTED:
        if length < 2 + 3 + 2:
            raise PayloadError("encrypted GBZ component too short for its headers", pos)
        additional, counter = data[pos], data[pos + 1]
        header = bytes(data[pos + 2:pos + 5])
        cipher_length = int.from_bytes(data[pos + 5:pos + 7], "big")
        body = pos + 7
        if body + cipher_length != stop:
            raise PayloadError(f"ciphered information length says {cipher_length} bytes but {stop - body} follow",
                               pos + 5)
        if cipher_length < 5 + TAG_LENGTH:
            raise PayloadError("ciphered information too short for a security header and tag", pos + 5)
        ciphered = Ciphered(bytes(data[body + 5:stop - TAG_LENGTH]), bytes(data[stop - TAG_LENGTH:stop]),
                            bytes(data[body:body + 5]))
        frame = zcl.Frame(header[0], header[1], header[2], None)
        return Component(cluster, frame, control, None, additional, counter, ciphered), stop
    from_date_time = None
    if control & CONTROL_FROM_DATE_TIME:
        if length < 4:
            raise PayloadError("GBZ component too short for its from date-time", pos)
        from_date_time = int.from_bytes(data[pos:pos + 4], "big")
        pos += 4
    try:
        frame = zcl.decode_frame(cluster, data[pos:stop])
    except PayloadError as exc:
        raise PayloadError(exc.reason, exc.offset + pos) from None
    return Component(cluster, frame, control, from_date_time), stop


def decode(data: bytes, *, alert: bool = False, firmware_receipt: bool = False) -> GbzPayload:
    """A GBZ payload: components, and for an alert its code, time and future-dated outcome; a firmware
    receipt alert (message code 0x00CF) carries the hash the device calculated instead of components, as a
    DLMS octet string (gbcs-parser parseGbzFirmwareDistributionReceiptAlert, RTDS NA_FDRA-ZigBee)."""
    data = bytes(data)
    end = len(data)
    if data[:2] != PROFILE_ID:
        raise PayloadError(f"not a GBZ payload: expected profile 01 09, found {data[:2].hex(' ').upper()}", 0)
    if end < 3:
        raise PayloadError("truncated GBZ payload: expected a component count", 2)
    count, pos = data[2], 3
    alert_code = alert_time = future = None
    if alert:
        if pos + 6 > end:
            raise PayloadError("truncated GBZ alert: expected an alert code and time", pos)
        alert_code = int.from_bytes(data[pos:pos + 2], "big")
        alert_time = int.from_bytes(data[pos + 2:pos + 6], "big")
        pos += 6
        if alert_code in (0x8F66, 0x8F67):
            if pos >= end or data[pos] != 14 or pos + 15 > end:
                raise PayloadError("future-dated outcome alert: expected 0E and 14 bytes of the command's "
                                   "message code, counter and ZCL instruction", pos)
            b = data[pos + 1:pos + 15]
            future = FutureDatedOutcome(int.from_bytes(b[0:2], "big"), int.from_bytes(b[2:10], "big"),
                                        int.from_bytes(b[10:12], "big"), b[12], b[13])
            pos += 15
            _finished(data, pos, "GBZ future-dated outcome alert")
            return GbzPayload((), alert_code, alert_time, future, count)
        if firmware_receipt:
            start = pos
            content, pos = axdr.decode(data, pos, end)
            if content.tag is not Tag.OCTET_STRING:
                raise PayloadError(f"firmware receipt alert: expected the calculated hash as an octet string, "
                                   f"found {content.tag.label}", start)
            _finished(data, pos, "GBZ firmware receipt alert")
            return GbzPayload((), alert_code, alert_time, None, count, content.octets)
    components: list[Component] = []
    while pos < end and len(components) < count:
        component, pos = _component(data, pos, end)
        components.append(component)
    if len(components) != count and not alert:
        raise PayloadError(f"GBZ component count says {count} but {len(components)} components are present", 2)
    _finished(data, pos, "GBZ payload")
    announced = None if count == len(components) else count
    return GbzPayload(tuple(components), alert_code, alert_time, future, announced)


def _finished(data: bytes, pos: int, what: str) -> None:
    if pos != len(data):
        raise PayloadError(f"{len(data) - pos} bytes after the end of the {what}", pos)
