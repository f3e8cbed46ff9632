"""Break each rule of the emulated lab and the criteria in turn, and see a test fail: the check the developers'
guide asks of every emulator rule and criterion, kept so it can be run again.

rule_breaks.json lists the breaks by area: each names a file, a piece of its text that is the rule (found exactly
once) and what it becomes when the rule is broken (a check skipped, a comparison loosened), and each area the
tests that guard it. Each break is made in a copy of the project, the area's tests run against it (-x), and the
break is said killed (by the first test that failed), SURVIVED (no test noticed: write one) or stale (its text is
no longer in the file: bring the entry up to date). Each area's tests are first run with no break made: if they fail
in the copy, its breaks are said unchecked, since a kill would mean nothing. The project itself is never changed.

Run:  .venv/bin/python checks/break_rules.py [-k TEXT] [-n WORKERS]
Exit 0 when every break was killed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BREAKS = Path(__file__).with_name("rule_breaks.json")
LEFT_OUT = shutil.ignore_patterns(".git", ".venv", "reports", "__pycache__", "*.egg-info", ".pytest_cache")


def _run_tests(copy: Path, tests: list[str], workers: int) -> tuple[bool, str]:
    """Whether the tests all passed in the copy, and the first test that did not."""
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:randomly", "-p", "no:cacheprovider", "-rfE",
               *(["-n", str(workers)] if workers else []), *tests]
    # the copy is not beside ../shared: the tests that use it are told where it is, or they would skip
    shared = {"DIT_SHARED": str(PROJECT.parent / "shared")} if (PROJECT.parent / "shared").is_dir() else {}
    # bytecode is written in the copy: each run would compile the whole of harness again without it
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(command, cwd=copy, capture_output=True, text=True,
                          env={**shared, **inherited, "PYTHONPATH": str(copy)})
    # "FAILED tests/x.py::test_y[an id] - AssertionError...": the test, ids with spaces and all
    failed = next((line.split(" ", 1)[1].split(" - ")[0] for line in done.stdout.splitlines()
                   if line.startswith(("FAILED ", "ERROR "))), "")
    return done.returncode == 0, failed


def _write_source(path: Path, text: str) -> None:
    """The module's new text, and its cached bytecode gone: Python trusts a .pyc whose source has the same size and
    the same mtime to the second, so a break of the same length, made and undone within a second, would otherwise
    live on in every later run (it did: W11's 60 -> 61)."""
    path.write_text(text, encoding="utf-8")
    for cached in (path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"):
        cached.unlink(missing_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only the breaks whose id or area holds this text")
    parser.add_argument("-n", type=int, default=0, help="pytest-xdist workers per run (default 0: serial, as "
                                                        "most breaks are found by the first tests)")
    args = parser.parse_args()
    areas = json.loads(BREAKS.read_text(encoding="utf-8"))
    counts = {"killed": 0, "SURVIVED": 0, "stale": 0, "unchecked": 0}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dit-break-rules-") as folder:
        copy = Path(folder) / "project"
        shutil.copytree(PROJECT, copy, ignore=LEFT_OUT)
        for area in areas:
            chosen = [b for b in area["breaks"] if args.k in b["id"] or args.k in area["area"]]
            if not chosen:
                continue
            print(f"-- {area['area']}")
            # A kill means something only if the area's tests pass with no break made (in the copy, as the
            # breaks are run): a test failing anyway would "kill" every break it guards
            passed, failed = _run_tests(copy, area["tests"], args.n)
            if not passed:
                counts["unchecked"] += len(chosen)
                print(f"UNCHECKED {len(chosen)} breaks: with no break made {failed or 'the tests'} failed "
                      "(make the area's tests pass in a copy of the project first)", flush=True)
                continue
            for rule in chosen:
                path = copy / rule["file"]
                text = path.read_text(encoding="utf-8")
                if text.count(rule["old"]) != 1:
                    verdict, why = "stale", f"its text is in {rule['file']} {text.count(rule['old'])} times, not once"
                else:
                    _write_source(path, text.replace(rule["old"], rule["new"]))
                    try:
                        passed, failed = _run_tests(copy, area["tests"], args.n)
                    finally:
                        _write_source(path, text)
                    verdict, why = ("SURVIVED", "no test failed") if passed else ("killed", failed or "the run failed")
                counts[verdict] += 1
                print(f"{verdict:8} {rule['id']:24} {why}", flush=True)
    print(f"{sum(counts.values())} breaks: {counts['killed']} killed, {counts['SURVIVED']} survived, "
          f"{counts['stale']} stale, {counts['unchecked']} unchecked ({time.monotonic() - started:.0f} s)")
    return 0 if counts["SURVIVED"] == counts["stale"] == counts["unchecked"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
