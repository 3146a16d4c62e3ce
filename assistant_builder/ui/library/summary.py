"""The embedder of a collection in words a person can read (what the Library shows of a
collection otherwise comes from core: ``Collections.status``)."""

from __future__ import annotations

from pathlib import Path

from assistant_builder.core.app import canonical_embedder_id, find_embedder


def embedder_in_words(spec: str) -> str:
    """The embedder a collection uses, as a person would want to read it."""
    name = Path(spec).name if Path(spec).exists() else spec.rsplit("/", 1)[-1]
    if canonical_embedder_id(name) == canonical_embedder_id("all-MiniLM-L6-v2"):
        return f"{name} (small and fast, made for English; comes with the app)"
    entry = find_embedder(spec)
    return f"{entry.name} ({entry.languages.lower()}, {entry.size})" if entry else name
