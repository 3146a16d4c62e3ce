"""Atomic writes: a file is either its old content or its new content, never half of each."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

CHUNK = 1 << 20  # bytes read at a time when copying or hashing a large file


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


LEFTOVER_AGE_S = 3600.0  # older than any write in progress, in this process or another


def remove_leftovers(folders: list[Path], *, older_than_s: float = LEFTOVER_AGE_S) -> int:
    """Delete the half-written temporary files of atomic writes that a killed process left
    in ``folders`` (their finished file was never replaced, so nothing is lost); how many."""
    removed, now = 0, time.time()
    for folder in folders:
        for tmp in folder.glob(".*.tmp") if folder.is_dir() else ():
            with contextlib.suppress(OSError):
                if now - tmp.stat().st_mtime > older_than_s:
                    tmp.unlink()
                    removed += 1
    return removed


def write_json_atomic(path: Path, data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"))


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not every platform lets a directory be opened.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def move_aside(path: Path, *, also: tuple[str, ...] = ()) -> Path:
    """Rename a damaged file or folder next to itself (never delete it), with the files
    named ``path`` + each suffix in ``also`` (SQLite's -wal and -shm) following it."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kept, n = path.with_name(f"{path.name}.damaged-{stamp}"), 2
    while kept.exists():
        kept, n = path.with_name(f"{path.name}.damaged-{stamp}-{n}"), n + 1
    os.replace(path, kept)
    for suffix in also:
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, kept.with_name(kept.name + suffix))
    return kept
