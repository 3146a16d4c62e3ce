"""Indexing one collection at a time for the Library page: the run in the knowledge process,
its progress in plain words (passages embedded, time left at the recent rate), and its end."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from assistant_builder.core.app import App
from assistant_builder.core.records import IndexProgress, IndexReport
from assistant_builder.ui.widgets.progress_panel import ProgressPanel
from assistant_builder.ui.workers import TaskRunner


class Indexing(QObject):
    reported = Signal(str, object)  # the collection, its IndexReport
    ended = Signal(str)  # the collection: finished, failed or stopped (``name`` is "" again)
    failed = Signal(str, str)  # the collection, the sentence saying why
    cancelled = Signal(str)  # the collection

    def __init__(self, app: App, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.name = ""  # the collection being indexed, if any
        self.runner = TaskRunner(self)
        self.progress = ProgressPanel()
        self.progress.cancel_requested.connect(self.runner.cancel)
        self.runner.progressed.connect(self._on_event)
        self.runner.finished.connect(lambda _result: self._over())
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)

    def start(self, name: str) -> bool:
        if not name or self.runner.busy:
            return False
        self.name = name
        self.progress.start(f"Indexing “{name}”…")
        self.runner.start(self.app.index_collection, name)
        return True

    def _on_event(self, event: object) -> None:
        if isinstance(event, IndexReport):
            self.reported.emit(self.name, event)
        elif isinstance(event, IndexProgress):
            if event.note:
                self.progress.label.setText(event.note)
                return
            detail = event.in_words()
            if event.path:
                detail += f" · {Path(event.path).name}"
            fraction = event.fraction()
            self.progress.update_progress(
                fraction or 0.0, 1.0 if fraction is not None else 0.0, detail, eta_s=event.eta_s
            )

    def _over(self) -> str:
        name, self.name = self.name, ""
        self.progress.finish()
        self.ended.emit(name)
        return name

    def _on_failed(self, message: str) -> None:
        self.failed.emit(self._over(), message)

    def _on_cancelled(self) -> None:
        self.cancelled.emit(self._over())
