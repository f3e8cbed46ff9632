"""How `dit run` keeps what happened, checked on its own without a run: the evidence folder of an execution (sealed with
the digest of every file as written, emptied when the test runs again), the exit code from how the executions ended,
and what summary.json counts."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from harness.adapters.service_user import Evidence
from harness.cli.run import _said_blocked
from harness.han.capture import CapturedFrame
from harness.lab.operator import OperatorAnswer
from harness.ledger import BlockedReason, Blocker, ExecutionRecord, Outcome, PlannedTest
from harness.pki import Credential
from harness.run import evidence_files, summary_json
from harness.run.evidence_files import MANIFEST, EvidenceFiles

AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
GBCS = bytes.fromhex("DF0900000000000000010809")         # a few bytes of a GBCS message, kept as hex


class _QuietBench:
    """A bench that saw nothing beside the steps: no HAN frames, consoles, keys or operator."""

    def han_capture(self) -> list[CapturedFrame]:
        return []

    def console_transcripts(self) -> dict[str, list[str]]:
        return {}

    def evidence_credentials(self) -> list[Credential]:
        return []

    def operator_answers(self) -> list[OperatorAnswer]:
        return []


def _record() -> ExecutionRecord:
    return ExecutionRecord(1, "node", "install_commission/install-commission-esme-credit", Outcome.PASSED,
                           baseline="B6", test_set="SB11-core", family="install_commission")


def _sealed(folder: Path) -> dict[str, str]:
    """SHA256SUMS as `sha256sum -c` reads it: file name -> digest."""
    return {name: digest for digest, name in (line.split("  ", 1) for line in
                                              (folder / MANIFEST).read_text().splitlines())}


def test_the_seal_holds_the_digest_of_each_file_as_written_gbcs_as_its_hex(tmp_path):
    """A GBCS message is kept as the hex `dit gbcs decode` reads: its seal is that file's digest, not the message's
    bytes', or `sha256sum -c` (and DIT.EX.8) would call the evidence changed."""
    files = EvidenceFiles(tmp_path)
    folder = files.folder(_record())
    files.keep_step(folder, 1, "SR 8.11 request", Evidence(AT, "request", b"<sr:Request/>"))
    files.keep_step(folder, 2, "SR 8.11 GBCS command", Evidence(AT, "command", GBCS, kind="gbcs"))
    files.keep_bench(folder, _QuietBench())
    sealed = _sealed(folder)
    assert sorted(sealed) == ["001-SR-8.11-request.xml", "002-SR-8.11-GBCS-command.hex"]
    for name, digest in sealed.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    assert (folder / "002-SR-8.11-GBCS-command.hex").read_bytes() == GBCS.hex().upper().encode()


def test_a_test_run_again_starts_from_an_empty_folder(tmp_path):
    """What an earlier execution of the test left (a resumed run, a retest) is not this execution's evidence."""
    earlier = EvidenceFiles(tmp_path)
    folder = earlier.folder(_record())
    for number in (1, 2):
        earlier.keep_step(folder, number, f"SR 8.11 step {number}", Evidence(AT, "x", b"<earlier/>"))
    evidence_files.keep_bench(folder, _QuietBench())
    again = EvidenceFiles(tmp_path)
    assert again.folder(_record()) == folder and not list(folder.iterdir())
    again.keep_step(folder, 1, "SR 8.11 step 1", Evidence(AT, "x", b"<again/>"))
    again.keep_bench(folder, _QuietBench())
    assert sorted(p.name for p in folder.iterdir()) == ["001-SR-8.11-step-1.xml", MANIFEST]
    assert list(_sealed(folder)) == ["001-SR-8.11-step-1.xml"]


def _ended(*outcomes: Outcome | BlockedReason) -> list[tuple[Outcome, BlockedReason | None, str | None]]:
    """How executions ended, as Ledger.outcomes gives them: an outcome, or a blocked reason."""
    return [(Outcome.BLOCKED, o, str(o)) if isinstance(o, BlockedReason) else (o, None, None) for o in outcomes]


SUSPENDED = BlockedReason(Blocker.SUSPENDED, "ESME-78-1-alder suspended (condition 4)")
FAULT = BlockedReason(Blocker.BENCH_FAULT, "DCC: cannot reach the DCC endpoint")
BROKEN = BlockedReason(Blocker.BENCH_BROKEN, "DCC: cannot reach the DCC endpoint")
NOT_HERE = BlockedReason(Blocker.NOT_ON_THIS_BENCH, "needs someone to fit the CH")


@pytest.mark.parametrize(("ended", "fails", "said"), [
    ((Outcome.PASSED, SUSPENDED, Outcome.PASSED), False, ""),             # a suspension is no failure of the run
    ((NOT_HERE, Outcome.PASSED), False, ""),
    ((Outcome.PASSED, FAULT, BROKEN), True, "the bench broke: DCC: cannot reach"),    # passed before the bench broke
    ((Outcome.PASSED, Outcome.PASSED, FAULT), True, "the bench broke"),              # the last one broke it
    ((SUSPENDED, SUSPENDED), True, "nothing could run: every scenario of the selection is blocked"),
    ((), False, ""),
], ids=["suspended", "not-on-bench", "bench-fault", "last-broke", "all-blocked", "none"])
def test_the_run_fails_though_nothing_failed_when_the_bench_broke_or_nothing_could_run(ended, fails, said, capsys):
    assert _said_blocked(_ended(*ended)) is fails
    stderr = capsys.readouterr().err
    assert said in stderr and (stderr != "") is fails


def test_summary_totals_count_every_outcome_and_the_planned_tests_that_did_not_run(tmp_path):
    """totals {passed, failed, blocked, skipped, not_run}: what ran once each, and each planned test it did not run."""
    ran = [ExecutionRecord(1, f"n{n}", f"f/s{n}", outcome, family="f", title=f"S{n}")
           for n, outcome in enumerate((Outcome.PASSED, Outcome.FAILED, Outcome.PASSED, Outcome.NOT_RUN))]
    ran[3] = ran[3].blocked_by(SUSPENDED)
    # the plan as given holds what ran too (as when the ledger refused an execution, kept aside for later)
    planned = [PlannedTest(f"n{n}", f"f/s{n}", f"S{n}", "f", ["f"], None, False, [], "B6", "SB11-core", None, False,
                           "functional") for n in range(6)]
    summary_json.write(tmp_path, "lab.yaml", 1.0, ran, planned)
    found = json.loads((tmp_path / summary_json.FILE).read_text())
    assert found["totals"] == {"passed": 2, "failed": 1, "blocked": 1, "skipped": 0, "not_run": 2}
    assert [(e["scenario_id"], e["outcome"]) for e in found["executions"]] == [
        ("f/s0", "passed"), ("f/s1", "failed"), ("f/s2", "passed"), ("f/s3", "blocked"),
        ("f/s4", "not_run"), ("f/s5", "not_run")]
