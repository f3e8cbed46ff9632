"""RequestIDs: format, counters that never repeat, and correlation of async responses and alerts."""

from __future__ import annotations

import pytest

from harness.duis.request_id import MAX_COUNTER, RequestCounter, RequestId
from harness.errors import DitError
from harness.eui import EntityId

TEXT = "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000"


def test_parse_and_format_round_trip():
    rid = RequestId.parse(TEXT)
    assert str(rid) == TEXT and rid.counter == 1000
    assert str(rid.response_id()) == "00-DB-12-34-56-78-90-A0:90-B3-D5-1F-30-01-00-00:1000"
    assert RequestId.parse(TEXT.lower()) == rid
    assert (rid.originator, rid.target) == (EntityId("90b3d51f30010000"), EntityId(bytes.fromhex("00DB1234567890A0")))


@pytest.mark.parametrize("bad", ["", "90B3D51F30010000:00DB1234567890A0:1", TEXT + "x", TEXT.replace("1000", "-1"),
                                 TEXT.replace(":1000", f":{MAX_COUNTER + 1}")])
def test_malformed_request_ids_are_clear_errors(bad):
    with pytest.raises(DitError):
        RequestId.parse(bad)


def test_counters_rise_strictly_per_originator_even_when_the_clock_stands_still():
    clock = [1_700_000_000_000]
    counter = RequestCounter(lambda: clock[0])
    a = [counter.next("90-B3-D5-1F-30-01-00-00") for _ in range(3)]
    assert a == [clock[0], clock[0] + 1, clock[0] + 2]
    assert counter.next("90-B3-D5-1F-30-03-00-00") == clock[0]          # another originator, own sequence
    clock[0] -= 60_000                                                  # the clock steps back
    assert counter.next("90-B3-D5-1F-30-01-00-00") == a[-1] + 1
    clock[0] += 10 * 60_000
    assert counter.next("90-B3-D5-1F-30-01-00-00") == clock[0]


def test_the_counter_is_an_unsigned_64_bit_integer():
    """The XSD's RequestIDType counter runs 0 .. 18446744073709551615: the largest is a RequestID, one more is not."""
    parties = "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0"
    assert RequestId.parse(f"{parties}:18446744073709551615").counter == 2**64 - 1
    assert RequestId.parse(f"{parties}:0").counter == 0
    with pytest.raises(DitError):
        RequestId.parse(f"{parties}:18446744073709551616")
