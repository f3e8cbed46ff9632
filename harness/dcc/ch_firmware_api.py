"""The CH firmware management service's interfaces on the emulated DCC's HTTP server: a JSON machine-to-machine
API for a Supplier's CRM, a small server-rendered HTML portal for a person, and the webhook notifications to
the Supplier's response service.

Authentication is per DCC User with a bearer token the DCC issued it (RFC 6750), since a DCC User's mutual-TLS
identity is not there on plain loopback HTTP; the portal trades the token for a session cookie (HttpOnly,
SameSite=Strict, so another site's form cannot post with it) that lasts SESSION_LIFETIME on the lab's clock from
sign-in, however busy (an absolute limit, as for a privileged web session; Max-Age tells the browser the same).
Webhooks carry `X-DCC-Signature: sha256=<HMAC of the body keyed by the User's token>`, which the receiver
checks. A Supplier only ever sees its own premises:
a CH that does not exist and another Supplier's CH are the same 404.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import secrets
import urllib.parse
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from harness.dcc.ch_firmware import (
    Approval,
    ChFirmwareManagement,
    ChFirmwareRefused,
    ChFirmwareRelease,
    Notification,
    Refusal,
    SupplierView,
)
from harness.duis.ch_firmware_wire import API, PORTAL, PREFIX, SIGNATURE_HEADER, iso, parse_iso, signature
from harness.errors import DitError
from harness.eui import EntityId
from harness.httpio import WebReply, WebRequest

SESSION_COOKIE = "dcc_session"
SESSION_LIFETIME = dt.timedelta(minutes=30)
_STATUS = {Refusal.NOT_FOUND: 404, Refusal.OUTSIDE_PERIOD: 422, Refusal.EXCLUDED_FROM_PILOT: 422,
           Refusal.NOT_SCHEDULED: 409, Refusal.FINISHED: 409}
_CH = re.compile(r"releases/(?P<release>[^/]+)/chs/(?P<chf>[^/]+)(?:/(?P<action>schedule|approve|exclude))?")


def release_json(release: ChFirmwareRelease) -> dict:
    return {"release_id": release.release_id, "firmware_version": release.firmware_version,
            "chts_version": release.chts_version, "period_start": iso(release.period_start),
            "period_end": iso(release.period_end), "pilot_end": iso(release.pilot_end),
            "compulsory": release.compulsory}


def view_json(view: SupplierView) -> dict:
    return {"release_id": view.release_id, "chf": view.chf.duis, "mpxn": view.mpxn, "state": str(view.state),
            "scheduled_for": iso(view.scheduled_for), "your_approval": str(view.your_approval),
            "other_supplier_approval": None if view.other_supplier_approval is None
            else str(view.other_supplier_approval),
            "excluded_from_pilot": view.excluded_from_pilot,
            "deferrals": [{"due": iso(d.due), "reason": str(d.reason), "until": iso(d.until)} for d in view.deferrals],
            "upgraded_at": iso(view.upgraded_at)}


class BadRequest(Exception):
    def __init__(self, what: str, where: str, fix: str):
        super().__init__(what)
        self.what, self.where, self.fix = what, where, fix


@dataclass(frozen=True)
class _Caller:
    supplier: EntityId
    name: str


@dataclass(frozen=True)
class _Session:
    caller: _Caller
    expires: dt.datetime


class ChFirmwareInterfaces:
    """The API and portal over one ChFirmwareManagement; `lock` is the lab clock's (one thread at a time)."""

    def __init__(self, service: ChFirmwareManagement, tokens: dict[str, tuple[EntityId, str]],
                 lock: AbstractContextManager, post: Callable[[str, bytes, dict[str, str]], None]):
        self.service = service
        self._tokens = tokens            # token -> (User EUI, User name)
        self._lock = lock
        self._post = post                # (url, body, headers): the webhook's HTTP POST
        self._sessions: dict[str, _Session] = {}
        self.notification_urls: dict[EntityId, str] = {}

    # -- webhooks ---------------------------------------------------------------------------------------

    def notify(self, notification: Notification) -> None:
        url = self.notification_urls.get(notification.supplier)
        token = next((t for t, (eui, _) in self._tokens.items() if eui == notification.supplier), None)
        if url is None or token is None:
            return
        body = json.dumps({"event": "ch_firmware_upgrade", "to": notification.supplier.duis,
                           **view_json(notification.view)}).encode()
        self._post(url, body, {"Content-Type": "application/json", SIGNATURE_HEADER: signature(token, body)})

    # -- HTTP -------------------------------------------------------------------------------------------

    def handle(self, request: WebRequest) -> WebReply:
        if request.path.startswith(API):
            return self._api(request)
        if request.path.startswith(PORTAL):
            return self._portal(request)
        return _json(404, {"error": f"nothing at {request.path}", "where": "path", "fix": f"the API is at {API}"})

    def _caller(self, request: WebRequest) -> _Caller | None:
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        found = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        return None if found is None else _Caller(*found)

    def _api(self, request: WebRequest) -> WebReply:
        caller = self._caller(request)
        if caller is None:
            return _json(401, {"error": "no valid bearer token", "where": "Authorization header",
                               "fix": "send 'Authorization: Bearer <the token the DCC issued your User>'"},
                         (("WWW-Authenticate", 'Bearer realm="DCC CH firmware"'),))
        route = request.path.removeprefix(API)
        try:
            with self._lock:
                if request.method == "GET" and route == "releases":
                    return _json(200, [release_json(r) for r in self.service.releases.values()])
                if request.method == "GET" and (m := re.fullmatch(r"releases/([^/]+)/chs", route)):
                    return _json(200, [view_json(v) for v in self.service.eligible(caller.supplier, m[1])])
                m = _CH.fullmatch(route)
                if m is None or (request.method == "GET") != (m["action"] is None):
                    return _json(404, {"error": f"no {request.method} {request.path}", "where": "path",
                                       "fix": f"see the routes under {API}"})
                chf = _entity(m["chf"])
                if m["action"] is None:
                    view = self.service.status(caller.supplier, m["release"], chf)
                elif m["action"] == "schedule":
                    view = self.service.schedule(caller.supplier, m["release"], chf,
                                                 _when(_object(request.body).get("at"), "at"))
                elif m["action"] == "approve":
                    view = self.service.approve(caller.supplier, m["release"], chf)
                else:
                    view = self.service.exclude(caller.supplier, m["release"], chf)
                return _json(200, view_json(view))
        except BadRequest as exc:
            return _json(400, {"error": exc.what, "where": exc.where, "fix": exc.fix})
        except ChFirmwareRefused as exc:
            return _json(_STATUS[exc.refusal], {"error": exc.what, "refusal": str(exc.refusal)})

    # -- the portal --------------------------------------------------------------------------------------

    def _portal(self, request: WebRequest) -> WebReply:
        if request.path == PORTAL + "/login":
            if request.method == "POST":
                token = urllib.parse.parse_qs(request.body.decode("utf-8", "replace")).get("token", [""])[0]
                found = self._tokens.get(token)
                if found is None:
                    return _page(401, "Sign in", _LOGIN.format(message="<p class=error>That token is not one the "
                                                               "DCC issued.</p>"))
                session = secrets.token_urlsafe(24)
                with self._lock:
                    now = self.service.clock.now()
                    self._sessions = {k: v for k, v in self._sessions.items() if v.expires > now}
                    self._sessions[session] = _Session(_Caller(*found), now + SESSION_LIFETIME)
                return WebReply(303, "text/plain", b"", (("Location", PORTAL), (
                    "Set-Cookie", f"{SESSION_COOKIE}={session}; Path={PREFIX}; Max-Age="
                    f"{int(SESSION_LIFETIME.total_seconds())}; HttpOnly; SameSite=Strict")))
            return _page(200, "Sign in", _LOGIN.format(message=""))
        with self._lock:
            found_session = self._sessions.get(_cookie(request, SESSION_COOKIE) or "")
            live = found_session is not None and found_session.expires > self.service.clock.now()
        if found_session is None or not live:
            return WebReply(303, "text/plain", b"", (("Location", PORTAL + "/login"),))
        caller = found_session.caller
        with self._lock:
            if request.method == "POST":
                form = {k: v[0] for k, v in urllib.parse.parse_qs(request.body.decode("utf-8", "replace")).items()}
                try:
                    chf = _entity(form.get("chf", ""))
                    if form.get("action") == "approve":
                        self.service.approve(caller.supplier, form.get("release", ""), chf)
                    elif form.get("action") == "exclude":
                        self.service.exclude(caller.supplier, form.get("release", ""), chf)
                    else:
                        self.service.schedule(caller.supplier, form.get("release", ""), chf,
                                              _when(form.get("at", "").strip() + "Z", "at"))
                except (BadRequest, ChFirmwareRefused) as exc:
                    error = f"<p class=error>{html.escape(str(exc))}</p>"
                    return _page(422, "CH firmware", self._overview(caller, error))
                return WebReply(303, "text/plain", b"", (("Location", PORTAL),))
            return _page(200, "CH firmware", self._overview(caller, ""))

    def _overview(self, caller: _Caller, message: str) -> str:
        parts = [f"<p>Signed in as {html.escape(caller.name)}. Lab time {iso(self.service.clock.now())}.</p>", message]
        for release in self.service.releases.values():
            parts.append(f"<h2>Release {html.escape(release.release_id)}: firmware "
                         f"{html.escape(release.firmware_version)} ({html.escape(release.chts_version)})</h2>"
                         f"<p>Deployment period {iso(release.period_start)} to {iso(release.period_end)}; pilot until "
                         f"{iso(release.pilot_end)}{'; compulsory' if release.compulsory else ''}.</p>")
            rows = []
            for view in self.service.eligible(caller.supplier, release.release_id):
                other = "single supplier" if view.other_supplier_approval is None \
                    else f"other supplier: {view.other_supplier_approval}"
                hidden = (f"<input type=hidden name=release value='{html.escape(release.release_id)}'>"
                          f"<input type=hidden name=chf value='{view.chf.duis}'>")
                actions = "" if view.state in ("upgraded", "failed", "lapsed", "upgrading") else (
                    f"<form method=post>{hidden}<input type=datetime-local name=at step=1 aria-label='upgrade time'>"
                    f"<button name=action value=schedule>Schedule</button></form>"
                    + (f"<form method=post>{hidden}<button name=action value=approve>Approve</button></form>"
                       if view.scheduled_for and view.your_approval is not Approval.APPROVED else "")
                    + (f"<form method=post>{hidden}<button name=action value=exclude>Exclude from pilot"
                       f"</button></form>" if not view.excluded_from_pilot else ""))
                rows.append(f"<tr data-chf='{view.chf.duis}'><td>{view.chf.duis}</td><td>{html.escape(view.mpxn or '')}"
                            f"</td><td class=state>{view.state}</td><td>{iso(view.scheduled_for) or '-'}</td>"
                            f"<td>{view.your_approval}</td><td class=other>{other}</td>"
                            f"<td>{'excluded' if view.excluded_from_pilot else 'in pilot'}</td><td>{actions}</td></tr>")
            parts.append("<table><tr><th>CH</th><th>MPxN</th><th>State</th><th>Scheduled</th><th>Your approval</th>"
                         "<th>Other supplier</th><th>Pilot</th><th></th></tr>" + "".join(rows) + "</table>")
        return "".join(parts)


_LOGIN = ("{message}<form method=post action='" + PORTAL + "/login'><label>Access token "
          "<input type=password name=token></label> <button>Sign in</button></form>")


def _page(status: int, title: str, body: str) -> WebReply:
    page = (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>DCC {html.escape(title)}</title><style>"
            "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;"
            "padding:4px 8px}.error{color:#a00}form{display:inline}</style></head><body>"
            f"<h1>DCC Communications Hub firmware</h1>{body}</body></html>")
    return WebReply(status, "text/html; charset=utf-8", page.encode(),
                    (("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"),))


def _json(status: int, value: object, headers: tuple[tuple[str, str], ...] = ()) -> WebReply:
    return WebReply(status, "application/json", json.dumps(value).encode(), headers)


def _cookie(request: WebRequest, name: str) -> str | None:
    for part in (request.headers.get("Cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _object(body: bytes) -> dict:
    try:
        value = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BadRequest(f"not UTF-8 at byte {exc.start}", "request body", "send JSON in UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadRequest(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", "request body",
                         'send a JSON object, e.g. {"at": "2026-01-12T02:00:00Z"}') from None
    if not isinstance(value, dict):
        raise BadRequest(f"a JSON {type(value).__name__}, not an object", "request body", "send a JSON object")
    return value


def _when(text: object, where: str) -> dt.datetime:
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?Z", text):
        raise BadRequest(f"{text!r} is not a UTC date-time", where, "give it as 2026-01-12T02:00:00Z")
    try:
        return parse_iso(text)
    except ValueError:
        raise BadRequest(f"{text!r} is not a date-time", where, "give it as 2026-01-12T02:00:00Z") from None


def _entity(text: str) -> EntityId:
    try:
        return EntityId(text)
    except DitError:
        raise ChFirmwareRefused(Refusal.NOT_FOUND, f"no CH {text[:40]!r} of yours") from None
