"""DIT.8 and DIT.11 judged over the phase from the HAN capture figures `dit run` recorded as automated evidence.

A requirement is judged like a test: by the latest execution of each planned test. Each run records the figures of
its executions' captures (harness.run.han_evidence); here the figures of each test's latest execution are added up
(harness.han.analysis), and the runs they come from are named. A small rerun replaces the figures of the tests it
reran and leaves the rest of the phase's as they were; an execution superseded by a later one no longer counts, as
its outcome does not.
"""

from __future__ import annotations

from collections import Counter

from harness.criteria.phase import Phase
from harness.criteria.verdict import plural
from harness.han import analysis

JUDGES = {"DIT.11": analysis.timings, "DIT.8": analysis.agility}


def judge(phase: Phase, requirement: str) -> tuple[str, str, list[str]] | None:
    """(met | not_met, what shows it with the contributing runs, details); None when no run analysed a capture."""
    by_run: dict[int, dict[str, dict]] = {}
    for e in phase.evidence:            # a later record of the same run replaces an earlier one
        if e.automated and e.criterion == requirement and e.run_id is not None and e.detail:
            by_run[e.run_id] = e.detail.get("executions", {})
    if not by_run:
        return None
    figures: list[dict] = []
    runs: Counter[int] = Counter()
    without = 0
    for t in phase.tests:
        last = t.last
        if last is None:
            continue
        found = by_run.get(last.run_id, {}).get(last.node) if last.run_id is not None else None
        if found is None or last.run_id is None:
            without += 1
            continue
        figures.append(found)
        runs[last.run_id] += 1
    details = [f"{plural(without, 'test')} whose latest execution has no analysed HAN capture"] if without else []
    if not figures:
        analysed = ", ".join(map(str, sorted(by_run)))
        return ("not_met", f"no test's latest execution has an analysed HAN capture (those analysed, in runs "
                           f"{analysed}, are of executions run again since)", details)
    status, summary = JUDGES[requirement](figures)
    named = ", ".join(f"run {run} ({plural(n, 'test')})" for run, n in sorted(runs.items()))
    return status, f"{summary}; the latest execution of each of {plural(len(figures), 'test')}, from {named}", details
