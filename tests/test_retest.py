"""`dit run --retest ISSUE`: the scenarios linked to a test issue run again, each where its linked execution ran (a
scenario linked as a whole on the run's targets), recorded like any run; the issue then closes without a reason.
A retest takes no -k or -m (it runs every linked scenario: refused, not intersected). Closing without a retest
needs a recorded reason, which `dit issue list` and the report's issue table show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dit_command import dit
from lxml import html

from harness.cli import build_parser
from harness.cli.run import RunSelection
from harness.lab.targets import ChosenTest
from harness.ledger import ExecutionRecord, Ledger

ELECTRICITY = "tariff_update/tariff-update-product-change-electricity"
PRICE = "price_update/price-update-electricity"


def test_a_retest_runs_the_linked_scenarios_where_they_ran_and_lets_the_issue_close(tmp_path):
    ledger, smki = f"sqlite:///{tmp_path / 'phase.db'}", str(tmp_path / "smki")
    for esme in ("ESME-79-1-birch", "ESME-79-2-alder"):       # whichever plays the ESME (lab.casts), it is blocked
        assert dit("lab", "suspend", esme, "--condition", "4", "--reason", "no response to any SR",
                   "--ledger", ledger, DIT_SMKI=smki).returncode == 0
    first = dit("run", "-m", "tariff_update", "--test-set", "DB11-core", "--ledger", ledger,
                "--report-dir", str(tmp_path / "r1"), DIT_SMKI=smki)
    assert first.returncode == 0, first.stdout + first.stderr
    with Ledger(ledger) as book:
        blocked = next(e for e in book.executions() if e.scenario_id == ELECTRICITY and not e.cast)
    assert (blocked.outcome.value, blocked.baseline, blocked.test_set) == ("blocked", "B6", "DB11-core")
    raised = dit("issue", "raise", "--title", "ESME drops the tariff after 1.1.1", "--severity", "3", "--owner", "DSP",
                 "--execution", str(blocked.id), "--scenario", PRICE, "--ledger", ledger)
    assert raised.returncode == 0, raised.stderr

    refused = dit("issue", "update", "TI-0001", "--status", "closed", "--ledger", ledger)
    assert refused.returncode == 2 and len(refused.stderr.splitlines()) == 1
    assert f"TI-0001 cannot be closed: no later passing execution of {PRICE}, {ELECTRICITY}" in refused.stderr
    listed = dit("issue", "list", "--ledger", ledger)
    assert f"retest: {PRICE}, {ELECTRICITY}" in listed.stdout
    rows = json.loads(dit("issue", "list", "--json", "--ledger", ledger).stdout)
    assert rows[0]["unretested"] == [PRICE, ELECTRICITY]

    for esme in ("ESME-79-1-birch", "ESME-79-2-alder"):
        assert dit("lab", "resume", esme, "--fix", "CRB-2026-117", "--ledger", ledger, DIT_SMKI=smki).returncode == 0
    retest = dit("run", "--retest", "TI-0001", "--ledger", ledger, "--report-dir", str(tmp_path / "r2"), DIT_SMKI=smki)
    assert retest.returncode == 0, retest.stdout + retest.stderr
    assert "TI-0001: each linked scenario has passed since" in retest.stdout
    with Ledger(ledger) as book:
        run = book.runs()[-1]
        ran = {(e.scenario_id, e.baseline, e.test_set, e.cast): e.outcome.value for e in book.executions(run.id)}
        planned = {(p.scenario_id, p.baseline, p.test_set, p.cast) for p in book.planned(run.id)}
    assert run.selection == "--retest TI-0001"
    # the blocked execution's test (target and cast) alone; the scenario linked as a whole on the default target,
    # B6 SB11-core, in each of its casts there; nothing else run or planned
    assert {key for key in ran if key[0] == ELECTRICITY} == {blocked.key}
    price = {key for key in ran if key[0] == PRICE}
    assert price and {key[1:3] for key in price} == {("B6", "SB11-core")}
    assert set(ran) == {blocked.key} | price == planned and set(ran.values()) == {"passed"}
    listed = dit("issue", "list", "--ledger", ledger)
    assert "retest:" not in listed.stdout
    closed = dit("issue", "update", "TI-0001", "--status", "closed", "--ledger", ledger)
    assert closed.returncode == 0 and "closed" in closed.stdout, closed.stderr


@pytest.fixture
def issue_ledger(tmp_path) -> str:
    """A ledger with one failed execution on B6 SB11-core and TI-0001 linked to it."""
    ledger = f"sqlite:///{tmp_path / 'phase.db'}"
    with Ledger(ledger) as book:
        run = book.start_run("Emulated lab", "", [])
        failed = book.record_execution(ExecutionRecord(run, "a", PRICE, "failed", "2026-11-21T10:00:00",
                                                       baseline="B6", test_set="SB11-core"))
        book.finish_run(run)
        book.raise_issue("Price not applied", 3, "DSP", executions=[failed])
    return ledger


def _runs(ledger: str) -> int:
    with Ledger(ledger) as book:
        return len(book.runs())


PART = "--retest TI-0001 runs every scenario linked to the issue; it takes no"


@pytest.mark.parametrize("flags, message", [
    (["--retest", "TI-0009"], "no test issue TI-0009 in the ledger (dit issue list shows them)"),
    (["--retest", "TI-0001", "-k", "price"], f"{PART} -k"),
    (["--retest", "TI-0001", "-m", "ESME"], f"{PART} -m"),
])
def test_a_retest_of_no_issue_or_of_part_of_one_is_one_line_and_records_no_run(issue_ledger, tmp_path, flags,
                                                                                message):
    result = dit("run", *flags, "--ledger", issue_ledger, "--report-dir", str(tmp_path / "r"),
                 DIT_SMKI=str(tmp_path / "smki"))
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1 and message in result.stderr, result.stderr
    assert _runs(issue_ledger) == 1


def test_a_retest_needs_the_ledger_the_issue_is_in(tmp_path):
    result = dit("run", "--retest", "TI-0001", "--report-dir", str(tmp_path / "r"), DIT_SMKI=str(tmp_path / "smki"))
    assert result.returncode == 2 and "no phase ledger here" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "r" / "phase.db").exists()       # a retest makes no ledger


def test_an_issue_linked_to_nothing_to_a_test_set_the_lab_lacks_or_to_no_scenario_there_is_refused(tmp_path):
    ledger = f"sqlite:///{tmp_path / 'phase.db'}"
    with Ledger(ledger) as book:
        run = book.start_run("bench 1", "", [])
        elsewhere = book.record_execution(ExecutionRecord(run, "a", PRICE, "failed", "2026-11-21T10:00:00",
                                                          baseline="B6", test_set="bench-1"))
        book.raise_issue("Price not applied", 3, "DSP", executions=[elsewhere])
        book.raise_issue("Nothing linked", 4, "DSP")
        book.raise_issue("IHD blank", 4, "DSP", scenarios=["ihd/withdrawn-since"])
    bench = dit("run", "--retest", "TI-0001", "--ledger", ledger, "--report-dir", str(tmp_path / "r"))
    assert bench.returncode == 2 and len(bench.stderr.splitlines()) == 1
    assert f"TI-0001's execution {elsewhere} ran on test set bench-1, which lab Emulated lab has not" in bench.stderr
    nothing = dit("run", "--retest", "TI-0002", "--ledger", ledger, "--report-dir", str(tmp_path / "r"))
    assert nothing.returncode == 2 and "TI-0002 is linked to no execution or scenario" in nothing.stderr
    gone = dit("run", "--retest", "TI-0003", "--ledger", ledger, "--report-dir", str(tmp_path / "r"),
               DIT_SMKI=str(tmp_path / "smki"))
    assert gone.returncode == 2 and len(gone.stderr.splitlines()) == 1
    assert "no scenario linked to TI-0003 runs on its targets: ihd/withdrawn-since" in gone.stderr
    assert _runs(ledger) == 1           # the retest that ran nothing is taken back out


def test_closing_without_a_retest_needs_a_reason_which_the_list_and_the_report_show(issue_ledger, tmp_path):
    stray = dit("issue", "update", "TI-0001", "--reason", "withdrawn", "--ledger", issue_ledger)
    assert stray.returncode == 2 and "--reason says why an issue is closed without a retest" in stray.stderr
    reason = "scenario withdrawn from the plan (CR-9)"
    closed = dit("issue", "update", "TI-0001", "--status", "closed", "--reason", reason, "--ledger", issue_ledger)
    assert closed.returncode == 0, closed.stderr
    assert f"closed without retest: {reason}" in dit("issue", "list", "--ledger", issue_ledger).stdout
    out = tmp_path / "report"
    assert dit("report", "--ledger", issue_ledger, "--out", str(out), "--no-pdf").returncode == 1   # not every met
    row = html.fromstring((out / "report.html").read_text()).xpath("//table[@id='issue-list']//tr[td='TI-0001']")[0]
    assert f"without retest: {reason}" in row.text_content()
    issue = json.loads((out / "summary.json").read_text())["issues"][0]
    assert (issue["status"], issue["close_reason"]) == ("closed", reason)


def test_the_ledger_records_the_retest_as_typed_and_pytest_gets_the_tests_it_chose():
    typed = RunSelection.from_args(build_parser().parse_args(["run", "--retest", "TI-0001", "-n", "2"]))
    assert typed.text == "-n 2 --retest TI-0001"
    assert not any("retest" in a for a in typed.pytest_args(Path("r")))
    chosen = ChosenTest(PRICE, "B6", "SB11-core")
    resolved = RunSelection(baselines=("B6",), test_sets=("SB11-core",), retest="TI-0001", tests=(chosen.option,))
    assert resolved.text == "--baseline B6 --test-set SB11-core --retest TI-0001"
    assert resolved.pytest_args(Path("r"))[-3:] == ["--baseline=B6", "--test-set=SB11-core",
                                                     f"--dit-test={chosen.option}"]
    assert ChosenTest.parse(chosen.option) == chosen


def test_a_chosen_test_in_no_cast_is_the_scenario_on_its_target_in_each_cast():
    any_cast, one_cast = ChosenTest(PRICE, "B6", "SB11-core"), ChosenTest(PRICE, "B6", "SB11-core", "ESME=ESME 2")
    assert any_cast.matches((PRICE, "B6", "SB11-core", "")) and any_cast.matches((PRICE, "B6", "SB11-core", "x"))
    assert one_cast.matches((PRICE, "B6", "SB11-core", "ESME=ESME 2"))
    assert not one_cast.matches((PRICE, "B6", "SB11-core", ""))
    assert not any_cast.matches((PRICE, "B5", "SB11-core", "")) and not any_cast.matches((PRICE, "B6", "DB11-core", ""))
