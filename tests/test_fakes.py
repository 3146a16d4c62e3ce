"""The fakes must behave like the real things where tests rely on them."""

from __future__ import annotations

import pytest

from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.engine.protocol import (
    ChatMessage,
    Failed,
    Finished,
    LoadOptions,
    SamplingOptions,
    TextDelta,
)
from assistant_builder.core.errors import EngineError
from tests.fakes import DeterministicEmbedder, ScriptedEngine


def test_scripted_engine_streams_its_reply_and_reports_usage() -> None:
    engine = ScriptedEngine(["Paris is the capital."])
    with pytest.raises(EngineError):
        list(engine.chat([ChatMessage("user", "hi")], SamplingOptions()))
    engine.load(LoadOptions(model_path="x.gguf"))
    events = list(engine.chat([ChatMessage("user", "Capital of France?")], SamplingOptions()))
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert text == "Paris is the capital."
    assert isinstance(events[-1], Finished) and events[-1].usage.completion_tokens == 4


def test_scripted_engine_stops_on_cancel_and_can_fail() -> None:
    engine = ScriptedEngine(["one two three four five"], fail_at=-1)
    engine.load(LoadOptions(model_path="x.gguf"))
    token = CancelToken()
    seen = []
    for event in engine.chat([ChatMessage("user", "count")], SamplingOptions(), cancel=token):
        seen.append(event)
        if len(seen) == 2:
            token.cancel()
    assert sum(isinstance(e, TextDelta) for e in seen) == 2
    assert isinstance(seen[-1], Finished) and seen[-1].stop_reason == "cancelled"
    failing = ScriptedEngine(["a b c"], fail_at=1)
    failing.load(LoadOptions(model_path="x.gguf"))
    assert isinstance(list(failing.chat([ChatMessage("user", "x")], SamplingOptions()))[-1], Failed)


def test_deterministic_embedder_is_stable_and_ranks_shared_words_higher() -> None:
    embedder = DeterministicEmbedder()
    a, b, c = embedder.embed(["red apple pie", "apple pie recipe", "tax law"])
    assert float(a @ b) > float(a @ c)
    again = embedder.embed(["red apple pie"])[0]
    assert (again == a).all()
