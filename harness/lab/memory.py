"""What a scenario remembers between its steps, as a service user's back office would: what earlier steps made
that later ones use (the UTRN it vended, the firmware image a manufacturer released, the DSP schedule 5.1
created, the certificate retrieved from SMKI ...) and what its prerequisites did. One per scenario (the
plugin's `scenario_context.memory`); `parameters.resolve` reads it where a step's table says "the vended UTRN",
"the firmware image", "from SMKI", "the response to SR 8.11" or "the DSP schedule".

The values flow from a When step to Then steps several steps later and into procedures and parameter
resolution, so they are kept here, typed, rather than as pytest-bdd target fixtures of single steps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TypeVar

from cryptography import x509

from harness.errors import DitError

T = TypeVar("T")


@dataclass(frozen=True)
class VendedUtrn:
    """A UTRN a supplier vended: the code a consumer types, the counter 2.2 carries, the credit it is worth."""

    code: str
    counter: int
    pence: int


@dataclass(frozen=True)
class ReleasedFirmware:
    """A firmware image a manufacturer released (11.1 distributes it), and its version ("00040001")."""

    image: bytes
    version: str


@dataclass
class ScenarioMemory:
    utrn: VendedUtrn | None = None
    firmware: ReleasedFirmware | None = None
    dsp_schedule_id: int | None = None                      # what 5.1 returned
    smki_certificate: x509.Certificate | None = None        # retrieved from SMKI after 6.17
    local_commands: dict[str, bytes] = field(default_factory=dict)    # by SR: returned for local delivery
    local_command: bytes | None = None                      # the last of them, which the installer delivers
    optional_skipped: bool = False                          # --without-optional left out the last SR step
    balances: dict[str, int] = field(default_factory=dict)  # meter balance a party noted, by device
    registers: dict[str, int] = field(default_factory=dict)  # import register a party noted, by device
    on_the_han: set[str] = field(default_factory=set)       # displays a prerequisite brought onto the HAN
    joined_to: dict[str, str] = field(default_factory=dict)  # a PPMID, IHD or HCALCS -> the meter it was joined to
    handed_over: set[tuple[str, str]] = field(default_factory=set)   # (device, party whose certificates) by 6.21
    closing_read: tuple[dt.datetime, int] | None = None     # P302: the midnight read the new supplier handed over
    # a role's trust anchor cells a party noted, by (device, role): usage -> (holder, subject key identifier)
    trust_anchor_cells: dict[tuple[str, str], dict[str, tuple[str | None, str | None]]] = field(default_factory=dict)
    through_ppmid: list[bytes] = field(default_factory=list)   # GBCS answers and alerts back over the PPMID route
    ch_firmware_release: str | None = None                  # the CH firmware release the DCC announced (SECMP0024)

    def keep_local_command(self, srv: str, command: bytes) -> None:
        self.local_commands[srv] = self.local_command = command

    def vended_utrn(self) -> VendedUtrn:
        return _made(self.utrn, "UTRN has been vended", "vend a UTRN first")

    def released_firmware(self) -> ReleasedFirmware:
        return _made(self.firmware, "firmware image has been released", "release a firmware image first")

    def ch_firmware(self) -> str:
        return _made(self.ch_firmware_release, "CH firmware release has been announced",
                     "have the DCC announce a CH firmware release first")

    def dsp_schedule(self) -> int:
        return _made(self.dsp_schedule_id, "DSP schedule has been created", "create a DSP schedule (5.1) first")

    def returned_for_local_delivery(self, srv: str) -> bytes:
        return _made(self.local_commands.get(srv), f"SR {srv} has been returned for local delivery",
                     f"deliver an SR {srv} locally first")


def _made(value: T | None, what: str, fix: str) -> T:
    if value is None:
        raise DitError(f"no {what} in this scenario yet", fix=fix)
    return value
