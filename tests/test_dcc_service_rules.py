"""The DSP's own services -- 11.1's checks, DSP schedules (5.1-5.3), the Smart Metering Inventory (12.2, 8.2, 8.3)
-- and the signed Pre-Command it correlates with its Transform, each rule seen through real DUIS as a service user
sees it: the response code the DCC answers with. Every test here fails if the rule it names is taken out of the DSP.
"""

from __future__ import annotations

import base64
import datetime as dt

from harness.catalogue import CommandVariant, DeviceStatus, DeviceType
from harness.dcc.firmware import MAX_IMAGE_BYTES
from harness.dcc.inventory import InventoryDevice
from harness.duis import requests, xml
from harness.duis.request_id import RequestId
from harness.eui import EntityId
from harness.gbcs import crypto
from harness.gbcs.frame import GbcsMessage
from harness.lab import parameters as params
from harness.pki import KeyUsage
from harness.usecases import mmc
from harness.usecases.esme_reads import rows
from tests.test_family_rules import built_non_device, eui, post_non_device, send

IS, GS, B, GNO = "the Import Supplier", "the Gas Supplier", "Supplier B", "the Gas Network Operator"
UNKNOWN = EntityId("00-DB-12-34-56-78-99-99")


# -- 11.1 Update Firmware ---------------------------------------------------------------------------------------

def _update(lab, party, devices, image):
    return lab.user(party).send("11.1", device_id_list=devices, firmware_image=image, firmware_version="00020002")


def test_11_1_refuses_an_image_that_is_not_strict_base64(lab, do):
    do.install_and_commission(IS, "ESME")
    image = lab.firmware_image("ESME", 0x00020002)
    user, rid, root = built_non_device(lab, IS, "11.1", firmware_image=image, firmware_version="00020002",
                             device_id_list=[eui(lab, "ESME")])
    text = base64.b64encode(image).decode()
    root.find(".//sr:FirmwareImage", xml.NSMAP).text = text[:100] + "*" + text[100:]     # a lenient decoder skips it
    assert post_non_device(user, rid, root, "11.1").response_code == "E110102"


def test_11_1_refuses_a_well_formed_image_over_750_kb(lab, do):
    do.install_and_commission(IS, "ESME")
    image = lab.firmware_image("ESME", 0x00020002)
    user, rid, root = built_non_device(lab, IS, "11.1", firmware_image=image, firmware_version="00020002",
                             device_id_list=[eui(lab, "ESME")])
    big = lab.firmware_image("ESME", 0x00020002, size=MAX_IMAGE_BYTES)       # its OTA header and signature on top
    root.find(".//sr:FirmwareImage", xml.NSMAP).text = base64.b64encode(big).decode()
    assert post_non_device(user, rid, root, "11.1").response_code == "E110102"
    assert _update(lab, IS, [eui(lab, "ESME")], lab.firmware_image("ESME", 0x00020002)).succeeded


def test_11_1_refuses_a_device_not_commissioned(lab, do):
    do.install_and_commission(IS, "ESME")
    do.prenotify(IS, "ESME 2")
    update = _update(lab, IS, [eui(lab, "ESME"), eui(lab, "ESME 2")], lab.firmware_image("ESME", 0x00020002))
    assert update.response_code == "E110103", update.summary


def test_11_1_refuses_devices_not_in_the_inventory_or_supplied_by_another(lab, do):
    do.install_and_commission(IS, "ESME")
    image = lab.firmware_image("ESME", 0x00020002)
    unknown = _update(lab, IS, [eui(lab, "ESME"), UNKNOWN], image)
    assert unknown.response_code == "E110106", unknown.summary
    not_theirs = _update(lab, B, [eui(lab, "ESME")], image)
    assert not_theirs.response_code == "E110106", not_theirs.summary


# -- DSP schedules ------------------------------------------------------------------------------------------------

def test_5_1_schedules_only_what_the_dsp_may_schedule_for_whom_may_send_it(lab, do):
    do.install_and_commission(IS, "ESME")
    user, rid, root = built_non_device(lab, IS, "5.1", **params.resolve(lab, "5.1", None, {"device_id": "the ESME",
                                                                                 "scheduled_srv": "4.6.1"}))
    root.find(".//sr:DSPScheduledServiceReferenceVariant", xml.NSMAP).text = "1.6"
    assert post_non_device(user, rid, root, "5.1").response_code == "E050101"
    # the Gas Network Operator may create schedules, but not of 4.6.1, which is the suppliers'
    assert send(lab, GNO, "5.1", None, device_id="the ESME", scheduled_srv="4.6.1").response_code == "E2"
    assert send(lab, IS, "5.1", None, device_id="the ESME", scheduled_srv="4.6.1").succeeded


def test_a_dsp_schedule_is_read_and_deleted_only_by_the_user_that_made_it(lab, do):
    do.install_and_commission(IS, "ESME")
    schedule = do.create_schedule(IS, "ESME", "4.6.1")
    for srv in ("5.2", "5.3"):
        assert send(lab, B, srv, None, dsp_schedule_id=schedule).response_code == "E19"
    assert send(lab, IS, "5.2", None, dsp_schedule_id=schedule).succeeded
    assert send(lab, IS, "5.3", None, dsp_schedule_id=schedule).succeeded
    assert send(lab, IS, "5.2", None, dsp_schedule_id=schedule).response_code == "E19"      # gone


def test_5_1_is_authorised_against_the_device_as_the_sr_itself_would_be(lab, do):
    do.install_and_commission(IS, "ESME")
    assert send(lab, IS, "5.1", None, device_id=UNKNOWN.duis, scheduled_srv="4.6.1").response_code == "E19"
    assert send(lab, B, "5.1", None, device_id="the ESME", scheduled_srv="4.6.1").response_code == "E4"


def _scheduled(lab, frequency: str, start: dt.date, end: dt.date | None = None, **offsets) -> str:
    """The Import Supplier's DSP schedule of 4.6.1 (daily reads) for its ESME: its DSP Schedule ID."""
    exchange = lab.user(IS).send("5.1", device_id=eui(lab, "ESME"), scheduled_srv="4.6.1",
                                 schedule_frequency=frequency, schedule_start_date=start, schedule_end_date=end,
                                 **offsets)
    assert exchange.succeeded and exchange.response is not None, exchange.summary
    return exchange.response.alert_fields["DSPScheduleID"]


def _results(lab, schedule: str) -> list:
    """What the schedule's runs brought the Import Supplier (DSPScheduledMessage responses)."""
    return [item.response for item in lab.user(IS).receiver.snapshot()
            if item.response.content == "DSPScheduledMessage"
            and item.response.alert_fields.get("DSPScheduleID") == schedule]


def _run_days(lab, schedule: str) -> list[dt.date]:
    return [dt.date.fromisoformat(r.response_date_time[:10]) for r in _results(lab, schedule)]


def test_a_schedule_runs_on_each_day_its_frequency_names_from_its_start_to_its_end(lab, do):
    do.install_and_commission(IS, "ESME")
    today = lab.now().date()
    daily = _scheduled(lab, "Daily", today + dt.timedelta(days=1), today + dt.timedelta(days=2))
    weekly = _scheduled(lab, "Weekly", today + dt.timedelta(days=1))
    lab.let_time_pass(16 * 86400)
    assert _run_days(lab, daily) == [today + dt.timedelta(days=d) for d in (1, 2)]
    assert _run_days(lab, weekly) == [today + dt.timedelta(days=d) for d in (1, 8, 15)]


def test_a_monthly_schedule_from_the_31st_runs_on_the_last_day_of_a_shorter_month(lab, do):
    do.install_and_commission(IS, "ESME")
    monthly = _scheduled(lab, "Monthly", dt.date(2025, 12, 31))
    lab.let_time_pass(56 * 86400)
    assert _run_days(lab, monthly) == [dt.date(2026, 1, 31), dt.date(2026, 2, 28)]


def test_a_scheduled_log_read_covers_the_window_its_offsets_give(lab, do):
    """Offsets -2 to 0, midnight to midnight: a run two days after installation reads the two midnights since."""
    do.install_and_commission(IS, "ESME")
    start = lab.now().date() + dt.timedelta(days=2)
    schedule = _scheduled(lab, "Daily", start, start, start_date_offset=-2, end_date_offset=0)
    lab.let_time_pass(3 * 86400)
    [result] = _results(lab, schedule)
    document, _ = mmc.parse(GbcsMessage.decode(result.gbcs_payload), keystore=lab.user(IS).keystore, srv="4.6.1")
    assert len(rows(mmc.values(document), "LogEntry")) == 2


# -- the Smart Metering Inventory --------------------------------------------------------------------------------

def test_a_gpf_is_installed_with_its_hub_and_commissioned_by_its_first_join(lab, do):
    """The CH on the SM WAN commissions its CHF and installs its GPF; the GPF is Commissioned only once the first
    device joins it (8.7.x)."""
    def statuses():
        found = send(lab, GS, "8.2", None, device_id="the GPF").response.inventory
        return {d["DeviceType"]: d["DeviceStatus"] for d in found}
    assert statuses() == {"GPF": "InstalledNotCommissioned", "CHF": "Commissioned"}
    do.install_and_commission(GS, "GSME")
    assert statuses()["GPF"] == "Commissioned"


def test_12_2_cannot_pre_notify_a_device_again_once_it_is_past_pending(lab, do):
    do.install_and_commission(IS, "ESME")
    assert do.prenotify(IS, "IHD").succeeded
    assert do.prenotify(IS, "IHD").succeeded                        # still Pending: its details may be resent
    again = send(lab, IS, "12.2", None, device_id="the ESME", device_type="ESME")
    assert again.response_code == "E5", again.summary


def test_8_3_decommissions_only_for_the_supplier_and_only_once(lab, do):
    do.install_and_commission(IS, "ESME")
    assert send(lab, B, "8.3", None, device_id="the ESME").response_code == "E4"
    assert send(lab, IS, "8.3", None, device_id="the ESME").succeeded
    assert lab.dcc.inventory.get(eui(lab, "ESME")).status is DeviceStatus.DECOMMISSIONED
    assert send(lab, IS, "8.3", None, device_id="the ESME").response_code == "E5"


def test_8_2_lists_at_most_the_17_devices_the_duis_schema_allows(lab):
    chf = lab.dcc.inventory.get(eui(lab, "CHF"))
    for n in range(20):                                      # an SMI with more devices behind the CH than fit
        lab.dcc.inventory.add(InventoryDevice(EntityId(f"00-DB-12-34-56-78-AA-{n:02X}"), DeviceType.IHD,
                                              chf=chf.device_id), lab.now())
    read = lab.user(IS).send("8.2", device_id=chf.device_id)
    assert read.succeeded and len(read.response.inventory) == 17


# -- the signed Pre-Command --------------------------------------------------------------------------------------

def test_a_pre_command_sent_back_unsigned_is_refused(lab, do):
    do.install_and_commission(IS, "ESME")
    user, esme = lab.user(IS), lab.device("ESME")
    rid = RequestId(user.eui, esme.eui, user.counter.next(user.eui))
    transformed = user.send_document(requests.build("1.6", rid, payment_mode="prepayment"), "serviceT")
    commands = len(esme.history)
    unsigned = user.send_document(requests.build_signed_pre_command("1.6", rid, transformed.pre_command), "serviceS")
    assert unsigned.response_code == "E12"
    assert len(esme.history) == commands


def test_the_dcc_signs_a_users_11_3_to_the_chf_only_when_the_user_signed_it(lab):
    """A CHF takes critical commands from the DCC and the WAN provider only: the ACB's 11.3 for a User is signed by
    the DCC once the User's signature of the Pre-Command verifies with the User's key. Signed with another User's
    key it is refused (E12) and nothing reaches the hub."""
    user, chf = lab.user(IS), lab.device("CHF")
    rid = RequestId(user.eui, chf.eui, user.counter.next(user.eui))
    first = user.send_document(requests.build("11.3", rid, firmware_hash=bytes(32)), "serviceT")
    commands = len(chf.history)
    other_key = lab.repository.keystore.private_key(lab.user(B).eui, KeyUsage.DIGITAL_SIGNING)
    signed = crypto.sign_pre_command(first.pre_command, other_key)
    second = user.send_document(requests.build_signed_pre_command("11.3", rid, signed), "serviceS")
    assert second.response_code == "E12"
    lab.let_time_pass(60)
    assert len(chf.history) == commands


# -- what the DSP sends a User of a device's responses and alerts ----------------------------------------------

def test_an_asynchronous_response_names_the_request_it_answers(lab, do):
    do.install_and_commission(IS, "ESME")
    read = lab.user(IS).send("6.2.9", eui(lab, "ESME"))
    assert read.response.request_id == read.request_id
    assert read.response.response_id == read.request_id.response_id()


def test_a_locally_delivered_command_is_answered_through_8_13_alone(lab, do):
    """A command the DCC gave the User for local delivery (CV 2) is answered by the User returning the device's
    response (8.13): the DCC posts no response of its own, even when that response comes up the SM WAN (here
    the command was carried to the CH over it)."""
    do.install_and_commission(IS, "ESME")
    user = lab.user(IS)
    read = user.send("6.2.9", eui(lab, "ESME"), command_variant=CommandVariant.NON_CRITICAL_LOCAL)
    assert read.local_command is not None, read.summary
    with lab.clock.lock:
        lab.dcc.wan.down(eui(lab, "CHF"), read.local_command)
    lab.let_time_pass(60)
    assert any("ECS26j" in line and "success" in line for line in lab.device("ESME").history)
    assert [r for r in user.receiver.snapshot() if r.response.request_id == read.request_id] == []


def test_a_command_for_local_delivery_alone_has_no_e21_and_does_not_cross_the_sm_wan(lab, do):
    """CV 2: nobody knows when the installer delivers it, so the DCC neither sends it nor times it out."""
    do.install_and_commission(IS, "ESME")
    user, esme = lab.user(IS), lab.device("ESME")
    commands = len(esme.history)
    read = user.send("6.2.9", esme.eui, command_variant=CommandVariant.NON_CRITICAL_LOCAL)
    assert read.local_command is not None, read.summary
    lab.let_time_pass(3600)
    assert len(esme.history) == commands
    assert [r for r in user.receiver.snapshot() if r.response.request_id == read.request_id] == []


def test_a_command_for_local_and_wan_delivery_is_answered_over_the_sm_wan_too(lab, do):
    """CV 3: the User gets the command to deliver locally, and the DCC sends it over the SM WAN as well."""
    do.install_and_commission(IS, "ESME")
    user = lab.user(IS)
    read = user.send("6.2.9", eui(lab, "ESME"), command_variant=CommandVariant.NON_CRITICAL_WAN_AND_LOCAL)
    assert read.local_command is not None, read.summary
    lab.let_time_pass(60)
    answers = [r.response for r in user.receiver.snapshot() if r.response.request_id == read.request_id]
    assert [(a.response_code, a.gbcs_payload is not None) for a in answers] == [("I0", True)]


def test_an_alert_a_user_returns_with_8_13_is_not_sent_back_to_it(lab, do):
    do.install_and_commission(IS, "ESME")
    user, esme = lab.user(IS), lab.device("ESME")
    with lab.clock.lock:
        esme.raise_alert(0x8F60, {"Reason": "test"}, critical=True)
    alert = user.wait_for_alert("8F60", device=esme.eui)
    assert alert is not None
    held = len(user.receiver.snapshot())
    assert user.send("8.13", device_gbcs_response=alert.response.gbcs_payload).succeeded
    lab.let_time_pass(60)
    assert [r.response.alert_code for r in user.receiver.snapshot()[held:]] == []


def test_a_supplier_is_the_registered_supplier_of_its_own_fuel_only(lab, do):
    """Supplier A supplies both fuels, then the gas supply moves to Supplier B: A no longer decommissions the
    GSME, and B never the ESME."""
    do.install_and_commission(IS, "ESME")
    do.install_and_commission(IS, "GSME")
    lab.register("gas supplier", B)
    assert send(lab, IS, "8.3", None, device_id="the GSME").response_code == "E4"
    assert send(lab, B, "8.3", None, device_id="the ESME").response_code == "E4"
