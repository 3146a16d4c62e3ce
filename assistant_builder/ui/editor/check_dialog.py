"""The dialog that adds or edits one check question: the question, the document (and page) its
answer must come from, and words the answer must contain."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.records import CheckQuestion


class CheckDialog(QDialog):
    def __init__(self, check: CheckQuestion | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit check question" if check else "Add a check question")
        self.setAccessibleName(self.windowTitle())
        self.question = QLineEdit(check.question if check else "")
        self.question.setPlaceholderText("A question the assistant should answer well")
        self.question.setAccessibleName("Question")
        self.file = QLineEdit(check.file if check else "")
        self.file.setPlaceholderText("File name, for example lease.pdf")
        self.file.setAccessibleName("Document that must answer it")
        self.page = QSpinBox()
        self.page.setRange(0, 100_000)
        self.page.setSpecialValueText("Any page")
        self.page.setValue(check.page or 0 if check else 0)
        self.page.setAccessibleName("Page")
        self.words = QLineEdit(", ".join(check.must_contain) if check else "")
        self.words.setPlaceholderText("Optional, separated by commas")
        self.words.setAccessibleName("Words the answer must contain")
        form = QFormLayout()
        form.addRow("&Question:", self.question)
        form.addRow("&Document:", self.file)
        form.addRow("&Page:", self.page)
        form.addRow("&Must contain:", self.words)
        note = QLabel(
            "The check passes when the search finds this document, the answer cites it and "
            "holds every word listed."
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        for edit in (self.question, self.file):
            edit.textChanged.connect(self._update_ok)
        self._update_ok()
        self.resize(520, self.sizeHint().height())

    def _update_ok(self) -> None:
        ok = bool(self.question.text().strip() and self.file.text().strip())
        button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        button.setEnabled(ok)

    def check(self) -> CheckQuestion:
        words = tuple(w.strip() for w in self.words.text().split(",") if w.strip())
        page = self.page.value() or None
        return CheckQuestion(self.question.text().strip(), self.file.text().strip(), page, words)
