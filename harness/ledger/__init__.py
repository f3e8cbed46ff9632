"""The phase ledger: the records a DIT phase keeps in a real database (SQLite by default, PostgreSQL for
a lab where several benches record at once).

DSNs: sqlite:///path/to/phase.db (the default, phase.db in the report directory) or
postgresql://user@host/db. The ledger reads and writes records only; it never imports the lab or the
emulators.
"""

from harness.ledger.database import describe
from harness.ledger.records import (
    CONDITIONS,
    OUTCOMES,
    OUTSTANDING,
    PROVIDERS,
    BlockedReason,
    Blocker,
    CriterionEvidence,
    DeviceRecord,
    ExecutionRecord,
    Outcome,
    Part,
    Participant,
    PlannedTest,
    RunRecord,
    Suspension,
    TestIssue,
)
from harness.ledger.store import DEFAULT_DSN, Ledger

__all__ = ["CONDITIONS", "DEFAULT_DSN", "OUTCOMES", "OUTSTANDING", "PROVIDERS", "BlockedReason", "Blocker",
           "CriterionEvidence", "DeviceRecord", "ExecutionRecord", "Ledger", "Outcome", "Part", "Participant",
           "PlannedTest", "RunRecord",
           "Suspension", "TestIssue", "describe"]
