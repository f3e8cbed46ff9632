"""asn1tools as GBCS uses it: its DER codec only. Importing asn1tools runs every codec module it has, and its PER
and UPER modules build tables of the whole BMPString alphabet as they load (13 MB of a process's memory, 0.1 s)
for codecs GBCS never uses. Those modules, and the other encodings' (XER, JER, OER, GSER), are put in place as
empty modules that run their code the first time anything reads from them, so a program that asks asn1tools for
one of them still gets it whole.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import types

_DEFERRED = ("per", "uper", "xer", "jer", "oer", "gser")


class _Deferred(types.ModuleType):
    """One of asn1tools' codec modules, not yet run: reading anything from it runs it in its place."""

    def __getattr__(self, name: str) -> object:
        spec = importlib.util.spec_from_file_location(self.__name__, self.__file__)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[self.__name__] = module
        spec.loader.exec_module(module)
        self.__dict__.update(module.__dict__)       # whoever holds this one sees the real module's names
        return getattr(module, name)


def _defer_unused_codecs() -> None:
    if "asn1tools" in sys.modules:      # imported already (by a program of its own): nothing left to spare
        return
    found = importlib.machinery.PathFinder.find_spec("asn1tools")
    if found is None or not found.submodule_search_locations:
        return
    codecs = f"{found.submodule_search_locations[0]}/codecs"
    for name in _DEFERRED:
        module = _Deferred(f"asn1tools.codecs.{name}")
        module.__file__ = f"{codecs}/{name}.py"
        sys.modules[module.__name__] = module


_defer_unused_codecs()

import asn1tools  # noqa: E402  (after the deferral above, which it must not precede)
from asn1tools.codecs import DecodeError, ber  # noqa: E402
from asn1tools.codecs import der as der_codec  # noqa: E402

__all__ = ["DecodeError", "asn1tools", "ber", "der_codec"]
