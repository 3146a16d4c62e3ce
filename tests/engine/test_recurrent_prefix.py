"""Models with a recurrent state (Qwen3.5, Granite 4 hybrids, Mamba, RWKV) cannot be rewound
part-way: the engine sees them in the GGUF metadata and reuses a prompt prefix only when the new
prompt continues all it evaluated. Forced on the real SmolLM2 by faking its architecture flag,
the answers are the same with and without reuse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant_builder.core.engine import recurrent
from assistant_builder.core.engine.protocol import LoadOptions, SamplingOptions
from assistant_builder.core.engine.recurrent import has_recurrent_state

GREEDY = SamplingOptions(temperature=0.0, repeat_penalty=1.0, seed=1, max_tokens=24)


@pytest.mark.parametrize(
    ("metadata", "recurrent_state"),
    [
        ({"general.architecture": "qwen35"}, True),
        ({"general.architecture": "granitehybrid"}, True),
        ({"general.architecture": "newmamba", "newmamba.ssm.conv_kernel": 4}, True),
        ({"general.architecture": "granite"}, False),  # Granite 4.0 Micro is dense
        ({"general.architecture": "llama", "llama.context_length": 8192}, False),
        ({}, False),
    ],
)
def test_the_architecture_says_whether_the_state_is_recurrent(
    metadata: dict[str, object], recurrent_state: bool
) -> None:
    assert has_recurrent_state(metadata) is recurrent_state


def _runner(path: Path) -> Any:
    from assistant_builder.core.engine.llama_runtime import LlamaRunner

    return LlamaRunner(LoadOptions(str(path), context_size=512, threads=1))


@pytest.fixture
def as_recurrent(monkeypatch: pytest.MonkeyPatch) -> None:
    """SmolLM2 ("llama") treated as a model with a recurrent state."""
    monkeypatch.setattr(
        recurrent, "RECURRENT_ARCHITECTURES", recurrent.RECURRENT_ARCHITECTURES | {"llama"}
    )


def _answer(runner: Any, tokens: list[int]) -> tuple[str, int]:
    from assistant_builder.core.engine.llama_runtime import GenerationStats

    stats = GenerationStats()
    text = "".join(runner.generate(tokens, GREEDY, stats, lambda: False))
    return text, stats.cached_tokens


def _turn(question: str, before: str = "") -> str:
    return f"{before}<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"


@pytest.mark.integration
def test_a_recurrent_state_is_reused_only_when_the_prompt_continues_it(
    smollm2_gguf: Path, as_recurrent: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = _runner(smollm2_gguf)
    fresh = _runner(smollm2_gguf)
    try:
        assert runner.rewinds is False
        cut_back: list[int] = []
        ctx = runner.llm._ctx
        real_rm = ctx.kv_cache_seq_rm

        def seq_rm(seq: int, p0: int, p1: int) -> bool:
            if 0 < p0 < runner.llm.n_tokens:  # cutting the state back part-way
                cut_back.append(p0)
            return bool(real_rm(seq, p0, p1))

        monkeypatch.setattr(ctx, "kv_cache_seq_rm", seq_rm)
        tok = runner.llm.tokenize
        first = _turn("Name a colour.")
        answer1, cached1 = _answer(runner, tok(first.encode(), add_bos=False, special=True))
        assert answer1 and cached1 == 0
        # The next turn continues everything the context holds (prompt and answer): reused.
        held = list(runner.llm.input_ids[: runner.llm.n_tokens])
        more = tok(_turn("And another?", "<|im_end|>\n").encode(), add_bos=False, special=True)
        answer2, cached2 = _answer(runner, held + more)
        assert cached2 == len(held)
        assert (answer2, 0) == _answer(fresh, held + more)
        # A prompt that differs part-way (other instructions): started again, never cut back.
        other = tok(_turn("Name a colour.", "<|im_start|>system\nBe brief.<|im_end|>\n").encode(),
                    add_bos=False, special=True)  # fmt: skip
        answer3, cached3 = _answer(runner, other)
        assert cached3 == 0 and (answer3, 0) == _answer(fresh, other)
        assert cut_back == []
    finally:
        runner.close()
        fresh.close()


@pytest.mark.integration
def test_an_attention_only_model_still_reuses_a_shared_prefix(smollm2_gguf: Path) -> None:
    runner = _runner(smollm2_gguf)
    try:
        assert runner.rewinds is True
        tok = runner.llm.tokenize
        system = "<|im_start|>system\nBe brief.<|im_end|>\n"
        a = tok(_turn("Name a colour.", system).encode(), add_bos=False, special=True)
        b = tok(_turn("Name a fruit.", system).encode(), add_bos=False, special=True)
        _answer(runner, a)
        assert _answer(runner, b)[1] >= len(tok(system.encode(), add_bos=False, special=True))
    finally:
        runner.close()
