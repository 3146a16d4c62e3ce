"""Validation of sampling options and load options, each problem told in one plain sentence."""

from __future__ import annotations

import math

from assistant_builder.core.engine.protocol import LoadOptions, SamplingOptions
from assistant_builder.core.errors import EngineError

# One plain sentence per sampling setting, for the settings screen.
SAMPLING_HELP: dict[str, str] = {
    "temperature": "How adventurous the wording is: 0 always picks the likeliest word, "
    "higher values give more varied answers.",
    "top_p": "Only consider the likeliest words that together make up this share of the "
    "chances; lower is more focused.",
    "top_k": "Only consider this many of the likeliest next words; 0 means no limit.",
    "min_p": "Ignore words much less likely than the best one; higher is more focused.",
    "repeat_penalty": "Discourages repeating the same words; 1 means no penalty.",
    "seed": "A number that makes random choices repeatable; leave empty for variety.",
    "max_tokens": "The longest answer allowed, in tokens (a token is about three quarters "
    "of a word).",
    "stop": "Pieces of text that end the answer as soon as the model writes them.",
}


class InvalidSettings(EngineError):
    """A sampling or load setting outside the range the engine accepts."""


def _check(ok: bool, sentence: str) -> None:
    if not ok:
        raise InvalidSettings(sentence)


def _finite(value: float) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def validate_sampling(s: SamplingOptions) -> SamplingOptions:
    """Return ``s`` unchanged when every value is in range; raise InvalidSettings otherwise."""
    _check(
        _finite(s.temperature) and 0.0 <= s.temperature <= 2.0,
        f"Temperature must be between 0 and 2 (it is {s.temperature}); "
        "use 0 for the most predictable answers.",
    )
    _check(
        _finite(s.top_p) and 0.0 < s.top_p <= 1.0,
        f"Top-p must be above 0 and at most 1 (it is {s.top_p}); 0.95 is a good default.",
    )
    _check(
        isinstance(s.top_k, int) and 0 <= s.top_k <= 1000,
        f"Top-k must be a whole number from 0 to 1000 (it is {s.top_k}); 0 turns it off.",
    )
    _check(
        _finite(s.min_p) and 0.0 <= s.min_p < 1.0,
        f"Min-p must be from 0 up to (not including) 1 (it is {s.min_p}); 0.05 is a good default.",
    )
    _check(
        _finite(s.repeat_penalty) and 0.5 <= s.repeat_penalty <= 2.0,
        f"Repeat penalty must be between 0.5 and 2 (it is {s.repeat_penalty}); 1 turns it off.",
    )
    _check(
        s.seed is None or (isinstance(s.seed, int) and 0 <= s.seed < 2**32),
        f"The seed must be a whole number from 0 to 4294967295 (it is {s.seed}); "
        "leave it empty for a different answer each time.",
    )
    _check(
        isinstance(s.max_tokens, int) and 1 <= s.max_tokens <= 1_000_000,
        f"The answer length must be at least 1 token (it is {s.max_tokens}); "
        "512 is a good default.",
    )
    _check(
        len(s.stop) <= 16 and all(isinstance(x, str) and x for x in s.stop),
        "Stop texts must be at most 16 non-empty pieces of text; remove the empty ones.",
    )
    return s


def validate_load(o: LoadOptions) -> LoadOptions:
    """Return ``o`` unchanged when it can be loaded; raise InvalidSettings otherwise."""
    _check(
        isinstance(o.context_size, int) and 64 <= o.context_size <= 1_048_576,
        f"The context size must be between 64 and 1048576 tokens (it is {o.context_size}); "
        "4096 suits most models.",
    )
    _check(
        isinstance(o.threads, int) and 0 <= o.threads <= 512,
        f"Threads must be 0 (automatic) or a positive number (it is {o.threads}).",
    )
    _check(
        isinstance(o.gpu_layers, int) and o.gpu_layers >= -1,
        f"GPU layers must be -1 (all), 0 (none) or a positive number (it is {o.gpu_layers}).",
    )
    for adapter in o.adapters:
        _check(
            _finite(adapter.scale) and -4.0 <= adapter.scale <= 4.0,
            f"An adapter's strength must be between -4 and 4 (it is {adapter.scale}); "
            "1 applies it fully.",
        )
    return o
