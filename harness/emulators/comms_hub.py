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
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from dataclasses import dataclass

from harness.catalogue import DeviceType
from harness.emulators import zigbee
from harness.emulators.device import CommandFailed, EmulatedDevice, handles
from harness.emulators.han import HanNetwork
from harness.eui import EntityId
from harness.gbcs.frame import GbcsMessage, GeneralSigning, MalformedMessage

HISTORIC_LOG_SIZE = 15
JOIN_RETRY_S = 60.0
JOIN_ATTEMPTS = 120                       # a powered device keeps trying for two hours
CS14_DEVICE_LOG_CHANGED = 0x0018
ALERT_DEVICE_LOG_CHANGED = 0x8F12
ALERT_HAN_LOG = 0x8F69          # first join (the DIT I&C packs: "Device Alert HAN Log")
ALERT_JOINED_SMHAN = 0x8183     # joining another CH's SMHAN, as after a CH replacement


@dataclass
class DeviceLogEntry:
    device_id: EntityId
    install_code: bytes
    join_until: dt.datetime
    link_key: bytes | None = None
    last_communication: dt.datetime | None = None

    @property
    def joined(self) -> bool:
        return self.link_key is not None


class HanDevice(EmulatedDevice):
    """A device that lives on a HAN: it must join a CHF before anything reaches it."""

    sleepy = False

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
        self.joined_devices: set[EntityId] = set()

    @handles("CS03A1", "CS03A2Critical", "CS03A2NonCritical", "CS03B", "CS03CCritical", "CS03CNonCritical")
    def _join(self, fields: dict, apdu: GeneralSigning) -> dict:
        other = EntityId(fields["OtherDeviceID"])
        entry = self.hub.chf.device_log.get(other) if self.hub else None
        if entry is None or not entry.joined:
            raise CommandFailed(f"{other} has not joined this HAN")
        self.joined_devices.add(other)
        return {"OtherDeviceID": other.duis}

    @handles("CS04ACCritical", "CS04ACNonCritical", "CS04B")
    def _unjoin(self, fields: dict, apdu: GeneralSigning) -> dict:
        other = EntityId(fields["OtherDeviceID"])
        if other not in self.joined_devices:
            raise CommandFailed(f"{other} is not joined to this device")
        self.joined_devices.discard(other)
        return {"OtherDeviceID": other.duis}


class GasProxyFunction(EmulatedDevice):
    device_type = DeviceType.GPF

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.gsme: EntityId | None = None
        self.hub: CommunicationsHub | None = None

    @handles("CS03B")
    def _join(self, fields: dict, apdu: GeneralSigning) -> dict:
        """8.7.2 to the GPF with the GSME as the other device: the GPF starts mirroring that GSME."""
        other = EntityId(fields["OtherDeviceID"])
        hub = self.hub
        if hub is None or other not in hub.chf.device_log or not hub.chf.device_log[other].joined:
            raise CommandFailed(f"{other} has not joined this HAN")
        self.gsme = other
        return {"OtherDeviceID": other.duis}

    @handles("CS04B")
    def _unjoin(self, fields: dict, apdu: GeneralSigning) -> dict:
        other = EntityId(fields["OtherDeviceID"])
        if self.gsme != other:
            raise CommandFailed(f"{other} is not joined to this GPF")
        self.gsme = None
        return {"OtherDeviceID": other.duis}


class CommunicationsHubFunction(EmulatedDevice):
    device_type = DeviceType.CHF

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.device_log: OrderedDict[EntityId, DeviceLogEntry] = OrderedDict()
        self.historic_log: OrderedDict[EntityId, bytes] = OrderedDict()
        self.hub: CommunicationsHub | None = None

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
        self.device_log[device] = DeviceLogEntry(device, code, self.clock.now() + dt.timedelta(seconds=period))
        self._log_changed()
        return {"DeviceID": device.duis, "Added": "true"}

    @handles("CCS02")
    def _remove(self, fields: dict, apdu: GeneralSigning) -> dict:
        device = EntityId(fields["DeviceID"])
        entry = self.device_log.pop(device, None)
        if entry is None:
            raise CommandFailed(f"{device} is not in the device log")
        hht = self.hub is not None and self.hub.device_type_of(device) is DeviceType.HHT
        if entry.link_key is not None and not hht:
            self.historic_log[device] = entry.link_key
            self.historic_log.move_to_end(device)
            while len(self.historic_log) > HISTORIC_LOG_SIZE:
                self.historic_log.popitem(last=False)
        if self.hub is not None:
            self.hub.detach(device)
        self._log_changed()
        return {"DeviceID": device.duis}

    @handles("CCS06", "CCS05CCS04", "CCS07")
    def _read_device_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        out: dict[str, str] = {"Entries": str(len(self.device_log))}
        for i, entry in enumerate(self.device_log.values(), 1):
            out[f"Device[{i}]/DeviceID"] = entry.device_id.duis
            out[f"Device[{i}]/Joined"] = "true" if entry.joined else "false"
            if entry.last_communication:
                out[f"Device[{i}]/LastCommunication"] = entry.last_communication.isoformat()
        return out

    def _log_changed(self) -> None:
        backup = {}
        for i, entry in enumerate(self.device_log.values(), 1):
            backup[f"Device[{i}]/DeviceID"] = entry.device_id.duis
            hashed = hashlib.sha256(entry.link_key).digest()[:16] if entry.link_key else b""
            backup[f"Device[{i}]/HashedLinkKey"] = hashed
        # CS14 goes to the DCC (the ACB cell): it keeps the backup for a CH replacement.
        self.raise_alert(ALERT_DEVICE_LOG_CHANGED, backup, message_code=CS14_DEVICE_LOG_CHANGED,
                         to=self._dcc_entity())

    def accept_join(self, device: EntityId, presented_key: bytes) -> bool:
        entry = self.device_log.get(device)
        if entry is None:
            self.note(f"join refused: {device} is not in the device log")
            return False
        if entry.joined:
            return entry.link_key == presented_key
        if self.clock.now() > entry.join_until:
            self.note(f"join refused: the join period for {device} ended at {entry.join_until:%H:%M:%S}")
            return False
        if zigbee.link_key(entry.install_code) != presented_key:
            self.note(f"join refused: {device} presented a link key its install code does not give")
            return False
        entry.link_key = presented_key
        entry.last_communication = self.clock.now()
        self.note(f"{device} joined")
        self._log_changed()
        return True


class CommunicationsHub:
    """A CHF and its GPF, the HAN they run, and the devices that have joined it."""

    def __init__(self, chf: CommunicationsHubFunction, gpf: GasProxyFunction, han: HanNetwork):
        self.chf, self.gpf, self.han = chf, gpf, han
        chf.hub = gpf.hub = self
        self.members: dict[EntityId, HanDevice] = {}
        self._gsme_queue: dict[EntityId, list[bytes]] = {}
        self.wan_uplink = None
        chf.uplink = gpf.uplink = self.to_wan

    def device_type_of(self, device: EntityId) -> DeviceType | None:
        member = self.members.get(device)
        return member.device_type if member else None

    # -- HAN membership ------------------------------------------------------------------------------

    def join(self, device: HanDevice, presented_key: bytes) -> bool:
        if not self.chf.accept_join(device.eui, presented_key):
            return False
        self.members[device.eui] = device
        device.uplink = lambda data, d=device: self.han.transmit(data, lambda x: self._from_han(d, x),
                                                                 f"HAN {d} -> CHF")
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
        for data in self._gsme_queue.get(device.eui, [])[:]:
            self._gsme_queue[device.eui].remove(data)
            self.han.transmit(data, device.receive, f"HAN CHF -> {device}")
        self.chf.clock.call_later(self.han.timing.gsme_poll_interval_s, lambda: self._poll(device), f"{device} poll")

    # -- routing -------------------------------------------------------------------------------------

    def from_wan(self, data: bytes) -> None:
        """A message from the DCC over the SM WAN: for the CHF, the GPF, or a device on the HAN."""
        try:
            recipient = GbcsMessage.decode(data).apdu.recipient
        except MalformedMessage:
            self.chf.receive(data)           # the CHF reports the malformed message
            return
        if recipient == self.chf.eui:
            self.chf.receive(data)
        elif recipient == self.gpf.eui:
            self.gpf.receive(data)
        elif recipient in self.members:
            member = self.members[recipient]
            entry = self.chf.device_log.get(recipient)
            if entry is not None:
                entry.last_communication = self.chf.clock.now()
            if member.sleepy:
                self._gsme_queue[recipient].append(data)
            else:
                self.han.transmit(data, member.receive, f"HAN CHF -> {member}")
        else:
            self.chf.note(f"no route to {recipient}: not joined to this HAN")

    def _from_han(self, device: HanDevice, data: bytes) -> None:
        entry = self.chf.device_log.get(device.eui)
        if entry is not None:
            entry.last_communication = self.chf.clock.now()
        self.to_wan(data)

    def to_wan(self, data: bytes) -> None:
        if self.wan_uplink is None:
            self.chf.note("no SM WAN connection: message dropped")
            return
        self.wan_uplink(data)
