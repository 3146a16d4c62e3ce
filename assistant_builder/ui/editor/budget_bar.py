"""The budget bar of the final-prompt panel: the model's context window split by part
(instructions, examples, documents, conversation, question, room for the answer)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from assistant_builder.core.records import PromptPreview

# Plain names for the preview's parts, in the order they sit in the prompt.
PARTS = (
    ("instructions", "Instructions", "#4f7cff"),
    ("examples", "Examples", "#9b59d0"),
    ("history", "Conversation so far", "#e08a2c"),
    ("documents", "Documents", "#1fa57a"),
    ("question", "Question", "#d64f6a"),
)
ROOM = ("Room for the answer", "#9aa0a8")


def nbsp(label: str) -> str:
    """A label that wraps as one piece in the legend."""
    return label.replace(" ", "&nbsp;")


class _Bar(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.segments: list[tuple[int, str]] = []
        self.total = 1
        self.setMinimumHeight(14)

    def sizeHint(self) -> QSize:
        return QSize(200, 14)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width, height = float(self.width()), float(self.height())
        painter.setPen(QColor(0, 0, 0, 0))
        painter.setBrush(self.palette().alternateBase())
        painter.drawRoundedRect(QRectF(0, 0, width, height), 4, 4)
        x = 0.0
        for tokens, color in self.segments:
            w = width * tokens / self.total
            painter.setBrush(QColor(color))
            painter.drawRect(QRectF(x, 0, max(w, 1.0 if tokens else 0.0), height))
            x += w


class BudgetBar(QWidget):
    """Shows how a preview spends the context window, with a plain label and count per part."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Context budget")
        self.bar = _Bar()
        self.summary = QLabel()
        self.summary.setAccessibleName("Context use")
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setAccessibleName("Context use by part")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.summary, 1)
        layout.addLayout(row)
        layout.addWidget(self.bar)
        layout.addWidget(self.legend)
        self._parts: list[tuple[str, int]] = []

    def show_preview(self, preview: PromptPreview) -> None:
        counts = [(label, preview.tokens_of(name), color) for name, label, color in PARTS]
        room = max(0, preview.room_for_answer)
        self._parts = [(label, n) for label, n, _ in counts] + [(ROOM[0], room)]
        self.bar.total = max(1, preview.context_size)
        self.bar.segments = [(n, color) for _, n, color in counts]
        self.bar.update()
        self.summary.setText(
            f"{preview.total_tokens:,} of {preview.context_size:,} tokens used by the prompt"
        )
        chips = [
            f'<span style="color:{color}">■</span>&nbsp;{nbsp(label)}&nbsp;{n:,}'
            for label, n, color in counts
            if n
        ]
        chips.append(f'<span style="color:{ROOM[1]}">■</span>&nbsp;{nbsp(ROOM[0])}&nbsp;{room:,}')
        self.legend.setText("&nbsp;&nbsp; ".join(chips))
        self.setToolTip("\n".join(f"{label}: {n:,} tokens" for label, n in self._parts))

    def clear(self) -> None:
        self._parts = []
        self.bar.segments = []
        self.bar.update()
        self.summary.setText("")
        self.legend.setText("")

    def parts(self) -> list[tuple[str, int]]:
        """(plain label, tokens) per part as shown, the room for the answer last."""
        return list(self._parts)
