"""Typed errors of the product. Each carries one plain sentence a person can act on."""

from __future__ import annotations

import errno
import math
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Plain words for amounts of text: a person reads words, the model counts tokens. English text
# runs about three quarters of a word to a token; every sentence a person reads uses these.
WORDS_PER_TOKEN = 0.75
MEMORY = "memory for the conversation"  # what the model keeps in mind at once (its context)


def words_in(tokens: int, *, at_least: bool = False) -> int:
    """About how many words ``tokens`` tokens hold, rounded as a person would say it (to 10
    from 100 words, to 100 from 1,000). ``at_least``: rounded up, for "shorten it by"."""
    words = tokens * WORDS_PER_TOKEN
    step = 100 if words >= 1000 else 10 if words >= 100 else 1
    # Halves up, as a person rounds (Python's round() would say 2,200 for 2,250).
    rounded = (math.ceil(words / step) if at_least else math.floor(words / step + 0.5)) * step
    return max(int(rounded), 1 if tokens > 0 else 0)


def about_words(tokens: int, *, at_least: bool = False) -> str:
    """ "about 3,100 words" for 4,096 tokens."""
    n = words_in(tokens, at_least=at_least)
    return f"about {n:,} {'word' if n == 1 else 'words'}"


class AppError(Exception):
    """An error the user should see. ``str(err)`` is one plain sentence saying what to do next,
    in words that read well in the app and on the command line alike (never a command).

    ``command``: the command-line words that do it (``collections index Manuals``); the command
    line shows them after the sentence, the app offers a button of its own instead."""

    def __init__(self, *args: object, command: str = "") -> None:
        super().__init__(*args)
        self.command = command


class Cancelled(AppError):
    """The user asked to stop; nothing is wrong."""

    def __init__(self, message: str = "Stopped.") -> None:
        super().__init__(message)


class SettingsError(AppError):
    pass


class ModelError(AppError):
    pass


class InvalidModelFile(ModelError):
    pass


class DownloadError(ModelError):
    pass


class EngineError(AppError):
    pass


class ServerError(AppError):
    """A model server the person added: its name, address, key or answer."""


class KnowledgeError(AppError):
    pass


class NotIndexed(KnowledgeError):
    """A collection whose index holds nothing yet (never indexed, or every file failed)."""

    def __init__(self, collection: str) -> None:
        super().__init__(
            f"The collection “{collection}” has nothing indexed yet; index it first.",
            command=f"collections index {collection}",
        )
        self.collection = collection

    def __reduce__(self) -> tuple[type[NotIndexed], tuple[str]]:  # crosses process pipes
        return type(self), (self.collection,)


class AssistantError(AppError):
    pass


class CollectionMissing(AssistantError):
    """An assistant reads a collection that no longer exists (removed, or its folder deleted)."""

    def __init__(self, assistant: str, collection: str) -> None:
        super().__init__(
            f"“{assistant}” reads the collection “{collection}”, which no longer exists; "
            "edit the assistant's documents, or create the collection again."
        )
        self.assistant = assistant
        self.collection = collection

    def __reduce__(self) -> tuple[type[CollectionMissing], tuple[str, str]]:
        return type(self), (self.assistant, self.collection)


class PromptTooLong(AssistantError):
    """The parts of a prompt that are never left out do not fit the assistant's context size."""


class ModelMissing(AssistantError):
    """The model or adapter an assistant uses is not installed."""


class BundleError(AssistantError):
    """A ``.assistant`` file that cannot be imported; nothing was written."""


class ConversationError(AppError):
    pass


class DiskFull(AppError):
    """A write found its disk full. Writes are atomic or transactional, so what was saved
    before is as it was; the same action succeeds once there is room."""


def disk_of(path: Path) -> Path:
    """The mount point holding ``path``: the disk a person would free space on."""
    here = Path(os.path.abspath(path))
    while not here.exists() and here != here.parent:
        here = here.parent
    while not os.path.ismount(here) and here != here.parent:
        here = here.parent
    return here


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    if isinstance(exc, (OSError, RuntimeError)):  # LanceDB's storage layer, in Rust
        said = str(exc)
        return f"(os error {errno.ENOSPC})" in said or f"(os error {errno.EDQUOT})" in said
    if isinstance(exc, sqlite3.Error):
        return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or (
            "disk is full" in str(exc)
        )
    return False


def full_disk_sentence(path: Path, what: str, then: str) -> str:
    return (
        f"The disk at {disk_of(path)} is full, so {what} could not be saved; "
        f"free some space on it, then {then}."
    )


@contextmanager
def plain_disk_full(
    path: Path, what: str, then: str, *, error: type[AppError] = DiskFull
) -> Iterator[None]:
    """Turn "no space left" from a write to ``path`` into ``error`` (DiskFull) naming the
    disk, what was being saved and what to do once there is room."""
    try:
        yield
    except (OSError, RuntimeError, sqlite3.Error) as exc:
        if is_disk_full(exc):
            raise error(full_disk_sentence(path, what, then)) from exc
        raise
