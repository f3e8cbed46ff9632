"""The run's HAN captures (each execution's han.pcap) as automated DIT.11 (timings on both bands) and DIT.8 (duty
cycle, frequency agility) evidence in the ledger: per requirement one record naming the run, with each execution's
figures by node. The criteria add the figures up over the phase (the latest execution of each test), never judging
from one run alone."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from harness.han import analysis, capture
from harness.ledger import ExecutionRecord, Ledger

RECORDED_BY = "dit run"


def record(book: Ledger, run_id: int, executions: Iterable[ExecutionRecord],
           progress: Callable[[int, int], None] | None = None) -> list[str]:
    """What this run's captures show, one line per requirement; a capture that cannot be read is said on stderr.
    progress(done, total) hears how far the analysis has got (a matrix run's take tens of seconds)."""
    figures: dict[str, dict] = {}
    where: set[str] = set()
    captures = [(e, path) for e in executions if e.evidence and (path := Path(e.evidence) / "han.pcap").is_file()]
    if progress is not None and captures:
        progress(0, len(captures))
    for done, (execution, path) in enumerate(captures, 1):
        try:
            figures[execution.node] = analysis.Analysis().add_records(capture.records(path)).figures()
            where.add(str(path.parent.parent))
        except capture.CaptureError as exc:
            print(f"HAN capture not analysed: {exc}", file=sys.stderr)
        if progress is not None:
            progress(done, len(captures))
    lines = []
    for requirement, (status, summary) in analysis.phase_evidence(list(figures.values())).items():
        kept = {node: {k: f[k] for k in analysis.FIGURES[requirement]} for node, f in figures.items()}
        book.record_evidence(requirement, status, f"run {run_id}: han.pcap of {len(figures)} executions in "
                                                  f"{', '.join(sorted(where))}", RECORDED_BY, automated=True,
                             run_id=run_id, detail={"executions": kept})
        lines.append(f"{requirement} in this run's captures: {status.replace('_', ' ')}: {summary} "
                     "(dit report judges the phase's)")
    return lines
