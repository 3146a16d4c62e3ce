"""A source chip of a stored answer, clicked in the main window's Chat page, opens the cited
document inside the app with the passage selected."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.citation import Citation
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.paths import Paths


def test_clicking_a_source_chip_opens_the_cited_passage(
    qtbot: QtBot, paths: Paths, helper: Assistant, tmp_path: Path
) -> None:
    from assistant_builder.core.app import App
    from assistant_builder.core.services import Services
    from assistant_builder.core.settings import Settings
    from assistant_builder.ui.main_window import MainWindow

    doc = tmp_path / "lease.md"
    text = "# Lease\n\nThe rent is due on the first day of each month.\n"
    doc.write_text(text, encoding="utf-8")
    start = text.index("The rent")
    end = text.index(".\n", start) + 1
    store = ConversationStore(paths.conversations_db)
    conversation = store.create(helper.id)
    store.add_message(conversation.id, "user", "When is the rent due?")
    store.add_message(
        conversation.id, "assistant", "On the first day of each month [1].",
        citations=[Citation(1, str(doc), None, start, end, text[start:end], 0.9)],
    )  # fmt: skip
    store.close()

    window = MainWindow(App(Services.create(), Settings()))
    qtbot.addWidget(window)
    window.show()
    window.assistants_page.chat_requested.emit(helper.id)
    assert window.current_page_name() == "Chat"
    window.chat_page.open_conversation(conversation.id)
    chips = [c for v in window.chat_page.panel.transcript.views for c in v.chip_buttons]
    assert len(chips) == 1 and "lease.md" in chips[0].text()
    chips[0].click()
    qtbot.waitUntil(lambda: window.source_viewer is not None and window.source_viewer.isVisible())
    viewer = window.source_viewer
    assert viewer is not None
    qtbot.waitUntil(
        lambda: viewer.text_view.textCursor().selectedText() == text[start:end], timeout=10_000
    )
