"""Can this machine exchange DUIS with its real DCC? Asked before a run and by `dit lab check`; one line per
problem, naming the config field (with file:line when the bench came from a lab config):

- the TLS files load, the certificate matches its key and has not expired;
- the keystore loads and holds every User's XML signing key (each request is signed with one);
- the endpoint answers: TCP, the TLS handshake with our client certificate, then any HTTP status at all;
- the DCC's clock (its HTTP Date) is within five minutes of ours: DUIS timestamps, future dates and
  certificate validity all depend on both clocks;
- the response URL's host resolves and its port is free here (a privileged port is not tried);
- the same of each test set's own DCC, when its bench has one (dcc.benches).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import errno
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from harness.errors import DitError
from harness.eui import EntityId
from harness.httpio import HttpClient, TlsFiles, Unreachable, describe
from harness.pki import KeyNotFound, Keystore, KeyUsage

if TYPE_CHECKING:
    from harness.lab.bench import Bench

CLOCK_TOLERANCE = dt.timedelta(minutes=5)
FIRST_UNPRIVILEGED_PORT = 1024
_XML_KEY_FIX = "add the User's XML signing certificate (OU=87) and its private key"


def health_check(bench: Bench, keystore_dir: Path | None, *, users: Mapping[str, EntityId] | None = None,
                 timeout: float = 5) -> list[str]:
    """What stands between this machine and the bench's DCC, one line each; [] when all is well. Without
    `keystore_dir` the keystore is not checked; without `users` it must hold at least one XML signing key."""
    problems: list[str] = []
    tls, tls_usable = _tls(bench, problems)
    if keystore_dir is not None:
        problems += _keystore(bench, Path(keystore_dir), users or {})
    for dcc in [bench, *bench.own_dccs.values()]:       # the lab's DCC, and each bench's own (dcc.benches)
        if dcc.endpoint and "dcc.endpoint" not in dcc.invalid:
            problems += _endpoint(dcc, tls, tls_usable, timeout)
        if dcc.response_url and "dcc.response_url" not in dcc.invalid:
            problems += _response_url(dcc)
    return problems


def _tls(bench: Bench, problems: list[str]) -> tuple[TlsFiles | None, bool]:
    """The client's TLS files, and whether they can be used (no files: plain https without a certificate)."""
    if "dcc.tls" in bench.invalid:
        return None, False
    if not bench.tls:
        return None, True
    files = TlsFiles(bench.tls["certificate"], bench.tls["key"], bench.tls["ca"])
    found = files.problems()
    names = {str(path): key for key, path in bench.tls.items()}
    problems += [f"{bench.where('dcc.tls.' + names.get(exc.where or '', 'certificate'))} {exc}" for exc in found]
    return files, not found


def _keystore(bench: Bench, directory: Path, users: Mapping[str, EntityId]) -> list[str]:
    try:
        store = Keystore.load(directory)
    except DitError as exc:             # names the directory or the file that does not load
        return [f"{bench.where('keystore')} {exc}"]
    where = f"{bench.where('keystore')} {directory}"
    if not users:
        if any(c.usage is KeyUsage.XML_SIGNING and c.private_key is not None for c in store.credentials()):
            return []
        return [f"{where}: holds no XML signing key ({_XML_KEY_FIX})"]
    problems = []
    for name, eui in users.items():
        try:
            store.credential(eui, KeyUsage.XML_SIGNING, private=True)
        except KeyNotFound as exc:
            problems.append(f"{where}: {name}: {exc.what} ({_XML_KEY_FIX})")
    return problems


def _endpoint(bench: Bench, tls: TlsFiles | None, tls_usable: bool, timeout: float) -> list[str]:
    where = f"{bench.where('dcc.endpoint')} {bench.endpoint}"
    parts = urlsplit(bench.endpoint)
    if not tls_usable:      # the TLS files are reported already; whether anything listens there still helps
        try:
            socket.create_connection((parts.hostname, parts.port or _default_port(parts.scheme)), timeout).close()
        except OSError as exc:
            reason, fix = describe(exc, timeout)
            return [f"{where}: unreachable: {reason} ({fix})"]
        return []
    try:
        client = HttpClient(timeout=timeout, tls=tls)
    except DitError as exc:
        return [f"{bench.where('dcc.tls.certificate')} {exc}"]
    try:
        asked = dt.datetime.now(dt.UTC)
        response = client.request("GET", bench.endpoint)
        answered = dt.datetime.now(dt.UTC)
    except Unreachable as exc:
        return [f"{where}: unreachable: {exc.reason} ({exc.fix})"]
    finally:
        client.close()
    return _clock(where, response.headers.get("Date"), asked + (answered - asked) / 2)


def _clock(where: str, date: str | None, ours: dt.datetime) -> list[str]:
    if date is None:        # a server without a clock may leave Date out: nothing to compare
        return []
    try:
        theirs = email.utils.parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return [f"{where}: its Date header {date!r} is not an HTTP date (its clock cannot be checked)"]
    if theirs.tzinfo is None:           # "-0000": UTC by another name
        theirs = theirs.replace(tzinfo=dt.UTC)
    off = theirs - ours
    if abs(off) <= CLOCK_TOLERANCE:
        return []
    side = "ahead of" if off > dt.timedelta(0) else "behind"
    return [f"{where}: its clock is {_span(abs(off))} {side} this machine's (Date: {date}) (set both from NTP: "
            "DUIS timestamps, future-dated commands and certificate validity depend on them)"]


def _span(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} days {seconds % 86400 // 3600} h"


def _response_url(bench: Bench) -> list[str]:
    """Where the DCC posts to us: the host must resolve and, unless it takes privileges, the port be free here."""
    where = f"{bench.where('dcc.response_url')} {bench.response_url}"
    parts = urlsplit(bench.response_url)
    port = parts.port or _default_port(parts.scheme)
    try:
        family, kind, proto, _, address = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        return [f"{where}: host {parts.hostname} does not resolve ({(exc.strerror or str(exc)).lower()}) "
                "(the DCC posts responses and alerts there: give a name or address of this machine it can reach)"]
    if port < FIRST_UNPRIVILEGED_PORT:
        return []
    error = _bind_error(family, kind, proto, address)
    if error is not None and error.errno == errno.EADDRNOTAVAIL:     # not ours: NAT or a proxy in front of us
        error = _bind_error(family, kind, proto, ("::" if family == socket.AF_INET6 else "0.0.0.0", port))
    if error is None:
        return []
    fix = (f"another dit run or service listens there: ss -ltnp 'sport = :{port}'" if error.errno == errno.EADDRINUSE
           else "choose an address and port this machine can listen on")
    return [f"{where}: cannot listen on port {port}: {(error.strerror or str(error)).lower()} ({fix})"]


def _bind_error(family: int, kind: int, proto: int, address: tuple) -> OSError | None:
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as the receiver will: TIME_WAIT is no conflict
        try:
            sock.bind(address)
        except OSError as exc:
            return exc
    return None


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80
