"""The knowledge child process: indexes, watches and searches collections for the parent over
a pipe, several requests at once (a watcher runs for hours while searches come and go), each
on a thread of its own, with the embedders and searchers loaded once and kept between requests.

Messages parent → child: ("index", id, paths, name), ("watch", id, paths, name, debounce_ms),
("search", id, paths, name, query, top_k, mode), ("remove", id, paths, name),
("warm", id, paths, names), ("similarity", id, paths, name, sentences, texts), ("cancel", id)
and ("quit",).
Messages child → parent: ("event", id, IndexProgress | IndexReport), ("done", id, result),
("cancelled", id) and ("failed", id, AppError, details)."""

from __future__ import annotations

import contextlib
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.errors import AppError, Cancelled, KnowledgeError
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.embedder import (
    STARTER_IDS,
    Embedder,
    Vectors,
    canonical_embedder_id,
    load_embedder,
    similarity,
)
from assistant_builder.core.knowledge.search import Searcher, SearchHit
from assistant_builder.core.paths import Paths

_QUIT_GRACE_S = 2.0  # on quit, requests get this long to stop between two writes


class KnowledgeService:
    """What the child keeps loaded: one embedder per model and one searcher per collection,
    shared by every request (loading an embedder costs seconds; a query, milliseconds)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards ``_searchers``
        self._embedders_lock = threading.Lock()  # held while the starter embedder installs
        self._embedders: dict[str, Embedder] = {}
        self._searchers: dict[tuple[Path, str], tuple[Searcher, threading.Lock]] = {}

    def embedder(self, spec: str, paths: Paths, cancel: CancelToken) -> Embedder:
        key = canonical_embedder_id(spec)
        with self._embedders_lock:
            if key not in self._embedders:
                self._embedders[key] = load_embedder(spec, paths, cancel=cancel)
            return self._embedders[key]

    def _searcher(self, paths: Paths, name: str) -> tuple[Searcher, threading.Lock]:
        collections = Collections(paths)
        config = collections.get(name)
        key = (paths.data_dir, name)
        with self._lock:
            entry = self._searchers.get(key)
        if entry is None or entry[0].config != config:
            embedder = self.embedder(config.embedder, paths, CancelToken())
            entry = (Searcher(collections, config, embedder=embedder), threading.Lock())
            with self._lock:
                self._searchers[key] = entry
        return entry

    def index(self, paths: Paths, name: str, cancel: CancelToken) -> Iterator[Any]:
        from assistant_builder.core.knowledge.indexer import index_collection

        collections = Collections(paths)
        embedder = self.embedder(collections.get(name).embedder, paths, cancel)
        return index_collection(collections, name, embedder=embedder, cancel=cancel)

    def watch(
        self, paths: Paths, name: str, debounce_ms: int, cancel: CancelToken
    ) -> Iterator[Any]:
        from assistant_builder.core.knowledge.watcher import watch_collection

        collections = Collections(paths)
        embedder = self.embedder(collections.get(name).embedder, paths, cancel)
        return watch_collection(
            collections, name, embedder=embedder, debounce_ms=debounce_ms, cancel=cancel
        )

    def search(self, paths: Paths, name: str, query: str, top_k: int, mode: str) -> list[SearchHit]:
        searcher, lock = self._searcher(paths, name)
        with lock:  # one query at a time per table; different collections run side by side
            return searcher.search(query, top_k=top_k, mode=mode)

    def similarity(
        self, paths: Paths, name: str, sentences: list[str], texts: list[str]
    ) -> Vectors:
        """Cosine similarities of sentences and texts by the collection's own embedder (for
        attributing an answer's sentences to its passages)."""
        embedder = self.embedder(Collections(paths).get(name).embedder, paths, CancelToken())
        return similarity(embedder, sentences, texts)

    def remove(self, paths: Paths, name: str) -> None:
        """Forgets the collection and its index (an outside store is dropped through LanceDB,
        which is why this runs here)."""
        with self._lock:
            self._searchers.pop((paths.data_dir, name), None)
        try:
            Collections(paths).remove(name)
        except OSError as exc:
            raise KnowledgeError(
                f"The collection “{name}” could not be removed ({exc.strerror or exc}); "
                "close other programs using it and try again."
            ) from exc

    def warm(self, paths: Paths, names: list[str], cancel: CancelToken) -> None:
        """Load what the first search of these collections will need, so it answers at once.
        Only embedders already on this computer: nobody asked for a download yet."""
        for name in names:
            cancel.raise_if_cancelled()
            try:
                spec = Collections(paths).get(name).embedder
            except AppError:
                continue  # a collection that went away meanwhile: nothing to get ready
            if not _on_this_computer(spec, paths):
                continue
            self._searcher(paths, name)
            self.embedder(spec, paths, cancel).count_tokens("")  # loads the model itself


def _on_this_computer(spec: str, paths: Paths) -> bool:
    """Whether loading this embedder needs no download (the starter installed, or a folder)."""
    from assistant_builder.core.models.starter import starter_embedder_dir

    if spec.strip().lower() in STARTER_IDS:
        return (starter_embedder_dir(paths) / "modules.json").is_file()
    return Path(spec).expanduser().is_dir()


def _run(service: KnowledgeService, message: tuple[Any, ...], cancel: CancelToken) -> Any:
    """The request's result, or an iterator of its events for the long ones."""
    kind = message[0]
    if kind == "index":
        return service.index(message[2], message[3], cancel)
    if kind == "watch":
        return service.watch(message[2], message[3], message[4], cancel)
    if kind == "search":
        _, _, paths, name, query, top_k, mode = message
        return service.search(paths, name, query, top_k, mode)
    if kind == "remove":
        return service.remove(message[2], message[3])
    if kind == "warm":
        return service.warm(message[2], message[3], cancel)
    if kind == "similarity":
        return service.similarity(*message[2:6])
    raise KnowledgeError(f"The document reader was asked to “{kind}”; update the app.")


def serve(
    service: KnowledgeService,
    message: tuple[Any, ...],
    cancel: CancelToken,
    send: Callable[[tuple[Any, ...]], None],
) -> None:
    """Runs one request to its end and sends its events and its outcome."""
    rid = message[1]
    try:
        result = _run(service, message, cancel)
        if isinstance(result, Iterator):
            for event in result:
                send(("event", rid, event))
            result = None
        cancel.raise_if_cancelled()
        send(("done", rid, result))
    except Cancelled:
        send(("cancelled", rid))
    except AppError as err:
        send(("failed", rid, err, ""))
    except Exception as exc:  # a bug: the parent logs the details and shows one sentence
        sentence = KnowledgeError(
            f"Something unexpected went wrong while reading documents ({type(exc).__name__}); "
            "the details are in the log file."
        )
        send(("failed", rid, sentence, traceback.format_exc()))


def child_main(conn: Connection) -> None:
    """Entry point of the child process: receives requests until told to quit or until the
    parent goes away (its end of the pipe closes), then stops what still runs."""
    import os
    import signal

    # Ctrl+C in a terminal reaches the whole process group: the parent decides what it means.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    send_lock = threading.Lock()
    tokens: dict[int, CancelToken] = {}
    threads: list[threading.Thread] = []
    service = KnowledgeService()

    def send(reply: tuple[Any, ...]) -> None:
        # A broken pipe means the parent is gone: the main loop is ending too.
        with send_lock, contextlib.suppress(BrokenPipeError, OSError):
            conn.send(reply)

    def run(message: tuple[Any, ...], token: CancelToken) -> None:
        try:
            serve(service, message, token, send)
        finally:
            tokens.pop(message[1], None)

    while True:
        try:
            message: tuple[Any, ...] = conn.recv()
        except (EOFError, OSError):
            break
        if message[0] == "quit":
            break
        if message[0] == "cancel":
            token = tokens.get(message[1])
            if token is not None:
                token.cancel()
            continue
        token = tokens[message[1]] = CancelToken()
        thread = threading.Thread(
            target=run, args=(message, token), name=f"knowledge-{message[0]}", daemon=True
        )
        thread.start()
        threads = [t for t in threads if t.is_alive()] + [thread]
    for token in list(tokens.values()):
        token.cancel()
    deadline = time.monotonic() + _QUIT_GRACE_S
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        # What still runs (an import cannot be interrupted) is dropped: every write of the
        # indexer is crash-safe, so ending here loses nothing that a re-run does not redo.
        os._exit(0)
