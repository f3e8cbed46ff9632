"""The run's HAN captures (each execution's han.pcap) as automated DIT.11 (timings on both bands) and DIT.8 (duty
cycle, frequency agility) evidence in the ledger: per requirement one record naming the run, with each execution's
figures by node. The criteria add the figures up over the phase (the latest execution of each test), never judging
from one run alone. Each capture's figures are worked out where its execution ran, as the capture is written
(`figures_of`), so under xdist the workers read them in parallel rather than the controller one by one at the run's end;
only a capture whose figures did not come with its record (a resumed run's first half) is read at the end."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from harness.han import analysis, capture
from harness.ledger import ExecutionRecord, Ledger

RECORDED_BY = "dit run"


def figures(pcap: Path) -> dict | None:
    """What one execution's han.pcap shows for DIT.11 and DIT.8; None when it cannot be read (`record` reads it
    again at the run's end and says why)."""
    try:
        return _figures(pcap)
    except capture.CaptureError:
        return None


def figures_of(pcap: Path, fed: analysis.Analysis) -> dict | None:
    """figures(pcap), from the analysis its frames were fed to as it was written when they were (an emulated lab's
    capture), else read from the file; None when there is no capture."""
    if fed.frames:
        return fed.figures()
    return figures(pcap) if pcap.is_file() else None


def _figures(pcap: Path) -> dict:
    return analysis.Analysis().add_records(capture.records(pcap)).figures()


def record(book: Ledger, run_id: int, executions: Iterable[ExecutionRecord],
           progress: Callable[[int, int], None] | None = None, known: Mapping[str, dict] | None = None) -> list[str]:
    """What this run's captures show, one line per requirement; a capture that cannot be read is said on stderr.
    known: the figures of captures already read where their executions ran, by node; the others are read here, and
    progress(done, total) hears how far that has got (a matrix run's take tens of seconds)."""
    found: dict[str, dict] = {}
    where: set[str] = set()
    known = known or {}
    captures = [(e, path) for e in executions if e.evidence and (path := Path(e.evidence) / "han.pcap").is_file()]
    left = sum(e.node not in known for e, _ in captures)
    if progress is not None and left:
        progress(0, left)
    done = 0
    for execution, path in captures:
        if execution.node in known:
            found[execution.node] = known[execution.node]
            where.add(str(path.parent.parent))
            continue
        try:
            found[execution.node] = _figures(path)
            where.add(str(path.parent.parent))
        except capture.CaptureError as exc:
            print(f"HAN capture not analysed: {exc}", file=sys.stderr)
        done += 1
        if progress is not None:
            progress(done, left)
    lines = []
    for requirement, (status, summary) in analysis.phase_evidence(list(found.values())).items():
        kept = {node: {k: f[k] for k in analysis.FIGURES[requirement]} for node, f in found.items()}
        book.record_evidence(requirement, status, f"run {run_id}: han.pcap of {len(found)} executions in "
                                                  f"{', '.join(sorted(where))}", RECORDED_BY, automated=True,
                             run_id=run_id, detail={"executions": kept})
        lines.append(f"{requirement} in this run's captures: {status.replace('_', ' ')}: {summary} "
                     "(dit report judges the phase's)")
    return lines
