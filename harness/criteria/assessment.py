"""The phase assessment: every criterion, the defect mask, the heatmap, coverage and traceability, the
deviations and risks -- what the Test Phase Completion Report says, as one JSON-able dict."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from harness.criteria import completion, defect_mask
from harness.criteria.alerts import alert_coverage
from harness.criteria.evidence import BOARD, examine
from harness.criteria.exit import ENTRY, entry_criteria, exit_criteria
from harness.criteria.phase import TOOLS, Phase, Test
from harness.criteria.requirements import evaluate as requirements
from harness.criteria.verdict import MET, NOT_EVALUABLE, NOT_MET, Verdict, plural
from harness.ledger import OUTCOMES


def _test(t: Test) -> dict:
    p, last = t.planned, t.last
    return {"scenario_id": p.scenario_id, "title": p.title, "family": p.family, "baseline": p.baseline,
            "test_set": p.test_set, "ch_variant": p.ch_variant, "dual_band": p.dual_band, "kind": p.kind,
            "business_critical": p.business_critical, "priority": p.priority, "requirements": p.requirements,
            "outcome": t.outcome, "executions": len(t.executions), "last_execution": last.id if last else None,
            "devices": t.devices, "error": last.error if last else None, "issues": [i.id for i in t.issues],
            "failed_step": last.failed_step if last else None, "evidence": last.evidence if last else None,
            "blocker": last.blocked.blocker.value if last and last.blocked else None, "cast": p.cast,
            "participants": [x.as_json() for x in last.participants] if last else [], "named": p.devices,
            "alerts": last.alerts if last else [], "place": last.place if last else None,
            "operators": last.operators if last else []}


def _counts(tests: list[Test]) -> dict[str, int]:
    held = Counter(t.outcome for t in tests)
    return {o: held.get(o, 0) for o in OUTCOMES}


def heatmap(phase: Phase) -> dict:
    """CH variant by device: how the latest results of the tests each device took part in came out (Test.devices:
    never a device a step merely names); and the device combinations each CH variant was tested with (DIT.EX.3's
    "any combination")."""
    devices = {d.asset: d for d in phase.devices if d.device_type not in TOOLS}
    cells: dict[tuple[str, str], Counter] = {}
    combinations: dict[tuple[str, tuple[str, ...]], Counter] = {}
    for t in phase.tests:
        variant = t.planned.ch_variant
        if not variant or t.outcome in ("not_run", "skipped"):
            continue
        used = tuple(sorted(d for d in t.devices if d in devices))
        for asset in used:
            cells.setdefault((variant, asset), Counter())[t.outcome] += 1
        if used and t.completed:
            combinations.setdefault((variant, used), Counter())[t.outcome] += 1
    order = {"ESME": 0, "GSME": 1, "IHD": 2, "PPMID": 3, "HCALCS": 4}
    columns = sorted({a for _, a in cells}, key=lambda a: (order.get(devices[a].device_type, 9), a))
    return {
        "rows": sorted({v for v, _ in cells}),
        "columns": [{"device": a, "device_type": devices[a].device_type, "manufacturer": devices[a].manufacturer}
                    for a in columns],
        "cells": [{"ch_variant": v, "device": a, "executed": c["passed"] + c["failed"], "passed": c["passed"],
                   "failed": c["failed"], "blocked": c["blocked"],
                   "pass_rate": round(c["passed"] / (c["passed"] + c["failed"]), 4) if c["passed"] + c["failed"]
                   else None} for (v, a), c in sorted(cells.items())],
        "combinations": [{"ch_variant": v, "devices": list(used), "executed": c["passed"] + c["failed"],
                          "passed": c["passed"]} for (v, used), c in sorted(combinations.items())],
    }


def _deviations(phase: Phase, verdicts: list[Verdict]) -> list[str]:
    lines = []
    never = Counter(f"{t.planned.baseline} {t.planned.test_set}" for t in phase.tests if not t.executions)
    lines += [f"{plural(n, 'planned test')} on {where} never run" for where, n in sorted(never.items())]
    for outcome in ("blocked", "skipped"):
        held = [t for t in phase.tests if t.outcome == outcome]
        if held:
            reasons = Counter(t.executions[-1].error or outcome for t in held)     # held tests have run
            lines += [f"{plural(n, 'test')} {outcome}: {why}" for why, n in reasons.most_common()]
    unseen = sum(1 for t in phase.tests if t.completed and t.last is not None and not t.last.participants)
    if unseen:
        lines.append(f"{plural(unseen, 'completed test')} with no device recorded as taking part in its latest "
                     "execution: none counts as tested (an execution recorded before participation was recorded "
                     "has none)")
    interrupted = [r for r in phase.runs if r.status != "completed"]
    lines += [f"run {r.id} ({r.selection or 'default selection'}) started {r.started_at} did not finish "
              f"({r.status}; dit run --resume continues it)" for r in interrupted]
    lines += [f"{v.id} not evaluable: {v.evidence}" for v in verdicts if v.status == NOT_EVALUABLE]
    lines += [f"{v.id} waived, {v.status.replace('_', ' ')} as judged: {v.waiver}" for v in verdicts if v.waiver]
    if phase.orphans:
        lines.append(f"{plural(phase.orphans, 'execution')} of tests no run planned (not counted)")
    return lines


def _risks(phase: Phase, states: list[defect_mask.IssueState], exits: list[Verdict]) -> list[str]:
    lines = [f"{s.issue.id} severity {s.issue.severity} ({s.issue.owner}) outstanding: {s.issue.title}"
             for s in states if s.issue.outstanding and s.issue.severity <= 2]
    lines += [f"{s.issue.id} work-off plan overdue: {s.why}" for s in states if s.overdue]
    active = [s for s in phase.suspensions if s.active]
    lines += [f"suspended: {s.summary}" for s in active]
    meters = {a for a, d in phase.selected_devices().items() if d.device_type in ("ESME", "GSME")}
    if meters and meters <= {s.asset for s in active}:
        lines.append("every meter is suspended: DIT is suspended until a fix is implemented (DIT.R.12)")
    lines += [f"{v.id} not met: {v.evidence}" for v in exits if v.status == NOT_MET]
    return lines


def _residual(exits: list[Verdict], states: list[defect_mask.IssueState], phase: Phase) -> str:
    unmet = [v.id for v in exits if v.status != MET]
    outstanding = [s for s in states if s.issue.outstanding]
    device = sum(1 for s in outstanding if not s.issue.provider)
    never = sum(1 for t in phase.tests if not t.executions)
    if not unmet and not outstanding:
        return "Every exit criterion is met and no test issue is outstanding; no residual risk is recorded."
    parts = []
    if unmet:
        parts.append(f"{plural(len(unmet), 'exit criterion')} not yet met ({', '.join(unmet)})")
    if outstanding:
        parts.append(f"{plural(len(outstanding), 'outstanding test issue')} ({device} against devices, carried by "
                     "the manufacturers' commercial agreements)")
    if never:
        parts.append(f"{plural(never, 'planned test')} never run, whose behaviour is unproven")
    return "Residual risk: " + "; ".join(parts) + "."


def _located(ledger: str) -> str:
    """A SQLite ledger's file as an absolute path (the report travels; a path relative to where dit ran does not);
    a database URL as it is."""
    path = Path(ledger)
    return str(path.resolve()) if "://" not in ledger and ledger else ledger


CANNOT_EXIT, READY, CAN_EXIT = "cannot_exit", "ready_for_board_approval", "can_exit"


def verdict(entries: list[Verdict], exits: list[Verdict]) -> dict:
    """Three ways, with the reason: DIT cannot exit yet while an entry or exit criterion other than the board's own
    is neither met nor waived; it is ready for board approval when each of those is (this report is what the board
    approves, DIT.EX.11); DIT can exit once the board's approval and certificate are recorded too. A waived criterion
    keeps its status and holds nothing: the board approves the report with the deviation listed."""
    others = [v for v in [*entries, *exits] if v.id not in BOARD]
    board = [v for v in exits if v.id in BOARD]
    waived = [v.id for v in others if v.status != MET and v.waiver]
    holding = [v for v in others if v.status != MET and not v.waiver]
    with_waivers = f"; waived (see the deviations): {', '.join(waived)}" if waived else ""
    if holding or not exits:
        not_met = [v.id for v in holding if v.status == NOT_MET]
        open_ = [v.id for v in holding if v.status != NOT_MET]
        entry = sum(v.id.startswith("DIT.EN.") for v in holding)
        exit_not_met = sum(not v.id.startswith("DIT.EN.") for v in holding if v.status == NOT_MET)
        exit_open = len(holding) - entry - exit_not_met
        text = (f"DIT cannot exit yet: {plural(exit_not_met, 'exit criterion')} not met, {exit_open} not evaluable"
                + (f"; {plural(entry, 'entry criterion')} not met or not evaluable" if entry else ""))
        reason = "; ".join(part for part in (f"not met: {', '.join(not_met)}" if not_met else "",
                                             f"not evaluable: {', '.join(open_)}" if open_ else "") if part)
        return {"state": CANNOT_EXIT, "can_exit": False, "text": text, "reason": (reason or "no exit criteria")
                + with_waivers, "holding": [v.id for v in holding], "waived": waived}
    if all(v.status == MET for v in board):
        return {"state": CAN_EXIT, "can_exit": True, "text": "DIT can exit",
                "reason": "every entry and exit criterion is met: the DCC test assurance board approved this report "
                          "(DIT.EX.11) and issued the completion certificate (DIT.EX.12)" + with_waivers,
                "holding": [], "waived": waived}
    awaited = [v for v in board if v.status != MET]
    return {"state": READY, "can_exit": False, "text": "Ready for board approval",
            "reason": "every entry and exit criterion but the board's own is met: this report is what the DCC test "
                      "assurance board approves; awaiting " + " and ".join(
                          f"{v.id} ({'its approval' if v.id == 'DIT.EX.11' else 'the completion certificate'})"
                          for v in awaited) + with_waivers,
            "holding": [v.id for v in awaited], "waived": waived}


def assess(phase: Phase, generated: str | None = None) -> dict:
    reqs = requirements(phase)
    entries = entry_criteria(phase)
    exits = exit_criteria(phase, reqs)
    states = [defect_mask.judge(i, phase.as_of, phase.quality_gate) for i in phase.issues]
    outstanding = [s for s in states if s.issue.outstanding]
    table = defect_mask.mask(phase.issues)
    families: dict[str, list[Test]] = {}
    for t in phase.tests:
        families.setdefault(t.planned.family, []).append(t)
    return {
        "generated": generated or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "phase": {"name": phase.name, "ledger": _located(phase.ledger), "as_of": phase.as_of.isoformat(),
                  "quality_gate": phase.quality_gate.isoformat() if phase.quality_gate else None,
                  "runs": [{"id": r.id, "started_at": r.started_at, "finished_at": r.finished_at, "status": r.status,
                            "lab": r.lab, "selection": r.selection, "host": r.host, "executions": r.executions,
                            "argv": r.argv}
                           for r in phase.runs]},
        "totals": _counts(phase.tests),
        "tests": [_test(t) for t in phase.tests],
        "families": [{"family": f, "planned": len(ts), **_counts(ts)} for f, ts in sorted(families.items())],
        "entry_criteria": [{**v.as_dict(), "evidence_required": ENTRY[v.id][1]} for v in entries],
        "exit_criteria": [v.as_dict() for v in exits],
        "requirements": [v.as_dict() for v in reqs],
        "defect_mask": {"providers": table,
                        "within": all(c["within"] for row in table.values() for c in row.values()),
                        "device_issues": [s.as_dict() for s in outstanding if not s.issue.provider],
                        "overdue": [s.as_dict() for s in outstanding if s.overdue]},
        "issues": [s.as_dict() for s in states],
        "heatmap": heatmap(phase),
        "test_items": completion.test_items(phase),
        "han": completion.han_figures(phase),
        "alert_coverage": alert_coverage(phase),
        "suspensions": [{"asset": s.asset, "device_type": s.device_type, "condition": s.condition, "reason": s.reason,
                         "suspended_at": s.suspended_at, "resumed_at": s.resumed_at,
                         "fix_reference": s.fix_reference, "active": s.active} for s in phase.suspensions],
        "deviations": _deviations(phase, entries + exits + reqs),
        "risks": _risks(phase, states, exits),
        "residual_risk": _residual(exits, states, phase),
        "approval": {"recorded": [{"criterion": e.criterion, "status": e.status, "reference": e.reference,
                                   "recorded_by": e.recorded_by, "recorded_at": e.recorded_at, "sha256": e.sha256,
                                   "document": examine(e).state}
                                  for e in phase.evidence if e.criterion in BOARD and not e.automated]},
        "verdict": verdict(entries, exits),
    }
