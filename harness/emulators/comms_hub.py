"""The Communications Hub: its CHF (device log, HAN routing, WAN link) and its GPF, and the HAN devices
that join it.

CHF device log rules (gbcs_security.md section 8, MAP CCS01/CCS02/CS14):
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

Local Command Delivery (DIT no-WAN pack, GBCS 10.5.3.3): for 60 minutes from power-on the CH listens on
Inter-PAN. A hand-held terminal that hands it a CCS01 adding itself is logged as an HHT; from then on
the terminal may hand it commands, which the CH routes as if they came over the SM WAN, and while the
tunnel is open what the CH would send up the SM WAN goes to the terminal when there is no SM WAN. The
CHF drops an HHT from its log 65535 s after adding it (not into the historic log); closing the tunnel or
power-cycling the CH ends the session.

Firmware: an image the DSP distributes (11.1) reaches the CH over the SM WAN and goes over the HAN to
each target that has joined; the CH reports each transfer to the DCC with CCS08 (0x8F8A, or 0x8F89 and
the reason).

Variants: a CHTS v1.0 hub runs ZigBee 1.2a, a v1.1 hub ZigBee 1.4; both take 1.2a and 1.4 devices. Only
a v1.1 Dual Band hub has a sub-GHz radio: a sub-GHz capable device joins it there (at the lower sub-GHz
bit rate), and only it answers the sub-GHz SRs 6.28-6.32. The CSP can upgrade a v1.0 hub to v1.1 (DIT.9):
the hub restarts on ZigBee 1.4 with its device log, and the devices rejoin it with the keys they have.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from harness.catalogue import DeviceType
from harness.emulators import zigbee
from harness.emulators.device import CommandFailed, EmulatedDevice, handles
from harness.emulators.han import BAND_24GHZ, SUB_GHZ, SUB_GHZ_CLUSTER, HanNetwork
from harness.emulators.metering import GasProxyMirror
from harness.eui import EntityId
from harness.gbcs.axdr import Data, PayloadError
from harness.gbcs.firmware_image import MalformedImage, parse_image
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning, MalformedMessage
from harness.han.duty_cycle import STATES as DUTY_STATES
from harness.han.duty_cycle import Thresholds
from harness.usecases import chf as chf_usecases
from harness.usecases import device as device_side
from harness.usecases import device_log
from harness.usecases import firmware as firmware_alerts
from harness.usecases import joins
from harness.usecases.records import DeviceLogBackup
from harness.usecases.records import DeviceLogEntry as BackupEntry
from harness.usecases import sub_ghz_alerts

HISTORIC_LOG_SIZE = 15
JOIN_RETRY_S = 60.0
JOIN_ATTEMPTS = 120                       # a powered device keeps trying for two hours
CS14_DEVICE_LOG_CHANGED = 0x0018
ALERT_DEVICE_LOG_CHANGED = 0x8F12
ALERT_HAN_LOG = 0x8F69          # first join (the DIT I&C packs: "Device Alert HAN Log")
ALERT_JOINED_SMHAN = 0x8183     # joining another CH's SMHAN, as after a CH replacement
ALERT_GPF_LOG_CHANGED, GCS62_GPF_LOG_BACKUP = 0x8071, 0x00B2
INTER_PAN_WINDOW_S = 3600       # Inter-PAN listens for 60 minutes from CH power-on
HHT_LOG_LIFETIME_S = 65535      # the CHF removes an HHT this long after adding it
CCS08_FIRMWARE_TRANSFER = 0x0128
TRANSFER_FAILED, TRANSFER_SUCCEEDED = 0x8F89, 0x8F8A
# Sub-GHz duty cycle management: the suspend period is Silicon Labs' default (GB does not publish one); the
# alerts for falling back below a threshold, by the state left.
SUSPEND_PERIOD_S = 300
# Frequency agility: page 28's channels 0-26 when 6.28 has not narrowed them; at most 7 changes a week (the
# upper bound of 6.28's MaximumSubGHzChannelChangesPerWeek) until 6.28 sets the limit.
SUB_GHZ_CHANNELS, MAX_CHANNEL_CHANGES_PER_WEEK, WEEK_S = 27, 7, 7 * 86400
DUTY_FALLEN = {"Limited": 0x8F21, "Critical": 0x8F23, "Regulated": 0x8F25}
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
HAN_FIRMWARE_BYTES_PER_S = 2_500    # OTA block transfer over the HAN, a few kbit/s of payload
# The signal strength the CHF reports of every link (8.9): the HAN model has none, so the average RSSI of the
# public RTDS 4.5.0 CCS06 response's first device (SmartDCCInnovation/gbcs-parser).
LINK_RSSI_DBM = -50


def hashed_link_key(key: bytes) -> bytes:
    """What a device log backup keeps of a link key (so a restore can check a rejoining device)."""
    return hashlib.sha256(key).digest()[:16]


@dataclass
class DeviceLogEntry:
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


class HanDevice(EmulatedDevice):
    """A device that lives on a HAN: it must join a CHF before anything reaches it."""

    sleepy = False
    bands: frozenset[str] = frozenset({BAND_24GHZ})       # from its device profile
    zigbee_version = "1.4"

    def __init__(self, eui: EntityId, *, install_code: bytes, **kwargs):
        super().__init__(eui, **kwargs)
        self.install_code = install_code
        self.hub: CommunicationsHub | None = None
        self.joined_to: EntityId | None = None
        self.joined_before: set[EntityId] = set()
        self._join_attempts = 0
        self.powered = False

    def power_on(self) -> None:
        self.powered = True
        self._join_attempts = 0
        self.note("powered on")
        self._try_join()

    def power_off(self) -> None:
        self.powered = False
        self.note("powered off")

    def move_to(self, hub: "CommunicationsHub") -> None:
        """Its CH was replaced: it looks for the new one's SMHAN."""
        self.hub, self.joined_to, self._join_attempts = hub, None, 0
        self.clock.call_later(JOIN_RETRY_S, self._try_join, f"{self} join retry")

    def _try_join(self) -> None:
        if not self.powered or self.joined_to is not None or self.hub is None:
            return
        self._join_attempts += 1
        if self.hub.join(self, zigbee.link_key(self.install_code)):
            chf = self.hub.chf.eui
            first = not self.joined_before
            self.joined_to = chf
            self.joined_before.add(chf)
            self.note(f"joined the SMHAN of {chf}")
            # Addressed as every alert: to the Supplier cell's holder, so the ACB while configured as new.
            self.raise_alert(ALERT_HAN_LOG if first else ALERT_JOINED_SMHAN)
        elif self._join_attempts < JOIN_ATTEMPTS:
            self.clock.call_later(JOIN_RETRY_S, self._try_join, f"{self} join retry")
        else:
            self.note("gave up joining")


class PairedDevice(HanDevice):
    """A HAN device that other HAN devices are joined to (8.7.x) and unjoined from (8.8.x)."""

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.joined_devices: dict[EntityId, int | None] = {}        # its Device Log: id -> ASN.1 device type

    @handles(*joins.JOINS)
    def _join(self, fields: dict, apdu: GeneralSigning) -> dict:
        """8.7.x: a device of the right type, by the method its message code says, that is on this HAN (an
        entry already there for another device type is refused); the outcome as the MMC response names it."""
        other, kind = EntityId(fields["OtherDeviceID"]), fields.get("OtherDeviceType")
        refused = joins.join_refusal(fields["UseCase"], self.device_type, fields)
        if refused is None:
            refused = _not_on_han(self, other, fields)
        held = self.joined_devices.get(other)
        if refused is None and None not in (held, kind) and held != kind:
            refused = joins.JOIN_RESPONSES["incompatibleWithExistingEntry"]
        if refused is not None:
            self.note(f"join of {other} refused: {joins.join_outcome(refused)['joinResponseCode/ASN1Status']}")
            return joins.join_outcome(refused)
        self.joined_devices[other] = kind
        return joins.join_outcome(joins.JOINED)

    @handles(*joins.UNJOINS)
    def _unjoin(self, fields: dict, apdu: GeneralSigning) -> dict:
        other = EntityId(fields["OtherDeviceID"])
        if self.joined_devices.pop(other, _ABSENT) is _ABSENT:
            return joins.unjoin_outcome(joins.UNJOIN_RESPONSES["notInDeviceLog"])
        return joins.unjoin_outcome(joins.UNJOINED)


_ABSENT = object()


def _not_on_han(device: EmulatedDevice, other: EntityId, fields: dict) -> int | None:
    """A join with a device that is not on this HAN gets no link key: method A's key establishment has no one
    to answer (noCBKEResponse), methods B and C get no partner link key from the trust centre (this model's
    reading of the codes: GBCS names them, not when each is given)."""
    hub = getattr(device, "hub", None)
    entry = hub.chf.device_log.get(other) if hub else None
    if entry is not None and entry.joined:
        return None
    method = fields.get("JoinMethodAndRole")
    if method in (joins.METHOD_A_INITIATOR, joins.METHOD_A_RESPONDER):
        return joins.JOIN_RESPONSES["noCBKEResponse"]
    return joins.JOIN_RESPONSES["noPartnerLinkKeyReceived"]


class GasProxyFunction(GasProxyMirror, EmulatedDevice):
    """The GPF: it mirrors the GSME it is joined with (answering gas reads from that data) and serves
    PPMIDs and IHDs with it; its own device log is backed up to the DCC (0x8071) on every change."""

    device_type = DeviceType.GPF

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.gsme: EntityId | None = None
        self.joined_devices: dict[EntityId, int | None] = {}        # displays: id -> ASN.1 device type
        self.hub: CommunicationsHub | None = None
        self.access_restricted_from: str | None = None

    def mirrored_gsme(self):
        member = self.hub.members.get(self.gsme) if self.hub and self.gsme else None
        return member

    @handles("CS03B")
    def _join(self, fields: dict, apdu: GeneralSigning) -> dict:
        """8.7.2 to the GPF (method B): with the GSME it starts mirroring that GSME; with a PPMID or IHD it
        serves that display gas data."""
        other = EntityId(fields["OtherDeviceID"])
        kind = fields["OtherDeviceType"]
        refused = joins.join_refusal(fields["UseCase"], self.device_type, fields)
        if refused is None:
            refused = _not_on_han(self, other, fields)
        if refused is not None:
            return joins.join_outcome(refused)
        if kind == joins.ASN1_DEVICE_TYPES[DeviceType.GSME]:
            self.gsme = other
        else:
            self.joined_devices[other] = kind
        self._log_changed()
        return joins.join_outcome(joins.JOINED)

    @handles("CS04B")
    def _unjoin(self, fields: dict, apdu: GeneralSigning) -> dict:
        other = EntityId(fields["OtherDeviceID"])
        if self.gsme == other:
            self.gsme = None
        elif self.joined_devices.pop(other, _ABSENT) is _ABSENT:
            return joins.unjoin_outcome(joins.UNJOIN_RESPONSES["notInDeviceLog"])
        self._log_changed()
        return joins.unjoin_outcome(joins.UNJOINED)

    @handles("GCS59")
    def _restore_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        """8.12.2: the old GPF's log, as the DCC backed it up: the GSME it mirrored and the displays it served,
        each taken back (the outcome per entry, as the MMC response names it)."""
        gsme_type = joins.ASN1_DEVICE_TYPES[DeviceType.GSME]
        entries = [(EntityId(v), fields.get(k.replace("/DeviceID", "/DeviceType"))) for k, v in fields.items()
                   if k.startswith("Backup/Device[") and k.endswith("/DeviceID")]
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

    def _log_changed(self) -> None:
        """GCS62 to the DCC: the GPF Device Log (its GSME and the devices it serves, with their types)."""
        entries = [(self.gsme, joins.ASN1_DEVICE_TYPES[DeviceType.GSME])] if self.gsme else []
        entries += [(eui, kind) for eui, kind in sorted(self.joined_devices.items(), key=lambda item: str(item[0]))
                    if kind is not None and eui != self.gsme]
        self.raise_alert(ALERT_GPF_LOG_CHANGED, message_code=GCS62_GPF_LOG_BACKUP, to=self._dcc_entity(),
                         payload=joins.gpf_device_log_backup_alert(tuple(entries)))


class CommunicationsHubFunction(EmulatedDevice):
    device_type = DeviceType.CHF
    chts_version = "CHTS v1.1"            # CHTS v1.0 | CHTS v1.1 (the lab sets them from the CH's profile)
    han_variant = "Single Band"           # Single Band | Dual Band

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
        if self.hub is not None:           # the scan runs once the response is on its way
            self.clock.call_later(0, lambda: self.hub.frequency_agility("RemotePartyCommand"), "sub-GHz scan")
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


class LocalTerminal(Protocol):
    """What the CH needs of a hand-held terminal (harness.emulators.hht.HandHeldTerminal)."""

    eui: EntityId

    def collect(self, data: bytes) -> None: ...


class CommunicationsHub:
    """A CHF and its GPF, the HAN they run, and the devices that have joined it."""

    # Sub-GHz devices one hub serves (GBCS 10.6.2.4 has a limit; its value is not public: a model choice, above
    # the six sub-GHz devices of the emulated lab's dual band test sets).
    sub_ghz_capacity = 8

    def __init__(self, chf: CommunicationsHubFunction, gpf: GasProxyFunction, han: HanNetwork):
        self.chf, self.gpf, self.han = chf, gpf, han
        chf.hub = gpf.hub = self
        self.members: dict[EntityId, HanDevice] = {}
        self._gsme_queue: dict[EntityId, list[bytes]] = {}
        self.wan_uplink = None
        self.powered_on_at = chf.clock.now()
        self.terminal: LocalTerminal | None = None
        self.bands: dict[EntityId, str] = {}
        self.suspended: dict[EntityId, object] = {}         # sub-GHz devices told to stop, and their resume events
        self.duty_state = "Normal"
        self.channel_changes: list[float] = []             # when the sub-GHz channel changed (weekly limit)
        han.on_duty_cycle = self._duty_cycle_changed
        han.on_link_problems = self._link_problems
        han.channels[SUB_GHZ] = chf.sub_ghz_channel
        chf.uplink = gpf.uplink = self.to_wan

    def device_type_of(self, device: EntityId) -> DeviceType | None:
        member = self.members.get(device)
        return member.device_type if member else None

    # -- power --------------------------------------------------------------------------------------------

    def power_cycle(self) -> None:
        """Off and on again: the HHT and its tunnel go, Inter-PAN listens for another hour."""
        self.powered_on_at = self.chf.clock.now()
        self.terminal = None
        for entry in [e for e in self.chf.device_log.values() if e.hht]:
            del self.chf.device_log[entry.device_id]

    def remove(self) -> list[HanDevice]:
        """The installer takes this CH off the meter: every device loses its HAN."""
        gone = list(self.members.values())
        for device in gone:
            self.detach(device.eui)
        return gone

    def upgrade(self, chts_version: str = "CHTS v1.1") -> None:
        """The CSP's firmware upgrade (DIT.9: v1.0 to v1.1): the hub restarts on the new stack with its
        device log; the HAN devices lose it for the restart and rejoin with the link keys they hold."""
        self.chf.chts_version = chts_version
        self.chf.note(f"upgraded to {chts_version} (ZigBee {self.chf.zigbee_version})")
        for device in self.remove():
            device.move_to(self)

    # -- HAN membership ------------------------------------------------------------------------------

    def join(self, device: HanDevice, presented_key: bytes) -> bool:
        if not self.chf.accept_join(device.eui, presented_key):
            return False
        # A sub-GHz capable device uses the sub-GHz radio of a dual band hub; everything else is 2.4 GHz.
        band = SUB_GHZ if self.chf.dual_band and SUB_GHZ in device.bands else BAND_24GHZ
        if band == SUB_GHZ and sum(b == SUB_GHZ for b in self.bands.values()) >= self.sub_ghz_capacity:
            self.chf.sub_ghz_alert(sub_ghz_alerts.NO_CAPACITY, sub_ghz_alerts.no_capacity(device.eui))
            if BAND_24GHZ not in device.bands:
                return False                # a sub-GHz-only device has nowhere to go
            band = BAND_24GHZ
        self.members[device.eui] = device
        self.bands[device.eui] = band
        # What DIT.9 triage looks for: a ZigBee 1.2a device on a ZigBee 1.4 hub, and the band it uses.
        self.chf.note(f"{device} (ZigBee {device.zigbee_version}) joined on {band}, hub on ZigBee "
                      f"{self.chf.zigbee_version}")
        device.uplink = lambda data, d=device: self.han.transmit(data, lambda x: self._from_han(d, x),
                                                                 f"HAN {d} -> CHF", band, source=d.eui)
        if device.sleepy:
            self._gsme_queue.setdefault(device.eui, [])
            self.chf.clock.call_later(self.han.timing.gsme_poll_interval_s, lambda: self._poll(device),
                                      f"{device} poll")
        return True

    def detach(self, device: EntityId) -> None:
        member = self.members.pop(device, None)
        if member is not None:
            member.joined_to = None
            member.uplink = None

    def _poll(self, device: HanDevice) -> None:
        if self.members.get(device.eui) is not device:
            return
        band = self.bands.get(device.eui, BAND_24GHZ)
        held = self._gsme_queue.get(device.eui, [])
        self.han.poll(device.eui, band, pending=bool(held))
        for data in held[:]:
            held.remove(data)
            self.han.transmit(data, device.receive, f"HAN CHF -> {device}", band, destination=device.eui)
        self.chf.clock.call_later(self.han.timing.gsme_poll_interval_s, lambda: self._poll(device), f"{device} poll")

    # -- sub-GHz duty cycle management (GBCS 10.6.2.2; the Silicon Labs sub-GHz server as reference) --------

    def _duty_cycle_changed(self, before: str, after: str, percent: float) -> None:
        """The CH's own sub-GHz duty cycle crossed a threshold: act as the state says and tell the DCC."""
        self.duty_state = after
        rising = DUTY_STATES.index(after) > DUTY_STATES.index(before)
        on_sub_ghz = [self.members[e] for e, band in self.bands.items() if band == SUB_GHZ and e in self.members]
        if rising and after == "Limited":
            quiet = [d for d in on_sub_ghz if d.eui not in self.suspended]
            if quiet:           # the most talkative device not already suspended
                device = max(quiet, key=lambda d: (self.han.duty_cycle(d.eui), d.eui))
                self._suspend(device)
                self.chf.sub_ghz_alert(sub_ghz_alerts.LIMITED_DUTY_CYCLE_ACTION,
                                       sub_ghz_alerts.limited_duty_cycle_action(device.eui))
        elif rising and after == "Critical":
            for device in on_sub_ghz:
                if device.eui not in self.suspended:
                    self._suspend(device)
            self.chf.raise_alert(0x8F22, {"DutyCycle": f"{percent:.2f}"}, to=self.chf._dcc_entity())
        elif rising:
            self.chf.raise_alert(0x8F24, {"DutyCycle": f"{percent:.2f}"}, to=self.chf._dcc_entity())
        else:
            self.chf.raise_alert(DUTY_FALLEN[before], {"DutyCycle": f"{percent:.2f}"}, to=self.chf._dcc_entity())

    def _suspend(self, device: HanDevice) -> None:
        """SuspendZCLMessages (ZCL Sub-GHz cluster) for the suspend period; then the device may talk again."""
        self.han.transmit(bytes([0x01, 0x00, 0x00, SUSPEND_PERIOD_S // 60]), lambda _: None,
                          f"HAN CHF -> {device} SuspendZCLMessages", SUB_GHZ, destination=device.eui,
                          cluster=SUB_GHZ_CLUSTER)
        self.suspended[device.eui] = self.chf.clock.call_later(
            SUSPEND_PERIOD_S, lambda: self.suspended.pop(device.eui, None), f"{device} suspension ends")

    def _discarded(self, message: GeneralSigning) -> bool:
        """A message for a suspended sub-GHz device (or any, when Regulated) is discarded and the DCC told."""
        recipient = message.recipient
        if recipient not in self.suspended and not (self.duty_state == "Regulated"
                                                    and self.bands.get(recipient) == SUB_GHZ):
            return False
        self.chf.sub_ghz_alert(sub_ghz_alerts.MESSAGE_DISCARDED, sub_ghz_alerts.message_discarded(message))
        return True

    # -- sub-GHz frequency agility (GBCS 10.6.2.6) ------------------------------------------------------

    def _link_problems(self, device: EntityId | None) -> None:
        """Unicasts failing on the sub-GHz channel: seen by the CH itself, or reported by a device."""
        if not self.chf.dual_band:
            return
        if device is None:
            self.frequency_agility("CHDetectedMessageFailureProblems")
            return
        if self.bands.get(device) != SUB_GHZ:
            return
        self.han.notify_link_problems(device, failures=3)
        member = self.members.get(device)
        gsme = member is not None and member.device_type is DeviceType.GSME
        self.frequency_agility("GSMERequest" if gsme else "SubGHzNon-GSMEDeviceRequest")

    def frequency_agility(self, trigger: str) -> None:
        """Scan the sub-GHz channels (energy detect) and move the HAN off a noisy one, within the week's allowance
        of channel changes (SR 6.28's MaximumSubGHzChannelChangesPerWeek)."""
        current = self.han.channels[SUB_GHZ]
        if trigger == "RemotePartyCommand":             # 6.29's request assessed: this model always takes it
            self.chf.sub_ghz_alert(sub_ghz_alerts.SCAN_ASSESSED,
                                   sub_ghz_alerts.scan_assessed("ScanRequestAccepted", trigger))
        self.chf.raise_alert(0x8F27, {"ScanTrigger": trigger}, to=self.chf._dcc_entity())
        if current not in self.han.interference:
            return                                      # the channel is good: nothing to change
        # the page 28 channels 6.28 allows (all of them while it names none)
        allowed = sorted(int(k.rsplit("Channel", 1)[1]) for k in self.chf.sub_ghz_configuration
                         if k.startswith("LowerBandSubGHzChannels0To26/Channel")) or range(SUB_GHZ_CHANNELS)
        quiet = [c for c in allowed if c not in self.han.interference and c != current]
        now = self.chf.clock.now().timestamp()
        self.channel_changes = [t for t in self.channel_changes if t > now - WEEK_S]
        allowed = int(next((v for k, v in self.chf.sub_ghz_configuration.items()
                            if k.endswith("MaximumSubGHzChannelChangesPerWeek")), MAX_CHANNEL_CHANGES_PER_WEEK))
        if not quiet or len(self.channel_changes) >= allowed:
            self.chf.raise_alert(0x8F2B, {"ScanTrigger": trigger}, to=self.chf._dcc_entity())
            return
        self.channel_changes.append(now)
        self.han.change_channel(quiet[0], update_id=len(self.channel_changes))
        self.chf.sub_ghz_channel = quiet[0]
        when = self.chf.clock.now()
        self.chf.channel_log.append((when, device_log.channel_log_row(when, device_log.CHANNEL_CHANGED, "Lower",
                                                                      quiet[0], trigger)))
        self.chf.sub_ghz_alert(sub_ghz_alerts.CHANNEL_CHANGED, sub_ghz_alerts.channel_changed(quiet[0], trigger))

    # -- routing -------------------------------------------------------------------------------------

    def from_wan(self, data: bytes) -> None:
        """A message from the DCC over the SM WAN (or a terminal): for the CHF, the GPF, or a HAN device."""
        try:
            apdu = GbcsMessage.decode(data).apdu
        except MalformedMessage:
            self.chf.receive(data)           # the CHF reports the malformed message
            return
        recipient = apdu.recipient
        if recipient == self.chf.eui:
            self.chf.receive(data)
        elif recipient == self.gpf.eui:
            self.gpf.receive(data)
        elif recipient in self.members and self._discarded(apdu):
            return
        elif recipient in self.members:
            member = self.members[recipient]
            entry = self.chf.device_log.get(recipient)
            if entry is not None:
                entry.last_communication = self.chf.clock.now()
            if member.sleepy:
                self._gsme_queue[recipient].append(data)
            else:
                self.han.transmit(data, member.receive, f"HAN CHF -> {member}", self.bands[recipient],
                                  destination=recipient)
        else:
            self.chf.note(f"no route to {recipient}: not joined to this HAN")

    def _from_han(self, device: HanDevice, data: bytes) -> None:
        entry = self.chf.device_log.get(device.eui)
        if entry is not None:
            entry.last_communication = self.chf.clock.now()
        self.to_wan(data)

    def to_wan(self, data: bytes) -> None:
        if self.wan_uplink is not None:
            self.wan_uplink(data)
        elif self.terminal is not None:
            self.terminal.collect(data)
        else:
            self.chf.note("no SM WAN connection: message dropped")

    # -- Local Command Delivery -----------------------------------------------------------------------

    def inter_pan(self, terminal: LocalTerminal, data: bytes) -> bool:
        """A terminal hands the CH a command over Inter-PAN; False if the CH will not take it."""
        now = self.chf.clock.now()
        if (now - self.powered_on_at).total_seconds() > INTER_PAN_WINDOW_S:
            self.chf.note(f"Inter-PAN refused from {terminal.eui}: more than 60 minutes since power-on")
            return False
        entry = self.chf.device_log.get(terminal.eui)
        if not (entry is not None and entry.hht) and not self._registers(terminal.eui, data):
            self.chf.note(f"Inter-PAN refused from {terminal.eui}: not an HHT in the device log")
            return False
        self.terminal = terminal
        self.chf.registering_hht = None if entry is not None and entry.hht else terminal.eui
        try:
            self.from_wan(data)                  # the CHF takes it synchronously
        finally:
            self.chf.registering_hht = None
        return True

    def close_tunnel(self, terminal: LocalTerminal) -> None:
        if self.terminal is terminal:
            self.terminal = None

    def _registers(self, terminal: EntityId, data: bytes) -> bool:
        """GBCS 10.5.3.3: a device that provides its own ID and install code in a CCS01 is an HHT."""
        try:
            apdu = GbcsMessage.decode(data).apdu
            fields = device_side.read(apdu, DeviceType.CHF, now=self.chf.clock.now())[1]
        except (MalformedMessage, PayloadError):
            return False
        return apdu.cra_flag is CraFlag.COMMAND and fields.get("UseCase") == "CCS01" and \
            fields.get("DeviceID") == terminal.duis

    # -- firmware distribution ------------------------------------------------------------------------

    def receive_firmware(self, image: bytes, devices: list[EntityId], reference: str) -> None:
        """An 11.1 image from the DSP: pass it over the HAN to each target that has joined. The CCS08 reports name
        the image by its OTA header's version (the DSP's `reference` does not travel in GBCS); an image that is no
        OTA upgrade file the CH discards."""
        try:
            version = parse_image(image).version
        except MalformedImage:
            for device in devices:
                self._transfer_report(device, "00000000", "FirmwareImageDiscarded")
            return
        for device in devices:
            member = self.members.get(device)
            if member is None or not hasattr(member, "receive_firmware"):
                self._transfer_report(device, version, "FileTransferFailure")
                continue
            self.chf.clock.call_later(len(image) / HAN_FIRMWARE_BYTES_PER_S,
                                      lambda m=member: self._deliver_firmware(m, image, version),
                                      f"HAN image -> {member}")

    def _deliver_firmware(self, member: HanDevice, image: bytes, version: str) -> None:
        if self.members.get(member.eui) is not member:
            self._transfer_report(member.eui, version, "FileTransferFailure")
            return
        member.receive_firmware(image)
        self._transfer_report(member.eui, version, "FileTransferSuccess")

    def _transfer_report(self, device: EntityId, version: str, response: str) -> None:
        """CCS08 to the DCC, signed as the RTDS NA_CCS08 sample is."""
        code = TRANSFER_SUCCEEDED if response == "FileTransferSuccess" else TRANSFER_FAILED
        self.chf.raise_alert(code, critical=True, message_code=CCS08_FIRMWARE_TRANSFER, to=self.chf._dcc_entity(),
                             payload=firmware_alerts.transfer_alert(code, device, version, response))
