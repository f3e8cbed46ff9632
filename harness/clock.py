"""Lab clocks: virtual for the emulated lab (nothing sleeps), wall time for a real lab.

Everything that takes time in the emulated lab -- WAN and HAN latency, join periods, GSME polling,
future-dated commands, DSP schedules -- is an event on a VirtualClock. Time moves only when someone
waits: `wait_until(condition, timeout)` runs due events in time order until the condition holds or
the timeout passes, then returns. A real lab uses WallClock with the same interface, where waiting
means blocking until another thread (an HTTP receiver) signals.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

UTC = dt.UTC
# The emulated lab's epoch: every scenario starts here, so counters and dates repeat run after run.
LAB_EPOCH = dt.datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)


def utc_text(when: dt.datetime, timespec: str = "seconds") -> str:
    """ISO 8601 in UTC with a Z (xs:dateTime's form), to `timespec` (datetime.isoformat's). Always a four-digit
    year: strftime's %Y leaves a year before 1000 unpadded ("333-04-09") on glibc."""
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


@dataclass(slots=True)
class ScheduledEvent:
    at: float
    seq: int
    action: Callable[[], None]
    label: str = ""
    cancelled: bool = False


class Clock(ABC):
    """What the lab's parts need from time."""

    scale = 1.0          # bench seconds per wall second while the framework works (a served bench runs faster)

    @abstractmethod
    def now(self) -> dt.datetime: ...

    @property
    @abstractmethod
    def elapsed(self) -> float:
        """Seconds since the clock started: the lab time a scenario took."""

    def millis(self) -> int:
        return int(self.now().timestamp() * 1000)

    @abstractmethod
    def call_later(self, delay: float, action: Callable[[], None], label: str = "") -> object: ...

    @abstractmethod
    def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool: ...

    def notify(self) -> None:  # noqa: B027 - a deliberate no-op hook: only clocks that block a thread need it
        """Something another thread did may have made a waiter's condition true.

        A deliberate no-op by default: a virtual clock's waiters run the schedule rather than block, so nothing
        needs waking; a clock whose `wait_until` blocks (WallClock) overrides it to wake its waiters."""

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass (running whatever falls due)."""
        self.wait_until(lambda: False, seconds)


class VirtualClock(Clock):
    def __init__(self, start: dt.datetime = LAB_EPOCH):
        self._epoch = start
        self._t = 0.0
        self._now = (0.0, start)
        # (at, seq, event): the heap orders plain tuples in C, where ordering the events themselves cost a Python
        # __lt__ per comparison (tens of thousands an 11.1); seq is unique, so the event itself is never compared.
        self._events: list[tuple[float, int, ScheduledEvent]] = []
        self._seq = itertools.count()
        self._lock = threading.RLock()
        self._wait = threading.local()             # the deadline of the wait_until this thread is running
        self.events_run = 0

    @property
    def lock(self) -> threading.RLock:
        """Held while an event runs; emulator code entered from other threads (HTTP handlers) takes it too,
        so lab state is only ever touched by one thread at a time."""
        return self._lock

    def now(self) -> dt.datetime:
        # Asked dozens of times an SR while time stands still between events: made once per instant, kept with
        # the instant it is for (one tuple, so a reader in another thread never pairs an instant with another's).
        t, made = self._now
        if t != self._t:
            t = self._t
            made = self._epoch + dt.timedelta(seconds=t)
            self._now = (t, made)
        return made

    @property
    def elapsed(self) -> float:
        return self._t

    def call_later(self, delay: float, action: Callable[[], None], label: str = "") -> ScheduledEvent:
        with self._lock:
            return self.call_at_elapsed(self._t + delay, action, label)

    def call_at_elapsed(self, at: float, action: Callable[[], None], label: str = "") -> ScheduledEvent:
        """Schedule at `at` seconds since the clock started (not before now)."""
        with self._lock:
            at, seq = max(at, self._t), next(self._seq)
            event = ScheduledEvent(at, seq, action, label)
            heapq.heappush(self._events, (at, seq, event))
            return event

    def stamp(self, elapsed: float) -> float:
        """The POSIX timestamp `now().timestamp()` gives when the clock stands at `elapsed`."""
        return (self._epoch + dt.timedelta(seconds=elapsed)).timestamp()

    def quiet_until(self) -> float:
        """Until when (elapsed seconds, exclusive) nothing else can happen: the first scheduled event or the end of
        the wait this thread runs, whichever comes first. An event that repeats on its own with nothing to do (a
        GSME's poll) may do its repeats before then at once, as they would have happened one by one."""
        with self._lock:
            due = self._events[0][0] if self._events else math.inf
            deadline = getattr(self._wait, "deadline", None)
            return min(due, self._t if deadline is None else deadline)    # outside a wait: nothing ahead is quiet

    def call_at(self, when: dt.datetime, action: Callable[[], None], label: str = "") -> ScheduledEvent:
        return self.call_later((when - self.now()).total_seconds(), action, label)

    @staticmethod
    def cancel(event: ScheduledEvent | None) -> None:
        if event is not None:
            event.cancelled = True

    def pending(self) -> list[str]:
        return [e.label for _, _, e in sorted(self._events) if not e.cancelled]

    def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        deadline = self._t + timeout
        outer, self._wait.deadline = getattr(self._wait, "deadline", None), deadline
        try:
            while True:
                with self._lock:
                    if condition():
                        return True
                    if not self._events or self._events[0][0] > deadline:
                        self._t = max(self._t, deadline)
                        return condition()
                    at, _, event = heapq.heappop(self._events)
                    if event.cancelled:
                        continue
                    self._t = max(self._t, at)
                    self.events_run += 1
                    event.action()
        finally:
            self._wait.deadline = outer


class WallClock(Clock):
    """Real time for a real lab: waiting blocks until notified or timed out.

    `scale` is for a bench whose clock runs faster than wall time (an emulated bench served by `dit lab
    serve` at 20x): its seconds are 1/scale of ours, so a step's "60 seconds pass" waits 3 s and the
    timestamps we put on requests stay in step with the bench's. A real lab is 1."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale
        self._cond = threading.Condition()
        self._start, self._started = dt.datetime.now(UTC), time.monotonic()

    @property
    def elapsed(self) -> float:
        """Bench seconds since this clock started."""
        return (time.monotonic() - self._started) * self.scale

    def now(self) -> dt.datetime:
        return self._start + dt.timedelta(seconds=self.elapsed)

    def call_later(self, delay: float, action: Callable[[], None], label: str = "") -> threading.Timer:
        timer = threading.Timer(delay / self.scale, action)
        timer.daemon = True
        timer.start()
        return timer

    def notify(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout / self.scale
        with self._cond:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    return condition()
                self._cond.wait(left)
            return True


class RealTimeDriver:
    """Runs a VirtualClock in step with wall time (times `scale`) on its own thread: an emulated lab served
    to other processes, whose clients cannot make its time move by waiting."""

    def __init__(self, clock: VirtualClock, scale: float = 1.0, tick_s: float = 0.01,
                 each_tick: Callable[[], None] | None = None):
        self.clock, self.scale, self.tick_s, self.each_tick = clock, scale, tick_s, each_tick
        self._stop = threading.Event()
        self.errors: list[Exception] = []
        self._thread = threading.Thread(target=self._run, name="lab clock", daemon=True)

    def start(self) -> RealTimeDriver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        started, base = time.monotonic(), self.clock.elapsed
        while not self._stop.wait(self.tick_s):
            behind = base + (time.monotonic() - started) * self.scale - self.clock.elapsed
            try:
                if behind > 0:
                    self.clock.advance(behind)
                if self.each_tick is not None:
                    self.each_tick()
            except Exception as exc:      # one failing event must not stop the bench's time for every later one
                self.errors.append(exc)
                print(f"lab clock: an event failed and was dropped: {type(exc).__name__}: {exc}", file=sys.stderr)
