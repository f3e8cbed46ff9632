"""The business scenarios as data: what `dit scenarios` lists and what the step definitions match.

The step grammar lives here, once: the steps module matches Gherkin with these patterns, and the
scenario listing reads the same patterns to say which Service Requests and alerts a scenario has, in
order, without running it.

  When the <party> sends [optional] SR <srv> "<name>" to the <device>|to the DCC|for the <device>
       [by Local Command Delivery | over the SM WAN and by Local Command Delivery]
  Then the <party> receives DCC alert <code> | device alert <code> [from the <device>]
  Then the <party> receives no DCC alert <code> | no device alert <code> [from the <device>]  (asserted absent)
  Then ... (0x<code>)        a Then step that names a device alert in brackets waits for it too
  | local_response | device alert 0x<code> |   an alert the installer's terminal brought back (8.13 returns it)

Optional SRs (the seed's "Optional - if change in schedule") run unless the run leaves them out
(dit run --without-optional); scenarios that have them carry the tag @optional_srs.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from harness.errors import DitError
from harness.project import FEATURES

if TYPE_CHECKING:
    from pytest_bdd.parser import Feature, Scenario, ScenarioTemplate

    from harness.lab.baselines import Baseline
    from harness.lab.casts import Cast
    from harness.lab.config import LabConfig, PremisesConfig
    from harness.lab.targets import RunTarget

SR_STEP = re.compile(r'^(?:the )?(?P<party>.+?) sends (?P<optional>optional )?SR (?P<srv>\d+(?:\.\d+){1,2}) '
                     r'"(?P<name>[^"]+)" (?P<preposition>to|for) (?P<target>.+?)'
                     r'(?: (?P<delivery>by Local Command Delivery|over the SM WAN and by Local Command Delivery))?$')
ALERT_STEP = re.compile(r"^(?:the )?(?P<party>.+?) receives (?P<kind>DCC|device) alert (?P<code>[0-9A-Za-z]+)"
                        r"(?: from (?P<device>.+))?$")
NO_ALERT_STEP = re.compile(r"^(?:the )?(?P<party>.+?) receives no (?P<kind>DCC|device) alert (?P<code>[0-9A-Za-z]+)"
                           r"(?: from (?:the )?(?P<device>.+))?$")
# A Then step that waits for a device alert it names in brackets: "... refused: a used UTRN (0x8F51)".
NAMED_ALERT = re.compile(r"\((0x[0-9A-Fa-f]{4})\)")
# A table value naming a device alert the hand-held terminal brought back from the CH (harness.lab.parameters).
BROUGHT_BACK = re.compile(r"^device alert (0x[0-9A-Fa-f]{4})$")
REQUIREMENT_TAG = re.compile(r"^DIT\.\d+$")
# The seed's 18 business scenario families (DESIGN section 5 keys) and how many variants each has.
FAMILIES = {"install_commission": 4, "no_wan_lcd": 4, "prepayment_top_up": 2, "chf_replacement": 4, "ppmid": 5,
            "tariff_update": 2, "change_of_mode": 4, "firmware": 4, "change_of_supplier": 8, "org_certificate": 2,
            "device_certificate": 3, "dsp_schedule": 2, "price_update": 2, "ihd": 4, "change_of_tenancy": 12,
            "decommission": 4, "meter_reading": 10, "prepayment_data": 4}
# Scenarios beyond the seed's plan: the DIT.9 CH upgrade, R2.0 dual band SRs, the SECMP0038 proposal (no WAN
# prepayment: intermittent SM WAN, the PPMID route) and the SECMP0024 proposal (Suppliers scheduling CH firmware
# upgrades on the DCC's portal).
LAB_FAMILIES = {"ch_upgrade": 3, "dual_band_hub": 2, "no_wan_prepayment": 5, "ch_firmware_management": 8}
# Variants beyond the plan's 80 in its own families: the electricity organisation certificate update where the test
# set holds an HCALCS (@on_HCALCS; the seed's "Update Digital Signature in HCALCS using SR 6.15.1", DIT.10); the
# prepayment Tariff Updates (the plan's line says PP/CR) and the gas top-ups (its lines say IS/GS); Change of Supplier
# as the SEC Smart Change of Supplier guidance draws it (P302 reads, anomaly detection, the new supplier's SR areas in
# its own order); the credit organisation certificate updates (the plan's line says PP/CR) and the firmware update of
# several devices with an 11.3 per GUID (@on_one_image_signer).
LAB_VARIANTS = {"org_certificate": 3, "tariff_update": 2, "prepayment_top_up": 2, "change_of_supplier": 3,
                "firmware": 1}
PRIORITIES = ("High", "Medium", "Low")


@dataclass
class ScenarioVariant:
    id: str
    family: str
    title: str
    tags: list[str]
    priority: str | None
    business_critical: bool
    requirements: list[str]
    alerts: list[str]               # waited for, first named first
    absent_alerts: list[str]        # asserted not to arrive
    steps: list[dict] = field(default_factory=list)
    file: str = ""
    line: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _target(words: str) -> str:
    return words.removeprefix("the ").strip()


def _alert_label(kind: str, code: str) -> str:
    code = code.upper()
    return ("0x" + code.removeprefix("0X")) if kind == "device" else code


def step_entry(text: str, keyword: str = "then") -> dict | None:
    """The listing entry for one step's text, or None for steps that are neither SRs nor alerts."""
    if m := SR_STEP.match(text):
        target = "DCC" if m["preposition"] == "for" else _target(m["target"])
        entry = {"sr": m["srv"], "name": m["name"], "target": target, "optional": bool(m["optional"])}
        if m["preposition"] == "for":
            entry["device"] = _target(m["target"])
        if m["delivery"]:
            entry["delivery"] = "local" if m["delivery"].startswith("by") else "wan_and_local"
        return entry
    if m := NO_ALERT_STEP.match(text):
        return {"alert": _alert_label(m["kind"], m["code"]), "absent": True}
    if m := ALERT_STEP.match(text):
        return {"alert": _alert_label(m["kind"], m["code"])}
    if keyword == "then" and (named := NAMED_ALERT.findall(text)):
        return {"alert": _alert_label("device", named[0])}
    return None


def _entries(step) -> list[dict]:
    """A pytest-bdd step's listing entries: its own, then the alerts its table says the terminal brought back."""
    own = step_entry(step.name, step.type)
    cells = [cell for row in step.datatable.raw() for cell in row] if step.datatable else []
    brought = [{"alert": _alert_label("device", m[1]), "brought_back": True}
               for cell in cells if (m := BROUGHT_BACK.match(cell.strip()))]
    return ([own] if own is not None else []) + brought


def alert_coverage(variants: list[ScenarioVariant]) -> dict[str, list[str]]:
    """Per alert of the DIT plan (N18-N23 one entry), the scenario variants that wait for it or assert it absent."""
    from harness import catalogue

    covered: dict[str, list[str]] = {entry: [] for entry in catalogue.dit_alerts()}
    for v in variants:
        for code in dict.fromkeys(catalogue.dit_alert_entry(c) for c in [*v.alerts, *v.absent_alerts]):
            if code in covered:
                covered[code].append(v.id)
    return covered


def variant_tags(feature, template, context: dict) -> set[str]:
    """A variant's tags: the feature's, the scenario's, and those of the Examples block it comes from."""
    tags = set(feature.tags) | set(template.tags)
    for examples in template.examples:
        if context and context in examples.as_contexts():
            tags |= set(examples.tags)
    return tags


# Rendered scenarios by (template, Examples row): the template kept with its scenario, so that an id reused after a
# template is gone never returns another's.
_RENDERED: dict[tuple[int, tuple[tuple[str, str], ...]], tuple[ScenarioTemplate, Scenario]] = {}


def rendered(template: ScenarioTemplate, context: dict[str, str]) -> Scenario:
    """template.render(context), once a process per template and row: pytest-bdd deep-copies every step's datatable
    at each render, and a run's planning, blocking and records asked for the same variant again and again (692
    renders for the default run's 160 tests, most of its collection time). Callers only read what it returns."""
    key = (id(template), tuple(context.items()))
    kept = _RENDERED.get(key)
    if kept is None or kept[0] is not template:
        kept = _RENDERED[key] = (template, template.render(context))
    return kept[1]


def discover(root: Path = FEATURES) -> list[ScenarioVariant]:
    """Every scenario variant under features/<family>/*.feature, Scenario Outlines expanded."""
    return [variant for variant, _, _, _ in _parsed(root)]


def casts(feature: Feature, template: ScenarioTemplate, context: dict[str, str], site: PremisesConfig,
          baseline: Baseline) -> list[Cast]:
    """The casts a scenario variant runs in on a target (harness.lab.casts): none where its @on_ tags do not fit
    the target. The plugin plans by this and `dit scenarios --casts` shows it."""
    from harness.lab import casts as lab_casts
    from harness.lab import targets

    tags = variant_tags(feature, template, context)
    if not targets.applies(tags, site, baseline):
        return []
    return lab_casts.planned(targets.devices_named(rendered(template, context).steps, site), site, tags=tags,
                             family=Path(feature.filename).parent.name,     # features/<family>/x.feature
                             regression=baseline.kind == "regression")


@dataclass(frozen=True)
class CastTest:
    """A test as a run plans it: a scenario variant on a target in a cast (`target.cast`), with the assets that
    play the roles its steps name."""

    variant: ScenarioVariant
    target: RunTarget
    devices: dict[str, str]         # role -> asset

    def as_dict(self) -> dict:
        return {"target": self.target.id, "baseline": self.target.baseline.id, "test_set": self.target.test_set,
                "cast": str(self.target.cast), "devices": self.devices}


def proposal_not_asked_for(tags: Iterable[str], family: str, asked: str) -> bool:
    """A scenario of a proposed SEC modification (@proposal_...) is planned only by a run that names its family or
    its proposal in -m or -k (`asked`): a phase's run plans the DIT approach's scenarios and the lab's, not
    proposals."""
    proposals = {t for t in tags if t.startswith("proposal_")}
    return bool(proposals) and not any(name in asked for name in (family, *proposals))


def plan(lab: LabConfig, run_targets: list[RunTarget], root: Path = FEATURES, asked: str = "") -> list[CastTest]:
    """Every test a run on these targets plans: each scenario variant on each target it fits, in each of its casts
    there (a proposal's only when `asked` names it, as a run's -m or -k)."""
    from harness.lab import targets

    found = []
    for variant, feature, template, context in _parsed(root):
        if proposal_not_asked_for(variant.tags, variant.family, asked):
            continue
        for target in run_targets:
            site = lab.test_set(target.test_set)
            roles = targets.devices_named(rendered(template, context).steps, site)
            for cast in casts(feature, template, context, site, target.baseline):
                players = {d.name: d.asset or d.name for d in cast.on(site).devices}
                found.append(CastTest(variant, dataclasses.replace(target, cast=cast),
                                      {role: players[role] for role in roles}))
    return found


def _parsed(root: Path) -> Iterator[tuple[ScenarioVariant, Feature, ScenarioTemplate, dict[str, str]]]:
    """Each scenario variant with the pytest-bdd feature, template and Examples row it comes from."""
    from pytest_bdd.feature import get_feature

    if not root.is_dir():
        raise DitError("no features folder", where=str(root))
    for path in sorted(root.rglob("*.feature")):
        family = path.parent.name if path.parent != root else path.stem
        try:
            # pytest-bdd's cache, keyed as its collection asks for the file: a run parses each feature once a process
            feature = get_feature(str(path.parent), path.name)
        except Exception as exc:   # pytest-bdd raises several parser error types
            raise DitError(f"cannot parse: {exc}", where=str(path)) from None
        for template in feature.scenarios.values():
            contexts = [ctx for ex in template.examples for ctx in ex.as_contexts()] or [{}]
            for context in contexts:
                scenario = rendered(template, context)
                tags = sorted(variant_tags(feature, template, context))
                steps = [e for s in scenario.steps for e in _entries(s)]
                yield ScenarioVariant(
                    id=f"{family}/{_slug(scenario.name)}", family=family, title=scenario.name,
                    tags=tags, priority=next((t for t in tags if t in PRIORITIES), None),
                    business_critical="business_critical" in tags,
                    requirements=[t for t in tags if REQUIREMENT_TAG.match(t)],
                    alerts=list(dict.fromkeys(s["alert"] for s in steps if "alert" in s and not s.get("absent"))),
                    absent_alerts=list(dict.fromkeys(s["alert"] for s in steps if s.get("absent"))), steps=steps,
                    file=str(path.relative_to(root.parent)), line=template.line_number), feature, template, context
