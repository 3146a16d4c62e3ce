"""A reasoning model's thinking in the chat: a collapsed “Thinking…” section above the answer,
while it streams and after, opened with one click; the answer's text never holds it."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from assistant_builder.core.conversations.store import Message
from assistant_builder.ui.chat.transcript import TranscriptView

THOUGHT = "The lease says rent is due on the 1st."
ANSWER = "Rent is due on the 1st of each month."


def test_thinking_streams_into_a_collapsed_section_and_stays_after(qtbot: QtBot) -> None:
    transcript = TranscriptView()
    qtbot.addWidget(transcript)
    transcript.show()
    view = transcript.begin_stream()
    for piece in ("The lease says ", "rent is due on the 1st."):
        transcript.stream_thinking(piece)
    transcript.flush()
    assert not view.thinking.isHidden() and view.thinking.toggle.text() == "Thinking…"
    assert view.thinking.body.isHidden() and view.text == ""
    transcript.stream(ANSWER)
    transcript.end_stream()
    assert view.text == ANSWER and view.thinking.text == THOUGHT
    view.thinking.toggle.click()
    assert not view.thinking.body.isHidden() and view.thinking.body.text() == THOUGHT
    view.thinking.toggle.click()
    assert view.thinking.body.isHidden()

    # Reopened later: the saved thinking is there, collapsed; an answer without it shows none.
    saved = Message(2, 1, "assistant", ANSWER, True, 0.0, reasoning=THOUGHT)
    plain = Message(3, 1, "assistant", ANSWER, True, 0.0)
    transcript.show_messages([saved, plain])
    first, second = transcript.views
    assert not first.thinking.isHidden() and not first.thinking.is_open
    assert first.text == ANSWER and THOUGHT not in first.text
    assert second.thinking.isHidden()
