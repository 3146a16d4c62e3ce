"""The Chat page's history: search hits highlighted (no brackets that look like citations),
one hit per row, a click opens that conversation at that message; the conversation list keeps
its width whatever the titles, and a long title ends with "…"."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.ui.chat.page import ChatPage
from assistant_builder.ui.main_window import MainWindow

LONG = (
    "What is the default priority of a magic rule? Put the answer in one sentence and "
    "quote the part of the specification that says so"
)


def _talk(store: ConversationStore, assistant: Assistant, *turns: str) -> tuple[int, list[int]]:
    cid = store.create(assistant.id).id
    ids = [
        store.add_message(cid, "user" if i % 2 == 0 else "assistant", text).id
        for i, text in enumerate(turns)
    ]
    return cid, ids


def test_search_hits_are_highlighted_separated_and_open_their_message(
    qtbot: QtBot, make_page: Callable[[], ChatPage], helper: Assistant,
    conversations: ConversationStore,
) -> None:  # fmt: skip
    filler = [f"Question {i} about the weather?" if i % 2 == 0 else "Sunny." for i in range(40)]
    first, _ = _talk(conversations, helper, "How long do cats sleep?", "About 15 hours.")
    second, ids = _talk(conversations, helper, *filler, "What is a magic rule?", "A rule.")
    page = make_page()
    page.open_conversation(first)
    items = page.conversations
    items.search.setText("magic")
    assert items.list.count() == 1
    hit = items.hit_view(0)
    # The matching word is marked by its look, not by brackets a reader takes for a citation.
    assert "[" not in hit.text() and "]" not in hit.text()
    assert "a <b" in hit.text() and "magic</b> rule?" in hit.text()  # spaces kept around it
    items.search.setText("about")  # in both conversations
    assert items.list.count() >= 2
    one, two = (
        items.list.visualItemRect(items.list.item(0)),
        items.list.visualItemRect(items.list.item(1)),
    )
    assert two.top() - one.bottom() > 4  # one hit per row, apart from the next
    items.search.setText("magic")
    rect = items.list.visualItemRect(items.list.item(0))
    qtbot.mouseClick(items.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.panel.conversation_id == second
    assert items.list.item(0).isSelected()
    target = next(v for v in page.panel.transcript.views if v.message_id == ids[-2])
    # Scrolled to the message, not left at the end of the conversation.
    qtbot.waitUntil(lambda: _shown(page, target), timeout=5_000)
    page.panel.transcript.verticalScrollBar().setValue(0)
    qtbot.wait(50)
    assert not _shown(page, target)  # it was scrolled there, it was not there already


def test_the_conversation_list_keeps_its_width_and_long_titles_end_with_an_ellipsis(
    qtbot: QtBot, window: MainWindow, helper: Assistant, conversations: ConversationStore,
) -> None:  # fmt: skip
    short, _ = _talk(conversations, helper, "Hi", "Hello.")
    long, _ = _talk(conversations, helper, LONG + " and then some more words", "Fifty.")
    window.resize(1100, 720)  # the app's default size
    window.assistants_page.chat_requested.emit(helper.id)
    page = window.chat_page
    page.open_conversation(short)
    qtbot.wait(50)
    width = page.conversations.width()
    page.open_conversation(long)
    qtbot.wait(50)
    assert page.conversations.width() == width
    title = conversations.get(long).title
    assert title.endswith("…") and LONG.startswith(title[:-1].rstrip())
    assert title[:-1].rstrip() == LONG[: len(title[:-1].rstrip())]
    assert LONG[len(title[:-1].rstrip())] == " "  # cut between words, not inside one
    rows = page.conversations.list
    (item,) = [rows.item(i) for i in range(rows.count()) if rows.item(i).text() == title]
    # One line each, never wider than the list: Qt ends what does not fit with "…".
    assert not rows.wordWrap() and rows.textElideMode() == Qt.TextElideMode.ElideRight
    assert rows.visualItemRect(item).height() < 2 * rows.fontMetrics().height() + 8
    window.chat_page.panel.resize(200, 400)  # the heading too ends with "…" when squeezed
    page.title.resize(120, page.title.height())
    assert page.title.shown_text().endswith("…") and page.title.text() == title


def _shown(page: ChatPage, view: object) -> bool:
    area = page.panel.transcript
    top = view.mapTo(area.viewport(), QPoint(0, 0)).y()  # type: ignore[attr-defined]
    return 0 <= top < area.viewport().height()
