"""Hostile and mistaken command-line input (issue 15, items 10 and 11): every bad flag value, ledger or output place
is one line naming it, exit 1 or 2, never a traceback; a refused `dit run` records no run in the ledger."""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
from pathlib import Path

import pytest
from dit_command import dit

from harness import cli
from harness.errors import DitError
from harness.han import mac
from harness.han.capture import CapturedFrame, write_pcap
from harness.ledger import Ledger

ROOT = os.geteuid() == 0
ROOT_WRITES_ANYWAY = "root writes through a read-only mode; the paths under a regular file cover it for root"


def _refused(capsys, argv: list[str], code: int = 2) -> str:
    """Run `dit ARGV` in this process: the exit code, and the one stderr line it printed."""
    assert cli.main(argv) == code
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err and "INTERNALERROR" not in err
    return lines[0]


def _one_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "INTERNALERROR" not in result.stderr
    return lines[0]


@pytest.fixture
def ledger_with_a_run(tmp_path) -> str:
    """A ledger that already holds one run: a refused invocation must leave it at one."""
    dsn = f"sqlite:///{tmp_path / 'phase.db'}"
    with Ledger(dsn) as book:
        book.start_run("emulated", "earlier", [])
    return dsn


def _runs(dsn: str) -> int:
    with Ledger(dsn, create=False) as book:
        return len(book.runs())


# -- dit run: the selection, checked before a run is recorded --------------------------------------------------

@pytest.mark.parametrize("flags, named", [
    (["--baseline", "B99"], ["'B99'", "B6"]),
    (["--test-set", "NOPE"], ["'NOPE'", "SB11-core"]),
    (["-m", "and or"], ["-m 'and or'", "at column 1"]),
    (["-k", "foo and ("], ["-k 'foo and ('", "at column 10"]),
    (["--baseline", "B6", "--test-set", "SB10-regression"], ["SB10-regression", "B6 needs"]),
])
def test_a_bad_selection_is_refused_in_one_line_and_records_no_run(capsys, tmp_path, ledger_with_a_run, flags, named):
    line = _refused(capsys, ["run", *flags, "--ledger", ledger_with_a_run, "--report-dir", str(tmp_path / "r")])
    assert all(word in line for word in named), line
    assert "--resume" not in line
    assert _runs(ledger_with_a_run) == 1


def test_a_selection_that_matches_nothing_says_so_and_leaves_no_run_to_resume(tmp_path):
    report, smki = tmp_path / "r", str(tmp_path / "smki")
    nothing = dit("run", "-m", "ESME and nosuchtag", "--report-dir", str(report), DIT_SMKI=smki)
    assert nothing.returncode == 2
    line = _one_line(nothing)
    assert "no scenario matches -m 'ESME and nosuchtag': no scenario has the tag nosuchtag" in line
    assert "no scenario matches -k 'no_such_scenario'" in _one_line(
        dit("run", "-k", "no_such_scenario", "--report-dir", str(report), DIT_SMKI=smki))
    assert _runs(f"sqlite:///{report / 'phase.db'}") == 0
    again = dit("run", "--resume", "--report-dir", str(report), DIT_SMKI=smki)
    assert again.returncode == 2 and "no unfinished run to resume" in _one_line(again)


def test_resuming_a_run_with_nothing_left_completes_it(tmp_path):
    report, smki = tmp_path / "r", str(tmp_path / "smki")
    assert dit("run", "-k", "ihd", "--report-dir", str(report), DIT_SMKI=smki).returncode == 0
    with sqlite3.connect(report / "phase.db") as db:        # as if it had died after its last execution
        db.execute("UPDATE runs SET status = 'interrupted', finished_at = NULL")
    resumed = dit("run", "--resume", "--report-dir", str(report), DIT_SMKI=smki)
    assert resumed.returncode == 2 and "nothing left to run" in _one_line(resumed)
    with Ledger(f"sqlite:///{report / 'phase.db'}", create=False) as book:
        assert [r.status for r in book.runs()] == ["completed"]
    assert "no unfinished run to resume" in dit("run", "--resume", "--report-dir", str(report), DIT_SMKI=smki).stderr


# -- numbers ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "-inf", "fast"])
def test_the_served_bench_clock_runs_forward_at_a_finite_speed(tmp_path, value):
    # parsed, not served: were the value taken, the bench would serve until stopped
    with pytest.raises(DitError, match=f"--time-scale: '{value}' is not a") as refused:
        cli.build_parser().parse_args(["lab", "serve", "--out", str(tmp_path / "bench"), f"--time-scale={value}"])
    assert refused.value.exit_code == 2


@pytest.mark.parametrize("flag, value", [("--limited", "-5"), ("--critical", "nan"), ("--regulated", "inf"),
                                         ("--limited", "101"), ("--critical", "0")])
def test_duty_cycle_thresholds_are_shares_of_an_hour(capsys, tmp_path, flag, value):
    assert f"{flag}: '{value}'" in _refused(capsys, ["han", "analyse", str(_capture(tmp_path)), f"{flag}={value}"])


def test_an_originator_counter_is_eight_unsigned_bytes(capsys, tmp_path):
    request = tmp_path / "request.xml"
    request.write_text("<x/>")
    for value in ("-1", str(1 << 64)):
        assert f"--dsp-counter: '{value}'" in _refused(capsys, ["duis", "transform", str(request),
                                                                f"--dsp-counter={value}"])


# -- dit han analyse -------------------------------------------------------------------------------------------

def _capture(tmp_path: Path) -> Path:
    path = tmp_path / "han.pcap"
    write_pcap(path, [CapturedFrame(1.0, mac.encode(mac.DATA, 1, dst_pan=0x1234, dst=0x0001, src=0x0000,
                                                    payload=bytes(12)), 11, 0)])
    return path


@pytest.mark.parametrize("flags, named", [
    (["--channel", "999"], "no channel 999 on page 0 (2.4 GHz)"),
    (["--channel", "5"], "no channel 5 on page 0"),           # a sub-GHz channel needs its page
    (["--channel", "-1"], "no channel -1 on page 0"),
    (["--page", "7"], "no channel page 7"),
    (["--page", "29", "--channel", "9"], "no channel 9 on page 29"),
])
def test_a_channel_zigbee_does_not_have_is_refused(capsys, tmp_path, flags, named):
    assert named in _refused(capsys, ["han", "analyse", str(_capture(tmp_path)), *flags])


def test_channels_zigbee_has_are_analysed(capsys, tmp_path):
    for flags in (["--channel", "11"], ["--channel", "26"], ["--page", "28", "--channel", "0"]):
        assert cli.main(["han", "analyse", str(_capture(tmp_path)), *flags]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("content", [b"", b"\xd4\xc3\xb2\xa1" + bytes(10), random.Random(15).randbytes(64),
                                     b"\x0a\x0d\x0d\x0a" * 9], ids=["empty", "cut-header", "noise", "pcapng-blocks"])
def test_a_malformed_capture_is_one_line(capsys, tmp_path, content):
    path = tmp_path / "bad.pcap"
    path.write_bytes(content)
    assert "bad.pcap" in _refused(capsys, ["han", "analyse", str(path)])


# -- the ledger: reading never makes one, and nothing is added to a database that is not a ledger -----------

READERS = [["report", "--no-pdf"], ["phase", "runs"], ["issue", "list"], ["evidence", "list"],
           ["lab", "suspensions"], ["issue", "update", "TI-0001", "--status", "closed"],
           ["lab", "resume", "ESME-1", "--fix", "CRB-1"]]
WRITERS = [["issue", "raise", "--title", "t", "--severity", "2", "--owner", "DSP"],
           ["evidence", "record", "DIT.EN.1", "--status", "met", "--reference", "https://lab.example/minutes.pdf"],
           ["phase", "set", "--name", "DIT"]]


def _foreign_database(path: Path) -> str:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers (id INTEGER, name TEXT)")
        db.execute("INSERT INTO customers VALUES (1, 'a')")
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("argv", READERS + WRITERS, ids=lambda a: " ".join(a[:2]))
def test_a_database_that_is_not_a_ledger_is_refused_untouched(capsys, tmp_path, argv):
    other = tmp_path / "other.db"
    before = _foreign_database(other)
    line = _refused(capsys, [*argv, "--ledger", f"sqlite:///{other}"] +
                    (["--out", str(tmp_path / "report")] if argv[0] == "report" else []))
    assert str(other) in line and "not a DIT phase ledger" in line and "customers" in line
    assert hashlib.sha256(other.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("argv", READERS, ids=lambda a: " ".join(a[:2]))
def test_reading_a_ledger_that_is_not_there_makes_none(capsys, tmp_path, argv):
    missing = tmp_path / "sub" / "phase.db"
    line = _refused(capsys, [*argv, "--ledger", f"sqlite:///{missing}"] +
                    (["--out", str(tmp_path / "report")] if argv[0] == "report" else []))
    assert "no phase ledger here" in line and str(missing) in line
    assert not missing.parent.exists()


def test_reading_an_empty_database_adds_no_tables_and_recording_starts_a_ledger(capsys, tmp_path):
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    empty.write_bytes(b"")                          # SQLite reads an empty file as an empty database
    assert "the database is empty" in _refused(capsys, ["phase", "runs", "--ledger", f"sqlite:///{empty}"])
    assert empty.read_bytes() == b""
    assert cli.main(["phase", "set", "--name", "DIT", "--ledger", f"sqlite:///{empty}"]) == 0
    assert cli.main(["phase", "runs", "--ledger", f"sqlite:///{empty}"]) == 0
    capsys.readouterr()


def test_a_run_on_a_database_that_is_not_a_ledger_is_refused(capsys, tmp_path):
    other = tmp_path / "other.db"
    before = _foreign_database(other)
    line = _refused(capsys, ["run", "--ledger", f"sqlite:///{other}", "--report-dir", str(tmp_path / "r")])
    assert "not a DIT phase ledger" in line
    assert hashlib.sha256(other.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("dsn, named", [
    ("postgresql://::::/@@@", "not a valid PostgreSQL URL: Port could not be cast"),
    ("postgresql://host:99999/db", "Port out of range"),
    ("postgresql://[::1/db", "Invalid IPv6 URL"),
    ("postgresql://u@h/db?nosuchparam=1", "invalid URI query parameter"),
    ("mysql://x/y", "neither SQLite nor PostgreSQL"),
])
def test_a_malformed_ledger_dsn_is_one_line(capsys, dsn, named):
    assert named in _refused(capsys, ["phase", "runs", "--ledger", dsn])


def test_a_ledger_server_that_does_not_answer_is_exit_1_without_its_password(capsys):
    line = _refused(capsys, ["phase", "runs", "--ledger", "postgresql://dit:secret@127.0.0.1:1/phase"], code=1)
    assert "cannot reach the ledger" in line and "127.0.0.1" in line and "secret" not in line


# -- where commands write --------------------------------------------------------------------------------------

@pytest.fixture
def in_the_way(tmp_path) -> Path:
    """A regular file: a path through it cannot be made, by root either."""
    path = tmp_path / "afile"
    path.write_text("not a directory\n")
    return path


def test_a_run_report_dir_that_cannot_be_written_is_refused_before_the_run(capsys, tmp_path, in_the_way,
                                                                          ledger_with_a_run):
    taken = tmp_path / "taken"
    (taken / "allure-results").parent.mkdir()
    (taken / "allure-results").write_text("a file where the run makes a folder\n")
    for report_dir, named in ((in_the_way, "is a file"), (in_the_way / "sub", "Not a directory"),
                              (taken, "allure-results is a file")):
        line = _refused(capsys, ["run", "--report-dir", str(report_dir), "--ledger", ledger_with_a_run])
        assert str(report_dir) in line and named in line, line
    assert _runs(ledger_with_a_run) == 1


@pytest.mark.skipif(ROOT, reason=ROOT_WRITES_ANYWAY)
def test_a_read_only_report_dir_is_refused_before_the_run(capsys, tmp_path, ledger_with_a_run):
    read_only = tmp_path / "ro"
    read_only.mkdir(mode=0o555)
    line = _refused(capsys, ["run", "--report-dir", str(read_only), "--ledger", ledger_with_a_run])
    assert str(read_only) in line and "Permission denied" in line
    assert _runs(ledger_with_a_run) == 1


def test_a_report_out_that_cannot_be_written_is_one_line(capsys, tmp_path, in_the_way, ledger_with_a_run):
    for out, named in ((in_the_way, "is a file"), (in_the_way / "sub", "Not a directory")):
        line = _refused(capsys, ["report", "--no-pdf", "--ledger", ledger_with_a_run, "--out", str(out)])
        assert f"--out {out}" in line and named in line, line


def test_signing_to_a_place_that_cannot_be_written_is_one_line(capsys, conformance, smki, tmp_path, in_the_way):
    template = conformance / "duis" / "templates" / "CCS01_8.11_SUCCESS_REQUEST_DUIS.XML"
    keys = ["--keystore", str(smki.directory)]
    for flags, named in ((["--out", str(in_the_way / "signed.xml")], f"{in_the_way} is not a directory"),
                         (["--out", str(tmp_path)], "is a directory"),
                         (["--out", str(tmp_path / "no" / "signed.xml")], "no directory"),
                         (["--out-dir", str(in_the_way)], "is a file")):
        line = _refused(capsys, ["duis", "sign", str(template), *keys, *flags])
        assert flags[1] in line and named in line, line


def test_serving_a_bench_into_a_place_that_cannot_be_written_is_one_line(capsys, in_the_way):
    line = _refused(capsys, ["lab", "serve", "--out", str(in_the_way / "bench")])
    assert f"--out {in_the_way / 'bench'}" in line and "Not a directory" in line


def test_parsing_into_a_place_that_cannot_be_written_is_one_line(capsys, tmp_path, in_the_way):
    message = tmp_path / "m.hex"
    message.write_text("00")
    assert f"--out-dir {in_the_way} is a file" in _refused(capsys, ["gbcs", "parse", str(message), "--out-dir",
                                                                    str(in_the_way)])


def test_resuming_where_there_is_no_ledger_makes_none(capsys, tmp_path):
    line = _refused(capsys, ["run", "--resume", "--report-dir", str(tmp_path / "r")])
    assert "no phase ledger here" in line and not (tmp_path / "r" / "phase.db").exists()
