"""Finding a collection's files: walks its folders with the include/exclude patterns, keeps the
file types a parser is registered for, and reports links that loop or lead nowhere."""

from __future__ import annotations

import errno
import os
from collections.abc import Container, Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.knowledge.filetypes import skip_reason


@dataclass(frozen=True)
class FoundFile:
    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class ScanResult:
    files: tuple[FoundFile, ...]
    failed: tuple[tuple[str, str], ...]  # (path, plain reason)
    # Files in the folders that no parser reads (path, plain reason): reported, not indexed.
    skipped: tuple[tuple[str, str], ...] = ()


def _matches(patterns: Sequence[str], rel: str, name: str) -> bool:
    return any(fnmatch(rel if "/" in p else name, p) for p in patterns)


def scan_folders(
    folders: Sequence[str],
    *,
    include: Sequence[str],
    exclude: Sequence[str],
    extensions: Container[str],
    cancel: CancelToken = NEVER,
) -> ScanResult:
    files: dict[str, FoundFile] = {}
    failed: list[tuple[str, str]] = []
    skipped: dict[str, str] = {}
    for folder in folders:
        root = Path(folder)
        if not root.is_dir():
            failed.append((folder, "the folder is missing or cannot be opened"))
            continue
        seen_dirs: set[tuple[int, int]] = set()
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            cancel.raise_if_cancelled()
            here = os.stat(dirpath)
            seen_dirs.add((here.st_dev, here.st_ino))
            rel_dir = os.path.relpath(dirpath, root)
            keep = []
            for name in sorted(dirnames):
                full = os.path.join(dirpath, name)
                rel = os.path.normpath(os.path.join(rel_dir, name)).replace(os.sep, "/")
                if _matches(exclude, rel, name):
                    continue
                try:
                    st = os.stat(full)
                except OSError as exc:
                    failed.append((full, _reason(exc)))
                    continue
                if _is_ancestor_link(full):
                    failed.append((full, "it is a folder link that loops back on itself"))
                    continue
                if (st.st_dev, st.st_ino) in seen_dirs:
                    continue  # a second way into a folder already read: read it once
                keep.append(name)
            dirnames[:] = keep
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                rel = os.path.normpath(os.path.join(rel_dir, name)).replace(os.sep, "/")
                if _matches(exclude, rel, name) or (include and not _matches(include, rel, name)):
                    continue
                reason = skip_reason(Path(full), extensions)
                if reason is not None:
                    if os.path.isfile(full):
                        skipped.setdefault(full, reason)
                    continue
                try:
                    st = os.stat(full)
                except OSError as exc:
                    failed.append((full, _reason(exc)))
                    continue
                if os.path.isfile(full) and full not in files:
                    files[full] = FoundFile(full, st.st_size, st.st_mtime_ns)
    return ScanResult(tuple(files.values()), tuple(failed), tuple(sorted(skipped.items())))


def _is_ancestor_link(path: str) -> bool:
    if not os.path.islink(path):
        return False
    real = os.path.realpath(path)
    return os.path.realpath(os.path.dirname(path)).startswith(real.rstrip(os.sep) + os.sep)


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "it is a link that loops back on itself"
    if exc.errno == errno.ENOENT:
        return "it is a link to something that no longer exists"
    if exc.errno == errno.EACCES:
        return "it could not be opened (permission denied)"
    return f"it could not be opened ({exc.strerror or exc})"
