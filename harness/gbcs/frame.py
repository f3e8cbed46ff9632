"""GBCS message framing: the General-Signing APDU (grouping header, payload, signature) and the
General-Ciphering MAC frame around it.

Byte layout from gbcs_security.md section 1:

  MAC frame  DD 00x6 <BER len> 11 00000000 | APDU | 12-byte GMAC tag
  APDU       DF 09 <CRA> <originator counter 8> 08 <originator 8> 08 <recipient 8> <date-time>
             <other-info len> <message code 2> [supplementary remote party id 8
             [supplementary remote party counter 8 [supplementary originator counter 8 | KA cert]]]
             <BER content len> <payload> <signature len 00|40> [signature r||s 64]

The signature covers the APDU from the byte after DF to the end of the payload (signed_bytes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import IntEnum
from functools import cached_property, lru_cache

from harness.errors import CheckFailed
from harness.eui import EntityId

GENERAL_SIGNING_TAG = 0xDF
GENERAL_CIPHERING_TAG = 0xDD
SECURITY_HEADER = bytes.fromhex("1100000000")
MAC_LENGTH = 12
SIGNATURE_LENGTH = 64


class CraFlag(IntEnum):
    COMMAND = 1
    RESPONSE = 2
    ALERT = 3


class MalformedMessage(CheckFailed):
    """Bytes that are not a well-formed GBCS message: says what is wrong and at which offset."""

    def __init__(self, what: str, offset: int):
        super().__init__(f"{what} at byte {offset}", fix="check the message is complete GBCS hex or base64")
        self.offset = offset


class _Reader:
    def __init__(self, data: bytes, start: int = 0, end: int | None = None):
        self.data, self.pos, self.end = data, start, len(data) if end is None else end

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > self.end:
            raise MalformedMessage(f"truncated {what}: need {n} bytes, {self.end - self.pos} left", self.pos)
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def byte(self, what: str) -> int:
        return self.take(1, what)[0]

    def length(self, what: str) -> int:
        """BER definite length: one byte below 0x80, else 0x81 nn or 0x82 nn nn."""
        first = self.byte(what)
        if first < 0x80:
            return first
        size = first & 0x7F
        if size == 0 or size > 3:
            raise MalformedMessage(f"unsupported BER length form 0x{first:02X} for {what}", self.pos - 1)
        return int.from_bytes(self.take(size, what), "big")


def ber_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    if n <= 0xFF:
        return bytes([0x81, n])
    if n <= 0xFFFF:
        return b"\x82" + n.to_bytes(2, "big")
    return b"\x83" + n.to_bytes(3, "big")


def encode_date_time(value: dt.datetime | None) -> bytes:
    """DLMS date-time octet string: 00 when absent, else 0C + 12 bytes (UTC, deviation 0x8000 = unspecified)."""
    if value is None:
        return b"\x00"
    value = value.astimezone(dt.UTC)
    return (b"\x0c" + value.year.to_bytes(2, "big")
            + bytes([value.month, value.day, value.isoweekday(), value.hour, value.minute, value.second,
                     value.microsecond // 10000])
            + b"\x80\x00\x00")


def decode_date_time(raw: bytes) -> dt.datetime | None:
    """Read a 12-byte DLMS date-time; unspecified fields (0xFF) make it unrepresentable (None)."""
    year = int.from_bytes(raw[0:2], "big")
    month, day, _dow, hour, minute, second, hundredths = raw[2:9]
    if 0xFFFF in (year,) or 0xFF in (month, day, hour, minute, second):
        return None
    try:
        return dt.datetime(year, month, day, hour, minute, second,
                           0 if hundredths == 0xFF else hundredths * 10000, tzinfo=dt.UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class GeneralSigning:
    """A General-Signing APDU: the grouping header, the payload and an optional signature."""

    cra_flag: CraFlag
    originator_counter: int
    originator: EntityId
    recipient: EntityId
    message_code: int
    payload: bytes
    date_time: dt.datetime | None = None
    supplementary_remote_party: EntityId | None = None
    supplementary_remote_party_counter: int | None = None
    supplementary_originator_counter: int | None = None
    supplementary_remote_party_ka_certificate: bytes | None = None
    signature: bytes | None = None
    # The exact date-time bytes as received, so that decode -> encode reproduces what was signed.
    date_time_raw: bytes | None = field(default=None, compare=False, repr=False)

    @property
    def transaction_id(self) -> bytes:
        return bytes([self.cra_flag]) + self.originator_counter.to_bytes(8, "big")

    def _other_information(self) -> bytes:
        out = self.message_code.to_bytes(2, "big")
        if self.supplementary_remote_party is not None:
            out += bytes(self.supplementary_remote_party)
            if self.supplementary_remote_party_counter is not None:
                out += self.supplementary_remote_party_counter.to_bytes(8, "big")
                if self.supplementary_originator_counter is not None:
                    out += self.supplementary_originator_counter.to_bytes(8, "big")
                elif self.supplementary_remote_party_ka_certificate is not None:
                    out += self.supplementary_remote_party_ka_certificate
        return out

    @cached_property
    def signed_bytes(self) -> bytes:
        """Exactly the bytes a critical-command, response or alert signature covers (made once: it is asked for by
        the signer, the encoder and each verifier)."""
        other = self._other_information()
        date_time = self.date_time_raw if self.date_time_raw is not None else encode_date_time(self.date_time)
        return (b"\x09" + self.transaction_id
                + b"\x08" + bytes(self.originator) + b"\x08" + bytes(self.recipient)
                + date_time + ber_length(len(other)) + other
                + ber_length(len(self.payload)) + self.payload)

    def encode(self) -> bytes:
        """The APDU: DF, signed bytes, then the signature length byte and the signature if any."""
        body = bytes([GENERAL_SIGNING_TAG]) + self.signed_bytes
        if self.signature is None:
            return body + b"\x00"
        return body + bytes([len(self.signature)]) + self.signature

    def pre_command(self) -> bytes:
        """The APDU as a DCC Transform returns it: unsigned, without the signature length byte."""
        return bytes([GENERAL_SIGNING_TAG]) + self.signed_bytes

    def with_signature(self, signature: bytes | None) -> GeneralSigning:
        return replace(self, signature=signature)

    @classmethod
    def decode(cls, data: bytes, start: int = 0, end: int | None = None) -> GeneralSigning:
        if cls is GeneralSigning and start == 0 and end is None and type(data) is bytes and len(data) <= _MEMO_BYTES:
            return _signing_memo(data)
        return cls._decode(data, start, end)

    @classmethod
    def _decode(cls, data: bytes, start: int = 0, end: int | None = None) -> GeneralSigning:
        quick = cls._quick(data, start, len(data) if end is None else end)
        return quick if quick is not None else cls._read(data, start, end)

    @classmethod
    def _quick(cls, data: bytes, start: int, end: int) -> GeneralSigning | None:
        """The usual APDU read by offsets (each length checked against the end); None for anything else -- a
        KA certificate, a BER length form beyond 0x82, anything malformed -- which _read reads field by field
        and names what is wrong. Both give the same message (test_gbcs)."""
        if type(data) is not bytes or end - start < 33 or end > len(data):
            return None
        p = start
        if data[p] != GENERAL_SIGNING_TAG or data[p + 1] != 0x09 or data[p + 11] != 0x08 or data[p + 20] != 0x08:
            return None
        cra = data[p + 2]
        if cra not in (1, 2, 3):
            return None
        if data[p + 29] == 0x00:
            date_time_raw, date_time, p = b"\x00", None, p + 30
        elif data[p + 29] == 0x0C and end - p >= 46:
            date_time_raw = data[p + 29:p + 42]
            date_time, p = decode_date_time(date_time_raw[1:]), p + 42
        else:
            return None
        other_len = data[p]
        if other_len not in (2, 10, 18, 26) or p + other_len + 2 > end:
            return None
        supplementary = counter = originator_counter = None
        if other_len >= 10:
            supplementary = EntityId(data[p + 3:p + 11])
        if other_len >= 18:
            counter = int.from_bytes(data[p + 11:p + 19], "big")
        if other_len == 26:
            originator_counter = int.from_bytes(data[p + 19:p + 27], "big")
        message_code = int.from_bytes(data[p + 1:p + 3], "big")
        p += 1 + other_len
        length = data[p]
        if length < 0x80:
            p += 1
        elif length == 0x81 and p + 2 <= end:
            length, p = data[p + 1], p + 2
        elif length == 0x82 and p + 3 <= end:
            length, p = int.from_bytes(data[p + 1:p + 3], "big"), p + 3
        else:
            return None
        if p + length > end:
            return None
        payload, p = data[p:p + length], p + length
        signature = None
        if p < end:
            size, p = data[p], p + 1
            if size:
                signature, p = data[p:p + size], p + size
        if p != end:
            return None
        return cls(CraFlag(cra), int.from_bytes(data[start + 3:start + 11], "big"),
                   EntityId(data[start + 12:start + 20]), EntityId(data[start + 21:start + 29]), message_code, payload,
                   date_time, supplementary, counter, originator_counter, None, signature, date_time_raw)

    @classmethod
    def _read(cls, data: bytes, start: int = 0, end: int | None = None) -> GeneralSigning:
        r = _Reader(data, start, end)
        if r.byte("general-signing tag") != GENERAL_SIGNING_TAG:
            raise MalformedMessage("not a General-Signing APDU (expected tag DF)", start)
        if r.byte("transaction-id length") != 0x09:
            raise MalformedMessage("transaction-id length must be 9", r.pos - 1)
        cra = r.byte("CRA flag")
        if cra not in (1, 2, 3):
            raise MalformedMessage(f"unknown CRA flag {cra}", r.pos - 1)
        counter = int.from_bytes(r.take(8, "originator counter"), "big")
        titles = []
        for what in ("originator system title", "recipient system title"):
            if r.byte(what) != 0x08:
                raise MalformedMessage(f"{what} length must be 8", r.pos - 1)
            titles.append(EntityId(r.take(8, what)))
        dt_tag = r.byte("date-time")
        if dt_tag == 0x00:
            date_time_raw, date_time = b"\x00", None
        elif dt_tag == 0x0C:
            raw = r.take(12, "date-time")
            date_time_raw, date_time = b"\x0c" + raw, decode_date_time(raw)
        else:
            raise MalformedMessage(f"date-time must be absent (00) or 12 bytes (0C), found 0x{dt_tag:02X}",
                                   r.pos - 1)
        other_len = r.length("other-information length")
        other = _Reader(r.take(other_len, "other information"))
        fields: dict = {"message_code": int.from_bytes(other.take(2, "message code"), "big")}
        if other_len >= 10:
            fields["supplementary_remote_party"] = EntityId(other.take(8, "supplementary remote party ID"))
        if other_len >= 18:
            fields["supplementary_remote_party_counter"] = int.from_bytes(
                other.take(8, "supplementary remote party counter"), "big")
        if other_len == 26:
            fields["supplementary_originator_counter"] = int.from_bytes(
                other.take(8, "supplementary originator counter"), "big")
        elif other_len > 26:
            fields["supplementary_remote_party_ka_certificate"] = other.take(other_len - 18, "KA certificate")
        content_len = r.length("content length")
        payload = r.take(content_len, "payload")
        signature = None
        if r.pos < r.end:
            sig_len = r.byte("signature length")
            if sig_len:
                signature = r.take(sig_len, "signature")
        if r.pos != r.end:
            raise MalformedMessage(f"{r.end - r.pos} unexpected bytes after the APDU", r.pos)
        return cls(cra_flag=CraFlag(cra), originator_counter=counter, originator=titles[0],
                   recipient=titles[1], payload=payload, date_time=date_time, signature=signature,
                   date_time_raw=date_time_raw, **fields)


@dataclass(frozen=True)
class GbcsMessage:
    """A GBCS message as it travels: an APDU, MAC-protected (DD frame) or not (bare DF)."""

    apdu: GeneralSigning
    mac: bytes | None = None
    apdu_bytes: bytes = field(default=b"", compare=False, repr=False)

    @property
    def mac_protected(self) -> bool:
        return self.mac is not None

    def encode(self) -> bytes:
        apdu = self.apdu_bytes or self.apdu.encode()
        if self.mac is None:
            return apdu
        return frame_with_mac(apdu, self.mac)

    @classmethod
    def decode(cls, data: bytes) -> GbcsMessage:
        if cls is GbcsMessage and type(data) is bytes and len(data) <= _MEMO_BYTES:
            return _message_memo(data)
        return cls._decode(data)

    @classmethod
    def _decode(cls, data: bytes) -> GbcsMessage:
        if not data:
            raise MalformedMessage("empty message", 0)
        if data[0] == GENERAL_SIGNING_TAG:
            return cls(GeneralSigning.decode(data), None, bytes(data))
        if data[0] != GENERAL_CIPHERING_TAG:
            raise MalformedMessage(f"unknown frame tag 0x{data[0]:02X} (expected DD or DF)", 0)
        r = _Reader(data, 1)
        if r.take(6, "general-ciphering header") != bytes(6):
            raise MalformedMessage("segmented (GBT) messages are not supported", 1)
        length = r.length("ciphered service length")
        start = r.pos
        if start + length != len(data):
            raise MalformedMessage(
                f"ciphered service length says {length} bytes but {len(data) - start} follow", start)
        if r.take(5, "security header") != SECURITY_HEADER:
            raise MalformedMessage("security header must be 11 00000000", start)
        if length < 5 + MAC_LENGTH + 1:
            raise MalformedMessage("ciphered service too short for an APDU and a MAC", start)
        apdu_end = len(data) - MAC_LENGTH
        apdu_bytes = bytes(data[r.pos:apdu_end])
        return cls(GeneralSigning.decode(data, r.pos, apdu_end), bytes(data[apdu_end:]), apdu_bytes)


# One message is decoded by each party it passes (the hub, the device, the DSP, the User): decodes of the same bytes
# are remembered (both types are immutable), for messages up to a few kilobytes, the size of all but firmware.
_MEMO_BYTES = 4096


@lru_cache(maxsize=256)
def _signing_memo(data: bytes) -> GeneralSigning:
    return GeneralSigning._decode(data)


@lru_cache(maxsize=256)
def _message_memo(data: bytes) -> GbcsMessage:
    return GbcsMessage._decode(data)


def frame_with_mac(apdu: bytes, mac: bytes) -> bytes:
    service = SECURITY_HEADER + apdu + mac
    return bytes([GENERAL_CIPHERING_TAG]) + bytes(6) + ber_length(len(service)) + service
