"""The LanceDB adapter: one table of chunks per collection (vector, text, source fields) with a
full-text index. The only module that imports lancedb, and only when a store is opened."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np

from assistant_builder.core.knowledge.embedder import Vectors

TABLE = "chunks"
VECTOR_INDEX_ROWS = 20_000  # below this a flat scan answers in a few milliseconds


@dataclass(frozen=True)
class StoredChunk:
    path: str
    page: int | None
    start: int
    end: int
    text: str
    heading: str
    score: float  # the mode's own ranking score: fusion, cosine or BM25
    relevance: float = 0.0  # cosine similarity to the question (0..1), the same in every mode


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in_list(paths: Iterable[str]) -> str:
    return "path IN (" + ", ".join(_quote(p) for p in paths) + ")"


class ChunkStore:
    def __init__(self, uri: str, table: str = TABLE) -> None:
        # LanceDB's Rust logger prints deprecation notes on stderr, which is the user's.
        os.environ.setdefault("LANCEDB_LOG", "error")
        import lancedb

        # Every read checks for a newer table version, so a long-lived searcher sees what
        # another indexing run (or process) wrote; locally that is one small file read.
        self._db = lancedb.connect(uri, read_consistency_interval=timedelta(0))
        self._name = table
        self._table: Any = None

    def _open(self) -> Any:
        if self._table is None and self.exists():
            self._table = self._db.open_table(self._name)
        return self._table

    def exists(self) -> bool:
        return self._name in self._db.list_tables().tables

    def drop(self) -> None:
        if self.exists():
            self._db.drop_table(self._name)
        self._table = None

    def count(self) -> int:
        table = self._open()
        return 0 if table is None else int(table.count_rows())

    def _schema(self, dimension: int) -> Any:
        import pyarrow as pa

        return pa.schema([
            pa.field("id", pa.string()),
            pa.field("path", pa.string()),
            pa.field("file_hash", pa.string()),
            pa.field("chunk", pa.int32()),
            pa.field("page", pa.int32()),
            pa.field("start", pa.int64()),
            pa.field("end", pa.int64()),
            pa.field("heading", pa.string()),
            pa.field("text", pa.string()),
            pa.field("search_text", pa.string()),  # title and headings + text: what is matched
            pa.field("vector", pa.list_(pa.float32(), dimension)),
        ])  # fmt: skip

    def replace_files(
        self, paths: Sequence[str], rows: list[dict[str, Any]], vectors: Vectors
    ) -> None:
        """Delete every chunk of ``paths`` and add ``rows`` (the new chunks of those files)."""
        import pyarrow as pa

        table = self._open()
        if table is not None and paths:
            table.delete(_in_list(paths))
        if not rows:
            return
        columns = {key: [row[key] for row in rows] for key in rows[0]}
        dim = int(vectors.shape[1])
        flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1))
        columns_arrow = {k: pa.array(v) for k, v in columns.items()}
        columns_arrow["vector"] = pa.FixedSizeListArray.from_arrays(flat, dim)
        schema = self._schema(dim)
        data = pa.Table.from_pydict(
            {name: columns_arrow[name] for name in schema.names}, schema=schema
        )
        if table is None:
            self._table = self._db.create_table(self._name, data=data)
        else:
            table.add(data)

    def delete_paths(self, paths: Sequence[str]) -> None:
        table = self._open()
        if table is not None and paths:
            table.delete(_in_list(paths))

    def paths(self) -> dict[str, int]:
        """Chunks per source path, as the table holds them now."""
        table = self._open()
        if table is None:
            return {}
        counts: dict[str, int] = {}
        for path in table.to_arrow().column("path").to_pylist():
            counts[path] = counts.get(path, 0) + 1
        return counts

    def rows(self, columns: Sequence[str]) -> list[dict[str, Any]]:
        table = self._open()
        if table is None:
            return []
        rows: list[dict[str, Any]] = table.to_arrow().select(list(columns)).to_pylist()
        return rows

    def finish_writes(self) -> None:
        """After a run that changed the table: index what is new and compact.

        The full-text index is created once and then kept up to date by optimize(); so is the
        vector index, made once the table is big enough for a flat scan to be slow. IVF_SQ
        (8-bit scalar quantization) builds 100k vectors in ~4 s and answers in ~7 ms on two
        cores, where IVF_PQ took ~50 s and HNSW over 2 minutes to build (bench/knowledge_search)."""
        table = self._open()
        if table is None:
            return
        if not self.has_index("search_text"):
            _create_text_index(table)
        if table.count_rows() >= VECTOR_INDEX_ROWS and not self.has_index("vector"):
            from lancedb.index import IvfSq

            table.create_index("vector", config=IvfSq(distance_type="cosine"), replace=True)
        table.optimize()

    def has_index(self, column: str) -> bool:
        table = self._open()
        return table is not None and any(column in i.columns for i in table.list_indices())

    def search(
        self, mode: str, query: str, vector: Vectors | None, limit: int
    ) -> list[StoredChunk]:
        table = self._open()
        if table is None:
            return []
        # The stored vector comes back too: each hit's relevance is its cosine similarity to the
        # question, so a "minimum relevance" means the same whatever the ranking mode.
        columns = ["path", "page", "start", "end", "text", "heading", "vector"]
        if mode == "vector":
            assert vector is not None
            builder = table.search(vector, query_type="vector").distance_type("cosine")
            found = builder.select([*columns, "_distance"]).limit(limit).to_list()
            return [_stored(r, 1.0 - float(r["_distance"]), vector) for r in found]
        if not self.has_index("search_text"):
            _create_text_index(table)
        if mode == "keyword":
            builder = table.search(query, query_type="fts", fts_columns="search_text")
            builder = builder.select([*columns, "_score"])
            found = builder.limit(limit).to_list()
            return [_stored(r, float(r["_score"]), vector) for r in found]
        assert vector is not None
        builder = table.search(query_type="hybrid", fts_columns="search_text")
        builder = builder.vector(vector).text(query)
        builder = builder.distance_type("cosine")
        found = builder.select(columns).limit(limit).to_list()
        return [_stored(r, float(r["_relevance_score"]), vector) for r in found]


def _create_text_index(table: Any) -> None:
    # LanceDB's native full-text index (the same as create_fts_index(use_tantivy=False), which
    # 0.40 deprecates): English stemming and stop words, accents folded.
    from lancedb.index import FTS

    table.create_index("search_text", config=FTS(with_position=False), replace=True)


def _stored(row: dict[str, Any], score: float, query: Vectors | None) -> StoredChunk:
    page = row.get("page")
    relevance = 0.0
    stored = row.get("vector")
    if query is not None and stored is not None:
        # Both are unit vectors (the embedder normalises), so the dot product is the cosine.
        relevance = float(np.clip(np.dot(np.asarray(stored, dtype=np.float32), query), 0.0, 1.0))
    return StoredChunk(
        path=str(row["path"]),
        page=None if page is None else int(page),
        start=int(row["start"]),
        end=int(row["end"]),
        text=str(row["text"]),
        heading=str(row.get("heading") or ""),
        score=score,
        relevance=relevance,
    )
