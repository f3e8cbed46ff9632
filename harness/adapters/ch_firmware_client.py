"""A Supplier's side of the DCC's CH firmware management interface (SECMP0024): the machine-to-machine JSON API its
CRM calls with the bearer token the DCC issued the User, and the webhook its response service receives.

On the emulated lab the portal is the emulated DCC's; on a real bench it is the URL and token the lab config
names (dcc.ch_firmware_portal), else the steps that need it block as not on this bench.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from dataclasses import dataclass

from harness.clock import Clock
from harness.duis.ch_firmware_wire import API, NOTIFICATION_PATH, SIGNATURE_HEADER, iso, signed_by
from harness.errors import CheckFailed
from harness.eui import EntityId
from harness.httpio import HttpClient, WebReply, WebRequest


@dataclass(frozen=True)
class PortalAnswer:
    status: int
    body: object                      # the JSON the DCC answered

    @property
    def error(self) -> str | None:
        return self.body.get("error") if isinstance(self.body, dict) else None


@dataclass
class PortalExchange:
    """One call, kept as step evidence."""

    method: str
    path: str
    request: bytes | None
    answer: PortalAnswer


class ChFirmwarePortal:
    """One User's client of the API."""

    def __init__(self, url: str, token: str, client: HttpClient | None = None):
        self.url, self._token = url.rstrip("/"), token
        self._client = client or HttpClient()
        self.exchanges: list[PortalExchange] = []

    def close(self) -> None:
        """Its kept-alive connection closed (the portal's server thread serving it ends)."""
        self._client.close()

    def call(self, method: str, route: str, body: object | None = None) -> PortalAnswer:
        data = None if body is None and method == "GET" else json.dumps(body or {}).encode()
        return self.raw(method, route, data)

    def raw(self, method: str, route: str, data: bytes | None, *, token: str | None = None) -> PortalAnswer:
        path = API + route
        headers = {"Authorization": f"Bearer {self._token if token is None else token}"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        response = self._client.request(method, _origin(self.url) + path, data, headers)
        try:
            value = json.loads(response.body) if response.body else None
        except ValueError:
            raise CheckFailed(f"the DCC's portal answered {method} {path} with something not JSON "
                              f"(HTTP {response.status})", where=self.url) from None
        answer = PortalAnswer(response.status, value)
        self.exchanges.append(PortalExchange(method, path, data, answer))
        return answer

    def releases(self) -> PortalAnswer:
        return self.call("GET", "releases")

    def chs(self, release: str) -> PortalAnswer:
        return self.call("GET", f"releases/{release}/chs")

    def status(self, release: str, chf: EntityId) -> PortalAnswer:
        return self.call("GET", f"releases/{release}/chs/{chf.duis}")

    def schedule(self, release: str, chf: EntityId, at: dt.datetime) -> PortalAnswer:
        return self.call("POST", f"releases/{release}/chs/{chf.duis}/schedule", {"at": iso(at)})

    def approve(self, release: str, chf: EntityId) -> PortalAnswer:
        return self.call("POST", f"releases/{release}/chs/{chf.duis}/approve")

    def exclude(self, release: str, chf: EntityId) -> PortalAnswer:
        return self.call("POST", f"releases/{release}/chs/{chf.duis}/exclude")


def _origin(url: str) -> str:
    """http://host:port of the portal's URL: the API's paths are absolute."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


@dataclass(frozen=True)
class Notice:
    at: dt.datetime
    body: dict


@dataclass
class NotificationInbox:
    """The webhooks a Supplier's response service accepted: signed with one of its Users' tokens, JSON objects."""

    clock: Clock
    tokens: list[str] = dataclasses.field(default_factory=list)
    notices: list[Notice] = dataclasses.field(default_factory=list)
    rejected: list[str] = dataclasses.field(default_factory=list)
    _lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def handle(self, request: WebRequest) -> WebReply:
        if request.method != "POST" or request.path != NOTIFICATION_PATH:
            return WebReply(404, "text/plain", b"not the notification service")
        if not any(signed_by(t, request.body, request.headers.get(SIGNATURE_HEADER)) for t in self.tokens):
            with self._lock:
                self.rejected.append("a CH firmware notification not signed with our token")
            return WebReply(401, "text/plain", f"{SIGNATURE_HEADER} does not verify".encode())
        try:
            body = json.loads(request.body)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return WebReply(400, "text/plain", b"a notification is a JSON object")
        with self._lock:
            self.notices.append(Notice(self.clock.now(), body))
        self.clock.notify()
        return WebReply(204, "text/plain", b"")

    def snapshot(self) -> list[Notice]:
        with self._lock:
            return list(self.notices)
