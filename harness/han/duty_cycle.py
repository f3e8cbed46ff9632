"""Duty cycle on a rolling one-hour window (the ETSI observation period), per transmitter, with the GB states.

One implementation serves the capture analysis (what a sniffer saw) and the emulated Communications Hub
(what it measures of its own sub-GHz radio and of each device, to act on thresholds).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

WINDOW_S = 3600.0
STATES = ("Normal", "Limited", "Critical", "Regulated")


@dataclass(frozen=True)
class Thresholds:
    """Duty cycle percentages at which the state rises (defaults: the RTDS 6.28 example, 1.3 % and 2.2 %, and
    Silicon Labs' documented suspend limit of 2.5 % for Critical-Regulated, which GB does not publish)."""

    limited: float = 1.3
    critical: float = 2.2
    regulated: float = 2.5

    def state(self, percent: float) -> str:
        # the thresholds reached, counted without a generator: a capture's analysis asks once per frame
        return STATES[(percent >= self.limited) + (percent >= self.critical) + (percent >= self.regulated)]


@dataclass(slots=True)
class Transmitter:
    """One transmitter's airtime: (end, seconds) of each transmission still in the window."""

    held: deque = field(default_factory=deque)
    in_window: float = 0.0
    total: float = 0.0
    peak: float = 0.0                   # the highest percentage any window reached
    state: str = "Normal"

    def add(self, end: float, seconds: float, thresholds: Thresholds) -> tuple[str, str, float]:
        """Count a transmission ending at `end` and move the window to end there; (state before, state after,
        percentage now). One call a frame of a capture's analysis, so nothing in it calls another."""
        held = self.held
        held.append((end, seconds))
        self.total += seconds
        airtime, since = self.in_window + seconds, end - WINDOW_S
        while held and held[0][0] <= since:
            airtime -= held.popleft()[1]
        self.in_window = airtime
        percent = (airtime if airtime >= 0.0 else 0.0) / WINDOW_S * 100     # max(airtime, 0.0), without a call
        if percent > self.peak:
            self.peak = percent
        before = self.state
        if percent < thresholds.limited and percent < thresholds.critical and percent < thresholds.regulated:
            after = STATES[0]               # below every threshold, as almost every transmission is
        else:
            after = STATES[(percent >= thresholds.limited) + (percent >= thresholds.critical)
                           + (percent >= thresholds.regulated)]
        self.state = after
        return before, after, percent
