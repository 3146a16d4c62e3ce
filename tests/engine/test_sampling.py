"""Sampling and load settings: a value out of range is one sentence saying what to do."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant_builder.core.engine.protocol import Adapter, LoadOptions, SamplingOptions
from assistant_builder.core.engine.sampling import (
    InvalidSettings,
    adjusted,
    validate_load,
    validate_sampling,
)

GOOD = SamplingOptions()


def one_sentence(text: str) -> bool:
    return text.endswith(".") and "\n" not in text and text[0].isupper()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("temperature", -0.1, "temperature is -0.1, but it must be between 0 and 2"),
        ("temperature", float("nan"), "temperature is not a number"),
        ("temperature", 2.5, "temperature is 2.5, but it must be between 0 and 2"),
        ("temperature", "hot", "temperature is “hot”"),
        ("top_p", 0.0, "top-p is 0, but it must be between 0.01 and 1"),
        ("top_p", 1.5, "top-p is 1.5"),
        ("top_k", -1, "top-k is -1, but it must be a whole number between 0 and 1000"),
        ("top_k", 2.5, "top-k is 2.5, but it must be a whole number"),
        ("top_k", True, "top-k is bool"),
        ("min_p", 1.5, "min-p is 1.5, but it must be between 0 and 1"),
        ("repeat_penalty", 0.0, "repeat penalty is 0, but it must be between 0.5 and 2"),
        ("seed", -5, "seed is -5, but it must be empty or a whole number between 0 and"),
        ("max_tokens", 0, "answer length is 0, but it must be a whole number between 1 and"),
        ("stop", ("",), "one of its stop texts is empty"),
        ("stop", tuple("abcdefghijklmnopq"), "it has 17 stop texts, but at most 16"),
    ],
)
def test_out_of_range_sampling_is_one_plain_sentence(field: str, value: object, words: str) -> None:
    with pytest.raises(InvalidSettings) as info:
        validate_sampling(replace(GOOD, **{field: value}))
    assert words in str(info.value)
    assert one_sentence(str(info.value))


def test_defaults_and_edges_are_accepted() -> None:
    assert validate_sampling(GOOD) is GOOD
    validate_sampling(replace(GOOD, temperature=0.0, top_k=0, min_p=0.0, seed=0, stop=("\n",)))
    validate_sampling(replace(GOOD, temperature=2.0, top_p=1.0, min_p=1.0, repeat_penalty=2.0))


def test_a_changed_setting_is_checked_against_the_same_ranges() -> None:
    assert adjusted(GOOD, temperature=0.0, max_tokens=None).temperature == 0.0
    assert adjusted(GOOD, max_tokens=None) == GOOD  # None keeps the setting
    with pytest.raises(InvalidSettings, match="temperature is 3, but it must be between 0 and 2"):
        adjusted(GOOD, temperature=3)


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (LoadOptions("m.gguf", context_size=16), "memory for the conversation"),
        (LoadOptions("m.gguf", threads=-2), "Threads"),
        (LoadOptions("m.gguf", gpu_layers=-3), "GPU layers"),
        (LoadOptions("m.gguf", adapters=(Adapter("a.gguf", 9.0),)), "strength"),
    ],
)
def test_out_of_range_load_options(options: LoadOptions, words: str) -> None:
    with pytest.raises(InvalidSettings, match=words) as info:
        validate_load(options)
    assert one_sentence(str(info.value))
