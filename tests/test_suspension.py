"""Suspension of devices (never a CH), blocked scenarios, resumption, and DIT suspended when every meter is."""

from __future__ import annotations

import json

import pytest
from dit_command import dit

from harness.errors import DitError
from harness.ledger import Ledger


def test_the_ledger_keeps_suspensions_and_their_resumption(tmp_path):
    book = Ledger(f"sqlite:///{tmp_path / 'phase.db'}")
    book.suspend("ESME-78-1-alder", "ESME", 2, "stays in credit mode after 1.6")
    with pytest.raises(DitError, match="already suspended"):
        book.suspend("ESME-78-1-alder", "ESME", 4, "again")
    with pytest.raises(DitError, match="never a CH"):
        book.suspend("CH-78-1", "CHF", 4, "frozen")
    with pytest.raises(DitError, match="seed's four"):
        book.suspend("GSME-78-1-alder", "GSME", 5, "?")
    with pytest.raises(DitError, match="approved fix"):
        book.resume("ESME-78-1-alder", " ")
    assert book.all_suspended(["ESME-78-1-alder"]) and not book.all_suspended([])     # no meters: DIT is not
    book.resume("ESME-78-1-alder", "CRB-2026-117")
    assert book.active() == [] and book.suspensions()[0].fix_reference == "CRB-2026-117"
    with pytest.raises(DitError, match="is not suspended"):
        book.resume("ESME-78-1-alder", "CRB-2026-118")
    book.close()
    again = Ledger(f"sqlite:///{tmp_path / 'phase.db'}")             # it is a real database file
    assert len(again.suspensions()) == 1


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_suspended_devices_scenarios_are_blocked_not_failed(tmp_path, workers):
    ledger = f"sqlite:///{tmp_path / 'phase.db'}"
    refused = dit("lab", "suspend", "CH-78-1", "--condition", "4", "--reason", "x", "--ledger", ledger,
                  DIT_SMKI=str(tmp_path / "smki"))
    assert refused.returncode == 2 and "never a CH" in refused.stderr
    assert dit("lab", "suspend", "ESME-78-1-alder", "--condition", "4", "--reason", "no response to any SR",
               "--ledger", ledger, DIT_SMKI=str(tmp_path / "smki")).returncode == 0
    run = dit("run", "-m", "tariff_update", "--ledger", ledger, "--report-dir", str(tmp_path / "r"), *workers,
              DIT_SMKI=str(tmp_path / "smki"))
    assert run.returncode == 0, run.stdout + run.stderr                  # nothing that ran failed
    executions = {(e["scenario_id"], e["cast"]): e
                  for e in json.loads((tmp_path / "r" / "summary.json").read_text())["executions"]
                  if e["family"] == "tariff_update"}
    electricity = executions["tariff_update/tariff-update-product-change-electricity", ""]
    assert electricity["outcome"] == "blocked" and "ESME-78-1-alder suspended (condition 4" in electricity["error"]
    assert electricity["devices"] == ["ESME-78-1-alder"]
    # with the second meter as the ESME the suspended one takes no part: that cast runs
    second = executions["tariff_update/tariff-update-product-change-electricity", "ESME=ESME 2"]
    assert second["outcome"] == "passed" and second["devices"] == ["ESME-78-2-birch"]
    # who took part as the DCC Users saw it (the verdict's devices), not what the steps name
    took_part = {p["asset"]: p["role"] for p in second["participants"]}
    assert took_part.get("ESME-78-2-birch") == "ESME" and "ESME-78-1-alder" not in took_part
    assert executions["tariff_update/tariff-update-product-change-gas", ""]["outcome"] == "passed"
    assert "BLOCKED" in run.stdout
    assert dit("lab", "resume", "ESME-78-1-alder", "--fix", "CRB-2026-117", "--ledger", ledger,
               DIT_SMKI=str(tmp_path / "smki")).returncode == 0
    run = dit("run", "-m", "tariff_update and ESME and credit", "--ledger", ledger,
              "--report-dir", str(tmp_path / "r2"), DIT_SMKI=str(tmp_path / "smki"))
    assert run.returncode == 0 and "2 passed" in run.stdout          # as named and with the second meter


def test_every_meter_suspended_suspends_dit(tmp_path):
    from harness.lab import load

    ledger = f"sqlite:///{tmp_path / 'phase.db'}"
    book = Ledger(ledger)
    for asset in load().asset_library.devices.values():
        if asset.device_type.is_meter:
            book.suspend(asset.name, asset.device_type.value, 4, "frozen")
    book.close()
    run = dit("run", "-m", "price_update", "--ledger", ledger, "--report-dir", str(tmp_path / "r"),
              DIT_SMKI=str(tmp_path / "smki"))
    assert run.returncode == 1 and "nothing could run" in run.stderr and "DIT is suspended" in run.stderr
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    blocked = [e for e in summary["executions"] if e["outcome"] == "blocked"]
    assert len(blocked) == 4 and all("DIT is suspended" in e["error"] for e in blocked)     # 2 variants, 2 casts


def test_plain_pytest_reads_suspensions_from_dit_s_ledger_but_never_starts_one(tmp_path):
    """`pytest features` (no dit, no --ledger) blocks what dit's ledger in ./reports suspends; with none there it
    runs without leaving a phase.db behind."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    project = Path(__file__).resolve().parent.parent

    def plain_pytest() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pytest", str(project / "features"), "-q", "-p",
                               "no:cacheprovider", f"--rootdir={project}", "-k",
                               "install_commission and ESME and Credit and not ESME2"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "DIT_SMKI": str(tmp_path / "smki")})

    ran = plain_pytest()
    assert ran.returncode == 0 and "1 passed" in ran.stdout, ran.stdout + ran.stderr
    assert not (tmp_path / "reports").exists()
    with Ledger(f"sqlite:///{tmp_path / 'reports' / 'phase.db'}") as book:
        book.suspend("ESME-78-1-alder", "ESME", 4, "frozen after 11.1")
    blocked = plain_pytest()
    assert "1 skipped" in blocked.stdout, blocked.stdout + blocked.stderr
