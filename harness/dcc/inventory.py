"""The DSP's Smart Metering Inventory and the registration data it authorises Users against.

Device status lifecycle as the emulated DSP applies it (DUIS DeviceStatus values):
  12.2 pre-notification -> Pending; 8.11 Add succeeds -> Whitelisted; the device joins the HAN ->
  InstalledNotCommissioned; 8.1.1 succeeds (meters) or the CH connects to the SM WAN (CHF) or the
  first 8.7.x join succeeds (GPF, PPMID) -> Commissioned; 8.3 -> Decommissioned.
Which SRs a status admits is this model's reading of the DIT sequences (service_requests.md section 4):
a whitelisted device only what the I&C sequences send it before 8.1.1; an installed device everything
(the no-WAN sequences configure meters that cannot be commissioned until the CH reaches the SM WAN);
a commissioned device everything; a decommissioned one nothing. A device whose firmware version left the
Certified Products List is Suspended: it admits only firmware SRs, and when it runs a certified version again
it returns to the status it held immediately before (DIT firmware pack, 11.3; harness.dcc.firmware).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from harness.catalogue import DeviceStatus, DeviceType, UserRole
from harness.eui import EntityId

S = DeviceStatus
# The device types of each fuel (what roles_of asks of every request to a device)
_ELECTRIC, _GAS = (DeviceType.ESME, DeviceType.HCALCS), (DeviceType.GSME, DeviceType.GPF)

# SRs a whitelisted device (in a CH's device log, not yet joined) may receive.
BEFORE_COMMISSIONING = frozenset({"6.21", "8.1.1", "6.11", "6.24.1", "6.24.2", "6.17", "6.15.2", "11.2", "8.7.2",
                                  "8.7.1"})
# SRs a suspended device may receive: the firmware SRs that can bring it back to a certified version.
WHILE_SUSPENDED = frozenset({"11.2", "11.3"})


@dataclass
class Premises:
    """Registration data: who supplies and distributes each fuel at a metering point."""

    name: str
    mpan: str | None = None
    mprn: str | None = None
    import_supplier: EntityId | None = None
    gas_supplier: EntityId | None = None
    electricity_network_operator: EntityId | None = None
    gas_network_operator: EntityId | None = None
    uprn: int | None = None
    # registration changes the Registration Data Providers announced ahead: (role field, new party, effective)
    pending_changes: list[tuple[str, EntityId, dt.datetime]] = field(default_factory=list)

    def roles_of(self, user: EntityId, device_type: DeviceType) -> set[UserRole]:
        """The roles in which this User may address a device of this type at these premises."""
        roles = set()
        electric = device_type in _ELECTRIC
        gas = device_type in _GAS
        either = not (electric or gas)                       # CHF, PPMID, IHD, CAD serve both fuels
        if user == self.import_supplier and (electric or either):
            roles.add(UserRole.IMPORT_SUPPLIER)
        if user == self.gas_supplier and (gas or either):
            roles.add(UserRole.GAS_SUPPLIER)
        if user == self.electricity_network_operator and (electric or either):
            roles.add(UserRole.ELECTRICITY_DISTRIBUTOR)
        if user == self.gas_network_operator and (gas or either):
            roles.add(UserRole.GAS_TRANSPORTER)
        return roles


@dataclass
class InventoryDevice:
    device_id: EntityId
    device_type: DeviceType
    status: DeviceStatus = S.PENDING
    manufacturer: str = "DIT0"
    model: str = "0001"
    smets_chts_version: str | None = None
    firmware_version: str | None = None
    esme_variant: str | None = None
    han_variant: str | None = None         # CHF only: Single Band | Dual Band
    chf: EntityId | None = None            # the Communications Hub it is associated with
    mpxn: str | None = None
    date_commissioned: dt.date | None = None
    supplier_in_trust_anchor: EntityId | None = None   # as far as the DCC knows (6.21, 6.23)
    network_operator_in_trust_anchor: EntityId | None = None
    restricted_from: str | None = None                   # 3.2 Change of Tenancy restriction date-time
    no_wan_since: dt.datetime | None = None              # CHF: 8.14.2 installed without SM WAN
    history: list[tuple[dt.datetime, DeviceStatus]] = field(default_factory=list)

    def admits(self, srv: str) -> bool:
        if self.status in (S.COMMISSIONED, S.INSTALLED_NOT_COMMISSIONED):
            return True
        if self.status is S.WHITELISTED:
            return srv in BEFORE_COMMISSIONING
        if self.status is S.SUSPENDED:
            return srv in WHILE_SUSPENDED
        return False

    def status_before_suspension(self) -> DeviceStatus | None:
        """The status the device held immediately before its latest suspension (None if never suspended)."""
        held = [status for _, status in self.history]
        if S.SUSPENDED not in held:
            return None
        latest = len(held) - 1 - held[::-1].index(S.SUSPENDED)
        return held[latest - 1] if latest > 0 else None


class SmartMeteringInventory:
    def __init__(self) -> None:
        self.devices: dict[EntityId, InventoryDevice] = {}
        self.premises: dict[EntityId, Premises] = {}         # by CHF: the premises its CH serves

    def get(self, device: EntityId) -> InventoryDevice | None:
        return self.devices.get(device)

    def add(self, record: InventoryDevice, when: dt.datetime) -> InventoryDevice:
        self.devices[record.device_id] = record
        record.history.append((when, record.status))
        return record

    def set_status(self, device: EntityId, status: DeviceStatus, when: dt.datetime) -> None:
        record = self.devices[device]
        if record.status is not status:
            record.status = status
            record.history.append((when, status))
            if status is S.COMMISSIONED and record.date_commissioned is None:
                record.date_commissioned = when.date()

    def install_communications_hub(self, chf: InventoryDevice, gpf: InventoryDevice, premises: Premises,
                                   when: dt.datetime) -> None:
        """A CH connected to the SM WAN: the CHF is Commissioned, its GPF installed."""
        chf.chf, gpf.chf = chf.device_id, chf.device_id
        self.add(chf, when)
        self.add(gpf, when)
        self.set_status(chf.device_id, S.COMMISSIONED, when)
        self.set_status(gpf.device_id, S.INSTALLED_NOT_COMMISSIONED, when)
        self.premises[chf.device_id] = premises

    def premises_of(self, device: EntityId) -> Premises | None:
        record = self.devices.get(device)
        return None if record is None or record.chf is None else self.premises.get(record.chf)

    def gpf_of(self, chf: EntityId) -> InventoryDevice | None:
        return next((d for d in self.devices.values() if d.device_type is DeviceType.GPF and d.chf == chf), None)
