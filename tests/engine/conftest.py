"""Engine fixtures: one loaded local engine (a real child process running SmolLM2) and one
vocabulary shared by the session, since starting them costs about a second each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant_builder.core.engine.protocol import (
    ChatEvent,
    Failed,
    Finished,
    LoadOptions,
    PromptRead,
    TextDelta,
)


@pytest.fixture(scope="session")
def vocab(smollm2_gguf: Path) -> Iterator[object]:
    from assistant_builder.core.engine.llama_runtime import Vocabulary

    vocabulary = Vocabulary(str(smollm2_gguf))
    yield vocabulary
    vocabulary.close()


@pytest.fixture(scope="session")
def engine(smollm2_gguf: Path) -> Iterator[object]:
    from assistant_builder.core.engine.local import LocalEngine

    local = LocalEngine()
    local.load(LoadOptions(str(smollm2_gguf), context_size=1024, threads=1))
    yield local
    local.unload()


def collect(events: Iterator[ChatEvent]) -> tuple[str, Finished | Failed]:
    """The streamed text and the closing event of one answer."""
    text = ""
    for event in events:
        if isinstance(event, TextDelta):
            text += event.text
        elif not isinstance(event, PromptRead):
            return text, event
    raise AssertionError("the stream ended without a Finished or Failed event")
