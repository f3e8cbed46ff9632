"""Casts: which of a test set's devices plays each role a scenario names.

A feature names devices by their role in the test set: "the ESME", "the ESME 2", "the PPMID". As named, the
role ESME is played by the device the test set lists as ESME (SB11-core: ESME-78-1-alder). A cast gives a role
to another device of the same type: in the cast `ESME=ESME 2` "the ESME" of every step is the test set's
ESME 2 (ESME-78-2-birch): its EUI in the DUIS requests, its own keys and certificates, its own GBCS, its
supplier. A cast is written as the roles it gives to another device, `role=device` sorted by role and joined
by ", " ("ESME=ESME 2, GSME=GSME 2"); '' is the cast as named. The ledger keeps it as part of a test's key
(PlannedTest.cast, ExecutionRecord.cast); a pytest node id shows it after the target (`[B6-SB11-core-ESME2]`,
`Cast.id`), so `dit run -k ESME2` selects it.

The plan (`planned`): every scenario runs as named, and in as many more casts as it takes for each qualifying
device of the test set (a device of a type the scenario names a role of) to play one of the roles the scenario
names for its type. A scenario that names only "the ESME" also runs with the ESME 2 as the ESME; one that names
both "the ESME" and "the ESME 2" already runs with both meters and gets no other cast for them. Several types
rotate together: a scenario naming the ESME and the PPMID runs as named and once with the second ESME and the
second PPMID (`ESME=ESME 2, PPMID=PPMID 2`). So where a scenario rotates, each device of a type it names takes
part in it on that CH variant, which is what the exit criteria count: DIT.EX.2, 3 and 5 (all selected devices on
each CH variant),
DIT.EX.7 (install & commission and firmware on every meter / CH silicon combination), DIT.1-5 and DIT.12 (two
manufacturers' devices tested). Not rotated: the hand-held terminal, a tool of the installer, not a device DIT
selects.

Where it rotates: on a functional target (B6: CHTS v1.1 with SMETS2 v3.0 devices) every scenario, since DIT.EX.3
and DIT.EX.5 ask for all planned tests per CH variant executed against all selected devices. On a regression
target (B1-B5) the families in REGRESSION_FAMILIES: DIT.EX.2 asks for regression on each CH variant with all
selected devices, not each scenario with each; those families are the ones DIT.EX.7 counts (install & commission,
firmware), the supplier and tenancy changes and prepayment the second meters never ran, and the IHD and PPMID
pairings. Every family on every target would double the matrix's wall time, over its 2x budget.

A device the test set lists with `rotated: false` plays only the role it is listed as (SB11-core's ESME 3, a
second meter of the ESME's model for an 11.1 to several devices of one image signer: no other selected device).

A scenario opts out with the tag @roles_as_named (on the feature, the scenario or its Examples) where giving its
roles to other devices makes no sense: it then runs as named only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from harness.catalogue import DeviceType
from harness.errors import DitError
from harness.lab.config import DeviceConfig, PremisesConfig

AS_NAMED_TAG = "roles_as_named"
REGRESSION_FAMILIES = ("install_commission", "firmware", "change_of_supplier", "change_of_tenancy", "prepayment_top_up",
                       "prepayment_data", "ihd", "ppmid")
NOT_ROTATED = (DeviceType.HHT,)          # the installer's terminal: a tool, not a device DIT selects


@dataclass(frozen=True)
class Cast:
    """The roles given to another device of the test set than the one of that name: (role, device) pairs, sorted
    by role, none to itself. Cast() is the cast as named."""

    roles: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        given = {role: device for role, device in self.roles if role != device}
        object.__setattr__(self, "roles", tuple(sorted(given.items())))

    def __str__(self) -> str:
        return ", ".join(f"{role}={device}" for role, device in self.roles)

    def __bool__(self) -> bool:
        return bool(self.roles)

    @property
    def id(self) -> str:
        """How a node id shows it after the target: 'ESME2', 'ESME2-PPMID2' ('' as named)."""
        return "-".join(device.replace(" ", "") for _, device in self.roles)

    @property
    def label(self) -> str:
        return str(self) or "as named"

    def device(self, role: str) -> str:
        """The test set's device (by its name there) that plays this role."""
        return dict(self.roles).get(role, role)

    @classmethod
    def parse(cls, text: str, *, where: str = "cast") -> Cast:
        """'ESME=ESME 2, GSME=GSME 2' -> a Cast; '' is the cast as named."""
        fix = "write it as ROLE=DEVICE, ROLE=DEVICE with the test set's device names, e.g. ESME=ESME 2"
        roles: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            role, equals, device = (s.strip() for s in part.partition("="))
            if not (equals and role and device):
                raise DitError(f"{part!r} is not ROLE=DEVICE", where=where, fix=fix)
            if role in roles:
                raise DitError(f"role {role!r} is given twice", where=where, fix=fix)
            if device in roles.values():
                raise DitError(f"device {device!r} plays two roles", where=where, fix=fix)
            roles[role] = device
        return cls(tuple(roles.items()))

    def on(self, site: PremisesConfig) -> PremisesConfig:
        """The test set as the scenario sees it in this cast: each device under the role it plays. A device whose
        role went to another takes a role that device left, so every device of the set is still there."""
        if not self:
            return site
        by_name = {d.name: d for d in site.devices}
        for role, device in self.roles:
            for name in (role, device):
                if name not in by_name:
                    raise DitError(f"cast {self}: test set {site.name} has no {name}",
                                   fix=f"its devices are {', '.join(by_name)}")
            if by_name[role].type is not by_name[device].type:
                raise DitError(f"cast {self}: the {device} of test set {site.name} is a {by_name[device].type.value}, "
                               f"it cannot play the {role} ({by_name[role].type.value})",
                               fix="give a role to a device of its type")
        given = dict(self.roles)
        playing = {device: role for role, device in self.roles}
        # whose role another device took, and the names left by the devices that took one, paired by type in order
        displaced = [d for d in site.devices if d.name in given and d.name not in playing]
        left = [d for d in site.devices if d.name in playing and d.name not in given]
        for kind in {d.type for d in displaced}:
            for moved, name in zip([d for d in displaced if d.type is kind], [d.name for d in left if d.type is kind],
                                   strict=True):
                playing[moved.name] = name
        return dataclasses.replace(site, devices=[_renamed(d, playing.get(d.name, d.name)) for d in site.devices])


AS_NAMED = Cast()


def _renamed(device: DeviceConfig, name: str) -> DeviceConfig:
    return device if device.name == name else dataclasses.replace(device, name=name)


def rotates(family: str, tags: Iterable[str], regression: bool) -> bool:
    """Whether a scenario of this family with these tags gives its roles to other devices on a target (regression:
    a baseline B1-B5)."""
    return AS_NAMED_TAG not in tags and (not regression or family in REGRESSION_FAMILIES)


def planned(named: Iterable[str], site: PremisesConfig, *, family: str, tags: Iterable[str] = (),
            regression: bool = False) -> list[Cast]:
    """The casts a scenario of this family that names these roles (device names of the test set, as
    targets.devices_named gives them) runs in on this test set: as named first, then, where it rotates, as many as
    it takes for each device of a type it names to play one of its roles of that type."""
    if not rotates(family, tags, regression):
        return [AS_NAMED]
    roles = set(named)
    rounds: list[dict[str, str]] = []
    for kind in dict.fromkeys(d.type for d in site.devices if d.type not in NOT_ROTATED):
        of_kind = [d.name for d in site.devices if d.type is kind]
        held = [name for name in of_kind if name in roles]
        others = [d.name for d in site.devices if d.type is kind and d.name not in roles and d.rotated]
        if not held:
            continue
        for n, start in enumerate(range(0, len(others), len(held))):
            if n == len(rounds):
                rounds.append({})
            rounds[n].update(zip(held, others[start:start + len(held)], strict=False))
    return [AS_NAMED] + [Cast(tuple(r.items())) for r in rounds]
