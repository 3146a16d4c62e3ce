"""The final prompt for a model server: the server applies its own chat template, so what the
app can show is the list of messages exactly as they are sent, laid out to read, and counted by
the server's own tokenizer where it offers one, else by a clearly labelled estimate."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from math import ceil

from assistant_builder.core.engine.prompt import RenderedPrompt
from assistant_builder.core.engine.protocol import ChatMessage

Counter = Callable[[str], int]
"""Tokens in a text, as the server's tokenizer counts them."""

# Pieces a tokenizer never joins: a digit, a run of letters, a punctuation mark, a line break.
_PIECES = re.compile(r"\d|[^\W\d]+|[^\w\s]|\n")

SERVER_NOTICE = (
    "The server applies its own chat template, so the messages are shown as they are sent."
)
ESTIMATE_NOTICE = (
    "The server applies its own chat template, so the messages are shown as they are sent; "
    "it does not count tokens for the app, so the token counts are estimates."
)


def estimate_tokens(text: str) -> int:
    """An estimate of the tokens in ``text`` for a server that does not count them: each
    piece a token, a long word one per 4 letters (3 bytes outside ASCII). It errs on the long
    side for the languages a model knows well, so a prompt is trimmed a little early rather
    than overflowing the server's context."""
    total = 0
    for piece in _PIECES.findall(text):
        size = len(piece.encode("utf-8"))
        total += max(1, ceil(size / (4 if piece.isascii() else 3)))
    return total


def messages_text(messages: Sequence[ChatMessage]) -> str:
    """The messages laid out to read: each one's role on a line of its own, then its text."""
    return "".join(f"[{m.role}]\n{m.content}\n\n" for m in messages)


class MessagesPromptBuilder:
    """A prompt builder (engine/prompt.py PromptMeasure) for a model served elsewhere."""

    def __init__(self, counter: Counter | None = None) -> None:
        self.estimated = counter is None
        self._count: Counter = counter or estimate_tokens

    @property
    def notice(self) -> str:
        return ESTIMATE_NOTICE if self.estimated else SERVER_NOTICE

    def render_text(self, messages: Sequence[ChatMessage], *, add_generation_prompt: bool) -> str:
        # The server writes the assistant's opening itself: there is nothing to add here.
        return messages_text(messages)

    def build(self, messages: Sequence[ChatMessage]) -> RenderedPrompt:
        text = messages_text(messages)
        return RenderedPrompt(text, (), self.notice, self.count(text))

    def count(self, text: str) -> int:
        return self._count(text) if text else 0
