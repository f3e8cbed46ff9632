"""The lab contract is checked by a type checker, not by convention: mypy verifies that the emulated lab and a
real bench are each a `Lab` (harness.lab.contract), and the test SMKI repository and a real lab's SMKI adapter
each an `Smki` (harness.pki.repository). Removing or changing a method either lab offers the steps fails here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]

IMPLEMENTATIONS = '''
from harness.lab.contract import Lab
from harness.lab.emulated import EmulatedLab
from harness.lab.real import RealLab, SmkiService
from harness.pki.repository import Smki, SmkiRepository


def emulated(lab: EmulatedLab) -> Lab:
    return lab


def real(lab: RealLab) -> Lab:
    return lab


def repository(smki: SmkiRepository) -> Smki:
    return smki


def adapter(smki: SmkiService) -> Smki:
    return smki
'''

# A real lab as it would be with one of its methods gone: the check must say which member it misses.
LESS_ONE_METHOD = '''
from harness.lab.contract import Lab
from real_less_interfere import RealLab


def real(lab: RealLab) -> Lab:
    return lab
'''


def _mypy(folder: Path, *modules: str) -> list[str]:
    """mypy's lines (errors and their notes) on the given modules of `folder`; what they import is checked
    silently (its own findings are not this test's)."""
    done = subprocess.run([sys.executable, "-m", "mypy", "--follow-imports=silent", "--no-error-summary",
                           "--cache-dir", str(folder / ".mypy_cache"), *(str(folder / m) for m in modules)],
                          cwd=PROJECT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MYPYPATH": f"{folder}{os.pathsep}{PROJECT}"})
    assert "error: " in done.stdout or done.returncode == 0, done.stdout + done.stderr
    return done.stdout.splitlines()


def test_both_labs_are_a_lab_and_both_smki_sources_an_smki(tmp_path: Path) -> None:
    (tmp_path / "implementations.py").write_text(IMPLEMENTATIONS)
    real = (PROJECT / "harness" / "lab" / "real.py").read_text()
    less, removed = re.subn(r"\n    def interfere\(self\) -> None:\n(?:        [^\n]*\n)+", "\n", real)
    assert removed == 1, "RealLab.interfere is where this test expects it"
    (tmp_path / "real_less_interfere.py").write_text(less)
    (tmp_path / "less_one_method.py").write_text(LESS_ONE_METHOD)
    said = _mypy(tmp_path, "implementations.py", "less_one_method.py")
    assert not [line for line in said if "implementations.py" in line], "\n".join(said)
    missing = [line for line in said if "less_one_method.py" in line]
    assert any(": error: " in line for line in missing) and any("interfere" in line for line in missing), \
        "mypy did not notice a lab without interfere():\n" + "\n".join(said)
