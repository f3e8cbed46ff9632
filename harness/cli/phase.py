"""The phase from its ledger: `dit report` (the Test Phase Completion Report), `dit issue` (test issues and
their work-off plans), `dit evidence` (what the records cannot show) and `dit phase` (its name, quality gate
and runs)."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    Commands,
    Row,
    emit,
    group,
    ledger_listing,
    notes,
    open_ledger,
    opened_ledger,
    output_dir,
)
from harness.errors import DitError

if TYPE_CHECKING:
    from harness.ledger.records import TestIssue
    from harness.report.document import ReportDocument


_NO_LEDGER = ("bad input: no phase ledger at the path (dit makes none for a command that reads), or a database "
              "that is not one")


def register(commands: Commands) -> None:
    rep = commands.add_parser("report", help="the Test Phase Completion Report from the phase ledger: HTML, PDF, JSON")
    rep.add_argument("--ledger", metavar="DSN", help="phase ledger (default sqlite:///reports/phase.db)")
    rep.add_argument("--out", default="reports/report", metavar="DIR", help="where to write (default reports/report)")
    rep.add_argument("--as-of", metavar="DATE", help="judge work-off plans on this day (default today)")
    rep.add_argument("--no-pdf", action="store_true", help="HTML and JSON only")
    rep.add_argument("--author", metavar="NAME", help="who issues the report (default: your user name)")
    rep.add_argument("--distribution", action="append", metavar="WHO",
                     help="who receives it, once per recipient (default: the DCC test assurance board and the DIT "
                          "test lead)")
    rep.add_argument("--version-label", metavar="LABEL", default="draft",
                     help="the report's version, e.g. 1.0 for the one the board signs (default: draft)")
    rep.add_argument("--lessons", metavar="FILE", type=Path,
                     help="the lessons learned, a text file: one lesson per paragraph or '- ' item")
    rep.epilog = notes([
        ("dit report",
         "the report of reports/phase.db in reports/report: report.html, report.pdf, summary.json"),
        ("dit report --ledger postgresql://dit@labdb/dit_r2 --out /srv/dit/report",
         "a shared ledger's report"),
        ("dit report --as-of 2026-12-01 --no-pdf",
         "work-off plans judged on another day; HTML and JSON only"),
        ('dit report --author "A. Lead" --version-label 1.0 --distribution "DCC test assurance board" '
         "--lessons lessons.txt",
         "the version the board signs: its identification on page 1, the lead's lessons learned"),
    ], {
        0: "DIT can exit: every entry and exit criterion is met, the board's approval and certificate included",
        1: "DIT cannot exit yet, or is ready for board approval: the criteria that hold it are listed",
        2: "bad input: no ledger, a database that is not one, a date that is not one, --out not writable, a "
           "--lessons file that cannot be read or holds no lesson",
    })
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
    record.epilog = notes([
        ("dit evidence record DIT.EN.1 --status met --reference 'minutes/entry gate.pdf'",
         "a decision's document; its SHA-256 is recorded"),
        ("dit evidence record DIT.EN.4 --status met --reference https://dcc.example/pit/cert",
         "a document at a URL"),
        ("dit evidence record DIT.EX.7 --status waived --reference minutes/TAB-deviation-7.pdf",
         "a deviation the board approved, for a criterion dit judges"),
    ], {
        0: "recorded (a new ledger is said with where it was made)",
        2: "bad input: a criterion or status that cannot be recorded, a document that is missing",
    })
    record.set_defaults(func=cmd_evidence_record)
    ledger_listing(evidence, "list", "list recorded evidence", cmd_evidence_list, notes([
        ("dit evidence list", "each record; a person's document checked again: matches, changed, missing"),
        ("dit evidence list --ledger sqlite:///reports/phase.db --json", "as JSON"),
    ], {0: "listed", 2: _NO_LEDGER}))
    phase = group(commands, "phase", "the phase: name, quality gate, runs")
    setp = phase.add_parser("set", help="name the phase and record its quality gate meeting date")
    setp.add_argument("--name")
    setp.add_argument("--quality-gate", metavar="DATE", help="work-off plans are due in working days from it")
    setp.add_argument("--ledger", metavar="DSN")
    setp.epilog = notes([
        ("dit phase set --name 'DIT R2.0' --quality-gate 2026-11-02",
         "name the phase; work-off plans are due in working days from the quality gate"),
        ("dit phase set --quality-gate 2026-11-09 --ledger sqlite:///reports/phase.db",
         "move the quality gate"),
    ], {
        0: "recorded",
        2: "bad input: a date that is not one, a ledger that cannot be used",
    })
    setp.set_defaults(func=cmd_phase_set)
    ledger_listing(phase, "runs", "list the runs recorded in the ledger", cmd_phase_runs, notes([
        ("dit phase runs", "the runs, their status and executions; the ledger's schema revision"),
        ("dit phase runs --ledger postgresql://dit@labdb/dit_r2 --json", "a shared ledger's, as JSON"),
    ], {0: "listed", 2: _NO_LEDGER}))


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
    raise_.epilog = notes([
        ("dit issue raise --title 'CH drops the ESME after 8.11' --severity 3 --owner 'CSP N' --execution 1234",
         "a test issue linked to the execution dit run named"),
        ("dit issue raise --title 'IHD shows no tariff' --severity 4 --manufacturer 'Damson Displays' --id ALM-4711",
         "against a device, with the ALM defect number as its reference"),
    ], {
        0: "raised (a new ledger is said with where it was made)",
        2: "bad input: no owner, an execution or scenario the ledger has not, a date that is not one",
    })
    raise_.set_defaults(func=cmd_issue_raise)
    update.epilog = notes([
        ("dit issue update TI-0001 --work-off-plan WOP-12 --due 2026-11-27",
         "its agreed work-off plan"),
        ("dit issue update TI-0001 --status closed",
         "closed: needs a passing execution of each linked scenario since"),
        ("dit issue update ALM-4711 --status closed --reason 'scenario withdrawn (CR-9)'",
         "closed without a retest"),
    ], {
        0: "changed",
        2: "bad input: no such issue or ledger, a close without its retest or reason",
    })
    update.set_defaults(func=cmd_issue_update)
    ledger_listing(issue, "list", "list test issues", cmd_issue_list, notes([
        ("dit issue list", "each test issue: severity, owner, status, work-off plan, what still needs a retest"),
        ("dit issue list --json", "as JSON"),
    ], {0: "listed", 2: _NO_LEDGER}))


# -- dit report ----------------------------------------------------------------------------------------

def write_report(dsn: str | None, out: Path, as_of: str | None, pdf: bool,
                 document: ReportDocument | None = None) -> dict[str, Any]:
    """The report of the ledger at dsn (None: the default one); the verdict, and each criterion that holds it."""
    import datetime as dt

    from harness import criteria, report
    from harness.run import evidence_check

    # the PDF's printer made ready beside the reading and judging (on a second core), not after them
    with report.Printer() if pdf else contextlib.nullcontext() as printer:
        with opened_ledger(dsn, create=False) as book:
            phase = criteria.Phase.read(book, as_of=dt.date.fromisoformat(as_of) if as_of else None,
                                        verify=evidence_check.verify_all)
        assessment = criteria.assess(phase)
        written = report.write_report(assessment, out, pdf=pdf, document=document, printer=printer)
    exits = assessment["exit_criteria"]
    met = sum(v["status"] == "met" for v in exits)
    print(f"report: {', '.join(str(p) for p in written.values())}")
    print(f"exit criteria: {met} of {len(exits)} met -- {assessment['verdict']['text']}")
    for line in holding(assessment):
        print(f"  {line}")
    return assessment


def holding(assessment: dict[str, Any]) -> list[str]:
    """Each entry or exit criterion that holds the verdict, with its status and what decided it."""
    judged = {v["id"]: v for v in [*assessment["entry_criteria"], *assessment["exit_criteria"]]}
    return [f"{c}: {judged[c]['status'].replace('_', ' ')} -- {judged[c]['evidence']}"
            for c in assessment["verdict"]["holding"] if c in judged]


def cmd_report(args: argparse.Namespace) -> int:
    if args.as_of:
        _iso_date(args.as_of, "--as-of")
    out = output_dir(Path(args.out), "--out")
    from harness.report import document as doc

    document = doc.ReportDocument(
        author=args.author or "", version=args.version_label,
        distribution=tuple(args.distribution) if args.distribution else doc.DEFAULT_DISTRIBUTION,
        lessons=tuple(doc.read_lessons(args.lessons)) if args.lessons else (),
        lessons_from=str(args.lessons.resolve()) if args.lessons else "")
    assessment = write_report(args.ledger, out, args.as_of, pdf=not args.no_pdf, document=document)
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
