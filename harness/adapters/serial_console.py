"""Device consoles and hand-held terminals on serial ports (pyserial's serial_for_url: a local tty, rfc2217://,
socket://, loop://), with the line protocol a lab's bench adapters speak (docs/serial_consoles.md).

A request is one ASCII line ending CR LF; the answer is zero or more data lines and a last line starting OK
or ERR. Every line both ways is kept in the console's transcript, which the run keeps as step evidence.

  Device console                        Hand-held terminal (Local Command Delivery)
  PING          -> OK <type> <EUI>      PING          -> OK HHT <EUI>
  STATUS        -> OK power=on ...      DELIVER <hex> -> OK TAKEN | OK REFUSED   (a GBCS command over Inter-PAN)
  POWER ON|OFF  -> OK                   COLLECTED     -> MSG <hex> ...; OK <n>   (what it brought back)
  RESET         -> OK
  LOG           -> LOG <text> ...; OK <n>
  FLASH <hex>   -> OK <version> | ERR <reason>      (firmware by cable, when OTA is not possible)

A port that vanishes or stays silent is reopened once; if that fails too it is a BenchFault, not a failure of
the device under test.
"""

from __future__ import annotations

import datetime as dt
import threading

import serial

from harness.errors import BenchFault
from harness.gbcs import local_delivery

DEFAULT_TIMEOUT_S = 5.0


class SerialConsole:
    def __init__(self, url: str, name: str, *, baudrate: int = 115200, timeout_s: float = DEFAULT_TIMEOUT_S):
        self.url, self.name, self.baudrate, self.timeout_s = url, name, baudrate, timeout_s
        self.transcript: list[str] = []
        self._port: serial.Serial | None = None
        self._lock = threading.Lock()

    @property
    def part(self) -> str:
        return f"serial port {self.url} ({self.name} console)"

    def close(self) -> None:
        if self._port is not None:
            self._port.close()
            self._port = None

    def _open(self) -> serial.Serial:
        if self._port is None:
            self._port = serial.serial_for_url(self.url, baudrate=self.baudrate, timeout=self.timeout_s)
        return self._port

    def _note(self, direction: str, line: str) -> None:
        self.transcript.append(f"{dt.datetime.now(dt.UTC):%H:%M:%S.%f} {direction} {line}")

    def _exchange(self, request: str) -> list[str]:
        self._note(">", request)
        port = self._open()
        port.reset_input_buffer()
        port.write(request.encode("ascii") + b"\r\n")
        lines = []
        while True:
            raw = port.readline()
            if not raw.endswith(b"\n"):
                raise TimeoutError(f"no answer within {self.timeout_s:g} s")
            line = raw.decode("ascii", errors="replace").strip()
            self._note("<", line)
            lines.append(line)
            if line.startswith(("OK", "ERR")):
                return lines

    def command(self, request: str) -> list[str]:
        """Send one request; its answer lines, the last being OK ... (an ERR answer raises BenchFault)."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    lines = self._exchange(request)
                    break
                except (serial.SerialException, OSError, TimeoutError) as exc:
                    self._note("!", f"{type(exc).__name__}: {exc}")
                    self.close()
                    if attempt == 2:
                        reason = "no answer" if isinstance(exc, TimeoutError) else "the port went away"
                        raise BenchFault(f"{reason}: {exc}", part=self.part, where=self.part,
                                         fix="check the cable and the adapter; dit lab check lists the ports") \
                            from None
        if lines[-1].startswith("ERR"):
            raise BenchFault(f"{request.split()[0]} refused: {lines[-1][3:].strip()}", part=self.part,
                             where=self.part)
        return lines

    def ok(self, request: str) -> str:
        """The text after OK of a request's answer."""
        return self.command(request)[-1][2:].strip()


class DeviceConsole(SerialConsole):
    """A meter's, display's or PPMID's console: power, reset, status, logs, its screen, firmware by cable."""

    def power_on(self) -> None:
        self.ok("POWER ON")

    def power_off(self) -> None:
        self.ok("POWER OFF")

    def reset(self) -> None:
        self.ok("RESET")

    def status(self) -> dict[str, str]:
        return dict(item.split("=", 1) for item in self.ok("STATUS").split() if "=" in item)

    def log(self) -> list[str]:
        return [line[4:] for line in self.command("LOG")[:-1] if line.startswith("LOG ")]

    def flash(self, image: bytes) -> str:
        return self.ok(f"FLASH {image.hex()}")

    def display(self) -> list[str]:
        return [line[5:] for line in self.command("DISPLAY")[:-1] if line.startswith("SHOW ")]


class TerminalConsole(SerialConsole):
    """The installer's hand-held terminal: carries GBCS commands to the CH over Inter-PAN and brings back what
    the CH sent meanwhile."""

    def deliver(self, command: bytes) -> bool:
        return self.ok(f"DELIVER {command.hex()}") == "TAKEN"

    def close_tunnel(self) -> None:
        self.ok("CLOSETUNNEL")

    def collected(self) -> list[bytes]:
        return [bytes.fromhex(line[4:]) for line in self.command("COLLECTED")[:-1] if line.startswith("MSG ")]

    def response_to(self, command: bytes) -> bytes | None:
        return local_delivery.response_to(self.collected(), command)

    def alert(self, code: int) -> bytes | None:
        return local_delivery.alert(self.collected(), code)
