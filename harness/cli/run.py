"""`dit run`: the business scenarios on a lab, recorded in the phase ledger; what a run selects, and the checks
that refuse a bad selection or report directory before a run is recorded."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from harness.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    Commands,
    notes,
    opened_ledger,
    output_dir,
    output_file,
    target_options,
    unwritable,
)
from harness.cli.phase import write_report
from harness.errors import DitError, RunInterrupted
from harness.run_end import RunEnd

if TYPE_CHECKING:
    from _pytest.mark.expression import Expression

    from harness.lab import LabConfig
    from harness.ledger import BlockedReason, Ledger, Outcome


def register(commands: Commands) -> None:
    run = commands.add_parser(
        "run", help="run the business scenarios on a lab (default: the built-in emulated lab)",
        description="Run the DIT business scenarios on a lab and record each execution in the phase ledger. On a "
                    "terminal one line shows the passed, failed and blocked counts and the scenario running; "
                    "piped (CI) there is one line per finished scenario with its execution ID.",
        epilog=notes([("dit run", "the default selection: every scenario on B6, on the emulated lab"),
                      ("dit run -m 'ESME and credit' -n auto", "scenarios tagged ESME and credit, one worker per core"),
                      ("dit run --matrix -n 2 --report", "every baseline on every test set, then the report"),
                      ("dit run --lab bench1.yaml --resume", "carry on a real bench's run that stopped"),
                      ("dit run --cucumberjson xray.json -- -x", "Cucumber JSON for Xray too; -x, after --, goes to "
                                                                 "pytest (stop at the first failure)")],
                     {0: "every scenario of the selection passed",
                      1: "a scenario failed, the bench broke, every scenario was blocked, or the run was stopped "
                         "(128 + the signal's number for a signal); what finished is in the ledger",
                      2: "bad input: a selection, lab config, baseline, test set or report directory that cannot be "
                         "used, refused before the run is recorded"}))
    run.add_argument("--lab", metavar="FILE", help="lab config (default lab_configs/emulated.yaml)")
    run.add_argument("-k", metavar="EXPR", help="only scenarios whose names match (pytest -k)")
    run.add_argument("-m", metavar="MARKEXPR", help="only scenarios whose tags match, e.g. 'ESME and credit'")
    run.add_argument("--report-dir", default="reports", help="where to write results (default reports/)")
    run.add_argument("--without-optional", action="store_true",
                     help="leave out the SRs the DIT approach's business scenarios mark optional (scenarios with them "
                          "are tagged optional_srs)")
    target_options(run)
    run.add_argument("--ledger", metavar="DSN", help="phase ledger the run is recorded in, with the suspensions "
                     "(default phase.db in the report directory: sqlite:///reports/phase.db)")
    run.add_argument("--resume", action="store_true",
                     help="carry on the ledger's last unfinished run: what it finished is not run again")
    run.add_argument("--retest", metavar="ISSUE", help="run the scenarios linked to a test issue of the ledger: "
                     "each on the target of its linked execution, one linked as a whole on the run's targets "
                     "(default, or --baseline/--test-set/--matrix); takes no -k or -m")
    run.add_argument("--serial-consoles", action="store_true",
                     help="drive every emulated device and hand-held terminal through its serial console on a "
                          "pseudo-terminal (pyserial), as on a real bench")
    run.add_argument("--operator", metavar="terminal|web[:HOST:PORT]",
                     help="on a real bench, every act a person must do (fit a CH, start a signal generator, ...) is "
                          "a prompt at this terminal and/or on a web page the run serves (default port 8600); "
                          "unanswered within the lab config's operator timeout_s, the scenario is blocked")
    run.add_argument("--report", action="store_true",
                     help="end with the Test Phase Completion Report of the ledger (in <report-dir>/report/)")
    run.add_argument("-n", "--workers", type=_workers, metavar="N", help="parallel workers (pytest-xdist; a number "
                     "or auto, one per core); "
                     "scenarios of one test set of a real lab never run at the same time")
    run.add_argument("--junitxml", metavar="FILE", help="write the run's JUnit XML there (default "
                     "<report-dir>/junit.xml): a suite per family, a test per scenario on its baseline and test set")
    run.add_argument("--cucumberjson", metavar="FILE", help="also write the run as Cucumber JSON, with every tag "
                     "(Examples' too) and @TEST_<KEY> test keys, for Jira Xray or ALM to import")
    run.add_argument("--allure-link-pattern", action="append", metavar="TYPE:PATTERN",
                     help="where Allure's links go, {} for the value (repeatable; also DIT_ALLURE_LINK_PATTERN): "
                          "requirement (default ../report/report.html#{}) and evidence (default ../evidence/{}, "
                          "beside allure-report), e.g. requirement:https://jira.example.com/browse/{}")
    run.add_argument("pytest_extra", nargs="*", metavar="-- PYTEST_ARGS",
                     help="everything after -- goes to pytest as given (e.g. -- -x -p myplugin)")
    run.set_defaults(func=cmd_run)


def _workers(value: str) -> str:
    if value != "auto" and not (value.isdigit() and int(value) > 0):
        raise argparse.ArgumentTypeError(f"{value!r} is neither a number of workers nor auto")
    return value


# -- what a run selects ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Flag:
    """How a RunSelection field is written: its flag, whether its value is an expression the engineer quotes,
    what pytest needs alongside it, and whether the engineer's text or pytest's arguments have it at all."""
    name: str
    quoted: bool = False
    pytest_also: tuple[str, ...] = ()
    typed: bool = True
    to_pytest: bool = True


def _flag(name: str, *, quoted: bool = False, pytest_also: tuple[str, ...] = (), typed: bool = True,
          to_pytest: bool = True) -> Mapping[str, _Flag]:
    return {"flag": _Flag(name, quoted, pytest_also, typed, to_pytest)}


@dataclass(frozen=True)
class RunSelection:
    """What a new run selects and how it runs, from `dit run`'s flags. It renders both the ledger's record of
    the selection and pytest's arguments, so an option is added here once; both keep the fields' order."""

    lab: str | None = field(default=None, metadata=_flag("--lab"))
    k: str | None = field(default=None, metadata=_flag("-k", quoted=True))
    m: str | None = field(default=None, metadata=_flag("-m", quoted=True))
    without_optional: bool = field(default=False, metadata=_flag("--without-optional"))
    baselines: tuple[str, ...] = field(default=(), metadata=_flag("--baseline"))
    test_sets: tuple[str, ...] = field(default=(), metadata=_flag("--test-set"))
    matrix: bool = field(default=False, metadata=_flag("--matrix"))
    # loadgroup: a real lab's scenarios of one test set share an xdist_group, so never run at the same time
    workers: str | None = field(default=None, metadata=_flag("-n", pytest_also=("--dist", "loadgroup")))
    serial_consoles: bool = field(default=False, metadata=_flag("--serial-consoles"))
    operator: str | None = field(default=None, metadata=_flag("--operator"))
    # dit run resolves the issue to the tests it runs (Retest), which pytest gets instead
    retest: str | None = field(default=None, metadata=_flag("--retest", to_pytest=False))
    tests: tuple[str, ...] = field(default=(), metadata=_flag("--dit-test", typed=False))
    # outputs, not a selection: the ledger's text leaves them out, the replayed arguments keep them
    junitxml: str | None = field(default=None, metadata=_flag("--dit-junitxml", typed=False, to_pytest=False))
    cucumberjson: str | None = field(default=None, metadata=_flag("--dit-cucumberjson", typed=False))
    # everything after `--`, to pytest as given and last, so it can override what dit sets
    pytest_extra: tuple[str, ...] = field(default=(), metadata=_flag("--", typed=False, to_pytest=False))
    allure_link_patterns: tuple[str, ...] = field(default=(), metadata=_flag("--allure-link-pattern", typed=False))

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> RunSelection:
        return cls(lab=args.lab, k=args.k, m=args.m, without_optional=args.without_optional,
                   baselines=tuple(args.baseline or ()), test_sets=tuple(args.test_set or ()), matrix=args.matrix,
                   workers=args.workers, serial_consoles=args.serial_consoles, operator=args.operator,
                   retest=args.retest,
                   junitxml=args.junitxml, cucumberjson=args.cucumberjson, pytest_extra=tuple(args.pytest_extra),
                   allure_link_patterns=tuple(getattr(args, "allure_link_pattern", None) or ()))

    @property
    def text(self) -> str:
        """The options as the engineer would type them (the ledger keeps it; `dit phase runs`, `--resume` and
        the report show it)."""
        text = " ".join(flag.name if value is None else f"{flag.name} {value!r}" if flag.quoted
                        else f"{flag.name} {value}" for flag, value in self._chosen() if flag.typed)
        return f"{text} -- {shlex.join(self.pytest_extra)}".lstrip() if self.pytest_extra else text

    def pytest_args(self, report_dir: Path) -> list[str]:
        """pytest's arguments for the run: the scenarios, the plugin's outputs in report_dir, and the options
        (`--flag=value`, or `-x value` for a short flag)."""
        from harness import scenarios

        # labgrid's own pytest plugin (its test environments) is not dit's: dit reaches places as a client. Nor are
        # pytest's numbered temporary directories: with them xdist had the controller make one, and pytest deleted
        # all but the newest three at the run's end, whatever other sessions left there (a test suite's: 7 s).
        argv = [str(scenarios.FEATURES), "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:labgrid",
                "-p", "no:tmpdir",
                "--dit-progress",
                f"--dit-report-dir={report_dir}", f"--dit-junitxml={self.junitxml or report_dir / 'junit.xml'}",
                f"--alluredir={report_dir / 'allure-results'}", "--clean-alluredir",
                f"--rootdir={scenarios.FEATURES.parent}"]
        for flag, value in self._chosen():
            if not flag.to_pytest:
                continue
            argv += ([flag.name] if value is None else [f"{flag.name}={value}"] if flag.name.startswith("--")
                     else [flag.name, value])
            argv += flag.pytest_also
        return argv + list(self.pytest_extra)

    def _chosen(self) -> Iterator[tuple[_Flag, str | None]]:
        """Each option given, in the fields' order: its flag and its value (None for a switch)."""
        for each in fields(self):
            flag, value = each.metadata["flag"], getattr(self, each.name)
            if value is True:
                yield flag, None
            elif value:
                yield from ((flag, v) for v in (value if isinstance(value, tuple) else (value,)))


# -- before a run is recorded -------------------------------------------------------------------------------

def _check_bench(lab: LabConfig) -> None:
    """A real lab's run starts only on a bench this machine can reach: endpoint, keys, clock, ports, sniffers."""
    from harness.lab import bench

    assert lab.bench is not None, "loading a real lab's config loads its bench"
    problems = bench.unreachable(lab.bench, {u.name: u.eui for u in lab.users}, consoles=lab.consoles())
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        raise DitError(f"the bench is not ready: {len(problems)} problems above", where=lab.source,
                       fix="dit lab check lists them with their fixes")


def _run_report_dir(path: Path) -> Path:
    """--report-dir and what a run writes in it, checked before the run is recorded: a file where the run makes
    a folder (or the other way round) was a pytest INTERNALERROR after the run had started."""
    output_dir(path, "--report-dir")
    for name, folder in _RUN_OUTPUTS.items():
        inside = path / name
        if not inside.exists():
            continue
        if inside.is_dir() != folder:
            raise DitError(f"--report-dir {path}: {inside} is {'a file' if folder else 'a directory'}, where a run "
                           f"writes its {name}", fix="move it away, or give another --report-dir")
        reason = unwritable(inside) if folder else None if os.access(inside, os.W_OK) else "the file is read-only"
        if reason:
            raise DitError(f"--report-dir {path}: cannot write {inside}: {reason}",
                           fix="give a directory you can write to")
    return path


_RUN_OUTPUTS = {"evidence": True, "allure-results": True, "keystore": True, "report": True, "junit.xml": False,
                "summary.json": False}       # name -> a folder (True) or a file


def _check_allure_links(selection: RunSelection) -> None:
    """--allure-link-pattern and DIT_ALLURE_LINK_PATTERN, refused in one line before the run is recorded."""
    from harness.run import allure_scenario

    for text in selection.allure_link_patterns:
        allure_scenario.link_pattern(text, "--allure-link-pattern")
    allure_scenario.env_patterns()


def _expression(flag: str, expression: str) -> Expression:
    """-k or -m compiled as pytest will, so a malformed one is refused before a run is recorded."""
    from _pytest.mark import expression as grammar

    malformed = tuple(e for e in (getattr(grammar, "ParseError", None), SyntaxError) if e)  # pytest 8 | 9
    try:
        return grammar.Expression.compile(expression)
    except malformed as exc:
        column, message = getattr(exc, "column", None) or exc.offset, getattr(exc, "message", None) or exc.msg
        raise DitError(f"{flag} {expression!r} is not a selection expression: at column {column}: {message}",
                       where="dit run", fix=f"names joined by and, or, not and parentheses, e.g. {_EXAMPLES[flag]}"
                       ) from None


_EXAMPLES = {"-k": "-k 'install_commission and not gas'", "-m": "-m 'ESME and credit'"}


def _checked_selection(selection: RunSelection) -> LabConfig:
    """What a new run selects, refused in one line before the ledger records it: -k, -m, the lab, its
    baselines and test sets (each error names the value and the known ones)."""
    from harness.lab import load, targets

    for flag, expression in (("-k", selection.k), ("-m", selection.m)):
        if expression and selection.retest:
            raise DitError(f"--retest {selection.retest} runs every scenario linked to the issue; it takes no {flag}",
                           where="dit run", fix="leave out -k and -m; dit issue update --scenario or --execution "
                                                "changes what is linked")
        if expression:
            _expression(flag, expression)
    lab = load(selection.lab)
    chosen = targets.targets(lab, list(selection.baselines), list(selection.test_sets), selection.matrix)
    if lab.bench is not None and selection.workers not in (None, "1"):
        _check_parallel_benches(selection, lab, list(dict.fromkeys(t.test_set for t in chosen)))
    if selection.operator is not None:
        _check_operator(selection, lab)
    return lab


def _check_parallel_benches(selection: RunSelection, lab: LabConfig, test_sets: list[str]) -> None:
    """Workers take a real lab's test sets in parallel, each listening where its DCC posts: test sets whose DCC
    posts to one response URL cannot both be listened for on this machine."""
    assert lab.bench is not None, "a real lab's"
    for url, sharing in lab.bench.response_urls(test_sets).items():
        if len(sharing) > 1:
            raise DitError(f"-n {selection.workers}: test sets {' and '.join(sharing)} share the response URL {url}: "
                           "two workers cannot both listen there", where=lab.source,
                           fix="give each bench its own DCC (dcc.benches), or run with -n 1")


def _check_operator(selection: RunSelection, lab: LabConfig) -> None:
    """--operator only where a person is at a real bench, and one terminal never shared by several workers."""
    from harness.lab.operator import OperatorSetting

    assert selection.operator is not None, "called only with --operator"
    if lab.kind != "real":
        raise DitError(f"--operator: the lab {lab.name!r} is emulated: it does on site what a person would",
                       where="dit run", fix="give a real lab's config with --lab, or leave out --operator")
    setting = OperatorSetting.parse(selection.operator)
    if setting.terminal is not None and selection.workers not in (None, "1"):
        raise DitError(f"--operator {selection.operator}: {selection.workers} workers cannot share one terminal",
                       where="dit run", fix="run with -n 1, or use --operator web (a page per worker)")


def _refuse_empty_selection(dsn: str, run_id: int, selection: RunSelection) -> None:
    """A selection that matched no scenario is not a run of the phase: it leaves no run for --resume to repeat.
    Whether one matches is pytest's to say (-k reads node names), so it is known only once pytest collected."""
    from harness import scenarios
    from harness.ledger import Ledger
    from harness.plugin import marker_name

    with Ledger(dsn) as book:
        book.discard_run(run_id)
        linked = book.issue(selection.retest).scenarios if selection.retest else []
    if selection.retest:        # renamed or withdrawn since, or their @on_ tags fit none of the targets
        raise DitError(f"no scenario linked to {selection.retest} runs on its targets: {', '.join(linked)}",
                       where="dit run", fix="dit scenarios lists the scenarios and their tags; link the issue to what "
                                            "replaced them (dit issue update --scenario), or close it with --reason")
    idents: frozenset[str] = frozenset()
    if selection.m:
        idents = getattr(_expression("-m", selection.m), "idents", frozenset)()
    tags = {t for v in scenarios.discover() for t in v.tags}
    unknown = sorted(idents - tags - {marker_name(t) for t in tags})
    hint = f": no scenario has the tag {', '.join(unknown)}" if unknown else ""
    raise DitError(f"no scenario matches {selection.text or 'the default selection'}{hint}", where="dit run",
                   fix="dit scenarios lists them; -k matches their names, -m their tags")


# -- a retest ------------------------------------------------------------------------------------------------

def _retest(book: Ledger, lab: LabConfig, selection: RunSelection) -> RunSelection:
    """What `--retest ISSUE` runs: each scenario linked to the issue through an execution on that execution's
    target and cast, and each scenario linked as a whole on the run's targets (the default, or --baseline,
    --test-set, --matrix). pytest gets the targets these need and the tests to keep on them."""
    from harness.lab import targets

    assert selection.retest is not None, "called for a retest only"
    issue = book.issue(selection.retest)
    linked = [e for e in book.executions() if e.id in issue.executions]
    if not issue.scenarios:
        raise DitError(f"{issue.id} is linked to no execution or scenario: there is nothing to retest",
                       where=book.where, fix=f"link them: dit issue update {issue.id} --execution ID --scenario ID")
    tests: list[targets.ChosenTest] = []
    for execution in linked:
        if execution.baseline is None or execution.test_set is None:
            continue                    # ran on no target: retested as a whole below
        if execution.test_set not in {site.name for site in lab.premises}:
            raise DitError(f"{issue.id}'s execution {execution.id} ran on test set {execution.test_set}, which lab "
                           f"{lab.name} has not", where=lab.source, fix="give the lab it ran on with --lab")
        tests.append(targets.ChosenTest(execution.scenario_id, execution.baseline, execution.test_set,
                                        execution.cast))
    on_a_target = {t.scenario_id for t in tests}
    run_targets = targets.targets(lab, list(selection.baselines), list(selection.test_sets), selection.matrix)
    for scenario_id in (s for s in issue.scenarios if s not in on_a_target):
        tests += [targets.ChosenTest(scenario_id, t.baseline.id, t.test_set) for t in run_targets]
    chosen = list(dict.fromkeys(tests))
    return replace(selection, baselines=tuple(dict.fromkeys(t.baseline for t in chosen)),
                   test_sets=tuple(dict.fromkeys(t.test_set for t in chosen)), matrix=False,
                   tests=tuple(t.option for t in chosen))


def _retest_told(dsn: str, issue_id: str) -> None:
    """After a retest, whether the issue can now be closed, or what still has no later passing execution."""
    from harness.ledger import Ledger

    with Ledger(dsn, create=False) as book:
        unretested = book.unretested(book.issue(issue_id))
    print(f"{issue_id} still needs a passing execution of {', '.join(unretested)}" if unretested else
          f"{issue_id}: each linked scenario has passed since; dit issue update {issue_id} --status closed closes it")


def _record_kept(book: Ledger, report_dir: Path) -> None:
    """What an earlier run finished while the ledger could not take it goes in now."""
    from harness.ledger import journal

    recorded = journal.replay(book, report_dir)
    if recorded:
        print(f"recorded {recorded} executions kept in {report_dir / journal.FILE} while the ledger could not take "
              "them")


# -- the run, and how it ended ---------------------------------------------------------------------------

def _stopped_early(dsn: str, run_id: int, end: RunEnd, run_dir: Path) -> NoReturn:
    """A run stopped before its end: the ledger learns why (or, lost, the report directory keeps it for the next
    `dit run` to tell it), and the engineer gets one line."""
    from harness.ledger import Ledger, journal

    stopped = end.stopped
    assert stopped is not None, "called only for a run that stopped early"
    try:
        with Ledger(dsn) as book:
            book.finish_run(run_id, "interrupted", stopped)
    except DitError:
        try:
            if end.ledger is not None:
                journal.keep_interruption(run_dir, end.ledger, run_id, stopped)
        except OSError:
            pass                # the ledger shows it running: --resume takes it up all the same
    raise RunInterrupted(end.told(run_id), exit_code=end.exit_code, where="dit run",
                         fix="dit run --resume carries on")


@contextlib.contextmanager
def _places(lab: LabConfig | None, selection: RunSelection, argv: list[str]) -> Iterator[tuple[dict[str, str],
                                                                                           dict[str, str]]]:
    """The labgrid places of the test sets the run uses, acquired for it (all the config maps, on --resume): their
    consoles by asset, and the place of each test set (for the ledger)."""
    from harness.lab import load, places, targets

    if lab is None:             # resumed: the lab its recorded arguments name
        named = [a.split("=", 1)[1] for a in argv if a.startswith("--lab=")]
        lab = load(named[0] if named else None)
        test_sets = [site.name for site in lab.premises]
    else:
        test_sets = [t.test_set for t in targets.targets(lab, list(selection.baselines), list(selection.test_sets),
                                                          selection.matrix)]
    if lab.bench is None or lab.bench.labgrid is None:
        yield {}, {}
        return
    chosen = lab.bench.labgrid.places
    with places.acquired(lab.bench.labgrid, test_sets) as consoles:
        yield consoles, {t: chosen[t] for t in dict.fromkeys(test_sets) if t in chosen}


def _resumed(book: Ledger) -> tuple[list[str], int]:
    """The ledger's unfinished run, reopened: its pytest arguments and id."""
    run = book.unfinished_run()
    if run is None:
        raise DitError("no unfinished run to resume", where=book.where, fix="dit run starts a new one")
    book.reopen_run(run.id)
    print(f"resuming run {run.id} ({run.selection or 'default selection'}): "
          f"{run.executions} executions already recorded")
    return run.argv, run.id


def _started(book: Ledger, lab: LabConfig, selection: RunSelection, report_dir: Path) -> tuple[list[str], int]:
    """A new run of the selection, recorded (as the engineer typed it) once a real lab's bench is known to be
    reachable."""
    argv = (_retest(book, lab, selection) if selection.retest else selection).pytest_args(report_dir)
    if lab.kind == "real":
        _check_bench(lab)
    run_id = book.start_run(lab.name, selection.text, argv)
    print(f"lab: {lab.name} ({lab.source})")
    return argv, run_id


def cmd_run(args: argparse.Namespace) -> int:
    import pytest

    from harness.duis import schema as duis_schema
    from harness.ledger import Ledger
    from harness.run import allure_run

    selection = RunSelection.from_args(args)
    report_dir = _run_report_dir(Path(args.report_dir))
    _check_outputs(selection, args.resume)
    _check_allure_links(selection)
    lab = None if args.resume else _checked_selection(selection)
    dsn = args.ledger or f"sqlite:///{report_dir / 'phase.db'}"
    # nothing to resume or retest in a new ledger; a new one is said with where it is
    with opened_ledger(dsn, create=not (args.resume or args.retest)) as book:
        _record_kept(book, report_dir)
        argv, run_id = _resumed(book) if lab is None else _started(book, lab, selection, report_dir)
    found = duis_schema.locate()
    print(f"DUIS schema validation: {found}" if found else
          "DUIS schema validation: off (no duis.xsd found; set DIT_DUIS_XSD to turn it on)")
    run_dir = Path(next(a for a in argv if a.startswith("--dit-report-dir=")).split("=", 1)[1])
    end = RunEnd()
    with _places(lab, selection, argv) as (consoles, held):     # released however the run ends
        placed = [f"--dit-place-consoles={json.dumps(consoles)}", f"--dit-places={json.dumps(held)}"] if held else []
        code = pytest.main([*argv, f"--ledger={dsn}", f"--dit-run={run_id}", *placed], plugins=[end])
    allure_run.keep_history(run_dir)        # the Trend of `allure generate` goes on from the last report
    if end.stopped is not None:
        _stopped_early(dsn, run_id, end, run_dir)
    if code == pytest.ExitCode.NO_TESTS_COLLECTED and not args.resume:
        _refuse_empty_selection(dsn, run_id, selection)
    if code == pytest.ExitCode.USAGE_ERROR and selection.pytest_extra and not args.resume:
        _refuse_pytest_extra(dsn, run_id, selection)
    with Ledger(dsn) as book:        # here NO_TESTS_COLLECTED is a resumed run with nothing left: it has finished
        book.finish_run(run_id, "completed" if code in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED,
                                                        pytest.ExitCode.NO_TESTS_COLLECTED) else "interrupted")
        outcomes = book.outcomes(run_id)
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:       # resumed, and every scenario it planned had run
        raise DitError(f"nothing left to run: run {run_id} is complete", where="dit run",
                       fix="dit report reads it; dit run starts a new one")
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise DitError(f"the scenario run did not complete (pytest exit code {int(code)}); what finished is in the "
                       "ledger", where="dit run", fix="dit run --resume carries on")
    outputs = [a.split("=", 1)[1] for a in argv if a.startswith(("--dit-junitxml=", "--dit-cucumberjson="))]
    print(f"results: {', '.join([str(run_dir / 'summary.json'), *outputs])}, evidence in {run_dir / 'evidence'} "
          f"(verify with --keystore {run_dir / 'keystore'}); ledger {dsn} (run {run_id})")
    if selection.retest and not args.resume:
        _retest_told(dsn, selection.retest)
    if args.report:
        write_report(dsn, run_dir / "report", None, pdf=True)
    if _said_blocked(outcomes):
        return EXIT_FAILED
    return EXIT_OK if code == pytest.ExitCode.OK else EXIT_FAILED


def _check_outputs(selection: RunSelection, resume: bool) -> None:
    """--junitxml and --cucumberjson name files that can be written, before the run is recorded; a resumed run
    writes where it first did, with the pytest arguments it was given."""
    if resume and (selection.junitxml or selection.cucumberjson or selection.pytest_extra):
        raise DitError("--resume carries on a run with the outputs and pytest arguments it started with",
                       where="dit run", fix="leave out --junitxml, --cucumberjson and -- with --resume")
    for flag, value in (("--junitxml", selection.junitxml), ("--cucumberjson", selection.cucumberjson)):
        if value:
            output_file(Path(value), flag)


def _refuse_pytest_extra(dsn: str, run_id: int, selection: RunSelection) -> NoReturn:
    """pytest refused what came after --: the run executed nothing, so it is taken back out of the ledger."""
    from harness.ledger import Ledger

    with Ledger(dsn) as book:
        book.discard_run(run_id)
    raise DitError(f"pytest did not take the arguments after --: {shlex.join(selection.pytest_extra)} (pytest's "
                   "reason is above)", where="dit run", fix="pytest --help lists what it takes; dit run's own "
                                                            "options go before --")


def _said_blocked(outcomes: list[tuple[Outcome, BlockedReason | None, str | None]]) -> bool:
    """Whether the run failed though nothing failed -- the bench broke, or every scenario was blocked -- said on
    stderr, from how the run's executions ended in the ledger (Ledger.outcomes)."""
    from harness.ledger import Blocker, Outcome

    faults = [blocked for _, blocked, _ in outcomes if blocked is not None and blocked.blocker is Blocker.BENCH_FAULT]
    if faults:
        print(f"the bench broke: {faults[0].text}; the scenarios after it are blocked, not failed (fix the bench, "
              "then dit run again)", file=sys.stderr)
        return True
    ended = {outcome for outcome, _, _ in outcomes}
    if Outcome.BLOCKED in ended and not ended & {Outcome.PASSED, Outcome.FAILED}:
        reasons = sorted({error or "" for outcome, _, error in outcomes if outcome is Outcome.BLOCKED})
        print(f"nothing could run: every scenario of the selection is blocked ({reasons[0]}"
              + (f", and {len(reasons) - 1} other reasons" if len(reasons) > 1 else "") + ")", file=sys.stderr)
        return True
    return False
