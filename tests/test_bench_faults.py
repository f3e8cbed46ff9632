"""Real benches fail in ways emulators do not: each fault makes its scenario blocked (not failed) with a clear
reason, marks the bench broken so the rest of the run is blocked rather than failed one by one, and keeps
every record. The faults are made for real by tests/bench_faults.py inside `dit run`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dit_command import dit

from harness.ledger import Ledger

TESTS = Path(__file__).resolve().parent
PLANNED = 8         # install & commission's 4 variants on B6, as named and with the second meters (lab.casts)


def _run(tmp_path: Path, fault: str, *extra: str):
    report = tmp_path / "reports"
    result = dit("run", "-m", "install_commission", "--report-dir", str(report), *extra, DIT_FAULT=fault,
                 PYTEST_PLUGINS="bench_faults", PYTHONPATH=str(TESTS), DIT_SMKI=str(tmp_path / "smki"))
    summary = json.loads((report / "summary.json").read_text())
    with Ledger(f"sqlite:///{report / 'phase.db'}") as book:
        [run] = book.runs()
        executions = book.executions()
    return result, summary, run, executions


def _ran(summary) -> list[dict]:
    return [e for e in summary["executions"] if e["outcome"] != "not_run"]


def test_the_console_cable_pulled_out_blocks_the_scenario_and_the_bench(tmp_path):
    result, summary, run, executions = _run(tmp_path, "unplug:ESME", "--serial-consoles")
    assert result.returncode == 1, result.stdout + result.stderr
    first, *rest = _ran(summary)
    assert first["outcome"] == "blocked"
    assert first["error"].startswith("bench fault: serial port /dev/pts/") and "(ESME console)" in first["error"]
    assert "the port went away" in first["error"] or "no answer" in first["error"]
    assert rest and all(e["outcome"] == "blocked" and e["error"].startswith("the bench is broken: serial port")
                        for e in rest)
    assert summary["totals"]["failed"] == 0 and summary["totals"]["blocked"] == PLANNED
    # every record kept: the run completed, each execution in the ledger as blocked with its reason
    assert run.status == "completed" and [e.outcome for e in executions] == ["blocked"] * PLANNED
    assert executions[0].error == first["error"]
    assert "the bench broke" in result.stderr
    console = Path(first["evidence"]) / "console-ESME.txt"
    assert console.exists() and "POWER ON" in console.read_text()


@pytest.mark.parametrize("fault, reason", [
    ("dcc-down", "cannot reach"),
    ("dcc-silent", "no response to"),
    ("dcc-malformed", "not well-formed"),
    ("dcc-badsig", "signature"),
])
def test_dcc_faults_block_the_scenario_and_the_bench(tmp_path, fault, reason):
    result, summary, run, executions = _run(tmp_path, fault)
    assert result.returncode == 1, result.stdout + result.stderr
    first, *rest = _ran(summary)
    assert first["outcome"] == "blocked" and first["error"].startswith("bench fault: ") and reason in first["error"]
    assert all(e["outcome"] == "blocked" and e["error"].startswith("the bench is broken: DCC") for e in rest)
    assert summary["totals"]["failed"] == 0
    assert run.status == "completed" and len(executions) == PLANNED and {e.outcome for e in executions} == {"blocked"}


def test_a_step_the_bench_cannot_do_blocks_its_scenario_and_the_run_goes_on(tmp_path):
    """NotOnThisBench is no bench fault: its scenario is blocked, not failed, the bench is not broken, and a run
    where everything else passed exits 0."""
    result, summary, run, executions = _run(tmp_path, "not-on-bench", "-k", "not ESME2 and not GSME2")
    assert result.returncode == 0, result.stdout + result.stderr
    first, *rest = _ran(summary)
    assert first["outcome"] == "blocked"
    assert first["error"] == "not on this bench: bench_faults: needs someone to fit the Communications Hub"
    assert len(rest) == 3 and all(e["outcome"] == "passed" for e in rest), rest
    assert "the bench broke" not in result.stderr and "nothing could run" not in result.stderr
    assert run.status == "completed" and [e.blocked.blocker.value if e.blocked else None for e in executions] == [
        "not_on_this_bench", None, None, None]


def test_install_and_no_wan_run_green_through_serial_consoles_on_pseudo_terminals(tmp_path):
    report = tmp_path / "reports"
    result = dit("run", "-m", "install_commission or no_wan_lcd", "--serial-consoles", "--report-dir", str(report),
                 DIT_SMKI=str(tmp_path / "smki"))
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((report / "summary.json").read_text())
    assert summary["totals"]["passed"] == 2 * 8 and summary["totals"]["failed"] == 0     # each in 2 casts
    lcd = next(e for e in summary["executions"] if e["scenario_id"].startswith("no_wan_lcd/") and e["evidence"])
    transcript = (Path(lcd["evidence"]) / "console-HHT.txt").read_text()
    assert "> DELIVER " in transcript and "< OK TAKEN" in transcript and "> COLLECTED" in transcript
    installed = next(e for e in summary["executions"] if e["scenario_id"].startswith("install_commission/"))
    assert "< OK" in (Path(installed["evidence"]) / "console-ESME.txt").read_text()
