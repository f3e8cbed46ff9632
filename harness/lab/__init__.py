"""Labs: configuration, and the emulated lab that every CI run and most engineers use.

The names below load on first use (PEP 562): `dit lab check` reads a config without importing the emulated
lab, its devices and the codec (about a second of imports on a loaded machine)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.lab.config import LabConfig, load
    from harness.lab.contract import Lab
    from harness.lab.emulated import EmulatedLab

_WHERE = {"LabConfig": "harness.lab.config", "load": "harness.lab.config", "Lab": "harness.lab.contract",
          "EmulatedLab": "harness.lab.emulated"}

__all__ = ["LabConfig", "load", "Lab", "EmulatedLab"]


def __getattr__(name: str) -> object:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
