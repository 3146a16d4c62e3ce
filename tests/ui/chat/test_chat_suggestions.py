"""Questions to try in a new conversation of an assistant with documents: shown above the
composer when its documents give some, asked with one click, gone once the conversation has a
question, never shown for an assistant without documents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.model import Assistant, CollectionRef
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.ui.chat.page import ChatPage

QUESTIONS = ["What does “adduser in Debian” say about Documentation?", "What is a skeleton?"]


class Headings:
    """The knowledge process's answer for a collection, as App.suggested_questions gives it
    (its own tests read real headings: tests/knowledge/test_suggestions.py)."""

    def __init__(self, questions: list[str]) -> None:
        self.questions = questions
        self.asked: list[str] = []

    def __call__(self, collection: str, *, cancel: object) -> list[str]:
        self.asked.append(collection)
        return list(self.questions)


def test_a_new_conversation_offers_questions_from_the_documents_and_one_click_asks(
    qtbot: QtBot, make_page: Callable[..., ChatPage], assistants: AssistantStore,
    helper: Assistant,
) -> None:  # fmt: skip
    assistants.save(replace(helper, collections=(CollectionRef(name="debian docs"),)))
    suggest = Headings(QUESTIONS)
    page = make_page(suggest)
    bar = page.suggestions
    qtbot.waitUntil(lambda: len(bar.buttons) == 2 and bar.buttons[0].isVisible(), timeout=10_000)
    assert suggest.asked == ["debian docs"]
    assert [b.text() for b in bar.buttons] == QUESTIONS
    # Shown again (another page and back) without asking the documents again.
    page.hide()
    page.show()
    assert suggest.asked == ["debian docs"] and bar.isVisible()

    with qtbot.waitSignal(
        page.panel.busy_changed, timeout=60_000, check_params_cb=lambda busy: not busy
    ):
        qtbot.mouseClick(bar.buttons[1], Qt.MouseButton.LeftButton)
    assert not bar.isVisible()
    question = page.panel.messages()[0]
    assert question.role == "user" and question.content == QUESTIONS[1]

    # The conversation with its question stays without them; a new one offers them again.
    page.open_conversation(page.panel.conversation_id)
    assert not bar.isVisible()
    page.open_conversation(None)
    qtbot.waitUntil(lambda: len(bar.buttons) == 2 and bar.isVisible(), timeout=10_000)


def test_no_questions_are_offered_without_documents_or_where_they_give_none(
    qtbot: QtBot, make_page: Callable[..., ChatPage], assistants: AssistantStore,
    helper: Assistant,
) -> None:  # fmt: skip
    suggest = Headings([])
    page = make_page(suggest)
    assert suggest.asked == [] and not page.suggestions.isVisible()  # no documents to ask

    assistants.save(replace(helper, collections=(CollectionRef(name="empty"),)))
    page.refresh()
    page.open_conversation(None)
    qtbot.waitUntil(lambda: suggest.asked == ["empty"], timeout=10_000)
    qtbot.wait(100)  # the empty answer has come back: nothing to show, not even a title
    assert not page.suggestions.isVisible() and page.suggestions.buttons == []
