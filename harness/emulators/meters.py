"""Electricity and gas smart meters (ESME, GSME): the state a service user configures and reads back.

Each handler takes the command's fields (the DUIS body's leaf values, see harness.gbcs.model_payload)
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
"""

from __future__ import annotations

from harness.catalogue import DeviceType, RemotePartyRole
from harness.emulators.comms_hub import PairedDevice
from harness.emulators.device import CommandFailed, GeneralSigning, handles, when
from harness.emulators.firmware import FirmwareHost
from harness.emulators.metering import MeteringMixin
from harness.eui import EntityId
from harness.gbcs import utrn
from harness.pki import KeyUsage

CLOCK_NOT_ADJUSTED = 0x8F0C
CREDIT_ADDED_LOCALLY = 0x810E
BILLING_DATA_LOG_UPDATED = 0x8F0A
MONEY_PER_PENNY = 1000                      # 10^-5 GBP


def _strip(fields: dict) -> dict:
    return {k: v for k, v in fields.items() if k not in ("UseCase", "SRV", "ExecutionDateTime")}


class Meter(MeteringMixin, FirmwareHost, PairedDevice):
    billing_alert_message_code: int = 0x0061       # ECS68 ESME Critical Sensitive Alert (GSME: GCS53)

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.commissioned = False
        self.clock_offset = None                    # None: never set
        self.mpxn: str | None = None
        self.tariff: dict = {}
        self.payment_mode = "Credit"
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
        self.utrn_cache = utrn.UtrnCounterCache()

    @property
    def meter_time(self):
        return None if self.clock_offset is None else self.clock.now() + self.clock_offset

    def power_on(self) -> None:
        self.start_metering(self.clock.now())
        super().power_on()

    def _log_billing_data(self, trigger: str) -> None:
        """Change of Mode / Tariff / Price triggered billing data log (read back with 4.4.2)."""
        self.settle()
        self.billing_data_log.append({"Trigger": trigger, "Time": self.clock.now().isoformat(),
                                      "PaymentMode": self.payment_mode, **self.billing_snapshot()})

    # -- commissioning and identity ------------------------------------------------------------------

    @handles("ECS70Commission", "GCS28Commission", "ECS70", "GCS28")
    def _set_clock(self, fields: dict, apdu: GeneralSigning) -> dict:
        target = when(fields["CurrentDateTime"])
        tolerance = int(fields.get("TolerancePeriod", "0"))
        drift = abs((target - self.clock.now()).total_seconds())
        if drift > tolerance:
            self.raise_alert(CLOCK_NOT_ADJUSTED, {"Drift": str(int(drift))})
            raise CommandFailed(f"requested time is {drift:.0f} s from now, beyond the {tolerance} s tolerance")
        self.clock_offset = target - self.clock.now()
        if "Commission" in fields["UseCase"]:
            self.commissioned = True
            self.log_event(0x8F69, "commissioned")
        return {"MeterTime": self.meter_time.isoformat()}

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
            self.settle()                      # consumption so far is charged at the old prices
            self.tariff = _strip(fields)
            self._log_billing_data("tariff")
            self.log_event(0x8000, "tariff updated")
            return {}
        return self.now_or_later(fields, apdu, apply)

    @handles("ECS01b", "GCS01b")
    def _update_price(self, fields: dict, apdu: GeneralSigning) -> dict:
        """1.2.1: new prices for the tariff in place; the billing data log takes an entry and the
        supplier hears of it (0x8F0A)."""
        def apply() -> dict:
            self.settle()
            # The new price elements replace the old ones whole: a different number of rates leaves none behind.
            self.tariff = {k: v for k, v in self.tariff.items() if "PriceElements" not in k} | _strip(fields)
            self._log_billing_data("price")
            self.raise_alert(BILLING_DATA_LOG_UPDATED, {"Trigger": "price", **self.billing_data_log[-1]},
                             message_code=self.billing_alert_message_code)
            return {}
        return self.now_or_later(fields, apdu, apply)

    @handles("ECS24", "GCS21f")
    def _read_tariff(self, fields: dict, apdu: GeneralSigning) -> dict:
        return dict(self.tariff)

    @handles("ECS02", "ECS03", "GCS02", "GCS03")
    def _update_payment_mode(self, fields: dict, apdu: GeneralSigning) -> dict:
        mode = "Prepayment" if any(k.startswith("Prepayment") for k in fields) else "Credit"

        def apply() -> dict:
            if mode != self.payment_mode:
                self.settle()
                self.payment_mode = mode
                self._log_billing_data("change of mode")
                self.log_event(0x8000, f"payment mode {mode}")
            return {"PaymentMode": mode}
        return self.now_or_later(fields, apdu, apply)

    @handles("ECS26j", "GCS21j")
    def _read_payment_mode(self, fields: dict, apdu: GeneralSigning) -> dict:
        return {"PaymentMode": self.payment_mode}

    # -- prepayment ----------------------------------------------------------------------------------------

    @handles("ECS08", "ECS08a", "GCS05")
    def _update_prepay_configuration(self, fields: dict, apdu: GeneralSigning) -> dict:
        def apply() -> dict:
            self.prepay_configuration.update(_strip(fields))
            return {}
        return self.now_or_later(fields, apdu, apply)

    @handles("ECS26a", "GCS21b")
    def _read_prepay_configuration(self, fields: dict, apdu: GeneralSigning) -> dict:
        return dict(self.prepay_configuration)

    @handles("ECS04a", "ECS04b", "GCS40a", "GCS40b", "GCS40c", "GCS40d")
    def _update_meter_balance(self, fields: dict, apdu: GeneralSigning) -> dict:
        adjust = next((v for k, v in fields.items() if k.endswith("AdjustMeterBalance")), None)
        self.settle()
        if any(k.endswith("ResetMeterBalance") for k in fields):
            self.meter_balance = 0
        elif adjust is not None:
            self.meter_balance += int(adjust)
        else:
            raise CommandFailed("neither an adjustment nor a reset")
        return {"MeterBalance": str(self.meter_balance)}

    @handles("ECS82", "GCS60", "GCS60a")
    def _read_meter_balance(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.settle()
        return {"MeterBalance": str(self.meter_balance), "PaymentMode": self.payment_mode}

    @handles("ECS07", "GCS04")
    def _update_debt(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.settle()
        self.debt = _strip(fields)
        return {}

    @handles("ECS19", "GCS14")
    def _read_prepay_values(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.settle()
        return {"MeterBalance": str(self.meter_balance), "PaymentMode": self.payment_mode,
                "AccumulatedDebtRegister": str(self.accumulated_debt_register),
                **{f"Debt/{k}": v for k, v in self.debt.items()}}

    @handles("CS01a", "CS01b")
    def _top_up(self, fields: dict, apdu: GeneralSigning) -> dict:
        """2.2 Top Up Device: the command's counter is the UTRN's."""
        credit = self.accept_utrn(str(fields.get("UTRN", "")), counter=apdu.originator_counter)
        return {"Credit": str(credit * MONEY_PER_PENNY), "MeterBalance": str(self.meter_balance)}

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
        threshold = self.prepay_configuration.get("MaxCreditThreshold")
        try:
            accepted = utrn.verify_utrn(
                code, supplier=cell.entity_id, device=self.eui, device_ka_private=self.keys.key_agreement,
                supplier_pp_ka_public=cell.public_key, cache=self.utrn_cache, counter=counter,
                max_credit_pence=int(threshold) // MONEY_PER_PENNY if threshold else None)
        except utrn.UtrnRejected as rejection:
            self.log_security(rejection.alert_code, str(rejection))
            self.raise_alert(rejection.alert_code, {"Reason": str(rejection)})
            raise CommandFailed(f"UTRN refused (0x{rejection.alert_code:04X}): {rejection}") from None
        self.settle()
        self.meter_balance += accepted.amount_pence * MONEY_PER_PENNY
        self.log_event(CREDIT_ADDED_LOCALLY if counter is None else 0x8000,
                       f"top-up {accepted.amount_pence}p (counter {accepted.counter})")
        return accepted.amount_pence

    # -- configuration ---------------------------------------------------------------------------------

    @handles("ECS30", "ECS30a", "GCS25", "GCS25a")
    def _update_billing_calendar(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.billing_calendar = _strip(fields)
        return {}

    @handles("ECS26d", "ECS26l", "GCS21d", "GCS21k")
    def _read_billing_calendar(self, fields: dict, apdu: GeneralSigning) -> dict:
        return dict(self.billing_calendar)

    @handles("ECS25a", "ECS25a1", "ECS25a2", "ECS25a3", "ECS25b", "ECS25b3", "GCS20")
    def _configure_alerts(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.alert_behaviour.update(_strip(fields))
        return {}

    @handles("ECS25r1", "ECS25r2", "GCS20r")
    def _read_alert_behaviour(self, fields: dict, apdu: GeneralSigning) -> dict:
        return dict(self.alert_behaviour)

    @handles("ECS16", "GCS44")
    def _update_supplier_name(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.supplier_name = fields.get("SupplierName")
        return {"SupplierName": self.supplier_name or ""}

    @handles("ECS10", "GCS07")
    def _display_message(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.display_message = fields.get("SupplierMessage", "")
        return {"Displayed": self.display_message}

    @handles("ECS12")
    def _restrict_access(self, fields: dict, apdu: GeneralSigning) -> dict:
        """3.2: data from before the tenancy change is no longer shown to the new tenant."""
        self.access_restricted_from = fields.get("RestrictionDateTime")
        self.log_event(0x8000, f"access restricted from {self.access_restricted_from}")
        return {"RestrictionDateTime": self.access_restricted_from or ""}

    @handles("ECS14", "GCS11")
    def _disable_privacy_pin(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.privacy_pin_enabled = False
        return {"PrivacyPIN": "Disabled"}

    @handles("ECS20b", "GCS15b")
    def _read_billing_data_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        start = when(fields.get("ReadLogPeriod/StartDateTime", "2000-01-01T00:00:00Z"))
        end = when(fields.get("ReadLogPeriod/EndDateTime", "2099-12-31T23:59:59Z"))
        entries = [e for e in self.billing_data_log if start <= when(e["Time"]) <= end]
        out = {"Entries": str(len(entries))}
        for i, entry in enumerate(entries, 1):
            out.update({f"Entry[{i}]/{k}": v for k, v in entry.items()})
        return out


class ElectricityMeter(Meter):
    device_type = DeviceType.ESME
    image_type = 0x0101

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.load_limiting: dict = {}
        self.power_thresholds: dict = {}
        self.supply_tamper_state = "Unchanged"

    @handles("ECS28a")
    def _load_limiting(self, fields: dict, apdu: GeneralSigning) -> dict:
        def apply() -> dict:
            self.load_limiting.update(_strip(fields))
            return {}
        return self.now_or_later(fields, apdu, apply)

    @handles("ECS34")
    def _power_threshold(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.power_thresholds.update(_strip(fields))
        return {}

    @handles("ECS26f")
    def _read_power_thresholds(self, fields: dict, apdu: GeneralSigning) -> dict:
        return dict(self.power_thresholds)

    @handles("ECS81")
    def _tamper_state(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.supply_tamper_state = fields.get("SupplyTamperState", "Unchanged")
        return {"SupplyTamperState": self.supply_tamper_state}


class GasMeter(Meter):
    device_type = DeviceType.GSME
    sleepy = True
    fd_alert_message_code = 0x00CD
    billing_alert_message_code = 0x008B           # GCS53 Push Billing Data Log as an Alert
    image_type = 0x0201

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.gas_conversion: dict = {}

    @handles("GCS23")
    def _gas_conversion(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.settle()
        self.gas_conversion.update(_strip(fields))
        return {}

    @handles("GCS21a")
    def _read_gas_configuration(self, fields: dict, apdu: GeneralSigning) -> dict:
        return dict(self.gas_conversion)
