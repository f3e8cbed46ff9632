"""The HAN Connected Auxiliary Load Control Switch (HCALCS): a switch on an auxiliary load (a storage heater, a
heat pump) that its ESME turns on and off over the HAN (DIT.10: "Should actual HCALCS Devices exist ...").

What the DCC's Users do with it is what this model answers, in real GBCS, through the common device machinery
(harness.emulators.device): it must be whitelisted at the CHF (8.11) and join the SMHAN with its install code
(harness.emulators.han_device); it is joined to one ESME by method A as the responder (8.7.1 CS03A2Critical, while
the ESME gets CS03A1 naming it) and unjoined with 8.8.1 CS04ACCritical; the supplier replaces its Digital
Signing and Key Agreement trust anchors with 6.15.1 (CS02b, DITAD: "Update Digital Signature in HCALCS using
SR 6.15.1"); 11.2 (CS08) reads and 11.3 (CS06) activates its firmware. Like a PPMID it holds the Root, Supplier
and ACB cells only (harness.emulators.trust): every command is MAC'd by the ACB, a critical one must also be
signed by the party in its Supplier DS cell (else 0x8F30) with the key in that cell (else 0x8F3D).

An HCALCS is an electricity device: it joins only an ESME (usecases.joins.DEVICE_JOINS), and the DSP gives it the
ESME's Import Supplier and Electricity Network Operator.
"""

from __future__ import annotations

from harness.catalogue import DeviceType
from harness.emulators.firmware import FirmwareHost
from harness.emulators.han_device import PairedDevice
from harness.eui import EntityId


class AuxiliaryLoadControlSwitch(FirmwareHost, PairedDevice):
    """An HCALCS: a paired HAN device (8.7.1 / 8.8.1 with its ESME) with upgradable firmware and supplier cells."""

    device_type = DeviceType.HCALCS
    image_type = 0x0501

    @property
    def controlling_meter(self) -> EntityId | None:
        """The ESME it is joined to (its device log holds at most that one): whose schedule switches its load."""
        return next(iter(self.joined_devices), None)
