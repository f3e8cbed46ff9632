"""Emulated devices: Communications Hub (CHF, GPF), ESME, GSME, PPMID, IHD, HCALCS, and the HAN between them."""

from harness.emulators.chf import CommunicationsHubFunction
from harness.emulators.device import DeviceKeys, EmulatedDevice
from harness.emulators.displays import InHomeDisplay, PrepaymentInterfaceDevice
from harness.emulators.gpf import GasProxyFunction
from harness.emulators.han import HanNetwork, HanTiming
from harness.emulators.han_device import HanDevice
from harness.emulators.hcalcs import AuxiliaryLoadControlSwitch
from harness.emulators.hht import HandHeldTerminal
from harness.emulators.hub import CommunicationsHub
from harness.emulators.meters import ElectricityMeter, GasMeter, Meter
from harness.emulators.trust import TrustAnchorCell, TrustAnchors

DEVICE_CLASSES = {cls.device_type: cls for cls in (CommunicationsHubFunction, GasProxyFunction, ElectricityMeter,
                                                    GasMeter, PrepaymentInterfaceDevice, InHomeDisplay,
                                                    AuxiliaryLoadControlSwitch)}

__all__ = ["AuxiliaryLoadControlSwitch", "CommunicationsHub", "CommunicationsHubFunction", "GasProxyFunction",
           "HanDevice", "DeviceKeys",
           "EmulatedDevice", "HandHeldTerminal", "InHomeDisplay", "PrepaymentInterfaceDevice", "HanNetwork",
           "HanTiming",
           "ElectricityMeter", "GasMeter", "Meter", "TrustAnchorCell", "TrustAnchors", "DEVICE_CLASSES"]
