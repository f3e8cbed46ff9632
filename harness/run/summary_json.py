"""<report-dir>/summary.json: the run's totals, its families and every execution -- what ran (a resumed run's
earlier half included) with the devices that took part and the alerts it received, and what it planned but did not
run (from the ledger's plan, else the scenario catalogue) -- and the run's coverage of the plan's alerts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from harness import scenarios
from harness.criteria.alerts import coverage_rows
from harness.errors import DitError
from harness.ledger import ExecutionRecord, Outcome, PlannedTest

FILE = "summary.json"
# An execution as summary.json lists it: no ledger ids or times beyond its duration.
_FIELDS = ("scenario_id", "title", "family", "tags", "baseline", "test_set", "cast", "ch_variant", "devices", "outcome",
           "duration_s", "virtual_s", "service_requests", "failed_step", "error", "evidence", "place", "operators")


def write(report_dir: Path, lab: str, wall_s: float, ran: list[ExecutionRecord],
          planned: list[PlannedTest] | None) -> None:
    """OSError when the disk refuses it (the ledger has it all; --resume writes it again)."""
    records = ran + not_run(ran, planned)
    totals = {outcome.value: 0 for outcome in Outcome}
    for r in records:
        totals[r.outcome] += 1
    report_dir.mkdir(parents=True, exist_ok=True)
    head = {"generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "lab": lab,
            "wall_time_s": round(wall_s, 3), "totals": totals, "families": family_totals(records)}
    executions = ({**{name: getattr(r, name) for name in _FIELDS},
                   "participants": [p.as_json() for p in r.participants], "alerts": r.alerts} for r in records)
    with (report_dir / FILE).open("w") as out:
        _dump(out, head, {"executions": executions, "alert_coverage": alert_coverage(ran)})


def _dump(out: TextIO, head: dict[str, Any], lists: dict[str, Iterable[Any]]) -> None:
    """The summary as json.dump(indent=2) writes it, each entry of its lists encoded as it is written: as one
    document a serial matrix's 1,315 executions and their alert coverage took 6 MB at the run's end (and as one string
    15 MB). JSON strings hold no raw newline, so an entry's lines are indented by replacing them."""
    out.write(json.dumps(head, indent=2)[:-2])          # without its closing "\n}"
    for name, entries in lists.items():
        out.write(f",\n  {json.dumps(name)}: [")
        first = True
        for entry in entries:
            out.write(("\n    " if first else ",\n    ") + json.dumps(entry, indent=2).replace("\n", "\n    "))
            first = False
        out.write("]" if first else "\n  ]")
    out.write("\n}\n")


def alert_coverage(ran: list[ExecutionRecord]) -> Iterator[dict[str, Any]]:
    """The plan's 27 alerts and which of this run's executions received them (harness.criteria.alerts; a resumed
    run's earlier half included), an alert's row at a time as summary.json is written."""
    histories: dict[tuple[str, str | None, str | None, str], list[ExecutionRecord]] = {}
    for r in ran:
        histories.setdefault(r.key, []).append(r)
    return coverage_rows(histories.values(), none="not covered by this run")


def not_run(ran: list[ExecutionRecord], planned: list[PlannedTest] | None) -> list[ExecutionRecord]:
    """Planned but not run: the run's plan (every scenario on its targets), else every variant of the catalogue."""
    if planned is not None:
        nodes = {r.node for r in ran}
        return [ExecutionRecord(None, p.node, p.scenario_id, Outcome.NOT_RUN, baseline=p.baseline, test_set=p.test_set,
                                ch_variant=p.ch_variant, devices=p.devices, title=p.title, family=p.family, tags=p.tags,
                                cast=p.cast)
                for p in planned if p.node not in nodes]
    try:
        variants = scenarios.discover()
    except DitError:
        variants = []
    ids = {r.scenario_id for r in ran}
    return [ExecutionRecord(None, "", v.id, Outcome.NOT_RUN, title=v.title, family=v.family, tags=v.tags)
            for v in variants if v.id not in ids]


def family_totals(records: Iterable[ExecutionRecord]) -> dict[str, dict[str, float]]:
    families: dict[str, dict[str, float]] = {}
    for r in records:
        family = families.setdefault(r.family, {"scenarios": 0, "passed": 0, "failed": 0, "blocked": 0,
                                                "skipped": 0, "service_requests": 0, "virtual_s": 0.0,
                                                "wall_s": 0.0})
        family["scenarios"] += 1
        if r.outcome in family:
            family[r.outcome] += 1
        family["service_requests"] += r.service_requests
        family["virtual_s"] += r.virtual_s
        family["wall_s"] += r.duration_s
    return dict(sorted(families.items()))
