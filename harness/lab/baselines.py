"""The release baseline matrix of the DIT approach (seed Table 7): which service user release, DSP/CSP
release, Communications Hub variant and meter standard are tested together.

    Service User  DSP/CSP  CHs         Meters        Regression testing
    R1.3          R1.3     CHTS v1.0   SMETS2 v2.0   not required (the current baseline)
    R1.3          R2.0     CHTS v1.0   SMETS2 v2.0   required (final scope to be confirmed)
    R1.3          R2.0     v1.1 CHs    SMETS2 v2.0   required (final scope to be confirmed)
    R2.0          R2.0     CHTS v1.0   SMETS2 v2.0   required (and the CH upgrade R1.3 -> R2.0)
    R2.0          R2.0     v1.1 CHs    SMETS2 v2.0   required
    R2.0          R2.0     v1.1 CHs    SMETS2 v3.0   required

R1.3 is GBCS 1.0 (TSG1), the first live baseline; R2.0 is GBCS 2.0 (TSG2). "v1.1 CHs" are CHTS v1.1
single band and dual band. A baseline runs on the lab's test sets whose CH and meters match it.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import DitError
from harness.releases import R1_3, R2_0


@dataclass(frozen=True)
class Baseline:
    id: str
    service_user: str
    dsp_csp: str
    communications_hubs: tuple[str, ...]        # CHTS versions
    meters: str                                 # SMETS2 v2.0 | SMETS2 v3.0
    regression: str
    note: str = ""

    @property
    def title(self) -> str:
        hubs = "v1.1 CHs" if self.communications_hubs == ("CHTS v1.1",) else " / ".join(self.communications_hubs)
        return f"SU {self.service_user}, DSP/CSP {self.dsp_csp}, {hubs}, {self.meters}"

    @property
    def kind(self) -> str:
        """Regression for the baselines that keep SMETS2 v2.0 meters (B1-B5), functional for the new release."""
        return "regression" if self.meters == "SMETS2 v2.0" else "functional"

    def fits(self, site) -> bool:
        """A test set runs at this baseline when its CH and its meters are the baseline's."""
        return site.hub.standard in self.communications_hubs and site.meter_standard in (self.meters, None)


BASELINES = (
    Baseline("B1", R1_3, R1_3, ("CHTS v1.0",), "SMETS2 v2.0", "not required", "the current live baseline"),
    Baseline("B2", R1_3, R2_0, ("CHTS v1.0",), "SMETS2 v2.0", "required", "final scope to be confirmed"),
    Baseline("B3", R1_3, R2_0, ("CHTS v1.1",), "SMETS2 v2.0", "required", "final scope to be confirmed"),
    Baseline("B4", R2_0, R2_0, ("CHTS v1.0",), "SMETS2 v2.0", "required",
             "the CH upgrade from R1.3 to R2.0 is a high priority"),
    Baseline("B5", R2_0, R2_0, ("CHTS v1.1",), "SMETS2 v2.0", "required"),
    Baseline("B6", R2_0, R2_0, ("CHTS v1.1",), "SMETS2 v3.0", "required", "the release DIT exists for"),
)
DEFAULT_BASELINE = "B6"


def baseline(baseline_id: str) -> Baseline:
    for candidate in BASELINES:
        if candidate.id.lower() == baseline_id.strip().lower():
            return candidate
    raise DitError(f"no release baseline {baseline_id!r}",
                   fix="baselines are " + ", ".join(f"{b.id} ({b.title})" for b in BASELINES))
