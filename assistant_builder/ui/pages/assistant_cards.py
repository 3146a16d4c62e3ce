"""An assistant's card (icon, name, description, model, collections and its actions) and the
grid that flows the cards into as many columns as fit."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.records import Assistant
from assistant_builder.ui.resources import icon

CARD_WIDTH = 300
_BADGE_COLORS = ("#2f6fe4", "#0f8a6a", "#b5462b", "#7a4cc2", "#a86b00", "#c2407a", "#3f7f2f")


class AssistantCard(QFrame):
    """One assistant at a glance, with its actions."""

    chat_clicked = Signal(str)
    edit_clicked = Signal(str)
    duplicate_clicked = Signal(str)
    export_clicked = Signal(str)
    delete_clicked = Signal(str)
    compare_clicked = Signal(str)

    def __init__(self, assistant: Assistant, model_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.assistant_id = assistant.id
        self.shows = (assistant, model_name)
        self.setObjectName("assistantCard")
        self.setAccessibleName(f"Assistant {assistant.name}")
        self.setFixedWidth(CARD_WIDTH)
        badge_text = assistant.icon or (assistant.name[:1].upper() or "?")
        self.badge = QLabel(badge_text)
        self.badge.setAccessibleName("Icon")
        self.badge.setFixedSize(44, 44)
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        color = _BADGE_COLORS[sum(map(ord, assistant.id)) % len(_BADGE_COLORS)]
        self.badge.setStyleSheet(
            f"background: {color}; color: white; border-radius: 22px; font-size: 20px;"
        )
        self.name = QLabel(assistant.name)
        self.name.setObjectName("cardName")
        self.name.setWordWrap(True)
        self.name.setAccessibleName("Name")
        self.description = QLabel(assistant.description or "No description yet.")
        self.description.setWordWrap(True)
        self.description.setAccessibleName("Description")
        self.description.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.description.setMinimumHeight(self.description.fontMetrics().lineSpacing() * 3)
        self.model = QLabel(f"Model: {model_name}")
        self.model.setObjectName("cardMeta")
        self.model.setWordWrap(True)
        self.model.setAccessibleName("Model")
        names = ", ".join(c.name for c in assistant.collections)
        self.collections = QLabel(f"Documents: {names}" if names else "Documents: none")
        self.collections.setObjectName("cardMeta")
        self.collections.setWordWrap(True)
        self.collections.setAccessibleName("Collections")

        self.chat_button = QPushButton("Chat")
        self.chat_button.setAccessibleName(f"Chat with {assistant.name}")
        self.chat_button.setIcon(icon("chat"))
        self.edit_button = QPushButton("Edit")
        self.edit_button.setAccessibleName(f"Edit {assistant.name}")
        self.edit_button.setIcon(icon("edit"))
        self.more_button = QToolButton()
        self.more_button.setText("More")
        self.more_button.setAccessibleName(f"More actions for {assistant.name}")
        self.more_button.setToolTip("Compare versions, duplicate, export or delete")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more_button)
        self.compare_action = menu.addAction("Compare…")
        self.duplicate_action = menu.addAction("Duplicate")
        self.export_action = menu.addAction("Export to a file…")
        menu.addSeparator()
        self.delete_action = menu.addAction("Delete")
        self.more_button.setMenu(menu)

        top = QHBoxLayout()
        top.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        top.addSpacing(6)
        top.addWidget(self.name, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.chat_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.more_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.description)
        layout.addWidget(self.model)
        layout.addWidget(self.collections)
        layout.addStretch(1)
        layout.addLayout(buttons)

        aid = assistant.id
        self.chat_button.clicked.connect(lambda: self.chat_clicked.emit(aid))
        self.edit_button.clicked.connect(lambda: self.edit_clicked.emit(aid))
        self.compare_action.triggered.connect(lambda: self.compare_clicked.emit(aid))
        self.duplicate_action.triggered.connect(lambda: self.duplicate_clicked.emit(aid))
        self.export_action.triggered.connect(lambda: self.export_clicked.emit(aid))
        self.delete_action.triggered.connect(lambda: self.delete_clicked.emit(aid))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.edit_clicked.emit(self.assistant_id)


class CardGrid(QWidget):
    """Cards in as many columns as fit the width, re-flowed when the page is resized."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(16)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._cards: list[QWidget] = []
        self._columns = 0
        # An explicit minimum keeps the layout from pinning the width of the widest row, so the
        # grid can shrink and re-flow into fewer columns.
        self.setMinimumWidth(CARD_WIDTH)

    def set_cards(self, cards: Sequence[QWidget]) -> None:
        """Show ``cards`` in order; cards no longer shown are deleted, kept ones reused."""
        keep = set(map(id, cards))
        for card in self._cards:
            self._grid.removeWidget(card)
            if id(card) not in keep:
                card.deleteLater()
        self._cards = list(cards)
        self._columns = 0
        self._reflow()

    def _reflow(self) -> None:
        columns = max(1, (self.width() + 16) // (CARD_WIDTH + 16))
        if columns == self._columns:
            return
        self._columns = columns
        for card in self._cards:
            self._grid.removeWidget(card)
        for n, card in enumerate(self._cards):
            self._grid.addWidget(card, n // columns, n % columns)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._reflow()
