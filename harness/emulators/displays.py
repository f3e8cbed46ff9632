"""In-home devices: the PPMID (prepayment interface) and the IHD (in-home display).

An IHD holds no certificates and takes no GBCS commands; it only joins the HAN and pairs with meters.
A PPMID holds supplier and DCC trust anchors, is joined to meters with 8.7.x, and is where a consumer
can type a UTRN: it passes it over the HAN to the meter it is joined with for that fuel, which checks it
and tells its supplier (0x810E).
"""

from __future__ import annotations

from harness.catalogue import DeviceType
from harness.emulators.comms_hub import HanDevice, PairedDevice
from harness.emulators.firmware import FirmwareHost


class PrepaymentInterfaceDevice(FirmwareHost, PairedDevice):
    device_type = DeviceType.PPMID
    image_type = 0x0401

    def enter_utrn(self, code: str, fuel: DeviceType = DeviceType.ESME) -> bool:
        """The consumer types a UTRN for one fuel; False if no joined meter of that fuel can take it."""
        meters = [m for m in (self.hub.members.get(d) for d in self.joined_devices) if m is not None
                  and m.device_type is fuel] if self.hub else []
        if not self.powered or not meters:
            self.note(f"UTRN not passed on: no {fuel.value} joined to this PPMID")
            return False
        meter = meters[0]
        self.hub.han.transmit(code.encode(), lambda data: meter.enter_utrn(data.decode(), "PPMID", self.eui),
                              f"HAN {self} -> {meter} UTRN")
        return True


class InHomeDisplay(HanDevice):
    device_type = DeviceType.IHD
