"""Lab configuration: the parties, and the test sets (premises) with their Communications Hub and devices.

    name: Emulated lab
    kind: emulated                        # emulated | real
    device_asset_library: dal/emulated.yaml
    dcc: {access_control_broker: 90-B3-D5-1F-30-00-00-02, transitional_cos: 90-B3-D5-1F-30-00-00-04}
    users:
      - {name: Supplier A, eui: 90-B3-D5-1F-30-01-00-00, roles: [IS, GS]}
    test_sets:                            # one per set of the seed's CSP lab set-up; alias premises:
      - name: SB11-core
        description: CHTS v1.1 single band core set, SMETS2 v3.0
        mpan: "1312345678111"
        import_supplier: Supplier A       # user names
        communications_hub: CH-N-11S-1    # a Communications Hub of the Device Asset Library
        devices:                          # the name scenarios use -> the asset
          ESME: ESME-AL-1
          PPMID: {asset: PPMID-DA-1, supplier: Supplier A}

A real lab adds its DCC endpoint, keys, serial ports and sniffers (see harness.lab.bench).

A test set may also describe its CH and devices inline (communications_hub: {chf:, gpf:, ...};
devices: [{name:, type:, eui:, install_code:}]), without a Device Asset Library. Gherkin names parties
by role at the premises ("the Import Supplier", "the Gas Network Operator") or by user name, and
devices by their name in the test set ("the ESME").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from harness import project
from harness.catalogue import DeviceType, UserRole, service_requests
from harness.errors import DitError
from harness.eui import DCC_ACCESS_CONTROL_BROKER, EntityId
from harness.lab import assets as asset_library
from harness.lab import bench as lab_bench
from harness.lab import profiles as device_profiles
from harness.lab import yamlfile
from harness.lab.profiles import DeviceProfile
from harness.lab.yamlfile import Located
from harness.ledger import DeviceRecord

if TYPE_CHECKING:
    from harness.lab.casts import Cast

DEFAULT = project.LAB_CONFIGS / "emulated.yaml"

# The fields each mapping of a lab config may have: any other is refused as a typo.
LAB_FIELDS = ("name", "kind", "device_asset_library", "device_profiles", "dcc", "users", "test_sets", "premises")
BENCH_FIELDS = ("keystore", "serial_ports", "sniffers", "smki", "prepare", "time_scale",      # kind: real only
                "ppmid_internet", "operator", "labgrid", "firmware_library")
DCC_FIELDS = ("access_control_broker", "transitional_cos")
DCC_BENCH_FIELDS = ("endpoint", "response_url", "tls", "ch_firmware_portal", "benches")     # kind: real only
USER_FIELDS = ("name", "eui", "roles", "anomaly_detection_thresholds")
TEST_SET_FIELDS = ("name", "description", "uprn", "mpan", "mprn", "import_supplier", "gas_supplier",
                   "electricity_network_operator", "gas_network_operator", "communications_hub",
                   "spare_communications_hub", "devices")
INLINE_HUB_FIELDS = ("chf", "gpf", "chts_version", "han_variant")
INLINE_DEVICE_FIELDS = ("name", "type", "eui", "install_code", "manufacturer", "model", "smets_chts_version",
                        "firmware_version", "supplier")
DEVICE_REF_FIELDS = ("asset", "supplier", "rotated")
UPRN_MAX = 999_999_999_999          # DUIS sr:UPRN: a positiveInteger of at most 12 digits

# Gherkin role words -> the premises field naming that party.
PARTY_ROLES = {
    "import supplier": "import_supplier",
    "gas supplier": "gas_supplier",
    "electricity network operator": "electricity_network_operator",
    "gas network operator": "gas_network_operator",
}


@dataclass(frozen=True)
class UserConfig:
    name: str
    eui: EntityId
    roles: frozenset[UserRole]
    # the User's Anomaly Detection Thresholds (SEC G3), set with the DCC: SR -> commands a day (harness.dcc.anomaly)
    anomaly_detection_thresholds: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DeviceConfig:
    name: str
    type: DeviceType
    eui: EntityId
    install_code: bytes | None = None
    manufacturer: str = "DIT0"
    model: str = "0001"
    smets_chts_version: str | None = None
    firmware_version: str | None = None
    supplier: str | None = None            # delivered configured for this supplier (user name), not as new
    asset: str | None = None               # its Device Asset Library entry
    profile: DeviceProfile | None = None
    rotated: bool = True                   # False: it plays only the role it is listed as (harness.lab.casts)


@dataclass(frozen=True)
class HubConfig:
    chf: EntityId
    gpf: EntityId
    chts_version: str = "CHTS V1.1"        # DUIS SMETSCHTSVersion (at most 20 characters)
    han_variant: str = "Single Band"       # DUIS HANVariant: Single Band | Dual Band
    asset: str | None = None
    profile: DeviceProfile | None = None
    firmware_version: str | None = None

    @property
    def standard(self) -> str:
        """CHTS v1.0 | CHTS v1.1, as the release baseline matrix names hubs."""
        return self.profile.standard if self.profile else self.chts_version.replace("V", "v")


@dataclass
class PremisesConfig:
    name: str
    hub: HubConfig
    devices: list[DeviceConfig]
    mpan: str | None = None
    mprn: str | None = None
    uprn: int = 100000000001
    parties: dict[str, str] = field(default_factory=dict)     # premises field -> user name
    spare_hub: HubConfig | None = None     # the CH an installer brings to replace the fitted one
    replaced_hub: HubConfig | None = None  # after a CH replacement: the old one ("the old CHF")
    description: str = ""

    @property
    def ch_variant(self) -> str:
        """The CH variant the DIT exit criteria count by: 'CHTS v1.1 Single Band' ..."""
        return f"{self.hub.standard} {self.hub.han_variant}"

    @property
    def meter_standard(self) -> str | None:
        """SMETS2 v2.0 | SMETS2 v3.0: the standard of the set's meters (None if mixed or unknown)."""
        found = {d.profile.standard for d in self.devices if d.profile and d.type.is_meter}
        return found.pop() if len(found) == 1 else None


def _device_record(asset: str, site: PremisesConfig, kind: str, profile: DeviceProfile | None,
                   firmware_version: str | None, manufacturer: str = "", model: str = "") -> DeviceRecord:
    if profile is None:          # a tool such as the HHT, or a device described inline
        return DeviceRecord(asset, site.name, site.ch_variant, kind, manufacturer, model,
                            firmware_version=firmware_version or "")
    return DeviceRecord(asset, site.name, site.ch_variant, kind, profile.manufacturer, profile.model,
                        profile.standard, profile.gbcs_version, profile.zigbee_version, profile.silicon,
                        profile.sub_ghz, firmware_version or "")


@dataclass
class LabConfig:
    name: str
    kind: str
    source: str
    access_control_broker: EntityId
    transitional_cos: EntityId
    users: list[UserConfig]
    premises: list[PremisesConfig]
    asset_library: asset_library.DeviceAssetLibrary | None = None
    # A real lab's DCC endpoint, keys, serial ports and sniffers (partial when loaded with `problems`).
    bench: lab_bench.Bench | None = None

    def user(self, name: str) -> UserConfig:
        for user in self.users:
            if user.name.lower() == name.lower():
                return user
        raise DitError(f"no user {name!r} in the lab config", where=self.source,
                       fix=f"users are {', '.join(u.name for u in self.users)}")

    def party(self, words: str, premises: PremisesConfig | None = None) -> UserConfig:
        """A party named in Gherkin: a role at the premises ('Import Supplier') or a user name."""
        key = PARTY_ROLES.get(words.lower().removeprefix("the ").strip())
        if key is not None:
            site = premises or self.premises[0]
            if key not in site.parties:
                raise DitError(f"premises {site.name!r} has no {words}", where=self.source,
                               fix=f"add {key}: to the premises")
            return self.user(site.parties[key])
        return self.user(words.removeprefix("the ").strip())

    def devices(self) -> list[DeviceConfig]:
        return [d for p in self.premises for d in p.devices]

    def consoles(self) -> dict[str, list[str]]:
        """Each test set's assets a bench reaches by console: its devices and hand-held terminals."""
        return {p.name: [d.asset for d in p.devices if d.asset] for p in self.premises}

    def device_types(self) -> dict[EntityId, DeviceType]:
        """What each device and hub function of the lab is, as its Users know it (for their Correlate)."""
        found = {d.eui: d.type for d in self.devices()}
        for premises in self.premises:
            for hub in filter(None, (premises.hub, premises.spare_hub, premises.replaced_hub)):
                found |= {hub.chf: DeviceType.CHF, hub.gpf: DeviceType.GPF}
        return found

    def device(self, name: str) -> DeviceConfig:
        """A device as scenarios name it: 'the ESME', 'PPMID 2'."""
        key = name.removeprefix("the ").strip()
        for cfg in self.devices():
            if cfg.name == key:
                return cfg
        raise DitError(f"{name!r} is not a configured device", where=self.source,
                       fix=f"devices are {', '.join(d.name for d in self.devices())}")

    def meter_assets(self) -> list[str]:
        """The lab's meters by asset name: with every one suspended, DIT is."""
        if self.asset_library:
            return [d.name for d in self.asset_library.devices.values() if d.device_type.is_meter]
        return [d.asset or d.name for d in self.devices() if d.type.is_meter]

    def device_records(self, test_sets: list[str] | None = None) -> list[DeviceRecord]:
        """The hubs and devices of the test sets as the ledger keeps them, with what their profiles say."""
        found = []
        for site in self.premises:
            if test_sets is not None and site.name not in test_sets:
                continue
            hub = site.hub
            found.append(_device_record(hub.asset or f"{site.name} CH", site, "CHF", hub.profile,
                                        hub.firmware_version))
            found += [_device_record(d.asset or d.name, site, d.type.value, d.profile, d.firmware_version,
                                     d.manufacturer, d.model)
                      for d in site.devices]
        return found

    def library_records(self) -> list[DeviceRecord]:
        """The Device Asset Library's devices in none of the lab's test sets, as records with test set '': what the
        phase could test but has not set up (DIT.10 applies once the library holds an HCALCS)."""
        if self.asset_library is None:
            return []
        used = {d.asset or d.name for site in self.premises for d in site.devices}
        return [DeviceRecord(a.name, "", "", a.device_type.value, a.profile.manufacturer, a.profile.model,
                             a.profile.standard, a.profile.gbcs_version, a.profile.zigbee_version, a.profile.silicon,
                             a.profile.sub_ghz, a.firmware_version or a.profile.firmware_version or "")
                for a in self.asset_library.selected() if a.profile is not None and a.name not in used]

    def test_set(self, name: str) -> PremisesConfig:
        for site in self.premises:
            if site.name.lower() == name.lower():
                return site
        raise DitError(f"no test set {name!r} in lab {self.name}", where=self.source,
                       fix=f"test sets are {', '.join(p.name for p in self.premises)}")

    def for_test_set(self, name: str | None = None, cast: Cast | None = None) -> LabConfig:
        """The lab as one test set sees it: a scenario runs on one set, whose names it uses; in a cast, each device
        under the role it plays (harness.lab.casts)."""
        # A copy of what a scenario changes: the set's parties (registration changes) and which hub is fitted (a CH
        # replacement), in a PremisesConfig of its own. Users, devices, hubs and profiles are frozen, and the Device
        # Asset Library is only read: shared, not deep-copied for every scenario.
        chosen = self.test_set(name) if name else self.premises[0]
        site = dataclasses.replace(chosen, devices=list(chosen.devices), parties=dict(chosen.parties))
        # the bench as the set reaches it: its own DCC, when its bench has one (dcc.benches)
        return dataclasses.replace(self, users=list(self.users), premises=[cast.on(site) if cast else site],
                                   bench=self.bench.for_test_set(chosen.name) if self.bench else None)


def _eui(node: Located, key: str, default: str | None = None) -> EntityId:
    fix = "write it as 00-DB-12-34-56-78-90-A0"
    value = node.require(key, str, fix=fix) if default is None else node.optional(key, str, default, fix)
    try:
        return EntityId(value)
    except DitError:
        raise node.fail(key, f"{value!r} is not an EUI-64", "write it as 00-DB-12-34-56-78-90-A0") from None


def _device(node: Located) -> DeviceConfig:
    node.only(INLINE_DEVICE_FIELDS)
    kind = node.require("type", str)
    try:
        device_type = DeviceType(kind)
    except ValueError:
        raise node.fail("type", f"unknown device type {kind!r}",
                        f"use one of {', '.join(t.value for t in DeviceType)}") from None
    install_code = None
    if node.get("install_code") is not None:
        code = node.as_written("install_code", "write the install code as hex, without its CRC")
        try:
            install_code = bytes.fromhex(code)
        except ValueError:
            raise node.fail("install_code", "is not hex", "write the install code as hex, without its CRC") from None
        if len(install_code) not in (6, 8, 12, 16):
            raise node.fail("install_code", f"is {len(install_code)} bytes", "an install code is 6, 8, 12 or 16 bytes")
    elif device_type not in (DeviceType.CHF, DeviceType.GPF):
        raise node.fail("install_code", "missing: a HAN device cannot join without one",
                        "add the device's ZigBee install code")
    firmware = node.as_written("firmware_version", "1-8 hex digits") if node.get("firmware_version") is not None \
        else None
    return DeviceConfig(name=node.optional("name", str) or device_type.value, type=device_type, eui=_eui(node, "eui"),
                        install_code=install_code, manufacturer=node.optional("manufacturer", str, "DIT0"),
                        model=node.as_written("model") if node.get("model") is not None else "0001",
                        smets_chts_version=node.optional("smets_chts_version", str), firmware_version=firmware,
                        supplier=node.optional("supplier", str))


def _hub(node: Located) -> HubConfig:
    node.only(INLINE_HUB_FIELDS)
    version = node.optional("chts_version", str, "CHTS V1.1")
    if len(version) > 20:
        raise node.fail("chts_version", f"{version!r} is longer than DUIS allows (20)", "write e.g. CHTS V1.1")
    band = node.optional("han_variant", str, "Single Band")
    if band not in ("Single Band", "Dual Band"):
        raise node.fail("han_variant", f"{band!r} is not a HAN variant", "write Single Band or Dual Band")
    return HubConfig(_eui(node, "chf"), _eui(node, "gpf"), version, band)


def _hub_asset(node: Located, key: str, dal: asset_library.DeviceAssetLibrary | None,
               problems: list[str]) -> HubConfig | None:
    """A test set's CH: a Device Asset Library name, or described inline."""
    value = node.require(key, (str, dict), "name a Communications Hub of the Device Asset Library")
    if isinstance(value, Located):
        return _hub(value)
    hub = dal.hub(value) if dal else None
    if hub is None and dal is not None and value in dal.rejected:
        return None                         # the DAL's line already says what is wrong with it
    if hub is None:
        problems.append(str(node.fail(key, f"no Communications Hub {value!r} in the Device Asset Library",
                                      "add it to communications_hubs: of the DAL")))
        return None
    variant = hub.profile.han_variant
    assert variant is not None, "a Communications Hub profile names its HAN variant (profiles checks it)"
    return HubConfig(hub.chf_guid, hub.gpf_guid, hub.profile.smets_chts_version, variant,
                     asset=hub.name, profile=hub.profile, firmware_version=hub.firmware_version)


def _device_assets(node: Located, dal: asset_library.DeviceAssetLibrary | None,
                   problems: list[str]) -> list[DeviceConfig]:
    """devices: a list described inline, or a mapping of scenario names to Device Asset Library entries."""
    value = node.optional("devices", (list, dict), [], "a list of devices or a mapping of names to assets")
    if isinstance(value, list):
        return [_device(d) for d in node.items_of("devices")]
    found = []
    for name in value:
        asset_name, supplier, rotated = _device_ref(value, name)
        asset = dal.device(asset_name) if dal else None
        if asset is None and dal is not None and asset_name in dal.rejected:
            continue                        # the DAL's line already says what is wrong with it
        if asset is None:
            problems.append(str(value.fail(name, f"no device {asset_name!r} in the Device Asset Library",
                                           "add it to devices: of the DAL")))
            continue
        profile = asset.profile
        found.append(DeviceConfig(
            name=name, type=asset.device_type, eui=asset.guid, install_code=asset.install_code,
            manufacturer=profile.manufacturer if profile else "DIT0", model=profile.model if profile else "0001",
            smets_chts_version=profile.smets_chts_version if profile else None,
            firmware_version=asset.firmware_version or (profile.firmware_version if profile else None),
            supplier=supplier, asset=asset.name, profile=profile, rotated=rotated))
    return found


def _device_ref(devices: Located, name: str) -> tuple[str, str | None, bool]:
    """A scenario name's asset: `ESME: ESME-78-1` or `PPMID: {asset: PPMID-78-1, supplier: Supplier A}`; with
    `rotated: false` it plays only the role it is listed as."""
    ref = devices.require(name, (str, dict), "name an asset, or write {asset: .., supplier: ..}")
    if isinstance(ref, str):
        return ref, None, True
    ref.only(DEVICE_REF_FIELDS)
    return (ref.require("asset", str, "name a device of the Device Asset Library"), ref.optional("supplier", str),
            ref.optional("rotated", bool, True))


def load(path: str | Path | None = None, *, problems: list[str] | None = None) -> LabConfig:
    """The lab config and its Device Asset Library. With `problems`, what makes assets unusable and the
    DIT data items still missing are appended there (for `dit lab check`); without, an unusable asset
    or reference is an error."""
    collect = problems is not None
    problems = [] if problems is None else problems
    doc = yamlfile.load(path or DEFAULT)
    kind = doc.require("kind", str)
    if kind not in ("emulated", "real"):
        raise doc.fail("kind", f"{kind!r} is neither emulated nor real")
    real = kind == "real"
    doc.only(LAB_FIELDS + BENCH_FIELDS if real else LAB_FIELDS)
    dal = None
    if "device_asset_library" in doc:
        dal_path = Path(doc.where).parent / doc.require("device_asset_library", str, "give the DAL file's path")
        if not dal_path.is_file():
            raise doc.fail("device_asset_library", f"{dal_path} does not exist", "give the DAL file's path")
        folder = Path(doc.where).parent / doc.require("device_profiles", str, "give the profile folder's path") \
            if "device_profiles" in doc else device_profiles.DEFAULT_PROFILES
        profile_problems: list[str] = []
        broken: set[str] = set()
        dal = asset_library.load(dal_path, device_profiles.load_profiles(folder, profile_problems, broken), broken)
        problems += profile_problems + dal.errors + dal.missing
    dcc = doc.require("dcc", Located)
    dcc.only(DCC_FIELDS + DCC_BENCH_FIELDS if real else DCC_FIELDS)
    users = [_user(node) for node in doc.items_of("users")]
    names = [u.name for u in users]
    premises = []
    key = "test_sets" if "test_sets" in doc else "premises"
    for node in doc.items_of(key):
        node.only(TEST_SET_FIELDS)
        parties = {}
        for role in PARTY_ROLES.values():
            if role in node:
                if node.require(role, str, "name one of the users") not in names:
                    raise node.fail(role, f"{node[role]!r} is not one of the users", f"users are {', '.join(names)}")
                parties[role] = node[role]
        node.require("communications_hub")
        hub = _hub_asset(node, "communications_hub", dal, problems)
        spare = _hub_asset(node, "spare_communications_hub", dal, problems) \
            if "spare_communications_hub" in node else None
        devices = _device_assets(node, dal, problems)
        if hub is None:
            continue
        premises.append(PremisesConfig(
            name=node.require("name", str), hub=hub, devices=devices,
            mpan=node.optional("mpan", str, fix='quote it: mpan: "1312345678111"'),
            mprn=node.optional("mprn", str, fix='quote it: mprn: "7512345678"'),
            uprn=_uprn(node), parties=parties, spare_hub=spare, description=node.optional("description", str, "")))
    problems += _cross_checks(premises, names, doc.where)
    bench = None
    if kind == "real":
        in_use = {a for site in premises for a in [site.hub.asset, site.spare_hub and site.spare_hub.asset]
                  + [d.asset for d in site.devices] if a}
        models = {d.profile.id: d.profile for site in premises for d in site.devices if d.profile is not None}
        bench = lab_bench.load(doc, in_use, {site.name for site in premises}, problems, models)
    if not collect:
        _raise_first(problems, dal)
    return LabConfig(name=doc.optional("name", str, Path(doc.where).stem), kind=kind, source=doc.where,
                     access_control_broker=_eui(dcc, "access_control_broker", DCC_ACCESS_CONTROL_BROKER.duis),
                     transitional_cos=_eui(dcc, "transitional_cos", "90-B3-D5-1F-30-00-00-04"),
                     users=users, premises=premises, asset_library=dal, bench=bench)


def _user(node: Located) -> UserConfig:
    node.only(USER_FIELDS)
    allowed = f"roles are {', '.join(r.value for r in UserRole)}"
    roles = node.require("roles", list, f"write e.g. roles: [IS, GS]; {allowed}")
    try:
        parsed = frozenset(UserRole(r) for r in roles)
    except ValueError:
        wrong = next(r for r in roles if r not in [u.value for u in UserRole])     # a list: r may be a mapping
        raise node.fail("roles", f"{yamlfile.describe(wrong)} is not a user role", allowed) from None
    return UserConfig(node.require("name", str), _eui(node, "eui"), parsed, _thresholds(node))


def _thresholds(node: Located) -> dict[str, int]:
    how = 'write e.g. anomaly_detection_thresholds: {"4.1.1": 20} (SR: commands a day)'
    given = node.optional("anomaly_detection_thresholds", dict, {}, how)
    thresholds = {}
    for srv, limit in given.items():
        if str(srv) not in {sr.srv for sr in service_requests()}:
            raise node.fail("anomaly_detection_thresholds", f"{srv!r} is not a Service Request", how)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise node.fail("anomaly_detection_thresholds", f"SR {srv}: {limit!r} is not a number of commands",
                            how)
        thresholds[str(srv)] = limit
    return thresholds


def _uprn(node: Located) -> int:
    uprn = node.optional("uprn", int, 100000000001, "write the premises' UPRN, e.g. uprn: 100000000001")
    if not 1 <= uprn <= UPRN_MAX:
        raise node.fail("uprn", f"{uprn} is not a UPRN", "a UPRN is a positive number of at most 12 digits")
    return uprn


def _cross_checks(premises: list[PremisesConfig], names: list[str], where: str) -> list[str]:
    """A physical device or CH serves one test set; within a set every device has its own GUID."""
    problems: list[str] = []
    owners: dict[str, str] = {}                 # CH asset -> the test set it serves
    for site in premises:
        seen: dict[EntityId, str] = {}
        hubs = [h for h in (site.hub, site.spare_hub) if h is not None]
        for hub in hubs:
            if hub.asset is not None:
                if hub.asset in owners:
                    problems.append(f"{where}: test set {site.name}: Communications Hub {hub.asset} is already in "
                                    f"test set {owners[hub.asset]} (one physical CH serves one test set)")
                owners[hub.asset] = site.name
        for device in site.devices:
            if device.supplier is not None and device.supplier not in names:
                problems.append(f"{where}: device {device.name}: supplier {device.supplier!r} is not one of the "
                                f"users (users are {', '.join(names)})")
            if device.eui in seen:
                problems.append(f"{where}: device {device.name} has the EUI of {seen[device.eui]}: {device.eui} "
                                "(give every device its own EUI)")
            seen[device.eui] = device.name
            if device.asset is not None:
                if device.asset in owners and owners[device.asset] != site.name:
                    problems.append(f"{where}: test set {site.name}: {device.asset} is already in test set "
                                    f"{owners[device.asset]} (one physical device serves one test set)")
                owners.setdefault(device.asset, site.name)
    return problems


def check(path: str | Path | None = None, *, reachable: bool = False) -> list[str]:
    """Everything wrong with a lab config and its Device Asset Library, one line each (`dit lab check`):
    every unusable asset, bad reference and missing DIT data item is listed. A config that cannot be read as
    one (no such file, not UTF-8 or YAML, a field of the wrong kind or unknown) is bad input: its DitError is
    raised, not listed. A real lab's firmware library images are read and their signatures verified. With
    `reachable`, a real lab's bench is also checked from this machine: serial ports
    and sniffers open, the DCC endpoint answers (lab_bench.unreachable)."""
    problems: list[str] = []
    lab = load(path, problems=problems)
    if lab.bench is not None:          # the images a run would refuse one by one, all listed before it
        problems += lab.bench.firmware_library.problems()
    if reachable and lab.bench is not None:
        problems += lab_bench.unreachable(lab.bench, {u.name: u.eui for u in lab.users}, consoles=lab.consoles())
    return problems


def _raise_first(problems: list[str], dal: asset_library.DeviceAssetLibrary | None) -> None:
    """Unusable assets and references stop a run; DIT data items still missing do not."""
    errors = [p for p in problems if dal is None or p not in dal.missing]
    if errors:
        more = f"; `dit lab check` lists all {len(errors)}" if len(errors) > 1 else ""
        raise DitError(errors[0] + more)
