"""Communications Hub firmware management (SECMP0024, the DCC's web-portal solution): the DCC announces a CH
firmware release with a deployment period, each Supplier chooses when its CHs are upgraded within it, a pilot
phase keeps premises a Supplier excluded (vulnerable customers) out of early deployments, a CH at a premises
with two Suppliers is upgraded only once both approved the same time, the CSP upgrades the hub at that time
unless other work is due around it, and every Supplier of the premises is told afterwards.

The rule for a split supply whose period ends without every approval (the proposal leaves it to the DCC): a
voluntary release leaves the CH as it is (LAPSED, each Supplier told), since the working group's process is
voluntary until an upgrade is compulsory; a compulsory release is deployed by the DCC at the period's end
whatever was approved, the clash rules still applying.

A change of supplier completed after the release was announced changes who must approve: the premises' Suppliers
are read from the registration data at each step, the new Supplier starts at "not yet", the old one loses sight of
the CH and its approval no longer counts (a time it alone approved waits for the new Supplier).

Runs on the lab's clock: schedules, deferrals and the period's end are clock events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from harness.catalogue import DeviceStatus, DeviceType
from harness.clock import ScheduledEvent, VirtualClock
from harness.dcc.inventory import Premises, SmartMeteringInventory
from harness.eui import EntityId


class UpgradeState(StrEnum):
    AWAITING_SCHEDULE = "awaiting schedule"
    AWAITING_APPROVAL = "awaiting approval"      # scheduled by one Supplier, the other has not approved yet
    SCHEDULED = "scheduled"                      # every Supplier approved: the CSP upgrades at the time
    DEFERRED = "deferred"                        # due, but other work was due around it: moved after it
    UPGRADING = "upgrading"
    UPGRADED = "upgraded"
    FAILED = "failed"                            # the CSP could not reach the hub
    LAPSED = "lapsed"                            # the period ended without every approval (voluntary release)


class Approval(StrEnum):
    NOT_YET = "not yet"
    APPROVED = "approved"


class Clash(StrEnum):
    """Work an upgrade must not coincide with (SECMP0024's risks)."""

    CHANGE_OF_SUPPLIER = "pending change of supplier"
    TARIFF_OR_PRICE = "future-dated tariff or price change"
    DEVICE_FIRMWARE = "supplier's device firmware deployment"
    TOP_UP = "prepayment top-up in progress"


# How far either side of other work an upgrade may not fall; a deferred upgrade runs this long after it.
CLASH_WINDOWS = {Clash.CHANGE_OF_SUPPLIER: dt.timedelta(hours=48), Clash.TARIFF_OR_PRICE: dt.timedelta(hours=24),
                 Clash.DEVICE_FIRMWARE: dt.timedelta(hours=24), Clash.TOP_UP: dt.timedelta(minutes=30)}


class Refusal(StrEnum):
    NOT_FOUND = "not found"                      # also "not yours": a Supplier cannot tell the two apart
    OUTSIDE_PERIOD = "outside the deployment period"
    EXCLUDED_FROM_PILOT = "excluded from the pilot"
    NOT_SCHEDULED = "not scheduled"
    FINISHED = "finished"


class ChFirmwareRefused(Exception):
    def __init__(self, refusal: Refusal, what: str):
        super().__init__(what)
        self.refusal = refusal
        self.what = what


@dataclass(frozen=True)
class ChFirmwareRelease:
    release_id: str
    firmware_version: str               # the CH's DeviceFirmwareVersion after the upgrade (8.2 shows it)
    chts_version: str                   # the CHTS version it implements
    period_start: dt.datetime
    period_end: dt.datetime
    pilot_end: dt.datetime              # until then only the pilot cohort (nobody excluded) is upgraded
    compulsory: bool = False


@dataclass(frozen=True)
class PendingWork:
    kind: Clash
    at: dt.datetime


@dataclass(frozen=True)
class Deferral:
    due: dt.datetime
    reason: Clash
    until: dt.datetime


@dataclass
class ChUpgrade:
    """One CH under one release."""

    release: ChFirmwareRelease
    chf: EntityId
    premises: Premises
    suppliers: tuple[EntityId, ...]
    state: UpgradeState = UpgradeState.AWAITING_SCHEDULE
    scheduled_for: dt.datetime | None = None
    approvals: dict[EntityId, Approval] = field(default_factory=dict)
    deferrals: list[Deferral] = field(default_factory=list)
    upgraded_at: dt.datetime | None = None
    timer: ScheduledEvent | None = None
    forced: bool = False                # deployed by the DCC at a compulsory release's end, approved or not

    @property
    def finished(self) -> bool:
        return self.state in (UpgradeState.UPGRADED, UpgradeState.FAILED, UpgradeState.LAPSED)


@dataclass(frozen=True)
class SupplierView:
    """What one Supplier may see of a CH's upgrade: never the other Supplier's identity, only its approval."""

    release_id: str
    chf: EntityId
    mpxn: str | None
    state: UpgradeState
    scheduled_for: dt.datetime | None
    your_approval: Approval
    other_supplier_approval: Approval | None          # None: the premises has one Supplier
    excluded_from_pilot: bool
    deferrals: tuple[Deferral, ...]
    upgraded_at: dt.datetime | None


@dataclass(frozen=True)
class Notification:
    supplier: EntityId
    view: SupplierView


# (chf, chts version, firmware version, done(succeeded)) -> the CSP started it
HubUpgrade = Callable[[EntityId, str, str, Callable[[bool], None]], bool]


class ChFirmwareManagement:
    def __init__(self, clock: VirtualClock, inventory: SmartMeteringInventory, *,
                 pending_work: Callable[[EntityId], list[PendingWork]], upgrade_hub: HubUpgrade,
                 notify: Callable[[Notification], None]):
        self.clock = clock
        self.inventory = inventory
        self._pending_work = pending_work
        self._upgrade_hub = upgrade_hub
        self._notify = notify
        self.releases: dict[str, ChFirmwareRelease] = {}
        self.upgrades: dict[tuple[str, EntityId], ChUpgrade] = {}
        self.excluded: set[EntityId] = set()              # CHFs of premises a Supplier keeps out of pilots

    # -- the DCC ----------------------------------------------------------------------------------------

    def announce(self, release: ChFirmwareRelease) -> list[ChUpgrade]:
        """A release and every Commissioned CH not already running it; the period's end is a clock event."""
        if release.release_id in self.releases:
            raise ChFirmwareRefused(Refusal.FINISHED, f"release {release.release_id} was already announced")
        if not release.period_start <= release.pilot_end <= release.period_end:
            raise ChFirmwareRefused(Refusal.OUTSIDE_PERIOD, "the pilot must end within the deployment period")
        self.releases[release.release_id] = release
        made = []
        for record in list(self.inventory.devices.values()):
            premises = self.inventory.premises.get(record.device_id)
            if (record.device_type is not DeviceType.CHF or record.status is not DeviceStatus.COMMISSIONED
                    or premises is None or record.firmware_version == release.firmware_version):
                continue
            suppliers = _suppliers(premises)
            upgrade = ChUpgrade(release, record.device_id, premises, suppliers,
                                approvals={s: Approval.NOT_YET for s in suppliers})
            self.upgrades[(release.release_id, record.device_id)] = upgrade
            made.append(upgrade)
        self.clock.call_at(release.period_end, lambda: self._period_ends(release),
                           f"CH firmware {release.release_id} period ends")
        return made

    # -- what a Supplier does -------------------------------------------------------------------------

    def eligible(self, supplier: EntityId, release_id: str) -> list[SupplierView]:
        if release_id not in self.releases:
            raise ChFirmwareRefused(Refusal.NOT_FOUND, f"no release {release_id}")
        return [self.view(u, supplier) for (r, _), u in self.upgrades.items()
                if r == release_id and supplier in self._current(u).suppliers]

    def upgrade_of(self, supplier: EntityId, release_id: str, chf: EntityId) -> ChUpgrade:
        """The CH's upgrade if the Supplier supplies its premises; the same refusal whether the CH does not
        exist, is not in the release or is another Supplier's, so guessing IDs learns nothing."""
        upgrade = self.upgrades.get((release_id, chf))
        if upgrade is None or supplier not in self._current(upgrade).suppliers:
            raise ChFirmwareRefused(Refusal.NOT_FOUND, f"no CH {chf} of yours in release {release_id}")
        return upgrade

    def status(self, supplier: EntityId, release_id: str, chf: EntityId) -> SupplierView:
        return self.view(self.upgrade_of(supplier, release_id, chf), supplier)

    def schedule(self, supplier: EntityId, release_id: str, chf: EntityId, when: dt.datetime) -> SupplierView:
        """The Supplier chooses the time (and so approves it); another Supplier's earlier approval of a
        different time no longer counts."""
        upgrade = self._open(supplier, release_id, chf)
        release = upgrade.release
        if not release.period_start <= when <= release.period_end:
            raise ChFirmwareRefused(Refusal.OUTSIDE_PERIOD, f"{when:%Y-%m-%dT%H:%M:%SZ} is outside the deployment "
                                    f"period {release.period_start:%Y-%m-%dT%H:%M:%SZ} to "
                                    f"{release.period_end:%Y-%m-%dT%H:%M:%SZ}")
        if when < self.clock.now():
            raise ChFirmwareRefused(Refusal.OUTSIDE_PERIOD, f"{when:%Y-%m-%dT%H:%M:%SZ} has passed")
        if when < release.pilot_end and chf in self.excluded:
            raise ChFirmwareRefused(Refusal.EXCLUDED_FROM_PILOT, f"CH {chf} is excluded from the pilot, which "
                                    f"ends {release.pilot_end:%Y-%m-%dT%H:%M:%SZ}: schedule it after that")
        if upgrade.scheduled_for != when:
            upgrade.approvals = {s: Approval.NOT_YET for s in upgrade.suppliers}
        upgrade.scheduled_for = when
        upgrade.approvals[supplier] = Approval.APPROVED
        self._arm(upgrade)
        return self.view(upgrade, supplier)

    def approve(self, supplier: EntityId, release_id: str, chf: EntityId) -> SupplierView:
        upgrade = self._open(supplier, release_id, chf)
        if upgrade.scheduled_for is None:
            raise ChFirmwareRefused(Refusal.NOT_SCHEDULED, f"CH {chf} has no time to approve yet: schedule it")
        upgrade.approvals[supplier] = Approval.APPROVED
        self._arm(upgrade)
        return self.view(upgrade, supplier)

    def exclude(self, supplier: EntityId, release_id: str, chf: EntityId) -> SupplierView:
        """Keep the premises out of pilots (a vulnerable customer): of this release and of later ones. A time
        already chosen inside the pilot is withdrawn."""
        upgrade = self._open(supplier, release_id, chf)
        self.excluded.add(chf)
        for other in self.upgrades.values():
            if (other.chf == chf and not other.finished and other.scheduled_for is not None
                    and other.scheduled_for < other.release.pilot_end):
                self.clock.cancel(other.timer)
                other.scheduled_for, other.timer, other.state = None, None, UpgradeState.AWAITING_SCHEDULE
                other.approvals = {s: Approval.NOT_YET for s in other.suppliers}
        return self.view(upgrade, supplier)

    def view(self, upgrade: ChUpgrade, supplier: EntityId) -> SupplierView:
        others = [a for s, a in upgrade.approvals.items() if s != supplier]
        return SupplierView(upgrade.release.release_id, upgrade.chf, _mpxn(upgrade.premises, supplier),
                            upgrade.state, upgrade.scheduled_for, upgrade.approvals.get(supplier, Approval.NOT_YET),
                            others[0] if others else None, upgrade.chf in self.excluded, tuple(upgrade.deferrals),
                            upgrade.upgraded_at)

    # -- on the clock ---------------------------------------------------------------------------------

    def _current(self, upgrade: ChUpgrade) -> ChUpgrade:
        """The upgrade with the premises' Suppliers as registered now: after a change of supplier the new one
        must approve (a Supplier that stays keeps its approval), and a time no longer approved by all is off."""
        now = _suppliers(upgrade.premises)
        if now == upgrade.suppliers or upgrade.finished:
            return upgrade
        upgrade.suppliers = now
        upgrade.approvals = {s: upgrade.approvals.get(s, Approval.NOT_YET) for s in now}
        if (upgrade.state in (UpgradeState.SCHEDULED, UpgradeState.DEFERRED) and not upgrade.forced
                and not all(a is Approval.APPROVED for a in upgrade.approvals.values())):
            self._arm(upgrade)
        return upgrade

    def _open(self, supplier: EntityId, release_id: str, chf: EntityId) -> ChUpgrade:
        upgrade = self.upgrade_of(supplier, release_id, chf)
        if upgrade.finished or upgrade.state is UpgradeState.UPGRADING:
            raise ChFirmwareRefused(Refusal.FINISHED, f"CH {chf} is {upgrade.state} in release {release_id}")
        return upgrade

    def _arm(self, upgrade: ChUpgrade) -> None:
        self.clock.cancel(upgrade.timer)
        upgrade.timer = None
        if all(a is Approval.APPROVED for a in upgrade.approvals.values()):
            upgrade.state = UpgradeState.SCHEDULED
            assert upgrade.scheduled_for is not None, "approvals are only given for a time"
            upgrade.timer = self.clock.call_at(upgrade.scheduled_for, lambda: self._due(upgrade),
                                               f"CH firmware upgrade {upgrade.chf}")
        else:
            upgrade.state = UpgradeState.AWAITING_APPROVAL

    def _due(self, upgrade: ChUpgrade) -> None:
        if self._current(upgrade).state not in (UpgradeState.SCHEDULED, UpgradeState.DEFERRED):
            return                                      # a change of supplier withdrew the approval it rested on
        now = self.clock.now()
        # until the window after the work has passed: work still listed then (a top-up never answered) must not
        # defer the upgrade to the moment it is already at, over and over
        clashes = [w for w in self._pending_work(upgrade.chf)
                   if w.at - CLASH_WINDOWS[w.kind] <= now < w.at + CLASH_WINDOWS[w.kind]]
        if clashes:
            first = min(clashes, key=lambda w: w.at + CLASH_WINDOWS[w.kind])
            until = max(w.at + CLASH_WINDOWS[w.kind] for w in clashes)
            upgrade.deferrals.append(Deferral(now, first.kind, until))
            upgrade.state, upgrade.scheduled_for = UpgradeState.DEFERRED, until
            upgrade.timer = self.clock.call_at(until, lambda: self._due(upgrade),
                                               f"CH firmware upgrade {upgrade.chf} (deferred)")
            self._tell(upgrade)
            return
        upgrade.state, upgrade.timer = UpgradeState.UPGRADING, None
        release = upgrade.release
        if not self._upgrade_hub(upgrade.chf, release.chts_version, release.firmware_version,
                                 lambda ok: self._upgraded(upgrade, ok)):
            self._upgraded(upgrade, False)

    def _upgraded(self, upgrade: ChUpgrade, succeeded: bool) -> None:
        if succeeded:
            upgrade.state, upgrade.upgraded_at = UpgradeState.UPGRADED, self.clock.now()
            for record in (self.inventory.get(upgrade.chf), self.inventory.gpf_of(upgrade.chf)):
                if record is not None:
                    record.smets_chts_version = upgrade.release.chts_version.replace("v", "V")
                    record.firmware_version = upgrade.release.firmware_version
        else:
            upgrade.state = UpgradeState.FAILED
        self._tell(upgrade)

    def _period_ends(self, release: ChFirmwareRelease) -> None:
        for upgrade in self.upgrades.values():
            if upgrade.release is release:
                self._current(upgrade)
            if upgrade.release is not release or upgrade.finished or upgrade.state in (
                    UpgradeState.SCHEDULED, UpgradeState.DEFERRED, UpgradeState.UPGRADING):
                continue
            if release.compulsory:
                upgrade.scheduled_for = self.clock.now()
                upgrade.state, upgrade.forced = UpgradeState.SCHEDULED, True
                self._due(upgrade)
            else:
                upgrade.state = UpgradeState.LAPSED
                self._tell(upgrade)

    def _tell(self, upgrade: ChUpgrade) -> None:
        for supplier in self._current(upgrade).suppliers:
            self._notify(Notification(supplier, self.view(upgrade, supplier)))


def _suppliers(premises: Premises) -> tuple[EntityId, ...]:
    return tuple(dict.fromkeys(s for s in (premises.import_supplier, premises.gas_supplier) if s))


def _mpxn(premises: Premises, supplier: EntityId) -> str | None:
    """The metering point the Supplier knows the premises by (its own MPAN or MPRN, never the other's)."""
    if supplier == premises.import_supplier:
        return premises.mpan
    return premises.mprn if supplier == premises.gas_supplier else None
