"""HTTP/1.1 for DUIS, plain or over mutual TLS: a threaded server that hands each POST body to a handler, and a
client that keeps its connections open. The emulated DCC and the service user's response listener talk plain
HTTP on loopback; a real DCC is reached, and reaches us, over HTTPS where both sides present certificates.

Whatever stops the client talking to a server (refused, timed out, TLS handshake refused, reset) is one
Unreachable (a BenchFault) with a one-line reason. Certificate and key files that do not load are DitErrors
naming the file, raised when the client or server is made, not at the first request.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import errno
import http.client
import io
import re
import select
import socket
import ssl
import struct
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from harness.errors import BenchFault, DitError

# handler(path, body) -> (status, content type, body)
PostHandler = Callable[[str, bytes], tuple[int, str, bytes]]


@dataclass(frozen=True)
class WebRequest:
    """A GET or POST under a server's web prefix (a JSON API, HTML pages), with its headers."""

    method: str
    path: str                       # without the query
    query: dict[str, str]
    headers: Message
    body: bytes


@dataclass(frozen=True)
class WebReply:
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


WebHandler = Callable[[WebRequest], WebReply]
MAX_BODY = 16 * 1024 * 1024           # a DUIS message with a 750 KB firmware image in base64 fits
MAX_DRAINED = 4 * MAX_BODY            # a too-large body up to this is read and dropped so its 413 is seen
HANDSHAKE_TIMEOUT_S = 10.0            # a peer that connects and says nothing must not hold a server thread
READ_TIMEOUT_S = 60.0                 # nor one that stops halfway through a request, or idles kept alive
_POLL_S = 1.0                         # how often an idle server's loop looks for a stop; stop() wakes it anyway
_MAX_HEADER_LINE, _MAX_HEADERS = 65536, 100   # http.client's bounds on a header line and the number of headers
# A kept-alive connection the server has since closed fails with one of these: worth one fresh retry.
_STALE = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError, ssl.SSLEOFError, ssl.SSLZeroReturnError)


@dataclass(frozen=True)
class TlsFiles:
    """PEM files for mutual TLS: our certificate (chain) and its unencrypted private key, and the CA that
    issued the other side's certificate."""

    certificate: Path
    key: Path
    ca: Path

    def problems(self) -> list[DitError]:
        """Why these files cannot be used, at most one error per file, each naming it ([] if they can)."""
        problems: list[DitError] = []
        chain = _certificates(self.certificate, problems)
        key = _private_key(self.key, problems)
        if chain and key is not None and _spki(key.public_key()) != _spki(chain[0].public_key()):
            problems.append(DitError(f"does not match the certificate {self.certificate}", where=str(self.key),
                                     fix="give the key the certificate was issued for"))
        if chain and chain[0].not_valid_after_utc < dt.datetime.now(dt.UTC):
            problems.append(DitError(f"expired on {chain[0].not_valid_after_utc:%Y-%m-%d}",
                                     where=str(self.certificate), fix="renew the TLS client certificate"))
        _certificates(self.ca, problems)
        return problems

    def client_context(self) -> ssl.SSLContext:
        """Presents our certificate; verifies the server's against `ca` (and its name against the URL's host)."""
        return self._context(ssl.Purpose.SERVER_AUTH)

    def server_context(self) -> ssl.SSLContext:
        """Presents our certificate; requires the client's and verifies it against `ca`."""
        context = self._context(ssl.Purpose.CLIENT_AUTH)
        context.verify_mode = ssl.CERT_REQUIRED
        return context

    def _context(self, purpose: ssl.Purpose) -> ssl.SSLContext:
        problems = self.problems()
        if problems:
            raise problems[0]
        context = ssl.create_default_context(purpose, cafile=str(self.ca))
        try:
            context.load_cert_chain(self.certificate, self.key)
        except ssl.SSLError as exc:       # what cryptography reads but OpenSSL will not use
            raise DitError(f"TLS cannot use it: {_ssl_words(exc)}", where=str(self.certificate)) from None
        return context


def _read(path: Path, problems: list[DitError]) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        problems.append(DitError(f"cannot read: {(exc.strerror or str(exc)).lower()}", where=str(path),
                                 fix="give the PEM file's path"))
        return None


def _certificates(path: Path, problems: list[DitError]) -> list[x509.Certificate]:
    data = _read(path, problems)
    if data is None:
        return []
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError:
        problems.append(DitError("not a PEM certificate", where=str(path),
                                 fix="expected -----BEGIN CERTIFICATE-----"))
        return []


def _private_key(path: Path, problems: list[DitError]) -> PrivateKeyTypes | None:
    data = _read(path, problems)
    if data is None:
        return None
    try:
        return serialization.load_pem_private_key(data, password=None)
    except TypeError:                 # cryptography's way of saying the key is encrypted
        problems.append(DitError("the private key is encrypted and dit has no password for it", where=str(path),
                                 fix="store it unencrypted, readable by the bench user only "
                                     "(openssl pkey -in KEY -out PLAIN)"))
    except (ValueError, UnsupportedAlgorithm):
        problems.append(DitError("not a PEM private key", where=str(path), fix="expected -----BEGIN PRIVATE KEY-----"))
    return None


def _spki(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


# -- why a connection failed, in one line ------------------------------------------------------------------------

def _ssl_words(exc: ssl.SSLError) -> str:
    """'TLSV1_ALERT_UNKNOWN_CA' -> 'tlsv1 alert unknown ca'; without the '(_ssl.c:1006)' location."""
    text = exc.reason or re.sub(r"^\[[^]]*\]\s*", "", exc.strerror or str(exc))
    return re.sub(r"\s*\(_ssl\.c:\d+\)", "", text).replace("_", " ").lower()


def describe(exc: BaseException, timeout: float) -> tuple[str, str]:
    """A connection failure as (one-line reason, what to check)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"TLS: certificate verify failed ({exc.verify_message})",
                "is dcc.tls.ca the CA that issued the server's certificate, and the URL's host a name in it?")
    if isinstance(exc, ssl.SSLEOFError):
        return ("TLS: the server closed the connection without saying why",
                "does the server trust the issuer of dcc.tls.certificate, and is it the certificate it expects?")
    if isinstance(exc, ssl.SSLError):
        words = _ssl_words(exc)
        if "alert" in words:
            return (f"TLS: the server refused the handshake ({words})",
                    "does the server trust the issuer of dcc.tls.certificate, and is it the certificate it expects?")
        if "wrong version number" in words or "record layer failure" in words:
            return f"TLS: {words}", "is the endpoint plain http? the URL says https"
        return f"TLS: {words}", "check dcc.tls against what the server expects"
    if isinstance(exc, TimeoutError | BlockingIOError):        # BlockingIOError: a kernel timeout (_kernel_timeouts)
        return f"no answer within {timeout:g} s", "is the host reachable from here? check the URL, VPN and firewall"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused", "is the DCC Boxed up? check the URL and port"
    if isinstance(exc, socket.gaierror):
        return f"unknown host ({(exc.strerror or str(exc)).lower()})", "check the host name in the URL"
    if isinstance(exc, ConnectionError):
        return ("connection reset", "the server dropped the connection: is it the DCC's endpoint, and does it "
                "accept our TLS client certificate?")
    if isinstance(exc, http.client.HTTPException):
        return f"not an HTTP answer ({type(exc).__name__})", "is it the DCC's DUIS endpoint?"
    words = ((exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__).lower()
    if isinstance(exc, OSError) and exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return words, "is this machine on the lab network (VPN, route)?"
    return words, "check the URL"


class Unreachable(BenchFault):
    """A server the client could not talk to."""

    def __init__(self, url: str, reason: str, fix: str):
        super().__init__(f"cannot reach {url}: {reason}", part="DCC endpoint", fix=fix)
        self.url = url
        self.reason = reason


# -- headers -----------------------------------------------------------------------------------------------------

class _BadHeaders(http.client.HTTPException):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


class _Headers(http.client.HTTPMessage):
    """The HTTPMessage http.client and http.server make of headers, stored and read without the email policy's
    per-field calls: with compat32 they return a str field as it is, and read_headers's fields are str decoded
    from ISO-8859-1, which has no surrogates for the policy to sanitise."""

    def __init__(self) -> None:
        super().__init__()
        self._first: dict[str, str] = {}       # lower-case name -> its first value: what get() returns, looked up once

    def __setitem__(self, name: str, val: str) -> None:
        self._headers.append((name, val))  # type: ignore[attr-defined]  # email.message.Message's own list
        self._first.setdefault(name.lower(), val)

    def __delitem__(self, name: str) -> None:
        super().__delitem__(name)
        self._first.pop(name.lower(), None)

    def get(self, name: str, failobj=None):
        return self._first.get(name.lower(), failobj)

    def get_all(self, name: str, failobj=None):
        name = name.lower()
        return [value for key, value in self._headers if key.lower() == name] or failobj  # type: ignore[attr-defined]


def read_headers(fp) -> http.client.HTTPMessage:
    """The header lines up to the blank line, into the HTTPMessage http.client and http.server make of them, read
    line by line: both hand them to the email package's parser, which costs more CPU than the rest of a DUIS round
    trip on loopback. The same bounds as http.client (431 for a long line or too many headers); a line that is not
    `name: value` is refused (400), as RFC 9112 section 5 says a server may."""
    at_once = _headers_at_once(fp)
    if at_once is not None:
        return at_once
    headers = _Headers()
    count = 0
    while True:
        line = fp.readline(_MAX_HEADER_LINE + 1)
        if len(line) > _MAX_HEADER_LINE:
            raise _BadHeaders(431, "Line too long")
        if line in (b"\r\n", b"\n", b""):
            return headers
        text = line.decode("iso-8859-1").rstrip("\r\n")
        if text[:1] in (" ", "\t") and count:                      # an obsolete folded continuation line
            name, value = headers.items()[-1]
            del headers[name]
            headers[name] = f"{value} {text.strip()}"
            continue
        name, colon, value = text.partition(":")
        if not colon or not name or name != name.strip():
            raise _BadHeaders(400, f"Bad header line ({text[:80]!r})")
        count += 1
        if count > _MAX_HEADERS:
            raise _BadHeaders(431, "Too many headers")
        headers[name] = value.strip()


def _headers_at_once(fp) -> _Headers | None:
    """The headers read from the whole header block, when the reader already holds it (as it does for a request or
    response that came in one piece) and it is plain: CRLF line ends only (no bare LF, no CR within a line), every line
    `name: value`, within the bounds. Anything else (None) is left for read_headers's line by line reading, which
    refuses or unfolds it. The fields are found by one regular expression over the block, not a line at a time."""
    peek = getattr(fp, "peek", None)
    if peek is None:
        return None
    data = peek(_MAX_HEADER_LINE)
    if data[:2] == b"\r\n":
        fp.read(2)
        return _Headers()
    end = data.find(b"\r\n\r\n")
    if end < 0 or end > _MAX_HEADER_LINE - 2:                  # so no line with its CRLF is over the bound
        return None
    fields = _plain_fields(data[:end].decode("iso-8859-1"))
    if fields is None:
        return None
    fp.read(end + 4)
    return _headers_of(fields)


def _plain_fields(block: str) -> list[tuple[str, str]] | None:
    """The (name, value) fields of a header block (its lines, without the empty one that ends it) when it is plain:
    CRLF line ends only (a bare LF ends a line too, line by line), every line `name: value`, at most _MAX_HEADERS.
    None otherwise, for read_headers's line by line reading. Every line is a field only when the fields found are as
    many as the lines: a line that is not `name: value` (a folded one starts with a space) or holds a bare CR matches
    nowhere, as the pattern is anchored at a line's start and runs to its CRLF."""
    lines = block.count("\r\n") + 1
    if block.count("\n") != lines - 1 or lines > _MAX_HEADERS:
        return None
    fields = _FIELD_LINE.findall(block)
    return fields if len(fields) == lines else None


def _headers_of(fields: list[tuple[str, str]]) -> _Headers:
    """_Headers of (name, value) pairs, each value stripped, as __setitem__ would have filled them one by one."""
    headers = _Headers()
    pairs = [(name, value.strip()) for name, value in fields]
    headers._headers = pairs                                # type: ignore[attr-defined]  # as __setitem__ fills it
    headers._first = dict(reversed([(name.lower(), value) for name, value in pairs]))   # each name's first value
    return headers


# A header line as read_headers takes it: a name without a colon, CR or LF, not starting or ending with whitespace
# (\s is str.strip()'s whitespace), then a colon and the value up to the line's CRLF (or the block's end).
_FIELD_LINE = re.compile(r"^([^:\s]|[^:\s][^:\r\n]*[^:\s]):([^\r\n]*)(?:\r\n|\Z)", re.MULTILINE)


def _read_response(sock: socket.socket, method: str, received: bytes = b"") -> tuple[HttpResponse, bool]:
    """The response to the request just sent, and whether the server is closing the connection: the status line,
    headers and body read from the socket as http.client reads them (100 Continue skipped, Content-Length, chunked
    or to the end; no body for HEAD, 1xx, 204 and 304; Connection: close or HTTP/1.0 without keep-alive closes),
    without http.client's response object, its buffered file and its email-package headers, which cost more
    than the rest of a DUIS round trip on loopback."""
    reader = _SocketReader(sock, received)
    while True:
        version, status, _reason = _status_line(reader.line())
        headers = read_headers(reader)
        if status != http.client.CONTINUE:
            break
    if version not in ("HTTP/1.0", "HTTP/0.9") and not version.startswith("HTTP/1."):
        raise http.client.UnknownProtocol(version)
    connection = (headers.get("connection") or "").lower()
    if version.startswith("HTTP/1.") and version != "HTTP/1.0":
        closing = "close" in connection
    else:
        closing = not (headers.get("keep-alive") or "keep-alive" in connection
                       or "keep-alive" in (headers.get("proxy-connection") or "").lower())
    chunked = (headers.get("transfer-encoding") or "").lower() == "chunked"
    length: int | None = None
    if not chunked and (declared := headers.get("content-length")):
        try:
            length = int(declared)
        except ValueError:
            length = None
        if length is not None and length < 0:
            length = None
    if status in (http.client.NO_CONTENT, http.client.NOT_MODIFIED) or 100 <= status < 200 or method == "HEAD":
        body = b""
    elif chunked:
        body = reader.chunked()
    elif length is not None:
        body = reader.exactly(length)
    else:
        body, closing = reader.rest(), True
    if reader.pending:
        closing = True                    # bytes nobody asked for: the connection is not in step any more
    return HttpResponse(status, headers, body), closing


def _plain_response(sock: socket.socket, method: str, received: bytes) -> tuple[HttpResponse, bool]:
    """_read_response's reading of the common answer, in fewer steps: HTTP/1.1, a final status with a body, one
    Content-Length, no Transfer-Encoding, headers as _headers_at_once reads them. Anything else is read by
    _read_response from what was read so far."""
    buffer = received
    while (end := buffer.find(b"\r\n\r\n")) < 0:
        chunk = b"" if len(buffer) > _MAX_HEADER_LINE else sock.recv(65536)
        if not chunk:
            return _read_response(sock, method, buffer)
        buffer += chunk
    status_line, _, block = buffer[:end].decode("iso-8859-1").partition("\r\n")
    words = status_line.split(" ", 2)
    fields = _plain_fields(block)
    if (len(words) < 2 or words[0] != "HTTP/1.1" or not _FINAL_STATUS.fullmatch(words[1])
            or words[1] in ("204", "304") or method == "HEAD" or end > _MAX_HEADER_LINE - 2 or fields is None):
        return _read_response(sock, method, buffer)
    headers = _headers_of(fields)
    lengths = headers.get_all("content-length") or []
    if len(lengths) != 1 or not _BYTE_COUNT.fullmatch(lengths[0]) or headers.get("transfer-encoding") is not None:
        return _read_response(sock, method, buffer)
    start, length = end + 4, int(lengths[0])
    while len(buffer) < start + length:
        chunk = sock.recv(65536)
        if not chunk:
            return _read_response(sock, method, buffer)
        buffer += chunk
    closing = "close" in (headers.get("connection") or "").lower() or len(buffer) > start + length
    return HttpResponse(int(words[1]), headers, buffer[start:start + length]), closing


def _status_line(line: bytes) -> tuple[str, int, str]:
    """http.client's reading of a status line: RemoteDisconnected when there is none, BadStatusLine if malformed."""
    if not line:
        raise http.client.RemoteDisconnected("Remote end closed connection without response")
    text = line.decode("iso-8859-1")
    try:
        version, status, reason = text.split(None, 2)
    except ValueError:
        try:
            version, status = text.split(None, 1)
            reason = ""
        except ValueError:
            raise http.client.BadStatusLine(text) from None
    if not version.startswith("HTTP/"):
        raise http.client.BadStatusLine(text)
    try:
        code = int(status)
    except ValueError:
        raise http.client.BadStatusLine(text) from None
    if not 100 <= code <= 999:
        raise http.client.BadStatusLine(text)
    return version, code, reason.strip()


class _SocketReader:
    """Lines and byte counts from a socket through one buffer: the readline() read_headers needs, and the body."""

    def __init__(self, sock: socket.socket, received: bytes = b""):
        self.sock, self.buffer = sock, received          # received: what was read off the socket already

    @property
    def pending(self) -> bool:
        return bool(self.buffer)

    def peek(self, size: int = 0) -> bytes:
        """What is buffered (read from the socket first if nothing is), without taking it."""
        if not self.buffer:
            self._more()
        return self.buffer

    def read(self, length: int) -> bytes:
        return self.exactly(length)

    def _more(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def readline(self, limit: int = -1) -> bytes:
        """Up to and including the next LF; at most `limit` bytes; what is left when the stream ends first."""
        while True:
            end = self.buffer.find(b"\n") + 1
            if end:
                break
            if 0 <= limit <= len(self.buffer) or not self._more():
                end = len(self.buffer)
                break
        if 0 <= limit < end:
            end = limit
        line, self.buffer = self.buffer[:end], self.buffer[end:]
        return line

    def line(self) -> bytes:
        line = self.readline(_MAX_HEADER_LINE + 1)
        if len(line) > _MAX_HEADER_LINE:
            raise http.client.LineTooLong("status line")
        return line

    def exactly(self, length: int) -> bytes:
        while len(self.buffer) < length:
            if not self._more():
                raise http.client.IncompleteRead(self.buffer, length - len(self.buffer))
        data, self.buffer = self.buffer[:length], self.buffer[length:]
        return data

    def rest(self) -> bytes:
        while self._more():
            pass
        data, self.buffer = self.buffer, b""
        return data

    def chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size_line = self.line().split(b";", 1)[0]
            try:
                size = int(size_line, 16)
            except ValueError:
                raise http.client.IncompleteRead(b"".join(parts)) from None
            if size == 0:
                while self.line() not in (b"\r\n", b"\n", b""):      # the trailer, dropped as http.client does
                    pass
                return b"".join(parts)
            parts.append(self.exactly(size))
            self.exactly(2)                                             # the CRLF after the chunk


def _kernel_timeouts(sock: socket.socket, seconds: float) -> None:
    """A blocking socket whose reads and writes the kernel gives up after `seconds` (SO_RCVTIMEO, SO_SNDTIMEO): the
    same bound as settimeout(), without the poll() Python makes before each read and write of a socket with a
    timeout. A read or write that times out fails with EAGAIN (BlockingIOError)."""
    sock.settimeout(None)
    whole = int(seconds)
    value = struct.pack("ll", whole, int((seconds - whole) * 1_000_000))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, value)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, value)


class _TimedReader(io.RawIOBase):
    """A server connection's reads (under its BufferedReader): a kernel timeout is a TimeoutError, as it is on a
    socket with a timeout, which the request handler answers by closing the connection."""

    def __init__(self, sock: socket.socket):
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            return self._sock.recv_into(buffer)
        except BlockingIOError:
            raise TimeoutError("timed out") from None


class _TimedWriter(io.BufferedIOBase):
    """A server connection's writes, unbuffered as socketserver's own writer: a kernel timeout is a TimeoutError."""

    def __init__(self, sock: socket.socket):
        self._sock = sock

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        try:
            self._sock.sendall(data)
        except BlockingIOError:
            raise TimeoutError("timed out") from None
        return len(data)


# -- server ------------------------------------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True       # headers and body go out as separate writes: no 40 ms ACK stalls
    server: HttpServer

    def setup(self) -> None:
        # Every read (the next request on a kept-alive connection, a body) times out: a peer that stalls
        # cannot hold a server thread for ever. The client retries a kept-alive connection closed meanwhile.
        if isinstance(self.request, ssl.SSLSocket):
            # typeshed declares timeout a ClassVar, yet StreamRequestHandler.setup() reads it from the instance
            self.timeout = self.server.read_timeout_s  # type: ignore[misc]
            super().setup()
            return
        # Plain: the kernel times the socket out (no poll() before every read and write), and the reads and writes
        # raise TimeoutError then, as a socket with a timeout does.
        self.connection = sock = self.request
        _kernel_timeouts(sock, self.server.read_timeout_s)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = io.BufferedReader(_TimedReader(sock))
        self.wfile = _TimedWriter(sock)

    def parse_request(self) -> bool:
        """The request line and headers, as http.server's own does for HTTP/1.0 and 1.1, but with the headers read
        as lines into the HTTPMessage: http.server hands them to the email package's parser, which costs more CPU
        than the rest of a DUIS round trip on loopback. Anything else (HTTP/0.9, 2.0, a malformed line) is
        answered as http.server answers it."""
        self.command = None  # type: ignore[assignment]  # as http.server's own parse_request starts
        self.request_version = self.default_request_version
        self.close_connection = True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")  # type: ignore[attr-defined]
        words = self.requestline.split()
        if len(words) != 3 or words[2] not in ("HTTP/1.1", "HTTP/1.0"):
            return super().parse_request()          # HTTP/0.9 or 2.0, a malformed line: as http.server answers
        self.request_version = words[2]                  # before any error answer: it writes a status line then
        try:
            headers = read_headers(self.rfile)
        except _BadHeaders as exc:
            self.send_error(exc.status, exc.reason)
            return False
        self.command, self.path = words[:2]
        if self.path.startswith("//"):
            self.path = "/" + self.path.lstrip("/")
        self.headers = headers
        connection = headers.get("Connection", "").lower()
        self.close_connection = self.request_version == "HTTP/1.0" and connection != "keep-alive" \
            or connection == "close"
        if headers.get("Expect", "").lower() == "100-continue" and self.request_version == "HTTP/1.1":
            return self.handle_expect_100()
        return True

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self._web_path() is None:
            self.send_error(501, "Unsupported method ('GET')")      # as http.server answers it
            return
        self._web(b"")

    def _web_path(self) -> str | None:
        prefix = self.server.web_prefix
        path = self.path.split("?", 1)[0]
        return path if self.server.web_handler is not None and prefix and path.startswith(prefix) else None

    def _web(self, body: bytes) -> None:
        assert self.server.web_handler is not None, "only called for a web path"
        path, _, query = self.path.partition("?")
        request = WebRequest(self.command, path, dict(urllib.parse.parse_qsl(query)), self.headers, body)
        try:
            reply = self.server.web_handler(request)
        except Exception as exc:  # a bug in the handler must not kill the server thread silently
            reply = WebReply(500, "text/plain", f"{type(exc).__name__}: {exc}".encode())
            self.server.errors.append(exc)
        self._reply(reply.status, reply.content_type, reply.body, extra=reply.headers)

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = self._content_length()
        if length is None:
            return
        if length > MAX_BODY:
            self._refuse(413, f"request of {length:,} bytes; at most {MAX_BODY:,}", unread=length)
            return
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            self.close_connection = True             # the body stalled: nobody is left to answer
            return
        if len(body) < length:
            self.close_connection = True             # the peer closed before sending the whole body
            return
        if self._web_path() is not None:
            self._web(body)
            return
        self._reply(*self.server.answer_post(self.path, body))

    def _content_length(self) -> int | None:
        """The body's length, or None once the request has been refused (HTTP/1.1, RFC 9112 section 6)."""
        if self.headers.get("Transfer-Encoding"):
            self._refuse(411, "a chunked body is not accepted: send Content-Length")
            return None
        raw = self.headers.get_all("Content-Length") or ["0"]
        if len(set(raw)) != 1 or not _BYTE_COUNT.fullmatch(raw[0].strip()):
            self._refuse(400, f"Content-Length {', '.join(raw)!r} is not one byte count")
            return None
        return int(raw[0])

    def _refuse(self, status: int, reason: str, unread: int = 0) -> None:
        """Answer an unacceptable request and close. A body up to a bound is read and dropped first, so the
        client, still writing it, gets the answer instead of a reset connection."""
        if unread <= MAX_DRAINED:
            try:
                while unread > 0:
                    chunk = self.rfile.read(min(unread, 1 << 16))
                    if not chunk:
                        break
                    unread -= len(chunk)
            except OSError:
                pass
        self.close_connection = True
        self._reply(status, "text/plain", reason.encode(), close=True)

    def _reply(self, status: int, content_type: str, data: bytes, close: bool = False,
               extra: tuple[tuple[str, str], ...] = ()) -> None:
        self.wfile.write(_reply_head(status, content_type, len(data), close, extra) + data)

    def log_message(self, format, *args) -> None:   # quiet: the transcripts are the record
        pass


def _reply_head(status: int, content_type: str, length: int, close: bool = False,
                extra: tuple[tuple[str, str], ...] = ()) -> bytes:
    """The status line and headers send_response() and send_header() would write (Server, Date, ours), built as one
    string, to be written with the body in one go."""
    reason = _Handler.responses[status][0] if status in _Handler.responses else ""
    head = (f"{_Handler.protocol_version} {status} {reason}\r\nServer: {_SERVER}\r\n"
            f"Date: {_http_date(int(time.time()))}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n"
            + "".join(f"{name}: {value}\r\n" for name, value in extra)
            + ("Connection: close\r\n" if close else "") + "\r\n")
    return head.encode("latin-1", "strict")


_SERVER = f"{_Handler.server_version} {_Handler.sys_version}"      # what version_string() says


@lru_cache(maxsize=4)
def _http_date(second: int) -> str:
    """The Date header (what date_time_string() writes): an HTTP-date changes once a second, not per response."""
    return email.utils.formatdate(second, usegmt=True)


class HttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, post_handler: PostHandler, host: str = "127.0.0.1", port: int = 0,
                 tls: TlsFiles | None = None, web: tuple[str, WebHandler] | None = None):
        """`web`: (path prefix, handler) for the GETs and POSTs under that prefix; every other POST goes to
        `post_handler`."""
        self._context = tls.server_context() if tls else None      # before binding: bad files leave no socket
        try:
            super().__init__((host, port), _Handler)
        except OSError as exc:
            raise BenchFault(f"cannot listen on {host}:{port}: {(exc.strerror or str(exc)).lower()}",
                             part=f"HTTP listener {host}:{port}",
                             fix="is another dit run or service using that port?") from None
        self.post_handler = post_handler
        self.web_prefix, self.web_handler = web if web else ("", None)  # type: tuple[str, WebHandler | None]
        self.read_timeout_s = READ_TIMEOUT_S
        self.errors: list[Exception] = []
        self.refused: list[str] = []      # peers whose TLS handshake failed: no certificate, or the wrong CA's
        self._thread: threading.Thread | None = None
        self._announced: dict[tuple[str, int], _Handover] = {}     # in-process clients' connections on their way

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        assert isinstance(host, str), "an AF_INET server's address is a (host, port) pair"
        return f"{'https' if self._context else 'http'}://{host}:{port}"

    def get_request(self):
        sock, address = super().get_request()
        if self._context is not None:
            sock = self._context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def finish_request(self, request, client_address) -> None:
        # The handshake runs in the request's own thread: one slow or failing peer cannot stall accept().
        if isinstance(request, ssl.SSLSocket):
            try:
                request.settimeout(HANDSHAKE_TIMEOUT_S)
                request.do_handshake()
                request.settimeout(None)
            except OSError as exc:
                self.refused.append(f"{client_address[0]}: {describe(exc, HANDSHAKE_TIMEOUT_S)[0]}")
                _drain(request)
                return
        super().finish_request(request, client_address)

    def start(self) -> HttpServer:
        # A long poll: an idle server does not wake (and take the GIL from the lab's thread) fifty times a
        # second; stop() wakes it at once instead.
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": _POLL_S},
                                        name=f"http {self.base_url}", daemon=True)
        self._thread.start()
        if self._context is None:
            with _IN_PROCESS_LOCK:
                _IN_PROCESS[self._address] = self
        return self

    @property
    def _address(self) -> tuple[str, int]:
        host, port = self.server_address[:2]
        assert isinstance(host, str), "an AF_INET server's address is a (host, port) pair"
        return host, port

    def process_request(self, request, client_address) -> None:
        """A connection an HttpClient of this process announced (_InlineConnection) is handed to it, whose thread
        then serves its requests; any other gets a thread of its own (ThreadingMixIn)."""
        with _IN_PROCESS_LOCK:
            handover = self._announced.pop(client_address, None)
        if handover is None:
            super().process_request(request, client_address)
            return
        handover.accepted = request
        handover.ready.set()

    def answer_post(self, path: str, body: bytes) -> tuple[int, str, bytes]:
        """The post handler's answer to a POST (a server thread's or an in-process client's); a bug in the handler
        is a 500 and kept in `errors`, never a dead serving thread."""
        try:
            return self.post_handler(path, body)
        except Exception as exc:
            self.errors.append(exc)
            return 500, "text/plain", f"{type(exc).__name__}: {exc}".encode()

    def _announce(self, client_address: tuple[str, int]) -> _Handover:
        handover = _Handover()
        with _IN_PROCESS_LOCK:
            self._announced[client_address] = handover
        return handover

    def stop(self) -> None:
        with _IN_PROCESS_LOCK:
            if _IN_PROCESS.get(self._address) is self:
                del _IN_PROCESS[self._address]
        if self._thread is not None:
            # Shutting the listening socket down makes the serving loop's poll return at once (accept then fails
            # and is ignored), so shutdown() does not wait out the poll interval.
            try:
                self.socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.shutdown()
            self._thread = None
        self.server_close()
        # A handler thread outlives stop() until its kept-alive peer closes: it no longer reaches its owner (a lab's
        # DCC, a User's response service), which is then freed with the rest of a finished scenario.
        self.post_handler, self.web_handler = _stopped, None


# -- a server of this process, served by its client's thread ------------------------------------------------------
#
# An HttpClient talking plain HTTP to an HttpServer of its own process (the emulated lab's DCC and the Users'
# response services) has the server's handler answer in the client's thread: the request still goes over the
# loopback TCP connection to the server's accepted socket, is read off it and answered on it by the same handler,
# and the answer is read back off the client's socket, byte for byte what a server thread would have sent; only no
# thread is woken to do it, and none put to sleep waiting. Context switches per SR in the lab: 8.2 2.5 -> 0.4, 1.6
# 8 -> 1.5 (the rest are the device side's); CPU per SR 4-7 % less.

_IN_PROCESS: dict[tuple[str, int], HttpServer] = {}     # plain servers of this process, serving, by address
_IN_PROCESS_LOCK = threading.Lock()


class _Handover:
    """A connection an in-process client announced, accepted by the server's loop and handed to the client."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.accepted: socket.socket | None = None


class _InlineReader(_TimedReader):
    """The server end's reads: first what was read off the socket to make room while the request was sent."""

    def __init__(self, sock: socket.socket):
        super().__init__(sock)
        self.pending = bytearray()

    def readinto(self, buffer) -> int:
        if self.pending:
            count = min(len(buffer), len(self.pending))
            buffer[:count] = self.pending[:count]
            del self.pending[:count]
            return count
        return super().readinto(buffer)


class _Answer(io.BufferedIOBase):
    """The server end's writes, kept until the handler is done and then sent (_transfer)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def _transfer(data: bytes, sender: socket.socket, receiver: socket.socket, timeout: float) -> bytearray:
    """Send `data` from one end of a loopback connection to the other in this thread: as much as the sender's
    buffers take at a time, and what has reached the receiver read off it to make room. Returns what was read off
    the receiver (the rest waits in its socket)."""
    received = bytearray()
    view, sent = memoryview(data), 0
    while sent < len(data):
        try:
            sent += sender.send(view[sent:], socket.MSG_DONTWAIT)
            continue
        except BlockingIOError:
            pass
        try:
            chunk = receiver.recv(1 << 20, socket.MSG_DONTWAIT)
        except BlockingIOError:                      # nothing arrived yet: wait until one end can move
            if not any(select.select([receiver], [sender], [], timeout)[:2]):
                raise TimeoutError("timed out") from None
            continue
        if not chunk:
            raise ConnectionResetError("the other end closed the connection")
        received += chunk
    return received


class _InlineConnection(http.client.HTTPConnection):
    """A kept-alive connection to an HttpServer of this process whose requests the server's handler answers in the
    client's thread (see above)."""

    def __init__(self, server: HttpServer, host: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.server, self._timeout = server, timeout
        self._handler: _Handler | None = None       # the server end; None once the server has closed it
        self._reader: _InlineReader | None = None    # the server end's reads, from connect()
        self._answer = _Answer()                        # and its writes
        self._plain = True                              # requests read by _plain_post until one is not plain

    def connect(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((self.host, 0))
            address = sock.getsockname()[:2]
            handover = self.server._announce(address)
            try:
                sock.connect((self.host, self.port))
                if not handover.ready.wait(self._timeout):
                    raise TimeoutError("the server did not accept the connection")
            finally:
                with _IN_PROCESS_LOCK:
                    self.server._announced.pop(address, None)
        except BaseException:
            sock.close()
            raise
        assert handover.accepted is not None, "set with ready"
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _kernel_timeouts(sock, self._timeout)
        self.sock = sock
        # The server end as a server thread's handler has it (_Handler.setup), writing to an _Answer.
        handler = _Handler.__new__(_Handler)
        handler.server, handler.client_address = self.server, address
        handler.request = handler.connection = served = handover.accepted
        _kernel_timeouts(served, self.server.read_timeout_s)
        served.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._reader = _InlineReader(served)
        handler.rfile, handler.wfile = io.BufferedReader(self._reader), self._answer
        self._handler = handler

    def round_trip(self, request: bytes) -> bytes:
        """Send a request, have the server end answer it, and send the answer: what of it was read off this end's
        socket to make room (the rest is read from the socket as any answer is)."""
        handler, reader = self._handler, self._reader
        if handler is None or reader is None:
            raise ConnectionResetError("the server closed the connection")
        served = handler.request
        reader.pending += _transfer(request, self.sock, served, self._timeout)
        reply = self._plain_post(handler, reader) if self._plain else None
        if reply is None:
            # From now on the handler's buffered reader may hold what it read ahead: it reads every request.
            self._plain = False
            handler.close_connection = True
            try:
                handler.handle_one_request()
            except Exception:  # noqa: BLE001 - as a server thread's failure: the connection is dropped unanswered
                self._close_served()
                return b""
            reply = self._answer.take()
        answer = _transfer(reply, served, self.sock, self._timeout)
        if handler.close_connection:
            # All of the answer read first: closing an end with unread bytes resets the connection, which may drop
            # what the other end has not read yet.
            while True:
                try:
                    chunk = self.sock.recv(1 << 20, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    break
                if not chunk:
                    break
                answer += chunk
            self._close_served()
        return bytes(answer)

    def _plain_post(self, handler: _Handler, reader: _InlineReader) -> bytes | None:
        """The answer to the request on the server end when it is a plain POST: HTTP/1.1, a DUIS path (outside
        the web prefix), one Content-Length within MAX_BODY, no Transfer-Encoding or Expect, headers as
        _headers_at_once reads them. Its body goes to the post handler and its answer is what the handler's
        do_POST would write, without the request handler's machinery, whose many small steps cost most of an
        exchange's HTTP. Anything else (None) is left where it was read for the server's handler to answer."""
        pending = reader.pending
        while (end := pending.find(b"\r\n\r\n")) < 0:
            if len(pending) > _MAX_HEADER_LINE or not self._more(reader):
                return None
        if end > _MAX_HEADER_LINE - 2:                  # the bound _headers_at_once keeps
            return None
        lines = pending[:end].decode("iso-8859-1").split("\r\n", 1)
        words = lines[0].split(" ")
        if len(words) != 3 or words[0] != "POST" or words[2] != "HTTP/1.1" or len(lines) != 2:
            return None
        path, block = words[1], lines[1]
        server = handler.server
        if path[:1] != "/" or path.startswith("//") or server.web_handler is not None and server.web_prefix and \
                path.split("?", 1)[0].startswith(server.web_prefix):
            return None
        fields = _plain_fields(block)
        if fields is None:
            return None
        length, connection = None, None
        for name, value in fields:
            name = name.lower()
            if name == "content-length":
                if length is not None or not _BYTE_COUNT.fullmatch(value := value.strip()):
                    return None
                length = int(value)
            elif name in ("transfer-encoding", "expect"):
                return None
            elif name == "connection" and connection is None:       # the first, as headers.get() gives it
                connection = value.strip().lower()
        if length is None or length > MAX_BODY:
            return None
        start = end + 4
        while len(pending) < start + length:
            if not self._more(reader):
                return None
        body = bytes(pending[start:start + length])
        del pending[:start + length]
        status, content_type, data = server.answer_post(path, body)
        handler.close_connection = connection == "close"
        return _reply_head(status, content_type, len(data)) + data

    @staticmethod
    def _more(reader: _InlineReader) -> bool:
        """More of the request read off the server end into what is pending (it was all sent: this does not wait)."""
        try:
            chunk = reader._sock.recv(65536, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return False
        reader.pending += chunk
        return bool(chunk)

    def _close_served(self) -> None:
        handler, self._handler = self._handler, None
        if handler is not None:
            handler.rfile.close()
            handler.server.shutdown_request(handler.request)

    def close(self) -> None:
        self._close_served()
        super().close()


def _stopped(path: str, body: bytes) -> tuple[int, str, bytes]:
    return 503, "text/plain", b"the server has stopped"


def _drain(sock: ssl.SSLSocket) -> None:
    """Read what the peer already sent before closing: closing with unread data sends a TCP reset, which can
    reach a TLS 1.3 client (done with its handshake, writing its request) before our alert saying why."""
    deadline = time.monotonic() + 0.5                # a peer that keeps sending gets its reset after all
    sock.settimeout(0.1)
    try:
        while time.monotonic() < deadline and socket.socket.recv(sock, 65536):   # raw bytes: TLS is over
            pass
    except OSError:
        pass


# -- client ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Message
    body: bytes


class HttpClient:
    """Requests with one kept-alive connection per server; thread-safe. https URLs present `tls`'s certificate
    and trust its CA (without `tls`, the system's CAs and no client certificate)."""

    def __init__(self, timeout: float = 30.0, tls: TlsFiles | None = None):
        self.timeout = timeout
        self._tls_context = tls.client_context() if tls else None
        self._connections: dict[tuple[str, str, int], http.client.HTTPConnection] = {}
        self._lock = threading.Lock()

    def post(self, url: str, body: bytes, content_type: str = "application/xml") -> tuple[int, bytes]:
        response = self.request("POST", url, body, {"Content-Type": content_type})
        return response.status, response.body

    def request(self, method: str, url: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> HttpResponse:
        key, path = _target(url)
        https = key[0] == "https"
        with self._lock:
            for attempt in (1, 2):
                conn = self._connections.pop(key, None)
                reused = conn is not None
                try:
                    if conn is None:
                        conn = self._connect(https, key[1], key[2])
                    result, closing = _exchange(conn, method, path, body, headers or {})
                except (OSError, http.client.HTTPException) as exc:
                    if conn is not None:
                        conn.close()
                    # Only a connection the server may have closed while idle is retried: a POST that failed
                    # on a fresh one may have reached it, and a timeout would just double the wait.
                    if reused and attempt == 1 and isinstance(exc, _STALE):
                        continue
                    raise Unreachable(url, *describe(exc, self.timeout)) from None
                if closing:
                    conn.close()                     # the server said Connection: close (or HTTP/1.0)
                else:
                    self._connections[key] = conn
                return result
        raise AssertionError("unreachable")

    def _connect(self, https: bool, host: str, port: int) -> http.client.HTTPConnection:
        if not https:
            with _IN_PROCESS_LOCK:
                server = _IN_PROCESS.get((host, port))
            if server is not None:                   # served in this thread (_InlineConnection)
                inline = _InlineConnection(server, host, port, self.timeout)
                inline.connect()
                return inline
        if https:
            context = self._tls_context or ssl.create_default_context()
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(host, port, timeout=self.timeout,
                                                                           context=context)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if not https:
            _kernel_timeouts(conn.sock, self.timeout)     # no poll() before each send and recv
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._connections.values():
                conn.close()
            self._connections.clear()


@lru_cache(maxsize=256)
def _target(url: str) -> tuple[tuple[str, str, int], str]:
    """(scheme, host, port) of the connection a URL is sent on, and the request target: a User posts to the same
    three URLs all day."""
    parts = urllib.parse.urlsplit(url)
    key = (parts.scheme, parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80))
    return key, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _exchange(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None,
              headers: dict[str, str]) -> tuple[HttpResponse, bool]:
    """One request on an open connection and its response, and whether the server is closing the connection.

    The request is written as http.client writes it (request line, Host, Accept-Encoding: identity, the headers,
    Content-Length, then the body in the same send), without its per-header checks and state machine, which cost
    more than the round trip itself; the response is read as http.client reads it (_read_response)."""
    host, port = conn.host, conn.port
    default = 443 if isinstance(conn, http.client.HTTPSConnection) else 80
    host_header = f"[{host}]" if ":" in host else host
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host_header}" + ("" if port == default else f":{port}"),
             "Accept-Encoding: identity"]
    for name, value in headers.items():
        if not _HEADER_NAME.fullmatch(name) or "\r" in value or "\n" in value:
            raise ValueError(f"not a header dit can send: {name!r}: {value!r}")
        lines.append(f"{name}: {value}")
    if body is not None or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body or b'')}")
    if conn.sock is None:
        conn.connect()
    sock = conn.sock
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
    if isinstance(conn, _InlineConnection):
        return _plain_response(sock, method, conn.round_trip(data))
    sock.sendall(data)
    return _read_response(sock, method)


_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FINAL_STATUS = re.compile(r"[2-9][0-9][0-9]")            # a status with a body, or none only for 204 and 304
_BYTE_COUNT = re.compile(r"\d{1,15}")

