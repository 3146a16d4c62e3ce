"""The collapsed "Thinking…" section above a reasoning model's answer: its thinking, kept apart
from the answer while it streams and after, opened with one click."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton, QVBoxLayout, QWidget

from assistant_builder.ui.chat.text_view import TextView

TITLE = "Thinking…"


class ThinkingSection(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("thinking")
        self.text = ""
        self.toggle = QToolButton()
        self.toggle.setText(TITLE)
        self.toggle.setCheckable(True)
        self.toggle.setChecked(False)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAutoRaise(True)
        self.toggle.setAccessibleName("Show the model's thinking")
        self.toggle.setToolTip("What the model thought before answering; it is not the answer.")
        self.toggle.toggled.connect(self._set_open)
        self.body = TextView()  # drawn as the answer is: cheap to redraw while it streams
        self.body.setObjectName("thinkingText")
        self.body.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.body)
        self.hide()

    @property
    def is_open(self) -> bool:
        return self.toggle.isChecked()

    def set_thinking(self, text: str) -> None:
        self.text = text
        self.body.set_plain_text(text.strip())
        self.setVisible(bool(text.strip()))

    def _set_open(self, shown: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.toggle.setAccessibleName(
            "Hide the model's thinking" if shown else "Show the model's thinking"
        )
        self.body.setVisible(shown)
