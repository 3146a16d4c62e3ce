"""LoRA adapters on the real SmolLM2: a GGUF adapter written here with the gguf package changes
the answer; an adapter for another architecture is refused with a plain sentence."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from gguf import GGUFWriter

from assistant_builder.core.engine.protocol import (
    Adapter,
    ChatMessage,
    LoadOptions,
    SamplingOptions,
)
from assistant_builder.core.errors import EngineError
from tests.engine.conftest import collect

pytestmark = pytest.mark.integration

QUESTION = [ChatMessage("user", "Tell me about cats.")]
GREEDY = SamplingOptions(temperature=0.0, seed=7, max_tokens=12)
WIDTH, LAYERS, RANK = 576, 30, 4  # SmolLM2-135M: embedding width and block count


def write_lora(path: Path, *, arch: str = "llama", strength: float = 0.5) -> Path:
    """A rank-4 LoRA over every attention output projection, in llama.cpp's adapter format."""
    rng = np.random.default_rng(0)
    writer = GGUFWriter(str(path), arch)
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(RANK))
    for layer in range(LAYERS):
        name = f"blk.{layer}.attn_output.weight"
        # numpy shapes are ggml's ne reversed: A is ne [WIDTH, RANK], B is ne [RANK, WIDTH].
        writer.add_tensor(
            f"{name}.lora_a", rng.normal(0, strength, (RANK, WIDTH)).astype(np.float32)
        )
        writer.add_tensor(
            f"{name}.lora_b", rng.normal(0, strength, (WIDTH, RANK)).astype(np.float32)
        )
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_an_adapter_changes_the_answer(engine, smollm2_gguf: Path, tmp_path: Path) -> None:
    from assistant_builder.core.engine.local import LocalEngine

    base, _ = collect(engine.chat(QUESTION, GREEDY))
    lora = write_lora(tmp_path / "style.gguf")
    answers = {}
    for scale in (0.0, 1.0):
        local = LocalEngine()
        adapters = (Adapter(str(lora), scale),)
        local.load(LoadOptions(str(smollm2_gguf), context_size=1024, threads=1, adapters=adapters))
        try:
            answers[scale], final = collect(local.chat(QUESTION, GREEDY))
            assert final.usage.completion_tokens > 0
        finally:
            local.unload()
    # At strength 0 the adapter is there but does nothing; at 1 it changes the answer.
    assert answers[0.0] == base
    assert answers[1.0] != base


def test_an_adapter_for_another_model_is_refused(smollm2_gguf: Path, tmp_path: Path) -> None:
    from assistant_builder.core.engine.local import LocalEngine

    lora = write_lora(tmp_path / "gemma-lora.gguf", arch="gemma")
    options = LoadOptions(str(smollm2_gguf), context_size=256, threads=1)
    with pytest.raises(EngineError) as info:
        LocalEngine().load(replace(options, adapters=(Adapter(str(lora)),)))
    assert "gemma-lora.gguf" in str(info.value) and str(info.value).endswith(".")
