"""Device profiles: the device models a DIT lab can hold, one YAML file per model.

    device_profiles/<type folder>/<id>.yaml       # the file stem is the profile id

    # ESME to SMETS2 v3.0 on Silicon Labs: one of the two DIT.1 manufacturers
    manufacturer: Alder Metering
    manufacturer_code: 0x1A01          # ZigBee manufacturer code
    model: "0A31"                      # DUIS DeviceModel
    device_type: ESME                  # ESME | GSME | PPMID | IHD | HCALCS | CHF (a whole Communications Hub)
    standard: SMETS2 v3.0              # SMETS2 v2.0 | SMETS2 v3.0 | CHTS v1.0 | CHTS v1.1
    gbcs_version: "2.0"
    zigbee_version: "1.4"
    silicon: Silicon Labs
    zigbee_stack: EmberZNet 6.7
    bands: [2.4 GHz]                   # add sub-GHz for a dual band device
    firmware_version: "00030002"
    image_type: 0x0201                 # ZigBee OTA image type
    han_variant: Dual Band             # CHF only: Single Band | Dual Band
    csp: CSP N                         # CHF only: CSP N | CSP C/S

The loader checks each file against the SMETS2/CHTS/GBCS/ZigBee combinations that exist, so a
profile that could not be a real device is refused with one line naming file:line and field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from harness import project
from harness.catalogue import DeviceType
from harness.errors import DitError
from harness.lab import yamlfile
from harness.lab.yamlfile import Located

DEFAULT_PROFILES = project.DEVICE_PROFILES

# The folder each type's profiles live in; a CHF profile stands for the whole hub (CHF + GPF).
FOLDERS = {
    DeviceType.ESME: "esme", DeviceType.GSME: "gsme", DeviceType.PPMID: "ppmid",
    DeviceType.IHD: "ihd", DeviceType.HCALCS: "hcalcs", DeviceType.CHF: "comms_hub",
}
SMETS_STANDARDS = ("SMETS2 v2.0", "SMETS2 v3.0")
CHTS_STANDARDS = ("CHTS v1.0", "CHTS v1.1")
GBCS_VERSIONS = ("1.0", "2.0")
ZIGBEE_VERSIONS = ("1.2a", "1.4")
# Closed so that "SiLabs" cannot silently miss DIT.6; a new provider is added here.
SILICON = ("Silicon Labs", "NXP", "Texas Instruments")
BANDS = ("2.4 GHz", "sub-GHz")
HAN_VARIANTS = ("Single Band", "Dual Band")
CSPS = ("CSP N", "CSP C/S")
# SMETS2 v2.0 devices speak GBCS 1.0 and v3.0 devices GBCS 2.0; neither mixes.
SMETS_GBCS = {"SMETS2 v2.0": "1.0", "SMETS2 v3.0": "2.0"}

FIELDS = ("manufacturer", "manufacturer_code", "model", "device_type", "standard", "gbcs_version",
          "zigbee_version", "silicon", "zigbee_stack", "bands", "firmware_version", "image_type",
          "han_variant", "csp")
DUIS_TEXT_MAX = 30          # DUIS DeviceManufacturer and DeviceModel


@dataclass(frozen=True)
class DeviceProfile:
    id: str
    manufacturer: str
    manufacturer_code: int
    model: str
    device_type: DeviceType
    standard: str
    gbcs_version: str
    zigbee_version: str
    silicon: str
    zigbee_stack: str
    bands: frozenset[str]
    firmware_version: str
    image_type: int
    han_variant: str | None = None
    csp: str | None = None
    source: str = field(default="", compare=False)      # the file it was read from, for messages

    @property
    def sub_ghz(self) -> bool:
        return "sub-GHz" in self.bands

    @property
    def smets_chts_version(self) -> str:
        """DUIS SMETSCHTSVersion text, e.g. "SMETS2 V3.0" or "CHTS V1.1" (at most 20 characters)."""
        return self.standard.replace(" v", " V")


def _text(node: Located, key: str, example: str) -> str:
    value = node.require(key, str, fix=f"{'quote it' if key in node else 'add it'}: {key}: \"{example}\"")
    if not value.strip():
        raise node.fail(key, "is empty", f"write e.g. {key}: \"{example}\"")
    return value


def _one_of(node: Located, key: str, allowed: tuple[str, ...], example: str | None = None) -> str:
    value = _text(node, key, example or allowed[-1])
    if value not in allowed:
        raise node.fail(key, f"{value!r} is not known", f"use one of {', '.join(allowed)}")
    return value


def _code(node: Located, key: str) -> int:
    value = node.require(key, int, fix=f"{'write it as unquoted hex' if key in node else 'add it'}, "
                                        f"e.g. {key}: 0x1A01")
    if isinstance(value, bool):
        raise node.fail(key, f"{value!r} is not a number", f"write it as unquoted hex, e.g. {key}: 0x1A01")
    if not 0 <= value <= 0xFFFF:
        raise node.fail(key, f"0x{value:X} does not fit 16 bits", "use 0x0000 to 0xFFFF")
    return value


def _bands(node: Located) -> frozenset[str]:
    value = node.require("bands", list, fix="write e.g. bands: [2.4 GHz, sub-GHz]")
    for band in value:
        if band not in BANDS:
            raise node.fail("bands", f"{band!r} is not a band", f"use {' and/or '.join(BANDS)}")
    if len(set(value)) != len(value):
        raise node.fail("bands", "names a band twice", "name each band once")
    # Every GB HAN device works at 2.4 GHz; sub-GHz is the optional second band.
    if "2.4 GHz" not in value:
        raise node.fail("bands", "lacks 2.4 GHz", "every SMETS2/CHTS device has 2.4 GHz: add it")
    return frozenset(value)


def _device_type(node: Located) -> DeviceType:
    allowed = ", ".join(t.value for t in FOLDERS)
    name = node.require("device_type", str, fix=f"use one of {allowed}")
    try:
        device_type = DeviceType(name)
    except ValueError:
        device_type = None
    if device_type not in FOLDERS:
        raise node.fail("device_type", f"{name!r} is not a profiled device type",
                        f"use one of {allowed}; CHF stands for a whole Communications Hub")
    return device_type


def _check(node: Located, p: DeviceProfile) -> None:
    """The combinations of standard, GBCS, ZigBee and band that a real device can have."""
    hub = p.device_type is DeviceType.CHF
    standards = CHTS_STANDARDS if hub else SMETS_STANDARDS
    if p.standard not in standards:
        raise node.fail("standard", f"{p.standard!r} is not a standard for {p.device_type.value}",
                        f"use one of {', '.join(standards)}")
    if not hub and SMETS_GBCS[p.standard] != p.gbcs_version:
        raise node.fail("gbcs_version", f"{p.standard} devices use GBCS {SMETS_GBCS[p.standard]}, not {p.gbcs_version}",
                        f"write gbcs_version: \"{SMETS_GBCS[p.standard]}\" or change standard")
    # A hub's GBCS version is its firmware's, not its CHTS version's: v1.0 hubs serve SMETS2 v3.0
    # devices in DIT.14, so either is accepted on a CHF.
    if p.standard == "CHTS v1.0":
        if p.zigbee_version != "1.2a":
            raise node.fail("zigbee_version", "CHTS v1.0 hubs run ZigBee 1.2a", "write zigbee_version: \"1.2a\"")
        if p.sub_ghz:
            raise node.fail("bands", "CHTS v1.0 hubs are single band (2.4 GHz)",
                            "drop sub-GHz, or make it a CHTS v1.1 Dual Band hub")
    if p.standard == "CHTS v1.1" and p.zigbee_version != "1.4":
        raise node.fail("zigbee_version", "CHTS v1.1 hubs run ZigBee 1.4", "write zigbee_version: \"1.4\"")
    if p.sub_ghz and p.zigbee_version != "1.4":
        raise node.fail("bands", f"sub-GHz needs ZigBee 1.4, this is {p.zigbee_version}",
                        "drop sub-GHz or write zigbee_version: \"1.4\"")
    if p.sub_ghz and p.device_type in (DeviceType.ESME, DeviceType.GSME, DeviceType.PPMID) \
            and p.gbcs_version != "2.0":
        raise node.fail("bands", f"a sub-GHz {p.device_type.value} needs GBCS 2.0 (SMETS2 v3.0)",
                        "drop sub-GHz or make it SMETS2 v3.0")
    if hub:
        for key in ("han_variant", "csp"):
            if key not in node:
                raise DitError(f"{key}: missing: a Communications Hub profile names it", where=node.at(),
                               fix=f"add {key}: one of {', '.join(HAN_VARIANTS if key == 'han_variant' else CSPS)}")
        wanted = "Dual Band" if p.sub_ghz else "Single Band"
        if p.han_variant != wanted:
            raise node.fail("han_variant", f"{p.han_variant!r} does not match bands [{', '.join(sorted(p.bands))}]",
                            f"write han_variant: {wanted}, or change bands")
    else:
        for key in ("han_variant", "csp"):
            if key in node:
                raise node.fail(key, f"only a Communications Hub (CHF) has one, this is {p.device_type.value}",
                                f"remove {key}")


def load_profile(path: str | Path) -> DeviceProfile:
    """One profile file; its id is the file stem."""
    return _read(Path(path))[0]


def _read(file: Path) -> tuple[DeviceProfile, Located]:
    node = yamlfile.load(file)
    node.only(FIELDS)
    device_type = _device_type(node)
    firmware = _text(node, "firmware_version", "00010001")
    if not re.fullmatch(r"[0-9A-Fa-f]{8}", firmware):
        raise node.fail("firmware_version", f"{firmware!r} is not 8 hex digits", "write e.g. \"00030002\"")
    manufacturer = _text(node, "manufacturer", "Alder Metering")
    model = _text(node, "model", "0A31")
    for key, value in (("manufacturer", manufacturer), ("model", model)):
        if len(value) > DUIS_TEXT_MAX:
            raise node.fail(key, f"is {len(value)} characters, DUIS allows {DUIS_TEXT_MAX}", "shorten it")
    profile = DeviceProfile(
        id=file.stem, manufacturer=manufacturer, manufacturer_code=_code(node, "manufacturer_code"),
        model=model, device_type=device_type,
        standard=_one_of(node, "standard", SMETS_STANDARDS + CHTS_STANDARDS),
        gbcs_version=_one_of(node, "gbcs_version", GBCS_VERSIONS),
        zigbee_version=_one_of(node, "zigbee_version", ZIGBEE_VERSIONS),
        silicon=_one_of(node, "silicon", SILICON, "Silicon Labs"),
        zigbee_stack=_text(node, "zigbee_stack", "EmberZNet 6.7"), bands=_bands(node),
        firmware_version=firmware, image_type=_code(node, "image_type"),
        han_variant=_one_of(node, "han_variant", HAN_VARIANTS) if "han_variant" in node else None,
        csp=_one_of(node, "csp", CSPS) if "csp" in node else None, source=str(file))
    _check(node, profile)
    return profile, node


def load_profiles(directory: str | Path = DEFAULT_PROFILES, problems: list[str] | None = None,
                  broken: set[str] | None = None) -> dict[str, DeviceProfile]:
    """Every profile under directory/<type folder>/, by id. With `problems`, a bad file is listed there,
    its id (the file name) goes into `broken`, and the others still load (for `dit lab check`);
    without, it is an error."""
    root = Path(directory)
    if not root.is_dir():
        raise DitError("no device profile folder", where=str(root), fix="create it or pass the right folder")
    profiles: dict[str, DeviceProfile] = {}
    makers: dict[str, tuple[int, str]] = {}        # manufacturer -> (code, file that set it)
    codes: dict[int, tuple[str, str]] = {}         # code -> (manufacturer, file that set it)
    for file in sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml")):
        try:
            _add(root, file, profiles, makers, codes)
        except DitError as exc:
            if problems is None:
                raise
            problems.append(str(exc))
            if broken is not None:
                broken.add(file.stem)
    return profiles


def _add(root: Path, file: Path, profiles: dict[str, DeviceProfile], makers: dict, codes: dict) -> None:
    profile, node = _read(file)
    folder = file.parent.relative_to(root).as_posix()
    if folder != FOLDERS[profile.device_type]:
        raise node.fail("device_type", f"a {profile.device_type.value} profile filed under {folder or '.'}/",
                        f"move it to {root.name}/{FOLDERS[profile.device_type]}/ or fix device_type")
    if profile.id in profiles:
        raise DitError(f"profile id {profile.id!r} is also {profiles[profile.id].source}", where=str(file),
                       fix="rename one of the files: the file name is the profile id")
    # One code per manufacturer, else one maker would count as two for DIT.1-5 and DIT.12.
    code, seen = makers.get(profile.manufacturer, (profile.manufacturer_code, ""))
    if code != profile.manufacturer_code:
        raise node.fail("manufacturer_code", f"{profile.manufacturer} is 0x{code:04X} in {seen}",
                        f"write manufacturer_code: 0x{code:04X}")
    maker, seen = codes.get(profile.manufacturer_code, (profile.manufacturer, ""))
    if maker != profile.manufacturer:
        raise node.fail("manufacturer", f"0x{profile.manufacturer_code:04X} is {maker!r} in {seen}",
                        f"write manufacturer: {maker}, or fix manufacturer_code")
    makers[profile.manufacturer] = (profile.manufacturer_code, str(file))
    codes[profile.manufacturer_code] = (profile.manufacturer, str(file))
    profiles[profile.id] = profile
