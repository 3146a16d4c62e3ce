from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from assistant_builder.ui.diagnostics import StallMonitor


def test_the_monitor_sees_a_blocked_event_loop_and_not_an_idle_one(qtbot: QtBot) -> None:
    monitor = StallMonitor(interval_ms=10)
    monitor.start()
    qtbot.wait(200)
    idle = monitor.stop()
    assert monitor.ticks > 5
    assert idle < 120  # an idle loop is on time (generous: the CI machine may be busy)

    monitor.start()
    QTimer.singleShot(20, lambda: time.sleep(0.3))  # a slot that blocks the GUI thread
    qtbot.wait(500)
    assert monitor.stop() >= 250
