"""Non-device services on the Smart Metering Inventory: pre-notification (12.2), read inventory (8.2),
decommission (8.3), WAN matrix (12.1) and Communications Hub status updates (8.14.x).

Decommissioning (DIT decommission pack): the device is Decommissioned and its association with the
MPxN ends; DSP schedules for it are removed (N6 to each owner) and DSP-held future-dated requests
cancelled (N33 to each sender); the network operator learns of a meter's decommissioning (N1 ENO for an
ESME, N2 GNO for a GSME). A CHF takes its GPF with it: N9 to the suppliers and network operators, and the
DSP-held requests for either are cancelled (N34). GPF, IHD and CAD cannot be decommissioned (E11).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from harness.catalogue import DeviceStatus, DeviceType
from harness.dcc.base import DccUser, DuisRejection
from harness.dcc.inventory import InventoryDevice
from harness.duis.request_id import RequestId
from harness.duis.xml import E, add_fields
from harness.eui import EntityId

if TYPE_CHECKING:
    from harness.dcc.dsp import DataServicesProvider

S = DeviceStatus


class SmiServices:
    def __init__(self, dsp: DataServicesProvider):
        self.dsp = dsp

    def handlers(self) -> dict:
        return {"12.2": self.prenotify, "8.2": self.read_inventory, "8.3": self.decommission,
                "12.1": self.wan_matrix, "8.14.1": self.install_success, "8.14.2": self.install_no_wan}

    def _device(self, fields: dict, key: str = "DeviceID") -> InventoryDevice:
        device = self.dsp.inventory.get(EntityId(fields[key]))
        if device is None:
            raise DuisRejection("E19", f"{fields[key]} is not in the Smart Metering Inventory")
        return device

    def _must_supply(self, user: DccUser, device: InventoryDevice) -> None:
        if user.eui not in {u.eui for u in self.dsp.suppliers_of(device)}:
            raise DuisRejection("E4", f"{user.name} is not the registered supplier of {device.device_id}")

    # -- 12.2, 8.2 ---------------------------------------------------------------------------------------

    def prenotify(self, fields: dict, user: DccUser, request_id: RequestId):
        device = EntityId(fields["DeviceID"])
        existing = self.dsp.inventory.get(device)
        if existing is not None and existing.status is not S.PENDING:
            raise DuisRejection("E5", f"{device} is already {existing.status.value}")
        self.dsp.inventory.add(InventoryDevice(
            device, DeviceType(fields["DeviceType"]), manufacturer=fields.get("DeviceManufacturer", ""),
            model=fields.get("DeviceModel", ""), smets_chts_version=fields.get("SMETSCHTSVersion"),
            firmware_version=fields.get("FirmwareVersion"), esme_variant=fields.get("ESMEVariant")),
            self.dsp.clock.now())
        return None

    def read_inventory(self, fields: dict, user: DccUser, request_id: RequestId):
        devices = self.dsp.inventory.devices.values()
        if "DeviceID" in fields:
            named = self.dsp.inventory.get(EntityId(fields["DeviceID"]))
            found = [named] if named is not None else []
        elif "MPxN" in fields:
            found = [d for d in devices if d.mpxn == fields["MPxN"]]
        else:
            found = []
        if not found:
            raise DuisRejection("E19", "no device in the inventory matches")
        chfs = {d.chf for d in found if d.chf}
        # by identity: `in` would compare the records field by field (a dataclass's __eq__), and each is held once
        held = {id(d) for d in found}
        found += [d for d in devices if d.chf in chfs and id(d) not in held]
        inventory = E.DSPInventory()
        for device in found[:17]:
            _inventory_entry(inventory, device)
        return inventory

    # -- 8.3 ---------------------------------------------------------------------------------------------

    def decommission(self, fields: dict, user: DccUser, request_id: RequestId):
        device = self._device(fields)
        if not device.device_type.can_be_decommissioned:
            raise DuisRejection("E11", f"a {device.device_type.value} cannot be decommissioned")
        if device.status in (S.DECOMMISSIONED, S.WITHDRAWN, S.PENDING):
            raise DuisRejection("E5", f"{device.device_id} is {device.status.value}")
        self._must_supply(user, device)
        dsp, now = self.dsp, self.dsp.clock.now()
        if device.device_type is DeviceType.CHF:
            gpf = dsp.inventory.gpf_of(device.device_id)
            gone = [device] + ([gpf] if gpf else [])
            told = dsp.suppliers_of(device) + dsp.network_operators_of(device)
            for party in {u.eui: u for u in told}.values():
                dsp.dcc_alert(party, "N9", E.DeviceStatusChangeEvent(
                    E.DeviceID(device.device_id.duis), E.DeviceStatusChange(E.CHFDecommissioning())))
            cancelled_code = "N34"
        else:
            gone = [device]
            cancelled_code = "N33"
            if device.device_type.is_meter:
                self._tell_network_operator(device)
        ids = {d.device_id for d in gone}
        dsp.schedules.remove(lambda s: s.device_id in ids, "N6")
        dsp.cancel_held(lambda c: c.device.device_id in ids, cancelled_code)
        for record in gone:
            dsp.inventory.set_status(record.device_id, S.DECOMMISSIONED, now)
        dsp.outcomes.joins = {j for j in dsp.outcomes.joins if not (set(j) & ids)}
        device.mpxn = None                    # the association with the MPxN ends
        return None

    def _tell_network_operator(self, meter: InventoryDevice) -> None:
        partners = [self.dsp.inventory.get(other) for target, other in self.dsp.outcomes.joins
                    if target == meter.device_id]
        type1 = [E.AssociatedType1Device(E.DeviceID(d.device_id.duis), E.DeviceType(d.device_type.duis_type))
                 for d in partners if d is not None and d.device_type in (DeviceType.PPMID, DeviceType.HCALCS)]
        code = "N1" if meter.device_type is DeviceType.ESME else "N2"
        detail = E.DeviceStatusChangeEvent(E.DeviceID(meter.device_id.duis), E.DeviceStatusChange(
            E.MeterDecommissioningOrWithdrawal(E.MeterDecommissionOrWithdrawal(E.ImportMPxN(meter.mpxn or "0")),
                                               *type1[:7])))
        for operator in self.dsp.network_operators_of(meter):
            self.dsp.dcc_alert(operator, code, detail)

    # -- 12.1, 8.14.x ------------------------------------------------------------------------------------

    def wan_matrix(self, fields: dict, user: DccUser, request_id: RequestId):
        return None

    def install_success(self, fields: dict, user: DccUser, request_id: RequestId):
        self._hub(fields, user)
        return None

    def install_no_wan(self, fields: dict, user: DccUser, request_id: RequestId):
        """The CH is installed where the SM WAN does not reach: the CSP's 90-day SLA starts now."""
        hub = self._hub(fields, user)
        hub.no_wan_since = self.dsp.clock.now()
        return None

    def _hub(self, fields: dict, user: DccUser) -> InventoryDevice:
        hub = self._device(fields)
        if hub.device_type is not DeviceType.CHF:
            raise DuisRejection("E11", f"{hub.device_id} is a {hub.device_type.value}, not a Communications Hub")
        self._must_supply(user, hub)
        return hub


def _inventory_entry(inventory: etree._Element, device: InventoryDevice) -> None:
    add_fields(inventory, "Device", (
        ("DeviceID", device.device_id.duis), ("DeviceType", device.device_type.duis_type),
        ("DeviceStatus", device.status.value), ("DeviceManufacturer", device.manufacturer or "-"),
        ("DeviceModel", device.model or "-"), ("SMETSCHTSVersion", device.smets_chts_version or None),
        ("DeviceFirmwareVersion", device.firmware_version or None),
        ("DateCommissioned", device.date_commissioned.isoformat() + "Z" if device.date_commissioned else None),
        ("ImportMPxN", device.mpxn or None), ("HANVariant", device.han_variant or None)))
