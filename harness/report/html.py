"""The Test Phase Completion Report as one self-contained HTML page (Jinja2, autoescaped, no JavaScript).

The phase assessment may list 20,000 planned tests; the page never lists them one by one. It shows counts,
charts and aggregates, and lists individual tests only in capped lists (the rest is in summary.json).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from harness.report import charts
from harness.report.charts import OUTCOME_LABELS, OUTCOMES
from harness.report.document import identification

LIST_CAP = 50                    # rows of a list of individual tests before "and N more"
ERROR_LIST_CAP = 25              # rows of the failed and the blocked tests: theirs carry error text, several lines
SCENARIOS_PER_REQUIREMENT = 6    # traceability rows per requirement before the rest is summed in one row
ERROR_CHARS = 160                # of a test's error text: enough to recognise it; the ledger has the rest
SEVERITIES = ("1", "2", "3", "4", "5")
STATUS_LABELS = {"met": "met", "not_met": "not met", "not_evaluable": "not evaluable"}
_NOT_PASSED_FIRST = {"failed": 0, "blocked": 1, "not_run": 2, "skipped": 3, "passed": 4}


class KeptTemplates(jinja2.FileSystemBytecodeCache):
    """The report's templates compiled once, not in every process (0.2 s of each `dit report`): kept where Python
    keeps the package's bytecode, each file stamped with its template's checksum (an edited template is compiled
    again). Where nothing can be written there, compiled in each process, as before."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:                 # Jinja lets through what is not one of three: a file where the folder was
            pass

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


@functools.cache
def _environment() -> jinja2.Environment:
    return environment(os.path.join(os.path.dirname(__file__), "__pycache__"))


def environment(kept_in: str) -> jinja2.Environment:
    """The report's templates, their compiled code kept in the folder kept_in."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("harness.report", "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                             bytecode_cache=KeptTemplates(kept_in))
    env.filters["outcome"] = lambda outcome: OUTCOME_LABELS.get(outcome, outcome)
    env.filters["status"] = lambda status: STATUS_LABELS.get(status, status)
    env.filters["clip"] = _clip
    env.filters["when"] = _when
    return env


def render_html(assessment: Mapping, out_dir: Path | None = None, *, view: Mapping | None = None,
                printed: Mapping[str, str] | None = None) -> str:
    """The report page; links to evidence folders are relative to out_dir (where the page is written) when given,
    else absolute file URLs. view: report_view's, when the caller renders twice. printed: the copy the PDF is made
    from, which leaves the long sections to the page and its assessment and cites them by their SHA-256 (path ->
    hex digest, as the deliverables name them): laying out every section was three quarters of `dit report`."""
    return _environment().get_template("report.html.j2").render(
        a=assessment, v=view if view is not None else report_view(assessment, out_dir), printed=printed)


# The families as the plan names them (each feature's title; test_report_render holds them to features/).
FAMILY_NAMES = {
    "install_commission": "Install & Commission (incl. post commissioning activities)",
    "no_wan_lcd": "'no WAN' Installation Using Local Command Delivery",
    "prepayment_top_up": "Prepayment - ToP Up", "chf_replacement": "CHF Replacement", "ppmid": "PPMID",
    "tariff_update": "Tariff Update (Product Change)", "change_of_mode": "Change of Mode (Product Change)",
    "firmware": "Firmware Management", "change_of_supplier": "Change of Supplier (Gain and Loss)",
    "org_certificate": "Organisation Certificate Update", "device_certificate": "Device Certificate Update",
    "dsp_schedule": "DSP Schedule Management", "price_update": "Price Update", "ihd": "In House Display",
    "change_of_tenancy": "Change of Tenancy", "decommission": "Decommission Device", "meter_reading": "Meter Reading",
    "prepayment_data": "Prepayment Data",
    "ch_upgrade": "Communications Hub upgrade from CHTS v1.0 to v1.1 (DIT.9)",
    "dual_band_hub": "Dual band Communications Hub sub-GHz configuration",
    "no_wan_prepayment": "Prepayment without SM WAN: commands and UTRNs through a PPMID (SECMP0038 proposal)",
    "ch_firmware_management": "Communications Hub firmware management by Suppliers (SECMP0024)"}


def family_name(family: str) -> str:
    return FAMILY_NAMES.get(family) or family.replace("_", " ").capitalize()


def _short(name: str) -> str:
    """A family's name without its parenthesis, for a matrix's column header (the full name is its tooltip)."""
    return name.split(" (")[0]


def _link(path: str | None, out_dir: Path | None) -> str | None:
    if not path:
        return None
    absolute = Path(path).resolve()
    if out_dir is None:
        return absolute.as_uri() + "/"
    try:
        return os.path.relpath(absolute, out_dir.resolve()).replace(os.sep, "/") + "/"
    except ValueError:
        return absolute.as_uri() + "/"


def _clip(text: str | None, limit: int = ERROR_CHARS) -> str:
    if not text:
        return ""
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def _when(stamp: str | None) -> str:
    """An ISO 8601 instant to the minute ("2026-11-21 10:00 UTC"); anything else as it came."""
    if not stamp:
        return "—"
    try:
        instant = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if instant.tzinfo is None:
        return f"{instant:%Y-%m-%d %H:%M}"
    zone = "UTC" if instant.utcoffset() == dt.timedelta(0) else f"{instant:%z}"
    return f"{instant:%Y-%m-%d %H:%M} {zone}"


def _capped(items: Iterable, limit: int = LIST_CAP) -> dict:
    items = list(items)
    return {"rows": items[:limit], "more": max(len(items) - limit, 0), "total": len(items)}


def _traced(requirements: list[Mapping], tests: list[Mapping]) -> dict[str, dict[str, None]]:
    """Requirement -> the scenarios traced to it: the requirement's own list, then those whose tests name it."""
    named: dict[str, dict[str, None]] = defaultdict(dict)
    for test in tests:
        for requirement in test.get("requirements") or ():
            named[requirement][test["scenario_id"]] = None
    return {r["id"]: {**dict.fromkeys(r.get("scenarios") or ()), **named.get(r["id"], {})} for r in requirements}


def _traceability(requirements: list[Mapping], tests: list[Mapping], issues: list[Mapping]) -> dict:
    """Requirement x family: passed of the planned tests of the family's scenarios traced to the requirement (the
    matrix); and, per requirement, the scenarios not all passed with their outcomes per target and issues (the
    exceptions a reader follows up), SCENARIOS_PER_REQUIREMENT at most."""
    by_scenario: dict[str, list[Mapping]] = defaultdict(list)
    for test in tests:
        by_scenario[test["scenario_id"]].append(test)
    issues_by_scenario: dict[str, set[str]] = defaultdict(set)
    for issue in issues:
        for scenario in issue.get("scenarios") or ():
            issues_by_scenario[scenario].add(issue["id"])
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    families: dict[str, None] = {}
    exceptions = []
    for requirement, scenarios in _traced(requirements, tests).items():
        rows: list[dict[str, Any]] = []
        for scenario in scenarios:
            planned = by_scenario.get(scenario, [])
            for test in planned:
                families[test["family"]] = None
                cell = cells[(requirement, test["family"])]
                cell[0] += test["outcome"] == "passed"
                cell[1] += 1
            counts = Counter(t["outcome"] for t in planned)
            if counts["passed"] == len(planned) and planned:
                continue
            rows.append({"scenario": scenario, "counts": counts, "planned": len(planned),
                         "worst": min((_NOT_PASSED_FIRST.get(o, 0) for o in counts), default=-1),
                         "outcomes": sorted(Counter(f"{t['baseline']} {t['test_set']}: {OUTCOME_LABELS[t['outcome']]}"
                                                    for t in planned if t["outcome"] != "passed").items()),
                         "issues": sorted(issues_by_scenario.get(scenario, set()).union(
                             *(t.get("issues") or () for t in planned)))})
        if rows:
            rows.sort(key=lambda row: row["worst"])
            exceptions.append({"requirement": requirement, "rows": rows[:SCENARIOS_PER_REQUIREMENT],
                               "more": max(len(rows) - SCENARIOS_PER_REQUIREMENT, 0)})
    ordered = sorted(families, key=lambda f: (f not in FAMILY_NAMES, list(FAMILY_NAMES).index(f)
                                              if f in FAMILY_NAMES else 0, f))
    matrix = charts.trace_matrix(requirements, [(f, _short(family_name(f))) for f in ordered],
                                 {key: (p, n) for key, (p, n) in cells.items()})
    return {"matrix": matrix, "exceptions": exceptions, "families": len(ordered)}


def _pairs(a: Mapping) -> list[Markup]:
    """Per test set, the devices tested together (charts.pair_matrix), from each executed test's participants. Per
    test set, not per CH variant: devices of two test sets never take part in one test, and a CH variant's matrix
    would be mostly empty."""
    columns = {c["device"]: c for c in a["heatmap"]["columns"]}
    pairs: dict[str, dict[tuple[str, str], list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    devices: dict[str, dict[str, None]] = defaultdict(dict)
    for test in a["tests"]:
        if test["outcome"] not in ("passed", "failed") or not test.get("test_set"):
            continue
        where = f"{test['test_set']} ({test['ch_variant']})" if test.get("ch_variant") else test["test_set"]
        used = sorted(d for d in test.get("devices") or () if d in columns)
        for i, first in enumerate(used):
            devices[where][first] = None
            for second in used[i:]:
                cell = pairs[where][(first, second)]
                cell[0] += test["outcome"] == "passed"
                cell[1] += 1
    order = {c["device"]: i for i, c in enumerate(a["heatmap"]["columns"])}
    return [charts.pair_matrix(where, [columns[d] for d in sorted(devices[where], key=order.__getitem__)],
                               {k: (p, n) for k, (p, n) in pairs[where].items()})
            for where in sorted(devices)]


def _unmet(a: Mapping) -> list[Mapping]:
    """The entry and exit criteria not met, in the order the plan numbers them: what page 1 names."""
    return [c for c in [*a["entry_criteria"], *a["exit_criteria"]] if c["status"] != "met"]


def _test_row(t: Mapping, out_dir: Path | None) -> dict:
    return {**t, "family_name": family_name(t["family"]), "evidence_href": _link(t.get("evidence"), out_dir)}


def report_view(a: Mapping, out_dir: Path | None = None) -> dict:
    """What the template shows beyond the assessment's own fields: counts, capped lists, charts."""
    tests = a["tests"]
    by_outcome: dict[str, list[Mapping]] = defaultdict(list)
    by_variant: dict[str, Counter] = defaultdict(Counter)
    for test in tests:
        by_outcome[test["outcome"]].append(test)
        by_variant[test["ch_variant"]][test["outcome"]] += 1
    variants = list(dict.fromkeys([*a["heatmap"]["rows"], *by_variant]))
    by_name = sorted(a["families"], key=lambda f: family_name(f["family"]).strip("'").lower())
    families: list[tuple[str, Mapping[str, int]]] = [(family_name(f["family"]), {o: f.get(o, 0) for o in OUTCOMES})
                                                     for f in by_name]
    totals = a["totals"]
    planned = sum(totals.get(o, 0) for o in OUTCOMES)
    mask = a["defect_mask"]
    han = a.get("han") or {"latency": [], "duty_cycle": [], "thresholds": None}
    document = a.get("document") or identification(a)
    return {
        "planned": planned,
        "executed": totals.get("passed", 0) + totals.get("failed", 0),
        "document": document,
        "unmet": _unmet(a),
        "family_name": family_name,
        "families": by_name,
        "never_run": _capped(by_outcome["not_run"]),
        "failed": _capped([_test_row(t, out_dir) for t in by_outcome["failed"]], ERROR_LIST_CAP),
        "blocked": _capped([_test_row(t, out_dir) for t in by_outcome["blocked"]], ERROR_LIST_CAP),
        "variant_chart": charts.outcome_bars([(v, by_variant[v]) for v in variants],
                                             "Planned tests by outcome per CH variant", key="ch-variant"),
        "family_chart": charts.outcome_bars(families, "Planned tests by outcome per family", key="family",
                                            label_width=290),
        "legend": charts.band_legend(),
        "heatmap": charts.heatmap(a["heatmap"]["rows"], a["heatmap"]["columns"], a["heatmap"]["cells"]),
        "pair_matrices": _pairs(a),
        "latency_charts": [charts.latency_histogram(band) for band in han["latency"]],
        "duty_cycle_chart": charts.duty_cycle_chart(han["duty_cycle"], han["thresholds"])
        if han.get("thresholds") else None,
        "han": han,
        "duty_peak": max(han["duty_cycle"], key=lambda p: p["peak_percent"]) if han["duty_cycle"] else None,
        # as_dict() may key severities by int; summary.json has them as strings.
        "mask": [{"provider": provider, "levels": {str(sev): level for sev, level in levels.items()},
                  "within": all(level["within"] for level in levels.values())}
                 for provider, levels in mask["providers"].items()],
        "traceability": _traceability(a["requirements"], tests, a["issues"]),
        "traceability_cap": SCENARIOS_PER_REQUIREMENT,
        "severities": SEVERITIES,
        "outcomes": OUTCOMES,
    }
