"""Removing a collection from the Library page: the confirmation names the assistants that
read it; the removal runs off the GUI thread (the collection in the knowledge process, then out
of each of those assistants: App.remove_collection); the outcome in words."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from assistant_builder.core.app import App
from assistant_builder.core.records import CollectionRemoved
from assistant_builder.ui.workers import TaskRunner


class CollectionRemoval(QObject):
    removed = Signal(object)  # CollectionRemoved
    failed = Signal(str)  # one plain sentence; the collection and every assistant are as before

    def __init__(self, app: App, parent: QWidget) -> None:
        super().__init__(parent)
        self._window = parent
        self._app = app
        self.name = ""  # the collection being removed, if any
        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)

    def confirm(self, name: str) -> bool:
        question = self._app.removal_question(name)
        reply = QMessageBox.question(self._window, "Remove collection", question)
        return reply == QMessageBox.StandardButton.Yes

    def start(self, name: str) -> None:
        self.name = name
        self.runner.start(self._app.remove_collection, name)

    def _on_finished(self, removed: CollectionRemoved) -> None:
        self.name = ""
        self.removed.emit(removed)

    def _on_failed(self, message: str) -> None:
        self.name = ""
        self.failed.emit(message)
