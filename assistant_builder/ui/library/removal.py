"""Removing a collection from the Library page: the confirmation names the assistants that
read it; the removal runs off the GUI thread (the collection in the knowledge process, then out
of each of those assistants: core/assistants/collection_removal.py); the outcome in words."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from assistant_builder.core.assistants.collection_removal import (
    CollectionRemoved,
    readers,
    removal_question,
    remove_collection,
)
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.process import KnowledgeProcess
from assistant_builder.ui.workers import TaskRunner


def removal_job(
    knowledge: KnowledgeProcess,
    collections: Collections,
    assistants: AssistantStore,
    name: str,
    *,
    cancel: CancelToken,
) -> CollectionRemoved:
    return remove_collection(
        assistants, name, remove=lambda n: knowledge.remove(collections, n, cancel=cancel)
    )


class CollectionRemoval(QObject):
    removed = Signal(object)  # CollectionRemoved
    failed = Signal(str)  # one plain sentence; the collection and every assistant are as before

    def __init__(
        self,
        collections: Collections,
        knowledge: KnowledgeProcess,
        assistants: AssistantStore,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._window = parent
        self._collections = collections
        self._knowledge = knowledge
        self.assistants = assistants
        self.name = ""  # the collection being removed, if any
        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)

    def confirm(self, name: str) -> bool:
        question = removal_question(name, readers(self.assistants, name))
        reply = QMessageBox.question(self._window, "Remove collection", question)
        return reply == QMessageBox.StandardButton.Yes

    def start(self, name: str) -> None:
        self.name = name
        self.runner.start(removal_job, self._knowledge, self._collections, self.assistants, name)

    def _on_finished(self, removed: CollectionRemoved) -> None:
        self.name = ""
        self.removed.emit(removed)

    def _on_failed(self, message: str) -> None:
        self.name = ""
        self.failed.emit(message)
