"""The common firmware model of every emulated smart metering device.

A command reaches a device as a real GBCS message. The device accepts it only if:
  1. it is well-formed and addressed to this device (else it is ignored, or 0x8F1E if malformed);
  2. its MAC verifies with the ACB's key-agreement key from the ACB trust anchor cell (else 0x8F3D);
  3. its originator counter is higher than any accepted before from that originator (else 0x8F60);
  4. for critical use cases: the originator is the party in the trust anchor cell that may authorise
     the use case (the Supplier cell for supplier commands; TransCoS for CoS; ...) (else 0x8F30), and
     the signature verifies with that cell's key (else 0x8F3D).
A rejected command gets no response, only the alert (addressed as the device addresses alerts: to the
party in its Supplier cell, which is the ACB while the device is "configured as new"). The DCC then
times out (E21). Alert codes for rejections are this model's choice: GBCS names the events, not a
mapping to codes (gbcs_security.md; alerts.md 2.2).

An accepted command runs its use-case handler; critical commands get a response signed with the
device's DS key, others a response MAC'd with the originator's KA key, as in the RTDS samples.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from harness import catalogue
from harness.catalogue import DeviceType, RemotePartyRole
from harness.clock import VirtualClock
from harness.emulators.trust import TrustAnchorRejected, TrustAnchors
from harness.eui import EntityId
from harness.gbcs import crypto, model_payload
from harness.gbcs.axdr import PayloadError
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning, MalformedMessage
from harness.pki import KeyUsage, derive_private_key, entity_id_of
from harness.usecases import device as device_side
from harness.usecases.registry import DeviceCommand

R = RemotePartyRole
Handler = Callable[["EmulatedDevice", dict, GeneralSigning], dict]

# Use cases a device accepts only with a signature (critical SRs' use cases, and the CS02b credential
# replacements the DCC itself signs as ACB or TransCoS).
CRITICAL_USE_CASES = frozenset(
    uc.name for sr in catalogue.service_requests() if sr.critical for uc in sr.use_cases
) | {"CS02bSupplierBySupplierHandover", "CS02bNOByNOHandover", "CS02bSupplierByTransCoS", "CS02bACBByACB"}

# Who may sign a critical use case: the party in this role's DS cell (Supplier unless listed).
_SIGNER_ROLE = {
    "CS02bNOByNO": R.NETWORK_OPERATOR, "CS02bNOByNOHandover": R.NETWORK_OPERATOR,
    "CS02bSupplierByTransCoS": R.TRANSITIONAL_COS, "CS02bACBByACB": R.ACCESS_CONTROL_BROKER,
}

# UTRN top-ups are counted by the meter's UTRN Counter Cache, not the originator counter (GBCS 14.3.4).
UTRN_USE_CASES = frozenset({"CS01a", "CS01b"})
FD_SUCCESS, FD_FAILURE = 0x8F66, 0x8F67

ALERT_MALFORMED = 0x8F1E             # Integrity check of content or format of command failed
ALERT_AUTHENTICATION = 0x8F3D        # Trusted Source Authentication Failure
ALERT_NO_AUTHORITY = 0x8F30          # Source Does not have Authority for Command
ALERT_OUT_OF_ORDER = 0x8F60          # Unusual numbers of malformed, out-of-order or unexpected Commands
GENERIC_CRITICAL_ALERT, GENERIC_NON_CRITICAL_ALERT = 0x1000, 0x1001


class Rejection(Exception):
    """The device refuses a command: no response, an alert."""

    def __init__(self, alert_code: int, reason: str):
        super().__init__(reason)
        self.alert_code = alert_code


class CommandFailed(Exception):
    """The command was authentic but cannot be carried out: a response saying so."""


def handles(*use_cases: str):
    def mark(fn):
        fn._use_cases = use_cases
        return fn
    return mark


@dataclass(frozen=True)
class DeviceKeys:
    digital_signing: ec.EllipticCurvePrivateKey
    key_agreement: ec.EllipticCurvePrivateKey


class EmulatedDevice:
    device_type: ClassVar[DeviceType]
    _handlers: ClassVar[dict[str, Handler]] = {}
    fd_alert_message_code: ClassVar[int] = 0x00CC      # DLMS COSEM future-dated outcome (0x00CD: GBZ)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        handlers = {}
        for base in reversed(cls.__mro__):
            for value in vars(base).values():
                for use_case in getattr(value, "_use_cases", ()):
                    handlers[use_case] = value
        cls._handlers = handlers

    def __init__(self, eui: EntityId, *, clock: VirtualClock, keys: DeviceKeys | None,
                 trust: TrustAnchors | None, key_seed: bytes):
        self.eui = eui
        self.clock = clock
        self.keys = keys
        self.trust = trust
        self._key_seed = key_seed
        self._key_generation = 0
        self.pending_keys: dict[KeyUsage, ec.EllipticCurvePrivateKey] = {}
        self.certificates: dict[KeyUsage, x509.Certificate] = {}
        self.counters: dict[EntityId, int] = {}
        self._own_counter = clock.millis()
        self.uplink: Callable[[bytes], None] | None = None
        self.history: list[str] = []
        self.event_log: list[dict] = []
        self.security_log: list[dict] = []
        self.future_dated: list[dict] = []
        self.powered = True

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.eui})"

    # -- trace -------------------------------------------------------------------------------------

    def note(self, text: str) -> None:
        self.history.append(f"{self.clock.now():%H:%M:%S} {text}")

    def log_event(self, code: int, text: str) -> None:
        """An entry in the Event Log (read with 6.13)."""
        self.event_log.append({"DateTime": self.clock.now().isoformat(), "EventCode": f"{code:04X}", "Detail": text})

    def log_security(self, code: int, text: str) -> None:
        """An entry in the Security Log: authentication failures, credential changes (read with 6.13)."""
        self.security_log.append({"DateTime": self.clock.now().isoformat(), "EventCode": f"{code:04X}",
                                  "Detail": text})

    # -- receiving ---------------------------------------------------------------------------------

    def receive(self, data: bytes) -> None:
        if not self.powered:
            return
        try:
            message = GbcsMessage.decode(data)
        except MalformedMessage as exc:
            self.note(f"malformed command: {exc}")
            self.raise_alert(ALERT_MALFORMED, {"Reason": str(exc)}, critical=True)
            return
        apdu = message.apdu
        if apdu.recipient != self.eui or apdu.cra_flag is not CraFlag.COMMAND:
            self.note(f"ignored {apdu.cra_flag.name.lower()} for {apdu.recipient}")
            return
        try:
            fields, command = self._authenticate(message)
        except Rejection as rejection:
            self.note(f"rejected command {apdu.originator}:{apdu.originator_counter}: {rejection}")
            self.log_security(rejection.alert_code, str(rejection))
            self.raise_alert(rejection.alert_code, {"Reason": str(rejection), "Originator": apdu.originator.duis},
                             critical=True)
            return
        use_case = fields.get("UseCase", "")
        handler = self._handlers.get(use_case)
        try:
            if handler is None:
                raise CommandFailed(f"{type(self).__name__} does not support {use_case or 'this use case'}")
            outcome = {"Result": "Success", **(handler(self, fields, apdu) or {})}
            self.note(f"{use_case} from {apdu.originator}: success")
        except CommandFailed as failure:
            outcome = {"Result": "Failure", "Reason": str(failure)}
            self.note(f"{use_case} from {apdu.originator}: failed: {failure}")
        self._respond(apdu, outcome, critical=use_case in CRITICAL_USE_CASES, read=command)

    def _authenticate(self, message: GbcsMessage) -> tuple[dict, DeviceCommand | None]:
        apdu = message.apdu
        acb = self.trust.cell(R.ACCESS_CONTROL_BROKER, KeyUsage.KEY_AGREEMENT) if self.trust else None
        if acb is None or self.keys is None:
            raise Rejection(ALERT_AUTHENTICATION, "no ACB key-agreement trust anchor to check the MAC")
        if message.mac is None or not crypto.mac_holds(message, self.keys.key_agreement, acb.public_key):
            raise Rejection(ALERT_AUTHENTICATION, "MAC does not verify with the ACB key")
        command = None
        try:
            if model_payload.is_model_payload(apdu.payload):
                fields = model_payload.decode(apdu.payload)
            else:
                command, fields = device_side.read(apdu, self.device_type, now=self.clock.now(),
                                                   commissioned=getattr(self, "commissioned", True))
        except (MalformedMessage, PayloadError) as exc:
            raise Rejection(ALERT_MALFORMED, f"payload: {exc}") from None
        use_case = str(fields.get("UseCase", ""))
        last = self.counters.get(apdu.originator, -1)
        counted = use_case not in UTRN_USE_CASES
        if counted and apdu.originator_counter <= last:
            raise Rejection(ALERT_OUT_OF_ORDER,
                            f"originator counter {apdu.originator_counter} is not above {last}: a replay")
        if use_case in CRITICAL_USE_CASES:
            role = _SIGNER_ROLE.get(use_case, R.SUPPLIER)
            cell = self.trust.cell(role, KeyUsage.DIGITAL_SIGNING)
            if cell is None or cell.entity_id != apdu.originator:
                holder = cell.entity_id if cell else "nobody"
                raise Rejection(ALERT_NO_AUTHORITY,
                                f"{apdu.originator} is not the {role.name} in the trust anchor cell ({holder})")
            if not crypto.verify_apdu(apdu, cell.public_key):
                raise Rejection(ALERT_AUTHENTICATION, f"signature does not verify with the {role.name} key")
        if counted:
            self.counters[apdu.originator] = apdu.originator_counter
        return fields, command

    # -- future dating (device pattern) ------------------------------------------------------------

    def now_or_later(self, fields: dict, apdu: GeneralSigning, action: Callable[[], dict],
                     alert_message_code: int | None = None) -> dict:
        """Carry out a command now, or at the execution time in its (signed) grouping header; then the
        outcome goes to the supplier as 0x8F66 / 0x8F67."""
        at = apdu.date_time
        if at is None or at <= self.clock.now():
            return action()
        entry = {"UseCase": fields["UseCase"], "ExecutionDateTime": at.isoformat()}
        self.future_dated.append(entry)
        carrier = alert_message_code or self.fd_alert_message_code

        def run() -> None:
            self.future_dated.remove(entry)
            try:
                outcome = action() or {}
                self.raise_alert(FD_SUCCESS, {"UseCase": fields["UseCase"], **outcome}, critical=True,
                                 message_code=carrier)
            except CommandFailed as exc:
                self.raise_alert(FD_FAILURE, {"UseCase": fields["UseCase"], "Reason": str(exc)}, critical=True,
                                 message_code=carrier)
        self.clock.call_at(at, run, f"{self} future-dated {fields['UseCase']}")
        return {"Scheduled": at.isoformat()}

    # -- sending -----------------------------------------------------------------------------------

    def send_up(self, data: bytes) -> None:
        if self.uplink is None:
            self.note("cannot send: not connected")
            return
        self.uplink(data)

    def _respond(self, command: GeneralSigning, fields: dict, *, critical: bool,
                 read: DeviceCommand | None = None) -> None:
        payload = model_payload.encode(fields) if read is None else device_side.answer(read, fields)
        response = GeneralSigning(
            cra_flag=CraFlag.RESPONSE, originator_counter=command.originator_counter, originator=self.eui,
            recipient=command.originator, message_code=command.message_code,
            payload=payload, date_time=self.clock.now(),
            supplementary_remote_party=command.supplementary_remote_party,
            supplementary_remote_party_counter=command.supplementary_remote_party_counter)
        if critical:
            self.send_up(crypto.seal(response, signing_key=self.keys.digital_signing))
            return
        peer = self.trust.key_agreement_key(command.originator) if self.trust else None
        if peer is None:
            self.note(f"cannot MAC a response to {command.originator}: not in a key-agreement cell")
            return
        self.send_up(crypto.seal(response, ka_private=self.keys.key_agreement, ka_public=peer))

    def next_counter(self) -> int:
        self._own_counter = max(self._own_counter + 1, self.clock.millis())
        return self._own_counter

    def raise_alert(self, code: int, fields: dict | None = None, *, critical: bool = False,
                    message_code: int | None = None, to: RemotePartyRole | EntityId = R.SUPPLIER) -> None:
        """An alert to the party in the given cell (the Supplier's by default: the ACB until handover)."""
        if isinstance(to, EntityId):
            recipient = to
        else:
            recipient = (self.trust.holder_of(to) if self.trust else None) or self._dcc_entity()
        apdu = GeneralSigning(
            cra_flag=CraFlag.ALERT, originator_counter=self.next_counter(), originator=self.eui,
            recipient=recipient,
            message_code=message_code or (GENERIC_CRITICAL_ALERT if critical else GENERIC_NON_CRITICAL_ALERT),
            payload=model_payload.encode({"AlertCode": f"{code:04X}", **(fields or {})}),
            date_time=self.clock.now())
        if self.keys is None:
            self.send_up(apdu.encode())
        elif critical:
            self.send_up(crypto.seal(apdu, signing_key=self.keys.digital_signing))
        else:
            peer = self.trust.key_agreement_key(recipient) if self.trust else None
            if peer is None:
                self.note(f"alert 0x{code:04X} not sent: no key-agreement key for {recipient}")
                return
            self.send_up(crypto.seal(apdu, ka_private=self.keys.key_agreement, ka_public=peer))
        self.note(f"alert 0x{code:04X} to {recipient}")

    def _dcc_entity(self) -> EntityId:
        cell = self.trust.cell(R.ACCESS_CONTROL_BROKER, KeyUsage.DIGITAL_SIGNING) if self.trust else None
        return cell.entity_id if cell else EntityId(bytes(8))

    # -- security credentials: every device that holds certificates ------------------------------

    @handles("CS02bSupplierBySupplier", "CS02bSupplierBySupplierHandover", "CS02bSupplierByTransCoS",
             "CS02bNOByNO", "CS02bNOByNOHandover")
    def _replace_trust_anchors(self, fields: dict, apdu: GeneralSigning) -> dict:
        role = R.NETWORK_OPERATOR if "NOByNO" in fields["UseCase"] else R.SUPPLIER
        path = [_certificate(v) for k, v in fields.items() if k.startswith("CertificationPathCertificates/")]
        replaced = []
        for key, value in fields.items():
            usage = _REPLACEMENT_SLOTS.get(key.rsplit("/", 1)[-1])
            if usage is None or (usage is KeyUsage.PREPAYMENT_KEY_AGREEMENT and
                                 self.trust.cell(role, usage) is None):
                continue                       # e.g. a GPF has no prepayment KA cell
            try:
                self.trust.replace(role, usage, _certificate(value), path)
            except TrustAnchorRejected as exc:
                raise CommandFailed(f"{role.name} {usage.value} cell: {exc}") from None
            replaced.append(usage.value)
            self.log_security(0x8F70, f"{role.name} {usage.value} cell now holds {entity_id_of(_certificate(value))}")
        if not replaced:
            raise CommandFailed("no replacement certificate for a cell of this device")
        return {"RemotePartyRole": role.duis_name, "Replaced": ",".join(replaced)}

    @handles("CS02c")
    def _issue_security_credentials(self, fields: dict, apdu: GeneralSigning) -> dict:
        """6.17: generate a new key pair; SMKI certifies it, 6.15.2 brings the certificate back."""
        usage = _credential_usage(fields.get("CredentialType", ""))
        self._key_generation += 1
        key = derive_private_key(self._key_seed, f"device:{self.eui.file_stem}:{usage.value}:{self._key_generation}")
        self.pending_keys[usage] = key
        public = key.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
        return {"CredentialType": fields.get("CredentialType", ""), "PublicKey": public}

    @handles("CS02d")
    def _update_device_certificate(self, fields: dict, apdu: GeneralSigning) -> dict:
        cert = _certificate(fields.get("DeviceCertificate", b""))
        if entity_id_of(cert) != self.eui:
            raise CommandFailed("certificate is for another device")
        usage = KeyUsage.KEY_AGREEMENT if _key_agreement(cert) else KeyUsage.DIGITAL_SIGNING
        pending = self.pending_keys.get(usage)
        if pending is None or pending.public_key().public_numbers() != cert.public_key().public_numbers():
            self.raise_alert(0x8F4E if usage is KeyUsage.KEY_AGREEMENT else 0x8F4C, {"Reason": "no matching key"})
            raise CommandFailed("certificate does not match the key pair 6.17 generated")
        del self.pending_keys[usage]
        self.certificates[usage] = cert
        if usage is KeyUsage.DIGITAL_SIGNING:
            self.keys = DeviceKeys(pending, self.keys.key_agreement)
        else:
            self.keys = DeviceKeys(self.keys.digital_signing, pending)
        self.raise_alert(0x8F4F if usage is KeyUsage.KEY_AGREEMENT else 0x8F4D)
        return {"CredentialType": "Key Agreement" if usage is KeyUsage.KEY_AGREEMENT else "Digital Signature"}

    @handles("CS02aMAC")
    def _provide_security_credential_details(self, fields: dict, apdu: GeneralSigning) -> dict:
        """6.24.1: who is in each trust anchor cell (read back after handover or Change of Supplier)."""
        return {f"{c.role.name}/{c.usage.value}": c.entity_id.duis for c in self.trust.cells()}

    @handles("CS10a", "CS10b", "ECS35a", "ECS35b", "ECS35c", "ECS35d")
    def _read_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        """6.13: the Event or the Security Log, entries in the requested period."""
        log = self.security_log if fields.get("LogToRead") == "Security" else self.event_log
        start = when(fields.get("ReadLogPeriod/StartDateTime", "2000-01-01T00:00:00Z"))
        end = when(fields.get("ReadLogPeriod/EndDateTime", "2099-12-31T23:59:59Z"))
        entries = [e for e in log if start <= dt.datetime.fromisoformat(e["DateTime"]) <= end]
        out = {"Log": fields.get("LogToRead", "Event"), "Entries": str(len(entries))}
        for i, entry in enumerate(entries, 1):
            out.update({f"Entry[{i}]/{k}": v for k, v in entry.items()})
        return out

    @handles("CS02e")
    def _provide_device_certificates(self, fields: dict, apdu: GeneralSigning) -> dict:
        usage = _credential_usage(fields.get("CredentialType", "Digital Signature"))
        cert = self.certificates.get(usage)
        return {"DeviceCertificate": cert.public_bytes(serialization.Encoding.DER) if cert else b""}


_REPLACEMENT_SLOTS = {"DigitalSigningCertificate": KeyUsage.DIGITAL_SIGNING,
                      "KeyAgreementCertificate": KeyUsage.KEY_AGREEMENT,
                      "KeyAgreementTopUpCertificate": KeyUsage.PREPAYMENT_KEY_AGREEMENT}


def _certificate(value: str | bytes) -> x509.Certificate:
    try:
        der = value if isinstance(value, bytes) else base64.b64decode(value)
        return x509.load_der_x509_certificate(der)
    except ValueError:
        raise CommandFailed("not a certificate") from None


def _key_agreement(cert: x509.Certificate) -> bool:
    return cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_agreement


def _credential_usage(text: str) -> KeyUsage:
    return KeyUsage.KEY_AGREEMENT if "agreement" in text.lower() else KeyUsage.DIGITAL_SIGNING


def when(text: str) -> dt.datetime:
    """xs:dateTime text from a payload field."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
