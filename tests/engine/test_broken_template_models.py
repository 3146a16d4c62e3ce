"""Real GGUF files whose own chat template is broken load and answer: llama-cpp-python never
compiles the template, the app's sandbox falls back to the standard one and says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant_builder.core.engine.llama_runtime import Vocabulary
from assistant_builder.core.engine.local import LocalEngine
from assistant_builder.core.engine.protocol import (
    ChatMessage,
    Finished,
    LoadOptions,
    SamplingOptions,
    TextDelta,
)
from tests.template_ggufs import BROKEN_TEMPLATES

pytestmark = pytest.mark.integration

NOTICES = {
    "syntax": "This model's chat template could not be read, so the standard chatml template "
    "is used instead.",
    "raises": "This model's chat template failed on this conversation, so the standard chatml "
    "template is used instead.",
    "escape": "This model's chat template tried to reach parts of the computer a template has "
    "no business with, so it was not run; the standard chatml template is used instead.",
}
MESSAGES = [ChatMessage("system", "Be brief."), ChatMessage("user", "Say hello.")]


@pytest.mark.parametrize("kind", sorted(BROKEN_TEMPLATES))
def test_the_file_really_carries_the_broken_template(
    broken_template_ggufs: dict[str, Path], kind: str
) -> None:
    vocabulary = Vocabulary(str(broken_template_ggufs[kind]))
    try:
        assert vocabulary.metadata["tokenizer.chat_template"] == BROKEN_TEMPLATES[kind]
    finally:
        vocabulary.close()


@pytest.mark.parametrize("kind", sorted(BROKEN_TEMPLATES))
def test_the_engine_loads_and_answers_on_the_standard_template(
    broken_template_ggufs: dict[str, Path], kind: str
) -> None:
    engine = LocalEngine()
    try:
        engine.load(LoadOptions(str(broken_template_ggufs[kind]), context_size=512, threads=1))
        events = list(engine.chat(MESSAGES, SamplingOptions(temperature=0.0, max_tokens=4)))
        assert engine.prompt_builder.notice == NOTICES[kind]
        assert engine.last_prompt is not None
        assert engine.last_prompt.text == (
            "<|im_start|>system\nBe brief.<|im_end|>\n"
            "<|im_start|>user\nSay hello.<|im_end|>\n<|im_start|>assistant\n"
        )
        assert "".join(e.text for e in events if isinstance(e, TextDelta)).strip()
        assert isinstance(events[-1], Finished)
    finally:
        engine.unload()
