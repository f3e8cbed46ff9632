"""The pytest plugin that turns pytest-bdd scenarios into DIT executions: its hooks build one ExecutionRecord per
scenario execution and hand it to the run's output sinks (harness.run).

- `lab`: a fresh emulated lab per scenario (from --lab, default lab_configs/emulated.yaml), so every
  scenario starts from the same state; the test SMKI and the DUIS schema are loaded once per session.
- Run targets (harness.lab.targets): every scenario is parametrized over the release baselines and
  test sets of the run (--baseline, --test-set, --matrix); scenarios whose @on_... tags do not fit a
  test set are deselected there.
- `scenario_context`: what a scenario's steps share (the last exchange, marks in the users' inboxes,
  a certificate retrieved from SMKI).
- Suspensions (from the ledger): a scenario that uses a suspended device is blocked, not run; when every
  meter of the lab is suspended, DIT itself is suspended and every scenario is blocked. A BenchFault blocks
  its scenario and the rest of the run; NotOnThisBench its scenario only.
- The sinks: where a scenario runs, its Allure labels, links and step evidence and its evidence files
  (run.allure_scenario, run.evidence_files); where the records come together (the controller under xdist), the
  phase ledger
  (run.ledger_sink; --ledger, by default phase.db in the report directory; --dit-run continues a run, `dit run
  --resume`, and what it already finished is not run again), summary.json with --dit-report-dir
  (run.summary_json), the progress bar and closing tables with --dit-progress (run.console) and the run's HAN
  captures as DIT.8/DIT.11 evidence (run.han_evidence).
- A run stops early, `interrupted` with its reason (run.stopping), on SIGTERM, on a disk that refuses a write
  and on a ledger that does not take an execution.

Its state is in pytest stashes: config.stash[RUN] for the run, the item keys below for each scenario.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import importlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from allure_pytest_bdd.storage import ALLURE_PYTEST_BDD_HASHKEY
from pytest_bdd.parser import Feature, Scenario, ScenarioTemplate, Step
from pytest_bdd.reporting import scenario_reports_registry
from pytest_bdd.scenario import scenario_wrapper_template_registry

from harness import ledger, scenarios
from harness.duis import schema as duis_schema
from harness.errors import BenchFault, DitError, NotOnThisBench
from harness.eui import EntityId
from harness.han.analysis import Analysis
from harness.lab import config as lab_config_module
from harness.lab import targets
from harness.lab.config import LabConfig
from harness.lab.memory import ScenarioMemory
from harness.lab.operator import DEFAULT_TIMEOUT_S, Desk, OperatorSetting
from harness.lab.targets import RunTarget
from harness.ledger import BlockedReason, Blocker, ExecutionRecord, Outcome
from harness.pki import SMKI, default_directory
from harness.run import allure_run, console, cucumber, han_evidence, junit, summary_json
from harness.run.allure_scenario import AllureScenarios
from harness.run.evidence_files import EvidenceFiles
from harness.run.gherkin import FeatureBook, StepLog, StepOutcome, StepStatus, step_location
from harness.run.ledger_sink import LedgerSink
from harness.run.stopping import RunStop
from harness.run_end import RoomToStop, disk_refused, refusal, scenario_disk_refused

if TYPE_CHECKING:       # the labs and what a DCC User exchanges: imported where scenarios run (runs_scenarios)
    from harness.adapters import Exchange
    from harness.adapters.service_user import Evidence
    from harness.lab import EmulatedLab
    from harness.lab.real import RealLab


@dataclass
class ScenarioContext:
    """What one scenario's steps share, and the evidence they gathered in order."""

    exchanges: list[Exchange] = field(default_factory=list)
    memory: ScenarioMemory = field(default_factory=ScenarioMemory)
    evidence: list[tuple[str, Evidence]] = field(default_factory=list)

    def record(self, exchange: Exchange) -> Exchange:
        self.exchanges.append(exchange)
        self.evidence += [(f"SR {exchange.srv} {item.label}", item) for item in exchange.evidence]
        return exchange

    def observe(self, label: str, at: dt.datetime, data: bytes, kind: str = "duis") -> None:
        from harness.adapters.service_user import Evidence

        self.evidence.append((label, Evidence(at, label, data, kind)))

    def latest(self, srv: str, target: EntityId | None = None, user: str | None = None) -> Exchange | None:
        """The last successful SR of this kind in the scenario (to this device, by this User, where given)."""
        return next((x for x in reversed(self.exchanges) if x.srv == srv and x.succeeded
                     and (target is None or x.target == target) and (user is None or x.user == user)), None)

    @property
    def last(self) -> Exchange:
        if not self.exchanges:
            raise DitError("no Service Request has been sent yet in this scenario")
        return self.exchanges[-1]

    def __repr__(self) -> str:
        # allure-pytest-bdd takes the repr of every step function's argument (then the plugin drops it): the
        # dataclass's would write out every exchange so far, at every step
        return f"ScenarioContext({len(self.exchanges)} exchanges, {len(self.evidence)} evidence)"


# What the plugin keeps on each scenario's item.
RECORD = pytest.StashKey[ExecutionRecord]()         # the execution as far as it has gone
BLOCKED = pytest.StashKey[BlockedReason]()          # a suspension blocks it
DEVICES = pytest.StashKey[list[str]]()              # the test set's assets its steps name
LAB = pytest.StashKey["EmulatedLab | RealLab"]()    # its lab, once a step asked for one
CONTEXT = pytest.StashKey[ScenarioContext]()
STARTED = pytest.StashKey[float]()                  # time.monotonic() as the scenario began
EVIDENCE_KEPT = pytest.StashKey[int]()              # how much of its context's evidence is kept so far
STEP_LOG = pytest.StashKey[StepLog]()               # how each of its steps ended, for JUnit and Cucumber JSON
STARTED_AS = "dit_started"      # a setup report's user property: the scenario now running, for the live line
HAN_FIGURES = "dit_han"         # a call report's: what its han.pcap shows (run.han_evidence), read where it ran


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dit", "Device Integration Testing")
    group.addoption("--lab", default=None, help="lab config (default lab_configs/emulated.yaml)")
    group.addoption("--dit-report-dir", default=None, help="write evidence and summary.json here")
    group.addoption("--dit-progress", action="store_true", help="the run as it goes (a live line on a terminal, else "
                    "a line per finished scenario) and the closing tables")
    group.addoption("--dit-junitxml", default=None, metavar="FILE",
                    help="the run as JUnit XML: a suite per family, a test per execution (harness.run.junit)")
    group.addoption("--dit-cucumberjson", default=None, metavar="FILE",
                    help="the run as Cucumber JSON with every tag, for Xray/ALM (harness.run.cucumber)")
    group.addoption("--without-optional", action="store_true", help="leave out the SRs marked optional")
    group.addoption("--baseline", action="append", default=[], help="release baseline(s) of Table 7 (B1-B6)")
    group.addoption("--test-set", action="append", default=[], help="test set(s) of the lab config")
    group.addoption("--matrix", action="store_true",
                    help="every release baseline of Table 7 on every test set that fits it")
    group.addoption("--ledger", default=None, help="phase ledger DSN: record the run there (default with "
                    f"--dit-report-dir: its phase.db; suspensions are read from {ledger.DEFAULT_DSN} otherwise)")
    group.addoption("--dit-run", type=int, default=None, help="record into this ledger run (resume it)")
    group.addoption("--dit-test", action="append", default=[], type=targets.ChosenTest.parse,
                    help="run only this test: [scenario, baseline, test set, cast or null] as JSON (dit run --retest)")
    group.addoption("--operator", default=None, metavar="terminal|web[:HOST:PORT]",
                    help="a real bench's acts a person does become prompts at a terminal and/or on a web page "
                         "(harness.lab.operator; the lab config's operator: gives the timeout)")
    group.addoption("--dit-place-consoles", default=None, metavar="JSON",
                    help="the consoles of the labgrid places dit run acquired: {asset: rfc2217 URL}")
    group.addoption("--dit-places", default=None, metavar="JSON",
                    help="the labgrid places dit run acquired, by test set: {test set: place} (for the ledger)")
    group.addoption("--serial-consoles", action="store_true",
                    help="drive the emulated devices and hand-held terminals through serial consoles on "
                         "pseudo-terminals, as a real bench's")


# -- fixtures ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def lab_config(request):
    return lab_config_module.load(request.config.getoption("--lab"))


@pytest.fixture(scope="session")
def dit_smki() -> SMKI:
    return SMKI.open(default_directory())


@pytest.fixture(scope="session")
def dit_schema():
    found = duis_schema.locate()
    return duis_schema.load(found) if found else None


@pytest.fixture(autouse=True)
def dit_target(request) -> RunTarget | None:
    """The baseline and test set a scenario runs on (None outside the business scenarios)."""
    return getattr(request, "param", None)


@pytest.fixture
def lab(lab_config, dit_schema, dit_target, request):
    from harness.lab import EmulatedLab
    from harness.lab.real import RealLab

    where = {"test_set": dit_target.test_set if dit_target else None,
             "baseline": dit_target.baseline if dit_target else None,
             "cast": dit_target.cast if dit_target else None}      # which devices play the roles its steps name
    running: RealLab | EmulatedLab
    if lab_config.kind == "real":
        placed = request.config.getoption("--dit-place-consoles")
        running = RealLab(lab_config, schema=dit_schema, scenario=request.node.nodeid,
                          operator=request.getfixturevalue("dit_operator"),
                          placed=json.loads(placed) if placed else None, **where)
    else:
        running = EmulatedLab(lab_config, smki=request.getfixturevalue("dit_smki"), schema=dit_schema,
                              serial_consoles=request.config.getoption("--serial-consoles"), **where)
    request.node.stash[LAB] = running
    with running:
        yield running


@pytest.fixture(scope="session")
def dit_operator(lab_config, request) -> Iterator[Desk | None]:
    """The person at a real bench, when the run or the lab config names where prompts go; one desk a process,
    worker N serving its page on the configured port + N."""
    setting = operator_setting(request.config, lab_config)
    if setting is None:
        yield None
        return
    worker = getattr(request.config, "workerinput", {}).get("workerid", "gw0")
    desk = setting.open(worker=int(worker.removeprefix("gw") or 0))
    if desk.url and not _worker(request.config):
        sys.stderr.write(f"dit: operator prompts at {desk.url}\n")
    try:
        yield desk
    finally:
        desk.close()


def operator_setting(config: pytest.Config, lab_config: LabConfig) -> OperatorSetting | None:
    """--operator, with the lab config's timeout and name; else the lab config's operator:."""
    configured = lab_config.bench.operator if lab_config.bench is not None else None
    spec = config.getoption("--operator")
    if spec is None:
        return configured
    return OperatorSetting.parse(spec, timeout_s=configured.timeout_s if configured else DEFAULT_TIMEOUT_S,
                                 name=configured.name if configured else "")


def _run_targets(config: pytest.Config) -> list[RunTarget]:
    run = config.stash[RUN]
    if run.lab is None:
        run.lab = lab_config_module.load(config.getoption("--lab"))
        run.targets = targets.targets(run.lab, config.getoption("--baseline"), config.getoption("--test-set"),
                                      config.getoption("--matrix"))
    return run.targets


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every business scenario runs on each target of the run, in each cast the plan gives it there (lab.casts):
    a scenario outline's casts are those of its examples together; an example is deselected in a cast not its own."""
    if "_pytest_bdd_example" in metafunc.fixturenames and "dit_target" in metafunc.fixturenames:
        run_targets, lab = _run_targets(metafunc.config), metafunc.config.stash[RUN].lab
        template = scenario_wrapper_template_registry.get(metafunc.function)
        found = run_targets
        if template is not None and lab is not None:
            contexts = [c for e in template.examples for c in e.as_contexts()] or [{}]
            # as named always: where its @on_ tags fit no example, that one item is deselected as before
            found = [replace(target, cast=cast) for target in run_targets for cast in dict.fromkeys([target.cast, *(
                cast for context in contexts
                for cast in scenarios.casts(template.feature, template, context, lab.test_set(target.test_set),
                                            target.baseline))])]
        metafunc.parametrize("dit_target", found, indirect=True, ids=[t.id for t in found])


@pytest.fixture
def scenario_context(request) -> ScenarioContext:
    context = ScenarioContext()
    request.node.stash[CONTEXT] = context
    return context


# -- the run -----------------------------------------------------------------------------------------------

class Run:
    """What the plugin keeps for the run (config.stash[RUN]), and the hooks where its execution records come
    together -- in this process, or from the xdist workers -- to go to the ledger, summary.json, the console and
    the run's HAN evidence."""

    def __init__(self, config: pytest.Config):
        self.config = config
        report_dir = config.getoption("--dit-report-dir")
        self.report_dir = Path(report_dir) if report_dir else None
        self.lab_source = config.getoption("--lab") or str(lab_config_module.DEFAULT)
        self.stopping = RunStop(config, self._ended)
        self.evidence = EvidenceFiles(self.report_dir) if self.report_dir is not None else None
        self.allure = AllureScenarios.of(config)          # None: the run writes no Allure results
        self.progress = console.RunProgress() if config.getoption("--dit-progress") and not _worker(config) else None
        self.ledger: LedgerSink | None = None
        self.records: dict[str, ExecutionRecord] = {}       # by node: a resumed run's first half, then this one's
        self.steps: dict[str, list[StepOutcome]] = {}       # by node: how the steps of this process's executions ended
        # Cucumber JSON shows every step; JUnit only the one that failed: a serial matrix's 1,315 executions kept
        # their passed steps (about 18 each) to its end for nothing
        self.every_step = bool(config.getoption("--dit-cucumberjson"))
        # by node: what this run's captures show (HAN_FIGURES), as compact JSON until the run's end reads them: as
        # dicts of lists of floats a serial matrix's 1,315 took about 1 KB each, as text a quarter of it
        self.han_figures: dict[str, str] = {}
        self.started = time.monotonic()
        self.lab: LabConfig | None = None                   # with the targets, once a business scenario is collected
        self.targets: list[RunTarget] = []
        self.bench_broken: BlockedReason | None = None      # what blocks the rest of the run after a BenchFault
        self.gc_frozen = False                              # the session's objects kept out of the collector's scans

    @property
    def run_id(self) -> int | None:
        return self.ledger.run_id if self.ledger is not None else None

    def open_ledger(self) -> None:
        dsn = ledger_dsn(self.config)
        if dsn is None:
            return
        workerinput = getattr(self.config, "workerinput", None)
        self.ledger = LedgerSink.open(
            dsn, self.stopping, self.report_dir, worker=workerinput is not None, lab=self.lab_source,
            run_id=workerinput["dit_run"] if workerinput is not None else self.config.getoption("--dit-run"),
            invocation=" ".join(self.config.invocation_params.args))
        if workerinput is None:
            self.records = {e.node: e for e in self.ledger.resumed()}

    def keep(self, item: pytest.Item, record: ExecutionRecord) -> ExecutionRecord:
        """The scenario's record as far as it has gone (a run stopped now lists it so in summary.json)."""
        item.stash[RECORD] = self.records[item.nodeid] = record
        return record

    def finish(self) -> None:
        """The run's outputs once its scenarios are done: summary.json, the HAN evidence, the closing tables."""
        if self.progress is not None:
            self.progress.stop()
        records = list(self.records.values())
        if self.report_dir is not None:
            self._write_summary(self.report_dir, records)
        self._write_results(records)
        # its progress once scenarios ran: a resumed run with none left ends in the one line that says so
        ran = self.progress is not None and sum(self.progress.counts.values()) > 0
        shown = self._record_han_evidence(records, console.CaptureProgress() if ran else None)
        if self.progress is not None:
            console.print_tables(records)
            for line in shown:
                print(line)

    def _write_summary(self, report_dir: Path, records: list[ExecutionRecord]) -> None:
        try:
            summary_json.write(report_dir, self.lab_source, time.monotonic() - self.started, records,
                               self.ledger.not_executed() if self.ledger is not None else None)
        except OSError as exc:
            if not disk_refused(exc):
                raise
            self.stopping.note(refusal(exc, summary_json.FILE))     # the ledger has it all; --resume writes it again

    def _write_results(self, records: list[ExecutionRecord]) -> None:
        """The run as CI servers (JUnit XML) and Xray or ALM (Cucumber JSON) read it, when asked for."""
        junit_file, cucumber_file = self.config.getoption("--dit-junitxml"), self.config.getoption("--dit-cucumberjson")
        writing = junit_file or cucumber_file
        try:
            if junit_file:
                junit.write(Path(junit_file), records, self.steps, run_id=self.run_id, lab=self.lab_source)
            if cucumber_file:
                writing = cucumber_file
                missing = cucumber.write(Path(cucumber_file), records, self.steps, FeatureBook(scenarios.FEATURES))
                if missing:
                    print(f"{cucumber_file}: leaves out {len(missing)} executions whose scenario no feature file has "
                          f"any more: {', '.join(sorted(set(missing)))}")
        except OSError as exc:
            if not disk_refused(exc):
                raise
            self.stopping.note(refusal(exc, str(writing)))       # the ledger has it all

    def _record_han_evidence(self, records: list[ExecutionRecord],
                             progress: Callable[[int, int], None] | None) -> list[str]:
        """The run's HAN captures as evidence in the ledger, once the run has come to its end."""
        if self.ledger is None or self.stopping.end.stopped is not None:
            return []
        try:
            return han_evidence.record(self.ledger.book, self.ledger.run_id, records, progress,
                                       {node: json.loads(text) for node, text in self.han_figures.items()})
        except DitError as lost:
            self.stopping.note(f"ledger lost: {lost.what}")
            return []

    def _ended(self, exitstatus: int) -> None:
        if self.ledger is not None:
            self.ledger.close(self.stopping.end.stopped is not None or exitstatus == pytest.ExitCode.INTERRUPTED)

    # Hooks

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = next((value for name, value in report.user_properties
                     if name == "dit_record" and isinstance(value, dict)), None)
        steps = next((value for name, value in report.user_properties
                      if name == "dit_steps" and isinstance(value, list)), None)
        if steps is not None and (kept := [StepOutcome.from_json(step) for step in steps
                                           if self.every_step or step["status"] != StepStatus.PASSED]):
            self.steps[report.nodeid] = kept
        figures = next((value for name, value in report.user_properties
                        if name == HAN_FIGURES and isinstance(value, dict)), None)
        if figures is not None:
            self.han_figures[report.nodeid] = json.dumps(figures, separators=(",", ":"))
        if data is not None:
            record = ExecutionRecord.from_json(data)
            if self.ledger is not None:         # its id, which `dit issue raise --execution` links to
                record = replace(record, id=self.ledger.commit(record))
            self.records[report.nodeid] = record
            if self.progress is not None:
                self.progress.finished(record)
        elif self.progress is not None and report.when == "setup" and report.passed:
            started = next((value for name, value in report.user_properties if name == STARTED_AS), None)
            if isinstance(started, str):
                self.progress.started(report.nodeid, started)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        if self.progress is not None:
            self.progress.start(len(ids))

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["dit_run"] = self.run_id


RUN = pytest.StashKey[Run]()


def marker_name(tag: str) -> str:
    """Gherkin tags as pytest markers usable in -m: SR-8.11 -> SR_8_11, DIT.1 -> DIT_1."""
    return re.sub(r"[^0-9A-Za-z_]", "_", tag)


def ledger_dsn(config: pytest.Config) -> str | None:
    """The ledger a run records into: --ledger, else phase.db in the report directory (None: not recorded)."""
    report_dir = config.getoption("--dit-report-dir")
    return config.getoption("--ledger") or (f"sqlite:///{Path(report_dir) / 'phase.db'}" if report_dir else None)


def _worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def runs_scenarios(config: pytest.Config) -> bool:
    """Whether this process runs or collects scenarios: all but an xdist controller, which hands them to its workers
    and gathers their records. It needs neither the labs nor the step definitions (their imports were a quarter of a
    second before its workers started) nor the features' tags as markers (-m is applied where they are collected)."""
    distributes = (config.getoption("dist", "no") != "no" and bool(config.getoption("tx", None))
                   and not config.getoption("collectonly", False))      # as xdist decides to start its workers
    return _worker(config) or not distributes


# Which step definitions match a step, as pytest-bdd finds them before every step: each fixture name of the session
# asked for the definitions the item sees and each definition's parser tried on the text (about a twentieth of a
# run's CPU, a tenth of what a scenario costs beyond its SRs). The answer depends on the step's keyword and text and
# on where the item sits, not on the item: step definitions are fixtures of modules and plugins, all registered at
# collection. It is found once a session for each, by pytest-bdd's own lookup.
# A text not met before is matched against the definitions the item's module sees, listed once a session: pytest's
# visibility of each fixture name was two thirds of a lookup, and most step texts of a run (SRs, devices, tables
# rendered per example) are met only a few times.
STEP_DEFINITIONS = pytest.StashKey[dict[tuple[str | None, str, str], list[Any]]]()
VISIBLE_STEPS = pytest.StashKey[dict[str, list[tuple[Any, Any]]]]()     # by module: (fixture def, step context)
_BDD_SCENARIO: Any = importlib.import_module("pytest_bdd.scenario")  # the module (pytest_bdd.scenario is a function)
_find_step_definitions = _BDD_SCENARIO.find_fixturedefs_for_step       # pytest-bdd's own, which this one answers as


def _step_definitions(step: Step, fixturemanager: Any, node: pytest.Item) -> Iterable[Any]:
    """pytest-bdd's find_fixturedefs_for_step, in its order: the visible definitions of the step's type (or of
    none) whose parser matches the text."""
    known = node.config.stash.setdefault(STEP_DEFINITIONS, {})
    where = node.parent.nodeid if node.parent is not None else ""
    key = (step.type, step.name, where)
    if key not in known:
        visible = node.config.stash.setdefault(VISIBLE_STEPS, {})
        if where not in visible:
            visible[where] = [(fixturedef, context) for name in _BDD_SCENARIO.get_fixture_names(fixturemanager)
                              for fixturedef in _BDD_SCENARIO.getfixturedefs(fixturemanager, name, node) or []
                              if (context := _BDD_SCENARIO.step_function_context_registry.get(fixturedef.func))]
        known[key] = [fixturedef for fixturedef, context in visible[where]
                      if context.type in (None, step.type) and context.parser.is_matching(step.name)]
    return known[key]


@pytest.hookimpl(tryfirst=True)         # the Allure link patterns are settled before allure-pytest-bdd reads them
def pytest_configure(config: pytest.Config) -> None:
    _hold_heaps_down()
    run = config.stash[RUN] = Run(config)
    _BDD_SCENARIO.find_fixturedefs_for_step = _step_definitions       # pytest-bdd looks it up by this name
    config.pluginmanager.register(run, "dit_run")
    config.pluginmanager.register(run.stopping, "dit_run_stop")
    run.open_ledger()
    run.stopping.catch_signals()
    if run.report_dir is not None and not _worker(config):
        run.stopping.room = RoomToStop(run.report_dir)
    if not runs_scenarios(config):
        return
    try:
        tags = {t for variant in scenarios.discover() for t in variant.tags}
    except DitError:
        tags = set()
    for tag in sorted(tags):
        config.addinivalue_line("markers", f"{marker_name(tag)}: Gherkin tag @{tag}")
        if marker_name(tag) != tag:        # pytest-bdd marks Examples tags as written
            config.addinivalue_line("markers", f"{tag}: Gherkin tag @{tag} (as written)")


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(RUN, None)
    if run is not None:
        run.stopping.release_signals()
        run.stopping.free_room()


# -- collection: targets, suspensions, the plan -------------------------------------------------------------

@pytest.hookimpl(tryfirst=True)          # before -m and -k deselect: the plan is every scenario of the targets
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Examples tags become markers usable in -m too (pytest-bdd applies them only as written); a
    scenario is deselected on a test set its @on_... tags do not fit, and in a cast of its outline that is not its
    example's; a proposal's scenario unless the run names it."""
    lab = config.stash[RUN].lab
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        for mark in list(item.iter_markers()):
            if marker_name(mark.name) != mark.name:
                item.add_marker(marker_name(mark.name))
        target, template = _target_of(item), _template(item)
        if template is not None and _proposal_not_asked_for(config, template):
            dropped.append(item)
        elif target is not None and lab is not None:
            site = lab.test_set(target.test_set)
            # its @on_ tags fit the target, and the plan gives it this cast there
            fits = template is not None and target.cast in scenarios.casts(template.feature, template, _example(item),
                                                                           site, target.baseline)
            (kept if fits else dropped).append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    _keep_chosen(config, items)
    _mark_blocked(config, items)
    _plan(config, items)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log) -> Any:
    """--dist loadgroup on a real lab: one physical test set runs one scenario at a time, so each test set's
    scenarios go to one worker as a whole, the test sets spread over the workers."""
    if config.getoption("dist") != "loadgroup":
        return None
    run_targets, lab = _run_targets(config), config.stash[RUN].lab
    return _test_set_scheduling(config, log, run_targets) if lab is not None and lab.kind == "real" else None


def _test_set_scheduling(config: pytest.Config, log, run_targets: list[RunTarget]) -> Any:
    """xdist's loadgroup scheduling, grouping by the test set in each node id's target (B6-SB11-core...). Not the
    xdist_group mark: xdist carries it by rewriting node ids, which pytest 9.2 no longer lets it do, so the mark is
    silently ignored (pytest-xdist#1386)."""
    from xdist.scheduler import LoadScopeScheduling

    # the baseline and test set open each target's id; the longest first ("SB11" never takes "SB11-core")
    opening = sorted({(f"{t.baseline.id}-{t.test_set}", t.test_set) for t in run_targets}, key=lambda p: -len(p[0]))
    found = [(re.compile(rf"[\[-]{re.escape(text)}(?=[-\]])"), test_set) for text, test_set in opening]

    class OneWorkerATestSet(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return next((test_set for pattern, test_set in found if pattern.search(nodeid)), nodeid)

    return OneWorkerATestSet(config, log)


def _proposal_not_asked_for(config: pytest.Config, template: ScenarioTemplate) -> bool:
    """scenarios.proposal_not_asked_for with the run's -m and -k; a retest names its tests itself."""
    if config.getoption("--dit-test"):
        return False
    asked = f"{config.getoption('markexpr', '') or ''} {config.getoption('keyword', '') or ''}"
    return scenarios.proposal_not_asked_for(set(template.feature.tags) | set(template.tags),
                                            Path(template.feature.filename).parent.name, asked)


def _keep_chosen(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A run told which tests to execute (--dit-test) runs and plans those alone: the targets it needs for them
    hold other tests the phase may never have planned."""
    chosen: list[targets.ChosenTest] = config.getoption("--dit-test")
    if not chosen:
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        template = _template(item)
        key = _new_record(item, template).key if template is not None else None
        (kept if key is not None and any(test.matches(key) for test in chosen) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _plan(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Record the run's devices and planned tests; leave out what a resumed run already finished."""
    run = config.stash[RUN]
    lab = run.lab
    if run.ledger is None or lab is None:
        return
    planned = []
    for item in items:
        target, template = _target_of(item), _template(item)
        if target is None or template is None:
            continue
        record, site = _new_record(item, template), lab.test_set(target.test_set)
        tags = record.tags
        planned.append(ledger.PlannedTest(
            item.nodeid, record.scenario_id, record.title, record.family, tags,
            next((t for t in tags if t in scenarios.PRIORITIES), None), "business_critical" in tags,
            [t for t in tags if scenarios.REQUIREMENT_TAG.match(t)], target.baseline.id, target.test_set,
            target.ch_variant, site.hub.han_variant == "Dual Band", target.baseline.kind,
            target.baseline.service_user, target.baseline.dsp_csp, site.hub.standard,
            site.meter_standard or target.baseline.meters, record.devices, record.cast))
    finished = run.ledger.plan(lab.device_records(sorted({p.test_set for p in planned if p.test_set}))
                               + lab.library_records(), planned)
    if finished:
        done = [item for item in items if item.nodeid in finished]
        config.hook.pytest_deselected(items=done)
        items[:] = [item for item in items if item.nodeid not in finished]


def _mark_blocked(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Which scenarios a suspension blocks: those that use a suspended device on their test set, or all
    of them when every meter of the lab is suspended (DIT suspended, DIT.R.12)."""
    run = config.stash[RUN]
    lab = run.lab
    if lab is None:
        return
    suspended: dict[str, ledger.Suspension] = {}
    dit_suspended = False
    default = Path(ledger.DEFAULT_DSN.removeprefix("sqlite:///"))
    # a run that records nothing (plain pytest) reads the suspensions of the ledger where dit keeps it, if any:
    # it never starts one there
    if run.ledger is not None or default.exists():
        book = run.ledger.book if run.ledger is not None else ledger.Ledger(ledger.DEFAULT_DSN, create=False)
        try:
            suspended = {s.asset: s for s in book.active()}
            dit_suspended = book.all_suspended(lab.meter_assets())
        finally:
            if run.ledger is None:
                book.close()
    for item in items:
        target, template = _target_of(item), _template(item)
        if target is None or template is None:
            continue
        site = lab.test_set(target.test_set)
        names = targets.devices_named(scenarios.rendered(template, _example(item)).steps, site)
        by_name = {d.name: d.asset or d.name for d in target.cast.on(site).devices}    # who plays each role
        devices = item.stash[DEVICES] = [by_name[n] for n in names]
        if dit_suspended:
            item.stash[BLOCKED] = BlockedReason(Blocker.SUSPENDED,
                                                "DIT is suspended: every meter of the lab is suspended (DIT.R.12)")
        elif blocking := [suspended[a] for a in devices if a in suspended]:
            item.stash[BLOCKED] = BlockedReason(Blocker.SUSPENDED, "; ".join(s.summary for s in blocking))


def pytest_collection_finish(session: pytest.Session) -> None:
    progress = session.config.stash[RUN].progress
    if progress is not None and session.items:
        progress.start(len(session.items))


def pytest_bdd_apply_tag(tag: str, function: Callable[..., object]) -> bool:
    getattr(pytest.mark, marker_name(tag))(function)
    return True


# -- the execution record, built as the scenario runs --------------------------------------------------------

def _template(item: pytest.Item) -> ScenarioTemplate | None:
    """The pytest-bdd scenario an item runs (None: the item is no scenario)."""
    return scenario_wrapper_template_registry.get(item.function) if isinstance(item, pytest.Function) else None


def _example(item: pytest.Item) -> dict[str, str]:
    """The row of the scenario's Examples an item runs."""
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("_pytest_bdd_example", {}) if callspec else {}


def _new_record(item: pytest.Item, template: ScenarioTemplate) -> ExecutionRecord:
    """What is known of a scenario execution before it runs: the variant, its target, the devices it uses."""
    context = _example(item)
    scenario = scenarios.rendered(template, context)
    family = Path(template.feature.filename).parent.name
    target = _target_of(item)
    return ExecutionRecord(
        item.config.stash[RUN].run_id, item.nodeid, f"{family}/{scenarios._slug(scenario.name)}", Outcome.NOT_RUN,
        baseline=target.baseline.id if target else None, test_set=target.test_set if target else None,
        ch_variant=target.ch_variant if target else None, devices=item.stash.get(DEVICES, []), title=scenario.name,
        family=family, tags=sorted(scenarios.variant_tags(template.feature, template, context)),
        cast=str(target.cast) if target else "", place=_place(item.config, target.test_set) if target else None)


def _place(config: pytest.Config, test_set: str) -> str | None:
    """The labgrid place dit run acquired for the test set, if it did."""
    held = config.getoption("--dit-places")
    return json.loads(held).get(test_set) if held else None


def _target_of(item: pytest.Item) -> RunTarget | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("dit_target") if callspec else None


def pytest_runtest_setup(item: pytest.Item) -> None:
    run = item.config.stash[RUN]
    if not run.gc_frozen:       # what the session holds before its first scenario, out of every collection's scan
        gc.collect()
        gc.freeze()
        run.gc_frozen = True
    reason, template = run.bench_broken or item.stash.get(BLOCKED, None), _template(item)
    if reason is None or template is None:
        return
    record = run.keep(item, _new_record(item, template).blocked_by(reason))
    if run.allure is not None:          # allure-pytest-bdd writes nothing of a scenario that never began
        run.allure.blocked(item, record, template.feature, scenarios.rendered(template, _example(item)),
                           _target_of(item))
    pytest.skip(f"blocked: {reason}")


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario) -> None:
    template = _template(request.node)
    assert template is not None                 # pytest-bdd calls this hook for its scenarios only
    record = request.config.stash[RUN].keep(request.node, _new_record(request.node, template))
    request.node.stash[STARTED] = time.monotonic()
    if (allure := request.config.stash[RUN].allure) is not None:
        allure.began(record, feature.name, _target_of(request.node))


def pytest_bdd_before_step(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario, step: Step,
                           step_func: Callable[..., object]) -> None:
    request.node.stash.setdefault(STEP_LOG, StepLog()).start()


@pytest.hookimpl(tryfirst=True)        # before allure-pytest-bdd closes the step: its evidence goes under it
def pytest_bdd_after_step(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario, step: Step,
                          step_func: Callable[..., object], step_func_args: dict[str, object]) -> None:
    _log_step(request.node, step, step_func)
    _keep_evidence(request.node)


@pytest.hookimpl(tryfirst=True)        # as pytest_bdd_after_step
def pytest_bdd_step_error(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario, step: Step,
                          step_func: Callable[..., object], step_func_args: dict[str, object],
                          exception: Exception) -> None:
    record = request.node.stash.get(RECORD, None)
    if record is not None:
        request.config.stash[RUN].keep(request.node, replace(
            record, failed_step=f"{step.keyword} {step.name}".strip(),
            error=str(exception).splitlines()[0] if str(exception) else type(exception).__name__))
    _log_step(request.node, step, step_func, exception)
    _keep_evidence(request.node, failed=True)


def _log_step(item: pytest.Item, step: Step, step_func: Callable[..., object],
              exception: Exception | None = None) -> None:
    log = item.stash.get(STEP_LOG, None)
    if log is not None:
        log.end(step.line_number, step_location(step_func, scenarios.FEATURES.parent), exception)


def _keep_evidence(item: pytest.Item, failed: bool = False) -> None:
    """The evidence the steps gathered since the last step: files, and Allure's sub-steps naming them."""
    context, record = item.stash.get(CONTEXT, None), item.stash.get(RECORD, None)
    if context is None or record is None:
        return
    run = item.config.stash[RUN]
    kept = item.stash.get(EVIDENCE_KEPT, 0)
    folder = run.evidence.folder(record) if run.evidence is not None else None
    if folder is not None and record.evidence != str(folder):
        run.keep(item, replace(record, evidence=str(folder)))
    for number, (label, evidence) in enumerate(context.evidence[kept:], kept + 1):
        if run.evidence is not None and folder is not None:
            run.evidence.keep_step(folder, number, label, evidence)
    if run.allure is not None:
        run.allure.step_evidence(context.evidence, kept, failed, folder)
    item.stash[EVIDENCE_KEPT] = len(context.evidence)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    if report.when == "setup" and report.passed and (template := _template(item)) is not None:
        # the scenario as the live line shows it while it runs; on the setup report only, so no JUnit property
        report.user_properties.append((STARTED_AS, console.scenario(_new_record(item, template))))
    _finish_record(item, call, report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, Any]:
    ran = yield
    _release(item)      # every report made and logged: the plugins that read the item's records have read them
    return ran          # (a run stopped in the scenario tears it down at the session's end, with all it kept)


def _release(item: pytest.Item) -> None:
    """Once a scenario has ended (its lab stopped, its record sent) the item keeps no more of it: pytest keeps
    every item to the end of the run, and a lab with its devices, HAN frames and exchanges is megabytes. Nor what
    pytest-bdd and allure-pytest-bdd kept of it for their reports (its rendered steps, a StepReport each), nor its
    record, which is where records come together (Run.records). All before the collection below: the rendered
    steps and their scenario are cycles, which once frozen would never be collected."""
    keys: tuple[pytest.StashKey[Any], ...] = (LAB, CONTEXT, STEP_LOG, EVIDENCE_KEPT, STARTED, RECORD,
                                              ALLURE_PYTEST_BDD_HASHKEY)
    for key in keys:
        if key in item.stash:
            del item.stash[key]
    scenario_reports_registry.pop(item, None)
    _collect_scenario()


def _collect_scenario() -> None:
    """A finished lab is a web of cycles (devices and their hub, the clock's scheduled actions) that only the cyclic
    garbage collector frees. Left to its thresholds, a full collection came every five scenarios or so, scanning
    every object of the session (60 ms), with the finished labs alive until then. It runs as each scenario ends,
    over what the scenario made: what lived on before it is frozen out of the scan (before the first scenario:
    pytest_runtest_setup; then after each collection), about 6 ms. Then the heaps are trimmed (a serial default
    run's peak RSS 163 -> 156 MB, no CPU time to see)."""
    gc.collect()
    gc.freeze()
    if _malloc_trim is not None:
        _malloc_trim(0)


def _glibc_malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, which hands the free pages of every heap back to the system (None off glibc). A
    scenario's documents, lxml trees and OpenSSL buffers are freed as it ends, but scattered among what lives on, so
    glibc keeps their pages: a serial run's heap was half free (20 of 52 MB) after 180 scenarios."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):         # musl and other C libraries have none
        return None


_malloc_trim = _glibc_malloc_trim()

# glibc's mallopt parameters (malloc.h)
_M_MMAP_THRESHOLD, _M_ARENA_MAX = -3, -8


def _hold_heaps_down() -> None:
    """Two glibc defaults let a long run's heaps grow where one scenario's would not. Blocks over 128 KB are mapped
    on their own and unmapped when freed, until one is freed: glibc then raises that threshold to its size, so a
    firmware image's copies (up to 750 KB) come from the heap for the rest of the run and leave it full of holes;
    the threshold set once stays where it is. And each thread that contends for a heap gets one of its own, up to
    8 a core: a lab's HTTP servers' threads left heaps of free pages behind. A serial --matrix -m "firmware or
    change_of_supplier" (253 executions), peak RSS: 141.4 MB; 137.1 with the threshold fixed, 136.8 with two
    heaps, 135.7 with both, and 32 MB of heap instead of 57 after it. Not where the environment sets them."""
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):         # musl and other C libraries have none
        return
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        mallopt(_M_MMAP_THRESHOLD, 128 * 1024)
    if "MALLOC_ARENA_MAX" not in os.environ:
        mallopt(_M_ARENA_MAX, 2)


def _finish_record(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    """The execution's record once its scenario ends, sent on with the report to be committed. A scenario the
    bench's disk stopped (its evidence, allure's, a step's own write) did not finish: the run stops there."""
    run, record = item.config.stash[RUN], item.stash.get(RECORD, None)
    fault = call.excinfo.value if call.excinfo is not None else None
    if isinstance(fault, OSError) and scenario_disk_refused(fault):
        run.stopping.stop(refusal(fault, f"a write of {record.scenario_id if record else item.nodeid}"))
    if record is None:
        return
    if record.outcome is Outcome.BLOCKED:          # by a suspension or a broken bench, before it ran
        if report.when == "setup":
            _send(run, report, record)
        return
    if report.when != "call":
        return
    lab, context = item.stash.get(LAB, None), item.stash.get(CONTEXT, None)
    record = replace(record, duration_s=round(time.monotonic() - item.stash.get(STARTED, time.monotonic()), 3),
                     service_requests=len(context.exchanges) if context else 0,
                     virtual_s=round(lab.clock.elapsed, 1) if lab is not None else 0.0)
    if lab is not None:         # which devices took part, as the scenario's DCC Users observed it
        from harness.lab import participation

        seen = participation.of_lab(lab)
        record = replace(record, participants=seen.participants, alerts=seen.alerts,
                         operators=sorted({answer.by for answer in lab.operator_answers()}))
    han = Analysis() if run.ledger is not None else None      # fed as han.pcap is written
    try:
        record = _keep_bench_evidence(run, record, lab, han)
    except OSError as exc:
        if not disk_refused(exc):
            raise
        run.stopping.stop(refusal(exc, f"the evidence of {record.scenario_id}"))
    if han is not None and record.evidence and (figures := han_evidence.figures_of(Path(record.evidence) / "han.pcap",
                                                                                   han)) is not None:
        report.user_properties.append((HAN_FIGURES, figures))      # the run's end judges DIT.8/DIT.11 with them
    record = replace(record, outcome=Outcome.PASSED if report.passed else Outcome.SKIPPED if report.skipped
                     else Outcome.FAILED)
    if report.failed and record.error is None:
        record = replace(record, error=str(fault).splitlines()[0] if fault is not None else "failed")
    if isinstance(fault, BenchFault):
        # Not the system under test: this scenario is blocked, and the rest of the run on this bench with it.
        record = record.blocked_by(BlockedReason(Blocker.BENCH_FAULT, str(fault)))
        run.bench_broken = BlockedReason(Blocker.BENCH_BROKEN, f"{fault.part}: {fault.what}")
    elif isinstance(fault, NotOnThisBench):      # a step this bench cannot do: this scenario only
        record = record.blocked_by(BlockedReason(Blocker.NOT_ON_THIS_BENCH, str(fault)))
    if record.outcome is Outcome.BLOCKED:
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"blocked: {record.error}")
    if (log := item.stash.get(STEP_LOG, None)) is not None:       # with the record, to where records come together
        report.user_properties.append(("dit_steps", log.as_json()))
    if run.allure is not None:
        try:
            run.allure.ended(record)
        except OSError as exc:
            if not disk_refused(exc):
                raise
            run.stopping.stop(refusal(exc, f"the Allure results of {record.scenario_id}"))
    _send(run, report, run.keep(item, record))


def _keep_bench_evidence(run: Run, record: ExecutionRecord, lab: EmulatedLab | RealLab | None,
                         han: Analysis | None) -> ExecutionRecord:
    """What the bench saw beside the step evidence, and the certificates the evidence verifies with."""
    if run.evidence is None or lab is None:
        return record
    folder = run.evidence.folder(record)
    if run.evidence.keep_bench(folder, lab, han):
        record = replace(record, evidence=str(folder))
    run.evidence.keep_keystore(lab)
    return record


def _send(run: Run, report: pytest.TestReport, record: ExecutionRecord) -> None:
    """The finished record goes with its report, to where records come together (the controller under xdist);
    a signal waits until it is committed."""
    finished = dt.datetime.now(dt.UTC)
    record = replace(record, finished_at=finished.isoformat(timespec="milliseconds"),
                     started_at=(finished - dt.timedelta(seconds=record.duration_s)).isoformat(timespec="milliseconds"))
    report.user_properties.append(("dit_record", record.as_json()))
    run.stopping.hold()


@pytest.hookimpl(tryfirst=True)          # before junitxml's, which a full disk may stop; the ledger closes after both
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _worker(session.config):     # the controller writes the summary
        session.config.stash[RUN].finish()
        _write_allure_run(session.config)
    # What is left lives until the process ends: out of the full collections still to come (pytest's at its cleanup,
    # Python's as it exits), which scanned the whole heap again (a worker froze it as each scenario ended).
    gc.freeze()


def _write_allure_run(config: pytest.Config) -> None:
    """environment.properties, executor.json and categories.json beside the run's Allure results."""
    run, results = config.stash[RUN], getattr(config.option, "allure_report_dir", None)
    if results is None:
        return
    try:
        targets = _run_targets(config)
        allure_run.write(Path(results), run.lab, targets, run.run_id)
    except OSError as exc:
        if not disk_refused(exc):
            raise
        run.stopping.note(refusal(exc, str(results)))

