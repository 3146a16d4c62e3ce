"""The knowledge process: indexing, watching and searching run in a child process that this
object starts on first use and supervises, so the heavy libraries they need (torch through
sentence-transformers, LanceDB) never load into the app's own process.

Same pattern as the engine (core/engine/local.py): a "spawn" child, one pipe, request ids,
events coming back as the core's own frozen dataclasses. Unlike the engine, several requests
run at once (a folder watcher runs for hours while searches come and go), so a reader thread
hands each reply to the queue of the request it belongs to. A child that dies fails the
requests it was serving with one plain sentence; the next request starts a fresh child."""

from __future__ import annotations

import atexit
import contextlib
import itertools
import logging
import multiprocessing
import queue
import threading
import time
from collections.abc import Generator, Iterator, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.errors import AppError, Cancelled, KnowledgeError
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.indexer import IndexProgress, IndexReport
from assistant_builder.core.knowledge.process_worker import child_main
from assistant_builder.core.knowledge.search import SearchHit

log = logging.getLogger(__name__)

_POLL_S = 0.05  # how often a waiting request looks at its cancel token
_STOP_GRACE_S = 30.0  # a stop the child does not confirm in this time ends the child instead
_QUIT_WAIT_S = 5.0
DIED_INDEXING = (
    "The document reader stopped unexpectedly (it may have run out of memory); what was "
    "already read is kept, so index the collection again to finish."
)
DIED_SEARCHING = (
    "The document reader stopped unexpectedly (it may have run out of memory); "
    "try again, it restarts by itself."
)


class _Child:
    """One running child: its process, its pipe, and the queues of the requests it serves."""

    def __init__(self, proc: BaseProcess, conn: Connection) -> None:
        self.proc = proc
        self.conn = conn
        self.inboxes: dict[int, queue.SimpleQueue[tuple[Any, ...]]] = {}
        self.alive = True
        self.closing = False  # shut down on purpose: its requests end as stopped, not failed
        self.lock = threading.Lock()  # guards sends, ``inboxes`` and ``alive``
        self.reader = threading.Thread(target=self._read, name="knowledge-reader", daemon=True)

    def _read(self) -> None:
        while True:
            try:
                message: tuple[Any, ...] = self.conn.recv()
            except (EOFError, OSError):
                break
            with self.lock:
                inbox = self.inboxes.get(message[1])
            if inbox is not None:  # else a late reply of a request that was given up
                inbox.put(message)
        with self.lock:
            self.alive = False
            inboxes = list(self.inboxes.values())
        for inbox in inboxes:
            inbox.put(("ended",))
        _children.discard(self)

    def stop(self, timeout: float = _QUIT_WAIT_S, *, closing: bool = True) -> None:
        """Asks the child to quit, ends it if it does not, and releases the pipe."""
        self.closing = closing
        with self.lock:
            if self.alive:
                with contextlib.suppress(BrokenPipeError, OSError):
                    self.conn.send(("quit",))
        self.proc.join(timeout)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        self.reader.join(5)  # the child's end closed: the reader has seen EOF
        self.conn.close()
        _children.discard(self)


# Children still running when the interpreter exits are told to quit first: they are not
# daemonic (they start parser processes of their own), and multiprocessing waits for them.
_children: set[_Child] = set()


@atexit.register
def _stop_children() -> None:
    for child in list(_children):
        child.stop(timeout=2.0)


class KnowledgeProcess:
    """Indexing, watching and searching of collections, done in a supervised child process.

    Thread-safe: the app's worker threads call it at the same time (an index run, watchers,
    the test search, the retrieval of passages for answers)."""

    def __init__(self) -> None:
        self._mp = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()  # guards starting and replacing the child
        self._child: _Child | None = None
        self._ids = itertools.count(1)
        self.restarts = 0  # children started after one that died

    @property
    def process_id(self) -> int | None:
        child = self._child
        return child.proc.pid if child is not None and child.alive else None

    # Requests -------------------------------------------------------------------------------

    def index(
        self, collections: Collections, name: str, *, cancel: CancelToken = NEVER
    ) -> Iterator[IndexProgress | IndexReport]:
        """The events of index_collection, run in the child; the last one is the report."""
        return self._call(("index", collections.paths, name), cancel, DIED_INDEXING)

    def watch(
        self,
        collections: Collections,
        name: str,
        *,
        debounce_ms: int = 800,
        cancel: CancelToken = NEVER,
    ) -> Iterator[IndexProgress | IndexReport]:
        """The events of watch_collection, run in the child until cancelled."""
        message = ("watch", collections.paths, name, debounce_ms)
        return self._call(message, cancel, DIED_INDEXING)

    def search(
        self,
        collections: Collections,
        name: str,
        query: str,
        *,
        top_k: int = 5,
        mode: str = "hybrid",
        cancel: CancelToken = NEVER,
    ) -> list[SearchHit]:
        """The hits search_collection would return; the child keeps the embedder loaded."""
        call = self._call(
            ("search", collections.paths, name, query, top_k, mode), cancel, DIED_SEARCHING
        )
        hits: list[SearchHit] = _result(call)
        return hits

    def similarity(
        self,
        collections: Collections,
        name: str,
        sentences: Sequence[str],
        texts: Sequence[str],
        *,
        cancel: CancelToken = NEVER,
    ) -> npt.NDArray[np.float32]:
        """Cosine similarities (sentences x texts) by the collection's embedder, in the child:
        the Similarity that attributes an answer's sentences to its passages."""
        body = ("similarity", collections.paths, name, list(sentences), list(texts))
        matrix: npt.NDArray[np.float32] = _result(self._call(body, cancel, DIED_SEARCHING))
        return matrix

    def remove(self, collections: Collections, name: str, *, cancel: CancelToken = NEVER) -> None:
        """Collections.remove, run in the child (dropping an outside store needs LanceDB)."""
        call = self._call(("remove", collections.paths, name), cancel, DIED_SEARCHING)
        _result(call)

    def warm(self, collections: Collections, names: Sequence[str]) -> None:
        """Starts the child if needed and has it load what searching these collections
        needs, in the background: returns at once, and nobody waits for the outcome."""

        def start() -> None:
            try:
                self._send(("warm", collections.paths, list(names)), None)
            except Exception:  # only a head start was lost: the first real request says why
                log.exception("warming the document reader failed")

        threading.Thread(target=start, name="knowledge-warm", daemon=True).start()

    def shutdown(self) -> None:
        """Stops every request and ends the child (app exit). A later request starts anew."""
        with self._lock:
            child, self._child = self._child, None
        if child is not None:
            child.stop()

    # Plumbing -------------------------------------------------------------------------------

    def _ensure_child(self) -> _Child:
        with self._lock:
            child = self._child
            if child is not None and child.alive and child.proc.is_alive():
                return child
            if child is not None:
                self.restarts += 1
                child.stop(timeout=0.0, closing=False)
            parent_conn, child_conn = self._mp.Pipe(duplex=True)
            # Not daemonic: the indexer starts parser processes, which daemons may not do.
            proc = self._mp.Process(
                target=child_main, args=(child_conn,), name="assistant-builder-knowledge"
            )
            proc.start()
            child_conn.close()  # so the reader sees EOF when the child dies
            child = self._child = _Child(proc, parent_conn)
            _children.add(child)
            child.reader.start()
            return child

    def _send(
        self, body: tuple[Any, ...], inbox: queue.SimpleQueue[tuple[Any, ...]] | None
    ) -> tuple[_Child, int]:
        """Sends a request (registering its inbox first, so no reply can miss it)."""
        rid = next(self._ids)
        for _attempt in range(2):  # a child that died between two requests is replaced once
            child = self._ensure_child()
            with child.lock:
                if child.alive:
                    if inbox is not None:
                        child.inboxes[rid] = inbox
                    try:
                        child.conn.send((body[0], rid, *body[1:]))
                        return child, rid
                    except (BrokenPipeError, OSError):
                        child.inboxes.pop(rid, None)
                        child.alive = False
        raise KnowledgeError("The document reader could not be started; restart the app.")

    def _call(
        self, body: tuple[Any, ...], cancel: CancelToken, died: str
    ) -> Generator[Any, None, Any]:
        """Yields the request's events and returns its result; raises what the child raised,
        Cancelled once the child confirms it stopped, or ``died`` if the child died."""
        inbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        child, rid = self._send(body, inbox)
        stop_sent: float | None = None
        ended = False

        def ask_to_stop() -> float:
            with child.lock:
                if child.alive:
                    with contextlib.suppress(BrokenPipeError, OSError):
                        child.conn.send(("cancel", rid))
            return time.monotonic()

        try:
            while True:
                if cancel.cancelled and stop_sent is None:
                    stop_sent = ask_to_stop()
                if stop_sent is not None and time.monotonic() - stop_sent > _STOP_GRACE_S:
                    self._replace(child)  # stuck in one step: what it wrote is crash-safe
                    ended = True
                    raise Cancelled()
                try:
                    message = inbox.get(timeout=_POLL_S)
                except queue.Empty:
                    continue
                kind = message[0]
                if kind == "event":
                    if stop_sent is None:  # once stopping, progress is no longer news
                        yield message[2]
                    continue
                ended = True
                if kind == "done":
                    return message[2]
                if kind == "cancelled" or child.closing:
                    raise Cancelled()
                if kind == "failed":
                    if message[3]:
                        log.error("knowledge process: %s", message[3])
                    error: AppError = message[2]
                    raise error
                raise KnowledgeError(died)  # "ended": the child died under this request
        finally:
            if not ended:  # the caller stopped reading: stop the child's work and wait for it
                stop_sent = stop_sent or ask_to_stop()
                while time.monotonic() - stop_sent < _STOP_GRACE_S:
                    try:
                        if inbox.get(timeout=_POLL_S)[0] != "event":
                            break
                    except queue.Empty:
                        continue
                else:
                    self._replace(child)
            with child.lock:
                child.inboxes.pop(rid, None)

    def _replace(self, child: _Child) -> None:
        """Ends a child that does not answer; the next request starts a fresh one."""
        with self._lock:
            if self._child is child:
                self._child = None
                self.restarts += 1
        child.stop(timeout=0.0, closing=False)


def _result(call: Generator[Any, None, Any]) -> Any:
    """The return value of a request that has no events to yield."""
    while True:
        try:
            next(call)
        except StopIteration as done:
            return done.value
