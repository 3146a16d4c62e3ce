"""Where an index's manifest (its embedder and the hash of every file it holds) is kept: beside
a local index, the manifest.json of the collection's folder; for a shared store, in the store
itself, so that another data folder indexing the same collection sees those hashes and
re-embeds nothing unchanged. The local file is then a copy, for listing without the network."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant_builder.core.knowledge.manifest import Manifest
from assistant_builder.core.knowledge.store import MANIFEST_TABLE


class IndexManifest:
    """The manifest of one collection's index; ``store`` (a ChunkStore) when it is shared."""

    def __init__(self, local: Path, store: Any = None) -> None:
        self._local = local
        self._store = store

    def exists(self) -> bool:
        if self._store is None:
            return self._local.exists()
        return MANIFEST_TABLE in self._store.db.list_tables().tables

    def load(self) -> Manifest:
        if self._store is None:
            return Manifest.load(self._local)
        if not self.exists():
            return Manifest()
        rows = self._store.db.open_table(MANIFEST_TABLE).to_arrow().column("json").to_pylist()
        return Manifest.from_json(rows[0]) if rows else Manifest(running=True)

    def save(self, manifest: Manifest) -> None:
        if self._store is not None:
            import pyarrow as pa

            text = json.dumps(manifest.to_dict(), ensure_ascii=False)
            data = pa.table({"json": pa.array([text], pa.string())})
            if self.exists():
                # One commit replaces the whole manifest: a reader sees the old one or the new.
                self._store.db.open_table(MANIFEST_TABLE).add(data, mode="overwrite")
            else:
                self._store.db.create_table(MANIFEST_TABLE, data=data)
        manifest.save(self._local)

    def copy_to_local(self) -> None:
        """Bring the store's manifest into the local copy (a collection made on a store that
        another data folder already filled)."""
        if self._store is not None and self.exists():
            self.load().save(self._local)
