"""The DIT defect mask (seed Table 10) and work-off plan timescales.

The mask is not a list of known failures: it is the most outstanding test issues each DCC service provider
(DSP, CSP N, CSP C/S) may have, per severity -- 0, 0, 15, 30, 60 for severities 1-5 -- security defects
included. Issues against the selected devices do not count; they are reported separately. Work-off plans
for severities 3, 4 and 5 are due 20, 40 and 60 working days after the quality gate meeting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from harness.criteria.workdays import add_working_days
from harness.ledger import PROVIDERS, TestIssue

ALLOWED = {1: 0, 2: 0, 3: 15, 4: 30, 5: 60}
WORK_OFF_DAYS = {3: 20, 4: 40, 5: 60}           # severities 1 and 2: n/a, they must be fixed


@dataclass(frozen=True)
class IssueState:
    """A test issue as the mask and the work-off rules see it on a given day."""

    issue: TestIssue
    deadline: dt.date | None            # latest date its work-off plan may be due (provider sev 3-5)
    overdue: bool
    covered: bool                       # by an agreed work-off plan within its timescale
    why: str                            # when not covered, or overdue

    def as_dict(self) -> dict:
        i = self.issue
        return {"id": i.id, "title": i.title, "severity": i.severity, "owner": i.owner,
                "owner_kind": "provider" if i.provider else "manufacturer", "status": i.status,
                "outstanding": i.outstanding, "security": i.security, "raised_at": i.raised_at,
                "closed_at": i.closed_at, "work_off_plan": i.work_off_plan, "plan_due": i.plan_due,
                "deadline": self.deadline.isoformat() if self.deadline else None, "overdue": self.overdue,
                "executions": i.executions, "scenarios": i.scenarios,
                "close_reason": i.close_reason if i.status == "closed" else None}   # closed without a retest


def judge(issue: TestIssue, as_of: dt.date, quality_gate: dt.date | None) -> IssueState:
    deadline = None
    if issue.provider and issue.severity in WORK_OFF_DAYS and quality_gate is not None:
        deadline = add_working_days(quality_gate, WORK_OFF_DAYS[issue.severity])
    due = dt.date.fromisoformat(issue.plan_due) if issue.plan_due else None
    if not issue.outstanding:
        return IssueState(issue, deadline, False, True, "")
    overdue = (due is not None and as_of > due) or (deadline is not None and as_of > deadline)
    if issue.provider and issue.severity not in WORK_OFF_DAYS:
        return IssueState(issue, None, False, False,
                          f"severity {issue.severity} has no work-off timescale: it must be fixed before exit")
    if due is None:
        return IssueState(issue, deadline, overdue, False, "no agreed work-off plan")
    if issue.provider and quality_gate is None:
        return IssueState(issue, None, overdue, False, "the quality gate date is not recorded, so the "
                                                       "work-off deadline cannot be set (dit phase set --quality-gate)")
    if deadline is not None and due > deadline:
        return IssueState(issue, deadline, overdue, False,
                          f"work-off plan due {due} is after the {WORK_OFF_DAYS[issue.severity]}-working-day "
                          f"deadline {deadline}")
    if overdue:
        return IssueState(issue, deadline, True, False, f"work-off plan due {due} is overdue on {as_of}")
    return IssueState(issue, deadline, False, True, "")


def mask(issues: list[TestIssue]) -> dict[str, dict[str, dict]]:
    """Per provider and severity: outstanding issues, the number allowed, and whether within."""
    table: dict[str, dict[str, dict]] = {}
    for provider in PROVIDERS:
        table[provider] = {}
        for severity, allowed in ALLOWED.items():
            held = sum(1 for i in issues if i.owner == provider and i.severity == severity and i.outstanding)
            table[provider][str(severity)] = {"open": held, "allowed": allowed, "within": held <= allowed}
    return table
