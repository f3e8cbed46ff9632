"""The criteria engine on crafted phases: each exit criterion, its boundaries, entry criteria, requirements,
the defect mask, work-off deadlines and the heatmap."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import pytest

from harness.criteria import MET, NOT_EVALUABLE, NOT_MET, Phase, Verdict, assess
from harness.criteria.assessment import verdict
from harness.criteria.defect_mask import judge, mask
from harness.criteria.evidence import FolderCheck
from harness.criteria.exit import entry_criteria, exit_criteria
from harness.criteria.requirements import evaluate as requirements
from harness.criteria.workdays import add_working_days
from harness.ledger import (
    CriterionEvidence,
    DeviceRecord,
    ExecutionRecord,
    Ledger,
    Part,
    Participant,
    PlannedTest,
    TestIssue,
)

SB11, DB11, SB10 = "CHTS v1.1 Single Band", "CHTS v1.1 Dual Band", "CHTS v1.0 Single Band"
V3, V2 = "SMETS2 v3.0", "SMETS2 v2.0"
SILABS, NXP, TI = "Silicon Labs", "NXP", "Texas Instruments"
TODAY = dt.date(2026, 11, 21)


def hub(test_set: str, variant: str, silicon: str = SILABS) -> DeviceRecord:
    return DeviceRecord(f"CH-{test_set}", test_set, variant, "CHF", "Elm", standard=variant[:9], silicon=silicon)


def device(asset: str, test_set: str, variant: str, kind: str, maker: str, standard: str = V3,
           silicon: str = SILABS, sub_ghz: bool = False) -> DeviceRecord:
    return DeviceRecord(asset, test_set, variant, kind, maker, standard=standard, silicon=silicon, sub_ghz=sub_ghz)


# Two single band v1.1 test sets with different devices (the "any combination" of DIT.EX.3), a dual band
# one, and a v1.0 regression set.
LAB = [
    hub("SB-A", SB11), device("ESME-A", "SB-A", SB11, "ESME", "Alder"), device("GSME-A", "SB-A", SB11, "GSME", "Alder"),
    device("IHD-A", "SB-A", SB11, "IHD", "Damson"),
    hub("SB-B", SB11, NXP), device("ESME-B", "SB-B", SB11, "ESME", "Birch", silicon=NXP),
    device("GSME-B", "SB-B", SB11, "GSME", "Birch", silicon=NXP), device("IHD-B", "SB-B", SB11, "IHD", "Larch"),
    hub("DB", DB11, NXP), device("ESME-D", "DB", DB11, "ESME", "Birch", silicon=NXP),
    hub("R10", SB10), device("ESME-R", "R10", SB10, "ESME", "Alder", V2),
    device("GSME-R", "R10", SB10, "GSME", "Cedar", V2),
    device("PPMID-R", "R10", SB10, "PPMID", "Damson", V2),
]
_ids = itertools.count(1)


def planned(scenario: str, test_set: str = "SB-A", *, devices=("ESME-A",), family: str = "install_commission",
            critical: bool = False, kind: str | None = None, baseline: str | None = None,
            requirements=()) -> PlannedTest:
    variant = next(d.ch_variant for d in LAB if d.test_set == test_set)
    regression = kind == "regression" or test_set == "R10"
    return PlannedTest(f"{scenario}[{test_set}]", f"{family}/{scenario}", scenario, family, [], "High", critical,
                       list(requirements), baseline or ("B4" if regression else "B6"), test_set, variant,
                       variant == DB11, kind or ("regression" if regression else "functional"), "R2.0", "R2.0",
                       variant[:9], V2 if regression else V3, list(devices))


def execution(test: PlannedTest, outcome: str, evidence: str | None = "evidence/x",
              took_part: tuple[str, ...] | None = None) -> ExecutionRecord:
    """An execution in which the devices its test names took part (answered), unless took_part says which did."""
    kinds = {d.asset: d.device_type for d in LAB}
    participants = [Participant(a, kinds.get(a, a), (Part.ANSWERED,))
                    for a in (test.devices if took_part is None else took_part)]
    return ExecutionRecord(1, test.node, test.scenario_id, outcome, "2026-11-20T10:00:00+00:00", test.baseline,
                           test.test_set, test.ch_variant, test.devices, evidence=evidence, id=next(_ids),
                           participants=participants)


def phase(results: list[tuple[PlannedTest, str | None]], issues=(), evidence=(), quality_gate=None,
          devices=LAB) -> Phase:
    """A phase of these tests; an outcome of None means planned and never run."""
    tests = [t for t, _ in results]
    executions = [execution(t, o) for t, o in results if o is not None]
    return Phase.build(tests, executions, devices, list(issues), list(evidence), as_of=TODAY,
                       quality_gate=quality_gate)


def exit_verdict(p: Phase, cid: str):
    return next(v for v in exit_criteria(p, requirements(p)) if v.id == cid)


def issue(issue_id: str, severity: int, owner: str, status: str = "open", plan: str | None = None,
          due: str | None = None, executions=(), scenarios=()) -> TestIssue:
    return TestIssue(issue_id, f"issue {issue_id}", severity, owner, status, "2026-11-01", work_off_plan=plan,
                     plan_due=due, executions=list(executions), scenarios=list(scenarios))


# -- the phase --------------------------------------------------------------------------------------------

def test_a_test_is_judged_by_its_latest_execution_and_never_run_is_not_passed():
    t, never = planned("s1"), planned("s2")
    p = Phase.build([t, never, t], [execution(t, "failed"), execution(t, "passed")], LAB, as_of=TODAY)
    assert [x.outcome for x in p.tests] == ["passed", "not_run"]
    assert len(p.tests[0].executions) == 2
    assert assess(p)["totals"] == {"passed": 1, "failed": 0, "blocked": 0, "skipped": 0, "not_run": 1}


# -- DIT.EX.1 / EX.2: regression ------------------------------------------------------------------------------

def _regression(outcomes: dict[str, str]):
    return [(planned(f"r-{d}", "R10", devices=(d,)), o) for d, o in outcomes.items()]


def test_ex1_met_when_one_esme_gsme_and_ihd_or_ppmid_complete_all_regression():
    v = exit_verdict(phase(_regression({"ESME-R": "passed", "GSME-R": "passed", "PPMID-R": "passed"})), "DIT.EX.1")
    assert v.status == MET and "ESME: ESME-R" in v.evidence and "IHD/PPMID: PPMID-R" in v.evidence


def test_ex1_not_met_when_the_only_gsme_fails_one_regression_test():
    results = _regression({"ESME-R": "passed", "GSME-R": "passed", "PPMID-R": "passed"})
    results.append((planned("r-gsme-2", "R10", devices=("GSME-R",)), "failed"))
    v = exit_verdict(phase(results), "DIT.EX.1")
    assert v.status == NOT_MET and v.evidence.startswith("no GSME completed") and "GSME-R: 1 of 2" in v.details[0]


def test_ex1_a_device_completes_its_regression_only_by_taking_part():
    """A passed regression test that names the PPMID but in which it never answered (pre-notified, or refused by the
    DCC) is no test of it: IHD/PPMID has not completed."""
    results = _regression({"ESME-R": "passed", "GSME-R": "passed"})
    silent = planned("r-PPMID-R", "R10", devices=("PPMID-R",))
    executions = [execution(t, o) for t, o in results] + [execution(silent, "passed", took_part=())]
    v = exit_verdict(Phase.build([t for t, _ in results] + [silent], executions, LAB, as_of=TODAY), "DIT.EX.1")
    assert v.status == NOT_MET and v.evidence.startswith("no IHD/PPMID completed")
    assert "PPMID-R: 1 of 1 planned regression test passed, in none of which it took part" in v.details


def test_ex1_and_ex2_not_evaluable_without_regression_tests():
    p = phase([(planned("f1"), "passed")])
    assert exit_verdict(p, "DIT.EX.1").status == NOT_EVALUABLE
    assert exit_verdict(p, "DIT.EX.2").status == NOT_EVALUABLE


def test_ex2_needs_every_selected_device_of_the_regression_sets_in_a_completed_test():
    results = _regression({"ESME-R": "passed", "GSME-R": "failed", "PPMID-R": "blocked"})
    v = exit_verdict(phase(results), "DIT.EX.2")
    assert v.status == NOT_MET
    assert f"{SB10}: no completed regression test with PPMID-R" in v.details
    assert any(d.startswith(f"{SB11}: no regression tests planned") for d in v.details)
    results += [(planned("r-sb", "SB-A", kind="regression", devices=("ESME-A", "GSME-A", "IHD-A")), "passed"),
                (planned("r-sbb", "SB-B", kind="regression", devices=("ESME-B", "GSME-B", "IHD-B")), "passed"),
                (planned("r-db", "DB", kind="regression", devices=("ESME-D",)), "failed")]
    results[2] = (results[2][0], "failed")          # the PPMID's test ran to a verdict: failing still counts
    assert exit_verdict(phase(results), "DIT.EX.2").status == MET


# -- DIT.EX.3: single band, 100 % by any combination of devices -------------------------------------------------

def _single_band(second: str):
    return [(planned("s1", "SB-A", devices=("ESME-A",)), "passed"),
            (planned("s1", "SB-B", devices=("ESME-B",)), second),
            (planned("s2", "SB-A", devices=("GSME-A", "IHD-A")), "passed"),
            (planned("s2", "SB-B", devices=("GSME-B", "IHD-B")), "passed")]


def test_ex3_met_when_every_scenario_passed_on_each_variant():
    v = exit_verdict(phase(_single_band("passed")), "DIT.EX.3")
    assert v.status == MET and v.evidence == f"{SB11}: 2 of 2 planned scenarios passed"


def test_ex3_excuses_a_failure_with_other_devices_only_when_traced_to_a_device_issue():
    results = _single_band("failed")
    p = phase(results)
    failed = next(t for t in p.tests if t.outcome == "failed")
    device_issue = issue("TI-1", 3, "Birch", executions=[failed.last.id])
    provider_issue = issue("TI-2", 3, "CSP N", executions=[failed.last.id])
    assert exit_verdict(p, "DIT.EX.3").status == NOT_MET
    assert "not traced to a device issue" in exit_verdict(p, "DIT.EX.3").details[0]
    executions = [t.last for t in p.tests]
    with_device = Phase.build([t for t, _ in results], executions, LAB, [device_issue], as_of=TODAY)
    with_provider = Phase.build([t for t, _ in results], executions, LAB, [provider_issue], as_of=TODAY)
    assert exit_verdict(with_device, "DIT.EX.3").status == MET
    assert exit_verdict(with_provider, "DIT.EX.3").status == NOT_MET


def test_ex3_not_met_when_a_scenario_passed_with_no_combination_or_a_test_never_ran():
    results = _single_band("passed")
    results[0] = (results[0][0], "failed")
    results[1] = (results[1][0], "failed")
    v = exit_verdict(phase(results), "DIT.EX.3")
    assert v.status == NOT_MET and f"{SB11}: install_commission/s1 passed with no combination of devices" in v.details
    results = _single_band("passed") + [(planned("s3", "SB-A"), None)]
    v = exit_verdict(phase(results), "DIT.EX.3")
    assert v.status == NOT_MET and any("s3 [B6 SB-A] not run" in d for d in v.details)


def test_ex3_needs_every_selected_device_of_the_single_band_sets_in_a_completed_test():
    """Every scenario passed on the variant, but the gas meters and IHDs of its test sets never took part."""
    results = [(planned("s1", "SB-A", devices=("ESME-A",)), "passed"), (planned("s1", "SB-B", devices=("ESME-B",)),
                                                                        "passed")]
    v = exit_verdict(phase(results), "DIT.EX.3")
    assert v.status == NOT_MET and v.evidence == f"{SB11}: 1 of 1 planned scenario passed"
    assert v.details == [f"{SB11}: no completed test with GSME-A, GSME-B, IHD-A, IHD-B"]


# -- DIT.EX.5: dual band, 85 % of completed non-business-critical, 100 % business-critical ----------------

def _dual_band(passed: int, failed: int, critical: str = "passed", extra=()):
    results = [(planned(f"n{i}", "DB", devices=("ESME-D",)), "passed" if i < passed else "failed")
               for i in range(passed + failed)]
    return results + [(planned("bc", "DB", devices=("ESME-D",), critical=True), critical), *extra]


def test_ex5_exactly_85_percent_is_met():
    v = exit_verdict(phase(_dual_band(17, 3)), "DIT.EX.5")
    assert v.status == MET
    assert "non-business-critical 17/20 passed (85.0 %" in v.evidence


def test_ex5_below_85_percent_is_not_met():
    assert exit_verdict(phase(_dual_band(16, 3)), "DIT.EX.5").status == NOT_MET       # 84.2 %
    assert exit_verdict(phase(_dual_band(16, 4)), "DIT.EX.5").status == NOT_MET       # 80 %


def test_ex5_any_business_critical_failure_is_not_met():
    v = exit_verdict(phase(_dual_band(20, 0, critical="failed")), "DIT.EX.5")
    assert v.status == NOT_MET and any("business-critical install_commission/bc" in d for d in v.details)


def test_ex5_counts_only_completed_tests_but_needs_every_planned_test_executed():
    blocked = (planned("blk", "DB", devices=("ESME-D",)), "blocked")
    v = exit_verdict(phase(_dual_band(17, 3, extra=[blocked])), "DIT.EX.5")
    assert "17/20 passed" in v.evidence                     # the blocked test is not in the denominator
    assert v.status == NOT_MET and any("blk [B6 DB] blocked" in d for d in v.details)


def test_ex5_not_evaluable_without_dual_band_tests():
    assert exit_verdict(phase(_single_band("passed")), "DIT.EX.5").status == NOT_EVALUABLE


# -- DIT.EX.4: the defect mask per service provider -----------------------------------------------------------

def _issues(provider: str, severity: int, count: int, status: str = "open"):
    return [issue(f"{provider}-{severity}-{n}", severity, provider, status) for n in range(count)]


def test_ex4_fifteen_severity_3_per_provider_is_within_sixteen_is_not():
    within = _issues("DSP", 3, 15) + _issues("CSP N", 3, 15) + _issues("CSP C/S", 3, 15)
    assert exit_verdict(phase([], within), "DIT.EX.4").status == MET
    over = _issues("DSP", 3, 16) + _issues("CSP N", 3, 15)
    v = exit_verdict(phase([], over), "DIT.EX.4")
    assert v.status == NOT_MET and v.evidence == "outside the defect mask: DSP severity 3: 16 outstanding, 15 allowed"
    table = mask(over)
    assert table["DSP"]["3"] == {"open": 16, "allowed": 15, "within": False}
    assert table["CSP N"]["3"] == {"open": 15, "allowed": 15, "within": True}


def test_ex4_one_open_severity_2_is_not_met_and_a_closed_one_is():
    assert exit_verdict(phase([], _issues("CSP C/S", 2, 1)), "DIT.EX.4").status == NOT_MET
    assert exit_verdict(phase([], _issues("CSP C/S", 2, 1, "closed")), "DIT.EX.4").status == MET
    assert exit_verdict(phase([], _issues("CSP C/S", 2, 1, "fixed")), "DIT.EX.4").status == NOT_MET   # not retested


def test_ex4_device_defects_do_not_count():
    device_defects = _issues("Alder Metering", 1, 3) + _issues("Birch", 3, 40)
    v = exit_verdict(phase([], device_defects), "DIT.EX.4")
    assert v.status == MET and "43 outstanding device issues reported separately, not counted" in v.evidence
    assert len(assess(phase([], device_defects))["defect_mask"]["device_issues"]) == 43


def test_ex4_the_other_severity_limits():
    assert exit_verdict(phase([], _issues("DSP", 4, 30) + _issues("DSP", 5, 60)), "DIT.EX.4").status == MET
    assert exit_verdict(phase([], _issues("DSP", 4, 31)), "DIT.EX.4").status == NOT_MET
    assert exit_verdict(phase([], _issues("DSP", 5, 61)), "DIT.EX.4").status == NOT_MET
    assert exit_verdict(phase([], _issues("DSP", 1, 1)), "DIT.EX.4").status == NOT_MET


# -- DIT.EX.6: work-off plans ------------------------------------------------------------------------------

GATE = dt.date(2026, 11, 2)     # 20 working days later: 2026-11-30; 40: 2026-12-30 (Christmas and Boxing Day)


def test_work_off_deadlines_count_working_days_from_the_quality_gate():
    assert add_working_days(GATE, 20) == dt.date(2026, 11, 30)
    assert add_working_days(GATE, 40) == dt.date(2026, 12, 30)
    assert judge(issue("a", 3, "DSP", plan="WOP", due="2026-11-30"), TODAY, GATE).deadline == dt.date(2026, 11, 30)
    assert judge(issue("a", 4, "CSP N", plan="WOP", due="2026-12-01"), TODAY, GATE).deadline == dt.date(2026, 12, 30)


def test_an_issue_is_overdue_once_its_plan_or_its_deadline_has_passed_unless_it_is_closed():
    """What the report flags: a plan past its due date, or no plan past the deadline one would have had."""
    late = dt.date(2026, 12, 1)                                     # the day after a severity 3's deadline
    no_plan = judge(issue("a", 3, "DSP"), late, GATE)
    assert (no_plan.overdue, no_plan.covered) == (True, False)
    assert judge(issue("a", 3, "DSP"), TODAY, GATE).overdue is False
    closed = judge(issue("a", 3, "DSP", "closed", plan="WOP", due="2026-11-20"), late, GATE)
    assert (closed.overdue, closed.covered, closed.why) == (False, True, "")


def test_ex6_met_when_every_outstanding_issue_has_a_plan_within_its_timescale():
    issues = [issue("a", 3, "DSP", plan="WOP-1", due="2026-11-30"), issue("b", 5, "CSP N", plan="WOP-2",
              due="2027-01-20"), issue("c", 2, "DSP", "closed"), issue("d", 1, "Alder", plan="MFR-9", due="2026-12-05")]
    assert exit_verdict(phase([], issues, quality_gate=GATE), "DIT.EX.6").status == MET


@pytest.mark.parametrize("bad, why", [
    (issue("a", 3, "DSP", plan="WOP-1", due="2026-12-01"), "after the 20-working-day deadline 2026-11-30"),
    (issue("a", 3, "DSP"), "no agreed work-off plan"),
    (issue("a", 2, "CSP C/S", plan="WOP-1", due="2026-11-25"), "severity 2 has no work-off timescale"),
    (issue("a", 4, "Alder", plan="MFR-1", due="2026-11-20"), "work-off plan due 2026-11-20 is overdue on 2026-11-21"),
])
def test_ex6_not_met(bad, why):
    v = exit_verdict(phase([], [bad], quality_gate=GATE), "DIT.EX.6")
    assert v.status == NOT_MET and why in v.details[0]


def test_ex6_not_evaluable_without_the_quality_gate_date_and_overdue_plans_are_flagged():
    v = exit_verdict(phase([], [issue("a", 3, "DSP", plan="WOP-1", due="2026-11-30")]), "DIT.EX.6")
    assert v.status == NOT_EVALUABLE
    late = phase([], [issue("a", 3, "DSP", plan="WOP-1", due="2026-11-10")], quality_gate=GATE)
    assert [i["id"] for i in assess(late)["defect_mask"]["overdue"]] == ["a"]


# -- DIT.EX.7: install and commission and firmware on SiLabs and NXP meter/CH combinations -----------------

def test_ex7_needs_install_and_firmware_on_every_leading_silicon_combination():
    lab = [hub("SB-A", SB11), device("ESME-A", "SB-A", SB11, "ESME", "Alder"),
           hub("SB-B", SB11, NXP), device("ESME-B", "SB-B", SB11, "ESME", "Birch", silicon=NXP),
           device("GSME-T", "SB-B", SB11, "GSME", "Cedar", silicon=TI)]
    results = [(planned("ic", "SB-A", devices=("ESME-A",)), "passed"),
               (planned("fw", "SB-A", family="firmware", devices=("ESME-A",)), "passed"),
               (planned("ic", "SB-B", devices=("ESME-B",)), "passed"),
               (planned("fw", "SB-B", family="firmware", devices=("ESME-B",)), "failed")]
    v = exit_verdict(phase(results, devices=lab), "DIT.EX.7")
    assert v.status == NOT_MET and v.details == ["NXP meter / NXP CH: no passed firmware test"]
    results[3] = (results[3][0], "passed")
    v = exit_verdict(phase(results, devices=lab), "DIT.EX.7")
    assert v.status == MET and v.evidence.endswith("NXP meter / NXP CH; Silicon Labs meter / Silicon Labs CH")
    ti_only = [hub("T", SB11, TI), device("ESME-T", "T", SB11, "ESME", "Cedar", silicon=TI)]
    assert exit_verdict(phase([], devices=ti_only), "DIT.EX.7").status == NOT_EVALUABLE


# -- DIT.EX.8-10: evidence, issue logs, traceability -----------------------------------------------------------

def test_ex8_needs_evidence_for_every_completed_test():
    t = planned("s1")
    p = Phase.build([t], [execution(t, "passed", evidence=None)], LAB, as_of=TODAY)
    assert exit_verdict(p, "DIT.EX.8").status == NOT_MET
    verified = phase([(t, "passed")])
    assert exit_verdict(verified, "DIT.EX.8").status == NOT_EVALUABLE      # its files not verified
    verified.folders = {verified.tests[0].executions[-1].id: FolderCheck({"DUIS": 2, "GBCS": 1, "HAN": 1})}
    assert exit_verdict(verified, "DIT.EX.8").status == MET
    assert exit_verdict(phase([(t, None)]), "DIT.EX.8").status == NOT_EVALUABLE


def test_ex8_judges_the_evidence_of_the_latest_execution_a_result_rests_on():
    t = planned("s1")
    first, retest = execution(t, "failed"), execution(t, "passed", evidence="evidence/y")
    p = Phase.build([t], [first, retest], LAB, as_of=TODAY)
    p.folders = {first.id: FolderCheck({"DUIS": 2}), retest.id: FolderCheck({"DUIS": 1}, ["a.xml: signature invalid"])}
    v = exit_verdict(p, "DIT.EX.8")
    assert v.status == NOT_MET and v.details == [f"{t.scenario_id} [B6 SB-A] (execution {retest.id}, evidence/y): "
                                                 "a.xml: signature invalid"]
    p.folders = {first.id: FolderCheck({"DUIS": 2}, ["a.xml: signature invalid"]), retest.id: FolderCheck({"DUIS": 1})}
    assert exit_verdict(p, "DIT.EX.8").status == MET


def test_ex8_verifies_the_folders_of_the_executions_the_results_rest_on(tmp_path):
    """Phase.read hands the verifier each completed test's latest execution: neither a superseded one nor one that
    ran to no verdict."""
    retested, held, never = planned("s1"), planned("s2"), planned("s3")
    with Ledger(f"sqlite:///{tmp_path / 'phase.db'}") as book:
        run = book.start_run("emulated", "", [])
        book.plan(run, [retested, held, never])
        first, latest, blocked = (book.record_execution(replace(execution(t, outcome, evidence=str(tmp_path / f)),
                                                                run_id=run, id=None))
                                  for t, outcome, f in ((retested, "failed", "a"), (retested, "passed", "b"),
                                                        (held, "blocked", "c")))
        given: list[int | None] = []

        def verify(executions: list[ExecutionRecord]) -> dict[int, FolderCheck]:
            given.extend(e.id for e in executions)
            return {e.id: FolderCheck({"DUIS": 1}) for e in executions if e.id is not None}

        p = Phase.read(book, as_of=TODAY, verify=verify)
    assert given == [latest] and first not in given and blocked not in given
    assert exit_verdict(p, "DIT.EX.8").status == MET


def test_ex9_every_failed_test_has_a_test_issue():
    t = planned("s1")
    p = phase([(t, "failed")])
    assert exit_verdict(p, "DIT.EX.9").status == NOT_MET
    linked = phase([(t, "failed")], [issue("TI-1", 3, "DSP", scenarios=[t.scenario_id])])
    assert exit_verdict(linked, "DIT.EX.9").status == MET
    assert assess(linked)["tests"][0]["issues"] == ["TI-1"]


def test_ex10_planned_never_run_breaks_traceability():
    v = exit_verdict(phase([(planned("s1"), "passed"), (planned("s2"), None)]), "DIT.EX.10")
    assert v.status == NOT_MET and "install_commission/s2 [B6 SB-A]: planned, never run" in v.details


def test_ex10_a_conditional_requirement_without_its_condition_needs_no_trace():
    s1 = planned("s1")
    captured = {s1.node: {"frames": 9, "latencies_s": {"2.4 GHz": [0.01], "sub-GHz": [0.02]}, "channel_changes": [],
                          "sub_ghz": {"peak_percent": 0.1, "busiest": "CH", "states": []}}}
    evidence = [CriterionEvidence("DIT.7", "met", "https://dcc.example/dit/device-selection", "a",
                                  "2026-11-20T10:00:00+00:00")]
    evidence += [CriterionEvidence(r, "met", "run 1: han.pcap", "dit run", "2026-11-20T10:00:00+00:00",
                                   automated=True, run_id=1, detail={"executions": captured})
                 for r in ("DIT.8", "DIT.11")]
    lab = [d for d in LAB if d.device_type != "HCALCS"]
    v = exit_verdict(phase([(s1, "passed")], evidence=evidence, devices=lab), "DIT.EX.10")
    assert "14 of the 14 requirements that apply traced" in v.evidence and v.status == MET
    dit10 = next(r for r in requirements(phase([(planned("s1"), "passed")])) if r.id == "DIT.10")
    assert (dit10.status, dit10.applies) == (NOT_EVALUABLE, False)


def test_ex11_and_ex12_are_board_decisions_recorded_as_evidence():
    p = phase([])
    assert exit_verdict(p, "DIT.EX.11").status == NOT_MET
    approved = phase([], evidence=[
        CriterionEvidence("DIT.EX.11", "met", "https://dcc.example/tab/minutes-2026-11-20", "Lab lead",
                          "2026-11-20T10:00:00+00:00"),
        CriterionEvidence("DIT.EX.12", "met", "https://dcc.example/tab/DIT-R2.0-001", "TAB chair",
                          "2026-11-21T10:00:00+00:00")])
    assert exit_verdict(approved, "DIT.EX.11").status == MET
    assert exit_verdict(approved, "DIT.EX.12").evidence.startswith("https://dcc.example/tab/DIT-R2.0-001")


# -- entry criteria and requirements ----------------------------------------------------------------------

def test_entry_criteria_from_recorded_evidence_the_latest_counts():
    ev = [CriterionEvidence("DIT.EN.1", "not_met", "https://dcc.example/gate/draft", "a", "2026-10-01T09:00:00+00:00"),
          CriterionEvidence("DIT.EN.1", "met", "https://dcc.example/gate/v1.0", "a", "2026-10-02T09:00:00+00:00"),
          CriterionEvidence("DIT.EN.3", "workaround", "https://dcc.example/beis/emulators", "b",
                            "2026-10-02T09:00:00+00:00"),
          CriterionEvidence("DIT.EN.4", "not_met", "https://dcc.example/pit/pending", "c", "2026-10-02T09:00:00+00:00")]
    verdicts = {v.id: v for v in entry_criteria(phase([], evidence=ev))}
    assert verdicts["DIT.EN.1"].status == MET
    assert verdicts["DIT.EN.3"].status == MET and verdicts["DIT.EN.3"].evidence.startswith("met with a workaround")
    assert verdicts["DIT.EN.4"].status == NOT_MET
    assert verdicts["DIT.EN.2"].status == NOT_EVALUABLE


def test_device_requirements_count_only_devices_tests_ran_with():
    results = [(planned("s1", "SB-A", devices=("ESME-A",)), "passed"),
               (planned("s1", "SB-B", devices=("ESME-B",)), "not_run")]
    dit1 = next(v for v in requirements(phase(results)) if v.id == "DIT.1")
    assert dit1.status == NOT_MET and "only 1 ESME" in dit1.evidence
    results[1] = (results[1][0], "failed")          # tested, even though it failed
    dit1 = next(v for v in requirements(phase(results)) if v.id == "DIT.1")
    assert dit1.status == MET and dit1.devices == ["ESME-A", "ESME-B"]


def test_requirements_from_tests_and_evidence():
    lcd = planned("lcd", family="no_wan_lcd")
    regression = planned("r", "R10", devices=("ESME-R",), requirements=["DIT.15"])
    verdicts = {v.id: v for v in requirements(phase([(lcd, "passed"), (regression, "failed")]))}
    assert verdicts["DIT.13"].status == MET and verdicts["DIT.13"].scenarios == ["no_wan_lcd/lcd"]
    assert verdicts["DIT.15"].status == NOT_MET
    assert verdicts["DIT.15"].details == ["install_commission/r [B4 R10]: failed"]
    assert verdicts["DIT.14"].status == NOT_MET            # no SMETS2 v3.0 device on a CHTS v1.0 hub
    assert verdicts["DIT.8"].status == NOT_EVALUABLE and "dit han analyse" in verdicts["DIT.8"].evidence
    assert [v for v in verdicts] == [f"DIT.{n}" for n in range(1, 16)]


def _requirement(p: Phase, req: str) -> Verdict:
    return next(v for v in requirements(p) if v.id == req)


def test_a_device_requirement_the_devices_meet_is_not_met_while_a_scenario_tagged_with_it_fails():
    results = [(planned("s1", "SB-A", devices=("ESME-A",)), "passed"),
               (planned("s2", "SB-B", devices=("ESME-B",), requirements=["DIT.1"]), "failed")]
    dit1 = _requirement(phase(results), "DIT.1")
    assert dit1.status == NOT_MET and "met by ESME-A" in dit1.evidence
    assert dit1.details[0] == "tagged scenarios: 1 test of 1 scenario: 1 failed"
    results[1] = (results[1][0], "passed")
    assert _requirement(phase(results), "DIT.1").status == MET


def test_dit14_and_dit15_count_only_the_tests_they_name():
    v2_on_v10 = (planned("r", "R10", devices=("ESME-R",)), "passed")         # a SMETS2 v2.0 meter, DSP R2.0
    assert _requirement(phase([v2_on_v10]), "DIT.14").status == NOT_MET    # DIT.14 wants a v3.0 device there
    assert _requirement(phase([v2_on_v10]), "DIT.15").status == MET
    before_r2 = (replace(v2_on_v10[0], dsp_csp="R1.3"), "passed")           # the same meters with DSP R1.3
    assert _requirement(phase([before_r2]), "DIT.15").status == NOT_MET


def test_dit7_is_the_latest_selection_document_that_holds_up():
    def dit7(status: str, reference: str) -> Verdict:
        return _requirement(phase([], evidence=[CriterionEvidence("DIT.7", status, reference, "Lab lead",
                                                                  "2026-11-20T10:00:00+00:00")]), "DIT.7")

    assert dit7("met", "https://dcc.example/dit/selection-v2").status == MET
    assert dit7("not_met", "https://dcc.example/dit/selection-v1").status == NOT_MET
    unfounded = dit7("met", "the selection report")                         # neither a file nor a URL
    assert unfounded.status == NOT_EVALUABLE and "does not hold up" in unfounded.evidence


# -- heatmap ----------------------------------------------------------------------------------------------

def test_heatmap_cells_by_ch_variant_and_device_and_combinations():
    results = _single_band("failed") + [(planned("b", "SB-A", devices=("ESME-A",)), "blocked"),
                                        (planned("n", "SB-A", devices=("ESME-A",)), None)]
    heat = assess(phase(results))["heatmap"]
    cells = {(c["ch_variant"], c["device"]): c for c in heat["cells"]}
    assert cells[(SB11, "ESME-A")] == {"ch_variant": SB11, "device": "ESME-A", "executed": 1, "passed": 1,
                                       "failed": 0, "blocked": 1, "pass_rate": 1.0}
    assert cells[(SB11, "ESME-B")]["pass_rate"] == 0.0
    assert [c["device"] for c in heat["columns"]][:2] == ["ESME-A", "ESME-B"]
    assert {"ch_variant": SB11, "devices": ["GSME-B", "IHD-B"], "executed": 1, "passed": 1} in heat["combinations"]


def test_heatmap_combinations_are_only_those_of_completed_tests():
    """DIT.EX.3's "any combination": a test blocked or never run tested no combination of devices."""
    results = [(planned("s1", "SB-A", devices=("ESME-A",)), "passed"),
               (planned("s2", "SB-A", devices=("GSME-A", "IHD-A")), "blocked"),
               (planned("s3", "SB-B", devices=("ESME-B", "GSME-B")), None)]
    heat = assess(phase(results))["heatmap"]
    assert heat["combinations"] == [{"ch_variant": SB11, "devices": ["ESME-A"], "executed": 1, "passed": 1}]


def test_dit_can_exit_only_when_every_exit_criterion_is_met():
    v = verdict([], [Verdict(f"DIT.EX.{n}", "", MET, "") for n in range(1, 13)])
    assert (v["can_exit"], v["text"]) == (True, "DIT can exit")
    one_open = [Verdict(f"DIT.EX.{n}", "", MET if n != 10 else NOT_EVALUABLE, "") for n in range(1, 13)]
    assert verdict([], one_open)["text"] == "DIT cannot exit yet: 0 exit criteria not met, 1 not evaluable"
    one_not_met = [Verdict(f"DIT.EX.{n}", "", MET if n > 1 else NOT_MET, "") for n in range(1, 13)]
    assert (verdict([], one_not_met)["can_exit"], verdict([], one_not_met)["text"]) == (
        False, "DIT cannot exit yet: 1 exit criterion not met, 0 not evaluable")
    assert assess(phase([]))["verdict"]["can_exit"] is False
