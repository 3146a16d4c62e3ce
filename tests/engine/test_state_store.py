"""The saved prompt states' folder without a model (core/engine/state_cache.py): a state is
used only for exactly its tokens and its llama.cpp version, whatever else is removed; the
limit drops the least recently used first; clearing and a model's removal empty it."""

from __future__ import annotations

import os
from pathlib import Path

from assistant_builder.core.engine import state_cache
from assistant_builder.core.engine.state_cache import StateCache, StateCacheOptions

TOKENS = tuple(range(100, 140))


def cache(
    folder: Path, *, limit: int = 1 << 20, llama: str = "0.3.36", model: str = "ab"
) -> StateCache:
    return StateCache(StateCacheOptions(folder, limit), model, llama)


def test_a_state_is_used_only_for_its_exact_tokens_and_llama_version(tmp_path: Path) -> None:
    saved = cache(tmp_path)
    saved.write("k", TOKENS, b"kv" * 500)
    assert saved.read("k", TOKENS) == b"kv" * 500
    assert saved.read("k", TOKENS[:-1]) is None  # another prefix: not used, and removed
    assert not saved.path("k").exists()

    saved.write("k", TOKENS, b"kv" * 500)
    assert cache(tmp_path, llama="0.3.37").read("k", TOKENS) is None  # another llama.cpp
    assert not saved.path("k").exists()

    saved.write("k", TOKENS, b"kv" * 500)
    saved.path("k").write_bytes(b"not a state")
    assert saved.read("k", TOKENS) is None


def test_the_limit_drops_the_least_recently_used_first(tmp_path: Path) -> None:
    cache(tmp_path).write("a", TOKENS, b"x" * 1000)
    one = cache(tmp_path).path("a").stat().st_size
    saved = cache(tmp_path, limit=one * 2)  # room for two
    saved.write("b", TOKENS, b"x" * 1000)
    os.utime(saved.path("a"), (1_000, 1_000))
    os.utime(saved.path("b"), (2_000, 2_000))
    assert saved.read("a", TOKENS) is not None  # used now: "b" is the least recently used
    saved.write("c", TOKENS, b"x" * 1000)
    assert [p.stem for p in sorted((tmp_path / "ab").glob("*.state"))] == ["a", "c"]

    saved.write("huge", TOKENS, b"x" * one * 3)  # never fits: not written, nothing dropped
    assert state_cache.size_of(tmp_path).files == 2


def test_clearing_and_removing_a_model_empty_the_cache(tmp_path: Path) -> None:
    cache(tmp_path, model="ab").write("a", TOKENS, b"x")
    cache(tmp_path, model="cd").write("a", TOKENS, b"x")
    state_cache.remove_model(tmp_path, "ab")
    assert not (tmp_path / "ab").exists() and state_cache.size_of(tmp_path).files == 1
    state_cache.clear(tmp_path)
    assert state_cache.size_of(tmp_path).files == 0
