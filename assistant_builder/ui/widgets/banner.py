"""A message banner: one plain sentence, details to expand, and the action that fixes it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.ui.theme import is_dark

_COLORS = {
    "error": ("#fdecea", "#8a1c12", "#4a1410", "#ffb4a9"),
    "warning": ("#fff4e0", "#6b4300", "#3f2d0c", "#ffd79a"),
    "info": ("#e8f0fe", "#1a3f8a", "#14264a", "#b6ccff"),
}


class Banner(QFrame):
    """Hidden until ``show_message``; the close button hides it again."""

    action_requested = Signal()
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = "error"
        self.setObjectName("banner")
        self.setAccessibleName("Message")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 8, 8)
        row = QHBoxLayout()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message text")
        self.details_button = QToolButton()
        self.details_button.setText("Details")
        self.details_button.setCheckable(True)
        self.details_button.setAccessibleName("Show details")
        self.action_button = QPushButton()
        self.action_button.setAccessibleName("Fix it")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAccessibleName("Dismiss message")
        self.close_button.setToolTip("Dismiss")
        row.addWidget(self.message, 1)
        row.addWidget(self.details_button)
        row.addWidget(self.action_button)
        row.addWidget(self.close_button)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Message details")
        self.details.setMaximumHeight(140)
        self.details.hide()
        outer.addLayout(row)
        outer.addWidget(self.details)
        self.details_button.toggled.connect(self.details.setVisible)
        self.action_button.clicked.connect(self.action_requested)
        self.close_button.clicked.connect(self.dismiss)
        self._action: Callable[[], None] | None = None
        self.hide()

    def show_message(
        self,
        text: str,
        *,
        kind: str = "error",
        details: str = "",
        action: str = "",
        on_action: Callable[[], None] | None = None,
    ) -> None:
        self._kind = kind if kind in _COLORS else "error"
        self._restyle()
        self.message.setText(text)
        self.details.setPlainText(details)
        self.details_button.setVisible(bool(details))
        self.details_button.setChecked(False)
        self.action_button.setText(action)
        self.action_button.setVisible(bool(action))
        if self._action is not None:
            self.action_requested.disconnect(self._action)
        self._action = on_action
        if on_action is not None:
            self.action_requested.connect(on_action)
        self.show()

    def _restyle(self) -> None:
        light_bg, light_fg, dark_bg, dark_fg = _COLORS[self._kind]
        app = QApplication.instance()
        dark = isinstance(app, QApplication) and is_dark(app)
        bg, fg = (dark_bg, dark_fg) if dark else (light_bg, light_fg)
        self.setStyleSheet(
            f"QFrame#banner {{ background: {bg}; border-radius: 6px; }}"
            f"QFrame#banner QLabel {{ color: {fg}; }}"
        )

    def changeEvent(self, event: QEvent) -> None:
        # The theme changed while the banner was up: take the new theme's colours.
        if event.type() == QEvent.Type.ApplicationPaletteChange and self.styleSheet():
            self._restyle()
        super().changeEvent(event)

    def dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()
