"""What every editor section shares: load an assistant into its controls, apply the controls
onto an assistant, and say when the person changed something."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from assistant_builder.core.records import Assistant


class Section(QWidget):
    """A page of the editor. Subclasses fill ``self.body`` and implement load/apply."""

    changed = Signal()
    title = ""
    intro = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(f"{self.title} section")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        inner = QWidget()
        inner.setObjectName("sectionBody")
        self.body = QVBoxLayout(inner)
        self.body.setContentsMargins(4, 12, 16, 12)
        self.body.setSpacing(10)
        if self.intro:
            intro = QLabel(self.intro)
            intro.setWordWrap(True)
            intro.setObjectName("sectionIntro")
            self.body.addWidget(intro)
        scroll.setWidget(inner)
        outer.addWidget(scroll)
        self._loading = False

    def load(self, assistant: Assistant) -> None:
        self._loading = True
        try:
            self._load(assistant)
        finally:
            self._loading = False

    def _load(self, assistant: Assistant) -> None:
        raise NotImplementedError

    def apply(self, assistant: Assistant) -> Assistant:
        raise NotImplementedError

    def _emit_changed(self, *_: object) -> None:
        # Filling the controls from a file is not a change the person made.
        if not self._loading:
            self.changed.emit()


def hint(text: str) -> QLabel:
    """A one-line plain explanation, in the quieter colour, that wraps instead of clipping."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setObjectName("hint")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("subheading")
    return label


class FieldGrid(QGridLayout):
    """Rows of label | control, each control's explanation wrapping under it: beside it, the
    explanation was squeezed to a few letters a line in the window's default size."""

    def __init__(self) -> None:
        super().__init__()
        self.setHorizontalSpacing(14)
        self.setVerticalSpacing(4)
        self.setColumnStretch(1, 1)

    def add(self, label: str, control: QWidget, explanation: str = "") -> QLabel:
        row = self.rowCount()
        name = QLabel(label)
        name.setBuddy(control)
        self.addWidget(name, row, 0, Qt.AlignmentFlag.AlignVCenter)
        self.addWidget(control, row, 1)
        note = hint(explanation)
        note.setContentsMargins(0, 0, 0, 6)  # room before the next field
        self.addWidget(note, row + 1, 1)
        if not control.accessibleName():
            control.setAccessibleName(label.replace("&", "").rstrip(":"))
        if explanation and not control.toolTip():
            control.setToolTip(explanation)
        return note
