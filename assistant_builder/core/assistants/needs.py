"""The context an assistant actually needs: its instructions, examples, the passages it asks
for, a few earlier turns and room for its answer; and “will it run?” for that assistant on a
model, with the attention-cache type that makes it fit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.engine.messages_prompt import estimate_tokens
from assistant_builder.core.errors import MEMORY, about_words
from assistant_builder.core.knowledge.collection import CollectionConfig
from assistant_builder.core.models.fit import FitEstimate, Machine, ModelShape, fit_with_cache

# Earlier exchanges a conversation keeps in the prompt when there is room for them.
HISTORY_TURNS = 2
QUESTION_TOKENS = 64  # a typical question
PER_MESSAGE = 8  # the chat template's markers around each message
PASSAGE_TOKENS = CollectionConfig.chunk_tokens + 24  # a chunk and its source line


@dataclass(frozen=True)
class ContextNeed:
    instructions: int
    examples: int
    passages: int
    history: int
    answer: int

    @property
    def total(self) -> int:
        return self.instructions + self.examples + self.passages + self.history + self.answer


def context_need(
    assistant: Assistant, count: Callable[[str], int] = estimate_tokens
) -> ContextNeed:
    answer = assistant.sampling.max_tokens
    return ContextNeed(
        instructions=count(assistant.system_prompt) + PER_MESSAGE,
        examples=sum(
            count(e.user) + count(e.assistant) + 2 * PER_MESSAGE
            for e in assistant.examples
            if e.filled
        ),
        passages=sum(ref.top_k for ref in assistant.collections) * PASSAGE_TOKENS,
        history=HISTORY_TURNS * (QUESTION_TOKENS + answer + 2 * PER_MESSAGE),
        answer=QUESTION_TOKENS + PER_MESSAGE + answer,
    )


@dataclass(frozen=True)
class AssistantFit:
    estimate: FitEstimate
    kv_cache_type: str  # "f16" or "q8_0": what the engine loads with
    need: ContextNeed

    @property
    def sentence(self) -> str:
        """One line for the editor: the verdict, and whether the context is large enough."""
        line = f"{self.estimate.verdict}: {self.estimate.reason}"
        if self.need.total > self.estimate.context_size:
            line += (
                f" This assistant needs {MEMORY} for {about_words(self.need.total)} (its "
                "instructions, examples, passages, recent turns and answer); give it more "
                f"{MEMORY} or ask for fewer passages."
            )
        return line


def assistant_fit(
    assistant: Assistant, shape: ModelShape, machine: Machine, kv_setting: str = "auto"
) -> AssistantFit:
    """“Will it run?” for this assistant at its context size, with the cache type to use."""
    estimate, kv_type = fit_with_cache(shape, assistant.context_size, machine, kv_setting)
    return AssistantFit(estimate, kv_type, context_need(assistant))
