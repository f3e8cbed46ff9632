"""A pytest plugin that gives an emulated device a firmware defect on purpose, for tests/test_junit_cucumber.py: loaded
into `dit run` after `--` (`dit run ... -- -p device_defects`, with tests/ on PYTHONPATH), it reads DIT_DEFECT --
DEVICE:USE_CASE, e.g. "ESME:ECS16" -- and makes that device fail that use case in every scenario, as a device with the
defect would: it answers the command with a failure, and the scenario's "Then the request succeeds" fails on it."""

from __future__ import annotations

import os

from harness.emulators.device import CommandFailed
from harness.plugin import LAB


def _failing(use_case: str):
    def handler(device, fields, apdu):
        raise CommandFailed(f"{use_case}: firmware defect, the command is not carried out")
    return handler


def pytest_bdd_before_step_call(request, feature, scenario, step, step_func, step_func_args) -> None:
    """At each scenario's first step that has the lab in hand (the lab is made when a step first needs it)."""
    defect, lab = os.environ.get("DIT_DEFECT"), request.node.stash.get(LAB, None)
    if not defect or lab is None or getattr(lab, "_defective", False):
        return
    name, _, use_case = defect.partition(":")
    device = lab.device(name)
    device._handlers = {**device._handlers, use_case: _failing(use_case)}      # this device only, not its class
    lab._defective = True
