"""One or more rules per business scenario family, each seen through real DUIS the way a service user
(or the installer, or the consumer) sees it, and each failing if the rule is taken out of the DCC or
the device model. The scenarios prove the plan's sequences work; these prove what must not work.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib

from harness import catalogue
from harness.adapters import Exchange
from harness.catalogue import CommandVariant, DeviceType, PaymentMode, RemotePartyRole
from harness.dcc.wan import WAN_FIRMWARE_BYTES_PER_S, WAN_LATENCY_S
from harness.duis import requests, xml
from harness.duis.request_id import RequestId
from harness.emulators.chf import HHT_LOG_LIFETIME_S
from harness.emulators.hub import HAN_FIRMWARE_BYTES_PER_S, INTER_PAN_WINDOW_S
from harness.gbcs import crypto
from harness.gbcs.frame import GbcsMessage
from harness.lab import parameters as params
from harness.lab.memory import ReleasedFirmware
from harness.lab.procedures import Procedures
from harness.pki import KeyUsage
from harness.usecases import DuisRequest
from harness.usecases.esme_reads import rows

IS, GS, ENO, B = "the Import Supplier", "the Gas Supplier", "the Electricity Network Operator", "Supplier B"
DAY = 86400


def eui(lab, name):
    return params.device(lab.config, name)[1]


def send(lab, party, srv, target=None, **table):
    """An SR with the lab's defaults, as a scenario step sends it (no success expected)."""
    return Procedures(lab, lambda x: x).send(party, srv, target, expect_success=False, **table)


def built_non_device(lab, party, srv, **values):
    """A non-device SR to be changed before it is posted (to a value its request builder would refuse to write):
    its user, RequestID and document."""
    user = lab.user(party)
    rid = RequestId(user.eui, lab.config.access_control_broker, user.counter.next(user.eui))
    return user, rid, requests.build(srv, rid, **values)


def post_non_device(user, rid, root, srv) -> Exchange:
    """That document signed and posted as the non-device SR it is (CV 8)."""
    return user.send_document(root, "serviceD", Exchange(user.name, srv, rid.target, rid, CommandVariant(8)))


# -- no_wan_lcd ---------------------------------------------------------------------------------------------

def _hht_registered(lab, do):
    lab.install_without_wan()
    do.send(IS, "12.2", None, device_id="the HHT", device_type="HHT")
    exchange = lab.user(IS).send("8.11", eui(lab, "CHF"), command_variant=CommandVariant.NON_CRITICAL_LOCAL,
                                 **params.resolve(lab, "8.11", eui(lab, "CHF"), {"device_id": "the HHT"}))
    assert exchange.local_command is not None, exchange.summary
    return exchange.local_command


def test_inter_pan_is_open_only_for_an_hour_after_ch_power_on(lab, do):
    command = _hht_registered(lab, do)
    lab.let_time_pass(INTER_PAN_WINDOW_S + 1)
    assert not lab.deliver_locally(command)
    lab.hubs[lab.site.name].power_cycle()
    assert lab.deliver_locally(command)


def test_the_chf_drops_the_hht_65535_s_after_adding_it(lab, do):
    assert lab.deliver_locally(_hht_registered(lab, do))
    chf, hht = lab.device("CHF"), eui(lab, "HHT")
    lab.let_time_pass(HHT_LOG_LIFETIME_S - 10)
    assert chf.device_log[hht].hht
    lab.let_time_pass(20)
    assert hht not in chf.device_log and hht not in chf.historic_log


def test_only_an_hht_may_hand_the_ch_other_commands(lab, do):
    lab.install_without_wan()
    do.prenotify(IS, "ESME")
    exchange = lab.user(IS).send("8.11", eui(lab, "CHF"), command_variant=CommandVariant.NON_CRITICAL_LOCAL,
                                 **params.resolve(lab, "8.11", eui(lab, "CHF"), {"device_id": "the ESME"}))
    assert not lab.deliver_locally(exchange.local_command)    # the terminal never registered itself


def test_8_13_must_answer_a_command_the_dcc_gave_for_local_delivery(lab, do):
    do.install_and_commission(IS, "ESME")
    user = lab.user(IS)
    garbage = user.send("8.13", device_gbcs_response=b"not GBCS")
    assert garbage.response_code == "E081301", garbage.summary
    answered = user.send("6.2.9", eui(lab, "ESME"))                   # a response the DCC already had
    assert answered.succeeded
    again = user.send("8.13", device_gbcs_response=answered.response.gbcs_payload)
    assert again.response_code == "E081302", again.summary


# -- prepayment_top_up ----------------------------------------------------------------------------------------

def test_a_forged_or_foreign_utrn_is_not_authentic(lab, do):
    do.install_and_commission(IS, "ESME", PaymentMode.PREPAYMENT)
    user, esme = lab.user(IS), eui(lab, "ESME")
    code, counter = user.vend_utrn(esme, 1000)
    forged = code[:10] + str((int(code[10]) + 1) % 10) + code[11:]
    # what the supplier sees: a failed TopUpDeviceRsp and the meter's alert saying why
    refused = user.send("2.2", esme, utrn=forged, counter=counter)
    assert refused.device_fields.get("Result") == "Failure", refused.summary
    assert user.wait_for_alert("8F63", device=esme) is not None
    foreign, foreign_counter = lab.user(B).vend_utrn(esme, 1000)     # Supplier B's prepayment key
    refused = user.send("2.2", esme, utrn=foreign, counter=foreign_counter)
    assert refused.device_fields.get("Result") == "Failure", refused.summary
    assert user.wait_for_alert("8F63", device=esme) is not None
    assert user.send("2.2", esme, utrn=code, counter=counter).succeeded      # the genuine one still works


# -- chf_replacement ------------------------------------------------------------------------------------------

def test_a_restore_needs_the_dccs_backup_of_the_old_chf(lab, do):
    do.install_and_commission(IS, "ESME")
    lab.replace_communications_hub()
    refused = lab.user(IS).send("8.12.1", eui(lab, "new CHF"), old_chf_id=eui(lab, "new CHF"))
    assert refused.response_code == "E081202", refused.summary


def test_only_the_restored_link_key_joins_the_new_chf(lab, do):
    do.install_and_commission(IS, "ESME")
    lab.replace_communications_hub()
    assert lab.user(IS).send("8.12.1", eui(lab, "new CHF"), old_chf_id=eui(lab, "old CHF")).succeeded
    new_chf, esme = lab.device("CHF"), eui(lab, "ESME")
    assert not new_chf.accept_join(esme, b"\x00" * 16)
    lab.let_time_pass(120)
    assert lab.device("ESME").joined_to == new_chf.eui          # with its own key it is back on the HAN


# -- ppmid, ihd ------------------------------------------------------------------------------------------------

def test_a_ppmid_the_meter_was_not_joined_to_cannot_top_it_up(lab, do):
    """8.7.2 told the PPMID about the ESME, but the critical 8.7.1 never told the ESME about the PPMID."""
    do.install_and_commission(IS, "ESME", PaymentMode.PREPAYMENT)
    do.prenotify(IS, "PPMID")
    do.whitelist(IS, "PPMID")
    do.join_han(IS, "PPMID")
    assert send(lab, IS, "8.7.2", "PPMID", other_device_id="the ESME").succeeded
    esme = lab.device("ESME")
    balance = esme.meter_balance
    code, _ = lab.user(IS).vend_utrn(esme.eui, 500)
    assert lab.consumer_enters_utrn("PPMID", code, DeviceType.ESME)       # the PPMID passes it on ...
    lab.let_time_pass(10)
    assert esme.meter_balance <= balance                                     # ... the meter ignores it
    assert lab.user(IS).wait_for_alert("810E", device=esme.eui, timeout=600) is None


def test_an_ihd_not_on_the_han_cannot_be_joined(lab, do):
    do.install_and_commission(IS, "ESME")
    do.prenotify(IS, "IHD")
    do.whitelist(IS, "IHD")                                    # whitelisted, never powered
    refused = lab.user(IS).send("8.7.2", eui(lab, "ESME"), other_device_id=eui(lab, "IHD"))
    # method B: the trust centre has no partner link key to give for a device not on its HAN
    assert refused.device_fields == {"Result": "Failure", "joinResponseCode@ResponseCode": "12",
                                     "joinResponseCode/ASN1Status": "noPartnerLinkKeyReceived"}, refused.summary


# -- tariff_update, change_of_mode, price_update, prepayment_data ---------------------------------------------

def test_only_the_registered_supplier_changes_the_tariff(lab, do):
    do.install_and_commission(IS, "ESME")
    assert send(lab, B, "1.1.1", "ESME").response_code == "E4"
    assert send(lab, IS, "1.1.1", "ESME").succeeded


def test_a_network_operator_cannot_change_the_payment_mode(lab, do):
    do.install_and_commission(IS, "ESME")
    assert send(lab, ENO, "1.6", "ESME", payment_mode="prepayment").response_code == "E2"


def test_prepayment_values_are_the_suppliers_alone(lab, do):
    do.install_and_commission(IS, "ESME", PaymentMode.PREPAYMENT)
    assert send(lab, ENO, "4.3", "ESME").response_code == "E2"


# -- meter_reading --------------------------------------------------------------------------------------------

def test_a_read_period_before_installation_holds_nothing(lab, do):
    do.install_and_commission(IS, "ESME")
    lab.let_time_pass(2 * DAY)
    exchange = send(lab, IS, "4.6.1", "ESME", start="10 days ago", end="9 days ago")
    assert exchange.succeeded and rows(exchange.device_fields, "LogEntry") == [], exchange.device_fields
    assert len(rows(send(lab, IS, "4.6.1", "ESME").device_fields, "LogEntry")) == 2


# -- dsp_schedule -----------------------------------------------------------------------------------------------

def test_a_deleted_schedule_runs_no_more(lab, do):
    do.install_and_commission(IS, "ESME")
    schedule = do.create_schedule(IS, "ESME", "4.6.1")
    assert send(lab, IS, "5.3", None, dsp_schedule_id=str(schedule)).succeeded
    assert lab.user(IS).wait_for_scheduled(str(schedule), timeout=2 * DAY) is None
    kept = do.create_schedule(IS, "ESME", "4.6.1")
    assert lab.user(IS).wait_for_scheduled(str(kept), timeout=2 * DAY) is not None     # the rule, not the lab


# -- change_of_supplier ---------------------------------------------------------------------------------------

def test_after_cos_the_meter_refuses_the_old_suppliers_signature(lab, do):
    """The DSP would refuse Supplier A's SR (E4); the meter itself must refuse A's signed command too."""
    do.install_and_commission("Supplier A", "ESME")
    do.change_of_supplier("Import Supplier", B, "ESME")
    esme = lab.device("ESME")
    command = _critical_command_from(lab, "Supplier A", "ESME")
    with lab.clock.lock:
        lab.dcc.wan.down(eui(lab, "CHF"), command)
    lab.let_time_pass(30)
    assert any("not the SUPPLIER in the trust anchor cell" in line for line in esme.history[-3:])
    assert lab.user(B).wait_for_alert("8F30", device=esme.eui) is not None       # B hears of the attempt


def _critical_command_from(lab, party, device):
    """A critical GBCS command signed by `party` and MAC'd by the ACB, as the DCC would send it."""
    user, target = lab.user(party), eui(lab, device)
    request_id = RequestId(user.eui, target, 2**61)
    request = DuisRequest.of(requests.build("1.6", request_id, payment_mode="credit"))      # the DSP's Transform
    _, apdu = lab.dcc.dsp.command(lab.dcc.users[user.eui], lab.dcc.inventory.get(target), request, {"Credit": ""})
    signed = crypto.sign_apdu(apdu, lab.repository.keystore.private_key(user.eui, KeyUsage.DIGITAL_SIGNING))
    return crypto.seal(signed, ka_private=lab.dcc.dsp.acb_key_agreement,
                       ka_public=lab.repository.public_key(target, KeyUsage.KEY_AGREEMENT))


def test_cos_needs_the_supply_registered_to_the_gaining_supplier(lab, do):
    do.install_and_commission(IS, "ESME")
    assert send(lab, B, "6.23", "ESME", certificates=B).response_code == "E4"


def test_the_outcome_of_a_future_dated_cos_reaches_the_gaining_supplier(lab, do):
    """The meter reports a future-dated 6.23 to its originator, the DCC's TransCoS party (RTDS FDA-CS02b): the DCC
    hands it to the supplier now registered, who sent the 6.23, and not to the losing one."""
    do.install_and_commission(IS, "ESME")
    lab.register("Import Supplier", B)
    esme = eui(lab, "ESME")
    exchange = send(lab, B, "6.23", "ESME", certificates=B, execution_date_time="in 1 hour")
    assert exchange.succeeded and exchange.device_fields == {"Result": "Success"}
    alert = lab.user(B).wait_for_alert("8F66", device=esme, timeout=2 * 3600)
    assert alert is not None
    frame = GbcsMessage.decode(alert.response.gbcs_payload).apdu
    assert (frame.message_code, frame.recipient, frame.date_time, frame.signature is not None) == \
        (0x00CB, lab.dcc.dsp.identity.transcos, None, True)
    assert alert.response.response_id.target == lab.user(B).eui
    assert lab.user(IS).wait_for_alert("8F66", device=esme, timeout=60) is None
    cell = lab.device("ESME").trust.cell(RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING)
    assert cell.entity_id == lab.user(B).eui


def test_cos_tells_the_losing_supplier_and_ends_only_its_schedules_of_that_meter(lab, do):
    """N27 to the supplier whose certificates the 6.23 replaced, naming the meter, and N17 for each of its DSP
    schedules of that meter; its schedules of the GPF (it keeps the gas) and the Other User's of the meter stay."""
    do.install_and_commission(IS, "ESME")
    esme = eui(lab, "ESME")
    ended = do.create_schedule(IS, "ESME", "4.6.1")
    gas = do.create_schedule(IS, "GPF", "4.17")
    theirs = do.create_schedule("the Other User", "ESME", "4.8.1")
    do.change_of_supplier("Import Supplier", B, "ESME")
    losing = lab.user("Supplier A")
    told = losing.wait_for_alert("N27")
    assert told is not None and told.response.alert_fields["DeviceChangeOfSupplier/DeviceID"] == esme.duis
    assert lab.user(B).wait_for_alert("N27", timeout=600) is None
    assert [a.alert_fields for a in losing.alerts() if a.alert_code == "N17"] == \
        [{"DeviceID": esme.duis, "DSPScheduleID": str(ended)}]
    assert send(lab, "Supplier A", "5.2", None, dsp_schedule_id=str(gas)).succeeded
    assert send(lab, "the Other User", "5.2", None, dsp_schedule_id=str(theirs)).succeeded


def test_a_repeated_cos_tells_nobody_and_the_next_tells_the_supplier_it_replaces(lab, do):
    """The DCC follows who is in the meter's supplier cells: B's 6.23 again changes no supplier, so B hears
    nothing and keeps its schedule; A gaining the meter back replaces B, who is told (N27, N17), not A."""
    do.install_and_commission(IS, "ESME")
    do.change_of_supplier("Import Supplier", B, "ESME")
    a, b = lab.user("Supplier A"), lab.user(B)
    assert a.wait_for_alert("N27") is not None
    schedule = do.create_schedule(B, "ESME", "4.6.1")
    assert send(lab, B, "6.23", "ESME", certificates=B).succeeded
    assert b.wait_for_alert("N27", timeout=600) is None and b.wait_for_alert("N17", timeout=0) is None
    do.change_of_supplier("Import Supplier", "Supplier A", "ESME")
    assert b.wait_for_alert("N27") is not None and a.wait_for_alert("N27", timeout=600) is None
    removal = b.wait_for_alert("N17")
    assert removal is not None and removal.response.alert_fields["DSPScheduleID"] == str(schedule)


def test_only_the_transitional_cos_party_may_put_a_supplier_in_by_cos(lab, do):
    """The CoS command is the DCC's TransCoS party's to sign: the losing supplier, signing the same command
    itself, cannot take the meter back past the DCC (0x8F30 to the supplier in the cell)."""
    do.install_and_commission(IS, "ESME")
    do.change_of_supplier("Import Supplier", B, "ESME")
    esme, losing = lab.device("ESME"), lab.user("Supplier A")
    request = DuisRequest.of(requests.build("6.23", RequestId(losing.eui, esme.eui, 2**61),
                                            **params.resolve(lab, "6.23", esme.eui, {"certificates": "Supplier A"})))
    _, apdu = lab.dcc.dsp.command(lab.dcc.users[losing.eui], lab.dcc.inventory.get(esme.eui), request, {})
    forged = dataclasses.replace(apdu.with_signature(None), originator=losing.eui)
    signed = crypto.sign_apdu(forged, lab.repository.keystore.private_key(losing.eui, KeyUsage.DIGITAL_SIGNING))
    with lab.clock.lock:
        lab.dcc.wan.down(eui(lab, "CHF"), crypto.seal(signed, ka_private=lab.dcc.dsp.acb_key_agreement,
                                                      ka_public=lab.repository.public_key(esme.eui,
                                                                                          KeyUsage.KEY_AGREEMENT)))
    lab.let_time_pass(30)
    assert any("not the TRANSITIONAL_COS in the trust anchor cell" in line for line in esme.history[-3:])
    assert lab.user(B).wait_for_alert("8F30", device=esme.eui) is not None
    assert esme.trust.cell(RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING).entity_id == lab.user(B).eui


# -- change_of_tenancy ------------------------------------------------------------------------------------------

def test_cot_removes_only_what_other_users_set_up(lab, do):
    do.install_and_commission(IS, "ESME")
    mine = do.create_schedule(IS, "ESME", "4.6.1")
    theirs = do.create_schedule("the Other User", "ESME", "4.8.1")
    assert send(lab, IS, "3.2", "ESME", restriction_date_time="now").succeeded
    removal = lab.user("the Other User").wait_for_alert("N4")
    assert removal is not None and removal.response.alert_fields["DSPScheduleID"] == str(theirs)
    assert lab.user(IS).wait_for_alert("N4", timeout=600) is None
    assert send(lab, IS, "5.2", None, dsp_schedule_id=str(mine)).succeeded


# -- decommission -------------------------------------------------------------------------------------------------

def test_a_decommissioned_meter_takes_no_more_srs(lab, do):
    do.install_and_commission(IS, "ESME")
    assert send(lab, IS, "8.3", None, device_id="the ESME").succeeded
    assert send(lab, IS, "1.6", "ESME", payment_mode="credit").response_code == "E5"
    assert send(lab, IS, "8.3", None, device_id="the GPF").response_code == "E11"


# -- firmware -------------------------------------------------------------------------------------------------

def test_an_image_not_signed_by_the_manufacturer_fails_verification(lab, do):
    do.install_and_commission(IS, "ESME")
    image = lab.firmware_image("ESME", 0x00020002, signed_by="Someone Else")
    assert lab.user(IS).send("11.1", device_id_list=[eui(lab, "ESME")], firmware_image=image,
                             firmware_version="00020002").succeeded
    assert lab.user(IS).wait_for_alert("8F1C", device=eui(lab, "ESME")) is not None
    assert lab.device("ESME").verified_images == {}


def test_distribution_to_a_device_off_the_han_fails_with_n20(lab, do):
    do.install_and_commission(IS, "ESME")
    lab.hubs[lab.site.name].detach(eui(lab, "ESME"))                 # it left the HAN after commissioning
    image = lab.firmware_image("ESME", 0x00020002)
    update = lab.user(IS).send("11.1", device_id_list=[eui(lab, "ESME")], firmware_image=image,
                               firmware_version="00020002")
    assert update.succeeded
    failure = lab.user(IS).wait_for_alert("N20")
    assert failure is not None and failure.response.referenced_request_id == update.request_id


def test_a_device_that_leaves_the_han_while_the_image_travels_fails_with_n20(lab, do):
    do.install_and_commission(IS, "ESME")
    image = lab.firmware_image("ESME", 0x00020002)
    update = lab.user(IS).send("11.1", device_id_list=[eui(lab, "ESME")], firmware_image=image,
                               firmware_version="00020002")
    assert update.succeeded
    # the image is with the CH, on its way over the HAN
    lab.let_time_pass(WAN_LATENCY_S + len(image) / WAN_FIRMWARE_BYTES_PER_S + len(image) / HAN_FIRMWARE_BYTES_PER_S / 2)
    lab.hubs[lab.site.name].detach(eui(lab, "ESME"))
    failure = lab.user(IS).wait_for_alert("N20")
    assert failure is not None and failure.response.referenced_request_id == update.request_id
    assert lab.device("ESME").verified_images == {}


def test_11_1_refuses_a_truncated_image_and_mixed_models(lab, do):
    do.install_and_commission(IS, "ESME")
    do.install_and_commission(IS, "ESME 2")
    image = lab.firmware_image("ESME", 0x00020002)
    user, rid, root = built_non_device(lab, IS, "11.1", firmware_image=image, firmware_version="00020002",
                                       device_id_list=[eui(lab, "ESME")])
    root.find(".//sr:FirmwareImage", xml.NSMAP).text = base64.b64encode(image[:-100]).decode()   # not an OTA image
    assert post_non_device(user, rid, root, "11.1").response_code == "E110102"
    lab.dcc.inventory.get(eui(lab, "ESME 2")).model = "0002"     # the SMI has ESME 2 as another model
    mixed = user.send("11.1", device_id_list=[eui(lab, "ESME"), eui(lab, "ESME 2")], firmware_image=image,
                      firmware_version="00020002")
    assert mixed.response_code == "E110105", mixed.summary


def test_activating_an_image_the_meter_never_verified_fails_on_time(lab, do):
    do.install_and_commission(IS, "ESME")
    running = lab.device("ESME").firmware_version
    exchange = lab.user(IS).send("11.3", eui(lab, "ESME"), firmware_hash=bytes(32),
                                 execution_date_time=lab.now() + dt.timedelta(hours=1))
    # the response says only that the command was accepted (RTDS CS06 FUTURE_DATED_ERROR_RESPONSE)
    assert exchange.succeeded and exchange.device_fields == {"Result": "Success"}
    assert lab.user(IS).wait_for_alert("8F67", device=eui(lab, "ESME")) is not None
    assert lab.device("ESME").firmware_version == running


def test_11_3_to_the_chf_finds_no_image_held_now_or_on_time(lab):
    """A CHF's firmware comes from its CSP, which runs a release at once: the ACB's 11.3 for the User (signed by the
    DCC, as a CHF takes no User's signature) finds no image, and the outcome names the version the hub runs."""
    user, chf = lab.user(IS), lab.device("CHF")
    running = chf.firmware_version
    now = user.send("11.3", chf.eui, firmware_hash=bytes(32))
    assert now.device_fields == {"Result": "Failure", "ActivateImageResponseCode@ResponseCode": "1",
                                 "ActivateImageResponseCode/ASN1Status": "noImageHeld",
                                 "FirmwareVersion": running}, now.summary
    later = user.send("11.3", chf.eui, firmware_hash=bytes(32), execution_date_time=lab.now() + dt.timedelta(hours=1))
    assert later.succeeded and later.device_fields == {"Result": "Success"}
    # the outcome alert goes to the ACB, which sent the command: the DCC passes it to the User it was for
    assert user.wait_for_alert("8F67", device=chf.eui, timeout=2 * 3600) is not None
    assert chf.firmware_version == running


def _inventory_firmware_version(lab, party, device):
    return send(lab, party, "8.2", None, device_id=f"the {device}").response.inventory[0].get("DeviceFirmwareVersion")


def test_a_future_dated_activation_puts_the_new_version_in_the_inventory_when_it_happens(lab, do):
    """FDA-CS06 quotes the 11.3's counter; the DSP finds that 11.3, which names the image by its hash, and takes the
    version of the image it distributed with that hash."""
    do.install_and_commission(IS, "ESME")
    do.memory.firmware = ReleasedFirmware(lab.firmware_image("ESME", 0x00040001), "00040001")
    do.distribute_firmware(IS, "ESME")
    user, esme = lab.user(IS), eui(lab, "ESME")
    before = _inventory_firmware_version(lab, IS, "ESME")
    exchange = user.send("11.3", esme, firmware_hash=hashlib.sha256(do.memory.released_firmware().image).digest(),
                         execution_date_time=lab.now() + dt.timedelta(hours=1))
    assert exchange.succeeded and exchange.device_fields == {"Result": "Success"}
    assert before != "00040001" and _inventory_firmware_version(lab, IS, "ESME") == before
    alert = user.wait_for_alert("8F66", device=esme, timeout=2 * 3600)
    assert alert is not None
    frame = GbcsMessage.decode(alert.response.gbcs_payload).apdu       # as the RTDS FDA-CS06: signed, no header time
    assert (frame.message_code, frame.recipient, frame.date_time, frame.signature is not None) == \
        (0x00CA, user.eui, None, True)
    assert _inventory_firmware_version(lab, IS, "ESME") == "00040001" == lab.device("ESME").firmware_version


def _status(lab, party, device):
    return send(lab, party, "8.2", None, device_id=f"the {device}").response.inventory[0].get("DeviceStatus")


def _activate(lab, image: bytes):
    user, esme = lab.user(IS), eui(lab, "ESME")
    assert user.send("11.3", esme, firmware_hash=hashlib.sha256(image).digest(),
                     execution_date_time=lab.now() + dt.timedelta(hours=1)).succeeded
    assert user.wait_for_alert("8F66", device=esme, timeout=2 * 3600) is not None


def test_a_device_suspended_off_the_cpl_takes_only_firmware_srs_and_returns_to_its_prior_status(lab, do):
    """DIT firmware pack, Scenario 8: a suspended device returns to the status it held immediately before its
    suspension once it runs a certified version; running a withdrawn one keeps it suspended."""
    do.install_and_commission(IS, "ESME")
    first, second = (lab.firmware_image("ESME", version) for version in (0x00040001, 0x00040002))
    for image, version in ((first, "00040001"), (second, "00040002")):
        do.memory.firmware = ReleasedFirmware(image, version)
        do.distribute_firmware(IS, "ESME")
    lab.withdraw_from_cpl("ESME")
    assert _status(lab, IS, "ESME") == "Suspended"
    assert send(lab, IS, "4.1.1", "ESME").response_code == "E5"           # only firmware SRs while suspended
    record = lab.dcc.inventory.get(eui(lab, "ESME"))
    lab.dcc.dsp.firmware.withdraw(record.manufacturer, record.model, "00040001")
    _activate(lab, first)
    assert lab.device("ESME").firmware_version == "00040001" and _status(lab, IS, "ESME") == "Suspended"
    _activate(lab, second)
    assert _status(lab, IS, "ESME") == "Commissioned"
    assert send(lab, IS, "4.1.1", "ESME").succeeded


def test_a_device_back_from_suspension_keeps_the_date_it_was_first_commissioned(lab, do):
    do.install_and_commission(IS, "ESME")
    commissioned = lab.now().date()
    lab.let_time_pass(2 * DAY)
    image = lab.firmware_image("ESME", 0x00040001)
    do.memory.firmware = ReleasedFirmware(image, "00040001")
    do.distribute_firmware(IS, "ESME")
    lab.withdraw_from_cpl("ESME")
    _activate(lab, image)
    record = send(lab, IS, "8.2", None, device_id="the ESME").response.inventory[0]      # the device named first
    assert record["DeviceID"] == eui(lab, "ESME").duis and record["DeviceStatus"] == "Commissioned", record
    assert record["DateCommissioned"] == commissioned.isoformat() + "Z", record


# -- org_certificate, device_certificate ------------------------------------------------------------------------

def test_after_renewal_the_old_organisation_key_is_refused(lab, do):
    do.install_and_commission(IS, "ESME")
    old_key = lab.repository.keystore.private_key(lab.user(IS).eui, KeyUsage.DIGITAL_SIGNING)
    lab.repository.renew_organisation(lab.user(IS).eui)
    assert send(lab, IS, "6.15.1", "ESME", certificates="the Import Supplier's renewed certificates").succeeded
    lab.repository.put_organisation_in_use(lab.user(IS).eui)
    assert send(lab, IS, "6.24.2", "ESME").succeeded                     # the renewed key works
    user, esme = lab.user(IS), eui(lab, "ESME")
    rid = RequestId(user.eui, esme, user.counter.next(user.eui))
    exchange = Exchange(user.name, "6.24.2", esme, rid, CommandVariant.SIGNED_WAN)
    first = user.send_document(requests.build("6.24.2", rid), "serviceT", exchange)
    signed = crypto.sign_pre_command(first.pre_command, old_key)
    user.send_document(requests.build_signed_pre_command("6.24.2", rid, signed), "serviceS", exchange)
    user.wait_for_response(exchange)
    assert exchange.response_code == "E21"                              # the meter ignored the old key


# -- more of the DCC's alerts and command variants ---------------------------------------------------------------

def test_a_han_device_log_update_the_chf_cannot_do_gives_n25(lab):
    removal = send(lab, IS, "8.11", "CHF", device_id="the IHD", request_type="Remove")   # never in the log
    assert removal.device_fields.get("Result") == "Failure", removal.summary
    result = lab.user(IS).wait_for_alert("N25")
    assert result is not None and result.response.referenced_request_id == removal.request_id


def test_8_9_reads_a_meters_device_log_and_the_gpfs(lab, do):
    """CS07: the ESME lists the IHD joined to it; the GPF, asked by the ACB for the User, the GSME it mirrors."""
    do.install_and_commission(IS, "ESME")
    do.install_and_commission(IS, "GSME")
    do.join_display(IS, "IHD", "ESME")
    esme_log = lab.user(IS).send("8.9", eui(lab, "ESME"))
    assert esme_log.device_fields == {"Result": "Success", "DeviceLogEntries/LogEntry/DeviceID": eui(lab, "IHD").duis,
                                      "DeviceLogEntries/LogEntry/DeviceType": "Type2"}, esme_log.summary
    gpf_log = lab.user(IS).send("8.9", eui(lab, "GPF"))
    assert gpf_log.device_fields == {"Result": "Success", "DeviceLogEntries/LogEntry/DeviceID": eui(lab, "GSME").duis,
                                     "DeviceLogEntries/LogEntry/DeviceType": "GSME"}, gpf_log.summary


def test_6_2_4_reads_the_chfs_make_and_model_as_its_gbcs_version_asks(lab, monkeypatch):
    """The ACB reads the CH's identity for the User: its profile's model and manufacturer, with ECS26n from a hub
    the DSP records as GBCS 2.0 or later, with ECS26i (which reads the device id too) from an older one."""
    from harness.dcc import dsp

    chf, profile = lab.device("CHF"), lab.site.hub.profile
    identity = {"Result": "Success", "DeviceIdentifier": chf.eui.duis, "ModelType": profile.model,
                "ManufacturerIdentifier": profile.manufacturer}
    for version, use_case in (("4.0", "ECS26n"), ("1.0", "ECS26i")):
        monkeypatch.setattr(dsp, "GBCS_VERSION", version)
        read = lab.user(IS).send("6.2.4", chf.eui)
        assert read.device_fields == identity, read.summary
        answered = GbcsMessage.decode(read.response.gbcs_payload).apdu
        assert answered.message_code == catalogue.use_case(use_case).message_codes[0], use_case
    # the SMI holds the make and model the hub answers with (8.2)
    (listed,) = [d for d in lab.user(IS).send("8.2", device_id=chf.eui).response.inventory
                 if d["DeviceID"] == chf.eui.duis]
    assert (listed["DeviceManufacturer"], listed["DeviceModel"]) == (profile.manufacturer, profile.model)


def test_ihds_and_gpfs_cannot_be_decommissioned(lab, do):
    do.install_and_commission(IS, "ESME")
    do.join_display(IS, "IHD", "ESME")
    assert send(lab, IS, "8.3", None, device_id="the IHD").response_code == "E11"
    assert send(lab, IS, "8.3", None, device_id="the GPF").response_code == "E11"


def test_a_ch_off_the_sm_wan_gives_n18(lab, do):
    do.install_and_commission(IS, "ESME")
    lab.dcc.wan.disconnect(eui(lab, "CHF"))
    update = lab.user(IS).send("11.1", device_id_list=[eui(lab, "ESME")],
                               firmware_image=lab.firmware_image("ESME", 0x00020002), firmware_version="00020002")
    assert update.succeeded
    assert lab.user(IS).wait_for_alert("N18") is not None


def test_11_1_takes_at_most_50000_devices(lab, do):
    """The DUIS schema limits the list too; without a schema the DSP still refuses (E110101)."""
    do.install_and_commission(IS, "ESME")
    user, rid, root = built_non_device(lab, IS, "11.1", firmware_image=lab.firmware_image("ESME", 0x00020002),
                                       firmware_version="00020002", device_id_list=[eui(lab, "ESME")])
    ids = [f"00-DB-12-34-{n >> 24 & 0xFF:02X}-{n >> 16 & 0xFF:02X}-{n >> 8 & 0xFF:02X}-{n & 0xFF:02X}"
           for n in range(50_001)]
    root.find(".//sr:DeviceIDList", xml.NSMAP).text = ",".join(ids)
    assert post_non_device(user, rid, root, "11.1").response_code == "E110101"


def test_over_the_wan_and_locally_at_once(lab, do):
    """CV 3 (non-critical) and CV 7 (critical): the command comes back for the terminal and also goes
    over the SM WAN, whose response completes it."""
    do.install_and_commission(IS, "ESME")
    user, esme = lab.user(IS), eui(lab, "ESME")
    read = user.send("6.2.9", esme, command_variant=CommandVariant.NON_CRITICAL_WAN_AND_LOCAL)
    assert read.local_command is not None and read.synchronous.response_code == "I0"
    assert user.wait_for_response(read) is not None and read.device_fields.get("PaymentMode") == "Credit"
    change = user.send("1.6", esme, command_variant=CommandVariant.SIGNED_WAN_AND_LOCAL, payment_mode="prepayment")
    assert change.local_command is not None
    user.wait_for_response(change)
    assert lab.device("ESME").payment_mode is PaymentMode.PREPAYMENT
