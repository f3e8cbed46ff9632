"""YAML that remembers where each value came from, so a bad value is reported as file:line and field."""

from __future__ import annotations

from pathlib import Path

import yaml

from harness.errors import DitError


class Located(dict):
    """A mapping from a YAML file that knows the line of each key."""

    def __init__(self, items, lines: dict[str, int], where: str, path: str):
        super().__init__(items)
        self.lines = lines
        self.where = where          # file name
        self.path = path            # field path of this mapping, e.g. premises[0].devices[1]

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
        value = self[key]
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail(key, f"must be a {names}, not {type(value).__name__}", fix)
        return value

    def _missing(self, key: str, fix: str | None):
        raise DitError(f"{self.field(key)}: missing", where=self.at(), fix=fix or f"add '{key}:'")

    def items_of(self, key: str) -> list["Located"]:
        value = self.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, Located) for v in value):
            raise self.fail(key, "must be a list of mappings")
        return value


def _convert(node: yaml.Node, where: str, path: str, seen: set[int] | None = None):
    """Plain values and Located mappings. An alias (*name) would make one node appear twice: a lab file does
    not need them, and a nest of them (a 'billion laughs' of YAML) would take hours, so they are refused."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        raise DitError(f"{path or 'document'}: a YAML alias (*name); lab files write each value out",
                       where=f"{where}:{node.start_mark.line + 1}", fix="replace the alias by the value it names")
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        items, lines = {}, {None: node.start_mark.line + 1}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in items:
                raise DitError(f"{path + '.' if path else ''}{key}: given twice",
                               where=f"{where}:{key_node.start_mark.line + 1}", fix="keep one")
            lines[key] = key_node.start_mark.line + 1
            items[key] = _convert(value_node, where, f"{path}.{key}" if path else key, seen)
        return Located(items, lines, where, path)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(n, where, f"{path}[{i}]", seen) for i, n in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def load(path: str | Path) -> Located:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise DitError(f"cannot read: {exc.strerror}", where=str(file)) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DitError(f"not valid YAML: {problem}", where=f"{file}{line}",
                       fix="check the indentation and the ':' after each key") from None
    if node is None or not isinstance(node, yaml.MappingNode):
        raise DitError("expected a mapping at the top of the file", where=f"{file}:1")
    return _convert(node, str(file), "")
