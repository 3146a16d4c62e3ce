"""Damaged stores (issue 19 point 3), each made for real and then read as the next start of
the app reads it: one sentence saying what was damaged, the damaged file kept aside byte for
byte (never deleted), and a store that works again (fresh, or rebuilt by indexing)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.fileio import write_json_atomic
from assistant_builder.core.knowledge.manifest import Manifest
from assistant_builder.core.knowledge.store import ChunkStore
from assistant_builder.core.services import Services

Case = Callable[[], list[str]]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _kept_aside(original: str, folder: Path, name: str) -> list[str]:
    aside = [p for p in folder.glob(f"{name}.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    if len(aside) != 1:
        return [f"{name} was not kept aside (found {[p.name for p in aside]})"]
    if original and aside[0].is_file() and _digest(aside[0]) != original:
        return [f"{name} was changed when it was kept aside"]
    return []


def _said(said: list[str], *words: str) -> list[str]:
    if len(said) != 1 or not all(w in said[0] for w in words) or said[0].count(". "):
        return [f"not one sentence naming {words}: {said}"]
    return []


def _conversations(damage: Callable[[Path], None]) -> list[str]:
    services = Services.create()
    db = services.paths.conversations_db
    with ConversationStore(db) as store:
        for n in range(50):
            conversation = store.create("cats").id
            store.add_message(conversation, "user", f"Question {n}? " * 50)
            store.add_message(conversation, "assistant", f"Answer {n}. " * 50)
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    damage(db)
    original = _digest(db)
    problems = _said(services.repair_damaged(), "conversations file", "damaged", "new one")
    problems += _kept_aside(original, db.parent, db.name)
    with ConversationStore(db) as store:
        if store.integrity_check() != "ok":
            problems.append("the new conversations file fails its integrity check")
        conversation = store.create("cats").id
        store.add_message(conversation, "user", "Still there?")
    if services.repair_damaged():
        problems.append("the new file was reported damaged too")
    return problems


def _garbage_header(db: Path) -> None:
    with open(db, "r+b") as handle:
        handle.write(os.urandom(100))


def _cut_in_half(db: Path) -> None:
    os.truncate(db, db.stat().st_size // 2 - 1000)


def registry_case() -> list[str]:
    services = Services.create()
    registry = services.paths.models_registry
    registry.parent.mkdir(parents=True, exist_ok=True)
    registry.write_text('{"schema_version": 1, "models": [{"id": "smol", ', encoding="utf-8")
    original = _digest(registry)
    problems = _said(services.repair_damaged(), "list of installed models", "damaged", "Models")
    problems += _kept_aside(original, registry.parent, registry.name)
    if services.models.list() != []:
        problems.append("the fresh list of models is not empty")
    return problems


def _collection(services: Services) -> tuple[Path, Path]:
    """A collection with a real LanceDB table of 200 chunks and its manifest."""
    docs = services.paths.data_dir / "docs"
    docs.mkdir(exist_ok=True)
    collections = services.collections
    config = collections.create("Manuals", [docs])
    uri = Path(collections.store_uri(config))
    rows = [{"id": f"c{n}", "path": f"/docs/{n}.txt", "file_hash": "h", "chunk": 0, "page": 0,
             "start": 0, "end": 10, "heading": "", "text": f"cats {n}", "search_text": f"cats {n}"}
            for n in range(200)]  # fmt: skip
    vectors = np.random.default_rng(19).random((200, 8), dtype=np.float32)
    ChunkStore(str(uri)).replace_files([], rows, vectors)
    manifest = collections.manifest_file("Manuals")
    write_json_atomic(manifest, Manifest(embedder="e", dimension=8).to_dict())
    return uri, manifest


def manifest_case() -> list[str]:
    services = Services.create()
    _, manifest = _collection(services)
    manifest.write_text('{"files": {"/docs/1.txt": ', encoding="utf-8")
    original = _digest(manifest)
    problems = _said(services.repair_damaged(), "list of indexed files", "“Manuals”",
                     "index the collection again")  # fmt: skip
    return problems + _kept_aside(original, manifest.parent, manifest.name)


def _table(damage: Callable[[Path], None]) -> list[str]:
    services = Services.create()
    uri, manifest = _collection(services)
    if services.repair_damaged(deep=True):
        return ["a sound table was reported damaged"]
    data = sorted((uri / "chunks.lance" / "data").glob("*.lance"))
    damage(data[0])
    problems = _said(services.repair_damaged(deep=True), "index of the collection “Manuals”",
                     "index the collection again")  # fmt: skip
    problems += _kept_aside("", uri.parent, uri.name)
    problems += _kept_aside("", manifest.parent, manifest.name)
    if Manifest.load(manifest).files:
        problems.append("the next indexing run would not re-read every document")
    return problems


def _found_by_search(damage: Callable[[Path], None]) -> list[str]:
    """The window's start does not read whole tables; a search that meets a damaged one says
    so, keeps it aside, and the next indexing run rebuilds it from the documents."""
    from assistant_builder.core.errors import KnowledgeError
    from assistant_builder.core.knowledge.indexer import IndexReport, index_collection
    from assistant_builder.core.knowledge.search import search_collection
    from tests.fakes import DeterministicEmbedder

    services = Services.create()
    uri, _ = _collection(services)
    (services.paths.data_dir / "docs" / "cats.txt").write_text("Cats sleep all day.\n")
    damage(sorted((uri / "chunks.lance" / "data").glob("*.lance"))[0])
    embedder = DeterministicEmbedder(8)
    try:
        search_collection(services.collections, "Manuals", "cats", embedder=embedder)
        return ["the search did not notice the damaged index"]
    except KnowledgeError as exc:
        problems = _said([str(exc)], "index of the collection “Manuals”", "index the collection")
    problems += _kept_aside("", uri.parent, uri.name)
    services.collections.update("Manuals", embedder=embedder.model_id)
    report = list(index_collection(services.collections, "Manuals", embedder=embedder))[-1]
    assert isinstance(report, IndexReport)
    hits = search_collection(services.collections, "Manuals", "cats", embedder=embedder)
    if [Path(h.source).name for h in hits] != ["cats.txt"]:
        problems.append(f"indexing again did not rebuild the index: {hits}")
    return problems


CASES: dict[str, Case] = {
    "conversations, header overwritten": lambda: _conversations(_garbage_header),
    "conversations, cut in half": lambda: _conversations(_cut_in_half),
    "models registry": registry_case,
    "index manifest": manifest_case,
    "LanceDB data file missing": lambda: _table(lambda f: f.unlink()),
    "LanceDB data file truncated": lambda: _table(lambda f: os.truncate(f, f.stat().st_size // 2)),
    "LanceDB data file missing, found by a search": lambda: _found_by_search(lambda f: f.unlink()),
}
