"""Which pytest process of a run loads the step definitions (and with them the labs and DCC Users): every one that
runs or collects scenarios, never an xdist controller, which only hands them out (harness.plugin.runs_scenarios)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from dit_command import PROJECT

import steps
from harness.plugin import runs_scenarios


class _Plugins:
    def __init__(self) -> None:
        self.imported: list[str] = []

    def import_plugin(self, name: str) -> None:
        self.imported.append(name)


def _config(worker: bool = False, **options: object) -> SimpleNamespace:
    """A pytest config as the plugin reads it: its options (xdist's where xdist set them) and, in a worker,
    workerinput."""
    chosen = {"dist": "no", "tx": [], "collectonly": False, **options}
    config = SimpleNamespace(getoption=lambda name, default=None: chosen.get(name, default),
                             pluginmanager=_Plugins())
    if worker:
        config.workerinput = {"workerid": "gw0"}
    return config


@pytest.mark.parametrize(("config", "runs"), [
    (_config(), True),                                                          # plain pytest, serial dit run
    (_config(dist="loadgroup", tx=["popen"] * 2), False),                       # dit run -n 2: the controller
    (_config(worker=True, dist="loadgroup", tx=["popen"] * 2), True),           # ... and each of its workers
    (_config(dist="loadgroup", tx=["popen"] * 2, collectonly=True), True),      # -n 2 --collect-only collects here
    (_config(dist="load", tx=[]), True),                                        # -n 0: no workers are started
    (SimpleNamespace(getoption=lambda name, default=None: default), True),      # xdist not installed
], ids=["serial", "controller", "worker", "collect-only", "no-workers", "no-xdist"])
def test_only_an_xdist_controller_runs_no_scenarios(config, runs):
    assert runs_scenarios(config) is runs


def test_the_step_definitions_load_where_scenarios_run_only():
    controller, worker = _config(dist="loadgroup", tx=["popen"] * 2), _config(worker=True, dist="loadgroup",
                                                                              tx=["popen"] * 2)
    steps.pytest_configure(controller)
    steps.pytest_configure(worker)
    assert controller.pluginmanager.imported == []
    assert worker.pluginmanager.imported == steps.MODULES
    assert {path.stem for path in (PROJECT / "steps").glob("*.py")} - {"__init__"} == {
        name.removeprefix("steps.") for name in steps.MODULES}          # every step module is loaded
