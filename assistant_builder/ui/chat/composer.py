"""Where the question is typed: Enter sends, Shift+Enter starts a new line; Send turns into
Stop while an answer is being written."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from assistant_builder.ui.resources import icon


class QuestionEdit(QPlainTextEdit):
    submitted = Signal()
    escaped = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.escaped.emit()
            return
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.submitted.emit()
            return
        super().keyPressEvent(event)


class Composer(QWidget):
    send_requested = Signal(str)
    stop_requested = Signal()
    regenerate_requested = Signal()
    edit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QuestionEdit()
        self.edit.setAccessibleName("Your question")
        self.edit.setPlaceholderText("Ask something…  (Enter sends, Shift+Enter for a new line)")
        self.edit.setFixedHeight(72)
        self.note = QLabel()
        self.note.setObjectName("meta")
        self.note.hide()
        self.send_button = QPushButton("Send")
        self.send_button.setAccessibleName("Send")
        self.send_button.setIcon(icon("send"))
        self.send_button.setToolTip("Send the question (Enter)")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setAccessibleName("Stop")
        self.stop_button.setIcon(icon("stop"))
        self.stop_button.setToolTip("Stop the answer (Esc)")
        self.stop_button.hide()
        self.regenerate_button = QPushButton("Regenerate")
        self.regenerate_button.setAccessibleName("Regenerate")
        self.regenerate_button.setIcon(icon("regenerate"))
        self.regenerate_button.setToolTip("Write the last answer again")
        self.edit_button = QPushButton("Edit question")
        self.edit_button.setAccessibleName("Edit and resend")
        self.edit_button.setToolTip("Change your last question and ask it again")
        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addLayout(buttons)
        extra = QHBoxLayout()
        extra.addWidget(self.note, 1)
        extra.addStretch(0)
        extra.addWidget(self.edit_button)
        extra.addWidget(self.regenerate_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 4, 16, 12)
        layout.addLayout(extra)
        layout.addLayout(row)
        self.edit.submitted.connect(self.submit)
        self.edit.escaped.connect(self.stop_requested)
        self.send_button.clicked.connect(self.submit)
        self.stop_button.clicked.connect(self.stop_requested)
        self.regenerate_button.clicked.connect(self.regenerate_requested)
        self.edit_button.clicked.connect(self.edit_requested)
        self.set_history(has_exchange=False)

    def submit(self) -> None:
        text = self.edit.toPlainText().strip()
        if text and not self.stop_button.isVisible():
            self.send_requested.emit(text)

    def set_busy(self, busy: bool) -> None:
        self.send_button.setVisible(not busy)
        self.stop_button.setVisible(busy)
        self.regenerate_button.setEnabled(not busy and self._has_exchange)
        self.edit_button.setEnabled(not busy and self._has_exchange)

    def set_history(self, *, has_exchange: bool) -> None:
        self._has_exchange = has_exchange
        busy = self.stop_button.isVisible()
        self.regenerate_button.setEnabled(not busy and has_exchange)
        self.edit_button.setEnabled(not busy and has_exchange)

    def set_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))
