"""Import of a ``.assistant`` file, hardened against hostile ones: everything is checked before
anything is written, and a refusal is one sentence saying why with nothing left behind."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from assistant_builder.core.assistants.bundle import (
    BUNDLE_FORMAT,
    DOCUMENTS_PREFIX,
    MANIFEST_NAME,
    MANIFEST_VERSION,
    BundleProgress,
    OnProgress,
)
from assistant_builder.core.assistants.model import AdapterRef, Assistant
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.errors import AssistantError, BundleError, Cancelled, ModelError
from assistant_builder.core.models.registry import InstalledModel, ModelRegistry

_CHUNK = 1 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class BundleLimits:
    max_members: int = 10_000
    max_member_bytes: int = 512 << 20
    max_total_bytes: int = 2 << 30
    max_manifest_bytes: int = 1 << 20
    # Text compresses about 3-10x; a ratio far beyond that is a zip bomb, not a document.
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 1 << 20  # small members may compress as well as they like


@dataclass(frozen=True)
class ImportResult:
    assistant: Assistant
    renamed_from: str  # the name in the file when it clashed with one already here, else ""
    model_installed: bool
    missing_adapters: tuple[str, ...]
    documents: dict[str, Path]  # collection name -> folder its documents were put in


def import_bundle(
    source: Path,
    *,
    store: AssistantStore,
    registry: ModelRegistry,
    documents_dir: Path,
    limits: BundleLimits = BundleLimits(),
    cancel: CancelToken = NEVER,
    on_progress: OnProgress | None = None,
) -> ImportResult:
    name = source.name
    try:
        bundle = zipfile.ZipFile(source)
    except FileNotFoundError as exc:
        raise BundleError(f"The file {source} does not exist; check its name.") from exc
    except UNREADABLE as exc:
        raise BundleError(f"{name} is not an assistant file; ask for a new copy.") from exc
    with bundle:
        _check_members(bundle, name, limits)
        manifest = _read_manifest(bundle, name, limits)
        assistant = _assistant_from(manifest, name)
        docs = _document_list(manifest, bundle, name)
        assistant, model_installed, missing = _resolve_models(assistant, registry)
        original = assistant.name
        assistant = replace(assistant, name=store.unique_name(original))
        staging = documents_dir / f".importing-{secrets.token_hex(6)}"
        saved: Assistant | None = None
        try:
            placed = _extract_documents(bundle, docs, staging, name, cancel, on_progress)
            saved = store.create(assistant)
            final: dict[str, Path] = {}
            if placed:
                target = documents_dir / saved.id
                shutil.rmtree(target, ignore_errors=True)  # left over from a removed assistant
                staging.rename(target)
                final = {c: target / folder.name for c, folder in placed.items()}
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            if saved is not None:  # all or nothing: the assistant goes too
                store.path_of(saved.id).unlink(missing_ok=True)
            raise
    return ImportResult(
        assistant=saved,
        renamed_from=original if saved.name != original else "",
        model_installed=model_installed,
        missing_adapters=missing,
        documents=final,
    )


def unsafe_name(member: str) -> bool:
    """Names that could land outside the folder they are extracted into, on any system."""
    if not member or "\x00" in member or "\\" in member:
        return True
    if member.startswith("/") or re.match(r"^[A-Za-z]:", member):
        return True
    return any(part in ("..", ".") for part in member.rstrip("/").split("/"))


def _check_members(bundle: zipfile.ZipFile, name: str, limits: BundleLimits) -> None:
    members = bundle.infolist()
    if len(members) > limits.max_members:
        raise BundleError(
            f"{name} holds {len(members)} files, more than the {limits.max_members} allowed; "
            "it was not imported."
        )
    seen: set[str] = set()
    total = 0
    for info in members:
        if unsafe_name(info.filename):
            raise BundleError(
                f"{name} tries to write outside its folder (“{info.filename}”); "
                "it was not imported."
            )
        if info.filename in seen:
            raise BundleError(f"{name} holds “{info.filename}” twice; it was not imported.")
        seen.add(info.filename)
        # Many zip tools record permissions without a file type; only a stated type counts.
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise BundleError(
                f"{name} contains a link or special file (“{info.filename}”); it was not imported."
            )
        if info.flag_bits & 0x1:
            raise BundleError(f"{name} is password-protected; ask for an unprotected copy.")
        if info.file_size > limits.max_member_bytes:
            raise BundleError(
                f"{name} holds a file too large to import (“{info.filename}”, "
                f"{_size(info.file_size)}); it was not imported."
            )
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise BundleError(
                f"{name} is built to expand enormously when opened (a “zip bomb”); "
                "it was not imported."
            )
    if total > limits.max_total_bytes:
        raise BundleError(
            f"{name} would take {_size(total)} once unpacked, more than the "
            f"{_size(limits.max_total_bytes)} allowed; it was not imported."
        )


def _size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


# What reading a damaged member raises: a broken deflate stream is zlib.error, and a damaged
# header can claim a zip version (or compression) this Python cannot read.
UNREADABLE = (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError)


def _read_manifest(bundle: zipfile.ZipFile, name: str, limits: BundleLimits) -> dict[str, Any]:
    try:
        info = bundle.getinfo(MANIFEST_NAME)
    except KeyError as exc:
        raise BundleError(f"{name} has no manifest, so it is not an assistant file.") from exc
    if info.file_size > limits.max_manifest_bytes:
        raise BundleError(f"{name} has an oversized manifest; it was not imported.")
    try:
        with bundle.open(info) as handle:
            raw = handle.read(limits.max_manifest_bytes + 1)
        manifest = json.loads(raw.decode("utf-8"))
    except (*UNREADABLE, ValueError) as exc:
        raise BundleError(
            f"{name} is damaged (its manifest cannot be read); ask for a new copy."
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"{name} is not an assistant file; ask for a new copy.")
    version = manifest.get("manifest_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BundleError(f"{name} has an unreadable version; ask for a new copy.")
    if version > MANIFEST_VERSION:
        raise BundleError(
            f"{name} was made by a newer version of Assistant Builder; update the app to import it."
        )
    return manifest


def _assistant_from(manifest: dict[str, Any], name: str) -> Assistant:
    raw = manifest.get("assistant")
    if not isinstance(raw, dict):
        raise BundleError(f"{name} is damaged (it describes no assistant); ask for a new copy.")
    try:
        return Assistant.from_dict({**raw, "id": "imported"}, where=f"The assistant in {name}")
    except BundleError:
        raise
    except AssistantError as exc:
        raise BundleError(str(exc)) from exc


def _document_list(
    manifest: dict[str, Any], bundle: zipfile.ZipFile, name: str
) -> list[dict[str, Any]]:
    docs = manifest.get("documents", [])
    members = {info.filename: info for info in bundle.infolist()}
    damaged = BundleError(
        f"{name} is damaged (its list of documents is wrong); ask for a new copy."
    )
    if not isinstance(docs, list):
        raise damaged
    for doc in docs:
        if not isinstance(doc, dict):
            raise damaged
        path, digest, collection = doc.get("path"), doc.get("sha256"), doc.get("collection")
        if not (isinstance(path, str) and path.startswith(DOCUMENTS_PREFIX) and path in members):
            raise damaged
        if not (isinstance(digest, str) and _SHA256.fullmatch(digest)):
            raise damaged
        if not (isinstance(collection, str) and collection):
            raise damaged
    return docs


def _resolve_models(
    assistant: Assistant, registry: ModelRegistry
) -> tuple[Assistant, bool, tuple[str, ...]]:
    # An installed file with the same sha256 is the same model, whatever it is called here.
    try:
        installed = registry.list()
    except ModelError:
        installed = []

    def find(sha256: str) -> InstalledModel | None:
        return next((m for m in installed if sha256 and m.sha256 == sha256), None)

    model = find(assistant.model.sha256)
    model_ref = assistant.model if model is None else replace(assistant.model, id=model.id)
    adapters: list[AdapterRef] = []
    missing: list[str] = []
    for adapter in assistant.adapters:
        found = find(adapter.sha256)
        if found is None:
            missing.append(adapter.filename or adapter.id)
            adapters.append(adapter)
        else:
            adapters.append(replace(adapter, id=found.id))
    resolved = replace(assistant, model=model_ref, adapters=tuple(adapters))
    return resolved, model is not None, tuple(missing)


def _extract_documents(
    bundle: zipfile.ZipFile,
    docs: list[dict[str, Any]],
    staging: Path,
    name: str,
    cancel: CancelToken,
    on_progress: OnProgress | None,
) -> dict[str, Path]:
    placed: dict[str, Path] = {}
    for done, doc in enumerate(docs, start=1):
        if cancel.cancelled:
            raise Cancelled()
        relative = doc["path"][len(DOCUMENTS_PREFIX) :]
        target = staging / relative
        # unsafe_name() already refused escapes; this guards against anything it missed.
        if not target.resolve().is_relative_to(staging.resolve()):
            raise BundleError(f"{name} tries to write outside its folder; it was not imported.")
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        try:
            with bundle.open(doc["path"]) as src, target.open("wb") as out:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
        except UNREADABLE as exc:
            raise BundleError(f"{name} is damaged ({doc['path']}); ask for a new copy.") from exc
        if digest.hexdigest() != doc["sha256"]:
            raise BundleError(
                f"{name} is damaged ({doc['path']} does not match its checksum); "
                "ask for a new copy."
            )
        placed.setdefault(doc["collection"], staging / relative.split("/", 1)[0])
        if on_progress is not None:
            on_progress(BundleProgress(done, len(docs), target.name))
    return placed
