"""Folder watching for the Library page: one long-running watcher task per watched collection,
on a pool of its own so watchers never starve indexing or searching."""

from __future__ import annotations

from PySide6.QtCore import QObject, QThreadPool, Signal

from assistant_builder.core.app import App
from assistant_builder.core.records import IndexProgress, IndexReport
from assistant_builder.ui.workers import TaskRunner


class Watchers(QObject):
    """Starts and stops watchers; ``watched`` is what the person asked for (a watcher that is
    still stopping is no longer in it, but stays busy until it has finished writing)."""

    reported = Signal(str, object)  # collection name, IndexReport after a re-index
    progressed = Signal(str)  # collection name: changed documents are being read
    failed = Signal(str, str)  # collection name, one plain sentence
    busy_changed = Signal()

    def __init__(
        self,
        app: App,
        *,
        debounce_ms: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._debounce_ms = debounce_ms
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(16)
        self.runners: dict[str, TaskRunner] = {}
        self.watched: set[str] = set()

    def is_watching(self, name: str) -> bool:
        return name in self.watched

    def busy(self, name: str) -> bool:
        runner = self.runners.get(name)
        return runner is not None and runner.busy

    def start(self, name: str) -> None:
        self.watched.add(name)
        if self.busy(name):
            return
        runner = self.runners.get(name)
        if runner is None:
            runner = self.runners[name] = TaskRunner(self, pool=self.pool)
            runner.progressed.connect(lambda e, n=name: self._on_event(n, e))
            runner.failed.connect(lambda m, n=name: self._on_failed(n, m))
            runner.busy_changed.connect(lambda _b: self.busy_changed.emit())
        runner.start(self._app.watch_collection, name, self._debounce_ms)

    def stop(self, name: str) -> None:
        self.watched.discard(name)
        runner = self.runners.get(name)
        if runner is not None:
            runner.cancel()

    def stop_all(self) -> None:
        """Asks every watcher to stop (they stay watched: exiting is not turning it off)."""
        for runner in self.runners.values():
            runner.cancel()

    def shutdown(self, msecs: int) -> None:
        self.stop_all()
        self.pool.waitForDone(msecs)

    def _on_event(self, name: str, event: object) -> None:
        if isinstance(event, IndexReport):
            self.reported.emit(name, event)
        elif isinstance(event, IndexProgress):
            self.progressed.emit(name)

    def _on_failed(self, name: str, message: str) -> None:
        self.watched.discard(name)
        self.failed.emit(name, message)
