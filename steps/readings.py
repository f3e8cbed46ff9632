"""Meter readings and prepayment data checked for consistency, as a supplier's back office would: the
reads of one scenario must agree with each other and with what happened to the meter."""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal

from cryptography import x509
from pytest_bdd import parsers, then, when

from harness.lab import parameters
from harness.pki import KeyUsage
from harness.pki.certificates import public_key_of
from harness.usecases.esme_reads import rows
from harness.usecases.readback import most_used
from steps.service_requests import LOCALLY, meter_balance, read_back


def _last(scenario_context, srv: str):
    return _last_exchange(scenario_context, srv).device_fields


def _last_exchange(scenario_context, srv: str):
    exchange = scenario_context.latest(srv)
    assert exchange is not None, f"no successful SR {srv} in this scenario"
    return exchange


# Where a log read's entries are in the MMC response (mmc.values names), by SR and what a step compares: the
# repeated element and the leaf.
_MMC_LOGS = {
    ("4.6.1", "ImportRegister"): ("LogEntry", "Electricity/ElecActiveImportRegisterConsumption"),
    ("4.17", "Consumption"): ("Electricity/LogEntry", "Value"),
    ("4.8.1", "Consumption"): ("LogEntry", "Electricity/PrimaryValue"),
    ("4.14", "MeterBalance"): ("Electricity/LogEntry", "MeterBalance"),
    ("4.4.3", "ImportRegister"): ("Electricity/ESMEBillingDataLogEntry", "ActiveImportRegisterValueConsumption"),
    ("4.4.2", "ImportRegister"): ("Electricity/LogEntryConsumptionAndTariffRegistersData",
                                  "ActiveImportRegisterConsumption"),
}
# The same logs of a GSME (4.17: of the GPF), whose log values are in its dm3 and 10^-5 GBP.
_GAS_LOGS = {
    ("4.6.1", "ImportRegister"): ("LogEntry", "Gas/GasActiveImportRegisterConsumption"),
    ("4.17", "Consumption"): ("Gas/LogEntry", "Value"),
    ("4.8.1", "Consumption"): ("LogEntry", "Gas/PrimaryValue"),
    ("4.14", "MeterBalance"): ("Gas/LogEntry", "MeterBalance"),
    ("4.4.3", "ImportRegister"): ("Gas/GSMEBillingDataLogEntry", "ActiveImportRegisterValueConsumption"),
    ("4.4.2", "ImportRegister"): ("Gas/LogEntryConsumptionRegister", "ConsumptionRegister"),
}


def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _log(fields: dict, srv: str, value: str) -> list[tuple[dt.datetime, int]]:
    """(time stamp, value) of each entry of a log read's response."""
    for layouts in (_MMC_LOGS, _GAS_LOGS):
        entries, leaf = layouts[(srv, value)]
        found = [(_when(entry["Timestamp"]), int(entry[leaf])) for entry in rows(fields, entries) if leaf in entry]
        if found:
            return found
    return []


def _gas_register(value: str) -> int:
    """A GSME register as its 4.1.1 / 4.1.2 MMC give it (m3), in the dm3 its logs count."""
    return int(Decimal(value) * 1000)


def _import_register(fields: dict) -> int:
    """4.1.1's active import register (an ESME's or a GSME's MMC)."""
    if "Gas/ConsumptionRegister/Value" in fields:
        return _gas_register(fields["Gas/ConsumptionRegister/Value"])
    return int(fields["Electricity/ActiveImportRegister/Value"])


def _tou_registers(fields: dict) -> list[int]:
    """4.1.2's TOU registers (an ESME's MMC holds all 48 of its matrix)."""
    gas = rows(fields, "Gas/TariffTOURegisterMatrix/TOURegisterMatrixValue")
    if gas:
        return [_gas_register(r[""]) for r in gas]
    return [int(r[""]) for r in rows(fields, "Electricity/TariffTOURegisterCollection/TOUPrimaryRegisterValue")]


def _midnight_reads(lab, scenario_context, party, device) -> dict[dt.datetime, int]:
    _, exchange = read_back(lab, scenario_context, party, "4.6.1", device)
    return dict(_log(exchange.device_fields, "4.6.1", "ImportRegister"))


@then(parsers.parse("the daily read log holds the register at each of the last {days:d} midnights"))
def daily_reads(scenario_context, days):
    reads = _log(_last(scenario_context, "4.6.1"), "4.6.1", "ImportRegister")
    assert len(reads) >= days, f"{len(reads)} midnight reads, expected at least {days}"
    for stamp, _ in reads:
        assert stamp.time() == dt.time(0), f"{stamp} is not a midnight"
    registers = [value for _, value in reads]
    assert registers == sorted(registers), f"the register went backwards: {registers}"


@then(parsers.parse("{party} finds each day's consumption equal to the difference of the {device}'s midnight "
                    "reads"))
def consumption_matches_reads(lab, scenario_context, party, device):
    days = _log(_last(scenario_context, "4.17"), "4.17", "Consumption")
    midnights = _midnight_reads(lab, scenario_context, party, device)
    checked = 0
    for stamp, consumed in days:
        before = stamp - dt.timedelta(days=1)
        if before in midnights and stamp in midnights:
            assert consumed == midnights[stamp] - midnights[before], f"{stamp}: {consumed} vs the midnight reads"
            checked += 1
    assert checked, f"no whole day to compare: consumption {days}, midnight reads {midnights}"


@then(parsers.parse("{party} finds the half-hourly profile adding up to the difference of the {device}'s "
                    "midnight reads"))
def profile_matches_reads(lab, scenario_context, party, device):
    profile = _log(_last(scenario_context, "4.8.1"), "4.8.1", "Consumption")
    assert profile, "the profile is empty"
    midnights = sorted(_midnight_reads(lab, scenario_context, party, device).items())
    checked = 0
    for (start, first), (end, last) in zip(midnights, midnights[1:], strict=False):
        in_day = [value for stamp, value in profile if start <= stamp < end]
        if len(in_day) == 48:
            assert sum(in_day) == last - first, f"{start:%Y-%m-%d}: profile {sum(in_day)} vs reads {last - first}"
            checked += 1
    assert checked, "no whole day of half-hourly data to compare"


@then("the TOU registers add up to the import register")
def tou_adds_up(scenario_context):
    total = _import_register(_last(scenario_context, "4.1.1"))
    registers = _tou_registers(_last(scenario_context, "4.1.2"))
    # The TOU read comes a little later than the register read: it may only have grown.
    assert total <= sum(registers), f"TOU registers {registers} sum below the import register {total}"
    assert sum(registers) - total < 10_000, f"TOU registers {registers} far from the import register {total}"


@then(parsers.parse("the billing data log holds an entry for each of the last {days:d} billing dates"))
def billing_dates(scenario_context, days):
    count = len(_log(_last(scenario_context, "4.4.3"), "4.4.3", "ImportRegister"))
    assert count >= days, f"{count} billing data log entries, expected at least {days}"


@then("the prepayment daily read log shows the balance the meter's consumption leaves each midnight")
def prepayment_log(scenario_context):
    balances = _log(_last(scenario_context, "4.14"), "4.14", "MeterBalance")
    assert len(balances) >= 2, f"only {len(balances)} prepayment snapshots"
    values = [value for _, value in balances]
    falling = all(b < a for a, b in zip(values, values[1:], strict=False))
    assert falling, f"the balance did not fall with consumption: {values}"


@then(parsers.parse("{party} finds the prepay values agreeing with the {device}'s meter balance"))
def prepay_values_agree(lab, scenario_context, party, device):
    prepay = int(_last(scenario_context, "4.3")["MeterBalance"])
    _, exchange = read_back(lab, scenario_context, party, "4.18", device)
    balance = meter_balance(exchange.device_fields)
    assert 0 <= prepay - balance < 1000, f"4.3 said {prepay}, 4.18 says {balance}"


@then(parsers.parse("the prepay values show a payment debt of {pounds:d} GBP"))
def prepay_values_debt(scenario_context, pounds):
    """The last 4.3: the payment debt register (10^-5 GBP) as the consumer owes it."""
    found = int(_last(scenario_context, "4.3").get("PaymentDebtRegister", "-1"))
    assert found == pounds * 100_000, f"4.3 shows a payment debt of {found}, expected {pounds * 100_000}"


# -- Change of Supplier reads (BSC P302, the SEC Smart Change of Supplier guidance's diagrams 4 and 5) ----------

def _change_of_supplier_midnight(lab, scenario_context, party, device) -> tuple[dt.datetime, int]:
    """The midnight read that starts the day the device changed supplier (the day of the gaining supplier's
    6.23), from the party's last daily read log of the device."""
    eui = parameters.device(lab.config, device)[1]
    cos = scenario_context.latest("6.23", eui)
    assert cos is not None, f"the {device} has not changed supplier in this scenario"
    midnight = cos.evidence[-1].at.replace(hour=0, minute=0, second=0, microsecond=0)
    log = scenario_context.latest("4.6.1", eui, lab.user(party).name)
    assert log is not None, f"{party} has read no daily read log of the {device}"
    reads = dict(_log(log.device_fields, "4.6.1", "ImportRegister"))
    assert midnight in reads, f"{party}'s daily read log of the {device} has no read at {midnight}: {sorted(reads)}"
    return midnight, reads[midnight]


@when(parsers.parse("{new} hands the {device}'s read at the change of supplier to {old} as its closing read"))
def hand_over_closing_read(lab, scenario_context, new, device, old):
    """P302: the new supplier's opening read is the old supplier's closing read; the new supplier sends it (outside
    the DCC, a D0010 flow in the industry). What was handed over is kept as the step's evidence."""
    midnight, register = _change_of_supplier_midnight(lab, scenario_context, new, device)
    scenario_context.memory.closing_read = (midnight, register)
    record = {"flow": "closing read (BSC P302)", "from": lab.user(new).name, "to": lab.user(old).name,
              "device": str(parameters.device(lab.config, device)[1]), "read_at": midnight.isoformat(),
              "import_register": register}
    scenario_context.observe(f"closing read handed from {lab.user(new).name} to {lab.user(old).name}", lab.now(),
                             json.dumps(record, indent=2).encode(), kind="json")


@then(parsers.parse("{old}'s own read of the {device} agrees with the closing read it was handed"))
def closing_read_agrees(lab, scenario_context, old, device):
    """The old supplier may read the meter itself before the change, to validate the read it is handed."""
    handed = scenario_context.memory.closing_read
    assert handed is not None, "no closing read has been handed over in this scenario"
    own = _change_of_supplier_midnight(lab, scenario_context, old, device)
    assert own == handed, f"{old} read {own[1]} at {own[0]}, was handed {handed[1]} at {handed[0]}"


# -- balance before and after -------------------------------------------------------------------------------------


@when(parsers.parse("{party} notes the import register of the {device}"))
def note_register(lab, scenario_context, party, device):
    _, exchange = read_back(lab, scenario_context, party, "4.1.1", device)
    scenario_context.memory.registers[device] = _import_register(exchange.device_fields)


@then(parsers.re(r"(?P<party>.+?) reads back the (?P<device>.+?)'s import register (?P<change>unchanged|advanced)"))
def register_since_noted(lab, scenario_context, party, device, change):
    """4.1.1 again: a meter whose supply is off measures nothing; one whose supply is on measures the demand."""
    before = scenario_context.memory.registers[device]
    _, exchange = read_back(lab, scenario_context, party, "4.1.1", device)
    after = _import_register(exchange.device_fields)
    assert (after == before) if change == "unchanged" else (after > before), \
        f"the {device}'s import register {before} -> {after}: expected it {change}"


@when(parsers.re(r"(?P<party>.+?) notes the meter balance of the (?P<device>.+?)" + LOCALLY))
def note_balance(lab, scenario_context, party, device, locally=None):
    _, exchange = read_back(lab, scenario_context, party, "4.18", device, locally=bool(locally))
    scenario_context.memory.balances[device] = meter_balance(exchange.device_fields)


@then(parsers.parse("{party} reads back the {device}'s meter balance risen by the top-up, less at most {used:d} "
                    "used since"))
def balance_risen(lab, scenario_context, party, device, used):
    before = scenario_context.memory.balances[device]
    credit = scenario_context.memory.vended_utrn().pence * 1000
    _, exchange = read_back(lab, scenario_context, party, "4.18", device)
    after = meter_balance(exchange.device_fields)
    assert before + credit - used <= after <= before + credit, \
        f"balance {before} -> {after}: expected a rise of {credit} less at most {used}"


@then(parsers.parse("{party} reads back the {device}'s meter balance unchanged by it, less at most {used:d} "
                    "used since"))
def balance_unchanged(lab, scenario_context, party, device, used):
    before = scenario_context.memory.balances[device]
    _, exchange = read_back(lab, scenario_context, party, "4.18", device)
    after = meter_balance(exchange.device_fields)
    assert before - used <= after <= before, f"balance {before} -> {after}: expected no top-up"


@then(parsers.parse("{party} reads back the {device}'s meter balance reset, less than {used:d} from zero"))
def read_back_balance_reset(lab, scenario_context, party, device, used):
    """4.18 after 1.5's reset: consumption since moves it a little (an ESME's balance and a GSME's prepayment
    Credit Remaining fall, a GSME's credit mode Bill To Date rises)."""
    _, exchange = read_back(lab, scenario_context, party, "4.18", device)
    balance = meter_balance(exchange.device_fields)
    assert abs(balance) < used, f"meter balance {balance} after the reset: {exchange.device_fields}"


@then(parsers.re(r"(?P<party>.+?) reads back the (?P<device>.+?)'s meter balance adjusted by (?P<amount>-?\d+), "
                 r"less at most (?P<used>\d+)(?P<per_minute> a minute)? used since" + LOCALLY))
def balance_adjusted(lab, scenario_context, party, device, amount, used, per_minute=None, locally=None):
    """1.5's adjustment, against the balance noted before it. The meter uses at most `used`, or at most `used` a minute
    of the bench's time as its DCC stamps responses: the noted read's synchronous response came before the meter
    read its balance, the response that brought this read back (by LCD the 8.13's, the scenario's last) after it
    answered. Where a loaded machine or a slow bench lets more time pass, more is used."""
    before, amount, used = scenario_context.memory.balances[device], int(amount), int(used)
    noted = scenario_context.latest("4.18", parameters.device(lab.config, device)[1])
    _, exchange = read_back(lab, scenario_context, party, "4.18", device, locally=bool(locally))
    after = meter_balance(exchange.device_fields)
    if per_minute:
        sent, back = noted and noted.synchronous, scenario_context.last.response
        assert sent and sent.stamped and back and back.stamped, "the DCC's responses carry no ResponseDateTime"
        used = most_used(sent.stamped, back.stamped, used)
    assert before + amount - used <= after <= before + amount, \
        f"balance {before} -> {after}: expected an adjustment of {amount} less at most {used}"


@then(parsers.re(r"(?P<party>.+?) reads back a time debt of (?P<amount>\d+) on the (?P<device>.+?), less at most "
                 r"(?P<recovered>\d+) recovered since(?P<locally> by Local Command Delivery)?$"))
def time_debt_read_back(lab, scenario_context, party, amount, device, recovered, locally=None):
    """2.3's time debt register 1 as 4.3 reads it; the meter recovers time debt as time passes."""
    amount, recovered = int(amount), int(recovered)
    _, exchange = read_back(lab, scenario_context, party, "4.3", device, locally=bool(locally))
    found = int(exchange.device_fields["TimeDebtRegister1"])
    assert amount - recovered <= found <= amount, f"time debt register 1 reads {found}, expected {amount}"


# -- DSP schedules ---------------------------------------------------------------------------------------------

@then(parsers.parse("{party} receives the result of its DSP schedule from the {device}"))
def scheduled_result(lab, scenario_context, party, device):
    user = lab.user(party)
    schedule = str(scenario_context.memory.dsp_schedule())
    found = user.wait_for_scheduled(schedule, timeout=2 * 86400)
    assert found is not None, f"no result of DSP schedule {schedule} reached {party}"
    assert found.response.response_code == "I0", found.response.label
    scenario_context.observe(f"DSP schedule {schedule} result", found.at, found.data)


_TRIGGERS = {"tariff": "1.1.1", "payment mode": "1.6", "price": "1.2.1"}     # the SR that makes each change


@then(parsers.parse("the billing data log shows the meter's registers at the {trigger} change"))
def billing_data_log_entry(scenario_context, trigger):
    """4.4.2: the Change of Mode / Tariff Triggered Billing Data Log has an entry for this change: one with
    the registers, stamped while the meter carried out the SR that made the change."""
    read = _last_exchange(scenario_context, "4.4.2")
    fields = read.device_fields
    if "Entries" not in fields:
        change = scenario_context.latest(_TRIGGERS[trigger], read.target)
        assert change is not None, f"no successful SR {_TRIGGERS[trigger]} made a {trigger} change"
        sent, answered = change.evidence[0].at.replace(microsecond=0), change.evidence[-1].at
        entries = _log(fields, "4.4.2", "ImportRegister")
        assert any(sent <= stamp <= answered for stamp, _ in entries), \
            f"no billing data log entry with registers between {sent} and {answered}: {entries}"
        return
    triggers = {"tariff": "tariff", "payment mode": "change of mode", "price": "price"}
    count = int(fields.get("Entries", "0"))
    entries = [{k.split("/", 1)[1]: v for k, v in fields.items() if k.startswith(f"Entry[{i}]/")}
               for i in range(1, count + 1)]
    found = [e for e in entries if e.get("Trigger") == triggers[trigger]]
    assert found, f"no billing data log entry for a {trigger} change: {entries}"
    assert "ImportRegister" in found[-1], f"the entry carries no register reading: {found[-1]}"


@then(parsers.parse("the consumer sees the {meter}'s import register on the {display}, as {party} reads it"))
def display_shows_register(lab, scenario_context, meter, display, party):
    """The IHD shows what the meter last reported over the HAN: at most a few minutes behind a 4.1.1 read."""
    eui, exchange = read_back(lab, scenario_context, party, "4.1.1", meter)
    register = _import_register(exchange.device_fields)
    shown = {words[1]: int(words[2]) for words in (line.split() for line in lab.display(display))
             if len(words) == 3 and words[0] == "IMPORT"}
    found = shown.get(eui.hex().upper())
    assert found is not None, f"the {display} shows nothing from the {meter}: {shown}"
    assert 0 <= register - found < 10_000, f"the {display} shows {found}, the {meter}'s register reads {register}"


@then(parsers.parse("{reader} reads no day before the tenancy change from the {device}, {supplier} still does"))
def tenancy_restricts_reads(lab, scenario_context, reader, device, supplier):
    """3.2 restricts the householder's side (Other Users) to data from the Change of Tenancy date on: their 4.17
    daily consumption log starts after it, while the supplier's read of the same log shows the days it hides."""
    restricted = _last_exchange(scenario_context, "3.2").evidence[0].at.replace(microsecond=0)
    user = lab.user(reader)     # in none of the meter's trust anchor cells: it reads as an Unknown Remote Party
    _, theirs = read_back(lab, scenario_context, reader, "4.17", device,
                          ka_public_security_credentials=user.keystore.certificate(user.eui, KeyUsage.KEY_AGREEMENT))
    _, ours = read_back(lab, scenario_context, supplier, "4.17", device)
    hidden = [stamp for stamp, _ in _log(ours.device_fields, "4.17", "Consumption") if stamp < restricted]
    assert hidden, f"{supplier}'s read shows no day before {restricted}: nothing to restrict"
    shown = [stamp for stamp, _ in _log(theirs.device_fields, "4.17", "Consumption") if stamp < restricted]
    assert not shown, f"{reader} still reads days before the tenancy change ({restricted}): {shown}"


@then(parsers.parse("{party} reads the {device}'s encrypted register with the {device}'s new Key Agreement "
                    "certificate"))
def encrypted_read_with_new_ka(lab, scenario_context, party, device):
    """After the KA rekey the device seals its reads with its new KA key: they open with the certificate SMKI
    issued for the key 6.17 generated (the one the DCC now has in use), and only with that."""
    eui, exchange = read_back(lab, scenario_context, party, "4.1.1", device)
    issued = next(x for x in reversed(scenario_context.exchanges) if x.srv == "6.17" and x.target == eui)
    requested = x509.load_der_x509_csr(base64.b64decode(issued.device_fields["CertificationRequest"]))
    in_use = lab.certificate_in_use(eui, KeyUsage.KEY_AGREEMENT)
    assert in_use is not None and public_key_of(in_use) == requested.public_key(), \
        "the Key Agreement certificate in use is not the one for the key the device generated"
    sealed = [k for k in exchange.device_fields if "GBCSData" in k]
    assert not sealed, f"the {device}'s read did not open with its new KA certificate: {sealed}"
    assert _import_register(exchange.device_fields) >= 0


@then(parsers.parse("{party} finds the GPF mirroring the {meter}"))
def gpf_mirrors(lab, scenario_context, party, meter):
    """The GPF answers gas reads from the GSME it is joined with: its register read is that meter's."""
    _, from_gpf = read_back(lab, scenario_context, party, "4.1.1", "GPF")
    _, from_meter = read_back(lab, scenario_context, party, "4.1.1", meter)
    assert 0 <= _import_register(from_meter.device_fields) - _import_register(from_gpf.device_fields) \
        < 10_000, f"GPF {from_gpf.device_fields}, {meter} {from_meter.device_fields}"
