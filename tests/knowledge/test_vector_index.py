"""The vector index follows the table's size: none while a flat scan is quick, trained with
more partitions once the table has outgrown the ones it was trained with, an earlier version's
kind replaced, and every search still finds the passage it is asked for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant_builder.core.knowledge import vector_index
from assistant_builder.core.knowledge.store import ChunkStore
from assistant_builder.core.knowledge.vector_index import (
    outgrown,
    plan_for,
    trained_plan,
)


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
    monkeypatch.setattr(vector_index, "ROWS_PER_PARTITION", 500)
    store = ChunkStore(str(tmp_path / "store"))
    _add(store, 0, 200)
    store.finish_writes()
    assert not store.has_index("vector")  # a flat scan is quick at this size
    _add(store, 200, 200)
    store.finish_writes()
    first = store._indices()["vector"]
    assert first == plan_for(400).name  # type: ignore[union-attr]
    _add(store, 400, 400)  # twice the rows, still one partition: kept
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
    # More rows, more partitions; a search reads every partition's graph.
    assert big.partitions < huge.partitions
    assert big.nprobes == big.partitions and huge.nprobes == huge.partitions
    assert big.ef > 0 and huge.refine_factor > 0
    assert not outgrown(huge.name, 1_000_000) and outgrown(big.name, 1_000_000)
    assert not outgrown(big.name, 150_000)


def test_an_index_of_an_earlier_kind_is_still_searched_then_trained_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Earlier versions made IVF_SQ indexes (named by partitions, or unnamed): a search reads
    them as they were made, and the next indexing run replaces them with the current kind."""
    from lancedb.index import IvfSq

    old = trained_plan("vector_p1000")
    assert (old.partitions, old.nprobes, old.refine_factor, old.ef) == (1000, 64, 4, 0)
    assert trained_plan("vector_idx").ef == 0
    assert outgrown("vector_p1000", 1_000_000) and outgrown("vector_idx", 1_000_000)
    assert not outgrown("vector_idx", vector_index.INDEX_ROWS - 1)  # no index is needed
    monkeypatch.setattr(vector_index, "INDEX_ROWS", 300)
    store = ChunkStore(str(tmp_path / "store"))
    vectors = _add(store, 0, 600)
    store._open().create_index(
        "vector", config=IvfSq(distance_type="cosine", num_partitions=4), name="vector_p4"
    )
    found = store.search("vector", "passage word77", vectors[77], limit=5)
    assert found[0].text == "passage 77"
    store.finish_writes()
    assert store._indices()["vector"] == plan_for(600).name  # type: ignore[union-attr]
    found = store.search("hybrid", "passage word77", vectors[77], limit=5)
    assert found[0].text == "passage 77"
