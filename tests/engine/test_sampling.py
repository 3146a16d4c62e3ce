"""Sampling and load settings: a value out of range is one sentence saying what to do."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant_builder.core.engine.protocol import Adapter, LoadOptions, SamplingOptions
from assistant_builder.core.engine.sampling import (
    SAMPLING_HELP,
    InvalidSettings,
    validate_load,
    validate_sampling,
)

GOOD = SamplingOptions()


def one_sentence(text: str) -> bool:
    return text.endswith(".") and "\n" not in text and text[0].isupper()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("temperature", -0.1, "Temperature"),
        ("temperature", float("nan"), "Temperature"),
        ("temperature", 2.5, "Temperature"),
        ("top_p", 0.0, "Top-p"),
        ("top_p", 1.5, "Top-p"),
        ("top_k", -1, "Top-k"),
        ("min_p", 1.0, "Min-p"),
        ("repeat_penalty", 0.0, "Repeat penalty"),
        ("seed", -5, "seed"),
        ("max_tokens", 0, "answer length"),
        ("stop", ("",), "Stop texts"),
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


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (LoadOptions("m.gguf", context_size=16), "context size"),
        (LoadOptions("m.gguf", threads=-2), "Threads"),
        (LoadOptions("m.gguf", gpu_layers=-3), "GPU layers"),
        (LoadOptions("m.gguf", adapters=(Adapter("a.gguf", 9.0),)), "strength"),
    ],
)
def test_out_of_range_load_options(options: LoadOptions, words: str) -> None:
    with pytest.raises(InvalidSettings, match=words) as info:
        validate_load(options)
    assert one_sentence(str(info.value))


def test_every_sampling_setting_has_a_plain_explanation() -> None:
    from dataclasses import fields

    assert set(SAMPLING_HELP) == {f.name for f in fields(SamplingOptions)}
    assert all(one_sentence(text) for text in SAMPLING_HELP.values())
