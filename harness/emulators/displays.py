"""In-home devices: the PPMID (prepayment interface) and the IHD (in-home display).

An IHD holds no certificates and takes no GBCS commands; it only joins the HAN and pairs with meters.
A PPMID holds supplier and DCC trust anchors and is joined to meters with 8.7.x.
"""

from __future__ import annotations

from harness.catalogue import DeviceType
from harness.emulators.comms_hub import HanDevice
from harness.emulators.device import CommandFailed, GeneralSigning, handles
from harness.eui import EntityId


class PrepaymentInterfaceDevice(HanDevice):
    device_type = DeviceType.PPMID

    def __init__(self, eui: EntityId, **kwargs):
        super().__init__(eui, **kwargs)
        self.joined_devices: set[EntityId] = set()

    @handles("CS03A2NonCritical", "CS03A2Critical", "CS03B")
    def _join(self, fields: dict, apdu: GeneralSigning) -> dict:
        other = EntityId(fields["OtherDeviceID"])
        if self.hub is None or other not in self.hub.members:
            raise CommandFailed(f"{other} has not joined this HAN")
        self.joined_devices.add(other)
        return {"OtherDeviceID": other.duis}

    @handles("CS04ACNonCritical", "CS04ACCritical", "CS04B")
    def _unjoin(self, fields: dict, apdu: GeneralSigning) -> dict:
        other = EntityId(fields["OtherDeviceID"])
        if other not in self.joined_devices:
            raise CommandFailed(f"{other} is not joined to this PPMID")
        self.joined_devices.discard(other)
        return {"OtherDeviceID": other.duis}


class InHomeDisplay(HanDevice):
    device_type = DeviceType.IHD
