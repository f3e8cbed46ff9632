"""The Test Phase Completion Report as one self-contained HTML page (Jinja2, autoescaped, no JavaScript).

The phase assessment may list 20,000 planned tests; the page never lists them one by one. It shows counts,
charts and aggregates, and lists individual tests only in capped lists (the rest is in summary.json).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

import jinja2

from harness.report import charts
from harness.report.charts import OUTCOME_LABELS, OUTCOMES

LIST_CAP = 50                    # rows of a list of individual tests before "and N more"
ERROR_LIST_CAP = 25              # rows of the failed and the blocked tests: theirs carry error text, several lines
SCENARIOS_PER_REQUIREMENT = 6    # traceability rows per requirement before the rest is summed in one row
ERROR_CHARS = 160                # of a test's error text: enough to recognise it; the ledger has the rest
SEVERITIES = ("1", "2", "3", "4", "5")
STATUS_LABELS = {"met": "met", "not_met": "not met", "not_evaluable": "not evaluable"}
_NOT_PASSED_FIRST = {"failed": 0, "blocked": 1, "not_run": 2, "skipped": 3, "passed": 4}


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("harness.report", "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["outcome"] = lambda outcome: OUTCOME_LABELS.get(outcome, outcome)
    env.filters["status"] = lambda status: STATUS_LABELS.get(status, status)
    env.filters["clip"] = _clip
    env.filters["when"] = _when
    return env


def render_html(assessment: Mapping) -> str:
    return _environment().get_template("report.html.j2").render(a=assessment, v=_view(assessment))


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


def _traceability(requirements: list[Mapping], tests: list[Mapping], issues: list[Mapping]) -> dict:
    """Requirement -> scenario -> latest outcome per target (release baseline and test set) -> issues: one row
    per requirement x scenario, one column per target. Rows not all passed come first; past
    SCENARIOS_PER_REQUIREMENT the rest of a requirement's rows are summed in one row."""
    by_scenario: dict[str, list[Mapping]] = defaultdict(list)
    scenarios_by_requirement: dict[str, dict[str, None]] = defaultdict(dict)
    targets: dict[tuple[str, str], None] = {}
    for test in tests:
        by_scenario[test["scenario_id"]].append(test)
        targets[(test["baseline"], test["test_set"])] = None
        for requirement in test.get("requirements") or ():
            scenarios_by_requirement[requirement][test["scenario_id"]] = None
    issues_by_scenario: dict[str, set[str]] = defaultdict(set)
    for issue in issues:
        for scenario in issue.get("scenarios") or ():
            issues_by_scenario[scenario].add(issue["id"])

    groups = []
    for requirement in requirements:
        # The requirement's own list first, then scenarios whose tests name the requirement but it does not.
        scenario_ids = dict.fromkeys(requirement.get("scenarios") or ())
        scenario_ids.update(scenarios_by_requirement.get(requirement["id"], {}))
        rows = [_trace_row(sid, by_scenario.get(sid, []), issues_by_scenario.get(sid, set())) for sid in scenario_ids]
        rows.sort(key=lambda row: row["worst"])
        shown, rest = rows[:SCENARIOS_PER_REQUIREMENT], rows[SCENARIOS_PER_REQUIREMENT:]
        rest_counts: Counter = Counter()
        for row in rest:
            rest_counts.update(row["counts"])
        groups.append({"requirement": requirement, "rows": shown, "more": len(rest), "more_counts": rest_counts})
    # Target columns share what the scenario and issues columns leave of the page width.
    target_width = round(62 / max(len(targets), 1), 2)
    return {"groups": groups, "targets": list(targets), "columns": [27, *[target_width] * len(targets), 11]}


def _trace_row(scenario_id: str, tests: list[Mapping], issue_ids: set[str]) -> dict:
    counts = Counter(t["outcome"] for t in tests)
    issue_ids = issue_ids.union(*(t.get("issues") or () for t in tests))
    worst = min((_NOT_PASSED_FIRST.get(o, 0) for o in counts), default=-1)   # never planned: first of all
    return {"scenario": scenario_id, "counts": counts, "planned": len(tests), "worst": worst,
            "outcomes": {(t["baseline"], t["test_set"]): t["outcome"] for t in tests}, "issues": sorted(issue_ids)}


def _view(a: Mapping) -> dict:
    """What the template shows beyond the assessment's own fields: counts, capped lists, charts."""
    tests = a["tests"]
    by_outcome: dict[str, list[Mapping]] = defaultdict(list)
    by_variant: dict[str, Counter] = defaultdict(Counter)
    for test in tests:
        by_outcome[test["outcome"]].append(test)
        by_variant[test["ch_variant"]][test["outcome"]] += 1
    variants = list(dict.fromkeys([*a["heatmap"]["rows"], *by_variant]))
    families: list[tuple[str, Mapping[str, int]]] = [(f["family"], {o: f.get(o, 0) for o in OUTCOMES})
                                                     for f in a["families"]]
    totals = a["totals"]
    planned = sum(totals.get(o, 0) for o in OUTCOMES)
    mask = a["defect_mask"]
    return {
        "planned": planned,
        "executed": totals.get("passed", 0) + totals.get("failed", 0),
        "never_run": _capped(by_outcome["not_run"]),
        "failed": _capped(by_outcome["failed"], ERROR_LIST_CAP),
        "blocked": _capped(by_outcome["blocked"], ERROR_LIST_CAP),
        "variant_chart": charts.outcome_bars([(v, by_variant[v]) for v in variants],
                                             "Planned tests by outcome per CH variant", key="ch-variant"),
        "family_chart": charts.outcome_bars(families, "Planned tests by outcome per family", key="family"),
        "heatmap": charts.heatmap(a["heatmap"]["rows"], a["heatmap"]["columns"], a["heatmap"]["cells"]),
        # as_dict() may key severities by int; summary.json has them as strings.
        "mask": [{"provider": provider, "levels": {str(sev): level for sev, level in levels.items()},
                  "within": all(level["within"] for level in levels.values())}
                 for provider, levels in mask["providers"].items()],
        "traceability": _traceability(a["requirements"], tests, a["issues"]),
        "traceability_cap": SCENARIOS_PER_REQUIREMENT,
        "severities": SEVERITIES,
        "outcomes": OUTCOMES,
    }
