"""Device selection before testing: DIT.1-6, 9, 10 and 12 against a lab's Device Asset Library.

The rules live with the other requirements in harness.criteria.requirements and judge device records;
this adapts the Device Asset Library's assets to them (`dit lab select`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from harness.criteria.requirements import LEADING_STACKS, NOT_APPLICABLE, device_requirements
from harness.criteria.requirements import REQUIREMENTS as _ALL
from harness.criteria.verdict import MET, NOT_MET, Verdict
from harness.errors import DitError
from harness.lab.profiles import DeviceProfile
from harness.ledger import DeviceRecord

REQUIREMENTS = {req: _ALL[req] for req in ("DIT.1", "DIT.2", "DIT.3", "DIT.4", "DIT.5", "DIT.6", "DIT.9", "DIT.10",
                                           "DIT.12")}
__all__ = ["LEADING_STACKS", "MET", "NOT_APPLICABLE", "NOT_MET", "REQUIREMENTS", "evaluate", "record"]


class Asset(Protocol):
    """A device the lab's Device Asset Library holds."""

    @property
    def name(self) -> str: ...

    @property
    def profile(self) -> DeviceProfile | None: ...


def record(asset: Asset, test_set: str = "", ch_variant: str = "") -> DeviceRecord:
    """A device as the ledger records it: what its profile says, under the asset's name."""
    p = asset.profile
    if p is None:
        raise DitError(f"{asset.name} has no device profile: a tool is not a device DIT selects")
    return DeviceRecord(asset.name, test_set, ch_variant, p.device_type.value, p.manufacturer, p.model, p.standard,
                        p.gbcs_version, p.zigbee_version, p.silicon, p.sub_ghz)


def evaluate(assets: Iterable[Asset]) -> list[Verdict]:
    """DIT.1-6, DIT.9, DIT.10 and DIT.12 against the assets (tools without a profile count towards none)."""
    return device_requirements(record(a) for a in assets if a.profile is not None)
