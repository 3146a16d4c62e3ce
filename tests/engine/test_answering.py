"""Answering end to end with the real SmolLM2: load options from the assistant, the final
prompt, the streamed answer, and the conversation that keeps it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from assistant_builder.core.assistants.answering import (
    Prepared,
    answer,
    find_model,
    load_options,
)
from assistant_builder.core.assistants.model import Assistant, CollectionRef, ModelRef
from assistant_builder.core.assistants.prompt import Passage
from assistant_builder.core.assistants.stages import Stage
from assistant_builder.core.assistants.turn import Answer
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.engine.protocol import TextDelta
from assistant_builder.core.engine.sampling import SamplingOptions
from assistant_builder.core.errors import AssistantError
from assistant_builder.core.models.fit import Machine
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.paths import Paths

pytestmark = pytest.mark.integration

GREEDY = SamplingOptions(temperature=0.0, seed=1, max_tokens=24)
PASSAGE = Passage(1, "/docs/cats.txt", None, 0, 40, "Cats sleep for about 15 hours a day.", 0.8)


@pytest.fixture
def registry(smollm2_registry: ModelRegistry) -> ModelRegistry:
    return smollm2_registry


@pytest.fixture
def local_engine() -> Iterator[object]:
    from assistant_builder.core.engine.local import LocalEngine

    engine = LocalEngine()
    yield engine
    engine.unload()


def _assistant(**changes: object) -> Assistant:
    base = Assistant(
        id="cats", name="Cat expert", model=ModelRef(id="smollm2"), sampling=GREEDY,
        context_size=1024, system_prompt="You are {assistant_name}. Be brief.",
        collections=(CollectionRef("pets"),),
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def test_an_answer_streams_is_saved_and_the_next_turn_sees_it(
    app_home: Paths, registry: ModelRegistry, local_engine: object
) -> None:
    assistant = _assistant()
    options = load_options(assistant, registry, threads=1, machine=Machine(16 << 30, 8 << 30))
    assert options.gpu_layers == 0 and options.context_size == 1024  # no GPU: the estimate says 0
    store = ConversationStore(app_home.conversations_db)
    asked: list[str] = []

    def retrieve(a: Assistant, question: str) -> list[Passage]:
        asked.append(question)
        return [PASSAGE]

    events = list(answer(assistant, "How long do cats sleep?", engine=local_engine,  # type: ignore[arg-type]
                         options=options, conversations=store, retrieve=retrieve))  # fmt: skip
    # What the person is told meanwhile, in order: the documents are read while the model
    # waits, then the question (the prompt), then the answer is written.
    kinds = [e.kind if isinstance(e, Stage) else type(e).__name__ for e in events]
    first_word = kinds.index("TextDelta")
    assert kinds[:3] == ["documents", "Prepared", "reading"]
    assert set(kinds[2 : first_word - 1]) == {"reading"} and kinds[first_word - 1] == "writing"
    assert [e.sentence for e in events if isinstance(e, Stage)][:2] == [
        "Reading your documents…", "Reading your question…",
    ]  # fmt: skip
    prepared = events[1]
    final = events[-1]
    deltas = events[2:-1]
    assert isinstance(prepared, Prepared) and isinstance(final, Answer)
    assert asked == ["How long do cats sleep?"]
    assert prepared.final.preview is not None
    assert "You are Cat expert." in prepared.final.preview.text
    assert "Cats sleep for about 15 hours" in prepared.final.preview.text
    streamed = "".join(d.text for d in deltas if isinstance(d, TextDelta))
    assert streamed.strip() and final.text == streamed
    assert final.usage.prompt_tokens == prepared.final.preview.total_tokens
    saved = store.messages(prepared.conversation_id)
    assert [(m.role, m.complete) for m in saved] == [("user", True), ("assistant", True)]
    assert saved[1].content == streamed and saved[1].model == "smollm2"
    assert saved[1].timings["total_s"] > 0 and saved[1].usage["completion_tokens"] > 0

    again = list(answer(assistant, "And dogs?", engine=local_engine, options=options,  # type: ignore[arg-type]
                        conversations=store, conversation_id=prepared.conversation_id,
                        retrieve=retrieve))  # fmt: skip
    second = again[1]
    assert isinstance(second, Prepared)
    contents = [m.content for m in second.final.assembled.messages]
    assert "How long do cats sleep?" in contents and streamed in contents
    assert len(store.messages(prepared.conversation_id)) == 4


def test_only_from_documents_with_nothing_found_refuses_without_the_model(
    app_home: Paths, registry: ModelRegistry, local_engine: object
) -> None:
    assistant = _assistant(only_from_documents=True, refusal_text="I cannot find that.")
    options = load_options(assistant, registry, threads=1, gpu_layers=0)
    store = ConversationStore(app_home.conversations_db)
    events = list(answer(assistant, "Who won the match?", engine=local_engine,  # type: ignore[arg-type]
                         options=options, conversations=store,
                         retrieve=lambda a, q: []))  # fmt: skip
    final = events[-1]
    assert isinstance(final, Answer) and final.refused and final.text == "I cannot find that."
    assert local_engine.last_prompt is None  # type: ignore[attr-defined]


def test_a_missing_model_is_one_plain_sentence(app_home: Paths, registry: ModelRegistry) -> None:
    with pytest.raises(AssistantError, match="is not installed; download it on the Models page"):
        find_model(registry, _assistant(model=ModelRef(id="gone")))
    # A bundle from another computer finds the model by its checksum.
    same = _assistant(model=ModelRef(id="other-name", sha256="b1" * 32))
    assert find_model(registry, same).id == "smollm2"


def test_the_answer_keeps_what_the_search_found_and_what_became_of_each_passage(
    app_home: Paths, registry: ModelRegistry, local_engine: object
) -> None:
    low = Passage(2, "/docs/dogs.txt", None, 0, 30, "Dogs bark at the postman.", 0.2)
    assistant = _assistant(collections=(CollectionRef("pets", min_score=0.5),))
    options = load_options(assistant, registry, threads=1, machine=Machine(16 << 30, 8 << 30))
    store = ConversationStore(app_home.conversations_db)
    events = list(answer(assistant, "How long do cats sleep?", engine=local_engine,  # type: ignore[arg-type]
                         options=options, conversations=store,
                         retrieve=lambda a, q: [PASSAGE, low]))  # fmt: skip
    final = events[-1]
    assert isinstance(final, Answer)
    grounding = final.grounding
    assert grounding.query == "How long do cats sleep?"
    sent, below = grounding.retrieved
    assert (sent.source, sent.n, sent.left_out) == ("/docs/cats.txt", 1, "")
    assert (below.source, below.n, below.left_out) == ("/docs/dogs.txt", 0, "below_minimum")
    assert store.message(final.message_id or -1).grounding == grounding  # kept with the answer
