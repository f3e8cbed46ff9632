"""`dit selfcheck`: every DIT SR built, signed and checked with this installation's keys."""

from __future__ import annotations

import json
import subprocess
import sys


def test_selfcheck_passes_and_reports(tmp_path):
    result = subprocess.run([sys.executable, "-m", "harness.cli", "selfcheck", "--report-dir", str(tmp_path / "r")],
                            capture_output=True, text=True, cwd=tmp_path, timeout=300,
                            env={"PATH": "/usr/bin:/bin", "DIT_SMKI": str(tmp_path / "smki")})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS" in result.stdout
    report = json.loads((tmp_path / "r" / "selfcheck.json").read_text())
    assert {f["area"] for f in report["findings"]} == {"DUIS", "GBCS"}
    assert all(f["passed"] for f in report["findings"])
    assert len([f for f in report["findings"] if f["area"] == "DUIS"]) >= 73
