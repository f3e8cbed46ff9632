"""The common firmware model of every emulated smart metering device.

A command reaches a device as a real GBCS message. The device accepts it only if:
  1. it is well-formed and addressed to this device (else it is ignored, or 0x8F1E if malformed);
  2. its MAC verifies with the ACB's key-agreement key from the ACB trust anchor cell (else 0x8F3D);
     its message code names a use case this device reads and the payload decodes as that use case's
     (harness.usecases.device.read; else 0x8F1E);
  3. its originator counter is higher than any accepted before from that originator (else 0x8F60);
  4. for critical use cases: the originator is the party in the trust anchor cell that may authorise
     the use case (the Supplier cell for supplier commands; TransCoS for CoS; ...) (else 0x8F30), and
     the signature verifies with that cell's key (else 0x8F3D).
A rejected command gets no response, only the alert (addressed as the device addresses alerts: to the
party in its Supplier cell, which is the ACB while the device is "configured as new"). The DCC then
times out (E21). Alert codes for rejections are this model's choice: GBCS names the events, not a
mapping to codes (gbcs_security.md; alerts.md 2.2).

An accepted command runs its use-case handler on what the device read; the use case's answer of the
handler's outcome is the response payload. As in the RTDS pairs, a signed command (critical, or one the
ACB signs) gets a response signed with the device's DS key, any other a response MAC'd with the
originator's KA key.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from harness import catalogue
from harness.catalogue import DeviceType, RemotePartyRole
from harness.clock import VirtualClock
from harness.emulators.trust import TrustAnchorRejected, TrustAnchors
from harness.eui import EntityId
from harness.gbcs import crypto
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

# Who may sign a critical use case: the party in this role's DS cell (the device's critical_signer unless listed).
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
    critical_signer: ClassVar[RemotePartyRole] = R.SUPPLIER     # whose DS cell signs its other critical commands
    _handlers: ClassVar[dict[str, Handler]] = {}

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

    def key_pairs(self) -> DeviceKeys:
        """The device's own key pairs, for a handler: a device built without them (a metering test's) fails."""
        if self.keys is None:
            raise CommandFailed("the device has no key pairs")
        return self.keys

    def anchors(self) -> TrustAnchors:
        """The device's trust anchor cells, for a handler: a device built without them (a metering test's) fails."""
        if self.trust is None:
            raise CommandFailed("the device has no trust anchor cells")
        return self.trust

    # -- trace -------------------------------------------------------------------------------------

    def note(self, text: str) -> None:
        self.history.append(f"{_time_of_day(self.clock.now())} {text}")

    def log_event(self, code: int, text: str) -> None:
        """An entry in the Event Log (read with 6.13)."""
        self.event_log.append({"DateTime": self.clock.now().isoformat(), "EventCode": f"{code:04X}", "Detail": text})

    def log_security(self, code: int, text: str) -> None:
        """An entry in the Security Log: authentication failures, credential changes (read with 6.13)."""
        self.security_log.append({"DateTime": self.clock.now().isoformat(), "EventCode": f"{code:04X}",
                                  "Detail": text})

    # -- receiving ---------------------------------------------------------------------------------

    def for_other_user(self, apdu: GeneralSigning) -> bool:
        """The command is for a party in none of this device's trust anchor cells (the ACB carrying it for the
        User named as its supplementary remote party, or the User itself): an Other User, the role DUIS gives
        those a householder lets read their data."""
        party = apdu.supplementary_remote_party or apdu.originator
        return self.trust is not None and all(c.entity_id != party for c in self.trust.cells())

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
        self._respond(apdu, outcome, read=command)

    def _authenticate(self, message: GbcsMessage) -> tuple[dict, DeviceCommand]:
        apdu = message.apdu
        trust = self.trust
        acb = trust.cell(R.ACCESS_CONTROL_BROKER, KeyUsage.KEY_AGREEMENT) if trust else None
        if trust is None or acb is None or self.keys is None:
            raise Rejection(ALERT_AUTHENTICATION, "no ACB key-agreement trust anchor to check the MAC")
        if message.mac is None or not crypto.mac_holds(message, self.keys.key_agreement, acb.public_key):
            raise Rejection(ALERT_AUTHENTICATION, "MAC does not verify with the ACB key")
        try:
            command, fields = device_side.read(apdu, self.device_type, now=self.clock.now(),
                                               commissioned=getattr(self, "commissioned", True),
                                               encrypt=self._encryptor(apdu))
        except (MalformedMessage, PayloadError) as exc:
            raise Rejection(ALERT_MALFORMED, f"payload: {exc}") from None
        use_case = str(fields.get("UseCase", ""))
        last = self.counters.get(apdu.originator, -1)
        counted = use_case not in UTRN_USE_CASES
        if counted and apdu.originator_counter <= last:
            raise Rejection(ALERT_OUT_OF_ORDER,
                            f"originator counter {apdu.originator_counter} is not above {last}: a replay")
        if use_case in CRITICAL_USE_CASES:
            role = _SIGNER_ROLE.get(use_case, self.critical_signer)
            cell = trust.cell(role, KeyUsage.DIGITAL_SIGNING)
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

    def report_future_dated(self, command: GeneralSigning, code: int) -> None:
        """A future-dated DLMS or GBZ command's outcome (0x8F66 / 0x8F67) when its time came: one signed alert
        per activation instruction, to the supplier."""
        for message_code, build in device_side.future_dated_outcomes(command, code):
            self.raise_alert(code, critical=True, message_code=message_code, payload=build)

    # -- sending -----------------------------------------------------------------------------------

    def send_up(self, data: bytes) -> None:
        if self.uplink is None:
            self.note("cannot send: not connected")
            return
        self.uplink(data)

    def _response_header(self, command: GeneralSigning, payload: bytes = b"",
                         date_time: dt.datetime | None = None) -> GeneralSigning:
        """A response as the RTDS shows them: to the command's originator, with its supplementary remote
        party and that party's counter (and, for an Unknown Remote Party, the command's counter as the
        supplementary originator counter); `date_time` where the RTDS has one (DATED_RESPONSES)."""
        urp = command.supplementary_remote_party_ka_certificate is not None
        return GeneralSigning(
            cra_flag=CraFlag.RESPONSE, originator_counter=command.originator_counter, originator=self.eui,
            recipient=command.originator, message_code=command.message_code, payload=payload,
            supplementary_remote_party=command.supplementary_remote_party,
            supplementary_remote_party_counter=command.supplementary_remote_party_counter,
            supplementary_originator_counter=command.originator_counter if urp else None, date_time=date_time)

    def _encryptor(self, command: GeneralSigning) -> Callable[[bytes], bytes] | None:
        """Seals response content end to end (GBCS encryption mode) for the party it is for: the
        supplementary remote party where there is one, else the originator; None without its KA key."""
        own = self.keys
        if own is None:
            return None
        party = command.supplementary_remote_party or command.originator
        peer: ec.EllipticCurvePublicKey | None
        if command.supplementary_remote_party_ka_certificate is not None:
            urp_key = x509.load_der_x509_certificate(command.supplementary_remote_party_ka_certificate).public_key()
            peer = urp_key if isinstance(urp_key, ec.EllipticCurvePublicKey) else None    # GBCS KA keys are P-256
        else:
            peer = self.trust.key_agreement_key(party) if self.trust else None
        if peer is None:
            return None
        keys: list[bytes] = []                   # derived when first needed: most responses carry nothing sealed

        def encrypt(plaintext: bytes) -> bytes:
            if not keys:
                keys.append(crypto.encryption_key(self._response_header(command), own.key_agreement, peer))
            return crypto.encrypt_field(keys[0], self.eui, plaintext)
        return encrypt

    def _respond(self, command: GeneralSigning, fields: dict, *, read: DeviceCommand) -> None:
        """Signed with the device's DS key when the command was signed (critical commands, and those the
        ACB signs), else MAC'd for its originator: so the RTDS pairs show every response."""
        peer = None
        if command.signature is None:
            peer = self.trust.key_agreement_key(command.originator) if self.trust else None
            if peer is None:             # nobody this device could answer: the DCC will time out (E21)
                self.note(f"cannot MAC a response to {command.originator}: not in a key-agreement cell")
                return
        dated = read.use_case in device_side.DATED_RESPONSES
        response = self._response_header(command, device_side.answer(read, fields), self.clock.now() if dated else None)
        keys = self.keys
        assert keys is not None, "_authenticate refuses every command while the device has no keys"
        if peer is None:
            self.send_up(crypto.seal(response, signing_key=keys.digital_signing))
        else:
            self.send_up(crypto.seal(response, ka_private=keys.key_agreement, ka_public=peer))

    def next_counter(self) -> int:
        self._own_counter = max(self._own_counter + 1, self.clock.millis())
        return self._own_counter

    def raise_alert(self, code: int, detail: dict | None = None, *, critical: bool = False,
                    message_code: int | None = None, to: RemotePartyRole | EntityId = R.SUPPLIER,
                    payload: bytes | device_side.AlertPayload | None = None) -> None:
        """An alert to the party in the given cell (the Supplier's by default: the ACB until handover).
        Without a message code it is a Generic (Non) Critical Alert, which carries the code and time only;
        an alert with its own message code brings its real GBCS `payload`, or a builder of it from the
        alert's originator counter and time. `detail` is this model's note of why (never on the wire)."""
        if isinstance(to, EntityId):
            recipient = to
        else:
            recipient = (self.trust.holder_of(to) if self.trust else None) or self._dcc_entity()
        counter = self.next_counter()
        if message_code is None:
            message_code = GENERIC_CRITICAL_ALERT if critical else GENERIC_NON_CRITICAL_ALERT
            payload = device_side.generic_alert(self.device_type, code, self.clock.now(), counter)
        elif payload is None:
            raise ValueError(f"alert 0x{code:04X} with message code 0x{message_code:04X} needs its payload")
        elif not isinstance(payload, bytes):
            payload = payload(counter, self.clock.now())
        # As the RTDS alerts carry it: the time is in the payload, none in the header.
        apdu = GeneralSigning(cra_flag=CraFlag.ALERT, originator_counter=counter, originator=self.eui,
                              recipient=recipient, message_code=message_code, payload=payload)
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
        self.note(f"alert 0x{code:04X} to {recipient}" + (f": {detail}" if detail else ""))

    def _dcc_entity(self) -> EntityId:
        cell = self.trust.cell(R.ACCESS_CONTROL_BROKER, KeyUsage.DIGITAL_SIGNING) if self.trust else None
        return cell.entity_id if cell else EntityId(bytes(8))

    # -- security credentials: every device that holds certificates ------------------------------

    @handles("CS02bSupplierBySupplier", "CS02bSupplierBySupplierHandover", "CS02bSupplierByTransCoS",
             "CS02bNOByNO", "CS02bNOByNOHandover", "CS02gLoadControllerBySupplier")
    def _replace_trust_anchors(self, fields: dict, apdu: GeneralSigning) -> dict:
        """6.15.1, 6.21, 6.23: new certificates in one remote party role's trust anchor cells, each cell on
        its own (the RTDS error response replaced two cells of three), and the new party's floor sequence
        number; now, or at the command's execution time."""
        use_case = fields["UseCase"]
        role = _replaced_role(fields)
        path = [cert for k, v in fields.items() if k.startswith("CertificationPathCertificates/")
                if (cert := _readable_certificate(v)) is not None]
        replacements = [(_REPLACEMENT_SLOTS[k.rsplit("/", 1)[-1]], v) for k, v in fields.items()
                        if k.rsplit("/", 1)[-1] in _REPLACEMENT_SLOTS]
        floor = _number(fields.get("RemotePartyFloorSeqNumber"))
        top_up_floor = _number(fields.get("RemotePartyPrepaymentTopUpFloorSeqNumber"))
        counter = _number(fields.get("AuthorisingRemotePartySeqNumber"))
        mode = fields.get("CredentialsReplacementMode") or _REPLACEMENT_MODES.get(use_case, "SupplierBySupplier")

        def place() -> dict:
            outcomes = [_replace_cell(self, role, usage, value, path, floor) for usage, value in replacements]
            return security.credentials_outcome(
                use_case, counter=apdu.originator_counter if counter is None else counter, mode=mode, role=int(role),
                floor=floor, top_up_floor=top_up_floor, outcomes=outcomes)
        # the future-dated outcome alerts: 0x00CB (CS02b), 0x0124 (CS02g), as the RTDS has them
        return execute_when_due(self, fields, apdu, place, 0x0124 if use_case.startswith("CS02g") else 0x00CB)

    @handles("CS02c")
    def _issue_security_credentials(self, fields: dict, apdu: GeneralSigning) -> dict:
        """6.17: generate a new key pair and answer a certification request for it, signed with it; SMKI
        certifies it, 6.15.2 brings the certificate back."""
        usage = _CREDENTIAL_TYPES.get(fields.get("CredentialType", ""))
        if usage is None:
            return security.credentials_not_issued_outcome("invalidKeyUsage")
        self._key_generation += 1
        key = derive_private_key(self._key_seed, f"device:{self.eui.file_stem}:{usage.value}:{self._key_generation}")
        self.pending_keys[usage] = key
        request = device_certification_request(self.eui, usage, key)
        return security.credentials_issued_outcome(request.public_bytes(serialization.Encoding.DER))

    @handles("CS02d")
    def _update_device_certificate(self, fields: dict, apdu: GeneralSigning) -> dict:
        """6.15.2: the certificate of the key pair 6.17 generated; the device uses that key from now on."""
        cert = _readable_certificate(fields.get("DeviceCertificate", b""))
        if cert is None:
            return security.certificate_updated_outcome("invalidCertificate")
        if entity_id_of(cert) != self.eui:
            return security.certificate_updated_outcome("wrongDeviceIdentity")
        usage = _certificate_usage(cert)
        if usage is None:
            return security.certificate_updated_outcome("invalidKeyUsage")
        pending = self.pending_keys.get(usage)
        certified = cert.public_key()
        if (pending is None or not isinstance(certified, ec.EllipticCurvePublicKey)
                or pending.public_key().public_numbers() != certified.public_numbers()):
            self.raise_alert(0x8F4E if usage is KeyUsage.KEY_AGREEMENT else 0x8F4C, {"Reason": "no matching key"})
            return security.certificate_updated_outcome("noCorrespondingKeyPairGenerated" if pending is None
                                                        else "wrongPublicKey")
        del self.pending_keys[usage]
        self.certificates[usage] = cert
        keys = self.key_pairs()
        if usage is KeyUsage.DIGITAL_SIGNING:
            self.keys = DeviceKeys(pending, keys.key_agreement)
        else:
            self.keys = DeviceKeys(keys.digital_signing, pending)
        self.raise_alert(0x8F4F if usage is KeyUsage.KEY_AGREEMENT else 0x8F4D)
        return security.certificate_updated_outcome("success")

    @handles("CS02aMAC", "CS02fMAC")
    def _provide_security_credential_details(self, fields: dict, apdu: GeneralSigning) -> dict:
        """6.24.1: per remote party role asked for, its current sequence number and who is in each of its
        trust anchor cells (read back after handover or Change of Supplier)."""
        roles = fields.get("RemotePartyRoles") or sorted({int(c.role) for c in self.anchors().cells()})
        return credentials.credential_details_outcome(
            [anchor for role in roles for anchor in _trust_anchors(self, RemotePartyRole(role))])

    @handles("CS10a", "CS10b", "ECS35a", "ECS35b", "ECS35c", "ECS35d")
    def _read_log(self, fields: dict, apdu: GeneralSigning) -> dict:
        """6.13: the Event or the Security Log, entries in the requested period, named as the MMC response
        (ReadEventOrSecurityLogRsp) names them: Log/LogEntry[i]/Timestamp, LogCode and, for a code GBCS
        names, LogMeaning. A log entry's time is whole seconds (GBCS logs seconds since 2000)."""
        log = self.security_log if fields.get("LogToRead") == "Security" else self.event_log
        start = when(fields.get("ReadLogPeriod/StartDateTime", "2000-01-01T00:00:00Z"))
        end = when(fields.get("ReadLogPeriod/EndDateTime", "2099-12-31T23:59:59Z"))
        stamped = ((dt.datetime.fromisoformat(e["DateTime"]).replace(microsecond=0), e["EventCode"]) for e in log)
        entries = [(stamp, code) for stamp, code in stamped if start <= stamp <= end]
        if not entries:
            return {"Log": ""}
        out = {}
        for i, (stamp, code) in enumerate(entries, 1):
            path = f"Log/LogEntry[{i}]" if len(entries) > 1 else "Log/LogEntry"
            out[f"{path}/Timestamp"] = stamp.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
            out[f"{path}/LogCode"] = code
            try:
                out[f"{path}/LogMeaning"] = catalogue.device_alert(int(code, 16)).name[:200]
            except catalogue.UnknownEntry:
                pass
        return out

    @handles("CS02e")
    def _provide_device_certificates(self, fields: dict, apdu: GeneralSigning) -> dict:
        """6.24.2: the device's own certificate of the key usage asked for."""
        usage = _CREDENTIAL_TYPES.get(fields.get("CredentialType", ""))
        if usage is None:
            return credentials.device_certificate_outcome(None, "invalidKeyUsage")
        cert = self.certificates.get(usage)
        if cert is None:
            return credentials.device_certificate_outcome(None, "noCertificateHeld")
        return credentials.device_certificate_outcome(cert.public_bytes(serialization.Encoding.DER))


# The names these handlers answer in: the MMC responses of their use cases, and the SMKI device profile.
from harness.emulators.trust import TrustAnchorCell  # noqa: E402
from harness.pki.certificates import device_certification_request, key_id  # noqa: E402
from harness.usecases import credentials, firmware_activation, security  # noqa: E402

_REPLACEMENT_SLOTS = {"DigitalSigningCertificate": KeyUsage.DIGITAL_SIGNING,
                      "KeyAgreementCertificate": KeyUsage.KEY_AGREEMENT,
                      "KeyAgreementTopUpCertificate": KeyUsage.PREPAYMENT_KEY_AGREEMENT}
_CELL_KINDS = {KeyUsage.DIGITAL_SIGNING: "DigitalSigning", KeyUsage.KEY_AGREEMENT: "KeyAgreement",
               KeyUsage.PREPAYMENT_KEY_AGREEMENT: "KeyAgreementTopUp"}
_CREDENTIAL_TYPES = {"Digital Signature": KeyUsage.DIGITAL_SIGNING, "Key Agreement": KeyUsage.KEY_AGREEMENT}
# The CredentialsReplacementMode (MMC names) of each use case, for a command that does not say
_REPLACEMENT_MODES = {"CS02bNOByNO": "NetworkOperatorByNetworkOperator",
                      "CS02bNOByNOHandover": "NetworkOperatorByNetworkOperator",
                      "CS02gLoadControllerBySupplier": "LoadControllerBySupplier",
                      "CS02bSupplierByTransCoS": "SupplierByTransCoS"}
# The far-future execution time that cancels a pending future-dated command (GBCS; the DSP writes it for
# DUIS's 3000-12-31 cancellation)
CANCEL_PENDING = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


def _readable_certificate(value: str | bytes) -> x509.Certificate | None:
    try:
        der = value if isinstance(value, bytes) else base64.b64decode(value)
        return x509.load_der_x509_certificate(der)
    except ValueError:
        return None


def _certificate_usage(cert: x509.Certificate) -> KeyUsage | None:
    """DS or KA: what a device certificate is for (None for neither, or for both)."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None
    if usage.digital_signature != usage.key_agreement:
        return KeyUsage.KEY_AGREEMENT if usage.key_agreement else KeyUsage.DIGITAL_SIGNING
    return None


def _number(text: object) -> int | None:
    return int(str(text)) if text is not None and str(text).lstrip("-").isdigit() else None


def _replaced_role(fields: dict) -> RemotePartyRole:
    """The role whose cells a CS02b/CS02g replaces: the command's target cells, else its use case's."""
    named = next((role for role in RemotePartyRole if role.duis_name == fields.get("RemotePartyRole")), None)
    if named is not None:
        return named
    use_case = fields["UseCase"]
    return R.NETWORK_OPERATOR if "NOByNO" in use_case else R.LOAD_CONTROLLER if use_case.startswith("CS02g") \
        else R.SUPPLIER


def _key_identifier(public_key: ec.EllipticCurvePublicKey, certificate: x509.Certificate | None) -> bytes:
    """A certificate's subject key identifier (SMKI's 8 bytes), or the key's for a cell without one."""
    if certificate is not None:
        try:
            return certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
        except x509.ExtensionNotFound:
            pass
    return key_id(public_key)


def _replace_cell(device: EmulatedDevice, role: RemotePartyRole, usage: KeyUsage, value: str | bytes,
                  path: list[x509.Certificate], floor: int | None) -> security.ReplacementOutcome:
    """One cell of a CS02b/CS02g: whose certificate was in it and is now, and whether it changed (a cell
    the device does not have is reported with no entity and no key)."""
    trust = device.anchors()

    def holder() -> tuple[str, bytes]:
        cell = trust.cell(role, usage)
        if cell is None:
            return EntityId(security.UNKNOWN_PARTY).duis, security.UNKNOWN_PARTY
        return cell.entity_id.duis, _key_identifier(cell.public_key, cell.certificate)

    existing = holder()
    cert = _readable_certificate(value)
    status = "success"
    try:
        if cert is None:
            raise TrustAnchorRejected("not a certificate")
        trust.replace(role, usage, cert, path)
    except TrustAnchorRejected as exc:
        status = exc.status
        device.log_security(0x8F70, f"{role.name} {usage.value} cell not replaced: {exc}")
    else:
        cell = trust.cell(role, usage)
        assert cell is not None, "replace() just filled the cell"
        if floor is not None:
            # commands from the party now in the cell must count above its floor
            cell.floor_sequence_number = floor
            device.counters[cell.entity_id] = max(device.counters.get(cell.entity_id, -1), floor)
        device.log_security(0x8F70, f"{role.name} {usage.value} cell now holds {cell.entity_id}")
    now = holder()
    return security.ReplacementOutcome(security.ROLE_NAMES[int(role)], _CELL_KINDS[usage], status, existing[0],
                                       existing[1], now[0], now[1])


def _trust_anchors(device: EmulatedDevice, role: RemotePartyRole) -> list[credentials.TrustAnchor]:
    """What 6.24.1 reports of one role: each of its cells with the role's current sequence number (the last
    counter accepted from the party in it, at least its floor); a role without cells, not found."""
    name = security.ROLE_NAMES.get(int(role), int(role))
    cells = [c for c in (device.trust.cells() if device.trust else []) if c.role is role]
    if not cells:
        return [credentials.TrustAnchor(name, "trustAnchorNotFound", None, None, None, None)]  # type: ignore[arg-type]
    holder = cells[0]
    sequence = max(device.counters.get(holder.entity_id, 0), holder.floor_sequence_number)
    return [credentials.TrustAnchor(name, "success", sequence, _cell_usage(c), c.entity_id,  # type: ignore[arg-type]
                                    _key_identifier(c.public_key, c.certificate)) for c in cells]


def _cell_usage(cell: TrustAnchorCell) -> str:
    """MMC CertificateUsage of a cell: a CA certificate's (the root cell) is KeyCertSign."""
    if cell.certificate is not None:
        try:
            if cell.certificate.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign:
                return "KeyCertSign"
        except x509.ExtensionNotFound:
            pass
    return _CELL_KINDS[cell.usage]


def execute_when_due(device: EmulatedDevice, fields: dict, command: GeneralSigning, action: Callable[[], dict],
                     alert_message_code: int) -> dict:
    """GBCS future dating carried in an ASN.1 command's payload (CS02b, CS02g, CS06; fields["ExecutionDateTime"]):
    carried out now when there is no such time or it has passed; the far-future time cancels the device's
    pending command of that use case; any other time holds it, and then its outcome goes to the command's
    originator (as the RTDS alerts are addressed: the TransCoS party's for 6.23) as 0x8F66 / 0x8F67 in
    `alert_message_code` (FDA-CS02b 0x00CB, FDA-CS02g 0x0124, FDA-CS06 0x00CA), signed, the time in the
    payload only. A held or cancelled command's response says only that it was accepted."""
    use_case, text = fields["UseCase"], fields.get("ExecutionDateTime")
    at = when(text) if text else None
    if at == CANCEL_PENDING:
        for held in [e for e in device.future_dated if e["UseCase"] == use_case]:
            device.clock.cancel(held.get("Event"))
            device.future_dated.remove(held)
            device.note(f"future-dated {use_case} for {held['ExecutionDateTime']} cancelled")
        return {}
    if at is None or at <= device.clock.now():
        return action()
    entry: dict = {"UseCase": use_case, "ExecutionDateTime": at.isoformat()}
    # The alert quotes the command (its execution time, counter, replacement mode and cells): as the device read it.
    read, _ = device_side.read(command, device.device_type, now=device.clock.now(),
                               commissioned=getattr(device, "commissioned", True))
    report = firmware_activation.firmware_activated_alert if use_case == "CS06" else security.credentials_updated_alert

    def run() -> None:
        device.future_dated.remove(entry)
        outcome = action()
        code = FD_SUCCESS if device_side.succeeded(outcome) else FD_FAILURE
        device.raise_alert(code, critical=True, message_code=alert_message_code, to=command.originator,
                           payload=report(read, code, outcome))
    entry["Event"] = device.clock.call_at(at, run, f"{device} future-dated {use_case}")
    device.future_dated.append(entry)
    return {}


def when(text: str) -> dt.datetime:
    """xs:dateTime text from a payload field."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@lru_cache(maxsize=1)
def _time_of_day(now: dt.datetime) -> str:
    """HH:MM:SS of a device note: formatted once for the many notes made at one instant (an 11.1: three a device,
    50,000 devices in a few virtual seconds)."""
    return f"{now.hour:02d}:{now.minute:02d}:{now.second:02d}"       # strftime's %H:%M:%S, at a fraction of its cost
