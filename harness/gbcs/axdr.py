"""A-XDR `Data` as DLMS COSEM carries it (IEC 62056-6-2, the Green Book's Data CHOICE).

Every DLMS payload of GBCS (access-request, access-response, data-notification) is a few fixed
header bytes around lists of `Data`. `Data` keeps its tag, so decode then encode gives back the same
bytes, and values are Python values: int, bool, bytes, str, or a tuple of `Data` for arrays and
structures. Meaning (a date-time, an OBIS code, a price) comes from the COSEM attribute a value
belongs to: `harness.gbcs.cosem`.

Why not dlms-cosem's `DlmsDataParser`: it parses the same Data types and round-trips them, but says
nothing of where a message is broken; GBCS triage needs the byte offset and what was expected there.
benchmarks/bench_gbcs_codec.py measures both.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from harness.errors import CheckFailed
from harness.gbcs.frame import MalformedMessage


class Tag(IntEnum):
    NULL = 0
    ARRAY = 1
    STRUCTURE = 2
    BOOLEAN = 3
    BIT_STRING = 4
    DOUBLE_LONG = 5
    DOUBLE_LONG_UNSIGNED = 6
    OCTET_STRING = 9
    VISIBLE_STRING = 10
    UTF8_STRING = 12
    INTEGER = 15
    LONG = 16
    UNSIGNED = 17
    LONG_UNSIGNED = 18
    COMPACT_ARRAY = 19
    LONG64 = 20
    LONG64_UNSIGNED = 21
    ENUM = 22

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", "-")


# Members as module names for the per-value paths below: in Python 3.11 an enum class's attribute goes through
# EnumType's __getattr__ hook (about 65 ns against 6 for a global name; 3.12 drops it). They equal the raw tag bytes.
_ARRAY, _STRUCTURE, _OCTETS, _NULL = Tag.ARRAY, Tag.STRUCTURE, Tag.OCTET_STRING, Tag.NULL
_BOOLEAN, _BIT_STRING, _COMPACT = Tag.BOOLEAN, Tag.BIT_STRING, Tag.COMPACT_ARRAY

# Fixed-size integers: tag -> (size in bytes, signed)
_INTEGERS = {
    Tag.DOUBLE_LONG: (4, True), Tag.DOUBLE_LONG_UNSIGNED: (4, False), Tag.INTEGER: (1, True),
    Tag.LONG: (2, True), Tag.UNSIGNED: (1, False), Tag.LONG_UNSIGNED: (2, False),
    Tag.LONG64: (8, True), Tag.LONG64_UNSIGNED: (8, False), Tag.ENUM: (1, False),
}
_TAGS = {int(t): t for t in Tag}


class PayloadError(MalformedMessage):
    """A payload that does not match what its message code says it carries: what was expected, and
    where (the offset counts from the payload's first byte)."""

    def __init__(self, what: str, offset: int):
        CheckFailed.__init__(self, f"{what} at payload byte {offset}")
        self.reason, self.offset = what, offset


@dataclass(frozen=True, slots=True)
class TypeDescription:
    """A compact-array's element type: a simple tag, an array of `count` elements, or a structure."""

    tag: Tag
    count: int = 0                                    # array only
    children: tuple[TypeDescription, ...] = ()      # the array's element type, or the structure's members

    def encode(self) -> bytes:
        if self.tag is Tag.ARRAY:
            return bytes((self.tag,)) + self.count.to_bytes(2, "big") + self.children[0].encode()
        if self.tag is Tag.STRUCTURE:
            return bytes((self.tag,)) + encode_length(len(self.children)) + b"".join(
                c.encode() for c in self.children)
        return bytes((self.tag,))


class Data:
    """One A-XDR Data value: its tag and its Python value (a tuple of Data for array and structure;
    (bit count, bytes) for a bit-string; (TypeDescription, tuple of Data) for a compact-array).

    A plain slotted class rather than a frozen dataclass: a tariff is hundreds of values and the frozen
    constructor costs three times as much. Treat it as immutable."""

    __slots__ = ("tag", "value")

    def __init__(self, tag: Tag, value: object = None):
        self.tag = tag
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Data) and self.tag == other.tag and self.value == other.value

    def __hash__(self) -> int:
        return hash((self.tag, self.value))

    def __repr__(self) -> str:
        return f"Data({self.tag.label}, {self.value!r})"

    @property
    def items(self) -> tuple[Data, ...]:
        tag = self.tag
        if tag is _COMPACT:
            return self.compact[1]
        if tag is not _ARRAY and tag is not _STRUCTURE:
            raise PayloadError(f"expected an array or structure, found {self.tag.label}", 0)
        return self._tuple()

    @property
    def bit_string(self) -> tuple[int, bytes]:
        """(bit count, bytes) of a bit-string."""
        if self.tag is not _BIT_STRING:
            raise PayloadError(f"expected a bit-string, found {self.tag.label}", 0)
        bits, raw = self._tuple()
        return bits, raw

    @property
    def compact(self) -> tuple[TypeDescription, tuple[Data, ...]]:
        """(element type, elements) of a compact-array."""
        if self.tag is not Tag.COMPACT_ARRAY:
            raise PayloadError(f"expected a compact-array, found {self.tag.label}", 0)
        description, elements = self._tuple()
        return description, elements

    def _tuple(self) -> tuple:
        if not isinstance(self.value, tuple):      # the constructors and the decoder always give a tuple
            raise PayloadError(f"{self.tag.label} value is not a tuple: {self.value!r}", 0)
        return self.value

    def __getitem__(self, index: int) -> Data:
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:      # a value is present, whatever its length (len() of a scalar raises)
        return True

    @property
    def int(self) -> int:
        if not isinstance(self.value, int) or self.tag is _BOOLEAN:
            raise PayloadError(f"expected an integer, found {self.tag.label}", 0)
        return self.value

    @property
    def octets(self) -> bytes:
        if self.tag is not _OCTETS:
            raise PayloadError(f"expected an octet-string, found {self.tag.label}", 0)
        if not isinstance(self.value, bytes):
            raise PayloadError(f"octet-string value is not bytes: {self.value!r}", 0)
        return self.value

    def encode(self) -> bytes:
        out = bytearray()
        _encode(self, out)
        return bytes(out)

    def plain(self):
        """The value with tags dropped: lists for arrays and structures, hex for octet-strings."""
        if self.tag in (Tag.ARRAY, Tag.STRUCTURE, Tag.COMPACT_ARRAY):
            return [item.plain() for item in self.items]
        if isinstance(self.value, bytes):
            return self.value.hex().upper()
        if self.tag is Tag.BIT_STRING:
            bits, raw = self.bit_string
            return "".join(f"{b:08b}" for b in raw)[:bits]
        return self.value


# -- constructors, named as the Green Book names the types --------------------------------------------

NULL = Data(Tag.NULL)


def array(*items: Data) -> Data:
    return Data(Tag.ARRAY, tuple(items))


def structure(*items: Data) -> Data:
    return Data(Tag.STRUCTURE, tuple(items))


def boolean(value: bool) -> Data:
    return Data(Tag.BOOLEAN, bool(value))


def bit_string(bits: str) -> Data:
    raw = int(bits.ljust(-(-len(bits) // 8) * 8, "0") or "0", 2).to_bytes(-(-len(bits) // 8), "big")
    return Data(Tag.BIT_STRING, (len(bits), raw))


def octet_string(value: bytes) -> Data:
    return Data(Tag.OCTET_STRING, bytes(value))


def visible_string(value: str) -> Data:
    return Data(Tag.VISIBLE_STRING, value)


def utf8_string(value: str) -> Data:
    return Data(Tag.UTF8_STRING, value)


def integer(value: int) -> Data:
    return Data(Tag.INTEGER, value)


def long(value: int) -> Data:
    return Data(Tag.LONG, value)


def unsigned(value: int) -> Data:
    return Data(Tag.UNSIGNED, value)


def long_unsigned(value: int) -> Data:
    return Data(Tag.LONG_UNSIGNED, value)


def double_long(value: int) -> Data:
    return Data(Tag.DOUBLE_LONG, value)


def double_long_unsigned(value: int) -> Data:
    return Data(Tag.DOUBLE_LONG_UNSIGNED, value)


def long64(value: int) -> Data:
    return Data(Tag.LONG64, value)


def long64_unsigned(value: int) -> Data:
    return Data(Tag.LONG64_UNSIGNED, value)


def enum(value: int) -> Data:
    return Data(Tag.ENUM, value)


# -- lengths -------------------------------------------------------------------------------------------

def encode_length(n: int) -> bytes:
    """A-XDR variable length: one byte below 0x80, else 0x8k and k big-endian bytes."""
    if n < 0x80:
        return bytes((n,))
    size = (n.bit_length() + 7) // 8
    return bytes((0x80 | size,)) + n.to_bytes(size, "big")


def read_length(data: bytes, pos: int, end: int, what: str | Tag) -> tuple[int, int]:
    """An A-XDR length at `pos` and the position after it; `what` names the value in errors (a Tag is
    named only when there is an error: this runs for every array, structure and string)."""
    if pos < end:
        first = data[pos]
        if first < 0x80:
            return first, pos + 1
        size = first & 0x7F
        if 0 < size <= 4 and pos + 1 + size <= end:
            return int.from_bytes(data[pos + 1:pos + 1 + size], "big"), pos + 1 + size
        name = what.label if isinstance(what, Tag) else what
        raise PayloadError(f"bad length 0x{first:02X} for {name}", pos)
    name = what.label if isinstance(what, Tag) else what
    raise PayloadError(f"truncated {name}: expected a length", pos)


# -- decode -------------------------------------------------------------------------------------------

def decode(data: bytes, pos: int = 0, end: int | None = None) -> tuple[Data, int]:
    """One Data value at `pos`: the value and the position after it."""
    return _decode(data, pos, len(data) if end is None else end, 0)


def decode_list(data: bytes, pos: int, end: int, what: str) -> tuple[tuple[Data, ...], int]:
    """A SEQUENCE OF Data: an A-XDR count, then that many values."""
    count, pos = read_length(data, pos, end, what)
    items = []
    for _ in range(count):
        item, pos = _decode(data, pos, end, 0)
        items.append(item)
    return tuple(items), pos


def _decode(data: bytes, pos: int, end: int, depth: int) -> tuple[Data, int]:
    if pos >= end:
        raise PayloadError("truncated DLMS data: expected a Data tag", pos)
    return _value(data[pos], data, pos + 1, end, pos, depth)


# By raw tag byte, so the hot path looks up ints rather than hashing enum members.
_SIZED = {int(t): (size, signed, t) for t, (size, signed) in _INTEGERS.items()}


def _value(raw_tag: int, data: bytes, pos: int, end: int, start: int, depth: int) -> tuple[Data, int]:
    """The content of a Data value whose tag byte (at `start`) has been read. This is the codec's hot
    path: integers and octet-strings first, names for errors only when there is one."""
    sized = _SIZED.get(raw_tag)
    if sized is not None:
        size, signed, tag = sized
        stop = pos + size
        if stop > end:
            raise PayloadError(f"truncated {tag.label}: need {size} bytes, {end - pos} left", start)
        return Data(tag, int.from_bytes(data[pos:stop], "big", signed=signed)), stop
    if raw_tag == _STRUCTURE or raw_tag == _ARRAY:
        tag = _STRUCTURE if raw_tag == _STRUCTURE else _ARRAY
        if depth > 32:
            raise PayloadError("DLMS data nested more than 32 deep", start)
        count, pos = read_length(data, pos, end, tag)
        items: list[Data] = []
        append = items.append
        for index in range(count):
            if pos >= end:
                raise PayloadError(f"truncated {tag.label}: {count} elements announced, {index} present", pos)
            item, pos = _value(data[pos], data, pos + 1, end, pos, depth + 1)
            append(item)
        return Data(tag, tuple(items)), pos
    if raw_tag == _OCTETS:
        length, pos = read_length(data, pos, end, _OCTETS)
        stop = pos + length
        if stop > end:
            raise PayloadError(f"truncated octet-string: need {length} bytes, {end - pos} left", start)
        return Data(_OCTETS, bytes(data[pos:stop])), stop
    if raw_tag == _NULL:
        return NULL, pos
    if raw_tag not in _TAGS:
        raise PayloadError(f"unknown DLMS Data tag 0x{raw_tag:02X}", start)
    tag = _TAGS[raw_tag]
    if tag is Tag.COMPACT_ARRAY:
        return _compact_array(data, pos, end, depth)
    if tag is Tag.BOOLEAN:
        if pos >= end:
            raise PayloadError("truncated boolean", start)
        return Data(tag, data[pos] != 0), pos + 1
    length, pos = read_length(data, pos, end, tag)
    if tag is Tag.BIT_STRING:
        size = (length + 7) // 8
        if pos + size > end:
            raise PayloadError(f"truncated bit-string: need {size} bytes, {end - pos} left", start)
        return Data(tag, (length, bytes(data[pos:pos + size]))), pos + size
    if pos + length > end:
        raise PayloadError(f"truncated {tag.label}: need {length} bytes, {end - pos} left", start)
    raw = bytes(data[pos:pos + length])
    return Data(tag, raw.decode("latin-1" if tag is Tag.VISIBLE_STRING else "utf-8", "replace")), pos + length


def _type_description(data: bytes, pos: int, end: int, depth: int) -> tuple[TypeDescription, int]:
    if pos >= end or depth > 32:
        raise PayloadError("truncated compact-array type description", pos)
    tag = _TAGS.get(data[pos])
    if tag is None or tag in (Tag.COMPACT_ARRAY, Tag.NULL):
        raise PayloadError(f"compact-array type description: unusable tag 0x{data[pos]:02X}", pos)
    if tag is Tag.ARRAY:
        if pos + 3 > end:
            raise PayloadError("truncated compact-array type description: array needs a 2-byte count", pos)
        count = int.from_bytes(data[pos + 1:pos + 3], "big")
        element, pos = _type_description(data, pos + 3, end, depth + 1)
        return TypeDescription(tag, count, (element,)), pos
    if tag is Tag.STRUCTURE:
        count, pos = read_length(data, pos + 1, end, "compact-array structure description")
        children = []
        for _ in range(count):
            child, pos = _type_description(data, pos, end, depth + 1)
            children.append(child)
        return TypeDescription(tag, 0, tuple(children)), pos
    return TypeDescription(tag), pos + 1


def _untagged(description: TypeDescription, data: bytes, pos: int, end: int, depth: int) -> tuple[Data, int]:
    """One compact-array element: the Data of `description` without its tags."""
    tag = description.tag
    if tag is Tag.ARRAY:
        items = []
        for _ in range(description.count):
            item, pos = _untagged(description.children[0], data, pos, end, depth + 1)
            items.append(item)
        return Data(tag, tuple(items)), pos
    if tag is Tag.STRUCTURE:
        items = []
        for child in description.children:
            item, pos = _untagged(child, data, pos, end, depth + 1)
            items.append(item)
        return Data(tag, tuple(items)), pos
    return _value(int(tag), data, pos, end, pos, depth)


def _compact_array(data: bytes, pos: int, end: int, depth: int) -> tuple[Data, int]:
    description, pos = _type_description(data, pos, end, depth)
    length, pos = read_length(data, pos, end, "compact-array contents")
    if pos + length > end:
        raise PayloadError(f"truncated compact-array contents: need {length} bytes, {end - pos} left", pos)
    stop, elements = pos + length, []
    while pos < stop:
        element, pos = _untagged(description, data, pos, stop, depth + 1)
        elements.append(element)
    return Data(Tag.COMPACT_ARRAY, (description, tuple(elements))), pos


# -- encode -------------------------------------------------------------------------------------------

def _encode(item: Data, out: bytearray) -> None:
    """The encoder's hot path: integers, arrays and structures, octet-strings first; every value's type is
    checked (a wrong one raises PayloadError through the accessor that names it)."""
    tag, value = item.tag, item.value
    sized = _INTEGERS.get(tag)
    if sized is not None:
        out.append(tag)
        out += (value if type(value) is int else item.int).to_bytes(sized[0], "big", signed=sized[1])
    elif tag is _ARRAY or tag is _STRUCTURE:
        children = value if type(value) is tuple else item.items
        out.append(tag)
        count = len(children)
        if count < 0x80:
            out.append(count)
        else:
            out += encode_length(count)
        for child in children:
            _encode(child, out)
    elif tag is _OCTETS and type(value) is bytes:
        out.append(tag)
        if len(value) < 0x80:
            out.append(len(value))
        else:
            out += encode_length(len(value))
        out += value
    else:
        _encode_other(item, out)


def _encode_other(item: Data, out: bytearray) -> None:
    tag = item.tag
    out.append(tag)
    if tag is Tag.NULL:
        pass
    elif tag is Tag.COMPACT_ARRAY:
        description, elements = item.compact
        contents = bytearray()
        for element in elements:
            _encode_untagged(element, contents)
        out += description.encode() + encode_length(len(contents)) + contents
    elif tag is Tag.BOOLEAN:
        out.append(0xFF if item.value else 0x00)
    elif tag is Tag.BIT_STRING:
        bits, raw = item.bit_string
        out += encode_length(bits) + raw
    else:
        raw = item.value if isinstance(item.value, bytes) else str(item.value).encode(
            "latin-1" if tag is Tag.VISIBLE_STRING else "utf-8")
        out += encode_length(len(raw)) + raw


def _encode_untagged(item: Data, out: bytearray) -> None:
    if item.tag in (Tag.ARRAY, Tag.STRUCTURE):
        for child in item.items:
            _encode_untagged(child, out)
        return
    tagged = bytearray()
    _encode(item, tagged)
    out += tagged[1:]


def encode_list(items: tuple[Data, ...] | list[Data]) -> bytes:
    out = bytearray(encode_length(len(items)))
    for item in items:
        _encode(item, out)
    return bytes(out)
