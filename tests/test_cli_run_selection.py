"""`dit run`'s options, one RunSelection: the ledger's record of the selection and pytest's arguments."""

from __future__ import annotations

from pathlib import Path

from harness.cli import build_parser
from harness.cli.run import RunSelection

EVERY_OPTION = ["--lab", "lab.yaml", "-k", "install and not gas", "-m", "ESME", "--without-optional",
                "--baseline", "B1", "--baseline", "B6", "--test-set", "SB11-core", "--matrix", "-n", "2",
                "--serial-consoles", "--report", "--resume", "--ledger", "sqlite:///x.db", "--report-dir", "r"]
PYTEST_OWN = 15
"""The arguments every run gives pytest: the features, plugins, outputs in the report directory, the root."""


def _selection(*flags: str) -> RunSelection:
    return RunSelection.from_args(build_parser().parse_args(["run", *flags]))


def test_the_ledger_records_the_options_as_typed_and_pytest_gets_them_in_the_same_order():
    selection = _selection(*EVERY_OPTION)
    assert selection.text == ("--lab lab.yaml -k 'install and not gas' -m 'ESME' --without-optional --baseline B1 "
                              "--baseline B6 --test-set SB11-core --matrix -n 2 --serial-consoles")
    assert selection.pytest_args(Path("r"))[PYTEST_OWN:] == [
        "--lab=lab.yaml", "-k", "install and not gas", "-m", "ESME", "--without-optional", "--baseline=B1",
        "--baseline=B6", "--test-set=SB11-core", "--matrix", "-n", "2", "--dist", "loadgroup", "--serial-consoles"]


def test_the_default_selection_is_no_options():
    selection = _selection()
    assert selection == RunSelection()
    assert selection.text == ""
    argv = selection.pytest_args(Path("r"))
    assert len(argv) == PYTEST_OWN and argv[-1].startswith("--rootdir=")
