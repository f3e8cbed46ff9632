"""The phase ledger: runs, planned tests, executions, the lab's devices, test issues, suspensions and the
evidence people record for criteria, in SQLite (one file per phase) or PostgreSQL (several benches).

Each execution is committed the moment it ends, so a run that is killed loses nothing it finished and
`dit run --resume` carries on where it stopped. Suspensions follow the DIT approach ("Suspension
Criteria and Resumption Requirement"): a device -- never a Communications Hub -- on one of four
conditions; testing resumes with a fix the DCC change release board approved.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
import socket
import sqlite3
import sys
from collections.abc import Iterable, Sequence, Set
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, exists, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from harness.errors import DitError
from harness.ledger import migrations
from harness.ledger import schema as tables
from harness.ledger.database import Database, first_line
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
    Outcome,
    Participant,
    PlannedTest,
    RunRecord,
    Suspension,
    TestIssue,
)
from harness.ledger.schema import HEAD, LEDGER_TABLES, REVISIONS, VERSION_TABLE, metadata, version

DEFAULT_DSN = "sqlite:///reports/phase.db"
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
    def __init__(self, dsn: str = DEFAULT_DSN, *, create: bool = True, page_cache_kib: int | None = None):
        """create: an empty database (or a missing SQLite file) becomes a ledger, for the commands that record;
        without it (the commands that only read) nothing is created. Either way a database that holds something
        else is refused untouched, and a ledger an older dit made is upgraded to this release's schema (a SQLite
        one copied beside itself first), so once open a ledger is always at `schema_revision`. page_cache_kib:
        a smaller SQLite page cache than its 2,000 KiB (a run's, which appends)."""
        self.dsn = dsn
        self._db = Database(dsn, create=create, page_cache_kib=page_cache_kib)
        self.where = self._db.where
        self.schema_revision = HEAD
        try:
            self._adopt(create)
        except BaseException:
            self._db.close()
            raise

    def _adopt(self, create: bool) -> None:
        held = self._db.tables()
        before = self._revision(held, create)   # refuses what is not a ledger, before anything is written
        if create:                              # WAL before the first write of a new file, which it cannot follow
            self._db.journal_mode_wal()
        if before == HEAD:
            return                              # the common case: no lock, no Alembic
        backup: Path | None = None
        try:
            with self._db.schema_change() as conn:
                held = self._db.tables()        # as it is now this dit holds the lock: another may have upgraded it
                before = self._revision(held, create)
                if before == HEAD:
                    return
                if not held:                    # a new ledger, stamped at head
                    metadata.create_all(conn)
                    version.create(conn)
                    conn.execute(insert(version).values(version_num=HEAD))
                    return
                backup = self._backup(before)
                migrations.upgrade(conn)
        except SQLAlchemyError as exc:
            if backup is not None:
                backup.unlink(missing_ok=True)  # nothing changed: the ledger is its own backup
            if not held:
                raise DitError(f"ledger write failed: {first_line(exc)}", where=self.where) from None
            raise DitError(f"cannot upgrade the ledger from {_schema(before)} to schema {HEAD}: {first_line(exc)}",
                           where=self.where, fix="nothing was changed; once that is cleared, any dit command that "
                                                 "may write to the ledger upgrades it") from None
        kept = f"; the ledger as it was is kept in {backup}" if backup else ""
        print(f"dit: {self.where}: ledger upgraded from {_schema(before)} to schema {HEAD}{kept}", file=sys.stderr)

    def _revision(self, tables: Set[str], create: bool) -> str | None:
        """The ledger's schema revision (None: a new one, or one from before versioning); refuses a database that is
        not a ledger, and a ledger a newer dit made."""
        missing = LEDGER_TABLES - tables
        if missing and (tables or not create):
            start = ", or a new file or empty database to start one" if create else " (dit run starts one)"
            raise DitError(_not_a_ledger(tables, missing), where=self.where,
                           fix=f"give --ledger the phase's ledger{start}")
        found = self._db.revision() if VERSION_TABLE in tables else None
        if found is not None and found not in REVISIONS:
            raise DitError(f"the ledger is at schema revision {found}, which this dit does not know (it knows up to "
                           f"{HEAD})", where=self.where, fix="upgrade dit to the release that wrote it")
        return found

    def _backup(self, before: str | None) -> Path | None:
        """The SQLite ledger as it is, beside it, before the first migration changes it; an earlier backup of the same
        name (a ledger restored from it, say) is kept too."""
        if self._db.path is None:
            return None
        backup = _unused(self._db.path.with_name(f"{self._db.path.name}.pre-{HEAD}.bak"))
        try:
            self._db.backup(backup)
        except (OSError, sqlite3.Error) as exc:
            backup.unlink(missing_ok=True)
            raise DitError(f"cannot upgrade the ledger from {_schema(before)} to schema {HEAD}: its backup {backup} "
                           f"could not be written: {exc}", where=self.where,
                           fix="nothing was changed; free some space beside it, then open it again") from None
        return backup

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the phase -------------------------------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        found = self._db.rows(select(tables.settings.c.value).where(tables.settings.c.key == key))
        return found[0][0] if found else None

    def set_phase(self, name: str | None = None, quality_gate: str | None = None) -> None:
        """The phase's name and the date of its quality gate meeting (work-off plans count from it)."""
        values = {"name": name, "quality_gate": _date(quality_gate, "quality gate") if quality_gate else None}
        with self._db.transaction() as conn:
            for key, value in values.items():
                if value is not None:
                    conn.execute(delete(tables.settings).where(tables.settings.c.key == key))
                    conn.execute(insert(tables.settings).values(key=key, value=value))

    # -- runs, planned tests, executions ---------------------------------------------------------------------

    def start_run(self, lab: str, selection: str, argv: list[str]) -> int:
        with self._db.transaction() as conn:
            return conn.execute(insert(tables.runs).values(
                started_at=now(), status="running", lab=lab, selection=selection, argv=json.dumps(argv),
                host=socket.gethostname(), pid=os.getpid()).returning(tables.runs.c.id)).scalar_one()

    def finish_run(self, run_id: int, status: str = "completed", reason: str | None = None) -> None:
        """The run's end: completed, or interrupted and why (a signal, a full disk, a lost ledger)."""
        with self._db.transaction() as conn:
            conn.execute(update(tables.runs).where(tables.runs.c.id == run_id).values(finished_at=now(), status=status,
                                                                         reason=reason))

    def reopen_run(self, run_id: int) -> None:
        """A resumed run carries on under this process."""
        with self._db.transaction() as conn:
            conn.execute(update(tables.runs).where(tables.runs.c.id == run_id).values(
                status="running", finished_at=None, reason=None, host=socket.gethostname(), pid=os.getpid()))

    def discard_run(self, run_id: int) -> bool:
        """Take back a run that executed nothing because its selection matched no scenario: it is not a run
        of the phase, and --resume must not repeat it. A run with any execution is kept (False)."""
        with self._db.transaction() as conn:
            e = tables.executions.c
            if conn.execute(select(e.id).where(e.run_id == run_id).limit(1)).first():
                return False
            for table in (tables.planned, tables.devices):
                conn.execute(delete(table).where(table.c.run_id == run_id))
            conn.execute(delete(tables.runs).where(tables.runs.c.id == run_id))
        return True

    def runs(self) -> list[RunRecord]:
        e, r = tables.executions.c, tables.runs.c
        counts: dict[int, int] = {run_id: count for run_id, count in self._db.rows(
            select(e.run_id, func.count()).group_by(e.run_id))}
        rows = self._db.rows(select(r.id, r.started_at, r.finished_at, r.status, r.lab, r.selection, r.argv, r.host,
                                    r.pid, r.reason).order_by(r.id))
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
        rows = [{"run_id": run_id, "asset": d.asset, "test_set": d.test_set, "ch_variant": d.ch_variant,
                 "device_type": d.device_type, "manufacturer": d.manufacturer, "model": d.model,
                 "standard": d.standard, "gbcs_version": d.gbcs_version, "zigbee_version": d.zigbee_version,
                 "silicon": d.silicon, "sub_ghz": int(d.sub_ghz), "firmware_version": d.firmware_version}
                for d in devices]
        if rows:
            with self._db.transaction() as conn:
                conn.execute(self._db.insert_ignoring(tables.devices), rows)

    def devices(self) -> list[DeviceRecord]:
        """The devices of every test set, as the latest run that used the test set described them."""
        d = tables.devices.c
        rows = self._db.rows(select(d.asset, d.test_set, d.ch_variant, d.device_type, d.manufacturer, d.model,
                                    d.standard, d.gbcs_version, d.zigbee_version, d.silicon, d.sub_ghz,
                                    d.firmware_version)
                             .order_by(d.run_id))
        latest = {(test_set, asset): DeviceRecord(asset, test_set, ch_variant, device_type, manufacturer, model,
                                                  standard, gbcs_version, zigbee_version, silicon, bool(sub_ghz),
                                                  firmware_version)
                  for (asset, test_set, ch_variant, device_type, manufacturer, model, standard, gbcs_version,
                       zigbee_version, silicon, sub_ghz, firmware_version) in rows}
        return list(latest.values())

    def plan(self, run_id: int, tests: list[PlannedTest]) -> None:
        """What a run sets out to execute; several xdist workers may each say it, once counts."""
        rows = [{"run_id": run_id, "node": t.node, "scenario_id": t.scenario_id, "title": t.title, "family": t.family,
                 "tags": json.dumps(t.tags), "priority": t.priority, "business_critical": int(t.business_critical),
                 "requirements": json.dumps(t.requirements), "baseline": t.baseline, "test_set": t.test_set,
                 "ch_variant": t.ch_variant, "dual_band": int(t.dual_band), "kind": t.kind,
                 "service_user": t.service_user, "dsp_csp": t.dsp_csp, "hub_standard": t.hub_standard,
                 "meter_standard": t.meter_standard, "devices": json.dumps(t.devices), "cast_": t.cast} for t in tests]
        if rows:
            with self._db.transaction() as conn:
                conn.execute(self._db.insert_ignoring(tables.planned), rows)

    def planned(self, run_id: int | None = None, *, unexecuted: bool = False,
                latest: bool = False) -> list[PlannedTest]:
        """unexecuted: only the tests no execution of their run has recorded (a run's end lists them as not run:
        the whole plan of a serial matrix was 2.7 MB to read). latest: each test (PlannedTest.key) once, as the
        last run that planned it describes it, where it was first planned: what a phase judges (a ledger of 20,000
        executions holds 20,548 plans of 934 tests)."""
        p, e = tables.planned.c, tables.executions.c
        query = select(*(p[name] for name in _PLANNED_COLUMNS)).order_by(p.run_id, p.node)
        if run_id is not None:
            query = query.where(p.run_id == run_id)
        if unexecuted:
            query = query.where(~exists().where(e.run_id == p.run_id, e.node == p.node))
        rows: Iterable[Any] = self._db.rows(query)
        if latest:
            tests: dict[tuple[str, str | None, str | None, str], Any] = {}
            for r in rows:
                tests[r[1], r[8], r[9], r[18]] = r     # a key planned again keeps its place, takes the later plan
            rows = tests.values()
        return [PlannedTest(r[0], r[1], r[2], r[3], _strings(r[4]), r[5], bool(r[6]), _strings(r[7]),
                            r[8], r[9], r[10], bool(r[11]), r[12], r[13], r[14], r[15], r[16], _strings(r[17]), r[18])
                for r in rows]

    def record_execution(self, execution: ExecutionRecord) -> int:
        """Committed at once: a run killed after this loses nothing of this execution."""
        with self._db.transaction() as conn:
            return conn.execute(_INSERT_EXECUTION, _execution_row(execution)).scalar_one()

    def executions(self, run_id: int | None = None) -> list[ExecutionRecord]:
        """With the scenario's title, family and tags from the plan of its run."""
        e, p = tables.executions.c, tables.planned.c
        query = (select(*(e[c] for c in _EXECUTION_COLUMNS), e.id, p.title, p.family, p.tags)
                 .select_from(tables.executions.outerjoin(tables.planned, (p.run_id == e.run_id) & (p.node == e.node)))
                 .order_by(e.id))
        if run_id is not None:
            query = query.where(e.run_id == run_id)
        return [_execution(tuple(row)) for row in self._db.rows(query)]

    def outcomes(self, run_id: int) -> list[tuple[Outcome, BlockedReason | None, str | None]]:
        """Each execution of the run as far as how it ended: outcome, blocked reason, error (in the order recorded);
        what `dit run` says its exit from, without reading a matrix's 1,315 whole records back."""
        e = tables.executions.c
        rows = self._db.rows(select(e.outcome, e.blocked, e.error).where(e.run_id == run_id).order_by(e.id))
        return [(Outcome(outcome), _blocked_reason(blocked, error), error) for outcome, blocked, error in rows]

    def finished_nodes(self, run_id: int) -> set[str]:
        e = tables.executions.c
        return {r[0] for r in self._db.rows(select(e.node).where(e.run_id == run_id))}

    # -- test issues -----------------------------------------------------------------------------------------

    def raise_issue(self, title: str, severity: int, owner: str, *, issue_id: str | None = None,
                    security: bool = False, executions: Sequence[int] = (), scenarios: Sequence[str] = (),
                    raised_at: str | None = None) -> TestIssue:
        _check_issue(severity, owner)
        if not title.strip():
            raise DitError("a test issue needs a title", fix="give --title")
        with self._db.transaction() as conn:
            if issue_id is None:
                count = conn.execute(select(func.count()).select_from(tables.test_issues)).scalar_one()
                issue_id = f"TI-{count + 1:04d}"
            if conn.execute(select(tables.test_issues.c.id).where(tables.test_issues.c.id == issue_id)).first():
                raise DitError(f"test issue {issue_id} already exists", fix="update it, or give another --id")
            conn.execute(insert(tables.test_issues).values(
                id=issue_id, title=title, severity=severity, owner=owner, status="open", security=int(security),
                raised_at=_date(raised_at, "raised date") if raised_at else dt.date.today().isoformat()))
            self._link(conn, issue_id, executions, scenarios)
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
        with self._db.transaction() as conn:
            conn.execute(update(tables.test_issues).where(tables.test_issues.c.id == issue_id).values(
                status=status or current.status, severity=severity or current.severity, owner=owner or current.owner,
                work_off_plan=work_off_plan or current.work_off_plan,
                plan_due=_date(plan_due, "work-off plan due date") if plan_due else current.plan_due,
                closed_at=closed_at,
                close_reason=(close_reason or "").strip() or None if status == "closed"
                else None if status is not None else current.close_reason))         # reopened: the reason went with it
            self._link(conn, issue_id, executions, scenarios)
        return self.issue(issue_id)

    def _link(self, conn: Connection, issue_id: str, execution_ids: Sequence[int], scenarios: Sequence[str]) -> None:
        e = tables.executions.c
        for execution_id in execution_ids:
            found = conn.execute(select(e.scenario_id).where(e.id == execution_id)).first()
            if found is None:
                raise DitError(f"no execution {execution_id} in the ledger", where=self.where,
                               fix="see the execution ids in the report or summary.json")
            conn.execute(insert(tables.issue_links).values(issue_id=issue_id, execution_id=execution_id,
                                                    scenario_id=found[0]))
        for scenario_id in scenarios:
            conn.execute(insert(tables.issue_links).values(issue_id=issue_id, execution_id=None,
                                                           scenario_id=scenario_id))

    def unretested(self, issue: TestIssue) -> list[str]:
        """The linked tests with no passing execution after the issue's: what a retest must run. A scenario linked
        through an execution is retested only by the same test (baseline, test set and cast: another meter in
        the ESME role is another test); one linked as a whole by any passing execution finished on or after the
        day the issue was raised."""
        e, link = tables.executions.c, tables.issue_links.c
        missing = []
        for execution_id, scenario_id in sorted(set(self._db.rows(
                select(link.execution_id, link.scenario_id).where(link.issue_id == issue.id))),
                key=lambda r: (r[1], r[0] or 0)):
            if execution_id is None:
                passed = select(e.id).where(e.scenario_id == scenario_id, e.outcome == "passed",
                                            func.substr(e.finished_at, 1, 10) >= issue.raised_at)
            else:
                [(baseline, test_set, cast)] = self._db.rows(
                    select(e.baseline, e.test_set, e.cast_).where(e.id == execution_id))
                passed = select(e.id).where(e.scenario_id == scenario_id, e.outcome == "passed", e.id > execution_id,
                                            e.baseline.is_not_distinct_from(baseline),
                                            e.test_set.is_not_distinct_from(test_set), e.cast_ == cast)
            if not self._db.rows(passed.limit(1)) and scenario_id not in missing:
                missing.append(scenario_id)
        return missing

    def issue(self, issue_id: str) -> TestIssue:
        for issue in self.issues():
            if issue.id == issue_id:
                return issue
        raise DitError(f"no test issue {issue_id} in the ledger", where=self.where, fix="dit issue list shows them")

    def issues(self) -> list[TestIssue]:
        link = tables.issue_links.c
        links: dict[str, tuple[list, list]] = {}
        for issue_id, execution_id, scenario_id in self._db.rows(
                select(link.issue_id, link.execution_id, link.scenario_id).order_by(link.issue_id, link.execution_id)):
            linked_executions, linked_scenarios = links.setdefault(issue_id, ([], []))
            if execution_id is not None and execution_id not in linked_executions:
                linked_executions.append(execution_id)
            if scenario_id not in linked_scenarios:
                linked_scenarios.append(scenario_id)
        t = tables.test_issues.c
        rows = self._db.rows(select(t.id, t.title, t.severity, t.owner, t.status, t.raised_at, t.security, t.closed_at,
                                    t.work_off_plan, t.plan_due, t.close_reason).order_by(t.id))
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
        with self._db.transaction() as conn:
            conn.execute(insert(tables.criterion_evidence).values(
                criterion=record.criterion, status=status, reference=reference, recorded_by=recorded_by,
                recorded_at=record.recorded_at, sha256=sha256, automated=int(automated), run_id=run_id,
                detail=json.dumps(detail) if detail is not None else None))
        return record

    def evidence(self) -> list[CriterionEvidence]:
        e = tables.criterion_evidence.c
        rows = self._db.rows(select(e.criterion, e.status, e.reference, e.recorded_by, e.recorded_at, e.sha256,
                                    e.automated, e.run_id, e.detail).order_by(e.id))
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
        with self._db.transaction() as conn:
            conn.execute(insert(tables.suspensions).values(asset=asset, device_type=device_type, condition=condition,
                                                    reason=reason, suspended_at=when))
        return Suspension(asset, device_type, condition, reason, when)

    def resume(self, asset: str, fix_reference: str, at: dt.datetime | None = None) -> None:
        """Testing resumes with a fix the change release board approved (its reference is recorded)."""
        if not fix_reference.strip():
            raise DitError("resumption needs the approved fix's reference", fix="give --fix CRB-...")
        when = (at or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
        with self._db.transaction() as conn:
            changed = conn.execute(update(tables.suspensions).where(tables.suspensions.c.asset == asset,
                                                             tables.suspensions.c.resumed_at.is_(None))
                                   .values(resumed_at=when, fix_reference=fix_reference)).rowcount
        if not changed:
            raise DitError(f"{asset} is not suspended")

    def suspensions(self) -> list[Suspension]:
        s = tables.suspensions.c
        rows = self._db.rows(select(s.asset, s.device_type, s.condition, s.reason, s.suspended_at, s.resumed_at,
                                    s.fix_reference).order_by(s.id))
        return [Suspension(*row) for row in rows]

    def active(self) -> list[Suspension]:
        return [s for s in self.suspensions() if s.active]

    def all_suspended(self, assets: list[str]) -> bool:
        """Whether every one of these assets is suspended now (every meter: DIT itself is, DIT.R.12)."""
        active = {s.asset for s in self.active()}
        return bool(assets) and all(a in active for a in assets)


def _unused(path: Path) -> Path:
    """path, or path with -2, -3 ... before its suffix: the first that names no file."""
    return next(candidate for n in itertools.count(1)
                if not (candidate := path.with_stem(f"{path.stem}-{n}") if n > 1 else path).exists())


def _schema(revision: str | None) -> str:
    return f"schema {revision}" if revision else "an unversioned ledger (a release up to ab80485)"


_PLANNED_COLUMNS = ("node", "scenario_id", "title", "family", "tags", "priority", "business_critical", "requirements",
                    "baseline", "test_set", "ch_variant", "dual_band", "kind", "service_user", "dsp_csp",
                    "hub_standard", "meter_standard", "devices", "cast_")
_EXECUTION_COLUMNS = ("run_id", "node", "scenario_id", "outcome", "finished_at", "baseline", "test_set", "ch_variant",
                      "devices", "started_at", "duration_s", "virtual_s", "service_requests", "failed_step", "error",
                      "evidence", "blocked", "participants", "alerts", "cast_", "operators", "place")


# built once: a run records thousands, each in its own transaction
_INSERT_EXECUTION = insert(tables.executions).returning(tables.executions.c.id)


def _execution_row(e: ExecutionRecord) -> dict[str, object]:
    """An execution as its row holds it: the blocked reason is its blocker; its text is the error's."""
    values = {**{c: getattr(e, c.rstrip("_")) for c in _EXECUTION_COLUMNS}, "outcome": e.outcome.value,
              "devices": json.dumps(e.devices), "blocked": e.blocked.blocker.value if e.blocked else None,
              "participants": json.dumps([p.as_json() for p in e.participants]), "alerts": json.dumps(e.alerts),
              "operators": json.dumps(e.operators),
              # the report reads the folder later, from wherever the lab lead is (DIT.EX.8)
              "evidence": os.path.abspath(e.evidence) if e.evidence else e.evidence}
    return {c: values[c] for c in _EXECUTION_COLUMNS}


# JSON lists (tags, devices, requirements, alerts, participants) by their text: a phase's 20,000 executions and
# plans repeat a few hundred of them, and parsing each anew was most of `dit report`'s ledger read. Kept as tuples of
# immutable items, each record gets its own list; bounded, so a huge ledger keeps memory flat.
_STRING_LISTS: dict[str, tuple[str, ...]] = {}
_PARTICIPANTS: dict[str, tuple[Participant, ...]] = {}
_LISTS_HELD = 1 << 14


def _hold(held: dict[str, tuple[Any, ...]], text: str, items: tuple[Any, ...]) -> None:
    if len(held) >= _LISTS_HELD:
        held.clear()
    held[text] = items


def _strings(text: str) -> list[Any]:
    """A JSON list (of strings, as the ledger writes tags, devices, requirements, alerts) read from its text."""
    known = _STRING_LISTS.get(text)
    if known is not None:
        return list(known)
    value = json.loads(text)
    if type(value) is list and all(type(v) is str for v in value):
        _hold(_STRING_LISTS, text, tuple(value))
    return value


def _execution(row: tuple[Any, ...]) -> ExecutionRecord:
    """_execution_row's row back, with the execution's id and the title, family and tags of its plan (the columns
    of executions()' query, in its order)."""
    (run_id, node, scenario_id, outcome, finished_at, baseline, test_set, ch_variant, devices, started_at, duration_s,
     virtual_s, service_requests, failed_step, error, evidence, blocked, participants, alerts, cast, operators, place,
     execution_id, title, family, tags) = row
    return ExecutionRecord(
        run_id=run_id, node=node, scenario_id=scenario_id, outcome=outcome, finished_at=finished_at,
        baseline=baseline, test_set=test_set, ch_variant=ch_variant, devices=_strings(devices), started_at=started_at,
        duration_s=duration_s, virtual_s=virtual_s, service_requests=service_requests, failed_step=failed_step,
        error=error, evidence=evidence, id=execution_id, title=title or "", family=family or "",
        tags=_strings(tags or "[]"), blocked=_blocked_reason(blocked, error), participants=_participants(participants),
        alerts=_strings(alerts), cast=cast, operators=_strings(operators), place=place)


def _participants(text: str) -> list[Participant]:
    """The devices that took part, read from their JSON (a Participant is immutable: records may share them)."""
    known = _PARTICIPANTS.get(text)
    if known is None:
        known = tuple(Participant.from_json(p) for p in json.loads(text))
        _hold(_PARTICIPANTS, text, known)
    return list(known)


def _blocked_reason(blocked: str | None, error: str | None) -> BlockedReason | None:
    """The row's blocker column and its error's text as the reason it was blocked."""
    if not blocked:
        return None
    blocker = Blocker(blocked)
    return BlockedReason(blocker, (error or "").removeprefix(blocker.prefix))


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
