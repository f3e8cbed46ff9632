"""What `dit run` shows in place of pytest's own output (--dit-progress): the run as it goes -- on a terminal one line
rewritten in place with the passed/failed/blocked counts and the scenario running, elsewhere (CI, a pipe) one line per
finished scenario with its execution ID -- the analysis of the run's HAN captures, then the closing tables -- each
scenario (a small run), baselines and test sets (more than one), families -- with every failure where it failed,
every reason scenarios were blocked and the execution IDs a test issue links to."""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections import Counter
from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from harness.ledger import ExecutionRecord, Outcome
from harness.run.summary_json import family_totals

SCENARIO_ROWS_UP_TO = 20         # a bigger run is summed up per family; summary.json has every scenario
COLOURS = {Outcome.PASSED: "green", Outcome.FAILED: "red", Outcome.BLOCKED: "yellow", Outcome.SKIPPED: "dim"}
COUNTED = (Outcome.PASSED, Outcome.FAILED, Outcome.BLOCKED)
RAISE_HINT = "dit issue raise --title TEXT --severity 1-5 --owner DSP --execution ID"


class RunProgress:
    """The run as it goes, on stdout. On a terminal, one line rewritten in place (rich): the counts so far, the bar,
    how many of how many, the time, and the scenario running (the latest started under xdist). Elsewhere one line
    per finished scenario, flushed at once so a CI log shows the run as it goes rather than at its end."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()
        self.live = self.console.is_terminal
        self.counts: Counter[Outcome] = Counter()
        self._running: dict[str, str] = {}         # node -> scenario as shown, in the order they started
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def start(self, total: int) -> None:
        """Once the number of executions is known: at collection, or from the xdist workers."""
        if self._progress is not None or not self.live:
            return
        self._progress = Progress(TextColumn("{task.fields[counts]}"), BarColumn(bar_width=24), MofNCompleteColumn(),
                                  TimeElapsedColumn(),
                                  # the scenario takes the room the others leave, cut short with an ellipsis
                                  TextColumn("{task.description}", table_column=Column(ratio=1, no_wrap=True,
                                                                                       overflow="ellipsis")),
                                  console=self.console, transient=True, expand=True)
        self._progress.start()
        self._task = self._progress.add_task("", total=total, counts=self._counts())

    def started(self, node: str, scenario: str) -> None:
        self._running[node] = scenario
        self._show()

    def finished(self, record: ExecutionRecord) -> None:
        """A scenario's execution, committed (its id set) where there is a ledger."""
        self._running.pop(record.node, None)
        self.counts[record.outcome] += 1
        if not self.live:
            print(finished_line(record), flush=True)
            return
        if record.outcome in (Outcome.FAILED, Outcome.BLOCKED):     # above the live line, which goes on
            self.console.print(f"[{COLOURS[record.outcome]}]{escape(finished_line(record))}")
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)
        self._show()

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()

    def _show(self) -> None:
        if self._progress is not None and self._task is not None:
            running = next(reversed(self._running.values()), "")
            # drawn now, not at the next tick: the line never lags a finished scenario
            self._progress.update(self._task, counts=self._counts(), description=escape(running), refresh=True)

    def _counts(self) -> str:
        return (f"[green]{self.counts[Outcome.PASSED]} passed[/] [red]{self.counts[Outcome.FAILED]} failed[/] "
                f"[yellow]{self.counts[Outcome.BLOCKED]} blocked[/]")


def finished_line(record: ExecutionRecord) -> str:
    """`PASSED  install_commission Install & Commission - ESME Credit [B6/SB11-core] execution 12`"""
    execution = f" execution {record.id}" if record.id is not None else ""
    return f"{record.outcome.value.upper():8}{record.family} {scenario(record)}{execution}"


def scenario(record: ExecutionRecord) -> str:
    """The scenario and where it runs: `Install & Commission - ESME Credit [B6/SB11-core, ESME=ESME 2]`."""
    cast = f", {record.cast}" if record.cast else ""
    return f"{record.title} [{record.baseline}/{record.test_set}{cast}]" if record.baseline else record.title


class CaptureProgress:
    """How far the analysis of the run's HAN captures has got, on stderr: a bar rewritten in place on a terminal,
    else a line at each tenth of them, so a long analysis is never silence."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.console.is_terminal:
            if self._progress is None:
                self._progress = Progress(TextColumn("analysing the run's HAN captures (DIT.8, DIT.11)"), BarColumn(),
                                          MofNCompleteColumn(), TimeElapsedColumn(), console=self.console,
                                          transient=True)
                self._progress.start()
                self._task = self._progress.add_task("", total=total)
            assert self._task is not None
            self._progress.update(self._task, completed=done)
            if done == total:
                self._progress.stop()
            return
        if done == 0:
            print(f"analysing {total} HAN captures of this run (DIT.8, DIT.11)", file=sys.stderr, flush=True)
        elif done == total or done % math.ceil(total / 10) == 0:
            print(f"  {done} of {total} HAN captures analysed", file=sys.stderr, flush=True)


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
            console.print(f"[red]FAILED[/red] {escape(r.title)}{escape(_where(r))}{_execution(r)}\n"
                          f"  at: {escape(str(r.failed_step))}\n  {escape(str(r.error))}")
    blocked: dict[str, list[ExecutionRecord]] = {}
    for r in records:
        if r.outcome is Outcome.BLOCKED:
            blocked.setdefault(r.error or "", []).append(r)
    for reason, group in sorted(blocked.items()):
        ids = f" ({_executions([r.id for r in group if r.id is not None])})" if any(r.id for r in group) else ""
        console.print(f"[yellow]BLOCKED[/yellow] {len(group)} scenario{'s' if len(group) > 1 else ''}: "
                      f"{escape(reason)}{ids}")
    if any(r.id is not None and r.outcome in (Outcome.FAILED, Outcome.BLOCKED) for r in records):
        console.print(f"to raise a test issue on one: {RAISE_HINT}", markup=False)
    counts = Counter(r.outcome.value for r in records)
    console.print(", ".join(f"{n} {outcome}" for outcome, n in counts.items()))


def _execution(r: ExecutionRecord) -> str:
    return f" execution {r.id}" if r.id is not None else ""


def _executions(ids: Iterable[int]) -> str:
    """'execution 4', 'executions 3, 5, 9-12': runs of consecutive ids as ranges, so a large group stays a line."""
    ordered = sorted(set(ids))
    spans: list[list[int]] = []
    for i in ordered:
        if spans and i == spans[-1][1] + 1:
            spans[-1][1] = i
        else:
            spans.append([i, i])
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
    return f"execution{'s' if len(ordered) > 1 else ''} {text}"


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
