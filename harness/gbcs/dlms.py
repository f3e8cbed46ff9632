"""DLMS COSEM payloads of GBCS: the xDLMS ACCESS service and DATA-NOTIFICATION (GBCS section 7.2).

  access-request       D9 long-invoke-id(4) date-time(00 | 0C+12)
                          list of access-request-specification, list of Data
  access-response      DA long-invoke-id(4) date-time(00 | 0C+12) [00 | 01 list of request specs]
                          list of Data, list of access-response-specification
  data-notification    0F long-invoke-id(4) date-time(00 | 0C+12) Data

A request specification is a CHOICE: 1 get, 2 set (a COSEM attribute descriptor), 3 action (a COSEM
method descriptor), 4 get-with-selection (descriptor, access selector, access parameters). Response
specifications carry the get/set Data-Access-Result or the action's Action-Result.

GBCS sets the long-invoke-id to the command's originator counter's low 24 bits with bit 29 set
("self-descriptive"); responses echo it. What each attribute's Data means is `harness.gbcs.cosem`.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from enum import IntEnum

from harness.gbcs import axdr
from harness.gbcs.axdr import Data, PayloadError

ACCESS_REQUEST = 0xD9
ACCESS_RESPONSE = 0xDA
DATA_NOTIFICATION = 0x0F
INVOKE_ID_FLAGS = 0x20000000


class RequestKind(IntEnum):
    GET = 1
    SET = 2
    ACTION = 3
    GET_WITH_SELECTION = 4


class AccessResult(IntEnum):
    """Data-Access-Result and Action-Result share these values (Green Book 9.3)."""

    SUCCESS = 0
    HARDWARE_FAULT = 1
    TEMPORARY_FAILURE = 2
    READ_WRITE_DENIED = 3
    OBJECT_UNDEFINED = 4
    OBJECT_CLASS_INCONSISTENT = 9
    OBJECT_UNAVAILABLE = 11
    TYPE_UNMATCHED = 12
    SCOPE_OF_ACCESS_VIOLATED = 13
    DATA_BLOCK_UNAVAILABLE = 14
    LONG_OPERATION_ABORTED = 15
    NO_LONG_OPERATION_IN_PROGRESS = 16
    OTHER_REASON = 250

    @classmethod
    def of(cls, value: int) -> AccessResult | int:
        return _ACCESS_RESULTS.get(value, value)


# Raw byte -> member, for the decoder (an IntEnum call costs several Python calls a value).
_REQUEST_KINDS: dict[int, RequestKind] = {int(k): k for k in RequestKind}
_ACCESS_RESULTS: dict[int, AccessResult] = {int(r): r for r in AccessResult}


@dataclass(frozen=True, slots=True)
class Obis:
    """A COSEM logical name: six value groups A-B:C.D.E.F."""

    raw: bytes

    @classmethod
    @functools.lru_cache(maxsize=1024)           # the Transforms name the same objects again and again
    def parse(cls, text: str) -> Obis:
        parts = [int(p) for p in text.replace("-", ".").replace(":", ".").split(".")]
        if len(parts) != 6 or not all(0 <= p <= 255 for p in parts):
            raise ValueError(f"not an OBIS code: {text}")
        return cls(bytes(parts))

    def __str__(self) -> str:
        a, b, c, d, e, f = self.raw
        return f"{a}-{b}:{c}.{d}.{e}.{f}"


@dataclass(frozen=True, slots=True)
class Descriptor:
    """A COSEM attribute descriptor (get/set) or method descriptor (action)."""

    class_id: int
    instance: Obis
    member: int          # attribute id, or method id for an action

    def encode(self) -> bytes:
        return self.class_id.to_bytes(2, "big") + self.instance.raw + bytes((self.member & 0xFF,))


@dataclass(frozen=True, slots=True)
class RequestSpec:
    kind: RequestKind
    descriptor: Descriptor
    selector: int | None = None          # get-with-selection only
    selection: Data | None = None

    def encode(self) -> bytes:
        out = bytes((self.kind,)) + self.descriptor.encode()
        if self.kind is RequestKind.GET_WITH_SELECTION:
            out += bytes((self.selector or 0,)) + (self.selection or axdr.NULL).encode()
        return out


@dataclass(frozen=True, slots=True)
class ResponseSpec:
    kind: RequestKind
    result: AccessResult | int

    def encode(self) -> bytes:
        return bytes((self.kind, int(self.result)))


def invoke_id(counter: int) -> int:
    """The long-invoke-id-and-priority GBCS derives from an originator counter."""
    return INVOKE_ID_FLAGS | (counter & 0xFFFFFF)


@dataclass(frozen=True, slots=True)
class AccessRequest:
    invoke_id: int
    specs: tuple[RequestSpec, ...]
    data: tuple[Data, ...]
    date_time: bytes | None = None       # 12 raw bytes when present

    def encode(self) -> bytes:
        out = bytearray((ACCESS_REQUEST,))
        out += self.invoke_id.to_bytes(4, "big") + _date_time(self.date_time)
        out += axdr.encode_length(len(self.specs))
        for spec in self.specs:
            out += spec.encode()
        out += axdr.encode_list(self.data)
        return bytes(out)


@dataclass(frozen=True, slots=True)
class AccessResponse:
    invoke_id: int
    data: tuple[Data, ...]
    results: tuple[ResponseSpec, ...]
    date_time: bytes | None = None
    request_specs: tuple[RequestSpec, ...] | None = None

    @property
    def succeeded(self) -> bool:
        return all(r.result == AccessResult.SUCCESS for r in self.results)

    def encode(self) -> bytes:
        out = bytearray((ACCESS_RESPONSE,))
        out += self.invoke_id.to_bytes(4, "big") + _date_time(self.date_time)
        if self.request_specs is None:
            out.append(0)
        else:
            out.append(1)
            out += axdr.encode_length(len(self.request_specs))
            for spec in self.request_specs:
                out += spec.encode()
        out += axdr.encode_list(self.data)
        out += axdr.encode_length(len(self.results))
        for result in self.results:
            out += result.encode()
        return bytes(out)


@dataclass(frozen=True, slots=True)
class DataNotification:
    invoke_id: int
    body: Data
    date_time: bytes | None = None

    def encode(self) -> bytes:
        return (bytes((DATA_NOTIFICATION,)) + self.invoke_id.to_bytes(4, "big") + _date_time(self.date_time)
                + self.body.encode())


Apdu = AccessRequest | AccessResponse | DataNotification


def _date_time(raw: bytes | None) -> bytes:
    return b"\x00" if raw is None else b"\x0c" + raw


def _header(data: bytes, end: int, what: str) -> tuple[int, bytes | None, int]:
    if end < 6:
        raise PayloadError(f"truncated {what}: need at least 6 bytes, {end} present", 0)
    invoke = int.from_bytes(data[1:5], "big")
    flag = data[5]
    if flag == 0x00:
        return invoke, None, 6
    if flag == 0x0C:
        if end < 18:
            raise PayloadError(f"truncated {what} date-time", 5)
        return invoke, bytes(data[6:18]), 18
    raise PayloadError(f"{what} date-time must be absent (00) or 12 bytes (0C), found 0x{flag:02X}", 5)


def _descriptor(data: bytes, pos: int, end: int, what: str) -> tuple[Descriptor, int]:
    _need_descriptor(data, pos, end, what)
    return _descriptor_of(bytes(data[pos:pos + 9])), pos + 9


def _need_descriptor(data: bytes, pos: int, end: int, what: str) -> None:
    if pos + 9 > end:
        raise PayloadError(f"truncated {what}: a COSEM descriptor needs 9 bytes, {end - pos} left", pos)


# The decoder's descriptors and specifications by their bytes: commands name the same few hundred COSEM attributes
# again and again, and these frozen objects cost a microsecond or so each to make. Shared, as immutable.
@functools.lru_cache(maxsize=1024)
def _descriptor_of(raw: bytes) -> Descriptor:
    return Descriptor(int.from_bytes(raw[0:2], "big"), Obis(raw[2:8]), raw[8])


@functools.lru_cache(maxsize=1024)
def _request_spec_of(raw: bytes) -> RequestSpec:
    """A get, set or action specification (kind byte and descriptor); get-with-selection is made each time."""
    return RequestSpec(_REQUEST_KINDS[raw[0]], _descriptor_of(raw[1:]))


@functools.lru_cache(maxsize=256)
def _response_spec_of(kind: int, result: int) -> ResponseSpec:
    return ResponseSpec(_REQUEST_KINDS[kind], AccessResult.of(result))


def _request_specs(data: bytes, pos: int, end: int) -> tuple[tuple[RequestSpec, ...], int]:
    count, pos = axdr.read_length(data, pos, end, "list of access-request-specification")
    specs = []
    for index in range(count):
        if pos >= end:
            raise PayloadError(f"truncated access-request-specification list: {count} announced, {index} present",
                               pos)
        choice = data[pos]
        if choice not in (1, 2, 3, 4):
            raise PayloadError(f"access-request-specification must be get (1), set (2), action (3) or "
                               f"get-with-selection (4), found {choice}", pos)
        if choice != RequestKind.GET_WITH_SELECTION:
            _need_descriptor(data, pos + 1, end, "access-request-specification")
            specs.append(_request_spec_of(bytes(data[pos:pos + 10])))
            pos += 10
            continue
        descriptor, pos = _descriptor(data, pos + 1, end, "access-request-specification")
        if pos >= end:
            raise PayloadError("truncated selective access: expected an access selector", pos)
        selector = data[pos]
        selection, pos = axdr.decode(data, pos + 1, end)
        specs.append(RequestSpec(_REQUEST_KINDS[choice], descriptor, selector, selection))
    return tuple(specs), pos


def decode(data: bytes) -> Apdu:
    """A DLMS payload; PayloadError says where and what was expected when it is not one."""
    data = bytes(data)
    end = len(data)
    if not data:
        raise PayloadError("empty DLMS payload", 0)
    tag = data[0]
    if tag == ACCESS_REQUEST:
        invoke, date_time, pos = _header(data, end, "access-request")
        specs, pos = _request_specs(data, pos, end)
        values, pos = axdr.decode_list(data, pos, end, "list of Data")
        _finished(data, pos, "access-request")
        return AccessRequest(invoke, specs, values, date_time)
    if tag == ACCESS_RESPONSE:
        invoke, date_time, pos = _header(data, end, "access-response")
        if pos >= end:
            raise PayloadError("truncated access-response: expected the optional request specifications", pos)
        request_specs = None
        if data[pos] == 1:
            request_specs, pos = _request_specs(data, pos + 1, end)
        elif data[pos] != 0:
            raise PayloadError(f"access-response request specifications flag must be 00 or 01, found "
                               f"0x{data[pos]:02X}", pos)
        else:
            pos += 1
        values, pos = axdr.decode_list(data, pos, end, "list of Data")
        count, pos = axdr.read_length(data, pos, end, "list of access-response-specification")
        results = []
        for index in range(count):
            if pos + 2 > end:
                raise PayloadError(f"truncated access-response-specification list: {count} announced, "
                                   f"{index} present", pos)
            if data[pos] not in (1, 2, 3):
                raise PayloadError(f"access-response-specification must be get (1), set (2) or action (3), "
                                   f"found {data[pos]}", pos)
            results.append(_response_spec_of(data[pos], data[pos + 1]))
            pos += 2
        _finished(data, pos, "access-response")
        return AccessResponse(invoke, values, tuple(results), date_time, request_specs)
    if tag == DATA_NOTIFICATION:
        invoke, date_time, pos = _header(data, end, "data-notification")
        body, pos = axdr.decode(data, pos, end)
        _finished(data, pos, "data-notification")
        return DataNotification(invoke, body, date_time)
    raise PayloadError(f"not a DLMS payload: expected D9, DA or 0F, found 0x{tag:02X}", 0)


def _finished(data: bytes, pos: int, what: str) -> None:
    if pos != len(data):
        raise PayloadError(f"{len(data) - pos} bytes after the end of the {what}", pos)


@dataclass(frozen=True, slots=True)
class FutureDatedOutcome:
    """What a DLMS future-dated outcome alert (0x8F66 success, 0x8F67 failure; message code 0x00CC)
    reports: the command by message code and originator counter, and the activation instruction in it."""

    message_code: int
    originator_counter: int
    descriptor: Descriptor

    def encode(self) -> bytes:
        """The 19 bytes the alert carries as an octet-string."""
        return (self.message_code.to_bytes(2, "big") + self.originator_counter.to_bytes(8, "big")
                + self.descriptor.encode())

    @classmethod
    def of(cls, notification: DataNotification) -> FutureDatedOutcome | None:
        """The outcome a data-notification carries as its third element (a 19-byte octet-string), if any."""
        body = notification.body
        items = body.items if body.tag is axdr.Tag.STRUCTURE else ()
        if len(items) < 3 or items[0].value not in (0x8F66, 0x8F67) or items[2].tag is not axdr.Tag.OCTET_STRING \
                or len(items[2].octets) != 19:
            return None
        raw = items[2].octets
        return cls(int.from_bytes(raw[0:2], "big"), int.from_bytes(raw[2:10], "big"),
                   Descriptor(int.from_bytes(raw[10:12], "big"), Obis(raw[12:18]), raw[18]))


# -- DLMS date and time octet-strings (Blue Book 4.1.6.1) ------------------------------------------

@dataclass(frozen=True, slots=True)
class DlmsDateTime:
    """A 12-byte DLMS date-time, wildcards (0xFF, 0xFFFF) kept: a tariff's 'every year' season start
    or a 'never' activation are date-times a Python datetime cannot hold."""

    raw: bytes

    @classmethod
    def of(cls, value: dt.datetime) -> DlmsDateTime:
        value = value.astimezone(dt.UTC)
        return cls(value.year.to_bytes(2, "big") + bytes((value.month, value.day, value.isoweekday(), value.hour,
                                                           value.minute, value.second, value.microsecond // 10000))
                   + b"\x00\x00\x00")

    NOW_RAW = bytes(9) + b"\x80\x00\xff"
    NEVER_RAW = b"\xff" * 9 + b"\x80\x00\xff"

    @property
    def is_now(self) -> bool:
        return self.raw[:9] == bytes(9)

    @property
    def is_never(self) -> bool:
        return self.raw[:9] == b"\xff" * 9

    @property
    def datetime(self) -> dt.datetime | None:
        raw = self.raw
        year = int.from_bytes(raw[0:2], "big")
        month, day, _dow, hour, minute, second, hundredths = raw[2:9]
        if year in (0, 0xFFFF) or 0xFF in (month, day, hour, minute, second) or month > 12:
            return None
        deviation = int.from_bytes(raw[9:11], "big", signed=True)
        offset = dt.timedelta(0) if raw[9:11] == b"\x80\x00" else dt.timedelta(minutes=-deviation)
        try:
            return dt.datetime(year, month, day, hour, minute, second,
                               0 if hundredths == 0xFF else hundredths * 10000, tzinfo=dt.timezone(offset))
        except ValueError:
            return None

    def __str__(self) -> str:
        if self.is_now:
            return "now"
        if self.is_never:
            return "never"
        value = self.datetime
        if value is not None:
            return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        return f"{date_text(self.raw[:5])}T{time_text(self.raw[5:9])}"


def date_text(raw: bytes) -> str:
    """A 5-byte DLMS date with its wildcards: 2015-05-01, *-05-01 (every year), *-*-* ..."""
    year = int.from_bytes(raw[0:2], "big")
    month, day, weekday = raw[2], raw[3], raw[4]
    y = "*" if year == 0xFFFF else f"{year:04d}"
    m = {0xFF: "*", 0xFD: "dst-end", 0xFE: "dst-begin"}.get(month, f"{month:02d}")
    d = {0xFF: "*", 0xFD: "second-last", 0xFE: "last"}.get(day, f"{day:02d}")
    text = f"{y}-{m}-{d}"
    return text if weekday == 0xFF else f"{text} (weekday {weekday})"


def time_text(raw: bytes) -> str:
    hour, minute, second, hundredths = raw
    parts = ["*" if v == 0xFF else f"{v:02d}" for v in (hour, minute, second)]
    return ":".join(parts) + ("" if hundredths in (0, 0xFF) else f".{hundredths:02d}")
