"""Whose turn it is with the one model: one request at a time, a bounded line of waiting
requests behind it, and a polite refusal (429, or 503 after a long wait) for the rest, so a
crowd of clients costs a bounded amount of memory and every one of them hears back."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.serve.refusal import busy, still_busy

WAITING = 8  # requests that may wait for the model; more are told to retry
WAIT_S = 600.0  # the longest one request waits before it is told to retry
RETRY_AFTER_S = 2


class Turns:
    def __init__(self, waiting: int = WAITING, wait_s: float = WAIT_S) -> None:
        self.waiting_limit = waiting
        self.wait_s = wait_s
        self._ready = threading.Condition()
        self._busy = False
        self._waiting = 0
        self.peak_waiting = 0  # the longest the line has been (memory is bounded by it)

    @property
    def waiting(self) -> int:
        with self._ready:
            return self._waiting

    @contextmanager
    def take(self, *, cancel: CancelToken = NEVER) -> Iterator[None]:
        """Hold the model for the body of the ``with``; raise ApiError (429/503) when the line
        is full or the wait too long, and Cancelled when the client left while waiting."""
        with self._ready:
            if self._busy:
                if self._waiting >= self.waiting_limit:
                    raise busy(self._waiting, RETRY_AFTER_S)
                self._waiting += 1
                self.peak_waiting = max(self.peak_waiting, self._waiting)
                unregister = cancel.on_cancel(self._wake)
                try:
                    free = self._ready.wait_for(
                        lambda: not self._busy or cancel.cancelled, timeout=self.wait_s
                    )
                finally:
                    self._waiting -= 1
                    unregister()
                cancel.raise_if_cancelled()
                if not free:
                    raise still_busy(self.wait_s, RETRY_AFTER_S)
            self._busy = True
        try:
            yield
        finally:
            with self._ready:
                self._busy = False
                self._ready.notify()

    def _wake(self) -> None:
        with self._ready:
            self._ready.notify_all()
