"""The phase ledger as a run's output: the run (a new one, or the one `dit run` opened or resumes), its test sets'
devices and planned tests, and each execution committed the moment it ends -- by the process that sees its report,
the controller under xdist. An execution the ledger does not take is kept in the report directory
(harness.ledger.journal) and the run stops."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

from harness.errors import DitError
from harness.ledger import DeviceRecord, ExecutionRecord, Ledger, PlannedTest, journal
from harness.run.stopping import RunStop

# A run appends its executions and reads little back: SQLite's default page cache (2,000 KiB) filled with the
# ledger's pages over a long run (a serial matrix's ledger is 2.9 MB), memory a short run never took
PAGE_CACHE_KIB = 256


class LedgerSink:
    def __init__(self, book: Ledger, run_id: int, stopping: RunStop, report_dir: Path | None, *, records: bool,
                 own_run: bool):
        self.book, self.run_id, self.stopping, self.report_dir = book, run_id, stopping, report_dir
        self.records = records          # False in an xdist worker: the controller commits its executions
        self._own_run = own_run         # opened here (plain pytest), not by `dit run`, so finished here too

    @classmethod
    def open(cls, dsn: str, stopping: RunStop, report_dir: Path | None, *, run_id: int | None, worker: bool,
             lab: str, invocation: str) -> LedgerSink:
        """Where the run is recorded: the run `dit run` opened or resumes (--dit-run) or, in an xdist worker, the
        run its controller records; else (plain pytest) a new one."""
        book = Ledger(dsn, page_cache_kib=PAGE_CACHE_KIB)
        stopping.end.ledger = book.where
        if run_id is None:
            return cls(book, book.start_run(lab, invocation, []), stopping, report_dir, records=True, own_run=True)
        return cls(book, run_id, stopping, report_dir, records=not worker, own_run=False)

    def resumed(self) -> list[ExecutionRecord]:
        """What the run finished before it was resumed: back in this run's summary."""
        planned = {p.node for p in self.book.planned(self.run_id)}
        finished = [e for e in self.book.executions(self.run_id) if e.node in planned]
        self.stopping.end.recorded = len(finished)
        return finished

    def plan(self, devices: list[DeviceRecord], tests: list[PlannedTest]) -> set[str]:
        """Record the run's devices and planned tests; the nodes it already finished (a resumed run)."""
        self.book.record_devices(self.run_id, devices)
        self.book.plan(self.run_id, tests)
        return self.book.finished_nodes(self.run_id)

    def not_executed(self) -> list[PlannedTest] | None:
        """What the run planned and has recorded no execution of; None with the ledger lost."""
        try:
            return self.book.planned(self.run_id, unexecuted=True)
        except DitError as lost:
            self.stopping.note(f"ledger lost: {lost.what}")
            return None

    def commit(self, execution: ExecutionRecord) -> int | None:
        """An execution is in the ledger the moment it ends: a run killed later loses nothing of it. Its id in the
        ledger (None in an xdist worker, which commits nothing)."""
        if not self.records:
            return None
        try:
            execution_id = self.book.record_execution(execution)
        except DitError as lost:
            self._lost(execution, lost)
        self.stopping.end.recorded += 1
        return execution_id

    def _lost(self, execution: ExecutionRecord, lost: DitError) -> NoReturn:
        """The ledger did not take a finished execution (its server went away, its disk is full): once more with
        the room kept on the disk given back, else into the report directory for the next `dit run` to record;
        either way the run stops."""
        reason = f"ledger lost: {lost.what}"
        self.stopping.note(reason)
        try:
            self.book.record_execution(execution)
            self.stopping.end.recorded += 1
        except DitError:
            self._keep(execution)
        self.stopping.stop(reason)

    def _keep(self, execution: ExecutionRecord) -> None:
        end = self.stopping.end
        if self.report_dir is not None:
            try:
                end.journal = journal.keep_execution(self.report_dir, self.book.where, execution)
                end.kept += 1
                return
            except OSError:
                pass
        end.lost.append(f"{execution.scenario_id} {execution.outcome}")

    def close(self, interrupted: bool) -> None:
        """A run opened here ends here: completed, or interrupted and why."""
        if self._own_run:
            try:
                self.book.finish_run(self.run_id, "interrupted" if interrupted else "completed",
                                     self.stopping.end.stopped)
            except DitError as lost:
                self.stopping.note(f"ledger lost: {lost.what}")
        self.book.close()
