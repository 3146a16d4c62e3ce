"""The engine keeps one CPU thread pool for its context (as llama-bench does) instead of ggml
starting threads for every token; the answers are the same words either way."""

from __future__ import annotations

from pathlib import Path

from assistant_builder.core.engine.protocol import LoadOptions, SamplingOptions

GREEDY = SamplingOptions(temperature=0.0, repeat_penalty=1.0, max_tokens=12)


def _answer(runner: object, tokens: list[int]) -> str:
    from assistant_builder.core.engine.llama_runtime import GenerationStats

    runner.llm.reset()  # type: ignore[attr-defined]
    return "".join(runner.generate(tokens, GREEDY, GenerationStats(), lambda: False))  # type: ignore[attr-defined]


def test_two_threads_share_one_pool_and_answer_as_without_it(smollm2_gguf: Path) -> None:
    from assistant_builder.core.engine.llama_runtime import LlamaRunner

    runner = LlamaRunner(LoadOptions(str(smollm2_gguf), context_size=512, threads=2))
    pool = runner._pool
    try:
        assert pool.attached  # the symbols were found in this build of llama.cpp
        tokens = runner.llm.tokenize(b"The capital of France is", add_bos=False)
        pooled = _answer(runner, tokens)
        pool._lib.llama_detach_threadpool(pool._ctx)  # ggml's own threads for every token
        unpooled = _answer(runner, tokens)
        pool._lib.llama_attach_threadpool(pool._ctx, pool._pool, None)
        assert pooled.strip() and pooled == unpooled
    finally:
        runner.close()
    assert not pool.attached
