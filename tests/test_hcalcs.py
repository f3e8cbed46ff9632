"""The HCALCS (harness.emulators.hcalcs) as the DCC's Users meet it on the default lab's SB11-core, through real
DUIS and GBCS: commissioned by joining its ESME (8.11, the HAN, 8.7.1 at both ends); its Supplier Digital Signing
cell replaced with 6.15.1 (DITAD: "Update Digital Signature in HCALCS using SR 6.15.1") only when the command comes
from the party in that cell (else 0x8F30) signed with the key in it (else 0x8F3D); and then it took part."""

from __future__ import annotations

import pytest

from harness.adapters import Exchange
from harness.catalogue import CommandVariant, DeviceType, RemotePartyRole
from harness.duis import requests
from harness.duis.request_id import RequestId
from harness.gbcs import crypto
from harness.lab import parameters as params
from harness.lab import participation, targets
from harness.lab.baselines import baseline
from harness.ledger import Part
from harness.pki import KeyUsage
from harness.pki.certificates import key_id, public_key_of
from harness.usecases import DuisRequest
from harness.usecases.credentials import replaced_cell

IS, B = "the Import Supplier", "Supplier B"
RENEWED_DS = "the Import Supplier's renewed Digital Signature certificate"


@pytest.fixture
def hcalcs(lab, do):
    """The ESME commissioned and the HCALCS joined to it by the Import Supplier; the supplier has renewed its
    organisation certificates with SMKI."""
    do.install_and_commission(IS, "ESME")
    do.join_display(IS, "HCALCS", "ESME")
    lab.renew_organisation_certificates(lab.user(IS).eui)
    return lab.device("HCALCS")


def _supplier_ds(device):
    cell = device.trust.cell(RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING)
    return cell.entity_id, key_id(cell.public_key)


def test_the_hcalcs_joins_its_esme_and_is_commissioned(lab, do, hcalcs):
    esme = params.device(lab.config, "ESME")[1]
    assert hcalcs.controlling_meter == esme and lab.device("ESME").joined_devices[hcalcs.eui] == 4   # ASN.1 HCALCS
    status = lab.dcc.inventory.get(hcalcs.eui).status.value
    assert status == "Commissioned", status
    taken = {p.role: p.parts for p in participation.of_lab(lab).participants}
    assert taken["HCALCS"] == (Part.ANSWERED, Part.JOINED)


def test_8_8_1_unjoins_the_hcalcs_from_its_esme_once(lab, do, hcalcs):
    first = do.send(IS, "8.8.1", "HCALCS", expect_success=False, other_device_id="the ESME")
    assert first.succeeded and first.device_signature == "valid", first.summary
    assert hcalcs.controlling_meter is None
    again = do.send(IS, "8.8.1", "HCALCS", expect_success=False, other_device_id="the ESME")
    assert again.device_fields.get("unjoinResponseCode/ASN1Status") == "otherDeviceNotInDeviceLog", again.summary


def test_the_hcalcs_joins_only_an_esme(hcalcs):
    """Method A responder, and only with an ESME (GBCS: a join of another device type is invalidJoinMethodAndRole)."""
    gsme = {"UseCase": "CS03A2Critical", "OtherDeviceID": "00-DB-12-34-56-78-90-A1", "JoinMethodAndRole": 1,
            "OtherDeviceType": 0}
    assert hcalcs._join(gsme, None)["joinResponseCode/ASN1Status"] == "invalidJoinMethodAndRole"


def test_6_15_1_from_its_supplier_replaces_its_digital_signing_cell(lab, do, hcalcs):
    supplier = lab.user(IS).eui
    renewed = lab.renewed_certificates(supplier)[KeyUsage.DIGITAL_SIGNING]
    exchange = do.send(IS, "6.15.1", "HCALCS", expect_success=False, certificates=RENEWED_DS)
    assert exchange.succeeded, exchange.summary
    assert replaced_cell(exchange.device_fields, "Supplier", "DigitalSigning") == \
        ("success", supplier.duis, key_id(public_key_of(renewed)))
    # the Digital Signature alone, as the plan says: no other cell named in the response
    assert replaced_cell(exchange.device_fields, "Supplier", "KeyAgreement") is None
    assert replaced_cell(exchange.device_fields, "NetworkOperator", "DigitalSigning") is None
    assert _supplier_ds(hcalcs) == (supplier, key_id(public_key_of(renewed)))
    lab.use_renewed_certificates(supplier)
    confirmed = do.critical_command(IS, "HCALCS")                 # 8.7.1 again, signed with the renewed key
    assert confirmed.srv == "8.7.1" and confirmed.succeeded and confirmed.device_signature == "valid", \
        confirmed.summary


def test_a_6_15_1_not_signed_with_the_key_in_its_cell_is_refused_with_0x8f3d(lab, hcalcs):
    """The supplier signs with its renewed key before the HCALCS holds it: the DSP passes the command on (it
    checks the XML signature, not the GBCS one), the HCALCS ignores it and tells the supplier."""
    user, target = lab.user(IS), hcalcs.eui
    before = _supplier_ds(hcalcs)
    renewed_key = lab.repository.renewed(user.eui)[KeyUsage.DIGITAL_SIGNING].private_key
    rid = RequestId(user.eui, target, user.counter.next(user.eui))
    exchange = Exchange(user.name, "6.15.1", target, rid, CommandVariant.SIGNED_WAN)
    table = params.resolve(lab, "6.15.1", target, {"certificates": RENEWED_DS})
    first = user.send_document(requests.build("6.15.1", rid, **table), "serviceT", exchange)
    signed = crypto.sign_pre_command(first.pre_command, renewed_key)
    user.send_document(requests.build_signed_pre_command("6.15.1", rid, signed), "serviceS", exchange)
    user.wait_for_response(exchange)
    assert exchange.response_code == "E21", exchange.summary                # no answer from the HCALCS
    assert user.wait_for_alert("8F3D", device=target) is not None
    assert _supplier_ds(hcalcs) == before


def test_a_6_15_1_from_a_supplier_not_in_its_cell_is_refused_with_0x8f30(lab, hcalcs):
    """Supplier B signs a 6.15.1 with its own key (the DSP would refuse B's SR: this is the GBCS command the DCC
    would have sent, MAC'd by the ACB): the HCALCS holds Supplier A in its cell and tells A of the attempt."""
    other, target = lab.user(B), hcalcs.eui
    before = _supplier_ds(hcalcs)
    rid = RequestId(other.eui, target, 2**61)
    request = DuisRequest.of(requests.build("6.15.1", rid, **params.resolve(lab, "6.15.1", target,
                                                                            {"certificates": B})))
    _, apdu = lab.dcc.dsp.command(lab.dcc.users[other.eui], lab.dcc.inventory.get(target), request, {})
    signed = crypto.sign_apdu(apdu, lab.repository.keystore.private_key(other.eui, KeyUsage.DIGITAL_SIGNING))
    command = crypto.seal(signed, ka_private=lab.dcc.dsp.acb_key_agreement,
                          ka_public=lab.repository.public_key(target, KeyUsage.KEY_AGREEMENT))
    with lab.clock.lock:
        lab.dcc.wan.down(params.device(lab.config, "CHF")[1], command)
    lab.let_time_pass(30)
    assert lab.user(IS).wait_for_alert("8F30", device=target) is not None
    assert _supplier_ds(hcalcs) == before


def test_an_hcalcs_takes_no_prepayment_certificate_and_the_plan_updates_its_ds_alone(lab):
    lab.renew_organisation_certificates(lab.user(IS).eui)
    full = params.certificates(lab, "the Import Supplier's renewed certificates", DeviceType.HCALCS)
    assert "key_agreement_top_up_certificate" not in full and full["key_agreement_certificate"] is not None
    assert "key_agreement_top_up_certificate" in params.certificates(
        lab, "the Import Supplier's renewed certificates", DeviceType.ESME)
    assert set(params.certificates(lab, RENEWED_DS, DeviceType.HCALCS)) == \
        {"digital_signing_certificate", "certification_path_certificates"}


def test_a_scenario_tagged_on_hcalcs_runs_only_where_the_test_set_holds_one(lab_config):
    b6 = baseline("B6")
    assert targets.applies({"on_HCALCS"}, lab_config.test_set("SB11-core"), b6)
    assert not targets.applies({"on_HCALCS"}, lab_config.test_set("DB11-core"), b6)
