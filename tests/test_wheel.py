"""The wheel: what it carries, and `dit run` from a fresh venv it is installed in, outside the checkout, running the
scenarios, step definitions, lab config and device profiles the wheel carries (harness/project.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from harness.ledger import schema

PROJECT = Path(__file__).resolve().parents[1]
# What a wheel is not built from: the venv, git and the tools' caches (dot folders), build output and reports.
NOT_SOURCES = shutil.ignore_patterns(".*", "__pycache__", "*.egg-info", "build", "dist", "reports")
# The top of the checkout that the wheel carries in harness/_project/ (pyproject.toml's package-dir).
PROJECT_FILES = ("conftest.py", "steps/*.py", "features/*.py", "features/**/*.feature", "lab_configs/**/*.yaml",
                 "device_profiles/**/*.yaml")


def _run(*argv: str | Path, cwd: Path, timeout: float, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in argv], check=False, capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env=env)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkout's wheel, built offline with the venv's setuptools from a copy (in source/ beside it): building
    in place would write build/ and the egg-info into a working tree other tests are running from."""
    work = tmp_path_factory.mktemp("wheel")
    shutil.copytree(PROJECT, work / "source", ignore=NOT_SOURCES)
    built = _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                 "-w", work, work / "source", cwd=work, timeout=120)
    assert built.returncode == 0, built.stdout + built.stderr
    return next(work.glob("dit_harness-*.whl"))


def test_the_wheel_carries_every_file_of_harness_and_what_dit_run_hands_pytest(wheel: Path) -> None:
    source = wheel.parent / "source"            # what it was built from
    assert all(any(source.glob(pattern)) for pattern in PROJECT_FILES)
    harness = {p.relative_to(source).as_posix() for p in (source / "harness").rglob("*") if p.is_file()}
    project = {f"harness/_project/{p.relative_to(source).as_posix()}" for pattern in PROJECT_FILES
               for p in source.glob(pattern)}
    missing = sorted((harness | project) - set(zipfile.ZipFile(wheel).namelist()))
    assert not missing, (f"the wheel lacks {missing[:10]}: a new harness sub-package goes in [tool.setuptools] "
                         "packages of pyproject.toml, a data file in its package-data")


def _site_packages(python: Path) -> Path:
    asked = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=python.parent,
                 timeout=30)
    return Path(asked.stdout.strip())


@pytest.fixture
def venv(wheel: Path, tmp_path: Path) -> Path:
    """A fresh venv with the wheel installed (no pip of its own: this venv's pip installs into it), its
    dependencies taken from this venv's site-packages by a plain path line -- which runs none of the .pth files
    there, so the checkout's editable install of harness stays out."""
    venv = tmp_path / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path, timeout=60)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    # Installed before the path line: pip then sees no other dit-harness to replace.
    installed = _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index",
                     wheel, cwd=tmp_path, timeout=120)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    (_site_packages(python) / "dit_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def test_dit_run_from_a_wheel_installed_outside_the_checkout(venv: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"DIT_SMKI": str(tmp_path / "smki")}
    where = _run(venv / "bin" / "python", "-c", "import json, harness, harness.cli, harness.project as p; "
                 "print(json.dumps([*harness.__path__, harness.cli.__file__, str(p.ROOT), p.CHECKOUT]))",
                 cwd=tmp_path, timeout=60, env=env)
    assert where.returncode == 0, where.stderr
    *imported, root, checkout = json.loads(where.stdout)
    assert checkout is None and all(Path(p).is_relative_to(venv) for p in (*imported, root)), where.stdout

    report = tmp_path / "reports"
    ran = _run(venv / "bin" / "dit", "run", "-m", "install_commission", "--report-dir", report, cwd=tmp_path,
               timeout=240, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    summary = json.loads((report / "summary.json").read_text())
    passed = [e["scenario_id"] for e in summary["executions"] if e["outcome"] == "passed"]
    # 4 variants, as named and with the second meters (lab.casts)
    assert len(passed) == summary["totals"]["passed"] == 8 and summary["totals"]["failed"] == 0, summary["totals"]
    assert all(scenario.startswith("install_commission/") for scenario in passed), passed


def test_a_ledger_an_old_release_made_upgrades_from_the_wheel(venv: Path, tmp_path: Path) -> None:
    """The ledger's migration scripts are in the wheel and found there: Alembic reads them as files."""
    ledger = tmp_path / "phase.db"
    shutil.copy(PROJECT / "tests" / "data" / "ledgers" / "ab80485.db", ledger)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    listed = _run(venv / "bin" / "dit", "phase", "runs", "--ledger", f"sqlite:///{ledger}", cwd=tmp_path, timeout=120,
                  env=env)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert f"dit: {ledger}: ledger upgraded from an unversioned ledger" in listed.stderr
    assert listed.stdout.splitlines()[0] == f"ledger {ledger}, schema revision {schema.HEAD}"
