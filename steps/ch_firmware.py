"""Communications Hub firmware management (SECMP0024): what a Supplier does on the DCC's CH firmware portal through
its machine-to-machine API, and the notifications its response service receives. Every call is step evidence."""

from __future__ import annotations

import datetime as dt
import json

from pytest_bdd import given, parsers, then, when

from harness.adapters.ch_firmware_client import PortalAnswer
from harness.dcc.ch_firmware import ChFirmwareRelease
from harness.lab import parameters

DAY = dt.timedelta(days=1)


def _release(scenario_context) -> str:
    return scenario_context.memory.ch_firmware()


def _call(lab, scenario_context, party, action: str, device: str, *args) -> PortalAnswer:
    portal = lab.ch_firmware_portal(party)
    chf = parameters.device(lab.config, device)[1]
    answer = getattr(portal, action)(_release(scenario_context), chf, *args)
    exchange = portal.exchanges[-1]
    scenario_context.observe(f"CH firmware API {exchange.method} {exchange.path} by {party}", lab.now(),
                             json.dumps({"request": json.loads(exchange.request) if exchange.request else None,
                                         "status": answer.status, "answer": answer.body}, indent=1).encode())
    return answer


def _ok(answer: PortalAnswer) -> dict:
    assert answer.status == 200 and isinstance(answer.body, dict), f"the DCC's portal answered {answer.status}: " \
                                                                   f"{answer.body}"
    return answer.body


@given(parsers.re(r"the DCC has announced CH firmware (?P<version>[0-9A-F]{8}) for (?P<chts>CHTS v1\.[01]), "
                  r"deployable for (?P<days>\d+) days with a (?P<pilot>\d+) day pilot(?P<compulsory>, compulsory)?$"))
def announced(lab, scenario_context, version, chts, days, pilot, compulsory):
    now = lab.now()
    release = ChFirmwareRelease(f"CHFW-{version}", version, chts, now, now + int(days) * DAY, now + int(pilot) * DAY,
                                compulsory=bool(compulsory))
    scenario_context.memory.ch_firmware_release = lab.announce_ch_firmware(release, "the Import Supplier")


@then(parsers.parse("{party} finds the {device} among the CHs it may upgrade under that release"))
def eligible(lab, scenario_context, party, device):
    answer = lab.ch_firmware_portal(party).chs(_release(scenario_context))
    assert answer.status == 200 and isinstance(answer.body, list), answer
    chf = parameters.device(lab.config, device)[1]
    assert chf.duis in [c["chf"] for c in answer.body], f"the {device} is not among {answer.body}"


@given(parsers.re(r"(?P<party>.+?) has scheduled the (?P<device>CHF)'s upgrade for (?P<days>\d+) days? from now$"))
@when(parsers.re(r"(?P<party>.+?) schedules the (?P<device>CHF)'s upgrade for (?P<days>\d+) days? from now$"))
def schedule(lab, scenario_context, party, device, days):
    _ok(_call(lab, scenario_context, party, "schedule", device, lab.now() + int(days) * DAY))


@then(parsers.parse("{party} cannot schedule the {device}'s upgrade for {days:d} days from now: {reason}"))
def cannot_schedule(lab, scenario_context, party, device, days, reason):
    answer = _call(lab, scenario_context, party, "schedule", device, lab.now() + days * DAY)
    assert answer.status == 422 and isinstance(answer.body, dict) and answer.body.get("refusal") == reason, \
        f"expected the DCC to refuse it ({reason}): {answer.status} {answer.body}"


@when(parsers.parse("{party} excludes the {device} from the pilot: the customer is vulnerable"))
def exclude(lab, scenario_context, party, device):
    _ok(_call(lab, scenario_context, party, "exclude", device))


@when(parsers.parse("{party} approves the {device}'s upgrade"))
def approve(lab, scenario_context, party, device):
    _ok(_call(lab, scenario_context, party, "approve", device))


@then(parsers.parse("{party} sees the {device} excluded from the pilot"))
def excluded(lab, scenario_context, party, device):
    assert _ok(_call(lab, scenario_context, party, "status", device))["excluded_from_pilot"] is True


@then(parsers.parse("{party} sees the {device}'s upgrade {state}"))
def upgrade_state(lab, scenario_context, party, device, state):
    found = _ok(_call(lab, scenario_context, party, "status", device))["state"]
    assert found == state, f"the {device}'s upgrade is {found}, expected {state}"


@then(parsers.re(r"(?P<party>.+?) sees the other Supplier has (?P<approval>approved|not yet approved) the "
                 r"(?P<device>CHF)'s upgrade, without learning who it is$"))
def other_supplier(lab, scenario_context, party, approval, device):
    status = _ok(_call(lab, scenario_context, party, "status", device))
    expected = "approved" if approval == "approved" else "not yet"
    assert status["other_supplier_approval"] == expected, status
    seen = json.dumps(status)
    me = lab.config.party(party)
    for user in lab.config.users:
        if user.name != me.name:
            assert user.name not in seen and user.eui.duis not in seen, f"{party} learnt of {user.name}: {seen}"


def _notice(lab, party, device, state):
    chf = parameters.device(lab.config, device)[1].duis

    def found():
        return next((n for n in lab.ch_firmware_notices(party) if n.body.get("chf") == chf
                     and n.body.get("state") == state), None)
    lab.clock.wait_until(lambda: found() is not None, 120)
    notice = found()
    assert notice is not None, f"{party} received no notification that the {device}'s upgrade is {state}: " \
                               f"{[n.body for n in lab.ch_firmware_notices(party)]}"
    return notice


@then(parsers.parse("{party} is notified that the {device} was upgraded"))
def notified_upgraded(lab, scenario_context, party, device):
    notice = _notice(lab, party, device, "upgraded")
    scenario_context.observe(f"CH firmware notification to {party}", notice.at, json.dumps(notice.body).encode())


@then(parsers.parse("{party} is notified that the {device}'s upgrade was deferred: {reason}"))
def notified_deferred(lab, scenario_context, party, device, reason):
    notice = _notice(lab, party, device, "deferred")
    scenario_context.observe(f"CH firmware notification to {party}", notice.at, json.dumps(notice.body).encode())
    assert [d["reason"] for d in notice.body["deferrals"]] == [reason], notice.body


@given(parsers.parse("a change of the {role} to {user} is due in {days:d} days"))
def change_of_supplier_due(lab, role, user, days):
    """Registration data the DCC holds ahead of the change's effective date."""
    lab.register(role, user, effective=lab.now() + days * DAY)
