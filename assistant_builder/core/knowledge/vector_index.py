"""Which vector index a collection's table gets, and how a search reads it, by its row count.

Chosen by measurement (bench/knowledge_search_scale.py: real MiniLM vectors of man pages, made
into 100k and 1M rows, recall of the top-5 against exact search). The figures are in the
commit that set them; what they decided is written beside each constant."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

INDEX_ROWS = 20_000  # below this a flat scan answers in a few milliseconds
# IVF_SQ with sqrt(rows) partitions (LanceDB's default): IVF_PQ (48 sub-vectors) took 12x
# as long to build at 100k and found 0.89 of the exact top-5 at best. Recall grew with the
# partitions read, hardly with how many there were: at 1M (1,000 partitions, re-ranked) 20
# read (LanceDB's default) found 0.966 of the exact top-5, 32 0.980, 64 all of it.
ROWS_PER_PARTITION = 1.0  # partitions = sqrt(rows) x this
NPROBES = 64
# Re-ranking 4x the candidates by their full vectors undoes the 8-bit quantization's misses
# (+0.012 to +0.016 recall at every setting) for a few more rows read.
REFINE_FACTOR = 4
REBUILD_GROWTH = 2.0  # the index is trained again once it has this share too few partitions
NAME = re.compile(r"^vector_p(\d+)$")


@dataclass(frozen=True)
class VectorIndexPlan:
    partitions: int  # IVF partitions the index is trained with
    nprobes: int  # partitions a search reads
    refine_factor: int  # 0: the quantized distances order the results as they are

    @property
    def name(self) -> str:
        """The index's name in the table, which records its partitions for a later check."""
        return f"vector_p{self.partitions}"


def plan_for(rows: int) -> VectorIndexPlan | None:
    """The index for a table of ``rows`` chunks; None: small enough to scan every vector."""
    if rows < INDEX_ROWS:
        return None
    return plan_of(max(1, round(math.sqrt(rows) * ROWS_PER_PARTITION)))


def plan_of(partitions: int) -> VectorIndexPlan:
    """How an index of ``partitions`` is searched."""
    return VectorIndexPlan(partitions, min(NPROBES, partitions), REFINE_FACTOR)


def trained_plan(index_name: str) -> VectorIndexPlan:
    """The plan of an index already in a table (one made before plans were named: as at
    the size it was made at, INDEX_ROWS)."""
    return plan_of(partitions_of(index_name) or round(math.sqrt(INDEX_ROWS)))


def partitions_of(index_name: str) -> int | None:
    """The partitions an index made by plan_for was trained with (None: made otherwise)."""
    found = NAME.match(index_name)
    return int(found.group(1)) if found else None


def outgrown(index_name: str, rows: int) -> bool:
    """Whether the table has grown so much since its index was trained that searching it
    reads too many vectors per partition: it is trained again with plan_for(rows)."""
    plan = plan_for(rows)
    if plan is None:
        return False
    return plan.partitions >= REBUILD_GROWTH * trained_plan(index_name).partitions
