"""Core operations run off the GUI thread; their events arrive on it; stale ones are dropped."""

from __future__ import annotations

import threading
from collections.abc import Generator

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.errors import KnowledgeError
from assistant_builder.ui.workers import TaskRunner


def counting(
    n: int, *, cancel: CancelToken, gate: threading.Event | None = None
) -> Generator[int, None, str]:
    for i in range(n):
        if gate is not None:
            gate.wait(5)
        cancel.raise_if_cancelled()
        yield i
    return f"counted {n}"


def test_progress_and_result_arrive_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = TaskRunner()
    seen: list[tuple[int, bool]] = []
    gui = QApplication.instance().thread()  # type: ignore[union-attr]
    runner.progressed.connect(lambda i: seen.append((i, QThread.currentThread() is gui)))
    with qtbot.waitSignal(runner.finished, timeout=5000) as blocker:
        runner.start(counting, 5)
    assert blocker.args == ["counted 5"]
    qtbot.waitUntil(lambda: not runner.busy)
    assert seen == [(i, True) for i in range(5)]


def test_cancel_stops_the_work_and_says_cancelled(qtbot: QtBot) -> None:
    runner = TaskRunner()
    gate = threading.Event()
    progressed: list[int] = []
    runner.progressed.connect(progressed.append)
    finished: list[object] = []
    runner.finished.connect(finished.append)
    with qtbot.waitSignal(runner.cancelled, timeout=5000):
        task = runner.start(counting, 1000, gate=gate)
        task.cancel()
        gate.set()
    runner.wait()
    assert finished == [] and len(progressed) < 1000


def test_errors_become_one_plain_sentence(qtbot: QtBot) -> None:
    def plain(*, cancel: CancelToken) -> None:
        raise KnowledgeError("The folder is gone; choose it again.")

    def bug(*, cancel: CancelToken) -> None:
        raise ZeroDivisionError("x")

    runner = TaskRunner()
    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.start(plain)
    assert blocker.args == ["The folder is gone; choose it again."]
    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.start(bug)
    assert "Something unexpected went wrong (ZeroDivisionError)" in blocker.args[0]


def test_a_superseded_task_is_cancelled_and_its_late_signals_are_dropped(qtbot: QtBot) -> None:
    runner = TaskRunner()
    results: list[object] = []
    runner.finished.connect(results.append)
    slow_gate = threading.Event()

    def slow(*, cancel: CancelToken) -> str:
        slow_gate.wait(5)
        return "stale"  # ignores cancel on purpose: its result must still be dropped

    first = runner.start(slow)
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.start(counting, 2)
    assert first.token.cancelled
    slow_gate.set()
    runner.wait()
    qtbot.wait(50)
    assert results == ["counted 2"]
    assert not runner.busy


def test_dead_widgets_in_a_cycle_are_freed_on_the_gui_thread_not_a_worker(qtbot: QtBot) -> None:
    import gc
    import threading

    from PySide6.QtWidgets import QWidget

    from assistant_builder.ui.workers import GuiThreadCollector

    gc.enable()  # as without a collector; it turns the automatic one off
    collector = GuiThreadCollector(interval_ms=20)
    freed_on: list[str] = []
    widget = QWidget()
    widget.itself = widget  # type: ignore[attr-defined]  # a cycle: only the collector frees it
    widget.destroyed.connect(lambda: freed_on.append(threading.current_thread().name))
    del widget
    kept: list[object] = []
    # A worker allocating enough to trigger the collector, as a preload reading a GGUF does.
    worker = threading.Thread(target=lambda: kept.extend([] for _ in range(5000)), name="worker")
    worker.start()
    worker.join()
    try:
        qtbot.waitUntil(lambda: bool(freed_on), timeout=10_000)
    finally:
        collector.stop()
    assert freed_on == [threading.main_thread().name]
