"""Live HAN sniffers, what a real bench captures its HAN with: ZEP senders over UDP (EZSP sniffers, Sewio, a
served emulated bench) and serial sniffers (TI packet-sniffer firmware, Silicon Labs NodeTest) through pyserial.
Each yields CapturedFrame as frames arrive; the framings are read by harness.han.capture.
"""

from __future__ import annotations

import re
import socket
import time as _time
from collections.abc import Iterator

import serial

from harness.errors import DitError
from harness.han.capture import (
    ZEP_PORT,
    CapturedFrame,
    CaptureError,
    nodetest_frame,
    page_channel_byte,
    ti_sniffer_frames,
    zep_frame,
)


class ZepListener:
    """Live capture from ZEP senders (EZSP sniffers, Sewio) on a UDP port; port=0 picks a free one (see address).
    Acks and datagrams that are not ZEP frames are skipped and counted in `ignored`."""

    def __init__(self, host: str = "127.0.0.1", port: int = ZEP_PORT):
        self._socket = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self._socket.bind((host, port))
        except OSError as exc:
            self._socket.close()
            raise CaptureError(f"cannot listen on UDP {host}:{port}: {exc.strerror}", where="ZEP listener",
                               fix="another sniffer listener may hold the port; stop it or choose another") from None
        self.ignored = 0

    @property
    def address(self) -> tuple[str, int]:
        return self._socket.getsockname()[:2]

    def iter_frames(self, timeout_s: float | None = None) -> Iterator[CapturedFrame]:
        """Frames as they arrive, until timeout_s seconds have passed (None: until the caller stops)."""
        deadline = None if timeout_s is None else _time.monotonic() + timeout_s
        while True:
            remaining = None if deadline is None else deadline - _time.monotonic()
            if remaining is not None and remaining <= 0:
                return
            self._socket.settimeout(remaining)
            try:
                datagram = self._socket.recv(4096)
            except TimeoutError:
                return
            try:
                frame = zep_frame(datagram, _time.time())
            except CaptureError:
                self.ignored += 1
                continue
            yield frame

    def close(self) -> None:
        self._socket.close()

    def __enter__(self) -> ZepListener:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class SerialSniffer:
    """Live capture from a serial sniffer through pyserial's serial_for_url (a tty, rfc2217://, socket://, loop://).

    framing "ti": the TI packet-sniffer stream (frames carry `channel`, page 0). framing "nodetest": Silicon Labs
    NodeTest; each iter_frames sends `setchannel <page/channel byte>`, `showPayload 1` and `rx` (waiting up to
    prompt_timeout_s for each `>` prompt) and `e` when it ends. Malformed NodeTest lines are skipped and counted
    in `malformed`. A port that fails mid-read raises CaptureError naming it, after the frames already read."""

    def __init__(self, url: str, framing: str = "ti", *, channel: int | None = None, page: int = 0,
                 baudrate: int = 115200, prompt_timeout_s: float = 1.0):
        if framing not in ("ti", "nodetest"):
            raise DitError(f"unknown sniffer framing {framing!r}", fix="use 'ti' or 'nodetest'")
        self._setting: int | None = None
        if framing == "nodetest":
            if channel is None:
                raise DitError("a NodeTest sniffer needs a channel", fix="give channel= (and page= for sub-GHz)")
            self._setting = page_channel_byte(page, channel)
        self.url, self.framing, self.channel, self.page = url, framing, channel, page
        self.prompt_timeout_s = prompt_timeout_s
        self.malformed = 0
        try:
            self.port = serial.serial_for_url(url, baudrate=baudrate, timeout=0.1)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise CaptureError(f"cannot open serial port: {exc}", where=url,
                               fix="check the sniffer is plugged in and the port name") from None
        self._pending = b""

    def iter_frames(self, timeout_s: float | None = None) -> Iterator[CapturedFrame]:
        """Frames as they arrive, until timeout_s seconds have passed (None: until the caller stops)."""
        deadline = None if timeout_s is None else _time.monotonic() + timeout_s
        if self.framing == "ti":
            yield from self._ti(deadline)
            return
        lines: list[str] = []
        try:
            self._command(f"setchannel {self._setting:02x}", lines)
            self._command("showPayload 1", lines)
            self._write(b"rx\r")
            yield from self._nodetest(deadline, lines)
        finally:
            try:
                self.port.write(b"e")
            except (serial.SerialException, OSError):
                pass

    def _read(self) -> bytes:
        try:
            return self.port.read(max(1, self.port.in_waiting))
        except (serial.SerialException, OSError) as exc:
            raise CaptureError(f"serial port stopped answering: {exc}", where=self.url,
                               fix="check the sniffer's USB link; the frames before this were read") from None

    def _write(self, data: bytes) -> None:
        try:
            self.port.write(data)
        except (serial.SerialException, OSError) as exc:
            raise CaptureError(f"cannot write to serial port: {exc}", where=self.url,
                               fix="check the sniffer's USB link") from None

    def _ti(self, deadline: float | None) -> Iterator[CapturedFrame]:
        while deadline is None or _time.monotonic() < deadline:
            chunk = self._read()
            if chunk:
                frames, self._pending = ti_sniffer_frames(self._pending + chunk, channel=self.channel,
                                                          received=_time.time())
                yield from frames

    def _lines(self) -> list[str]:
        chunk = self._read()
        if not chunk:
            return []
        parts = re.split(rb"[\r\n]+", self._pending + chunk)
        self._pending = parts.pop()
        return [part.decode("ascii", "replace") for part in parts if part]

    def _command(self, command: str, lines: list[str]) -> None:
        """Send a command and wait for the prompt; lines read meanwhile are kept for the frame parser."""
        self._write(command.encode() + b"\r")
        until = _time.monotonic() + self.prompt_timeout_s
        while _time.monotonic() < until:
            read = self._lines()
            lines.extend(read)
            if self._pending.strip() == b">":       # the prompt comes without a line end
                self._pending = b""
                return
            if any(line.strip() == ">" for line in read):
                return

    def _nodetest(self, deadline: float | None, lines: list[str]) -> Iterator[CapturedFrame]:
        channel = self.channel
        assert channel is not None, "__init__ refuses a NodeTest sniffer without a channel"
        while True:
            received = _time.time()
            for line in lines:
                try:
                    frame = nodetest_frame(line, channel=channel, page=self.page, received=received)
                except CaptureError:
                    self.malformed += 1
                    continue
                if frame is not None:
                    yield frame
            if deadline is not None and _time.monotonic() >= deadline:
                return
            lines = self._lines()

    def close(self) -> None:
        self.port.close()

    def __enter__(self) -> SerialSniffer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
