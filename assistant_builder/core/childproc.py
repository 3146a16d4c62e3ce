"""One supervised child process, for both the engine's and the knowledge process: a "spawn"
child with one pipe, replies routed by request id, waits woken by the cancel token, a stop
with a grace period, a kill, and a fresh child after one died.

Why "spawn" and a pipe: forking a process that runs Qt threads is unsafe, "spawn" behaves the
same on Linux, macOS and Windows, and the pipe is a channel of its own (llama.cpp writes logs
to stdout/stderr and cannot corrupt it) that carries the small frozen dataclasses of each
child's messages module without a hand-written codec. A frozen build must call
multiprocessing.freeze_support() in its entry point.

A reader thread hands each reply to the inbox of the request it belongs to (a reply nobody
waits for any more is dropped); when the child dies every open request receives ENDED after
the replies that came before. A cancel puts CANCELLED into the inboxes of that token's
requests, so nobody polls."""

from __future__ import annotations

import atexit
import contextlib
import itertools
import multiprocessing
import queue
import signal
import threading
from collections.abc import Callable
from typing import Any, Protocol

from assistant_builder.core.cancel import NEVER, CancelToken


class _Marker:
    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


CANCELLED = _Marker("CANCELLED")  # the request's cancel token fired
ENDED = _Marker("ENDED")  # the child is gone: nothing more will come for this request


class Reply(Protocol):
    """What a child sends back: every reply names the request it answers."""

    @property
    def request_id(self) -> int: ...


def _entry(target: Callable[..., None], ignore_sigint: bool, args: tuple[Any, ...]) -> None:
    # A child must not inherit the disposition of whoever started the app (a shell's
    # background job starts with SIGINT ignored): it states its own. The engine's and the
    # knowledge child ignore it, since Ctrl+C in a terminal reaches the whole process group
    # and the parent decides what it means.
    signal.signal(signal.SIGINT, signal.SIG_IGN if ignore_sigint else signal.default_int_handler)
    target(*args)


class Request:
    """One request's inbox: replies, CANCELLED when its token fires, ENDED if the child dies."""

    def __init__(self, child: Child, request_id: int, cancel: CancelToken) -> None:
        self.id = request_id
        self._child = child
        self._inbox: queue.SimpleQueue[object] = queue.SimpleQueue()
        with child.lock:
            child.inboxes[request_id] = self._inbox
            if not child.alive:
                self._inbox.put(ENDED)
        self._forget_cancel = cancel.on_cancel(lambda: self._inbox.put(CANCELLED))

    def get(self, timeout: float | None = None) -> object | None:
        """The next reply or marker; None when ``timeout`` seconds pass without one."""
        try:
            return self._inbox.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self._forget_cancel()
        with self._child.lock:
            self._child.inboxes.pop(self.id, None)


class Child:
    """One child process and its pipe. ``target(conn, *args)`` runs in the child."""

    def __init__(
        self,
        target: Callable[..., None],
        args: tuple[Any, ...] = (),
        *,
        name: str,
        quit_message: object,
        daemon: bool,
        ignore_sigint: bool = True,
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child_conn = context.Pipe(duplex=True)
        self.proc = context.Process(
            target=_entry,
            args=(target, ignore_sigint, (child_conn, *args)),
            name=name,
            daemon=daemon,
        )
        self._child_conn = child_conn
        self._quit = quit_message
        self.inboxes: dict[int, queue.SimpleQueue[object]] = {}
        self.alive = True
        self.closing = False  # stopped on purpose: its requests end as stopped, not failed
        self.lock = threading.Lock()  # guards sends, ``inboxes`` and ``alive``
        self._reader = threading.Thread(target=self._read, name=f"{name}-reader", daemon=True)

    def start(self) -> Child:
        self.proc.start()
        self._child_conn.close()  # so the reader sees EOF when the child dies
        if not self.proc.daemon:
            _children.add(self)
        self._reader.start()
        return self

    def open(self, request_id: int, cancel: CancelToken = NEVER) -> Request:
        """Register a request's inbox (before sending it, so no reply can miss it)."""
        return Request(self, request_id, cancel)

    def send(self, message: object) -> bool:
        """Whether the message went out (False: the child is gone)."""
        with self.lock:
            if not self.alive:
                return False
            try:
                self.conn.send(message)
            except (BrokenPipeError, OSError):
                self.alive = False
                return False
            return True

    @property
    def running(self) -> bool:
        return self.alive and self.proc.is_alive()

    def _read(self) -> None:
        while True:
            try:
                reply: Reply = self.conn.recv()
            except (EOFError, OSError):
                break
            with self.lock:
                inbox = self.inboxes.get(reply.request_id)
            if inbox is not None:
                inbox.put(reply)
        with self.lock:
            self.alive = False
            inboxes = list(self.inboxes.values())
        for inbox in inboxes:
            inbox.put(ENDED)
        _children.discard(self)

    def stop(self, timeout: float, *, closing: bool = True) -> None:
        """Asks the child to quit, kills it if it has not within ``timeout`` seconds, and
        releases the pipe. ``closing``: its open requests end as stopped, not failed."""
        self.closing = closing
        if timeout > 0:
            self.send(self._quit)
        if self.proc.pid is not None:
            self.proc.join(timeout)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join(5)
        if self._reader.is_alive():
            self._reader.join(5)  # the child's end closed: the reader has seen EOF
        self.conn.close()
        _children.discard(self)


# Children still running when the interpreter exits are told to quit first: a non-daemonic
# one (the knowledge child starts parser processes, which daemons may not) would be waited for.
_children: set[Child] = set()


@atexit.register
def _stop_children() -> None:
    for child in list(_children):
        child.stop(timeout=2.0)


class Supervisor:
    """The current child of one kind: started on first use by ``start``, replaced by a fresh
    one after it died (counted in ``restarts``). Thread-safe."""

    def __init__(self, start: Callable[[CancelToken], Child]) -> None:
        self._start = start
        self._lock = threading.Lock()  # guards starting and replacing the child
        self._child: Child | None = None
        self._ids = itertools.count(1)
        self.restarts = 0

    @property
    def process_id(self) -> int | None:
        child = self._child
        return child.proc.pid if child is not None and child.running else None

    def ensure(self, cancel: CancelToken = NEVER) -> Child:
        """A live child; ``start`` raises if one cannot be had (and leaves none)."""
        with self._lock:
            child = self._child
            if child is not None and child.running:
                return child
            if child is not None:
                self.restarts += 1
                self._child = None
                child.stop(timeout=0.0, closing=False)
            self._child = self._start(cancel)
            return self._child

    def request(
        self, make: Callable[[int], object], cancel: CancelToken = NEVER
    ) -> tuple[Child, Request] | None:
        """Sends ``make(request_id)`` with its inbox open; a child that died between two
        requests is replaced once. None: no child could take it."""
        request_id = next(self._ids)
        for _attempt in range(2):
            child = self.ensure(cancel)
            request = child.open(request_id, cancel)
            if child.send(make(request_id)):
                return child, request
            request.close()
        return None

    def replace(self, child: Child) -> None:
        """Ends a child that does not answer; the next request starts a fresh one."""
        with self._lock:
            if self._child is child:
                self._child = None
                self.restarts += 1
        child.stop(timeout=0.0, closing=False)

    def stop(self, timeout: float) -> None:
        """Ends the child (asked to quit first); a later request starts anew, not counted as
        a restart."""
        with self._lock:
            child, self._child = self._child, None
        if child is not None:
            with contextlib.suppress(OSError):
                child.stop(timeout)
