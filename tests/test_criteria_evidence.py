"""Issue 17 (3-6): a requirement judged by the whole phase (DIT.8/DIT.11 from the HAN figures of each test's latest
execution, whichever run it came from), evidence with substance (a document with its SHA-256, who and when; a
person's record never turns a judged "not met" into "met", only waives it; DIT.EX.12 depends on DIT.EX.11), the
three-valued verdict ("ready for board approval"), DIT.EX.8 on sealed and verifying evidence files, and DIT.10 once
the Device Asset Library holds an HCALCS."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import itertools
import json
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from dit_command import dit

from harness.criteria import MET, NOT_EVALUABLE, NOT_MET, Phase, Verdict, assess
from harness.criteria.assessment import CAN_EXIT, CANNOT_EXIT, READY, verdict
from harness.criteria.evidence import FolderCheck
from harness.criteria.exit import entry_criteria, exit_criteria
from harness.criteria.requirements import evaluate as requirements
from harness.lab import load
from harness.ledger import CriterionEvidence, DeviceRecord, ExecutionRecord, Ledger, Part, Participant, PlannedTest
from harness.report import render_html
from harness.run import evidence_check, evidence_files, han_evidence

TODAY = dt.date(2026, 11, 21)
SB11, DB11 = "CHTS v1.1 Single Band", "CHTS v1.1 Dual Band"
WHEN = "2026-11-20T10:00:00+00:00"
LAB = [DeviceRecord("CH-A", "SB-A", SB11, "CHF", "Elm", standard="CHTS v1.1"),
       DeviceRecord("ESME-A", "SB-A", SB11, "ESME", "Alder", standard="SMETS2 v3.0"),
       DeviceRecord("CH-D", "DB", DB11, "CHF", "Elm", standard="CHTS v1.1"),
       DeviceRecord("GSME-D", "DB", DB11, "GSME", "Birch", standard="SMETS2 v3.0", sub_ghz=True)]
HCALCS = DeviceRecord("HCALCS-7D-1-hazel", "", "", "HCALCS", "Hazel Controls", standard="SMETS2 v3.0")
_ids = itertools.count(1)


def planned(scenario: str, test_set: str = "SB-A", devices=("ESME-A",)) -> PlannedTest:
    variant = DB11 if test_set == "DB" else SB11
    return PlannedTest(f"features::{scenario}[B6-{test_set}]", f"fam/{scenario}", scenario, "fam", [], "High", False,
                       [], "B6", test_set, variant, test_set == "DB", "functional", "R2.0", "R2.0", "CHTS v1.1",
                       "SMETS2 v3.0", list(devices))


def executed(test: PlannedTest, run: int, outcome: str = "passed", evidence: str | None = "evidence/x",
             took_part=()) -> ExecutionRecord:
    return ExecutionRecord(run, test.node, test.scenario_id, outcome, WHEN, test.baseline, test.test_set,
                           test.ch_variant, test.devices, evidence=evidence, id=next(_ids),
                           participants=[Participant(a, a.split("-")[0], (Part.ANSWERED,)) for a in took_part])


def figures(latencies: dict[str, list[float]], sub_ghz: bool = False, changes: int = 0) -> dict:
    """A capture's figures as harness.han.analysis.Analysis.figures() gives them."""
    return {"frames": 40, "latencies_s": latencies,
            "channel_changes": [{"band": "sub-GHz", "trigger": "scan"}] * changes,
            "sub_ghz": {"peak_percent": 0.5, "busiest": "CH", "states": []} if sub_ghz else None}


def captured(run: int, by_node: dict[str, dict], requirement: str) -> CriterionEvidence:
    """A run's automated HAN evidence for one requirement, as harness.run.han_evidence records it."""
    return CriterionEvidence(requirement, "met", f"run {run}: han.pcap", "dit run", WHEN, automated=True, run_id=run,
                             detail={"executions": by_node})


def person(criterion: str, status: str, reference: str = "https://dcc.example/tab/minutes-4",
           **extra) -> CriterionEvidence:
    return CriterionEvidence(criterion, status, reference, "Lab lead", WHEN, **extra)


def judged(p: Phase, cid: str) -> Verdict:
    reqs = requirements(p)
    return next(v for v in [*reqs, *exit_criteria(p, reqs)] if v.id == cid)


# -- 3: DIT.8 and DIT.11 by the phase, never the last run alone -------------------------------------------------

BOTH_BANDS = {"2.4 GHz": [0.006, 0.011], "sub-GHz": [0.04]}
ONLY_24 = {"2.4 GHz": [0.007]}


def _matrix_then_rerun(rerun_changes: int | None = None) -> tuple[list[PlannedTest], list, list]:
    """Run 1 executes four tests, one of them the dual band channel change; run 2 reruns two single band ones (and,
    with rerun_changes, the channel change test too, whose new capture shows that many channel changes)."""
    tests = [planned("ic"), planned("price-elec"), planned("price-gas"), planned("channel", "DB", ("GSME-D",))]
    run1 = {t.node: figures(ONLY_24) for t in tests[:3]}
    run1[tests[3].node] = figures(BOTH_BANDS, sub_ghz=True, changes=1)
    executions = [executed(t, 1) for t in tests]
    evidence = [captured(1, run1, r) for r in ("DIT.8", "DIT.11")]
    rerun = tests[1:3] + ([tests[3]] if rerun_changes is not None else [])
    run2 = {t.node: figures(ONLY_24) for t in tests[1:3]}
    if rerun_changes is not None:
        run2[tests[3].node] = figures(BOTH_BANDS, sub_ghz=True, changes=rerun_changes)
    return tests, executions + [executed(t, 2) for t in rerun], evidence + [
        captured(2, run2, r) for r in ("DIT.8", "DIT.11")]


def test_a_small_rerun_leaves_dit8_and_dit11_as_the_whole_phase_shows_them():
    tests, executions, evidence = _matrix_then_rerun()
    before = Phase.build(tests, executions[:4], LAB, evidence=evidence[:2], as_of=TODAY)
    after = Phase.build(tests, executions, LAB, evidence=evidence, as_of=TODAY)
    for requirement in ("DIT.8", "DIT.11"):
        assert judged(before, requirement).status == judged(after, requirement).status == MET
    dit11 = judged(after, "DIT.11")
    assert "the latest execution of each of 4 tests, from run 1 (2 tests), run 2 (2 tests)" in dit11.evidence
    assert "2.4 GHz: 5 request/response exchanges" in dit11.evidence    # 1 + 1 + 1 + 2 of the latest executions
    assert "sub-GHz: 1 request/response exchanges" in dit11.evidence


def test_a_rerun_replaces_the_figures_of_the_tests_it_ran_again():
    """Judged like a test's outcome: an execution superseded by a later one no longer counts."""
    tests, executions, evidence = _matrix_then_rerun(rerun_changes=0)
    dit8 = judged(Phase.build(tests, executions, LAB, evidence=evidence, as_of=TODAY), "DIT.8")
    assert dit8.status == NOT_MET and "channel changes: 0" in dit8.evidence and "run 2 (3 tests)" in dit8.evidence


def test_no_analysed_capture_is_not_evaluable_and_a_test_without_one_is_said():
    tests, executions, evidence = _matrix_then_rerun()
    assert judged(Phase.build(tests, executions, LAB, as_of=TODAY), "DIT.11").status == NOT_EVALUABLE
    extra = planned("no-capture")
    dit11 = judged(Phase.build([*tests, extra], [*executions, executed(extra, 2)], LAB, evidence=evidence,
                               as_of=TODAY), "DIT.11")
    assert dit11.status == MET and dit11.details == ["1 test whose latest execution has no analysed HAN capture"]


def test_figures_of_executions_run_again_since_no_longer_count():
    """Every test ran again in run 3, whose captures no one analysed: run 1's and 2's figures are of superseded
    executions, so nothing shows DIT.8 or DIT.11 for the phase as it now stands."""
    tests, executions, evidence = _matrix_then_rerun()
    again = [*executions, *(executed(t, 3) for t in tests)]
    for requirement in ("DIT.8", "DIT.11"):
        v = judged(Phase.build(tests, again, LAB, evidence=evidence, as_of=TODAY), requirement)
        assert v.status == NOT_MET, requirement
        assert v.evidence.startswith("no test's latest execution has an analysed HAN capture (those analysed, in "
                                     "runs 1, 2, are of executions run again since)")
        assert v.details == ["4 tests whose latest execution has no analysed HAN capture"]


# -- 4: evidence with substance ------------------------------------------------------------------------------

def test_a_persons_met_never_turns_an_automated_not_met_into_met():
    tests, executions, evidence = _matrix_then_rerun(rerun_changes=0)      # DIT.8 not met: no channel change
    claimed = [*evidence, person("DIT.8", "met"), person("DIT.EX.7", "met")]
    p = Phase.build(tests, executions, LAB, evidence=claimed, as_of=TODAY)
    dit8 = judged(p, "DIT.8")
    assert dit8.status == NOT_MET and dit8.waiver is None
    assert any(d.startswith("not counted: met recorded by Lab lead") for d in dit8.details)
    ex7 = judged(p, "DIT.EX.7")
    assert ex7.status != MET and any(d.startswith("not counted: met") for d in ex7.details)


def test_a_waiver_keeps_the_judged_status_and_is_listed_as_a_deviation(tmp_path):
    tests, executions, evidence = _matrix_then_rerun(rerun_changes=0)
    waiver = person("DIT.8", "waived", "https://dcc.example/tab/deviation-7")
    p = Phase.build(tests, executions, LAB, evidence=[*evidence, waiver], as_of=TODAY)
    dit8 = judged(p, "DIT.8")
    assert dit8.status == NOT_MET and dit8.waiver.startswith("https://dcc.example/tab/deviation-7 (Lab lead")
    assert any(line.startswith("DIT.8 waived, not met as judged: https://dcc.example/tab/deviation-7")
               for line in assess(p)["deviations"])
    document = tmp_path / "deviation.pdf"
    document.write_bytes(b"approved")
    on_file = person("DIT.8", "waived", str(document), sha256=hashlib.sha256(b"approved").hexdigest())
    assert judged(Phase.build(tests, executions, LAB, evidence=[*evidence, on_file], as_of=TODAY), "DIT.8").waiver
    document.write_bytes(b"approved, then edited")          # a waiver whose document changed is not counted
    changed = judged(Phase.build(tests, executions, LAB, evidence=[*evidence, on_file], as_of=TODAY), "DIT.8")
    assert changed.waiver is None and any(d.startswith("waiver not counted") for d in changed.details)


def test_the_latest_waiver_counts_and_only_for_a_criterion_not_met():
    tests, executions, evidence = _matrix_then_rerun(rerun_changes=0)       # DIT.8 not met
    waivers = [person("DIT.8", "waived", "https://dcc.example/tab/deviation-7"),
               person("DIT.8", "waived", "https://dcc.example/tab/deviation-9")]    # the board's later one
    dit8 = judged(Phase.build(tests, executions, LAB, evidence=[*evidence, *waivers], as_of=TODAY), "DIT.8")
    assert dit8.status == NOT_MET and dit8.waiver.startswith("https://dcc.example/tab/deviation-9 ")
    # DIT.8 met: nothing to waive, so no waiver is carried and no deviation is listed
    tests, executions, evidence = _matrix_then_rerun()
    p = Phase.build(tests, executions, LAB, evidence=[*evidence, *waivers], as_of=TODAY)
    dit8 = judged(p, "DIT.8")
    assert dit8.status == MET and dit8.waiver is None and not any("waived" in d for d in dit8.details)
    assert not any(line.startswith("DIT.8 waived") for line in assess(p)["deviations"])


def test_entry_evidence_counts_only_with_a_document_that_holds_up(tmp_path):
    minutes = tmp_path / "minutes.pdf"
    minutes.write_bytes(b"entry gate minutes")
    digest = hashlib.sha256(b"entry gate minutes").hexdigest()
    records = [person("DIT.EN.1", "met", str(minutes), sha256=digest), person("DIT.EN.2", "met", "x"),
               person("DIT.EN.3", "met", "https://dcc.example/beis/approval")]
    verdicts = {v.id: v for v in entry_criteria(Phase.build([], [], LAB, evidence=records, as_of=TODAY))}
    assert verdicts["DIT.EN.1"].status == MET and f"SHA-256 {digest[:12]}" in verdicts["DIT.EN.1"].evidence
    assert verdicts["DIT.EN.2"].status == NOT_EVALUABLE and "not a document" in verdicts["DIT.EN.2"].evidence
    assert verdicts["DIT.EN.3"].status == MET
    minutes.write_bytes(b"entry gate minutes, edited")
    verdicts = {v.id: v for v in entry_criteria(Phase.build([], [], LAB, evidence=records, as_of=TODAY))}
    assert verdicts["DIT.EN.1"].status == NOT_EVALUABLE
    assert "changed since it was recorded" in verdicts["DIT.EN.1"].evidence


def test_a_file_recorded_without_its_sha256_does_not_hold_up(tmp_path):
    """Nothing shows the file is the one recorded (an older dit took it without a digest): not evaluable."""
    minutes = tmp_path / "minutes.pdf"
    minutes.write_bytes(b"entry gate minutes")
    p = Phase.build([], [], LAB, evidence=[person("DIT.EN.1", "met", str(minutes))], as_of=TODAY)
    en1 = next(v for v in entry_criteria(p) if v.id == "DIT.EN.1")
    assert en1.status == NOT_EVALUABLE and "a file recorded without its SHA-256" in en1.evidence
    assert next(r for r in assess(p)["entry_criteria"] if r["id"] == "DIT.EN.1")["status"] == NOT_EVALUABLE


def test_the_certificate_is_not_met_while_the_boards_approval_is_not():
    certificate = person("DIT.EX.12", "met", "https://dcc.example/tab/certificate-1")
    alone = judged(Phase.build([], [], LAB, evidence=[certificate], as_of=TODAY), "DIT.EX.12")
    assert alone.status == NOT_MET and alone.depends_on == ["DIT.EX.11"]
    assert alone.evidence.startswith("depends on DIT.EX.11, which is not met")
    approved = Phase.build([], [], LAB, evidence=[person("DIT.EX.11", "met"), certificate], as_of=TODAY)
    assert judged(approved, "DIT.EX.12").status == MET


def test_dit_evidence_record_refuses_a_bare_string_in_one_line(tmp_path):
    ledger = tmp_path / "phase.db"
    refused = dit("evidence", "record", "DIT.EN.1", "--status", "met", "--reference", "x", "--ledger",
                  f"sqlite:///{ledger}")
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "--reference 'x' is neither an existing file nor an http(s) URL" in refused.stderr
    assert not ledger.exists()                           # refused before any ledger is made
    judged_by_dit = dit("evidence", "record", "DIT.8", "--status", "met", "--reference", "https://dcc.example/han",
                        "--ledger", f"sqlite:///{ledger}")
    assert judged_by_dit.returncode == 2 and "DIT.8 is judged by dit from the phase's records" in judged_by_dit.stderr
    no_waiver = dit("evidence", "record", "DIT.EX.11", "--status", "waived", "--reference", "https://dcc.example/tab",
                    "--ledger", f"sqlite:///{ledger}")
    assert no_waiver.returncode == 2 and "DIT.EX.11 is a decision" in no_waiver.stderr


def test_dit_evidence_record_keeps_a_files_sha256_and_the_list_checks_it(tmp_path):
    ledger = f"sqlite:///{tmp_path / 'phase.db'}"
    minutes = tmp_path / "gate minutes.pdf"
    minutes.write_bytes(b"%PDF entry gate minutes")
    recorded = dit("evidence", "record", "DIT.EN.1", "--status", "met", "--reference", str(minutes), "--ledger", ledger)
    assert recorded.returncode == 0, recorded.stderr
    assert hashlib.sha256(minutes.read_bytes()).hexdigest() in recorded.stdout

    def listed() -> dict:
        shown = dit("evidence", "list", "--json", "--ledger", ledger)
        assert shown.returncode == 0, shown.stderr
        return json.loads(shown.stdout)[0]

    row = listed()
    assert (row["reference"], row["sha256"], row["document"]) == (
        str(minutes.resolve()), hashlib.sha256(minutes.read_bytes()).hexdigest(), "matches")
    assert (row["recorded_by"], row["automated"]) == (getpass.getuser(), False)
    minutes.write_bytes(b"%PDF entry gate minutes, edited")
    assert listed()["document"] == "changed"
    assert "changed" in dit("evidence", "list", "--ledger", ledger).stdout


# -- 5: three ways out ---------------------------------------------------------------------------------------

def _criteria(status: dict[str, str] | None = None, waived: tuple[str, ...] = ()) -> tuple[list, list]:
    status = status or {}
    entries = [Verdict(f"DIT.EN.{n}", "", status.get(f"DIT.EN.{n}", MET), "") for n in range(1, 7)]
    exits = [Verdict(f"DIT.EX.{n}", "", status.get(f"DIT.EX.{n}", MET), "",
                     waiver="https://dcc.example/deviation" if f"DIT.EX.{n}" in waived else None)
             for n in range(1, 13)]
    return entries, exits


def test_the_verdict_cannot_exit_ready_for_board_approval_or_can_exit():
    board_pending = {"DIT.EX.11": NOT_MET, "DIT.EX.12": NOT_MET}
    ready = verdict(*_criteria(board_pending))
    assert (ready["state"], ready["text"], ready["can_exit"]) == (READY, "Ready for board approval", False)
    assert "this report is what the DCC test assurance board approves" in ready["reason"]
    approved = verdict(*_criteria({"DIT.EX.12": NOT_MET}))
    assert approved["state"] == READY and approved["holding"] == ["DIT.EX.12"]
    assert verdict(*_criteria())["state"] == CAN_EXIT and verdict(*_criteria())["text"] == "DIT can exit"
    entry_open = verdict(*_criteria({**board_pending, "DIT.EN.4": NOT_EVALUABLE}))
    assert entry_open["state"] == CANNOT_EXIT and "DIT.EN.4" in entry_open["reason"]
    waived = verdict(*_criteria({**board_pending, "DIT.EX.7": NOT_MET}, waived=("DIT.EX.7",)))
    assert waived["state"] == READY and waived["waived"] == ["DIT.EX.7"] and "DIT.EX.7" in waived["reason"]
    assert verdict(*_criteria({**board_pending, "DIT.EX.7": NOT_MET}))["state"] == CANNOT_EXIT


def test_the_reports_first_section_shows_the_verdict_and_its_reason():
    assessment = assess(Phase.build([], [], LAB, as_of=TODAY))
    assessment["verdict"] = verdict(*_criteria({"DIT.EX.11": NOT_MET, "DIT.EX.12": NOT_MET}))
    html = render_html(assessment)
    summary = html[html.index('<section id="summary">'):html.index('<section id="deviations">')]
    assert 'class="verdict ready"' in summary and "Ready for board approval" in summary
    assert "this report is what the DCC test assurance board approves" in summary


# -- 6: DIT.EX.8 on the evidence files, DIT.10 with an HCALCS in the library ----------------------------------

@pytest.fixture(scope="module")
def one_run(tmp_path_factory) -> Path:
    """One scenario run by `dit run`: its report directory (evidence folder, keystore, ledger)."""
    root = tmp_path_factory.mktemp("one")
    run = dit("run", "-k", "price_update and electricity", "--report-dir", str(root / "reports"), "--",
              "-p", "han_reads_probe", DIT_SMKI=str(root / "smki"), DIT_HAN_READS_PROBE=str(root / "reads.json"),
              PYTHONPATH=os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")])))
    assert run.returncode == 0, run.stdout + run.stderr
    return root / "reports"


def _first(reports: Path) -> ExecutionRecord:
    """The run's first execution (a scenario may run in more than one cast)."""
    with Ledger(f"sqlite:///{reports / 'phase.db'}", create=False) as book:
        return book.executions()[0]


def _copy(reports: Path, to: Path) -> ExecutionRecord:
    """The run's first execution's evidence folder and the keystore, copied, as its record would name them."""
    execution = _first(reports)
    folder = Path(execution.evidence or "")
    shutil.copytree(folder, to / "evidence" / folder.name)
    shutil.copytree(reports / "keystore", to / "keystore")
    return replace(execution, evidence=str(to / "evidence" / folder.name))


def test_an_executions_evidence_is_sealed_and_verifies(one_run, tmp_path):
    execution = _copy(one_run, tmp_path)
    sealed = (Path(execution.evidence) / evidence_check.MANIFEST).read_text().splitlines()
    written = [p for p in Path(execution.evidence).iterdir() if p.name not in evidence_check.UNSEALED]
    assert sorted(line.split("  ")[1] for line in sealed) == sorted(p.name for p in written) and len(written) > 50
    check = evidence_check.verify(execution)
    assert check.problems == ()
    assert check.verified["DUIS"] > 10 and check.verified["GBCS"] > 5 and check.verified["HAN"] == 1
    assert check.signatures > 10


def test_a_corrupt_gbcs_file_is_found_by_its_digest_and_by_decoding(one_run, tmp_path):
    execution = _copy(one_run, tmp_path)
    folder = Path(execution.evidence)
    gbcs = sorted(folder.glob("*device-response.hex"))[0]
    gbcs.write_text(gbcs.read_text()[:40])                   # cut short
    check = evidence_check.verify(execution)
    assert f"{gbcs.name}: changed since it was written" in " ".join(check.problems)
    evidence_files.seal(folder)                              # sealed again as it now is: decoding still finds it
    problems = evidence_check.verify(execution).problems
    assert len(problems) == 1 and problems[0].startswith(f"{gbcs.name}: ")


def test_a_missing_capture_or_seal_is_incomplete_evidence(one_run, tmp_path):
    execution = _copy(one_run, tmp_path)
    folder = Path(execution.evidence)
    (folder / "han.pcap").unlink()
    assert "han.pcap: missing" in evidence_check.verify(execution).problems
    evidence_files.seal(folder)                              # a seal without it: the ESME's part still needs it
    assert not evidence_check.verify(replace(execution, participants=[])).problems
    esme = replace(execution, participants=[Participant("ESME-78-1-alder", "ESME", (Part.ANSWERED,)),
                                            Participant("CH-78-1", "CHF", (Part.ANSWERED,))])
    assert evidence_check.verify(esme).problems == ("han.pcap: missing: ESME-78-1-alder took part over a HAN no "
                                                    "capture shows",)
    assert not evidence_check.verify(replace(esme, participants=esme.participants[1:])).problems    # the hub alone
    (folder / evidence_check.MANIFEST).unlink()
    assert any(p.startswith("SHA256SUMS: missing: the folder was never sealed")
               for p in evidence_check.verify(execution).problems)


def test_each_kind_of_evidence_file_is_verified_for_what_it_is(one_run, tmp_path):
    """Sealed as they now are, so that only reading each file can find it: a DUIS document whose signed value was
    changed, a parsed response that is not XML, a capture without frames, a console log that is not text."""
    execution = _copy(one_run, tmp_path)
    folder = Path(execution.evidence)
    duis = sorted(folder.glob("*-synchronous-response.xml"))[0]
    duis.write_bytes(duis.read_bytes().replace(b"<sr:ResponseCode>I0<", b"<sr:ResponseCode>I99<", 1))
    mmc = sorted(folder.glob("*.mmc.xml"))[0]
    mmc.write_bytes(b"<sr:Response")
    pcap = folder / "han.pcap"
    pcap.write_bytes(pcap.read_bytes()[:24])                 # the global header alone
    (folder / "console-ESME.log").write_bytes(b"ok\n\xff\xfe")
    evidence_files.seal(folder)
    problems = {p.split(": ")[0]: p for p in evidence_check.verify(execution).problems}
    assert set(problems) == {duis.name, mmc.name, "han.pcap", "console-ESME.log"}, problems
    assert "signature" in problems[duis.name] and problems["han.pcap"] == "han.pcap: no frames"
    assert problems["console-ESME.log"] == "console-ESME.log: not UTF-8 text at byte 3"


def test_evidence_without_its_folder_or_its_duis_documents_is_incomplete(one_run, tmp_path):
    execution = _copy(one_run, tmp_path)
    folder = Path(execution.evidence)
    for document in folder.glob("*.xml"):
        document.unlink()
    evidence_files.seal(folder)
    assert f"no DUIS document, though the execution sent {execution.service_requests} service requests" in \
        evidence_check.verify(execution).problems and execution.service_requests > 0
    shutil.rmtree(folder)
    assert evidence_check.verify(execution).problems == (f"the evidence folder {folder} is gone",)


def test_ex8_names_the_execution_and_the_file():
    ok, bad = planned("ok"), planned("bad")
    p = Phase.build([ok, bad], [executed(ok, 1), executed(bad, 1)], LAB, as_of=TODAY)
    assert judged(p, "DIT.EX.8").status == NOT_EVALUABLE                      # not verified
    ids = [t.executions[-1].id for t in p.tests]
    p.folders = {ids[0]: FolderCheck({"DUIS": 4, "GBCS": 2, "HAN": 1}, (), 6),
                 ids[1]: FolderCheck({"DUIS": 4, "GBCS": 1, "HAN": 1}, ("006-SR-1.1.1-device-response.hex: "
                                                                         "changed since it was written",), 5)}
    ex8 = judged(p, "DIT.EX.8")
    assert ex8.status == NOT_MET and ex8.evidence.startswith("the evidence of 1 of 2 completed tests")
    assert ex8.details == [f"fam/bad [B6 SB-A] (execution {ids[1]}, evidence/x): 006-SR-1.1.1-device-response.hex: "
                           "changed since it was written"]
    p.folders[ids[1]] = FolderCheck({"DUIS": 4}, (), 2)
    assert judged(p, "DIT.EX.8").status == MET


def test_dit_report_finds_a_corrupt_gbcs_file(tmp_path):
    reports = tmp_path / "reports"
    run = dit("run", "-k", "price_update and electricity", "--report-dir", str(reports),
              DIT_SMKI=str(tmp_path / "smki"))
    assert run.returncode == 0, run.stdout + run.stderr
    ledger = f"sqlite:///{reports / 'phase.db'}"

    def ex8() -> dict:
        made = dit("report", "--ledger", ledger, "--out", str(tmp_path / "report"), "--no-pdf")
        assert made.returncode == 1, made.stderr                               # DIT cannot exit
        summary = json.loads((tmp_path / "report" / "summary.json").read_text())
        return next(c for c in summary["exit_criteria"] if c["id"] == "DIT.EX.8")

    assert ex8()["status"] == "met"
    first = _first(reports)
    gbcs = sorted(Path(first.evidence or "").glob("*.hex"))[2]
    gbcs.write_text("DD" + gbcs.read_text()[2:-4])
    found = ex8()
    assert found["status"] == "not_met" and len(found["details"]) == 1
    assert f"(execution {first.id}, {first.evidence}): {gbcs.name}: changed since it was written" in found["details"][0]


def test_dit10_applies_once_the_library_holds_an_hcalcs():
    t = planned("ic")
    without = Phase.build([t], [executed(t, 1, took_part=("ESME-A",))], LAB, as_of=TODAY)
    assert judged(without, "DIT.10").applies is False
    library = Phase.build([t], [executed(t, 1, took_part=("ESME-A",))], [*LAB, HCALCS], as_of=TODAY)
    dit10 = judged(library, "DIT.10")
    assert (dit10.status, dit10.applies) == (NOT_MET, True)
    assert dit10.evidence.startswith("the Device Asset Library holds HCALCS-7D-1-hazel (Hazel Controls), but no "
                                     "HCALCS took part in a completed test")
    assert "of the 15 requirements that apply" in judged(library, "DIT.EX.10").evidence      # not dropped
    assert "HCALCS-7D-1-hazel" not in library.selected_devices()         # in no test set: not selected for DIT
    in_a_set = DeviceRecord("HCALCS-1", "SB-A", SB11, "HCALCS", "Hazel Controls", standard="SMETS2 v3.0")
    with_it = planned("hcalcs", devices=("HCALCS-1",))
    tested = Phase.build([t, with_it], [executed(t, 1, took_part=("ESME-A",)),
                                         executed(with_it, 1, took_part=("HCALCS-1",))],
                         [*LAB, HCALCS, in_a_set], as_of=TODAY)
    assert judged(tested, "DIT.10").status == MET


def test_the_ledger_records_the_librarys_devices_in_no_test_set():
    lab = load(None)
    assert lab.library_records() == []                      # SB11-core holds the library's HCALCS (DIT.10)
    assert ("HCALCS-7D-1-hazel", "SB11-core", "HCALCS") in [(r.asset, r.test_set, r.device_type)
                                                           for r in lab.device_records()]
    site = lab.test_set("SB11-core")
    site.devices = [d for d in site.devices if d.asset != "HCALCS-7D-1-hazel"]      # taken out of its test set
    records = lab.library_records()
    assert [(r.asset, r.test_set, r.device_type) for r in records] == [("HCALCS-7D-1-hazel", "", "HCALCS")]


def test_dit_run_records_its_han_figures_as_automated_evidence_by_execution(one_run):
    with Ledger(f"sqlite:///{one_run / 'phase.db'}", create=False) as book:
        nodes = [e.node for e in book.executions()]
        records = {e.criterion: e for e in book.evidence()}
    node = nodes[0]
    dit11 = records["DIT.11"]
    assert (dit11.automated, dit11.run_id, dit11.recorded_by) == (True, 1, "dit run")
    assert sorted(dit11.detail["executions"]) == sorted(nodes)          # each execution of the run by its node
    assert dit11.detail["executions"][node]["latencies_s"]["2.4 GHz"]
    assert set(records["DIT.8"].detail["executions"][node]) == {"frames", "sub_ghz", "channel_changes"}


def test_the_runs_end_takes_a_captures_figures_from_where_it_ran_and_reads_the_others(one_run, tmp_path, capsys):
    """Under xdist each worker works out its executions' figures as their captures are written and sends them with the
    record; the run's end reads only the captures whose figures did not come (a resumed run's first half)."""
    with Ledger(f"sqlite:///{one_run / 'phase.db'}", create=False) as book:
        execution = book.executions()[0]
    pcap = Path(execution.evidence or "") / "han.pcap"
    assert han_evidence.figures(pcap) == book_figures(one_run, execution.node)     # what the run recorded
    reads = json.loads((one_run.parent / "reads.json").read_text())        # han_reads_probe, in the run
    assert reads == {}, reads           # each capture's figures worked out as it was written: none read back
    sent, unread = [tmp_path / name for name in ("sent", "unread")]
    for folder in (sent, unread):
        folder.mkdir()
        (folder / "han.pcap").write_bytes(b"not a capture")
    test = planned("ic")
    executions = [replace(executed(test, 1), node="sent", evidence=str(sent)),
                  replace(executed(test, 1), node="unread", evidence=str(unread))]
    with Ledger(f"sqlite:///{tmp_path / 'phase.db'}") as book:
        run = book.start_run("lab", "", [])
        han_evidence.record(book, run, executions, known={"sent": figures(BOTH_BANDS, sub_ghz=True)})
        recorded = {e.criterion: e for e in book.evidence()}
    assert list(recorded["DIT.11"].detail["executions"]) == ["sent"]       # taken as sent, the file not read again
    assert recorded["DIT.11"].detail["executions"]["sent"]["latencies_s"] == BOTH_BANDS
    assert capsys.readouterr().err.count("HAN capture not analysed") == 1   # the other read here, and refused


def book_figures(run_dir: Path, node: str) -> dict:
    """An execution's figures for DIT.8 and DIT.11 as its run recorded them."""
    with Ledger(f"sqlite:///{run_dir / 'phase.db'}", create=False) as book:
        by = {e.criterion: e.detail["executions"][node] for e in book.evidence()}
    return {**by["DIT.11"], **by["DIT.8"]}


def test_what_verifying_found_is_kept_for_its_seal_while_the_keys_it_used_remain(one_run, tmp_path):
    execution = _copy(one_run, tmp_path)
    folder, keystore = Path(execution.evidence), tmp_path / "keystore"
    evidence_check.warm(folder)
    kept = json.loads((folder / evidence_check.CACHE).read_text())
    kept["verified"] = {"DUIS": 1}                           # marked: a reused result shows it
    (folder / evidence_check.CACHE).write_text(json.dumps(kept))
    assert evidence_check.verify(execution).verified == {"DUIS": 1}
    (keystore / "another-ka.0000000000000000.pem").write_bytes((keystore / kept["keys"][0]).read_bytes())
    assert evidence_check.verify(execution).verified == {"DUIS": 1}   # more keys: a clean result still holds
    kept["problems"] = ["001-x.xml: signature unknown_key"]
    (folder / evidence_check.CACHE).write_text(json.dumps(kept))
    assert evidence_check.verify(execution).problems == ()            # looked at again with the keys there now
    (keystore / kept["keys"][0]).unlink()                               # a key it used is gone: verified anew
    assert evidence_check.verify(execution).verified != {"DUIS": 1}


def test_a_real_small_rerun_leaves_dit8_and_dit11_met(tmp_path):
    """Two `dit run`s on one ledger: the dual band hub's scenarios with the price updates, then the price updates
    again. The second run's own captures show no channel change; the phase's still does."""
    ledger, smki = f"sqlite:///{tmp_path / 'phase.db'}", str(tmp_path / "smki")
    first = dit("run", "--test-set", "DB11-core", "-k", "price_update or dual_band_hub", "--ledger", ledger,
                "--report-dir", str(tmp_path / "first"), DIT_SMKI=smki)
    assert first.returncode == 0, first.stdout + first.stderr
    again = dit("run", "--test-set", "DB11-core", "-k", "price_update", "--ledger", ledger, "--report-dir",
                str(tmp_path / "again"), DIT_SMKI=smki)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "DIT.8 in this run's captures: not met" in again.stdout
    made = dit("report", "--ledger", ledger, "--out", str(tmp_path / "report"), "--no-pdf")
    assert made.returncode == 1, made.stderr
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    shown = {r["id"]: r for r in summary["requirements"]}
    with Ledger(ledger, create=False) as book:
        again_nodes = {e.node for e in book.executions(2)}     # the price updates, in each cast the plan gives
        only_first = [e for e in book.executions(1) if e.node not in again_nodes]
    captured = [e for e in only_first if (Path(e.evidence or "") / "han.pcap").exists()]
    hub_only = len(only_first) - len(captured)                  # the sub-GHz configuration talks to the hub alone
    first, reran = len(captured), len(again_nodes)
    assert first and reran and hub_only
    for requirement in ("DIT.8", "DIT.11"):
        assert shown[requirement]["status"] == "met", shown[requirement]
        assert shown[requirement]["evidence"].endswith(f"from run 1 ({first} tests), run 2 ({reran} tests)")
        assert shown[requirement]["details"] == [f"{hub_only} test{'s' if hub_only > 1 else ''} whose latest "
                                                 "execution has no analysed HAN capture"]


def test_a_report_verifies_many_new_folders_on_every_core_as_one_at_a_time(one_run, tmp_path, monkeypatch):
    execution = _copy(one_run, tmp_path)
    folder = Path(execution.evidence)
    (folder / "han.pcap").write_bytes(b"not a capture")      # one folder in the many with a problem
    evidence_files.seal(folder)
    executions = [execution]
    for n in range(1, evidence_check.MANY):
        copy = folder.with_name(f"{folder.name}-{n}")
        shutil.copytree(_first(one_run).evidence or "", copy)
        executions.append(replace(execution, id=1000 + n, evidence=str(copy)))
    pooled: list[Path] = []

    class Cores(ProcessPoolExecutor):           # the real pool, noting what it was given
        def map(self, fn, *iterables, **kwargs):
            folders = list(iterables[0])
            pooled.extend(folders)
            return super().map(fn, folders, **kwargs)

    monkeypatch.setattr(evidence_check, "ProcessPoolExecutor", Cores)
    monkeypatch.setattr(evidence_check.os, "cpu_count", lambda: 2)
    found = evidence_check.verify_all(executions)
    assert sorted(pooled) == sorted(Path(e.evidence or "") for e in executions)       # all new: verified first
    assert all((Path(e.evidence or "") / evidence_check.CACHE).is_file() for e in executions)
    assert found == {e.id: evidence_check.verify(e) for e in executions}
    assert [i for i, check in found.items() if check.problems] == [execution.id]
    assert found[execution.id].problems[0].startswith("han.pcap: ")
    pooled.clear()
    evidence_check.verify_all(executions)
    assert pooled == []                         # what they were found to be is kept: nothing new to verify
