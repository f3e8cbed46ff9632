"""The phase from its ledger: `dit report` (the Test Phase Completion Report), `dit issue` (test issues and
their work-off plans), `dit evidence` (what the records cannot show) and `dit phase` (its name, quality gate
and runs)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.cli.common import EXIT_FAILED, EXIT_OK, Commands, Row, emit, group, ledger_listing, open_ledger, output_dir
from harness.errors import DitError

if TYPE_CHECKING:
    from harness.ledger.records import TestIssue


def register(commands: Commands) -> None:
    rep = commands.add_parser("report", help="the Test Phase Completion Report from the phase ledger: HTML, PDF, JSON")
    rep.add_argument("--ledger", metavar="DSN", help="phase ledger (default sqlite:///reports/phase.db)")
    rep.add_argument("--out", default="reports/report", metavar="DIR", help="where to write (default reports/report)")
    rep.add_argument("--as-of", metavar="DATE", help="judge work-off plans on this day (default today)")
    rep.add_argument("--no-pdf", action="store_true", help="HTML and JSON only")
    rep.set_defaults(func=cmd_report)
    _register_issue(group(commands, "issue", "test issues in the phase ledger"))
    evidence = group(commands, "evidence", "evidence for entry criteria, board decisions and other criteria "
                                           "the records cannot show")
    record = evidence.add_parser("record", help="record a decision's document (DIT.EN.n, DIT.7, DIT.EX.11/12), or "
                                                "a waiver of a criterion dit judges (DIT.EX.7, DIT.8 ...)")
    record.add_argument("criterion", help="e.g. DIT.EN.1")
    record.add_argument("--status", required=True, choices=("met", "workaround", "not_met", "waived"),
                        help="waived: a deviation the board approved, for a criterion dit judges from the records "
                             "(it stays as judged; the report lists the waiver)")
    record.add_argument("--reference", required=True, help="the document that shows it: a file (its SHA-256 is "
                                                           "recorded) or an http(s) URL")
    record.add_argument("--by", help="who records it (default: your user name)")
    record.add_argument("--ledger", metavar="DSN")
    record.set_defaults(func=cmd_evidence_record)
    ledger_listing(evidence, "list", "list recorded evidence", cmd_evidence_list)
    phase = group(commands, "phase", "the phase: name, quality gate, runs")
    setp = phase.add_parser("set", help="name the phase and record its quality gate meeting date")
    setp.add_argument("--name")
    setp.add_argument("--quality-gate", metavar="DATE", help="work-off plans are due in working days from it")
    setp.add_argument("--ledger", metavar="DSN")
    setp.set_defaults(func=cmd_phase_set)
    ledger_listing(phase, "runs", "list the runs recorded in the ledger", cmd_phase_runs)


def _register_issue(issue: Commands) -> None:
    owners = "DSP, 'CSP N' or 'CSP C/S' (counted in the defect mask)"
    raise_ = issue.add_parser("raise", help="record a test issue")
    raise_.add_argument("--title", required=True)
    raise_.add_argument("--severity", required=True, type=int, choices=range(1, 6), help="1 (highest) to 5")
    raise_.add_argument("--id", metavar="REF", help="its reference, e.g. the ALM defect number (default TI-nnnn)")
    raise_.add_argument("--raised", metavar="DATE", help="when it was raised (default today)")
    raise_.add_argument("--security", action="store_true", help="a security defect (counted in the mask too)")
    update = issue.add_parser("update", help="change a test issue: status, severity, owner, work-off plan, links")
    update.add_argument("id")
    update.add_argument("--status", choices=("open", "fixed", "closed", "rejected"))
    update.add_argument("--severity", type=int, choices=range(1, 6))
    update.add_argument("--work-off-plan", metavar="REF", help="the agreed work-off plan's reference")
    update.add_argument("--due", metavar="DATE", help="the date the work-off plan is due")
    update.add_argument("--on", metavar="DATE", help="when the change happened (default today)")
    update.add_argument("--reason", help="why a closed issue needs no retest (closing otherwise needs a later "
                                         "passing execution of each linked scenario: dit run --retest ID)")
    for command in (raise_, update):
        who = command.add_mutually_exclusive_group()
        who.add_argument("--owner", choices=("DSP", "CSP N", "CSP C/S"), help=owners)
        who.add_argument("--manufacturer", metavar="NAME", help="a device manufacturer (not in the defect mask)")
        command.add_argument("--execution", type=int, action="append", metavar="ID", help="link an execution")
        command.add_argument("--scenario", action="append", metavar="ID", help="link a scenario as a whole")
        command.add_argument("--ledger", metavar="DSN")
    raise_.set_defaults(func=cmd_issue_raise)
    update.set_defaults(func=cmd_issue_update)
    ledger_listing(issue, "list", "list test issues", cmd_issue_list)


# -- dit report ----------------------------------------------------------------------------------------

def write_report(dsn: str, out: Path, as_of: str | None, pdf: bool) -> dict[str, Any]:
    import datetime as dt

    from harness import criteria, report
    from harness.ledger import Ledger
    from harness.run import evidence_check

    with Ledger(dsn, create=False) as book:
        phase = criteria.Phase.read(book, as_of=dt.date.fromisoformat(as_of) if as_of else None,
                                    verify=evidence_check.verify_all)
    assessment = criteria.assess(phase)
    written = report.write_report(assessment, out, pdf=pdf)
    exits = assessment["exit_criteria"]
    met = sum(v["status"] == "met" for v in exits)
    print(f"report: {', '.join(str(p) for p in written.values())}")
    print(f"exit criteria: {met} of {len(exits)} met -- {assessment['verdict']['text']}")
    return assessment


def cmd_report(args: argparse.Namespace) -> int:
    from harness.ledger import DEFAULT_DSN

    if args.as_of:
        _iso_date(args.as_of, "--as-of")
    out = output_dir(Path(args.out), "--out")
    assessment = write_report(args.ledger or DEFAULT_DSN, out, args.as_of, pdf=not args.no_pdf)
    return EXIT_OK if assessment["verdict"]["can_exit"] else EXIT_FAILED     # a waived criterion holds nothing


def _iso_date(value: str, flag: str) -> str:
    import datetime as dt

    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise DitError(f"{flag} {value!r} is not a date", fix="write it as YYYY-MM-DD") from None


# -- dit issue -----------------------------------------------------------------------------------------

def _owner(args: argparse.Namespace) -> str | None:
    return f"{args.manufacturer}" if args.manufacturer else args.owner


def _issue_line(i: Row) -> str:
    from harness.ledger import OUTSTANDING

    plan = f"  plan {i['work_off_plan']} due {i['plan_due']}" if i["work_off_plan"] else ""
    retest = (f"  retest: {', '.join(i['unretested'])}" if i.get("unretested") and i["status"] in OUTSTANDING
              else f"  closed without retest: {i['close_reason']}" if i["close_reason"] and i["status"] == "closed"
              else "")
    return f"{i['id']:10} sev {i['severity']}  {i['owner']:18} {i['status']:8} {i['title']}{plan}{retest}"


def _issue_row(issue: TestIssue) -> Row:
    from dataclasses import asdict

    return {**asdict(issue), "provider": issue.provider}


def cmd_issue_raise(args: argparse.Namespace) -> int:
    with open_ledger(args) as book:
        owner = _owner(args)
        if not owner:
            raise DitError("a test issue needs an owner", fix="give --owner DSP|'CSP N'|'CSP C/S' or --manufacturer")
        issue = book.raise_issue(args.title, args.severity, owner, issue_id=args.id, security=args.security,
                                 executions=args.execution or [], scenarios=args.scenario or [],
                                 raised_at=args.raised)
    print(_issue_line(_issue_row(issue)))
    return EXIT_OK


def cmd_issue_update(args: argparse.Namespace) -> int:
    if args.reason is not None and args.status != "closed":
        raise DitError("--reason says why an issue is closed without a retest", where="dit issue update",
                       fix="give it with --status closed")
    with open_ledger(args, create=False) as book:
        issue = book.update_issue(args.id, status=args.status, severity=args.severity, owner=_owner(args),
                                  work_off_plan=args.work_off_plan, plan_due=args.due,
                                  executions=args.execution or [], scenarios=args.scenario or [], on=args.on,
                                  close_reason=args.reason)
    print(_issue_line(_issue_row(issue)))
    return EXIT_OK


def cmd_issue_list(args: argparse.Namespace) -> int:
    with open_ledger(args, create=False) as book:      # unretested: linked scenarios with no later passing execution
        rows = [{**_issue_row(i), "unretested": book.unretested(i)} for i in book.issues()]
    emit(args, rows, _issue_line)
    return EXIT_OK


# -- dit evidence, dit phase -----------------------------------------------------------------------------

def cmd_evidence_record(args: argparse.Namespace) -> int:
    """A person's record, never automated evidence: a decision's document, or a waiver of a criterion dit judges."""
    import getpass

    from harness.criteria import evidence

    evidence.check_status(args.criterion, args.status)
    reference, sha256 = evidence.document(args.reference)
    with open_ledger(args) as book:
        record = book.record_evidence(args.criterion, args.status, reference, args.by or getpass.getuser(),
                                      sha256=sha256)
    digest = f", SHA-256 {record.sha256}" if record.sha256 else ""
    print(f"{record.criterion}: {record.status} -- {record.reference} ({record.recorded_by}, {record.recorded_at}"
          f"{digest})")
    return EXIT_OK


def _records(args: argparse.Namespace, records: Iterable[Any], line: Callable[[Row], str]) -> int:
    """Ledger records (dataclasses) as lines or --json."""
    from dataclasses import asdict

    emit(args, [asdict(r) for r in records], line)
    return EXIT_OK


def _evidence_line(e: Row) -> str:
    if e["automated"]:
        return f"{e['criterion']:10} {e['status']:10} {e['reference']}  (automated, run {e['run_id']})"
    digest = f", SHA-256 {e['sha256'][:12]}… {e['document']}" if e["sha256"] else f", {e['document']}"
    return f"{e['criterion']:10} {e['status']:10} {e['reference']}  ({e['recorded_by']}, {e['recorded_at']}{digest})"


def cmd_evidence_list(args: argparse.Namespace) -> int:
    """Each record; a person's document checked anew (matches, url, changed, missing, unverifiable)."""
    from dataclasses import asdict

    from harness.criteria.evidence import examine

    with open_ledger(args, create=False) as book:
        records = book.evidence()
    # an automated record's figures (one per execution of its run) are for the criteria: counted here, not listed
    rows = [{**asdict(e), "detail": {"executions": len((e.detail or {}).get("executions", {}))} if e.detail else None,
             "document": None if e.automated else examine(e).state} for e in records]
    emit(args, rows, _evidence_line)
    return EXIT_OK


def cmd_phase_set(args: argparse.Namespace) -> int:
    with open_ledger(args) as book:
        book.set_phase(args.name, args.quality_gate)
        print(f"phase {book.setting('name') or '(unnamed)'}; quality gate {book.setting('quality_gate') or '-'}")
    return EXIT_OK


def cmd_phase_runs(args: argparse.Namespace) -> int:
    with open_ledger(args, create=False) as book:
        if not args.json:               # which schema the ledger is at: what a bug report or a restore needs
            print(f"ledger {book.where}, schema revision {book.schema_revision}")
        return _records(args, book.runs(), lambda r: f"run {r['id']:<4} {r['status']:11} {r['started_at']}  "
                                                     f"{r['executions']:>5} executions  "
                                                     f"{r['selection'] or '(default selection)'}"
                                                     + (f"  ({r['reason']})" if r.get("reason") else ""))
