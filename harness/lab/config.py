"""Lab configuration: the parties, premises, Communications Hubs and devices of a lab.

    name: Emulated lab
    kind: emulated                        # emulated | real
    dcc: {access_control_broker: 90-B3-D5-1F-30-00-00-02, transitional_cos: 90-B3-D5-1F-30-00-00-04}
    users:
      - {name: Supplier A, eui: 90-B3-D5-1F-30-01-00-00, roles: [IS, GS]}
    premises:
      - name: Site 1
        mpan: "1312345678111"
        import_supplier: Supplier A       # user names
        communications_hub: {chf: ..., gpf: ..., chts_version: CHTS V1.1, han_variant: Single Band}
        devices:
          - {name: ESME, type: ESME, eui: ..., install_code: 30313233...}

Gherkin names parties by role at the premises ("the Import Supplier", "the Gas Network Operator") or
by user name, and devices by their name ("the ESME").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness.catalogue import DeviceType, UserRole
from harness.errors import DitError
from harness.eui import DCC_ACCESS_CONTROL_BROKER, EntityId
from harness.lab import yamlfile
from harness.lab.yamlfile import Located

DEFAULT = Path(__file__).resolve().parents[2] / "lab_configs" / "emulated.yaml"

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


@dataclass(frozen=True)
class HubConfig:
    chf: EntityId
    gpf: EntityId
    chts_version: str = "CHTS V1.1"        # DUIS SMETSCHTSVersion (at most 20 characters)
    han_variant: str = "Single Band"       # DUIS HANVariant: Single Band | Dual Band


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


@dataclass
class LabConfig:
    name: str
    kind: str
    source: str
    access_control_broker: EntityId
    transitional_cos: EntityId
    users: list[UserConfig]
    premises: list[PremisesConfig]

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


def _eui(node: Located, key: str) -> EntityId:
    value = node.require(key, str, fix="write it as 00-DB-12-34-56-78-90-A0")
    try:
        return EntityId(value)
    except DitError:
        raise node.fail(key, f"{value!r} is not an EUI-64", "write it as 00-DB-12-34-56-78-90-A0") from None


def _device(node: Located) -> DeviceConfig:
    kind = node.require("type", str)
    try:
        device_type = DeviceType(kind)
    except ValueError:
        raise node.fail("type", f"unknown device type {kind!r}",
                        f"use one of {', '.join(t.value for t in DeviceType)}") from None
    code = node.get("install_code")
    install_code = None
    if code is not None:
        try:
            install_code = bytes.fromhex(str(code))
        except ValueError:
            raise node.fail("install_code", "is not hex", "write the install code as hex, without its CRC") from None
        if len(install_code) not in (6, 8, 12, 16):
            raise node.fail("install_code", f"is {len(install_code)} bytes", "an install code is 6, 8, 12 or 16 bytes")
    elif device_type not in (DeviceType.CHF, DeviceType.GPF):
        raise node.fail("install_code", "missing: a HAN device cannot join without one",
                        "add the device's ZigBee install code")
    return DeviceConfig(name=str(node.get("name") or device_type.value), type=device_type, eui=_eui(node, "eui"),
                        install_code=install_code, manufacturer=str(node.get("manufacturer", "DIT0")),
                        model=str(node.get("model", "0001")), smets_chts_version=node.get("smets_chts_version"),
                        firmware_version=node.get("firmware_version"),
                        supplier=None if node.get("supplier") is None else str(node["supplier"]))


def _hub(node: Located) -> HubConfig:
    version = str(node.get("chts_version", "CHTS V1.1"))
    if len(version) > 20:
        raise node.fail("chts_version", f"{version!r} is longer than DUIS allows (20)", "write e.g. CHTS V1.1")
    band = str(node.get("han_variant", "Single Band"))
    if band not in ("Single Band", "Dual Band"):
        raise node.fail("han_variant", f"{band!r} is not a HAN variant", "write Single Band or Dual Band")
    return HubConfig(_eui(node, "chf"), _eui(node, "gpf"), version, band)


def load(path: str | Path | None = None) -> LabConfig:
    doc = yamlfile.load(path or DEFAULT)
    kind = doc.require("kind", str)
    if kind not in ("emulated", "real"):
        raise doc.fail("kind", f"{kind!r} is neither emulated nor real")
    dcc = doc.require("dcc", Located)
    users = []
    for node in doc.items_of("users"):
        roles = node.require("roles", list)
        try:
            parsed = frozenset(UserRole(r) for r in roles)
        except ValueError as exc:
            raise node.fail("roles", str(exc), f"roles are {', '.join(r.value for r in UserRole)}") from None
        users.append(UserConfig(node.require("name", str), _eui(node, "eui"), parsed))
    names = [u.name for u in users]
    premises = []
    for node in doc.items_of("premises"):
        hub = node.require("communications_hub", Located)
        parties = {}
        for key in PARTY_ROLES.values():
            if key in node:
                if node[key] not in names:
                    raise node.fail(key, f"{node[key]!r} is not one of the users", f"users are {', '.join(names)}")
                parties[key] = node[key]
        premises.append(PremisesConfig(
            name=node.require("name", str),
            hub=_hub(hub),
            devices=[_device(d) for d in node.items_of("devices")],
            mpan=None if node.get("mpan") is None else str(node["mpan"]),
            mprn=None if node.get("mprn") is None else str(node["mprn"]),
            uprn=int(node.get("uprn", 100000000001)), parties=parties,
            spare_hub=_hub(node["spare_communications_hub"]) if "spare_communications_hub" in node else None))
    seen: dict[EntityId, str] = {}
    for site in premises:
        for device in site.devices:
            if device.supplier is not None and device.supplier not in names:
                raise DitError(f"device {device.name}: supplier {device.supplier!r} is not one of the users",
                               where=doc.where, fix=f"users are {', '.join(names)}")
            if device.eui in seen:
                raise DitError(f"device {device.name} has the EUI of {seen[device.eui]}: {device.eui}",
                               where=doc.where, fix="give every device its own EUI")
            seen[device.eui] = device.name
    return LabConfig(name=str(doc.get("name", Path(doc.where).stem)), kind=kind, source=doc.where,
                     access_control_broker=EntityId(dcc.get("access_control_broker", DCC_ACCESS_CONTROL_BROKER.duis)),
                     transitional_cos=EntityId(dcc.get("transitional_cos", "90-B3-D5-1F-30-00-00-04")),
                     users=users, premises=premises)
