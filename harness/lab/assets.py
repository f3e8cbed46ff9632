"""The Device Asset Library (DAL): every device and Communications Hub a lab holds, with the data the
DIT approach requires before testing ("Data requirements"):

  Communications Hubs (from the CSPs): CHF GUID, GPF GUID, firmware version, FlexNet ID (CSP N only).
  Devices (from their manufacturers): GUID, ZigBee install code, the SMKI device certificate signing
  requests (serial numbers for Digital Signature and Key Agreement), firmware version number, and
  confirmation that ZigBee test certificates and OCA4 organisation certificates are installed, the
  CPL documentation and the release notes.

    devices:
      - {name: ESME-AL-1, profile: alder-e470-v3, guid: 00-DB-..., install_code: 3031...,
         firmware_version: "00020001", smki_csr: {digital_signature: "1001", key_agreement: "1002"},
         zigbee_test_certificates: true, oca4_certificates: true,
         cpl_documentation: CPL-ALDER-E470-00020001, release_notes: RN-ALDER-E470-00020001}
    communications_hubs:
      - {name: CH-N-11S-1, profile: elm-ch11-sb, chf_guid: ..., gpf_guid: ..., firmware_version: ...,
         flexnet_id: FNX-0001}

Loading collects every problem rather than stopping at the first, so `dit lab check` can list them all:
`errors` make an asset unusable (no GUID, no install code, unknown profile, a GUID used twice);
`missing` are the seed's data items a lab lead must still obtain before DIT entry.
"""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from harness.catalogue import DeviceType
from harness.errors import DitError
from harness.eui import EntityId
from harness.lab import yamlfile
from harness.lab.yamlfile import Located

if TYPE_CHECKING:
    from harness.lab.profiles import DeviceProfile

# Devices with no certificates have no SMKI CSRs and no OCA4 trust anchors to confirm.
_CERTIFICATE_HOLDERS = {DeviceType.ESME, DeviceType.GSME, DeviceType.PPMID, DeviceType.HCALCS}
# The fields each entry may have and their kinds; hex codes, versions and serial numbers may be written without
# quotes (a number), and are read as written.
_FieldKinds = dict[str, type | tuple[type, ...]]       # a key of an asset and the kinds its value may be
_WRITTEN = (str, int, float)
_DEVICE_KEYS: _FieldKinds = {"name": str, "profile": str, "type": str, "guid": str, "install_code": _WRITTEN,
                             "firmware_version": _WRITTEN, "smki_csr": dict, "zigbee_test_certificates": bool,
                             "oca4_certificates": bool, "cpl_documentation": str, "release_notes": str}
_HUB_KEYS: _FieldKinds = {"name": str, "profile": str, "chf_guid": str, "gpf_guid": str,
                          "firmware_version": _WRITTEN, "flexnet_id": str}
_CSR_KEYS: _FieldKinds = {"digital_signature": _WRITTEN, "key_agreement": _WRITTEN}
_DAL_KEYS = ("name", "devices", "communications_hubs")


@dataclass(frozen=True)
class DeviceAsset:
    name: str
    device_type: DeviceType
    guid: EntityId
    profile: DeviceProfile | None          # None only for tools such as the HHT
    install_code: bytes | None
    firmware_version: str | None
    where: str

    @property
    def manufacturer(self) -> str:
        return self.profile.manufacturer if self.profile else "DIT0"


@dataclass(frozen=True)
class HubAsset:
    name: str
    profile: DeviceProfile
    chf_guid: EntityId
    gpf_guid: EntityId
    firmware_version: str | None
    where: str


@dataclass
class DeviceAssetLibrary:
    source: str
    devices: dict[str, DeviceAsset] = field(default_factory=dict)
    hubs: dict[str, HubAsset] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    rejected: set[str] = field(default_factory=set)    # assets named in `errors`: references to them say no more

    def device(self, name: str) -> DeviceAsset | None:
        return self.devices.get(name)

    def hub(self, name: str) -> HubAsset | None:
        return self.hubs.get(name)

    def selected(self) -> list[DeviceAsset]:
        """The devices DIT selects (not tools): what the selection requirements count."""
        return [d for d in self.devices.values() if d.profile is not None]



def load(path: str | Path, profiles: dict[str, DeviceProfile],
         broken_profiles: Set[str] = frozenset()) -> DeviceAssetLibrary:
    """The DAL; an asset whose profile file is broken is left out without a line of its own (the profile's
    problem is already one), so one mistake is one line."""
    doc = yamlfile.load(path)
    doc.only(_DAL_KEYS)
    doc.optional("name", str)
    dal = DeviceAssetLibrary(doc.where)
    guids: dict[EntityId, str] = {}
    for node in doc.items_of("devices"):
        asset = _device(node, profiles, broken_profiles, dal)
        if asset is not None and _claim(dal, guids, asset.guid, asset.name, node, "guid"):
            dal.devices[asset.name] = asset
        elif node.get("name"):
            dal.rejected.add(str(node["name"]))
    for node in doc.items_of("communications_hubs"):
        hub = _hub(node, profiles, broken_profiles, dal)
        if hub is not None and _claim(dal, guids, hub.chf_guid, hub.name, node, "chf_guid") \
                and _claim(dal, guids, hub.gpf_guid, hub.name, node, "gpf_guid"):
            dal.hubs[hub.name] = hub
        elif node.get("name"):
            dal.rejected.add(str(node["name"]))
    return dal


def _line(node: Located, key: str, what: str, fix: str = "") -> str:
    return str(node.fail(key, what, fix))


def _claim(dal: DeviceAssetLibrary, guids: dict[EntityId, str], guid: EntityId, name: str, node: Located,
           key: str) -> bool:
    if guid in guids:
        dal.errors.append(_line(node, key, f"GUID {guid} is already {guids[guid]}'s",
                                "every device and CH function has its own GUID"))
        return False
    guids[guid] = name
    return True


def _guid(node: Located, key: str, dal: DeviceAssetLibrary) -> EntityId | None:
    value = node.get(key)
    if value is None:
        dal.errors.append(_line(node, key, "missing", "give the GUID as 00-DB-12-34-56-78-90-A0"))
        return None
    try:
        return EntityId(str(value))
    except DitError:
        dal.errors.append(_line(node, key, f"{value!r} is not an EUI-64 GUID", "write it as 00-DB-12-34-56-78-90-A0"))
        return None


def _profile(node: Located, profiles: dict[str, DeviceProfile], broken: Set[str],
             dal: DeviceAssetLibrary) -> DeviceProfile | None:
    name = node.get("profile")
    if name is None:
        dal.errors.append(_line(node, "profile", "missing", "name a device profile (device_profiles/<type>/<id>.yaml)"))
        return None
    profile = profiles.get(str(name))
    if profile is None and str(name) not in broken:
        close = sorted(p for p in profiles if p.split("-")[0] == str(name).split("-")[0])
        dal.errors.append(_line(node, "profile", f"unknown profile {name!r}",
                                f"profiles like it: {', '.join(close)}" if close else "see device_profiles/"))
    return profile


def _well_formed(node: Located, fields: _FieldKinds, dal: DeviceAssetLibrary) -> bool:
    """Every key one of `fields` and every value of its kind; else the first mistake is listed and the asset
    left out (what uses its values would otherwise read a list as a name)."""
    problems = [str(error) for error in node.unknown(fields)]
    for key, kind in fields.items():
        try:
            node.optional(key, kind)
        except DitError as exc:
            problems.append(str(exc))
    csr = node.get("smki_csr")
    if not problems and isinstance(csr, Located):
        return _well_formed(csr, _CSR_KEYS, dal)
    dal.errors += problems[:1]
    return not problems


def _device(node: Located, profiles: dict[str, DeviceProfile], broken: Set[str],
            dal: DeviceAssetLibrary) -> DeviceAsset | None:
    if not _well_formed(node, _DEVICE_KEYS, dal):
        return None
    name = node.get("name") or ""
    if not name:
        dal.errors.append(_line(node, "name", "missing", "give the asset its name (an asset tag)"))
    if "type" in node and "profile" not in node:           # a tool, e.g. the installer's HHT
        profile, kind = None, _tool_type(node, dal)
    else:
        profile = _profile(node, profiles, broken, dal)
        kind = profile.device_type if profile else None
    guid = _guid(node, "guid", dal)
    code = _install_code(node, dal)
    if not name or kind is None or guid is None or code is None:
        return None
    firmware = node.as_written("firmware_version") if node.get("firmware_version") is not None else None
    if profile is not None:
        _data_items(node, kind, dal)
    return DeviceAsset(name, kind, guid, profile, code, firmware, node.at())


def _tool_type(node: Located, dal: DeviceAssetLibrary) -> DeviceType | None:
    if node["type"] != DeviceType.HHT.value:
        dal.errors.append(_line(node, "type", f"{node['type']!r} needs a profile", "only an HHT may go without one"))
        return None
    return DeviceType.HHT


def _install_code(node: Located, dal: DeviceAssetLibrary) -> bytes | None:
    if node.get("install_code") is None:
        dal.errors.append(_line(node, "install_code", "missing: a HAN device cannot join without one",
                                "add the device's ZigBee install code (hex, without its CRC)"))
        return None
    try:
        code = bytes.fromhex(node.as_written("install_code"))
    except ValueError:
        dal.errors.append(_line(node, "install_code", "is not hex", "write the install code as hex, without its CRC"))
        return None
    if len(code) not in (6, 8, 12, 16):
        dal.errors.append(_line(node, "install_code", f"is {len(code)} bytes",
                                "an install code is 6, 8, 12 or 16 bytes"))
        return None
    return code


def _data_items(node: Located, kind: DeviceType, dal: DeviceAssetLibrary) -> None:
    """The manufacturer's data the seed requires before testing; missing items are listed, not fatal."""
    firmware = node.as_written("firmware_version") if node.get("firmware_version") is not None else None
    if firmware is None:
        dal.missing.append(_line(node, "firmware_version", "missing",
                                 "the firmware version number from the manufacturer"))
    elif not re.fullmatch(r"[0-9A-Fa-f]{1,8}", firmware):
        dal.errors.append(_line(node, "firmware_version", f"{firmware!r} is not a DUIS firmware version",
                                "1-8 hex digits"))
    for key, what in (("cpl_documentation", "the CPL documentation reference"),
                      ("release_notes", "the release notes reference")):
        if not node.get(key):
            dal.missing.append(_line(node, key, "missing", what))
    if not node.get("zigbee_test_certificates"):
        dal.missing.append(_line(node, "zigbee_test_certificates", "not confirmed",
                                 "confirm the ZigBee test certificates are installed (true)"))
    if kind in _CERTIFICATE_HOLDERS:
        if not node.get("oca4_certificates"):
            dal.missing.append(_line(node, "oca4_certificates", "not confirmed",
                                     "confirm the OCA4 organisation certificates are installed (true)"))
        csr = node.get("smki_csr")
        if not isinstance(csr, dict) or not csr.get("digital_signature") or not csr.get("key_agreement"):
            dal.missing.append(_line(node, "smki_csr", "missing",
                                     "the SMKI device CSR serial numbers: {digital_signature: .., key_agreement: ..}"))


def _hub(node: Located, profiles: dict[str, DeviceProfile], broken: Set[str],
         dal: DeviceAssetLibrary) -> HubAsset | None:
    if not _well_formed(node, _HUB_KEYS, dal):
        return None
    name = node.get("name") or ""
    profile = _profile(node, profiles, broken, dal)
    if profile is not None and profile.device_type is not DeviceType.CHF:
        dal.errors.append(_line(node, "profile", f"{profile.id} is a {profile.device_type.value} profile",
                                "a Communications Hub needs a CHF profile"))
        profile = None
    chf, gpf = _guid(node, "chf_guid", dal), _guid(node, "gpf_guid", dal)
    if not name:
        dal.errors.append(_line(node, "name", "missing", "give the Communications Hub its name"))
    firmware = node.as_written("firmware_version") if node.get("firmware_version") is not None else None
    if firmware is None:
        dal.missing.append(_line(node, "firmware_version", "missing", "the CH firmware version from the CSP"))
    if profile is not None and profile.csp == "CSP N" and not node.get("flexnet_id"):
        dal.missing.append(_line(node, "flexnet_id", "missing", "CSP N Communications Hubs need their FlexNet ID"))
    if not name or profile is None or chf is None or gpf is None:
        return None
    return HubAsset(name, profile, chf, gpf, firmware, node.at())
