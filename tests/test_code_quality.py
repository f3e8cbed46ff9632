"""Lint and types, run with the tests so that `.ci/run` (the README's test command) holds them at zero findings:
ruff with the rules of pyproject.toml over the project, mypy at its configured strictness over harness/."""

from __future__ import annotations

import subprocess
import sys

from dit_command import PROJECT


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *argv], cwd=PROJECT, capture_output=True, text=True)


def test_ruff_finds_nothing():
    result = _run("ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing_in_harness():
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
