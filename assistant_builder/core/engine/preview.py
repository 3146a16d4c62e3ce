"""The final-prompt preview: labelled messages (instructions, examples, history, the question
with its passages) laid out as the exact text the model receives, with a token count per part
and the room left for the answer. What goes into the messages is decided by
core/assistants/prompt.py; trimming to fit is core/assistants/final_prompt.py."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from assistant_builder.core.engine.prompt import PromptBuilder, PromptMeasure
from assistant_builder.core.engine.protocol import ChatMessage

Labelled = Sequence[tuple[str, ChatMessage]]
"""Messages with the part each belongs to: instructions, examples, history or question."""


@dataclass(frozen=True)
class PartTokens:
    name: str  # instructions | examples | history | documents | question
    tokens: int


@dataclass(frozen=True)
class PromptPreview:
    text: str
    token_ids: tuple[int, ...]  # empty for a model server (it tokenizes the messages itself)
    parts: tuple[PartTokens, ...]
    context_size: int
    total_tokens: int
    template_notice: str = ""
    dropped: tuple[str, ...] = ()  # plain descriptions of what was left out to make room

    @property
    def room_for_answer(self) -> int:
        return self.context_size - self.total_tokens

    def tokens_of(self, name: str) -> int:
        return sum(p.tokens for p in self.parts if p.name == name)


def build_preview(
    builder: PromptMeasure, labelled: Labelled, context_size: int, *, documents_text: str = ""
) -> PromptPreview:
    """The exact prompt for ``labelled`` with a token count per part; the counts add up to the
    total because each is the growth of the rendered prompt when that message is added.
    ``documents_text`` is the passages block inside the newest message, counted apart."""
    messages = [m for _, m in labelled]
    prompt = builder.build(messages)
    used = builder.notice  # a fallback taking over midway says so in a new notice
    counts: dict[str, int] = {}
    previous = 0
    for k, (name, _) in enumerate(labelled[:-1], start=1):
        length = builder.count(builder.render_text(messages[:k], add_generation_prompt=False))
        counts[name] = counts.get(name, 0) + length - previous
        previous = length
    if builder.notice != used:
        # The model's own template failed on a shorter part and the fallback took over:
        # count everything again on the template the prompt is now written with.
        return build_preview(builder, labelled, context_size, documents_text=documents_text)
    last = prompt.token_count - previous
    documents = builder.count(documents_text) if documents_text else 0
    counts["documents"] = min(documents, last)
    counts["question"] = last - counts["documents"]
    order = ("instructions", "examples", "documents", "history", "question")
    return PromptPreview(
        text=prompt.text,
        token_ids=prompt.token_ids,
        parts=tuple(PartTokens(n, counts.get(n, 0)) for n in order),
        context_size=context_size,
        total_tokens=prompt.token_count,
        template_notice=prompt.template_notice,
    )


@contextmanager
def vocabulary_builder(
    model_path: str, template_override: str | None = None
) -> Iterator[PromptBuilder]:
    """A prompt builder for a model that is not loaded: only its vocabulary is read (no
    weights), so the final prompt can be shown while the person edits an assistant."""
    from assistant_builder.core.engine.llama_runtime import Vocabulary

    vocabulary = Vocabulary(model_path)
    try:
        yield PromptBuilder(vocabulary, template_override)
    finally:
        vocabulary.close()
