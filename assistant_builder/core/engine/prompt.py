"""Turning messages into the exact prompt a model evaluates: its chat template rendered in the
sandbox, then its own tokenizer. The engine and the preview both go through here, so what the
user sees is what the model gets."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant_builder.core.engine.protocol import ChatMessage
from assistant_builder.core.engine.templates import (
    ChatTemplate,
    ChatTemplateError,
    choose_template,
    fallback_for,
    render,
    template_switches_thinking,
)
from assistant_builder.core.errors import MEMORY, EngineError, about_words


class Tokenizer(Protocol):
    """What prompt building needs of a model's vocabulary (llama_runtime.Vocabulary has it)."""

    metadata: Mapping[str, str]
    bos_token: str
    eos_token: str
    adds_bos: bool

    def tokenize(self, text: str) -> list[int]: ...

    def is_special_token(self, text: str) -> bool: ...


class ContextOverflow(EngineError):
    """The prompt does not leave room for an answer within the context size."""

    def __init__(self, *, prompt_tokens: int, answer_room: int, context_size: int) -> None:
        super().__init__(
            f"This conversation fills the model's {MEMORY} ({about_words(context_size)}), "
            "leaving too little room for an answer; start a new conversation, shorten the "
            f"instructions or give the assistant more {MEMORY}."
        )
        self.prompt_tokens = prompt_tokens
        self.needed = prompt_tokens + answer_room
        self.context_size = context_size

    @property
    def room(self) -> int:
        """Tokens left for the answer (negative: the prompt alone is too long)."""
        return self.context_size - self.prompt_tokens


@dataclass(frozen=True)
class RenderedPrompt:
    text: str
    # What a local model evaluates; empty for a model server, which tokenizes the messages itself.
    token_ids: tuple[int, ...]
    template_notice: str
    token_count: int  # len(token_ids) here; for a server, its own count (or an estimate)


class PromptMeasure(Protocol):
    """What the final prompt needs of a prompt builder: the text a model is given for some
    messages, and its length in tokens. PromptBuilder renders a local model's chat template;
    engine/messages_prompt.py lays out the messages sent to a server."""

    @property
    def notice(self) -> str: ...

    def render_text(
        self, messages: Sequence[ChatMessage], *, add_generation_prompt: bool
    ) -> str: ...

    def build(self, messages: Sequence[ChatMessage]) -> RenderedPrompt: ...

    def count(self, text: str) -> int: ...


class PromptBuilder:
    """Renders and tokenizes prompts for one model with one template choice."""

    def __init__(
        self,
        tokenizer: Tokenizer,
        template_override: str | None = None,
        *,
        thinking: bool | None = None,
    ) -> None:
        self.tokenizer = tokenizer
        self.template: ChatTemplate = choose_template(
            tokenizer.metadata, tokenizer.is_special_token, template_override
        )
        self.thinking = thinking  # the template's enable_thinking; None: not given

    def with_thinking(self, thinking: bool | None) -> PromptBuilder:
        """The same model and template with thinking switched on or off."""
        twin = copy.copy(self)
        twin.thinking = thinking
        return twin

    @property
    def switches_thinking(self) -> bool:
        """Whether this template lets thinking be switched on and off."""
        return template_switches_thinking(self.template.source)

    @property
    def notice(self) -> str:
        return self.template.notice

    def render_text(self, messages: Sequence[ChatMessage], *, add_generation_prompt: bool) -> str:
        if not messages:
            return ""
        tok = self.tokenizer
        try:
            text = render(
                self.template,
                messages,
                bos_token=tok.bos_token,
                eos_token=tok.eos_token,
                add_generation_prompt=add_generation_prompt,
                enable_thinking=self.thinking,
            )
        except ChatTemplateError as err:
            if self.template.origin != "model":
                raise  # the user's own template: they are told what to correct
            # The model's own template broke on this conversation, or reached outside the
            # sandbox: keep chatting on the family's known-good one, and say so.
            self.template = fallback_for(self.template, err)
            return self.render_text(messages, add_generation_prompt=add_generation_prompt)
        # The model expects a BOS token its template does not write: show it in the text too.
        if tok.adds_bos and tok.bos_token and not text.startswith(tok.bos_token):
            text = tok.bos_token + text
        return text

    def build(self, messages: Sequence[ChatMessage]) -> RenderedPrompt:
        text = self.render_text(messages, add_generation_prompt=True)
        ids = tuple(self.tokenizer.tokenize(text))
        return RenderedPrompt(text, ids, self.notice, len(ids))

    def count(self, text: str) -> int:
        return len(self.tokenizer.tokenize(text))

    def fixed_prefix(
        self, messages: Sequence[ChatMessage], fixed: int, prompt: RenderedPrompt
    ) -> int:
        """How many of ``prompt``'s tokens are those of its first ``fixed`` messages alone: the
        tokens both renderings share (a template may end a message differently when more
        follow, and words can join across the seam)."""
        if fixed <= 0 or fixed >= len(messages):
            return 0
        text = self.render_text(messages[:fixed], add_generation_prompt=False)
        shared = 0
        for a, b in zip(self.tokenizer.tokenize(text), prompt.token_ids, strict=False):
            if a != b:
                break
            shared += 1
        return shared

    @property
    def template_id(self) -> str:
        """A short name of the chat template in use (and of the thinking switch it gets)."""
        key = f"{self.template.source}\0{self.thinking}".encode()
        return hashlib.sha256(key).hexdigest()[:16]


def check_room(prompt_tokens: int, context_size: int, *, answer_room: int = 1) -> None:
    """Raise ContextOverflow when fewer than ``answer_room`` tokens are left for the answer."""
    if prompt_tokens + answer_room > context_size:
        raise ContextOverflow(
            prompt_tokens=prompt_tokens, answer_room=answer_room, context_size=context_size
        )
