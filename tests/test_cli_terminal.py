"""What `dit` says on a terminal and in a CI log: the live line on a terminal (a pseudo-terminal here), one line per
finished scenario with its execution ID when piped, the run's HAN figures (each capture analysed where its scenario
ran), the execution IDs and the criteria that hold the verdict at the end, `--version`, `python -m harness`, help
with examples and exit codes in the plan's words, and no ledger made by a command that only reads."""

from __future__ import annotations

import argparse
import io
import json
import os
import pty
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest
from dit_command import PROJECT, dit
from rich.console import Console

from harness.cli import build_parser
from harness.ledger import BlockedReason, Blocker, ExecutionRecord, Outcome
from harness.run import console

SELECTION = ("-m", "install_commission", "-k", "not ESME2 and not GSME2")     # 4 scenarios as named, ~2 s
TITLES = ("Install & Commission - ESME Credit", "Install & Commission - GSME Credit",
          "Install & Commission - ESME Prepayment", "Install & Commission - GSME Prepayment")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="module")
def piped(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """A small run whose output goes to pipes, as in CI."""
    tmp = tmp_path_factory.mktemp("piped")
    result = dit("run", *SELECTION, "--report-dir", str(tmp / "r"), DIT_SMKI=str(tmp / "smki"))
    assert result.returncode == 0, result.stdout + result.stderr
    return result, tmp / "r" / "phase.db"


def _executions(db: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id, outcome FROM executions ORDER BY id").fetchall()


def test_piped_a_run_says_each_finished_scenario_in_a_line_with_its_execution_id(piped):
    result, db = piped
    lines = [line for line in result.stdout.splitlines() if line.startswith("PASSED  ")]
    recorded = _executions(db)
    assert len(lines) == len(recorded) == 4
    for line in lines:          # each names its scenario, where it ran and the ID `dit issue raise` links to
        match = re.fullmatch(r"PASSED  install_commission (.+) \[B6/SB11-core\] execution (\d+)", line)
        assert match and match[1] in TITLES, line
    assert sorted(int(line.rsplit(" ", 1)[1]) for line in lines) == [i for i, _ in recorded]
    assert {re.sub(r" \[.*", "", line.removeprefix("PASSED  install_commission ")) for line in lines} == set(TITLES)
    # as the run goes: before the closing tables, not after them
    assert result.stdout.index("PASSED  ") < result.stdout.index("DIT business scenario families")


def test_piped_each_capture_is_analysed_where_its_scenario_ran_and_the_run_s_figures_are_said(piped):
    result, _ = piped
    # each capture's figures came with its execution's record: nothing is left to analyse, or to wait for, at the end
    # (a resumed run's earlier captures are: tests/run_outputs.json shows that progress)
    assert "HAN captures analysed" not in result.stderr and "analysing" not in result.stderr
    assert "DIT.11 in this run's captures: " in result.stdout + result.stderr
    assert "HAN captures of 4 executions" in result.stdout + result.stderr


def test_a_new_ledger_is_said_with_where_it_is(piped, tmp_path):
    result, db = piped
    assert f"ledger sqlite:///{db} (run 1)" in result.stdout


def test_the_report_names_each_criterion_that_holds_the_verdict(piped, tmp_path):
    _, db = piped
    shown = dit("report", "--ledger", f"sqlite:///{db}", "--out", str(tmp_path / "report"), "--no-pdf")
    assert shown.returncode == 1, shown.stderr
    verdict = json.loads((tmp_path / "report" / "summary.json").read_text())["verdict"]
    assert verdict["holding"], "a run of four scenarios leaves criteria unmet"
    lines = shown.stdout.splitlines()
    for criterion in verdict["holding"]:
        assert any(re.match(rf"  {re.escape(criterion)}: (not met|not evaluable|met) -- .+", line) for line in lines), \
            (criterion, shown.stdout)


def _in_a_terminal(tmp: Path) -> str:
    """`dit run` with its stdout and stderr on a pseudo-terminal: everything it drew, as bytes decoded."""
    main, child = pty.openpty()
    env = {**os.environ, "DIT_SMKI": str(tmp / "smki"), "TERM": "xterm-256color", "COLUMNS": "200"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "harness", "run", *SELECTION, "--report-dir", str(tmp / "r")],
                               stdin=child, stdout=child, stderr=child, cwd=PROJECT, env=env, close_fds=True)
    os.close(child)
    drawn = bytearray()
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:         # EIO: the child's side is closed
            break
        if not chunk:
            break
        drawn += chunk
    os.close(main)
    assert process.wait(timeout=600) == 0, drawn.decode(errors="replace")
    return drawn.decode(errors="replace")


def test_on_a_terminal_one_line_is_rewritten_with_the_counts_and_the_scenario_running(tmp_path):
    drawn = _in_a_terminal(tmp_path)
    frames = [ANSI.sub("", frame) for frame in drawn.split("\r")]
    counts = [m.groups() for frame in frames
              if (m := re.search(r"(\d+) passed (\d+) failed (\d+) blocked .* (\d+)/4 ", frame))]
    assert ("0", "0", "0", "0") in counts and ("4", "0", "0", "4") in counts, counts
    # the scenario running, with where it runs, on the same line
    assert any(re.search(r"\d+/4 .*Install & Commission - \w+ \w+ \[B6/SB11-core\]", frame) for frame in frames)
    assert "PASSED  install_commission" not in drawn         # no line per scenario on a terminal


# -- units -------------------------------------------------------------------------------------------------------

class _Flushes(io.StringIO):
    """stdout that notes what had been written each time it was flushed."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed: list[str] = []

    def flush(self) -> None:
        self.flushed.append(self.getvalue())


def _record(outcome: Outcome, execution: int | None, title: str = "Install & Commission - ESME Credit",
            **more) -> ExecutionRecord:
    return ExecutionRecord(1, f"node{execution}", "install_commission/x", outcome, baseline="B6", test_set="SB11-core",
                           id=execution, title=title, family="install_commission", **more)


def test_without_a_terminal_each_line_is_flushed_as_its_scenario_finishes(monkeypatch):
    out = _Flushes()
    monkeypatch.setattr(sys, "stdout", out)
    progress = console.RunProgress(Console(file=io.StringIO(), force_terminal=False))
    progress.start(2)
    progress.finished(_record(Outcome.FAILED, 7, cast="ESME=ESME 2"))
    line = "FAILED  install_commission Install & Commission - ESME Credit [B6/SB11-core, ESME=ESME 2] execution 7\n"
    assert out.flushed and out.flushed[-1] == line       # in a CI log at once, not when the buffer fills


def test_the_end_names_each_failed_and_blocked_execution_and_how_to_raise_an_issue(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    suspended = BlockedReason(Blocker.SUSPENDED, "ESME-78-1-alder suspended")
    records = [_record(Outcome.PASSED, 2), _record(Outcome.FAILED, 3, failed_step="Then the request succeeds",
                                                    error="E12"),
               *(_record(Outcome.BLOCKED, i).blocked_by(suspended) for i in (4, 5, 6, 9))]
    console.print_tables(records)
    text = " ".join(out.getvalue().split())       # as wide as the console: a long line wraps
    assert "FAILED Install & Commission - ESME Credit [B6 SB11-core] execution 3" in text
    assert "BLOCKED 4 scenarios: ESME-78-1-alder suspended (executions 4-6, 9)" in text
    assert f"to raise a test issue on one: {console.RAISE_HINT}" in text


def test_the_capture_analysis_says_its_progress_at_a_modest_rate(capsys):
    progress = console.CaptureProgress(Console(file=io.StringIO(), force_terminal=False))
    for done in range(101):
        progress(done, 100)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "analysing 100 HAN captures of this run (DIT.8, DIT.11)"
    assert lines[1:] == [f"  {n} of 100 HAN captures analysed" for n in range(10, 101, 10)]


# -- the command ---------------------------------------------------------------------------------------------------

def test_version_is_the_installed_release():
    shown = dit("--version")
    assert (shown.returncode, shown.stdout, shown.stderr) == (0, f"dit {version('dit-harness')}\n", "")


def test_python_dash_m_harness_is_dit():
    shown = subprocess.run([sys.executable, "-m", "harness", "--help"], capture_output=True, text=True, cwd=PROJECT)
    assert shown.returncode == 0 and shown.stdout.startswith("usage: dit "), shown.stderr


def test_a_missing_command_is_one_line_naming_dit_once():
    shown = dit()
    assert shown.returncode == 2
    assert shown.stderr == "dit: error: the following arguments are required: command (see dit --help)\n"


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = (), *,
              groups: bool = False) -> Iterator[tuple[str, ...]]:
    """Each command's words after `dit`; with groups, `dit` itself and its groups (`dit lab`) too."""
    subcommands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if groups or not subcommands:
        yield path
    for action in subcommands:
        for name, sub in action.choices.items():
            yield from _commands(sub, (*path, name), groups=groups)


def _parser(path: tuple[str, ...]) -> argparse.ArgumentParser:
    parser = build_parser()
    for name in path:
        parser = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[name]
    return parser


@pytest.mark.parametrize("path", list(_commands(build_parser())), ids=" ".join)
def test_each_command_s_help_has_examples_and_exit_codes(path):
    text = _parser(path).format_help()
    examples = text.split("examples:\n", 1)[1].split("\n\nexit codes:\n")[0] if "examples:\n" in text else ""
    assert len(re.findall(rf"^  dit {' '.join(path)}\b", examples, re.M)) >= (2 if path != ("lab", "resume") else 1)
    codes = re.findall(r"^  (\d)  ", text.split("exit codes:\n", 1)[-1], re.M)
    assert "0" in codes and "2" in codes, text


@pytest.mark.parametrize("path", list(_commands(build_parser(), groups=True)), ids=lambda p: " ".join(("dit", *p)))
def test_help_is_in_the_plan_s_words(path):
    text = _parser(path).format_help()
    assert "seed" not in text.lower(), text       # the DIT approach's words, not how this project got its copy


def test_the_top_level_help_has_examples_and_exit_codes():
    text = build_parser().format_help()
    assert "examples:\n" in text and re.search(r"exit codes:\n  0 .*\n  1 .*\n(.*\n)*  2 ", text)


# -- a ledger outside a project ------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [("phase", "runs"), ("issue", "list"), ("evidence", "list"), ("lab", "suspensions"),
                                  ("report", "--out", "out")], ids=" ".join)
def test_a_reading_command_makes_no_ledger_where_there_is_none(tmp_path, argv):
    shown = dit(*argv, cwd=tmp_path)
    assert shown.returncode == 2
    assert shown.stderr == (f"dit: error: no phase ledger at {tmp_path / 'reports' / 'phase.db'} "
                            "(run `dit run` first, or pass --ledger)\n")
    assert not (tmp_path / "reports" / "phase.db").exists()


def test_a_recording_command_says_where_it_started_a_ledger(tmp_path):
    raised = dit("issue", "raise", "--title", "IHD shows no tariff", "--severity", "4", "--owner", "DSP", cwd=tmp_path)
    assert raised.returncode == 0, raised.stderr
    assert raised.stderr == f"dit: started a new phase ledger at {tmp_path / 'reports' / 'phase.db'}\n"
    assert raised.stdout.startswith("TI-0001")         # stdout stays the data a script reads
    again = dit("issue", "raise", "--title", "IHD shows no price", "--severity", "4", "--owner", "DSP", cwd=tmp_path)
    assert again.returncode == 0 and again.stderr == "" and len(again.stdout.splitlines()) == 1
