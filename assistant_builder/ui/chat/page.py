"""The Chat page: choose an assistant, pick or search its conversations, talk with it, and
export the open conversation to Markdown or JSON. While it is shown, the chosen assistant's
model is loaded in the background, so the first question does not wait for it."""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import (
    AssistantStore,
    ConversationStore,
    export_conversation,
    export_file_name,
)
from assistant_builder.core.records import AppError, Assistant, PassageChoices
from assistant_builder.ui.chat.conversation_list import ConversationList
from assistant_builder.ui.chat.panel import ChatPanel
from assistant_builder.ui.chat.suggestions import Suggest, SuggestionsBar
from assistant_builder.ui.engine_host import EngineHost
from assistant_builder.ui.resources import icon
from assistant_builder.ui.widgets.elided_label import ElidedLabel

EXPORT_FILTERS = "Markdown (*.md);;JSON (*.json)"


class ChatPage(QWidget):
    citation_requested = Signal(object)  # a Citation; the source viewer opens it
    models_requested = Signal()
    edit_requested = Signal(str)  # an assistant id, to open in the editor
    knowledge_requested = Signal(str)  # an assistant id, to open at its Knowledge section
    index_requested = Signal(str)  # a collection's name, to index on the Library page

    def __init__(
        self,
        host: EngineHost,
        assistants: AssistantStore,
        conversations: ConversationStore,
        parent: QWidget | None = None,
        *,
        suggest: Suggest | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Chat page")
        self._host = host
        self._assistants = assistants
        self.store = conversations
        self._by_id: dict[str, Assistant] = {}
        self.assistant_combo = QComboBox()
        self.assistant_combo.setAccessibleName("Assistant")
        self.assistant_combo.setToolTip("Which assistant to talk with")
        self.conversations = ConversationList(conversations)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(12, 12, 6, 12)
        left_layout.addWidget(self.assistant_combo)
        left_layout.addWidget(self.conversations, 1)

        self.title = ElidedLabel()  # a long title ends with "…" instead of squeezing the list
        self.title.setObjectName("pageTitle")
        self.title.setAccessibleName("Conversation title")
        self.export_button = QPushButton("Export…")
        self.export_button.setAccessibleName("Export conversation")
        self.export_button.setIcon(icon("export"))
        self.export_button.setToolTip("Save this conversation as Markdown or JSON")
        self.empty = QLabel("Create an assistant on the Assistants page, then talk with it here.")
        self.empty.setWordWrap(True)
        self.panel = ChatPanel(host, conversations, self.assistant, save_choices=self._keep_choices)
        # Questions to try in a new conversation of an assistant with documents.
        self.suggestions = SuggestionsBar(suggest or (lambda *_a, **_k: []))
        self.suggestions.hide()
        self._suggesting = suggest is not None
        self.panel.add_above_composer(self.suggestions)
        header = QHBoxLayout()
        header.setContentsMargins(16, 12, 16, 0)
        header.addWidget(self.title, 1)
        header.addWidget(self.export_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(header)
        right_layout.addWidget(self.empty)
        right_layout.addWidget(self.panel, 1)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([250, 750])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self.assistant_combo.currentIndexChanged.connect(self._assistant_chosen)
        self.conversations.opened.connect(self.open_conversation)
        self.conversations.message_requested.connect(self.open_conversation)
        self.conversations.deleted.connect(self._on_deleted)
        self.panel.conversation_changed.connect(self._on_conversation_changed)
        self.panel.citation_requested.connect(self.citation_requested)
        self.panel.models_requested.connect(self.models_requested)
        self.panel.edit_requested.connect(self.edit_requested)
        self.panel.knowledge_requested.connect(self.knowledge_requested)
        self.panel.index_requested.connect(self.index_requested)
        self.panel.busy_changed.connect(self._on_busy)
        self.suggestions.asked.connect(self.panel.send)
        self.export_button.clicked.connect(self.export)
        self.refresh()

    # Assistants --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the assistants (they may have changed on the Assistants page)."""
        current = self.assistant_id()
        try:
            assistants = self._assistants.list()
        except AppError:
            assistants = []
        self._by_id = {a.id: a for a in assistants}
        self.assistant_combo.blockSignals(True)
        self.assistant_combo.clear()
        for a in assistants:
            self.assistant_combo.addItem(f"{a.icon}  {a.name}".strip(), a.id)
        self.assistant_combo.blockSignals(False)
        self.empty.setVisible(not assistants)
        self.panel.setEnabled(bool(assistants))
        if current in self._by_id:
            self.assistant_combo.setCurrentIndex(self.assistant_combo.findData(current))
        elif assistants:
            self._assistant_chosen()

    def assistant_id(self) -> str:
        data = self.assistant_combo.currentData()
        return str(data) if data else ""

    def assistant(self) -> Assistant | None:
        return self._by_id.get(self.assistant_id())

    def _keep_choices(self, choices: PassageChoices) -> None:
        """Passage choices from "Why this answer", written to the assistant's file at once."""
        saved = self._assistants.save_choices(self.assistant_id(), choices)
        self._by_id[saved.id] = saved

    def open_assistant(self, assistant_id: str) -> None:
        """Show this assistant and its most recent conversation (from the Assistants page)."""
        self.refresh()
        index = self.assistant_combo.findData(assistant_id)
        if index >= 0 and index != self.assistant_combo.currentIndex():
            self.assistant_combo.setCurrentIndex(index)

    def _assistant_chosen(self) -> None:
        self.conversations.show_assistant(self.assistant_id())
        recent = self.store.list(self.assistant_id()) if self.assistant_id() else []
        self.open_conversation(recent[0].id if recent else None)
        self._preload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._preload()
        self._offer_questions()

    def _preload(self) -> None:
        assistant = self.assistant()
        if assistant is not None and self.isVisible():
            self._host.preload(assistant)

    # Conversations -----------------------------------------------------------------------
    def open_conversation(self, conversation_id: int | None, message_id: int | None = None) -> None:
        """Show the conversation, at ``message_id`` when given (a search hit)."""
        self.panel.open_conversation(conversation_id)
        if message_id is not None:
            self.panel.transcript.scroll_to(message_id)
        self.conversations.select(conversation_id, message_id)
        self._show_title()
        self._offer_questions()

    def _offer_questions(self) -> None:
        """Questions to try from the assistant's documents while the conversation is new; only
        while the page is shown (the documents are read in the knowledge process)."""
        assistant = self.assistant()
        new = self.panel.conversation_id is None
        if not (new and self._suggesting and assistant and assistant.collections):
            self.suggestions.withdraw()
        elif self.isVisible():
            self.suggestions.offer(assistant.collections[0].name)

    def _on_conversation_changed(self, conversation_id: int) -> None:
        self.conversations.select(conversation_id)
        self._show_title()

    def _on_deleted(self, conversation_id: int) -> None:
        if self.panel.conversation_id == conversation_id:
            self.open_conversation(None)

    def _on_busy(self, busy: bool) -> None:
        if busy:
            self.suggestions.withdraw()  # the conversation has its first question now
        self.assistant_combo.setEnabled(not busy)
        self.conversations.setEnabled(not busy)

    def _show_title(self) -> None:
        cid = self.panel.conversation_id
        title = "New conversation"
        if cid is not None:
            with contextlib.suppress(AppError):
                title = self.store.get(cid).title or title
        self.title.setText(title)
        self.export_button.setEnabled(cid is not None)

    def export(self) -> None:
        if self.panel.conversation_id is None:
            return
        name = export_file_name(self.title.text() or "Conversation")
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export conversation", str(Path.home() / name), EXPORT_FILTERS
        )
        if not path:
            return
        dest = Path(path)
        if not dest.suffix:
            dest = dest.with_suffix(".json" if chosen.startswith("JSON") else ".md")
        self.export_to(dest)

    def _assistant_name(self) -> str:
        """The name the person gave the open conversation's assistant ("" if it is gone)."""
        if self.panel.conversation_id is None:
            return ""
        with contextlib.suppress(AppError):
            ref = self.store.get(self.panel.conversation_id).assistant
            return self._assistants.get(ref).name
        return ""

    def export_to(self, dest: Path) -> None:
        if self.panel.conversation_id is None:
            return
        try:
            export_conversation(
                self.store, self.panel.conversation_id, dest, assistant_name=self._assistant_name()
            )
        except (AppError, OSError) as exc:
            message = str(exc) if isinstance(exc, AppError) else (
                f"The conversation could not be saved to {dest} ({exc.strerror}); "
                "choose another folder."
            )  # fmt: skip
            self.panel.banner.show_message(message)
            return
        self.panel.banner.show_message(f"Saved the conversation to {dest}.", kind="info")
