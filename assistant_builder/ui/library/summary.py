"""What the Library shows about one collection: folders, counts and when it was last indexed,
read from the collection's settings and its index manifest (never from the index itself, so
listing stays instant)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from assistant_builder.core.knowledge.collection import CollectionConfig, Collections
from assistant_builder.core.knowledge.embedder import canonical_embedder_id
from assistant_builder.core.knowledge.manifest import Manifest


@dataclass(frozen=True)
class CollectionSummary:
    name: str
    folders: tuple[str, ...]
    embedder: str
    files: int
    failed: int
    chunks: int
    last_indexed: datetime | None  # None: never indexed
    interrupted: bool  # the last run did not finish
    watch: bool


def summarize(collections: Collections, config: CollectionConfig) -> CollectionSummary:
    file = collections.manifest_file(config.name)
    manifest = Manifest.load(file)
    entries = manifest.files.values()
    when = datetime.fromtimestamp(file.stat().st_mtime) if file.is_file() else None
    return CollectionSummary(
        name=config.name,
        folders=config.folders,
        embedder=config.embedder,
        files=sum(1 for e in entries if not e.failed),
        failed=sum(1 for e in entries if e.failed),
        chunks=sum(e.chunks for e in entries),
        last_indexed=when,
        interrupted=manifest.running,
        watch=config.watch,
    )


def embedder_in_words(spec: str) -> str:
    """The embedder a collection uses, as a person would want to read it."""
    name = Path(spec).name if Path(spec).exists() else spec.rsplit("/", 1)[-1]
    if canonical_embedder_id(name) == canonical_embedder_id("all-MiniLM-L6-v2"):
        return f"{name} (small and fast, made for English; comes with the app)"
    return name
