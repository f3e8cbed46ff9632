"""Wall time of the Test Phase Completion Report for a large phase: 20,000 planned tests by default.

Builds a phase assessment of the shape harness.criteria produces (every CH variant, the matrix's targets, 24
devices, issues, criteria) and prints the wall time of render_html, of the PDF (WeasyPrint), of writing
summary.json, the PDF's page count and the peak memory of the process.

Run:  .venv/bin/python benchmarks/bench_report_render.py [--tests N] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from harness.report import render_html, write_pdf

OUTCOMES = ("passed", "failed", "blocked", "skipped", "not_run")
# baseline, test set, CH variant, dual band, kind: the release baseline matrix's targets
TARGETS = [("B1", "SB10-regression", "CHTS v1.0 Single Band", False, "regression"),
           ("B2", "SB10-regression", "CHTS v1.0 Single Band", False, "regression"),
           ("B4", "SB10-regression", "CHTS v1.0 Single Band", False, "regression"),
           ("B3", "SB11-regression", "CHTS v1.1 Single Band", False, "regression"),
           ("B5", "SB11-regression", "CHTS v1.1 Single Band", False, "regression"),
           ("B6", "SB11-core", "CHTS v1.1 Single Band", False, "functional"),
           ("B3", "DB11-regression", "CHTS v1.1 Dual Band", True, "regression"),
           ("B5", "DB11-regression", "CHTS v1.1 Dual Band", True, "regression"),
           ("B6", "DB11-core", "CHTS v1.1 Dual Band", True, "functional")]
CH_VARIANTS = list(dict.fromkeys(t[2] for t in TARGETS))
MANUFACTURERS = {"alder": "Alder Metering", "birch": "Birch Meters", "cedar": "Cedar Instruments",
                 "damson": "Damson Displays", "larch": "Larch Energy", "hazel": "Hazel Controls"}
DEVICES = [f"{kind}-{bench}-{n}-{maker}" for bench in ("78", "79", "7A") for kind, n, maker in
           (("ESME", 1, "alder"), ("ESME", 2, "birch"), ("GSME", 1, "alder"), ("GSME", 2, "cedar"),
            ("PPMID", 1, "damson"), ("PPMID", 2, "birch"), ("IHD", 1, "damson"), ("IHD", 2, "larch"))]
FAMILIES = ["install_commission", "tariff_update", "price_update", "prepayment_top_up", "prepayment_data",
            "meter_reading", "firmware", "change_of_supplier", "change_of_tenancy", "change_of_mode", "ppmid", "ihd",
            "dual_band_hub", "decommission", "device_certificate", "org_certificate", "ch_upgrade", "chf_replacement",
            "no_wan_lcd", "dsp_schedule"]
PROVIDERS = ("DSP", "CSP N", "CSP C/S")
ALLOWED = {1: 0, 2: 0, 3: 15, 4: 30, 5: 60}


def phase_assessment(planned: int, seed: int = 2026) -> dict:
    pick = random.Random(seed)
    scenarios = [f"{FAMILIES[i % len(FAMILIES)]}/scenario-{i}" for i in range(-(-planned // len(TARGETS)))]
    issues = []
    for n in range(1, 61):
        owner = pick.choice([*PROVIDERS, *MANUFACTURERS.values()])
        severity = pick.choice((2, 3, 3, 4, 4, 5))
        status = pick.choice(("open", "open", "fixed", "closed"))
        overdue = status == "open" and n % 9 == 0
        issues.append({"id": f"TI-{n:04d}", "title": f"Issue {n}: response code E{pick.randint(10, 99)} on retry",
                       "severity": severity, "owner": owner,
                       "owner_kind": "provider" if owner in PROVIDERS else "manufacturer", "status": status,
                       "outstanding": status != "closed", "security": n % 13 == 0, "raised_at": "2026-11-03",
                       "closed_at": "2026-11-15" if status == "closed" else None,
                       "work_off_plan": f"Fix in drop {n % 7}" if severity >= 3 else None,
                       "plan_due": "2026-11-20" if severity >= 3 else None,
                       "deadline": "2026-12-01" if severity >= 3 else None, "overdue": overdue,
                       "executions": [n * 37], "scenarios": [pick.choice(scenarios)]})
    issues_by_scenario = defaultdict(list)
    for issue in issues:
        issues_by_scenario[issue["scenarios"][0]].append(issue["id"])

    tests = []
    for i, scenario in enumerate(scenarios):
        family = scenario.split("/")[0]
        for baseline, test_set, variant, dual, kind in TARGETS:
            if len(tests) == planned:
                break
            roll = pick.random()
            outcome = ("not_run" if roll < 0.02 else "failed" if roll < 0.04 else "blocked" if roll < 0.05 else
                       "skipped" if roll < 0.055 else "passed")
            tests.append({"scenario_id": scenario, "title": f"{family.replace('_', ' ')} scenario {i}",
                          "family": family, "baseline": baseline, "test_set": test_set, "ch_variant": variant,
                          "dual_band": dual, "kind": kind, "business_critical": i % 4 == 0,
                          "priority": "High" if i % 4 == 0 else None, "requirements": [f"DIT.{1 + i % 15}"],
                          "outcome": outcome, "executions": 0 if outcome == "not_run" else 1,
                          "last_execution": None if outcome == "not_run" else len(tests) + 1,
                          "devices": pick.sample(DEVICES, 3),
                          "error": "AssertionError: expected Response Code I0, got E60 " * 8 if outcome == "failed"
                          else "device suspended (condition 4)" if outcome == "blocked" else None,
                          "issues": issues_by_scenario.get(scenario, [])})

    totals = Counter(t["outcome"] for t in tests)
    by_family: dict[str, Counter] = defaultdict(Counter)
    by_pair: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for t in tests:
        by_family[t["family"]][t["outcome"]] += 1
        for device in t["devices"]:
            by_pair[(t["ch_variant"], device)][t["outcome"]] += 1
    cells = []
    for (variant, device), c in by_pair.items():
        executed = c["passed"] + c["failed"]
        if executed + c["blocked"]:
            cells.append({"ch_variant": variant, "device": device, "executed": executed, "passed": c["passed"],
                          "failed": c["failed"], "blocked": c["blocked"],
                          "pass_rate": c["passed"] / executed if executed else None})
    statuses = ("met", "not_met", "not_evaluable")
    outstanding = Counter((i["owner"], i["severity"]) for i in issues if i["outstanding"] and i["owner"] in PROVIDERS)
    mask = {p: {str(s): {"open": outstanding[(p, s)], "allowed": allowed, "within": outstanding[(p, s)] <= allowed}
                for s, allowed in ALLOWED.items()} for p in PROVIDERS}
    within = all(level["within"] for levels in mask.values() for level in levels.values())
    return {
        "generated": "2026-11-21T10:00:00+00:00",
        "phase": {"name": "DIT R2.0", "ledger": "sqlite:///reports/phase.db", "as_of": "2026-11-21",
                  "quality_gate": "2026-11-02",
                  "runs": [{"id": n, "started_at": f"2026-11-{n:02d}T08:00:00+00:00",
                            "finished_at": f"2026-11-{n:02d}T18:00:00+00:00", "status": "completed", "lab": "emulated",
                            "selection": "--matrix -n 2", "host": "bench-1", "executions": planned // 20}
                           for n in range(1, 21)]},
        "totals": {o: totals[o] for o in OUTCOMES},
        "tests": tests,
        "families": [{"family": f, "planned": sum(by_family[f].values()), **{o: by_family[f][o] for o in OUTCOMES}}
                     for f in FAMILIES],
        "entry_criteria": [{"id": f"DIT.EN.{n}", "text": f"Entry criterion {n}", "evidence_required": "Gate minutes",
                            "status": statuses[n % 2], "evidence": "Recorded at the entry gate."} for n in range(1, 7)],
        "exit_criteria": [{"id": f"DIT.EX.{n}", "text": f"Exit criterion {n}", "status": statuses[n % 3],
                           "evidence": "Decided from the ledger.",
                           "details": [f"{v}: see the heatmap" for v in CH_VARIANTS]}
                          for n in range(1, 13)],
        "requirements": [{"id": f"DIT.{n}", "text": f"DIT requirement {n}", "status": statuses[n % 3],
                          "evidence": "Counted from the ledger.",
                          "scenarios": [s for k, s in enumerate(scenarios) if k % 15 == n - 1]} for n in range(1, 16)],
        "defect_mask": {"providers": mask, "within": within,
                        "device_issues": [i for i in issues if i["owner_kind"] == "manufacturer" and i["outstanding"]],
                        "overdue": [i for i in issues if i["overdue"]]},
        "issues": issues,
        "heatmap": {"rows": CH_VARIANTS,
                    "columns": [{"device": d, "device_type": d.split("-")[0],
                                 "manufacturer": MANUFACTURERS[d.rsplit("-", 1)[1]]} for d in DEVICES],
                    "cells": cells,
                    "combinations": [{"ch_variant": v, "devices": DEVICES[k::8][:3], "executed": 120, "passed": 120}
                                     for k, v in enumerate(CH_VARIANTS)]},
        "suspensions": [{"asset": "GSME-79-2-cedar", "device_type": "GSME", "condition": 4, "reason": "no response",
                         "suspended_at": "2026-11-12T11:00:00+00:00", "resumed_at": None, "fix_reference": None,
                         "active": True}],
        "deviations": [f"{totals['not_run']} planned tests never run", f"{totals['blocked']} planned tests blocked"],
        "risks": [f"{i['id']} (severity {i['severity']}, {i['owner']}) open" for i in issues
                  if i["status"] == "open" and i["severity"] <= 2],
        "residual_risk": "Some planned tests were never run; open severity 2 issues remain.",
        "approval": {"recorded": []},
    }


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=20_000, help="planned tests in the assessment")
    parser.add_argument("--out", type=Path, help="where to write the report (default: a temporary folder)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="dit-bench-report-"))
    out.mkdir(parents=True, exist_ok=True)

    built, assessment = timed(lambda: phase_assessment(args.tests))
    render_html(assessment)       # the first render loads and compiles the template
    html_s, html = timed(lambda: render_html(assessment))
    (out / "report.html").write_text(html, encoding="utf-8")
    pdf_s, pages = timed(lambda: write_pdf(html, out / "report.pdf"))
    json_s, _ = timed(lambda: (out / "summary.json").write_text(json.dumps(assessment, indent=2) + "\n"))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"planned tests    {len(assessment['tests']):>8}   (assessment built in {built:.2f} s)")
    print(f"render_html      {html_s:>8.3f} s   {len(html) / 1024:.0f} KiB")
    print(f"PDF (WeasyPrint) {pdf_s:>8.3f} s   {pages} pages")
    print(f"summary.json     {json_s:>8.3f} s   {(out / 'summary.json').stat().st_size / 2**20:.1f} MiB")
    print(f"peak memory      {peak_mib:>8.0f} MiB (max RSS of the process)")
    print(f"report in        {out}")


if __name__ == "__main__":
    main()
