"""Sending Service Requests and checking what the service user observes about them."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re

from pytest_bdd import given, parsers, then, when

from harness.catalogue import CommandVariant, PaymentMode, service_request
from harness.duis import xml
from harness.lab import parameters
from harness.lab.procedures import Procedures
from harness.pki import KeyUsage
from harness.pki.certificates import key_id, public_key_of
from harness.scenarios import SR_STEP
from harness.usecases.credentials import replaced_cell, role_cells, trust_anchor_holder
from harness.usecases.esme_reads import rows
from harness.usecases.readback import READ_BACK, not_read_back

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


@given(parsers.parse("{party} has set its anomaly detection threshold for SR {srv} to {per_day:d} a day"))
def anomaly_threshold(lab, party, srv, per_day):
    lab.set_anomaly_threshold(lab.user(party).name, srv, per_day)


@when(parsers.re(r'^(?:the )?(?P<party>.+?) goes beyond its anomaly detection threshold with SR '
                 r'(?P<srv>\d+(?:\.\d+){1,2}) "(?P<name>[^"]+)" to the (?P<device>.+)$'))
def send_beyond_threshold(lab, scenario_context, party, srv, name, device):
    """An SR the DCC acknowledges but, over the User's own threshold for its type, quarantines (harness.dcc.anomaly):
    no response is awaited."""
    eui = parameters.device(lab.config, device)[1]
    params = parameters.resolve(lab, srv, eui, {}, scenario_context.memory)
    exchange = scenario_context.record(lab.user(party).send(srv, eui, wait=False, **params))
    assert exchange.synchronous is not None and exchange.synchronous.acknowledged, exchange.summary


@then("the DCC quarantined the request: no response to it comes")
def quarantined(lab, scenario_context):
    """A quarantined command never leaves the DCC: no device response, and no E21 either (the device never had it)."""
    exchange = scenario_context.last
    user = lab.user(exchange.user)
    assert user.no_response_comes(exchange, user.response_timeout_s), \
        f"the DCC answered {exchange.request_id} ({exchange.srv}), which it was to quarantine"


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

def read_back(lab, scenario_context, party: str, srv: str, device: str, *, locally: bool = False, **params):
    """Send a read SR as part of a Then step (a read-back, not a step of the scenario's sequence); `locally`:
    by Local Command Delivery, where there is no SM WAN (the hand-held terminal's answer returned with 8.13)."""
    eui = parameters.device(lab.config, device)[1]
    if locally:
        exchange = Procedures(lab, scenario_context.record, scenario_context.memory).read_locally(party, srv, device)
    else:
        target = None if service_request(srv).non_device else eui
        exchange = scenario_context.record(lab.user(party).send(srv, target, **params))
    assert exchange.succeeded, exchange.summary
    return eui, exchange


LOCALLY = r"(?P<locally> by Local Command Delivery)?$"


def meter_balance(fields: dict) -> int:
    """4.18's balance: an ESME's MeterBalance, a GSME's prepayment mode balance (Credit Remaining; its
    MeterBalance is the credit mode Bill To Date)."""
    return int(fields.get("Gas/MeterBalancePrepaymentMode") or fields["MeterBalance"])


@then(parsers.re(r"(?P<party>.+?) reads back payment mode (?P<mode>\S+) from the (?P<device>.+?)" + LOCALLY))
def read_back_payment_mode(lab, scenario_context, party, mode, device, locally=None):
    _, exchange = read_back(lab, scenario_context, party, "6.2.9", device, locally=bool(locally))
    assert exchange.device_fields.get("PaymentMode") == PaymentMode.parse(mode, "payment mode"), exchange.device_fields


@then(parsers.parse("{party} reads back supply {state} from the {device}"))
def read_back_supply(lab, scenario_context, party, state, device):
    """7.4 Read Supply Status: the state of the meter's supply (its load switch)."""
    _, exchange = read_back(lab, scenario_context, party, "7.4", device)
    found = exchange.device_fields.get("SupplyState")
    assert found == state, f"the {device}'s supply reads back {found}, not {state} ({exchange.device_fields})"


def _auxiliary_load(lab, scenario_context, party: str, switch: str, device: str) -> dict[str, str]:
    """7.7 Read Auxiliary Load Switch Data: the values of the switch of that Index, by leaf ("State", ...)."""
    _, exchange = read_back(lab, scenario_context, party, "7.7", device)
    fields = exchange.device_fields
    entry = next((key[:-len("@Index")] for key, value in fields.items()
                  if key.startswith("AuxiliaryLoadControlSwitch") and key.endswith("@Index") and value == switch), None)
    assert entry is not None, f"7.7 from the {device} has no auxiliary load control switch {switch}: {fields}"
    return {key[len(entry) + 1:]: value for key, value in fields.items() if key.startswith(entry + "/")}


@then(parsers.re(r"(?P<party>.+?) reads back auxiliary load (?P<switch>[1-5]) (?P<state>on|off) from the "
                 r"(?P<device>.+)$"))
def read_back_auxiliary_load(lab, scenario_context, party, switch, state, device):
    found = _auxiliary_load(lab, scenario_context, party, switch, device).get("State")
    assert found == ("true" if state == "on" else "false"), \
        f"the {device}'s auxiliary load {switch} reads back State {found}, not {state}"


@then(parsers.re(r'(?P<party>.+?) reads back auxiliary load (?P<switch>[1-5]) described as "(?P<text>[^"]*)" from '
                 r"the (?P<device>.+)$"))
def read_back_auxiliary_load_description(lab, scenario_context, party, switch, text, device):
    found = _auxiliary_load(lab, scenario_context, party, switch, device).get("Description")
    assert found == text, f"the {device}'s auxiliary load {switch} reads back described as {found!r}, not {text!r}"


@then(parsers.parse("{party} reads back from the {device} what SR {srv} set"))
def read_back_setting(lab, scenario_context, party, device, srv):
    """The read SR of the setting SR's area (harness.usecases.readback) shows every value the last successful
    setting SR to the device sent."""
    eui = parameters.device(lab.config, device)[1]
    setting = scenario_context.latest(srv, eui)
    assert setting is not None, f"no successful SR {srv} to the {device} in this scenario"
    _, exchange = read_back(lab, scenario_context, party, READ_BACK[srv], device)
    missing = not_read_back(srv, xml.parse(setting.evidence[0].data), exchange.device_fields)
    assert not missing, f"SR {READ_BACK[srv]} does not read back what SR {srv} set: {', '.join(missing)}; " \
                        f"it read {exchange.device_fields}"


@then(parsers.parse("the device log read from the {hub} holds the {device}"))
def device_log_holds(lab, scenario_context, hub, device):
    """The last 8.9 of the CHF (or GPF): its device log entries name the device."""
    hub_eui, eui = (parameters.device(lab.config, name)[1] for name in (hub, device))
    read = scenario_context.latest("8.9", hub_eui)
    assert read is not None, f"no successful SR 8.9 to the {hub} in this scenario"
    held = {v for k, v in read.device_fields.items() if k.rsplit("/", 1)[-1] == "DeviceID"}
    assert eui.duis in held, f"the {hub}'s device log holds {sorted(held)}, not the {device} ({eui.duis})"


@then(parsers.parse("the {device}'s clock reads back within {seconds:d} seconds of the DCC's time"))
def clock_read_back(lab, scenario_context, device, seconds):
    """6.11's response reads the meter's clock back (DeviceTime) as the device answered."""
    eui = parameters.device(lab.config, device)[1]
    synchronised = scenario_context.latest("6.11", eui)
    assert synchronised is not None, f"no successful SR 6.11 to the {device} in this scenario"
    clock = dt.datetime.fromisoformat(synchronised.device_fields["DeviceTime"].replace("Z", "+00:00"))
    answered = synchronised.evidence[-1].at
    assert abs((clock - answered).total_seconds()) <= seconds, f"the {device}'s clock {clock}, the DCC's {answered}"


@then(parsers.re(r"(?P<party>.+?) reads back meter balance (?P<balance>-?\d+) from the (?P<device>.+?), less at most "
                 r"(?P<used>\d+) used since" + LOCALLY))
def read_back_balance(lab, scenario_context, party, balance, device, used, locally=None):
    """The meter keeps using energy (and paying its standing charge) between the change and the read."""
    balance, used = int(balance), int(used)
    _, exchange = read_back(lab, scenario_context, party, "4.18", device, locally=bool(locally))
    found = meter_balance(exchange.device_fields)
    assert balance - used <= found <= balance, f"meter balance {found}, expected {balance} less at most {used}"


@then(parsers.re(r"(?P<party>.+?) reads back the (?P<device>.+?)'s tariff: unit rate (?P<rate>\d+), standing charge "
                 r"(?P<charge>\d+)" + LOCALLY))
def read_back_tariff(lab, scenario_context, party, device, rate, charge, locally=None):
    """4.11.1: the standing charge and the first TOU price the 1.1.1 set (a single-rate tariff's one rate)."""
    _, exchange = read_back(lab, scenario_context, party, "4.11.1", device, locally=bool(locally))
    fields = exchange.device_fields
    charges = [v for k, v in fields.items() if k.endswith("StandingCharge")]
    first = [v for k, v in fields.items() if "TariffTOUPrice" in k and k.endswith(("[1]", "[1]/"))]
    assert charges == [str(charge)], f"standing charge read back: {charges} ({fields})"
    assert first and first[0] == str(rate), f"unit rate read back: {first} ({fields})"


@then(parsers.parse("{party} reads back the {device}'s MPxN as {mpxn}"))
def read_back_mpxn(lab, scenario_context, party, device, mpxn):
    _, exchange = read_back(lab, scenario_context, party, "6.2.7", device)
    found = [v for k, v in exchange.device_fields.items() if k.endswith(("/ImportMPAN", "/MPRN"))]
    assert found == [mpxn], f"MPxN read back: {exchange.device_fields}"


@then(parsers.parse("{party} reads back the {device}'s debt registers at zero"))
def read_back_debt_cleared(lab, scenario_context, party, device):
    """4.3's payment and time debt registers after 2.3 cleared them (the accumulated debt register counts what
    was recovered, and stays)."""
    _, exchange = read_back(lab, scenario_context, party, "4.3", device)
    debts = {k: v for k, v in exchange.device_fields.items() if k.endswith(("PaymentDebtRegister", "TimeDebtRegister1",
                                                                             "TimeDebtRegister2"))}
    assert len(debts) == 3 and all(int(v) == 0 for v in debts.values()), f"debt registers read back: {debts}"


@then(parsers.re(r"(?P<party>.+?) finds the (?P<device>.+?) (?P<where>in|gone from) the CHF's device log$"))
def in_chf_log(lab, scenario_context, party, device, where):
    """8.9 to the CHF lists the devices on its whitelist (the CHF Device Log): 8.11 Remove takes one off."""
    eui = parameters.device(lab.config, device)[1]
    _, exchange = read_back(lab, scenario_context, party, "8.9", "CHF")
    listed = {v for k, v in exchange.device_fields.items() if k.endswith("/DeviceID")}
    assert (eui.duis in listed) == (where == "in"), f"the {device} ({eui.duis}) {where} the CHF's device log? " \
                                                    f"It lists {sorted(listed)}"


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


_ROLES = {"network operator": "NetworkOperator", "supplier": "Supplier"}


def _role_cells(lab, scenario_context, party, role, device) -> dict:
    _, exchange = read_back(lab, scenario_context, party, "6.24.1", device)
    cells = role_cells(exchange.device_fields, _ROLES[role.lower()])
    assert cells, f"6.24.1 names no {role} trust anchor cell of the {device}: {exchange.device_fields}"
    return cells


@given(parsers.parse("{party} has noted the {role} trust anchors of the {device}"))
def note_trust_anchors(lab, scenario_context, party, role, device):
    scenario_context.memory.trust_anchor_cells[(device, role)] = _role_cells(lab, scenario_context, party, role,
                                                                             device)


@then(parsers.parse("{party} finds the {role} trust anchors of the {device} unchanged"))
def trust_anchors_unchanged(lab, scenario_context, party, role, device):
    """Each cell of the role holds the same party's same certificate (subject key identifier) as when noted."""
    before = scenario_context.memory.trust_anchor_cells.get((device, role))
    assert before is not None, f"the {role} trust anchors of the {device} were not noted before"
    after = _role_cells(lab, scenario_context, party, role, device)
    assert after == before, f"the {device}'s {role} trust anchors changed: {before} -> {after}"


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


@then(parsers.parse("the DCC refuses {party}'s SR 3.2 to the {device} with a wildcard in its date-time"))
def restriction_wildcard_refused(lab, scenario_context, party, device):
    """DIT: 3.2 takes no wildcards. DUIS's xs:dateTime has no wildcard form, so a year left unspecified as DLMS
    writes it (FFFF) is not a date-time the DCC takes: refused at HTTP level (schema) or with a DUIS error."""
    def wildcard_year(root) -> None:
        stamp = root.find(".//{*}RestrictionDateTime")
        stamp.text = "FFFF" + stamp.text[4:]
    eui = parameters.device(lab.config, device)[1]
    exchange = scenario_context.record(lab.user(party).send_altered("3.2", eui, wildcard_year,
                                                                    restriction_date_time=lab.now()))
    code = exchange.synchronous.response_code if exchange.synchronous else None
    refused = (exchange.problem or "").startswith("HTTP 400") or (code or "").startswith("E")
    assert refused, f"the DCC took a 3.2 with a wildcard year: {exchange.summary}"


@then(parsers.parse("the CHF's device log no longer holds the {device}: a second SR 8.11 from {party} removing it "
                    "fails"))
def removal_repeated(lab, scenario_context, device, party):
    """The CHF fails a Remove for a device not in its log (CCS02): the first removal took effect."""
    exchange = scenario_context.record(lab.user(party).send(
        "8.11", parameters.device(lab.config, "CHF")[1], device_id=parameters.device(lab.config, device)[1],
        request_type="Remove"))
    assert exchange.device_fields.get("Result") == "Failure", f"the CHF removed the {device} again: {exchange.summary}"


@then(parsers.parse("{party}'s SR {srv} to the {device} goes unanswered: the DCC answers {code}"))
def unanswered(lab, scenario_context, party, srv, device, code):
    """A read the device never answers: how a supplier finds a fault between the DCC and its meter."""
    eui = parameters.device(lab.config, device)[1]
    params = parameters.resolve(lab, srv, eui, {}, scenario_context.memory)
    exchange = scenario_context.record(lab.user(party).send(srv, eui, **params))
    assert exchange.response_code == code, f"expected {code}: {exchange.summary}"


@then(parsers.parse("{party} reads the device log of the {hub} and finds the {device} communicating on it"))
def device_log_shows(lab, scenario_context, party, hub, device):
    """8.9 to the CHF: the device is in its Device Log with a last communication (the plan's alternative to
    waiting for 0x8183)."""
    _, exchange = read_back(lab, scenario_context, party, "8.9", hub)
    eui = parameters.device(lab.config, device)[1]
    entry = next((e for e in rows(exchange.device_fields, "CHFDeviceLog/CHFDeviceLogEntry")
                  if e.get("DeviceID") == eui.duis), None)
    assert entry is not None, f"the {device} is not in the {hub}'s device log: {exchange.device_fields}"
    assert entry.get("LastCommunicationsDateTime"), f"the {device} has not communicated on the {hub}: {entry}"


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


@then(parsers.re(r"an SR 11\.1 from (?P<party>.+?) with (?P<image>the released image|an image signed by someone else)"
                 r" for the (?P<device>.+?) is accepted by the DCC"))
def firmware_update_accepted(lab, scenario_context, party, image, device):
    """A further 11.1 to see how its distribution ends (the device's verdict, or a DCC failure alert)."""
    firmware = scenario_context.memory.released_firmware()
    data = firmware.image if image == "the released image" else \
        lab.firmware_image(device, int(firmware.version, 16), signed_by="Someone Else")
    exchange = scenario_context.record(lab.user(party).send(
        "11.1", device_id_list=[parameters.device(lab.config, device)[1]], firmware_image=data,
        firmware_version=firmware.version))
    assert exchange.succeeded, exchange.summary


@then(parsers.parse("an SR 11.3 from {party} activating an image the {device} never verified in {hours:d} hour "
                    "is accepted by the {meter}"))
def unverified_activation_accepted(lab, scenario_context, party, device, hours, meter):
    """Future dated: the meter accepts the command now and reports the outcome (0x8F66 / 0x8F67) when it is due."""
    firmware = scenario_context.memory.released_firmware()
    never_verified = lab.firmware_image(device, int(firmware.version, 16), signed_by="Someone Else")
    eui = parameters.device(lab.config, meter)[1]
    exchange = scenario_context.record(lab.user(party).send(
        "11.3", eui, firmware_hash=hashlib.sha256(never_verified).digest(),
        execution_date_time=lab.now() + dt.timedelta(hours=hours)))
    assert exchange.succeeded, exchange.summary


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


# A supplier's trust anchor cells as a step names them: the 6.15.1 response's CertificateUsage, and the renewed
# organisation certificate that belongs there.
_SUPPLIER_CELLS = {"Digital Signing": ("DigitalSigning", KeyUsage.DIGITAL_SIGNING),
                   "Key Agreement": ("KeyAgreement", KeyUsage.KEY_AGREEMENT),
                   "Prepayment Key Agreement": ("KeyAgreementTopUp", KeyUsage.PREPAYMENT_KEY_AGREEMENT)}


@then(parsers.re(r"the (?P<device>.+?) reports its supplier (?P<cell>Digital Signing|Key Agreement|Prepayment Key "
                 r"Agreement) trust anchor now holds (?P<party>.+?)'s renewed certificate$"))
def renewed_trust_anchor_reported(lab, scenario_context, device, cell, party):
    """What the 6.15.1 response says the device placed in that Supplier cell: the renewed certificate's key."""
    exchange = scenario_context.last
    usage, key_usage = _SUPPLIER_CELLS[cell]
    placed = replaced_cell(exchange.device_fields, "Supplier", usage)
    renewed = lab.renewed_certificates(lab.config.party(party).eui)[key_usage]
    expected = (lab.config.party(party).eui.duis, key_id(public_key_of(renewed)))
    assert placed is not None and placed[0] == "success" and placed[1:] == expected, \
        f"the {device}'s Supplier {cell} cell: {placed}, expected success with {expected}"


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


@then(parsers.parse("{party} reads back from the DCC only the new DSP schedule of the {device}, for SR {srv}"))
def read_back_schedules(lab, scenario_context, party, device, srv):
    """5.2 for the device: the party's schedules on it are the one 5.1 created, for that SR (the deleted one gone)."""
    _, exchange = read_back(lab, scenario_context, party, "5.2", device,
                            device_id=parameters.device(lab.config, device)[1])
    found = exchange.response.schedules
    new = str(scenario_context.memory.dsp_schedule())
    assert list(found) == [new], f"the DCC holds DSP schedules {found} on the {device}, expected only {new}"
    assert found[new] == srv, f"DSP schedule {new} runs SR {found[new]}, expected {srv}"


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


@then(parsers.parse("{party} sees the {device} on firmware {version} in the inventory"))
def inventory_firmware(lab, scenario_context, party, device, version):
    found = _inventory_entry(lab, scenario_context, party, device).get("DeviceFirmwareVersion")
    assert found == version, f"{device} runs firmware {found}, expected {version}"


@then(parsers.parse("{party} sees the {device} at {version} in the inventory"))
def inventory_version(lab, scenario_context, party, device, version):
    found = _inventory_entry(lab, scenario_context, party, device).get("SMETSCHTSVersion")
    assert found == version, f"{device} is at {found}, expected {version}"
