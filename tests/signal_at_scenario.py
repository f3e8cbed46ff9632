"""A pytest plugin for test_run_interruptions: with DIT_SIGNAL_AT="N SIGNAME" the run sends itself that signal as its
Nth scenario is set up, once those before it are in the ledger, so the signal lands at that point however fast or
loaded the machine is (SIGTERM: the run stops; SIGSTOP: it waits there for the test's fault and SIGCONT). Without it
(the run resumed with the same arguments) the plugin does nothing."""

from __future__ import annotations

import os
import signal

_setups = 0


def pytest_runtest_setup(item) -> None:
    global _setups
    _setups += 1
    at, _, name = os.environ.get("DIT_SIGNAL_AT", "").partition(" ")
    if at == str(_setups):
        os.kill(os.getpid(), signal.Signals[name])
