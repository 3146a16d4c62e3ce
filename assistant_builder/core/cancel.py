"""Cancellation token shared by every long operation in core."""

from __future__ import annotations

import threading

from assistant_builder.core.errors import Cancelled


class CancelToken:
    """A flag that long work checks between steps. Thread-safe; cancelling twice is harmless."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds, waking early on cancel; returns whether cancelled."""
        return self._event.wait(timeout)


NEVER = CancelToken()
"""A token nobody cancels, for callers that do not offer a Stop button."""
