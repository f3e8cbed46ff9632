"""Electricity and gas smart meters (ESME, GSME): the state a service user configures and reads back.

Each handler takes the command's fields (as the use case's device side reads them, harness.usecases)
and changes or reports meter state. Device-pattern future-dated commands (an ExecutionDateTime in the
future) are held by the meter and carried out on time, then reported with alert 0x8F66 (0x8F67 on
failure) carried by 0x00CC (ESME, DLMS) or 0x00CD (GSME, GBZ), signed as RTDS shows.

Money is in 10^-5 GBP throughout (the price scale the DUIS tariff bodies use), so a 1.5 adjustment of
500000 is GBP 5.00. Consumption, its reads and what it costs are in harness.emulators.metering; the
balance is brought up to date (settled) before anything reads or changes it.

Prepayment top-ups: a UTRN arrives in a 2.2 command (CS01a/CS01b, whose counter is the UTRN's) or is
typed at the meter or a PPMID; the meter checks it (harness.gbcs.utrn) against its Supplier
Prepayment KA trust anchor and its UTRN Counter Cache. A refused UTRN raises 0x8F63 (not authentic),
0x8F51 (already used) or 0x8F5B (over the maximum credit threshold); a local top-up that succeeds
raises 0x810E Credit Added Locally, which is how the supplier learns of it.

What the consumer sees: the meter's own display (its console's DISPLAY) and, over the HAN, each IHD joined
to it: a ZCL Report Attributes of the Metering cluster's CurrentSummationDelivered every REPORT_S, and a
Messaging cluster Display Message when 3.1 sets a message.
"""

from __future__ import annotations

import datetime as dt
from abc import ABCMeta, abstractmethod
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from harness.catalogue import DeviceType, Fuel, PaymentMode, RemotePartyRole
from harness.clock import ScheduledEvent
from harness.emulators.device import FD_FAILURE, FD_SUCCESS, CommandFailed, GeneralSigning, handles, when
from harness.emulators.firmware import FirmwareHost
from harness.emulators.han_device import PairedDevice
from harness.emulators.metering import (
    DEFAULT_CALORIFIC_VALUE,
    DEFAULT_CONVERSION_FACTOR,
    GasReads,
    Metering,
    esme_consumption,
    esme_prepayment,
    esme_tou,
    mmc_element,
    mmc_indexed,
    mmc_repeated,
    mmc_time,
    snapshot_tou,
)
from harness.eui import EntityId
from harness.gbcs import crypto, utrn, zcl
from harness.gbcs.frame import CraFlag
from harness.pki import KeyUsage
from harness.usecases import esme_reads, gsme_reads
from harness.usecases.device import AlertPayload
from harness.usecases.events import OUTCOMES, SWITCH_ACTIONS
from harness.usecases.gsme_prepayment import CREDIT_SETTINGS, TOP_UP_ERROR, TOP_UP_REFUSALS
from harness.usecases.support_reads import (
    alert_behaviour_read,
    gas_prepayment_configuration_read,
    gas_tariff_read,
    prepayment_configuration_read,
    tariff_read,
)

CLOCK_NOT_ADJUSTED = 0x8F0C
CLOCK_ADJUSTED = 0x8145                     # Clock adjusted (within tolerance)
CREDIT_ADDED_LOCALLY = 0x810E
EMERGENCY_CREDIT_ACTIVATED = 0x81AB         # the event code of that name (catalogue alerts.yaml)
BILLING_DATA_LOG_UPDATED = 0x8F0A
SUPPLY_ARMED = 0x8F32
SUPPLY_OUTAGE_RESTORED, LONG_OUTAGE_RESTORED = 0x8F35, 0x8F36     # the latter: an outage of 3 minutes or more
LONG_OUTAGE = dt.timedelta(minutes=3)
ALCS_ON, ALCS_OFF, ALCS_TO_CALENDAR = 0x11, 0x12, 0x20      # an ALCS event code's action (its low byte)
# A GSME's remaining battery life in days (ZSE RemainingBatteryLifeInDays): 15 years, a new battery's design life
# for a meter that runs on it its whole life. Fixed: the model does not drain the battery.
BATTERY_LIFE_DAYS = 5475
SINGLE_ELEMENT = "A"                        # SMETS2 meter variants: A single element, B twin, C polyphase
MONEY_PER_PENNY = 1000                      # 10^-5 GBP
METERING_CLUSTER, MESSAGING_CLUSTER = 0x0702, 0x0703
CURRENT_SUMMATION_DELIVERED = 0x0000        # Metering cluster attribute: the import register
REPORT_S = 300.0                            # how often a meter reports its register to a joined IHD
# DUIS cancels a device-pattern future-dated command by sending it again for this date-time (a DLMS
# command carries it as the activation time 'never').
CANCELLATION = dt.datetime(3000, 12, 31, tzinfo=dt.UTC)
# Use cases that write the same passive values and activation times: the later replaces a pending one.
_ACTIVATES = {"ECS02": "payment mode", "ECS03": "payment mode", "GCS02": "payment mode", "GCS03": "payment mode",
              "ECS08": "prepay configuration",
              "ECS08a": "prepay configuration"}


def _decimal(value: Fraction) -> str:
    return str(Decimal(value.numerator) / Decimal(value.denominator))


def _strip(fields: dict) -> dict:
    return {k: v for k, v in fields.items() if k not in ("UseCase", "SRV", "ExecutionDateTime")}

Seal = Callable[[int, bytes], bytes]        # (an alert's originator counter, plaintext) -> ciphertext || tag

# A change of mode / tariff triggered billing data log entry's snapshot cause (ZSE): a tariff or price change
# is a Change of Tariff Information, a payment mode change a Change of Mode.
_SNAPSHOT_CAUSES = {"change of mode": gsme_reads.CHANGE_OF_MODE}


class UtrnRefused(CommandFailed):
    """The meter refused a UTRN and raised this alert about it."""

    def __init__(self, alert_code: int, reason: str):
        super().__init__(reason)
        self.alert_code = alert_code


class Meter(GasReads, FirmwareHost, PairedDevice, metaclass=ABCMeta):
    billing_alert_message_code: int = 0x0061       # ECS68 ESME Critical Sensitive Alert (GSME: GCS53)

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.commissioned = False
        self.clock_offset: dt.timedelta | None = None      # None: never set
        self.mpxn: str | None = None
        self.tariff: dict = {}
        self.payment_mode = PaymentMode.CREDIT
        self.prepayment_settings: dict = {}         # 1.6's debt suspensions and disablement threshold
        self._activations: dict[str, tuple[ScheduledEvent, dict]] = {}
        self.prepay_configuration: dict = {}
        self.billing_calendar: dict = {}
        self.alert_behaviour: dict = {}
        self.meter_balance = 0
        self.debt: dict = {}
        self.supplier_name: str | None = None
        self.billing_data_log: list[dict] = []
        self.display_message: str | None = None
        self.access_restricted_from: str | None = None
        self.privacy_pin_enabled = True
        self._zcl_sequence = 0                      # of the ZCL frames it sends IHDs
        self.utrn_cache = utrn.UtrnCounterCache()
        self.gas_conversion: dict = {}              # 6.6's values (a GSME's)
        self.model_type, self.manufacturer = "", ""   # the device profile's (emulated lab): what 6.2.4 reads
        # MMC SupplyStateType: an ESME's load switch closed, a GSME's valve open (GasMeter._read_supply)
        self.supply_state = "Enabled"
        self.supply_tamper_state = "Unchanged"      # the supply on a tamper: 6.25 sets an ESME's
        self.metering = Metering(self, Fuel.of(self.device_type), self._key_seed + bytes(eui))

    def gas_metering(self) -> Metering:
        return self.metering

    @property
    def meter_time(self) -> dt.datetime | None:
        return None if self.clock_offset is None else self.clock.now() + self.clock_offset

    def power_on(self) -> None:
        self.metering.start(self.clock.now())
        super().power_on()

    # -- what the consumer sees -------------------------------------------------------------------------

    def display(self) -> list[str]:
        """The meter's own display, as a person reads it (console DISPLAY). Its historical consumption screens
        ask for the privacy PIN until 3.5 disables it (GBCS ECS14/GCS11)."""
        shown = [f"MODE {self.payment_mode.value}", f"HISTORY {'PIN REQUIRED' if self.privacy_pin_enabled else 'OPEN'}"]
        return shown + ([f"MESSAGE {self.display_message}"] if self.display_message else [])

    def paired(self, other: EntityId) -> None:
        if any(d.eui == other for d in self.joined_displays()):
            self.clock.call_later(1.0, lambda: self._report_register(other), f"{self} report to {other}")

    def _report_register(self, display: EntityId) -> None:
        """Report the import register to a joined IHD, and again every REPORT_S while it stays joined."""
        if display not in self.joined_devices:
            return
        register = int(self.metering.read_import_registers()["ImportRegister"])
        frame = zcl.Frame(zcl.FRAME_SERVER_TO_CLIENT | 0x10, self._next_zcl_sequence(), zcl.REPORT_ATTRIBUTES,
                          {"records": [{"attribute": CURRENT_SUMMATION_DELIVERED, "type": "uint48",
                                        "value": register}]})
        self.tell_displays(METERING_CLUSTER, frame, "Report Attributes (CurrentSummationDelivered)")
        self.clock.call_later(REPORT_S, lambda: self._report_register(display), f"{self} report to {display}")

    def _next_zcl_sequence(self) -> int:
        self._zcl_sequence = (self._zcl_sequence + 1) & 0xFF
        return self._zcl_sequence

    def _log_billing_data(self, trigger: str) -> None:
        """Change of Mode / Tariff / Price triggered billing data log (read back with 4.4.2)."""
        self.metering.settle()
        self.billing_data_log.append({"Trigger": trigger, "Time": self.clock.now().isoformat(),
                                      "PaymentMode": self.payment_mode, **self.metering.billing_snapshot()})

    def _announce_billing_data_log(self) -> None:
        """0x8F0A to the party in the supplier cell: the billing data log entry just taken, in a signed alert whose
        content is encrypted for that party (ECS68 from an ESME, GCS53 from a GSME), as the RTDS alerts are."""
        supplier = self.trust.holder_of(RemotePartyRole.SUPPLIER) if self.trust else None
        seal = self._sealer(supplier) if supplier is not None else None
        index = len(self.billing_data_log) - 1
        if supplier is None or seal is None or "ImportRegister" not in self.billing_data_log[index]:
            self.note("0x8F0A not raised: no supplier key-agreement key to encrypt for, or nothing measured yet")
            return
        self.raise_alert(BILLING_DATA_LOG_UPDATED, critical=True, message_code=self.billing_alert_message_code,
                         to=supplier, payload=self._billing_data_log_alert(index, supplier, seal))

    @abstractmethod
    def _billing_data_log_alert(self, index: int, supplier: EntityId, seal: Seal) -> AlertPayload:
        """The 0x8F0A payload of billing data log entry `index`: ECS68 (ElectricityMeter) or GCS53 (GasMeter)."""

    def _sealer(self, party: EntityId) -> Seal | None:
        """Seals an alert's content end to end for `party` (GBCS encryption: the KDF over this meter's KA key and
        the party's, under the alert header's originator, counter and recipient); None without the party's KA key."""
        peer = self.trust.key_agreement_key(party) if self.trust else None
        keys = self.keys
        if peer is None or keys is None:
            return None

        def seal(counter: int, plaintext: bytes) -> bytes:
            header = GeneralSigning(cra_flag=CraFlag.ALERT, originator_counter=counter, originator=self.eui,
                                    recipient=party, message_code=self.billing_alert_message_code, payload=b"")
            key = crypto.encryption_key(header, keys.key_agreement, peer)
            return crypto.encrypt_field(key, self.eui, plaintext)
        return seal

    def at_activation(self, fields: dict, apdu: GeneralSigning, apply: Callable[[], dict]) -> dict:
        """Carry out a command whose payload says when (GBCS DLMS: the passive values it writes take effect
        at the activation times it sets, which the device reads as DUIS's ExecutionDateTime): now, later
        (then the outcome goes to the supplier as 0x8F66 / 0x8F67, one alert per activation), or never (a
        cancellation). A command for the same objects replaces an activation still pending."""
        use_case = fields["UseCase"]
        key = _ACTIVATES.get(use_case, use_case)
        pending = self._activations.pop(key, None)
        if pending is not None:
            event, entry = pending
            self.clock.cancel(event)
            self.future_dated.remove(entry)
            self.note(f"{entry['UseCase']} due {entry['ExecutionDateTime']} replaced by {use_case}")
        text = fields.get("ExecutionDateTime")
        at = when(text) if text else None
        if at is None or at <= self.clock.now():
            return apply()
        if at >= CANCELLATION:
            return {}
        entry = {"UseCase": use_case, "ExecutionDateTime": at.isoformat()}

        def run() -> None:
            self._activations.pop(key, None)
            self.future_dated.remove(entry)
            try:
                apply()
                self.report_future_dated(apdu, FD_SUCCESS)
            except CommandFailed as exc:
                self.note(f"future-dated {use_case} failed: {exc}")
                self.report_future_dated(apdu, FD_FAILURE)
        self.future_dated.append(entry)
        self._activations[key] = (self.clock.call_at(at, run, f"{self} activates {use_case}"), entry)
        return {}

    # -- commissioning and identity ------------------------------------------------------------------

    @handles("ECS70Commission", "GCS28Commission", "ECS70", "GCS28")
    def _set_clock(self, fields: dict, apdu: GeneralSigning) -> dict:
        """8.1.1 and 6.11: the DCC cannot know when its command arrives, so it gives the clock a validity
        interval, [CurrentDateTime, + TolerancePeriod s]. A clock inside it is right and the meter adopts it
        (event 0x8145); one outside is left as it is and the command fails (0x8F0C, a security event). A
        meter whose clock was never set runs on its factory time, the lab clock. The response reads the
        clock back (MMC names of the fuel's SynchroniseClockRsp)."""
        start = when(fields["CurrentDateTime"])
        end = start + dt.timedelta(seconds=int(fields.get("TolerancePeriod", "0")))
        own = self.meter_time or self.clock.now()
        if not start <= own <= end:
            drift = (start - own if own < start else own - end).total_seconds()
            self.log_security(CLOCK_NOT_ADJUSTED, f"clock {drift:.0f} s outside [{start}, {end}]")
            self.raise_alert(CLOCK_NOT_ADJUSTED, {"Drift": str(int(drift))})
            raise CommandFailed(f"the meter's clock is {drift:.0f} s outside the validity interval "
                                f"[{start.isoformat()}, {end.isoformat()}]")
        self.clock_offset = own - self.clock.now()
        self.log_event(CLOCK_ADJUSTED, "clock adjusted within tolerance")
        if "Commission" in fields["UseCase"]:
            self.commissioned = True
            self.log_event(0x8F69, "commissioned")
        status = ({"Gas/GasClockTimeStatus@ResponseCode": "0", "Gas/GasClockTimeStatus/ASN1Status": "reliable"}
                  if self.device_type is DeviceType.GSME else
                  {"Electricity/ElecClockTimeStatus@TimeStatusCode": "0",
                   "Electricity/ElecClockTimeStatus/TimeStatus": "reliable"})
        meter_time = self.meter_time
        assert meter_time is not None, "the clock offset was set above"
        time = meter_time.astimezone(dt.UTC).replace(microsecond=0)
        return {"DeviceTime": time.isoformat().replace("+00:00", "Z"), **status}

    @handles("ECS39a", "GCS41")
    def _set_import_mpxn(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.mpxn = fields.get("ImportMPANs/ImportMPAN") or fields.get("ImportMPRN")
        if not self.mpxn:
            raise CommandFailed("no MPAN or MPRN given")
        return {"ImportMPxN": self.mpxn}

    @handles("ECS40", "GCS46")
    def _read_mpxn(self, fields: dict, apdu: GeneralSigning) -> dict:
        return {"ImportMPxN": self.mpxn or ""}

    # -- tariff, price, payment mode -------------------------------------------------------------------

    @handles("ECS01a", "GCS01a")
    def _update_tariff(self, fields: dict, apdu: GeneralSigning) -> dict:
        def apply() -> dict:
            self.metering.settle()                      # consumption so far is charged at the old prices
            self.tariff = _strip(fields)
            self._log_billing_data("tariff")
            self.log_event(0x8000, "tariff updated")
            return {}
        return self.at_activation(fields, apdu, apply)

    @handles("ECS01b", "GCS01b")
    def _update_price(self, fields: dict, apdu: GeneralSigning) -> dict:
        """1.2.1: new prices for the tariff in place; the billing data log takes an entry and the
        supplier hears of it (0x8F0A)."""
        def apply() -> dict:
            self.metering.settle()
            # The new price elements replace the old ones whole: a different number of rates leaves none behind.
            self.tariff = {k: v for k, v in self.tariff.items() if "PriceElements" not in k} | _strip(fields)
            self._log_billing_data("price")
            self._announce_billing_data_log()
            return {}
        return self.at_activation(fields, apdu, apply)

    @handles("GCS21f")
    def _read_tariff(self, fields: dict, apdu: GeneralSigning) -> dict:
        """4.11.1 from a GSME: the tariff GCS01a/GCS01b set, and the price of the tier in force now."""
        return gas_tariff_read(self.tariff, self.metering.rate_now() if self.tariff else None)

    @handles("ECS24")
    def _read_esme_tariff(self, fields: dict, apdu: GeneralSigning) -> dict:
        """ReadTariffPrimaryElementRsp: the tariff in force and the price now."""
        return tariff_read(self.tariff, self.metering.unit_rate_now())

    @handles("ECS02", "ECS03")
    def _update_payment_mode(self, fields: dict, apdu: GeneralSigning) -> dict:
        mode = PaymentMode.PREPAYMENT if any(k.startswith("Prepayment") for k in fields) else PaymentMode.CREDIT

        def apply() -> dict:
            self.prepayment_settings = {k.removeprefix("Prepayment/"): v for k, v in _strip(fields).items()
                                        if k.startswith("Prepayment/")} or self.prepayment_settings
            if mode != self.payment_mode:
                self.metering.settle()
                self.payment_mode = mode
                self._log_billing_data("change of mode")
                self.log_event(0x8000, f"payment mode {mode}")
            return {}
        return self.at_activation(fields, apdu, apply)

    @handles("ECS26j", "GCS21j")
    def _read_payment_mode(self, fields: dict, apdu: GeneralSigning) -> dict:
        return self.payment_mode_read()

    def payment_mode_read(self) -> dict:
        """6.2.9: the payment mode 1.6 set and, in prepayment mode, the debt suspensions it set with it (what a
        GSME's Payment Control Configuration holds; the GPF answers with its GSME's)."""
        suspensions = {name: self.prepayment_settings[name] for name in ("SuspendDebtDisabled", "SuspendDebtEmergency")
                       if name in self.prepayment_settings and self.payment_mode is PaymentMode.PREPAYMENT}
        return {"PaymentMode": self.payment_mode, **suspensions}

    # -- prepayment ----------------------------------------------------------------------------------------

    @handles("ECS09", "GCS06")
    def _activate_emergency_credit(self, fields: dict, apdu: GeneralSigning) -> dict:
        """2.5: in prepayment mode, once the meter balance has fallen to the emergency credit threshold, the
        emergency credit limit becomes available. GBCS ECS09 and GCS06 alike: the command succeeds when emergency
        credit is active after it, whether or not it was before (then it is left as it is); otherwise it fails."""
        if self.payment_mode is not PaymentMode.PREPAYMENT:
            raise CommandFailed("emergency credit is for prepayment mode")
        settings = self.emergency_credit_settings()
        if settings is None:
            raise CommandFailed("no emergency credit limit and threshold: 2.1 has not set them")
        limit, threshold = settings
        if self.metering.emergency_credit_balance > 0:
            self.note("emergency credit is already active")
            return {}
        self.metering.settle()
        if self.meter_balance > threshold:
            raise CommandFailed(f"meter balance {self.meter_balance} is above the emergency credit threshold "
                                f"{threshold}")
        self.metering.emergency_credit_balance = limit
        self.log_event(EMERGENCY_CREDIT_ACTIVATED, f"emergency credit {limit} activated")
        return {}

    @abstractmethod
    def emergency_credit_settings(self) -> tuple[int, int] | None:
        """The emergency credit limit and threshold the meter holds (10^-5 GBP); None while it holds none."""

    @handles("ECS08", "ECS08a", "GCS05")
    def _update_prepay_configuration(self, fields: dict, apdu: GeneralSigning) -> dict:
        def apply() -> dict:
            self.prepay_configuration.update(_strip(fields))
            return {}
        return self.at_activation(fields, apdu, apply)

    @handles("GCS21b")
    def _read_prepay_configuration(self, fields: dict, apdu: GeneralSigning) -> dict:
        """4.13 from a GSME: what GCS05, GCS04 and GCS03 set."""
        return gas_prepayment_configuration_read(self.prepay_configuration, self.debt, self.prepayment_settings,
                                                 CREDIT_SETTINGS)

    @handles("ECS26a")
    def _read_esme_prepay_configuration(self, fields: dict, apdu: GeneralSigning) -> dict:
        """ReadPrepaymentConfigurationRsp: what 2.1, 1.6 and 2.3 set."""
        return prepayment_configuration_read(self.prepay_configuration, self.prepayment_settings,
                                             self.payment_mode, self.debt)

    @handles("ECS04a", "ECS04b", "GCS40a", "GCS40b", "GCS40c", "GCS40d")
    def _update_meter_balance(self, fields: dict, apdu: GeneralSigning) -> dict:
        adjust = next((v for k, v in fields.items() if k.endswith("AdjustMeterBalance")), None)
        self.metering.settle()
        if any(k.endswith("ResetMeterBalance") for k in fields):
            self.meter_balance = 0
            if fields.get("UseCase") == "ECS04b":
                # the command sets every Credit's amount to 0: the emergency credit and accumulated debt too
                self.metering.emergency_credit_balance = 0
                self.metering.clear_accumulated_debt()
        elif adjust is not None:
            self.meter_balance += int(adjust)
        else:
            raise CommandFailed("neither an adjustment nor a reset")
        return {}                       # UpdateMeterBalanceRsp carries no balance: 4.18 reads it

    @handles("GCS60", "GCS60a")
    def _read_meter_balance(self, fields: dict, apdu: GeneralSigning) -> dict:
        return self.metering.gas_meter_balance()

    @handles("ECS82")
    def _read_esme_meter_balance(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.metering.settle()
        return {"MeterBalance": str(self.meter_balance)}

    @handles("ECS07", "GCS04")
    def _update_debt(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.metering.settle()
        self.debt = _strip(fields)
        return {}

    @handles("ECS19", "GCS14")
    def _read_prepay_values(self, fields: dict, apdu: GeneralSigning) -> dict:
        return self.metering.prepay_values()

    @handles("CS01a")
    def _top_up(self, fields: dict, apdu: GeneralSigning) -> dict:
        """2.2 Top Up Device: the command's counter is the UTRN's. TopUpDeviceRsp carries no balance;
        a refused UTRN is a failed response and the alert accept_utrn raises."""
        self.accept_utrn(str(fields.get("UTRN", "")), counter=apdu.originator_counter)
        return {}

    def enter_utrn(self, code: str, source: str = "meter keypad", via: EntityId | None = None) -> bool:
        """A UTRN typed by the consumer at the meter, or passed on by a PPMID joined to this meter."""
        if via is not None and via not in self.joined_devices:
            self.note(f"UTRN from {via} ignored: not joined to this meter")
            return False
        try:
            credit = self.accept_utrn(code, counter=None)
        except CommandFailed:
            return False
        self.raise_alert(CREDIT_ADDED_LOCALLY, {"Source": source, "Credit": str(credit * MONEY_PER_PENNY),
                                                "MeterBalance": str(self.meter_balance)})
        return True

    def accept_utrn(self, code: str, *, counter: int | None) -> int:
        """Check a UTRN as GBCS does and add its credit; the amount in pennies."""
        cell = self.trust.cell(RemotePartyRole.SUPPLIER, KeyUsage.PREPAYMENT_KEY_AGREEMENT) if self.trust else None
        if cell is None:
            raise CommandFailed("no supplier prepayment key-agreement trust anchor")
        if self.keys is None:
            raise CommandFailed("no key-agreement key of its own to check the UTRN with")
        # 2.1 holds it as UpdatePrepayConfigElectricity/MaxCreditThreshold (Gas on a GSME)
        threshold = next((v for k, v in self.prepay_configuration.items() if k.endswith("/MaxCreditThreshold")), None)
        try:
            accepted = utrn.verify_utrn(
                code, supplier=cell.entity_id, device=self.eui, device_ka_private=self.keys.key_agreement,
                supplier_pp_ka_public=cell.public_key, cache=self.utrn_cache, counter=counter,
                max_credit_pence=int(threshold) // MONEY_PER_PENNY if threshold else None)
        except utrn.UtrnRejected as rejection:
            self.log_security(rejection.alert_code, str(rejection))
            self.raise_alert(rejection.alert_code, {"Reason": str(rejection)})
            raise UtrnRefused(rejection.alert_code,
                              f"UTRN refused (0x{rejection.alert_code:04X}): {rejection}") from None
        self.metering.settle()
        self.meter_balance += accepted.amount_pence * MONEY_PER_PENNY
        self.log_event(CREDIT_ADDED_LOCALLY if counter is None else 0x8000,
                       f"top-up {accepted.amount_pence}p (counter {accepted.counter})")
        return accepted.amount_pence

    # -- configuration ---------------------------------------------------------------------------------

    @handles("ECS30", "ECS30a", "GCS25", "GCS25a")
    def _update_billing_calendar(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.billing_calendar = _strip(fields)
        return {}

    @handles("ECS26d", "ECS26l")               # the GSME's: GasMeter._read_gas_billing_calendar
    def _read_billing_calendar(self, fields: dict, apdu: GeneralSigning) -> dict:
        """6.2.3: the calendar 6.8 set, its DUIS leaves named as the MMC response names them."""
        return {f"BillingCalendar/{k}": v for k, v in self.billing_calendar.items()}

    @handles("ECS25a", "ECS25a1", "ECS25a2", "ECS25a3", "ECS25b", "ECS25b3", "GCS20")
    def _configure_alerts(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.alert_behaviour.update(_strip(fields))
        return {}

    @handles("ECS25r1", "ECS25r2", "GCS20r")
    def _read_alert_behaviour(self, fields: dict, apdu: GeneralSigning) -> dict:
        if fields["UseCase"] in ("ECS25r1", "ECS25r2"):
            return alert_behaviour_read(fields["UseCase"], self.alert_behaviour)
        return dict(self.alert_behaviour)

    @handles("ECS16", "GCS44")
    def _update_supplier_name(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.supplier_name = fields.get("SupplierName")
        return {}

    @handles("ECS10", "GCS07")
    def _display_message(self, fields: dict, apdu: GeneralSigning) -> dict:
        """3.1: on the meter's display, and passed to the IHDs joined to it (Messaging: Display Message)."""
        self.display_message = fields.get("SupplierMessage", "")
        frame = zcl.Frame(zcl.FRAME_CLUSTER_SPECIFIC | zcl.FRAME_SERVER_TO_CLIENT, self._next_zcl_sequence(), 0x00,
                          {"message_id": self._zcl_sequence, "message_control": 0, "start_time": 0,
                           "duration_in_minutes": 0xFFFF, "message": self.display_message.encode(),
                           "extended_message_control": 0})
        self.tell_displays(MESSAGING_CLUSTER, frame, "Display Message")
        return {}

    @handles("ECS12")
    def _restrict_access(self, fields: dict, apdu: GeneralSigning) -> dict:
        """3.2: data from before the tenancy change is no longer shown to the new tenant."""
        self.access_restricted_from = fields.get("RestrictionDateTime")
        return {}

    @handles("ECS14", "GCS11")
    def _disable_privacy_pin(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.privacy_pin_enabled = False
        return {}

    def _billing_data_log_entries(self, fields: dict, apdu: GeneralSigning) -> list[dict]:
        start, end = self.readable_period(fields, apdu)
        return [e for e in self.billing_data_log if start <= when(e["Time"]) <= end]

    @handles("GCS15b")
    def _read_billing_data_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        """The change of mode / tariff triggered billing data log (MMC names), stamped when each change was
        made, and what caused each snapshot (ZCL snapshot causes, which MMC does not carry)."""
        entries = [e for e in self._billing_data_log_entries(fields, apdu) if "ImportRegister" in e]
        consumption = [{"ConsumptionRegister": e["ImportRegister"], "Timestamp": mmc_time(e["Time"]),
                        **mmc_indexed("TariffTOURegisterMatrixValue", snapshot_tou(e))} for e in entries]
        log = mmc_element("Gas", {**mmc_repeated("Gas/LogEntryConsumptionRegister", consumption),
                                  **mmc_repeated("Gas/LogEntryPrepaymentData",
                                                 [esme_prepayment(e, e["Time"]) for e in entries])})
        causes = [_SNAPSHOT_CAUSES.get(e["Trigger"], gsme_reads.CHANGE_OF_TARIFF) for e in entries]
        return {**log, gsme_reads.SNAPSHOT_CAUSES: " ".join(f"{cause:04X}" for cause in causes)}

    @handles("ECS20b")
    def _read_esme_billing_data_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        """The change of mode / tariff triggered billing data log: each entry's registers and its prepayment
        data, stamped when the change was made (a log entry's time stamp is in whole seconds)."""
        entries = [e for e in self._billing_data_log_entries(fields, apdu) if "ImportRegister" in e]
        consumption = [{**esme_consumption(e, "ActiveImportRegisterConsumption"), "Timestamp": mmc_time(e["Time"])}
                       for e in entries]
        return mmc_element("Electricity", {
            **mmc_repeated("Electricity/LogEntryConsumptionAndTariffRegistersData", consumption),
            **mmc_repeated("Electricity/LogEntryPrepaymentData", [esme_prepayment(e, e["Time"]) for e in entries])})

    # -- ESME reads from the metering, in the names of their MMC responses (a GSME's are GasReads') -----

    @handles("ECS17b")
    def _esme_import_registers(self, fields: dict, apdu: GeneralSigning) -> dict:
        # The model measures active energy only: the reactive import register stays 0.
        return {"Electricity/ActiveImportRegister/Value": self.metering.read_import_registers()["ImportRegister"],
                "Electricity/ActiveImportRegister/ActiveEnergyUnit": "Wh",
                "Electricity/ReactiveImportRegister/Value": "0",
                "Electricity/ReactiveImportRegister/ReactiveEnergyUnit": "varh"}

    @handles("ECS17d")
    def _esme_tou_registers(self, fields: dict, apdu: GeneralSigning) -> dict:
        return mmc_indexed("Electricity/TariffTOURegisterCollection/TOUPrimaryRegisterValue",
                           esme_tou(self.metering.read_tou_registers()))

    @handles("ECS20c")
    def _esme_billing_calendar_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        """The billing data log and, captured with it, the prepayment data log."""
        entries = self.metering.billing_calendar_entries(*self.readable_period(fields, apdu))
        consumption = [{"Timestamp": mmc_time(e["DateTime"]),
                        **esme_consumption(e, "ActiveImportRegisterValueConsumption")} for e in entries]
        prepayment = self.metering.billing_prepayment(entries)
        return mmc_element("Electricity", {
            **mmc_repeated("Electricity/ESMEBillingDataLogEntry", consumption),
            **mmc_repeated("Electricity/ESMEBillingPrepaymentDataLogEntry", prepayment)})

    @handles("ECS21a")
    def _esme_daily_read_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        entries = self.metering.daily_read_entries(*self.readable_period(fields, apdu))
        return mmc_repeated("LogEntry", [{"Timestamp": mmc_time(e["DateTime"]), **esme_consumption(
            e, "ElecActiveImportRegisterConsumption", "Electricity/")} for e in entries])

    @handles("ECS21b")
    def _esme_prepayment_daily_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        entries = self.metering.prepayment_daily_entries(*self.readable_period(fields, apdu))
        return mmc_element("Electricity", mmc_repeated("Electricity/LogEntry", [
            esme_prepayment(s.fields(), s.at) for s in entries]))

    @handles("ECS22b")
    def _esme_profile(self, fields: dict, apdu: GeneralSigning) -> dict:
        period = self.readable_period(fields, apdu)
        return mmc_repeated("LogEntry", [{"Timestamp": mmc_time(at), "Electricity/PrimaryValue": str(value)}
                                         for at, value in self.metering.profile_entries(*period)])

    @handles("ECS66")                     # the gas daily consumption log is the GPF's (GCS61)
    def _esme_daily_consumption_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        return mmc_element("Electricity", mmc_repeated("Electricity/LogEntry", [
            {"Value": str(value), "Timestamp": mmc_time(at)}
            for at, value in self.metering.daily_consumption_entries(*self.readable_period(fields, apdu))]))


class ElectricityMeter(Meter):
    device_type = DeviceType.ESME
    image_type = 0x0101

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.load_limiting: dict = {}
        self.power_thresholds: dict = {}
        # auxiliary load control switch -> (held on, until when), as 7.5 or 7.6 last held it
        self.auxiliary_loads: dict[int, tuple[bool, dt.datetime]] = {}
        self.auxiliary_load_descriptions: dict[int, str] = {}     # as 6.14.1 last set them
        # 6.13's Power Event Log: (when, event code, value); the ALCS Event Log: (when, switch << 8 | action,
        # outcome, HAN command id)
        self.power_event_log: list[tuple[dt.datetime, int, int]] = []
        self.alcs_event_log: list[tuple[dt.datetime, int, int, int]] = []
        self._power_lost_at: dt.datetime | None = None

    # -- mains power (6.13's Power Event Log) -----------------------------------------------------------

    def power_off(self) -> None:
        super().power_off()
        self._power_lost_at = self.clock.now()

    def power_on(self) -> None:
        """Back on after an outage: a Supply Outage Restored entry in the Power Event Log (0x8F36 for an outage
        of 3 minutes or more). GBCS leaves the entry's value to the meter: this one records the outage's length
        in seconds."""
        lost, self._power_lost_at = self._power_lost_at, None
        if lost is not None:
            outage = self.clock.now() - lost
            code = LONG_OUTAGE_RESTORED if outage >= LONG_OUTAGE else SUPPLY_OUTAGE_RESTORED
            self.power_event_log.append((self.clock.now(), code, int(outage.total_seconds())))
        super().power_on()

    # -- the supply (7.1-7.4) and the ESME's identity (6.2.4) ---------------------------------------------

    def _switch_supply(self, state: str) -> None:
        """Only an enabled supply's load switch is closed: disabled and armed, the meter measures nothing."""
        self.supply_state = state
        self.metering.switch_supply(state == "Enabled")
        if state == "Armed":
            self.log_event(SUPPLY_ARMED, "supply armed")

    @handles("ECS42", "ECS43", "ECS44")
    def _supply(self, fields: dict, apdu: GeneralSigning) -> dict:
        self._switch_supply(fields["SupplyState"])
        return {}

    def press_supply_button(self) -> bool:
        """The consumer's press of the meter's button: an armed supply is enabled (GBCS: the load switch closes
        only at the consumer's press once armed); otherwise the press changes nothing."""
        if self.supply_state != "Armed":
            return False
        self._switch_supply("Enabled")
        return True

    # -- the auxiliary load control switches (7.5-7.8) ----------------------------------------------------

    def auxiliary_load_on(self, switch: int) -> bool:
        """7.5 and 7.6 hold a switch on or off for their minutes; after that, and after 7.8, it follows its
        calendar (6.14.2), which this ESME holds empty (no switching times): off."""
        on, until = self.auxiliary_loads.get(switch, (False, self.clock.now()))
        return on and self.clock.now() < until

    @handles("ECS46a")
    def _describe_auxiliary_loads(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.auxiliary_load_descriptions.update(fields["AuxiliaryLoadDescriptions"])
        return {}

    @handles("ECS47Activate", "ECS47Deactivate")
    def _hold_auxiliary_load(self, fields: dict, apdu: GeneralSigning) -> dict:
        until = self.clock.now() + dt.timedelta(minutes=fields["Duration"])
        self.auxiliary_loads[fields["AuxiliaryLoad"]] = (fields["AuxiliaryLoadOn"], until)
        self._log_switch(fields["AuxiliaryLoad"], ALCS_ON if fields["AuxiliaryLoadOn"] else ALCS_OFF)
        return {}

    @handles("ECS47Reset")
    def _reset_auxiliary_load(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.auxiliary_loads.pop(fields["AuxiliaryLoad"], None)
        self._log_switch(fields["AuxiliaryLoad"], ALCS_TO_CALENDAR)
        return {}

    def _log_switch(self, switch: int, action: int) -> None:
        """An ALCS Event Log entry: this ESME's switches are its own (no HCALCS message): done at once, no HAN
        command id, as the RTDS log records its integrated switches."""
        self.alcs_event_log.append((self.clock.now(), switch << 8 | action, OUTCOMES.index("Success"), 0))

    @handles("ECS35e", "ECS35f", "ECS35g")
    def _read_power_or_alcs_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        """6.13: the Power Event Log (ECS35e) or the ALCS Event Log (ECS35f for a supplier, ECS35g for the network
        operator), entries in the requested period, as ReadEventOrSecurityLogRsp names them."""
        start, end = when(fields["ReadLogPeriod/StartDateTime"]), when(fields["ReadLogPeriod/EndDateTime"])

        def within(at: dt.datetime) -> bool:          # a log entry's time is whole seconds
            return start <= at.replace(microsecond=0) <= end
        if fields["LogToRead"] == "PowerEvent":
            return mmc_element("Log", mmc_repeated("Log/LogEntry", [
                {"Timestamp": mmc_time(at), "LogCode": f"{code:04X}", "OtherInformation": f"{value:08X}"}
                for at, code, value in self.power_event_log if within(at)]))
        return mmc_element("ALCSEvent", mmc_repeated("ALCSEvent/ALCSEventLogEntry", [
            {"Timestamp": mmc_time(at), "SwitchNumber": str(code >> 8), "SwitchAction": SWITCH_ACTIONS[code & 0xFF],
             "Outcome": OUTCOMES[outcome], "HANCommandID": str(han_command)}
            for at, code, outcome, han_command in self.alcs_event_log if within(at)]))

    @handles("ECS61a")
    def _read_auxiliary_loads(self, fields: dict, apdu: GeneralSigning) -> dict:
        return {"AuxiliaryLoadsOn": tuple(self.auxiliary_load_on(switch) for switch in range(1, 6)),
                "AuxiliaryLoadDescriptions": tuple(self.auxiliary_load_descriptions.get(n, "") for n in range(1, 6))}

    @handles("ECS45")
    def _read_supply(self, fields: dict, apdu: GeneralSigning) -> dict:
        return {"SupplyState": self.supply_state}

    @handles("ECS26e", "ECS26m")
    def _read_identity(self, fields: dict, apdu: GeneralSigning) -> dict:
        return {"MeterVariant": SINGLE_ELEMENT, "ModelType": self.model_type,
                "ManufacturerIdentifier": self.manufacturer, "SupplyTamperState": self.supply_tamper_state}

    def _billing_data_log_alert(self, index: int, supplier: EntityId, seal: Seal) -> AlertPayload:
        """ECS68: the entry as the billing calendar log's ESMEBillingDataLogEntry (Wh, scaler 0)."""
        entry = self.billing_data_log[index]
        logged = {"Timestamp": mmc_time(entry["Time"]),
                  **esme_consumption(entry, "ActiveImportRegisterValueConsumption")}
        return esme_reads.billing_data_log_alert(BILLING_DATA_LOG_UPDATED, logged, self.eui, supplier, seal)

    @handles("ECS28a")
    def _load_limiting(self, fields: dict, apdu: GeneralSigning) -> dict:
        def apply() -> dict:
            self.load_limiting.update(_strip(fields))
            return {}
        return self.at_activation(fields, apdu, apply)

    @handles("ECS34")
    def _power_threshold(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.power_thresholds.update(_strip(fields))
        return {}

    @handles("ECS26f")
    def _read_power_thresholds(self, fields: dict, apdu: GeneralSigning) -> dict:
        return dict(self.power_thresholds)

    def emergency_credit_settings(self) -> tuple[int, int] | None:
        """As 2.1 set them: an ESME holds none before."""
        config = "UpdatePrepayConfigElectricity"
        limit = self.prepay_configuration.get(f"{config}/EmergencyCreditLimit")
        threshold = self.prepay_configuration.get(f"{config}/EmergencyCreditThreshold")
        return None if limit is None or threshold is None else (int(limit), int(threshold))

    @handles("ECS81")
    def _tamper_state(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.supply_tamper_state = fields.get("SupplyTamperState", "Unchanged")
        return {}


class GasMeter(Meter):
    device_type = DeviceType.GSME
    sleepy = True
    billing_alert_message_code = 0x008B           # GCS53 Push Billing Data Log as an Alert
    image_type = 0x0201

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.remaining_battery_life_days = BATTERY_LIFE_DAYS     # a device profile's to set, like model_type
        self.supply_depletion_state = "Unchanged"                # the supply when the battery runs out

    # -- the valve (7.4) and the GSME's identity (6.2.4), which its GPF also answers with ------------------

    @handles("GCS33")
    def _read_supply(self, fields: dict, apdu: GeneralSigning) -> dict:
        """7.4: the valve's state and the battery's remaining life. Nothing in this model closes a GSME's valve (the
        emulated DCC transforms no gas 7.2 or 7.3, GCS32 and GCS39, and a prepayment supply out of credit is not
        disabled), so it stays Enabled."""
        return {"SupplyState": self.supply_state, "Gas/RemainingBatteryCapacity": str(self.remaining_battery_life_days)}

    @handles("GCS21e", "GCS21m")
    def _read_identity(self, fields: dict, apdu: GeneralSigning) -> dict:
        return self.identity()

    def identity(self) -> dict:
        """6.2.4: who made the meter, its model and what its supply does on a tamper and when its battery runs out
        (MMC names; the device id is the one GCS21e's model identifier carries)."""
        return {"DeviceIdentifier": self.eui.duis, "ModelType": self.model_type,
                "ManufacturerIdentifier": self.manufacturer, "Gas/SupplyTamperState": self.supply_tamper_state,
                "Gas/SupplyDepletionState": self.supply_depletion_state}

    def emergency_credit_settings(self) -> tuple[int, int]:
        """As 2.1 last set them, else the factory's (a GSME always holds some: credit_settings)."""
        settings = self.credit_settings()
        return settings["emergency_credit_limit"], settings["emergency_credit_threshold"]

    def _billing_data_log_alert(self, index: int, supplier: EntityId, seal: Seal) -> AlertPayload:
        """GCS53: the entry as a snapshot of the log 4.4.2 reads (its cause; its id its position among the measured
        entries, 4.4.2's offset while the log holds no more than it reads), registers in the meter's dm3 as the
        snapshot logs carry them."""
        entry = self.billing_data_log[index]
        logged = {"Timestamp": mmc_time(entry["Time"]), "ActiveImportRegisterValueConsumption": entry["ImportRegister"],
                  **mmc_indexed("TariffTOURegisterMatrixValue", snapshot_tou(entry))}
        return gsme_reads.billing_data_log_alert(
            BILLING_DATA_LOG_UPDATED, logged, seal,
            snapshot_id=sum("ImportRegister" in e for e in self.billing_data_log[:index]),
            snapshot_cause=_SNAPSHOT_CAUSES.get(entry["Trigger"], gsme_reads.CHANGE_OF_TARIFF))

    @handles("GCS23")
    def _gas_conversion(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.metering.settle()
        self.gas_conversion.update(_strip(fields))
        return {}

    @handles("GCS21a")
    def _read_gas_configuration(self, fields: dict, apdu: GeneralSigning) -> dict:
        """6.2.8: what 6.6 set; before any, the values the meter converts volume with from the factory."""
        return {"CalorificValue": _decimal(DEFAULT_CALORIFIC_VALUE),
                "ConversionFactor": _decimal(DEFAULT_CONVERSION_FACTOR), **self.gas_conversion}

    @handles("GCS21d", "GCS21k")
    def _read_gas_billing_calendar(self, fields: dict, apdu: GeneralSigning) -> dict:
        """6.2.3: the billing period 6.8 set (MMC names) and the issuer event id it came with (its ZCL name)."""
        out = {f"BillingCalendar/{k}": v for k, v in self.billing_calendar.items()
               if k.startswith("GasBillingCalendar/")}
        if "issuer_event_id" in self.billing_calendar:
            out["issuer_event_id"] = str(self.billing_calendar["issuer_event_id"])
        return out

    @handles("GCS02", "GCS03")
    def _update_gas_payment_mode(self, fields: dict, apdu: GeneralSigning) -> dict:
        """1.6 as on every meter; the Change Payment Mode Response reports the meter's credit settings."""
        return {**self._update_payment_mode(fields, apdu), **self.credit_settings()}

    def credit_settings(self) -> dict:
        """Friendly credit and emergency credit as 2.1 last set them (ZCL names; before any 2.1, the
        RTDS GSME's as factory settings)."""
        gas = "UpdatePrepayConfigGas"
        held = {"friendly_credit_calendar_id": f"{gas}/GasNonDisablementCalendar/IssuerCalendarID",
                "emergency_credit_limit": f"{gas}/EmergencyCreditLimit",
                "emergency_credit_threshold": f"{gas}/EmergencyCreditThreshold"}
        return {name: int(self.prepay_configuration.get(held[name], default)) if name in held else default
                for name, default in CREDIT_SETTINGS.items()}

    @handles("CS01b")
    def _top_up_gas(self, fields: dict, apdu: GeneralSigning) -> dict:
        """2.2 Top Up Device: the command's counter is the UTRN's. The Consumer Top Up Response gives the
        credit added and now remaining (10^-5 GBP), or why the UTRN was refused (with the alert
        accept_utrn raised): a refusal is a response whose MessageSuccess is false."""
        try:
            credit = self.accept_utrn(str(fields.get("UTRN", "")), counter=apdu.originator_counter)
        except CommandFailed as refused:
            result_type = (TOP_UP_REFUSALS.get(refused.alert_code, TOP_UP_ERROR)
                           if isinstance(refused, UtrnRefused) else TOP_UP_ERROR)
            self.note(f"CS01b refused: {refused}")
            return {"Result": "Failure", "Reason": str(refused), "result_type": result_type}
        return {"top_up_value": credit * MONEY_PER_PENNY, "credit_remaining": self.meter_balance}
