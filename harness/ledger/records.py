"""What the phase ledger holds, as plain records: the criteria engine and the report read only these."""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from harness.errors import DitError


class Outcome(StrEnum):
    """What an execution came to; a planned test no run executed is not_run."""

    PASSED = "passed"
    FAILED = "failed"
    BLOCKED = "blocked"
    SKIPPED = "skipped"
    NOT_RUN = "not_run"


OUTCOMES = tuple(o.value for o in Outcome)
# Who owns a test issue: a DCC service provider (counted in the defect mask) or a device manufacturer.
PROVIDERS = ("DSP", "CSP N", "CSP C/S")
ISSUE_STATUSES = ("open", "fixed", "closed", "rejected")
OUTSTANDING = ("open", "fixed")        # fixed but not yet retested is still outstanding
# waived: a recorded deviation from a criterion dit judges (it stays not met; the report lists the waiver)
EVIDENCE_STATUSES = ("met", "workaround", "not_met", "waived")
CONDITIONS = {
    1: "the install and commission process failed and triage found the issue on the device",
    2: "the device cannot be placed in the mode of operation (credit or prepayment) testing needs",
    3: "the device is physically damaged and dangerous to work on",
    4: "the device is bricked or frozen: no response to any service request, no communication",
}


@dataclass(frozen=True)
class RunRecord:
    id: int
    started_at: str
    finished_at: str | None
    status: str                 # running | completed | interrupted
    lab: str
    selection: str              # the run's options as the engineer gave them
    argv: list[str]             # what `dit run --resume` replays
    host: str
    pid: int
    executions: int = 0
    reason: str | None = None   # why an interrupted run stopped: a signal, a full disk, a lost ledger


@dataclass(frozen=True)
class DeviceRecord:
    """A device or Communications Hub of a test set, as its profile described it when the run started."""

    asset: str
    test_set: str
    ch_variant: str
    device_type: str            # ESME, GSME, IHD, PPMID, HCALCS, CHF, HHT
    manufacturer: str
    model: str = ""
    standard: str = ""          # SMETS2 v2.0 | SMETS2 v3.0 | CHTS v1.0 | CHTS v1.1
    gbcs_version: str = ""
    zigbee_version: str = ""
    silicon: str = ""
    sub_ghz: bool = False
    firmware_version: str = ""  # as the Device Asset Library gives it when the run began (0003)


@dataclass(frozen=True)
class PlannedTest:
    """One scenario variant on one target (release baseline x test set) that a run set out to execute."""

    node: str                   # the pytest node id, unique within a run
    scenario_id: str
    title: str
    family: str
    tags: list[str]
    priority: str | None
    business_critical: bool
    requirements: list[str]
    baseline: str | None
    test_set: str | None
    ch_variant: str | None
    dual_band: bool
    kind: str                   # functional | regression
    service_user: str = ""      # the baseline's releases and standards (seed Table 7)
    dsp_csp: str = ""
    hub_standard: str = ""
    meter_standard: str = ""
    devices: list[str] = field(default_factory=list)
    cast: str = ""              # which devices play which roles ('' as the feature names them; see lab.casts)

    @property
    def key(self) -> tuple[str, str | None, str | None, str]:
        """A test of the phase: the same scenario on the same target with the same cast in any run is the same
        test."""
        return self.scenario_id, self.baseline, self.test_set, self.cast


class Blocker(StrEnum):
    """Why an execution is blocked, not failed: nothing the system under test did."""

    BENCH_FAULT = "bench_fault"                 # the bench broke during this scenario
    BENCH_BROKEN = "bench_broken"               # it broke earlier in the run: the rest of the run is blocked
    NOT_ON_THIS_BENCH = "not_on_this_bench"     # a step needs a person or the industry: this scenario only
    SUSPENDED = "suspended"                     # a device it uses is suspended, or DIT is (DIT.R.12)

    @property
    def prefix(self) -> str:
        """How the reason's one line begins (the ledger's error column, summary.json, the console)."""
        return _BLOCKER_PREFIX[self]


_BLOCKER_PREFIX = {Blocker.BENCH_FAULT: "bench fault: ", Blocker.BENCH_BROKEN: "the bench is broken: ",
                   Blocker.NOT_ON_THIS_BENCH: "not on this bench: ", Blocker.SUSPENDED: ""}


@dataclass(frozen=True)
class BlockedReason:
    blocker: Blocker
    text: str                   # the fault, or the suspensions, as their source words them

    def __str__(self) -> str:
        return self.blocker.prefix + self.text


class Part(StrEnum):
    """How a device took part in an execution, as a DCC User observes it."""

    ANSWERED = "answered"       # it was sent a command and its response came back
    ALERTED = "alerted"         # it raised an alert the scenario waited for
    JOINED = "joined"           # it joined the Communications Hub's HAN


@dataclass(frozen=True, slots=True)
class Participant:
    """A device that took part in an execution, in the role the scenario gave it ('ESME', 'ESME 2', 'PPMID')."""

    asset: str
    role: str
    parts: tuple[Part, ...]

    def as_json(self) -> dict[str, Any]:
        return {"asset": self.asset, "role": self.role, "parts": [p.value for p in self.parts]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Participant:
        return cls(sys.intern(data["asset"]), sys.intern(data["role"]), tuple(Part(p) for p in data["parts"]))


@dataclass(frozen=True, slots=True)
class ExecutionRecord:
    """One scenario variant executed on one target: built by the pytest plugin as the scenario runs, committed to
    the ledger as it ends, read back by `dit run`, the criteria and the report."""

    run_id: int | None          # None: a run recorded in no ledger
    node: str                   # the pytest node id
    scenario_id: str
    outcome: Outcome
    finished_at: str | None = None
    baseline: str | None = None
    test_set: str | None = None
    ch_variant: str | None = None
    devices: list[str] = field(default_factory=list)    # the test set's assets the scenario uses
    started_at: str | None = None
    duration_s: float = 0.0
    virtual_s: float = 0.0
    service_requests: int = 0
    failed_step: str | None = None
    error: str | None = None    # what went wrong in one line: the failure, or the blocked reason
    evidence: str | None = None     # the folder of its evidence files
    id: int | None = None
    title: str = ""             # the scenario as its plan has it
    family: str = ""
    tags: list[str] = field(default_factory=list)
    blocked: BlockedReason | None = None
    participants: list[Participant] = field(default_factory=list)   # the devices that took part, and how
    alerts: list[str] = field(default_factory=list)     # the alerts it waited for and received (codes, '0x8F1C')
    cast: str = ""              # as its PlannedTest's
    operators: list[str] = field(default_factory=list)  # who answered the bench's operator prompts in it (0004)
    place: str | None = None    # the labgrid place of its test set, when dit run acquired one (0005)

    def __post_init__(self) -> None:
        """The outcome as the ledger's rows and JSON hold it, a plain string, becomes an Outcome."""
        if self.outcome not in OUTCOMES:
            raise DitError(f"outcome {self.outcome!r} is not one of {', '.join(OUTCOMES)}")
        object.__setattr__(self, "outcome", Outcome(self.outcome))

    @property
    def key(self) -> tuple[str, str | None, str | None, str]:
        return self.scenario_id, self.baseline, self.test_set, self.cast

    def blocked_by(self, reason: BlockedReason) -> ExecutionRecord:
        return replace(self, outcome=Outcome.BLOCKED, blocked=reason, error=str(reason))

    def as_json(self) -> dict[str, Any]:
        """Plain values, for the journal and for xdist to carry from a worker."""
        blocked = {"blocker": self.blocked.blocker.value, "text": self.blocked.text} if self.blocked else None
        return {**asdict(self), "outcome": self.outcome.value, "blocked": blocked,
                "participants": [p.as_json() for p in self.participants]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExecutionRecord:
        """Its texts that many executions repeat (tags, devices, the target, the title) shared, not one copy a
        record: a run keeps every record to its end, 3.4 KB each with copies (a serial matrix's 1,315)."""
        blocked = data.get("blocked")
        shared = {name: _shared(data[name]) for name in _SHARED if name in data}
        return cls(**{**data, **shared, "blocked": BlockedReason(Blocker(blocked["blocker"]), blocked["text"])
                      if blocked else None,
                      "participants": [Participant.from_json(p) for p in data.get("participants", [])]})


_SHARED = ("scenario_id", "baseline", "test_set", "ch_variant", "devices", "title", "family", "tags", "alerts", "cast",
           "operators", "place")


def _shared(value: Any) -> Any:
    """A text (or each of a list's), interned: one copy of each however many records hold it."""
    if type(value) is str:          # (sys.intern takes no subclass of str)
        return sys.intern(value)
    if type(value) is list:
        return [sys.intern(v) if type(v) is str else v for v in value]
    return value


@dataclass(frozen=True)
class TestIssue:
    __test__ = False            # not a pytest test class

    id: str
    title: str
    severity: int               # 1 (critical) .. 5
    owner: str                  # DSP | CSP N | CSP C/S | a device manufacturer's name
    status: str
    raised_at: str
    security: bool = False
    closed_at: str | None = None
    work_off_plan: str | None = None
    plan_due: str | None = None
    executions: list[int] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)
    close_reason: str | None = None     # why it was closed without a later passing execution of each linked test

    @property
    def provider(self) -> bool:
        """Against the DCC code base (DSP or a CSP), so within the defect mask; else against a device."""
        return self.owner in PROVIDERS

    @property
    def outstanding(self) -> bool:
        return self.status in OUTSTANDING


@dataclass(frozen=True)
class CriterionEvidence:
    """Evidence for a criterion: recorded by a person (gate minutes, certificates: a document's path or URL) or
    by dit itself (automated: a run's HAN capture analysis, with the run that contributed it)."""

    criterion: str              # DIT.EN.1-6, DIT.EX.11, DIT.EX.12, DIT.7 ...
    status: str                 # met | workaround | not_met
    reference: str              # the document: a path or URL (manual); what was analysed (automated)
    recorded_by: str
    recorded_at: str
    sha256: str | None = None   # the document's digest when the reference is a file
    automated: bool = False
    run_id: int | None = None   # the run whose records an automated piece of evidence comes from
    detail: dict[str, Any] | None = None    # an automated analysis's figures, for aggregating across runs


@dataclass(frozen=True)
class Suspension:
    asset: str
    device_type: str
    condition: int
    reason: str
    suspended_at: str
    resumed_at: str | None = None
    fix_reference: str | None = None

    @property
    def active(self) -> bool:
        return self.resumed_at is None

    @property
    def summary(self) -> str:
        return f"{self.asset} suspended (condition {self.condition}: {CONDITIONS[self.condition]}): {self.reason}"
