"""YAML that remembers where each value came from, so a bad value is reported as file:line and field.

A lab file holds plain YAML only: text, numbers, true/false, null, dates, lists and mappings whose keys are
names. Anything else (a tag such as !!python/object or !custom, an alias, a list as a key, bytes that are
not UTF-8) is refused in one line naming the file and line, before any value is used.

Files are composed by libyaml (PyYAML's C loader, with the same marks, tags and resolver); a file it refuses, or
whose tree is deeper than MAX_DEPTH or shares a node (an alias), is composed again by the pure-Python loader, so
every refusal is the line that loader gives. A file read once is kept by path, modification time and size: a
run loads its lab config in the CLI, the plugin and the lab fixture, and each profile and DAL with it."""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from harness.errors import DitError

_CORE = "tag:yaml.org,2002:"
# The YAML 1.1 tags the safe resolver gives plain values; an explicit !!str or !!int names the same ones.
SCALAR_TAGS = {f"{_CORE}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
SEQUENCE_TAG, MAPPING_TAG = f"{_CORE}seq", f"{_CORE}map"
# A lab file nests a handful of levels (test_sets[0].devices.PPMID.asset); PyYAML composes by recursion, so a
# file of thousands of '[' would end in a RecursionError instead of a line.
MAX_DEPTH = 32
# The longest number a lab field holds is an install code written without quotes (32 digits); Python refuses to
# read more than 4300 digits at all, and a line quoting thousands helps no one.
MAX_DIGITS = 64

# What a loader may ask a value to be, in the words a one-line error uses.
KIND_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true or false", list: "a list",
              dict: "a mapping", datetime.date: "a date"}


def describe(value: object, written: str | None = None) -> str:
    """What a value read from YAML is, for 'must be text, got <this>'; a number as the file writes it."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        digits = written or str(value)
        return f"the number {digits if len(digits) <= 24 else digits[:20] + '...'}"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    return f"text {value!r}" if len(str(value)) <= 40 else f"text {str(value)[:36]!r}..."


def _is(value: object, kind: type | tuple[type, ...]) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:       # true is not the number 1 here
        return False
    if float in kinds and isinstance(value, int):             # 2 is as good a number as 2.0
        return True
    return isinstance(value, kinds)


def kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if float in kinds:                          # a float field takes whole numbers too
        kinds = tuple(k for k in kinds if k is not int)
    return " or ".join(KIND_NAMES.get(k, "a mapping" if issubclass(k, dict) else k.__name__) for k in kinds)


class Located(dict):
    """A mapping from a YAML file that knows the line of each key."""

    def __init__(self, items, lines: dict[str | None, int], where: str, path: str,
                 written: dict[str, str] | None = None):
        super().__init__(items)
        self.lines = lines
        self.where = where          # file name
        self.path = path            # field path of this mapping, e.g. premises[0].devices[1]
        self.written = written or {}    # a scalar's text as the file writes it, by key

    def at(self, key: str | None = None) -> str:
        line = self.lines.get(key, self.lines.get(None, 0)) if key is not None else self.lines.get(None, 0)
        return f"{self.where}:{line}"

    def field(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str | None, what: str, fix: str | None = None) -> DitError:
        name = self.field(key) if key else (self.path or "document")
        return DitError(f"{name}: {what}", where=self.at(key), fix=fix)

    def require(self, key: str, kind: type | tuple[type, ...] = object, fix: str | None = None):
        if key not in self:
            return self._missing(key, fix)
        return self._checked(key, kind, fix)

    def optional(self, key: str, kind: type | tuple[type, ...], default=None, fix: str | None = None):
        """The value of kind at key, or default where the key is absent or null."""
        if self.get(key) is None:
            return default
        return self._checked(key, kind, fix)

    def _checked(self, key: str, kind: type | tuple[type, ...], fix: str | None):
        value = self[key]
        if not _is(value, kind):
            raise self.fail(key, f"must be {kind_name(kind)}, got {describe(value, self.written.get(key))}", fix)
        return value

    def as_written(self, key: str, fix: str | None = None) -> str:
        """A text or number as the file writes it: hex codes and versions written without quotes keep their
        leading zeros (YAML would read 00030002 as the octal number 12290)."""
        value = self._checked(key, (str, int, float), fix)
        return value if isinstance(value, str) else self.written[key]

    def _missing(self, key: str, fix: str | None):
        raise DitError(f"{self.field(key)}: missing", where=self.at(), fix=fix or f"add '{key}:'")

    def unknown(self, allowed: Iterable[str]) -> list[DitError]:
        """One error for each key not in `allowed`, with the key it is most likely a typo of."""
        names = list(allowed)
        found = []
        for key in self:
            if key not in names:
                close = difflib.get_close_matches(key, names, n=1)
                hint = f"did you mean {close[0]}? " if close else ""
                found.append(self.fail(key, "unknown field", f"{hint}fields here are {', '.join(names)}"))
        return found

    def only(self, allowed: Iterable[str]) -> None:
        """Refuse the first key not in `allowed`: a typo (euii:) would otherwise be a value silently unused."""
        for error in self.unknown(allowed)[:1]:
            raise error

    def items_of(self, key: str) -> list[Located]:
        value = self.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list of mappings, got {describe(value)}")
        for index, item in enumerate(value):
            if not isinstance(item, Located):
                raise self.fail(key, f"must be a list of mappings, item {index} is {describe(item)}")
        return value


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing nesting deeper than MAX_DEPTH where it starts."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise DitError(f"values nested more than {MAX_DEPTH} deep", where=f"{self.name}:{mark.line + 1}",
                               fix="a lab file nests lists and mappings a few levels at most")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _tag_problem(node: yaml.Node, allowed: set[str]) -> str | None:
    if node.tag in allowed:
        return None
    if node.tag == f"{_CORE}merge":
        return "a YAML merge key (<<); lab files write each value out"
    shown = "!!" + node.tag.removeprefix(_CORE) if node.tag.startswith(_CORE) else node.tag
    return f"the YAML tag {shown} is not allowed; lab files hold plain text, numbers, true/false, lists and mappings"


def _refuse(where: str, node: yaml.Node, path: str, what: str, fix: str) -> DitError:
    return DitError(f"{path or 'document'}: {what}", where=f"{where}:{node.start_mark.line + 1}", fix=fix)


def _key(node: yaml.Node, where: str, path: str) -> str:
    """A mapping key: a name, never a list or a mapping (`? [a, b]`)."""
    if not isinstance(node, yaml.ScalarNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
        raise _refuse(where, node, path, f"a key must be a name, got {kind}", "write the key as plain text")
    problem = _tag_problem(node, SCALAR_TAGS)
    if problem:
        raise _refuse(where, node, path, problem, "remove the tag")
    return node.value


def _scalar(node: yaml.ScalarNode, where: str, path: str, constructor: yaml.constructor.SafeConstructor):
    problem = _tag_problem(node, SCALAR_TAGS)
    if problem:
        raise _refuse(where, node, path, problem, "remove the tag")
    if node.tag in (f"{_CORE}int", f"{_CORE}float") and len(node.value) > MAX_DIGITS:
        raise _refuse(where, node, path, f"a number of {len(node.value)} digits is longer than any field holds",
                      "quote it if it is text")
    try:
        return constructor.construct_object(node)
    except (ValueError, OverflowError, yaml.YAMLError) as exc:        # !!int "abc", a 13th month
        tag = node.tag.removeprefix(_CORE)
        kind = {"int": "number", "float": "number", "timestamp": "date", "bool": "true or false"}.get(tag, tag)
        raise _refuse(where, node, path, f"{node.value[:40]!r} is not a valid {kind}: {exc}",
                      "quote it if it is text") from None


def _convert(node: yaml.Node, where: str, path: str, seen: set[int] | None = None,
             constructor: yaml.constructor.SafeConstructor | None = None):
    """Plain values and Located mappings. An alias (*name) would make one node appear twice: a lab file does
    not need them, and a nest of them (a 'billion laughs' of YAML) would take hours, so they are refused."""
    seen = set() if seen is None else seen
    constructor = constructor or yaml.constructor.SafeConstructor()
    if id(node) in seen:
        raise DitError(f"{path or 'document'}: a YAML alias (*name); lab files write each value out",
                       where=f"{where}:{node.start_mark.line + 1}", fix="replace the alias by the value it names")
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, where, path, constructor)
    problem = _tag_problem(node, {MAPPING_TAG if isinstance(node, yaml.MappingNode) else SEQUENCE_TAG})
    if problem:
        raise _refuse(where, node, path, problem, "remove the tag")
    if isinstance(node, yaml.MappingNode):
        items: dict[str, Any] = {}
        lines: dict[str | None, int] = {None: node.start_mark.line + 1}
        written: dict[str, str] = {}
        for key_node, value_node in node.value:
            key = _key(key_node, where, path)
            if key in items:
                raise DitError(f"{path + '.' if path else ''}{key}: given twice",
                               where=f"{where}:{key_node.start_mark.line + 1}", fix="keep one")
            lines[key] = key_node.start_mark.line + 1
            if isinstance(value_node, yaml.ScalarNode):
                written[key] = value_node.value
            items[key] = _convert(value_node, where, f"{path}.{key}" if path else key, seen, constructor)
        return Located(items, lines, where, path, written)
    return [_convert(n, where, f"{path}[{i}]", seen, constructor) for i, n in enumerate(node.value)]


def _text(file: Path) -> str:
    """The file as UTF-8 text, or one line saying where it is not."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise DitError(f"cannot read: {exc.strerror}", where=str(file), fix="give the path of a YAML file") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise DitError(f"not UTF-8: byte 0x{data[exc.start]:02X} at offset {exc.start}", where=f"{file}:{line}",
                       fix="save the file as UTF-8") from None


# What load() read, by the path as given (errors name it so) and the file's identity when it was read: the
# Located trees are only read by the loaders of lab configs, DALs and profiles, never changed, so one is shared.
_LOADED: dict[str, tuple[tuple[int, int, int], Located]] = {}
_C_LOADER = getattr(yaml, "CSafeLoader", None)      # None where PyYAML was built without libyaml


def _stamp(file: Path) -> tuple[int, int, int] | None:
    try:
        st = file.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def load(path: str | Path) -> Located:
    file = Path(path)
    stamp = _stamp(file)
    kept = _LOADED.get(str(file))
    if kept is not None and stamp is not None and kept[0] == stamp:
        return kept[1]
    doc = _load(file)
    if stamp is not None and _stamp(file) == stamp:       # unchanged while it was read
        _LOADED[str(file)] = (stamp, doc)
    return doc


def _plain_tree(node: yaml.Node | None) -> bool:
    """Whether libyaml's tree is one the pure-Python loader would compose alike and take as it is: no deeper
    than MAX_DEPTH (that loader's depth counts keys as nodes too) and no node reached twice (an alias)."""
    seen: set[int] = set()
    stack = [(node, 1)] if node is not None else []
    while stack:
        current, depth = stack.pop()
        if depth > MAX_DEPTH or id(current) in seen:
            return False
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            stack += [(n, depth + 1) for pair in current.value for n in pair]
        elif isinstance(current, yaml.SequenceNode):
            stack += [(n, depth + 1) for n in current.value]
    return True


def _compose_fast(text: str) -> tuple[bool, yaml.Node | None]:
    """libyaml's compose: (True, node) when it is plainly the pure-Python loader's, else (False, None)."""
    if _C_LOADER is None:
        return False, None
    loader = _C_LOADER(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        return False, None
    finally:
        loader.dispose()
    return (True, node) if _plain_tree(node) else (False, None)


def _load(file: Path) -> Located:
    text = _text(file)
    try:
        plain, node = _compose_fast(text)
        if not plain:
            loader = _Loader(text)
            loader.name = str(file)
            try:
                node = loader.get_single_node()
            finally:
                loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            line = f":{mark.line + 1}"
        elif isinstance(exc, yaml.reader.ReaderError):      # a control character: no mark, a position
            line = f":{text[:exc.position].count(chr(10)) + 1}"
        else:
            line = ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DitError(f"not valid YAML: {problem}", where=f"{file}{line}",
                       fix="check the indentation and the ':' after each key") from None
    if node is None or not isinstance(node, yaml.MappingNode):
        raise DitError("expected a mapping at the top of the file", where=f"{file}:1")
    return _convert(node, str(file), "")
