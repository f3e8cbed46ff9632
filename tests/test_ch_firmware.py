"""CH firmware management (SECMP0024): the DCC's rules on the virtual clock, and its API, portal and webhooks over
real HTTP on loopback."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from email.message import Message
from pathlib import Path

import pytest

from harness.adapters.ch_firmware_client import ChFirmwarePortal, NotificationInbox
from harness.catalogue import DeviceType
from harness.clock import LAB_EPOCH, VirtualClock
from harness.dcc.ch_firmware import (
    CLASH_WINDOWS,
    Approval,
    ChFirmwareManagement,
    ChFirmwareRefused,
    ChFirmwareRelease,
    Clash,
    Notification,
    PendingWork,
    Refusal,
    UpgradeState,
)
from harness.dcc.ch_firmware_api import SESSION_LIFETIME, ChFirmwareInterfaces
from harness.dcc.inventory import InventoryDevice, Premises, SmartMeteringInventory
from harness.duis.ch_firmware_wire import NOTIFICATION_PATH, PREFIX
from harness.eui import EntityId
from harness.httpio import HttpClient, HttpServer, WebRequest

A, B, C = EntityId("90-B3-D5-1F-30-01-00-00"), EntityId("90-B3-D5-1F-30-03-00-00"), EntityId("90-B3-D5-1F-30-05-00-00")
SOLE = EntityId("00-DB-12-00-00-00-00-01")      # CH at a premises Supplier A supplies both fuels
SPLIT = EntityId("00-DB-12-00-00-00-00-02")     # electricity Supplier A, gas Supplier B
THEIRS = EntityId("00-DB-12-00-00-00-00-03")    # Supplier C's alone
DAY = dt.timedelta(days=1)
RELEASE = ChFirmwareRelease("R-CH-2026-1", "00020001", "CHTS v1.1", LAB_EPOCH, LAB_EPOCH + 28 * DAY,
                            LAB_EPOCH + 7 * DAY)


class Dcc:
    """The service with what the DCC wires to it: the work due per CH, the CSP's upgrade, the notifications."""

    def __init__(self, release: ChFirmwareRelease = RELEASE, hub_reachable: bool = True):
        self.clock = VirtualClock()
        self.inventory = SmartMeteringInventory()
        for chf, mpan, electricity, gas in ((SOLE, "1300000000001", A, A), (SPLIT, "1300000000002", A, B),
                                            (THEIRS, "1300000000003", C, C)):
            record = InventoryDevice(chf, DeviceType.CHF, firmware_version="00010001", smets_chts_version="CHTS V1.1")
            # each hub its own GPF: 00-DB-12-00-00-00-80-0n beside its CHF 00-DB-12-00-00-00-00-0n
            gpf = InventoryDevice(EntityId(bytes(chf[:6]) + b"\x80" + bytes(chf[7:])), DeviceType.GPF)
            self.inventory.install_communications_hub(record, gpf, Premises(mpan, mpan=mpan, mprn="75" + mpan[2:],
                                                                             import_supplier=electricity,
                                                                             gas_supplier=gas), LAB_EPOCH)
        self.work: dict[EntityId, list[PendingWork]] = {}
        self.upgraded: list[tuple[EntityId, dt.datetime]] = []
        self.notified: list[Notification] = []
        self.reachable = hub_reachable
        self.service = ChFirmwareManagement(self.clock, self.inventory, pending_work=lambda c: self.work.get(c, []),
                                            upgrade_hub=self._upgrade, notify=self.notified.append)
        self.service.announce(release)

    def _upgrade(self, chf, chts, version, done) -> bool:
        if not self.reachable:
            return False
        self.clock.call_later(600, lambda: (self.upgraded.append((chf, self.clock.now())), done(True)))
        return True

    def state(self, chf: EntityId) -> UpgradeState:
        return self.service.upgrades[(RELEASE.release_id, chf)].state


def test_a_ch_is_upgraded_at_the_time_its_supplier_chose_and_every_supplier_is_told():
    dcc = Dcc()
    when = LAB_EPOCH + 10 * DAY
    assert dcc.service.schedule(A, RELEASE.release_id, SOLE, when).state is UpgradeState.SCHEDULED
    dcc.clock.advance(10 * DAY.total_seconds() - 1)
    assert dcc.upgraded == []                                  # not before the time chosen
    dcc.clock.advance(3600)
    assert dcc.upgraded == [(SOLE, when + dt.timedelta(seconds=600))]
    chf = dcc.inventory.get(SOLE)
    assert chf is not None and chf.firmware_version == "00020001"
    assert [(n.supplier, n.view.state) for n in dcc.notified] == [(A, UpgradeState.UPGRADED)]


def test_scheduling_outside_the_period_is_refused():
    dcc = Dcc()
    for when in (RELEASE.period_end + dt.timedelta(seconds=1), RELEASE.period_start - dt.timedelta(seconds=1)):
        with pytest.raises(ChFirmwareRefused) as refused:
            dcc.service.schedule(A, RELEASE.release_id, SOLE, when)
        assert refused.value.refusal is Refusal.OUTSIDE_PERIOD
    dcc.service.schedule(A, RELEASE.release_id, SOLE, RELEASE.period_end)          # the last instant is in it


def test_a_supplier_cannot_reach_another_suppliers_ch_and_cannot_tell_it_exists():
    dcc = Dcc()
    refusals = []
    for chf in (THEIRS, EntityId("00-DB-12-00-00-00-00-99")):
        with pytest.raises(ChFirmwareRefused) as refused:
            dcc.service.status(A, RELEASE.release_id, chf)
        refusals.append((refused.value.refusal, str(refused.value).replace(chf.duis, "?")))
    assert refusals[0] == refusals[1] and refusals[0][0] is Refusal.NOT_FOUND
    assert {v.chf for v in dcc.service.eligible(A, RELEASE.release_id)} == {SOLE, SPLIT}


def test_split_supply_upgrades_only_once_both_suppliers_approved_and_never_names_the_other():
    dcc = Dcc()
    when = LAB_EPOCH + 10 * DAY
    view = dcc.service.schedule(A, RELEASE.release_id, SPLIT, when)
    assert view.state is UpgradeState.AWAITING_APPROVAL and view.other_supplier_approval is Approval.NOT_YET
    seen_by_b = dcc.service.status(B, RELEASE.release_id, SPLIT)
    assert seen_by_b.other_supplier_approval is Approval.APPROVED and seen_by_b.your_approval is Approval.NOT_YET
    assert seen_by_b.mpxn == "7500000000002"                   # B knows the premises by its own MPRN, not A's MPAN
    assert A.duis not in repr(seen_by_b)
    dcc.clock.advance(11 * DAY.total_seconds())
    assert dcc.upgraded == []                                  # B had not approved
    dcc.service.schedule(A, RELEASE.release_id, SPLIT, LAB_EPOCH + 12 * DAY)
    assert dcc.service.approve(B, RELEASE.release_id, SPLIT).state is UpgradeState.SCHEDULED
    dcc.clock.advance(2 * DAY.total_seconds())
    assert [c for c, _ in dcc.upgraded] == [SPLIT]
    assert {n.supplier for n in dcc.notified if n.view.state is UpgradeState.UPGRADED} == {A, B}


def test_a_new_time_withdraws_the_other_suppliers_approval():
    dcc = Dcc()
    dcc.service.schedule(A, RELEASE.release_id, SPLIT, LAB_EPOCH + 10 * DAY)
    dcc.service.approve(B, RELEASE.release_id, SPLIT)
    view = dcc.service.schedule(A, RELEASE.release_id, SPLIT, LAB_EPOCH + 11 * DAY)
    assert view.state is UpgradeState.AWAITING_APPROVAL and view.other_supplier_approval is Approval.NOT_YET


def test_a_voluntary_release_lapses_without_every_approval_and_a_compulsory_one_is_deployed_at_its_end():
    dcc = Dcc()
    dcc.service.schedule(A, RELEASE.release_id, SPLIT, LAB_EPOCH + 10 * DAY)
    dcc.clock.advance(29 * DAY.total_seconds())
    assert dcc.state(SPLIT) is UpgradeState.LAPSED and dcc.upgraded == []
    assert {n.supplier for n in dcc.notified if n.view.state is UpgradeState.LAPSED} >= {A, B}
    compulsory = Dcc(dataclasses.replace(RELEASE, compulsory=True))
    compulsory.service.schedule(A, RELEASE.release_id, SPLIT, LAB_EPOCH + 10 * DAY)
    compulsory.clock.advance(29 * DAY.total_seconds())
    assert {c for c, _ in compulsory.upgraded} == {SOLE, SPLIT, THEIRS}


def test_a_ch_excluded_from_the_pilot_cannot_be_upgraded_in_it_but_can_after():
    dcc = Dcc()
    dcc.service.schedule(A, RELEASE.release_id, SOLE, LAB_EPOCH + 3 * DAY)
    view = dcc.service.exclude(A, RELEASE.release_id, SOLE)
    assert view.excluded_from_pilot and view.scheduled_for is None          # the pilot-time schedule is withdrawn
    with pytest.raises(ChFirmwareRefused) as refused:
        dcc.service.schedule(A, RELEASE.release_id, SOLE, RELEASE.pilot_end - dt.timedelta(seconds=1))
    assert refused.value.refusal is Refusal.EXCLUDED_FROM_PILOT
    dcc.clock.advance(5 * DAY.total_seconds())
    assert dcc.upgraded == []
    dcc.service.schedule(A, RELEASE.release_id, SOLE, RELEASE.pilot_end)
    dcc.clock.advance(3 * DAY.total_seconds())
    assert [c for c, _ in dcc.upgraded] == [SOLE]


@pytest.mark.parametrize("clash", list(Clash))
def test_an_upgrade_due_near_other_work_is_deferred_after_it_with_the_reason(clash):
    dcc = Dcc()
    when = LAB_EPOCH + 10 * DAY
    window = CLASH_WINDOWS[clash]
    dcc.work[SOLE] = [PendingWork(clash, when + window / 2)]
    dcc.service.schedule(A, RELEASE.release_id, SOLE, when)
    dcc.clock.advance(10 * DAY.total_seconds() + 1)
    upgrade = dcc.service.upgrades[(RELEASE.release_id, SOLE)]
    assert upgrade.state is UpgradeState.DEFERRED and dcc.upgraded == []
    assert [(d.reason, d.until) for d in upgrade.deferrals] == [(clash, when + window / 2 + window)]
    assert dcc.notified[-1].view.deferrals[0].reason is clash
    dcc.work[SOLE] = []
    dcc.clock.advance((window * 2).total_seconds() + 3600)
    assert [c for c, _ in dcc.upgraded] == [SOLE]


def test_work_outside_the_window_does_not_defer():
    dcc = Dcc()
    when = LAB_EPOCH + 10 * DAY
    dcc.work[SOLE] = [PendingWork(Clash.CHANGE_OF_SUPPLIER, when + CLASH_WINDOWS[Clash.CHANGE_OF_SUPPLIER]
                                  + dt.timedelta(seconds=1))]
    dcc.service.schedule(A, RELEASE.release_id, SOLE, when)
    dcc.clock.advance(10 * DAY.total_seconds() + 3600)
    assert [c for c, _ in dcc.upgraded] == [SOLE]


def test_an_unreachable_hub_fails_and_its_suppliers_are_told():
    dcc = Dcc(hub_reachable=False)
    dcc.service.schedule(A, RELEASE.release_id, SOLE, LAB_EPOCH + DAY)
    dcc.clock.advance(2 * DAY.total_seconds())
    assert dcc.state(SOLE) is UpgradeState.FAILED
    assert dcc.inventory.get(SOLE).firmware_version == "00010001"       # type: ignore[union-attr]
    assert dcc.notified[-1].view.state is UpgradeState.FAILED


def test_a_compulsory_release_deployed_at_its_end_still_defers_for_clashing_work():
    dcc = Dcc(dataclasses.replace(RELEASE, compulsory=True))
    dcc.service.schedule(A, RELEASE.release_id, SPLIT, LAB_EPOCH + 10 * DAY)     # B never approves
    dcc.work[SPLIT] = [PendingWork(Clash.TOP_UP, RELEASE.period_end + dt.timedelta(minutes=10))]
    dcc.clock.advance(28 * DAY.total_seconds() + 60)
    upgrade = dcc.service.upgrades[(RELEASE.release_id, SPLIT)]
    assert upgrade.state is UpgradeState.DEFERRED and SPLIT not in {c for c, _ in dcc.upgraded}
    assert upgrade.approvals[B] is Approval.NOT_YET
    _change_of_supplier(dcc, SPLIT, "gas_supplier", C)       # the new Supplier's missing approval does not stop it
    dcc.clock.advance(3600)
    assert SPLIT in {c for c, _ in dcc.upgraded}


def _change_of_supplier(dcc: Dcc, chf: EntityId, role: str, new: EntityId) -> None:
    premises = dcc.inventory.premises_of(chf)
    assert premises is not None
    setattr(premises, role, new)


def test_after_a_change_of_supplier_the_new_supplier_must_approve_and_the_old_one_sees_nothing():
    dcc = Dcc()
    dcc.service.schedule(A, RELEASE.release_id, SOLE, LAB_EPOCH + 10 * DAY)
    _change_of_supplier(dcc, SOLE, "import_supplier", C)          # A keeps gas, C now supplies electricity
    dcc.clock.advance(11 * DAY.total_seconds())
    assert dcc.upgraded == [] and dcc.state(SOLE) is UpgradeState.AWAITING_APPROVAL
    assert dcc.service.status(C, RELEASE.release_id, SOLE).your_approval is Approval.NOT_YET
    assert dcc.service.status(A, RELEASE.release_id, SOLE).other_supplier_approval is Approval.NOT_YET
    dcc.service.schedule(C, RELEASE.release_id, SOLE, LAB_EPOCH + 12 * DAY)
    dcc.service.approve(A, RELEASE.release_id, SOLE)
    dcc.clock.advance(2 * DAY.total_seconds())
    assert [c for c, _ in dcc.upgraded] == [SOLE]
    assert {n.supplier for n in dcc.notified if n.view.state is UpgradeState.UPGRADED} == {A, C}


def test_the_old_supplier_after_a_change_of_supplier_can_neither_see_nor_approve():
    dcc = Dcc()
    dcc.service.schedule(B, RELEASE.release_id, SPLIT, LAB_EPOCH + 10 * DAY)
    _change_of_supplier(dcc, SPLIT, "gas_supplier", C)
    for act in (lambda: dcc.service.approve(B, RELEASE.release_id, SPLIT),
                lambda: dcc.service.status(B, RELEASE.release_id, SPLIT)):
        with pytest.raises(ChFirmwareRefused) as refused:
            act()
        assert refused.value.refusal is Refusal.NOT_FOUND
    assert SPLIT not in [v.chf for v in dcc.service.eligible(B, RELEASE.release_id)]
    dcc.service.approve(A, RELEASE.release_id, SPLIT)        # A and the old B approved: not enough any more
    dcc.clock.advance(11 * DAY.total_seconds())
    assert dcc.upgraded == [] and dcc.state(SPLIT) is UpgradeState.AWAITING_APPROVAL
    assert dcc.service.status(C, RELEASE.release_id, SPLIT).your_approval is Approval.NOT_YET


def test_the_hubs_gpf_record_carries_the_new_firmware_too():
    """The CH's firmware is one image for its CHF and GPF: the SMI shows the new version on both."""
    dcc = Dcc()
    dcc.service.schedule(A, RELEASE.release_id, SOLE, LAB_EPOCH + DAY)
    dcc.clock.advance(2 * DAY.total_seconds())
    gpf = dcc.inventory.gpf_of(SOLE)
    assert gpf is not None and gpf.firmware_version == RELEASE.firmware_version


def test_a_ch_already_running_the_release_is_not_offered_it_again():
    dcc = Dcc()
    dcc.service.schedule(A, RELEASE.release_id, SOLE, LAB_EPOCH + DAY)
    dcc.clock.advance(2 * DAY.total_seconds())
    again = dataclasses.replace(RELEASE, release_id="R-CH-2026-1b")      # the same image announced a second time
    assert {u.chf for u in dcc.service.announce(again)} == {SPLIT, THEIRS}
    assert {v.chf for v in dcc.service.eligible(A, again.release_id)} == {SPLIT}
    with pytest.raises(ChFirmwareRefused) as refused:
        dcc.service.schedule(A, again.release_id, SOLE, LAB_EPOCH + 3 * DAY)
    assert refused.value.refusal is Refusal.NOT_FOUND


def test_a_time_already_passed_is_refused_even_inside_the_period():
    dcc = Dcc()
    dcc.clock.advance(5 * DAY.total_seconds())
    with pytest.raises(ChFirmwareRefused) as refused:
        dcc.service.schedule(A, RELEASE.release_id, SOLE, LAB_EPOCH + 2 * DAY)
    assert refused.value.refusal is Refusal.OUTSIDE_PERIOD
    assert dcc.service.status(A, RELEASE.release_id, SOLE).scheduled_for is None
    dcc.clock.advance(DAY.total_seconds())
    assert dcc.upgraded == []


def test_an_upgrade_due_just_after_other_work_is_deferred_too():
    """The window lies either side of the work: a price change an hour before the upgrade still defers it."""
    dcc = Dcc()
    when = LAB_EPOCH + 10 * DAY
    price = PendingWork(Clash.TARIFF_OR_PRICE, when - dt.timedelta(hours=1))
    dcc.work[SOLE] = [price]
    dcc.service.schedule(A, RELEASE.release_id, SOLE, when)
    dcc.clock.advance(10 * DAY.total_seconds() + 1)
    upgrade = dcc.service.upgrades[(RELEASE.release_id, SOLE)]
    assert upgrade.state is UpgradeState.DEFERRED and dcc.upgraded == []
    assert [(d.reason, d.until) for d in upgrade.deferrals] == [(Clash.TARIFF_OR_PRICE,
                                                                 price.at + CLASH_WINDOWS[Clash.TARIFF_OR_PRICE])]


def test_an_upgrade_every_supplier_approved_but_deferred_past_the_periods_end_does_not_lapse():
    """Lapsing is for a period that ended without every approval; a deferral is the DCC's doing."""
    dcc = Dcc()
    when = RELEASE.period_end - dt.timedelta(hours=1)
    dcc.work[SOLE] = [PendingWork(Clash.CHANGE_OF_SUPPLIER, RELEASE.period_end)]
    dcc.service.schedule(A, RELEASE.release_id, SOLE, when)
    dcc.clock.advance((RELEASE.period_end - LAB_EPOCH).total_seconds() + 60)
    assert dcc.state(SOLE) is UpgradeState.DEFERRED
    dcc.work[SOLE] = []
    dcc.clock.advance(3 * DAY.total_seconds())
    assert [c for c, _ in dcc.upgraded] == [SOLE]
    assert UpgradeState.LAPSED not in {n.view.state for n in dcc.notified if n.view.chf == SOLE}


# -- the interfaces over HTTP -----------------------------------------------------------------------------------

TOKENS = {"token-a": (A, "Supplier A"), "token-b": (B, "Supplier B")}


@pytest.fixture
def served():
    dcc = Dcc()
    inbox = NotificationInbox(dcc.clock, tokens=["token-b"])
    receiver = HttpServer(lambda p, b: (404, "text/plain", b""), web=(NOTIFICATION_PATH, inbox.handle)).start()
    client = HttpClient()

    def post(url, body, headers):
        client.request("POST", url, body, headers)
    interfaces = ChFirmwareInterfaces(dcc.service, TOKENS, threading.RLock(), post)
    interfaces.notification_urls[B] = receiver.base_url + NOTIFICATION_PATH
    dcc.service._notify = interfaces.notify                      # the webhook instead of the list
    server = HttpServer(lambda p, b: (404, "text/plain", b"DUIS"), web=(PREFIX, interfaces.handle)).start()
    yield dcc, server.base_url + PREFIX.rstrip("/"), inbox
    server.stop()
    receiver.stop()
    client.close()


def test_the_api_refuses_a_missing_or_wrong_token(served):
    _, url, _ = served
    portal = ChFirmwarePortal(url, "token-a")
    for token in ("", "token-x", "TOKEN-A"):
        answer = portal.raw("GET", "releases", None, token=token)
        assert answer.status == 401 and answer.body["where"] == "Authorization header", answer   # type: ignore[index]
    assert portal.releases().status == 200


def test_the_api_hides_another_suppliers_ch_even_from_guessed_ids(served):
    _, url, _ = served
    portal = ChFirmwarePortal(url, "token-a")
    assert {c["chf"] for c in portal.chs(RELEASE.release_id).body} == {SOLE.duis, SPLIT.duis}   # type: ignore[union-attr]
    theirs = portal.status(RELEASE.release_id, THEIRS)
    nobody = portal.status(RELEASE.release_id, EntityId("00-DB-12-00-00-00-00-99"))
    assert theirs.status == nobody.status == 404
    assert theirs.body["error"].replace(THEIRS.duis, "?") == nobody.body["error"].replace(   # type: ignore[index]
        "00-DB-12-00-00-00-00-99", "?")
    assert portal.schedule(RELEASE.release_id, THEIRS, LAB_EPOCH + DAY).status == 404
    assert portal.raw("GET", f"releases/{RELEASE.release_id}/chs/not-an-eui", None).status == 404


def test_the_api_refuses_a_time_outside_the_period(served):
    _, url, _ = served
    answer = ChFirmwarePortal(url, "token-a").schedule(RELEASE.release_id, SOLE, RELEASE.period_end + DAY)
    assert answer.status == 422 and "outside the deployment period" in answer.error   # type: ignore[operator]


@pytest.mark.parametrize("body, what", [(b'{"at": ', "not JSON: Expecting value at line 1 column 8"),
                                        (b"[1]", "a JSON list, not an object"),
                                        (b"\xff", "not UTF-8 at byte 0"),
                                        (b'{"at": "next tuesday"}', "'next tuesday' is not a UTC date-time")])
def test_malformed_json_is_one_clear_error(served, body, what):
    _, url, _ = served
    answer = ChFirmwarePortal(url, "token-a").raw("POST", f"releases/{RELEASE.release_id}/chs/{SOLE.duis}/schedule",
                                                  body)
    assert answer.status == 400 and answer.body["error"] == what, answer     # type: ignore[index]
    assert answer.body["where"] in ("request body", "at") and answer.body["fix"]   # type: ignore[index]


def test_approving_needs_a_post_not_a_get(served):
    """A link followed (a GET) must not approve an upgrade for the Supplier."""
    _, url, _ = served
    a, b = ChFirmwarePortal(url, "token-a"), ChFirmwarePortal(url, "token-b")
    assert a.schedule(RELEASE.release_id, SPLIT, LAB_EPOCH + 2 * DAY).status == 200
    assert b.raw("GET", f"releases/{RELEASE.release_id}/chs/{SPLIT.duis}/approve", None).status == 404
    seen = b.status(RELEASE.release_id, SPLIT).body
    assert seen["your_approval"] == "not yet" and seen["state"] == "awaiting approval"   # type: ignore[index]


def test_split_supply_over_the_api_and_the_webhook_to_the_other_supplier(served):
    dcc, url, inbox = served
    a, b = ChFirmwarePortal(url, "token-a"), ChFirmwarePortal(url, "token-b")
    assert a.schedule(RELEASE.release_id, SPLIT, LAB_EPOCH + 2 * DAY).body["state"] == "awaiting approval"  # type: ignore[index]
    seen = b.status(RELEASE.release_id, SPLIT).body
    assert seen["other_supplier_approval"] == "approved" and seen["your_approval"] == "not yet"   # type: ignore[index]
    assert A.duis not in json.dumps(seen) and "Supplier A" not in json.dumps(seen)
    assert b.approve(RELEASE.release_id, SPLIT).body["state"] == "scheduled"    # type: ignore[index]
    dcc.clock.advance(3 * DAY.total_seconds())
    notices = inbox.snapshot()
    assert [(n.body["chf"], n.body["state"], n.body["to"]) for n in notices] == [(SPLIT.duis, "upgraded", B.duis)]
    assert A.duis not in json.dumps(notices[0].body)


def test_the_webhook_receiver_refuses_an_unsigned_notification(served):
    _, _, inbox = served
    headers = Message()
    headers["X-DCC-Signature"] = "sha256=00"
    reply = inbox.handle(WebRequest("POST", NOTIFICATION_PATH, {}, headers, b'{"state": "upgraded"}'))
    assert reply.status == 401 and inbox.snapshot() == []


def test_the_portal_needs_a_session_and_schedules_with_a_form(served):
    _, url, _ = served
    client = HttpClient()
    origin = url.removesuffix(PREFIX.rstrip("/"))
    assert client.request("GET", origin + PREFIX + "portal").headers["Location"] == PREFIX + "portal/login"
    bad = client.request("POST", origin + PREFIX + "portal/login", b"token=nope",
                         {"Content-Type": "application/x-www-form-urlencoded"})
    assert bad.status == 401
    login = client.request("POST", origin + PREFIX + "portal/login", b"token=token-b",
                           {"Content-Type": "application/x-www-form-urlencoded"})
    cookie = login.headers["Set-Cookie"].split(";")[0]
    assert "HttpOnly" in login.headers["Set-Cookie"] and "SameSite=Strict" in login.headers["Set-Cookie"]
    form = f"release={RELEASE.release_id}&chf={SPLIT.duis}&at=2026-01-08T02:00:00&action=schedule".encode()
    done = client.request("POST", origin + PREFIX + "portal", form, {"Cookie": cookie})
    assert done.status == 303
    page = client.request("GET", origin + PREFIX + "portal", None, {"Cookie": cookie}).body.decode()
    assert "2026-01-08T02:00:00Z" in page and "other supplier: not yet" in page and "Supplier A" not in page
    assert A.duis not in page and THEIRS.duis not in page
    client.close()


def test_a_portal_session_expires_after_its_lifetime_on_the_lab_clock(served):
    dcc, url, _ = served
    client = HttpClient()
    origin = url.removesuffix(PREFIX.rstrip("/"))
    login = client.request("POST", origin + PREFIX + "portal/login", b"token=token-a",
                           {"Content-Type": "application/x-www-form-urlencoded"})
    assert f"Max-Age={int(SESSION_LIFETIME.total_seconds())}" in login.headers["Set-Cookie"]
    cookie = {"Cookie": login.headers["Set-Cookie"].split(";")[0]}
    dcc.clock.advance(SESSION_LIFETIME.total_seconds() - 1)
    assert client.request("GET", origin + PREFIX + "portal", None, cookie).status == 200
    dcc.clock.advance(1)
    expired = client.request("GET", origin + PREFIX + "portal", None, cookie)
    assert expired.status == 303 and expired.headers["Location"] == PREFIX + "portal/login"
    form = f"release={RELEASE.release_id}&chf={SOLE.duis}&at=2026-01-08T02:00:00&action=schedule".encode()
    assert client.request("POST", origin + PREFIX + "portal", form, cookie).status == 303
    assert dcc.service.status(A, RELEASE.release_id, SOLE).scheduled_for is None      # the form did nothing
    client.close()


# -- the family in the plan ---------------------------------------------------------------------------------------

def test_the_family_is_a_proposal_a_run_plans_only_when_named():
    """plugin._proposal_not_asked_for leaves @proposal_ scenarios out of a run whose -m and -k do not name them."""
    from harness import scenarios
    variants = [v for v in scenarios.discover() if v.family == "ch_firmware_management"]
    assert len(variants) == scenarios.LAB_FAMILIES["ch_firmware_management"]
    assert all("proposal_SECMP0024" in v.tags for v in variants)


CHROMIUM = Path("/usr/bin/chromium")


def test_a_supplier_schedules_on_the_portal_in_chromium_and_sees_the_other_suppliers_approval_without_its_name(
        served, tmp_path):
    """A person at Supplier B (gas at the split-supply premises) in headless Chromium, JavaScript off: signs in,
    schedules its CH, sees Supplier A's approval arrive (A approves over the API) but never A's name or ID."""
    if not CHROMIUM.exists():
        pytest.skip("chromium not installed at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install playwright)")
    _, url, _ = served
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"])
        try:
            page = browser.new_context(java_script_enabled=False, viewport={"width": 1300, "height": 600}).new_page()
            page.goto(url + "/portal")
            assert page.url.endswith("/portal/login")
            page.fill("input[name=token]", "token-b")
            page.click("text=Sign in")
            row = page.locator(f"tr[data-chf='{SPLIT.duis}']")
            assert page.locator("tr[data-chf]").count() == 1          # only B's premises: not SOLE, not THEIRS
            assert row.locator(".other").inner_text() == "other supplier: not yet"
            row.locator("input[name=at]").fill("2026-01-09T02:30:00")
            row.locator("button[value=schedule]").click()
            row = page.locator(f"tr[data-chf='{SPLIT.duis}']")
            assert row.locator(".state").inner_text() == "awaiting approval"
            assert ChFirmwarePortal(url, "token-a").approve(RELEASE.release_id, SPLIT).status == 200
            page.reload()
            row = page.locator(f"tr[data-chf='{SPLIT.duis}']")
            assert row.locator(".state").inner_text() == "scheduled"
            assert row.locator(".other").inner_text() == "other supplier: approved"
            assert "2026-01-09T02:30:00Z" in row.inner_text()
            text = page.locator("body").inner_text()
            assert "Supplier A" not in text and A.duis not in text and "1300000000002" not in text   # nor A's MPAN
            page.screenshot(path=str(tmp_path / "portal.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "portal.png").stat().st_size > 10000


def test_the_emulated_dcc_defers_an_upgrade_near_a_future_dated_price_change_it_accepted(lab):
    """The clash the DCC sees in what it carries: a 1.2.1 Update Price the Supplier future-dated for day 10."""
    from harness.lab.memory import ScenarioMemory
    from harness.lab.procedures import Procedures

    procedures = Procedures(lab, lambda exchange: exchange, ScenarioMemory())
    procedures.install_and_commission("the Import Supplier", "ESME")
    price = procedures.send("the Import Supplier", "1.2.1", "ESME", execution_date_time="in 10 days")
    assert price.succeeded, price.summary
    now = lab.now()
    release = ChFirmwareRelease("R-CH-1", "01020001", "CHTS v1.1", now, now + 28 * DAY, now)
    assert lab.announce_ch_firmware(release, "the Import Supplier") == "R-CH-1"
    portal, chf = lab.ch_firmware_portal("the Import Supplier"), lab.config.premises[0].hub.chf
    assert portal.schedule("R-CH-1", chf, now + 10 * DAY - dt.timedelta(hours=6)).status == 200
    lab.let_time_pass(10 * DAY.total_seconds())
    status = portal.status("R-CH-1", chf).body
    assert status["state"] == "deferred", status                                          # type: ignore[index]
    assert [d["reason"] for d in status["deferrals"]] == ["future-dated tariff or price change"]   # type: ignore[index]
    lab.let_time_pass(2 * DAY.total_seconds())
    assert portal.status("R-CH-1", chf).body["state"] == "upgraded"                        # type: ignore[index]
    assert [n.body["state"] for n in lab.ch_firmware_notices("the Import Supplier")] == ["deferred", "upgraded"]


def _ch_upgrade_in_an_hour(lab) -> tuple:
    """A release announced now, scheduled by the Import Supplier for its CH an hour from now."""
    now = lab.now()
    release = ChFirmwareRelease("R-CH-2", "01020001", "CHTS v1.1", now, now + 28 * DAY, now)
    lab.announce_ch_firmware(release, "the Import Supplier")
    portal, chf = lab.ch_firmware_portal("the Import Supplier"), lab.config.premises[0].hub.chf
    assert portal.schedule("R-CH-2", chf, now + dt.timedelta(hours=1)).status == 200
    return portal, chf


def test_a_ch_off_the_sm_wan_when_its_upgrade_is_due_is_not_upgraded(lab):
    """The image cannot start across a WAN that is down, even if the hub is back before it would restart."""
    portal, chf = _ch_upgrade_in_an_hour(lab)
    lab.wan_outage(lasts_s=3600 + 300)
    lab.let_time_pass(2 * 3600)
    assert portal.status("R-CH-2", chf).body["state"] == "failed"                        # type: ignore[index]


def test_a_ch_cut_off_while_its_image_travels_is_not_upgraded_and_the_outage_ends_on_time(lab):
    """The outage starts ten minutes into the CSP's twenty-minute upgrade and lasts half an hour from then: the
    hub is off the SM WAN when it would restart on the new image, and back on it afterwards."""
    portal, chf = _ch_upgrade_in_an_hour(lab)
    with lab.clock.lock:
        lab.dcc.wan.outage(chf, starts_in_s=3600 + 600, lasts_s=1800)
    lab.let_time_pass(3600 + 900)
    assert lab.dcc.wan.in_outage(chf)
    lab.let_time_pass(3600)
    assert portal.status("R-CH-2", chf).body["state"] == "failed"                        # type: ignore[index]
    assert not lab.dcc.wan.in_outage(chf)
