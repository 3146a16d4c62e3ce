"""Parser isolation: files are read by loaders in spawned worker processes, each file under a
time limit, so a file that hangs or crashes its parser is reported and skipped, never fatal."""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.knowledge.document import Document, UnreadableDocument
from assistant_builder.core.knowledge.filetypes import reader_key

PREFETCH = 3  # files queued per worker, so workers keep parsing while the indexer embeds
# A parser that needs more than this is as good as hung: address space, so its resident
# memory stays below it too (issue: indexing stays under 2 GB whatever the files).
MEMORY_LIMIT = 2 << 30
SECONDS_PER_MB = 2.0  # extra time a big file gets on top of the base limit (a 300-page PDF)

log = logging.getLogger(__name__)


def _parser_for(parsers: Mapping[str, str], path: Path) -> Callable[[Path], Document]:
    module, _, name = parsers[reader_key(path, parsers)].partition(":")
    func: Callable[[Path], Document] = getattr(importlib.import_module(module), name)
    return func


def parse_file(parsers: Mapping[str, str], path: Path) -> Document | str:
    """The Document, or the plain reason it could not be read (used in-process and by workers)."""
    try:
        return _parser_for(parsers, path)(path)
    except UnreadableDocument as exc:
        return str(exc)
    except PermissionError:
        return "it could not be opened (permission denied)"
    except MemoryError:
        return "it needs more memory to read than a document may take (a damaged or hostile file?)"
    except Exception as exc:
        log.info("%s could not be read", path, exc_info=True)  # the detail is for the log
        return unreadable_reason(exc)


def unreadable_reason(exc: Exception) -> str:
    """What the report says of a file its reader failed on: the user's words, not the
    reader's (the reader's message goes to the log)."""
    said = str(exc).lower()
    if "amplification" in said or ("entity" in said and "loop" in said):
        return "it is made to grow without end when read (a damaged or hostile file)"
    if "field larger than field limit" in said:
        return "one of its cells is too long to read as a table"
    return "it could not be read: the file may be damaged, or not the kind its name says"


def _worker_main(conn: Connection, parsers: dict[str, str]) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass
    # The pool's end gone (the knowledge process quit or was ended while this file was
    # read: the app is closing) is the end of the work, not an error to print.
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if task is None:
            return
        task_id, path = task
        try:
            conn.send(("start", task_id, time.monotonic()))
            conn.send(("done", task_id, parse_file(parsers, Path(path))))
        except OSError:
            return


@dataclass
class _Worker:
    process: Any
    conn: Connection
    queue: deque[tuple[int, Path]] = field(default_factory=deque)
    started_at: float | None = None
    limit_s: float = 0.0  # the time limit of the file it is reading now


class ParserPool:
    """Spawned parser processes fed with files; yields (path, Document or failure reason)."""

    def __init__(
        self, parsers: Mapping[str, str], *, workers: int = 2, time_limit_s: float = 30.0
    ) -> None:
        self._parsers = dict(parsers)
        self._size = max(1, workers)
        self._time_limit = time_limit_s
        self._ctx = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []
        self._todo: deque[tuple[int, Path]] = deque()

    def submit(self, paths: Iterable[Path]) -> None:
        """Queue files and start the workers on them now (e.g. while the embedder loads)."""
        self._todo.extend((len(self._todo) + n, p) for n, p in enumerate(paths))
        self._dispatch()

    def _dispatch(self) -> None:
        todo = self._todo
        while len(self._workers) < min(self._size, len(todo) + 1) and todo:
            self._workers.append(self._spawn())
        for worker in list(self._workers):
            while todo and len(worker.queue) < PREFETCH:
                task = todo.popleft()
                try:
                    worker.conn.send((task[0], str(task[1])))
                except OSError:  # it died reading an earlier file: results() sees it end
                    todo.appendleft(task)
                    if not worker.queue:  # nothing to blame it for: just replace it
                        self._retire(worker)
                    break
                worker.queue.append(task)

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_worker_main, args=(child, self._parsers), daemon=True, name="parser"
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def _retire(self, worker: _Worker) -> list[tuple[int, Path]]:
        """Kill a worker, returning the files it had not started."""
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        self._workers.remove(worker)
        pending = list(worker.queue)
        return pending[1:] if worker.started_at is not None else pending

    def _limit_for(self, path: Path) -> float:
        try:
            size_mb = path.stat().st_size / 1e6
        except OSError:
            size_mb = 0.0
        return self._time_limit + size_mb * SECONDS_PER_MB

    def parse(
        self, paths: Iterable[Path], *, cancel: CancelToken = NEVER
    ) -> Iterator[tuple[Path, Document | str]]:
        self.submit(paths)
        return self.results(cancel=cancel)

    def results(self, *, cancel: CancelToken = NEVER) -> Iterator[tuple[Path, Document | str]]:
        """(path, Document or the reason it failed) for every submitted file, as they finish."""
        todo = self._todo
        while todo or any(w.queue for w in self._workers):
            cancel.raise_if_cancelled()
            self._dispatch()
            busy = [w for w in self._workers if w.queue]
            ready = wait([w.conn for w in busy], timeout=0.2)
            for worker in busy:
                if worker.conn in ready:
                    crashed = yield from self._drain(worker)
                    if crashed:
                        todo.extendleft(reversed(self._retire(worker)))
                        continue
                started = worker.started_at
                if started is not None and time.monotonic() - started > worker.limit_s:
                    path = worker.queue[0][1]
                    todo.extendleft(reversed(self._retire(worker)))
                    yield (
                        path,
                        f"reading it took longer than {worker.limit_s:.0f} s, so it was skipped",
                    )

    def _drain(self, worker: _Worker) -> Generator[tuple[Path, Document | str], None, bool]:
        # Generator returning True when the worker died (its current file crashed the parser).
        try:
            while worker.conn.poll():
                kind, _task_id, payload = worker.conn.recv()
                if kind == "start":
                    worker.started_at = float(payload)
                    worker.limit_s = self._limit_for(worker.queue[0][1])
                else:
                    _, path = worker.queue.popleft()
                    worker.started_at = None
                    yield path, payload
        except (EOFError, OSError):
            if worker.queue:
                yield worker.queue[0][1], "it crashed the program reading it, so it was skipped"
                if worker.started_at is None:
                    worker.started_at = 0.0  # blame only that file; the rest are retried
            return True
        return False

    def close(self) -> None:
        for worker in list(self._workers):
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in list(self._workers):
            worker.process.join(2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(2)
            worker.conn.close()
        self._workers.clear()

    def __enter__(self) -> ParserPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
