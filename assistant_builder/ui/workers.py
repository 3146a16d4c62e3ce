"""The one place where core's long operations meet Qt threads.

A core operation is a plain function taking a keyword-only ``cancel`` token; if it returns a
generator, every yielded item becomes a ``progressed`` signal and the generator's return value
is ``finished``. A core function that reports through a callback instead gets
``on_progress=PROGRESS``: each call becomes a ``progressed`` signal the same way. Work runs
on the global QThreadPool; signals are delivered on the GUI thread (queued across threads),
so slots may touch widgets. Each task has an id; a superseded task's late signals
are dropped by ``TaskRunner`` so a stale result never overwrites a newer one."""

from __future__ import annotations

import gc
import itertools
import logging
from collections import deque
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from assistant_builder.core.records import AppError, Cancelled, CancelToken

log = logging.getLogger(__name__)
_ids = itertools.count(1)
PROGRESS: Any = object()  # pass as a keyword argument's value: "report through progressed"


class TaskSignals(QObject):
    """Each signal carries the task id first, so a receiver can tell a stale task's signals."""

    progressed = Signal(int, object)  # whatever the core generator yielded (an immutable event)
    finished = Signal(int, object)  # the operation's return value
    failed = Signal(int, str)  # one plain sentence for the user
    cancelled = Signal(int)  # the user stopped it; nothing is wrong
    done = Signal(int)  # after any of the three above


class Task(QRunnable):
    """One run of ``fn(*args, cancel=token, **kwargs)`` off the GUI thread."""

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.id = next(_ids)
        self.token = CancelToken()
        self.signals = TaskSignals()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self.setAutoDelete(False)  # the Python object owns the signals; keep it alive

    def cancel(self) -> None:
        self.token.cancel()

    def run(self) -> None:
        signals, tid = self.signals, self.id
        kwargs = {
            key: (lambda item: signals.progressed.emit(tid, item)) if value is PROGRESS else value
            for key, value in self._kwargs.items()
        }
        try:
            result = self._fn(*self._args, cancel=self.token, **kwargs)
            if isinstance(result, Generator):
                result = yield_all(
                    result, lambda item: signals.progressed.emit(tid, item), self.token
                )
            if self.token.cancelled:
                signals.cancelled.emit(tid)
            else:
                signals.finished.emit(tid, result)
        except Cancelled:
            signals.cancelled.emit(tid)
        except AppError as exc:
            signals.failed.emit(tid, str(exc))
        except Exception as exc:  # an unexpected bug: log it, tell the user plainly
            log.exception("background task failed")
            signals.failed.emit(
                tid,
                f"Something unexpected went wrong ({type(exc).__name__}); "
                "the details are in the log file.",
            )
        finally:
            signals.done.emit(tid)


def yield_all(
    gen: Generator[Any, None, Any], emit: Callable[[Any], None], token: CancelToken
) -> Any:
    """Drive ``gen`` to its end, emitting each item; return what it returned."""
    while True:
        if token.cancelled:
            gen.close()
            return None
        try:
            item = next(gen)
        except StopIteration as stop:
            return stop.value
        emit(item)


class TaskRunner(QObject):
    """Runs tasks for one purpose (a preview, an index run) and forwards only the newest one's
    signals: starting a task cancels the previous one, whose late signals are dropped."""

    progressed = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._running: dict[int, Task] = {}
        # Ended tasks are kept a little longer: "done" is emitted from inside the task's run,
        # and freeing it before its thread has left run would free what that thread still uses.
        self._retired: deque[Task] = deque(maxlen=8)
        self.current: Task | None = None

    @property
    def busy(self) -> bool:
        return self.current is not None

    def start(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Task:
        was_busy = self.busy
        if self.current is not None:
            self.current.cancel()
        task = Task(fn, *args, **kwargs)
        self._running[task.id] = task
        self.current = task
        # Bound methods of this QObject: Qt queues them onto the GUI thread.
        sig = task.signals
        sig.progressed.connect(self._on_progressed)
        sig.finished.connect(self._on_finished)
        sig.failed.connect(self._on_failed)
        sig.cancelled.connect(self._on_cancelled)
        sig.done.connect(self._on_done)
        self._pool.start(task)
        if not was_busy:
            self.busy_changed.emit(True)
        return task

    def cancel(self) -> None:
        if self.current is not None:
            self.current.cancel()

    def _is_current(self, task_id: int) -> bool:
        return self.current is not None and self.current.id == task_id

    def _on_progressed(self, task_id: int, item: object) -> None:
        if self._is_current(task_id):
            self.progressed.emit(item)

    def _on_finished(self, task_id: int, result: object) -> None:
        if self._is_current(task_id):
            self.finished.emit(result)

    def _on_failed(self, task_id: int, message: str) -> None:
        if self._is_current(task_id):
            self.failed.emit(message)

    def _on_cancelled(self, task_id: int) -> None:
        if self._is_current(task_id):
            self.cancelled.emit()

    def _on_done(self, task_id: int) -> None:
        task = self._running.pop(task_id, None)
        if task is not None:
            self._retired.append(task)
        if self._is_current(task_id):
            self.current = None
            self.busy_changed.emit(False)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until every task started here has ended (for shutdown and tests)."""
        return bool(self._pool.waitForDone(msecs))


class GuiThreadCollector(QObject):
    """Python's cycle collector runs on whichever thread allocates past its threshold, and a
    cycle of dead widgets collected on a worker thread (a preload reading a GGUF, say) is
    destroyed there, which corrupts Qt's memory. So the automatic collector is off while this
    lives, and its own thresholds are checked on the GUI thread every ``interval_ms``."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._threshold = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect)
        self._timer.start(interval_ms)

    def collect(self) -> None:
        counts, limits = gc.get_count(), self._threshold
        if counts[0] > limits[0]:
            gc.collect(2 if counts[2] > limits[2] else 1 if counts[1] > limits[1] else 0)

    def stop(self) -> None:
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
