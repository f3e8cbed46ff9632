"""What the DSP and its services share: the DCC's own parties, the Users, rejections, commands in flight."""

from __future__ import annotations

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


@dataclass
class Transcript:
    """Every DUIS document in or out of the DCC, in order (the tests validate each one)."""

    documents: list[tuple[str, bytes]] = field(default_factory=list)

    def add(self, label: str, data: bytes) -> None:
        self.documents.append((label, data))
