"""The final prompt for one question: the assembly rules of prompt.py measured exactly with the
model's own chat template and tokenizer (engine/preview.py) or, for a model server, as the
messages it is sent (engine/messages_prompt.py), trimmed until it fits the context.

This is what the editor's final-prompt panel shows and what ask, chat and serve send: one path,
so the preview is the prompt."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.prompt import AssembledPrompt, Passage, assemble
from assistant_builder.core.engine.preview import PromptPreview, build_preview
from assistant_builder.core.engine.prompt import ContextOverflow, PromptMeasure
from assistant_builder.core.engine.protocol import ChatMessage

# Each round trims by what the exact count exceeded; estimates are close, so few are needed.
MAX_ROUNDS = 6


@dataclass(frozen=True)
class FinalPrompt:
    assembled: AssembledPrompt
    preview: PromptPreview | None  # None when the assistant refuses without calling a model
    answer_room: int

    @property
    def refused(self) -> bool:
        return self.assembled.refused


def final_prompt(
    assistant: Assistant,
    question: str,
    *,
    builder: PromptMeasure,
    context_size: int,
    answer_room: int,
    variables: Mapping[str, str],
    history: Sequence[ChatMessage] = (),
    passages: Sequence[Passage] = (),
) -> FinalPrompt:
    """The exact prompt for ``question``, leaving ``answer_room`` tokens for the answer.

    Raises ContextOverflow (with the room there is) when even the instructions, examples and
    question alone do not fit."""
    budget = context_size - answer_room
    preview: PromptPreview | None = None
    for _ in range(MAX_ROUNDS):
        assembled = assemble(
            assistant, question, history=history, passages=passages,
            variables=variables, count_tokens=builder.count, budget=budget,
        )  # fmt: skip
        if assembled.refused:
            return FinalPrompt(assembled, None, answer_room)
        preview = build_preview(
            builder, assembled.labelled(), context_size, documents_text=assembled.documents_text
        )
        excess = preview.total_tokens + answer_room - context_size
        if excess <= 0:
            return FinalPrompt(
                assembled, replace(preview, dropped=assembled.dropped_descriptions()), answer_room
            )
        budget -= excess
    assert preview is not None
    raise ContextOverflow(
        prompt_tokens=preview.total_tokens, answer_room=answer_room, context_size=context_size
    )
