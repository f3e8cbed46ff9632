"""The serial line protocol of device consoles and hand-held terminals, over real pseudo-terminals and sockets
(pyserial's serial_for_url): requests, answers, transcripts, firmware by cable, silence, reconnection."""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest

from harness.adapters.serial_console import DeviceConsole, SerialConsole, TerminalConsole
from harness.clock import VirtualClock
from harness.emulators.console import ConsoleServer
from harness.emulators.firmware import FirmwareHost
from harness.emulators.hht import HandHeldTerminal
from harness.errors import BenchFault
from harness.eui import EntityId


class Device(FirmwareHost):
    """Just enough of a device for its console: power, a history, firmware."""

    class Type:
        value = "ESME"

    device_type = Type()

    def __init__(self):
        self.eui, self.powered, self.history, self.joined_to = EntityId("00-DB-12-34-56-78-90-A0"), False, [], None
        self.init_firmware("00010001", None)

    def power_on(self):
        self.powered = True
        self.history.append("powered on")

    def power_off(self):
        self.powered = False

    def note(self, text):
        self.history.append(text)


@pytest.fixture
def console():
    device = Device()
    server = ConsoleServer(device, threading.RLock())
    client = DeviceConsole(server.path, "ESME", timeout_s=1)
    yield device, server, client
    client.close()
    server.close()


def test_a_device_console_answers_the_line_protocol_and_keeps_a_transcript(console):
    device, _, client = console
    assert client.ok("PING") == "ESME 00DB1234567890A0"
    assert client.status() == {"power": "off", "joined": "none", "firmware": "00010001"}
    client.power_on()
    assert device.powered and client.status()["power"] == "on"
    assert client.log() == ["powered on"]
    assert [line.split(" ", 1)[1] for line in client.transcript[:2]] == ["> PING", "< OK ESME 00DB1234567890A0"]


def test_firmware_by_cable_is_verified_like_an_ota_image(console):
    from cryptography.hazmat.primitives.asymmetric import ec

    from harness.gbcs.firmware_image import build_image, parse_image

    device, _, client = console
    key = ec.generate_private_key(ec.SECP256R1())
    device.manufacturer_key = key.public_key()
    image = build_image(manufacturer_code=device.manufacturer_code, image_type=device.image_type,
                        file_version=0x00020001, body=bytes(64), signing_key=key)
    version = parse_image(image).version
    assert client.flash(image) == version and device.firmware_version == version
    device.manufacturer_key = None
    with pytest.raises(BenchFault, match="FLASH refused: manufacturer signature does not verify"):
        client.flash(image)


def test_the_hand_held_terminal_delivers_and_brings_back():
    terminal = HandHeldTerminal(EntityId("00-DB-12-34-56-78-90-C0"), install_code=bytes(16), clock=VirtualClock())
    delivered = []
    terminal.hub = type("Hub", (), {"inter_pan": lambda self, t, command: delivered.append(command) or True})()
    terminal.collected.append(b"\x01\x02")
    server = ConsoleServer(terminal, threading.RLock())
    client = TerminalConsole(server.path, "HHT", timeout_s=1)
    try:
        assert client.deliver(b"\xdd\x00") and delivered == [b"\xdd\x00"]
        assert client.collected() == [b"\x01\x02"]
    finally:
        client.close()
        server.close()


def test_silence_is_a_bench_fault_naming_the_port():
    # loop:// echoes the request back and nothing answers it
    client = SerialConsole("loop://", "PPMID", timeout_s=0.2)
    with pytest.raises(BenchFault, match=r"loop:// \(PPMID console\).*no answer"):
        client.command("PING")
    assert sum(line.split(" ", 1)[1].startswith("> PING") for line in client.transcript) == 2     # tried twice


def test_a_port_that_vanishes_and_returns_is_reopened_once():
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve():
        first, _ = listener.accept()
        first.recv(64)
        first.close()                                   # the adapter drops the line mid-request
        second, _ = listener.accept()
        second.recv(64)
        second.sendall(b"OK back\r\n")
        second.close()

    threading.Thread(target=serve, daemon=True).start()
    client = SerialConsole(f"socket://127.0.0.1:{port}", "IHD", timeout_s=1)
    assert client.ok("PING") == "back"
    assert any(" ! " in line for line in client.transcript)      # the drop is in the transcript
    listener.close()


def test_a_port_unplugged_while_its_client_still_talks_leaves_the_next_port_to_its_own_device():
    # The first port's thread, woken by a request sent after the port was unplugged, must end rather than go on
    # reading its old fd number: closed, that number would be the next port's (seen once in CI as a hand-held
    # terminal's DELIVER answered "not a hand-held terminal" by a meter's console).
    first = ConsoleServer(Device(), threading.RLock())
    held = os.open(first.path, os.O_RDWR | os.O_NOCTTY)          # its client still has the line open
    try:
        _wait_until_reading(first._thread)
        first.unplug()
        terminal = HandHeldTerminal(EntityId("00-DB-12-34-56-78-90-C0"), install_code=bytes(16), clock=VirtualClock())
        second = ConsoleServer(terminal, threading.RLock())
        os.write(held, b"PING\n")
        first._thread.join(timeout=10)
        assert not first._thread.is_alive()
        client = TerminalConsole(second.path, "HHT", timeout_s=1)
        try:
            assert client.ok("PING") == "HHT 00DB1234567890C0"
        finally:
            client.close()
            second.close()
    finally:
        os.close(held)


def _wait_until_reading(thread: threading.Thread) -> None:
    """Until the thread sits in read(2), as /proc shows its system call (bounded: a thread that never gets there)."""
    number = {"x86_64": 0, "aarch64": 63}.get(os.uname().machine)
    if number is None:
        pytest.skip(f"read(2)'s system call number on {os.uname().machine} is not known here")
    for _ in range(2000):
        with open(f"/proc/self/task/{thread.native_id}/syscall") as status:
            if status.read().split()[0] == str(number):
                return
        time.sleep(0.005)
    pytest.fail("the console's thread never read its port")


def test_a_port_that_does_not_exist(tmp_path):
    client = SerialConsole(str(tmp_path / "ttyNOPE"), "GSME", timeout_s=0.2)
    with pytest.raises(BenchFault) as fault:
        client.command("PING")
    assert fault.value.part.endswith("ttyNOPE (GSME console)") and "the port went away" in str(fault.value)


@pytest.mark.parametrize("word", ["SERVE", "ANSWER", "__INIT__", "NOPE", "PING\x00"])
def test_an_unknown_or_malformed_word_gets_an_error_line_and_the_console_keeps_serving(console, word):
    _, _, client = console
    with pytest.raises(BenchFault, match=r"refused: unknown request"):
        client.command(word)
    assert client.ok("PING") == "ESME 00DB1234567890A0"       # the console thread is still there


def test_a_known_word_with_a_malformed_argument_gets_an_error_line(console):
    _, _, client = console
    for request in ("FLASH zz", "POWER SIDEWAYS", "UTRN"):
        with pytest.raises(BenchFault, match="refused"):
            client.command(request)
    assert client.ok("PING") == "ESME 00DB1234567890A0"


def test_a_hand_held_terminal_the_ch_refuses_says_so():
    # the CH may refuse a command over Inter-PAN: the console answers OK REFUSED, which is not a delivery
    terminal = HandHeldTerminal(EntityId("00-DB-12-34-56-78-90-C0"), install_code=bytes(16), clock=VirtualClock())
    terminal.hub = type("Hub", (), {"inter_pan": lambda self, t, command: False})()
    server = ConsoleServer(terminal, threading.RLock())
    client = TerminalConsole(server.path, "HHT", timeout_s=1)
    try:
        assert client.deliver(b"\xdd\x00") is False
        assert client.transcript[-1].endswith("< OK REFUSED")
    finally:
        client.close()
        server.close()


def test_an_answer_cut_short_before_its_line_end_is_no_answer():
    # "OK" without CR LF may be the start of "OK REFUSED": taken as an answer it would say what the device did not
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    held = []

    def serve():
        for _ in range(2):
            line, _ = listener.accept()
            held.append(line)
            line.recv(64)
            line.sendall(b"OK TAK")                  # and then nothing more within the timeout

    threading.Thread(target=serve, daemon=True).start()
    client = SerialConsole(f"socket://127.0.0.1:{port}", "HHT", timeout_s=0.2)
    try:
        with pytest.raises(BenchFault, match="no answer"):
            client.command("PING")
    finally:
        client.close()
        for line in held:
            line.close()
        listener.close()


def test_a_late_line_left_on_the_port_is_not_the_next_requests_answer():
    # loop:// echoes the request and nothing answers it; an "OK" already waiting is an earlier request's
    client = SerialConsole("loop://", "ESME", timeout_s=0.2)
    client._open().write(b"OK stale\r\n")
    with pytest.raises(BenchFault, match="no answer"):
        client.command("POWER OFF")
    assert not any(line.endswith("< OK stale") for line in client.transcript)
