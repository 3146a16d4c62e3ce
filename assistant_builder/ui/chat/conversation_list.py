"""The side list of the Chat page: the chosen assistant's conversations, newest first, or the
messages matching the search box; rename and delete (after a question) the selected one."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import ConversationStore

ID_ROLE = Qt.ItemDataRole.UserRole


class ConversationList(QWidget):
    opened = Signal(object)  # a conversation id, or None for a new conversation
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
        self.list.setWordWrap(True)
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

    def show_assistant(self, assistant_id: str) -> None:
        self.assistant_id = assistant_id
        self.refresh()

    def select(self, conversation_id: int | None) -> None:
        self._selected = conversation_id
        self.refresh()

    def selected(self) -> int | None:
        return self._selected

    def refresh(self) -> None:
        self.list.clear()
        query = self.search.text().strip()
        if query:
            for hit in self._store.search(query):
                if hit.assistant != self.assistant_id:
                    continue
                snippet = " ".join(hit.snippet.split())
                self._add(f"{hit.title or 'Conversation'}\n{snippet}", hit.conversation_id)
        else:
            for conversation in self._store.list(self.assistant_id):
                self._add(conversation.title or "New conversation", conversation.id)
        has = self._selected is not None
        self.rename_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    def _add(self, text: str, conversation_id: int) -> None:
        item = QListWidgetItem(text)
        item.setData(ID_ROLE, conversation_id)
        self.list.addItem(item)
        if conversation_id == self._selected and not self.list.selectedItems():
            item.setSelected(True)

    def _clicked(self, item: QListWidgetItem) -> None:
        self._selected = int(item.data(ID_ROLE))
        self.rename_button.setEnabled(True)
        self.delete_button.setEnabled(True)
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
