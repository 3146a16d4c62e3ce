"""Questions to try, above the chat's composer: made from the headings of the documents the
guide had read, shown once reading is done; clicking one asks it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from assistant_builder.core.app import FirstRun
from assistant_builder.ui.workers import TaskRunner

STYLE = """
QPushButton#suggestion {
    text-align: left; padding: 6px 14px; border-radius: 14px;
    border: 1px solid palette(mid); background: palette(base); color: palette(text);
}
QPushButton#suggestion:hover, QPushButton#suggestion:focus { border-color: palette(highlight); }
QLabel#suggestionsTitle { color: palette(placeholder-text); }
"""


class SuggestionsBar(QWidget):
    asked = Signal(str)  # a suggested question was clicked

    def __init__(self, first_run: FirstRun, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Questions to try")
        self.setStyleSheet(STYLE)
        self.first_run = first_run
        self.title = QLabel("Reading your documents… questions to try appear here when it is done.")
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

    def documents_read(self, collection: str) -> None:
        """Reading is done: ask the knowledge process for questions from the headings."""
        self.runner.start(self.first_run.suggested_questions, collection)

    def show_problem(self, message: str) -> None:
        self.title.setText(f"{message} You can still type a question below.")

    def show_questions(self, questions: object) -> None:
        for button in self.buttons:
            button.deleteLater()
        self.buttons = []
        found = [q for q in questions if isinstance(q, str)] if isinstance(questions, list) else []
        if not found:
            self.title.setText("Your documents are read. Type a question about them below.")
            return
        self.title.setText("Questions to try, from the headings of your documents:")
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

    def _ask(self, question: str) -> None:
        self.asked.emit(question)
        self.hide()
