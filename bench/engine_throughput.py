"""Generation overhead of the app over llama.cpp's own llama-bench (tg) on SmolLM2-135M with
2 threads, and llama-cpp-python's create_completion streaming beside it. Target: the app adds
<= 0.5 ms per token.

llama-bench generates with as many tokens already in its context as the app's prompt has
(``-d``): every token attends to all before it, so tokens at depth cost more than at depth 0.

llama-bench is built once from the llama.cpp sources vendored in the llama-cpp-python sdist,
inside bench/.cache/, against the installed wheel's own libraries (engine_common.llama_bench)."""

from __future__ import annotations

import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine_common import THREADS, llama_bench, llama_bench_tg_ms, smollm2

from assistant_builder.core.engine.local import LocalEngine
from assistant_builder.core.engine.protocol import (
    ChatMessage,
    Finished,
    LoadOptions,
    SamplingOptions,
    TextDelta,
)

N_TOKENS = 128
PROMPT = [ChatMessage("user", "Write a very long story about a dragon who learns to bake bread.")]
ROUNDS = 5


def llama_bench_ms_per_token(model: Path, depth: int) -> float:
    """llama-bench's tg figure with ``depth`` tokens already in the context (the app's answers
    start after their prompt, and each token attends to everything before it)."""
    return llama_bench_tg_ms(model, N_TOKENS, depth)


def per_token_ms(stamps: list[float]) -> float:
    """Mean gap between streamed tokens after the first (the first carries the prompt)."""
    return (stamps[-1] - stamps[0]) * 1000.0 / (len(stamps) - 1)


def create_completion_ms_per_token(llm: Any) -> float:
    stamps = []
    for _chunk in llm.create_completion(
        "Once upon a time, a dragon", max_tokens=N_TOKENS, temperature=0.0, stream=True,
        logit_bias={llm.token_eos(): -100.0},
    ):  # fmt: skip
        stamps.append(time.perf_counter())
    return per_token_ms(stamps)


GREEDY = SamplingOptions(temperature=0.0, repeat_penalty=1.0, max_tokens=N_TOKENS)


def app_ms_per_token(
    engine: LocalEngine, sampling: SamplingOptions = GREEDY
) -> tuple[float, int, int]:
    """Per token after the first, from the first piece to the end of the answer (pieces may
    carry several tokens), with the answer's length and its prompt's."""
    first = end = 0.0
    usage = None
    for event in engine.chat(PROMPT, sampling):
        if isinstance(event, TextDelta) and not first:
            first = time.perf_counter()
        elif isinstance(event, Finished):
            end = time.perf_counter()
            usage = event.usage
    assert usage is not None
    ms = (end - first) * 1000.0 / (usage.completion_tokens - 1)
    return ms, usage.completion_tokens, usage.prompt_tokens


def overhead_outside_decode_ms(
    model: Path, sampling: SamplingOptions
) -> tuple[float, float, float]:
    """The engine's own per-token work, measured as (time of the child's generation loop -
    time inside llama_decode) per token, plus the cost of sending one piece over the pipe.
    Both parts are small and local, so this figure survives a busy machine far better than
    the difference of two wall-clock rates does."""
    import multiprocessing
    import threading

    import llama_cpp

    from assistant_builder.core.engine.llama_runtime import GenerationStats, LlamaRunner

    runner = LlamaRunner(LoadOptions(str(model), context_size=512, threads=THREADS))
    tokens = runner.llm.tokenize(b"Once upon a time, a dragon", add_bos=False)
    spent = [0.0]

    class TimedLib:
        """llama_cpp with llama_decode timed; the runner reaches llama.cpp through it."""

        def __getattr__(self, name: str) -> Any:
            return getattr(llama_cpp, name)

        @staticmethod
        def llama_decode(ctx: Any, batch: Any) -> int:
            t = time.perf_counter()
            rc = int(llama_cpp.llama_decode(ctx, batch))
            spent[0] += time.perf_counter() - t
            return rc

    runner._lib = TimedLib()
    results = []
    for _ in range(ROUNDS):
        runner.llm.reset()
        spent[0] = 0.0
        stats = GenerationStats()
        pieces = runner.generate(tokens, sampling, stats, lambda: False)
        first = next(pieces)  # the prompt's evaluation is not part of the per-token figure
        del first
        spent[0] = 0.0
        t = time.perf_counter()
        for _piece in pieces:
            pass
        loop = time.perf_counter() - t
        results.append((loop - spent[0]) * 1000.0 / max(stats.completion_tokens - 1, 1))
    runner.close()

    receiver, sender = multiprocessing.Pipe(duplex=False)
    drained = threading.Thread(target=lambda: [receiver.recv() for _ in range(2000)])
    drained.start()
    t = time.perf_counter()
    for i in range(2000):
        sender.send(("delta", i, " word"))
    drained.join()
    send_ms = (time.perf_counter() - t) * 1000.0 / 2000
    return statistics.median(results), min(results), send_ms


def main() -> None:
    import llama_cpp

    from assistant_builder.core.engine.backends import load_backends

    load_backends()  # ggml's CPU modules are loaded at run time, as the engine does
    model = smollm2()
    llama_bench()
    llm = llama_cpp.Llama(str(model), n_ctx=512, n_threads=THREADS, verbose=False)
    engine = LocalEngine()
    engine.load(LoadOptions(str(model), context_size=512, threads=THREADS))
    # Interleaved rounds, so that load from elsewhere on the machine hits all three alike.
    reference, flat, completion, app, counts, app_default = [], [], [], [], [], []
    default = replace(SamplingOptions(), max_tokens=N_TOKENS, seed=1)
    try:
        _ms, _count, depth = app_ms_per_token(engine)  # warm-up; tells the prompt's length
        for _ in range(ROUNDS):
            reference.append(llama_bench_ms_per_token(model, depth))
            flat.append(llama_bench_ms_per_token(model, 0))
            completion.append(create_completion_ms_per_token(llm))
            ms, count, _depth = app_ms_per_token(engine)
            app.append(ms)
            counts.append(count)
            app_default.append(app_ms_per_token(engine, default)[0])
    finally:
        engine.unload()
        llm.close()
    ref = statistics.median(reference)
    cc = statistics.median(completion)
    ours = statistics.median(app)
    print(f"rounds: {ROUNDS}, {THREADS} threads, up to {N_TOKENS} tokens (app: {min(counts)})")
    print(f"llama-bench tg{N_TOKENS} @ depth {depth} (the app's prompt): {ref:.3f} ms/token "
          f"(median; at depth 0: {statistics.median(flat):.3f})")  # fmt: skip
    print(f"llama-cpp-python create_completion streaming: {cc:.3f} ms/token (+{cc - ref:.3f} ms)")
    print(f"app (LocalEngine, child process): {ours:.3f} ms/token (+{ours - ref:.3f} ms; "
          "target <= +0.5 ms)")  # fmt: skip
    per_round = [a - r for a, r in zip(app, reference, strict=True)]
    print(f"app overhead per round: {', '.join(f'{d:+.3f}' for d in per_round)} ms")
    print(f"median of the per-round overheads: {statistics.median(per_round):+.3f} ms")
    by_default = statistics.median(app_default)
    print(f"app with its default sampling (temperature 0.7, top-k/p, min-p, repeat penalty): "
          f"{by_default:.3f} ms/token (+{by_default - ref:.3f} ms)")  # fmt: skip
    for label, sampling in (
        ("greedy, as above", SamplingOptions(temperature=0.0, repeat_penalty=1.0)),
        ("the app's default sampling", SamplingOptions()),
    ):
        loop_ms, loop_best, send_ms = overhead_outside_decode_ms(
            model, replace(sampling, max_tokens=N_TOKENS, seed=1)
        )
        print(
            f"app's own work per token outside llama_decode ({label}): {loop_ms:.3f} ms "
            f"(best {loop_best:.3f}) + pipe {send_ms:.3f} ms = {loop_ms + send_ms:.3f} ms"
        )
    # The fastest round of each is the one least disturbed by other work on the machine.
    print(
        f"best rounds: llama-bench {min(reference):.3f}, create_completion {min(completion):.3f} "
        f"(+{min(completion) - min(reference):.3f}), app {min(app):.3f} "
        f"(+{min(app) - min(reference):.3f}) ms/token"
    )


if __name__ == "__main__":
    main()
