"""The saved states of assistants' fixed prompts (instructions and examples) on disk: what
llama.cpp made of them, so the first question after a start reads only what follows. One file
per prefix, in a folder per model (by its sha256); the whole cache stays under a size limit,
the least recently used files going first. A file is written atomically and carries its own
checksum and token ids: a cut, damaged or foreign file is never used, only removed."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import struct
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant_builder.core.fileio import remove_leftovers, write_bytes_atomic

MAGIC = b"ABSTATE1"
SUFFIX = ".state"
_HEADER_LENGTH = struct.Struct("<I")
MB = 1 << 20
MIN_TOKENS = 32  # a shorter prefix is read again faster than a file is opened


@dataclass(frozen=True)
class StateCacheOptions:
    """Where the engine keeps prefix states, and how much disk they may use (0: none)."""

    folder: Path
    limit_bytes: int


@dataclass(frozen=True)
class StateCacheSize:
    """What the saved states take on disk, as Settings shows it."""

    bytes: int
    files: int


def key_of(
    *,
    llama_version: str,
    model_sha256: str,
    template_id: str,
    signature: str,
    tokens: Sequence[int],
) -> str:
    """The name of a prefix's state: everything its numbers depend on, and its exact tokens."""
    digest = hashlib.sha256(
        json.dumps([llama_version, model_sha256, template_id, signature]).encode("utf-8")
    )
    digest.update(array("i", tokens).tobytes())
    return digest.hexdigest()[:40]


class StateCache:
    """The files of one model's prefix states, inside the shared, size-bounded folder."""

    def __init__(self, options: StateCacheOptions, model_sha256: str, llama_version: str) -> None:
        self.root = options.folder
        self.limit_bytes = options.limit_bytes
        self.folder = options.folder / model_sha256
        self.llama_version = llama_version

    def path(self, key: str) -> Path:
        return self.folder / f"{key}{SUFFIX}"

    def read(self, key: str, tokens: Sequence[int]) -> bytes | None:
        """The state saved for exactly ``tokens``; None when there is none or it does not
        check out (then the file is removed, so it is made again)."""
        path = self.path(key)
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        data = self._check(blob, tokens)
        if data is None:
            self.discard(key)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: the last to go when space runs short
        return data

    def _check(self, blob: bytes, tokens: Sequence[int]) -> bytes | None:
        start = len(MAGIC) + _HEADER_LENGTH.size
        if len(blob) < start or not blob.startswith(MAGIC):
            return None
        (length,) = _HEADER_LENGTH.unpack_from(blob, len(MAGIC))
        try:
            header = json.loads(blob[start : start + length])
            body = memoryview(blob)[start + length :]
            ids = array("i", tokens).tobytes()
            if (
                header["llama"] != self.llama_version
                or header["bytes"] != len(body)
                or header["sha256"] != hashlib.sha256(body).hexdigest()
                or body[: len(ids)] != ids
                or header["tokens"] != len(tokens)
            ):
                return None
        except (ValueError, KeyError, TypeError):
            return None
        return bytes(body[len(ids) :])

    def write(self, key: str, tokens: Sequence[int], data: bytes) -> None:
        """Keep ``data`` as the state of ``tokens``, then drop the oldest beyond the limit."""
        body = array("i", tokens).tobytes() + data
        if len(body) > self.limit_bytes:
            return
        header = json.dumps(
            {
                "llama": self.llama_version,
                "tokens": len(tokens),
                "bytes": len(body),
                "sha256": hashlib.sha256(body).hexdigest(),
            }
        ).encode("utf-8")
        write_bytes_atomic(self.path(key), MAGIC + _HEADER_LENGTH.pack(len(header)) + header + body)
        prune(self.root, self.limit_bytes)

    def discard(self, key: str) -> None:
        with contextlib.suppress(OSError):
            self.path(key).unlink()


def _entries(root: Path) -> list[tuple[float, int, Path]]:
    found = []
    for path in root.glob(f"*/*{SUFFIX}") if root.is_dir() else ():
        with contextlib.suppress(OSError):
            stat = path.stat()
            found.append((stat.st_mtime, stat.st_size, path))
    return sorted(found)


def prune(root: Path, limit_bytes: int) -> None:
    """Remove the least recently used states until the rest fit within ``limit_bytes``."""
    remove_leftovers([p for p in root.iterdir() if p.is_dir()] if root.is_dir() else [])
    entries = _entries(root)
    total = sum(size for _, size, _ in entries)
    for _, size, path in entries:
        if total <= limit_bytes:
            break
        with contextlib.suppress(OSError):
            path.unlink()
            total -= size


def size_of(root: Path) -> StateCacheSize:
    entries = _entries(root)
    return StateCacheSize(sum(size for _, size, _ in entries), len(entries))


def clear(root: Path) -> None:
    """Remove every saved state (each is made again when its assistant next answers)."""
    shutil.rmtree(root, ignore_errors=True)


def remove_model(root: Path, model_sha256: str) -> None:
    """Remove the states made with the model whose file has this sha256."""
    if model_sha256 and "/" not in model_sha256 and model_sha256 not in (".", ".."):
        shutil.rmtree(root / model_sha256, ignore_errors=True)
