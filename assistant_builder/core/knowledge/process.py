"""The knowledge process: indexing, watching, searching and reading cited documents run in a
child process that this object starts on first use and supervises (core/childproc.py), so the
heavy libraries they need (torch through sentence-transformers, LanceDB, the document
parsers) never load into the app's own process.

Unlike the engine, several requests run at once (a folder watcher runs for hours while
searches come and go). A child that dies fails the requests it was serving with one plain
sentence; the next request starts a fresh child."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.childproc import CANCELLED, ENDED, Child, Request, Supervisor
from assistant_builder.core.errors import Cancelled, KnowledgeError
from assistant_builder.core.knowledge import messages
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.report import IndexProgress, IndexReport
from assistant_builder.core.knowledge.sampling import StoredPassage
from assistant_builder.core.knowledge.search import SearchHit
from assistant_builder.core.knowledge.source_text import TIME_LIMIT_S, SourceText
from assistant_builder.core.knowledge.word_counts import WordFrequencies

if TYPE_CHECKING:  # numpy itself is the child's: the window's process never needs it
    from multiprocessing.connection import Connection

    import numpy as np
    import numpy.typing as npt

log = logging.getLogger(__name__)

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


def _child_main(conn: Connection) -> None:
    """The child's entry point, imported there only: the worker's modules (the embedder,
    numpy, LanceDB's clients) are no part of the window's start."""
    from assistant_builder.core.knowledge.process_worker import child_main

    child_main(conn)


def _start(cancel: CancelToken) -> Child:
    # Not daemonic: the indexer starts parser processes, which daemons may not do.
    return Child(
        _child_main, name="assistant-builder-knowledge", quit_message=messages.Quit(),
        daemon=False,
    ).start()  # fmt: skip


class KnowledgeProcess:
    """Indexing, watching and searching of collections, done in a supervised child process.

    Thread-safe: the app's worker threads call it at the same time (an index run, watchers,
    the test search, the retrieval of passages for answers)."""

    def __init__(self) -> None:
        self._supervisor = Supervisor(_start)

    @property
    def process_id(self) -> int | None:
        return self._supervisor.process_id

    @property
    def restarts(self) -> int:
        """Children started after one that died."""
        return self._supervisor.restarts

    # Requests -------------------------------------------------------------------------------

    def index(
        self, collections: Collections, name: str, *, cancel: CancelToken = NEVER
    ) -> Iterator[IndexProgress | IndexReport]:
        """The events of index_collection, run in the child; the last one is the report."""
        paths = collections.paths
        return self._call(lambda rid: messages.Index(rid, paths, name), cancel, DIED_INDEXING)

    def watch(
        self,
        collections: Collections,
        name: str,
        *,
        debounce_ms: int = 800,
        cancel: CancelToken = NEVER,
    ) -> Iterator[IndexProgress | IndexReport]:
        """The events of watch_collection, run in the child until cancelled."""
        paths = collections.paths
        return self._call(
            lambda rid: messages.Watch(rid, paths, name, debounce_ms), cancel, DIED_INDEXING
        )

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
        paths = collections.paths
        call = self._call(
            lambda rid: messages.Search(rid, paths, name, query, top_k, mode),
            cancel,
            DIED_SEARCHING,
        )
        hits: list[SearchHit] = _result(call)
        return hits

    def embed(
        self,
        collections: Collections,
        name: str,
        texts: Sequence[str],
        *,
        cancel: CancelToken = NEVER,
    ) -> npt.NDArray[np.float32]:
        """Unit vectors of ``texts`` by the collection's embedder, in the child: how an
        answer's sentences are compared with its passages' stored vectors."""
        paths, said = collections.paths, list(texts)
        call = self._call(
            lambda rid: messages.Embed(rid, paths, name, said),
            cancel,
            DIED_SEARCHING,
        )
        matrix: npt.NDArray[np.float32] = _result(call)
        return matrix

    def word_frequencies(
        self,
        collections: Collections,
        name: str,
        words: Sequence[str],
        *,
        cancel: CancelToken = NEVER,
    ) -> WordFrequencies:
        """How many of the collection's passages hold each of ``words``, as counted at
        indexing (read in the child, where the collection's files are kept)."""
        paths, asked = collections.paths, list(words)
        call = self._call(
            lambda rid: messages.CountWords(rid, paths, name, asked), cancel, DIED_SEARCHING
        )
        counted: WordFrequencies = _result(call)
        return counted

    def remove(self, collections: Collections, name: str, *, cancel: CancelToken = NEVER) -> None:
        """Collections.remove, run in the child (dropping an outside store needs LanceDB)."""
        paths = collections.paths
        _result(self._call(lambda rid: messages.Remove(rid, paths, name), cancel, DIED_SEARCHING))

    def suggestions(
        self, collections: Collections, name: str, count: int = 3, *, cancel: CancelToken = NEVER
    ) -> list[str]:
        """Questions from the headings of what ``name`` has indexed (core/knowledge/
        suggestions.py), read in the child where LanceDB loads."""
        paths = collections.paths
        call = self._call(
            lambda rid: messages.Suggest(rid, paths, name, count), cancel, DIED_SEARCHING
        )
        questions: list[str] = _result(call)
        return questions

    def sample(
        self, collections: Collections, name: str, count: int, *, cancel: CancelToken = NEVER
    ) -> list[StoredPassage]:
        """Passages spread over what ``name`` has indexed (core/knowledge/sampling.py), read
        in the child where LanceDB loads."""
        paths = collections.paths
        call = self._call(
            lambda rid: messages.Sample(rid, paths, name, count), cancel, DIED_SEARCHING
        )
        passages: list[StoredPassage] = _result(call)
        return passages

    def read_source(
        self,
        path: Path,
        start: int,
        end: int,
        passage: str,
        *,
        parsers: Mapping[str, str] | None = None,
        time_limit_s: float = TIME_LIMIT_S,
        cancel: CancelToken = NEVER,
    ) -> SourceText:
        """source_text.read_source, run in the child: a cited document's text and where the
        passage is in it, read by the isolated parsers indexing uses."""
        call = self._call(
            lambda rid: messages.ReadSource(
                rid, str(path), start, end, passage, parsers, time_limit_s
            ),
            cancel,
            DIED_SEARCHING,
        )
        text: SourceText = _result(call)
        return text

    def warm(self, collections: Collections, names: Sequence[str]) -> None:
        """Starts the child if needed and has it load what searching these collections
        needs, in the background: returns at once, and nobody waits for the outcome."""

        def start() -> None:
            try:
                paths, wanted = collections.paths, tuple(names)
                sent = self._supervisor.request(lambda rid: messages.Warm(rid, paths, wanted))
                if sent is not None:
                    sent[1].close()  # nobody waits for the outcome
            except Exception:  # only a head start was lost: the first real request says why
                log.exception("warming the document reader failed")

        threading.Thread(target=start, name="knowledge-warm", daemon=True).start()

    def shutdown(self) -> None:
        """Stops every request and ends the child (app exit). A later request starts anew."""
        self._supervisor.stop(_QUIT_WAIT_S)

    # Plumbing -------------------------------------------------------------------------------

    def _call(
        self, make: Callable[[int], messages.Request], cancel: CancelToken, died: str
    ) -> Generator[Any, None, Any]:
        """Yields the request's events and returns its result; raises what the child raised,
        Cancelled once the child confirms it stopped, or ``died`` if the child died."""
        sent = self._supervisor.request(make, cancel)
        if sent is None:
            raise KnowledgeError("The document reader could not be started; restart the app.")
        child, request = sent
        stop_sent: float | None = None
        ended = False
        try:
            while True:
                timeout = None
                if stop_sent is not None:
                    timeout = max(0.0, stop_sent + _STOP_GRACE_S - time.monotonic())
                reply = request.get(timeout)
                if reply is None:  # stuck in one step: what it wrote is crash-safe
                    self._supervisor.replace(child)
                    ended = True
                    raise Cancelled()
                if reply is CANCELLED:
                    if stop_sent is None:
                        stop_sent = _ask_to_stop(child, request)
                    continue
                if isinstance(reply, messages.Event):
                    if stop_sent is None:  # once stopping, progress is no longer news
                        yield reply.event
                    continue
                ended = True
                if isinstance(reply, messages.Done):
                    return reply.result
                if isinstance(reply, messages.Stopped) or child.closing:
                    raise Cancelled()
                if isinstance(reply, messages.Failed):
                    if reply.details:
                        log.error("knowledge process: %s", reply.details)
                    raise reply.error
                assert reply is ENDED
                raise KnowledgeError(died)  # the child died under this request
        finally:
            if not ended:  # the caller stopped reading: stop the child's work and wait for it
                stop_sent = stop_sent or _ask_to_stop(child, request)
                if not _wait_outcome(request, stop_sent + _STOP_GRACE_S):
                    self._supervisor.replace(child)
            request.close()


def _ask_to_stop(child: Child, request: Request) -> float:
    child.send(messages.Cancel(request.id))
    return time.monotonic()


def _wait_outcome(request: Request, deadline: float) -> bool:
    """Whether the request ended (any reply but an event) before ``deadline``."""
    while (left := deadline - time.monotonic()) > 0:
        reply = request.get(left)
        if reply is None:
            return False
        if reply is not CANCELLED and not isinstance(reply, messages.Event):
            return True
    return False


def _result(call: Generator[Any, None, Any]) -> Any:
    """The return value of a request that has no events to yield."""
    while True:
        try:
            next(call)
        except StopIteration as done:
            return done.value
