"""A small real disk for the full-disk cases: a tmpfs mounted for the run (Linux, as root;
elsewhere the cases are skipped with that reason), filled to the last byte with a filler file,
and freed by deleting it, or grown by remounting it bigger."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

FILLER = ".filler"


class NoSmallDisk(Exception):
    """A tmpfs cannot be mounted here; the reason is the message."""


@contextlib.contextmanager
def small_disk(size_mb: int) -> Iterator[Path]:
    where = Path(tempfile.mkdtemp(prefix="ab-small-disk-"))
    mount = ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(where)]
    done = subprocess.run(mount, capture_output=True, text=True)
    if done.returncode != 0:
        where.rmdir()
        raise NoSmallDisk(f"a tmpfs cannot be mounted here ({done.stderr.strip()})")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)
        where.rmdir()


def fill(disk: Path) -> None:
    """Write a filler file until the disk has no byte left."""
    fd = os.open(disk / FILLER, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for size in (1 << 16, 4096, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)


def free(disk: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (disk / FILLER).unlink()


def grow(disk: Path, size_mb: int) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size_mb}m", str(disk)], check=True)


def is_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC
