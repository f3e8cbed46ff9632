"""The DUIS XML Schema: load it once, validate documents against it.

The schema is public DCC material that the project does not ship; it is found from an explicit path,
the DIT_DUIS_XSD environment variable, or the shared conformance folder beside the project.
"""

from __future__ import annotations

import os
import urllib.parse
from functools import cache
from pathlib import Path

from lxml import etree

from harness import project
from harness.errors import DitError

ENV_VAR = "DIT_DUIS_XSD"
_IN_SHARED = Path("shared", "reference", "conformance", "xsd", "duis.xsd")
# ../shared beside the project checkout (when harness runs from one), and beside the current directory.
_SHARED_CANDIDATES = tuple(folder.parent / _IN_SHARED for folder in (project.CHECKOUT, Path.cwd())
                           if folder is not None)


class _LocalResolver(etree.Resolver):
    """Resolves schema imports to files next to the schema; names with spaces (the DCC signing tool's
    'MMC Schema V5.4.xsd') defeat libxml2's own lookup. Nothing is fetched from the network."""

    def __init__(self, base: Path):
        super().__init__()
        self.base = base

    # lxml-stubs 0.5's Resolver lacks lxml's `context` argument and resolve_filename.
    def resolve(self, url: str, pubid: str | None, context: object) -> object:  # type: ignore[override]
        if url.startswith(("http://", "https://")):
            return None
        candidate = self.base / Path(urllib.parse.unquote(url.split("file://")[-1])).name
        if candidate.is_file():
            return self.resolve_filename(str(candidate), context)  # type: ignore[attr-defined]
        return None


def locate(explicit: str | Path | None = None) -> Path | None:
    """The DUIS schema to use: explicit path, then $DIT_DUIS_XSD, then the shared conformance copy."""
    for candidate in (explicit, os.environ.get(ENV_VAR), *_SHARED_CANDIDATES):
        if candidate:
            path = Path(candidate)
            if explicit is not None and candidate == explicit and not path.is_file():
                raise DitError("DUIS schema not found", where=str(path),
                               fix="give the path of duis.xsd (DUIS XML Schema V5.4)")
            if path.is_file():
                return path
    return None


class DuisSchema:
    def __init__(self, path: Path):
        self.path = path
        parser = etree.XMLParser(no_network=True, resolve_entities=True, load_dtd=False)
        parser.resolvers.add(_LocalResolver(path.parent))
        try:
            doc = etree.parse(str(path), parser)
            self._schema = etree.XMLSchema(doc)
        except (etree.XMLSyntaxError, etree.XMLSchemaParseError, OSError) as exc:
            raise DitError(f"cannot load the DUIS schema: {exc}", where=str(path)) from None

    def errors(self, root: etree._Element) -> list[str]:
        """Every violation as 'line N: message'; empty when the document is valid."""
        if self._schema.validate(root):
            return []
        # lxml-stubs 0.5 declares _ErrorLog empty; lxml's error log iterates its entries.
        return [f"line {e.line}: {e.message}" for e in self._schema.error_log]  # type: ignore[attr-defined]

    def is_valid(self, root: etree._Element) -> bool:
        return self._schema.validate(root)


@cache
def load(path: str | Path) -> DuisSchema:
    return DuisSchema(Path(path).resolve())
