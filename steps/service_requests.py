"""Sending Service Requests and checking what the service user observes about them."""

from __future__ import annotations

from pytest_bdd import parsers, then, when

from harness.lab import parameters
from harness.pki import KeyUsage
from harness.scenarios import SR_STEP


def _table(datatable) -> dict[str, str]:
    return {row[0]: row[1] for row in datatable or [] if len(row) >= 2}


@when(parsers.re(SR_STEP.pattern))
def send_service_request(lab, scenario_context, party, optional, srv, preposition, target, datatable=None):
    user = lab.user(party)
    table = _table(datatable)
    device_eui = None
    if target.removeprefix("the ").strip() != "DCC":
        device_eui = parameters.device(lab.config, target)[1]
    if preposition == "for":
        table.setdefault("device_id", target)
        device_eui = None
    params = parameters.resolve(lab, srv, device_eui, table, scenario_context.values)
    scenario_context.record(user.send(srv, device_eui, **params))


@then("the request succeeds")
def request_succeeds(scenario_context):
    exchange = scenario_context.last
    assert exchange.succeeded, exchange.summary


@then(parsers.parse("the DCC rejects the request with {code}"))
def dcc_rejects(scenario_context, code):
    exchange = scenario_context.last
    assert exchange.synchronous is not None and exchange.synchronous.response_code == code, exchange.summary


@then("the device does not act on the request")
def device_rejects(scenario_context):
    exchange = scenario_context.last
    assert exchange.response_code == "E21", f"expected E21 (no response from the device): {exchange.summary}"


@when(parsers.re(r"the (?P<party>.+?) retrieves the (?P<device>.+?)'s new (?P<usage>Digital Signature|Key Agreement)"
                 r" certificate from SMKI"))
def retrieve_certificate(lab, scenario_context, party, device, usage):
    eui = parameters.device(lab.config, device)[1]
    issued = next((x for x in reversed(scenario_context.exchanges) if x.srv == "6.17" and x.target == eui), None)
    assert issued is not None and issued.succeeded, f"no successful 6.17 to the {device} to certify"
    key_usage = KeyUsage.KEY_AGREEMENT if usage == "Key Agreement" else KeyUsage.DIGITAL_SIGNING
    scenario_context.values["smki_certificate"] = lab.certificate_from_smki(eui, key_usage,
                                                                            issued.device_fields["PublicKey"])


def read_back(lab, scenario_context, party: str, srv: str, device: str, **params):
    """Send a read SR as part of a Then step (a read-back, not a step of the scenario's sequence)."""
    eui = parameters.device(lab.config, device)[1]
    exchange = scenario_context.record(lab.user(party).send(srv, None if srv == "8.2" else eui, **params))
    assert exchange.succeeded, exchange.summary
    return eui, exchange


@then(parsers.parse("the {party} reads back payment mode {mode} from the {device}"))
def read_back_payment_mode(lab, scenario_context, party, mode, device):
    _, exchange = read_back(lab, scenario_context, party, "6.2.9", device)
    assert exchange.device_fields.get("PaymentMode") == mode, exchange.device_fields


@then(parsers.parse("the {party} reads back meter balance {balance:d} from the {device}, less at most {used:d} "
                    "used since"))
def read_back_balance(lab, scenario_context, party, balance, device, used):
    """The meter keeps using energy (and paying its standing charge) between the change and the read."""
    _, exchange = read_back(lab, scenario_context, party, "4.18", device)
    found = int(exchange.device_fields.get("MeterBalance", "nan"))
    assert balance - used <= found <= balance, f"meter balance {found}, expected {balance} less at most {used}"


@then(parsers.parse("the {party} finds {holder} in the {role} trust anchor of the {device}"))
def read_back_trust_anchor(lab, scenario_context, party, holder, role, device):
    _, exchange = read_back(lab, scenario_context, party, "6.24.1", device)
    expected = lab.config.party(holder).eui.duis if holder != "the ACB" else lab.config.access_control_broker.duis
    cell = f"{role.upper().replace(' ', '_')}/ds"
    found = exchange.device_fields.get(cell)
    assert found == expected, f"{cell}: {found}, expected {expected}"


@then(parsers.parse("the {party} sees the {device} as {status} in the inventory"))
def inventory_status(lab, scenario_context, party, device, status):
    eui = parameters.device(lab.config, device)[1]
    _, exchange = read_back(lab, scenario_context, party, "8.2", device, device_id=eui)
    entry = next((d for d in exchange.response.inventory if d["DeviceID"] == eui.duis), {})
    assert entry.get("DeviceStatus") == status, f"{device} is {entry.get('DeviceStatus')}, expected {status}"

