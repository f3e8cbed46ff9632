"""What a run finished while its ledger could not take it (the server went away, its disk filled up): kept as
JSON lines in the run's report directory, each flushed to disk as it is written, until `dit run` reaches the
ledger again and records it there. A run's interruption is kept the same way, so the ledger learns why the
run stopped even when the ledger itself was what failed."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from harness.ledger.records import ExecutionRecord
from harness.ledger.store import Ledger

FILE = "unrecorded-executions.jsonl"


def keep_execution(folder: Path, ledger: str, execution: ExecutionRecord) -> Path:
    """Keep one execution for `ledger` (its `where`); OSError when the report directory cannot take it either."""
    return _append(folder, {"ledger": ledger, "execution": execution.as_json()})


def keep_interruption(folder: Path, ledger: str, run_id: int, reason: str) -> Path:
    return _append(folder, {"ledger": ledger, "run_id": run_id, "interrupted": reason})


def _append(folder: Path, entry: dict) -> Path:
    path = folder / FILE
    with path.open("a+b") as journal:
        # A crash mid-write leaves a line without its end: this entry starts a line of its own, or it would be read
        # as part of that torn line and lost with it.
        torn = False
        if journal.seek(0, os.SEEK_END):
            journal.seek(-1, os.SEEK_END)
            torn = journal.read(1) != b"\n"
        journal.write(b"\n" * torn + json.dumps(entry).encode() + b"\n")
        journal.flush()
        os.fsync(journal.fileno())
    return path


def replay(book: Ledger, folder: Path) -> int:
    """Record into `book` what was kept for it in `folder` and it does not hold yet; what was kept for another
    ledger stays kept. The number of executions recorded."""
    path = folder / FILE
    if not path.is_file():
        return 0
    mine: list[dict[str, Any]] = []         # JSON lines kept for this ledger, and for others
    others: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue        # torn by a crash mid-write: that execution was never kept, and runs again
        (mine if _same_ledger(entry.get("ledger", ""), book.where) else others).append(entry)
    recorded = 0
    for entry in mine:
        if "execution" in entry:
            execution = ExecutionRecord.from_json(entry["execution"])
            if execution.run_id is not None and execution.node not in book.finished_nodes(execution.run_id):
                book.record_execution(execution)
                recorded += 1
        elif _still_running(book, entry["run_id"]):
            book.finish_run(entry["run_id"], "interrupted", entry["interrupted"])
    if others:
        path.write_text("".join(json.dumps(e) + "\n" for e in others), encoding="utf-8")
    else:
        path.unlink()
    return recorded


def _still_running(book: Ledger, run_id: int) -> bool:
    """Whether the ledger still shows the run running: it was lost before it could learn the run stopped."""
    return any(run.id == run_id and run.status == "running" for run in book.runs())


def _same_ledger(kept: str, where: str) -> bool:
    """SQLite ledgers are told apart by their file, however the path was written."""
    if kept == where:
        return True
    return not kept.startswith("postgresql://") and os.path.realpath(kept) == os.path.realpath(where)
