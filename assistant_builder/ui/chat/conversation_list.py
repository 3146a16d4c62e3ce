"""The side list of the Chat page: the chosen assistant's conversations, newest first, one line
each (a long title ends with "…"), or the messages matching the search box, one per row with
the matching words highlighted; a hit opens its conversation at its message. Rename and delete
(after a question) the selected conversation."""

from __future__ import annotations

import re
from html import escape

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import ConversationStore
from assistant_builder.core.records import ConversationHit

ID_ROLE = Qt.ItemDataRole.UserRole
MESSAGE_ROLE = Qt.ItemDataRole.UserRole + 1  # a search hit's message
# A highlighter pen's yellow with dark text: readable in the light and the dark theme alike.
MARK = '<b style="background-color:#ffe066; color:#1a1a1a">{}</b>'
HIT_STYLE = "QLabel#searchHit { border-bottom: 1px solid palette(mid); padding: 3px 2px 6px 2px; }"


class ConversationList(QWidget):
    opened = Signal(object)  # a conversation id, or None for a new conversation
    message_requested = Signal(int, int)  # a search hit: its conversation id and message id
    deleted = Signal(int)

    def __init__(self, store: ConversationStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.assistant_id = ""
        self.new_button = QPushButton("New conversation")
        self.new_button.setAccessibleName("New conversation")
        self.search = QLineEdit()
        self.search.setAccessibleName("Search conversations")
        self.search.setPlaceholderText("Search messages…")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Conversations")
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setStyleSheet(HIT_STYLE)
        self.rename_button = QPushButton("Rename")
        self.rename_button.setAccessibleName("Rename conversation")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setAccessibleName("Delete conversation")
        row = QHBoxLayout()
        row.addWidget(self.rename_button)
        row.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.new_button)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        self.new_button.clicked.connect(self._new)
        self.search.textChanged.connect(self.refresh)
        self.list.itemClicked.connect(self._clicked)
        self.rename_button.clicked.connect(self.rename_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self._selected: int | None = None
        self._selected_message: int | None = None  # the search hit opened last

    def show_assistant(self, assistant_id: str) -> None:
        self.assistant_id = assistant_id
        self.refresh()

    def select(self, conversation_id: int | None, message_id: int | None = None) -> None:
        self._selected = conversation_id
        self._selected_message = message_id
        self.refresh()

    def selected(self) -> int | None:
        return self._selected

    def hit_view(self, row: int) -> QLabel:
        """The label that shows the search hit in ``row``."""
        label = self.list.itemWidget(self.list.item(row))
        assert isinstance(label, QLabel)
        return label

    def refresh(self) -> None:
        self.list.clear()
        query = self.search.text().strip()
        self.list.setSpacing(3 if query else 0)  # hits stand apart; titles stay compact
        if query:
            for hit in self._store.search(query):
                if hit.assistant == self.assistant_id:
                    self._add_hit(hit)
        else:
            for conversation in self._store.list(self.assistant_id):
                self._add(conversation.title or "New conversation", conversation.id)
        has = self._selected is not None
        self.rename_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    def _add(self, text: str, conversation_id: int) -> None:
        item = QListWidgetItem(text)
        item.setToolTip(text)
        item.setData(ID_ROLE, conversation_id)
        self.list.addItem(item)
        if conversation_id == self._selected and not self.list.selectedItems():
            item.setSelected(True)

    def _add_hit(self, hit: ConversationHit) -> None:
        title = hit.title or "Conversation"
        width = max(self.list.viewport().width() - 8, 80)
        shown_title = self.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, width)
        snippet = "".join(
            MARK.format(escape(text)) if matched else escape(re.sub(r"\s+", " ", text))
            for text, matched in hit.parts
        )
        label = QLabel(f"<b>{escape(shown_title)}</b><br>{snippet}")
        label.setObjectName("searchHit")
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        item = QListWidgetItem()
        plain = "".join(text for text, _ in hit.parts)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{title}: {plain}")
        item.setToolTip(title)
        item.setData(ID_ROLE, hit.conversation_id)
        item.setData(MESSAGE_ROLE, hit.message_id)
        self.list.addItem(item)
        self.list.setItemWidget(item, label)
        label.ensurePolished()  # its padding, from the style sheet, counts in its height
        item.setSizeHint(QSize(width, label.heightForWidth(width)))
        if hit.message_id == self._selected_message:
            item.setSelected(True)

    def _clicked(self, item: QListWidgetItem) -> None:
        self._selected = int(item.data(ID_ROLE))
        self.rename_button.setEnabled(True)
        self.delete_button.setEnabled(True)
        message = item.data(MESSAGE_ROLE)
        if message is not None:
            self._selected_message = int(message)
            self.message_requested.emit(self._selected, self._selected_message)
        else:
            self._selected_message = None
            self.opened.emit(self._selected)

    def _new(self) -> None:
        self._selected = None
        self.list.clearSelection()
        self.refresh()
        self.opened.emit(None)

    def rename_selected(self) -> None:
        if self._selected is None:
            return
        current = self._store.get(self._selected).title
        title, ok = QInputDialog.getText(self, "Rename conversation", "New name:", text=current)
        if ok and title.strip():
            self._store.rename(self._selected, title)
            self.refresh()

    def delete_selected(self) -> None:
        if self._selected is None:
            return
        title = self._store.get(self._selected).title or "this conversation"
        if not self.confirm_delete(title):
            return
        gone = self._selected
        self._store.delete(gone)
        self._selected = None
        self.refresh()
        self.deleted.emit(gone)

    def confirm_delete(self, title: str) -> bool:
        answer = QMessageBox.question(
            self,
            "Delete conversation",
            f"Delete “{title}” and all its messages? This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes
