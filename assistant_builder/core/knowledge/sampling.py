"""Passages sampled from what a collection has indexed, spread evenly over its documents: the
raw material of suggested check questions (core/checks/suggest.py). Run where LanceDB may load
(the knowledge process, or the command line's own process)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant_builder.core.paths import Paths

MIN_TEXT = 80  # characters; a shorter passage (a heading, a line) answers no question


@dataclass(frozen=True)
class StoredPassage:
    source: str  # absolute path of the document
    page: int | None
    start: int
    end: int
    text: str


def spread(passages: list[StoredPassage], count: int) -> list[StoredPassage]:
    """``count`` passages taking each document in turn, evenly through each one, so the
    sample covers every document before it takes a second passage of any."""
    by_file: dict[str, list[StoredPassage]] = {}
    for p in sorted(passages, key=lambda p: (p.source, p.start)):
        if len(p.text.strip()) >= MIN_TEXT:
            by_file.setdefault(p.source, []).append(p)
    chosen: list[StoredPassage] = []
    rounds = max((len(v) for v in by_file.values()), default=0)
    order = [lst[len(lst) // 2 :] + lst[: len(lst) // 2] for lst in by_file.values()]
    for i in range(rounds):
        for lst in order:
            if i < len(lst) and len(chosen) < count:
                chosen.append(lst[i])
    return chosen


def stored_passages(paths: Paths, name: str, count: int) -> list[StoredPassage]:
    """Up to ``count`` passages of the collection ``name``; none before anything is indexed."""
    from assistant_builder.core.knowledge.collection import Collections
    from assistant_builder.core.knowledge.store import ChunkStore

    collections = Collections(paths)
    store = ChunkStore(collections.store_uri(collections.get(name)))
    if not store.exists():
        return []
    rows = store.rows(["path", "page", "start", "end", "text"])
    found = [
        StoredPassage(
            str(r["path"]),
            int(r["page"]) if r["page"] is not None else None,
            int(r["start"]),
            int(r["end"]),
            str(r["text"]),
        )
        for r in rows
    ]
    return spread(found, count)
