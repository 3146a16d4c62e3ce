"""Folder watching: added, changed and removed files are re-indexed after a short debounce."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import pytest

from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.report import IndexReport
from assistant_builder.core.knowledge.search import search_collection
from assistant_builder.core.knowledge.watcher import watch_collection
from tests.knowledge.conftest import run_index

pytestmark = pytest.mark.integration


def test_watching_reindexes_added_changed_and_removed_files(
    collections: Collections, tmp_path: Path, minilm, minilm_dir: Path
) -> None:
    folder = tmp_path / "watched"
    folder.mkdir()
    (folder / "first.txt").write_text("Penguins live in the southern hemisphere.")
    collections.create("w", [folder], embedder=str(minilm_dir))
    run_index(collections, "w", embedder=minilm)
    cancel = CancelToken()
    reports: queue.Queue[IndexReport] = queue.Queue()

    def watch() -> None:
        for event in watch_collection(
            collections, "w", embedder=minilm, debounce_ms=300, cancel=cancel
        ):
            if isinstance(event, IndexReport):
                reports.put(event)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        # The first run comes as soon as the watcher is live: it finds nothing to do.
        first = reports.get(timeout=30)
        assert not first.indexed and len(first.unchanged) == 1
        (folder / "second.md").write_text("# Owls\n\nOwls hunt mice at night.")
        added = reports.get(timeout=30)
        assert [Path(p).name for p in added.indexed] == ["second.md"]
        hits = search_collection(collections, "w", "which bird hunts mice", embedder=minilm)
        assert Path(hits[0].source).name == "second.md"

        (folder / "first.txt").write_text("Penguins cannot fly but swim very fast.")
        changed = reports.get(timeout=30)
        assert [Path(p).name for p in changed.indexed] == ["first.txt"]

        (folder / "second.md").unlink()
        removed = reports.get(timeout=30)
        assert [Path(p).name for p in removed.removed] == ["second.md"]
        remaining = search_collection(collections, "w", "owls", mode="keyword")
        assert all(Path(h.source).name != "second.md" for h in remaining)
    finally:
        cancel.cancel()
        thread.join(10)
    assert not thread.is_alive()
