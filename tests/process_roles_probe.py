"""A pytest plugin for test_baselines' parallel run: which of the run's processes imported the labs and the steps."""

from __future__ import annotations

import json
import os
import sys

WATCHED = ("harness.emulators", "harness.lab.emulated", "harness.adapters", "harness.gbcs", "steps.lab")


def pytest_unconfigure(config):
    if "DIT_ROLES_PROBE" in os.environ:
        role = "worker" if hasattr(config, "workerinput") else "controller"
        with open(os.environ["DIT_ROLES_PROBE"], "a", encoding="utf-8") as out:
            out.write(json.dumps({"role": role, "imported": [m for m in WATCHED if m in sys.modules]}) + "\n")
