"""A DCC User's side of DUIS over HTTP: the DCC endpoint it sends to, and its Receive Response Service.

Every document the DCC returns -- synchronous or POSTed later -- is checked the way DCC Boxed's clients
check it: well-formed, signed by the DCC (XMLDSig, certificate by issuer and serial from the keystore),
and schema-valid when a schema is available. The receiver answers 204 when it accepts a document and
400 with the reason when it does not (dcc_interface.md section 5).

The emulated lab uses both over plain HTTP on loopback. A real lab sends over HTTPS with its TLS client
certificate (DccEndpoint(url, tls=...)) and listens where its `response_url` says, requiring the DCC's
certificate (ResponseReceiver(..., tls=..., host=..., port=..., path=...)).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import threading
from typing import Protocol

from harness.adapters.ch_firmware_client import NotificationInbox
from harness.catalogue import RemotePartyRole
from harness.clock import Clock
from harness.duis import xml, xmldsig
from harness.duis.ch_firmware_wire import NOTIFICATION_PATH
from harness.duis.responses import DuisResponse, ResponseKind, parse_response
from harness.duis.schema import DuisSchema
from harness.errors import CheckFailed
from harness.eui import EntityId
from harness.httpio import HttpClient, HttpServer, TlsFiles
from harness.pki import Keystore
from harness.pki.certificates import per_certificate, role_of

RESPONSE_PATH = "/smartdcc/duis"
_role_of = per_certificate(role_of)     # a certificate's role, read off its subject once per certificate


def accept_response(data: bytes, *, keystore: Keystore, schema: DuisSchema | None,
                    where: str = "DCC response") -> DuisResponse:
    """A DUIS response the User can trust, or CheckFailed saying why not."""
    root = xml.parse(data, where)
    check = xmldsig.verify(root, keystore)
    if not check.valid:
        raise CheckFailed(f"DCC signature {check.status.value}: {check.reason}", where=where)
    # Any key in the keystore verifies; only the DSP's XML signing key speaks for the DCC (a User's would not).
    signer = check.signer
    role = _role_of(signer.certificate) if signer and signer.certificate else None
    if role is not RemotePartyRole.DSP_XML_SIGN:
        raise CheckFailed(f"signed by {signer.eui if signer else 'an unknown party'} "
                          f"({role.name if role else 'no role'}), not with the DCC's XML signing key", where=where)
    if schema is not None:
        errors = schema.errors(root)
        if errors:
            raise CheckFailed(f"not valid against the DUIS schema: {errors[0]}", where=where)
    return parse_response(root, where)


class Received:
    """A document the Receive Response Service accepted: when, what it read, and its bytes -- held, or kept in
    the receiver's spill file (`Spill`) and read back when asked for."""

    __slots__ = ("at", "response", "_data", "_spill", "_offset", "_length")

    def __init__(self, at: dt.datetime, data: bytes, response: DuisResponse, spill: Spill | None = None):
        self.at, self.response = at, response
        self._spill = spill
        if spill is None:
            self._data: bytes | None = data
            self._offset, self._length = 0, len(data)
        else:
            self._data = None
            self._offset, self._length = spill.write(data), len(data)

    @property
    def data(self) -> bytes:
        if self._data is not None:
            return self._data
        assert self._spill is not None
        return self._spill.read(self._offset, self._length)

    @property
    def held(self) -> bool:
        """The bytes are in memory (not in the spill file)."""
        return self._data is not None


class Spill:
    """An unnamed temporary file the receiver appends documents to once it holds enough of them in memory; it
    goes when the receiver does. Reads use pread, so they need no lock against the server thread's writes."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="dit-received-")
        self.size = 0

    def write(self, data: bytes) -> int:
        """Appends the document; where it starts."""
        offset = self.size
        if os.pwrite(self._file.fileno(), data, offset) != len(data):
            raise OSError(f"the receiver's spill file took only part of a {len(data):,}-byte document (disk full?)")
        self.size += len(data)
        return offset

    def read(self, offset: int, length: int) -> bytes:
        return os.pread(self._file.fileno(), length, offset)


class Inbox(Protocol):
    """What a service user reads its asynchronous responses from: a ResponseReceiver, or a UserInbox of one."""

    @property
    def url(self) -> str: ...

    @property
    def rejected(self) -> list[str]: ...

    @property
    def refused(self) -> list[str]: ...

    def snapshot(self) -> list[Received]: ...

    def since(self, start: int) -> list[Received]:
        """What arrived from position `start` of the snapshot on: what a waiter polls for at every event."""
        ...


class ResponseReceiver:
    """The User's Receive Response Service: keeps every accepted document, in arrival order. What it read of each
    (a DuisResponse, without the parsed tree) stays in memory; the bytes of the first `held` documents and of
    every error response and DCC alert too, the rest's in a spill file, read back when asked for: an 11.1 to
    50,000 meters brings 50,000 alerts (80 MB of XML), which no scenario searches by their bytes."""

    def __init__(self, *, clock: Clock, keystore: Keystore, schema: DuisSchema | None, tls: TlsFiles | None = None,
                 host: str = "127.0.0.1", port: int = 0, path: str = RESPONSE_PATH, held: int = 2_000):
        self.clock = clock
        self.keystore = keystore
        self.schema = schema
        self.path = path
        self.held = held
        self.inbox: list[Received] = []
        self._spill: Spill | None = None
        self.rejected: list[str] = []
        self._lock = threading.Lock()
        self.ch_firmware = NotificationInbox(clock)       # the CH firmware portal's webhooks (SECMP0024)
        self.server = HttpServer(self._on_post, host, port, tls=tls, web=(NOTIFICATION_PATH, self.ch_firmware.handle))

    @property
    def url(self) -> str:
        return self.server.base_url + self.path

    @property
    def refused(self) -> list[str]:
        """Connections whose TLS handshake failed: a DCC that cannot deliver anything at all."""
        return self.server.refused

    def start(self) -> ResponseReceiver:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def _on_post(self, path: str, body: bytes) -> tuple[int, str, bytes]:
        if path != self.path:
            return 404, "text/plain", b"not the response service"
        try:
            response = accept_response(body, keystore=self.keystore, schema=self.schema, where="POSTed response")
        except CheckFailed as exc:
            with self._lock:
                self.rejected.append(str(exc))
            return 400, "text/plain", str(exc).encode()
        response.element = None               # what it read is kept, not the tree it read it from
        with self._lock:
            spill = None
            if len(self.inbox) >= self.held and not _notable(response):
                spill = self._spill = self._spill or Spill()
            self.inbox.append(Received(self.clock.now(), body, response, spill))
        self.clock.notify()
        return 204, "text/plain", b""

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.inbox)

    def since(self, start: int) -> list[Received]:
        with self._lock:
            return self.inbox[start:]

    def addressed_to(self, user: EntityId) -> UserInbox:
        """One User's view, when the DCC posts every User's documents to one URL (a real lab's response_url)."""
        return UserInbox(self, EntityId(user))


def _notable(response: DuisResponse) -> bool:
    """What a triager reads first: an error response or a DCC alert, the DCC's own news (failures among it)."""
    return response.error or response.kind is ResponseKind.DCC_ALERT


def addressee(response: DuisResponse) -> EntityId | None:
    """The User a document is for: the originator of the request it answers, or the target of its ResponseID."""
    if response.request_id is not None:
        return response.request_id.originator
    return response.response_id.target if response.response_id is not None else None


class UserInbox:
    """What one User's service user sees of a shared ResponseReceiver: the documents addressed to it (and what
    the receiver rejected or refused, which could have been any User's)."""

    def __init__(self, receiver: ResponseReceiver, user: EntityId):
        self.receiver, self.user = receiver, user
        self._mine: list[Received] = []
        self._filtered = 0                      # how much of the shared inbox _mine has looked at

    @property
    def url(self) -> str:
        return self.receiver.url

    @property
    def rejected(self) -> list[str]:
        return self.receiver.rejected

    @property
    def refused(self) -> list[str]:
        return self.receiver.refused

    def snapshot(self) -> list[Received]:
        return self.since(0)

    def since(self, start: int) -> list[Received]:
        # The shared inbox is filtered once per document, not at every poll.
        arrived = self.receiver.since(self._filtered)
        self._filtered += len(arrived)
        self._mine.extend(r for r in arrived if addressee(r.response) == self.user)
        return self._mine[start:]


class DccEndpoint:
    """Where a User sends DUIS: base URL + /serviceS, /serviceT, /serviceD. An https URL goes over TLS,
    presenting `tls`'s client certificate (ignored when a ready-made client is given)."""

    def __init__(self, base_url: str, client: HttpClient | None = None, tls: TlsFiles | None = None):
        self.base_url = base_url.rstrip("/")
        self.client = client or HttpClient(tls=tls)

    def post(self, web_service: str, data: bytes) -> tuple[int, bytes]:
        return self.client.post(f"{self.base_url}/{web_service}", data)
