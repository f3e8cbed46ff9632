"""What an IHD shows comes only from the ZCL frames meters send it over the HAN (meters.py, displays.py), a
console's DISPLAY reads a screen line by line, and what a Change of Tenancy date hides from the householder's side."""

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


def test_a_change_of_tenancy_date_hides_earlier_log_entries_from_other_users_only():
    """3.2 (GBCS ECS12/GCS09): reads for a party in none of the meter's trust anchor cells (an Other User, the
    householder's side) start at the Change of Tenancy date; the supplier's do not."""
    import datetime as dt
    from types import SimpleNamespace

    from harness.emulators import ElectricityMeter

    supplier, other = EntityId("90-B3-D5-1F-30-01-00-00"), EntityId("00-DB-12-34-56-78-00-04")
    meter = ElectricityMeter(METER, install_code=bytes(16), clock=VirtualClock(), keys=None, trust=None, key_seed=b"s")
    meter.trust = SimpleNamespace(cells=lambda: [SimpleNamespace(entity_id=supplier)])
    whole = {"ReadLogPeriod/StartDateTime": "2026-01-01T00:00:00Z", "ReadLogPeriod/EndDateTime": "2026-02-01T00:00:00Z"}
    by_supplier = SimpleNamespace(originator=supplier, supplementary_remote_party=None)
    for_other = SimpleNamespace(originator=EntityId("90-B3-D5-1F-30-00-00-02"), supplementary_remote_party=other)
    assert meter.readable_period(whole, for_other)[0] == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    meter.access_restricted_from = "2026-01-15T09:00:00Z"
    assert meter.readable_period(whole, by_supplier)[0] == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert meter.readable_period(whole, for_other)[0] == dt.datetime(2026, 1, 15, 9, tzinfo=dt.UTC)
