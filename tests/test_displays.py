"""What an IHD shows comes only from the ZCL frames meters send it over the HAN (meters.py, displays.py), and a
console's DISPLAY reads a screen line by line."""

from __future__ import annotations

import threading

from harness.adapters.serial_console import DeviceConsole
from harness.clock import VirtualClock
from harness.emulators import InHomeDisplay
from harness.emulators.console import ConsoleServer
from harness.emulators.meters import CURRENT_SUMMATION_DELIVERED, MESSAGING_CLUSTER, METERING_CLUSTER
from harness.eui import EntityId
from harness.gbcs import zcl

METER = EntityId("00-DB-12-34-56-78-90-A1")


def _ihd() -> InHomeDisplay:
    eui = EntityId("00-DB-12-34-56-78-90-A5")
    return InHomeDisplay(eui, install_code=bytes(16), clock=VirtualClock(), keys=None, trust=None, key_seed=b"s")


def _report(register: int) -> bytes:
    return zcl.Frame(0x18, 1, zcl.REPORT_ATTRIBUTES, {"records": [
        {"attribute": CURRENT_SUMMATION_DELIVERED, "type": "uint48", "value": register}]}).encode(METERING_CLUSTER)


def test_an_ihd_shows_the_register_a_meter_reports_and_the_message_it_passes_on():
    ihd = _ihd()
    assert ihd.display() == []
    ihd.heard(METER, METERING_CLUSTER, _report(123_456))
    message = zcl.Frame(0x09, 2, 0x00, {"message_id": 2, "message_control": 0, "start_time": 0,
                                        "duration_in_minutes": 0xFFFF, "message": b"Welcome home",
                                        "extended_message_control": 0}).encode(MESSAGING_CLUSTER)
    ihd.heard(METER, MESSAGING_CLUSTER, message)
    assert ihd.display() == ["IMPORT 00DB1234567890A1 123456", "MESSAGE Welcome home"]
    ihd.heard(METER, METERING_CLUSTER, _report(123_500))
    assert ihd.display()[0] == "IMPORT 00DB1234567890A1 123500"


def test_a_frame_the_ihd_cannot_decode_is_noted_not_shown():
    ihd = _ihd()
    ihd.heard(METER, METERING_CLUSTER, _report(1)[:-2])
    assert ihd.display() == [] and "not understood" in ihd.history[-1]


def test_report_attributes_round_trips():
    frame = zcl.decode_frame(METERING_CLUSTER, _report(2**40))
    assert frame.name(METERING_CLUSTER) == "Report Attributes"
    assert frame.values == {"records": [{"attribute": 0, "type": "uint48", "value": 2**40}]}


def test_a_console_reads_the_screen_line_by_line():
    ihd = _ihd()
    ihd.heard(METER, METERING_CLUSTER, _report(42))
    server = ConsoleServer(ihd, threading.RLock())
    client = DeviceConsole(server.path, "IHD", timeout_s=1)
    try:
        assert client.display() == ["IMPORT 00DB1234567890A1 42"]
    finally:
        client.close()
        server.close()
