"""The model runner in the engine's child: its own token loop samples exactly as llama.cpp's
sampler chain does through llama-cpp-python (repeat penalty included), so its speed costs no
quality or reproducibility; and llama.cpp's chatter stays out of the terminal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant_builder.core.engine.protocol import LoadOptions, SamplingOptions

pytestmark = pytest.mark.integration

PROMPT = (
    "<|im_start|>user\nList the days of the week, then list them again, and again.<|im_end|>\n"
    "<|im_start|>assistant\n"
)


@pytest.fixture(scope="module")
def runner(smollm2_gguf: Path) -> Iterator[object]:
    from assistant_builder.core.engine.llama_runtime import LlamaRunner

    loaded = LlamaRunner(LoadOptions(str(smollm2_gguf), context_size=512, threads=1))
    yield loaded
    loaded.close()


def reference_tokens(runner: object, tokens: list[int], sampling: SamplingOptions) -> list[int]:
    """What llama-cpp-python's own generate() picks with the same settings and seed."""
    llm = runner.llm  # type: ignore[attr-defined]
    llm.reset()
    llm.set_seed(sampling.seed)
    out: list[int] = []
    for token in llm.generate(
        tokens,
        top_k=sampling.top_k,
        top_p=sampling.top_p,
        min_p=sampling.min_p,
        temp=sampling.temperature,
        repeat_penalty=sampling.repeat_penalty,
    ):
        if llm.token_eos() == token or len(out) == sampling.max_tokens:
            break
        out.append(int(token))
    llm.reset()
    return out


@pytest.mark.parametrize(
    "sampling",
    [
        SamplingOptions(temperature=0.0, repeat_penalty=1.0, seed=1, max_tokens=60),
        SamplingOptions(temperature=0.0, repeat_penalty=1.5, seed=1, max_tokens=60),
        SamplingOptions(temperature=0.9, repeat_penalty=1.3, seed=7, max_tokens=60),
        SamplingOptions(temperature=0.7, repeat_penalty=1.0, seed=3, max_tokens=60),
        SamplingOptions(seed=5, max_tokens=60),  # the defaults: penalty on a shortlist
        SamplingOptions(temperature=0.8, repeat_penalty=0.8, seed=2, max_tokens=60),
        SamplingOptions(top_k=0, repeat_penalty=1.2, seed=4, max_tokens=60),
    ],
    ids=["greedy", "greedy-penalty", "random-penalty", "random", "defaults", "reward", "no-top-k"],
)
def test_runner_picks_the_same_tokens_as_llama_cpp_python(
    runner: object, sampling: SamplingOptions
) -> None:
    from assistant_builder.core.engine.llama_runtime import GenerationStats

    llm = runner.llm  # type: ignore[attr-defined]
    tokens = list(llm.tokenize(PROMPT.encode(), add_bos=False, special=True))
    expected = reference_tokens(runner, tokens, sampling)
    stats = GenerationStats()
    text = "".join(runner.generate(tokens, sampling, stats, lambda: False))  # type: ignore[attr-defined]
    assert text == llm.detokenize(expected).decode("utf-8", errors="replace")
    assert stats.completion_tokens == len(expected)


def test_repeat_penalty_changes_the_answer(runner: object) -> None:
    """A guard that the penalty is really applied: a strong one changes a greedy answer."""
    from assistant_builder.core.engine.llama_runtime import GenerationStats

    llm = runner.llm  # type: ignore[attr-defined]
    tokens = list(llm.tokenize(PROMPT.encode(), add_bos=False, special=True))
    answers = []
    for penalty in (1.0, 1.8):
        sampling = SamplingOptions(temperature=0.0, repeat_penalty=penalty, max_tokens=60)
        answers.append("".join(runner.generate(tokens, sampling, GenerationStats(), lambda: False)))  # type: ignore[attr-defined]
    assert answers[0] != answers[1]


def test_llama_cpp_warnings_do_not_reach_the_terminal(smollm2_gguf: Path) -> None:
    """llama.cpp warns on every vocabulary load; a command's stderr must stay for the app's
    own plain sentences."""
    import subprocess
    import sys

    script = (
        "from assistant_builder.core.engine.llama_runtime import Vocabulary\n"
        f"v = Vocabulary({str(smollm2_gguf)!r})\n"
        "print(len(v.tokenize('hello world')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip().isdigit()
    assert done.stderr == ""
