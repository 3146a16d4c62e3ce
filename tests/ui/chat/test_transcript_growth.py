"""A streaming answer that gains a line or a paragraph, in a conversation longer than the
window: the window is laid out once from the top (no message is squeezed into its old height
and laid out again) and only what changed is drawn, not every message on screen; and once it
ends, only the new question and answer are made again."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QEvent, QObject
from pytestqt.qtbot import QtBot

from assistant_builder.core.conversations.store import Message
from assistant_builder.ui.chat.transcript import MarkdownLabel, MessageView, TranscriptView

PARAGRAPH = " ".join(f"word{n}" for n in range(60))


class Events(QObject):
    """Counts the paint and resize events of the widgets it watches."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: Counter[tuple[str, int]] = Counter()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Paint, QEvent.Type.Resize):
            self.seen[(event.type().name, id(watched))] += 1
        return False


def _labels(view: MessageView) -> list[MarkdownLabel]:
    return [view.body.itemAt(i).widget() for i in range(view.body.count())]


def test_a_growing_answer_redraws_neither_the_messages_above_nor_the_rest_of_itself(
    qtbot: QtBot,
) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    view.resize(700, 400)
    view.show()
    qtbot.waitExposed(view)
    for n in range(3):
        view.add("user", f"Question {n}?")
        view.add("assistant", "\n\n".join([PARAGRAPH] * 3))
    streaming = view.begin_stream()
    view.stream(f"{PARAGRAPH}\n\n{PARAGRAPH}\n\nThe last")
    view.flush()
    qtbot.wait(100)
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()
    events = Events()
    above = [w for v in view.views[-4:-1] for w in (v, *_labels(v))]
    first, *_ = _labels(streaming)
    for widget in [*above, first]:
        widget.installEventFilter(events)

    for step in range(12):  # the last paragraph grows by lines, then a new one starts
        view.stream(" and then" * 6 + ("\n\nA new paragraph" if step == 6 else ""))
        view.flush()
        qtbot.wait(20)

    assert bar.value() == bar.maximum()  # the view kept to the end
    assert len(_labels(streaming)) == 4
    assert not events.seen, f"redrawn or laid out again: {events.seen}"


def test_after_an_answer_only_the_new_question_and_answer_are_made_again(qtbot: QtBot) -> None:
    """The stored conversation is shown again once an answer ends: the messages it already
    showed keep their views (rebuilding every one took longer the longer it was)."""
    view = TranscriptView()
    qtbot.addWidget(view)
    view.show()
    earlier = [
        Message(1, 1, "user", "When is the rent due?", True, 0.0),
        Message(2, 1, "assistant", "On the first of the month.", True, 0.0),
    ]
    view.show_messages(earlier)
    shown = list(view.views)
    view.add("user", "And the deposit?")
    view.begin_stream()
    view.stream("Two months of rent.")
    view.end_stream()
    stored = [
        *earlier,
        Message(3, 1, "user", "And the deposit?", True, 0.0),
        Message(4, 1, "assistant", "Two months of rent.", True, 0.0),
    ]
    view.show_messages(stored)
    assert view.views[:2] == shown
    assert [v.message_id for v in view.views] == [1, 2, 3, 4]
    assert [v.text for v in view.views] == [m.content for m in stored]
    # Another conversation shares nothing with it.
    view.show_messages([Message(9, 2, "user", "Hello?", True, 0.0)])
    assert [v.message_id for v in view.views] == [9] and view.views[0] not in shown
