"""The final prompt of an assistant, measured with SmolLM2's own template and tokenizer, is what
the engine evaluates, and is trimmed to fit with the newest question always kept."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant_builder.core.assistants.final_prompt import final_prompt
from assistant_builder.core.assistants.model import Assistant, CollectionRef, Example, ModelRef
from assistant_builder.core.assistants.prompt import Passage
from assistant_builder.core.engine.protocol import ChatMessage, Finished
from tests.engine.conftest import collect

pytestmark = pytest.mark.integration

ASSISTANT = Assistant(
    id="sky",
    name="Sky",
    model=ModelRef(id="smollm2"),
    system_prompt="You are {assistant_name}. Answer from the passages.",
    examples=(Example("What is 2+2?", "4."),),
    collections=(CollectionRef("notes"),),
)
PASSAGE = Passage(1, "/docs/sky.txt", 3, 0, 31, "The sky is blue on clear days.", 0.9, "notes")


def test_the_final_prompt_is_what_the_engine_evaluates(engine) -> None:
    final = final_prompt(
        ASSISTANT, "What colour is the sky?", builder=engine.prompt_builder,
        context_size=engine.context_size, answer_room=64,
        variables={"assistant_name": "Sky"}, passages=[PASSAGE],
        history=[ChatMessage("user", "Hello"), ChatMessage("assistant", "Hi there.")],
    )  # fmt: skip
    preview = final.preview
    assert preview is not None
    assert "You are Sky." in preview.text and "{assistant_name}" not in preview.text
    assert preview.text.endswith(
        "Question: What colour is the sky?<|im_end|>\n<|im_start|>assistant\n"
    )
    assert 'source="sky.txt, page 3"' in preview.text
    assert {p.name for p in preview.parts if p.tokens > 0} == {
        "instructions", "examples", "documents", "history", "question",
    }  # fmt: skip
    assert sum(p.tokens for p in preview.parts) == preview.total_tokens
    _, done = collect(engine.chat(final.assembled.messages, ASSISTANT.sampling))
    assert isinstance(done, Finished)
    assert engine.last_evaluated == preview.token_ids


def test_old_history_and_then_passages_go_first_and_the_question_stays(engine) -> None:
    history = [
        ChatMessage("user" if i % 2 == 0 else "assistant", f"Message {i}: " + "blah " * 60)
        for i in range(12)
    ]
    final = final_prompt(
        ASSISTANT, "The newest question?", builder=engine.prompt_builder,
        context_size=engine.context_size, answer_room=200, variables={}, history=history,
        passages=[replace(PASSAGE, text="sky " * 40)],
    )  # fmt: skip
    preview = final.preview
    assert preview is not None
    assert preview.room_for_answer >= 200
    assert "The newest question?" in preview.text and "Answer from the passages." in preview.text
    assert "Message 11:" in preview.text and "Message 0:" not in preview.text
    assert preview.dropped and "earlier message" in preview.dropped[0]
    assert final.assembled.dropped_history > 0


def test_only_from_documents_without_passages_refuses_without_a_prompt(engine) -> None:
    strict = replace(ASSISTANT, only_from_documents=True, refusal_text="Not in my documents.")
    final = final_prompt(
        strict, "Anything?", builder=engine.prompt_builder, context_size=engine.context_size,
        answer_room=64, variables={},
    )  # fmt: skip
    assert final.refused and final.preview is None
    assert final.assembled.refusal == "Not in my documents."
