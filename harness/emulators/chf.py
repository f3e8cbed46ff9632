"""The Communications Hub Function: its device log, the sub-GHz configuration of a dual band hub, and the
joins it accepts.

Device log rules (gbcs_security.md section 8, MAP CCS01/CCS02/CS14):
- 8.11 Add (CCS01): a device already in the log is left as it is (success); otherwise it is added with
  its install code and may join for JoinTimePeriod seconds; every change raises 0x8F12 (CS14) with a
  backup of the log.
- 8.11 Remove (CCS02): the entry goes to the Historic Device Log (15 entries, oldest dropped), except
  an HHT's; 0x8F12 again.
- Only a device in the log, inside its join period, presenting the link key derived from the
  whitelisted install code, can join. Nothing reaches a device that has not joined.
- 8.12.1 Restore (CCS03) gives a new CHF the old one's log as the DCC backed it up (device IDs and
  hashed link keys): a device whose link key hashes to the restored value may join it at once, and
  tells its supplier it joined another SMHAN (0x8183).
- A hand-held terminal that adds itself over Inter-PAN is logged as an HHT (harness.emulators.hub); the
  CHF drops it 65535 s after adding it, not into the historic log.

What 6.2.4 and 11.2 read of the hub: its model and manufacturer (the CH's profile) and the firmware it runs. 11.3
finds no image to activate (noImageHeld): the CSP upgrades a hub by running the new firmware at once.

Variants: a CHTS v1.0 hub runs ZigBee 1.2a, a v1.1 hub ZigBee 1.4. Only a v1.1 Dual Band hub has a sub-GHz
radio, and only it answers the sub-GHz SRs 6.28-6.32.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from harness.catalogue import DeviceType, RemotePartyRole
from harness.emulators import zigbee
from harness.emulators.device import CommandFailed, EmulatedDevice, execute_when_due, handles
from harness.eui import EntityId
from harness.gbcs.axdr import Data
from harness.gbcs.frame import GeneralSigning
from harness.han.duty_cycle import Thresholds
from harness.usecases import chf as chf_usecases
from harness.usecases import device_log, sub_ghz_alerts
from harness.usecases.firmware_activation import FDA_CS06, activation_outcome
from harness.usecases.records import DeviceLogBackup
from harness.usecases.records import DeviceLogEntry as BackupEntry

if TYPE_CHECKING:
    from harness.emulators.hub import CommunicationsHub

HISTORIC_LOG_SIZE = 15
CS14_DEVICE_LOG_CHANGED = 0x0018
ALERT_DEVICE_LOG_CHANGED = 0x8F12
HHT_LOG_LIFETIME_S = 65535      # the CHF removes an HHT this long after adding it
# Frequency agility: page 28's channels 0-26 when 6.28 has not narrowed them; at most 7 changes a week (the
# upper bound of 6.28's MaximumSubGHzChannelChangesPerWeek) until 6.28 sets the limit.
SUB_GHZ_CHANNELS, MAX_CHANNEL_CHANGES_PER_WEEK = 27, 7
# The sub-GHz configuration a dual band CHF holds until 6.28 sets one (as 6.30 reads it): what this model acts
# on (page 28's channels, the duty cycle thresholds of harness.han.duty_cycle.Thresholds, the weekly channel
# changes above); the settings it does not act on are the RTDS DBCH03 response's.
DEFAULT_SUB_GHZ_CONFIGURATION: dict[str, object] = {
    "LowerBandSubGHzChannels0To26": list(range(SUB_GHZ_CHANNELS)), "LowerBandSubGHzChannels27To34": [],
    "LowerBandSubGHzChannels35To61": [], "UpperBandSubGHzChannels0To26": [],
    "NormalLimitedDutyCycleThreshold": Decimal("1.30"), "LimitedCriticalDutyCycleThreshold": Decimal("2.20"),
    "MaximumSubGHzChannelChangesPerWeek": MAX_CHANNEL_CHANGES_PER_WEEK, "GSMECurfew": 6, "ChannelQuieterThreshold": 6,
    "ChannelNoisierThreshold": 10, "NonGSMEPoorCommsPercentageThreshold": Decimal("50.50"),
    "NonGSMEPoorCommsMeasurementPeriods": 125, "LocalCHNoiseMeasurementPeriod": 90,
    "LocalCHFailurePercentage": Decimal("50.00"), "LocalCHRetryPercentage": Decimal("30.00")}
# The signal strength the CHF reports of every link (8.9): the HAN model has none, so the average RSSI of the
# public RTDS 4.5.0 CCS06 response's first device (SmartDCCInnovation/gbcs-parser).
LINK_RSSI_DBM = -50


def hashed_link_key(key: bytes) -> bytes:
    """What a device log backup keeps of a link key (so a restore can check a rejoining device)."""
    return hashlib.sha256(key).digest()[:16]


@dataclass
class DeviceLogEntry:
    """A device in the CHF's Device Log: whitelisted with its install code for a join period, then joined."""

    device_id: EntityId
    install_code: bytes
    join_until: dt.datetime
    link_key: bytes | None = None
    last_communication: dt.datetime | None = None
    restored_key_hash: bytes | None = None       # from 8.12.1: the device rejoins with its own link key
    hht: bool = False

    @property
    def joined(self) -> bool:
        return self.link_key is not None


class CommunicationsHubFunction(EmulatedDevice):
    device_type = DeviceType.CHF
    critical_signer = RemotePartyRole.ACCESS_CONTROL_BROKER   # it holds no User's key: the DCC signs them
    chts_version = "CHTS v1.1"            # CHTS v1.0 | CHTS v1.1 (the lab sets them from the CH's profile)
    han_variant = "Single Band"           # Single Band | Dual Band
    firmware_version = "01010001"         # what 11.2 reads (the lab sets it from the Device Asset Library)
    # what 6.2.4 reads (the lab sets them from the CH's profile; these are the lab's make and model of a device
    # with no profile)
    model_type, manufacturer = "0001", "DIT0"

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.device_log: OrderedDict[EntityId, DeviceLogEntry] = OrderedDict()
        self.historic_log: OrderedDict[EntityId, bytes] = OrderedDict()
        self.hub: CommunicationsHub | None = None
        self.registering_hht: EntityId | None = None
        self.sub_ghz_configuration: dict[str, str] = chf_usecases.configuration_names(DEFAULT_SUB_GHZ_CONFIGURATION)
        self.sub_ghz_channel = 1
        self.channel_log: list[tuple[dt.datetime, Data]] = []     # the Sub GHz Channel Log: (time, its row)

    @property
    def dual_band(self) -> bool:
        return self.han_variant == "Dual Band"

    @property
    def zigbee_version(self) -> str:
        return "1.2a" if self.chts_version == "CHTS v1.0" else "1.4"

    # -- sub-GHz (dual band only) ---------------------------------------------------------------------

    def _sub_ghz_radio(self) -> None:
        if not self.dual_band:
            raise CommandFailed(f"a {self.chts_version} {self.han_variant} hub has no sub-GHz radio")

    def sub_ghz_alert(self, code: int, payload: sub_ghz_alerts.AlertPayload) -> None:
        """One of the sub-GHz alerts with a use case of its own (DBCH06-DBCH11) to the DCC, MAC'd as the RTDS has
        them."""
        self.raise_alert(code, message_code=sub_ghz_alerts.MESSAGE_CODES[code], payload=payload, to=self._dcc_entity())

    @handles("ECS52")
    def _read_firmware_version(self, fields: dict, apdu: GeneralSigning) -> dict:
        """11.2: the firmware the hub runs (a CSP's CH upgrade changes it)."""
        return {"FirmwareVersion": self.firmware_version}

    @handles("CS06")
    def _activate_firmware(self, fields: dict, apdu: GeneralSigning) -> dict:
        """11.3: a CHF holds no image to activate, so noImageHeld, with the version it runs (now or at the command's
        execution time). Its firmware comes from its CSP, which upgrades the hub by running the new release at once
        (CommunicationsHub.upgrade, SECMP0024), leaving no image delivered but not run; 11.1 sends images to meters
        over the HAN, never to the CHF."""
        return execute_when_due(self, fields, apdu, lambda: activation_outcome("noImageHeld", self.firmware_version),
                                FDA_CS06)

    @handles("ECS26i", "ECS26n")
    def _read_identity(self, fields: dict, apdu: GeneralSigning) -> dict:
        """6.2.4, for the ACB: the hub's model and manufacturer (ECS26i also reads its device id)."""
        return {"ModelType": self.model_type, "ManufacturerIdentifier": self.manufacturer}

    @handles("DBCH04")
    def _set_sub_ghz_configuration(self, fields: dict, apdu: GeneralSigning) -> dict:
        """6.28: the CHF holds the configuration as 6.30 reads it back (its MMC names)."""
        self._sub_ghz_radio()
        self.sub_ghz_configuration = {k.removeprefix(f"{chf_usecases.SET_CONFIGURATION}/"): v
                                      for k, v in fields.items() if k not in ("UseCase", "SRV")}
        if self.hub is not None:       # the duty cycle thresholds the CH acts on (percent, as DUIS gives them)
            given = {k.rsplit("/", 1)[-1]: v for k, v in self.sub_ghz_configuration.items()}
            current = self.hub.han.thresholds
            self.hub.han.thresholds = Thresholds(
                float(given.get("NormalLimitedDutyCycleThreshold", current.limited)),
                float(given.get("LimitedCriticalDutyCycleThreshold", current.critical)), current.regulated)
        self.sub_ghz_alert(sub_ghz_alerts.CONFIGURATION_CHANGED,
                           sub_ghz_alerts.configuration_changed(self.sub_ghz_configuration))
        return {}

    @handles("DBCH03")
    def _read_sub_ghz_configuration(self, fields: dict, apdu: GeneralSigning) -> dict:
        self._sub_ghz_radio()
        return dict(self.sub_ghz_configuration)

    @handles("DBCH01")
    def _read_sub_ghz_channel(self, fields: dict, apdu: GeneralSigning) -> dict:
        self._sub_ghz_radio()                  # the HAN runs on page 28: the lower band's channels 0-26
        return chf_usecases.operating_channel_names("Lower", self.sub_ghz_channel)

    @handles("DBCH05")
    def _request_channel_scan(self, fields: dict, apdu: GeneralSigning) -> dict:
        self._sub_ghz_radio()
        if (hub := self.hub) is not None:           # the scan runs once the response is on its way
            self.clock.call_later(0, lambda: hub.frequency_agility("RemotePartyCommand"), "sub-GHz scan")
        return {"StatusCode": "ScanRequestAccepted"}

    @handles("DBCH02")
    def _read_channel_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        """6.32: the Sub GHz Channel Log's entries in the period (the channel changes frequency agility made)."""
        self._sub_ghz_radio()
        start, end = (dt.datetime.fromisoformat(fields[f"ReadLogPeriod/{k}"].replace("Z", "+00:00"))
                      for k in ("StartDateTime", "EndDateTime"))
        return device_log.channel_log_outcome([row for when, row in self.channel_log if start <= when <= end])

    # -- device log --------------------------------------------------------------------------------

    @handles("CCS01")
    def _add(self, fields: dict, apdu: GeneralSigning) -> dict:
        device = EntityId(fields["DeviceID"])
        if device in self.device_log:
            return {"DeviceID": device.duis, "Added": "false"}
        try:
            code = bytes.fromhex(fields["AddDeviceToCHFWhitelist/InstallCode"])
            period = int(fields["AddDeviceToCHFWhitelist/JoinTimePeriod"])
        except (KeyError, ValueError):
            raise CommandFailed("8.11 Add needs an install code and a join time period") from None
        entry = DeviceLogEntry(device, code, self.clock.now() + dt.timedelta(seconds=period))
        if device == self.registering_hht:          # a terminal that added itself over Inter-PAN
            entry.hht = True
            self.clock.call_later(HHT_LOG_LIFETIME_S, lambda: self._expire_hht(entry), f"{self} HHT removal")
        self.device_log[device] = entry
        self._log_changed()
        return {"DeviceID": device.duis, "Added": "true"}

    def forget_hht(self, terminal: EntityId) -> None:
        """An HHT closed its tunnel: off the device log, so the CH takes nothing more from it over Inter-PAN."""
        entry = self.device_log.get(terminal)
        if entry is not None and entry.hht:
            del self.device_log[terminal]
            self.note(f"HHT {terminal} removed from the device log: it closed its tunnel")
            self._log_changed()

    def _expire_hht(self, entry: DeviceLogEntry) -> None:
        if self.device_log.get(entry.device_id) is entry:
            del self.device_log[entry.device_id]
            self.note(f"HHT {entry.device_id} removed from the device log after {HHT_LOG_LIFETIME_S} s")
            self._log_changed()

    @handles("CCS02")
    def _remove(self, fields: dict, apdu: GeneralSigning) -> dict:
        device = EntityId(fields["DeviceID"])
        entry = self.device_log.pop(device, None)
        if entry is None:
            raise CommandFailed(f"{device} is not in the device log")
        if entry.link_key is not None and not entry.hht:
            self.historic_log[device] = entry.link_key
            self.historic_log.move_to_end(device)
            while len(self.historic_log) > HISTORIC_LOG_SIZE:
                self.historic_log.popitem(last=False)
        if self.hub is not None:
            self.hub.detach(device)
        self._log_changed()
        return {"DeviceID": device.duis}

    @handles("CCS03")
    def _restore(self, fields: dict, apdu: GeneralSigning) -> dict:
        """8.12.1: the replaced CHF's log from the DCC's backup; those devices may rejoin here, on a network
        with the Extended PAN ID the backup gives."""
        if fields.get("Backup/ExtendedPANID"):
            self.note(f"forms the SMHAN with Extended PAN ID {fields['Backup/ExtendedPANID']}")
        restored = 0
        for key, value in fields.items():
            if key.startswith("Backup/Device[") and key.endswith("/DeviceID"):
                device = EntityId(value)
                hashed = fields.get(key.replace("DeviceID", "HashedLinkKey"))
                entry = DeviceLogEntry(device, b"", self.clock.now(),
                                       restored_key_hash=hashed if isinstance(hashed, bytes) and hashed else None)
                self.device_log[device] = entry
                restored += 1
        self._log_changed()
        return {"Restored": str(restored)}

    @handles("CCS06", "CCS05CCS04")
    def _read_device_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        """8.9: each device in the log, when the CHF last heard it and the link's signal strength."""
        return device_log.active_devices_outcome([(e.device_id, e.last_communication, LINK_RSSI_DBM)
                                                  for e in self.device_log.values()])

    @handles("CCS07")
    def _read_device_logs(self, fields: dict, apdu: GeneralSigning) -> dict:
        """8.9 with security details: the Device Log and the Historic Device Log with hashed TC link keys (none
        until a device has joined), and the hub's Extended PAN ID the backups carry."""
        current = [(e.device_id, hashed_link_key(e.link_key) if e.link_key else e.restored_key_hash or b"")
                   for e in self.device_log.values()]
        historic = [(eui, hashed_link_key(key)) for eui, key in self.historic_log.items()]
        return {**device_log.device_logs_outcome(current, historic), "ExtendedPANID": bytes(self.extended_pan_id).hex()}

    @property
    def extended_pan_id(self) -> EntityId:
        """The hub's Extended PAN ID: its GPF's Entity Identifier, printed on the hub (gbcs_security.md 10)."""
        return self.hub.gpf.eui if self.hub else self.eui

    def _log_changed(self) -> None:
        """CS14 to the DCC (the ACB cell): a backup of the Device Log, which it keeps for a CH replacement.
        A device's hashed link key is empty until it has joined (or its restored one, after 8.12.1)."""
        entries = tuple(BackupEntry(e.device_id, hashed_link_key(e.link_key) if e.link_key else
                                    (e.restored_key_hash or b"")) for e in self.device_log.values())
        backup = DeviceLogBackup(bytes(self.extended_pan_id), entries)
        self.raise_alert(ALERT_DEVICE_LOG_CHANGED, message_code=CS14_DEVICE_LOG_CHANGED, to=self._dcc_entity(),
                         payload=chf_usecases.device_log_backup_alert(backup))

    def accept_join(self, device: EntityId, presented_key: bytes) -> bool:
        entry = self.device_log.get(device)
        if entry is None:
            self.note(f"join refused: {device} is not in the device log")
            return False
        if entry.joined:
            return entry.link_key == presented_key
        if entry.restored_key_hash is not None:
            if hashed_link_key(presented_key) != entry.restored_key_hash:
                self.note(f"join refused: {device}'s link key is not the one restored for it")
                return False
        elif self.clock.now() > entry.join_until:
            self.note(f"join refused: the join period for {device} ended at {entry.join_until:%H:%M:%S}")
            return False
        elif zigbee.link_key(entry.install_code) != presented_key:
            self.note(f"join refused: {device} presented a link key its install code does not give")
            return False
        entry.link_key = presented_key
        entry.last_communication = self.clock.now()
        self.note(f"{device} joined")
        self._log_changed()
        return True
