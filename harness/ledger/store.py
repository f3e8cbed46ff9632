"""The phase ledger: runs, planned tests, executions, the lab's devices, test issues, suspensions and the
evidence people record for criteria, in SQLite (one file per phase) or PostgreSQL (several benches).

Each execution is committed the moment it ends, so a run that is killed loses nothing it finished and
`dit run --resume` carries on where it stopped. Suspensions follow the DIT approach ("Suspension
Criteria and Resumption Requirement"): a device -- never a Communications Hub -- on one of four
conditions; testing resumes with a fix the DCC change release board approved.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
from collections.abc import Sequence, Set
from pathlib import Path
from typing import Any

from harness.errors import DitError
from harness.ledger.database import Database
from harness.ledger.records import (
    CONDITIONS,
    EVIDENCE_STATUSES,
    ISSUE_STATUSES,
    PROVIDERS,
    BlockedReason,
    Blocker,
    CriterionEvidence,
    DeviceRecord,
    ExecutionRecord,
    Participant,
    PlannedTest,
    RunRecord,
    Suspension,
    TestIssue,
)

DEFAULT_DSN = "sqlite:///reports/phase.db"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS suspensions (
    id {serial}, asset TEXT NOT NULL, device_type TEXT NOT NULL,
    condition INTEGER NOT NULL CHECK (condition BETWEEN 1 AND 4), reason TEXT NOT NULL,
    suspended_at TEXT NOT NULL, resumed_at TEXT, fix_reference TEXT);
CREATE TABLE IF NOT EXISTS runs (
    id {serial}, started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL, lab TEXT NOT NULL,
    selection TEXT NOT NULL, argv TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, reason TEXT);
CREATE TABLE IF NOT EXISTS devices (
    run_id INTEGER NOT NULL REFERENCES runs (id), asset TEXT NOT NULL, test_set TEXT NOT NULL,
    ch_variant TEXT NOT NULL, device_type TEXT NOT NULL, manufacturer TEXT NOT NULL, model TEXT NOT NULL,
    standard TEXT NOT NULL, gbcs_version TEXT NOT NULL, zigbee_version TEXT NOT NULL, silicon TEXT NOT NULL,
    sub_ghz INTEGER NOT NULL, PRIMARY KEY (run_id, test_set, asset));
CREATE TABLE IF NOT EXISTS planned (
    run_id INTEGER NOT NULL REFERENCES runs (id), node TEXT NOT NULL, scenario_id TEXT NOT NULL,
    title TEXT NOT NULL, family TEXT NOT NULL, tags TEXT NOT NULL, priority TEXT,
    business_critical INTEGER NOT NULL, requirements TEXT NOT NULL, baseline TEXT, test_set TEXT,
    ch_variant TEXT, dual_band INTEGER NOT NULL, kind TEXT NOT NULL, service_user TEXT NOT NULL,
    dsp_csp TEXT NOT NULL, hub_standard TEXT NOT NULL, meter_standard TEXT NOT NULL, devices TEXT NOT NULL,
    cast_ TEXT NOT NULL DEFAULT '', PRIMARY KEY (run_id, node));
CREATE TABLE IF NOT EXISTS executions (
    id {serial}, run_id INTEGER NOT NULL REFERENCES runs (id), node TEXT NOT NULL, scenario_id TEXT NOT NULL,
    baseline TEXT, test_set TEXT, ch_variant TEXT, devices TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('passed', 'failed', 'blocked', 'skipped', 'not_run')),
    started_at TEXT, finished_at TEXT NOT NULL, duration_s REAL NOT NULL, virtual_s REAL NOT NULL,
    service_requests INTEGER NOT NULL, failed_step TEXT, error TEXT, evidence TEXT, blocked TEXT,
    participants TEXT NOT NULL DEFAULT '[]', alerts TEXT NOT NULL DEFAULT '[]', cast_ TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS executions_by_run ON executions (run_id, node);
CREATE TABLE IF NOT EXISTS test_issues (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 5),
    owner TEXT NOT NULL, status TEXT NOT NULL, security INTEGER NOT NULL, raised_at TEXT NOT NULL,
    closed_at TEXT, work_off_plan TEXT, plan_due TEXT, close_reason TEXT);
CREATE TABLE IF NOT EXISTS issue_links (
    issue_id TEXT NOT NULL REFERENCES test_issues (id), execution_id INTEGER, scenario_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS criterion_evidence (
    id {serial}, criterion TEXT NOT NULL, status TEXT NOT NULL, reference TEXT NOT NULL,
    recorded_by TEXT NOT NULL, recorded_at TEXT NOT NULL, sha256 TEXT, automated INTEGER NOT NULL DEFAULT 0,
    run_id INTEGER, detail TEXT)
"""
LEDGER_TABLES = frozenset(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", _SCHEMA))
_CRITERION = re.compile(r"^DIT\.(EN\.[1-6]|EX\.(1[0-2]|[1-9])|([1-9]|1[0-5]))$")
_DATE_FIX = "write the date as YYYY-MM-DD"


def _not_a_ledger(tables: Set[str], missing: Set[str]) -> str:
    if not tables:
        return "not a DIT phase ledger: the database is empty"
    if missing != LEDGER_TABLES:
        return f"an incomplete DIT phase ledger: it has no {', '.join(sorted(missing))} table"
    others = sorted(tables)
    listed = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
    return f"not a DIT phase ledger: it holds other tables ({listed}); dit adds none of its own to them"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _date(value: str, what: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise DitError(f"{what} {value!r} is not a date", fix=_DATE_FIX) from None


class Ledger:
    def __init__(self, dsn: str = DEFAULT_DSN, *, create: bool = True):
        """create: an empty database (or a missing SQLite file) becomes a ledger, for the commands that record;
        without it (the commands that only read) nothing is created. Either way a database that holds something
        else is refused untouched."""
        self.dsn = dsn
        self._db = Database(dsn, create=create)
        self.where = self._db.where
        try:
            self._adopt(create)
        except BaseException:
            self._db.close()
            raise

    def _adopt(self, create: bool) -> None:
        tables = self._db.tables()
        missing = LEDGER_TABLES - tables
        if missing and (tables or not create):
            start = ", or a new file or empty database to start one" if create else " (dit run starts one)"
            raise DitError(_not_a_ledger(tables, missing), where=self.where,
                           fix=f"give --ledger the phase's ledger{start}")
        if create:                      # what is missing of a complete ledger: its index, WAL mode
            try:
                self._db.script(_SCHEMA)
            except DitError as exc:
                raise DitError(f"not a DIT phase ledger ({exc.what})", where=self.where,
                               fix="give --ledger a new file or the phase's own ledger") from None
            self._add_new_columns()

    def _add_new_columns(self) -> None:
        """What a ledger an older dit made lacks: why each run was interrupted, what blocked each execution, which
        devices took part in it and which alerts it received, evidence's document digest and origin, why an issue
        was closed without a retest."""
        for table, column, kind in (("runs", "reason", "TEXT"), ("executions", "blocked", "TEXT"),
                                    ("executions", "participants", "TEXT NOT NULL DEFAULT '[]'"),
                                    ("executions", "alerts", "TEXT NOT NULL DEFAULT '[]'"),
                                    ("criterion_evidence", "sha256", "TEXT"),
                                    ("criterion_evidence", "automated", "INTEGER NOT NULL DEFAULT 0"),
                                    ("criterion_evidence", "run_id", "INTEGER"),
                                    ("criterion_evidence", "detail", "TEXT"),
                                    ("test_issues", "close_reason", "TEXT"),
                                    ("planned", "cast_", "TEXT NOT NULL DEFAULT ''"),
                                    ("executions", "cast_", "TEXT NOT NULL DEFAULT ''")):
            if column not in self._db.columns(table):
                with self._db.transaction():
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the phase -------------------------------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        found = self._db.rows("SELECT value FROM settings WHERE key = ?", (key,))
        return found[0][0] if found else None

    def set_phase(self, name: str | None = None, quality_gate: str | None = None) -> None:
        """The phase's name and the date of its quality gate meeting (work-off plans count from it)."""
        values = {"name": name, "quality_gate": _date(quality_gate, "quality gate") if quality_gate else None}
        with self._db.transaction():
            for key, value in values.items():
                if value is not None:
                    self._db.execute("DELETE FROM settings WHERE key = ?", (key,))
                    self._db.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (key, value))

    # -- runs, planned tests, executions ---------------------------------------------------------------------

    def start_run(self, lab: str, selection: str, argv: list[str]) -> int:
        with self._db.transaction():
            return self._db.insert(
                "INSERT INTO runs (started_at, status, lab, selection, argv, host, pid) "
                "VALUES (?, 'running', ?, ?, ?, ?, ?) RETURNING id",
                (now(), lab, selection, json.dumps(argv), socket.gethostname(), os.getpid()))

    def finish_run(self, run_id: int, status: str = "completed", reason: str | None = None) -> None:
        """The run's end: completed, or interrupted and why (a signal, a full disk, a lost ledger)."""
        with self._db.transaction():
            self._db.execute("UPDATE runs SET finished_at = ?, status = ?, reason = ? WHERE id = ?",
                             (now(), status, reason, run_id))

    def reopen_run(self, run_id: int) -> None:
        """A resumed run carries on under this process."""
        with self._db.transaction():
            self._db.execute("UPDATE runs SET status = 'running', finished_at = NULL, reason = NULL, host = ?, "
                             "pid = ? WHERE id = ?", (socket.gethostname(), os.getpid(), run_id))

    def discard_run(self, run_id: int) -> bool:
        """Take back a run that executed nothing because its selection matched no scenario: it is not a run
        of the phase, and --resume must not repeat it. A run with any execution is kept (False)."""
        with self._db.transaction():
            if self._db.rows("SELECT 1 FROM executions WHERE run_id = ?", (run_id,)):
                return False
            for table in ("planned", "devices"):
                self._db.execute(f"DELETE FROM {table} WHERE run_id = ?", (run_id,))
            self._db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        return True

    def runs(self) -> list[RunRecord]:
        counts = dict(self._db.rows("SELECT run_id, COUNT(*) FROM executions GROUP BY run_id"))
        reason = "reason" if "reason" in self._db.columns("runs") else "NULL"      # read-only, an older ledger
        rows = self._db.rows("SELECT id, started_at, finished_at, status, lab, selection, argv, host, pid, "
                             f"{reason} FROM runs ORDER BY id")
        return [RunRecord(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7], r[8], counts.get(r[0], 0), r[9])
                for r in rows]

    def unfinished_run(self) -> RunRecord | None:
        """The latest run that did not finish (killed, or its machine died): what --resume continues.
        A run still alive on this host is not unfinished, it is running."""
        for run in reversed(self.runs()):
            if run.status == "completed":
                return None
            if run.host == socket.gethostname() and run.pid != os.getpid() and _alive(run.pid):
                raise DitError(f"run {run.id} is still running (pid {run.pid})", where=self.where,
                               fix="wait for it, or stop it before resuming")
            return run
        return None

    def record_devices(self, run_id: int, devices: list[DeviceRecord]) -> None:
        rows = [(run_id, d.asset, d.test_set, d.ch_variant, d.device_type, d.manufacturer, d.model, d.standard,
                 d.gbcs_version, d.zigbee_version, d.silicon, int(d.sub_ghz)) for d in devices]
        with self._db.transaction():
            self._db.many("INSERT INTO devices (run_id, asset, test_set, ch_variant, device_type, manufacturer, "
                          "model, standard, gbcs_version, zigbee_version, silicon, sub_ghz) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", rows)

    def devices(self) -> list[DeviceRecord]:
        """The devices of every test set, as the latest run that used the test set described them."""
        rows = self._db.rows("SELECT asset, test_set, ch_variant, device_type, manufacturer, model, standard, "
                             "gbcs_version, zigbee_version, silicon, sub_ghz FROM devices ORDER BY run_id")
        latest = {(test_set, asset): DeviceRecord(asset, test_set, ch_variant, device_type, manufacturer, model,
                                                  standard, gbcs_version, zigbee_version, silicon, bool(sub_ghz))
                  for (asset, test_set, ch_variant, device_type, manufacturer, model, standard, gbcs_version,
                       zigbee_version, silicon, sub_ghz) in rows}
        return list(latest.values())

    def plan(self, run_id: int, tests: list[PlannedTest]) -> None:
        """What a run sets out to execute; several xdist workers may each say it, once counts."""
        rows = [(run_id, t.node, t.scenario_id, t.title, t.family, json.dumps(t.tags), t.priority,
                 int(t.business_critical), json.dumps(t.requirements), t.baseline, t.test_set, t.ch_variant,
                 int(t.dual_band), t.kind, t.service_user, t.dsp_csp, t.hub_standard, t.meter_standard,
                 json.dumps(t.devices), t.cast) for t in tests]
        with self._db.transaction():
            self._db.many("INSERT INTO planned (run_id, node, scenario_id, title, family, tags, priority, "
                          "business_critical, requirements, baseline, test_set, ch_variant, dual_band, kind, "
                          "service_user, dsp_csp, hub_standard, meter_standard, devices, cast_) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                          "ON CONFLICT DO NOTHING", rows)

    def planned(self, run_id: int | None = None) -> list[PlannedTest]:
        where, params = ("WHERE run_id = ?", (run_id,)) if run_id is not None else ("", ())
        rows = self._db.rows("SELECT node, scenario_id, title, family, tags, priority, business_critical, "
                             "requirements, baseline, test_set, ch_variant, dual_band, kind, service_user, dsp_csp, "
                             f"hub_standard, meter_standard, devices, {self._cast('planned')} FROM planned {where} "
                             "ORDER BY run_id, node", params)
        return [PlannedTest(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], bool(r[6]), json.loads(r[7]),
                            r[8], r[9], r[10], bool(r[11]), r[12], r[13], r[14], r[15], r[16], json.loads(r[17]), r[18])
                for r in rows]

    def _cast(self, table: str) -> str:
        return "cast_" if "cast_" in self._db.columns(table) else "''"        # read-only, an older ledger

    def record_execution(self, execution: ExecutionRecord) -> int:
        """Committed at once: a run killed after this loses nothing of this execution."""
        with self._db.transaction():
            return self._db.insert(
                f"INSERT INTO executions ({', '.join(_EXECUTION_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_EXECUTION_COLUMNS))}) RETURNING id", _execution_row(execution))

    def executions(self, run_id: int | None = None) -> list[ExecutionRecord]:
        """With the scenario's title, family and tags from the plan of its run."""
        where, params = ("WHERE e.run_id = ?", (run_id,)) if run_id is not None else ("", ())
        # read-only, a ledger an older dit made may lack the newer columns
        have = self._db.columns("executions")
        columns = ", ".join(f"e.{c}" if c in have else _OLDER_LEDGER[c] for c in _EXECUTION_COLUMNS)
        rows = self._db.rows(f"SELECT {columns}, e.id, p.title, p.family, p.tags FROM executions e "
                             f"LEFT JOIN planned p ON p.run_id = e.run_id AND p.node = e.node {where} ORDER BY e.id",
                             params)
        return [_execution(row) for row in rows]

    def finished_nodes(self, run_id: int) -> set[str]:
        return {r[0] for r in self._db.rows("SELECT node FROM executions WHERE run_id = ?", (run_id,))}

    # -- test issues -----------------------------------------------------------------------------------------

    def raise_issue(self, title: str, severity: int, owner: str, *, issue_id: str | None = None,
                    security: bool = False, executions: Sequence[int] = (), scenarios: Sequence[str] = (),
                    raised_at: str | None = None) -> TestIssue:
        _check_issue(severity, owner)
        if not title.strip():
            raise DitError("a test issue needs a title", fix="give --title")
        with self._db.transaction():
            if issue_id is None:
                count = self._db.rows("SELECT COUNT(*) FROM test_issues")[0][0]
                issue_id = f"TI-{count + 1:04d}"
            if self._db.rows("SELECT 1 FROM test_issues WHERE id = ?", (issue_id,)):
                raise DitError(f"test issue {issue_id} already exists", fix="update it, or give another --id")
            self._db.execute("INSERT INTO test_issues (id, title, severity, owner, status, security, raised_at) "
                             "VALUES (?, ?, ?, ?, 'open', ?, ?)",
                             (issue_id, title, severity, owner, int(security),
                              _date(raised_at, "raised date") if raised_at else dt.date.today().isoformat()))
            self._link(issue_id, executions, scenarios)
        return self.issue(issue_id)

    def update_issue(self, issue_id: str, *, status: str | None = None, severity: int | None = None,
                     owner: str | None = None, work_off_plan: str | None = None, plan_due: str | None = None,
                     executions: Sequence[int] = (), scenarios: Sequence[str] = (), on: str | None = None,
                     close_reason: str | None = None) -> TestIssue:
        """Closing needs a passing execution of each linked scenario later than the executions linked to the issue
        (or, for a scenario linked as a whole, finished on or after the day it was raised); without one, a
        recorded reason (say, the test was withdrawn)."""
        current = self.issue(issue_id)
        _check_issue(severity or current.severity, owner or current.owner)
        if status is not None and status not in ISSUE_STATUSES:
            raise DitError(f"status {status!r} is not one of {', '.join(ISSUE_STATUSES)}")
        if (work_off_plan is None) != (plan_due is None) and not (current.work_off_plan and current.plan_due):
            raise DitError("a work-off plan needs both its reference and its due date",
                           fix="give --work-off-plan and --due together")
        when = _date(on, "date") if on else dt.date.today().isoformat()
        if status == "closed" and not (close_reason or "").strip():
            if unretested := self.unretested(current):
                raise DitError(f"{issue_id} cannot be closed: no later passing execution of "
                               f"{', '.join(unretested)}",
                               fix=f"dit run --retest {issue_id}, or close it with --reason saying why not")
        closed_at = current.closed_at
        if status is not None:
            closed_at = when if status in ("closed", "rejected") else None
        with self._db.transaction():
            self._db.execute(
                "UPDATE test_issues SET status = ?, severity = ?, owner = ?, work_off_plan = ?, plan_due = ?, "
                "closed_at = ?, close_reason = ? WHERE id = ?",
                (status or current.status, severity or current.severity, owner or current.owner,
                 work_off_plan or current.work_off_plan,
                 _date(plan_due, "work-off plan due date") if plan_due else current.plan_due, closed_at,
                 (close_reason or "").strip() or None if status == "closed" else current.close_reason, issue_id))
            self._link(issue_id, executions, scenarios)
        return self.issue(issue_id)

    def _link(self, issue_id: str, executions: Sequence[int], scenarios: Sequence[str]) -> None:
        for execution_id in executions:
            found = self._db.rows("SELECT scenario_id FROM executions WHERE id = ?", (execution_id,))
            if not found:
                raise DitError(f"no execution {execution_id} in the ledger", where=self.where,
                               fix="see the execution ids in the report or summary.json")
            self._db.execute("INSERT INTO issue_links (issue_id, execution_id, scenario_id) VALUES (?, ?, ?)",
                             (issue_id, execution_id, found[0][0]))
        for scenario_id in scenarios:
            self._db.execute("INSERT INTO issue_links (issue_id, execution_id, scenario_id) VALUES (?, NULL, ?)",
                             (issue_id, scenario_id))

    def unretested(self, issue: TestIssue) -> list[str]:
        """The scenarios linked to an issue that have no passing execution after it: what a retest must run."""
        linked_at: dict[str, int] = {}
        for execution_id, scenario_id in self._db.rows(
                "SELECT execution_id, scenario_id FROM issue_links WHERE issue_id = ?", (issue.id,)):
            linked_at[scenario_id] = max(linked_at.get(scenario_id, 0), execution_id or 0)
        missing = []
        for scenario_id, after in sorted(linked_at.items()):
            passed = self._db.rows("SELECT id, finished_at FROM executions WHERE scenario_id = ? AND "
                                   "outcome = 'passed' AND id > ?", (scenario_id, after))
            if not any(after or finished[:10] >= issue.raised_at for _, finished in passed):
                missing.append(scenario_id)
        return missing

    def issue(self, issue_id: str) -> TestIssue:
        for issue in self.issues():
            if issue.id == issue_id:
                return issue
        raise DitError(f"no test issue {issue_id} in the ledger", where=self.where, fix="dit issue list shows them")

    def issues(self) -> list[TestIssue]:
        links: dict[str, tuple[list, list]] = {}
        for issue_id, execution_id, scenario_id in self._db.rows(
                "SELECT issue_id, execution_id, scenario_id FROM issue_links ORDER BY issue_id, execution_id"):
            executions, scenarios = links.setdefault(issue_id, ([], []))
            if execution_id is not None and execution_id not in executions:
                executions.append(execution_id)
            if scenario_id not in scenarios:
                scenarios.append(scenario_id)
        reason = "close_reason" if "close_reason" in self._db.columns("test_issues") else "NULL"  # an older ledger
        rows = self._db.rows("SELECT id, title, severity, owner, status, raised_at, security, closed_at, "
                             f"work_off_plan, plan_due, {reason} FROM test_issues ORDER BY id")
        return [TestIssue(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8], r[9],
                          *links.get(r[0], ([], [])), close_reason=r[10]) for r in rows]

    # -- evidence for criteria the records cannot show --------------------------------------------------------

    def record_evidence(self, criterion: str, status: str, reference: str, recorded_by: str, *,
                        sha256: str | None = None, automated: bool = False, run_id: int | None = None,
                        detail: dict[str, Any] | None = None) -> CriterionEvidence:
        """Evidence as recorded: whether a reference is a document worth its name is the recorder's to check
        (harness.criteria.evidence); the ledger keeps what it is given, with when."""
        if not _CRITERION.match(criterion):
            raise DitError(f"{criterion!r} is not a DIT criterion or requirement",
                           fix="use DIT.EN.1-6, DIT.EX.1-12 or DIT.1-15")
        if status not in EVIDENCE_STATUSES:
            raise DitError(f"status {status!r} is not one of {', '.join(EVIDENCE_STATUSES)}")
        if not reference.strip():
            raise DitError("evidence needs a reference (minutes, certificate, document)", fix="give --reference")
        record = CriterionEvidence(criterion, status, reference, recorded_by, now(), sha256, automated, run_id, detail)
        with self._db.transaction():
            self._db.execute("INSERT INTO criterion_evidence (criterion, status, reference, recorded_by, "
                             "recorded_at, sha256, automated, run_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (record.criterion, status, reference, recorded_by, record.recorded_at, sha256,
                              int(automated), run_id, json.dumps(detail) if detail is not None else None))
        return record

    def evidence(self) -> list[CriterionEvidence]:
        have = self._db.columns("criterion_evidence")       # read-only, an older ledger may lack the newer ones
        newer = ", ".join(c if c in have else default for c, default in
                          (("sha256", "NULL"), ("automated", "0"), ("run_id", "NULL"), ("detail", "NULL")))
        rows = self._db.rows(f"SELECT criterion, status, reference, recorded_by, recorded_at, {newer} "
                             "FROM criterion_evidence ORDER BY id")
        return [CriterionEvidence(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7],
                                  json.loads(r[8]) if r[8] else None) for r in rows]

    # -- suspensions -----------------------------------------------------------------------------------------

    def suspend(self, asset: str, device_type: str, condition: int, reason: str,
                at: dt.datetime | None = None) -> Suspension:
        if condition not in CONDITIONS:
            raise DitError(f"suspension condition {condition} is not one of the seed's four",
                           fix="; ".join(f"{n}: {text}" for n, text in CONDITIONS.items()))
        if device_type == "CHF":
            raise DitError(f"{asset} is a Communications Hub", fix="DIT suspends devices, never a CH")
        if any(s.asset == asset for s in self.active()):
            raise DitError(f"{asset} is already suspended", fix="resume it first")
        when = (at or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
        with self._db.transaction():
            self._db.execute("INSERT INTO suspensions (asset, device_type, condition, reason, suspended_at) "
                             "VALUES (?, ?, ?, ?, ?)", (asset, device_type, condition, reason, when))
        return Suspension(asset, device_type, condition, reason, when)

    def resume(self, asset: str, fix_reference: str, at: dt.datetime | None = None) -> None:
        """Testing resumes with a fix the change release board approved (its reference is recorded)."""
        if not fix_reference.strip():
            raise DitError("resumption needs the approved fix's reference", fix="give --fix CRB-...")
        when = (at or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
        with self._db.transaction():
            changed = self._db.execute("UPDATE suspensions SET resumed_at = ?, fix_reference = ? "
                                       "WHERE asset = ? AND resumed_at IS NULL", (when, fix_reference, asset))
        if not changed:
            raise DitError(f"{asset} is not suspended")

    def suspensions(self) -> list[Suspension]:
        rows = self._db.rows("SELECT asset, device_type, condition, reason, suspended_at, resumed_at, "
                             "fix_reference FROM suspensions ORDER BY id")
        return [Suspension(*row) for row in rows]

    def active(self) -> list[Suspension]:
        return [s for s in self.suspensions() if s.active]

    def all_suspended(self, assets: list[str]) -> bool:
        """Whether every one of these assets is suspended now (every meter: DIT itself is, DIT.R.12)."""
        active = {s.asset for s in self.active()}
        return bool(assets) and all(a in active for a in assets)


_EXECUTION_COLUMNS = ("run_id", "node", "scenario_id", "outcome", "finished_at", "baseline", "test_set", "ch_variant",
                      "devices", "started_at", "duration_s", "virtual_s", "service_requests", "failed_step", "error",
                      "evidence", "blocked", "participants", "alerts", "cast_")
# what a column an older ledger lacks reads as
_OLDER_LEDGER = {"blocked": "NULL", "participants": "'[]'", "alerts": "'[]'", "cast_": "''"}


def _execution_row(e: ExecutionRecord) -> tuple[object, ...]:
    """An execution as its row holds it: the blocked reason is its blocker; its text is the error's."""
    values = {**{c: getattr(e, c.rstrip("_")) for c in _EXECUTION_COLUMNS}, "outcome": e.outcome.value,
              "devices": json.dumps(e.devices), "blocked": e.blocked.blocker.value if e.blocked else None,
              "participants": json.dumps([p.as_json() for p in e.participants]), "alerts": json.dumps(e.alerts)}
    return tuple(values[c] for c in _EXECUTION_COLUMNS)


def _execution(row: tuple[Any, ...]) -> ExecutionRecord:
    """_execution_row's row back, with the execution's id and the title, family and tags of its plan."""
    values = dict(zip((*(c.rstrip("_") for c in _EXECUTION_COLUMNS), "id", "title", "family", "tags"), row,
                      strict=True))
    blocker = Blocker(values["blocked"]) if values["blocked"] else None
    return ExecutionRecord(**{
        **values, "devices": json.loads(values["devices"]), "title": values["title"] or "",
        "participants": [Participant.from_json(p) for p in json.loads(values["participants"])],
        "alerts": json.loads(values["alerts"]),
        "family": values["family"] or "", "tags": json.loads(values["tags"] or "[]"),
        "blocked": BlockedReason(blocker, (values["error"] or "").removeprefix(blocker.prefix)) if blocker else None})


def _check_issue(severity: int, owner: str) -> None:
    if severity not in range(1, 6):
        raise DitError(f"severity {severity} is not 1-5", fix="1 is the most severe, 5 the least")
    if not owner.strip():
        raise DitError("a test issue needs an owner", fix=f"give one of {', '.join(PROVIDERS)} or a manufacturer")


def _alive(pid: int) -> bool:
    """Whether the process still runs (a killed one not yet reaped is a zombie: dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True
