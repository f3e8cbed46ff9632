"""The virtual clock: nothing sleeps, events run in time order when someone waits."""

from __future__ import annotations

import datetime as dt
import threading
import time

from harness.clock import LAB_EPOCH, VirtualClock, WallClock


def test_events_run_in_time_order_only_while_waiting():
    clock = VirtualClock()
    seen = []
    clock.call_later(10, lambda: seen.append("b"))
    clock.call_later(5, lambda: seen.append("a"))
    clock.call_later(10, lambda: seen.append("c"))       # same time: in scheduling order
    assert seen == [] and clock.now() == LAB_EPOCH
    clock.advance(7)
    assert seen == ["a"] and clock.elapsed == 7
    clock.advance(100)
    assert seen == ["a", "b", "c"] and clock.elapsed == 107


def test_wait_until_stops_at_the_condition_or_the_timeout():
    clock = VirtualClock()
    box = []
    clock.call_later(30, lambda: box.append(1))
    assert clock.wait_until(lambda: bool(box), timeout=3600)
    assert clock.elapsed == 30                          # time moved only as far as needed
    assert not clock.wait_until(lambda: False, timeout=60)
    assert clock.elapsed == 90


def test_events_can_schedule_events_and_be_cancelled():
    clock = VirtualClock()
    seen = []
    clock.call_later(1, lambda: clock.call_later(1, lambda: seen.append("nested")))
    cancelled = clock.call_later(1.5, lambda: seen.append("cancelled"))
    clock.cancel(cancelled)
    clock.advance(10)
    assert seen == ["nested"]


def test_quiet_until_is_the_next_event_or_the_end_of_the_running_wait():
    """What an event may do ahead of time (a GSME's idle polls): nothing outside a wait, up to the next event or the
    wait's end inside one (the inner wait's, when an event waits); an event scheduled by elapsed time runs then."""
    clock = VirtualClock()
    seen = []
    assert clock.quiet_until() == 0.0                           # no wait running: nothing ahead is quiet
    clock.call_later(10, lambda: seen.append(("first", clock.quiet_until())))
    clock.call_later(25, lambda: None)
    clock.call_later(40, lambda: seen.append(("nested", _nested(clock))))
    clock.advance(30)
    clock.advance(30)
    assert seen == [("first", 25.0), ("nested", (44.0, 60.0))]
    clock.call_at_elapsed(75.5, lambda: seen.append(("at", clock.elapsed)))
    clock.call_at_elapsed(10, lambda: seen.append(("late", clock.elapsed)))     # the past: now
    clock.advance(20)
    assert seen[2:] == [("late", 60.0), ("at", 75.5)]


def _nested(clock):
    """At 40, inside the wait to 60: an event that waits 4 s itself. Its events see that wait's end (44); after
    it, the outer wait's end (60) is back."""
    inner = []
    clock.call_later(1, lambda: inner.append(clock.quiet_until()))
    clock.advance(4)
    return inner[0], clock.quiet_until()


def test_a_day_passes_instantly():
    clock = VirtualClock()
    start = time.monotonic()
    clock.call_later(86_400 * 90, lambda: None)       # a 90-day SLA
    clock.advance(86_400 * 91)
    assert time.monotonic() - start < 0.5


def test_wall_clock_wakes_on_notify():
    clock = WallClock()
    flag = []

    def later():
        time.sleep(0.05)
        flag.append(1)
        clock.notify()

    threading.Thread(target=later).start()
    assert clock.wait_until(lambda: bool(flag), timeout=5)
    assert not clock.wait_until(lambda: False, timeout=0.05)


def test_now_is_the_instant_of_each_event_and_of_each_wait():
    clock = VirtualClock()
    seen = []
    clock.call_later(1.5, lambda: seen.append(clock.now()))
    assert clock.now() == LAB_EPOCH
    clock.advance(2)
    assert seen == [LAB_EPOCH + dt.timedelta(seconds=1.5)]
    assert clock.now() == LAB_EPOCH + dt.timedelta(seconds=2) == clock.now()
