"""One answer end to end with the scripted engine: streamed, saved while streaming, citations
checked, and a refusal that never reaches the model."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant_builder.core.assistants.model import Assistant, CollectionRef, ModelRef
from assistant_builder.core.assistants.prompt import Passage, assemble
from assistant_builder.core.assistants.stages import Stage
from assistant_builder.core.assistants.turn import Answer, run_turn
from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.conversations.export import to_markdown
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.engine.protocol import LoadOptions, SamplingOptions, TextDelta
from assistant_builder.core.errors import EngineError
from assistant_builder.core.paths import Paths
from tests.fakes import ScriptedEngine

VARS = {"assistant_name": "Lease Helper"}
LEASE = Passage(0, "/docs/lease.pdf", 3, 10, 40, "Rent is due on the 1st.", 0.8, "lease")
PETS = Passage(0, "/docs/rules.txt", None, 0, 20, "Cats are allowed.", 0.7, "lease")


def helper(**changes: object) -> Assistant:
    base = Assistant(
        id="lease-helper",
        name="Lease Helper",
        model=ModelRef("smol"),
        collections=(CollectionRef("lease", min_score=0.5),),
    )
    return replace(base, **changes)


def engine(*replies: str, **kwargs: object) -> ScriptedEngine:
    e = ScriptedEngine(list(replies), **kwargs)  # type: ignore[arg-type]
    e.load(LoadOptions(model_path="/models/smol.gguf"))
    return e


def words(text: str) -> int:
    return len(text.split())


def run(e: ScriptedEngine, prompt, **kwargs):  # type: ignore[no-untyped-def]
    events = list(run_turn(e, prompt, SamplingOptions(max_tokens=64), **kwargs))
    streamed = "".join(ev.text for ev in events if isinstance(ev, TextDelta))
    (answer,) = [ev for ev in events if isinstance(ev, Answer)]
    return streamed, answer


def test_an_answer_streams_is_saved_and_keeps_only_real_citations(app_home: Paths) -> None:
    prompt = assemble(
        helper(), "When is rent due and are pets ok?", passages=[LEASE, PETS],
        variables=VARS, count_tokens=words, budget=2000,
    )  # fmt: skip
    e = engine("Rent is due on the 1st [1]. Cats are allowed [2]. Dogs too [7].")
    with ConversationStore(app_home.conversations_db) as store:
        conv = store.create("lease-helper")
        store.add_message(conv.id, "user", "When is rent due and are pets ok?")
        writer = store.start_answer(conv.id, model="smol", settings={"max_tokens": 64})
        streamed, answer = run(e, prompt, writer=writer)
        assert (
            streamed
            == answer.text
            == "Rent is due on the 1st [1]. Cats are allowed [2]. Dogs too [7]."
        )
        assert [p.source for p in answer.citations] == ["/docs/lease.pdf", "/docs/rules.txt"]
        assert answer.invented_citations == (7,)
        saved = store.message(answer.message_id or -1)
        assert saved.content == answer.text and saved.complete
        assert [c.n for c in saved.citations] == [1, 2] and saved.citations[0].page == 3
        assert saved.citations == answer.citations
        assert saved.invented_citations == [7]
        assert saved.usage["completion_tokens"] == 14 and "total_s" in saved.timings
        md = to_markdown(store.get(conv.id), store.messages(conv.id))
        assert "[1] lease.pdf, page 3" in md and "Also cited [7]" in md
    assert e.requests == [list(prompt.messages)]


def test_a_models_number_its_passage_does_not_back_is_doubtful_not_a_source(
    app_home: Paths,
) -> None:
    prompt = assemble(
        helper(), "When is rent due and are pets ok?", passages=[LEASE, PETS],
        variables=VARS, count_tokens=words, budget=2000,
    )  # fmt: skip
    text = "Rent is due on the 1st. Parking costs twenty euros a month [2]."
    _, answer = run(engine(text), prompt)
    assert [c.source for c in answer.citations] == ["/docs/lease.pdf"]  # by the app: no [1]
    assert answer.citations[0].spans == ((0, text.index(" Parking")),)
    parking = (text.index("Parking"), len(text))
    assert answer.grounding.unsupported == (parking,)
    assert answer.grounding.doubtful == ((2, parking),)


def test_only_from_documents_refuses_without_calling_the_model(app_home: Paths) -> None:
    strict = helper(only_from_documents=True, refusal_text="That is not in your lease.")
    weak = replace(LEASE, score=0.2)
    prompt = assemble(
        strict, "Can I paint?", passages=[weak], variables=VARS, count_tokens=words, budget=2000
    )
    e = engine("I would guess yes [1].")
    with ConversationStore(app_home.conversations_db) as store:
        conv = store.create("lease-helper")
        streamed, answer = run(e, prompt, writer=store.start_answer(conv.id))
        assert streamed == "That is not in your lease." and answer.refused
        assert answer.citations == () and answer.usage.completion_tokens == 0
        assert store.messages(conv.id)[-1].content == "That is not in your lease."
    assert e.requests == []  # the model was never asked


def test_a_failing_engine_keeps_the_text_so_far_and_says_so(app_home: Paths) -> None:
    prompt = assemble(helper(), "Tell me", variables=VARS, count_tokens=words, budget=2000)
    e = engine("one two three four five", fail_at=3)
    with ConversationStore(app_home.conversations_db) as store:
        conv = store.create("lease-helper")
        writer = store.start_answer(conv.id)
        with pytest.raises(EngineError, match="stopped unexpectedly"):
            list(run_turn(e, prompt, SamplingOptions(), writer=writer))
        saved = store.message(writer.message_id)
        assert saved.content == "one two three " and not saved.complete


def test_the_turn_says_it_reads_the_question_then_writes(app_home: Paths) -> None:
    prompt = assemble(helper(), "Count", variables=VARS, count_tokens=words, budget=2000)
    events = list(run_turn(engine("one two three"), prompt, SamplingOptions(max_tokens=9)))
    stages = [(i, e.sentence) for i, e in enumerate(events) if isinstance(e, Stage)]
    first_word = next(i for i, e in enumerate(events) if isinstance(e, TextDelta))
    assert stages == [(0, "Reading your question…"), (first_word - 1, "Writing…")]


def test_a_long_prompt_says_how_far_its_reading_has_got() -> None:
    assert Stage("reading", 0, 2000).sentence == "Reading your question… 0%"
    assert Stage("reading", 1024, 2000).sentence == "Reading your question… 51%"
    assert Stage("reading", 100, 300).sentence == "Reading your question…"  # short: no figure


def test_stopping_midway_keeps_what_streamed(app_home: Paths) -> None:
    prompt = assemble(helper(), "Count", variables=VARS, count_tokens=words, budget=2000)
    e = engine(" ".join(str(i) for i in range(50)))
    cancel = CancelToken()
    with ConversationStore(app_home.conversations_db) as store:
        conv = store.create("lease-helper")
        writer = store.start_answer(conv.id)
        seen = []
        for event in run_turn(
            e, prompt, SamplingOptions(max_tokens=100), writer=writer, cancel=cancel
        ):
            if isinstance(event, TextDelta):
                seen.append(event.text)
                if len(seen) == 5:
                    cancel.cancel()
            elif isinstance(event, Answer):
                assert event.stop_reason == "cancelled"
        saved = store.message(writer.message_id)
        assert saved.content == "".join(seen) == "0 1 2 3 4 " and saved.stop_reason == "cancelled"
