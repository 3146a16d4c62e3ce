"""Which parser reads a file, decided in one place for the scan, the parser workers, the
watcher and the source viewer: by its extension; a compressed ``.gz`` by the extension inside
it (``notes.txt.gz`` is text); a file without an extension (README, LICENSE), or with one no
parser knows (README.Debian, notes.2024), as plain text when its first bytes are text. What
the app does not read is reported, with the reason, not hidden."""

from __future__ import annotations

from collections.abc import Container
from pathlib import Path

from assistant_builder.core.knowledge.textdecode import looks_binary

NO_EXTENSION = ""  # the parsers' key for a file without an extension
NOT_READ = "not a kind of document the app reads"
ARCHIVE = "it is an archive of several files; unpack it into the folder to include them"
_ARCHIVES = (".tar.gz", ".tgz", ".zip", ".tar", ".7z", ".rar", ".tar.xz", ".tar.bz2")
_SNIFF = 8192


def parser_key(path: Path) -> str:
    """The key of ``path`` in a parser registry; a ``.gz`` file is read by the ``.gz`` parser,
    which reads what it holds by :func:`inner_key`."""
    return path.suffix.lower()


def reader_key(path: Path, parsers: Container[str]) -> str:
    """The parser registry's key that reads ``path``: its own extension's, or plain text's for
    an extension no parser knows (the scan has checked that such a file starts as text)."""
    key = parser_key(path)
    return key if key in parsers else NO_EXTENSION


def inner_key(path: Path) -> str:
    """The key of the file a ``.gz`` holds: ``a.txt.gz`` -> ``.txt``, ``README.gz`` -> ``""``."""
    return Path(path.stem).suffix.lower()


def skip_reason(path: Path, parsers: Container[str]) -> str | None:
    """None when a parser reads ``path``, else the plain reason it is left out."""
    name = path.name.lower()
    if name.endswith(_ARCHIVES):
        return ARCHIVE
    key = parser_key(path)
    if key == ".gz":
        key = inner_key(path)
        if key != NO_EXTENSION:
            return None if key in parsers else NOT_READ
    if key in parsers and key != NO_EXTENSION:
        return None
    return None if NO_EXTENSION in parsers and _is_text(path) else NOT_READ


def _is_text(path: Path) -> bool:
    """A file without an extension, or with an unknown one, is read when its start is text
    (a program, an image or a database is not)."""
    if path.name.endswith(".gz"):
        import gzip

        try:
            with gzip.open(path, "rb") as handle:
                sample = handle.read(_SNIFF)
        except (OSError, EOFError):
            return False
    else:
        try:
            with path.open("rb") as handle:
                sample = handle.read(_SNIFF)
        except OSError:
            return False
    return bool(sample.strip()) and not looks_binary(sample)
