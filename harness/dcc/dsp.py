"""The emulated Data Services Provider: what the DCC does with a DUIS request, in order.

 1. Parse safely, verify the XML signature against a registered User's XML-signing certificate and,
    when a DUIS schema is available, validate. Failures here are refused at HTTP level (400 with the
    reason): the request cannot be trusted enough to answer in DUIS. An R1.3 DSP knows only the R1.3
    DUIS schema: an SR that came with R2.0 is not valid there.
 2. DUIS checks, answered synchronously with the code the DUIS response-code table gives
    (dcc_interface.md section 5; meanings from the secondary WIX summary):
      E1  the signer is not the RequestID's originator, or not a DCC User
    A replayed request is refused at HTTP level as well: see `_admit_counter`.
      E13 the command variant does not belong on this web service (URL)
      E12 the command variant is not allowed for the SR
      E2  none of the User's roles may send the SR
      E19 the target device is not in the inventory
      E11 the SR does not apply to that device type (or cannot be done to it, e.g. decommission a GPF)
      E5  the device's SMI status does not admit the SR
      E4  the User is not authorised for that device (not its registered supplier or network operator)
 3. CV 4: transform to a GBCS Pre-Command, return it (I0). CV 5/6/7: the signed Pre-Command must match a
    Transform of the same RequestID byte for byte except for the signature (else E12), then the ACB MACs
    it. CV 1/5 go out over the SM WAN (I99); CV 2/6 come back to the User for local delivery (I0 with
    the LocalCommand), CV 3/7 both. DCC-originated use cases (8.11 CCS01/02, 6.21 handover, 6.23 CoS, and
    everything for the CHF) carry the ACB or TransCoS as originator with the User as supplementary
    remote party, signed by the DCC where GBCS needs it (a critical one, 11.3 to a CHF, once the User's
    signed Pre-Command verifies with the User's key). DSP future-dated requests are held until their
    execution time (and can be cancelled: N3, N33, N34).
 3a. Before the ACB MACs a command, Threshold Anomaly Detection against the User's own thresholds by SR type:
    one in excess is quarantined, not sent, and the User told with DCC alert AD1 (harness.dcc.anomaly).
 4. The device response comes back as an asynchronous I0 carrying its GBCS payload (or, for a locally
    delivered command, in an 8.13); no response within the timeout gives E21. What follows from an
    outcome (inventory, N-alerts, SMKI) is in harness.dcc.outcomes. A device's alerts to the ACB stay with
    the DCC, but for the outcome of a future-dated command the ACB sent for a User (a CHF's 11.3, FDA-CS06),
    which goes to that User.

Non-device services live in their own modules: SMI (smi), DSP schedules (schedules), firmware
distribution (firmware), Local Command Delivery (local_delivery).
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from harness import catalogue
from harness.catalogue import CommandVariant, DeviceStatus, DeviceType, FutureDatedPattern, UserRole
from harness.clock import VirtualClock
from harness.dcc.alert_documents import DeviceAlertSigner
from harness.dcc.anomaly import AnomalyDetection
from harness.dcc.base import DccIdentity, DccUser, DuisRejection, Outstanding, Transcript, TransportRejection
from harness.dcc.firmware import FirmwareDistribution
from harness.dcc.inventory import InventoryDevice, Premises, SmartMeteringInventory
from harness.dcc.local_delivery import LocalCommandDelivery
from harness.dcc.outcomes import DeviceOutcomes
from harness.dcc.schedules import DspSchedules
from harness.dcc.smi import SmiServices
from harness.duis import xml, xmldsig
from harness.duis.request_id import RequestCounter, RequestId
from harness.duis.responses import build_response, dcc_alert_message, gbcs_payload, pre_command, response_message
from harness.duis.schema import DuisSchema
from harness.duis.xml import E
from harness.errors import DitError
from harness.eui import EntityId
from harness.gbcs import crypto
from harness.gbcs import payload as payload_codec
from harness.gbcs.axdr import PayloadError
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning, MalformedMessage
from harness.pki import KeyUsage, entity_id_of, role_of
from harness.pki.certificates import per_certificate
from harness.pki.repository import SmkiRepository
from harness.releases import R1_3, R2_0, R2_0_SERVICE_REQUESTS
from harness.usecases import DspRecords, DuisRequest, TransformError, joins, mmc, registry
from harness.usecases import chf as chf_usecases
from harness.usecases.records import DeviceLogBackup, GpfDeviceLogBackup
from harness.usecases.transform import transform as transform_request

S = DeviceStatus
# What a signer's certificate says, read off its subject once per certificate rather than on every request.
_entity_id_of, _role_of = per_certificate(entity_id_of), per_certificate(role_of)
WEB_SERVICE_CVS = {"serviceS": {1, 3, 5, 7}, "serviceT": {4}, "serviceD": {2, 6, 8}}
DCC_PROCESSING_S = 0.2
GBCS_VERSION = "4.0"

# What the DCC signs of the commands it Transforms (RTDS): the handovers and the Change of Supplier, as
# ACB or TransCoS, and the joins and unjoins the ACB originates for a User, which devices answer signed.
_DCC_SIGNED = frozenset({"CS02bSupplierBySupplierHandover", "CS02bNOByNOHandover", "CS02bSupplierByTransCoS",
                         "CS03A2NonCritical", "CS03CNonCritical", "CS04ACNonCritical"})

# On a dual-fuel site the lead supplier keeps the Communications Hub's HAN in order, GPF included
# (DIT CH replacement: "performed by lead supplier"), so for these SRs a GPF counts as part of the CH.
_CH_MAINTENANCE = frozenset({"8.7.2", "8.8.2", "8.9", "8.12.2"})
# Alerts the devices address to the DCC: the message codes of the CHF and GPF device-log backups.
CS14_DEVICE_LOG_BACKUP, GCS62_GPF_LOG_BACKUP = 0x0018, 0x00B2


@dataclass(frozen=True)
class _LogRestore:
    """A restore of a replaced device's log from the last backup of it the DSP holds (8.12.1 CHF, 8.12.2 GPF)."""

    device: DeviceType
    old_device_field: str         # the request field naming the replaced device
    no_backup: str                # the response code when the DSP holds no backup of it


_LOG_RESTORES = {"8.12.1": _LogRestore(DeviceType.CHF, "OldCHFID", "E081202"),
                 "8.12.2": _LogRestore(DeviceType.GPF, "OldGPFID", "E081222")}


class DataServicesProvider:
    def __init__(self, *, clock: VirtualClock, identity: DccIdentity, repository: SmkiRepository,
                 inventory: SmartMeteringInventory, users: dict[EntityId, DccUser], schema: DuisSchema | None,
                 send_to_device, post, response_timeout_s, counter: RequestCounter | None = None,
                 release: str = R2_0):
        self.clock = clock
        self.release = release
        self.identity = identity
        self.repository = repository
        self.inventory = inventory
        self.users = users
        self.schema = schema
        # Counters of the commands the DSP itself builds for a User (schedules); shared with the lab's
        # Users so a device never sees one originator's counters go backwards.
        self.counter = counter or RequestCounter(clock.millis)
        self._send_to_device = send_to_device
        self._post = post
        self._timeout = response_timeout_s
        self._transforms: dict[RequestId, tuple[DccUser, InventoryDevice, str, GeneralSigning, dict]] = {}
        self._outstanding: dict[tuple[EntityId, EntityId, int], Outstanding] = {}
        self.held: dict[RequestId, Outstanding] = {}                 # DSP future-dated, not yet sent
        # every future-dated request accepted (held here or by the device): (device, SR, execution time)
        self.future_dated: list[tuple[EntityId, str, dt.datetime]] = []
        self._dcc_counter = clock.millis()
        self._last_counter: dict[EntityId, int] = {}      # per originator: the highest RequestID counter admitted
        self.transcript = Transcript()
        self.device_log_backups: dict[EntityId, DeviceLogBackup] = {}      # CHF -> its last CS14 backup
        self.gpf_log_backups: dict[EntityId, GpfDeviceLogBackup] = {}      # GPF -> its last GCS62 backup
        keystore = repository.keystore
        self._xml_signing_key = keystore.private_key(identity.acb, KeyUsage.XML_SIGNING)
        self._xml_signing_certificate = keystore.certificate(identity.acb, KeyUsage.XML_SIGNING)
        self._device_alert_signer: DeviceAlertSigner | None = None        # prepared at the first device alert
        self.acb_key_agreement = keystore.private_key(identity.acb, KeyUsage.KEY_AGREEMENT)
        self._signing_keys = {party: keystore.private_key(party, KeyUsage.DIGITAL_SIGNING)
                              for party in (identity.acb, identity.transcos)}
        self.outcomes = DeviceOutcomes(self)
        self.smi = SmiServices(self)
        self.schedules = DspSchedules(self)
        self.firmware = FirmwareDistribution(self)
        self.local = LocalCommandDelivery(self)
        self.anomaly_detection = AnomalyDetection(self)
        self._non_device = {}
        for service in (self.smi, self.schedules, self.firmware, self.local):
            self._non_device.update(service.handlers())

    # -- HTTP entry ----------------------------------------------------------------------------------

    def handle(self, web_service: str, body: bytes) -> tuple[int, bytes]:
        """One request to /api/v1/<web_service>: (HTTP status, response body)."""
        self.transcript.add(f"request {web_service}", body)
        try:
            root, user, header = self._accept(body)
        except TransportRejection as exc:
            return 400, str(exc).encode()
        request_id = RequestId.parse(header.get(_REQUEST_ID))
        try:
            srv = _header(header, "ServiceReferenceVariant")
            cv = CommandVariant(int(_header(header, "CommandVariant")))
            request_body = _body(root)
            self._admit_counter(request_id, srv, cv)
        except TransportRejection as exc:
            return 400, str(exc).encode()
        try:
            response = self._process(web_service, root, request_body, user, request_id, srv, cv)
        except DuisRejection as rejection:
            response = build_response(response_message(srv, rejection.content), response_code=rejection.code,
                                      response_date_time=self.clock.now(), request_id=request_id)
        data = self.sign(response)
        self.transcript.add("synchronous response", data)
        return 200, data

    def _accept(self, body: bytes) -> tuple[etree._Element, DccUser, dict[str, str | None]]:
        """The request, its signer and its header's fields by tag: what it is, if it can be trusted."""
        try:
            root = xml.parse(body, "request")
        except DitError as exc:
            raise TransportRejection(str(exc)) from None
        check = xmldsig.verify(root, self.repository.keystore)
        # A valid signature names its signer, found in the keystore by its certificate's issuer and serial.
        signer = check.signer.certificate if check.signer is not None else None
        if signer is None:
            raise TransportRejection(f"XML signature {check.status.value}: {check.reason}")
        signer_eui = _entity_id_of(signer)
        if _role_of(signer) is not catalogue.RemotePartyRole.XML_SIGN or signer_eui not in self.users:
            raise TransportRejection(f"signed by {signer_eui}, which is not a DCC User's XML-signing certificate")
        if self.schema is not None:
            errors = self.schema.errors(root)
            if errors:
                raise TransportRejection(f"not valid against the DUIS schema: {errors[0]}")
        if root.tag != xml.sr("Request"):
            raise TransportRejection("expected sr:Request")
        header = xml.first_texts(root.iterchildren(_HEADER))          # read once: each field is asked for again
        srv = header.get(_SERVICE_REFERENCE_VARIANT)
        if self.release == R1_3 and srv in R2_0_SERVICE_REQUESTS:
            raise TransportRejection(f"not valid against the R1.3 DUIS schema: SR {srv} came with R2.0")
        originator = RequestId.parse(header.get(_REQUEST_ID)).originator
        if originator != signer_eui:
            raise TransportRejection(f"signed by {signer_eui} but the RequestID originator is {originator}")
        return root, self.users[signer_eui], header

    def _admit_counter(self, request_id: RequestId, srv: str, cv: CommandVariant) -> None:
        """Replay protection: a User's RequestID counters must rise strictly per originator (DUIS RequestID:
        dcc_interface.md section 4; the GBCS originator counter it becomes must rise too, GBCS 4.3.2), so a
        signed request posted again is refused instead of run again. Two exceptions carry a counter already
        seen: the signed Pre-Command (CV 5/6/7) keeps its Transform's counter, and that Transform is used up
        once (a replay finds none: E12); SR 2.2 carries the UTRN counter, whose replays the meter's UTRN
        Counter Cache judges (0x8F51), as on a real lab. The public DUIS response-code table names no code for
        a replay, so it is refused like a request that cannot be trusted: HTTP 400 with the reason."""
        if cv.carries_signed_pre_command or srv == "2.2":
            return
        last = self._last_counter.get(request_id.originator, -1)
        if request_id.counter <= last:
            raise TransportRejection(f"replayed request: RequestID counter {request_id.counter} of "
                                     f"{request_id.originator} is not above {last}, the last this DCC accepted")
        self._last_counter[request_id.originator] = request_id.counter

    # -- DUIS checks ---------------------------------------------------------------------------------

    def _process(self, web_service: str, root: etree._Element, body: etree._Element, user: DccUser,
                 request_id: RequestId, srv: str, cv: CommandVariant) -> etree._Element:
        service = catalogue.service_request(srv)
        if int(cv) not in WEB_SERVICE_CVS.get(web_service, set()):
            raise DuisRejection("E13", f"CV {int(cv)} does not belong on {web_service}")
        signed = cv.carries_signed_pre_command
        if not (service.allows(cv) or (signed and service.critical)):
            raise DuisRejection("E12", f"{service} does not allow CV {int(cv)}")
        if not service.roles & user.roles:
            raise DuisRejection("E2", f"{user.name}'s roles may not send {service}")
        if service.non_device:
            if request_id.target != self.identity.acb:
                raise DuisRejection("E11", "a non-device SR is addressed to the DCC")
            handler = self._non_device.get(srv)
            if handler is None:
                raise DuisRejection("E11", f"{service} is not provided by this DCC")
            content = handler(xml.flatten(body), user, request_id)
            return build_response(response_message(srv, content), response_code="I0",
                                  response_date_time=self.clock.now(), request_id=request_id)
        device = self.authorise(service, user, request_id.target)
        if cv is CommandVariant.TRANSFORM:
            return self._transform(service, xml.flatten(body), user, device, request_id, DuisRequest.of(root))
        if signed:
            command = self._signed_command(service, body, user, device, request_id)
        else:
            fields = xml.flatten(body)
            use_case, apdu = self.command(user, device, DuisRequest.of(root), fields)
            command = Outstanding(request_id, srv, user, device, use_case, apdu, fields)
        if not self.anomaly_detection.admit(user, command):
            # quarantined in the ACB: accepted as any request is, the User hears of it by AD1 (dcc.anomaly)
            return build_response(response_message(srv), response_code="I99", response_date_time=self.clock.now(),
                                  request_id=request_id)
        if cv.local_delivery:
            return self.local.deliver(command, also_over_wan=cv.via_wan)
        execution = command.fields.get("ExecutionDateTime")
        if execution:
            self.future_dated.append((device.device_id, srv, _datetime(execution)))
        if execution and service.future_dated is FutureDatedPattern.DSP:
            self.hold(command, _datetime(execution))
        else:
            self.send(command)
        return build_response(response_message(srv), response_code="I99", response_date_time=self.clock.now(),
                              request_id=request_id)

    def authorise(self, service: catalogue.ServiceRequest, user: DccUser, target: EntityId) -> InventoryDevice:
        device = self.inventory.get(target)
        if device is None:
            raise DuisRejection("E19", f"{target} is not in the Smart Metering Inventory")
        if not any(device.device_type in codec.devices for codec in registry.commands_for(service.srv)):
            raise DuisRejection("E11", f"{service} does not apply to a {device.device_type.value}")
        # Status before authorisation: a device not yet installed has no premises to authorise against.
        if not device.admits(service.srv):
            raise DuisRejection("E5", f"{device.device_type.value} {target} is {device.status.value}")
        if not self.roles_for(user, device, service.srv) & service.roles:
            raise DuisRejection("E4", f"{user.name} is not authorised for {device.device_type.value} {target}")
        return device

    def roles_for(self, user: DccUser, device: InventoryDevice, srv: str) -> set[UserRole]:
        """The roles in which a User may address this device with this SR."""
        premises = self.inventory.premises_of(device.device_id)
        roles = premises.roles_of(user.eui, device.device_type) if premises else set()
        if premises and device.device_type is DeviceType.GPF and srv in _CH_MAINTENANCE:
            roles |= premises.roles_of(user.eui, DeviceType.CHF)
        if UserRole.OTHER_USER in user.roles:
            roles.add(UserRole.OTHER_USER)     # with the consumer's consent, which the DCC does not see
        return roles & user.roles

    # -- Transform and commands ----------------------------------------------------------------------

    def command(self, user: DccUser, device: InventoryDevice, request: DuisRequest,
                fields: dict) -> tuple[str, GeneralSigning]:
        """The DSP's Transform of the request (DUIS 3.4): the use case and its GBCS command, signed where the
        DCC signs it (the handovers and Change of Supplier as ACB or TransCoS, and the joins the ACB
        originates for a User). A request the Transform cannot carry out is refused with E12."""
        try:
            done = transform_request(request, self.records(request.srv, user, device, fields), now=self.clock.now(),
                                     dsp_counter=self.next_dcc_counter(), access_control_broker=self.identity.acb,
                                     transitional_cos=self.identity.transcos)
        except TransformError as exc:
            raise DuisRejection("E12", str(exc)) from None
        apdu = done.apdu
        if done.use_case in _DCC_SIGNED:
            apdu = crypto.sign_apdu(apdu, self._signing_keys[apdu.originator])
        return done.use_case, apdu

    def records(self, srv: str, user: DccUser, device: InventoryDevice, fields: dict) -> DspRecords:
        """What the DSP's inventory and registrations say of the target, the User and a device named."""
        other = self.inventory.get(EntityId(fields["OtherDeviceID"])) if "OtherDeviceID" in fields else None
        other_ka = self.repository.keystore.find(other.device_id, KeyUsage.KEY_AGREEMENT) if other else None
        roles = sorted(self.roles_for(user, device, srv), key=lambda r: r.value)
        restore = _LOG_RESTORES.get(srv)
        backup = self._log_backup(restore, fields) if restore is not None else None
        return DspRecords(device_type=device.device_type, gbcs_version=GBCS_VERSION,
                          user_role=roles[0] if roles else None,
                          other_device_type=other.device_type if other else None,
                          other_device_ka_certificate=other_ka.certificate.public_bytes(Encoding.DER)
                          if other_ka and other_ka.certificate else None,
                          chf_device_log=backup if isinstance(backup, DeviceLogBackup) else None,
                          gpf_device_log=backup if isinstance(backup, GpfDeviceLogBackup) else None)

    def _log_backup(self, restore: _LogRestore, fields: dict) -> DeviceLogBackup | GpfDeviceLogBackup:
        """What a restore carries: the replaced CHF's (or GPF's) device log as the DCC last backed it up."""
        old = fields.get(restore.old_device_field)
        backups = self.device_log_backups if restore.device is DeviceType.CHF else self.gpf_log_backups
        backup = backups.get(EntityId(old)) if old else None
        if backup is None:
            raise DuisRejection(restore.no_backup, f"the DCC holds no device log backup of {old}")
        return backup

    def next_dcc_counter(self) -> int:
        self._dcc_counter = max(self._dcc_counter + 1, self.clock.millis())
        return self._dcc_counter

    def _transform(self, service, fields, user, device, request_id, request) -> etree._Element:
        use_case, apdu = self.command(user, device, request, fields)
        self._transforms[request_id] = (user, device, use_case, apdu, fields)
        return build_response(response_message(service.srv, pre_command(apdu.pre_command(), GBCS_VERSION)),
                              response_code="I0", response_date_time=self.clock.now(), request_id=request_id)

    def _signed_command(self, service, body, user, device, request_id) -> Outstanding:
        transform = self._transforms.pop(request_id, None)
        if transform is None:
            raise DuisRejection("E12", f"no Transform of {request_id} to correlate the signed Pre-Command with")
        t_user, t_device, use_case, expected, fields = transform
        try:
            signed = GeneralSigning.decode(base64.b64decode(xml.text(body, "sr:GBCSPayload") or ""))
        except (MalformedMessage, ValueError):
            raise DuisRejection("E12", "the signed Pre-Command is not a GBCS General-Signing APDU") from None
        if (t_user.eui, t_device.device_id) != (user.eui, device.device_id) or \
                signed.signed_bytes != expected.signed_bytes or signed.signature is None:
            raise DuisRejection("E12", "the signed Pre-Command does not match what the Transform returned")
        if expected.originator == self.identity.acb:
            # A critical command the ACB originates (11.3 to a CHF, which holds no User's key: its signers are the
            # DCC and the WAN provider): the User's signature authorises it, the ACB's is the one the device checks.
            if not crypto.verify_apdu(signed, self.repository.public_key(user.eui, KeyUsage.DIGITAL_SIGNING)):
                raise DuisRejection("E12", f"the signed Pre-Command is not signed with {user.name}'s key")
            signed = crypto.sign_apdu(expected, self._signing_keys[expected.originator])
        execution = xml.text(body, "sr:ExecutionDateTime")
        if execution:
            fields = {**fields, "ExecutionDateTime": execution}
        return Outstanding(request_id, service.srv, user, device, use_case, signed, fields)

    def seal(self, command: Outstanding) -> bytes:
        """The command as it leaves the DCC: MAC'd by the ACB for the device."""
        device_ka = self.repository.public_key(command.device.device_id, KeyUsage.KEY_AGREEMENT)
        return crypto.seal(command.apdu, ka_private=self.acb_key_agreement, ka_public=device_ka)

    def expect_response(self, command: Outstanding) -> None:
        self._outstanding[(command.device.device_id, command.apdu.originator, command.apdu.originator_counter)] \
            = command

    def send(self, command: Outstanding) -> None:
        """Over the SM WAN, with the E21 timer running."""
        frame = self.seal(command)
        key = (command.device.device_id, command.apdu.originator, command.apdu.originator_counter)
        self._outstanding[key] = command
        command.timer = self.clock.call_later(self._timeout(command.device.device_type),
                                              lambda: self._no_response(key), f"E21 timer {command.request_id}")
        self._send_to_device(command.device.device_id, frame)

    def due_work(self, devices: set[EntityId]) -> list[tuple[str, dt.datetime]]:
        """What the DSP knows is due on these devices: (SR, when) of each future-dated request not yet past
        and of each command in flight now."""
        now = self.clock.now()
        due = [(srv, at) for device, srv, at in self.future_dated if device in devices and at >= now]
        return due + [(c.srv, now) for c in self._outstanding.values() if c.device.device_id in devices]

    def _no_response(self, key) -> None:
        command = self._outstanding.pop(key, None)
        if command is not None:
            self._reply(command, "E21")

    # -- DSP future dating ------------------------------------------------------------------------------

    def hold(self, command: Outstanding, at: dt.datetime) -> None:
        def release() -> None:
            if self.held.pop(command.request_id, None) is not None:
                self.send(command)
        self.held[command.request_id] = command
        command.timer = self.clock.call_at(at, release, f"DSP future-dated {command.request_id}")

    def cancel_held(self, matches, alert_code: str) -> list[Outstanding]:
        """Cancel DSP-held future-dated requests that match, telling each sender (N3, N33, N34)."""
        cancelled = [c for c in self.held.values() if matches(c)]
        for command in cancelled:
            del self.held[command.request_id]
            self.clock.cancel(command.timer)
            self.dcc_alert(command.user, alert_code, E.CommandFailure(
                E.CommandRequestID(str(command.request_id)), E.DeviceID(command.device.device_id.duis)))
        return cancelled

    # -- from devices ---------------------------------------------------------------------------------

    def from_device(self, data: bytes, *, returned_by: DccUser | None = None) -> str:
        """A response or alert that came up the SM WAN, or that a User returned with 8.13 (returned_by).
        Says what it was: 'response', 'alert', 'unmatched' or 'malformed'."""
        try:
            message = GbcsMessage.decode(data)
        except MalformedMessage:
            return "malformed"
        apdu = message.apdu
        if apdu.cra_flag is CraFlag.RESPONSE:
            key = (apdu.originator, apdu.recipient, apdu.originator_counter)
            command = self._outstanding.pop(key, None)
            if command is None:
                return "unmatched"
            self.clock.cancel(command.timer)
            if not command.local:
                self._reply(command, "I0", data)
            if self.outcomes.reads_result(command.srv):         # a Parse the DCC has no use for is not done
                self.outcomes.after(command, _fields(message, command.srv))
            return "response"
        if apdu.cra_flag is CraFlag.ALERT:
            self._device_alert(apdu, data, forward=returned_by is None)
            return "alert"
        return "unmatched"

    def _reply(self, command: Outstanding, code: str, gbcs: bytes | None = None) -> None:
        if gbcs is None:
            content = None
        elif command.schedule_id is not None:
            content = E.DSPScheduledMessage(E.GBCSPayload(base64.b64encode(gbcs).decode()),
                                            E.DSPScheduleID(str(command.schedule_id)))
        else:
            content = gbcs_payload(gbcs)
        response = build_response(response_message(command.srv, content), response_code=code,
                                  response_date_time=self.clock.now(), request_id=command.request_id,
                                  response_id=command.request_id.response_id())
        self.post(command.user, response, f"response {code} to {command.request_id}")

    def _device_alert(self, apdu: GeneralSigning, data: bytes, *, forward: bool) -> None:
        try:
            decoded = payload_codec.decode(apdu)
        except PayloadError:
            return                                                  # not an alert the DCC can read
        code = payload_codec.alert_code_of(decoded)
        if code is None:
            return
        # the future-dated 11.3 it answers, if the DCC sent one (FDA-CS06)
        activation = self.outcomes.device_alert(apdu, code)
        if apdu.recipient == self.identity.acb and activation is None:        # stays with the DCC
            try:
                if apdu.message_code == CS14_DEVICE_LOG_BACKUP:         # the CHF's device log backup
                    backup = chf_usecases.device_log_backup(GbcsMessage.decode(data))
                    self.device_log_backups[apdu.originator] = backup
                    self.outcomes.device_log_changed(backup)
                elif apdu.message_code == GCS62_GPF_LOG_BACKUP:
                    self.gpf_log_backups[apdu.originator] = joins.gpf_device_log_backup(GbcsMessage.decode(data))
                else:
                    self.firmware.device_alert(apdu, decoded)
            except PayloadError:
                pass                                                    # not a backup the DCC can read
            return
        if not forward:
            return
        users = [self.users[apdu.recipient]] if apdu.recipient in self.users else []
        if activation is not None and apdu.recipient == self.identity.acb:   # the 11.3 the ACB sent for a User
            users = [activation.user]
        if apdu.recipient == self.identity.transcos:
            # A 6.23's outcome comes back to the DCC's TransCoS party, which sent it for the gaining supplier:
            # now the device's registered supplier.
            device = self.inventory.get(apdu.originator)
            users = self.suppliers_of(device) if device is not None else []
        for user in users:
            # An alert answers no request: its ResponseID names the device and the User it is for.
            self._deliver(user, self._alert_signer.sign(code, data, at=self.clock.now(),
                                                        response_id=RequestId(apdu.originator, user.eui,
                                                                              apdu.originator_counter)),
                          f"device alert {code:04X}")

    # -- who to tell ------------------------------------------------------------------------------------

    def premises_of(self, device: InventoryDevice) -> Premises | None:
        return self.inventory.premises_of(device.device_id)

    def registered(self, device: InventoryDevice, *parts: str) -> list[DccUser]:
        """The Users registered at the device's premises in the given capacities (premises field names)."""
        premises = self.premises_of(device)
        if premises is None:
            return []
        found = [self.users.get(getattr(premises, part)) for part in parts]
        return list({u.eui: u for u in found if u is not None}.values())

    def suppliers_of(self, device: InventoryDevice) -> list[DccUser]:
        return self._of_fuel(device, "import_supplier", "gas_supplier")

    def network_operators_of(self, device: InventoryDevice) -> list[DccUser]:
        return self._of_fuel(device, "electricity_network_operator", "gas_network_operator")

    def _of_fuel(self, device: InventoryDevice, electricity: str, gas: str) -> list[DccUser]:
        """The party for the device's fuel; both for what serves the whole premises (CH, PPMID, IHD)."""
        kind = device.device_type
        if kind in (DeviceType.ESME, DeviceType.HCALCS):
            return self.registered(device, electricity)
        if kind in (DeviceType.GSME, DeviceType.GPF):
            return self.registered(device, gas)
        return self.registered(device, electricity, gas)

    # -- outbound ---------------------------------------------------------------------------------------

    def dcc_alert(self, user: DccUser, code: str, detail: etree._Element) -> None:
        self.post(user, build_response(dcc_alert_message(code, detail), response_code="I0",
                                       response_date_time=self.clock.now(),
                                       response_id=RequestId(self.identity.acb, user.eui, self.next_dcc_counter())),
                  f"DCC alert {code}")

    def sign(self, root: etree._Element) -> bytes:
        xmldsig.sign(root, self._xml_signing_key, self._xml_signing_certificate)
        return xml.serialize(root)

    def post(self, user: DccUser, root: etree._Element, label: str) -> None:
        """An asynchronous response or alert to a User's response URL, after the DSP's processing time."""
        self._deliver(user, self.sign(root), label)

    @property
    def _alert_signer(self) -> DeviceAlertSigner:
        if self._device_alert_signer is None:
            self._device_alert_signer = DeviceAlertSigner(self._xml_signing_key, self._xml_signing_certificate)
        return self._device_alert_signer

    def _deliver(self, user: DccUser, data: bytes, label: str) -> None:
        self.transcript.add(label, data)
        self.clock.call_later(DCC_PROCESSING_S, lambda: self._post(user, data), f"POST {label} to {user.name}")


def _fields(message: GbcsMessage, srv: str | None = None) -> dict:
    """What the DCC reads of a device's response: its Parse (MMC values, "Result" among them)."""
    try:
        return mmc.values(mmc.parse(message, srv=srv)[0])
    except PayloadError:
        return {"Result": "Failure"}


def _datetime(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


_HEADER, _REQUEST_ID = xml.sr("Header"), xml.sr("RequestID")
_SERVICE_REFERENCE_VARIANT = xml.sr("ServiceReferenceVariant")


def _header(header: dict[str, str | None], name: str) -> str:
    """A Header field DUIS requires (of the header's fields by tag): the schema check that would refuse its absence
    is optional."""
    value = header.get(xml.sr(name))
    if value is None:
        raise TransportRejection(f"the request has no sr:Header/sr:{name}")
    return value


def _body(root: etree._Element) -> etree._Element:
    """The request's body element (sr:Body's one child), which the optional schema check would also require."""
    container = xml.find(root, "sr:Body")
    if container is None or len(container) == 0:
        raise TransportRejection("the request has no sr:Body content")
    return container[0]
