"""Measures how responsive the GUI event loop is: a timer that records how late it fires.

Used by the stall benchmark and tests; a stall is time the loop spent unable to handle input."""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer


class StallMonitor(QObject):
    """Ticks every ``interval_ms``; ``longest_stall_ms`` is the worst lateness seen."""

    def __init__(self, interval_ms: int = 10, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._interval_s = interval_ms / 1000
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self.longest_stall_ms = 0.0
        self.ticks = 0
        self.stalls: list[tuple[float, float]] = []  # (perf_counter, ms late) over REPORT_MS

    REPORT_MS = 50.0

    def start(self) -> None:
        self.longest_stall_ms = 0.0
        self.ticks = 0
        self.stalls = []
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> float:
        self._timer.stop()
        return self.longest_stall_ms

    def _tick(self) -> None:
        now = time.perf_counter()
        late_ms = (now - self._last - self._interval_s) * 1000
        self.longest_stall_ms = max(self.longest_stall_ms, late_ms)
        if late_ms > self.REPORT_MS:
            self.stalls.append((now, late_ms))
        self.ticks += 1
        self._last = now


def freeze_startup_heap() -> None:
    """Take everything alive once the window is up (imported modules, Qt wrappers) out of the
    cyclic collector's full passes. Each pass otherwise walks all of it with the GIL held
    (50-80 ms here), which the GUI thread feels whichever thread triggered it. Garbage made
    later is still collected; call once, after start-up."""
    gc.freeze()
