"""DUIS RequestIDs: originator EUI : target EUI : counter, and their generation.

The counter of a User's RequestID becomes the GBCS originator counter of the command it causes, and
devices reject counters that do not increase (replay protection), so counters must rise strictly per
originator across a whole test phase, even across runs on a real lab. Like DCC Boxed's signing tool
they start from the clock in milliseconds; the clock is the lab's (virtual in the emulated lab).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from harness.errors import DitError
from harness.eui import EntityId

MAX_COUNTER = 2**64 - 1
_EUI = r"(?:[0-9A-Fa-f]{2}-){7}[0-9A-Fa-f]{2}"
_PATTERN = re.compile(rf"^\s*({_EUI}):({_EUI}):(\d{{1,20}})\s*$")


@dataclass(frozen=True, order=True)
class RequestId:
    originator: EntityId
    target: EntityId
    counter: int

    def __post_init__(self) -> None:
        if not 0 <= self.counter <= MAX_COUNTER:
            raise DitError(f"RequestID counter {self.counter} is outside 0..2^64-1")

    @classmethod
    def parse(cls, text: str | None) -> RequestId:
        return _parse(text or "") if cls is RequestId else cls._parse(text)

    @classmethod
    def _parse(cls, text: str | None) -> RequestId:
        m = _PATTERN.match(text or "")
        if not m:
            raise DitError(f"not a DUIS RequestID: {text!r}", fix="write originator:target:counter, e.g. "
                                                                  "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000")
        originator, target, counter = m.groups()
        return cls(EntityId(originator), EntityId(target), int(counter))

    def response_id(self) -> RequestId:
        """The ResponseID a device response carries: the parties reversed, the counter kept."""
        return RequestId(self.target, self.originator, self.counter)

    def with_counter(self, counter: int) -> RequestId:
        return RequestId(self.originator, self.target, counter)

    def __str__(self) -> str:
        return f"{self.originator.duis}:{self.target.duis}:{self.counter}"


@lru_cache(maxsize=256)
def _parse(text: str) -> RequestId:
    """RequestId.parse, remembered: one request's RequestID is read a dozen times on its way (header, response,
    correlation), and a RequestId is immutable."""
    return RequestId._parse(text)


class RequestCounter:
    """Strictly increasing counters per originator, seeded from a millisecond clock."""

    def __init__(self, clock_ms: Callable[[], int] | None = None):
        self._clock_ms = clock_ms or (lambda: time.time_ns() // 1_000_000)
        self._last: dict[EntityId, int] = {}

    def next(self, originator: EntityId | str) -> int:
        originator = EntityId(originator)
        value = max(self._clock_ms(), self._last.get(originator, -1) + 1)
        self._last[originator] = value
        return value

    def request_id(self, originator: EntityId | str, target: EntityId | str) -> RequestId:
        return RequestId(EntityId(originator), EntityId(target), self.next(originator))

