"""Questions to try, above the chat's composer, made from the headings of the assistant's
documents; clicking one asks it. Offered in every new conversation of an assistant with
documents (shown only when its documents give some), and by the first-run guide while the
documents it was given are still being read."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from assistant_builder.ui.workers import TaskRunner

STYLE = """
QPushButton#suggestion {
    text-align: left; padding: 6px 14px; border-radius: 14px;
    border: 1px solid palette(mid); background: palette(base); color: palette(text);
}
QPushButton#suggestion:hover, QPushButton#suggestion:focus { border-color: palette(highlight); }
QLabel#suggestionsTitle { color: palette(placeholder-text); }
"""
TITLE = "Questions to try, from the headings of your documents:"
READING = "Reading your documents… questions to try appear here when it is done."

Suggest = Callable[..., object]  # (collection, *, cancel) -> the questions, in the background


class SuggestionsBar(QWidget):
    asked = Signal(str)  # a suggested question was clicked

    def __init__(self, suggest: Suggest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Questions to try")
        self.setStyleSheet(STYLE)
        self._suggest = suggest
        self._reading = False  # the guide's documents are being read: offers wait for them
        self._quiet = False  # offered by a new conversation: nothing is shown without questions
        self._offered = ""  # the collection whose questions are shown or coming
        self.title = QLabel(READING)
        self.title.setObjectName("suggestionsTitle")
        self.title.setWordWrap(True)
        self.buttons: list[QPushButton] = []
        self._row = QVBoxLayout()
        self._row.setSpacing(4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 6, 16, 4)
        layout.addWidget(self.title)
        layout.addLayout(self._row)
        self.runner = TaskRunner(self)
        self.runner.finished.connect(self.show_questions)
        self.runner.failed.connect(self.show_problem)

    def offer(self, collection: str) -> None:
        """A new conversation: its questions to try, shown once found (nothing if none are)."""
        if self._reading or (collection == self._offered and (self.buttons or self.runner.busy)):
            return
        self._clear()
        self.hide()
        self._quiet, self._offered = True, collection
        self.runner.start(self._suggest, collection)

    def withdraw(self) -> None:
        """A conversation with messages, or another assistant: no questions to try."""
        if self._reading:
            return
        self.runner.cancel()
        self._offered = ""
        self.hide()

    def documents_reading(self) -> None:
        """The guide's documents are being read: say so until documents_read."""
        self._reading, self._quiet = True, False
        self._clear()
        self.title.setText(READING)
        self.show()

    def documents_read(self, collection: str) -> None:
        """Reading is done: ask the knowledge process for questions from the headings."""
        self._offered = collection
        self.runner.start(self._suggest, collection)

    def show_problem(self, message: str) -> None:
        self._reading = False
        if self._quiet:
            self.hide()  # a new conversation without questions to try is just a new one
            return
        self.title.setText(f"{message} You can still type a question below.")

    def show_questions(self, questions: object) -> None:
        self._reading = False
        self._clear()
        found = [q for q in questions if isinstance(q, str)] if isinstance(questions, list) else []
        if not found:
            if self._quiet:
                self.hide()
            else:
                self.title.setText("Your documents are read. Type a question about them below.")
            return
        self.title.setText(TITLE)
        for question in found:
            button = QPushButton(question)
            button.setObjectName("suggestion")
            button.setAccessibleName(f"Ask: {question}")
            button.setToolTip("Ask this question")
            button.clicked.connect(lambda _c=False, q=question: self._ask(q))
            row = QHBoxLayout()
            row.addWidget(button)
            row.addStretch(1)
            self._row.addLayout(row)
            self.buttons.append(button)
        self.show()

    def _clear(self) -> None:
        for button in self.buttons:
            button.deleteLater()
        self.buttons = []
        while self._row.count():
            item = self._row.takeAt(0)
            row = item.layout() if item is not None else None
            if row is not None:
                row.deleteLater()

    def _ask(self, question: str) -> None:
        self._reading, self._offered = False, ""
        self.hide()
        self.asked.emit(question)
