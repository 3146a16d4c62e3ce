"""LoRA adapters: recognised on import, checked against the model, applied by llama.cpp."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant_builder.core.errors import ModelError
from assistant_builder.core.models.library import add_local, attach_adapter
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.paths import Paths
from tests.models.conftest import MakeGguf
from tests.test_cli import run_cli

SMOLLM2_OUT = {"attn_q": 576, "attn_k": 192, "attn_v": 192}  # SmolLM2-135M, n_embd 576


def write_lora(
    path: Path,
    *,
    arch: str = "llama",
    n_in: int = 576,
    outs: dict[str, int] = SMOLLM2_OUT,
    layers: int = 2,
    rank: int = 4,
    scale: float = 2.0,
) -> Path:
    """A real GGUF LoRA adapter, as llama.cpp's convert_lora_to_gguf.py lays it out."""
    from gguf import GGUFWriter

    writer = GGUFWriter(str(path), arch)
    writer.add_type("adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(rank))
    rng = np.random.default_rng(7)
    for layer in range(layers):
        for name, n_out in outs.items():
            base = f"blk.{layer}.{name}.weight"
            # numpy shapes are GGML dims reversed: A is (rank, in), B is (out, rank).
            a = rng.standard_normal((rank, n_in)).astype(np.float32) * scale
            b = rng.standard_normal((n_out, rank)).astype(np.float32) * scale
            writer.add_tensor(f"{base}.lora_a", a)
            writer.add_tensor(f"{base}.lora_b", b)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_an_adapter_is_recognised_and_checked_against_models(
    app_home: Paths, make_gguf: MakeGguf, tmp_path: Path
) -> None:
    model = add_local(app_home, make_gguf("base.gguf", n_layers=2, n_embd=64))
    fitting = write_lora(tmp_path / "fits.gguf", n_in=64, outs={"attn_q": 64})
    adapter = add_local(app_home, fitting)
    assert adapter.kind == "adapter"
    assert adapter.meta["base_architecture"] == "llama"
    assert adapter.meta["lora_targets"]["blk.0.attn_q.weight"] == [64, 4, 64]
    attached = attach_adapter(app_home, model.id, adapter.id, scale=0.5)
    assert (attached.path, attached.scale) == (adapter.path, 0.5)

    wrong_shape = add_local(
        app_home, write_lora(tmp_path / "shape.gguf", n_in=128, outs={"attn_q": 128})
    )
    with pytest.raises(ModelError, match=r"does not fit .*different shape"):
        attach_adapter(app_home, model.id, wrong_shape.id)
    wrong_arch = add_local(app_home, write_lora(tmp_path / "qwen.gguf", arch="qwen2", n_in=64,
                                                outs={"attn_q": 64}))  # fmt: skip
    with pytest.raises(ModelError, match="made for “qwen2” models and this one is “llama”"):
        attach_adapter(app_home, model.id, wrong_arch.id)
    missing = add_local(app_home, write_lora(tmp_path / "k.gguf", n_in=64, outs={"attn_k": 64}))
    with pytest.raises(ModelError, match=r"no tensor blk\.0\.attn_k\.weight"):
        attach_adapter(app_home, model.id, missing.id)
    with pytest.raises(ModelError, match="is a model, not an adapter"):
        attach_adapter(app_home, model.id, model.id)


def test_cli_add_refuses_an_adapter_that_does_not_fit_the_named_model(
    app_home: Paths, make_gguf: MakeGguf, tmp_path: Path
) -> None:
    base = make_gguf("base.gguf", n_embd=64)
    assert run_cli("models", "add", str(base), "--name", "base").returncode == 0
    bad = write_lora(tmp_path / "bad.gguf", n_in=96, outs={"attn_q": 96})
    result = run_cli("models", "add", str(bad), "--base", "base")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "does not fit base" in result.stderr
    listed = json.loads(run_cli("models", "list", "--json").stdout)["models"]
    assert [m["kind"] for m in listed] == ["model"]
    good = write_lora(tmp_path / "good.gguf", n_in=64, outs={"attn_q": 64})
    ok = run_cli("models", "add", str(good), "--base", "base")
    assert ok.returncode == 0, ok.stderr
    assert "Added the LoRA adapter" in ok.stderr and "for llama models" in ok.stderr


@pytest.mark.integration
def test_a_lora_adapter_changes_what_smollm2_generates(
    app_home: Paths, smollm2_gguf: Path, tmp_path: Path
) -> None:
    from llama_cpp import Llama

    model = add_local(app_home, smollm2_gguf, name="smol")
    adapter = add_local(app_home, write_lora(tmp_path / "smol-lora.gguf"))
    assert ModelRegistry(app_home.models_registry).get(adapter.id).kind == "adapter"
    chosen = attach_adapter(app_home, model.id, adapter.id)
    messages = [{"role": "user", "content": "What is the capital of France?"}]

    def answer(**extra: object) -> str:
        # One thread: on a busy shared CPU, llama.cpp threads spinning against each other
        # can turn a 3 s generation into 40 s.
        llm = Llama(model_path=model.path, n_ctx=256, n_threads=1, verbose=False, seed=1,
                    **extra)  # type: ignore[arg-type]  # fmt: skip
        out = llm.create_chat_completion(messages=messages, max_tokens=12, temperature=0.0)
        llm.close()
        return str(out["choices"][0]["message"]["content"])

    plain = answer()
    adapted = answer(lora_path=chosen.path, lora_scale=chosen.scale)
    assert plain.strip() and adapted.strip()
    assert adapted != plain  # the adapter's weights were applied
