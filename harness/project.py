"""Where the project's own files are: the business scenarios (features/), their step definitions (steps/), the
default lab configs with their Device Asset Libraries (lab_configs/), the device profiles (device_profiles/) and
the conftest.py that names the pytest plugins -- what `dit run` hands pytest.

In a checkout they sit at its top, beside harness/ (DESIGN section 3). A wheel carries the same files inside the
package, in harness/_project/ (pyproject.toml maps them there), so an installed `dit` finds them in its own
package whatever the working directory.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_IN_WHEEL = _PACKAGE / "_project"

# The checkout harness runs from; None when it runs from an installed wheel.
CHECKOUT: Path | None = None if _IN_WHEEL.is_dir() else _PACKAGE.parent
ROOT = _IN_WHEEL if CHECKOUT is None else CHECKOUT
FEATURES = ROOT / "features"
LAB_CONFIGS = ROOT / "lab_configs"
DEVICE_PROFILES = ROOT / "device_profiles"
