"""An emulated device's console, or the emulated hand-held terminal, on a pseudo-terminal: the far end of the
serial line protocol (harness.adapters.serial_console, docs/serial_consoles.md), so the emulated lab can be
driven down the same serial path as a real bench and CI exercises it.

`unplug()` closes the pseudo-terminal, as a cable pulled out would: the next request finds the port gone.
"""

from __future__ import annotations

import os
import threading
import tty
from collections.abc import Callable

from harness.catalogue import DeviceType
from harness.emulators.firmware import FirmwareHost
from harness.emulators.hht import HandHeldTerminal
from harness.gbcs.firmware_image import MalformedImage, parse_image


class ConsoleServer:
    def __init__(self, device, lock: threading.RLock):
        self.device = device
        self._lock = lock                      # the lab clock's: a command acts between the lab's own events
        self._master, slave = os.openpty()
        tty.setraw(slave)
        self.path = os.ttyname(slave)
        self._slave = slave
        self._fds = threading.Lock()           # the two below, between unplug and the serving thread's end
        self._unplugged, self._serving = False, True
        self._thread = threading.Thread(target=self._serve, name=f"console {self.path}", daemon=True)
        self._thread.start()

    def attach(self, device, lock: threading.RLock) -> None:
        """Put another device behind this port (a served bench rebuilt for the next scenario keeps its ports)."""
        with self._lock:
            self.device, self._lock = device, lock

    def unplug(self) -> None:
        """The port goes away. While the serving thread lives, the master's fd number stays its own (/dev/null
        stands in for the pty): closed, the number would be the next port's, whose requests this thread, still in
        its loop, would read and answer as the wrong device."""
        with self._fds:
            if self._unplugged:
                return
            self._unplugged = True
            if self._serving:
                null = os.open(os.devnull, os.O_RDWR)
                os.dup2(null, self._master)
                os.close(null)
            else:
                os.close(self._master)
            os.close(self._slave)

    close = unplug

    def _serve(self) -> None:
        try:
            self._serve_lines()
        finally:
            with self._fds:
                self._serving = False
                if self._unplugged:
                    os.close(self._master)          # the stand-in unplug put there

    def _serve_lines(self) -> None:
        pending = b""
        while True:
            try:
                chunk = os.read(self._master, 4096)
            except OSError:
                return
            if not chunk:
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                request = line.decode("ascii", errors="replace").strip()
                if not request:
                    continue
                with self._lock:
                    answer = self._answer(request)
                try:
                    os.write(self._master, "".join(f"{a}\r\n" for a in answer).encode("ascii"))
                except OSError:
                    return

    def _answer(self, request: str) -> list[str]:
        word, _, argument = request.partition(" ")
        handler = _REQUESTS.get(word.upper())
        if handler is None:
            return [f"ERR unknown request {word[:40]} (known: {' '.join(_REQUESTS)})"]
        try:
            return handler(self, argument.strip())
        except (ValueError, MalformedImage) as exc:
            return [f"ERR {exc}"]

    # -- both -------------------------------------------------------------------------------------------

    def _ping(self, _: str) -> list[str]:
        kind = "HHT" if isinstance(self.device, HandHeldTerminal) else self.device.device_type.value
        return [f"OK {kind} {self.device.eui.hex().upper()}"]

    # -- a device ---------------------------------------------------------------------------------------

    def _power(self, state: str) -> list[str]:
        if state not in ("ON", "OFF") or not hasattr(self.device, "power_on"):
            return [f"ERR cannot switch power {state or '?'}"]
        (self.device.power_on if state == "ON" else self.device.power_off)()
        return ["OK"]

    def _reset(self, _: str) -> list[str]:
        if not hasattr(self.device, "power_on"):
            return ["ERR no reset on this device"]
        self.device.power_off()
        self.device.power_on()
        return ["OK"]

    def _status(self, _: str) -> list[str]:
        device = self.device
        joined = getattr(device, "joined_to", None)
        firmware = getattr(device, "firmware_version", "-")
        return [f"OK power={'on' if getattr(device, 'powered', True) else 'off'} "
                f"joined={joined.hex().upper() if joined else 'none'} firmware={firmware}"]

    def _log(self, _: str) -> list[str]:
        history = list(getattr(self.device, "history", []))
        return [f"LOG {line}" for line in history] + [f"OK {len(history)}"]

    def _utrn(self, argument: str) -> list[str]:
        """The consumer types a UTRN at the keypad (a PPMID's for the given fuel, ESME by default)."""
        code, _, fuel = argument.partition(" ")
        device = self.device
        if not hasattr(device, "enter_utrn"):
            return ["ERR this device has no keypad for UTRNs"]
        if device.device_type is DeviceType.PPMID:
            taken = device.enter_utrn(code, DeviceType(fuel or "ESME"))
        else:
            taken = device.enter_utrn(code)
        return ["OK ACCEPTED" if taken else "OK REFUSED"]

    def _button(self, _: str) -> list[str]:
        """The consumer presses the meter's button: an armed supply is enabled."""
        if not hasattr(self.device, "press_supply_button"):
            return ["ERR this device has no supply button"]
        return ["OK ENABLED" if self.device.press_supply_button() else "OK UNCHANGED"]

    def _display(self, _: str) -> list[str]:
        """What the device's screen shows now, a line each."""
        if not hasattr(self.device, "display"):
            return ["ERR this device has no display"]
        shown = self.device.display()
        return [f"SHOW {line}" for line in shown] + [f"OK {len(shown)}"]

    def _flash(self, image_hex: str) -> list[str]:
        """The manufacturer's engineer loads an image by cable: verified as an OTA image would be, then run."""
        device = self.device
        if not isinstance(device, FirmwareHost):
            return ["ERR this device takes no firmware by cable"]
        image = parse_image(bytes.fromhex(image_hex))
        problem = device._image_problem(image)
        if problem is not None:
            return [f"ERR {problem}"]
        device.firmware_version = image.version
        device.note(f"firmware {image.version} flashed by cable")
        return [f"OK {image.version}"]

    # -- the hand-held terminal -------------------------------------------------------------------------------

    def _deliver(self, command_hex: str) -> list[str]:
        if not isinstance(self.device, HandHeldTerminal):
            return ["ERR not a hand-held terminal"]
        return ["OK TAKEN" if self.device.deliver(bytes.fromhex(command_hex)) else "OK REFUSED"]

    def _close_tunnel(self, _: str) -> list[str]:
        if not isinstance(self.device, HandHeldTerminal):
            return ["ERR not a hand-held terminal"]
        self.device.close_tunnel()
        return ["OK"]

    def _collected(self, _: str) -> list[str]:
        if not isinstance(self.device, HandHeldTerminal):
            return ["ERR not a hand-held terminal"]
        return [f"MSG {m.hex()}" for m in self.device.collected] + [f"OK {len(self.device.collected)}"]


# The line protocol's requests (docs/serial_consoles.md): only these words reach a handler.
_REQUESTS: dict[str, Callable[[ConsoleServer, str], list[str]]] = {
    "PING": ConsoleServer._ping, "POWER": ConsoleServer._power, "RESET": ConsoleServer._reset,
    "STATUS": ConsoleServer._status, "LOG": ConsoleServer._log, "UTRN": ConsoleServer._utrn,
    "DISPLAY": ConsoleServer._display, "FLASH": ConsoleServer._flash, "DELIVER": ConsoleServer._deliver,
    "COLLECTED": ConsoleServer._collected, "CLOSETUNNEL": ConsoleServer._close_tunnel,
    "BUTTON": ConsoleServer._button,
}
