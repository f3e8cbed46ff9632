"""In-home devices: the PPMID (prepayment interface) and the IHD (in-home display).

An IHD holds no certificates and takes no GBCS commands; it only joins the HAN and pairs with meters.
A PPMID holds supplier and DCC trust anchors and is joined to meters with 8.7.x.
"""

from __future__ import annotations

from harness.catalogue import DeviceType
from harness.emulators.comms_hub import HanDevice, PairedDevice


class PrepaymentInterfaceDevice(PairedDevice):
    device_type = DeviceType.PPMID


class InHomeDisplay(HanDevice):
    device_type = DeviceType.IHD
