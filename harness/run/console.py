"""What `dit run` shows in place of pytest's own output (--dit-progress): a progress bar while scenarios run, then
the closing tables -- each scenario (a small run), baselines and test sets (more than one), families -- with every
failure where it failed and every reason scenarios were blocked."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from harness.ledger import ExecutionRecord, Outcome
from harness.run.summary_json import family_totals

SCENARIO_ROWS_UP_TO = 20         # a bigger run is summed up per family; summary.json has every scenario
COLOURS = {Outcome.PASSED: "green", Outcome.FAILED: "red", Outcome.BLOCKED: "yellow", Outcome.SKIPPED: "dim"}


class ProgressBar:
    """Started once the number of executions is known: at collection, or from the xdist workers."""

    def __init__(self) -> None:
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def start(self, total: int) -> None:
        if self._progress is not None:
            return
        self._progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), transient=True)
        self._progress.start()
        self._task = self._progress.add_task("scenarios", total=total)

    def advance(self) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def span(seconds: float) -> str:
    """Virtual time as 3d 04:05:06."""
    days, rest = divmod(int(seconds), 86400)
    text = str(dt.timedelta(seconds=rest))
    return f"{days}d {text}" if days else text


def print_tables(records: Sequence[ExecutionRecord]) -> None:
    if not records:
        return
    console = Console(stderr=False)
    if not console.is_terminal:
        console = Console(stderr=False, width=120)
    if len(records) <= SCENARIO_ROWS_UP_TO:
        console.print(_scenarios(records))
    targets = _targets(records)
    if targets.row_count > 1:
        console.print(targets)
    console.print(_families(records))
    for r in records:
        if r.outcome is Outcome.FAILED:
            console.print(f"[red]FAILED[/red] {r.title}{_where(r)}\n  at: {r.failed_step}\n  {r.error}")
    for reason, count in sorted(Counter(r.error for r in records if r.outcome is Outcome.BLOCKED).items()):
        console.print(f"[yellow]BLOCKED[/yellow] {count} scenario{'s' if count > 1 else ''}: {reason}")
    counts = Counter(r.outcome.value for r in records)
    console.print(", ".join(f"{n} {outcome}" for outcome, n in counts.items()))


def _where(r: ExecutionRecord) -> str:
    return f" [{_target(r)}]" if r.baseline else ""


def _target(r: ExecutionRecord) -> str:
    """Baseline and test set, and the cast unless as named ('B6 SB11-core, ESME=ESME 2')."""
    return f"{r.baseline} {r.test_set}" + (f", {r.cast}" if r.cast else "")


def _scenarios(records: Sequence[ExecutionRecord]) -> Table:
    table = Table(title="DIT scenarios")
    for column in ("Scenario", "Baseline / test set", "Outcome", "Took part", "SRs", "Virtual time", "Wall time"):
        table.add_column(column, justify="right" if column in ("SRs", "Virtual time", "Wall time") else "left")
    for r in records:
        table.add_row(r.title, _target(r) if r.baseline else "-",
                      f"[{COLOURS.get(r.outcome, '')}]{r.outcome}", ", ".join(p.role for p in r.participants) or "-",
                      str(r.service_requests), span(r.virtual_s), f"{r.duration_s:.2f} s")
    return table


def _targets(records: Sequence[ExecutionRecord]) -> Table:
    """Outcomes per release baseline and test set."""
    where: dict[tuple[str, str | None, str | None], Counter[str]] = {}
    for r in records:
        if r.baseline:
            where.setdefault((r.baseline, r.test_set, r.ch_variant), Counter())[r.outcome] += 1
    table = Table(title="Release baselines and test sets")
    for column in ("Baseline", "Test set", "CH variant", "Passed", "Failed", "Blocked"):
        table.add_column(column, justify="right" if column in ("Passed", "Failed", "Blocked") else "left",
                         no_wrap=True)
    for (base, test_set, variant), row in sorted(where.items()):
        table.add_row(base, test_set, variant, *(str(row[o]) for o in ("passed", "failed", "blocked")))
    return table


def _families(records: Sequence[ExecutionRecord]) -> Table:
    table = Table(title="DIT business scenario families")
    for column in ("Family", "Executions", "Passed", "Failed", "Blocked", "SRs", "Virtual time", "Wall time"):
        table.add_column(column, justify="left" if column == "Family" else "right", no_wrap=True)
    for family, t in family_totals(records).items():
        failed = f"[red]{t['failed']}" if t["failed"] else "0"
        blocked = f"[yellow]{t['blocked']}" if t["blocked"] else "0"
        table.add_row(family, str(t["scenarios"]), f"[green]{t['passed']}", failed, blocked,
                      str(t["service_requests"]), span(t["virtual_s"]), f"{t['wall_s']:.2f} s")
    return table
