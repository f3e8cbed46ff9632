"""What the DSP and its services share: the DCC's own parties, the Users, rejections, commands in flight."""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from harness.catalogue import UserRole
from harness.clock import ScheduledEvent
from harness.dcc.inventory import InventoryDevice
from harness.duis.request_id import RequestId
from harness.eui import EntityId
from harness.gbcs.frame import GeneralSigning

# GBCS responses in the emulated lab say Success or Failure in their Result field.
FAILED = "Failure"


class DuisRejection(Exception):
    """A DUIS error (or warning) code for the synchronous response, optionally with content saying why."""

    def __init__(self, code: str, reason: str, content: etree._Element | None = None):
        super().__init__(reason)
        self.code = code
        self.content = content


class TransportRejection(Exception):
    """Refused before DUIS: HTTP 400 with a reason."""


@dataclass
class DccUser:
    name: str
    eui: EntityId
    roles: frozenset[UserRole]
    response_url: str | None = None
    anomaly_thresholds: Mapping[str, int] = field(default_factory=dict)   # SR -> commands a day (dcc.anomaly)


@dataclass
class DccIdentity:
    """The DCC's own parties: the ACB (also the DSP's XML signer and the target of non-device SRs) and TransCoS."""

    acb: EntityId
    transcos: EntityId


@dataclass
class Outstanding:
    """A command on its way to a device (or held by the DSP until its execution time)."""

    request_id: RequestId
    srv: str
    user: DccUser
    device: InventoryDevice
    use_case: str
    apdu: GeneralSigning
    fields: dict
    timer: ScheduledEvent | None = None             # the VirtualClock's timeout or execution-time event
    schedule_id: int | None = None          # run by a DSP schedule: answered as DSPScheduledMessage
    local: bool = False                     # handed to the User for local delivery: answered by 8.13


class Transcript:
    """The DUIS documents in or out of the DCC, in order. Every one is counted and digested (SHA-256 over the
    labels and bytes in order); the latest `recent` are held, and the first `notable_held` of what a triager reads
    first -- the DCC's own alerts (its failures among them), commands it could not deliver. An 11.1 to 50,000
    devices posts 50,000 alerts, which held whole were 80 MB that no one reads here (the User's side keeps what it
    received: its Receive Response Service)."""

    NOTABLE = ("DCC alert", "undeliverable")

    def __init__(self, *, recent: int = 2_000, notable_held: int = 2_000):
        self.recent: deque[tuple[str, bytes]] = deque(maxlen=recent)
        self.notable: list[tuple[str, bytes]] = []
        self.notable_held = notable_held
        self.count = 0
        self.notable_count = 0
        self._digest = hashlib.sha256()

    def add(self, label: str, data: bytes) -> None:
        self.count += 1
        self._digest.update(b"%d:%s\n%d:" % (len(label), label.encode(), len(data)) + data)
        self.recent.append((label, data))
        if label.startswith(self.NOTABLE):
            self.notable_count += 1
            if len(self.notable) < self.notable_held:
                self.notable.append((label, data))

    @property
    def documents(self) -> list[tuple[str, bytes]]:
        """The documents held, in order: every one while there have been no more than `recent`."""
        return list(self.recent)

    def digest(self) -> str:
        """SHA-256 of every document so far, in order: two runs that exchanged the same documents agree."""
        return self._digest.hexdigest()
