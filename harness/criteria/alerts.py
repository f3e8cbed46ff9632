"""Alert coverage: for each of the 27 alerts of the DIT plan (harness.catalogue.dit_alerts; N18-N23 one entry, as
the plan counts them), the executions in which a scenario waited for the alert and received it
(ExecutionRecord.alerts, recorded as the scenario ran).

Only executions count: an alert a unit test exercises but no execution of the phase received is not covered by
the phase. An alert is covered when a test whose latest execution received it passed; received only in
executions that failed, or that a later execution of their test superseded, it is received but not passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from harness import catalogue
from harness.criteria.phase import Phase
from harness.ledger import ExecutionRecord, Outcome

COVERED, NOT_PASSED, NOT_COVERED = "covered", "received, not passed", "not covered by the phase"


def alert_coverage(phase: Phase) -> list[dict[str, Any]]:
    """Per alert of the plan, the phase's executions that received it (newest first)."""
    return coverage(t.executions for t in phase.tests)


def coverage(histories: Iterable[Sequence[ExecutionRecord]], none: str = NOT_COVERED) -> list[dict[str, Any]]:
    """Per alert of the plan, the executions that received it; each history is one test's executions, oldest
    first (its last is the test's latest). `none` is the status of an alert none received ('not covered by this
    run' for a run's own summary)."""
    return list(coverage_rows(histories, none))


def coverage_rows(histories: Iterable[Sequence[ExecutionRecord]], none: str = NOT_COVERED) -> Iterator[dict[str, Any]]:
    """coverage(), each alert's row made as it is read: a serial matrix's rows together held 2.3 MB at its end."""
    plan = catalogue.dit_alerts()
    received: dict[str, list[ExecutionRecord]] = {code: [] for code in plan}
    passed: set[str] = set()        # alerts a test's latest, passed execution received
    for history in histories:
        for e in history:
            for code in {catalogue.dit_alert_entry(c) for c in e.alerts} & received.keys():
                received[code].append(e)
                if e is history[-1] and e.outcome is Outcome.PASSED:
                    passed.add(code)
    for code in plan:
        found = sorted(received.pop(code), key=lambda e: (e.finished_at or "", e.id or 0), reverse=True)
        status = COVERED if code in passed else NOT_PASSED if found else none
        yield {"alert": code, "name": _name(code), "status": status, "executions": [_seen(e) for e in found],
               "tests": len({e.key for e in found}), "latest_outcome": found[0].outcome.value if found else None}


def _seen(e: ExecutionRecord) -> dict[str, Any]:
    return {"execution": e.id, "run": e.run_id, "scenario_id": e.scenario_id, "baseline": e.baseline,
            "test_set": e.test_set, "cast": e.cast, "outcome": e.outcome.value, "finished_at": e.finished_at}


def _name(code: str) -> str:
    if code.startswith("0x"):
        return catalogue.device_alert(code.removeprefix("0x")).name
    return catalogue.dcc_alert(code.split("-")[0]).meaning
