"""A DUIS request as the Transform reads it: header, the SR's body element, and typed values.

Values are read from the element's own text nodes, not `.text`: the XMLDSig digest ignores comments,
so `R<!---->emove` is the signed value "Remove", and that is what must reach the device.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from lxml import etree

from harness.catalogue import DeviceType
from harness.duis import xml
from harness.duis.request_id import RequestId
from harness.errors import DitError
from harness.eui import EntityId


class TransformError(DitError):
    """A request the Transform cannot turn into a GBCS command: says which element and why."""


def value_of(node: etree._Element) -> str:
    if not len(node):                        # no comment or element inside: .text is all of it
        return (node.text or "").strip()
    # the node's own text nodes (text() in XPath): its text and every child's tail
    return ((node.text or "") + "".join(child.tail or "" for child in node)).strip()


@functools.lru_cache(maxsize=4096)               # a few hundred distinct paths, read for every request
def _path(path: str) -> str:
    return "/".join(part if ":" in part or part in (".", "..") else f"sr:{part}" for part in path.split("/"))


@dataclass(frozen=True)
class DuisRequest:
    root: etree._Element
    request_id: RequestId
    command_variant: int
    srv: str
    body: etree._Element
    where: str | None = None

    @classmethod
    def parse(cls, data: bytes, where: str | None = None) -> DuisRequest:
        return cls.of(xml.parse(data, where), where)

    @classmethod
    def of(cls, root: etree._Element, where: str | None = None) -> DuisRequest:
        """A request already parsed (the DCC has verified its signature on this tree)."""
        if root.tag != xml.sr("Request"):
            raise TransformError(f"not a DUIS Request: the root is {xml.local_name(root)}", where=where)
        header = xml.find(root, "sr:Header")
        body = xml.find(root, "sr:Body")
        if header is None or body is None or not len([c for c in body if isinstance(c.tag, str)]):
            raise TransformError("a DUIS Request needs sr:Header and an SR element in sr:Body", where=where)
        fields = {xml.local_name(c): value_of(c) for c in header if isinstance(c.tag, str)}
        try:
            request_id = RequestId.parse(fields.get("RequestID", ""))
            command_variant = int(fields.get("CommandVariant", ""))
        except (DitError, ValueError) as exc:
            raise TransformError(f"bad DUIS header: {exc}", where=where) from None
        srv = fields.get("ServiceReferenceVariant") or ""
        element = next(c for c in body if isinstance(c.tag, str))
        return cls(root, request_id, command_variant, srv, element, where)

    @property
    def body_name(self) -> str:
        return xml.local_name(self.body)

    @property
    def originator(self) -> EntityId:
        return self.request_id.originator

    @property
    def target(self) -> EntityId:
        return self.request_id.target

    def find(self, path: str) -> etree._Element | None:
        return xml.find(self.body, _path(path))

    def all(self, path: str) -> list[etree._Element]:
        return self.body.findall(_path(path), xml.NSMAP)

    def has(self, path: str) -> bool:
        return self.find(path) is not None

    def text(self, path: str, default: str | None = None) -> str | None:
        node = self.find(path)
        return default if node is None else value_of(node)

    def element(self, path: str) -> etree._Element:
        """The element at `path`; a TransformError names it when the request lacks it."""
        node = self.find(path)
        if node is None:
            raise self._missing(path)
        return node

    def require(self, path: str) -> str:
        return value_of(self.element(path))

    def _missing(self, path: str) -> TransformError:
        return TransformError(f"{self.srv} {self.body_name}: missing sr:{path.replace('/', '/sr:')}", where=self.where)

    def int(self, path: str, default: int | None = None) -> int:
        raw = self.text(path)
        if raw is None:
            if default is None:
                raise self._missing(path)
            return default
        try:
            return int(raw)
        except ValueError:
            raise TransformError(f"{self.srv} sr:{path}: {raw!r} is not a number", where=self.where) from None

    def decimal(self, path: str) -> str:
        return self.require(path)

    def date_time(self, path: str) -> dt.datetime | None:
        raw = self.text(path)
        return None if raw is None else parse_date_time(raw, f"{self.srv} sr:{path}", self.where)

    def required_date_time(self, path: str) -> dt.datetime:
        return parse_date_time(self.require(path), f"{self.srv} sr:{path}", self.where)

    @property
    def execution_date_time(self) -> dt.datetime | None:
        """A future-dated request's sr:ExecutionDateTime (the body's first child when present)."""
        return self.date_time("ExecutionDateTime")

    @property
    def device_type_hint(self) -> DeviceType | None:
        """The device type the body itself names, where it does (electricity or gas elements)."""
        names = {xml.local_name(node) for node in self.body.iter() if isinstance(node.tag, str)}
        if any(name.startswith(("Elec", "ESME")) for name in names):
            return DeviceType.ESME
        if any(name.startswith(("Gas", "GSME")) for name in names):
            return DeviceType.GSME
        return None


def parse_date_time(raw: str, what: str, where: str | None = None) -> dt.datetime:
    text = raw.strip().replace("Z", "+00:00")
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise TransformError(f"{what}: {raw!r} is not an xs:dateTime", where=where) from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
