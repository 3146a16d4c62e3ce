"""Suggested check questions: "Suggest questions" has the draft's model write questions about
passages of its documents (in a worker); each can be accepted, edited first or rejected, and
one whose own passage the search does not find is flagged."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import App
from assistant_builder.core.records import Assistant, CheckQuestion, Suggestion
from assistant_builder.ui.editor.check_dialog import CheckDialog
from assistant_builder.ui.workers import PROGRESS, TaskRunner

COUNT = 5
FLAG = "⚠ its own search does not find this passage: reword it or reject it"


class SuggestionsPanel(QWidget):
    accepted = Signal(object)  # the CheckQuestion to add

    def __init__(
        self, app: App, draft: Callable[[], Assistant], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._draft = draft
        self.suggest_button = QPushButton("Suggest questions")
        self.suggest_button.setToolTip(
            "The model writes questions that passages of the assistant's documents answer"
        )
        self.status = QLabel("")
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Suggestions status")
        self.list = QListWidget()
        self.list.setAccessibleName("Suggested questions")
        self.list.setWordWrap(True)
        self.list.hide()
        self.accept_button = QPushButton("Accept")
        self.accept_button.setAccessibleName("Accept the suggestion")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setAccessibleName("Edit the suggestion, then add it")
        self.reject_button = QPushButton("Reject")
        self.reject_button.setAccessibleName("Reject the suggestion")
        self.choice_row = QWidget()
        buttons = QHBoxLayout(self.choice_row)
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.accept_button, self.edit_button, self.reject_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.choice_row.hide()
        top = QHBoxLayout()
        top.addWidget(self.suggest_button)
        top.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.list)
        layout.addWidget(self.choice_row)
        self.runner = TaskRunner(self)
        self.runner.progressed.connect(self._on_suggested)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.busy_changed.connect(lambda busy: self.suggest_button.setEnabled(not busy))
        self.suggest_button.clicked.connect(self.suggest)
        self.accept_button.clicked.connect(lambda: self._take(edit=False))
        self.edit_button.clicked.connect(lambda: self._take(edit=True))
        self.reject_button.clicked.connect(self.reject)
        self.list.currentRowChanged.connect(lambda _row: self._update())

    def clear(self) -> None:
        self.runner.cancel()
        self.list.clear()
        self.status.setText("")
        self._update()

    def suggest(self) -> None:
        self.list.clear()
        self._update()
        self.status.setText("Writing questions from the documents…")
        self.runner.start(self._app.suggest_checks, self._draft(), COUNT, on_progress=PROGRESS)

    def suggestions(self) -> list[Suggestion]:
        items = (self.list.item(i) for i in range(self.list.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items]

    def _on_suggested(self, event: object) -> None:
        if not isinstance(event, Suggestion):
            return
        text = f"{event.check.question}\n   expects {event.check.expect}"
        if event.flagged:
            text += f"\n   {FLAG}"
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, event)
        item.setToolTip(event.passage.text)
        self.list.addItem(item)
        if self.list.currentRow() < 0:
            self.list.setCurrentRow(0)
        self._update()

    def _on_finished(self, result: object) -> None:
        count = len(result) if isinstance(result, list) else 0
        flagged = sum(s.flagged for s in self.suggestions())
        self.status.setText(
            (f"{count} suggested" + (f", {flagged} flagged" if flagged else "") + ".")
            if count
            else "No question could be written from these documents."
        )

    def _on_failed(self, message: str) -> None:
        self.status.setText(message)

    def _take(self, *, edit: bool) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        check: CheckQuestion = item.data(Qt.ItemDataRole.UserRole).check
        if edit:
            dialog = CheckDialog(check, self)
            if not dialog.exec():
                return
            check = dialog.check()
        self.list.takeItem(self.list.row(item))
        self.accepted.emit(check)
        self._update()

    def reject(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.takeItem(self.list.row(item))
        self._update()

    def _update(self) -> None:
        has = self.list.count() > 0
        self.list.setVisible(has)
        self.choice_row.setVisible(has)
        for button in (self.accept_button, self.edit_button, self.reject_button):
            button.setEnabled(self.list.currentItem() is not None)
