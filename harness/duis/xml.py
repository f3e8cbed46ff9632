"""DUIS XML basics: namespaces, an element maker, safe parsing and serialisation.

DUIS documents come from the network and from files engineers pass around, so parsing refuses
DOCTYPEs outright (no external entities, no entity expansion bombs), never touches the network, and
refuses a document far beyond any DUIS message before building its tree (a tree costs ~500 bytes a node).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Generic, TypeVar

from lxml import etree
from lxml.builder import ElementMaker  # type: ignore[import-not-found]  # lxml-stubs 0.5 has no lxml.builder

from harness.errors import CheckFailed, DitError

SR = "http://www.dccinterface.co.uk/ServiceUserGateway"
RA = "http://www.dccinterface.co.uk/ResponseAndAlert"
DS = "http://www.w3.org/2000/09/xmldsig#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"sr": SR, "ds": DS, "xsi": XSI}
SCHEMA_VERSION = "5.4"



class Maker:
    """lxml's ElementMaker (`M.Tag(*children, **attributes)`, `M(tag, ...)`), building the elements DUIS is made of
    (text and child elements, str attributes) at about 2.5 times its speed: lxml's goes through a partial, a type
    map and an attribute dict per element, and a Service Request builds a hundred elements or more. Anything else
    it is given (CDATA, a callable, a str subclass, a QName tag) is built by lxml's own, so the result is always
    what ElementMaker makes."""

    def __init__(self, namespace: str, nsmap: dict[str, str]):
        self._lxml = ElementMaker(namespace=namespace, nsmap=nsmap)
        self._prefix, self._map = f"{{{namespace}}}", dict(nsmap)

    def __call__(self, tag, *children, **attrib) -> etree._Element:
        if type(tag) is not str:
            return self._lxml(tag, *children, **attrib)
        return self._build(tag if tag[:1] == "{" else self._prefix + tag, tag, children, attrib)

    def __getattr__(self, tag: str):
        if tag[:1] == "_":                    # not an element name: our own attributes, copy's and pickle's probes
            raise AttributeError(tag)
        qualified = self._prefix + tag

        def make(*children, **attrib) -> etree._Element:
            return self._build(qualified, tag, children, attrib)

        self.__dict__[tag] = make             # found directly from then on, without __getattr__
        return make

    def _build(self, qualified: str, tag: str, children: tuple, attrib: dict) -> etree._Element:
        for value in attrib.values():
            if type(value) is not str:
                return self._lxml(tag, *children, **attrib)
        element = etree.Element(qualified, attrib or None, self._map)
        for item in children:
            if type(item) is str:
                if len(element):
                    last = element[-1]
                    last.tail = (last.tail or "") + item
                else:
                    element.text = (element.text or "") + item
            elif isinstance(item, etree._Element):
                element.append(item)
            else:                             # whatever lxml's does with it, it does: start again there
                return self._lxml(tag, *children, **attrib)
        return element


copy_tree: Callable[[etree._Element], etree._Element] = etree._Element.__copy__  # type: ignore[attr-defined]
"""An element's deep copy, its own document: what copy.copy() calls, without copy's dispatch (lxml-stubs omit it)."""


K = TypeVar("K")


class Skeletons(Generic[K]):
    """Empty elements by key, each made once and copied for every use: a tree copy costs a third to a half of
    building the same elements one by one, and the document is the same, byte for byte. Bounded, in case a caller's
    keys vary without end (those past the bound are made each time). A skeleton is only read once made."""

    def __init__(self, bound: int = 1024):
        self._made: dict[K, etree._Element] = {}
        self._bound = bound

    def copy(self, key: K, make: Callable[[], etree._Element]) -> etree._Element:
        skeleton = self._made.get(key)
        if skeleton is None:
            skeleton = make()
            if len(self._made) < self._bound:
                self._made[key] = skeleton
        return copy_tree(skeleton)

    def __len__(self) -> int:
        return len(self._made)


def add_fields(parent: etree._Element, tag: str, values: Iterable[tuple[str, str | None]], *,
               namespace: str = SR) -> etree._Element:
    """<tag> appended to parent with a child per (name, value), in order, those whose value is None left out, all in
    `namespace`: a header or record built in place.

    Where the parent has that namespace as its only one in scope (every DUIS document dit builds), the record is a
    copy of an empty one with the same fields, its texts then set: a tree copy costs less than half what an
    element made a field does (SubElement looks up its namespace each time); appended, the copy's own declaration
    of the prefix the parent already has goes, so the document is the same, byte for byte."""
    present = [(name, value) for name, value in values if value is not None]
    in_scope = parent.nsmap
    if len(in_scope) == 1 and namespace in in_scope.values():
        prefix = next(iter(in_scope))

        def make() -> etree._Element:
            record = etree.Element(f"{{{namespace}}}{tag}",
                                   nsmap={prefix: namespace})  # type: ignore[dict-item]  # None: the default
            for name, _ in present:
                etree.SubElement(record, f"{{{namespace}}}{name}")
            return record
        element = _RECORDS.copy((prefix, namespace, tag, tuple(name for name, _ in present)), make)
        for child, (_, value) in zip(element, present):
            child.text = value
        parent.append(element)
        return element
    element = etree.SubElement(parent, f"{{{namespace}}}{tag}")
    for name, value in present:
        etree.SubElement(element, f"{{{namespace}}}{name}").text = value
    return element


# add_fields's empty records by (prefix, namespace, tag, fields present): a few dozen kinds of header and record
_RECORDS: Skeletons[tuple[str | None, str, str, tuple[str, ...]]] = Skeletons(512)


E = Maker(namespace=SR, nsmap={"sr": SR})
"""sr: element maker: E.DeviceID("00-DB-12-34-56-78-90-A0")."""


def sr(tag: str) -> str:
    return f"{{{SR}}}{tag}"


def ds(tag: str) -> str:
    return f"{{{DS}}}{tag}"


class MalformedXml(CheckFailed):
    """Not well-formed XML, or XML that DUIS never carries (a DOCTYPE)."""


_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
# UTF-16 and UTF-32 in either byte order, by their byte-order marks or by how "<" is written without one.
_WIDE = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\x00<", b"<\x00")


# The largest DUIS messages: an 11.1 with a 750 KB firmware image (about 1 MB in base64) and a few dozen
# elements; the RTDS's largest request is 21 KB with 315 elements. These bounds leave room for a hundred
# times that and keep a signature over the largest accepted document well under 300 MB of memory.
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
MAX_ELEMENTS = 100_000


def read(path: Path) -> bytes:
    """A DUIS document from a file, refused by its size before it is read."""
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise MalformedXml(f"document is {size:,} bytes; DUIS documents are at most {MAX_DOCUMENT_BYTES:,}",
                               where=str(path), fix="is this the DUIS file you meant?")
        return path.read_bytes()
    except OSError as exc:
        raise DitError(f"cannot read: {exc.strerror}", where=str(path)) from None


def _bounded(data: bytes, where: str | None) -> None:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise MalformedXml(f"document is {len(data):,} bytes; DUIS documents are at most {MAX_DOCUMENT_BYTES:,}",
                           where=where, fix="is this the DUIS document you meant?")
    # Every element has one "<" not followed by "/" (DUIS has no CDATA), so this bounds the element count; a
    # document of fewer bytes than that bound cannot exceed it, and is not counted.
    if len(data) <= MAX_ELEMENTS:
        return
    elements = data.count(b"<") - data.count(b"</")
    if elements > MAX_ELEMENTS:
        raise MalformedXml(f"document has up to {elements:,} elements; DUIS documents have at most "
                           f"{MAX_ELEMENTS:,}", where=where, fix="is this the DUIS document you meant?")


_PARSERS = threading.local()


def _parser() -> etree.XMLParser:
    """This thread's parser: lxml parsers may be reused, one thread at a time (making one costs more than parsing
    a short DUIS response)."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                                   dtd_validation=False, huge_tree=False, remove_comments=False,
                                                   remove_pis=False)
    return parser


def parse(data: bytes, where: str | None = None) -> etree._Element:
    """Parse a DUIS document. Raises MalformedXml with the line of the problem."""
    _bounded(data, where)
    declared = _DECLARED.match(data[:200])
    if data.startswith(_WIDE) or (declared and declared[1].upper() not in (b"UTF-8", b"UTF8")):
        # DUIS is UTF-8; a wider encoding would also hide a DOCTYPE from the byte check below.
        encoding = declared[1].decode() if declared else "UTF-16 or UTF-32"
        raise MalformedXml(f"document is in {encoding}, not UTF-8 as DUIS is", where=where,
                           fix='save it as UTF-8, with encoding="UTF-8" in its XML declaration')
    if data.find(b"<!") != -1 and _DOCTYPE.search(data):     # every DOCTYPE starts "<!": most documents have none
        # (find, not `in`: bytes' `in` tries its operand as an int first and formats the TypeError it drops)
        raise MalformedXml("document has a DOCTYPE; DUIS never does and it could hide an entity attack",
                           where=where, fix="remove the DOCTYPE")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = f"{where}:{exc.lineno}" if where else f"line {exc.lineno}"
        raise MalformedXml(f"not well-formed XML: {exc.msg}", where=line) from None
    # whatever the byte check missed (lxml-stubs 0.5's DocInfo lacks doctype)
    if root.getroottree().docinfo.doctype:  # type: ignore[union-attr]
        raise MalformedXml("document has a DOCTYPE; DUIS never does and it could hide an entity attack",
                           where=where, fix="remove the DOCTYPE")
    return root


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def text(root: etree._Element, path: str) -> str | None:
    """Text of the first element at an sr:/ds: path, or None."""
    node = find(root, path)
    return None if node is None or node.text is None else node.text.strip()


def find(root: etree._Element, path: str) -> etree._Element | None:
    """root.find(path, NSMAP): the first element at an sr:/ds: path. A path of child steps ('sr:Header/sr:RequestID',
    as every DUIS header and body field is read) is walked with iterchildren, in C; lxml's find() parses the path
    at every call, which costs more than the walk. Any other path goes to find()."""
    steps = _steps(path)
    return root.find(path, NSMAP) if steps is None else first(root, steps)


def first(node: etree._Element, steps: tuple[str, ...]) -> etree._Element | None:
    """The first element, in document order, at these child steps (qualified tags) below node: what find() finds."""
    # The first child at each step, as good as always: the first in document order when it reaches the end.
    found = node
    for step in steps:
        child = next(found.iterchildren(step), None)
        if child is None:
            return None if len(steps) == 1 else _first_of_any(node, steps)
        found = child
    return found


def _first_of_any(node: etree._Element, steps: tuple[str, ...]) -> etree._Element | None:
    """first(), trying each candidate at each step in document order (a first child at some step led nowhere)."""
    if len(steps) == 1:
        return next(node.iterchildren(steps[0]), None)
    for child in node.iterchildren(steps[0]):
        found = _first_of_any(child, steps[1:])
        if found is not None:
            return found
    return None


def first_texts(nodes: Iterable[etree._Element]) -> dict[str, str | None]:
    """The children of these elements by tag, each tag's first in document order, to its text stripped (None when
    it has none): what text() reads of each, in one pass over a header instead of a path search per field."""
    out: dict[str, str | None] = {}
    for node in nodes:
        for child in node:
            tag = child.tag
            if tag not in out:
                value = child.text
                out[tag] = None if value is None else value.strip()
    return out


@lru_cache(maxsize=1024)
def _steps(path: str) -> tuple[str, ...] | None:
    """'sr:Header/sr:RequestID' as its qualified tags; None for a path that is not only prefixed child names."""
    steps = [_CHILD_STEP.fullmatch(step) for step in path.split("/")]
    return tuple(f"{{{NSMAP[m[1]]}}}{m[2]}" for m in steps if m is not None) if all(steps) else None


_CHILD_STEP = re.compile(r"(sr|ds|xsi):([A-Za-z_][\w.-]*)")


def canonical(node: etree._Element | etree._ElementTree, *, exclusive: bool) -> bytes:
    return etree.tostring(node, method="c14n", exclusive=exclusive, with_comments=False)


def local_name(node: etree._Element) -> str:
    return local(node.tag)


def local(tag: str) -> str:
    """'{namespace}Name' or 'Name' -> 'Name': what etree.QName(tag).localname gives for a parsed element's tag,
    without building and checking a QName (every value a response carries is named so)."""
    return tag.rpartition("}")[2]


def flatten(node: etree._Element) -> dict[str, str]:
    """Leaf values of an element by path: 'ElecTariffElements/SwitchingTable/DayProfiles/DayProfile[2]/DayName'.
    Repeated siblings get a 1-based [n]; attributes appear as 'path@name'."""
    out: dict[str, str] = {}

    def walk(element: etree._Element, prefix: str) -> None:
        children = [c for c in element if isinstance(c.tag, str)]
        names = [local_name(c) for c in children]
        seen: dict[str, int] = {}
        for child, name in zip(children, names, strict=True):
            seen[name] = seen.get(name, 0) + 1
            path = prefix + name + (f"[{seen[name]}]" if names.count(name) > 1 else "")
            for attr, value in child.attrib.items():
                out[f"{path}@{etree.QName(attr).localname}"] = value  # type: ignore[assignment]  # lxml-stubs: a parsed attribute is str, typed str | bytes
            if any(isinstance(c.tag, str) for c in child):
                walk(child, path + "/")
            else:
                out[path] = (child.text or "").strip()

    walk(node, "")
    return out
