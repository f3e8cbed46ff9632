"""The completion report's document parts and the figures it charts: the test items with their versions and the HAN
figures from ledger records (harness.criteria.completion), the report's identification, lessons learned and
deliverables (harness.report.document), and `dit report --lessons` refusing a bad file in one line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from dit_command import dit

from harness.criteria import Phase, assess, completion
from harness.criteria.completion import LATENCY_EDGES_MS, han_figures
from harness.errors import DitError
from harness.ledger import CriterionEvidence, DeviceRecord, ExecutionRecord, Participant, PlannedTest, RunRecord
from harness.ledger.records import Part
from harness.report.document import ReportDocument, deliverables, identification, read_lessons, report_id

TODAY = dt.date(2026, 11, 21)
SB11, DB11 = "CHTS v1.1 Single Band", "CHTS v1.1 Dual Band"
LAB = [DeviceRecord("CH-78-1", "SB11-core", SB11, "CHF", "Elm Communications", "E111", "CHTS v1.1", "2.0", "1.4"),
       DeviceRecord("ESME-78-1-alder", "SB11-core", SB11, "ESME", "Alder Metering", "0A31", "SMETS2 v3.0", "2.0",
                    "1.4", firmware_version="00020001"),
       DeviceRecord("HHT-78", "SB11-core", SB11, "HHT", "DIT0", "0001"),
       DeviceRecord("CH-79-1", "DB11-core", DB11, "CHF", "Fir Hubs", "F112", "CHTS v1.1", "2.0", "1.4", sub_ghz=True),
       DeviceRecord("GSME-79-1-birch", "DB11-core", DB11, "GSME", "Birch Instruments", "0B32", "SMETS2 v3.0", "2.0",
                    "1.4", sub_ghz=True, firmware_version="00030002")]


def _planned(scenario: str, test_set: str, baseline: str = "B6") -> PlannedTest:
    variant = DB11 if test_set.startswith("DB") else SB11
    return PlannedTest(f"features::{scenario}[{baseline}-{test_set}]", f"fam/{scenario}", scenario, "ihd", [], "High",
                       False, ["DIT.11"], baseline, test_set, variant, variant == DB11, "functional", "R2.0", "R2.0",
                       "CHTS v1.1", "SMETS2 v3.0", [])


def _executed(test: PlannedTest, run: int, ident: int, finished: str, evidence: str = "") -> ExecutionRecord:
    return ExecutionRecord(run, test.node, test.scenario_id, "passed", finished, test.baseline, test.test_set,
                           test.ch_variant, [], id=ident, evidence=evidence or None,
                           participants=[Participant("ESME-78-1-alder", "ESME", (Part.ANSWERED,))])


def _figures(run: int, by_node: dict[str, dict], requirement: str) -> CriterionEvidence:
    """A run's automated HAN evidence, as harness.run.han_evidence records each capture's figures."""
    return CriterionEvidence(requirement, "met", f"run {run}: han.pcap", "dit run", "2026-11-20T10:00:00+00:00",
                             automated=True, run_id=run,
                             detail={"executions": {node: {"frames": 40, **f} for node, f in by_node.items()}})


@pytest.fixture(scope="module")
def phase() -> Phase:
    """Three tests: one run 1 executed and run 2 executed again (its run 1 figures no longer count), one only run 1
    executed, and one never run."""
    sb, db, never = _planned("ic", "SB11-core"), _planned("dual", "DB11-core"), _planned("gone", "SB11-core", "B5")
    executions = [_executed(sb, 1, 1, "2026-11-19T10:00:00+00:00"), _executed(db, 1, 2, "2026-11-19T11:00:00+00:00"),
                  _executed(sb, 2, 3, "2026-11-20T09:00:00+00:00")]
    evidence = [
        _figures(1, {sb.node: {"latencies_s": {"2.4 GHz": [9.0]}},           # superseded by run 2: never counted
                     db.node: {"latencies_s": {"2.4 GHz": [0.004], "sub-GHz": [0.03, 0.3, 7.5]}}}, "DIT.11"),
        _figures(2, {sb.node: {"latencies_s": {"2.4 GHz": [0.0015, 0.006]}}}, "DIT.11"),
        _figures(1, {db.node: {"sub_ghz": {"peak_percent": 1.6, "busiest": "CH-79-1", "states": ["Limited"]},
                               "channel_changes": [{"band": "sub-GHz", "trigger": "scan"}]},
                     sb.node: {"sub_ghz": None, "channel_changes": []}}, "DIT.8")]
    runs = [RunRecord(n, f"2026-11-{18 + n}T08:00:00+00:00", None, "completed", "Emulated lab", "--matrix",
                      ["features", f"--junitxml=/srv/r{n}/junit.xml", f"--alluredir=/srv/r{n}/allure-results"],
                      "bench-1", 1) for n in (1, 2)]
    return Phase.build([sb, db, never], executions, LAB, evidence=evidence, runs=runs, as_of=TODAY, name="DIT R2.0",
                       ledger="/srv/dit/phase.db")


def test_test_items_are_the_baselines_test_sets_and_devices_with_their_versions(phase):
    items = completion.test_items(phase)
    assert [b["baseline"] for b in items["baselines"]] == ["B5", "B6"]
    b6 = items["baselines"][1]
    assert (b6["service_user"], b6["dsp_csp"], b6["test_sets"]) == ("R2.0", "R2.0", ["SB11-core", "DB11-core"])
    sets = {s["test_set"]: s for s in items["test_sets"]}
    assert sets["SB11-core"]["hub"]["model"] == "E111" and sets["SB11-core"]["devices"] == 1   # the HHT is a tool
    assert sets["DB11-core"]["hub"]["manufacturer"] == "Fir Hubs"
    assert [(d["asset"], d["model"], d["gbcs_version"], d["zigbee_version"]) for d in items["devices"]] == [
        ("GSME-79-1-birch", "0B32", "2.0", "1.4"), ("ESME-78-1-alder", "0A31", "2.0", "1.4")]
    assert [d["firmware_version"] for d in items["devices"]] == ["00030002", "00020001"]      # as the run recorded


def test_latencies_are_binned_per_band_from_each_tests_latest_execution_only(phase):
    bands = {b["band"]: b for b in han_figures(phase)["latency"]}
    assert list(bands) == ["2.4 GHz", "sub-GHz"]
    counts = {b["from_ms"]: b["count"] for b in bands["2.4 GHz"]["bins"]}
    # 1.5 ms, 6 ms (run 2's rerun) and 4 ms (the dual band test); run 1's 9 s of the rerun test is gone
    assert bands["2.4 GHz"]["exchanges"] == 3 and counts[0] == 1 and counts[2] == 1 and counts[5] == 1
    assert sum(counts.values()) == 3 and counts[LATENCY_EDGES_MS[-1]] == 0
    sub = {b["from_ms"]: b["count"] for b in bands["sub-GHz"]["bins"]}
    assert sub[20] == 1 and sub[200] == 1 and sub[5000] == 1          # 30 ms, 300 ms, 7.5 s: the open last bin
    assert bands["sub-GHz"]["max_ms"] == 7500.0 and bands["sub-GHz"]["p50_ms"] == 300.0


def test_the_duty_cycle_is_each_latest_execution_with_sub_ghz_traffic_in_time_order(phase):
    figures = han_figures(phase)
    assert figures["duty_cycle"] == [{"finished_at": "2026-11-19T11:00:00+00:00", "execution": 2,
                                      "test": "fam/dual [B6 DB11-core]", "peak_percent": 1.6, "busiest": "CH-79-1",
                                      "channel_changes": 1}]
    assert figures["thresholds"] == {"limited": 1.3, "critical": 2.2, "regulated": 2.5}


def test_the_assessment_carries_them_and_an_absolute_ledger_path(phase, tmp_path, monkeypatch):
    assessment = assess(phase, generated="2026-11-21T10:00:00+00:00")
    assert assessment["test_items"] == completion.test_items(phase) and assessment["han"] == han_figures(phase)
    monkeypatch.chdir(tmp_path)
    relative = Phase.build([], [], as_of=TODAY, ledger="reports/phase.db")
    assert assess(relative)["phase"]["ledger"] == str(tmp_path / "reports" / "phase.db")


def test_the_report_id_names_the_phase_its_runs_and_the_day(phase):
    assessment = assess(phase, generated="2026-11-21T10:00:00+00:00")
    assert report_id(assessment) == "DIT-R2.0-TCR-R1-2-20261121"
    one_run = {**assessment, "phase": {**assessment["phase"], "runs": assessment["phase"]["runs"][:1]}}
    assert report_id(one_run) == "DIT-R2.0-TCR-R1-20261121"
    ident = identification(assessment, ReportDocument(author="J. Smith", version="1.0"))
    assert ident["date"] == "2026-11-21" and ident["author"] == "J. Smith" and ident["version"] == "1.0"
    assert ident["distribution"] == ["DCC test assurance board", "DIT test lead"]
    assert identification(assessment)["author"]                 # the user's name by default, never empty


def test_deliverables_are_linked_relative_to_the_report_and_missing_ones_say_so(phase, tmp_path):
    evidence = tmp_path / "reports" / "evidence" / "fam__ic@B6-SB11-core"
    evidence.mkdir(parents=True)
    (tmp_path / "reports" / "junit.xml").write_text("<testsuites/>")
    assessment = assess(phase)
    assessment["phase"]["runs"][0]["argv"] = ["features", f"--junitxml={tmp_path / 'reports' / 'junit.xml'}"]
    assessment["tests"][0]["evidence"] = str(evidence)
    found = {d["what"]: d for d in deliverables(assessment, tmp_path / "reports" / "report")}
    assert found["JUnit XML, run 1"]["href"] == "../junit.xml" and found["JUnit XML, run 1"]["exists"]
    assert found["Evidence folders"]["href"] == "../evidence/" and "(1)" in found["Evidence folders"]["about"]
    assert found["Allure results, run 2"]["exists"] is False              # /srv/r2 is not on this machine
    assert found["Phase ledger (SQLite)"]["path"] == "/srv/dit/phase.db"
    assert "Completion report (PDF)" not in {d["what"] for d in deliverables(assessment, tmp_path, pdf=False)}


def test_lessons_are_paragraphs_or_list_items(tmp_path):
    lessons = tmp_path / "lessons.txt"
    lessons.write_text("# Lessons\n- Book the dual band hubs\n  a week ahead.\n* Record firmware at intake.\n\n"
                       "A paragraph of its own,\non two lines.\n", encoding="utf-8")
    assert read_lessons(lessons) == ["Book the dual band hubs a week ahead.", "Record firmware at intake.",
                                     "A paragraph of its own, on two lines."]
    (tmp_path / "empty.txt").write_text("# nothing yet\n\n")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    for name, what in (("empty.txt", "holds no lesson"), ("latin1.txt", "not UTF-8 text"), ("none.txt", "no such")):
        with pytest.raises(DitError, match=what):
            read_lessons(tmp_path / name)


def test_dit_report_refuses_a_bad_lessons_file_in_one_line_before_reading_the_ledger(tmp_path):
    result = dit("report", "--lessons", str(tmp_path / "none.txt"), "--ledger", f"sqlite:///{tmp_path / 'x.db'}",
                 "--out", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr
    line = result.stderr.strip()
    assert "\n" not in line and "none.txt" in line and "no such file" in line and "Traceback" not in line
    assert not Path(tmp_path / "x.db").exists()
