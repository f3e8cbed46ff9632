"""What a run keeps of a scenario once it has ended: its record, not its lab or its steps' context."""

from __future__ import annotations

import json
import os
import threading

from dit_command import PROJECT, dit


def test_a_finished_scenario_keeps_neither_its_lab_nor_its_context_alive(tmp_path):
    """pytest keeps every item to the end of the run: the plugin drops what it stashed there as each scenario ends,
    so the labs (devices, HAN frames, exchanges) of finished scenarios are garbage, not a growing heap; so are
    their records there (Run.records has them) and what pytest-bdd and allure-pytest-bdd kept of them for their
    reports (the rendered scenario and its steps, a StepReport each: a serial matrix's 1,315 of them grew it)."""
    probe = tmp_path / "probe.json"
    result = dit("run", "-m", "price_update", "--report-dir", str(tmp_path / "reports"), "--",
                 "-p", "scenario_lifetime_probe", DIT_SMKI=str(tmp_path / "smki"), DIT_LIFETIME_PROBE=str(probe),
                 PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT / "tests"), os.environ.get("PYTHONPATH")])))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    found = json.loads(probe.read_text())
    assert found["watched"] >= 16, found          # 4 executions: its lab, its context, its steps' report, scenario
    assert (found["stashed"], found["alive"]) == (0, 0), found
    # and each is freed as it ends, its devices, hubs, DCC and clock too (cycles only the collector frees), not at
    # some later full collection: the next scenario starts without it
    assert found["alive_at_next"] == [0, 0, 0], found
    # the run keeps each record to its end, but not the steps that passed: its JUnit XML names only a failed step,
    # and no Cucumber JSON was asked for
    assert (found["records"], found["steps_kept"]) == (4, 0), found
    # and each capture's DIT.8/DIT.11 figures as compact JSON text, not dicts of lists of floats, until the end
    assert found["han_figures_kept_as"] == ["str"], found
    # nor the evidence folders of executions that ended
    assert found["evidence_folders_held"] == 0, found


def test_a_stopped_lab_leaves_no_server_thread_behind(lab_config, smki):
    """A Users' kept-alive connection to the DCC holds a server thread, and the thread the whole lab: stop() closes
    the Users' connections, so every thread the lab started ends."""
    from harness.lab import EmulatedLab

    before = set(threading.enumerate())
    with EmulatedLab(lab_config, smki=smki, schema=None) as lab:
        exchange = lab.user("the Import Supplier").send("8.2", None, device_id=lab.device("CHF").eui)
        assert exchange.succeeded, exchange.summary
    started = [t for t in threading.enumerate() if t not in before]
    for thread in started:
        thread.join(timeout=10)
    assert [t.name for t in started if t.is_alive()] == []
