"""Instant start (issue 20 point 3) on the real SmolLM2 model: after a restart, the first question
reads only what follows the assistant's saved instructions and examples, and answers exactly as
without the saved state; a cut or damaged state is never used but made again; the cache keeps
to its size limit, the least recently used going first."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from assistant_builder.core.engine.local import LocalEngine
from assistant_builder.core.engine.protocol import (
    ChatMessage,
    Finished,
    LoadOptions,
    PromptRead,
    SamplingOptions,
    TextDelta,
)
from assistant_builder.core.engine.state_cache import StateCacheOptions, size_of
from assistant_builder.core.paths import Paths

pytestmark = pytest.mark.integration

GREEDY = SamplingOptions(temperature=0.0, seed=1, max_tokens=8)
SHA = "5e" * 32


def bakery(rules: str) -> list[ChatMessage]:
    """Instructions and one example (the fixed prefix: 3 messages), then the question."""
    return [
        ChatMessage("system", f"You help at a bakery. {rules} " * 6),
        ChatMessage("user", "Do you sell bread?"),
        ChatMessage("assistant", "Yes, every morning."),
        ChatMessage("user", "When do you open?"),
    ]


def ask(options: LoadOptions, messages: list[ChatMessage]) -> tuple[str, Finished, int, int]:
    """One question in a fresh engine process (a start of the app): the answer, its Finished,
    the prompt tokens the engine said it had left to read, and the fixed prefix's length."""
    engine = LocalEngine()
    engine.load(options)
    try:
        fixed = engine.prompt_builder.fixed_prefix(messages, 3, engine.render(messages))
        text, to_read, finished = "", -1, None
        for event in engine.chat(messages, GREEDY, fixed=3):
            if isinstance(event, PromptRead) and to_read < 0:
                to_read = event.total
            elif isinstance(event, TextDelta):
                text += event.text
            elif isinstance(event, Finished):
                finished = event
        assert finished is not None, "the engine failed"
        return text, finished, to_read, fixed
    finally:
        engine.unload()


def options(smollm2_gguf: Path, folder: Path, limit: int = 1 << 30) -> LoadOptions:
    return LoadOptions(
        str(smollm2_gguf), context_size=512, threads=1, model_sha256=SHA,
        state_cache=StateCacheOptions(folder, limit),
    )  # fmt: skip


def states(folder: Path) -> list[Path]:
    return sorted((folder / SHA).glob("*.state"))


def test_a_restart_reads_only_the_question_and_answers_as_without_the_saved_state(
    tmp_path: Path, smollm2_gguf: Path
) -> None:
    folder = tmp_path / "states"
    saving = options(smollm2_gguf, folder)
    messages = bakery("Answer politely and in one short sentence.")
    uncached, plain, _, fixed = ask(replace(saving, state_cache=None), messages)
    assert plain.usage.cached_tokens == 0 and fixed > 60
    assert states(folder) == []  # nothing is saved where the options say nowhere

    first, usage = ask(saving, messages)[:2]
    assert first == uncached and usage.usage.cached_tokens == 0
    (saved,) = states(folder)

    # A restart: only what follows the instructions and the example is read.
    again, restarted, to_read, _ = ask(saving, messages)
    assert again == uncached
    assert restarted.usage.cached_tokens == fixed
    assert to_read == restarted.usage.prompt_tokens - fixed

    whole = saved.read_bytes()
    middle = len(whole) // 2
    damaged = {
        "cut in half": whole[:middle],
        "bytes flipped": whole[:middle] + bytes(b ^ 0xFF for b in whole[middle : middle + 64])
        + whole[middle + 64 :],
    }  # fmt: skip
    for how, content in damaged.items():
        saved.write_bytes(content)
        text, finished, to_read, _ = ask(saving, messages)
        assert text == uncached, how
        assert finished.usage.cached_tokens == 0, how  # read whole, never from the damaged file
        assert to_read == finished.usage.prompt_tokens, how
        assert saved.stat().st_size == len(whole), how  # made again
    rebuilt = ask(saving, messages)
    assert rebuilt[0] == uncached and rebuilt[1].usage.cached_tokens == fixed


def test_the_size_limit_drops_the_least_recently_used_state_first(
    tmp_path: Path, smollm2_gguf: Path
) -> None:
    folder = tmp_path / "states"
    polite, brief = bakery("Be polite."), bakery("Be brief and exact.")
    ask(options(smollm2_gguf, folder), polite)
    one = size_of(folder).bytes
    assert size_of(folder).files == 1

    # Room for one state and a half: saving the second drops the first, the older one.
    limited = options(smollm2_gguf, folder, limit=one * 3 // 2)
    ask(limited, brief)
    assert size_of(folder).files == 1 and size_of(folder).bytes <= one * 3 // 2
    assert ask(limited, brief)[1].usage.cached_tokens > 0
    assert ask(limited, polite)[1].usage.cached_tokens == 0  # its state went first
    # ...and saving it again dropped the other.
    assert ask(limited, brief)[1].usage.cached_tokens == 0


def test_the_app_saves_an_assistants_prompt_state_clears_it_and_removes_it_with_its_model(
    app_home: Paths, smollm2_registry: object
) -> None:
    from assistant_builder.core.app import App
    from assistant_builder.core.assistants.model import Assistant, Example, ModelRef
    from assistant_builder.core.assistants.turn import Answer
    from assistant_builder.core.services import Services

    services = Services.create()
    settings, _ = services.load_settings_or_defaults()
    settings.threads = 1
    app = App(services, settings)
    assistant = Assistant(
        id="bakery", name="Bakery", model=ModelRef("smollm2"), context_size=512,
        system_prompt="You help at a bakery. Answer politely and in one short sentence. " * 5,
        examples=(Example("Do you sell bread?", "Yes, every morning."),),
    )  # fmt: skip

    def ask() -> Answer:
        events = list(app.session.ask(assistant, "When do you open?", max_tokens=4))
        app.session.unload()  # the next question starts the engine again, as after a restart
        assert isinstance(events[-1], Answer)
        return events[-1]

    try:
        assert ask().usage.cached_tokens == 0
        saved = app.saved_prompt_states()
        assert saved.files == 1 and saved.bytes > 0
        assert list(app_home.state_cache_dir.glob(f"{'b1' * 32}/*.state"))  # by the model's sha256
        assert ask().usage.cached_tokens > 0  # the instructions and example were not read again

        assert app.clear_saved_prompt_states().files == 0
        assert app.saved_prompt_states().files == 0
        assert ask().usage.cached_tokens == 0
        assert app.saved_prompt_states().files == 1

        app.remove_model("smollm2")
        assert app.saved_prompt_states().files == 0
    finally:
        app.close()
