"""Waiting for device and DCC alerts, as the service user receives them."""

from __future__ import annotations

from pytest_bdd import parsers, then

from harness.lab import parameters
from harness.scenarios import ALERT_STEP, NO_ALERT_STEP


@then(parsers.re(ALERT_STEP.pattern))
def receives_alert(lab, scenario_context, party, kind, code, device=None):
    user = lab.user(party)
    eui = parameters.device(lab.config, device)[1] if device else None
    received = user.wait_for_alert(code, device=eui)
    assert received is not None, f"the {party} received no {kind} alert {code}"
    scenario_context.observe(f"{kind} alert {code} to {user.name}", received.at, received.data)
    referenced = received.response.referenced_request_id
    if referenced is not None:
        ours = {x.request_id for x in scenario_context.exchanges}
        assert referenced in ours, f"{kind} alert {code} is about {referenced}, not a request of this scenario"


@then(parsers.re(NO_ALERT_STEP.pattern))
def receives_no_alert(lab, party, kind, code, device=None):
    """An alert that must not reach the party (e.g. 0x8F69 while the ACB is in the device's supplier cell)."""
    eui = parameters.device(lab.config, device)[1] if device else None
    assert lab.user(party).wait_for_alert(code, timeout=600, device=eui, expected=False) is None, \
        f"the {party} received {kind} alert {code}" + (f" from the {device}" if device else "")
