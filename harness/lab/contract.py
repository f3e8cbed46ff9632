"""What steps may ask of any lab: the `Lab` protocol the emulated lab (harness.lab.emulated) and a real bench
(harness.lab.real) both implement, so a scenario runs unchanged on either (tests/test_lab_contract.py has mypy
verify both). Steps, procedures and parameter resolution use a lab only through it; what a bench cannot do by
itself raises NotOnThisBench there.

`SmkiQuestions` answers the lab's SMKI questions (the certificate a party uses, renewals, what SMKI issued)
from the lab's `repository`, whichever SMKI that is.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from typing import Protocol

from cryptography import x509

from harness.adapters import ServiceUser
from harness.adapters.ch_firmware_client import ChFirmwarePortal, Notice
from harness.catalogue import DeviceType
from harness.clock import Clock
from harness.dcc.ch_firmware import ChFirmwareRelease
from harness.eui import EntityId
from harness.han.capture import CapturedFrame
from harness.lab.config import DeviceConfig, LabConfig
from harness.pki import Credential, KeyUsage
from harness.pki.repository import Smki


class Terminal(Protocol):
    """The installer's hand-held terminal: what it brought back from the CH (8.13 carries it to the DCC)."""

    def response_to(self, command: bytes) -> bytes | None: ...

    def alert(self, code: int) -> bytes | None: ...


class Lab(Protocol):
    """One test set of a lab at one release baseline, for one scenario."""

    @property
    def config(self) -> LabConfig: ...

    @property
    def clock(self) -> Clock: ...

    def __enter__(self) -> Lab: ...

    def __exit__(self, *exc: object) -> None: ...

    # -- the DCC Users and time

    def user(self, words: str) -> ServiceUser:
        """'the Import Supplier', 'Supplier B' ..."""

    @property
    def users(self) -> dict[str, ServiceUser]:
        """Every DCC User's service user, by name: what they sent and received is what the scenario observed
        (harness.lab.participation)."""

    def device_config(self, name: str) -> DeviceConfig: ...

    def now(self) -> dt.datetime: ...

    def let_time_pass(self, seconds: float) -> None: ...

    # -- on site: the installer, the consumer, the CSP

    def power_on(self, name: str) -> None: ...

    def deliver_locally(self, command: bytes, terminal: str = "HHT") -> bool: ...

    def close_tunnel(self, terminal: str = "HHT") -> None: ...     # CloseTunnel: the CH forgets the terminal

    def terminal(self, name: str = "HHT") -> Terminal: ...

    def consumer_enters_utrn(self, device: str, code: str, fuel: DeviceType | None = None) -> bool: ...

    def display(self, device: str) -> list[str]: ...          # what a person reads on the device's screen

    def consumer_presses_button(self, device: str) -> bool: ...   # an armed supply enabled by it

    def install_without_wan(self) -> None: ...

    def wan_outage(self, lasts_s: float | None = None) -> None: ...

    def wan_restored(self) -> None: ...

    def ppmid_internet(self, name: str) -> str: ...

    def consumer_accepts_utrn(self, device: str) -> bool: ...

    def replace_communications_hub(self) -> None: ...

    def upgrade_communications_hub(self, chts_version: str = "CHTS v1.1") -> None: ...

    def interfere(self) -> None: ...

    def lose_sm_wan(self) -> None: ...

    def fail_han_radio(self) -> None: ...

    # -- around the DCC: registration, manufacturers, SMKI

    def register(self, role: str, user: str, effective: dt.datetime | None = None) -> None: ...

    def set_anomaly_threshold(self, user: str, srv: str, per_day: int) -> None: ...

    # -- the DCC's CH firmware management (SECMP0024)

    def announce_ch_firmware(self, release: ChFirmwareRelease, user: str) -> str:
        """The release the DCC announced with this firmware, as the User's portal lists it: on the emulated lab the
        DCC announces it now; a bench's DCC must have."""

    def ch_firmware_portal(self, user: str) -> ChFirmwarePortal:
        """The User's client of the DCC's CH firmware API (a bench without one: NotOnThisBench)."""

    def ch_firmware_notices(self, user: str) -> list[Notice]: ...

    def firmware_image(self, device: str, version: int, *, signed_by: str | None = None) -> bytes: ...

    def withdraw_from_cpl(self, device: str) -> None: ...

    def certificate_from_smki(self, device: EntityId, usage: KeyUsage, request: bytes) -> x509.Certificate: ...

    def certificate_in_use(self, party: EntityId, usage: KeyUsage) -> x509.Certificate | None: ...

    def issued_by_smki(self, certificate: x509.Certificate) -> bool: ...

    def renew_organisation_certificates(self, party: EntityId) -> None: ...

    def renewed_certificates(self, party: EntityId) -> dict[KeyUsage, x509.Certificate]: ...

    def use_renewed_certificates(self, party: EntityId) -> None: ...

    def organisation_ca_certificate(self) -> x509.Certificate: ...

    # -- evidence

    def han_capture(self) -> list[CapturedFrame]: ...

    def console_transcripts(self) -> dict[str, list[str]]: ...

    def evidence_credentials(self) -> list[Credential]: ...


class SmkiQuestions(ABC):
    """The `Lab` methods about the SMKI, answered by the lab's `repository` (each lab says which SMKI that is)."""

    @property
    @abstractmethod
    def repository(self) -> Smki: ...

    def certificate_from_smki(self, device: EntityId, usage: KeyUsage, request: bytes) -> x509.Certificate:
        """'Retrieve Certificate From SMKI': the certificate SMKI issues for the certification request (PKCS#10
        DER) a device answered 6.17 with."""
        return self.repository.certify_request(device, usage, request)

    def certificate_in_use(self, party: EntityId, usage: KeyUsage) -> x509.Certificate | None:
        """The certificate a device or organisation uses now for `usage` (the DCC and the Users verify with it)."""
        found = self.repository.keystore.find(party, usage)
        return None if found is None else found.certificate

    def issued_by_smki(self, certificate: x509.Certificate) -> bool:
        return certificate in self.repository.issued

    def renew_organisation_certificates(self, party: EntityId) -> None:
        """New organisation certificates for a party, not in use until it says so (6.15.1 places them first)."""
        self.repository.renew_organisation(party)

    def renewed_certificates(self, party: EntityId) -> dict[KeyUsage, x509.Certificate]:
        renewed = self.repository.renewed(party)
        return {usage: c.certificate for usage, c in renewed.items() if c.certificate is not None}

    def use_renewed_certificates(self, party: EntityId) -> None:
        self.repository.put_organisation_in_use(party)

    def organisation_ca_certificate(self) -> x509.Certificate:
        """The certification path a party's replacement certificates go with (6.21, 6.15.1, 6.23)."""
        return self.repository.organisation_ca_certificate
