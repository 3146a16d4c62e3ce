"""The assembled prompt on the real SmolLM2 model: its own chat template accepts the messages,
the budget holds for the tokens it really evaluates, and the streamed answer is saved.

It drives the app's own engine (the supervised llama.cpp child), as answering does."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from assistant_builder.core.assistants.model import Assistant, CollectionRef, Example, ModelRef
from assistant_builder.core.assistants.prompt import MESSAGE_OVERHEAD, Passage, assemble
from assistant_builder.core.assistants.turn import Answer, run_turn
from assistant_builder.core.assistants.variables import standard_values
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.engine.protocol import (
    ChatMessage,
    LoadOptions,
    SamplingOptions,
    TextDelta,
)
from assistant_builder.core.paths import Paths

pytestmark = pytest.mark.integration


def test_an_assembled_prompt_runs_on_smollm2_within_its_budget(
    app_home: Paths, smollm2_gguf: Path
) -> None:
    from assistant_builder.core.engine.local import LocalEngine

    engine = LocalEngine()
    engine.load(LoadOptions(model_path=str(smollm2_gguf), context_size=1024, threads=1))

    def tokens(text: str) -> int:
        return len(engine.prompt_builder.tokenizer.tokenize(text))

    assistant = Assistant(
        id="office", name="Office Helper", model=ModelRef("smol"),
        system_prompt="You are {assistant_name}. Answer {user_name} in one short sentence.",
        examples=(Example("When does the shop close?", "At 6 pm [1]."),),
        collections=(CollectionRef("office"),),
    )  # fmt: skip
    history = []
    for i in range(30):
        history += [
            ChatMessage("user", f"Tell me fact {i} about the office building."),
            ChatMessage("assistant", f"Fact {i}: the office has {i} windows on floor {i}."),
        ]
    passage = Passage(
        0, "/docs/hours.txt", None, 0, 44, "The office opens at 9 am every weekday.", 0.9, "office"
    )
    budget = 400
    values = standard_values(now=datetime(2026, 5, 1), user_name="Ada", assistant_name="Office")
    prompt = assemble(
        assistant, "When does the office open?", history=history, passages=[passage],
        variables=values, count_tokens=tokens, budget=budget,
    )  # fmt: skip
    assert prompt.dropped_history > 0 and prompt.prompt_tokens <= budget

    with ConversationStore(app_home.conversations_db) as store:
        conv = store.create("office")
        store.add_message(conv.id, "user", "When does the office open?")
        writer = store.start_answer(conv.id, model="smollm2")
        events = list(run_turn(engine, prompt, SamplingOptions(max_tokens=24), writer=writer))
        answer = events[-1]
        assert isinstance(answer, Answer)
        streamed = "".join(e.text for e in events if isinstance(e, TextDelta))
        assert streamed.strip() and answer.text == streamed
        # What llama.cpp really evaluated, chat template and all, stayed inside the budget.
        assert 0 < answer.usage.prompt_tokens <= budget
        assert answer.usage.prompt_tokens >= prompt.prompt_tokens - MESSAGE_OVERHEAD * len(
            prompt.messages
        )
        saved = store.message(writer.message_id)
        assert saved.content == streamed and saved.complete
        assert saved.usage["prompt_tokens"] == answer.usage.prompt_tokens
        assert store.integrity_check() == "ok"
    engine.unload()
