"""A pytest plugin for test_run_interruptions: with DIT_TERMINATE_AT=N, the run sends itself SIGTERM as its Nth scenario
is set up, once those before it are in the ledger, so the signal lands at that point however fast or loaded the
machine is. Without it (the run resumed with the same arguments) it does nothing."""

from __future__ import annotations

import os
import signal

_setups = 0


def pytest_runtest_setup(item) -> None:
    global _setups
    _setups += 1
    if str(_setups) == os.environ.get("DIT_TERMINATE_AT"):
        os.kill(os.getpid(), signal.SIGTERM)
