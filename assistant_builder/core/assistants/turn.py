"""One answer, from an assembled prompt to a saved message: streams the engine's text, keeps it
in the conversation as it arrives, and checks the citations once it is complete.

A refused prompt (nothing found in "only from my documents" mode) never reaches the engine.
A reasoning model's thinking is split off here (thinking.py), once for every adapter."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from assistant_builder.core.assistants.attribution import Attribution, attribute
from assistant_builder.core.assistants.prompt import AssembledPrompt, Passage, check_citations
from assistant_builder.core.assistants.stages import Stage
from assistant_builder.core.assistants.thinking import ThinkingDelta, ThinkingSplitter
from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.citation import Citation, Grounding
from assistant_builder.core.conversations.store import AnswerWriter
from assistant_builder.core.engine.protocol import (
    Engine,
    Failed,
    Finished,
    PromptRead,
    SamplingOptions,
    TextDelta,
    Timings,
    Usage,
)
from assistant_builder.core.errors import EngineError

Attributor = Callable[[str, Sequence[Passage]], Attribution]

# Saving every token costs a transaction each; a few per second keep a kill's loss tiny.
SAVE_EVERY_S = 0.25


@dataclass(frozen=True)
class Answer:
    text: str
    citations: tuple[Citation, ...]  # only passages that were sent, in order of first mention
    invented_citations: tuple[int, ...]  # [n] markers naming no passage sent: dropped, flagged
    usage: Usage
    timings: Timings
    stop_reason: str  # stop | length | cancelled | refused
    message_id: int | None = None
    prompt: str = ""  # the exact text the engine evaluated ("" when no model was called)
    grounding: Grounding = field(default_factory=Grounding)  # what the search found
    reasoning: str = ""  # the model's thinking, never part of ``text``

    @property
    def refused(self) -> bool:
        return self.stop_reason == "refused"


def citation_of(passage: Passage) -> Citation:
    return Citation(
        passage.n, passage.source, passage.page, passage.start, passage.end, passage.text,
        passage.relevance if passage.relevance is not None else passage.score,
    )  # fmt: skip


def run_turn(
    engine: Engine,
    prompt: AssembledPrompt,
    sampling: SamplingOptions,
    *,
    writer: AnswerWriter | None = None,
    grounding: Grounding | None = None,
    attribute_with: Attributor | None = None,
    thinking_until: str = "",
    cancel: CancelToken = NEVER,
) -> Iterator[Stage | TextDelta | ThinkingDelta | Answer]:
    """Yield the stages (reading the question, then writing), the answer's text and the
    model's thinking as they stream, then one :class:`Answer`. ``grounding`` says what the
    search found; it is kept with the answer, with the attribution of its sentences
    (``attribute_with``: by words and the collection's embedder; by words alone if not given).
    ``thinking_until``: the closing marker awaited when the prompt itself opened the model's
    thinking."""
    grounding = grounding or Grounding()
    if prompt.refusal is not None:
        if writer is not None:
            writer.append(prompt.refusal)
        yield TextDelta(prompt.refusal)
        yield _finish(
            prompt.refusal, prompt, Usage(0, 0), Timings(0.0, 0.0), "refused", writer, "",
            grounding,
        )  # fmt: skip
        return
    text: list[str] = []
    thought: list[str] = []
    pending: list[str] = []
    last_save = time.monotonic()
    finished: Finished | None = None
    splitter = ThinkingSplitter(thinking_until)
    writing = False

    def pieces(
        split: Sequence[tuple[str, str]], tokens: int
    ) -> Iterator[Stage | TextDelta | ThinkingDelta]:
        nonlocal writing
        for kind, piece in split:
            if not writing:
                writing = True
                yield Stage("writing")
            if kind == "thinking":
                thought.append(piece)
                yield ThinkingDelta(piece)
            else:
                text.append(piece)
                pending.append(piece)
                yield TextDelta(piece, tokens)
            tokens = 0  # the generated tokens are counted once

    try:
        yield Stage("reading")
        for event in engine.chat(prompt.messages, sampling, cancel=cancel, fixed=prompt.fixed):
            if isinstance(event, PromptRead):
                yield Stage("reading", event.done, event.total)
            elif isinstance(event, TextDelta):
                yield from pieces(splitter.feed(event.text), event.tokens)
                if writer is not None and time.monotonic() - last_save >= SAVE_EVERY_S:
                    writer.append("".join(pending))
                    pending.clear()
                    last_save = time.monotonic()
            elif isinstance(event, Finished):
                finished = event
            elif isinstance(event, Failed):
                raise EngineError(event.message)
        yield from pieces(splitter.finish(), 0)
    finally:
        # Whatever arrived is kept, even when the engine fails or the caller stops early.
        if writer is not None and pending:
            writer.append("".join(pending))
    if finished is None:
        raise EngineError("The model stopped without finishing its answer; try again.")
    yield _finish(
        "".join(text), prompt, finished.usage, finished.timings, finished.stop_reason, writer,
        finished.prompt, grounding, attribute_with, "".join(thought).rstrip(),
    )  # fmt: skip


def _finish(
    text: str,
    prompt: AssembledPrompt,
    usage: Usage,
    timings: Timings,
    stop_reason: str,
    writer: AnswerWriter | None,
    evaluated: str,
    grounding: Grounding,
    attribute_with: Attributor | None = None,
    reasoning: str = "",
) -> Answer:
    check = check_citations(text, prompt.passages)
    citations: tuple[Citation, ...] = ()
    if prompt.passages and text.strip():
        # The app attributes each sentence itself: a chip for every passage that supports one,
        # whether or not the model wrote its number; a model's [n] its passage does not back
        # is doubtful, and a sentence no passage supports is marked as not found.
        attribution = (attribute_with or attribute)(text, prompt.passages)
        by_number = {p.n: p for p in prompt.passages}
        citations = tuple(
            replace(citation_of(by_number[used.n]), spans=used.spans)
            for used in attribution.passages
        )
        grounding = replace(
            grounding,
            unsupported=attribution.unsupported,
            doubtful=tuple(
                (n, (s.start, s.end)) for s in attribution.sentences for n in s.doubtful
                if n in by_number
            ),
        )  # fmt: skip
    message_id = None
    if writer is not None:
        writer.finish(
            citations=citations,
            invented_citations=check.unknown,
            usage={"prompt_tokens": usage.prompt_tokens,
                   "completion_tokens": usage.completion_tokens},
            timings={"ttft_s": timings.ttft_s, "total_s": timings.total_s},
            stop_reason=stop_reason,
            grounding=grounding,
            reasoning=reasoning,
        )  # fmt: skip
        message_id = writer.message_id
    return Answer(
        text, citations, check.unknown, usage, timings, stop_reason, message_id, evaluated,
        grounding, reasoning,
    )  # fmt: skip
