"""The lab, the installer and the consumer: prerequisites of the business scenarios and what happens on
site or around the DCC (registration, a manufacturer's firmware release)."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from harness.catalogue import DeviceType, PaymentMode
from harness.han import analysis
from harness.lab import parameters
from harness.lab.memory import ReleasedFirmware, VendedUtrn
from harness.lab.procedures import Procedures


def procedures(lab, scenario_context) -> Procedures:
    return Procedures(lab, scenario_context.record, scenario_context.memory)


# -- the premises --------------------------------------------------------------------------------------------

@given(parsers.parse("{party} sees the Communications Hub installed and commissioned"))
def hub_commissioned(lab, scenario_context, party):
    procedures(lab, scenario_context).wait_for_status(party, "CHF", ("Commissioned",))


@given(parsers.parse("{party} has completed the WAN matrix check for the premises"))
def wan_matrix(lab, scenario_context, party):
    procedures(lab, scenario_context).send(party, "12.1", None, uprn=lab.config.premises[0].uprn)


@given("the Communications Hub is installed where there is no SM WAN coverage")
def no_wan(lab):
    lab.install_without_wan()


@given(parsers.parse("the {role} at the premises is {user}"))
@given(parsers.parse("the {role} at the premises has changed to {user}"))
def registration(lab, role, user):
    """Registration data (from the industry's registration services): who supplies each fuel."""
    lab.register(role, user)


# -- devices brought into service by earlier business processes ------------------------------------------------

@given(parsers.parse("{party} has pre-notified the {device} to the DCC"))
def prenotified(lab, scenario_context, party, device):
    procedures(lab, scenario_context).prenotify(party, device)


@given(parsers.re(r"the (?P<device>ESME|GSME|ESME 2|GSME 2|ESME 3) is installed and commissioned"
                  r"(?: in (?P<mode>credit|prepayment) mode)? by (?P<party>.+?)"
                  r"(?P<apart>, not yet joined to the GPF)?$"))
def installed_and_commissioned(lab, scenario_context, device, mode, party, apart):
    payment_mode = PaymentMode.parse(mode, "payment mode") if mode else PaymentMode.CREDIT
    procedures(lab, scenario_context).install_and_commission(party, device, payment_mode, join_gpf=not apart)


@given(parsers.parse("{party} has read the inventory of the premises"))
def read_inventory(lab, scenario_context, party):
    procedures(lab, scenario_context).send(party, "8.2", None, device_id="the CHF")


@given(parsers.parse("the {display} is installed and joined to the {meter} by {party}"))
@when(parsers.parse("the {display} is installed and joined to the {meter} by {party}"))
def display_joined(lab, scenario_context, display, meter, party):
    procedures(lab, scenario_context).join_display(party, display, meter)


@given(parsers.parse("{party} has a DSP schedule for SR {srv} on the {device}"))
def has_schedule(lab, scenario_context, party, srv, device):
    """The DSP Schedule ID the DCC returned is the scenario's DSP schedule (what 'the DSP schedule' names)."""
    scenario_context.memory.dsp_schedule_id = procedures(lab, scenario_context).create_schedule(party, device, srv)


@given(parsers.parse("{party} has put a time debt of {amount:d} on the {device}"))
def time_debt(lab, scenario_context, party, amount, device):
    """The consumer owes something (2.3): what a later 2.3 must clear and a read-back can show cleared."""
    procedures(lab, scenario_context).send(party, "2.3", device, time_debt_register_1=amount)


@given(parsers.parse("{party} has asked for SR {srv} from the {device} in {days:d} days"))
def future_dated_request(lab, scenario_context, party, srv, device, days):
    """A DSP future-dated request: the DCC holds it until its execution date."""
    exchange = procedures(lab, scenario_context).send(party, srv, device, expect_success=False, wait=False,
                                                      execution_date_time=f"in {days} days")
    assert exchange.synchronous is not None and exchange.synchronous.response_code == "I99", exchange.summary


# -- on site -------------------------------------------------------------------------------------------------------

@given(parsers.parse("the installer has fitted and powered the {device}"))
@when(parsers.parse("the installer powers on the {device}"))
def power_on(lab, device):
    lab.power_on(device)


@then(parsers.parse("{party} sees the {device} join the HAN"))
def joins_han(lab, scenario_context, party, device):
    """Observed in the SMI: the DCC marks a device Installed Not Commissioned once its CH reports the join."""
    procedures(lab, scenario_context).wait_for_status(party, device, ("InstalledNotCommissioned", "Commissioned"))


@when("the installer replaces the Communications Hub")
def replace_hub(lab):
    lab.replace_communications_hub()


@when(parsers.parse("the installer delivers the command to the {device} with the HHT"))
def deliver_locally(lab, scenario_context, device):
    command = scenario_context.memory.local_command
    assert command is not None, "no command came back from the DCC for local delivery"
    assert lab.deliver_locally(command), f"the Communications Hub did not take the command for the {device}"
    lab.let_time_pass(60)             # the command crosses the HAN, its answer comes back to the terminal


@when("the installer closes the HHT's Inter-PAN tunnel")
def close_tunnel(lab):
    lab.close_tunnel()


@then("the Communications Hub takes no more commands from the HHT")
def hht_forgotten(lab, scenario_context):
    """After CloseTunnel the CHF has taken the HHT off its device log: the last command, delivered again, is refused."""
    command = scenario_context.memory.local_command
    assert command is not None, "no command came back from the DCC for local delivery"
    assert not lab.deliver_locally(command), "the Communications Hub still takes commands from the HHT"


@when(parsers.parse("{party} hands the DCC the HHT's response to SR {srv}"))
def return_response(lab, scenario_context, party, srv):
    """8.13 with what the terminal brought back, where the plan's sequence lists none but needs the DCC to learn
    of the outcome (the network operator's N42 after its handover)."""
    params = parameters.resolve(lab, "8.13", None, {"local_response": f"the response to SR {srv}"},
                                scenario_context.memory)
    exchange = scenario_context.record(lab.user(party).send("8.13", None, **params))
    assert exchange.succeeded, exchange.summary


@when(parsers.parse("{days:d} days pass"))
@when(parsers.parse("{days:d} day passes"))
def days_pass(lab, days):
    lab.let_time_pass(days * 86400)


@when(parsers.parse("{hours:d} hours pass"))
def hours_pass(lab, hours):
    lab.let_time_pass(hours * 3600)


@when(parsers.parse("{minutes:d} minutes pass"))
def minutes_pass(lab, minutes):
    lab.let_time_pass(minutes * 60)


# -- prepayment ---------------------------------------------------------------------------------------------------

@when(parsers.parse("{party} vends a UTRN for {pounds} GBP for the {device}"))
def vend_utrn(lab, scenario_context, party, pounds, device):
    eui = parameters.device(lab.config, device)[1]
    pence = round(float(pounds) * 100)
    code, counter = lab.user(party).vend_utrn(eui, pence)
    scenario_context.memory.utrn = VendedUtrn(code, counter, pence)


@when(parsers.parse("the consumer tops up the {meter} at the {device}"))
def top_up_locally(lab, scenario_context, meter, device):
    """The consumer types the vended UTRN at a PPMID (for that meter) or at the meter's own keypad."""
    code = scenario_context.memory.vended_utrn().code
    assert lab.consumer_enters_utrn(device, code, lab.device_config(meter).type), f"the {device} did not take the UTRN"
    lab.let_time_pass(10)


# -- firmware --------------------------------------------------------------------------------------------------------

@given(parsers.re(r"the manufacturer of the (?P<device>.+?) has released firmware version (?P<version>[0-9A-Fa-f]{8})"
                  r"(?P<badly> signed by someone else)?"))
def firmware_released(lab, scenario_context, device, version, badly):
    image = lab.firmware_image(device, int(version, 16), signed_by="Not The Manufacturer" if badly else None)
    scenario_context.memory.firmware = ReleasedFirmware(image, version.upper())


@given(parsers.parse("{party} has set a {periodicity} billing calendar on the {device}"))
def billing_calendar(lab, scenario_context, party, periodicity, device):
    procedures(lab, scenario_context).billing_calendar(party, device, periodicity.capitalize())


@given(parsers.parse("the consumer owes {party} a payment debt of {pounds:d} GBP on the {device}"))
def payment_debt(lab, scenario_context, party, pounds, device):
    """2.3 sets the meter's payment debt register (in 10^-5 GBP, as 4.3 reads it back)."""
    procedures(lab, scenario_context).send(party, "2.3", device, payment_debt_register=pounds * 100_000)


@given(parsers.parse("{party} has rekeyed the {device}"))
def rekeyed(lab, scenario_context, party, device):
    procedures(lab, scenario_context).rekey(party, device)


@when(parsers.parse("the change of supplier of the {device} to {gaining} completes"))
def change_of_supplier_completes(lab, scenario_context, device, gaining):
    role = "Gas Supplier" if lab.device_config(device).type is DeviceType.GSME else "Import Supplier"
    procedures(lab, scenario_context).change_of_supplier(role, gaining, device)


@given(parsers.parse("the firmware has been distributed to the {device} by the {party} and verified"))
def firmware_distributed(lab, scenario_context, device, party):
    procedures(lab, scenario_context).distribute_firmware(party, device)


@given(parsers.parse("{party} has renewed its organisation certificates with SMKI"))
def renewed_certificates(lab, party):
    lab.renew_organisation_certificates(lab.config.party(party).eui)


@when(parsers.parse("{party} starts using its renewed certificates"))
def use_renewed_certificates(lab, party):
    lab.use_renewed_certificates(lab.config.party(party).eui)


@then(parsers.parse("the consumer cannot top up the {meter} at the {device}"))
def cannot_top_up(lab, scenario_context, meter, device):
    code = scenario_context.memory.vended_utrn().code
    fuel = lab.device_config(meter).type
    assert not lab.consumer_enters_utrn(device, code, fuel), f"the {device} passed the UTRN to the {meter}"


@when(parsers.parse("the consumer presses the {device}'s button"))
def presses_button(lab, device):
    """The consumer's press enables an armed supply (the meter's console BUTTON on a bench)."""
    assert lab.consumer_presses_button(device), f"the {device}'s supply was not armed: the press enabled nothing"


@then(parsers.parse('the consumer sees "{message}" on the {device}\'s display'))
def sees_message(lab, message, device):
    """Read off the device's screen (its console's DISPLAY), as the plan has a person look at it."""
    shown = lab.display(device)
    assert f"MESSAGE {message}" in shown, f"the {device}'s display shows {shown}, not the message {message!r}"


@then(parsers.parse("the consumer sees the {device}'s consumption history without a privacy PIN"))
def history_open(lab, device):
    shown = lab.display(device)
    assert "HISTORY OPEN" in shown, f"the {device}'s display shows {shown}: its history still asks for the PIN"


@then(parsers.parse("the {device} refuses the UTRN typed again at its keypad, telling the {party} (0x8F51)"))
def utrn_typed_again(lab, scenario_context, device, party):
    code = scenario_context.memory.vended_utrn().code
    assert not lab.consumer_enters_utrn(device, code), f"the {device} took a UTRN it had already accepted"
    eui = parameters.device(lab.config, device)[1]
    assert lab.user(party).wait_for_alert("8F51", device=eui) is not None, f"the {party} received no 0x8F51"


@given(parsers.parse("the CSP has upgraded the Communications Hub to {version}"))
@when(parsers.parse("the CSP upgrades the Communications Hub to {version}"))
def upgrade_hub(lab, version):
    lab.upgrade_communications_hub(version)
    lab.let_time_pass(120)                 # the hub restarts; its devices rejoin on their next attempt


@when("the Communications Hub loses its SM WAN connection")
def sm_wan_lost(lab):
    lab.lose_sm_wan()


@given("the Communications Hub's HAN radio has failed")
def han_radio_failed(lab):
    lab.fail_han_radio()


@given(parsers.parse("the DCC has withdrawn the {device}'s firmware version from the Certified Products List"))
def withdrawn_from_cpl(lab, device):
    lab.withdraw_from_cpl(device)


@given("there is interference on the Communications Hub's sub-GHz channel")
def interference(lab):
    lab.interfere()


@then("the HAN capture shows the sub-GHz channel changed")
def sub_ghz_channel_changed(lab):
    """What a sniffer on the sub-GHz band saw: the CH announcing a move to another channel."""
    changes = [c for c in analysis.analyse(lab.han_capture())["channel_changes"] if c["band"] == analysis.SUB_GHZ]
    assert changes, "the sub-GHz HAN capture shows no channel change"
