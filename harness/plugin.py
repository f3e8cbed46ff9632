"""The pytest plugin that turns pytest-bdd scenarios into DIT executions.

- `lab`: a fresh emulated lab per scenario (from --lab, default lab_configs/emulated.yaml), so every
  scenario starts from the same state; the test SMKI and the DUIS schema are loaded once per session.
- Run targets (harness.lab.targets): every scenario is parametrized over the release baselines and
  test sets of the run (--baseline, --test-set, --matrix); scenarios whose @on_... tags do not fit a
  test set are deselected there.
- `scenario_context`: what a scenario's steps share (the last exchange, marks in the users' inboxes,
  a certificate retrieved from SMKI).
- Every scenario gets Allure labels (epic = family, feature, story, severity from its priority, tags,
  links to the DIT requirements it serves); every step's DUIS and GBCS messages are kept as evidence
  (files under <report-dir>/evidence/ and Allure attachments), and the certificates they verify with in
  <report-dir>/keystore/ (`dit gbcs decode --keystore`, `dit duis check --keystore`).
- The phase ledger (harness.ledger; --ledger, by default phase.db in the report directory): a run records
  its test sets' devices, the tests it plans (every scenario on every target, before -m/-k) and each
  execution the moment it ends -- under xdist the controller writes executions as the workers report them.
  --dit-run continues a run (`dit run --resume`): what it already finished is not run again.
- Suspensions (from the ledger): a scenario that uses a suspended device is blocked, not run; when every
  meter of the lab is suspended, DIT itself is suspended and every scenario is blocked.
- With --dit-report-dir the run ends with summary.json; with --dit-progress a progress bar and a
  closing summary table replace pytest's own output (what `dit run` shows).
- A run stops early, `interrupted` with its reason (harness.run_end), on SIGTERM, on a disk that refuses a write
  (the scenario under way did not finish and runs again on --resume) and on a ledger that does not take an
  execution (kept in the report directory, harness.ledger.journal, until the next `dit run` records it).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import signal
import threading
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NoReturn

import allure
import pytest
from pluggy import PluggyTeardownRaisedWarning
from pytest_bdd.scenario import scenario_wrapper_template_registry

from harness import ledger, scenarios
from harness.adapters import Exchange
from harness.adapters.service_user import Evidence
from harness.duis import schema as duis_schema
from harness.errors import BenchFault, DitError, NotOnThisBench
from harness.han import capture
from harness.lab import EmulatedLab, targets
from harness.lab import config as lab_config_module
from harness.lab.real import RealLab
from harness.lab.targets import RunTarget
from harness.ledger import journal
from harness.pki import SMKI, default_directory
from harness.pki.keystore import write as write_keystore
from harness.run_end import RoomToStop, RunEnd, disk_refused, refusal

SEVERITY = {"High": allure.severity_level.CRITICAL, "Medium": allure.severity_level.NORMAL,
            "Low": allure.severity_level.MINOR}


@dataclass
class ScenarioRecord:
    scenario_id: str
    title: str
    family: str
    tags: list[str]
    baseline: str | None = None
    test_set: str | None = None
    ch_variant: str | None = None
    devices: list[str] = field(default_factory=list)       # the test set's assets the scenario used
    outcome: str = "not_run"
    duration_s: float = 0.0
    virtual_s: float = 0.0
    service_requests: int = 0
    failed_step: str | None = None
    error: str | None = None
    evidence: str | None = None


@dataclass
class ScenarioContext:
    """What one scenario's steps share, and the evidence they gathered in order."""

    exchanges: list[Exchange] = field(default_factory=list)
    values: dict[str, object] = field(default_factory=dict)
    evidence: list[tuple[str, Evidence]] = field(default_factory=list)

    def record(self, exchange: Exchange) -> Exchange:
        self.exchanges.append(exchange)
        self.evidence += [(f"SR {exchange.srv} {item.label}", item) for item in exchange.evidence]
        return exchange

    def observe(self, label: str, at: dt.datetime, data: bytes) -> None:
        self.evidence.append((label, Evidence(at, label, data)))

    @property
    def last(self) -> Exchange:
        if not self.exchanges:
            raise DitError("no Service Request has been sent yet in this scenario")
        return self.exchanges[-1]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dit", "Device Integration Testing")
    group.addoption("--lab", default=None, help="lab config (default lab_configs/emulated.yaml)")
    group.addoption("--dit-report-dir", default=None, help="write evidence and summary.json here")
    group.addoption("--dit-progress", action="store_true", help="progress bar and summary table")
    group.addoption("--without-optional", action="store_true", help="leave out the SRs marked optional")
    group.addoption("--baseline", action="append", default=[], help="release baseline(s) of Table 7 (B1-B6)")
    group.addoption("--test-set", action="append", default=[], help="test set(s) of the lab config")
    group.addoption("--matrix", action="store_true",
                    help="every release baseline of Table 7 on every test set that fits it")
    group.addoption("--ledger", default=None, help="phase ledger DSN: record the run there (default with "
                    f"--dit-report-dir: its phase.db; suspensions are read from {ledger.DEFAULT_DSN} otherwise)")
    group.addoption("--dit-run", type=int, default=None, help="record into this ledger run (resume it)")
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
    where = {"test_set": dit_target.test_set if dit_target else None,
             "baseline": dit_target.baseline if dit_target else None}
    if lab_config.kind == "real":
        running = RealLab(lab_config, schema=dit_schema, scenario=request.node.nodeid, **where)
    else:
        running = EmulatedLab(lab_config, smki=request.getfixturevalue("dit_smki"), schema=dit_schema,
                              serial_consoles=request.config.getoption("--serial-consoles"), **where)
    request.node.dit_lab = running
    with running:
        yield running


def _run_targets(config: pytest.Config) -> list[RunTarget]:
    if not hasattr(config, "dit_targets"):
        lab = lab_config_module.load(config.getoption("--lab"))
        config.dit_lab_config = lab
        config.dit_targets = targets.targets(lab, config.getoption("--baseline"), config.getoption("--test-set"),
                                             config.getoption("--matrix"))
    return config.dit_targets


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every business scenario runs on each target of the run."""
    if "_pytest_bdd_example" in metafunc.fixturenames and "dit_target" in metafunc.fixturenames:
        found = _run_targets(metafunc.config)
        metafunc.parametrize("dit_target", found, indirect=True, ids=[t.id for t in found])


@pytest.fixture
def scenario_context(request) -> ScenarioContext:
    context = ScenarioContext()
    request.node.dit_context = context
    return context


# -- recording ---------------------------------------------------------------------------------------------

class Recorder:
    def __init__(self, config: pytest.Config):
        self.config = config
        report_dir = config.getoption("--dit-report-dir")
        self.report_dir = Path(report_dir) if report_dir else None
        self.records: dict[str, ScenarioRecord] = {}
        self.started = time.monotonic()
        self.progress = None
        self._task = None
        self.book: ledger.Ledger | None = None
        self.run_id: int | None = None
        self._own_run = False           # opened here (plain pytest), not by `dit run`, so closed here too
        # How the run ends: the RunEnd `dit run` handed to pytest.main (it reads it once pytest returns).
        self.end = next((p for p in config.pluginmanager.get_plugins() if isinstance(p, RunEnd)), RunEnd())
        self.room: RoomToStop | None = None
        self.in_loop = False            # scenarios are running: a signal stops the run at once
        self._holding = False           # an execution has finished and is not yet committed: a signal waits
        self._pending: tuple[str, int] | None = None
        self._exiting = False
        self._default_sigterm = None

    def open_ledger(self) -> None:
        """Where this run is recorded: a new run, or (--dit-run) one being resumed, whose finished
        executions come back into this run's summary."""
        dsn = ledger_dsn(self.config)
        if dsn is None:
            return
        self.book = ledger.Ledger(dsn)
        self.end.ledger = self.book.where
        if _worker(self.config):
            self.run_id = self.config.workerinput["dit_run"]
            return
        self.run_id = self.config.getoption("--dit-run")
        if self.run_id is None:
            self.run_id = self.book.start_run(self.config.getoption("--lab") or str(lab_config_module.DEFAULT),
                                              " ".join(self.config.invocation_params.args), [])
            self._own_run = True
        planned = {p.node: p for p in self.book.planned(self.run_id)}
        for e in self.book.executions(self.run_id):
            p = planned.get(e.node)
            if p is not None:
                self.records[e.node] = ScenarioRecord(
                    p.scenario_id, p.title, p.family, p.tags, e.baseline, e.test_set, e.ch_variant, e.devices,
                    e.outcome, e.duration_s, e.virtual_s, e.service_requests, e.failed_step, e.error, e.evidence)
        self.end.recorded = len(self.records)

    def close_ledger(self, exitstatus) -> None:
        if self.book is None:
            return
        if not _worker(self.config) and self._own_run:
            interrupted = self.end.stopped is not None or exitstatus == pytest.ExitCode.INTERRUPTED
            try:
                self.book.finish_run(self.run_id, "interrupted" if interrupted else "completed", self.end.stopped)
            except DitError as lost:
                self.note(f"ledger lost: {lost.what}")
        self.book.close()

    def commit(self, node: str, record: ScenarioRecord) -> None:
        """An execution is in the ledger the moment it ends: a run killed later loses nothing of it."""
        if self.book is None or _worker(self.config):       # under xdist the controller records
            return
        finished = dt.datetime.now(dt.timezone.utc)
        execution = ledger.ExecutionRecord(
            self.run_id, node, record.scenario_id, record.outcome, finished.isoformat(timespec="milliseconds"),
            record.baseline, record.test_set, record.ch_variant, record.devices,
            (finished - dt.timedelta(seconds=record.duration_s)).isoformat(timespec="milliseconds"),
            record.duration_s, record.virtual_s, record.service_requests, record.failed_step, record.error,
            record.evidence)
        try:
            self.book.record_execution(execution)
        except DitError as lost:
            self._ledger_lost(execution, lost)
        self.end.recorded += 1

    def _ledger_lost(self, execution: ledger.ExecutionRecord, lost: DitError) -> NoReturn:
        """The ledger did not take a finished execution (its server went away, its disk is full): once more with
        the room kept on the disk given back, else into the report directory for the next `dit run` to record;
        either way the run stops."""
        reason = f"ledger lost: {lost.what}"
        self.note(reason)
        try:
            self.book.record_execution(execution)
            self.end.recorded += 1
        except DitError:
            self._keep(execution)
        self.stop(reason)

    def _keep(self, execution: ledger.ExecutionRecord) -> None:
        if self.report_dir is not None:
            try:
                self.end.journal = journal.keep_execution(self.report_dir, self.book.where, execution)
                self.end.kept += 1
                return
            except OSError:
                pass
        self.end.lost.append(f"{execution.scenario_id} {execution.outcome}")

    # Stopping early: a signal, a disk that refuses a write, a lost ledger.

    def note(self, reason: str, exit_code: int = 1) -> None:
        """Why the run stops (the first reason counts); the room kept on the disk is for stopping now."""
        self.end.stop(reason, exit_code)
        if self.room is not None:
            self.room.free()

    def stop(self, reason: str, exit_code: int = 1) -> NoReturn:
        """End the run here, interrupted: what finished is recorded; the scenario under way is not, and runs
        again on `dit run --resume`."""
        self.note(reason, exit_code)
        self._exiting = True
        pytest.exit(reason, returncode=pytest.ExitCode.INTERRUPTED)

    def hold(self) -> None:
        """An execution has finished: a signal waits until it is committed (and its scenario torn down)."""
        self._holding = True

    def _terminated(self, signum: int, frame) -> None:
        reason, exit_code = f"terminated ({signal.Signals(signum).name})", 128 + signum
        if self.in_loop and not self._holding and not self._exiting:
            self.stop(reason, exit_code)
        self.note(reason, exit_code)
        self._pending = (reason, exit_code)         # acted on when the loop starts or the execution is committed

    def catch_signals(self) -> None:
        if threading.current_thread() is threading.main_thread():
            self._default_sigterm = signal.signal(signal.SIGTERM, self._terminated)

    def release_signals(self) -> None:
        if self._default_sigterm is not None:
            signal.signal(signal.SIGTERM, self._default_sigterm)
            self._default_sigterm = None

    def expect(self, total: int) -> None:
        """The progress bar, once the number of executions is known (here, or from the xdist workers)."""
        if self.progress is not None or not self.config.getoption("--dit-progress") or _worker(self.config):
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), transient=True)
        self.progress.start()
        self._task = self.progress.add_task("scenarios", total=total)

    # Hooks: where the records come together, in this process or from the xdist workers.

    def pytest_runtest_logreport(self, report) -> None:
        data = next((value for name, value in report.user_properties if name == "dit_record"), None)
        if data is not None:
            self.records[report.nodeid] = ScenarioRecord(**data)
            self.commit(report.nodeid, self.records[report.nodeid])
        if report.when == "teardown" and self.progress is not None:
            self.progress.advance(self._task)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids) -> None:
        self.expect(len(ids))

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node) -> None:
        node.workerinput["dit_run"] = self.run_id

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error) -> None:
        """A worker that stopped the run (a disk that refused its evidence, a signal) says why."""
        stopped = getattr(node, "workeroutput", {}).get("dit_stopped")
        if stopped:
            self.note(*stopped)

    def pytest_runtest_logfinish(self, nodeid, location) -> None:
        self._holding = False
        if self._pending is not None and self.in_loop and not self._exiting:
            self.stop(*self._pending)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtestloop(self, session):
        """Scenarios run: a signal stops them at once, and so does a disk that refuses a write, here or in a
        plugin beside this one (allure writes its results from its own hook wrappers)."""
        with warnings.catch_warnings():
            # the refusal is this run's one line already; pluggy's warning that a wrapper raised would repeat it
            warnings.simplefilter("ignore", PluggyTeardownRaisedWarning)
            self.in_loop = True
            try:
                if self._pending is not None:           # a signal came while the scenarios were collected
                    self.stop(*self._pending)
                return (yield)
            except OSError as exc:
                if not disk_refused(exc):
                    raise
                self.stop(refusal(exc))
            except KeyboardInterrupt:
                self.note("interrupted (SIGINT)", 128 + signal.SIGINT)
                raise
            finally:
                self.in_loop = False

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session, exitstatus):
        """The run's end, after every plugin wrote its part (junit.xml meets the same full disk as the rest)."""
        try:
            return (yield)
        except OSError as exc:
            if not disk_refused(exc):
                raise
            self.note(refusal(exc))
        finally:
            if self.end.stopped is not None:
                session.exitstatus = pytest.ExitCode.INTERRUPTED
            self.close_ledger(session.exitstatus)

    def evidence_dir(self, record: ScenarioRecord) -> Path | None:
        if self.report_dir is None:
            return None
        where = f"@{record.baseline}-{record.test_set}" if record.baseline else ""
        path = self.report_dir / "evidence" / (record.scenario_id.replace("/", "__") + where)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def write_summary(self) -> None:
        if self.report_dir is None:
            return
        records = list(self.records.values())
        # Planned but not run: the ledger's plan of this run (every scenario on its targets), else the catalogue.
        planned = self._planned()
        if planned is not None:
            records += [ScenarioRecord(p.scenario_id, p.title, p.family, p.tags, p.baseline, p.test_set, p.ch_variant,
                                       p.devices) for p in planned if p.node not in self.records]
        else:
            try:
                variants = scenarios.discover()
            except DitError:
                variants = []
            ran = {r.scenario_id for r in records}
            records += [ScenarioRecord(v.id, v.title, v.family, v.tags) for v in variants if v.id not in ran]
        totals = {k: 0 for k in ("passed", "failed", "blocked", "skipped", "not_run")}
        for r in records:
            totals[r.outcome] = totals.get(r.outcome, 0) + 1
        self.report_dir.mkdir(parents=True, exist_ok=True)
        summary = {"generated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                   "lab": self.config.getoption("--lab") or str(lab_config_module.DEFAULT),
                   "wall_time_s": round(time.monotonic() - self.started, 3), "totals": totals,
                   "families": _family_totals(records), "executions": [asdict(r) for r in records]}
        try:
            (self.report_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        except OSError as exc:
            if not disk_refused(exc):
                raise
            self.note(refusal(exc, "summary.json"))       # the ledger has it all; --resume writes it again

    def _planned(self) -> list[ledger.PlannedTest] | None:
        """The run's plan; None without a ledger, or with one lost."""
        if self.book is None:
            return None
        try:
            return self.book.planned(self.run_id)
        except DitError as lost:
            self.note(f"ledger lost: {lost.what}")
            return None


def marker_name(tag: str) -> str:
    """Gherkin tags as pytest markers usable in -m: SR-8.11 -> SR_8_11, DIT.1 -> DIT_1."""
    return re.sub(r"[^0-9A-Za-z_]", "_", tag)


def ledger_dsn(config: pytest.Config) -> str | None:
    """The ledger a run records into: --ledger, else phase.db in the report directory (None: not recorded)."""
    report_dir = config.getoption("--dit-report-dir")
    return config.getoption("--ledger") or (f"sqlite:///{Path(report_dir) / 'phase.db'}" if report_dir else None)


def pytest_configure(config: pytest.Config) -> None:
    config.dit_recorder = recorder = Recorder(config)
    config.pluginmanager.register(recorder, "dit_recorder")
    recorder.open_ledger()
    recorder.catch_signals()
    if recorder.report_dir is not None and not _worker(config):
        recorder.room = RoomToStop(recorder.report_dir)
    try:
        tags = {t for variant in scenarios.discover() for t in variant.tags}
    except DitError:
        tags = set()
    for tag in sorted(tags):
        config.addinivalue_line("markers", f"{marker_name(tag)}: Gherkin tag @{tag}")
        if marker_name(tag) != tag:        # pytest-bdd marks Examples tags as written
            config.addinivalue_line("markers", f"{tag}: Gherkin tag @{tag} (as written)")


def pytest_unconfigure(config: pytest.Config) -> None:
    recorder: Recorder | None = getattr(config, "dit_recorder", None)
    if recorder is not None:
        recorder.release_signals()
        if recorder.room is not None:
            recorder.room.free()


@pytest.hookimpl(tryfirst=True)          # before -m and -k deselect: the plan is every scenario of the targets
def pytest_collection_modifyitems(config: pytest.Config, items) -> None:
    """Examples tags become markers usable in -m too (pytest-bdd applies them only as written); a
    scenario is deselected on a test set its @on_... tags do not fit."""
    kept, dropped = [], []
    for item in items:
        for mark in list(item.iter_markers()):
            if marker_name(mark.name) != mark.name:
                item.add_marker(marker_name(mark.name))
        target = _target_of(item)
        if target is not None:
            tags = {m.name for m in item.iter_markers()}
            site = config.dit_lab_config.test_set(target.test_set)
            (kept if targets.applies(tags, site, target.baseline) else dropped).append(item)
            if config.dit_lab_config.kind == "real":      # one physical test set runs one scenario at a time
                item.add_marker(pytest.mark.xdist_group(target.test_set))
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    _mark_blocked(config, items)
    _plan(config, items)


def _plan(config: pytest.Config, items) -> None:
    """Record the run's devices and planned tests; leave out what a resumed run already finished."""
    recorder: Recorder = config.dit_recorder
    if recorder.book is None or not hasattr(config, "dit_lab_config"):
        return
    lab = config.dit_lab_config
    planned = []
    for item in items:
        target = _target_of(item)
        if target is None or scenario_wrapper_template_registry.get(item.function) is None:
            continue
        record, site = _new_record(item), lab.test_set(target.test_set)
        tags = record.tags
        planned.append(ledger.PlannedTest(
            item.nodeid, record.scenario_id, record.title, record.family, tags,
            next((t for t in tags if t in scenarios.PRIORITIES), None), "business_critical" in tags,
            [t for t in tags if scenarios.REQUIREMENT_TAG.match(t)], target.baseline.id, target.test_set,
            target.ch_variant, site.hub.han_variant == "Dual Band", target.baseline.kind,
            target.baseline.service_user, target.baseline.dsp_csp, site.hub.standard,
            site.meter_standard or target.baseline.meters, record.devices))
    recorder.book.record_devices(recorder.run_id, lab.device_records(sorted({p.test_set for p in planned})))
    recorder.book.plan(recorder.run_id, planned)
    finished = recorder.book.finished_nodes(recorder.run_id)
    if finished:
        done = [item for item in items if item.nodeid in finished]
        config.hook.pytest_deselected(items=done)
        items[:] = [item for item in items if item.nodeid not in finished]


def _mark_blocked(config: pytest.Config, items) -> None:
    """Which scenarios a suspension blocks: those that use a suspended device on their test set, or all
    of them when every meter of the lab is suspended (DIT suspended, DIT.R.12)."""
    if not hasattr(config, "dit_lab_config"):
        return
    lab = config.dit_lab_config
    book = config.dit_recorder.book or ledger.Ledger(ledger.DEFAULT_DSN)
    try:
        suspended = {s.asset: s for s in book.active()}
        dit_suspended = book.all_suspended(lab.meter_assets())
    finally:
        if book is not config.dit_recorder.book:
            book.close()
    for item in items:
        target, template = _target_of(item), scenario_wrapper_template_registry.get(item.function)
        if target is None or template is None:
            continue
        site = lab.test_set(target.test_set)
        context = item.callspec.params.get("_pytest_bdd_example", {})
        names = targets.devices_named(template.render(context).steps, site)
        by_name = {d.name: d.asset or d.name for d in site.devices}
        item.dit_devices = [by_name[n] for n in names]
        if dit_suspended:
            item.dit_blocked = "DIT is suspended: every meter of the lab is suspended (DIT.R.12)"
        elif blocking := [suspended[a] for a in item.dit_devices if a in suspended]:
            item.dit_blocked = "; ".join(s.summary for s in blocking)


def pytest_runtest_setup(item) -> None:
    broken = getattr(item.config, "dit_bench_broken", None)
    reason = f"the bench is broken: {broken}" if broken else getattr(item, "dit_blocked", None)
    if reason is None:
        return
    record = _new_record(item)
    record.outcome, record.error = "blocked", reason
    item.dit_record = record
    item.config.dit_recorder.records[item.nodeid] = record
    pytest.skip(f"blocked: {reason}")


def _new_record(item) -> ScenarioRecord:
    """What is known of a scenario execution before it runs: the variant, its target, the devices it uses."""
    template = scenario_wrapper_template_registry[item.function]
    callspec = getattr(item, "callspec", None)
    context = callspec.params.get("_pytest_bdd_example", {}) if callspec else {}
    scenario = template.render(context)
    family = Path(template.feature.filename).parent.name
    record = ScenarioRecord(f"{family}/{scenarios._slug(scenario.name)}", scenario.name, family,
                            sorted(scenarios.variant_tags(template.feature, template, context)),
                            devices=getattr(item, "dit_devices", []))
    target = _target_of(item)
    if target is not None:
        record.baseline, record.test_set, record.ch_variant = target.baseline.id, target.test_set, target.ch_variant
    return record


def _target_of(item) -> RunTarget | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("dit_target") if callspec else None


def pytest_bdd_apply_tag(tag: str, function):
    getattr(pytest.mark, marker_name(tag))(function)
    return True


def _record(request) -> ScenarioRecord | None:
    return getattr(request.node, "dit_record", None)


def pytest_bdd_before_scenario(request, feature, scenario) -> None:
    record = _new_record(request.node)
    family, tags = record.family, record.tags
    request.node.dit_record = record
    request.config.dit_recorder.records[request.node.nodeid] = record
    request.node.dit_started = time.monotonic()
    allure.dynamic.epic(family)
    allure.dynamic.feature(feature.name)
    allure.dynamic.story(scenario.name)
    priority = next((t for t in tags if t in SEVERITY), None)
    if priority:
        allure.dynamic.severity(SEVERITY[priority])
    for tag in tags:
        allure.dynamic.tag(tag)
        if scenarios.REQUIREMENT_TAG.match(tag):
            allure.dynamic.link(f"requirement:{tag}", name=tag)


def pytest_bdd_after_step(request, feature, scenario, step, step_func, step_func_args) -> None:
    _capture_evidence(request, step)


def pytest_bdd_step_error(request, feature, scenario, step, step_func, step_func_args, exception) -> None:
    record = _record(request)
    if record is not None:
        record.failed_step = f"{step.keyword} {step.name}".strip()
        record.error = str(exception).splitlines()[0] if str(exception) else type(exception).__name__
    _capture_evidence(request, step)


def _capture_evidence(request, step) -> None:
    context: ScenarioContext | None = getattr(request.node, "dit_context", None)
    record = _record(request)
    if context is None or record is None:
        return
    seen = getattr(request.node, "dit_evidence_seen", 0)
    folder = request.config.dit_recorder.evidence_dir(record)
    if folder is not None:
        record.evidence = str(folder)
    for number, (label, item) in enumerate(context.evidence[seen:], seen + 1):
        suffix = {"duis": "xml", "mmc": "mmc.xml", "gbcs": "hex"}.get(item.kind, "txt")
        name = f"{number:03d} {label}"
        data = item.data.hex().upper().encode() if item.kind == "gbcs" else item.data
        if folder is not None:
            (folder / f"{re.sub(r'[^A-Za-z0-9.]+', '-', name)}.{suffix}").write_bytes(data)
        allure.attach(data, name=name, attachment_type=allure.attachment_type.XML if item.kind in ("duis", "mmc")
                      else allure.attachment_type.TEXT)
    request.node.dit_evidence_seen = len(context.evidence)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    _finish_record(item, call, report)
    return report


def _finish_record(item, call, report) -> None:
    """The execution's record once its scenario ends, sent on with the report to be committed. A scenario the
    bench's disk stopped (its evidence, allure's, a step's own write) did not finish: the run stops there."""
    recorder: Recorder = item.config.dit_recorder
    record: ScenarioRecord | None = getattr(item, "dit_record", None)
    if call.excinfo is not None and disk_refused(call.excinfo.value):
        recorder.stop(refusal(call.excinfo.value, f"a write of {record.scenario_id if record else item.nodeid}"))
    if record is None:
        return
    if record.outcome == "blocked":
        if report.when == "setup":
            report.user_properties.append(("dit_record", asdict(record)))     # to the controller under xdist
            recorder.hold()
        return
    if report.when != "call" and not (report.when == "setup" and report.failed):
        return
    record.duration_s = round(time.monotonic() - getattr(item, "dit_started", time.monotonic()), 3)
    context: ScenarioContext | None = getattr(item, "dit_context", None)
    record.service_requests = len(context.exchanges) if context else 0
    lab = getattr(item, "dit_lab", None)
    record.virtual_s = round(lab.clock.elapsed, 1) if lab is not None else 0.0
    try:
        _keep_bench_evidence(item, record, lab)
        _keep_keystore(item, lab)
    except OSError as exc:
        if not disk_refused(exc):
            raise
        recorder.stop(refusal(exc, f"the evidence of {record.scenario_id}"))
    record.outcome = "passed" if report.passed else "skipped" if report.skipped else "failed"
    if report.failed and record.error is None:
        record.error = str(call.excinfo.value).splitlines()[0] if call.excinfo else "failed"
    fault = call.excinfo.value if call.excinfo is not None else None
    if isinstance(fault, BenchFault):
        # Not the system under test: this scenario is blocked, and the rest of the run on this bench with it.
        record.outcome, record.error = "blocked", f"bench fault: {fault}"
        item.config.dit_bench_broken = f"{fault.part}: {fault.what}"
    elif isinstance(fault, NotOnThisBench):      # a step this bench cannot do: this scenario only
        record.outcome, record.error = "blocked", f"not on this bench: {fault}"
    if record.outcome == "blocked":
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"blocked: {record.error}")
    report.user_properties.append(("dit_record", asdict(record)))     # to the controller under xdist
    recorder.hold()


def _keep_bench_evidence(item, record: ScenarioRecord, lab) -> None:
    """What the bench saw beside the step evidence: the HAN as sniffers on every channel captured it
    (han.pcap) and every serial console's transcript (console-<device>.txt)."""
    folder = item.config.dit_recorder.evidence_dir(record)
    if folder is None or lab is None:
        return
    frames = lab.han_capture()
    if frames:
        capture.write_pcap(folder / "han.pcap", frames)
    for name, lines in lab.console_transcripts().items():
        (folder / f"console-{re.sub(r'[^A-Za-z0-9]+', '-', name)}.txt").write_text("\n".join(lines) + "\n")
    if frames or lab.console_transcripts():
        record.evidence = str(folder)


def _keep_keystore(item, lab) -> None:
    """The certificates this scenario's evidence verifies with, into the run's <report-dir>/keystore/: every
    key a party had, so messages from before and after a device rekey both verify offline."""
    report_dir = item.config.dit_recorder.report_dir
    if report_dir is not None and lab is not None:
        write_keystore(report_dir / "keystore", lab.evidence_credentials())


def pytest_collection_finish(session: pytest.Session) -> None:
    if not _worker(session.config) and session.items:
        session.config.dit_recorder.expect(len(session.items))


@pytest.hookimpl(tryfirst=True)          # before junitxml's, which a full disk may stop; the ledger closes after both
def pytest_sessionfinish(session: pytest.Session, exitstatus) -> None:
    recorder = session.config.dit_recorder
    if recorder.room is not None:
        recorder.room.free()                    # no scenario writes any more: the room is for what follows
    if _worker(session.config):
        if recorder.end.stopped is not None:    # to the controller, before xdist sends what the worker says
            session.config.workeroutput["dit_stopped"] = [recorder.end.stopped, recorder.end.exit_code]
        return                                  # the controller writes the summary
    if recorder.progress is not None:
        recorder.progress.stop()
    recorder.write_summary()
    if session.config.getoption("--dit-progress"):
        _print_summary(recorder)


def _worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _family_totals(records) -> dict[str, dict]:
    families: dict[str, dict] = {}
    for r in records:
        family = families.setdefault(r.family, {"scenarios": 0, "passed": 0, "failed": 0, "blocked": 0,
                                                "skipped": 0, "service_requests": 0, "virtual_s": 0.0,
                                                "wall_s": 0.0})
        family["scenarios"] += 1
        if r.outcome in family:
            family[r.outcome] += 1
        family["service_requests"] += r.service_requests
        family["virtual_s"] += r.virtual_s
        family["wall_s"] += r.duration_s
    return dict(sorted(families.items()))


def _span(seconds: float) -> str:
    """Virtual time as 3d 04:05:06."""
    days, rest = divmod(int(seconds), 86400)
    text = str(dt.timedelta(seconds=rest))
    return f"{days}d {text}" if days else text


SCENARIO_ROWS_UP_TO = 20         # a bigger run is summed up per family; summary.json has every scenario


def _print_summary(recorder: Recorder) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=False)
    if not console.is_terminal:
        console = Console(stderr=False, width=120)
    records = list(recorder.records.values())
    if not records:
        return
    colours = {"passed": "green", "failed": "red", "blocked": "yellow", "skipped": "dim"}
    if len(records) <= SCENARIO_ROWS_UP_TO:
        table = Table(title="DIT scenarios")
        for column in ("Scenario", "Baseline / test set", "Outcome", "SRs", "Virtual time", "Wall time"):
            table.add_column(column, justify="right" if column in ("SRs", "Virtual time", "Wall time") else "left")
        for r in records:
            table.add_row(r.title, f"{r.baseline} {r.test_set}" if r.baseline else "-",
                          f"[{colours.get(r.outcome, '')}]{r.outcome}", str(r.service_requests),
                          _span(r.virtual_s), f"{r.duration_s:.2f} s")
        console.print(table)
    where = {}
    for r in records:
        if r.baseline:
            row = where.setdefault((r.baseline, r.test_set, r.ch_variant), {"passed": 0, "failed": 0, "blocked": 0})
            if r.outcome in row:
                row[r.outcome] += 1
    if len(where) > 1:
        table = Table(title="Release baselines and test sets")
        for column in ("Baseline", "Test set", "CH variant", "Passed", "Failed", "Blocked"):
            table.add_column(column, justify="right" if column in ("Passed", "Failed", "Blocked") else "left",
                             no_wrap=True)
        for (base, test_set, variant), row in sorted(where.items()):
            table.add_row(base, test_set, variant, str(row["passed"]), str(row["failed"]), str(row["blocked"]))
        console.print(table)
    table = Table(title="DIT business scenario families")
    for column in ("Family", "Executions", "Passed", "Failed", "Blocked", "SRs", "Virtual time", "Wall time"):
        table.add_column(column, justify="left" if column == "Family" else "right", no_wrap=True)
    for family, t in _family_totals(records).items():
        failed = f"[red]{t['failed']}" if t["failed"] else "0"
        blocked = f"[yellow]{t['blocked']}" if t["blocked"] else "0"
        table.add_row(family, str(t["scenarios"]), f"[green]{t['passed']}", failed, blocked,
                      str(t["service_requests"]), _span(t["virtual_s"]), f"{t['wall_s']:.2f} s")
    console.print(table)
    for r in records:
        where = f" [{r.baseline} {r.test_set}]" if r.baseline else ""
        if r.outcome == "failed":
            console.print(f"[red]FAILED[/red] {r.title}{where}\n  at: {r.failed_step}\n  {r.error}")
    blocked: dict[str, int] = {}
    for r in records:
        if r.outcome == "blocked":
            blocked[r.error] = blocked.get(r.error, 0) + 1
    for reason, count in sorted(blocked.items()):
        console.print(f"[yellow]BLOCKED[/yellow] {count} scenario{'s' if count > 1 else ''}: {reason}")
    counts = {}
    for r in records:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    console.print(", ".join(f"{n} {k}" for k, n in counts.items()) or "no scenarios ran")
