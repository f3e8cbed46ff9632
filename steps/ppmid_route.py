"""Intermittent SM WAN and the PPMID route (SECMP0038 proposal): commands prepared by the DCC for Local Command
Delivery and UTRNs sent to a PPMID's internet interface, and what comes back through it."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from harness.adapters.ppmid_route import PpmidRoute
from harness.gbcs import local_delivery
from harness.gbcs.frame import MAC_LENGTH
from harness.lab import parameters

ROUTE_S = 60        # a command crosses the HAN twice and the device answers: well within a minute


def _route(lab, ppmid: str = "PPMID") -> PpmidRoute:
    return PpmidRoute(lab.ppmid_internet(ppmid))


def _collect(lab, scenario_context, route: PpmidRoute) -> None:
    lab.let_time_pass(ROUTE_S)
    scenario_context.memory.through_ppmid.extend(route.messages())


@given("the SM WAN to the Communications Hub is down")
@when("the SM WAN to the Communications Hub goes down")
def wan_down(lab):
    lab.wan_outage()


@when("the SM WAN to the Communications Hub comes back")
def wan_back(lab):
    lab.wan_restored()
    lab.let_time_pass(ROUTE_S)


@when(parsers.parse("{party} sends the command through the {ppmid}'s internet interface"))
def send_through_ppmid(lab, scenario_context, party, ppmid):
    command = scenario_context.memory.local_command
    assert command is not None, "no command came back from the DCC for local delivery"
    route = _route(lab, ppmid)
    assert route.send_command(command), f"the {ppmid} did not take the command"
    _collect(lab, scenario_context, route)


@when(parsers.parse("someone sends a forged copy of the command through the {ppmid}'s internet interface"))
def send_forged(lab, scenario_context, ppmid):
    """The DCC's command with one byte changed before its MAC: what an attacker on the internet hop can make."""
    command = scenario_context.memory.local_command
    assert command is not None, "no command came back from the DCC for local delivery"
    at = len(command) - MAC_LENGTH - 2           # the last byte of the payload or of the signature
    forged = command[:at] + bytes([command[at] ^ 0x01]) + command[at + 1:]
    route = _route(lab, ppmid)
    assert route.send_command(forged), f"the {ppmid} did not take the command"
    _collect(lab, scenario_context, route)


@when(parsers.parse("someone floods the {ppmid}'s internet interface with the command {count:d} times"))
def flood(lab, scenario_context, ppmid, count):
    command = scenario_context.memory.local_command
    assert command is not None, "no command came back from the DCC for local delivery"
    route = _route(lab, ppmid)
    for _ in range(count):
        route.send_command(command)
        lab.let_time_pass(1)
    _collect(lab, scenario_context, route)


@then(parsers.parse("{party} receives the {device}'s response through the {ppmid}"))
def response_through_ppmid(lab, scenario_context, party, device, ppmid):
    memory = scenario_context.memory
    assert memory.local_command is not None, "no command was sent through the PPMID"
    response = local_delivery.response_to(memory.through_ppmid, memory.local_command)
    assert response is not None, f"no response from the {device} came back through the {ppmid}"


@then(parsers.parse("{party} receives device alert {code} from the {device} through the {ppmid}"))
def alert_through_ppmid(lab, scenario_context, party, code, device, ppmid):
    found = local_delivery.alert(scenario_context.memory.through_ppmid, int(code, 16))
    assert found is not None, f"no device alert {code} came back through the {ppmid}"
    assert local_delivery.originator(found) == parameters.device(lab.config, device)[1], \
        f"alert {code} came back from another device than the {device}"


@then(parsers.parse("no response from the {device} comes back through the {ppmid}"))
def no_response_through_ppmid(scenario_context, device, ppmid):
    memory = scenario_context.memory
    assert memory.local_command is not None
    assert local_delivery.response_to(memory.through_ppmid, memory.local_command) is None, \
        f"the {device} answered a command through the {ppmid}"


@when(parsers.parse("{party} sends the vended UTRN to the {ppmid}'s internet interface"))
def utrn_to_ppmid(lab, scenario_context, party, ppmid):
    utrn = scenario_context.memory.vended_utrn()
    assert _route(lab, ppmid).send_utrn(utrn.code), f"the {ppmid} did not take the UTRN"


@when(parsers.parse("the consumer accepts the UTRN at the {ppmid}"))
def accept_utrn(lab, ppmid):
    assert lab.consumer_accepts_utrn(ppmid), f"the {ppmid} did not pass the UTRN on"
    lab.let_time_pass(10)
