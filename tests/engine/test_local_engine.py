"""The local engine as a user meets it: real SmolLM2 in a supervised child process."""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.engine.prompt import ContextOverflow
from assistant_builder.core.engine.protocol import (
    ChatMessage,
    Failed,
    Finished,
    LoadOptions,
    PromptRead,
    SamplingOptions,
    TextDelta,
)
from assistant_builder.core.engine.sampling import InvalidSettings
from assistant_builder.core.errors import EngineError
from tests.engine.conftest import collect

pytestmark = pytest.mark.integration

QUESTION = [
    ChatMessage("system", "You are a helpful assistant."),
    ChatMessage("user", "Tell me about cats."),
]
GREEDY = SamplingOptions(temperature=0.0, seed=7, max_tokens=24)


def test_streams_an_answer_with_usage_and_timings(engine) -> None:
    events = list(engine.chat(QUESTION, GREEDY))
    deltas = [e for e in events if isinstance(e, TextDelta)]
    final = events[-1]
    assert isinstance(final, Finished)
    assert len(deltas) >= 3 and "".join(d.text for d in deltas).strip()
    assert all("\x00" not in d.text for d in deltas)
    assert final.usage.completion_tokens == 24 and final.stop_reason == "length"
    # Pieces carry several tokens each; their counts add up (the status bar's tokens/s).
    assert sum(d.tokens for d in deltas) == 24
    assert final.usage.prompt_tokens == len(engine.last_prompt.token_ids)
    assert 0 < final.timings.ttft_s <= final.timings.total_s


def test_fixed_seed_at_temperature_zero_is_reproducible(engine) -> None:
    first, _ = collect(engine.chat(QUESTION, GREEDY))
    engine.chat([ChatMessage("user", "Something else entirely.")], GREEDY)  # not even started
    collect(engine.chat([ChatMessage("user", "Count to five.")], GREEDY))
    second, _ = collect(engine.chat(QUESTION, GREEDY))
    assert first == second and len(first) > 20


def test_stop_strings_end_the_answer_before_them(engine) -> None:
    full, _ = collect(engine.chat(QUESTION, GREEDY))
    word = full.split()[3]
    cut, final = collect(engine.chat(QUESTION, replace(GREEDY, stop=(word,))))
    assert word not in cut and full.startswith(cut)
    assert final.stop_reason == "stop"


def test_stop_means_stop_within_200_ms(engine, vocab) -> None:
    cancel = CancelToken()
    seen: list[str] = []
    stream = engine.chat(QUESTION, replace(GREEDY, max_tokens=400), cancel=cancel)
    final = None
    for event in stream:
        if isinstance(event, TextDelta):
            seen.append(event.text)
            if len(seen) == 3:
                cancel.cancel()
                stopped_at = time.perf_counter()
        else:
            final = event
    elapsed = time.perf_counter() - stopped_at
    assert elapsed < 0.2
    assert isinstance(final, Finished) and final.stop_reason == "cancelled"
    # The child itself stopped: beyond the tokens the user saw, it generated only those of
    # the last few milliseconds (pieces are sent every 25 ms), not 400.
    shown = len(vocab.tokenize("".join(seen)))
    assert final.usage.completion_tokens <= shown + 8
    # And the engine is immediately ready for the next question.
    text, after = collect(engine.chat(QUESTION, GREEDY))
    assert after.stop_reason == "length" and text


def test_abandoning_a_stream_stops_the_child(engine) -> None:
    stream = engine.chat(QUESTION, replace(GREEDY, max_tokens=400))
    next(stream)
    stream.close()
    _, final = collect(engine.chat(QUESTION, GREEDY))
    assert final.usage.completion_tokens == 24
    # Had the child gone on with the abandoned 400 tokens, this answer's first word would
    # wait for them: measured against this answer's own speed, not a clock limit.
    per_token = (final.timings.total_s - final.timings.ttft_s) / (24 - 1)
    assert final.timings.ttft_s < 150 * per_token


def test_killed_child_keeps_the_text_and_the_next_request_restarts(smollm2_gguf: Path) -> None:
    from assistant_builder.core.engine.local import LocalEngine

    local = LocalEngine()
    local.load(LoadOptions(str(smollm2_gguf), context_size=512, threads=1))
    try:
        first_pid = local.process_id
        text = ""
        final = None
        for event in local.chat(QUESTION, replace(GREEDY, max_tokens=200)):
            if isinstance(event, TextDelta):
                text += event.text
                if len(text) > 20 and local.process_id is not None:
                    os.kill(local.process_id, signal.SIGKILL)
            else:
                final = event
        assert isinstance(final, Failed)
        assert final.message.endswith(".") and "\n" not in final.message
        assert "stopped unexpectedly" in final.message
        assert final.partial_text == text and len(text) > 20
        again, after = collect(local.chat(QUESTION, GREEDY))
        assert isinstance(after, Finished) and again.strip()
        assert local.restarts == 1 and local.process_id not in (None, first_pid)
    finally:
        local.unload()


DOCUMENTS = "[1] sky.txt, page 3\nThe sky is blue on clear days."
LABELLED = [
    ("instructions", ChatMessage("system", "Answer from the passages.")),
    ("examples", ChatMessage("user", "What is 2+2?")),
    ("examples", ChatMessage("assistant", "4.")),
    ("history", ChatMessage("user", "Hello")),
    ("history", ChatMessage("assistant", "Hi there.")),
    ("question", ChatMessage("user", f"{DOCUMENTS}\n\nQuestion: What colour is the sky?")),
]


def test_preview_is_exactly_what_the_engine_evaluates(engine) -> None:
    from assistant_builder.core.engine.preview import build_preview

    preview = build_preview(
        engine.prompt_builder, LABELLED, engine.context_size, documents_text=DOCUMENTS
    )
    assert preview.text.count("<|im_start|>") == 7  # special tokens shown as the model gets them
    assert preview.text.endswith(
        "Question: What colour is the sky?<|im_end|>\n<|im_start|>assistant\n"
    )
    assert "[1] sky.txt, page 3" in preview.text.split("<|im_start|>user")[-1]
    assert sum(p.tokens for p in preview.parts) == preview.total_tokens
    assert all(p.tokens > 0 for p in preview.parts), preview.parts
    assert preview.room_for_answer == 1024 - preview.total_tokens
    messages = [m for _, m in LABELLED]
    _, final = collect(engine.chat(messages, replace(GREEDY, max_tokens=4)))
    # What llama.cpp's context holds after evaluating the prompt is the preview, token by token.
    assert engine.last_evaluated == preview.token_ids
    assert final.usage.prompt_tokens == preview.total_tokens


def test_the_second_turn_reuses_the_first_turns_evaluation(engine) -> None:
    history = [*QUESTION]
    answer, first = collect(engine.chat(history, GREEDY))
    history += [ChatMessage("assistant", answer), ChatMessage("user", "And dogs?")]
    _, second = collect(engine.chat(history, GREEDY))
    assert second.usage.cached_tokens >= first.usage.prompt_tokens - 1


def test_overflow_is_refused_with_the_room_there_is(engine) -> None:
    huge = [ChatMessage("user", "word " * 1500)]
    with pytest.raises(ContextOverflow) as info:
        engine.chat(huge, GREEDY)
    assert info.value.context_size == 1024 and info.value.needed > 1024
    # Said in words: what the model keeps in mind, never its token count.
    assert info.value.room < 0 and "(about 770 words)" in str(info.value)
    assert "token" not in str(info.value)


def test_bad_settings_are_refused_before_anything_runs(engine) -> None:
    with pytest.raises(InvalidSettings):
        engine.chat(QUESTION, replace(GREEDY, temperature=5.0))


def test_loading_a_file_that_is_not_a_model_is_a_plain_error(tmp_path: Path) -> None:
    from assistant_builder.core.engine.local import LocalEngine

    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 64)
    with pytest.raises(EngineError) as info:
        LocalEngine().load(LoadOptions(str(bad), context_size=256))
    assert str(info.value).endswith(".") and "GGUF" in str(info.value)


def test_stop_during_a_long_prompt_returns_at_once_and_drops_late_pieces(engine) -> None:
    long_prompt = [ChatMessage("user", "Summarise: " + "the quick brown fox " * 180)]
    cancel = CancelToken()
    # The Stop button is pressed from another thread while the child evaluates the prompt.
    timer = threading.Timer(0.05, cancel.cancel)
    timer.start()
    events = list(engine.chat(long_prompt, replace(GREEDY, max_tokens=50), cancel=cancel))
    stopped = time.perf_counter()
    timer.join()
    assert not [e for e in events if isinstance(e, TextDelta)]
    assert isinstance(events[-1], Finished) and events[-1].stop_reason == "cancelled"
    assert events[-1].timings.total_s < 0.05 + 0.2
    # The next answer is the next answer only: nothing of the stopped one leaks into it.
    text, final = collect(engine.chat(QUESTION, GREEDY))
    assert time.perf_counter() - stopped < 10
    reference, _ = collect(engine.chat(QUESTION, GREEDY))
    assert text == reference and final.usage.completion_tokens == 24


def test_a_long_prompt_says_how_much_of_it_is_read_before_the_first_word(engine) -> None:
    # What "Reading your question… 40%" is made of: the child reads a batch at a time and
    # says so, from nothing read to all of it, before any word of the answer.
    long_prompt = [ChatMessage("user", "Shorten this: " + "a lazy dog sleeps in the sun " * 120)]
    events = list(engine.chat(long_prompt, replace(GREEDY, max_tokens=4)))
    first_word = next(i for i, e in enumerate(events) if isinstance(e, TextDelta))
    reads = [e for e in events[:first_word] if isinstance(e, PromptRead)]
    assert not [e for e in events[first_word:] if isinstance(e, PromptRead)]
    final = events[-1]
    assert isinstance(final, Finished)
    to_read = final.usage.prompt_tokens - final.usage.cached_tokens
    assert to_read > 512  # longer than one batch
    assert {r.total for r in reads} == {to_read}
    done = [r.done for r in reads]
    assert done[0] == 0 and done[-1] == to_read and len(done) >= 3
    assert done == sorted(set(done))  # it only goes forward


def test_gpu_layers_requested_on_a_cpu_only_build_still_run(smollm2_gguf: Path) -> None:
    from assistant_builder.core.engine.llama_runtime import gpu_offload_supported
    from assistant_builder.core.engine.local import LocalEngine

    local = LocalEngine()
    local.load(LoadOptions(str(smollm2_gguf), context_size=256, threads=1, gpu_layers=-1))
    try:
        if not gpu_offload_supported():
            assert local.gpu_layers == 0
        text, final = collect(local.chat(QUESTION, replace(GREEDY, max_tokens=4)))
        assert isinstance(final, Finished) and text
    finally:
        local.unload()


def test_preview_without_a_loaded_model_matches_the_engine(engine, smollm2_gguf: Path) -> None:
    from assistant_builder.core.engine.preview import build_preview, vocabulary_builder

    labelled = [
        ("instructions", ChatMessage("system", "Be brief.")),
        ("question", ChatMessage("user", "Why is the sky blue?")),
    ]
    with vocabulary_builder(str(smollm2_gguf)) as builder:
        alone = build_preview(builder, labelled, 1024)
    assert alone.token_ids == build_preview(engine.prompt_builder, labelled, 1024).token_ids
    override = "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}assistant:"
    with vocabulary_builder(str(smollm2_gguf), override) as builder:
        custom = build_preview(builder, labelled, 1024)
    assert custom.text == "system: Be brief.\nuser: Why is the sky blue?\nassistant:"
    assert custom.template_notice == ""


def test_a_child_that_died_while_idle_is_replaced_on_the_next_question(smollm2_gguf: Path) -> None:
    from assistant_builder.core.engine.local import LocalEngine

    local = LocalEngine()
    local.load(LoadOptions(str(smollm2_gguf), context_size=256, threads=1))
    try:
        with pytest.raises(EngineError, match="No model is loaded"):
            LocalEngine().chat(QUESTION, GREEDY)
        os.kill(local.process_id, signal.SIGKILL)
        time.sleep(0.2)
        text, final = collect(local.chat(QUESTION, replace(GREEDY, max_tokens=4)))
        assert isinstance(final, Finished) and text and local.restarts == 1
    finally:
        local.unload()


def test_after_unload_there_is_no_model_until_the_next_load(smollm2_gguf: Path) -> None:
    from assistant_builder.core.engine.local import LocalEngine

    local = LocalEngine()
    options = LoadOptions(str(smollm2_gguf), context_size=256, threads=1)
    local.load(options)
    pid = local.process_id
    local.unload()
    assert local.process_id is None
    with pytest.raises(OSError):
        os.kill(pid, 0)  # the child is gone, not orphaned
    with pytest.raises(EngineError, match="No model is loaded"):
        local.chat(QUESTION, GREEDY)
    local.load(options)
    try:
        text, _ = collect(local.chat(QUESTION, replace(GREEDY, max_tokens=3)))
        assert text and local.restarts == 0
    finally:
        local.unload()


def test_an_answer_that_fills_the_context_ends_cleanly(smollm2_gguf: Path) -> None:
    from assistant_builder.core.engine.local import LocalEngine

    local = LocalEngine()
    local.load(LoadOptions(str(smollm2_gguf), context_size=256, threads=1))
    try:
        assert local.context_size == 256
        messages = [ChatMessage("user", "Write a long story. " + "Once upon a time " * 52)]
        prompt_tokens = len(local.render(messages).token_ids)
        assert 200 < prompt_tokens < 256
        _, final = collect(local.chat(messages, replace(GREEDY, max_tokens=500)))
        assert isinstance(final, Finished)
        # The answer ran until the context was full, and ended there as "length".
        assert final.usage.completion_tokens == 256 - prompt_tokens
        assert final.stop_reason == "length"
        assert local.process_id is not None  # the child survived the full context
    finally:
        local.unload()


def test_a_hostile_template_override_runs_nothing(smollm2_gguf: Path, tmp_path: Path) -> None:
    from assistant_builder.core.engine.local import LocalEngine
    from assistant_builder.core.engine.templates import UnsafeTemplateError
    from tests.engine.test_templates import cve_payload

    target = tmp_path / "pwned"
    local = LocalEngine()
    options = LoadOptions(str(smollm2_gguf), context_size=256, threads=1)
    local.load(replace(options, chat_template=cve_payload(target)))
    try:
        with pytest.raises(UnsafeTemplateError):
            local.chat(QUESTION, GREEDY)
        with pytest.raises(UnsafeTemplateError):
            local.prompt_builder.build([ChatMessage("user", "Hi")])
        assert not target.exists()
        assert local.last_prompt is None  # the model was never asked anything
    finally:
        local.unload()
