"""Run the `dit` command as a user would: a child process, its exit code and its two streams."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def dit(*args: str, cwd: Path | None = PROJECT, timeout: float = 600, **env: str) -> subprocess.CompletedProcess:
    """`dit ARGS...`; keyword arguments are environment variables (DIT_SMKI=... keeps the SMKI per test)."""
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env={**os.environ, **env})
