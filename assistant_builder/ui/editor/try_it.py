"""The editor's Try it pane: a small chat with the unsaved draft, through the shared engine host.

Its conversation lives in a throwaway database under the scratch folder, not in the person's
conversations, so trying a draft never clutters the Chat page's list or its search."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from assistant_builder.core.app import ScratchConversations
from assistant_builder.core.records import Assistant
from assistant_builder.ui.chat.panel import ChatPanel
from assistant_builder.ui.chat.why_panel import SaveChoices
from assistant_builder.ui.engine_host import EngineHost


class TryItPane(QWidget):
    citation_requested = Signal(object)
    models_requested = Signal()

    def __init__(
        self,
        host: EngineHost,
        draft: Callable[[], Assistant | None],
        scratch_dir: Path,
        parent: QWidget | None = None,
        *,
        save_choices: SaveChoices | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Try it")
        self.store = ScratchConversations(scratch_dir, prefix="try-it-")
        hint = QLabel("Talk with the assistant as it is now, before saving. Nothing here is kept.")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setAccessibleName("Clear the try-out conversation")
        self.panel = ChatPanel(host, self.store, draft, offer_edit=False, save_choices=save_choices)
        top = QHBoxLayout()
        top.addWidget(hint, 1)
        top.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.panel, 1)
        self.clear_button.clicked.connect(self.clear)
        self.panel.citation_requested.connect(self.citation_requested)
        self.panel.models_requested.connect(self.models_requested)
        self.panel.busy_changed.connect(lambda busy: self.clear_button.setEnabled(not busy))
        store = self.store
        self.destroyed.connect(lambda: store.close())  # its folder goes with it

    def clear(self) -> None:
        """Start over: the try-out conversation is forgotten."""
        self.panel.stop()
        for conversation in self.store.list():
            self.store.delete(conversation.id)
        self.panel.open_conversation(None)
