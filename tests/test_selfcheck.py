"""`dit run` (for now the self-check) as a new user runs it: honest about what it runs, exit 0, a report."""

from __future__ import annotations

import json
import subprocess
import sys


def test_dit_run_says_what_it_runs_and_passes(tmp_path):
    result = subprocess.run([sys.executable, "-m", "harness.cli", "run", "--report-dir", str(tmp_path / "reports")],
                            capture_output=True, text=True, cwd=tmp_path, timeout=300,
                            env={"PATH": "/usr/bin:/bin", "DIT_SMKI": str(tmp_path / "smki")})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "not built yet" in result.stdout and "PASS" in result.stdout
    report = json.loads((tmp_path / "reports" / "selfcheck.json").read_text())
    areas = {f["area"] for f in report["findings"]}
    assert areas == {"DUIS", "GBCS"} and all(f["passed"] for f in report["findings"])
    assert len([f for f in report["findings"] if f["area"] == "DUIS"]) >= 73
    assert (tmp_path / "smki" / "root.pem").exists()
