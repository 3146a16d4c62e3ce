"""Fixtures for the models tests: small real GGUF files built with the gguf writer, and a
local fake of the Hugging Face hub reached through HF_ENDPOINT."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.models.fake_hub import FakeHub

MakeGguf = Callable[..., Path]


def write_gguf(
    path: Path,
    *,
    arch: str = "llama",
    n_layers: int = 2,
    n_embd: int = 64,
    context: int = 2048,
    chat_template: str | None = "{% for m in messages %}{{ m.content }}{% endfor %}",
    tensors: dict[str, np.ndarray] | None = None,
    extra: Callable[[object], None] | None = None,
) -> Path:
    """A small but well-formed GGUF model file (random f32 weights)."""
    from gguf import GGUFWriter

    writer = GGUFWriter(str(path), arch)
    writer.add_type("model")
    writer.add_name("Tiny Test Model")
    writer.add_context_length(context)
    writer.add_block_count(n_layers)
    writer.add_embedding_length(n_embd)
    writer.add_head_count(4)
    writer.add_head_count_kv(2)
    writer.add_file_type(0)  # all f32
    if chat_template is not None:
        writer.add_chat_template(chat_template)
    if extra:
        extra(writer)
    rng = np.random.default_rng(0)
    if tensors is None:
        tensors = {"token_embd.weight": rng.standard_normal((32, n_embd), dtype=np.float32)}
        for layer in range(n_layers):
            tensors[f"blk.{layer}.attn_q.weight"] = rng.standard_normal(
                (n_embd, n_embd), dtype=np.float32
            )
    for name, array in tensors.items():
        writer.add_tensor(name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.fixture
def make_gguf(tmp_path: Path) -> MakeGguf:
    def make(name: str = "tiny.gguf", **kw: object) -> Path:
        return write_gguf(tmp_path / name, **kw)  # type: ignore[arg-type]

    return make


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeHub]:
    """The fake hub, with huggingface_hub pointed at it, online, and without any token."""
    import huggingface_hub.constants as hf_constants

    hub = FakeHub().start()
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")  # for CLI subprocesses
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    # A token saved by a developer's `hf auth login` must not leak into the tests.
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setattr(hf_constants, "HF_TOKEN_PATH", str(tmp_path / "hf-home" / "token"))
    monkeypatch.setattr(
        hf_constants, "HF_STORED_TOKENS_PATH", str(tmp_path / "hf-home" / "stored_tokens")
    )
    yield hub
    hub.stop()
