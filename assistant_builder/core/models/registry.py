"""The list of installed models and adapters: one JSON file, replaced atomically.

Only complete, verified files are ever registered; partial downloads live elsewhere. Every
change is a read-modify-write under one lock (a thread lock in this process, a file lock
across processes), so two downloads finishing together, in two windows or a window and the
command line, both end up in the list."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from filelock import FileLock

from assistant_builder.core.errors import ModelError
from assistant_builder.core.fileio import move_aside, write_json_atomic

REGISTRY_VERSION = 1


@dataclass(frozen=True)
class InstalledModel:
    id: str
    name: str
    path: str
    sha256: str
    size: int
    kind: str = "model"  # model | adapter
    repo: str = ""
    filename: str = ""
    added_at: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def file(self) -> Path:
        return Path(self.path)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> InstalledModel:
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in raw.items() if k in known})


def slugify(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._").lower()
    return slug or "model"


_locks_guard = threading.Lock()
_locks: dict[Path, tuple[threading.RLock, FileLock]] = {}


def _locks_for(path: Path) -> tuple[threading.RLock, FileLock]:
    """One pair per registry file for the whole process, whichever object uses it."""
    key = path.resolve()
    with _locks_guard:
        if key not in _locks:
            # thread_local=False: the thread lock already admits one thread; the file lock
            # counts that thread's nested holds.
            _locks[key] = (threading.RLock(), FileLock(f"{key}.lock", thread_local=False))
        return _locks[key]


class ModelRegistry:
    """Installed models. Reads the file on every call so two processes never disagree for long."""

    def __init__(self, path: Path) -> None:
        self._path = path

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Holds the registry for a read-modify-write: other threads and processes wait.
        Re-entrant, so a use case can hold it around several of the calls below."""
        thread_lock, file_lock = _locks_for(self._path)
        with thread_lock:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with file_lock:
                yield

    def _read(self) -> list[InstalledModel]:
        if not self._path.exists():
            return []
        try:
            raw = json.loads(self._path.read_text(encoding="utf-8"))
            return [InstalledModel.from_dict(item) for item in raw.get("models", [])]
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise ModelError(
                f"The list of installed models ({self._path}) is damaged; "
                "delete it and add your models again."
            ) from exc

    def _write(self, models: list[InstalledModel]) -> None:
        write_json_atomic(
            self._path,
            {"schema_version": REGISTRY_VERSION, "models": [m.to_dict() for m in models]},
        )

    def repair(self) -> str:
        """At start-up: a damaged list of models is kept aside (never deleted) and a new one
        started; the sentence saying so, or nothing when the list is fine."""
        with self.locked():
            try:
                self._read()
                return ""
            except ModelError:
                kept = move_aside(self._path)
        return (
            f"The list of installed models was damaged, so it was kept aside as {kept.name}; "
            f"add your models again on the Models page (their files are still in "
            f"{self._path.parent})."
        )

    def list(self, kind: str | None = None) -> list[InstalledModel]:
        """Registered entries whose file still exists."""
        return [m for m in self._read() if (kind is None or m.kind == kind) and m.file.is_file()]

    def get(self, ref: str) -> InstalledModel:
        models = self.list()
        for model in models:
            if ref in (model.id, model.name, model.filename, model.path):
                return model
        raise ModelError(
            f"No installed model is called “{ref}”; check its name among your models.",
            command="models list",
        )

    def unique_id(self, name: str) -> str:
        taken = {m.id for m in self._read()}
        base = slugify(name)
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def add(self, model: InstalledModel, *, unique: bool = False) -> InstalledModel:
        """Register ``model``, replacing an entry of the same id, or (``unique``) under a
        free id made from its own, chosen under the same lock as the write."""
        if not model.file.is_file():
            raise ModelError(
                f"The model file {model.path} is missing; download or import it again."
            )
        if not model.added_at:
            model = replace(model, added_at=time.time())
        with self.locked():
            if unique:
                model = replace(model, id=self.unique_id(model.id))
            models = [m for m in self._read() if m.id != model.id]
            models.append(model)
            self._write(models)
        return model

    def remove(self, model_id: str) -> InstalledModel:
        with self.locked():
            models = self._read()
            keep = [m for m in models if m.id != model_id]
            if len(keep) == len(models):
                raise ModelError(f"No installed model is called “{model_id}”.")
            self._write(keep)
        return next(m for m in models if m.id == model_id)
