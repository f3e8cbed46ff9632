"""The phase ledger on SQLite and PostgreSQL: runs, plans, executions, test issues, evidence; what a bad
input does (one line, nothing recorded lost); and a killed `dit run` resumed."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace

import pytest
from dit_command import PROJECT, dit
from postgres_server import NO_SERVER, fresh_database, server

from harness.errors import DitError
from harness.ledger import BlockedReason, Blocker, ExecutionRecord, Ledger, Outcome, PlannedTest

_databases = itertools.count(1)


@pytest.fixture(scope="session")
def postgresql():
    with server() as dsn:
        yield dsn


@pytest.fixture(params=["sqlite", "postgresql"])
def dsn(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'phase.db'}"
    maintenance = request.getfixturevalue("postgresql")
    if maintenance is None:
        pytest.skip(NO_SERVER)
    return fresh_database(maintenance, f"dit_ledger_{os.getpid()}_{next(_databases)}")


def _planned(node: str, scenario: str = "install_commission/s") -> PlannedTest:
    return PlannedTest(node, scenario, "S", "install_commission", ["ESME", "DIT.1"], "High", True, ["DIT.1"], "B6",
                       "SB11-core", "CHTS v1.1 Single Band", False, "functional", "R2.0", "R2.0", "CHTS v1.1",
                       "SMETS2 v3.0", ["ESME-1"])


def test_a_run_its_plan_and_executions_round_trip(dsn):
    with Ledger(dsn) as book:
        run = book.start_run("emulated", "-m ESME", ["features", "-m", "ESME"])
        book.plan(run, [_planned("a"), _planned("b", "ihd/t")])
        book.plan(run, [_planned("a")])                      # a second xdist worker says it again: once counts
        first = book.record_execution(ExecutionRecord(run, "a", "install_commission/s", "failed", "2026-11-21T10:00",
                                                      "B6", "SB11-core", "CHTS v1.1 Single Band", ["ESME-1"],
                                                      error="E19", evidence="ev/a"))
        # committed at once: another connection (another bench, a report) sees it before this one closes
        with Ledger(dsn) as other:
            assert [e.id for e in other.executions()] == [first]
        assert book.finished_nodes(run) == {"a"}
        book.finish_run(run)
        assert [p.node for p in book.planned()] == ["a", "b"] and book.planned()[0] == _planned("a")
        [done] = book.runs()
        assert (done.status, done.executions, done.argv) == ("completed", 1, ["features", "-m", "ESME"])
        assert book.executions()[0].error == "E19" and book.executions()[0].devices == ["ESME-1"]
        # found again from wherever the report is made
        assert book.executions()[0].evidence == os.path.abspath("ev/a")
        assert book.unfinished_run() is None


def test_an_execution_comes_back_as_it_was_recorded_with_its_plan_and_what_blocked_it(dsn):
    with Ledger(dsn) as book:
        run = book.start_run("emulated", "", [])
        book.plan(run, [_planned("a"), _planned("b")])
        fault = ExecutionRecord(run, "a", "install_commission/s", Outcome.NOT_RUN, "2026-11-21T10:00:00",
                                failed_step="Given the DCC").blocked_by(
            BlockedReason(Blocker.BENCH_FAULT, "cannot reach the DCC: connection refused"))
        book.record_execution(fault)
        book.record_execution(ExecutionRecord(run, "b", "install_commission/s", "passed", "2026-11-21T10:01:00"))
        blocked, passed = book.executions(run)
    assert blocked == replace(fault, id=blocked.id, title="S", family="install_commission", tags=["ESME", "DIT.1"])
    assert (blocked.outcome, blocked.error) == (
        Outcome.BLOCKED, "bench fault: cannot reach the DCC: connection refused")
    assert blocked.blocked == BlockedReason(Blocker.BENCH_FAULT, "cannot reach the DCC: connection refused")
    assert (passed.outcome, passed.blocked) == (Outcome.PASSED, None)
    with Ledger(dsn) as book:       # how each ended, as `dit run` reads it for its exit: the same, in the same order
        other = book.start_run("emulated", "", [])
        book.record_execution(ExecutionRecord(other, "a", "install_commission/s", "failed", "2026-11-21T10:02:00"))
        assert book.outcomes(run) == [(e.outcome, e.blocked, e.error) for e in (blocked, passed)]
        assert book.outcomes(other) == [(Outcome.FAILED, None, None)]



def test_records_read_back_with_the_same_lists_each_have_their_own(tmp_path):
    """The read parses a repeated JSON list once; each record still gets a list of its own to change."""
    with Ledger(f"sqlite:///{tmp_path / 'phase.db'}") as book:
        run = book.start_run("emulated", "", [])
        book.plan(run, [_planned("a"), _planned("b")])
        for node in ("a", "b"):
            book.record_execution(ExecutionRecord(run, node, "install_commission/s", "passed", "2026-11-21T10:00",
                                                  devices=["ESME-1"], alerts=["0x8F1C"]))
        first, second = book.executions()
        first.devices.append("IHD-1")
        first.alerts.clear()
        first.tags.append("changed")
        planned = book.planned()
        planned[0].devices.append("GSME-1")
        assert (second.devices, second.alerts, second.tags) == (["ESME-1"], ["0x8F1C"], ["ESME", "DIT.1"])
        assert book.executions()[0].devices == ["ESME-1"] and book.planned() == [_planned("a"), _planned("b")]

def test_a_ledger_an_older_dit_made_gains_what_blocked_each_execution(tmp_path):
    db = tmp_path / "phase.db"
    with Ledger(f"sqlite:///{db}") as book:
        run = book.start_run("emulated", "", [])
        book.record_execution(ExecutionRecord(run, "a", "install_commission/s", "blocked", "2026-11-21",
                                              error="ESME-1 suspended"))
    with sqlite3.connect(db) as conn:               # as a release before 474b8b4 made it: unversioned, no blocked
        conn.execute("ALTER TABLE executions DROP COLUMN blocked")
        conn.execute("DROP TABLE alembic_version")
    with Ledger(f"sqlite:///{db}", create=False) as reader:          # a reader upgrades it too
        assert [(e.outcome, e.error, e.blocked) for e in reader.executions()] == [("blocked", "ESME-1 suspended", None)]
    suspended = BlockedReason(Blocker.SUSPENDED, "ESME-2 suspended")
    with Ledger(f"sqlite:///{db}") as book:
        book.record_execution(ExecutionRecord(run, "b", "install_commission/s", "passed", "2026-11-21")
                              .blocked_by(suspended))
        assert [e.blocked for e in book.executions()] == [None, suspended]


def test_test_issues_their_work_off_plans_and_links(dsn):
    with Ledger(dsn) as book:
        run = book.start_run("emulated", "", [])
        execution = book.record_execution(ExecutionRecord(run, "a", "install_commission/s", "failed", "2026-11-21"))
        first = book.raise_issue("CH drops the ESME after 8.11", 3, "CSP N", executions=[execution])
        second = book.raise_issue("IHD shows no tariff", 4, "Damson Displays", issue_id="ALM-4711",
                                  scenarios=["ihd/t"], security=True)
        assert (first.id, first.provider, first.scenarios, first.executions) == \
            ("TI-0001", True, ["install_commission/s"], [execution])
        assert (second.id, second.provider, second.security) == ("ALM-4711", False, True)
        updated = book.update_issue("TI-0001", work_off_plan="WOP-12", plan_due="2026-12-01")
        assert (updated.work_off_plan, updated.plan_due, updated.status) == ("WOP-12", "2026-12-01", "open")
        book.record_execution(ExecutionRecord(run, "a", "install_commission/s", "passed", "2026-11-22"))
        closed = book.update_issue("TI-0001", status="closed", on="2026-12-02")
        assert (closed.closed_at, closed.outstanding, closed.close_reason) == ("2026-12-02", False, None)
        assert [i.id for i in book.issues()] == ["ALM-4711", "TI-0001"]


def test_an_issue_closes_only_after_a_later_passing_execution_of_each_linked_scenario_or_with_a_reason(dsn):
    with Ledger(dsn) as book:
        run = book.start_run("emulated", "", [])
        failed = book.record_execution(ExecutionRecord(run, "a", "ihd/s", "failed", "2026-11-21T10:00:00"))
        book.record_execution(ExecutionRecord(run, "b", "ppmid/t", "passed", "2026-11-20T10:00:00"))
        book.raise_issue("IHD blank", 3, "DSP", executions=[failed], scenarios=["ppmid/t"], raised_at="2026-11-21")
        with pytest.raises(DitError, match=r"TI-0001 cannot be closed: no later passing execution of ihd/s, ppmid/t"):
            book.update_issue("TI-0001", status="closed")
        book.record_execution(ExecutionRecord(run, "a", "ihd/s", "failed", "2026-11-22T10:00:00"))
        book.record_execution(ExecutionRecord(run, "b", "ppmid/t", "passed", "2026-11-22T10:00:00"))
        assert book.unretested(book.issue("TI-0001")) == ["ihd/s"]
        book.record_execution(ExecutionRecord(run, "a", "ihd/s", "passed", "2026-11-23T10:00:00"))
        assert book.update_issue("TI-0001", status="closed").status == "closed"
        book.raise_issue("PPMID slow", 4, "DSP", scenarios=["ppmid/u"])
        closed = book.update_issue("TI-0002", status="closed", close_reason="scenario withdrawn from the plan (CR-9)")
        assert (closed.status, closed.close_reason) == ("closed", "scenario withdrawn from the plan (CR-9)")


def test_a_retest_is_the_same_test_and_a_reopened_issue_loses_its_close_reason(dsn):
    """A pass of the linked scenario on another test set, or with another meter in the ESME role, is another
    test: it does not retest the failure."""
    def execution(outcome, test_set="SB11", cast=""):
        return ExecutionRecord(run, "a", "ihd/s", outcome, "2026-11-21T10:00:00", baseline="B6", test_set=test_set,
                               cast=cast)
    with Ledger(dsn) as book:
        run = book.start_run("emulated", "", [])
        book.raise_issue("IHD blank", 3, "DSP", executions=[book.record_execution(execution("failed"))])
        book.record_execution(execution("passed", test_set="DB11"))
        book.record_execution(execution("passed", cast="ESME=ESME-2"))
        assert book.unretested(book.issue("TI-0001")) == ["ihd/s"]
        book.record_execution(execution("passed"))
        assert book.unretested(book.issue("TI-0001")) == []
        book.update_issue("TI-0001", status="closed", close_reason="duplicate of TI-0000")
        assert book.update_issue("TI-0001", status="open").close_reason is None


def test_a_pass_before_the_failure_does_not_retest_it(dsn):
    with Ledger(dsn) as book:
        run = book.start_run("emulated", "", [])
        book.record_execution(ExecutionRecord(run, "a", "ihd/s", "passed", "2026-11-21T09:00:00"))
        failed = book.record_execution(ExecutionRecord(run, "a", "ihd/s", "failed", "2026-11-21T10:00:00"))
        issue = book.raise_issue("IHD blank", 3, "DSP", executions=[failed])
        assert book.unretested(issue) == ["ihd/s"]


def test_only_a_run_that_executed_nothing_is_discarded(dsn):
    with Ledger(dsn) as book:
        empty, ran = book.start_run("emulated", "-k nothing", []), book.start_run("emulated", "", [])
        book.record_execution(ExecutionRecord(ran, "a", "ihd/s", "passed", "2026-11-21T10:00:00"))
        assert book.discard_run(empty) and not book.discard_run(ran)
        assert [r.id for r in book.runs()] == [ran]


@pytest.mark.parametrize("call, message", [
    (lambda b: b.raise_issue("x", 6, "DSP"), "severity 6 is not 1-5"),
    (lambda b: b.raise_issue(" ", 3, "DSP"), "a test issue needs a title"),
    (lambda b: b.raise_issue("x", 3, "DSP", issue_id="TI-0001"), "TI-0001 already exists"),
    (lambda b: b.update_issue("TI-0001", executions=[999]), "no execution 999"),
    (lambda b: b.update_issue("TI-0001", status="done"), "status 'done' is not one of"),
    (lambda b: b.update_issue("TI-0001", work_off_plan="WOP-1"), "needs both its reference and its due date"),
    (lambda b: b.update_issue("TI-0001", work_off_plan="W", plan_due="1st Dec"), "'1st Dec' is not a date"),
    (lambda b: b.update_issue("TI-9"), "no test issue TI-9"),
    (lambda b: b.record_evidence("DIT.EN.7", "met", "minutes", "me"), "not a DIT criterion"),
    (lambda b: b.record_evidence("DIT.EN.1", "met", " ", "me"), "needs a reference"),
])
def test_bad_input_is_one_line_and_loses_nothing(dsn, call, message):
    with Ledger(dsn) as book:
        book.raise_issue("kept", 3, "DSP")
        with pytest.raises(DitError, match=re.escape(message)):
            call(book)
        [kept] = book.issues()
        assert (kept.id, kept.title, kept.executions, kept.work_off_plan) == ("TI-0001", "kept", [], None)


def test_evidence_the_latest_record_and_the_phase_settings(dsn):
    with Ledger(dsn) as book:
        book.record_evidence("DIT.EN.1", "met", "DIT entry gate minutes 2026-10-01", "Lab lead")
        book.set_phase("DIT R2.0", "2026-11-02")
        book.set_phase(quality_gate="2026-11-03")
        assert [e.reference for e in book.evidence()] == ["DIT entry gate minutes 2026-10-01"]
        assert (book.setting("name"), book.setting("quality_gate")) == ("DIT R2.0", "2026-11-03")


def test_a_file_that_is_not_a_ledger_is_one_line(tmp_path):
    garbage = tmp_path / "phase.db"
    garbage.write_bytes(b"this is not a database\n" * 100)
    with pytest.raises(DitError, match="phase.db: cannot open the ledger|not a DIT phase ledger"):
        Ledger(f"sqlite:///{garbage}")
    result = dit("issue", "list", "--ledger", f"sqlite:///{garbage}")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert dit("issue", "list", "--ledger", "mysql://x/y").stderr.startswith("dit: error: ledger DSN 'mysql://x/y' is")


def test_unfinished_runs_are_resumable_unless_still_alive(tmp_path):
    dsn = f"sqlite:///{tmp_path / 'phase.db'}"
    with Ledger(dsn) as book:
        run = book.start_run("emulated", "", [])
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
        with sqlite3.connect(tmp_path / "phase.db") as db:       # as if that process had started the run
            db.execute("UPDATE runs SET pid = ? WHERE id = ?", (child.pid, run))
        with pytest.raises(DitError, match=f"run {run} is still running"):
            book.unfinished_run()
        child.kill()
        child.wait()
        assert book.unfinished_run().id == run


def test_issue_evidence_and_phase_commands(tmp_path):
    ledger = f"sqlite:///{tmp_path / 'phase.db'}"
    raised = dit("issue", "raise", "--title", "GSME rejects 6.23", "--severity", "3", "--owner", "CSP C/S",
                 "--ledger", ledger)
    assert raised.returncode == 0 and raised.stdout.startswith("TI-0001"), raised.stderr
    assert dit("issue", "raise", "--title", "x", "--severity", "3", "--ledger", ledger).stderr.startswith(
        "dit: error: a test issue needs an owner")
    assert dit("issue", "raise", "--title", "IHD blank", "--severity", "2", "--manufacturer", "Larch Home Displays",
               "--ledger", ledger).returncode == 0
    update = dit("issue", "update", "TI-0001", "--work-off-plan", "WOP-3", "--due", "2026-12-01", "--ledger", ledger)
    assert update.returncode == 0 and "plan WOP-3 due 2026-12-01" in update.stdout
    listing = dit("issue", "list", "--json", "--ledger", ledger)
    assert [(i["id"], i["provider"]) for i in __import__("json").loads(listing.stdout)] == \
        [("TI-0001", True), ("TI-0002", False)]
    minutes = tmp_path / "entry gate minutes.pdf"
    minutes.write_bytes(b"%PDF minutes")
    assert dit("evidence", "record", "DIT.EN.1", "--status", "met", "--reference", str(minutes), "--by",
               "Lab lead", "--ledger", ledger).returncode == 0
    assert "DIT.EN.1   met" in dit("evidence", "list", "--ledger", ledger).stdout
    bad_date = dit("phase", "set", "--quality-gate", "next week", "--ledger", ledger)
    assert bad_date.returncode == 2 and "'next week' is not a date" in bad_date.stderr
    assert "quality gate 2026-11-02" in dit("phase", "set", "--quality-gate", "2026-11-02", "--ledger", ledger).stdout


def _executions(db) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT COUNT(*) FROM executions").fetchone()[0]
    except sqlite3.DatabaseError:
        return 0


def test_a_killed_run_keeps_what_finished_and_resume_completes_the_rest(tmp_path):
    report, smki = tmp_path / "reports", str(tmp_path / "smki")
    db = report / "phase.db"
    child = subprocess.Popen([sys.executable, "-m", "harness.cli", "run", "--report-dir", str(report)], cwd=PROJECT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                             env={**os.environ, "DIT_SMKI": smki})
    deadline = time.monotonic() + 120
    while _executions(db) < 15 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.1)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    with Ledger(f"sqlite:///{db}") as book:
        [run] = book.runs()
        kept = book.executions()
        # the default run plans 179 tests: 91 variants as named, 88 with the second manufacturer's devices
        assert run.status == "running" and 15 <= len(kept) < 179, "the run finished before it could be killed"
        assert all(e.outcome == "passed" for e in kept)
    resumed = dit("run", "--resume", "--report-dir", str(report), DIT_SMKI=smki)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"resuming run {run.id}" in resumed.stdout
    with Ledger(f"sqlite:///{db}") as book:
        [run] = book.runs()
        executions = book.executions()
        assert run.status == "completed" and len(executions) == 179
        assert len({e.node for e in executions}) == 179         # nothing ran twice
        assert executions[:len(kept)] == kept                     # what finished before the kill is untouched
    summary = __import__("json").loads((report / "summary.json").read_text())
    assert summary["totals"] == {"passed": 179, "failed": 0, "blocked": 0, "skipped": 0, "not_run": 0}
    again = dit("run", "--resume", "--report-dir", str(report), DIT_SMKI=smki)
    assert again.returncode == 2 and "no unfinished run to resume" in again.stderr


def _execute(dsn: str, sql: str) -> None:
    if dsn.startswith("sqlite:///"):
        with sqlite3.connect(dsn.removeprefix("sqlite:///")) as db:
            db.execute(sql)
    else:
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as db:
            db.execute(sql)


def _tables(dsn: str) -> set[str]:
    from harness.ledger.database import Database

    database = Database(dsn)
    try:
        return database.tables()
    finally:
        database.close()


def test_a_database_that_holds_something_else_is_refused_untouched(dsn):
    """Reading or recording, the ledger adds none of its tables to another application's database."""
    _execute(dsn, "CREATE TABLE customers (id INTEGER, name TEXT)")
    for create in (False, True):
        with pytest.raises(DitError, match=r"not a DIT phase ledger: it holds other tables \(customers\)"):
            Ledger(dsn, create=create)
    assert _tables(dsn) == {"customers"}


def test_only_the_commands_that_record_start_a_ledger_in_an_empty_database(dsn):
    if dsn.startswith("sqlite:///"):
        sqlite3.connect(dsn.removeprefix("sqlite:///")).close()
    with pytest.raises(DitError, match="not a DIT phase ledger: the database is empty"):
        Ledger(dsn, create=False)
    assert _tables(dsn) == set()
    Ledger(dsn).close()
    with Ledger(dsn, create=False) as book:
        assert book.runs() == []
    _execute(dsn, "DROP TABLE issue_links")
    with pytest.raises(DitError, match="an incomplete DIT phase ledger: it has no issue_links table"):
        Ledger(dsn, create=False)


def test_a_run_appends_through_a_small_page_cache_and_readers_keep_sqlites(tmp_path, pytestconfig):
    """A run's connection holds SQLite's page cache to PAGE_CACHE_KIB: with the default 2,000 KiB a serial matrix's
    ledger (2.9 MB) filled it, 1.7 MB a short run never took. `dit report` and the other readers keep the default."""
    from harness.run import ledger_sink
    from harness.run.stopping import RunStop

    dsn = f"sqlite:///{tmp_path / 'phase.db'}"
    sink = ledger_sink.LedgerSink.open(dsn, RunStop(pytestconfig, lambda _: None), None, run_id=None, worker=False,
                                       lab="emulated", invocation="")
    try:
        assert sink.book._db._driver().execute("PRAGMA cache_size").fetchone() == (-ledger_sink.PAGE_CACHE_KIB,)
    finally:
        sink.book.close()
    with Ledger(dsn, create=False) as reader:
        assert reader._db._driver().execute("PRAGMA cache_size").fetchone() == (-2000,)


def test_what_a_run_planned_and_has_not_executed(tmp_path):
    """A run's end lists as not run only what no execution of that run recorded, read as such from the ledger."""
    with Ledger(f"sqlite:///{tmp_path / 'phase.db'}") as book:
        first, second = book.start_run("emulated", "", []), book.start_run("emulated", "", [])
        for run in (first, second):
            book.plan(run, [_planned("a"), _planned("b"), _planned("c")])
        book.record_execution(ExecutionRecord(first, "b", "install_commission/s", "passed", "2026-11-21T10:00"))
        assert [p.node for p in book.planned(first, unexecuted=True)] == ["a", "c"]
        assert [p.node for p in book.planned(second, unexecuted=True)] == ["a", "b", "c"]
        assert [p.node for p in book.planned(first)] == ["a", "b", "c"]


def test_a_phase_reads_each_test_once_as_its_latest_plan_describes_it(tmp_path):
    """planned(latest=True): what Phase.build would make of every run's plans, each test once (its key: scenario,
    baseline, test set, cast), described by the last run that planned it, where it was first planned."""
    from harness.criteria import Phase

    with Ledger(f"sqlite:///{tmp_path / 'phase.db'}") as book:
        first, second = book.start_run("emulated", "", []), book.start_run("emulated", "", [])
        book.plan(first, [_planned("a", "x/1"), _planned("b", "x/2")])
        book.plan(second, [_planned("c", "x/3"), replace(_planned("a2", "x/1"), title="renamed"),
                           replace(_planned("b", "x/2"), cast="ESME=ESME 2")])
        latest = book.planned(latest=True)
        assert [(p.node, p.title, p.cast) for p in latest] == [("a2", "renamed", ""), ("b", "S", ""),
                                                             ("b", "S", "ESME=ESME 2"), ("c", "S", "")]
        assert [t.planned for t in Phase.build(latest, []).tests] == [t.planned for t in Phase.build(book.planned(),
                                                                                                    []).tests]


def test_records_read_from_json_share_the_texts_executions_repeat():
    """A run keeps every execution's record to its end, each built from the JSON its report carried: the texts many
    executions repeat (the scenario, the target, tags, devices, participants) are one copy, however many hold them."""
    from harness.ledger.records import Part, Participant

    def carried(node: str) -> ExecutionRecord:
        record = ExecutionRecord(1, node, "install_commission/s", "passed", baseline="B6", test_set="SB11-core",
                                 devices=["ESME-1"], tags=["ESME", "DIT.1"], title="Install & Commission", cast="",
                                 participants=[Participant("ESME-1", "ESME", (Part.ANSWERED,))])
        return ExecutionRecord.from_json(json.loads(json.dumps(record.as_json())))

    first, second = carried("a"), carried("b")
    assert first == replace(second, node="a")
    pairs = [(first.scenario_id, second.scenario_id), (first.test_set, second.test_set), (first.title, second.title),
             (first.tags[1], second.tags[1]), (first.devices[0], second.devices[0]),
             (first.participants[0].asset, second.participants[0].asset)]
    assert all(a is b for a, b in pairs), [a for a, b in pairs if a is not b]
