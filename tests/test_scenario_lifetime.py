"""What a run keeps of a scenario once it has ended: its record, not its lab or its steps' context."""

from __future__ import annotations

import json
import os

from dit_command import PROJECT, dit


def test_a_finished_scenario_keeps_neither_its_lab_nor_its_context_alive(tmp_path):
    """pytest keeps every item to the end of the run: the plugin drops what it stashed there as each scenario ends,
    so the labs (devices, HAN frames, exchanges) of finished scenarios are garbage, not a growing heap."""
    probe = tmp_path / "probe.json"
    result = dit("run", "-m", "price_update", "--report-dir", str(tmp_path / "reports"), "--",
                 "-p", "scenario_lifetime_probe", DIT_SMKI=str(tmp_path / "smki"), DIT_LIFETIME_PROBE=str(probe),
                 PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT / "tests"), os.environ.get("PYTHONPATH")])))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    found = json.loads(probe.read_text())
    assert found["watched"] >= 8, found           # 4 executions, each with its lab and its context
    assert (found["stashed"], found["alive"]) == (0, 0), found
