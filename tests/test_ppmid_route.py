"""Intermittent SM WAN and the PPMID route (SECMP0038 proposal): each rule of the SM WAN's outages, the CH's
checks on what a PPMID hands it, and the PPMID's internet interface, seen from the User's side where it can be.

Every test here fails if the rule it names is removed from the SM WAN, the hub or the PPMID model.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter

import pytest
from dit_command import dit

from harness.adapters.ppmid_route import PpmidRoute
from harness.catalogue import CommandVariant, DeviceType, PaymentMode, service_request
from harness.dcc.wan import OUTAGE_HOLD_S
from harness.emulators.hub import (
    ALERT_UNAUTHORISED_ACCESS,
    PPMID_ROUTE_LIMIT,
    PPMID_ROUTE_OPEN_S,
    PPMID_ROUTE_WINDOW_S,
    RouteRefusal,
)
from harness.errors import BenchFault
from harness.eui import EntityId
from harness.gbcs import local_delivery
from harness.gbcs.frame import MAC_LENGTH, CraFlag, GbcsMessage, frame_with_mac
from harness.httpio import HttpClient
from harness.lab.procedures import Procedures

SUPPLIER = "the Import Supplier"


def _prepayment_premises(lab) -> None:
    """The ESME commissioned in prepayment mode with the PPMID joined to it, over the SM WAN."""
    procedures = Procedures(lab, lambda exchange: exchange)
    procedures.install_and_commission(SUPPLIER, "ESME", PaymentMode.PREPAYMENT)
    procedures.join_display(SUPPLIER, "PPMID", "ESME")


def _local_command(lab, srv: str = "4.18") -> bytes:
    cv = CommandVariant.SIGNED_LOCAL if service_request(srv).critical else CommandVariant.NON_CRITICAL_LOCAL
    exchange = lab.user(SUPPLIER).send(srv, lab.device("ESME").eui, command_variant=cv)
    assert exchange.succeeded and exchange.local_command is not None, exchange.summary
    return exchange.local_command


def _hand(lab, data: bytes, sender: str = "PPMID"):
    hub = lab.hubs[lab.site.name]
    with lab.clock.lock:
        return hub.from_ppmid(lab.device(sender), data)


# -- intermittent SM WAN ---------------------------------------------------------------------------------------

def test_a_command_sent_during_a_short_outage_is_delivered_when_the_wan_returns(lab):
    _prepayment_premises(lab)
    lab.wan_outage(lasts_s=120)
    exchange = lab.user(SUPPLIER).send("4.18", lab.device("ESME").eui)
    assert exchange.succeeded, exchange.summary
    assert not lab.dcc.wan.in_outage(lab.device("CHF").eui)


def test_a_command_outliving_the_outage_gets_e21_and_is_never_delivered_late(lab):
    _prepayment_premises(lab)
    esme = lab.device("ESME")
    lab.wan_outage()
    commands = len(esme.history)
    exchange = lab.user(SUPPLIER).send("4.18", esme.eui)
    assert exchange.response_code == "E21", exchange.summary
    lab.let_time_pass(OUTAGE_HOLD_S)
    lab.wan_restored()
    lab.let_time_pass(60)
    assert len(esme.history) == commands            # the CSP dropped it: the DSP had already answered E21
    assert lab.user(SUPPLIER).send("4.18", esme.eui).succeeded


def test_the_csp_holds_a_command_for_five_minutes_and_no_longer(lab):
    """The CSP keeps what the DCC sends during an outage for five minutes, the DSP's E21 wait for a meter: the
    WAN returning half a minute after the E21 delivers nothing."""
    _prepayment_premises(lab)
    esme = lab.device("ESME")
    lab.wan_outage()
    commands = len(esme.history)
    assert lab.user(SUPPLIER).send("4.18", esme.eui).response_code == "E21"
    lab.let_time_pass(30)
    lab.wan_restored()
    lab.let_time_pass(60)
    assert len(esme.history) == commands


def test_what_a_hub_sends_during_an_outage_does_not_reach_the_dcc(lab):
    _prepayment_premises(lab)
    lab.wan_outage()
    before = lab.dcc.wan.messages
    with lab.clock.lock:
        lab.device("ESME").raise_alert(0x8F60, {"Reason": "test"}, critical=True)
    lab.let_time_pass(60)
    assert lab.dcc.wan.messages == before
    assert lab.user(SUPPLIER).wait_for_alert("8F60", timeout=60, expected=False) is None


# -- the PPMID route: the CH's checks ----------------------------------------------------------------------------

def test_a_command_the_dcc_prepared_goes_through_the_ppmid_and_its_answer_comes_back(lab):
    _prepayment_premises(lab)
    command = _local_command(lab)
    lab.wan_outage()
    route = PpmidRoute(lab.ppmid_internet("PPMID"))
    assert route.send_command(command)
    lab.let_time_pass(60)
    came_back = route.messages()
    response = local_delivery.response_to(came_back, command)
    assert response is not None and local_delivery.originator(response) == lab.device("ESME").eui
    assert route.messages() == []                   # fetched once


def test_the_ch_forwards_only_from_a_ppmid_in_its_device_log(lab):
    _prepayment_premises(lab)
    command = _local_command(lab)
    assert _hand(lab, command, sender="ESME") is RouteRefusal.NOT_A_PPMID
    hub = lab.hubs[lab.site.name]
    del hub.chf.device_log[lab.device("PPMID").eui]
    assert _hand(lab, command) is RouteRefusal.NOT_A_PPMID


def test_the_ch_refuses_a_command_without_the_acb_mac_frame(lab):
    _prepayment_premises(lab)
    bare = GbcsMessage.decode(_local_command(lab)).apdu.encode()     # the DF frame: no MAC, never the DCC's
    assert _hand(lab, bare) is RouteRefusal.NO_MAC


def test_the_ch_refuses_what_is_not_a_gbcs_command(lab):
    _prepayment_premises(lab)
    apdu = GbcsMessage.decode(_local_command(lab)).apdu
    alert = frame_with_mac(dataclasses.replace(apdu, cra_flag=CraFlag.ALERT).encode(), bytes(MAC_LENGTH))
    assert _hand(lab, alert) is RouteRefusal.NOT_A_COMMAND
    assert _hand(lab, b"\xdd\x00junk") is RouteRefusal.MALFORMED


def test_the_ch_refuses_a_command_for_a_device_not_on_its_han(lab):
    _prepayment_premises(lab)
    apdu = GbcsMessage.decode(_local_command(lab)).apdu
    elsewhere = dataclasses.replace(apdu, recipient=EntityId("00-DB-12-34-56-78-FF-FF"))
    assert _hand(lab, frame_with_mac(elsewhere.encode(), bytes(MAC_LENGTH))) is RouteRefusal.NO_SUCH_DEVICE


def test_a_flooding_ppmid_is_throttled_with_one_alert_a_window_and_in_the_security_log(lab):
    _prepayment_premises(lab)
    command, hub = _local_command(lab), lab.hubs[lab.site.name]
    alerts = []
    raise_alert = hub.chf.raise_alert
    hub.chf.raise_alert = lambda code, *a, **k: alerts.append(code) or raise_alert(code, *a, **k)
    outcomes = [_hand(lab, command) for _ in range(PPMID_ROUTE_LIMIT + 3)]
    assert outcomes[:PPMID_ROUTE_LIMIT] == [None] * PPMID_ROUTE_LIMIT
    assert outcomes[PPMID_ROUTE_LIMIT:] == [RouteRefusal.THROTTLED] * 3
    assert alerts == [ALERT_UNAUTHORISED_ACCESS]
    assert [e["EventCode"] for e in hub.chf.security_log] == [f"{ALERT_UNAUTHORISED_ACCESS:04X}"]
    lab.let_time_pass(PPMID_ROUTE_WINDOW_S + 1)
    assert _hand(lab, command) is None              # a new window


def test_a_forged_command_passes_the_ch_and_the_meter_refuses_it_telling_the_ppmid(lab):
    """The CH cannot check a MAC made for the meter: the meter does, as over the WAN (0x8F3D). A non-critical
    command, so that the MAC is all that protects it (a critical one's signature would catch the change too)."""
    _prepayment_premises(lab)
    command = _local_command(lab)
    at = len(command) - MAC_LENGTH - 2           # the last byte of the payload or of the signature
    forged = command[:at] + bytes([command[at] ^ 1]) + command[at + 1:]
    lab.wan_outage()
    route = PpmidRoute(lab.ppmid_internet("PPMID"))
    assert route.send_command(forged)
    lab.let_time_pass(60)
    came_back = route.messages()
    assert local_delivery.response_to(came_back, forged) is None
    refusal = local_delivery.alert(came_back, 0x8F3D)
    assert refusal is not None and local_delivery.originator(refusal) == lab.device("ESME").eui


def test_only_answers_to_routed_commands_go_back_to_the_ppmid(lab):
    _prepayment_premises(lab)
    route = PpmidRoute(lab.ppmid_internet("PPMID"))
    assert route.send_command(_local_command(lab))
    lab.let_time_pass(60)
    assert len(route.messages()) == 1
    assert lab.user(SUPPLIER).send("4.18", lab.device("ESME").eui).succeeded     # over the WAN, to the DCC
    assert route.messages() == []


def test_while_the_wan_is_down_a_devices_alerts_go_back_to_the_ppmid_only_for_a_while_after_its_command(lab):
    _prepayment_premises(lab)
    command, esme = _local_command(lab), lab.device("ESME")
    lab.wan_outage()
    route = PpmidRoute(lab.ppmid_internet("PPMID"))
    assert route.send_command(command)
    lab.let_time_pass(60)
    assert local_delivery.response_to(route.messages(), command) is not None
    for wait, comes_back in ((0, True), (PPMID_ROUTE_OPEN_S, False)):
        lab.let_time_pass(wait)
        with lab.clock.lock:
            esme.raise_alert(0x8F60, {"Reason": "test"}, critical=True)
        lab.let_time_pass(60)
        assert (local_delivery.alert(route.messages(), 0x8F60) is not None) is comes_back


# -- the PPMID's internet interface ------------------------------------------------------------------------------

def test_a_utrn_over_the_internet_tops_up_only_when_the_consumer_accepts_it(lab):
    _prepayment_premises(lab)
    esme = lab.device("ESME")
    code, _ = lab.user(SUPPLIER).vend_utrn(esme.eui, 500)
    lab.wan_outage()
    route = PpmidRoute(lab.ppmid_internet("PPMID"))
    assert route.send_utrn(code, DeviceType.ESME)
    before = esme.meter_balance
    lab.let_time_pass(10)
    assert esme.meter_balance <= before             # shown on the display, not yet taken
    assert lab.consumer_accepts_utrn("PPMID")
    lab.let_time_pass(10)
    assert esme.meter_balance > before
    assert not lab.consumer_accepts_utrn("PPMID")   # nothing left to accept


@pytest.mark.parametrize("body", [b"not json", b'{"fuel": "ESME"}', b'{"utrn": "1", "fuel": "water"}'])
def test_a_bad_utrn_offer_is_refused_with_one_line(lab, body):
    url = lab.ppmid_internet("PPMID")
    status, reason = HttpClient(timeout=10.0).post(f"{url}/utrn", body, "application/json")
    assert status == 400 and reason.count(b"\n") == 0 and b"utrn" in reason


# -- the proposal's scenarios ------------------------------------------------------------------------------------

def _passed_by_family(report) -> Counter:
    summary = json.loads((report / "summary.json").read_text())
    return Counter(e["scenario_id"].split("/")[0] for e in summary["executions"] if e["outcome"] == "passed")


def test_the_proposal_family_runs_green_when_named_and_only_then(tmp_path):
    """`dit run -m no_wan_prepayment` on the default lab: the 5 scenarios, each in both casts of SB11-core. A run
    that does not name the proposal (or its family) plans none of it, so the plan's counts stay the plan's."""
    named = dit("run", "-m", "no_wan_prepayment", "--report-dir", str(tmp_path / "named"),
                DIT_SMKI=str(tmp_path / "smki"))
    assert named.returncode == 0, named.stdout + named.stderr
    assert _passed_by_family(tmp_path / "named") == {"no_wan_prepayment": 10}
    unnamed = dit("run", "-k", "forged or directly", "--report-dir", str(tmp_path / "unnamed"),
                  DIT_SMKI=str(tmp_path / "smki"))
    assert unnamed.returncode == 0, unnamed.stdout + unnamed.stderr
    # the top-ups named "directly", of either fuel
    assert _passed_by_family(tmp_path / "unnamed") == {"prepayment_top_up": 4}


# -- 2.5 Activate Emergency Credit on the ESME (what the PPMID route carries in the proposal's scenario) ------------

def _activated(lab) -> bool:
    return lab.user(SUPPLIER).send("2.5", lab.device("ESME").eui).succeeded


def test_emergency_credit_is_activated_only_below_the_threshold_and_once(lab):
    _prepayment_premises(lab)                                  # 2.1 set it; 1.5 left the balance above it
    user, esme = lab.user(SUPPLIER), lab.device("ESME").eui
    assert user.send("2.1", esme, emergency_credit_limit=400000, emergency_credit_threshold=100000).succeeded
    assert not _activated(lab)                                  # the balance is above the threshold
    assert user.send("1.5", esme, reset=True).succeeded
    assert _activated(lab)
    values = user.send("4.3", esme)
    assert values.device_fields["EmergencyCreditBalance"] == "400000", values.device_fields
    lab.device("ESME").metering.emergency_credit_balance = 123456          # partly used
    assert _activated(lab)                                      # GBCS ECS09: active after the command is success
    assert user.send("4.3", esme).device_fields["EmergencyCreditBalance"] == "123456"     # and not given again


def test_emergency_credit_needs_prepayment_mode_and_a_limit_set_by_2_1(lab):
    Procedures(lab, lambda exchange: exchange).install_and_commission(SUPPLIER, "ESME", PaymentMode.CREDIT)
    user, esme = lab.user(SUPPLIER), lab.device("ESME").eui
    assert user.send("1.6", esme, payment_mode="prepayment").succeeded
    assert user.send("1.5", esme, reset=True).succeeded
    assert not _activated(lab)                                  # no 2.1 yet
    config = lab.device("ESME").prepay_configuration
    config["UpdatePrepayConfigElectricity/EmergencyCreditLimit"] = "400000"    # a limit, with no threshold
    assert not _activated(lab)
    config.clear()
    assert user.send("1.6", esme, payment_mode="credit").succeeded
    assert user.send("2.1", esme).succeeded
    assert not _activated(lab)                                  # credit mode
    assert user.send("1.6", esme, payment_mode="prepayment").succeeded
    assert user.send("1.5", esme, reset=True).succeeded
    assert _activated(lab)


class _PpmidAnswers:
    """The PPMID's internet interface as an HttpClient sees it: one status and body per service."""

    def __init__(self, **answers: tuple[int, bytes]):
        self.answers = answers

    def post(self, url, body, content_type):
        return self.answers[url.rsplit("/", 1)[1]]

    def close(self):
        pass


def test_a_ppmid_with_no_ch_to_hand_a_command_to_has_not_taken_it():
    # 409: the PPMID has no CH to hand it to; only 202 says the command went on
    route = PpmidRoute("http://ppmid.bench/", _PpmidAnswers(command=(409, b"no CH"), utrn=(202, b"")))
    assert route.send_command(b"\xdd\x00") is False and route.send_utrn("7" * 20) is True


@pytest.mark.parametrize("status, body", [(404, b'{"messages": []}'), (200, b'{"messages": ["3q2+7w==!"]}')])
def test_what_is_not_a_message_list_from_the_ppmid_is_a_bench_fault(status, body):
    # an error page or a damaged message must not read as "nothing came back" or as other bytes than were sent
    route = PpmidRoute("http://ppmid.bench", _PpmidAnswers(messages=(status, body)))
    with pytest.raises(BenchFault, match="not a message list"):
        route.messages()
    assert PpmidRoute("http://ppmid.bench", _PpmidAnswers(
        messages=(200, b'{"messages": ["3q2+7w=="]}'))).messages() == [b"\xde\xad\xbe\xef"]
