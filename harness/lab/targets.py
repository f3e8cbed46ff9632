"""Where a scenario runs: a release baseline (Table 7) on one test set of the lab.

`dit run` runs the default baseline (B6, what DIT exists for) on the first test set that fits it;
`--baseline` and `--test-set` choose; `--matrix` runs every baseline of Table 7 (B1, the live baseline,
too: "not required" is the plan's choice, and a lab lead may still want it) on every test set that fits it.

A scenario may say which test sets it applies to with tags: @on_CHTS_v1.0, @on_CHTS_v1.1,
@on_dual_band, @on_single_band, @on_SMETS2_v2.0, @on_SMETS2_v3.0 (e.g. the DIT.9 CH upgrade needs a
CHTS v1.0 hub); @on_R2.0 needs an R2.0 service user and DSP; @on_HCALCS a test set that holds an HCALCS (DIT.10
applies only "should actual HCALCS Devices exist": a lab without one runs the rest); @on_one_image_signer a test
set with two ESMEs of one manufacturer and model (an 11.1 to several devices needs one image signer). A scenario
uses the devices its steps name, in the cast it runs in (harness.lab.casts: which device of the test set plays each
role; a target's `cast`); those are the assets a suspension blocks.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass

from harness.catalogue import DeviceType
from harness.errors import DitError
from harness.lab.baselines import BASELINES, DEFAULT_BASELINE, Baseline, baseline
from harness.lab.casts import AS_NAMED, Cast
from harness.lab.config import LabConfig, PremisesConfig


@dataclass(frozen=True)
class RunTarget:
    baseline: Baseline
    test_set: str
    ch_variant: str
    cast: Cast = AS_NAMED          # which devices of the test set play the roles a scenario names (lab.casts)

    @property
    def id(self) -> str:
        return "-".join(filter(None, (self.baseline.id, self.test_set, self.cast.id)))


def targets(lab: LabConfig, baselines: list[str] | None = None, test_sets: list[str] | None = None,
            matrix: bool = False) -> list[RunTarget]:
    chosen = [baseline(b) for b in baselines or []] or \
        (list(BASELINES) if matrix else [baseline(DEFAULT_BASELINE)])
    sites = [lab.test_set(name) for name in test_sets or []] or lab.premises
    found = []
    for base in chosen:
        fitting = [s for s in sites if base.fits(s)]
        if not (matrix or test_sets):
            fitting = fitting[:1]
        found += [RunTarget(base, s.name, s.ch_variant) for s in fitting]
    if not found:
        which = f"test set(s) {', '.join(s.name for s in sites)}" if test_sets else "test set"
        raise DitError(f"no {which} of lab {lab.name} fits baseline(s) {', '.join(b.id for b in chosen)}",
                       where=lab.source, fix="; ".join(f"{b.id} needs {b.title}" for b in chosen))
    return found


_ON = {"on_CHTS_v1.0": lambda s, b: s.hub.standard == "CHTS v1.0",
       "on_CHTS_v1.1": lambda s, b: s.hub.standard == "CHTS v1.1",
       "on_dual_band": lambda s, b: s.hub.han_variant == "Dual Band",
       "on_single_band": lambda s, b: s.hub.han_variant == "Single Band",
       "on_SMETS2_v2.0": lambda s, b: s.meter_standard == "SMETS2 v2.0",
       "on_SMETS2_v3.0": lambda s, b: s.meter_standard == "SMETS2 v3.0",
       "on_R2.0": lambda s, b: b.service_user == b.dsp_csp == "R2.0",
       "on_HCALCS": lambda s, b: any(d.type is DeviceType.HCALCS for d in s.devices),
       "on_one_image_signer": lambda s, b: _one_image_signer(s)}


def _one_image_signer(site: PremisesConfig) -> bool:
    models = [(d.manufacturer, d.model) for d in site.devices if d.type is DeviceType.ESME]
    return len(set(models)) < len(models)


def applies(tags, site: PremisesConfig, target_baseline: Baseline) -> bool:
    """Whether a scenario with these tags runs on this test set at this baseline."""
    return all(_ON[marker(tag)](site, target_baseline) for tag in tags if marker(tag) in _ON)


def marker(tag: str) -> str:
    """Tags reach here as written or as pytest marker names (dots become underscores)."""
    return next((name for name in _ON if name.replace(".", "_") == tag or name == tag), tag)


def devices_named(steps, site: PremisesConfig) -> list[str]:
    """The test set's devices a scenario's steps name ('the ESME 2', 'the PPMID'), in their text or their
    table ('| device_id | the PPMID 2 |'). Steps are pytest-bdd steps: a name and maybe a datatable."""
    names = sorted((d.name for d in site.devices), key=len, reverse=True)
    texts = [s.name for s in steps] + [cell for s in steps if s.datatable for row in s.datatable.raw() for cell in row]
    found: list[str] = []
    for text in texts:
        rest = text
        for name in names:
            # the plain substring first: most texts name no device, and a run asks this of every step of every test
            if f"the {name}" in rest and (pattern := _naming(name)).search(rest):
                found.append(name)
                rest = pattern.sub("", rest)
    return sorted(set(found))


@functools.cache
def _naming(name: str) -> re.Pattern[str]:
    return re.compile(rf"\bthe {re.escape(name)}\b(?! \d)")


@dataclass(frozen=True)
class ChosenTest:
    """A test a run is told to execute (`dit run --retest`): a scenario on a target, in one cast, or in each cast
    the plan gives it there (cast None). pytest gets it as JSON (--dit-test)."""

    scenario_id: str
    baseline: str
    test_set: str
    cast: str | None = None

    def matches(self, key: tuple[str, str | None, str | None, str]) -> bool:
        """Whether a planned test or execution (its key: scenario, baseline, test set, cast) is this test."""
        return key[:3] == (self.scenario_id, self.baseline, self.test_set) and self.cast in (None, key[3])

    @property
    def option(self) -> str:
        return json.dumps([self.scenario_id, self.baseline, self.test_set, self.cast])

    @classmethod
    def parse(cls, option: str) -> ChosenTest:
        """Not JSON, or not four values: a ValueError or TypeError, which pytest's option parser makes its usage
        error (only `dit run` writes the option)."""
        scenario_id, baseline_id, test_set, cast = json.loads(option)
        return cls(scenario_id, baseline_id, test_set, cast)
