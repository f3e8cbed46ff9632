"""The emulated Data Services Provider: what the DCC does with a DUIS request, in order.

 1. Parse safely, verify the XML signature against a registered User's XML-signing certificate and,
    when a DUIS schema is available, validate. Failures here are refused at HTTP level (400 with the
    reason): the request cannot be trusted enough to answer in DUIS.
 2. DUIS checks, answered synchronously with the code the DUIS response-code table gives
    (dcc_interface.md section 5; meanings from the secondary WIX summary):
      E1  the signer is not the RequestID's originator, or not a DCC User
      E13 the command variant does not belong on this web service (URL)
      E12 the command variant is not allowed for the SR
      E2  none of the User's roles may send the SR
      E19 the target device is not in the inventory
      E11 the SR does not apply to that device type (or cannot be done to it, e.g. decommission a GPF)
      E5  the device's SMI status does not admit the SR
      E4  the User is not authorised for that device (not its registered supplier or network operator)
 3. CV 4: transform to a GBCS Pre-Command, return it (I0). CV 5: the signed Pre-Command must match a
    Transform of the same RequestID byte for byte except for the signature (else E12... see below),
    then the ACB MACs it and it goes out over the SM WAN (I99). CV 1: transform and send (I99).
    DCC-originated use cases (8.11 CCS01/02, 6.21 handover, 6.23 CoS) carry the ACB or TransCoS as
    originator with the User as supplementary remote party, signed by the DCC where GBCS needs it.
 4. The device response comes back as an asynchronous I0 carrying its GBCS payload; no response within
    the timeout gives E21. Side effects follow the outcome: inventory status, N24/N25, N42, the SMKI
    repository after a device rekey.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from lxml import etree

from harness import catalogue
from harness.catalogue import CommandVariant, DeviceStatus, DeviceType, FutureDatedPattern, UserRole
from harness.clock import VirtualClock
from harness.dcc.inventory import InventoryDevice, SmartMeteringInventory
from harness.duis import xml, xmldsig
from harness.duis.request_id import RequestId
from harness.duis.responses import (build_response, dcc_alert_message, device_alert_message, gbcs_payload,
                                    pre_command, response_message)
from harness.duis.schema import DuisSchema
from harness.duis.xml import E
from harness.errors import DitError
from harness.eui import EntityId
from harness.gbcs import crypto, model_payload
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning, MalformedMessage
from harness.pki import KeyUsage, entity_id_of, role_of
from harness.pki.repository import SmkiRepository

S = DeviceStatus
WEB_SERVICE_CVS = {"serviceS": {1, 3, 5, 7}, "serviceT": {4}, "serviceD": {2, 6, 8}}
DCC_PROCESSING_S = 0.2
GBCS_VERSION = "4.0"
# GBCS responses to these use cases carry no Result (alerts and logs aside): the payload tells.
FAILED = "Failure"

# Use cases the DCC originates itself (the User is the supplementary remote party) and who signs them.
_DCC_ORIGINATED = {"CCS01": None, "CCS02": None, "CS02bSupplierBySupplierHandover": "acb",
                   "CS02bNOByNOHandover": "acb", "CS02bSupplierByTransCoS": "transcos"}


class DuisRejection(Exception):
    """A DUIS error code for the synchronous response."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code


class TransportRejection(Exception):
    """Refused before DUIS: HTTP 400 with a reason."""


@dataclass
class DccUser:
    name: str
    eui: EntityId
    roles: frozenset[UserRole]
    response_url: str | None = None


@dataclass
class Outstanding:
    """A command on its way to a device, waiting for the response."""

    request_id: RequestId
    srv: str
    user: DccUser
    device: InventoryDevice
    use_case: str
    apdu: GeneralSigning
    fields: dict
    timer: object = None


@dataclass
class DccIdentity:
    """The DCC's own parties: the ACB (also the DSP's XML signer and the target of non-device SRs) and TransCoS."""

    acb: EntityId
    transcos: EntityId


@dataclass
class Transcript:
    """Every DUIS document in or out of the DCC, in order (the tests validate each one)."""

    documents: list[tuple[str, bytes]] = field(default_factory=list)

    def add(self, label: str, data: bytes) -> None:
        self.documents.append((label, data))


class DataServicesProvider:
    def __init__(self, *, clock: VirtualClock, identity: DccIdentity, repository: SmkiRepository,
                 inventory: SmartMeteringInventory, users: dict[EntityId, DccUser],
                 schema: DuisSchema | None, send_to_device: Callable[[EntityId, bytes], None],
                 post: Callable[[DccUser, bytes], None], response_timeout_s: Callable[[DeviceType], float]):
        self.clock = clock
        self.identity = identity
        self.repository = repository
        self.inventory = inventory
        self.users = users
        self.schema = schema
        self._send_to_device = send_to_device
        self._post = post
        self._timeout = response_timeout_s
        self._transforms: dict[RequestId, tuple[DccUser, InventoryDevice, str, GeneralSigning, dict]] = {}
        self._outstanding: dict[tuple[EntityId, EntityId, int], Outstanding] = {}
        self._counter = itertools.count(clock.millis())
        self._schedule_ids = itertools.count(1)
        self.schedules: dict[int, dict] = {}
        self.transcript = Transcript()
        self.device_log_backups: dict[EntityId, dict] = {}
        keystore = repository.keystore
        self._xml_key = keystore.credential(identity.acb, KeyUsage.XML_SIGNING, private=True)
        self._acb_ka = keystore.private_key(identity.acb, KeyUsage.KEY_AGREEMENT)
        self._signers = {"acb": (identity.acb, keystore.private_key(identity.acb, KeyUsage.DIGITAL_SIGNING)),
                         "transcos": (identity.transcos,
                                      keystore.private_key(identity.transcos, KeyUsage.DIGITAL_SIGNING))}

    # -- HTTP entry ----------------------------------------------------------------------------------

    def handle(self, web_service: str, body: bytes) -> tuple[int, bytes]:
        """One request to /api/v1/<web_service>: (HTTP status, response body)."""
        self.transcript.add(f"request {web_service}", body)
        try:
            root, user = self._accept(body)
        except TransportRejection as exc:
            return 400, str(exc).encode()
        request_id = RequestId.parse(xml.text(root, "sr:Header/sr:RequestID"))
        srv = xml.text(root, "sr:Header/sr:ServiceReferenceVariant")
        try:
            response = self._process(web_service, root, user, request_id, srv)
        except DuisRejection as rejection:
            response = build_response(response_message(srv), response_code=rejection.code,
                                      response_date_time=self.clock.now(), request_id=request_id)
        data = self._sign(response)
        self.transcript.add("synchronous response", data)
        return 200, data

    def _accept(self, body: bytes) -> tuple[etree._Element, DccUser]:
        try:
            root = xml.parse(body, "request")
        except DitError as exc:
            raise TransportRejection(str(exc)) from None
        check = xmldsig.verify(root, self.repository.keystore)
        if not check.valid:
            raise TransportRejection(f"XML signature {check.status.value}: {check.reason}")
        signer = self.repository.keystore.by_issuer_serial(check.issuer, check.serial).certificate
        signer_eui = entity_id_of(signer)
        if role_of(signer) is not catalogue.RemotePartyRole.XML_SIGN or signer_eui not in self.users:
            raise TransportRejection(f"signed by {signer_eui}, which is not a DCC User's XML-signing certificate")
        if self.schema is not None:
            errors = self.schema.errors(root)
            if errors:
                raise TransportRejection(f"not valid against the DUIS schema: {errors[0]}")
        if root.tag != xml.sr("Request"):
            raise TransportRejection("expected sr:Request")
        originator = RequestId.parse(xml.text(root, "sr:Header/sr:RequestID")).originator
        if originator != signer_eui:
            raise TransportRejection(f"signed by {signer_eui} but the RequestID originator is {originator}")
        return root, self.users[signer_eui]

    # -- DUIS checks ---------------------------------------------------------------------------------

    def _process(self, web_service: str, root: etree._Element, user: DccUser, request_id: RequestId,
                 srv: str) -> etree._Element:
        service = catalogue.service_request(srv)
        cv = CommandVariant(int(xml.text(root, "sr:Header/sr:CommandVariant")))
        if int(cv) not in WEB_SERVICE_CVS.get(web_service, set()):
            raise DuisRejection("E13", f"CV {int(cv)} does not belong on {web_service}")
        signed = cv.carries_signed_pre_command
        if not (service.allows(cv) or (signed and service.critical)):
            raise DuisRejection("E12", f"{service} does not allow CV {int(cv)}")
        if not service.roles & user.roles:
            raise DuisRejection("E2", f"{user.name}'s roles may not send {service}")
        body = root.find("sr:Body", xml.NSMAP)[0]
        if service.non_device:
            if request_id.target != self.identity.acb:
                raise DuisRejection("E11", "a non-device SR is addressed to the DCC")
            return self._non_device(service, body, user, request_id)
        device = self._authorise(service, user, request_id.target)
        if cv is CommandVariant.TRANSFORM:
            return self._transform(service, body, user, device, request_id)
        if signed:
            return self._send_signed(service, body, user, device, request_id)
        if cv in (CommandVariant.NON_CRITICAL_LOCAL, CommandVariant.NON_CRITICAL_WAN_AND_LOCAL):
            raise DuisRejection("E17", "Local Command Delivery is not available from this DCC")
        use_case, apdu, fields = self._command(service, body, user, device, request_id)
        command = Outstanding(request_id, srv, user, device, use_case, apdu, fields)
        execution = fields.get("ExecutionDateTime")
        if execution and service.future_dated is FutureDatedPattern.DSP:
            # DSP future dating: the DSP holds the request and sends it at the execution time.
            at = dt.datetime.fromisoformat(execution.replace("Z", "+00:00"))
            self.clock.call_at(at, lambda: self._dispatch(command), f"DSP future-dated {request_id}")
        else:
            self._dispatch(command)
        return build_response(response_message(srv), response_code="I99", response_date_time=self.clock.now(),
                              request_id=request_id)

    def _authorise(self, service: catalogue.ServiceRequest, user: DccUser, target: EntityId) -> InventoryDevice:
        device = self.inventory.get(target)
        if device is None:
            raise DuisRejection("E19", f"{target} is not in the Smart Metering Inventory")
        if self._use_case(service, device, {}) is None:
            raise DuisRejection("E11", f"{service} does not apply to a {device.device_type.value}")
        # Status before authorisation: a device not yet installed has no premises to authorise against.
        if not device.admits(service.srv):
            raise DuisRejection("E5", f"{device.device_type.value} {target} is {device.status.value}")
        premises = self.inventory.premises_of(target)
        roles = premises.roles_of(user.eui, device.device_type) if premises else set()
        if not roles & user.roles & service.roles:
            raise DuisRejection("E4", f"{user.name} is not authorised for {device.device_type.value} {target}")
        return device

    # -- Transform and commands ----------------------------------------------------------------------

    def _use_case(self, service: catalogue.ServiceRequest, device: InventoryDevice, fields: dict) -> str | None:
        srv, kind = service.srv, device.device_type
        if srv == "8.11":
            return "CCS02" if fields.get("RequestType") == "Remove" else "CCS01"
        if srv in ("6.21", "6.15.1"):
            operator = fields.get("RemotePartyRole") == "NetworkOperator"
            suffix = "Handover" if srv == "6.21" else ""
            return ("CS02bNOByNO" if operator else "CS02bSupplierBySupplier") + suffix
        if srv in ("8.7.1", "8.7.2", "8.8.1", "8.8.2"):
            return self._join_use_case(srv, kind, fields)
        if srv == "8.9" and kind is DeviceType.CHF:
            return "CCS06"
        use_case = service.use_case_for(kind)
        if use_case is None or (use_case.devices and kind not in use_case.devices):
            return None
        return use_case.name

    def _join_use_case(self, srv: str, target: DeviceType, fields: dict) -> str:
        other = self.inventory.get(EntityId(fields["OtherDeviceID"])) if "OtherDeviceID" in fields else None
        other_type = other.device_type if other else None
        if srv == "8.7.1":
            return "CS03A1"
        if srv == "8.8.1":
            return "CS04ACCritical"
        if target is DeviceType.PPMID:
            return "CS03A2NonCritical" if srv == "8.7.2" else "CS04ACNonCritical"
        if other_type is DeviceType.CAD:
            return "CS03CNonCritical" if srv == "8.7.2" else "CS04ACNonCritical"
        return "CS03B" if srv == "8.7.2" else "CS04B"

    def _command(self, service: catalogue.ServiceRequest, body: etree._Element, user: DccUser,
                 device: InventoryDevice, request_id: RequestId) -> tuple[str, GeneralSigning, dict]:
        fields = xml.flatten(body)
        use_case = self._use_case(service, device, fields)
        code = catalogue.use_case(use_case).message_codes[0]
        payload = model_payload.encode({"UseCase": use_case, "SRV": service.srv, **fields})
        # A device-pattern future-dated command carries its execution time in the (signed) grouping header.
        execution = fields.get("ExecutionDateTime") if service.future_dated in (
            FutureDatedPattern.DEVICE, FutureDatedPattern.DSP_AND_DEVICE) else None
        when = dt.datetime.fromisoformat(execution.replace("Z", "+00:00")) if execution else None
        # The CHF trusts only the DCC's parties: what reaches it comes from the ACB, as CCS01 does in RTDS.
        if use_case in _DCC_ORIGINATED or device.device_type is DeviceType.CHF:
            signer = _DCC_ORIGINATED.get(use_case)
            originator = self._signers[signer][0] if signer else self.identity.acb
            apdu = GeneralSigning(cra_flag=CraFlag.COMMAND, originator_counter=next(self._counter),
                                  originator=originator, recipient=device.device_id, message_code=code,
                                  payload=payload, date_time=when, supplementary_remote_party=user.eui,
                                  supplementary_remote_party_counter=request_id.counter)
            if signer:
                apdu = crypto.sign_apdu(apdu, self._signers[signer][1])
        else:
            apdu = GeneralSigning(cra_flag=CraFlag.COMMAND, originator_counter=request_id.counter,
                                  originator=user.eui, recipient=device.device_id, message_code=code,
                                  payload=payload, date_time=when)
        return use_case, apdu, fields

    def _transform(self, service, body, user, device, request_id) -> etree._Element:
        use_case, apdu, fields = self._command(service, body, user, device, request_id)
        self._transforms[request_id] = (user, device, use_case, apdu, fields)
        return build_response(response_message(service.srv, pre_command(apdu.pre_command(), GBCS_VERSION)),
                              response_code="I0", response_date_time=self.clock.now(), request_id=request_id)

    def _send_signed(self, service, body, user, device, request_id) -> etree._Element:
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
        execution = xml.text(body, "sr:ExecutionDateTime")
        if execution:
            fields = {**fields, "ExecutionDateTime": execution}
        self._dispatch(Outstanding(request_id, service.srv, user, device, use_case, signed, fields))
        return build_response(response_message(service.srv), response_code="I99",
                              response_date_time=self.clock.now(), request_id=request_id)

    def _dispatch(self, command: Outstanding) -> None:
        device_ka = self.repository.public_key(command.device.device_id, KeyUsage.KEY_AGREEMENT)
        frame = crypto.seal(command.apdu, ka_private=self._acb_ka, ka_public=device_ka)
        key = (command.device.device_id, command.apdu.originator, command.apdu.originator_counter)
        self._outstanding[key] = command
        command.timer = self.clock.call_later(self._timeout(command.device.device_type),
                                              lambda: self._no_response(key), f"E21 timer {command.request_id}")
        self._send_to_device(command.device.device_id, frame)

    def _no_response(self, key) -> None:
        command = self._outstanding.pop(key, None)
        if command is not None:
            self._reply(command, "E21")

    # -- from devices ---------------------------------------------------------------------------------

    def from_device(self, data: bytes) -> None:
        """A response or alert that came up the SM WAN from a Communications Hub."""
        try:
            message = GbcsMessage.decode(data)
        except MalformedMessage:
            return
        apdu = message.apdu
        if apdu.cra_flag is CraFlag.RESPONSE:
            key = (apdu.originator, apdu.recipient, apdu.originator_counter)
            command = self._outstanding.pop(key, None)
            if command is None:
                return
            self.clock.cancel(command.timer)
            self._reply(command, "I0", data)
            self._after_response(command, _fields(apdu))
        elif apdu.cra_flag is CraFlag.ALERT:
            self._device_alert(apdu, data)

    def _reply(self, command: Outstanding, code: str, gbcs: bytes | None = None) -> None:
        content = gbcs_payload(gbcs) if gbcs is not None else None
        response = build_response(response_message(command.srv, content), response_code=code,
                                  response_date_time=self.clock.now(), request_id=command.request_id,
                                  response_id=command.request_id.response_id())
        self._send(command.user, response, f"response {code} to {command.request_id}")

    def _device_alert(self, apdu: GeneralSigning, data: bytes) -> None:
        fields = _fields(apdu)
        code = int(str(fields.get("AlertCode", "0")), 16)
        if apdu.recipient == self.identity.acb:
            if apdu.message_code == 0x0018:            # CS14: keep the CHF's device log backup
                self.device_log_backups[apdu.originator] = fields
                self._device_log_changed(apdu.originator, fields)
            return                                      # alerts to the ACB stay with the DCC
        user = self.users.get(apdu.recipient)
        if user is not None:
            self._send(user, build_response(device_alert_message(code, data), response_code="I0",
                                            response_date_time=self.clock.now()), f"device alert {code:04X}")

    def _device_log_changed(self, chf: EntityId, backup: dict) -> None:
        """A device the CHF reports with a link key has joined: Installed Not Commissioned."""
        joined = {EntityId(v) for k, v in backup.items() if k.endswith("/DeviceID")
                  and backup.get(k.replace("DeviceID", "HashedLinkKey"))}
        for eui in joined:
            record = self.inventory.get(eui)
            if record is not None and record.status is S.WHITELISTED:
                self.inventory.set_status(eui, S.INSTALLED_NOT_COMMISSIONED, self.clock.now())

    def _after_response(self, command: Outstanding, result: dict) -> None:
        ok = result.get("Result") != FAILED
        device, srv, now = command.device, command.srv, self.clock.now()
        if srv == "8.11":
            if ok and command.use_case == "CCS01":
                subject = self.inventory.get(EntityId(command.fields["DeviceID"]))
                if subject is not None:
                    subject.chf = device.device_id
                    subject.mpxn = command.fields.get("AddDeviceToCHFWhitelist/ImportMPxN") or subject.mpxn
                    if subject.status is S.PENDING:
                        self.inventory.set_status(subject.device_id, S.WHITELISTED, now)
            detail = E.UpdateHANDeviceLogResult(E.UpdateHANDeviceLogServiceRequestID(str(command.request_id)))
            self._dcc_alert(command.user, "N24" if ok else "N25", detail)
        elif not ok:
            return
        elif srv == "8.1.1":
            self.inventory.set_status(device.device_id, S.COMMISSIONED, now)
        elif srv == "6.20.1":
            device.mpxn = command.fields.get("ImportMPANs/ImportMPAN") or command.fields.get("ImportMPRN")
        elif srv in ("6.21", "6.15.1", "6.23"):
            self._credentials_updated(command)
        elif srv == "6.15.2":
            self.repository.put_in_use(x509.load_der_x509_certificate(
                base64.b64decode(command.fields["DeviceCertificate"])))
        elif srv in ("8.7.1", "8.7.2") and device.status is S.INSTALLED_NOT_COMMISSIONED:
            self.inventory.set_status(device.device_id, S.COMMISSIONED, now)

    def _credentials_updated(self, command: Outstanding) -> None:
        """N42 to the Remote Party whose certificate was placed on the device."""
        certs = {k.rsplit("/", 1)[-1]: v for k, v in command.fields.items() if k.endswith("Certificate")
                 and "CertificationPath" not in k}
        if not certs:
            return
        first = x509.load_der_x509_certificate(base64.b64decode(next(iter(certs.values()))))
        party = self.users.get(entity_id_of(first))
        if party is None:
            return
        kinds = {"DigitalSigningCertificate": "DigitalSigning", "KeyAgreementCertificate": "KeyAgreement",
                 "KeyAgreementTopUpCertificate": "KeyAgreementTopUp"}
        role = role_of(first)
        entries = [E.Certificates(E.CertificateType(kinds[slot]),
                                  E.CertificateHash(x509.load_der_x509_certificate(base64.b64decode(value))
                                                    .fingerprint(hashes.SHA1()).hex().upper()))
                   for slot, value in certs.items() if slot in kinds]
        detail = E.SecurityCredentialsUpdated(E.DeviceID(command.device.device_id.duis),
                                              E.RemotePartyRole(role.duis_name if role else "Supplier"), *entries)
        self._dcc_alert(party, "N42", detail)

    # -- non-device services ------------------------------------------------------------------------

    def _non_device(self, service, body, user, request_id) -> etree._Element:
        handler = getattr(self, "_sr_" + service.srv.replace(".", "_"), None)
        if handler is None:
            raise DuisRejection("E11", f"{service} is not provided by this DCC")
        content = handler(xml.flatten(body), user)
        return build_response(response_message(service.srv, content), response_code="I0",
                              response_date_time=self.clock.now(), request_id=request_id)

    def _sr_12_2(self, fields: dict, user: DccUser):
        device = EntityId(fields["DeviceID"])
        existing = self.inventory.get(device)
        if existing is not None and existing.status is not S.PENDING:
            raise DuisRejection("E5", f"{device} is already {existing.status.value}")
        self.inventory.add(InventoryDevice(
            device, DeviceType(fields["DeviceType"]), manufacturer=fields.get("DeviceManufacturer", ""),
            model=fields.get("DeviceModel", ""), smets_chts_version=fields.get("SMETSCHTSVersion"),
            firmware_version=fields.get("FirmwareVersion"), esme_variant=fields.get("ESMEVariant")),
            self.clock.now())
        return None

    def _sr_8_2(self, fields: dict, user: DccUser):
        if "DeviceID" in fields:
            found = [self.inventory.get(EntityId(fields["DeviceID"]))]
        elif "MPxN" in fields:
            found = [d for d in self.inventory.devices.values() if d.mpxn == fields["MPxN"]]
        else:
            found = []
        found = [d for d in found if d is not None]
        if not found:
            raise DuisRejection("E19", "no device in the inventory matches")
        chfs = {d.chf for d in found if d.chf}
        found += [d for d in self.inventory.devices.values() if d.chf in chfs and d not in found]
        return E.DSPInventory(*[_inventory_entry(d) for d in found[:17]])

    def _sr_8_3(self, fields: dict, user: DccUser):
        device = self.inventory.get(EntityId(fields["DeviceID"]))
        if device is None:
            raise DuisRejection("E19", f"{fields['DeviceID']} is not in the inventory")
        if not device.device_type.can_be_decommissioned:
            raise DuisRejection("E11", f"a {device.device_type.value} cannot be decommissioned")
        self.inventory.set_status(device.device_id, S.DECOMMISSIONED, self.clock.now())
        return None

    def _sr_5_1(self, fields: dict, user: DccUser):
        schedule_id = next(self._schedule_ids)
        self.schedules[schedule_id] = {"owner": user.eui, **fields}
        return E.DSPScheduleID(str(schedule_id))

    def _sr_5_3(self, fields: dict, user: DccUser):
        if "DSPScheduleID" in fields:
            removed = [int(fields["DSPScheduleID"])] if int(fields["DSPScheduleID"]) in self.schedules else []
        else:
            removed = [i for i, s in self.schedules.items() if s.get("DeviceID") == fields.get("DeviceID")]
        if not removed:
            raise DuisRejection("E19", "no DSP schedule matches")
        for schedule_id in removed:
            del self.schedules[schedule_id]
        return None

    def _sr_12_1(self, fields: dict, user: DccUser):
        return None

    def _sr_8_14_1(self, fields: dict, user: DccUser):
        return None

    _sr_8_14_2 = _sr_8_14_1

    # -- outbound ---------------------------------------------------------------------------------------

    def _dcc_alert(self, user: DccUser, code: str, detail: etree._Element) -> None:
        self._send(user, build_response(dcc_alert_message(code, detail), response_code="I0",
                                        response_date_time=self.clock.now()), f"DCC alert {code}")

    def _sign(self, root: etree._Element) -> bytes:
        xmldsig.sign(root, self._xml_key.private_key, self._xml_key.certificate)
        return xml.serialize(root)

    def _send(self, user: DccUser, root: etree._Element, label: str) -> None:
        data = self._sign(root)
        self.transcript.add(label, data)
        self.clock.call_later(DCC_PROCESSING_S, lambda: self._post(user, data), f"POST {label} to {user.name}")


def _fields(apdu: GeneralSigning) -> dict:
    try:
        return model_payload.decode(apdu.payload)
    except MalformedMessage:
        return {}


def _inventory_entry(device: InventoryDevice) -> etree._Element:
    parts = [E.DeviceID(device.device_id.duis), E.DeviceType(device.device_type.duis_type),
             E.DeviceStatus(device.status.value), E.DeviceManufacturer(device.manufacturer or "-"),
             E.DeviceModel(device.model or "-")]
    if device.smets_chts_version:
        parts.append(E.SMETSCHTSVersion(device.smets_chts_version))
    if device.firmware_version:
        parts.append(E.DeviceFirmwareVersion(device.firmware_version))
    if device.date_commissioned:
        parts.append(E.DateCommissioned(device.date_commissioned.isoformat() + "Z"))
    if device.mpxn:
        parts.append(E.ImportMPxN(device.mpxn))
    if device.han_variant:
        parts.append(E.HANVariant(device.han_variant))
    return E.Device(*parts)
