"""Collections: a named set of folders with include/exclude patterns, an embedder and chunk
settings, saved as one JSON file each under Paths.collections_dir/<name>/; and each one's
status (what its index holds), the one reading of the index manifest outside indexing."""

from __future__ import annotations

import builtins
import json
import re
import shutil
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant_builder.core.errors import AppError, KnowledgeError
from assistant_builder.core.fileio import move_aside, write_json_atomic
from assistant_builder.core.knowledge.manifest import Manifest
from assistant_builder.core.knowledge.report import IndexReport, kept_report
from assistant_builder.core.paths import Paths

SCHEMA_VERSION = 1
DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"
DEFAULT_EXCLUDE = (".*", "*~", "node_modules", "__pycache__", "*.tmp")
_NAME = re.compile(r"^[\w][\w .+-]{0,63}$")


@dataclass(frozen=True)
class CollectionConfig:
    name: str
    folders: tuple[str, ...]
    include: tuple[str, ...] = ()  # empty: every supported file
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    embedder: str = DEFAULT_EMBEDDER
    chunk_tokens: int = 200  # capped by the embedder's own limit when indexing
    overlap_tokens: int = 32
    store_uri: str = ""  # empty: a LanceDB folder inside the collection's folder
    # The address of an S3-compatible server holding store_uri (s3://…); empty: the object
    # store's own, or AWS_ENDPOINT_URL. Credentials are never kept here: AWS_* variables.
    store_endpoint: str = ""
    reranker: str = ""  # a cross-encoder model id or folder; empty: no reranking
    watch: bool = False
    schema_version: int = SCHEMA_VERSION
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        return {**extra, **data, "folders": list(self.folders), "include": list(self.include),
                "exclude": list(self.exclude)}  # fmt: skip

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> CollectionConfig:
        known = set(cls.__dataclass_fields__) - {"extra"}
        values = {k: v for k, v in raw.items() if k in known}
        for key in ("folders", "include", "exclude"):
            if key in values:
                values[key] = tuple(str(v) for v in values[key])
        values["schema_version"] = SCHEMA_VERSION
        return cls(**values, extra={k: v for k, v in raw.items() if k not in known})


@dataclass(frozen=True)
class CollectionStatus:
    """What a collection's index holds, read from its manifest (never from the index itself,
    so listing stays instant): what the Library page and ``collections show`` report."""

    config: CollectionConfig
    store: str  # the LanceDB URI its passages are kept in
    files: int  # files read into the index
    failed: int  # files that could not be read
    chunks: int
    indexed_with: str  # the embedder the index was made with; empty: never indexed
    last_indexed: datetime | None  # None: never indexed
    interrupted: bool  # the last run did not finish

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def folders(self) -> tuple[str, ...]:
        return self.config.folders

    @property
    def embedder(self) -> str:
        return self.config.embedder

    @property
    def watch(self) -> bool:
        return self.config.watch


class Collections:
    """The saved collections of one data folder."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths

    def folder(self, name: str) -> Path:
        return self.paths.collections_dir / name

    def _config_file(self, name: str) -> Path:
        return self.folder(name) / "collection.json"

    def manifest_file(self, name: str) -> Path:
        return self.folder(name) / "manifest.json"

    def words_file(self, name: str) -> Path:
        """How many passages hold each word (word_counts.py): attribution's rare words."""
        return self.folder(name) / "words.json"

    def report_file(self, name: str) -> Path:
        return self.folder(name) / "last-report.json"

    def last_report(self, name: str) -> IndexReport | None:
        """The report of the collection's last finished indexing run, kept across restarts."""
        return kept_report(self.report_file(name))

    def store_uri(self, config: CollectionConfig) -> str:
        return config.store_uri or str(self.folder(config.name) / "lancedb")

    def create(
        self, name: str, folders: list[str] | list[Path], *, embedder: str = "", **options: Any
    ) -> CollectionConfig:
        if not name.strip():
            raise KnowledgeError("Give the collection a name, for example “Household papers”.")
        if not _NAME.match(name):
            raise KnowledgeError(
                f"“{name}” cannot be a collection name; use letters, digits, spaces, "
                "dots or dashes (up to 64)."
            )
        if self._config_file(name).exists():
            raise KnowledgeError(
                f"A collection named “{name}” already exists; choose another name or remove it."
            )
        resolved = []
        for folder in folders:
            path = Path(folder).expanduser()
            if not path.is_dir():
                raise KnowledgeError(f"The folder {path} does not exist; check the path.")
            resolved.append(str(path.resolve()))
        if not resolved:
            raise KnowledgeError("A collection needs at least one folder; add a folder.")
        config = CollectionConfig(
            name=name, folders=tuple(resolved), embedder=embedder or DEFAULT_EMBEDDER, **options
        )
        if config.store_uri:
            self._prepare_store(config)
        self.save(config)
        return config

    def _prepare_store(self, config: CollectionConfig) -> None:
        """Check that a store of its own can be reached, make its indexing lock, and take a
        copy of the manifest another data folder may have filled it with."""
        from assistant_builder.core.knowledge.index_manifest import IndexManifest
        from assistant_builder.core.knowledge.store_access import (
            check_store_uri,
            open_store,
            unreachable_store,
        )
        from assistant_builder.core.knowledge.store_lock import make_lock_table

        check_store_uri(config.store_uri, config.store_endpoint)
        try:
            store = open_store(self, config)
            make_lock_table(store.db)
            IndexManifest(self.manifest_file(config.name), store).copy_to_local()
        except AppError:
            raise
        except Exception as exc:  # the object store's errors come in several types
            raise KnowledgeError(unreachable_store(config.store_uri, exc)) from exc

    def save(self, config: CollectionConfig) -> None:
        write_json_atomic(self._config_file(config.name), config.to_dict())

    def update(self, name: str, **changes: Any) -> CollectionConfig:
        config = replace(self.get(name), **changes)
        self.save(config)
        return config

    def get(self, name: str) -> CollectionConfig:
        import json

        file = self._config_file(name)
        if not file.is_file():
            raise KnowledgeError(
                f"There is no collection named “{name}”; check its name among your collections.",
                command="collections list",
            )
        try:
            raw = json.loads(file.read_text(encoding="utf-8"))
            return CollectionConfig.from_dict(raw)
        except (OSError, ValueError, TypeError) as exc:
            raise KnowledgeError(
                f"The settings of collection “{name}” are damaged; remove it and create it again."
            ) from exc

    def names(self) -> list[str]:
        """The saved collections' names, without reading their settings (so a damaged one
        is still listed, and can be removed)."""
        root = self.paths.collections_dir
        if not root.is_dir():
            return []
        return sorted((p.parent.name for p in root.glob("*/collection.json")), key=str.casefold)

    def list(self) -> list[CollectionConfig]:
        return [self.get(name) for name in self.names()]

    def exists(self, name: str) -> bool:
        return self._config_file(name).is_file()

    def status(self, config: CollectionConfig) -> CollectionStatus:
        file = self.manifest_file(config.name)
        manifest = Manifest.load(file)
        entries = manifest.files.values()
        return CollectionStatus(
            config=config,
            store=self.store_uri(config),
            files=sum(1 for e in entries if not e.failed),
            failed=sum(1 for e in entries if e.failed),
            chunks=sum(e.chunks for e in entries),
            indexed_with=manifest.embedder,
            last_indexed=datetime.fromtimestamp(file.stat().st_mtime) if file.is_file() else None,
            interrupted=manifest.running,
        )

    def repair(
        self, *, deep: bool = False, names: Iterable[str] | None = None
    ) -> builtins.list[str]:
        """Damaged index files kept aside (never deleted), each with the sentence saying so:
        a manifest that cannot be read, and with ``deep`` a local table that cannot be read
        in full. Both are rebuilt from the documents by indexing the collection again.
        ``names``: only these collections (all by default)."""
        said: builtins.list[str] = []
        for name in self.names() if names is None else names:
            manifest, damaged = self.manifest_file(name), ""
            try:
                if manifest.exists():
                    json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                damaged = "list of indexed files"
            config = self.get(name)
            table = Path(self.store_uri(config))
            if not damaged and deep and not config.store_uri and table.exists():
                from assistant_builder.core.knowledge.store import ChunkStore

                damaged = "" if ChunkStore(str(table)).readable() else "index"
                if damaged:
                    move_aside(table)
            if damaged:
                if manifest.exists():
                    move_aside(manifest)  # the next run re-reads every file
                said.append(
                    f"The {damaged} of the collection “{name}” was damaged, so it was kept "
                    "aside; index the collection again to rebuild it from its documents."
                )
        return said

    def remove(self, name: str) -> None:
        """Forget the collection and drop its index; an index on an object store is a team's,
        which other data folders may read, so it is left where it is."""
        config = self.get(name)
        if config.store_uri:
            from assistant_builder.core.knowledge.store_access import is_remote, open_store

            if not is_remote(config.store_uri):
                open_store(self, config).drop_all()
        shutil.rmtree(self.folder(name))
