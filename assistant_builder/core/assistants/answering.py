"""Answering a question with an assistant, end to end: its model loaded with the right
settings, passages retrieved from its collections, the final prompt built and trimmed, the
answer streamed and kept in the conversation with its citations.

The command line (ask, chat, serve) and the app all go through ``answer`` (by way of
session.AnswerSession); the editor's preview builds its prompt with the same ``prepare``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from assistant_builder.core.assistants.attribution import Attribution, attribute
from assistant_builder.core.assistants.final_prompt import FinalPrompt, final_prompt
from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.prompt import Passage
from assistant_builder.core.assistants.sieve import candidates, sift
from assistant_builder.core.assistants.stages import Stage
from assistant_builder.core.assistants.thinking import ThinkingDelta, opens_thinking
from assistant_builder.core.assistants.turn import Answer, Attributor, run_turn
from assistant_builder.core.assistants.variables import standard_values
from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.citation import Grounding, RetrievedPassage
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.engine.prompt import PromptMeasure
from assistant_builder.core.engine.protocol import (
    Adapter,
    ChatEvent,
    ChatMessage,
    LoadOptions,
    SamplingOptions,
    TextDelta,
)
from assistant_builder.core.errors import AppError, AssistantError, ModelMissing
from assistant_builder.core.knowledge.word_counts import WordFrequencies
from assistant_builder.core.models.fit import Machine, detect_machine
from assistant_builder.core.models.library import fit_for, plan_for
from assistant_builder.core.models.registry import InstalledModel, ModelRegistry

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

log = logging.getLogger(__name__)

Retriever = Callable[[Assistant, str], list[Passage]]
"""Passages for a question from the assistant's collections, best first (knowledge adapter)."""


def no_retrieval(assistant: Assistant, question: str) -> list[Passage]:
    return []


CollectionEmbed = Callable[[str, Sequence[str]], "npt.NDArray[np.float32]"]
"""Unit-length vectors of texts by the embedder of the named collection (knowledge adapter):
how the app's attribution weighs meaning, not only words."""


CollectionFrequencies = Callable[[str, Sequence[str]], WordFrequencies]
"""How many of the named collection's passages hold each word (knowledge adapter): how
attribution weighs a rare word above a common one."""


def attributor(
    embed: CollectionEmbed | None,
    passages: Sequence[Passage],
    frequencies: CollectionFrequencies | None = None,
) -> Attributor | None:
    """Attribution with the embedder and the word counts of the collection the passages came
    from; by plain words alone when there are none or they fail (the answer is never lost
    to it)."""
    collection = next((p.collection for p in passages if p.collection), "")
    if (embed is None and frequencies is None) or not collection:
        return None

    def by_meaning(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        assert embed is not None
        return embed(collection, texts)

    def counted(words: Sequence[str]) -> WordFrequencies:
        assert frequencies is not None
        return frequencies(collection, words)

    def run(text: str, sent: Sequence[Passage]) -> Attribution:
        try:
            return attribute(
                text, sent, embed=None if embed is None else by_meaning,
                frequencies=None if frequencies is None else counted,
            )  # fmt: skip
        except AppError:
            log.warning("attribution with the collection failed; by words alone", exc_info=True)
            return attribute(text, sent)

    return run


class AnsweringEngine(Protocol):
    """What answering needs of an engine: the local engine and the remote one (a model server)
    both have all of it, as the check at the end of this module proves."""

    context_size: int

    @property
    def prompt_builder(self) -> PromptMeasure: ...

    @property
    def loaded_options(self) -> LoadOptions | None: ...

    def load(self, options: LoadOptions, *, cancel: CancelToken = NEVER) -> None: ...

    def chat(
        self,
        messages: Sequence[ChatMessage],
        sampling: SamplingOptions,
        *,
        cancel: CancelToken = NEVER,
        fixed: int = 0,
    ) -> Iterator[ChatEvent]: ...

    def unload(self) -> None: ...


def find_model(registry: ModelRegistry, assistant: Assistant) -> InstalledModel:
    """The installed model the assistant names: by id, or by sha256 when it came from a bundle."""
    models = registry.list()
    for model in models:
        if model.id == assistant.model.id:
            return model
    if assistant.model.sha256:
        for model in models:
            if model.sha256 == assistant.model.sha256:
                return model
    raise ModelMissing(
        f"The model of “{assistant.name}” ({assistant.model.id or 'none'}) is not installed; "
        "download it on the Models page or choose another model for this assistant."
    )


def load_options(
    assistant: Assistant,
    registry: ModelRegistry,
    *,
    threads: int = 0,
    gpu_layers: int = -1,
    machine: Machine | None = None,
    kv_cache: str = "auto",
) -> LoadOptions:
    """How to load the assistant's model. GPU layers of -1 (the default setting) and the
    "auto" memory type take the "will it run?" estimate for this machine and context size."""
    model = find_model(registry, assistant)
    adapters = []
    for ref in assistant.adapters:
        adapter = next((m for m in registry.list(kind="adapter") if m.id == ref.id), None)
        if adapter is None:
            raise ModelMissing(
                f"The adapter “{ref.id}” of “{assistant.name}” is not installed; "
                "add it on the Models page or remove it from the assistant."
            )
        adapters.append(Adapter(adapter.path, ref.scale))
    kv_type = kv_cache
    automatic = None
    if gpu_layers < 0 or kv_cache == "auto":
        estimate, kv_type = fit_for(
            model, assistant.context_size, machine or detect_machine(), kv_cache
        )
    if gpu_layers < 0:  # the engine places the layers on the cards it finds (any vendor)
        gpu_layers = estimate.gpu_layers
        automatic = plan_for(model, assistant.context_size, kv_type)
    return LoadOptions(
        model_path=model.path,
        adapters=tuple(adapters),
        context_size=assistant.context_size,
        threads=threads,
        gpu_layers=gpu_layers,
        automatic_layers=automatic,
        chat_template=assistant.chat_template or None,
        thinking=assistant.thinks(),
        kv_cache_type=kv_type,
        model_sha256=model.sha256,
    )


def answer_room(assistant: Assistant, context_size: int) -> int:
    """Tokens kept free for the answer: its maximum length, but never more than half the context."""
    return max(16, min(assistant.sampling.max_tokens, context_size // 2))


def history_of(conversations: ConversationStore, conversation_id: int) -> list[ChatMessage]:
    """Earlier turns as the model sees them: refusals and empty answers left out."""
    out: list[ChatMessage] = []
    for message in conversations.messages(conversation_id):
        if message.role in ("user", "assistant") and message.content.strip():
            if message.role == "assistant" and message.stop_reason == "refused":
                continue
            out.append(ChatMessage(message.role, message.content))  # type: ignore[arg-type]
    return out


def check_question(question: str) -> None:
    if not question.strip():
        raise AssistantError("The question is empty; type what you want to ask.")


def prepare(
    assistant: Assistant,
    question: str,
    *,
    builder: PromptMeasure,
    context_size: int,
    user_name: str,
    history: Sequence[ChatMessage] = (),
    passages: Sequence[Passage] = (),
    now: datetime | None = None,
) -> FinalPrompt:
    """The final prompt for a question: the one function both answering and the editor's
    preview call, so what the person sees is what the model gets."""
    variables = standard_values(
        now=now or datetime.now(), user_name=user_name, assistant_name=assistant.name
    )
    return final_prompt(
        assistant, question, builder=builder, context_size=context_size,
        answer_room=answer_room(assistant, context_size), variables=variables,
        history=history, passages=candidates(assistant, passages),
    )  # fmt: skip


def retrieval_record(
    assistant: Assistant, found: Sequence[Passage], final: FinalPrompt
) -> tuple[RetrievedPassage, ...]:
    """Every passage the search found and every pinned one, with its number in the prompt or
    why it was left out."""
    sent = {(p.source, p.start, p.end): p.n for p in final.assembled.passages}
    out = []
    for p, excluded in ((s.passage, s.excluded) for s in sift(assistant, found)):
        n = sent.get((p.source, p.start, p.end), 0)
        relevance = p.relevance if p.relevance is not None else p.score
        left_out = ""
        if not n:
            low = not p.pinned and relevance < assistant.min_score_for(p.collection)
            left_out = excluded or ("below_minimum" if low else "no_room")
        out.append(
            RetrievedPassage(
                p.source,
                p.page,
                p.start,
                p.end,
                p.text,
                relevance,
                keyword=p.keyword,
                meaning=p.meaning,
                collection=p.collection,
                n=n,
                left_out=left_out,
                pinned=p.pinned,
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class Prepared:
    """The first event of an answer: where it is kept and the exact prompt sent."""

    conversation_id: int
    final: FinalPrompt

    @property
    def template_notice(self) -> str:
        """The sentence saying the model's chat template was replaced, or "" when it was not."""
        return self.final.preview.template_notice if self.final.preview is not None else ""


def answer(
    assistant: Assistant,
    question: str,
    *,
    engine: AnsweringEngine,
    options: LoadOptions,
    conversations: ConversationStore,
    conversation_id: int | None = None,
    retrieve: Retriever = no_retrieval,
    embed: CollectionEmbed | None = None,
    frequencies: CollectionFrequencies | None = None,
    user_name: str = "",
    passages: Sequence[Passage] | None = None,
    cancel: CancelToken = NEVER,
) -> Iterator[Stage | Prepared | TextDelta | ThinkingDelta | Answer]:
    """Yield the stages as they begin (reading the documents, the question, writing),
    Prepared, the answer's text (and the model's thinking) as it streams, then the Answer
    (also saved). ``passages``: found already (Compare retrieves once for every variant);
    None: searched here in the assistant's collections."""
    check_question(question)
    if engine.loaded_options != options:
        engine.load(options, cancel=cancel)
    cancel.raise_if_cancelled()
    if conversation_id is None:
        conversation_id = conversations.create(assistant.id).id
    history = history_of(conversations, conversation_id)
    if passages is None:
        passages = []
        if assistant.collections:
            yield Stage("documents")
            passages = retrieve(assistant, question)
    final = prepare(
        assistant, question, builder=engine.prompt_builder, context_size=engine.context_size,
        user_name=user_name, history=history, passages=passages,
    )  # fmt: skip
    conversations.add_message(conversation_id, "user", question)
    yield Prepared(conversation_id, final)
    writer = conversations.start_answer(
        conversation_id, model=assistant.model.id, settings=asdict(assistant.sampling)
    )
    grounding = Grounding(
        question, retrieval_record(assistant, passages, final),
        strict=assistant.only_from_documents,
    )  # fmt: skip
    yield from run_turn(
        engine, final.assembled, assistant.sampling, writer=writer,
        grounding=grounding,
        attribute_with=attributor(embed, final.assembled.passages, frequencies),
        thinking_until=opens_thinking(final.preview.text if final.preview else ""),
        cancel=cancel,
    )  # fmt: skip


if TYPE_CHECKING:  # mypy proves both engines keep the answering seam's promises
    from assistant_builder.core.engine.local import LocalEngine
    from assistant_builder.core.engine.remote import RemoteEngine

    def _local_answers(engine: LocalEngine) -> AnsweringEngine:
        return engine

    def _remote_answers(engine: RemoteEngine) -> AnsweringEngine:
        return engine
