"""Models that keep a recurrent state besides (or instead of) attention: Mamba, RWKV, Qwen3.5's
Gated DeltaNet layers, Granite 4's hybrids, LFM2. llama.cpp cannot rewind such a state part-way,
so a previous turn's prefix is reused only when the new prompt continues all of what was
evaluated; anything else starts from an empty context."""

from __future__ import annotations

from collections.abc import Mapping

# llama.cpp's names (src/llama-arch.cpp) of architectures with a recurrent state.
RECURRENT_ARCHITECTURES = frozenset({
    "mamba", "mamba2", "rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7", "jamba", "falcon-h1",
    "granitehybrid", "nemotron_h", "plamo2", "lfm2", "lfm2moe", "qwen3next", "qwen35",
    "qwen35moe",
})  # fmt: skip


def has_recurrent_state(metadata: Mapping[str, object]) -> bool:
    """From a GGUF's metadata: a known recurrent or hybrid architecture, or one that declares
    state-space (``ssm.*``), RWKV (``wkv.*``) or interleaved-attention hyperparameters."""
    arch = str(metadata.get("general.architecture", "")).lower()
    if arch in RECURRENT_ARCHITECTURES:
        return True
    markers = (f"{arch}.ssm.", f"{arch}.wkv.", f"{arch}.full_attention_interval")
    return bool(arch) and any(str(key).startswith(markers) for key in metadata)
