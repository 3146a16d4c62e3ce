"""The vector index follows the table's size: none while a flat scan is quick, trained with
more partitions once the table has outgrown the ones it was trained with, and every search
still finds the passage it is asked for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant_builder.core.knowledge import vector_index
from assistant_builder.core.knowledge.store import ChunkStore
from assistant_builder.core.knowledge.vector_index import outgrown, plan_for


def _add(store: ChunkStore, start: int, count: int) -> np.ndarray:
    rng = np.random.default_rng(start)
    vectors = rng.standard_normal((count, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rows = [
        {"id": f"h{i}:0", "path": f"/docs/f{i}.txt", "file_hash": f"h{i}", "chunk": 0,
         "page": None, "start": 0, "end": 9, "heading": "", "text": f"passage {i}",
         "search_text": f"passage word{i}"}
        for i in range(start, start + count)
    ]  # fmt: skip
    store.replace_files([], rows, vectors)
    return vectors


def test_a_growing_table_gets_its_index_trained_again_and_finds_every_passage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vector_index, "INDEX_ROWS", 300)
    store = ChunkStore(str(tmp_path / "store"))
    _add(store, 0, 200)
    store.finish_writes()
    assert not store.has_index("vector")  # a flat scan is quick at this size
    _add(store, 200, 200)
    store.finish_writes()
    first = store._indices()["vector"]
    assert first == plan_for(400).name  # type: ignore[union-attr]
    _add(store, 400, 400)  # twice the rows: the same partitions are still fine
    store.finish_writes()
    assert store._indices()["vector"] == first
    late = _add(store, 800, 1200)  # five times the rows it was trained at
    store.finish_writes()
    second = store._indices()["vector"]
    assert second != first and second == plan_for(2000).name  # type: ignore[union-attr]
    for mode in ("vector", "hybrid"):
        found = store.search(mode, "passage word1234", late[1234 - 800], limit=5)
        assert found[0].text == "passage 1234", mode


def test_plans_by_row_count() -> None:
    small, big, huge = plan_for(19_999), plan_for(100_000), plan_for(1_000_000)
    assert small is None and big is not None and huge is not None
    # More rows, more partitions, each search reading a few of them, never all.
    assert big.partitions < huge.partitions
    assert 1 <= big.nprobes < big.partitions and 1 <= huge.nprobes < huge.partitions
    # An index made before indexes were named was trained at the first size that gets one.
    assert not outgrown("vector_idx", vector_index.INDEX_ROWS)
    assert outgrown("vector_idx", 100 * vector_index.INDEX_ROWS)
    assert not outgrown(huge.name, 1_000_000) and outgrown(big.name, 1_000_000)
