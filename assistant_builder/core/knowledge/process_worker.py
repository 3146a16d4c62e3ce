"""The knowledge child process: indexes, watches and searches collections and reads cited
documents for the parent over a pipe, several requests at once (a watcher runs for hours while
searches come and go), each on a thread of its own, with the embedders and searchers loaded
once and kept between requests. The messages are in core/knowledge/messages.py."""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
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
    preparing_note,
)
from assistant_builder.core.knowledge.messages import (
    Cancel,
    CountWords,
    Done,
    Embed,
    Event,
    Failed,
    Index,
    ReadSource,
    Remove,
    Request,
    Sample,
    Search,
    Stopped,
    Suggest,
    Warm,
    Watch,
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
        spec = collections.get(name).embedder
        yield from self._prepare(spec, paths)
        embedder = self.embedder(spec, paths, cancel)
        yield from index_collection(collections, name, embedder=embedder, cancel=cancel)

    def _prepare(self, spec: str, paths: Paths) -> Iterator[Any]:
        """Words for the wait while an embedder is exported for this computer (once)."""
        from assistant_builder.core.knowledge.report import IndexProgress

        with self._embedders_lock:
            loaded = canonical_embedder_id(spec) in self._embedders
        if not loaded and (note := preparing_note(spec, paths)):
            yield IndexProgress(0, 0, 0, 0.0, None, note=note)

    def watch(
        self, paths: Paths, name: str, debounce_ms: int, cancel: CancelToken
    ) -> Iterator[Any]:
        from assistant_builder.core.knowledge.watcher import watch_collection

        collections = Collections(paths)
        spec = collections.get(name).embedder
        yield from self._prepare(spec, paths)
        embedder = self.embedder(spec, paths, cancel)
        yield from watch_collection(
            collections, name, embedder=embedder, debounce_ms=debounce_ms, cancel=cancel
        )

    def search(self, paths: Paths, name: str, query: str, top_k: int, mode: str) -> list[SearchHit]:
        searcher, lock = self._searcher(paths, name)
        with lock:  # one query at a time per table; different collections run side by side
            return searcher.search(query, top_k=top_k, mode=mode)

    def embed(self, paths: Paths, name: str, texts: list[str]) -> Vectors:
        """Unit vectors of texts by the collection's own embedder (an answer's sentences,
        compared with its passages' stored vectors)."""
        embedder = self.embedder(Collections(paths).get(name).embedder, paths, CancelToken())
        return embedder.embed(texts)

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

    def warm(self, paths: Paths, names: Sequence[str], cancel: CancelToken) -> None:
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


def _run(service: KnowledgeService, request: Request, cancel: CancelToken) -> Any:
    """The request's result, or an iterator of its events for the long ones."""
    match request:
        case Index(paths=paths, name=name):
            return service.index(paths, name, cancel)
        case Watch(paths=paths, name=name, debounce_ms=debounce_ms):
            return service.watch(paths, name, debounce_ms, cancel)
        case Search(paths=paths, name=name, query=query, top_k=top_k, mode=mode):
            return service.search(paths, name, query, top_k, mode)
        case Remove(paths=paths, name=name):
            return service.remove(paths, name)
        case Warm(paths=paths, names=names):
            return service.warm(paths, names, cancel)
        case Embed(paths=paths, name=name, texts=texts):
            return service.embed(paths, name, texts)
        case CountWords(paths=paths, name=name, words=words):
            from assistant_builder.core.knowledge.word_counts import frequencies

            return frequencies(Collections(paths).words_file(name), words)
        case Suggest(paths=paths, name=name, count=count):
            from assistant_builder.core.knowledge.suggestions import stored_suggestions

            return stored_suggestions(paths, name, count)
        case Sample(paths=paths, name=name, count=count):
            from assistant_builder.core.knowledge.sampling import stored_passages

            return stored_passages(paths, name, count)
        case ReadSource():
            from assistant_builder.core.knowledge.source_text import read_source

            return read_source(
                Path(request.path), request.start, request.end, request.passage,
                parsers=request.parsers, time_limit_s=request.time_limit_s, cancel=cancel,
            )  # fmt: skip
    raise KnowledgeError(
        f"The document reader was asked to “{type(request).__name__}”; update the app."
    )


def serve(
    service: KnowledgeService,
    request: Request,
    cancel: CancelToken,
    send: Callable[[object], None],
) -> None:
    """Runs one request to its end and sends its events and its outcome."""
    rid = request.request_id
    try:
        result = _run(service, request, cancel)
        if isinstance(result, Iterator):
            for event in result:
                send(Event(rid, event))
            result = None
        cancel.raise_if_cancelled()
        send(Done(rid, result))
    except Cancelled:
        send(Stopped(rid))
    except AppError as err:
        send(Failed(rid, err, ""))
    except Exception as exc:  # a bug: the parent logs the details and shows one sentence
        sentence = KnowledgeError(
            f"Something unexpected went wrong while reading documents ({type(exc).__name__}); "
            "the details are in the log file."
        )
        send(Failed(rid, sentence, traceback.format_exc()))


def child_main(conn: Connection) -> None:
    """Entry point of the child process: receives requests until told to quit or until the
    parent goes away (its end of the pipe closes), then stops what still runs."""
    import os

    send_lock = threading.Lock()
    tokens: dict[int, CancelToken] = {}
    threads: list[threading.Thread] = []
    service = KnowledgeService()

    def send(reply: object) -> None:
        # A broken pipe means the parent is gone: the main loop is ending too.
        with send_lock, contextlib.suppress(BrokenPipeError, OSError):
            conn.send(reply)

    def run(request: Request, token: CancelToken) -> None:
        try:
            serve(service, request, token, send)
        finally:
            tokens.pop(request.request_id, None)

    while True:
        try:
            message: object = conn.recv()
        except (EOFError, OSError):
            break
        if isinstance(message, Cancel):
            token = tokens.get(message.request_id)
            if token is not None:
                token.cancel()
            continue
        if not isinstance(message, Request):  # Quit
            break
        token = tokens[message.request_id] = CancelToken()
        thread = threading.Thread(
            target=run, args=(message, token), name=f"knowledge-{type(message).__name__}",
            daemon=True,
        )  # fmt: skip
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
        # Its parser processes go first: left behind, they would outlive the app.
        for child in multiprocessing.active_children():
            child.kill()
        os._exit(0)
