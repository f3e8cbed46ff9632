"""GBCS use cases as the DCC and its Users handle them: the DSP's Transform of a DUIS request into a
GBCS command (`transform`), and a User's Parse of a GBCS response or alert into MMC XML (`parse`).

The framework is request.py (reading DUIS), records.py (what the DSP holds), registry.py, transform.py
(the GBCS header) and mmc.py (the MMC document); every other module here is a family of use cases that
registers itself when imported, so importing this package loads them all.
"""

import importlib
import pkgutil

from harness.usecases.mmc import parse
from harness.usecases.records import DspRecords
from harness.usecases.request import DuisRequest, TransformError
from harness.usecases.transform import Transformed, choose, transform

_FRAMEWORK = {"correlate", "device", "mmc", "records", "registry", "request", "transform"}
for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _FRAMEWORK:
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["DspRecords", "DuisRequest", "TransformError", "Transformed", "choose", "parse", "transform"]
