"""The emulated lab's rules, each seen the way a service user sees it (through real DUIS over HTTP).

Every test here fails if the rule it names is removed from the DSP or the device model.
"""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from harness.adapters import Exchange
from harness.adapters.duis_client import accept_response
from harness.catalogue import CommandVariant, PaymentMode, RemotePartyRole
from harness.duis import requests, xml, xmldsig
from harness.duis.request_id import RequestId
from harness.duis.responses import build_response, response_message
from harness.errors import CheckFailed
from harness.eui import EntityId
from harness.gbcs import crypto
from harness.gbcs.frame import CraFlag, GeneralSigning
from harness.lab import EmulatedLab
from harness.lab import parameters as params
from harness.pki import KeyUsage
from harness.usecases.credentials import trust_anchor_holder

SUPPLIER, OTHER_SUPPLIER, ENO = "the Import Supplier", "Supplier B", "the Electricity Network Operator"


def _prenotify(lab, device="ESME"):
    cfg = lab.device_config(device)
    assert lab.user(SUPPLIER).send("12.2", device_id=cfg.eui, device_type=cfg.type).succeeded


def _whitelist_and_join(lab, device="ESME", *, power_on=True):
    _prenotify(lab, device)
    cfg = lab.device_config(device)
    exchange = lab.user(SUPPLIER).send("8.11", lab.device("CHF").eui, device_id=cfg.eui,
                                       install_code=cfg.install_code.hex())
    assert exchange.succeeded, exchange.summary
    if power_on:
        lab.power_on(device)
        lab.let_time_pass(30)


def _handover(lab, device="ESME"):
    eui = lab.device(device).eui
    exchange = lab.user(SUPPLIER).send("6.21", eui, **params.certificates(lab, SUPPLIER, None))
    assert exchange.succeeded, exchange.summary


def _commissioned(lab, device="ESME"):
    _whitelist_and_join(lab, device)
    _handover(lab, device)
    exchange = lab.user(SUPPLIER).send("8.1.1", lab.device(device).eui, current_date_time=lab.now())
    assert exchange.succeeded, exchange.summary


# -- devices: trust anchors, signatures, counters, MACs ------------------------------------------------

def test_critical_sr_from_a_party_not_in_the_supplier_trust_anchor_is_rejected(lab):
    """Configured as new, the ESME's supplier cell holds the ACB: the supplier's 8.1.1 must fail until 6.21."""
    _whitelist_and_join(lab)
    esme = lab.device("ESME")
    exchange = lab.user(SUPPLIER).send("8.1.1", esme.eui, current_date_time=lab.now())
    assert exchange.response_code == "E21"                 # the device never answers
    assert any("rejected" in line and "not the SUPPLIER in the trust anchor cell" in line for line in esme.history)
    assert not esme.commissioned
    _handover(lab)
    assert lab.user(SUPPLIER).send("8.1.1", esme.eui, current_date_time=lab.now()).succeeded


def test_signature_by_the_wrong_key_is_rejected(lab):
    """The originator is in the supplier cell, but the Pre-Command was signed with another supplier's key."""
    _whitelist_and_join(lab)
    _handover(lab)
    user, esme = lab.user(SUPPLIER), lab.device("ESME")
    exchange = _send_critical_signed_with(lab, user, "8.1.1", esme.eui,
                                          lab.repository.keystore.private_key("90-B3-D5-1F-30-03-00-00", "ds"),
                                          current_date_time=lab.now())
    assert exchange.response_code == "E21"
    assert any("signature does not verify" in line for line in esme.history)


def _send_critical_signed_with(lab, user, srv, target, key, **body):
    """CV 4 then CV 5 by hand, signing the Pre-Command with `key` instead of the User's own."""
    rid = RequestId(user.eui, target, user.counter.next(user.eui))
    exchange = Exchange(user.name, srv, target, rid, CommandVariant.SIGNED_WAN)
    first = user.send_document(requests.build(srv, rid, **body), "serviceT", exchange)
    signed = crypto.sign_pre_command(first.pre_command, key)
    second = user.send_document(requests.build_signed_pre_command(srv, rid, signed), "serviceS", exchange)
    assert second.acknowledged
    user.wait_for_response(exchange)
    return exchange


def _posted(lab, web_service):
    return [data for label, data in lab.dcc.dsp.transcript.documents if label == f"request {web_service}"][-1]


def test_a_replayed_request_is_refused_by_the_dcc_and_never_reaches_the_device(lab):
    _commissioned(lab)
    user, esme = lab.user(SUPPLIER), lab.device("ESME")
    read = user.send("4.13", esme.eui)
    assert read.succeeded
    commands = len(esme.history)
    posted = _posted(lab, "serviceS")
    for _ in range(3):                             # the same signed document, posted again as captured
        status, reason = lab.dcc.dsp.handle("serviceS", posted)
        assert status == 400 and b"replayed request" in reason
    older = user.send("4.13", esme.eui, counter=read.request_id.counter - 1)
    assert older.response_code is None and "replayed request" in older.problem
    assert len(esme.history) == commands
    assert user.send("4.13", esme.eui).succeeded   # a fresh counter still runs


def test_a_replayed_signed_pre_command_finds_its_transform_used_up(lab):
    _commissioned(lab)
    user, esme = lab.user(SUPPLIER), lab.device("ESME")
    assert user.send("1.6", esme.eui, payment_mode="prepayment").succeeded
    commands, posted = len(esme.history), _posted(lab, "serviceS")
    status, body = lab.dcc.dsp.handle("serviceS", posted)
    assert status == 200 and xml.text(xml.parse(body, "response"), "sr:Header/sr:ResponseCode") == "E12"
    assert len(esme.history) == commands


def test_a_command_replayed_on_the_sm_wan_is_rejected_by_the_device(lab):
    _commissioned(lab)
    user, esme = lab.user(SUPPLIER), lab.device("ESME")
    wan, sent = lab.dcc.wan, []
    down = wan.down
    wan.down = lambda chf, data: sent.append((chf, data)) or down(chf, data)      # a tap on the WAN
    assert user.send("1.6", esme.eui, payment_mode="prepayment").succeeded
    assert user.send("1.6", esme.eui, payment_mode="credit").succeeded
    first, latest = sent[0], sent[-1]
    wan.down(*first)                               # the first command, MAC'd by the ACB, sent again
    lab.let_time_pass(10)
    assert any("not above" in line and "replay" in line for line in esme.history)
    assert esme.payment_mode is PaymentMode.CREDIT           # the replayed command changed nothing
    replays = sum("replay" in line for line in esme.history)
    wan.down(*latest)                              # the latest: its counter is the last the ESME accepted
    lab.let_time_pass(10)
    assert sum("replay" in line for line in esme.history) > replays


def test_after_a_replacement_with_a_floor_commands_must_count_above_it(lab):
    """6.15.1's RemotePartyFloorSeqNumber: the party now in the cell is heard only above it (GBCS 4.3.2)."""
    _commissioned(lab)
    user, esme = lab.user(SUPPLIER), lab.device("ESME")
    floor = user.counter.next(user.eui) + 10**9
    assert user.send("6.15.1", esme.eui, **params.certificates(lab, SUPPLIER, None),
                     remote_party_floor_seq_number=floor).succeeded
    below = user.send("4.13", esme.eui)
    assert not below.succeeded and below.request_id.counter < floor
    assert any(f"is not above {floor}" in line for line in esme.history)
    assert user.send("4.13", esme.eui, counter=floor + 1).succeeded


def test_mac_by_anyone_but_the_acb_is_rejected(lab):
    _commissioned(lab)
    esme = lab.device("ESME")
    apdu = GeneralSigning(cra_flag=CraFlag.COMMAND, originator_counter=2**62,
                                 originator=lab.user(SUPPLIER).eui, recipient=esme.eui, message_code=0x00BE,
                                 payload=b"\xe7\x01")
    forged = crypto.seal(apdu, ka_private=lab.repository.keystore.private_key(lab.user(SUPPLIER).eui, "ka"),
                         ka_public=lab.repository.keystore.public_key(esme.eui, "ka"))
    with lab.clock.lock:
        esme.receive(forged)
    assert "MAC does not verify" in esme.history[-2]


# -- the DSP: DUIS checks -------------------------------------------------------------------------------

def test_role_not_allowed_to_send_the_sr_is_refused(lab):
    _commissioned(lab)
    exchange = lab.user(ENO).send("1.1.1", lab.device("ESME").eui)     # 1.1.1 is for IS and GS only
    assert exchange.response_code == "E2"


def test_unknown_device_gets_e19(lab):
    exchange = lab.user(SUPPLIER).send("6.2.9", "00-DB-12-34-56-78-99-99")
    assert exchange.response_code == "E19"


@pytest.mark.parametrize("stage", ["pending", "whitelisted"])
def test_device_not_yet_on_the_han_gets_e5(lab, stage):
    if stage == "pending":
        _prenotify(lab)
    else:
        _whitelist_and_join(lab, power_on=False)
    exchange = lab.user(SUPPLIER).send("1.6", lab.device("ESME").eui, payment_mode="credit")
    assert exchange.response_code == "E5"


def test_user_not_registered_for_the_premises_gets_e4(lab):
    _prenotify(lab)
    cfg = lab.device_config("ESME")
    exchange = lab.user(OTHER_SUPPLIER).send("8.11", lab.device("CHF").eui, device_id=cfg.eui,
                                             install_code=cfg.install_code.hex())
    assert exchange.response_code == "E4"


def test_a_non_device_sr_must_be_addressed_to_the_dcc(lab):
    user = lab.user(SUPPLIER)
    rid = RequestId(user.eui, lab.device("CHF").eui, user.counter.next(user.eui))      # to a device, not the ACB
    exchange = user.send_document(requests.build("8.2", rid, device_id=lab.device("ESME").eui), "serviceD",
                                  Exchange(user.name, "8.2", rid.target, rid, CommandVariant(8)))
    assert exchange.response_code == "E11"


def test_an_sr_for_another_device_type_gets_e11(lab):
    _prenotify(lab, "GSME")
    exchange = lab.user(SUPPLIER).send("4.17", lab.device("GSME").eui)      # 4.17 reads an ESME or a GPF
    assert exchange.response_code == "E11"


def test_the_electricity_supplier_maintains_the_gpf_as_part_of_its_ch(lab):
    """With the gas supply elsewhere, the Import Supplier still reads the GPF's device log (8.9, CH maintenance:
    its CHF roles count), but nothing else of the GPF's."""
    lab.register("gas supplier", OTHER_SUPPLIER)
    user, gpf = lab.user(SUPPLIER), lab.device("GPF").eui
    assert user.send("8.9", gpf).succeeded
    assert user.send("4.17", gpf).response_code == "E4"


def test_wrong_web_service_and_command_variant(lab):
    user = lab.user(SUPPLIER)
    rid = RequestId(user.eui, lab.device("CHF").eui, user.counter.next(user.eui))
    root = requests.build("8.9", rid)
    assert user.send_document(root, "serviceT").response_code == "E13"       # CV 1 to the Transform URL
    rid = RequestId(user.eui, lab.device("CHF").eui, user.counter.next(user.eui))     # a refused counter is used
    root = requests.build("8.9", rid)
    root.find("sr:Header/sr:CommandVariant", xml.NSMAP).text = "8"
    assert user.send_document(root, "serviceD").response_code == "E12"       # 8.9 is not a non-device SR


def test_signed_pre_command_must_match_its_transform(lab):
    _commissioned(lab)
    user, esme = lab.user(SUPPLIER), lab.device("ESME")
    rid = RequestId(user.eui, esme.eui, user.counter.next(user.eui))
    first = user.send_document(requests.build("1.6", rid, payment_mode="credit"), "serviceT")
    tampered = bytearray(first.pre_command)
    tampered[-1] ^= 0x01                                  # change the payload before signing
    signed = crypto.sign_pre_command(bytes(tampered), user.keystore.private_key(user.eui, KeyUsage.DIGITAL_SIGNING))
    second = user.send_document(requests.build_signed_pre_command("1.6", rid, signed), "serviceS")
    assert second.response_code == "E12"


def test_a_comment_inside_a_signed_value_is_refused_before_duis(lab):
    """Signed "Remove", read "R": the DCC refuses a document whose signed content holds a comment."""
    _commissioned(lab)
    user, esme = lab.user(SUPPLIER), lab.device("ESME").eui
    root = requests.build("8.11", RequestId(user.eui, lab.device("CHF").eui, user.counter.next(user.eui)),
                          device_id=esme, request_type="Remove")
    cred = user.keystore.credential(user.eui, KeyUsage.XML_SIGNING, private=True)
    xmldsig.sign(root, cred.private_key, cred.certificate)
    data = xml.serialize(root).replace(b">Remove<", b">R<!---->emove<")
    status, body = user.endpoint.post("serviceS", data)
    assert status == 400 and b"comment inside the signed content" in body, body
    status, _ = user.endpoint.post("serviceS", xml.serialize(root))
    assert status == 200                                  # the same request without the comment is taken


def _signed_inventory_read(lab, usage=KeyUsage.XML_SIGNING):
    """The supplier's 8.2 of the ESME, signed with its key of this usage: the User and the document."""
    user = lab.user(SUPPLIER)
    root = requests.build("8.2", RequestId(user.eui, lab.config.access_control_broker, user.counter.next(user.eui)),
                          device_id=lab.device("ESME").eui)
    cred = user.keystore.credential(user.eui, usage, private=True)
    xmldsig.sign(root, cred.private_key, cred.certificate)
    return user, root


def test_a_utf16_request_is_refused_with_400_not_a_server_error(lab):
    user, root = _signed_inventory_read(lab)
    wide = etree.tostring(root, xml_declaration=True, encoding="UTF-16")
    status, body = user.endpoint.post("serviceS", wide)
    assert status == 400 and b"not UTF-8" in body, (status, body)


def test_badly_signed_and_schema_invalid_requests_are_refused_before_duis(lab, duis_schema, lab_config, smki):
    user = lab.user(SUPPLIER)
    root = requests.build("8.2", RequestId(user.eui, lab.config.access_control_broker, 1),
                          device_id="00-DB-12-34-56-78-90-A2")
    wrong = lab.repository.keystore.credential("90-B3-D5-1F-30-03-00-00", KeyUsage.XML_SIGNING, private=True)
    xmldsig.sign(root, wrong.private_key, wrong.certificate)                  # supplier B signs A's request
    status, body = user.endpoint.post("serviceD", xml.serialize(root))
    assert status == 400 and b"originator" in body
    with EmulatedLab(lab_config, smki=smki, schema=duis_schema) as strict:
        other = strict.user(SUPPLIER)
        bad = requests.build("8.2", RequestId(other.eui, strict.config.access_control_broker, 2),
                             device_id="00-DB-12-34-56-78-90-A2")
        bad.find(".//sr:DeviceID", xml.NSMAP).text = "not an EUI"
        cred = other.keystore.credential(other.eui, KeyUsage.XML_SIGNING, private=True)
        xmldsig.sign(bad, cred.private_key, cred.certificate)
        status, body = other.endpoint.post("serviceD", xml.serialize(bad))
        assert status == 400 and b"schema" in body


def test_a_dcc_signed_response_invalid_against_the_duis_schema_is_not_trusted(lab, duis_schema):
    user = lab.user(SUPPLIER)
    root = build_response(response_message("8.11"), response_code="I0", response_date_time=lab.now(),
                          request_id=RequestId(user.eui, lab.device("CHF").eui, 1))
    etree.SubElement(root.find("sr:Header", xml.NSMAP), xml.sr("Unexpected")).text = "x"
    data, keystore = lab.dcc.dsp.sign(root), lab.receivers[user.eui].keystore
    assert accept_response(data, keystore=keystore, schema=None).success        # the DCC's signature holds
    with pytest.raises(CheckFailed, match="not valid against the DUIS schema"):
        accept_response(data, keystore=keystore, schema=duis_schema)


def test_a_request_signed_with_a_users_other_key_is_refused_before_duis(lab):
    """Only a User's XML signing certificate speaks for it to the DCC, not its Digital Signing one."""
    user, root = _signed_inventory_read(lab, KeyUsage.DIGITAL_SIGNING)
    status, body = user.endpoint.post("serviceD", xml.serialize(root))
    assert status == 400 and b"not a DCC User's XML-signing certificate" in body, body


# -- the HAN: who may join ---------------------------------------------------------------------------

def test_device_not_in_the_chf_device_log_cannot_join(lab):
    _prenotify(lab)
    lab.power_on("ESME")
    lab.let_time_pass(3600)
    esme, chf = lab.device("ESME"), lab.device("CHF")
    assert esme.joined_to is None
    assert any("join refused" in line and "not in the device log" in line for line in chf.history)
    log = lab.user(SUPPLIER).send("8.9", chf.eui)
    assert log.succeeded and esme.eui.duis not in log.device_fields.values()
    inventory = lab.user(SUPPLIER).send("8.2", device_id=esme.eui)
    assert inventory.response.inventory[0]["DeviceStatus"] == "Pending"


_INVENTORY_FIELDS = ["DeviceID", "DeviceType", "DeviceStatus", "DeviceManufacturer", "DeviceModel", "SMETSCHTSVersion",
                     "DeviceFirmwareVersion", "DateCommissioned", "ImportMPxN", "HANVariant"]


def test_the_inventory_lists_what_the_dsp_holds_in_the_schema_order(lab):
    _whitelist_and_join(lab)
    esme = lab.device("ESME")
    record = lab.dcc.inventory.get(esme.eui)
    record.smets_chts_version, record.han_variant, record.mpxn = "SMETS2", "SubGHz", "1234567890123"
    inventory = lab.user(SUPPLIER).send("8.2", device_id=esme.eui)
    assert inventory.succeeded, inventory.summary
    listed = inventory.response.element.find(".//sr:DSPInventory", xml.NSMAP)
    entries = {device.findtext("sr:DeviceID", namespaces=xml.NSMAP): device for device in listed}
    # the device named first, then the others on its hub, each once (the named one is not listed again)
    assert [device.findtext("sr:DeviceID", namespaces=xml.NSMAP) for device in listed][0] == esme.eui.duis
    assert len(entries) == len(listed) > 1
    for held in [lab.dcc.inventory.get(EntityId(eui)) for eui in entries]:
        names = [xml.local_name(field) for field in entries[held.device_id.duis]]
        assert names == [n for n in _INVENTORY_FIELDS if n in names]          # the schema's order, nothing else
        assert names[:5] == _INVENTORY_FIELDS[:5]                                         # the mandatory five
        assert ("DateCommissioned" in names) == (held.date_commissioned is not None)
    fields = inventory.response.inventory[0]
    assert (fields["DeviceID"], fields["SMETSCHTSVersion"], fields["HANVariant"], fields["ImportMPxN"]) == \
        (esme.eui.duis, "SMETS2", "SubGHz", "1234567890123")


def test_wrong_install_code_cannot_join(lab):
    _prenotify(lab)
    cfg = lab.device_config("ESME")
    lab.user(SUPPLIER).send("8.11", lab.device("CHF").eui, device_id=cfg.eui, install_code="00" * 16)
    lab.power_on("ESME")
    lab.let_time_pass(600)
    assert lab.device("ESME").joined_to is None
    assert any("link key its install code does not give" in line for line in lab.device("CHF").history)


def test_a_joined_device_rejoins_only_with_the_link_key_it_joined_with(lab):
    """A device of that EUI presenting another key (an impostor, or a reset device whose install code changed) is
    refused; the key it joined with still lets it back (after a CH restart, say)."""
    _whitelist_and_join(lab)
    esme, hub = lab.device("ESME"), lab.hubs[lab.site.name]
    joined_with = hub.chf.device_log[esme.eui].link_key
    with lab.clock.lock:
        assert not hub.join(esme, bytes(16))
        assert hub.join(esme, joined_with)


def test_join_period_closes(lab):
    _prenotify(lab)
    cfg = lab.device_config("ESME")
    lab.user(SUPPLIER).send("8.11", lab.device("CHF").eui, device_id=cfg.eui, install_code=cfg.install_code.hex(),
                            join_time_period=60)
    lab.let_time_pass(120)
    lab.power_on("ESME")
    lab.let_time_pass(120)
    assert lab.device("ESME").joined_to is None
    assert any("join period" in line for line in lab.device("CHF").history)


def test_dcc_alerts_name_the_request(lab):
    _prenotify(lab)
    user = lab.user(SUPPLIER)
    cfg = lab.device_config("ESME")
    whitelist = user.send("8.11", lab.device("CHF").eui, device_id=cfg.eui, install_code=cfg.install_code.hex())
    alert = user.wait_for_alert("N24")
    assert alert is not None and alert.response.referenced_request_id == whitelist.request_id
    # An alert answers no request: its ResponseID runs from the DCC to the User it is for.
    assert alert.response.request_id is None
    assert (alert.response.response_id.originator, alert.response.response_id.target) == \
        (lab.config.access_control_broker, user.eui)


def test_network_operator_gets_n42_when_its_certificate_is_placed(lab):
    _commissioned(lab)
    exchange = lab.user(SUPPLIER).send("6.21", lab.device("ESME").eui, **params.certificates(lab, ENO, None))
    assert exchange.succeeded
    alert = lab.user(ENO).wait_for_alert("N42")
    assert alert is not None and alert.response.alert_fields["RemotePartyRole"] == "NetworkOperator"
    anchors = lab.user(SUPPLIER).send("6.24.1", lab.device("ESME").eui)
    assert trust_anchor_holder(anchors.device_fields, "NetworkOperator", "DigitalSigning") == lab.user(ENO).eui.duis


def test_rekey_puts_the_new_certificate_in_use(lab):
    _commissioned(lab)
    user, esme = lab.user(SUPPLIER), lab.device("ESME")
    old = lab.repository.public_key(esme.eui, KeyUsage.KEY_AGREEMENT).public_numbers()
    issued = user.send("6.17", esme.eui, credential_type="Key Agreement")
    request = base64.b64decode(issued.device_fields["CertificationRequest"])
    cert = lab.certificate_from_smki(esme.eui, KeyUsage.KEY_AGREEMENT, request)
    assert user.send("6.15.2", esme.eui, device_certificate=cert).succeeded
    assert lab.repository.public_key(esme.eui, KeyUsage.KEY_AGREEMENT).public_numbers() != old
    # the DCC now MACs with the new key, and the device still accepts commands
    assert user.send("6.2.9", esme.eui).succeeded


def test_a_certificate_for_another_key_is_refused_by_the_device(lab):
    _commissioned(lab)
    user, esme = lab.user(SUPPLIER), lab.device("ESME")
    user.send("6.17", esme.eui, credential_type="Digital Signature")
    stale = lab.repository.keystore.credential(esme.eui, KeyUsage.DIGITAL_SIGNING).certificate
    exchange = user.send("6.15.2", esme.eui, device_certificate=stale)
    assert exchange.device_fields["Result"] == "Failure" and not exchange.succeeded


def test_future_dated_tariff_is_held_and_reported(lab):
    _commissioned(lab)
    user, esme = lab.user(SUPPLIER), lab.device("ESME")
    when = lab.now() + dt.timedelta(days=1)
    exchange = user.send("1.1.1", esme.eui, execution_date_time=when, unit_rate=30000)
    # the response says only that the command was accepted (RTDS FUTURE_DATED_SUCCESS_RESPONSE)
    assert exchange.succeeded and exchange.device_fields == {"Result": "Success"}
    assert esme.tariff == {} and esme.future_dated[0]["UseCase"] == "ECS01a"
    alert = user.wait_for_alert("8F66", timeout=2 * 86400)
    assert alert is not None and esme.tariff
    assert (alert.response.response_id.originator, alert.response.response_id.target) == (esme.eui, user.eui)


def test_handover_installs_exactly_the_certificates_sent(lab):
    """The CS02b payload carries the certificates the DUIS body carried, and the device keeps them."""
    _commissioned(lab)
    sent = params.certificates(lab, SUPPLIER, None)["digital_signing_certificate"]
    cell = lab.device("ESME").trust.cell(RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING)
    assert cell.certificate.public_bytes(Encoding.DER) == sent.public_bytes(Encoding.DER)


def test_a_manufacturers_key_is_the_one_its_seed_and_name_give_kept_across_labs(lab, lab_config, smki):
    """The manufacturer's firmware signing key is derived once a process, not per lab: the same key in the next lab,
    and still the seed's and the manufacturer's own (another seed or maker gives another)."""
    from harness.lab import emulated
    from harness.pki import derive_private_key

    def number(key):
        return key.private_numbers().private_value

    maker = "Alder Meters"
    assert number(lab.manufacturer_key(maker)) == number(derive_private_key(smki.seed, f"manufacturer:{maker}"))
    with EmulatedLab(lab_config, smki=smki, schema=None) as next_lab:
        assert next_lab.manufacturer_key(maker) is lab.manufacturer_key(maker)
    assert number(emulated._manufacturer_key(bytes(32), maker)) != number(lab.manufacturer_key(maker))
    assert number(lab.manufacturer_key("Birch Gas")) != number(lab.manufacturer_key(maker))
