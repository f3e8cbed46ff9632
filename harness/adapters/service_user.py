"""The service user simulator: a DCC User that sends Service Requests and waits for what comes back.

    exchange = supplier.send("8.11", chf, device_id=esme, install_code="...")
    assert exchange.succeeded, exchange.summary

`send` builds the DUIS request from the SR catalogue and body builders, signs it with the User's XML
key and posts it to the DCC web service its command variant names. A critical SR goes through the
Transform (CV 4): the returned Pre-Command is signed with the User's GBCS Digital Signing key and sent
back as CV 5 with the same RequestID. Device SRs then wait, on the lab's clock, for the asynchronous
response; non-device SRs are answered at once. Every DUIS document and GBCS message is kept as
evidence of the exchange.

What the system under test does -- a DCC rejection, an E21, a device refusing -- is an outcome on the
exchange. What says the bench itself is broken is a BenchFault, raised once the evidence is on the
exchange: a DCC endpoint that cannot be reached, a synchronous response that is malformed or not signed
by a key we trust, and no asynchronous response to a request at all. (A missing alert is an observation:
wait_for_alert returns None.)

For Local Command Delivery ask for CV 2 (or 6 for a critical SR, which still goes through the
Transform first): the DCC answers with the command itself (exchange.local_command) for the installer's
hand-held terminal; the device's answer goes back to the DCC with 8.13.

A supplier also vends UTRNs for its prepayment meters (vend_utrn), with its Prepayment Key-Agreement
key and the meter's current KA certificate, counting up per meter as GBCS expects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from harness import catalogue
from harness.adapters.duis_client import DccEndpoint, Inbox, Received, accept_response
from harness.catalogue import CommandVariant, DeviceType
from harness.clock import Clock
from harness.duis import requests, xml, xmldsig
from harness.duis.bodies.security import load_certificate
from harness.duis.request_id import RequestCounter, RequestId
from harness.duis.responses import DuisResponse, ResponseKind
from harness.duis.schema import DuisSchema
from harness.errors import BenchFault, DitError
from harness.eui import EntityId
from harness.gbcs import crypto, utrn
from harness.gbcs.axdr import PayloadError
from harness.gbcs.frame import GbcsMessage, MalformedMessage
from harness.pki import Keystore, KeyUsage
from harness.pki.certificates import entity_id_of, public_key_of, usage_of
from harness.pki.keystore import Credential
from harness.releases import R1_3, R2_0, R2_0_SERVICE_REQUESTS
from harness.usecases import DspRecords, DuisRequest, mmc
from harness.usecases.correlate import correlate

DEFAULT_TIMEOUT_S = 3 * 3600.0


@dataclass
class Evidence:
    at: dt.datetime
    label: str
    data: bytes
    kind: str = "duis"            # duis (XML) | gbcs (binary)


@dataclass
class Exchange:
    """One Service Request and everything that came of it."""

    user: str
    srv: str
    target: EntityId
    request_id: RequestId
    command_variant: CommandVariant
    evidence: list[Evidence] = field(default_factory=list)
    synchronous: DuisResponse | None = None
    response: DuisResponse | None = None          # the final DUIS response (async for device SRs)
    device_fields: dict = field(default_factory=dict)
    device_signature: str | None = None           # of the device's GBCS response: valid / invalid / absent
    problem: str | None = None                    # why it could not complete (HTTP refusal, bench fault)
    local_command: bytes | None = None            # CV 2/3/6/7: the command for the hand-held terminal
    # The receiver's counts of rejected documents and refused TLS handshakes when the last request went out:
    # any after them may have been its response, which is worth saying if none arrives.
    receiver_mark: tuple[int, int] = (0, 0)

    @property
    def response_code(self) -> str | None:
        return self.response.response_code if self.response else None

    @property
    def succeeded(self) -> bool:
        if self.response is None or not self.response.success:
            return False
        return self.device_fields.get("Result", "Success") == "Success"

    @property
    def summary(self) -> str:
        code = self.response_code or "no response"
        result = self.device_fields.get("Result")
        detail = f", device: {result}" + (f" ({self.device_fields['Reason']})" if "Reason" in self.device_fields
                                          else "") if result else ""
        problem = f": {self.problem}" if self.problem else ""
        return f"SR {self.srv} to {self.target} ({self.request_id.counter}): {code}{detail}{problem}"

    def add(self, at: dt.datetime, label: str, data: bytes, kind: str = "duis") -> None:
        self.evidence.append(Evidence(at, label, data, kind))


class ServiceUser:
    def __init__(self, name: str, eui: EntityId, *, endpoint: DccEndpoint, receiver: Inbox,
                 keystore: Keystore, clock: Clock, counter: RequestCounter, dcc: EntityId,
                 schema: DuisSchema | None = None, response_timeout_s: float = DEFAULT_TIMEOUT_S,
                 release: str = R2_0, device_types: Mapping[EntityId, DeviceType] | None = None):
        self.name = name
        self.release = release
        self.eui = EntityId(eui)
        self.endpoint = endpoint
        self.receiver = receiver
        self.keystore = keystore
        self.clock = clock
        self.counter = counter
        self.dcc = dcc
        self.schema = schema
        self.response_timeout_s = response_timeout_s
        self.device_types = dict(device_types or {})      # what the User knows its devices to be
        self.exchanges: list[Exchange] = []
        self._consumed: set[int] = set()
        self._scanned = 0
        self._responses: dict[RequestId, tuple[int, Received]] = {}   # RequestID -> its async response, inbox index
        self._utrn_counters: dict[EntityId, int] = {}
        self.awaited: list[Received] = []                 # the alerts it waited for and received, in order

    def __repr__(self) -> str:
        return f"ServiceUser({self.name}, {self.eui})"

    # -- sending -----------------------------------------------------------------------------------------

    def send(self, srv: str, target: EntityId | None = None, *, command_variant: CommandVariant | int | None = None,
             execution_date_time: dt.datetime | None = None, counter: int | None = None, wait: bool = True,
             timeout: float | None = None, **params) -> Exchange:
        service = catalogue.service_request(srv)
        if self.release == R1_3 and srv in R2_0_SERVICE_REQUESTS:
            raise DitError(f"an R1.3 service user has no SR {srv}: it came with R2.0",
                           fix="run this scenario at a baseline with an R2.0 service user")
        if service.non_device:
            target = self.dcc
        elif target is None:
            raise DitError(f"SR {srv} is sent to a device: give its entity ID")
        else:
            target = EntityId(target)
        cv = service.default_command_variant if command_variant is None else CommandVariant(command_variant)
        # A critical SR always starts with the Transform; the variant asked for is how it is then sent.
        signed_cv = cv if cv.carries_signed_pre_command else CommandVariant.SIGNED_WAN
        if service.critical and cv.carries_signed_pre_command:
            cv = CommandVariant.TRANSFORM
        request_id = RequestId(self.eui, target, self.counter.next(self.eui) if counter is None else counter)
        exchange = Exchange(self.name, srv, target, request_id, cv)
        self.exchanges.append(exchange)
        in_body = "execution_date_time" in requests.parameter_names(srv)
        if execution_date_time is not None and in_body:
            params["execution_date_time"] = execution_date_time
        first = requests.build(srv, request_id, command_variant=cv, **params)
        sync = self.send_document(first, cv.web_service, exchange)
        if sync is None:
            return exchange
        if cv is CommandVariant.TRANSFORM:
            if not sync.success or sync.pre_command is None:
                exchange.response = sync
                return exchange
            exchange.add(self.clock.now(), "Pre-Command", sync.pre_command, "gbcs")
            request = DuisRequest.of(first)
            mismatch = correlate(request, sync.pre_command, self._records(request), now=self.clock.now())
            if mismatch is not None:         # never sign what the request did not ask for
                exchange.problem = f"Correlate refused the Pre-Command: {mismatch}"
                exchange.add(self.clock.now(), "Correlate refusal", exchange.problem.encode(), "text")
                return exchange
            signed = crypto.sign_pre_command(sync.pre_command,
                                             self.keystore.private_key(self.eui, KeyUsage.DIGITAL_SIGNING))
            exchange.add(self.clock.now(), "signed Pre-Command", signed, "gbcs")
            second = requests.build_signed_pre_command(srv, request_id, signed, command_variant=signed_cv,
                                                       execution_date_time=None if in_body else execution_date_time)
            sync = self.send_document(second, signed_cv.web_service, exchange)
            if sync is None:
                return exchange
        if sync.content == "LocalCommand":
            assert sync.gbcs_payload is not None, "parsing refuses a LocalCommand response without its GBCSPayload"
            exchange.local_command = sync.gbcs_payload
            exchange.add(self.clock.now(), "command for local delivery", sync.gbcs_payload, "gbcs")
        if not sync.acknowledged:            # a non-device answer, a local command, or an error: the outcome
            exchange.response = sync
            return exchange
        if wait:
            self.wait_for_response(exchange, timeout)
            if srv == "6.15.2" and exchange.succeeded:
                self._device_certificate_in_use(params["device_certificate"])
        return exchange

    def _records(self, request: DuisRequest) -> DspRecords:
        """What this User knows of the target and of a device the request names (8.7.x joins): their
        types, and the other device's KA certificate from SMKI, as the DSP's Transform uses them."""
        named = request.text("OtherDeviceID")
        other = EntityId(named) if named else None
        ka = self.keystore.find(other, KeyUsage.KEY_AGREEMENT) if other else None
        return DspRecords(device_type=self.device_types.get(request.target),
                          other_device_type=self.device_types.get(other) if other else None,
                          other_device_ka_certificate=ka.certificate.public_bytes(Encoding.DER)
                          if ka is not None and ka.certificate is not None else None)

    def _device_certificate_in_use(self, value) -> None:
        """A device confirmed it uses the certificate 6.15.2 placed: its responses verify with that key now."""
        cert = load_certificate(value, "6.15.2 device_certificate")
        self.keystore.replace(Credential(entity_id_of(cert), usage_of(cert), public_key_of(cert), cert))

    def send_altered(self, srv: str, target: EntityId, alter: Callable[[etree._Element], None], **params) -> Exchange:
        """A non-critical SR built as send() builds it, then altered by hand before it is signed and posted (a
        negative test's request): the exchange holds the DCC's synchronous answer, or its HTTP refusal."""
        cv = catalogue.service_request(srv).default_command_variant
        request_id = RequestId(self.eui, EntityId(target), self.counter.next(self.eui))
        exchange = Exchange(self.name, srv, EntityId(target), request_id, cv)
        self.exchanges.append(exchange)
        root = requests.build(srv, request_id, command_variant=cv, **params)
        alter(root)
        exchange.response = self.send_document(root, cv.web_service, exchange, altered=True)
        return exchange

    def send_document(self, root, web_service: str, exchange: Exchange | None = None, *,
                      altered: bool = False) -> DuisResponse | None:
        """Sign a ready-made sr:Request and post it; the synchronous response, or None if refused.
        (send() builds requests; this is for requests built or altered by hand.)"""
        if exchange is None:
            rid = RequestId.parse(_header(root, "RequestID"))
            exchange = Exchange(self.name, _header(root, "ServiceReferenceVariant"), rid.target, rid,
                                CommandVariant(int(_header(root, "CommandVariant"))))
            self.exchanges.append(exchange)
        xmldsig.sign_as(root, self.keystore, self.eui)
        data = xml.serialize(root)
        # A request altered to break a rule is kept as text: it is evidence, not a DUIS message that should validate.
        exchange.add(self.clock.now(), f"{'altered ' if altered else ''}request to {web_service}", data,
                     "text" if altered else "duis")
        exchange.receiver_mark = (len(self.receiver.rejected), len(self.receiver.refused))
        try:
            status, body = self.endpoint.post(web_service, data)
        except BenchFault as fault:
            exchange.problem = str(fault)
            raise
        if status != 200:                        # the DCC refused the request itself: an outcome, not a fault
            exchange.add(self.clock.now(), f"HTTP {status} from {web_service}", body, "text")
            exchange.problem = f"HTTP {status}: {body.decode(errors='replace')[:300]}"
            return None
        exchange.add(self.clock.now(), "synchronous response", body)
        try:
            exchange.synchronous = accept_response(body, keystore=self.keystore, schema=self.schema,
                                                   where=f"synchronous response from {web_service}")
        except DitError as exc:
            refused = BenchFault(str(exc), part="DCC endpoint",
                                 fix="the exchange's evidence has what came back: is the URL the DCC's DUIS endpoint, "
                                     "and its XML signing certificate in the keystore?")
            exchange.problem = str(refused)
            raise refused from None
        return exchange.synchronous

    # -- prepayment -----------------------------------------------------------------------------------

    def vend_utrn(self, device: EntityId, amount_pence: int) -> tuple[str, int]:
        """A UTRN for a meter, and its counter (which a 2.2 Top Up Device carries as its RequestID
        counter). Counters start at one step and go up a step per UTRN, so a meter can also take them
        typed at its keypad."""
        device = EntityId(device)
        counter = self._utrn_counters.get(device, 0) + utrn.COUNTER_STEP
        self._utrn_counters[device] = counter
        code = utrn.generate_utrn(
            supplier=self.eui, device=device, counter=counter, amount_pence=amount_pence,
            supplier_pp_ka_private=self.keystore.private_key(self.eui, KeyUsage.PREPAYMENT_KEY_AGREEMENT),
            device_ka_public=self.keystore.public_key(device, KeyUsage.KEY_AGREEMENT))
        return code, counter

    # -- waiting --------------------------------------------------------------------------------------

    def _index_responses(self) -> None:
        """Index the responses that arrived since the last look (only those: this runs at every event waited)."""
        for i, item in enumerate(self.receiver.since(self._scanned), start=self._scanned):
            r = item.response
            if r.kind is ResponseKind.RESPONSE:
                key = r.request_id or (r.response_id.response_id() if r.response_id else None)
                if key is not None:
                    self._responses.setdefault(key, (i, item))
            self._scanned = i + 1

    def _awaited_response(self, exchange: Exchange, timeout: float | None) -> Received | None:
        def find() -> Received | None:
            self._index_responses()
            found = self._responses.pop(exchange.request_id, None)
            if found is None:
                return None
            self._consumed.add(found[0])
            return found[1]

        return self._wait_for(find, timeout)

    def no_response_comes(self, exchange: Exchange, timeout: float) -> bool:
        """Whether a request the DCC acknowledged stays unanswered for `timeout` (a quarantined request)."""
        return self._awaited_response(exchange, timeout) is None

    def wait_for_response(self, exchange: Exchange, timeout: float | None = None) -> DuisResponse:
        """The asynchronous response to a request sent; BenchFault if none comes within the timeout."""
        item = self._awaited_response(exchange, timeout)
        if item is None:
            fault = self._no_response(exchange, self.response_timeout_s if timeout is None else timeout)
            exchange.problem = str(fault)
            raise fault
        exchange.response = item.response
        exchange.add(item.at, f"asynchronous response {item.response.response_code}", item.data)
        if item.response.gbcs_payload:
            exchange.add(item.at, "device response", item.response.gbcs_payload, "gbcs")
            self._read_device_response(exchange, item.response.gbcs_payload)
        return item.response

    def _no_response(self, exchange: Exchange, timeout: float) -> BenchFault:
        """The DCC owes every acknowledged request a response (E21 if the device is silent): none means the
        bench lost it -- rejected as untrustworthy, refused at TLS, or never sent to our URL."""
        rejected_from, refused_from = exchange.receiver_mark
        rejected, refused = self.receiver.rejected[rejected_from:], self.receiver.refused[refused_from:]
        what = f"no response to {exchange.request_id} within {timeout:g} s"
        if rejected:
            return BenchFault(f"{what}; DCC responses rejected: {rejected[0]}", part="DCC response service",
                              fix="the receiver's 400s tell the DCC why; is its XML signing certificate in the "
                                  "keystore?")
        if refused:
            return BenchFault(f"{what}; TLS handshakes to the response service refused: {refused[0]}",
                              part="DCC response service",
                              fix="does the DCC present a certificate issued by dcc.tls.ca?")
        return BenchFault(what, part="DCC response service",
                          fix=f"is the DCC's response URL for {self.name} set to {self.receiver.url}, and can "
                              "the DCC reach this machine there?")

    def read_returned_response(self, exchange: Exchange, data: bytes) -> None:
        """A device's response to a locally delivered command, as the hand-held terminal brought it back: the User
        parses it itself (the DCC answers the 8.13 that returns it, not the command again)."""
        exchange.add(self.clock.now(), "device response brought back", data, "gbcs")
        self._read_device_response(exchange, data)

    def _read_device_response(self, exchange: Exchange, data: bytes) -> None:
        try:
            message = GbcsMessage.decode(data)
        except MalformedMessage as exc:
            exchange.problem = f"device response: {exc}"
            return
        apdu = message.apdu
        try:
            document, notes = mmc.parse(message, keystore=self.keystore, srv=exchange.srv)
        except PayloadError as exc:
            exchange.problem = f"device response: {exc}"
            return
        exchange.add(self.clock.now(), "device response parsed (MMC)", xml.serialize(document), "mmc")
        exchange.device_fields = mmc.values(document)
        if notes:
            exchange.problem = "; ".join(notes)
        if apdu.signature is None:
            exchange.device_signature = "absent"
        else:
            cred = self.keystore.find(apdu.originator, KeyUsage.DIGITAL_SIGNING)
            exchange.device_signature = ("unknown_key" if cred is None else
                                         "valid" if crypto.verify_apdu(apdu, cred.public_key) else "invalid")

    def _wait_for(self, find, timeout: float | None) -> Received | None:
        """Let the lab's clock run until find() finds something, or the timeout passes."""
        found: list[Received] = []

        def condition() -> bool:
            if not found and (item := find()) is not None:
                found.append(item)
            return bool(found)

        self.clock.wait_until(condition, self.response_timeout_s if timeout is None else timeout)
        return found[0] if found else None

    def mark(self) -> int:
        """A point in the inbox: alerts looked for later arrive after it."""
        return len(self.receiver.snapshot())

    def wait_for_alert(self, code: str, *, since: int = 0, timeout: float | None = None,
                       device: EntityId | None = None, expected: bool = True) -> Received | None:
        """The first not-yet-seen device alert (code '8F12') or DCC alert ('N24') since a mark. One that was
        expected is kept in `awaited` (what the scenario waited for and received); expected=False looks for
        one that should not come."""
        code = code.upper().removeprefix("0X")

        def find() -> Received | None:
            for i, item in enumerate(self.receiver.since(since), start=since):
                r = item.response
                if i in self._consumed or (r.alert_code or "").upper() != code:
                    continue
                if device is not None and not _concerns(item, device):
                    continue
                self._consumed.add(i)
                return item
            return None

        found = self._wait_for(find, timeout)
        if found is not None and expected:
            self.awaited.append(found)
        return found

    def wait_for_scheduled(self, schedule_id: str, timeout: float | None = None) -> Received | None:
        """The next result of one of this User's DSP schedules (a DSPScheduledMessage)."""
        def find() -> Received | None:
            for i, item in enumerate(self.receiver.snapshot()):
                r = item.response
                if i not in self._consumed and r.content == "DSPScheduledMessage" and \
                        r.alert_fields.get("DSPScheduleID") == schedule_id:
                    self._consumed.add(i)
                    return item
            return None

        return self._wait_for(find, timeout)

    def alerts(self, since: int = 0) -> list[DuisResponse]:
        return [item.response for item in self.receiver.snapshot()[since:]
                if item.response.kind in (ResponseKind.DEVICE_ALERT, ResponseKind.DCC_ALERT)]


def _header(root: etree._Element, name: str) -> str:
    """A header field of a hand-made sr:Request; a request without it cannot be sent."""
    found = xml.text(root, f"sr:Header/sr:{name}")
    if found is None:
        raise DitError(f"the request has no {name} in its header", fix="build it with the SR's header fields")
    return found


def _concerns(item: Received, device: EntityId) -> bool:
    r = item.response
    if r.kind is ResponseKind.DCC_ALERT:
        return any(v == device.duis for v in r.alert_fields.values())
    if r.gbcs_payload:
        try:
            return GbcsMessage.decode(r.gbcs_payload).apdu.originator == device
        except MalformedMessage:
            return False
    return False
