"""Amounts of text in the words a person reads: the model's tokens never reach a sentence."""

from __future__ import annotations

from assistant_builder.core.engine.prompt import ContextOverflow
from assistant_builder.core.errors import about_words, words_in


def test_amounts_are_said_in_rounded_words() -> None:
    assert about_words(4096) == "about 3,100 words"
    assert about_words(1024) == "about 770 words"
    assert about_words(41) == "about 31 words"
    assert about_words(1) == "about 1 word"
    # "Shorten it by" rounds up, so shortening by the figure is enough.
    assert words_in(1001, at_least=True) == 760 > words_in(1001)


def test_a_full_conversation_says_so_without_tokens() -> None:
    message = str(ContextOverflow(prompt_tokens=4000, answer_room=200, context_size=4096))
    assert "token" not in message and "context size" not in message
    assert "memory for the conversation (about 3,100 words)" in message
