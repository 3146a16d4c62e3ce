"""The LanceDB adapter: one table of chunks per collection (vector, text, source fields) with a
full-text index. With store_lock and index_manifest (which use its connection), the only
modules that touch lancedb, and only when a store is opened."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np

from assistant_builder.core.knowledge.embedder import Vectors
from assistant_builder.core.knowledge.vector_index import (
    VectorIndexPlan,
    outgrown,
    plan_for,
    trained_plan,
)

TABLE = "chunks"
# What a store of its own keeps beside the chunks (index_manifest.py, store_lock.py).
MANIFEST_TABLE = "manifest"
LOCK_TABLE = "indexing_lock"


@dataclass(frozen=True)
class StoredChunk:
    path: str
    page: int | None
    start: int
    end: int
    text: str
    heading: str
    meaning: float  # cosine similarity to the question, clipped to 0..1, in every mode
    bm25: float  # LanceDB's full-text score for the question; 0.0: none of its words
    # The chunk's stored embedding (unit length), so attribution need not embed it again.
    vector: Vectors | None = field(default=None, compare=False, repr=False)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in_list(column: str, values: Iterable[str]) -> str:
    return column + " IN (" + ", ".join(_quote(v) for v in values) + ")"


# The REST namespace client lancedb imports at once: its package init builds a validated
# pydantic method for every call of the remote API (about 1 s of lancedb's 2 s import here), and
# a table on this computer or in an object store never calls it.
_REST_CLIENT = "lance_namespace_urllib3_client"


def _import_lancedb() -> Any:
    """lancedb, with the REST client's package init put off until something asks that package
    for a name (a remote database does; its submodules are imported as usual meanwhile)."""
    import importlib.util
    import sys

    if "lancedb" not in sys.modules and _REST_CLIENT not in sys.modules:
        spec = importlib.util.find_spec(_REST_CLIENT)
        if spec is not None and spec.loader is not None:
            package = importlib.util.module_from_spec(spec)
            loader = spec.loader

            def init_on_first_use(name: str) -> Any:
                del package.__dict__["__getattr__"]
                loader.exec_module(package)
                return getattr(package, name)

            package.__dict__["__getattr__"] = init_on_first_use
            sys.modules[_REST_CLIENT] = package
    import lancedb

    return lancedb


@dataclass(frozen=True)
class FinishPlan:
    """What ChunkStore.finish_writes will do to the table as it is now."""

    rows: int
    indices: dict[str, str]  # the name of each indexed column's index
    vector: VectorIndexPlan | None  # the vector index to make (or make again), if one is due


class ChunkStore:
    def __init__(
        self, uri: str, table: str = TABLE, *, options: dict[str, str] | None = None
    ) -> None:
        # LanceDB's Rust logger prints deprecation notes on stderr, which is the user's.
        os.environ.setdefault("LANCEDB_LOG", "error")
        lancedb = _import_lancedb()

        # Every read checks for a newer table version, so a long-lived searcher sees what
        # another indexing run (or process) wrote; locally that is one small file read.
        # ``options``: LanceDB's storage_options of an object store (endpoint, region…);
        # credentials are not among them, the object store reads AWS_* from the environment.
        self._db = lancedb.connect(
            uri, read_consistency_interval=timedelta(0), storage_options=options or None
        )
        self._name = table
        self._table: Any = None

    @property
    def db(self) -> Any:
        """The LanceDB connection, for the other tables a shared store keeps beside the chunks."""
        return self._db

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

    def drop_all(self) -> None:
        """The chunks and what a store of its own keeps beside them."""
        self.drop()
        tables = self._db.list_tables().tables
        for name in (MANIFEST_TABLE, LOCK_TABLE):
            if name in tables:
                self._db.drop_table(name)

    def readable(self) -> bool:
        """Whether every data file of the table can be read: one narrow column of every
        file is read (a file cut short or missing fails it), so it is made before indexing
        and when a search fails, not at every start."""
        try:
            table = self._open()
            if table is not None:
                table.search().select(["id"]).limit(None).to_arrow()
        except Exception:  # lance reports a missing or cut-short file in several types
            return False
        return True

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
            table.delete(_in_list("path", paths))
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
            table.delete(_in_list("path", paths))

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

    def finish_writes(self, plan: FinishPlan | None = None) -> None:
        """After a run that changed the table: index what is new and compact, as ``plan``
        (finish_plan's, made just before; made here when not given) says.

        The full-text index and the index of ids are created once and then kept up to date by
        optimize(); so is the vector index, made once the table is big enough for a flat scan
        to be slow and trained again when the table has outgrown it (vector_index.py)."""
        table = self._open()
        plan = plan or self.finish_plan()
        if table is None or plan is None:
            return
        if "search_text" not in plan.indices:
            _create_text_index(table)
        if "id" not in plan.indices:
            # The keyword scores of a vector search's hits are looked up by id: at 1M rows
            # 5 ms with this index instead of 44 (built in 0.3 s).
            from lancedb.index import BTree

            table.create_index("id", config=BTree(), replace=True)
        if plan.vector is not None:
            if "vector" in plan.indices:
                table.drop_index(plan.indices["vector"])
            _create_vector_index(table, plan.vector)
        table.optimize()

    def finish_plan(self) -> FinishPlan | None:
        """What the next finish_writes will do (None: there is no table), so a run can say
        first that a vector index is about to be made (or made again): at 1M rows it takes
        about 4 minutes. The table's indexes are listed and its rows counted once for both."""
        table = self._open()
        if table is None:
            return None
        indices = self._indices()
        rows = int(table.count_rows())
        current = indices.get("vector")
        vector = plan_for(rows)
        if vector is not None and current is not None and not outgrown(current, rows):
            vector = None
        return FinishPlan(rows, indices, vector)

    def _indices(self) -> dict[str, str]:
        """The name of each indexed column's index."""
        table = self._open()
        if table is None:
            return {}
        return {column: i.name for i in table.list_indices() for column in i.columns}

    def has_index(self, column: str) -> bool:
        return column in self._indices()

    def search(self, mode: str, query: str, vector: Vectors, limit: int) -> list[StoredChunk]:
        """Up to ``limit`` candidates of ``mode``, each with both of its scores whatever found it:
        the cosine from its stored vector, the BM25 from the full-text index."""
        table = self._open()
        if table is None:
            return []
        indices = self._indices()
        if "search_text" not in indices:
            _create_text_index(table)
        plan = trained_plan(indices["vector"]) if "vector" in indices else None
        columns = ["id", "path", "page", "start", "end", "text", "heading", "vector"]
        if mode == "vector":
            builder = table.search(vector, query_type="vector").distance_type("cosine")
            found = _probed(builder, plan).select(columns).limit(limit).to_list()
            bm25 = self._bm25(query, [str(r["id"]) for r in found])
            return [_stored(r, vector, bm25.get(str(r["id"]), 0.0)) for r in found]
        if mode == "keyword":
            builder = table.search(query, query_type="fts", fts_columns="search_text")
            found = builder.select([*columns, "_score"]).limit(limit).to_list()
            return [_stored(r, vector, float(r["_score"])) for r in found]
        # LanceDB runs both searches and its reciprocal-rank fusion picks the candidates;
        # return_score="all" hands back each one's own BM25 (None: the words did not match).
        from lancedb.rerankers import RRFReranker

        builder = table.search(query_type="hybrid", fts_columns="search_text")
        builder = builder.vector(vector).text(query).distance_type("cosine")
        builder = builder.rerank(RRFReranker(return_score="all"))
        found = _probed(builder, plan).select(columns).limit(limit).to_list()
        return [_stored(r, vector, float(r.get("_score") or 0.0)) for r in found]

    def _bm25(self, query: str, ids: Sequence[str]) -> dict[str, float]:
        """The BM25 of the rows ``ids`` for ``query`` (a row missing: none of its words matched)."""
        if not ids:
            return {}
        builder = self._open().search(query, query_type="fts", fts_columns="search_text")
        found = (
            builder.where(_in_list("id", ids), prefilter=True)
            .select(["id", "_score"])
            .limit(len(ids))
        )
        return {str(r["id"]): float(r["_score"]) for r in found.to_list()}


def _create_text_index(table: Any) -> None:
    # LanceDB's native full-text index (the same as create_fts_index(use_tantivy=False), which
    # 0.40 deprecates): English stemming and stop words, accents folded.
    from lancedb.index import FTS

    table.create_index("search_text", config=FTS(with_position=False), replace=True)


def _create_vector_index(table: Any, plan: VectorIndexPlan) -> None:
    from lancedb.index import HnswSq

    # Sized by rows per partition, not by a count of partitions: LanceDB then balances them as
    # optimize() would, which otherwise trains the whole index again after its first change.
    index = HnswSq(distance_type="cosine", target_partition_size=plan.partition_rows)
    table.create_index("vector", config=index, name=plan.name, replace=True)


def _probed(builder: Any, plan: VectorIndexPlan | None) -> Any:
    """``builder`` reading as many partitions (and candidates of each graph, and refining as
    many) as planned."""
    if plan is None:
        return builder
    builder = builder.nprobes(plan.nprobes)
    builder = builder.ef(plan.ef) if plan.ef else builder
    return builder.refine_factor(plan.refine_factor) if plan.refine_factor else builder


def _stored(row: dict[str, Any], query: Vectors, bm25: float) -> StoredChunk:
    page = row.get("page")
    stored = np.asarray(row["vector"], dtype=np.float32)
    # Both are unit vectors (the embedder normalises), so the dot product is the cosine.
    meaning = float(np.clip(np.dot(stored, query), 0.0, 1.0))
    return StoredChunk(
        path=str(row["path"]),
        page=None if page is None else int(page),
        start=int(row["start"]),
        end=int(row["end"]),
        text=str(row["text"]),
        heading=str(row.get("heading") or ""),
        meaning=meaning,
        bm25=bm25,
        vector=stored,
    )
