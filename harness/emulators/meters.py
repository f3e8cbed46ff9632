"""Electricity and gas smart meters (ESME, GSME): the state a service user configures and reads back.

Each handler takes the command's fields (the DUIS body's leaf values, see harness.gbcs.model_payload)
and changes or reports meter state. Device-pattern future-dated commands (an ExecutionDateTime in the
future) are held by the meter and carried out on time, then reported with alert 0x8F66 (0x8F67 on
failure) carried by 0x00CC (ESME, DLMS) or 0x00CD (GSME, GBZ), signed as RTDS shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from harness.catalogue import DeviceType
from harness.emulators.comms_hub import PairedDevice
from harness.emulators.device import CommandFailed, GeneralSigning, handles, when
from harness.eui import EntityId

FD_SUCCESS, FD_FAILURE = 0x8F66, 0x8F67
CLOCK_NOT_ADJUSTED = 0x8F0C


def _strip(fields: dict) -> dict:
    return {k: v for k, v in fields.items() if k not in ("UseCase", "SRV", "ExecutionDateTime")}


class Meter(PairedDevice):
    fd_alert_message_code: int = 0x00CC

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.commissioned = False
        self.clock_offset: dt.timedelta | None = None          # None: never set
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
        self.future_dated: list[dict] = []

    @property
    def meter_time(self) -> dt.datetime | None:
        return None if self.clock_offset is None else self.clock.now() + self.clock_offset

    # -- future dating -------------------------------------------------------------------------------

    def _now_or_later(self, fields: dict, apdu: GeneralSigning, action: Callable[[], dict]) -> dict:
        """The execution time is the command's (signed) grouping-header date-time."""
        at = apdu.date_time
        if at is None or at <= self.clock.now():
            return action()
        entry = {"UseCase": fields["UseCase"], "ExecutionDateTime": at.isoformat()}
        self.future_dated.append(entry)

        def run() -> None:
            self.future_dated.remove(entry)
            try:
                action()
                self.raise_alert(FD_SUCCESS, {"UseCase": fields["UseCase"]}, critical=True,
                                 message_code=self.fd_alert_message_code)
            except CommandFailed as exc:
                self.raise_alert(FD_FAILURE, {"UseCase": fields["UseCase"], "Reason": str(exc)}, critical=True,
                                 message_code=self.fd_alert_message_code)
        self.clock.call_at(at, run, f"{self} future-dated {fields['UseCase']}")
        return {"Scheduled": at.isoformat()}

    def _log_billing_data(self, trigger: str) -> None:
        """Change of Mode / Tariff triggered billing data log (read back with 4.4.2)."""
        self.billing_data_log.append({"Trigger": trigger, "Time": self.clock.now().isoformat(),
                                      "MeterBalance": str(self.meter_balance), "PaymentMode": self.payment_mode})

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

    # -- tariff, payment mode, prepayment ---------------------------------------------------------

    @handles("ECS01a", "GCS01a", "ECS01b", "GCS01b")
    def _update_tariff(self, fields: dict, apdu: GeneralSigning) -> dict:
        def apply() -> dict:
            self.tariff.update(_strip(fields))
            self._log_billing_data("tariff")
            return {}
        return self._now_or_later(fields, apdu, apply)

    @handles("ECS24", "GCS21f")
    def _read_tariff(self, fields: dict, apdu: GeneralSigning) -> dict:
        return dict(self.tariff)

    @handles("ECS02", "ECS03", "GCS02", "GCS03")
    def _update_payment_mode(self, fields: dict, apdu: GeneralSigning) -> dict:
        mode = "Prepayment" if any(k.startswith("Prepayment") for k in fields) else "Credit"

        def apply() -> dict:
            if mode != self.payment_mode:
                self.payment_mode = mode
                self._log_billing_data("change of mode")
            return {"PaymentMode": mode}
        return self._now_or_later(fields, apdu, apply)

    @handles("ECS26j", "GCS21j")
    def _read_payment_mode(self, fields: dict, apdu: GeneralSigning) -> dict:
        return {"PaymentMode": self.payment_mode}

    @handles("ECS08", "ECS08a", "GCS05")
    def _update_prepay_configuration(self, fields: dict, apdu: GeneralSigning) -> dict:
        def apply() -> dict:
            self.prepay_configuration.update(_strip(fields))
            return {}
        return self._now_or_later(fields, apdu, apply)

    @handles("ECS26a", "GCS21b")
    def _read_prepay_configuration(self, fields: dict, apdu: GeneralSigning) -> dict:
        return dict(self.prepay_configuration)

    @handles("ECS04a", "ECS04b", "GCS40a", "GCS40b", "GCS40c", "GCS40d")
    def _update_meter_balance(self, fields: dict, apdu: GeneralSigning) -> dict:
        adjust = next((v for k, v in fields.items() if k.endswith("AdjustMeterBalance")), None)
        if any(k.endswith("ResetMeterBalance") for k in fields):
            self.meter_balance = 0
        elif adjust is not None:
            self.meter_balance += int(adjust)
        else:
            raise CommandFailed("neither an adjustment nor a reset")
        return {"MeterBalance": str(self.meter_balance)}

    @handles("ECS82", "GCS60", "GCS60a")
    def _read_meter_balance(self, fields: dict, apdu: GeneralSigning) -> dict:
        return {"MeterBalance": str(self.meter_balance), "PaymentMode": self.payment_mode}

    @handles("ECS07", "GCS04")
    def _update_debt(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.debt.update(_strip(fields))
        return {}

    @handles("ECS19", "GCS14")
    def _read_prepay_values(self, fields: dict, apdu: GeneralSigning) -> dict:
        return {"MeterBalance": str(self.meter_balance), **{f"Debt/{k}": v for k, v in self.debt.items()}}

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

    @handles("ECS20b", "GCS15b")
    def _read_billing_data_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        start = when(fields.get("ReadLogPeriod/StartDateTime", "2000-01-01T00:00:00Z"))
        end = when(fields.get("ReadLogPeriod/EndDateTime", "2099-12-31T23:59:59Z"))
        entries = [e for e in self.billing_data_log if start <= dt.datetime.fromisoformat(e["Time"]) <= end]
        out = {"Entries": str(len(entries))}
        for i, entry in enumerate(entries, 1):
            out.update({f"Entry[{i}]/{k}": v for k, v in entry.items()})
        return out


class ElectricityMeter(Meter):
    device_type = DeviceType.ESME

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
        return self._now_or_later(fields, apdu, apply)

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

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.gas_conversion: dict = {}

    @handles("GCS23")
    def _gas_conversion(self, fields: dict, apdu: GeneralSigning) -> dict:
        self.gas_conversion.update(_strip(fields))
        return {}

    @handles("GCS21a")
    def _read_gas_configuration(self, fields: dict, apdu: GeneralSigning) -> dict:
        return dict(self.gas_conversion)
