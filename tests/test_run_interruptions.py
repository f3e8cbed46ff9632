"""A `dit run` stopped before its end -- SIGTERM, a disk that refuses a write, a ledger that goes away -- keeps
every execution that finished (in the ledger, or beside the report until the ledger takes it), ends its run
`interrupted` with the reason, says so in one line and exits non-zero; `dit run --resume` then records what
was kept and runs the rest, nothing twice. Each fault is made for real: a signal, /dev/full, the file size
limit (RLIMIT_FSIZE) of the running `dit`, a PostgreSQL server stopped, a tmpfs that fills up."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dit_command import PROJECT, dit
from postgres_server import NO_SERVER, cluster, fresh_database

from harness.ledger import ExecutionRecord, Ledger, journal

# four scenarios as named (not with the second meters, lab.casts), in this order:
SELECTION = ("-m", "install_commission", "-k", "not ESME2 and not GSME2")
SCENARIOS = ["install-commission-esme-credit", "install-commission-gsme-credit",
             "install-commission-esme-prepayment", "install-commission-gsme-prepayment"]
PATIENCE_S = 120                                  # an overall bound, not a pace: the polls below wait on the child
PLUGINS = os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")]))   # tests' -p
SIGNAL_PLUGIN = ("--", "-p", "signal_at_scenario")    # with DIT_SIGNAL_AT, the run signals itself at a scenario


def _start(tmp_path: Path, report: Path, *extra: str, **env: str) -> subprocess.Popen:
    """`dit run` as a child. Python ignores SIGXFSZ from its start, so a file grown past the size limit raises
    EFBIG in it rather than killing it."""
    return subprocess.Popen([sys.executable, "-m", "harness.cli", "run", *SELECTION, "--report-dir", str(report),
                             *extra], cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "DIT_SMKI": str(tmp_path / "smki"), "PYTHONPATH": PLUGINS, **env})


def _stopped(child: subprocess.Popen) -> None:
    """Wait until the child has stopped itself (SIGSTOP: its state in /proc is T)."""
    deadline = time.monotonic() + PATIENCE_S
    while Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "T":
        assert child.poll() is None, f"dit run ended before it stopped itself: {child.communicate()}"
        assert time.monotonic() < deadline, f"dit run did not stop itself within {PATIENCE_S} s"
        time.sleep(0.02)


def _thawed(child: subprocess.Popen) -> subprocess.Popen:
    child.send_signal(signal.SIGCONT)
    return child


def _count(db: Path, table: str) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    except sqlite3.Error:                                   # not made yet
        return 0


def _ended(child: subprocess.Popen) -> tuple[int, str]:
    """The exit code and stderr; the run must have been stopped, not have finished first."""
    _, stderr = child.communicate(timeout=PATIENCE_S)
    assert child.returncode != 0, "the run finished before the fault reached it"
    return child.returncode, stderr


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr and "INTERNALERROR" not in stderr, stderr
    [line] = stderr.splitlines()
    return line


def _resumed_to_the_end(tmp_path: Path, report: Path, dsn: str, kept: list[ExecutionRecord], *extra: str) -> None:
    """`dit run --resume` records what was kept aside, runs the rest, and the run completes: every scenario once,
    what was recorded before untouched."""
    resumed = dit("run", "--resume", "--report-dir", str(report), *extra, DIT_SMKI=str(tmp_path / "smki"),
                  PYTHONPATH=PLUGINS)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    with Ledger(dsn) as book:
        [run] = book.runs()
        executions = book.executions()
    assert (run.status, run.reason) == ("completed", None)
    assert sorted(e.scenario_id.split("/")[1] for e in executions) == sorted(SCENARIOS)
    assert executions[:len(kept)] == kept
    assert not (report / journal.FILE).exists()
    assert json.loads((report / "summary.json").read_text())["totals"]["passed"] == 4


def test_sigterm_ends_the_run_interrupted_and_keeps_what_finished(tmp_path):
    """SIGTERM as the second scenario is set up (the run sends it itself, tests/signal_at_scenario.py: a signal sent
    from here once the first execution showed in the ledger raced the scenarios after it on a loaded machine)."""
    report = tmp_path / "reports"
    dsn = f"sqlite:///{report / 'phase.db'}"
    code, stderr = _ended(_start(tmp_path, report, *SIGNAL_PLUGIN, DIT_SIGNAL_AT="2 SIGTERM"))
    with Ledger(dsn) as book:
        [run] = book.runs()
        kept = book.executions()
    assert code == 128 + signal.SIGTERM
    assert (run.status, run.reason) == ("interrupted", "terminated (SIGTERM)")
    assert 1 <= len(kept) < 4 and all(e.outcome == "passed" for e in kept)
    assert _one_line(stderr) == (f"dit: error: dit run: run {run.id} interrupted: terminated (SIGTERM); "
                                 f"{len(kept)} execution{'s are' if len(kept) > 1 else ' is'} in the ledger "
                                 "(dit run --resume carries on)")
    _resumed_to_the_end(tmp_path, report, dsn, kept)


def test_a_disk_that_refuses_a_scenarios_evidence_stops_the_run_and_keeps_the_one_before(tmp_path):
    """The second scenario's HAN capture goes to /dev/full, where every write is ENOSPC: the first scenario's
    execution stays in the ledger, the second did not finish (no evidence, no verdict) and runs again."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system to refuse a write")
    report = tmp_path / "reports"
    dsn = f"sqlite:///{report / 'phase.db'}"
    second = report / "evidence" / f"install_commission__{SCENARIOS[1]}@B6-SB11-core"
    second.mkdir(parents=True)
    (second / "han.pcap").symlink_to("/dev/full")
    code, stderr = _ended(_start(tmp_path, report))
    with Ledger(dsn) as book:
        [run] = book.runs()
        kept = book.executions()
    assert code == 1
    assert run.status == "interrupted"
    assert run.reason == f"the disk refused the evidence of install_commission/{SCENARIOS[1]}: No space left on device"
    assert [e.scenario_id for e in kept] == [f"install_commission/{SCENARIOS[0]}"]
    assert _one_line(stderr) == (f"dit: error: dit run: run {run.id} interrupted: {run.reason}; 1 execution is in "
                                 "the ledger (dit run --resume carries on)")
    (second / "han.pcap").unlink()                       # the disk has room again
    _resumed_to_the_end(tmp_path, report, dsn, kept)


def test_a_ledger_whose_disk_is_full_loses_no_execution(tmp_path):
    """Once the run has planned, the running `dit` may grow no file past the ledger's size (RLIMIT_FSIZE, as a
    disk with no room left would): the first execution cannot be committed, so it is kept beside the report and
    the run stops; the ledger cannot learn why until the next `dit run`, which records both."""
    report = tmp_path / "reports"
    db = report / "phase.db"
    dsn = f"sqlite:///{db}"
    # stopped by itself as its first scenario is set up: the plan is in the ledger, no execution yet
    child = _start(tmp_path, report, *SIGNAL_PLUGIN, DIT_SIGNAL_AT="1 SIGSTOP")
    _stopped(child)
    assert _count(db, "planned") > 0 and _count(db, "executions") == 0
    # The write-ahead log is the ledger's biggest file and only grows: every commit from now on is refused.
    full = os.path.getsize(f"{db}-wal")
    resource.prlimit(child.pid, resource.RLIMIT_FSIZE, (full, full))
    code, stderr = _ended(_thawed(child))
    with Ledger(dsn) as book:
        [run] = book.runs()
        recorded = book.executions()
    line = _one_line(stderr)
    assert code == 1
    assert run.status == "running" and len(recorded) < 4        # it could not be told: the next dit run tells it
    kept = [json.loads(entry) for entry in (report / journal.FILE).read_text().splitlines()]
    executions = [entry["execution"] for entry in kept if "execution" in entry]
    assert len(executions) == 1 and executions[0]["outcome"] == "passed"
    assert kept[-1]["interrupted"].startswith("ledger lost: ledger write failed: ")
    assert line.startswith(f"dit: error: dit run: run {run.id} interrupted: ledger lost: ledger write failed: ")
    assert line.endswith(f"; {len(recorded)} execution{' is' if len(recorded) == 1 else 's are'} in the ledger, "
                         f"1 more kept in {report / journal.FILE} until the ledger takes them "
                         "(dit run --resume carries on)")
    _resumed_to_the_end(tmp_path, report, dsn, recorded)


def test_a_postgresql_ledger_stopped_mid_run_loses_no_execution(tmp_path):
    if os.environ.get("DIT_POSTGRESQL_DSN"):
        pytest.skip("DIT_POSTGRESQL_DSN names a server this test may not stop")
    with cluster() as server:
        if server is None:
            pytest.skip(NO_SERVER)
        import psycopg

        dsn = fresh_database(server.dsn, "dit_lost_mid_run")
        report = tmp_path / "reports"

        def executions() -> int:
            try:
                with psycopg.connect(dsn) as conn:
                    return conn.execute("SELECT COUNT(*) FROM executions").fetchone()[0]
            except psycopg.Error:                       # no tables yet
                return 0

        # stopped by itself as its second scenario is set up: the first is in the ledger, the second not yet
        child = _start(tmp_path, report, "--ledger", dsn, *SIGNAL_PLUGIN, DIT_SIGNAL_AT="2 SIGSTOP")
        _stopped(child)
        assert executions() == 1
        server.stop()
        code, stderr = _ended(_thawed(child))
        line = _one_line(stderr)
        server.start()
        with Ledger(dsn) as book:
            [run] = book.runs()
            recorded = book.executions()
        assert code == 1 and run.status == "running"         # the ledger was gone: the next dit run tells it
        assert line.startswith(f"dit: error: dit run: run {run.id} interrupted: ledger lost: ledger write failed: ")
        assert f"; {len(recorded)} execution" in line and line.endswith(
            f"in the ledger, 1 more kept in {report / journal.FILE} until the ledger takes them "
            "(dit run --resume carries on)")
        _resumed_to_the_end(tmp_path, report, dsn, recorded, "--ledger", dsn)


def test_a_report_disk_that_fills_up_ends_the_run_interrupted_in_its_ledger(tmp_path):
    """A real full disk under the report and its SQLite ledger (a small tmpfs): the room the run keeps there lets
    it record the execution it finished and why it stopped."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill up needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], check=False,
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        report = disk / "reports"
        dsn = f"sqlite:///{report / 'phase.db'}"
        code, stderr = _ended(_start(tmp_path, report))
        line = _one_line(stderr)
        with Ledger(dsn) as book:
            [run] = book.runs()
            kept = book.executions()
        assert code == 1 and run.status == "interrupted" and len(kept) < 4
        assert run.reason.startswith("the disk refused ") and run.reason.endswith("No space left on device")
        assert line.startswith(f"dit: error: dit run: run {run.id} interrupted: {run.reason}; ")
        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)
        _resumed_to_the_end(tmp_path, report, dsn, kept)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False, capture_output=True)


def test_what_was_kept_for_another_ledger_stays_kept(tmp_path):
    mine, other = f"sqlite:///{tmp_path / 'mine.db'}", f"sqlite:///{tmp_path / 'other.db'}"
    with Ledger(mine) as book, Ledger(other) as elsewhere:
        run = book.start_run("emulated", "", [])
        execution = ExecutionRecord(run, "a", "install_commission/s", "passed", "2026-12-01T10:00:00")
        journal.keep_execution(tmp_path, book.where, execution)
        journal.keep_execution(tmp_path, elsewhere.where, execution)
        journal.keep_interruption(tmp_path, book.where, run, "terminated (SIGTERM)")
        assert journal.replay(book, tmp_path) == 1
        assert journal.replay(book, tmp_path) == 0                 # once only
        assert [e.node for e in book.executions()] == ["a"]
        assert [(r.status, r.reason) for r in book.runs()] == [("interrupted", "terminated (SIGTERM)")]
        assert [json.loads(line)["ledger"] for line in (tmp_path / journal.FILE).read_text().splitlines()] == \
            [elsewhere.where]


def test_a_ledger_an_older_dit_made_gains_the_interruption_reason(tmp_path):
    db = tmp_path / "phase.db"
    with Ledger(f"sqlite:///{db}") as book:
        run = book.start_run("emulated", "", [])
    with sqlite3.connect(db) as conn:               # as a release before 474b8b4 made it: unversioned, no reason
        conn.execute("ALTER TABLE runs DROP COLUMN reason")
        conn.execute("DROP TABLE alembic_version")
    with Ledger(f"sqlite:///{db}", create=False) as reader:          # a reader upgrades it too
        assert [r.reason for r in reader.runs()] == [None]
    with Ledger(f"sqlite:///{db}") as book:
        book.finish_run(run, "interrupted", "terminated (SIGTERM)")
        assert [(r.status, r.reason) for r in book.runs()] == [("interrupted", "terminated (SIGTERM)")]
