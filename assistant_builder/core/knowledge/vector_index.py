"""Which vector index a collection's table gets, and how a search reads it, by its row count.

Chosen by measurement (bench/knowledge_search_scale.py: real MiniLM vectors of man pages, made
into 100k and 1M rows, recall of the top-5 against exact search). The figures are in the
commit that set them; what they decided is written beside each constant."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

INDEX_ROWS = 20_000  # below this a flat scan answers in a few milliseconds
# IVF_HNSW_SQ: a graph in each of a few large partitions. At 1M rows (100k rows a partition,
# all read, ef 200, re-ranked) it found 0.992 of the exact top-5 in 10 ms (p50; 11.5 p95) where
# IVF_SQ (1,000 partitions) needed 38 ms for 32 of them to be read (1.000) and 26 ms for 20
# (0.980); its build took 248 s against 64. At 100k every kind answers in 5-7 ms (HNSW: 1.000,
# built in 45 s; IVF_SQ 79 partitions, 40 read: 1.000, 24 s); IVF_PQ found 0.89 at best.
ROWS_PER_PARTITION = 100_000
EF = 200  # candidates each graph search keeps: at 1M 100 found 0.982, 400 0.998 in 15 ms
# Re-ranking 4x the candidates by their full vectors undoes the 8-bit quantization's misses
# (at 100k, ef 200: 1.000 instead of 0.980).
REFINE_FACTOR = 4
REBUILD_GROWTH = 2.0  # the index is trained again once it has this share too few partitions
NAME = re.compile(r"^vector_hnsw_p(\d+)$")
# Indexes of earlier versions: IVF_SQ named by partitions, or unnamed ("vector_idx"). They are
# searched as they were made until the next indexing run trains the current kind.
OLD_NAME = re.compile(r"^vector_p(\d+)$")
OLD_NPROBES = 64


@dataclass(frozen=True)
class VectorIndexPlan:
    partitions: int  # IVF partitions the index is trained with
    nprobes: int  # partitions a search reads
    refine_factor: int  # 0: the quantized distances order the results as they are
    ef: int = EF  # candidates a graph search keeps (0: an IVF_SQ index, no graph)
    partition_rows: int = ROWS_PER_PARTITION  # the size LanceDB balances partitions to

    @property
    def name(self) -> str:
        """The index's name in the table, which records its kind and partitions."""
        return f"vector_hnsw_p{self.partitions}"


def plan_for(rows: int) -> VectorIndexPlan | None:
    """The index for a table of ``rows`` chunks; None: small enough to scan every vector."""
    if rows < INDEX_ROWS:
        return None
    return plan_of(max(1, rows // ROWS_PER_PARTITION))


def plan_of(partitions: int) -> VectorIndexPlan:
    """How an index of ``partitions`` graphs is searched: every one of them is read."""
    return VectorIndexPlan(partitions, partitions, REFINE_FACTOR, EF, ROWS_PER_PARTITION)


def trained_plan(index_name: str) -> VectorIndexPlan:
    """How the index already in a table is searched, whichever version made it."""
    found = NAME.match(index_name)
    if found:
        return plan_of(int(found.group(1)))
    old = OLD_NAME.match(index_name)
    partitions = int(old.group(1)) if old else round(math.sqrt(INDEX_ROWS))
    return VectorIndexPlan(partitions, min(OLD_NPROBES, partitions), REFINE_FACTOR, ef=0)


def outgrown(index_name: str, rows: int) -> bool:
    """Whether the table's index should be trained again with plan_for(rows): it is of an
    earlier kind, or the table has grown so much that its partitions are too few."""
    plan = plan_for(rows)
    if plan is None:
        return False
    if not NAME.match(index_name):
        return True
    return plan.partitions >= REBUILD_GROWTH * trained_plan(index_name).partitions
