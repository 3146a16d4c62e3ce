"""The final prompt for a model server: the server applies its own chat template, so what the
app can show is the list of messages exactly as they are sent, laid out to read, and counted by
the server's own tokenizer where it offers one, else by a clearly labelled estimate."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from math import ceil

from assistant_builder.core.engine.prompt import RenderedPrompt
from assistant_builder.core.engine.protocol import ChatMessage

Counter = Callable[[str], int]
"""Tokens in a text, as the server's tokenizer counts them."""

# About 3 characters a token: English averages nearer 4, so the estimate errs on the long side
# and the prompt is trimmed a little early rather than overflowing the server's context.
CHARS_PER_TOKEN = 3.0

SERVER_NOTICE = (
    "The server applies its own chat template, so the messages are shown as they are sent."
)
ESTIMATE_NOTICE = (
    "The server applies its own chat template, so the messages are shown as they are sent; "
    "it does not count tokens for the app, so the token counts are estimates."
)


def estimate_tokens(text: str) -> int:
    """An estimate of the tokens in ``text`` for a server that does not count them."""
    return ceil(len(text) / CHARS_PER_TOKEN)


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
