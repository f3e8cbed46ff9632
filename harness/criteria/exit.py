"""The DIT entry criteria (seed Table 6) and exit criteria (Table 9), judged from the phase's records.

Readings of the seed the code holds:
- A test is a scenario on a target (baseline x test set); its result is its latest execution's outcome.
  "Completed" tests ran to a verdict (passed or failed); blocked, skipped and never-run tests are not.
- Regression tests are those of the regression baselines (SMETS2 v2.0 meters or CHTS v1.0 hubs, Table 7);
  functional tests are the rest (R2.0 with CHTS v1.1 and SMETS2 v3.0), split by single and dual band.
- DIT.EX.3 "100 % pass ... by testing any combination of the selected devices": each planned scenario
  passed on the CH variant with some test set's devices; a failure with other devices is excused only
  when it is traced to a test issue against a device manufacturer (the footnote's proviso).
- DIT.EX.5: at least 85 % of completed non-business-critical tests passed (exactly 85 % is met), every
  business-critical test passed.
- DIT.EX.8 "evidence captured": each completed test's latest execution has its evidence folder, complete as sealed
  when written, its DUIS, GBCS and HAN files verifying (verified by the caller: Phase.read(..., verify=...)).
- DIT.EX.11 and DIT.EX.12 are decisions of the DCC test assurance board: met by a record whose document holds up
  (harness.criteria.evidence). The certificate follows the approval: DIT.EX.12 is not met while DIT.EX.11 is not.
- DIT.EX.1-10 are judged from the records alone: a person's record can only waive one (listed as a deviation).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from fractions import Fraction

from harness.criteria import defect_mask
from harness.criteria.evidence import decision, with_records
from harness.criteria.phase import Phase, Test
from harness.criteria.requirements import LEADING_STACKS
from harness.criteria.verdict import MET, NOT_EVALUABLE, NOT_MET, Verdict, plural

ENTRY = {
    "DIT.EN.1": ("The formal DCC entry gate for DIT has been completed (DIT.D.11)",
                 "Minutes of DCC DIT entry gate"),
    "DIT.EN.2": ("No issues have been identified in R2.0 SIT/PIT that impact the testing in DIT (DIT.D.04, DIT.D.05)",
                 "Confirmation from Programme Team that work off plans presented to PIT test assurance boards, and "
                 "current SIT issues, do not impact start of DIT"),
    "DIT.EN.3": ("DCC has completed device selection and devices are available, or DCC has the approval from "
                 "DCC/Industry/BEIS to be able to commence DIT with emulators",
                 "Commercial arrangements with Device providers; Devices available in DCC DIT location"),
    "DIT.EN.4": ("DSP PIT testing has successfully completed",
                 "Test assurance board completion certificate for DSP PIT for R2.0"),
    "DIT.EN.5": ("Environments have been successfully upgraded to the latest DSP release to support GBCS 2.0 as "
                 "agreed at the DCC formal gate entry into DIT", "Confirmed from DCC DIT entry gate minutes"),
    "DIT.EN.6": ("SIT entry gate for Release 2.0 has been passed",
                 "Evidence from SI of successful start of SIT and readiness of suitable resources and environments "
                 "to support DIT"),
}
EXIT = {
    "DIT.EX.1": "At least one ESME, GSME and IHD/PPMID that have been selected to participate in DIT successfully "
                "completes all planned regression testing",
    "DIT.EX.2": "Regression testing has been executed on each communication hub variant with all selected devices",
    "DIT.EX.3": "For single band functional testing: all planned tests per Communications Hub variant have been "
                "executed against all selected devices; and 100% pass rate on each Communications Hub variant for "
                "all the planned tests by testing any combination of the selected devices",
    "DIT.EX.4": "There are no open defects against the DCC code base outside of the defect mask",
    "DIT.EX.5": "For dual band functional testing: all planned tests per Communications Hub variant have been "
                "executed against all selected devices; a minimum of 85% of the completed tests have passed for "
                "non-business critical scenarios; all business-critical scenarios must achieve 100% pass",
    "DIT.EX.6": "All defects recorded against the DIT Testing Phase are covered by an agreed and documented work "
                "off plan, subject to the requirements of the DIT defect mask",
    "DIT.EX.7": "Subject to the availability of devices for testing, Install and Commission and firmware upgrades "
                "must have been completed on all SiLabs and NXP meter/Communications Hub combinations",
    "DIT.EX.8": "Test results have been documented and evidence captured",
    "DIT.EX.9": "A complete set of test issue logs have been produced",
    "DIT.EX.10": "Full test traceability to the test plan has been documented",
    "DIT.EX.11": "Test phase completion report produced (approval by DCC test assurance board)",
    "DIT.EX.12": "A test phase completion certificate for DIT has been issued by DCC test assurance board",
}
DUAL_BAND_PASS_RATE = Fraction(85, 100)
DETAIL_LINES = 12                      # a verdict names at most this many tests; the report lists the rest


def _v(cid: str, status: str, evidence: str, details: Sequence[str] = ()) -> Verdict:
    return Verdict(cid, EXIT[cid], status, evidence, list(details)[:DETAIL_LINES]
                   + ([f"... and {len(details) - DETAIL_LINES} more"] if len(details) > DETAIL_LINES else []))


def entry_criteria(phase: Phase) -> list[Verdict]:
    """Each met by its latest record, whose document must hold up (a URL, or a file unchanged since recorded)."""
    verdicts = []
    for cid, (text, required) in ENTRY.items():
        recorded = decision(phase.evidence, cid)
        if recorded is None:
            verdicts.append(Verdict(cid, text, NOT_EVALUABLE, f"no evidence recorded (needs: {required}; "
                                                              f"dit evidence record {cid} ...)"))
        elif recorded.problem is not None:
            verdicts.append(Verdict(cid, text, NOT_EVALUABLE, f"the evidence recorded does not hold up: "
                                                              f"{recorded.cite()}"))
        else:
            how = "met with a workaround: " if recorded.record.status == "workaround" else ""
            verdicts.append(Verdict(cid, text, NOT_MET if recorded.record.status == "not_met" else MET,
                                    how + recorded.cite()))
    return verdicts


def _group(tests: list[Test], key: Callable[[Test], str]) -> dict[str, list[Test]]:
    groups: dict[str, list[Test]] = {}
    for t in tests:
        groups.setdefault(key(t), []).append(t)
    return dict(sorted(groups.items()))


def _variant(t: Test) -> str:
    return t.planned.ch_variant or "no CH variant"


def _not_executed(tests: list[Test]) -> list[Test]:
    return [t for t in tests if not t.completed]


def _devices_missed(phase: Phase, tests: list[Test]) -> list[str]:
    """The selected devices of these tests' test sets that no completed test among them used."""
    sets = {t.planned.test_set for t in tests}
    selected = phase.selected_devices()
    wanted = {d.asset for d in phase.devices if d.test_set in sets and d.asset in selected}
    return sorted(wanted - phase.tested_devices(tests))


def _ex1(phase: Phase) -> Verdict:
    regression = [t for t in phase.tests if t.planned.kind == "regression"]
    if not regression:
        return _v("DIT.EX.1", NOT_EVALUABLE, "no regression tests planned (run the regression baselines B1-B5, "
                                             "e.g. dit run --matrix)")
    selected = phase.selected_devices()
    complete: dict[str, list[str]] = {"ESME": [], "GSME": [], "IHD/PPMID": []}
    details = []
    for asset, device in sorted(selected.items()):
        kind = "IHD/PPMID" if device.device_type in ("IHD", "PPMID") else device.device_type
        if kind not in complete:
            continue
        # Its planned tests are those whose steps name it or in which it took part; it completes them only by
        # taking part: a test that names it but passed without it (pre-notified, refused by the DCC) is no test of it.
        own = [t for t in regression if asset in t.planned.devices or asset in t.devices]
        passed = sum(t.outcome == "passed" for t in own)
        took_part = any(asset in t.devices for t in own if t.outcome == "passed")
        if own and passed == len(own) and took_part:
            complete[kind].append(asset)
        elif own:
            details.append(f"{asset}: {passed} of {plural(len(own), 'planned regression test')} passed"
                           + ("" if took_part else ", in none of which it took part"))
    missing = [kind for kind, assets in complete.items() if not assets]
    done = "; ".join(f"{k}: {', '.join(a)}" for k, a in complete.items() if a)
    if missing:
        return _v("DIT.EX.1", NOT_MET, f"no {' or '.join(missing)} completed all its planned regression tests"
                                       + (f" (completed: {done})" if done else ""), details)
    return _v("DIT.EX.1", MET, f"completed all planned regression tests: {done}", details)


def _ex2(phase: Phase) -> Verdict:
    regression = _group([t for t in phase.tests if t.planned.kind == "regression"], _variant)
    variants = sorted({h.ch_variant for h in phase.hubs().values()} | set(regression))
    if not regression:
        return _v("DIT.EX.2", NOT_EVALUABLE, "no regression tests planned")
    details = []
    for variant in variants:
        tests = regression.get(variant, [])
        if not tests:
            details.append(f"{variant}: no regression tests planned")
        elif missed := _devices_missed(phase, tests):
            details.append(f"{variant}: no completed regression test with {', '.join(missed)}")
    if details:
        return _v("DIT.EX.2", NOT_MET, f"regression not executed with every selected device on every CH variant "
                                       f"({plural(len(details), 'gap')})", details)
    return _v("DIT.EX.2", MET, "regression executed on " + "; ".join(
        f"{v} ({plural(sum(t.completed for t in regression[v]), 'completed test')})" for v in variants)
        + " with every selected device of their test sets")


def _device_issue(t: Test) -> bool:
    return any(not i.provider for i in t.issues)


def _ex3(phase: Phase) -> Verdict:
    single = _group([t for t in phase.tests if t.planned.kind == "functional" and not t.planned.dual_band], _variant)
    if not single:
        return _v("DIT.EX.3", NOT_EVALUABLE, "no single band functional tests planned")
    details, summary = [], []
    for variant, tests in single.items():
        details += [f"{variant}: {t.label} {t.outcome.replace('_', ' ')}" for t in _not_executed(tests)]
        if missed := _devices_missed(phase, tests):
            details.append(f"{variant}: no completed test with {', '.join(missed)}")
        by_scenario = _group(tests, lambda t: t.planned.scenario_id)
        passing = 0
        for scenario, runs in by_scenario.items():
            if not any(t.outcome == "passed" for t in runs):
                details.append(f"{variant}: {scenario} passed with no combination of devices")
                continue
            passing += 1
            details += [f"{variant}: {t.label} failed and is not traced to a device issue"
                        for t in runs if t.outcome == "failed" and not _device_issue(t)]
        summary.append(f"{variant}: {passing} of {plural(len(by_scenario), 'planned scenario')} passed")
    return _v("DIT.EX.3", NOT_MET if details else MET, "; ".join(summary), details)


def _ex5(phase: Phase) -> Verdict:
    dual = _group([t for t in phase.tests if t.planned.kind == "functional" and t.planned.dual_band], _variant)
    if not dual:
        return _v("DIT.EX.5", NOT_EVALUABLE, "no dual band functional tests planned")
    details, summary, met = [], [], True
    for variant, tests in dual.items():
        gaps = [f"{variant}: {t.label} {t.outcome.replace('_', ' ')}" for t in _not_executed(tests)]
        if missed := _devices_missed(phase, tests):
            gaps.append(f"{variant}: no completed test with {', '.join(missed)}")
        critical = [t for t in tests if t.planned.business_critical and t.completed]
        other = [t for t in tests if not t.planned.business_critical and t.completed]
        critical_failed = [t for t in critical if t.outcome != "passed"]
        passed = sum(t.outcome == "passed" for t in other)
        rate = Fraction(passed, len(other)) if other else None
        met &= not gaps and not critical_failed and (rate is None or rate >= DUAL_BAND_PASS_RATE)
        details += gaps + [f"{variant}: business-critical {t.label} failed" for t in critical_failed]
        shown = f"{float(rate) * 100:.1f} %" if rate is not None else "none completed"
        summary.append(f"{variant}: non-business-critical {passed}/{len(other)} passed ({shown}, 85 % needed); "
                       f"business-critical {len(critical) - len(critical_failed)}/{len(critical)} passed")
    return _v("DIT.EX.5", MET if met else NOT_MET, "; ".join(summary), details)


def _ex4(phase: Phase) -> Verdict:
    table = defect_mask.mask(phase.issues)
    over = [f"{provider} severity {sev}: {cell['open']} outstanding, {cell['allowed']} allowed"
            for provider, row in table.items() for sev, cell in row.items() if not cell["within"]]
    devices = sum(1 for i in phase.issues if i.outstanding and not i.provider)
    note = f"; {plural(devices, 'outstanding device issue')} reported separately, not counted" if devices else ""
    if over:
        return _v("DIT.EX.4", NOT_MET, f"outside the defect mask: {'; '.join(over)}{note}")
    held = sum(cell["open"] for row in table.values() for cell in row.values())
    return _v("DIT.EX.4", MET, f"{plural(held, 'outstanding DSP/CSP issue')}, all within the defect mask{note}")


def _ex6(phase: Phase) -> Verdict:
    states = [defect_mask.judge(i, phase.as_of, phase.quality_gate) for i in phase.issues if i.outstanding]
    if not states:
        return _v("DIT.EX.6", MET, f"no outstanding test issues ({plural(len(phase.issues), 'issue')} recorded)")
    uncovered = [s for s in states if not s.covered]
    details = [f"{s.issue.id} (severity {s.issue.severity}, {s.issue.owner}): {s.why}" for s in uncovered]
    if not uncovered:
        return _v("DIT.EX.6", MET, f"all {plural(len(states), 'outstanding issue')} covered by agreed work-off plans "
                                   "within their timescales")
    if all("quality gate" in s.why for s in uncovered):
        return _v("DIT.EX.6", NOT_EVALUABLE, "the quality gate date is not recorded, so work-off deadlines cannot "
                                             "be judged (dit phase set --quality-gate YYYY-MM-DD)", details)
    return _v("DIT.EX.6", NOT_MET, f"{len(uncovered)} of {plural(len(states), 'outstanding issue')} not covered by an "
                                   "agreed work-off plan within its timescale", details)


def _ex7(phase: Phase) -> Verdict:
    hubs = phase.hubs()
    selected = phase.selected_devices()
    pairs: dict[tuple[str, str], list[Test]] = {}
    for d in phase.devices:
        hub = hubs.get(d.test_set)
        if d.device_type in ("ESME", "GSME") and d.silicon in LEADING_STACKS and hub and hub.silicon in LEADING_STACKS:
            pairs.setdefault((d.silicon, hub.silicon), [])
    if not pairs:
        return _v("DIT.EX.7", NOT_EVALUABLE, "no SiLabs or NXP meter with a SiLabs or NXP Communications Hub in the "
                                             "lab (the criterion is subject to the availability of devices)")
    for t in phase.tests:
        hub = hubs.get(t.planned.test_set) if t.planned.test_set is not None else None     # no test set, no hub
        for asset in t.devices:
            meter = selected.get(asset)
            if hub and meter and (meter.silicon, hub.silicon) in pairs and meter.device_type in ("ESME", "GSME"):
                pairs[(meter.silicon, hub.silicon)].append(t)
    details: list[str] = []
    done: list[str] = []
    for (meter_silicon, hub_silicon), tests in sorted(pairs.items()):
        need = [f for f in ("install_commission", "firmware")
                if not any(t.planned.family == f and t.outcome == "passed" for t in tests)]
        name = f"{meter_silicon} meter / {hub_silicon} CH"
        (details.append(f"{name}: no passed {' or '.join(n.replace('_', ' ') for n in need)} test") if need
         else done.append(name))
    if details:
        return _v("DIT.EX.7", NOT_MET, f"{len(details)} of {plural(len(pairs), 'meter/CH silicon combination')} "
                                       "lack a passed install and commission or firmware test", details)
    return _v("DIT.EX.7", MET, "install and commission and firmware passed on " + "; ".join(done))


def _ex8(phase: Phase) -> Verdict:
    """Each completed test's latest execution (what its result rests on) has its evidence folder, complete as
    sealed when it was written and every file verifying: DUIS documents parse and their signatures verify, GBCS
    messages decode, the HAN capture reads (harness.run.evidence_check)."""
    completed = [t for t in phase.tests if t.completed]
    if not completed:
        return _v("DIT.EX.8", NOT_EVALUABLE, "no test has run to a verdict yet")
    bare = [t for t in completed if not t.executions[-1].evidence]    # a completed test has run
    if phase.folders is None:           # nothing verified: a test without an evidence folder is all that is known
        if bare:
            return _v("DIT.EX.8", NOT_MET, f"{len(bare)} of {plural(len(completed), 'completed test')} have no "
                                           "evidence folder recorded", [t.label for t in bare])
        return _v("DIT.EX.8", NOT_EVALUABLE, "the evidence files were not verified (dit report verifies them)")
    details, failing, kinds, signatures = [], 0, Counter[str](), 0
    for t in completed:
        last = t.executions[-1]                 # a completed test has run
        check = phase.folders.get(last.id) if last.id is not None and last.evidence else None
        problems = ["no evidence folder recorded"] if check is None else list(check.problems)
        if check is not None:
            kinds.update(check.verified)
            signatures += check.signatures
        failing += bool(problems)
        details += [f"{t.label} (execution {last.id}{f', {last.evidence}' if check else ''}): {problem}"
                    for problem in problems]
    held = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()) if n)
    shown = f"{held or 'no files'} verified, with {signatures} signatures and MACs"
    if details:
        return _v("DIT.EX.8", NOT_MET, f"the evidence of {failing} of {plural(len(completed), 'completed test')} is "
                                       f"missing, incomplete or does not verify; {shown}", details)
    return _v("DIT.EX.8", MET, f"the evidence of all {plural(len(completed), 'completed test')} is complete as "
                               f"sealed when written and verifies: {shown}")


def _ex9(phase: Phase) -> Verdict:
    failed = [t for t in phase.tests if t.outcome == "failed"]
    untracked = [t for t in failed if not t.issues]
    if untracked:
        return _v("DIT.EX.9", NOT_MET, f"{len(untracked)} of {plural(len(failed), 'failed test')} have no test issue "
                                       "logged (dit issue raise --execution ID)", [t.label for t in untracked])
    return _v("DIT.EX.9", MET, f"every failed test has a test issue ({plural(len(failed), 'failed test')}, "
                               f"{plural(len(phase.issues), 'issue')} logged)")


def _ex10(phase: Phase, requirements: list[Verdict]) -> Verdict:
    if not phase.tests:
        return _v("DIT.EX.10", NOT_EVALUABLE, "no tests planned")
    never = [t for t in phase.tests if not t.executions]
    untraced = [r for r in requirements if r.status == NOT_EVALUABLE and r.applies]
    details = [f"{t.label}: planned, never run" for t in never] + \
              [f"{r.id}: not traced to records ({r.evidence})" for r in untraced]
    applicable = [r for r in requirements if r.applies]
    evidence = (f"{len(phase.tests) - len(never)} of {plural(len(phase.tests), 'planned test')} have execution "
                f"records; {len(applicable) - len(untraced)} of the {len(applicable)} requirements that apply traced "
                "to scenarios, devices or evidence")
    return _v("DIT.EX.10", NOT_MET if details else MET, evidence, details)


def _board(phase: Phase, cid: str, missing: str, after: Verdict | None = None) -> Verdict:
    """A decision of the board, met by its record's document; one that follows another (the certificate follows
    the approval) is not met while that one is not."""
    recorded = decision(phase.evidence, cid)
    depends = [after.id] if after is not None else []
    if recorded is None:
        shown, status = missing, NOT_MET
    elif recorded.problem is not None:
        shown, status = f"the evidence recorded does not hold up: {recorded.cite()}", NOT_MET
    else:
        shown, status = recorded.cite(), NOT_MET if recorded.record.status == "not_met" else MET
    if after is not None and after.status != MET:
        shown, status = f"depends on {after.id}, which is not met; {shown}", NOT_MET
    return replace(_v(cid, status, shown), depends_on=depends)


def exit_criteria(phase: Phase, requirements: list[Verdict]) -> list[Verdict]:
    judged = [_ex1(phase), _ex2(phase), _ex3(phase), _ex4(phase), _ex5(phase), _ex6(phase), _ex7(phase),
              _ex8(phase), _ex9(phase), _ex10(phase, requirements)]
    approval = _board(phase, "DIT.EX.11", f"this report was produced on {phase.as_of}; its approval by the DCC test "
                                          "assurance board is not recorded (dit evidence record DIT.EX.11 ...)")
    certificate = _board(phase, "DIT.EX.12", "no completion certificate recorded (dit evidence record DIT.EX.12 ...)",
                         after=approval)
    return [*(with_records(v, phase.evidence) for v in judged), approval, certificate]
