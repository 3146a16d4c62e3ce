"""“Will it run?” for an assistant: the context it needs (instructions, examples, passages,
recent turns, answer), and the attention-cache type that makes a model fit, which the engine
then loads with."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant_builder.core.assistants.answering import load_options
from assistant_builder.core.assistants.model import Assistant, CollectionRef, Example, ModelRef
from assistant_builder.core.assistants.needs import PASSAGE_TOKENS, assistant_fit, context_need
from assistant_builder.core.engine.protocol import LoadOptions, SamplingOptions
from assistant_builder.core.models.fit import (
    GIB,
    Machine,
    estimate_fit,
    fit_with_cache,
    kv_cache_bytes,
)
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.settings import KV_CACHE_CHOICES, KV_CACHE_HELP
from tests.models.test_fit import LLAMA_31_8B_Q8_0, LLAMA_32_3B_Q4_K_M

CONTEXT = 32768


def _between() -> Machine:
    """A computer with room for the model at q8_0 but not at f16."""
    full = estimate_fit(LLAMA_31_8B_Q8_0, CONTEXT, Machine(64 * GIB, 64 * GIB), "f16")
    compact = estimate_fit(LLAMA_31_8B_Q8_0, CONTEXT, Machine(64 * GIB, 64 * GIB), "q8_0")
    ram = int((full.needed_bytes + compact.needed_bytes) / 2 / 0.85)
    return Machine(ram, ram)


def test_q8_0_stores_the_cache_in_a_little_over_half_the_memory() -> None:
    full = kv_cache_bytes(LLAMA_32_3B_Q4_K_M, 8192)
    assert kv_cache_bytes(LLAMA_32_3B_Q4_K_M, 8192, "q8_0") == int(full * 34 / 64)


def test_automatic_recommends_q8_0_only_when_it_makes_the_model_fit() -> None:
    tight = _between()
    assert estimate_fit(LLAMA_31_8B_Q8_0, CONTEXT, tight).verdict == "Won't fit"
    fit, kv = fit_with_cache(LLAMA_31_8B_Q8_0, CONTEXT, tight)
    assert kv == "q8_0" and fit.verdict != "Won't fit"
    assert fit.reason.endswith("with its memory stored compactly (q8_0).")
    roomy = Machine(64 * GIB, 64 * GIB)
    assert fit_with_cache(LLAMA_31_8B_Q8_0, CONTEXT, roomy)[1] == "f16"
    forced, kv = fit_with_cache(LLAMA_31_8B_Q8_0, CONTEXT, tight, "f16")  # the person chose
    assert kv == "f16" and forced.verdict == "Won't fit"
    assert set(KV_CACHE_CHOICES) == {"auto", "f16", "q8_0"} and KV_CACHE_HELP.count(". ") == 0


def test_the_context_an_assistant_needs_counts_all_it_sends() -> None:
    lean = Assistant(id="a", name="A", model=ModelRef("m"), context_size=2048,
                     sampling=SamplingOptions(max_tokens=256))  # fmt: skip
    rich = Assistant(
        id="b", name="B", model=ModelRef("m"), context_size=2048,
        sampling=SamplingOptions(max_tokens=256), system_prompt="Answer from the lease. " * 20,
        examples=(Example("When is rent due?", "On the 1st."),),
        collections=(CollectionRef("lease", top_k=5), CollectionRef("rules", top_k=3)),
    )  # fmt: skip
    need = context_need(rich)
    assert need.passages == 8 * PASSAGE_TOKENS
    assert need.instructions > context_need(lean).instructions and need.examples > 0
    assert need.answer > 256 and need.history > 2 * 256
    assert need.total > 2048 > context_need(lean).total
    roomy = Machine(64 * GIB, 64 * GIB)
    sentence = assistant_fit(rich, LLAMA_32_3B_Q4_K_M, roomy).sentence
    assert "give it more memory for the conversation" in sentence and "token" not in sentence
    assert "more memory" not in assistant_fit(lean, LLAMA_32_3B_Q4_K_M, roomy).sentence


@pytest.mark.integration
def test_the_engine_loads_with_the_recommended_cache_type(
    smollm2_registry: ModelRegistry, smollm2_gguf: Path
) -> None:
    assistant = Assistant(id="c", name="C", model=ModelRef("smollm2"), context_size=8192)
    roomy = load_options(assistant, smollm2_registry, machine=Machine(64 * GIB, 64 * GIB))
    assert roomy.kv_cache_type == "f16"
    chosen = load_options(assistant, smollm2_registry, gpu_layers=0, kv_cache="q8_0")
    assert chosen.kv_cache_type == "q8_0"
    from assistant_builder.core.engine.llama_runtime import GenerationStats, LlamaRunner

    runner = LlamaRunner(LoadOptions(str(smollm2_gguf), context_size=512, threads=1,
                                     kv_cache_type="q8_0"))  # fmt: skip
    try:
        assert runner.llm.context_params.type_k == runner.llm.context_params.type_v == 8
        prompt = runner.llm.tokenize(
            b"<|im_start|>user\nName a colour.<|im_end|>\n<|im_start|>assistant\n",
            add_bos=False, special=True,
        )  # fmt: skip
        greedy = SamplingOptions(temperature=0.0, max_tokens=8, seed=1)
        assert "".join(runner.generate(prompt, greedy, GenerationStats(), lambda: False)).strip()
    finally:
        runner.close()
