"""The pace of a long run: its rate over the last few seconds, and the time left at that rate.

A moving window, so a slow start (the reader loading) or a quick spell (small files) does not
stay in the estimate: the time left follows what the run does now."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW_S = 20.0


class Pace:
    """Fed the work done so far (a running total); answers the recent rate and time left."""

    def __init__(
        self, *, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._window_s = window_s
        self._clock = clock
        self._samples: deque[tuple[float, float]] = deque()

    def add(self, done: float) -> None:
        now = self._clock()
        self._samples.append((now, done))
        # Keep one sample at or before the window's start, so the rate always spans it whole.
        while len(self._samples) > 2 and self._samples[1][0] <= now - self._window_s:
            self._samples.popleft()

    def rate(self) -> float:
        """Work per second over the window (0 until the work has moved)."""
        if len(self._samples) < 2:
            return 0.0
        (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
        return (d1 - d0) / (t1 - t0) if t1 > t0 and d1 > d0 else 0.0

    def seconds_left(self, remaining: float) -> float | None:
        """The time ``remaining`` work takes at the recent rate; None while there is no rate."""
        rate = self.rate()
        if remaining <= 0:
            return 0.0
        return remaining / rate if rate > 0 else None
