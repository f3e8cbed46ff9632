"""A pytest plugin that breaks the bench on purpose, for tests/test_bench_faults.py: loaded into `dit run`
with PYTEST_PLUGINS=bench_faults, it reads DIT_FAULT and breaks the emulated lab just before the first
step of the run that has the lab in hand, the way a real bench breaks (a console cable pulled, the DCC
endpoint gone ...)."""

from __future__ import annotations

import os

from harness.errors import NotOnThisBench
from harness.plugin import LAB

_done = False


def _break(lab, fault: str) -> None:
    kind, _, detail = fault.partition(":")
    if kind == "unplug":                            # a device console's cable pulled out
        lab.console_servers[detail].unplug()
    elif kind == "dcc-down":                        # the DCC endpoint stops answering
        lab.dcc.stop()
    elif kind == "dcc-silent":                      # requests acknowledged, responses never posted
        lab.dcc.dsp.post = lambda user, root, label: None
    elif kind == "dcc-malformed":                   # what the DCC posts is not XML
        lab.dcc.dsp.sign = lambda root: b"<ResponseMessage><not-closed>"
    elif kind == "dcc-badsig":                      # signed, but the signature does not verify
        sign = lab.dcc.dsp.sign
        lab.dcc.dsp.sign = lambda root: sign(root).replace(b"<sr:ResponseCode>I0<", b"<sr:ResponseCode>I99<", 1)
    elif kind == "not-on-bench":                    # a step needs a person the bench has not got
        raise NotOnThisBench("needs someone to fit the Communications Hub", where="bench_faults")
    else:
        raise ValueError(f"unknown DIT_FAULT {fault!r}")


def pytest_bdd_before_step_call(request, feature, scenario, step, step_func, step_func_args) -> None:
    """At the first step of the run that has the lab in hand (the lab is made when a step first needs it)."""
    global _done
    fault, lab = os.environ.get("DIT_FAULT"), request.node.stash.get(LAB, None)
    if fault and lab is not None and not _done:
        _done = True
        _break(lab, fault)
