"""The run's HAN captures (each execution's han.pcap) as DIT.11 (timings on both bands) and DIT.8 (duty cycle,
frequency agility) evidence in the ledger, where the report reads it."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from harness.han import analysis, capture
from harness.ledger import ExecutionRecord, Ledger


def record(book: Ledger, run_id: int, executions: Iterable[ExecutionRecord]) -> list[str]:
    """What was recorded, one line per requirement; a capture that cannot be read is said on stderr."""
    studies = []
    for execution in executions:
        path = Path(execution.evidence or "") / "han.pcap"
        if execution.evidence and path.is_file():
            try:
                studies.append(analysis.Analysis().add(capture.read(path)))
            except capture.CaptureError as exc:
                print(f"HAN capture not analysed: {exc}", file=sys.stderr)
    lines = []
    for requirement, (status, reference) in analysis.phase_evidence(studies).items():
        book.record_evidence(requirement, status, f"run {run_id}: {reference}", "dit run")
        lines.append(f"{requirement} {status.replace('_', ' ')}: {reference}")
    return lines
