"""Sending Service Requests and checking what the service user observes about them."""

from __future__ import annotations

import base64
import re

from pytest_bdd import parsers, then, when

from harness.catalogue import CommandVariant, PaymentMode, service_request
from harness.lab import parameters
from harness.lab.procedures import Procedures
from harness.pki import KeyUsage
from harness.pki.certificates import key_id, public_key_of
from harness.scenarios import SR_STEP
from harness.usecases.credentials import replaced_cell, trust_anchor_holder

_DELIVERY = {None: (CommandVariant.NON_CRITICAL_WAN, CommandVariant.SIGNED_WAN),
             "by Local Command Delivery": (CommandVariant.NON_CRITICAL_LOCAL, CommandVariant.SIGNED_LOCAL),
             "over the SM WAN and by Local Command Delivery": (CommandVariant.NON_CRITICAL_WAN_AND_LOCAL,
                                                               CommandVariant.SIGNED_WAN_AND_LOCAL)}


def _table(datatable) -> dict[str, str]:
    return {row[0]: row[1] for row in datatable or [] if len(row) >= 2}


@when(parsers.re(SR_STEP.pattern))
def send_service_request(request, lab, scenario_context, party, optional, srv, preposition, target, delivery=None,
                         datatable=None):
    memory = scenario_context.memory
    memory.optional_skipped = bool(optional) and request.config.getoption("--without-optional")
    if memory.optional_skipped:
        return
    user = lab.user(party)
    table = _table(datatable)
    device_eui = None
    if target.removeprefix("the ").strip() != "DCC":
        device_eui = parameters.device(lab.config, target)[1]
    if preposition == "for":
        table.setdefault("device_id", target)
        device_eui = None
    params = parameters.resolve(lab, srv, device_eui, table, memory)
    cv = None
    if delivery or service_request(srv).critical:
        non_critical, critical = _DELIVERY[delivery]
        cv = critical if service_request(srv).critical else non_critical
    exchange = scenario_context.record(user.send(srv, device_eui, command_variant=cv, **params))
    if exchange.local_command is not None:
        memory.keep_local_command(srv, exchange.local_command)
    if srv == "5.1" and exchange.succeeded:
        memory.dsp_schedule_id = int(exchange.response.alert_fields["DSPScheduleID"])


@then("the request succeeds")
def request_succeeds(scenario_context):
    if scenario_context.memory.optional_skipped:
        return
    exchange = scenario_context.last
    assert exchange.succeeded, exchange.summary


@then("the DCC returns the command for local delivery")
def returned_for_local_delivery(scenario_context):
    exchange = scenario_context.last
    assert exchange.succeeded and exchange.local_command is not None, exchange.summary


@then(parsers.parse("the DCC rejects the request with {code}"))
def dcc_rejects(scenario_context, code):
    exchange = scenario_context.last
    assert exchange.synchronous is not None and exchange.synchronous.response_code == code, exchange.summary


@then("the device does not act on the request")
def device_rejects(scenario_context):
    exchange = scenario_context.last
    assert exchange.response_code == "E21", f"expected E21 (no response from the device): {exchange.summary}"


@then(parsers.parse("the device refuses the request: {reason}"))
def device_refuses(lab, scenario_context, reason):
    """The device answered that it could not do it (a failed response); where the reason names the
    alert the device raises for it (e.g. "a used UTRN (0x8F51)"), the sender receives that alert too:
    why a device refused is not in its response, only in its alerts and logs."""
    exchange = scenario_context.last
    assert exchange.response_code == "I0" and exchange.device_fields.get("Result") == "Failure", exchange.summary
    for code in re.findall(r"0x([0-9A-Fa-f]{4})", reason):
        assert lab.user(exchange.user).wait_for_alert(code, device=exchange.target) is not None, \
            f"the {exchange.user} received no device alert 0x{code} from {exchange.target}"


@when(parsers.re(r"(?:the )?(?P<party>.+?) retrieves the (?P<device>.+?)'s new "
                 r"(?P<usage>Digital Signature|Key Agreement)"
                 r" certificate from SMKI"))
def retrieve_certificate(lab, scenario_context, party, device, usage):
    eui = parameters.device(lab.config, device)[1]
    issued = next((x for x in reversed(scenario_context.exchanges) if x.srv == "6.17" and x.target == eui), None)
    assert issued is not None and issued.succeeded, f"no successful 6.17 to the {device} to certify"
    key_usage = KeyUsage.KEY_AGREEMENT if usage == "Key Agreement" else KeyUsage.DIGITAL_SIGNING
    request = base64.b64decode(issued.device_fields["CertificationRequest"])    # the device's PKCS#10 (MMC)
    scenario_context.memory.smki_certificate = lab.certificate_from_smki(eui, key_usage, request)


# -- read-backs: a read SR sent to check what the scenario's SRs did -------------------------------------------

def read_back(lab, scenario_context, party: str, srv: str, device: str, **params):
    """Send a read SR as part of a Then step (a read-back, not a step of the scenario's sequence)."""
    eui = parameters.device(lab.config, device)[1]
    target = None if service_request(srv).non_device else eui
    exchange = scenario_context.record(lab.user(party).send(srv, target, **params))
    assert exchange.succeeded, exchange.summary
    return eui, exchange


@then(parsers.parse("{party} reads back payment mode {mode} from the {device}"))
def read_back_payment_mode(lab, scenario_context, party, mode, device):
    _, exchange = read_back(lab, scenario_context, party, "6.2.9", device)
    assert exchange.device_fields.get("PaymentMode") == PaymentMode.parse(mode, "payment mode"), exchange.device_fields


@then(parsers.parse("{party} reads back meter balance {balance:d} from the {device}, less at most {used:d} "
                    "used since"))
def read_back_balance(lab, scenario_context, party, balance, device, used):
    """The meter keeps using energy (and paying its standing charge) between the change and the read."""
    _, exchange = read_back(lab, scenario_context, party, "4.18", device)
    found = int(exchange.device_fields.get("MeterBalance", "nan"))
    assert balance - used <= found <= balance, f"meter balance {found}, expected {balance} less at most {used}"


@then(parsers.parse("{party} reads back emergency credit limit {limit:d} from the {device}"))
def read_back_emergency_credit_limit(lab, scenario_context, party, limit, device):
    _, exchange = read_back(lab, scenario_context, party, "4.13", device)
    found = next((v for k, v in exchange.device_fields.items() if k.endswith("EmergencyCreditLimit")), None)
    assert found == str(limit), f"emergency credit limit {found}, expected {limit}"


@then(parsers.parse("{party} reads back emergency credit balance {balance:d} from the {device}"))
def read_back_emergency_credit_balance(lab, scenario_context, party, balance, device):
    _, exchange = read_back(lab, scenario_context, party, "4.3", device)
    found = exchange.device_fields.get("EmergencyCreditBalance")
    assert found == str(balance), f"emergency credit balance {found}, expected {balance}"


@then(parsers.parse("{party} finds event {code} in the {device}'s security log"))
def read_back_security_log(lab, scenario_context, party, code, device):
    _, exchange = read_back(lab, scenario_context, party, "6.13", device, log_to_read="Security")
    codes = {v.upper() for k, v in exchange.device_fields.items() if k.endswith("LogCode")}
    assert code.upper().removeprefix("0X") in codes, f"the {device}'s security log holds {sorted(codes)}, not {code}"


# The trust anchor cells a step names, as 6.24.1's MMC response names them (RemotePartyRole, CertificateUsage).
_CELLS = {"supplier": ("Supplier", "DigitalSigning"), "network operator": ("NetworkOperator", "DigitalSigning"),
          "supplier prepayment key agreement": ("Supplier", "KeyAgreementTopUp"),
          "supplier key agreement": ("Supplier", "KeyAgreement")}


@then(parsers.parse("{party} finds {holder} in the {role} trust anchor of the {device}"))
def read_back_trust_anchor(lab, scenario_context, party, holder, role, device):
    _, exchange = read_back(lab, scenario_context, party, "6.24.1", device)
    expected = lab.config.party(holder).eui.duis if holder != "the ACB" else lab.config.access_control_broker.duis
    cell = _CELLS[role.lower()]
    found = trust_anchor_holder(exchange.device_fields, *cell)
    assert found == expected, f"{'/'.join(cell)}: {found}, expected {expected}"


def _inventory_entry(lab, scenario_context, party, device) -> dict:
    """The device's entry in the Smart Metering Inventory, as 8.2 Read Inventory returns it to the party."""
    eui = parameters.device(lab.config, device)[1]
    _, exchange = read_back(lab, scenario_context, party, "8.2", device, device_id=eui)
    return next((d for d in exchange.response.inventory if d["DeviceID"] == eui.duis), {})


@then(parsers.parse("{party} sees the {device} as {status} in the inventory"))
def inventory_status(lab, scenario_context, party, device, status):
    found = _inventory_entry(lab, scenario_context, party, device).get("DeviceStatus")
    assert found == status, f"{device} is {found}, expected {status}"


@then(parsers.parse("{party} reads back firmware version {version} from the {device}"))
def read_back_firmware(lab, scenario_context, party, version, device):
    _, exchange = read_back(lab, scenario_context, party, "11.2", device)
    assert exchange.device_fields.get("FirmwareVersion") == version, exchange.device_fields


# -- checks that a rule holds: SRs sent to see them refused (not steps of the scenario's sequence) ---------------

@then(parsers.parse("{party}'s critical SRs to the {device} are refused with {code}"))
def critical_refused(lab, scenario_context, party, device, code):
    eui = parameters.device(lab.config, device)[1]
    params = parameters.resolve(lab, "1.1.1", eui, {}, scenario_context.memory)
    exchange = scenario_context.record(lab.user(party).send("1.1.1", eui, **params))
    assert exchange.response_code == code, f"expected {code}: {exchange.summary}"


@then(parsers.parse("the DCC refuses to decommission the {device} with {code}"))
def decommission_refused(lab, scenario_context, device, code):
    exchange = scenario_context.record(lab.user("the Import Supplier").send(
        "8.3", device_id=parameters.device(lab.config, device)[1]))
    assert exchange.response_code == code, f"expected {code}: {exchange.summary}"


@then(parsers.parse("the DCC refuses an SR 11.1 for the {device} with {code}"))
def firmware_update_refused(lab, scenario_context, device, code):
    firmware = scenario_context.memory.released_firmware()
    exchange = scenario_context.record(lab.user("the Import Supplier").send(
        "11.1", device_id_list=[parameters.device(lab.config, device)[1]], firmware_image=firmware.image,
        firmware_version=firmware.version))
    assert exchange.response_code == code, f"expected {code}: {exchange.summary}"


@then(parsers.parse("{party} finds the {device}'s responses verifying with its new Digital Signature "
                    "certificate"))
def responses_verify_with_new_certificate(lab, scenario_context, party, device):
    eui, exchange = read_back(lab, scenario_context, party, "6.24.2", device)
    in_use = lab.certificate_in_use(eui, KeyUsage.DIGITAL_SIGNING)
    assert in_use is not None and lab.issued_by_smki(in_use), \
        "the device certificate in use is not the one SMKI issued after 6.17"
    assert exchange.device_signature == "valid", f"response signature {exchange.device_signature}"


@then(parsers.parse("the {device} accepts {party}'s critical commands signed with its renewed key"))
def renewed_key_accepted(lab, scenario_context, device, party):
    exchange = Procedures(lab, scenario_context.record, scenario_context.memory).critical_command(party, device)
    assert exchange.succeeded, exchange.summary
    assert exchange.device_signature == "valid", exchange.summary


@then(parsers.parse("the {device} reports its supplier Digital Signing trust anchor now holds {party}'s renewed "
                    "certificate"))
def renewed_trust_anchor_reported(lab, scenario_context, device, party):
    """What the 6.15.1 response says the device placed in its Supplier DS cell: the renewed certificate's key."""
    exchange = scenario_context.last
    placed = replaced_cell(exchange.device_fields, "Supplier", "DigitalSigning")
    renewed = lab.renewed_certificates(lab.config.party(party).eui)[KeyUsage.DIGITAL_SIGNING]
    expected = (lab.config.party(party).eui.duis, key_id(public_key_of(renewed)))
    assert placed is not None and placed[0] == "success" and placed[1:] == expected, \
        f"the {device}'s Supplier Digital Signing cell: {placed}, expected success with {expected}"


@then(parsers.parse("a second SR 2.2 with the same UTRN is refused by the {device}"))
def utrn_reuse_refused(lab, scenario_context, device):
    first = next(x for x in reversed(scenario_context.exchanges) if x.srv == "2.2")
    utrn = scenario_context.memory.vended_utrn()
    user = lab.user(first.user)
    exchange = scenario_context.record(user.send("2.2", first.target, utrn=utrn.code, counter=utrn.counter))
    # what the supplier sees: a failed TopUpDeviceRsp, and the meter's alert that the UTRN was used before
    assert exchange.device_fields.get("Result") == "Failure", \
        f"expected the meter to refuse a used UTRN: {exchange.summary}"
    assert user.wait_for_alert("8F51", device=first.target) is not None, \
        f"the {first.user} received no 0x8F51 (UTRN already used) from the {device}"


@then(parsers.parse("{party} cannot delete that DSP schedule: the DCC answers {code}"))
def schedule_not_theirs(lab, scenario_context, party, code):
    exchange = scenario_context.record(lab.user(party).send(
        "5.3", dsp_schedule_id=scenario_context.memory.dsp_schedule()))
    assert exchange.response_code == code, f"expected {code}: {exchange.summary}"


@then(parsers.parse("a UTRN {party} vends with its renewed prepayment key tops up the {device}"))
def renewed_prepayment_key(lab, scenario_context, party, device):
    """The meter's Prepayment KA cell now holds the renewed certificate: UTRNs made with it are authentic."""
    user, eui = lab.user(party), parameters.device(lab.config, device)[1]
    code, counter = user.vend_utrn(eui, 500)
    exchange = scenario_context.record(user.send("2.2", eui, utrn=code, counter=counter))
    assert exchange.succeeded, exchange.summary


@then(parsers.parse("the {device} now obeys {party}'s critical SRs"))
def obeys(lab, scenario_context, device, party):
    """A critical SR the device only carries out for the party in its supplier trust anchor."""
    read_back(lab, scenario_context, party, "6.24.2", device)


@then(parsers.parse("{party} sees the {device} at {version} in the inventory"))
def inventory_version(lab, scenario_context, party, device, version):
    found = _inventory_entry(lab, scenario_context, party, device).get("SMETSCHTSVersion")
    assert found == version, f"{device} is at {found}, expected {version}"
