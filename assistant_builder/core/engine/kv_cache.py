"""How llama.cpp stores the model's attention cache (its memory of the prompt so far): f16, its
default, or q8_0 at a little over half the memory with hardly any loss in quality. The setting
itself (its choices and explanation) is declared in core/settings.py."""

from __future__ import annotations

from assistant_builder.core.settings import KV_CACHE_CHOICES

# Bytes per cached value: q8_0 keeps blocks of 32 values in 34 bytes.
BYTES_PER_VALUE: dict[str, float] = {"f16": 2.0, "q8_0": 34 / 32}
# llama.cpp's ggml_type numbers, as Llama(type_k=…, type_v=…) takes them.
GGML_TYPE: dict[str, int] = {"f16": 1, "q8_0": 8}
assert set(BYTES_PER_VALUE) == set(KV_CACHE_CHOICES) - {"auto"}
