"""Export of an assistant as one ``.assistant`` file: a zip holding a versioned manifest and,
optionally, the documents of its collections. Never the user's own paths or secrets."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from assistant_builder import __version__
from assistant_builder.core.assistants.model import AdapterRef, Assistant
from assistant_builder.core.assistants.store import model_ref
from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.errors import AssistantError, ModelError, plain_disk_full
from assistant_builder.core.models.registry import ModelRegistry, slugify

BUNDLE_FORMAT = "assistant-builder.assistant"
MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
DOCUMENTS_PREFIX = "documents/"
SUFFIX = ".assistant"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class BundleProgress:
    """One document packed or unpacked; ``total`` is known before the first."""

    done: int
    total: int
    name: str


OnProgress = Callable[[BundleProgress], None]


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    documents: int
    bytes: int


def manifest_for(assistant: Assistant, registry: ModelRegistry) -> dict[str, Any]:
    """The manifest without documents: the assistant as another computer needs to rebuild it."""
    assistant = _with_registry_refs(assistant, registry)
    data = assistant.to_dict()
    # Passage choices name files by their path on this computer.
    for private in ("id", "created_at", "updated_at", "passage_choices"):
        data.pop(private, None)
    return {
        "format": BUNDLE_FORMAT,
        "manifest_version": MANIFEST_VERSION,
        "app_version": __version__,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "assistant": data,
        "documents": [],
    }


def export_bundle(
    assistant: Assistant,
    dest: Path,
    *,
    registry: ModelRegistry,
    documents: Mapping[str, Sequence[Path]] | None = None,
    cancel: CancelToken = NEVER,
    on_progress: OnProgress | None = None,
) -> ExportSummary:
    """Write ``dest`` atomically. ``documents`` maps a collection name to its folders; their
    files go in under paths relative to each folder, so no absolute path leaves the computer."""
    manifest = manifest_for(assistant, registry)
    known = {c.name for c in assistant.collections}
    for collection in documents or {}:
        if collection not in known:
            raise AssistantError(
                f"The assistant does not use a collection called “{collection}”; "
                "export only its own collections."
            )
    files = [
        (collection, member, source)
        for collection, folders in (documents or {}).items()
        for member, source in _document_members(collection, folders)
    ]
    with _atomic_zip(dest) as bundle:
        for done, (collection, member, source) in enumerate(files, start=1):
            cancel.raise_if_cancelled()
            digest, size = _add_file(bundle, member, source)
            manifest["documents"].append(
                {"collection": collection, "path": member, "size": size, "sha256": digest}
            )
            if on_progress is not None:
                on_progress(BundleProgress(done, len(files), source.name))
        text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        bundle.writestr(MANIFEST_NAME, text.encode("utf-8"))
    return ExportSummary(dest, len(manifest["documents"]), dest.stat().st_size)


def _with_registry_refs(assistant: Assistant, registry: ModelRegistry) -> Assistant:
    # The registry knows repo, file and sha256 even if the assistant was made before they were.
    try:
        # A model server's model is named by the server and its id, nothing of this computer.
        model = assistant.model
        if not model.server:
            model = model_ref(registry.get(assistant.model.id))
    except ModelError:
        model = assistant.model
    adapters = []
    for adapter in assistant.adapters:
        try:
            found = model_ref(registry.get(adapter.id))
            adapters.append(
                AdapterRef(found.id, adapter.scale, found.repo, found.filename, found.sha256)
            )
        except ModelError:
            adapters.append(adapter)
    return replace(assistant, model=model, adapters=tuple(adapters))


def _document_members(collection: str, folders: Sequence[Path]) -> Iterator[tuple[str, Path]]:
    prefix = f"{DOCUMENTS_PREFIX}{slugify(collection)}/"
    used: set[str] = set()
    for folder in folders:
        if not folder.is_dir():
            raise AssistantError(f"The folder {folder} is missing; reconnect it or remove it.")
        label, n = slugify(folder.name), 2
        while label in used:
            label, n = f"{slugify(folder.name)}-{n}", n + 1
        used.add(label)
        for path in sorted(folder.rglob("*")):
            # Links could reach outside the folder; only the folder's own files travel.
            if path.is_file() and not path.is_symlink():
                yield f"{prefix}{label}/{path.relative_to(folder).as_posix()}", path


def _add_file(bundle: zipfile.ZipFile, member: str, source: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    info = zipfile.ZipInfo(member, date_time=time.localtime(source.stat().st_mtime)[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    with source.open("rb") as src, bundle.open(info, "w", force_zip64=True) as out:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


@contextlib.contextmanager
def _atomic_zip(dest: Path) -> Iterator[zipfile.ZipFile]:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with plain_disk_full(dest, f"the exported file {dest.name}", "export it again"):
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with (
            plain_disk_full(dest, f"the exported file {dest.name}", "export it again"),
            os.fdopen(fd, "wb") as handle,
        ):
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
                yield bundle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
