"""What a collection's status says about its index, read from the manifest indexing wrote."""

from __future__ import annotations

from pathlib import Path

from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.manifest import FileEntry, Manifest
from assistant_builder.core.paths import Paths


def test_a_new_collection_is_not_indexed_and_an_indexed_one_counts_what_it_holds(
    tmp_path: Path,
) -> None:
    collections = Collections(Paths.from_env().ensure())
    config = collections.create("Manuals", [tmp_path])
    fresh = collections.status(config)
    assert (fresh.files, fresh.failed, fresh.chunks, fresh.last_indexed) == (0, 0, 0, None)
    assert fresh.name == "Manuals" and fresh.store.endswith("lancedb")

    Manifest(
        embedder="all-MiniLM-L6-v2",
        dimension=384,
        files={
            "/docs/a.md": FileEntry("h1", 10, 1, chunks=4),
            "/docs/b.md": FileEntry("h2", 10, 1, chunks=3),
            "/docs/scan.pdf": FileEntry("h3", 10, 1, chunks=0, failed="it needs OCR"),
        },
        running=True,
    ).save(collections.manifest_file("Manuals"))
    status = collections.status(config)
    assert (status.files, status.failed, status.chunks) == (2, 1, 7)
    assert status.indexed_with == "all-MiniLM-L6-v2"
    assert status.last_indexed is not None and status.interrupted


def test_names_lists_a_collection_whose_settings_are_damaged(tmp_path: Path) -> None:
    collections = Collections(Paths.from_env().ensure())
    collections.create("recipes", [tmp_path])
    collections.create("Manuals", [tmp_path])
    (collections.folder("recipes") / "collection.json").write_text("{not json")
    (collections.paths.collections_dir / "stray folder").mkdir()
    assert collections.names() == ["Manuals", "recipes"]
