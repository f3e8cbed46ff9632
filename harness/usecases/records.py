"""What the DSP holds that a request does not carry: its Smart Metering Inventory of devices, its
registrations of Users, and the device log backups devices sent it. The Transform reads them; a
`dit duis transform` user gives them as options."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from harness.catalogue import DeviceType, UserRole
from harness.errors import DitError
from harness.eui import EntityId
from harness.gbcs import axdr
from harness.gbcs.axdr import Data, PayloadError
from harness.gbcs.dlms import DlmsDateTime


@dataclass(frozen=True)
class DeviceLogEntry:
    device_id: EntityId
    hashed_link_key: bytes      # empty until the device has established a TC link key


@dataclass(frozen=True)
class DeviceLogBackup:
    """What a CS14 alert backs up of a CHF Device Log, and what CCS03 restores."""

    extended_pan_id: bytes
    entries: tuple[DeviceLogEntry, ...]
    backed_up: dt.datetime | None = None

    def entries_data(self) -> Data:
        return axdr.array(*[axdr.structure(axdr.octet_string(bytes(e.device_id)), axdr.octet_string(e.hashed_link_key))
                            for e in self.entries])

    @classmethod
    def from_alert(cls, content: Data) -> DeviceLogBackup:
        """CS14 content: {backup date-time, extended PAN ID, [{device id, hashed TC link key}]}."""
        try:
            when, pan, devices = content.items
            entries = tuple(DeviceLogEntry(EntityId(entry[0].octets), entry[1].octets) for entry in devices.items)
            return cls(pan.octets, entries, DlmsDateTime(when.octets).datetime)
        except (ValueError, DitError) as exc:
            raise PayloadError(f"CS14: not a CHF Device Log backup ({exc})", 0) from None


@dataclass(frozen=True)
class GpfDeviceLogBackup:
    """What a GCS62 alert backs up of a GPF Device Log, and what GCS59 restores on its replacement."""

    entries: tuple[tuple[EntityId, int], ...]       # (device id, ASN.1 DeviceType)
    gpf: EntityId | None = None                     # the GPF that sent the backup
    backed_up: dt.datetime | None = None


@dataclass(frozen=True)
class DspRecords:
    """What the DSP's records say where the request does not. Of the target (Smart Metering Inventory):
    its device type, whether an ESME is twin element (a secondary element gets its own prices), its GBCS
    version (2.1 is ECS08 on GBCS 1.0, ECS08a from 2.0). Of the requesting User (its registration): its
    role (6.13's ALCS log is ECS35f for a Supplier, ECS35g for an Electricity Distributor). Of an old CHF:
    the last CHF Device Log backup (CS14) it sent, which 8.12.1 restores on its replacement."""

    device_type: DeviceType | None = None
    twin_element: bool = False
    gbcs_version: str | None = None
    user_role: UserRole | None = None
    chf_device_log: DeviceLogBackup | None = None
    # Of the device a join or unjoin (8.7, 8.8) names: its device type (the inventory) and, for a method C
    # join, its KA certificate (SMKI). Of an old GPF: the last GPF Device Log backup (GCS62), for 8.12.2.
    other_device_type: DeviceType | None = None
    other_device_ka_certificate: bytes | None = None
    gpf_device_log: GpfDeviceLogBackup | None = None
