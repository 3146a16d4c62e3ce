"""Folder watching: changes in a collection's folders trigger an incremental re-index after a
short debounce. watchfiles (Rust notify) does the watching; this only decides what to run."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.embedder import Embedder, load_embedder
from assistant_builder.core.knowledge.filetypes import skip_reason
from assistant_builder.core.knowledge.indexer import index_collection
from assistant_builder.core.knowledge.loaders import DEFAULT_PARSERS
from assistant_builder.core.knowledge.report import IndexProgress, IndexReport
from assistant_builder.core.knowledge.store_lock import StoreBusy


class _StopEvent:
    """What watchfiles polls to know when to stop: our cancel token."""

    def __init__(self, cancel: CancelToken) -> None:
        self._cancel = cancel

    def is_set(self) -> bool:
        return self._cancel.cancelled


def watch_collection(
    collections: Collections,
    name: str,
    *,
    embedder: Embedder | None = None,
    parsers: Mapping[str, str] | None = None,
    debounce_ms: int = 800,
    time_limit_s: float = 30.0,
    busy_retry_s: float = 30.0,
    cancel: CancelToken = NEVER,
) -> Iterator[IndexProgress | IndexReport]:
    """Runs until cancelled, yielding the events of each re-index the changes cause.

    The first re-index runs as soon as the watcher is live, so nothing that changed before it
    started watching (even during the caller's own last run) is missed. While another computer
    indexes the collection's shared store, the watcher says so and tries again every
    ``busy_retry_s`` seconds instead of stopping."""
    from watchfiles import watch

    config = collections.get(name)
    parsers = dict(parsers or DEFAULT_PARSERS)
    folders = [f for f in config.folders if Path(f).is_dir()]
    caught_up = False
    retry_at: float | None = None  # the shared store was busy: try again from then on
    for changes in watch(
        *folders,
        debounce=debounce_ms,
        stop_event=_StopEvent(cancel),
        rust_timeout=200,
        yield_on_timeout=True,  # an empty set while nothing changes: the watcher is live
    ):
        if cancel.cancelled:
            return
        # Folders count too: a renamed folder arrives as its own path, not as its files.
        relevant = [p for _, p in changes if _relevant(Path(p), parsers)]
        if caught_up and not relevant and not _due(retry_at):
            continue
        caught_up, retry_at = True, None
        if embedder is None:
            embedder = load_embedder(config.embedder, collections.paths, cancel=cancel)
        try:
            yield from index_collection(
                collections,
                name,
                embedder=embedder,
                parsers=parsers,
                time_limit_s=time_limit_s,
                cancel=cancel,
            )
        except StoreBusy as busy:
            yield IndexProgress(0, 0, 0, 0.0, None, note=str(busy))
            retry_at = time.monotonic() + busy_retry_s


def _due(retry_at: float | None) -> bool:
    return retry_at is not None and time.monotonic() >= retry_at


def _relevant(path: Path, parsers: Mapping[str, str]) -> bool:
    # A removed file cannot be sniffed: its extension decides.
    if path.is_dir() or (not path.exists() and path.suffix.lower() in parsers):
        return True
    return path.exists() and skip_reason(path, parsers) is None
