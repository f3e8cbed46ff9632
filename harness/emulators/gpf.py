"""The Gas Proxy Function of a Communications Hub: it mirrors the GSME it is joined with (answering gas reads
from that data: registers, logs, balances, the GSME's identity and payment mode) and serves PPMIDs and IHDs with
it; its own device log (its GSME and the devices it serves) is backed up to the DCC with GCS62 (0x8071) on every
change, and 8.12.2 restores a replaced GPF's log from that backup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.catalogue import DeviceType
from harness.emulators.device import CommandFailed, EmulatedDevice, handles
from harness.emulators.han_device import not_on_han
from harness.emulators.metering import GasReads, Metering
from harness.emulators.meters import GasMeter
from harness.eui import EntityId
from harness.gbcs.frame import GeneralSigning
from harness.usecases import device_log, joins

if TYPE_CHECKING:
    from harness.emulators.hub import CommunicationsHub

ALERT_GPF_LOG_CHANGED, GCS62_GPF_LOG_BACKUP = 0x8071, 0x00B2


class GasProxyFunction(GasReads, EmulatedDevice):
    """The GPF: it mirrors the GSME it is joined with (answering gas reads from that data) and serves
    PPMIDs and IHDs with it; its own device log is backed up to the DCC (0x8071) on every change."""

    device_type = DeviceType.GPF

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.gsme: EntityId | None = None
        self.joined_devices: dict[EntityId, int | None] = {}        # displays: id -> ASN.1 device type
        self.hub: CommunicationsHub | None = None
        self.access_restricted_from: str | None = None

    def mirrored_gsme(self) -> GasMeter | None:
        """The GSME this GPF is joined with, while it is on the HAN."""
        member = self.hub.members.get(self.gsme) if self.hub and self.gsme else None
        return member if isinstance(member, GasMeter) else None

    def mirror(self) -> GasMeter:
        """The GSME whose data this GPF answers with (CommandFailed while it mirrors none)."""
        gsme = self.mirrored_gsme()
        if gsme is None:
            raise CommandFailed("no GSME joined to this GPF")
        return gsme

    def gas_metering(self) -> Metering:
        return self.mirror().metering

    # -- gas reads the GPF answers from its mirror besides GasReads' (the GSME answers these itself) --------------

    @handles("GCS21e", "GCS21m")
    def _mirror_identity(self, fields: dict, apdu: GeneralSigning) -> dict:
        return self.mirror().identity()

    @handles("GCS21j")
    def _mirror_payment_mode(self, fields: dict, apdu: GeneralSigning) -> dict:
        return self.mirror().payment_mode_read()

    @handles("GCS14")
    def _mirror_prepay_values(self, fields: dict, apdu: GeneralSigning) -> dict:
        return self.gas_metering().prepay_values()

    @handles("GCS60a")
    def _mirror_meter_balance(self, fields: dict, apdu: GeneralSigning) -> dict:
        return self.gas_metering().gas_meter_balance()

    @handles("GCS61")
    def _mirror_daily_consumption_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        return self.gas_metering().gas_daily_consumption_log(*self.readable_period(fields, apdu))

    # -- its device log ---------------------------------------------------------------------------------

    @handles("CS03B")
    def _join(self, fields: dict, apdu: GeneralSigning) -> dict:
        """8.7.2 to the GPF (method B): with the GSME it starts mirroring that GSME; with a PPMID or IHD it
        serves that display gas data."""
        other = EntityId(fields["OtherDeviceID"])
        kind = fields["OtherDeviceType"]
        refused = joins.join_refusal(fields["UseCase"], self.device_type, fields)
        if refused is None:
            refused = not_on_han(self.hub, other, fields)
        if refused is not None:
            return joins.join_outcome(refused)
        if kind == joins.ASN1_DEVICE_TYPES[DeviceType.GSME]:
            self.gsme = other
        else:
            self.joined_devices[other] = kind
        self._log_changed()
        return joins.join_outcome(joins.JOINED)

    @handles("CS07")
    def _read_join_details(self, fields: dict, apdu: GeneralSigning) -> dict:
        """8.9 (the ACB's, for a User): its Device Log."""
        return device_log.join_details(self.device_log())

    @handles("CS04B")
    def _unjoin(self, fields: dict, apdu: GeneralSigning) -> dict:
        other = EntityId(fields["OtherDeviceID"])
        if self.gsme == other:
            self.gsme = None
        elif other in self.joined_devices:
            del self.joined_devices[other]
        else:
            return joins.unjoin_outcome(joins.UNJOIN_RESPONSES["notInDeviceLog"])
        self._log_changed()
        return joins.unjoin_outcome(joins.UNJOINED)

    @handles("GCS59")
    def _restore_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        """8.12.2: the old GPF's log, as the DCC backed it up: the GSME it mirrored and the displays it served,
        each taken back (the outcome per entry, as the MMC response names it)."""
        gsme_type = joins.ASN1_DEVICE_TYPES[DeviceType.GSME]
        entries: list[tuple[EntityId, int]] = []
        for k, v in fields.items():
            if k.startswith("Backup/Device[") and k.endswith("/DeviceID"):
                kind = fields.get(k.replace("/DeviceID", "/DeviceType"))
                if kind is None:
                    raise CommandFailed(f"{k}: a backed-up device without its device type")
                entries.append((EntityId(v), kind))
        self.gsme = next((eui for eui, kind in entries if kind == gsme_type), None)
        self.joined_devices = {eui: kind for eui, kind in entries if kind != gsme_type}
        self._log_changed()
        return joins.gpf_restore_outcome([(eui, kind, joins.JOINED) for eui, kind in entries])

    @handles("GCS09")
    def _restrict_access(self, fields: dict, apdu: GeneralSigning) -> dict:
        """3.2 for gas: the GPF stops showing data from before the tenancy change."""
        self.access_restricted_from = fields.get("RestrictionDateTime")
        self.log_event(0x8000, f"access restricted from {self.access_restricted_from}")
        return {"RestrictionDateTime": self.access_restricted_from or ""}

    def device_log(self) -> dict[EntityId, int | None]:
        """Its Device Log, id -> ASN.1 device type: the GSME it mirrors first, then the devices it serves."""
        gsme = {self.gsme: joins.ASN1_DEVICE_TYPES[DeviceType.GSME]} if self.gsme is not None else {}
        served = sorted(self.joined_devices.items(), key=lambda item: str(item[0]))
        return {**gsme, **{eui: kind for eui, kind in served if eui != self.gsme}}

    def _log_changed(self) -> None:
        """GCS62 to the DCC: the GPF Device Log (its GSME and the devices it serves, with their types)."""
        entries = [(eui, kind) for eui, kind in self.device_log().items() if kind is not None]
        self.raise_alert(ALERT_GPF_LOG_CHANGED, message_code=GCS62_GPF_LOG_BACKUP, to=self._dcc_entity(),
                         payload=joins.gpf_device_log_backup_alert(tuple(entries)))
