"""Plain HTTP/1.1 for DUIS: a threaded server that hands each POST body to a handler, and a client that
keeps its connections open. Both the emulated DCC and the service user's response listener use them."""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness.errors import DitError

# handler(path, body) -> (status, content type, body)
PostHandler = Callable[[str, bytes], tuple[int, str, bytes]]
MAX_BODY = 16 * 1024 * 1024           # a DUIS message with a 750 KB firmware image in base64 fits


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True       # headers and body go out as separate writes: no 40 ms ACK stalls
    server: "HttpServer"

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._reply(413, "text/plain", b"request too large")
            return
        body = self.rfile.read(length)
        try:
            status, content_type, data = self.server.post_handler(self.path, body)
        except Exception as exc:  # a bug in the handler must not kill the server thread silently
            status, content_type, data = 500, "text/plain", f"{type(exc).__name__}: {exc}".encode()
            self.server.errors.append(exc)
        self._reply(status, content_type, data)

    def _reply(self, status: int, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args) -> None:   # quiet: the transcripts are the record
        pass


class HttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, post_handler: PostHandler, host: str = "127.0.0.1", port: int = 0):
        super().__init__((host, port), _Handler)
        self.post_handler = post_handler
        self.errors: list[Exception] = []
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "HttpServer":
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02},
                                        name=f"http {self.base_url}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class HttpClient:
    """POSTs with one kept-alive connection per host; thread-safe."""

    def __init__(self, timeout: float = 30.0):
        self.timeout = timeout
        self._connections: dict[tuple[str, int], http.client.HTTPConnection] = {}
        self._lock = threading.Lock()

    def post(self, url: str, body: bytes, content_type: str = "application/xml") -> tuple[int, bytes]:
        parts = urllib.parse.urlsplit(url)
        key = (parts.hostname or "127.0.0.1", parts.port or 80)
        path = parts.path or "/"
        with self._lock:
            for attempt in (1, 2):      # a kept-alive connection the server closed gets one fresh retry
                conn = self._connections.get(key)
                if conn is None:
                    conn = http.client.HTTPConnection(*key, timeout=self.timeout)
                    conn.connect()
                    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    self._connections[key] = conn
                try:
                    conn.request("POST", path, body, {"Content-Type": content_type})
                    response = conn.getresponse()
                    return response.status, response.read()
                except (ConnectionError, http.client.HTTPException, OSError) as exc:
                    conn.close()
                    del self._connections[key]
                    if attempt == 2:
                        raise DitError(f"cannot reach {url}: {exc}", fix="is the endpoint up?") from None
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            for conn in self._connections.values():
                conn.close()
            self._connections.clear()
