"""Device selection: the DIT requirements of seed Table 1 that a lab's Device Asset Library can show.

DIT.1-6, DIT.9, DIT.10 and DIT.12 ask for devices of given types, standards, bands, manufacturers
and ZigBee silicon, so they are decided from the assets' profiles alone. The other requirements
(DIT.7, 8, 11, 13-15) are about how testing is done and are decided from the test records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from harness.catalogue import DeviceType
from harness.lab.profiles import DeviceProfile

MET, NOT_MET, NOT_APPLICABLE = "met", "not_met", "not_applicable"

# DIT.EX.7 names the leading ZigBee silicon stack providers: "SiLabs and NPX" (NPX read as NXP).
LEADING_STACKS = ("Silicon Labs", "NXP")

V2, V3 = "SMETS2 v2.0", "SMETS2 v3.0"

# Table 1 wording, quoted as the seed has it. DIT.1 and DIT.2 say "SMETS v3.0": read as SMETS2 v3.0,
# the only SMETS with a v3.0.
REQUIREMENTS = {
    "DIT.1": "DIT shall test DCC Communications Hubs with a minimum of 2 ESME Devices from different "
             "manufacturers designed to meet SMETS v3.0",
    "DIT.2": "DIT shall test DCC Communications Hubs with a minimum of 2 GSME Devices from different "
             "manufacturers designed to meet SMETS v3.0",
    "DIT.3": "DIT shall test DCC Communications Hubs with a minimum of 2 GSME Devices from different "
             "manufacturers designed to meet SMETS2 v3.0 and capable of Sub GHz HAN communications",
    "DIT.4": "DIT shall test DCC Communications Hubs with a minimum of 2 PPMID Devices from different "
             "manufacturers designed to meet SMETS2 v3.0",
    "DIT.5": "DIT shall test DCC Communications Hubs with a minimum of 2 PPMID Devices from different "
             "manufacturers designed to meet SMETS2 v3.0 and capable of Sub GHz communications",
    "DIT.6": "DIT shall test DCC Communications Hubs with a minimum of one Device for each of the leading "
             "ZigBee silicon stack providers",
    "DIT.9": "DIT shall include risk based regression testing of DCC Communications Hubs with a minimum of 2 "
             "SMETS2 v2.0 ESME and GSME Devices selected to be representative of a significant proportion of "
             "the installed base of SMETS2 v2.0 Devices at the time of undertaking DIT",
    "DIT.10": "Should actual HCALCS Devices exist and be in a suitable state of readiness, DIT shall test DCC "
              "Communications Hubs with a minimum of 1 HCALCS Device.",
    "DIT.12": "DIT shall test DCC Communications Hubs with a minimum of 2 IHD Devices from different manufacturers",
}


class Asset(Protocol):
    """A device the lab's Device Asset Library holds."""

    name: str
    profile: DeviceProfile


@dataclass(frozen=True)
class RequirementResult:
    id: str
    text: str
    status: str                 # met | not_met | not_applicable
    reason: str
    devices: list[str]          # the assets that count towards it


def _result(req: str, status: str, reason: str, devices: list[Asset]) -> RequirementResult:
    return RequirementResult(req, REQUIREMENTS[req], status, reason, [a.name for a in devices])


def _label(asset: Asset) -> str:
    return f"{asset.name} ({asset.profile.manufacturer})"


def _of(assets: list[Asset], kind: DeviceType, standard: str | None = None, sub_ghz: bool = False) -> list[Asset]:
    return [a for a in assets if a.profile.device_type is kind
            and (standard is None or a.profile.standard == standard) and (a.profile.sub_ghz or not sub_ghz)]


def _two_manufacturers(req: str, devices: list[Asset], what: str) -> RequirementResult:
    """At least 2 of devices from different manufacturers; what names them, e.g. "ESME designed to SMETS2 v3.0"."""
    makers = sorted({a.profile.manufacturer for a in devices})
    if len(makers) >= 2:
        return _result(req, MET, "met by " + ", ".join(_label(a) for a in devices), devices)
    if not devices:
        reason = f"no {what}; need 2 from different manufacturers"
    elif len(devices) == 1:
        reason = f"only 1 {what}: {_label(devices[0])}; need a second from another manufacturer"
    else:
        both = "both" if len(devices) == 2 else "all"
        reason = (f"{len(devices)} {what} ({', '.join(a.name for a in devices)}) but {both} from {makers[0]}; "
                  f"need 2 manufacturers")
    return _result(req, NOT_MET, reason, devices)


def _leading_stacks(assets: list[Asset]) -> RequirementResult:
    # The hubs are what DIT tests; the requirement is about the devices they are tested with.
    devices = [a for a in assets if a.profile.device_type is not DeviceType.CHF]
    found = {p: [a for a in devices if a.profile.silicon == p] for p in LEADING_STACKS}
    missing = [p for p, held in found.items() if not held]
    have = "; ".join(f"{p}: {', '.join(a.name for a in held)}" for p, held in found.items() if held)
    devices = [a for held in found.values() for a in held]
    if not missing:
        return _result("DIT.6", MET, f"met by {have}", devices)
    reason = f"no device on {' or '.join(missing)} silicon"
    if have:
        reason += f" (have {have})"
    return _result("DIT.6", NOT_MET, f"{reason}; need one per leading ZigBee stack provider "
                                     f"({', '.join(LEADING_STACKS)})", devices)


def _regression(assets: list[Asset]) -> RequirementResult:
    # The seed's "a minimum of 2 SMETS2 v2.0 ESME and GSME Devices" could mean 2 in all; it is read
    # strictly as 2 of each fuel, since DIT.9 regresses both meter types. Manufacturers may repeat.
    found = {kind: _of(assets, kind, V2) for kind in (DeviceType.ESME, DeviceType.GSME)}
    devices = [a for held in found.values() for a in held]
    short = [(kind, held) for kind, held in found.items() if len(held) < 2]
    if not short:
        return _result("DIT.9", MET, "met by " + "; ".join(
            f"{kind.value}: {', '.join(_label(a) for a in held)}" for kind, held in found.items()), devices)
    gaps = [f"only 1 {V2} {kind.value} ({held[0].name})" if held else f"no {V2} {kind.value}"
            for kind, held in short]
    return _result("DIT.9", NOT_MET, f"{' and '.join(gaps)}; need at least 2 {V2} ESME and 2 {V2} GSME", devices)


def _hcalcs(assets: list[Asset]) -> RequirementResult:
    held = _of(assets, DeviceType.HCALCS)
    if not held:
        return _result("DIT.10", NOT_APPLICABLE, "no HCALCS in the Device Asset Library; DIT.10 applies only "
                                                 "should actual HCALCS devices exist", held)
    return _result("DIT.10", MET, "met by " + ", ".join(_label(a) for a in held), held)


def evaluate(assets: Iterable[Asset]) -> list[RequirementResult]:
    """DIT.1-6, DIT.9, DIT.10 and DIT.12 against the assets of a Device Asset Library."""
    # Tools without a profile (the installer's HHT) count towards none of these.
    held = sorted((a for a in assets if a.profile is not None), key=lambda a: a.name)
    return [
        _two_manufacturers("DIT.1", _of(held, DeviceType.ESME, V3), f"ESME designed to {V3}"),
        _two_manufacturers("DIT.2", _of(held, DeviceType.GSME, V3), f"GSME designed to {V3}"),
        _two_manufacturers("DIT.3", _of(held, DeviceType.GSME, V3, sub_ghz=True),
                           f"GSME designed to {V3} and capable of sub-GHz HAN"),
        _two_manufacturers("DIT.4", _of(held, DeviceType.PPMID, V3), f"PPMID designed to {V3}"),
        _two_manufacturers("DIT.5", _of(held, DeviceType.PPMID, V3, sub_ghz=True),
                           f"PPMID designed to {V3} and capable of sub-GHz"),
        _leading_stacks(held),
        _regression(held),
        _hcalcs(held),
        _two_manufacturers("DIT.12", _of(held, DeviceType.IHD), "IHD"),
    ]
