"""The graphics cards the engine's child last found, remembered in the cache folder so the
app's "will it run?" estimates (core/models/fit.py) know them without loading llama.cpp's
backends into the app's own process. The child decides its layers with fresh figures."""

from __future__ import annotations

import json
from pathlib import Path

from assistant_builder.core.engine.backends import GraphicsCard
from assistant_builder.core.fileio import write_json_atomic
from assistant_builder.core.paths import Paths

FILE_NAME = "graphics-cards.json"


def cards_file(paths: Paths | None = None) -> Path:
    return (paths or Paths.from_env()).cache_dir / FILE_NAME


def remember(cards: tuple[GraphicsCard, ...], paths: Paths | None = None) -> None:
    """Keep what the child reported; a cache that cannot be written is only a missed hint."""
    rows = [
        {"name": c.name, "free": c.free_bytes, "total": c.total_bytes, "integrated": c.integrated}
        for c in cards
    ]
    path = cards_file(paths)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(path, rows)
    except OSError:
        pass


def remembered(paths: Paths | None = None) -> tuple[GraphicsCard, ...]:
    """The cards of the last engine start; none before the first or from an unreadable file."""
    try:
        rows = json.loads(cards_file(paths).read_text(encoding="utf-8"))
        return tuple(
            GraphicsCard(str(r["name"]), int(r["free"]), int(r["total"]), bool(r["integrated"]))
            for r in rows
        )
    except (OSError, ValueError, TypeError, KeyError):
        return ()
