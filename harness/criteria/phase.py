"""The phase as the criteria see it: every planned test with its executions, from the ledger's records.

A test is a scenario variant on a target (release baseline x test set); the same test planned by several
runs is one test, and its result is the outcome of its latest execution. A test no run ever executed is
`not_run` -- never passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from harness.criteria.evidence import FolderCheck, Verifier
from harness.ledger import (
    CriterionEvidence,
    DeviceRecord,
    ExecutionRecord,
    Ledger,
    PlannedTest,
    RunRecord,
    Suspension,
    TestIssue,
)

COMPLETED = ("passed", "failed")        # "completed tests" of DIT.EX.5: run to a verdict
TOOLS = ("CHF", "HHT")                  # in a test set, but not the devices DIT selects


@dataclass
class Test:
    planned: PlannedTest
    executions: list[ExecutionRecord] = field(default_factory=list)
    issues: list[TestIssue] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        return self.executions[-1].outcome if self.executions else "not_run"

    @property
    def last(self) -> ExecutionRecord | None:
        return self.executions[-1] if self.executions else None

    @property
    def completed(self) -> bool:
        return self.outcome in COMPLETED

    @property
    def devices(self) -> list[str]:
        """The assets that took part in its latest execution (harness.lab.participation): a device its steps only
        name -- pre-notified, refused by the DCC -- was not tested. An execution recorded before participation was
        recorded (participants empty) counts no device."""
        return list(dict.fromkeys(p.asset for p in self.last.participants)) if self.last else []

    @property
    def label(self) -> str:
        p = self.planned
        cast = f", {p.cast}" if p.cast else ""          # which devices played its roles, unless as named
        return f"{p.scenario_id} [{p.baseline} {p.test_set}{cast}]" if p.baseline else p.scenario_id


@dataclass
class Phase:
    tests: list[Test]
    devices: list[DeviceRecord]
    issues: list[TestIssue]
    evidence: list[CriterionEvidence]
    suspensions: list[Suspension]
    runs: list[RunRecord]
    as_of: dt.date
    name: str = "DIT"
    quality_gate: dt.date | None = None
    ledger: str = ""
    orphans: int = 0            # executions of tests no run planned (should not happen; reported if it does)
    # the evidence folders of the executions the results rest on (each completed test's latest), as verified by
    # id; None: not verified (DIT.EX.8 is then not evaluable)
    folders: dict[int, FolderCheck] | None = None

    @classmethod
    def build(cls, planned: Iterable[PlannedTest], executions: Iterable[ExecutionRecord],
              devices: Sequence[DeviceRecord] = (), issues: Sequence[TestIssue] = (),
              evidence: Sequence[CriterionEvidence] = (), suspensions: Sequence[Suspension] = (),
              runs: Sequence[RunRecord] = (), *, as_of: dt.date | None = None, name: str = "DIT",
              quality_gate: dt.date | None = None, ledger: str = "") -> Phase:
        tests: dict[tuple, Test] = {}
        for p in planned:                       # later runs' descriptions of a test win
            tests[p.key] = Test(p, tests[p.key].executions if p.key in tests else [])
        orphans = 0
        for e in sorted(executions, key=lambda e: (e.id or 0, e.finished_at)):
            if e.key in tests:
                tests[e.key].executions.append(e)
            else:
                orphans += 1
        by_execution = {e.id: t for t in tests.values() for e in t.executions}
        by_scenario: dict[str, list[Test]] = {}
        for t in tests.values():
            by_scenario.setdefault(t.planned.scenario_id, []).append(t)
        for issue in issues:
            linked = {id(by_execution[x]): by_execution[x] for x in issue.executions if x in by_execution}
            if not issue.executions:        # linked to a scenario as a whole: every test of it
                linked = {id(t): t for s in issue.scenarios for t in by_scenario.get(s, [])}
            for t in linked.values():
                t.issues.append(issue)
        return cls(list(tests.values()), list(devices), list(issues), list(evidence), list(suspensions), list(runs),
                   as_of or dt.date.today(), name, quality_gate, ledger, orphans)

    @classmethod
    def read(cls, book: Ledger, as_of: dt.date | None = None, verify: Verifier | None = None) -> Phase:
        """The ledger's phase; with verify, the evidence folders of the executions its results rest on too."""
        gate = book.setting("quality_gate")
        phase = cls.build(book.planned(latest=True), book.executions(), book.devices(), book.issues(), book.evidence(),
                          book.suspensions(), book.runs(), as_of=as_of, name=book.setting("name") or "DIT",
                          quality_gate=dt.date.fromisoformat(gate) if gate else None, ledger=book.where)
        if verify is not None:
            phase.folders = verify(phase.resting())
        return phase

    # -- views the criteria share ----------------------------------------------------------------------------

    def selected_devices(self) -> dict[str, DeviceRecord]:
        """The devices selected for DIT: every device of the lab's test sets that is not a hub or a tool (the
        Device Asset Library's devices in no test set are recorded with test set '')."""
        return {d.asset: d for d in self.devices if d.test_set and d.device_type not in TOOLS}

    def hubs(self) -> dict[str, DeviceRecord]:
        """Each test set's Communications Hub."""
        return {d.test_set: d for d in self.devices if d.test_set and d.device_type == "CHF"}

    def resting(self) -> list[ExecutionRecord]:
        """The executions the phase's results rest on: each completed test's latest."""
        return [t.executions[-1] for t in self.tests if t.completed]

    def tested_devices(self, tests: Iterable[Test] | None = None) -> set[str]:
        """Devices that took part in tests that ran to a verdict."""
        return {d for t in (self.tests if tests is None else tests) if t.completed for d in t.devices}
