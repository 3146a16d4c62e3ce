"""Cancellation token shared by every long operation in core."""

from __future__ import annotations

import threading
from collections.abc import Callable

from assistant_builder.core.errors import Cancelled


class CancelToken:
    """A flag that long work checks between steps. Thread-safe; cancelling twice is harmless."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()  # guards ``_callbacks`` against a cancel meanwhile
        self._callbacks: dict[object, Callable[[], None]] = {}

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            callbacks, self._callbacks = list(self._callbacks.values()), {}
        for callback in callbacks:
            callback()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds, waking early on cancel; returns whether cancelled."""
        return self._event.wait(timeout)

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Calls ``callback`` once, on the cancelling thread, when cancelled (at once if it
        already is), so a waiting call wakes instead of polling; returns what unregisters it."""
        key = object()
        with self._lock:
            if not self._event.is_set():
                self._callbacks[key] = callback

                def forget() -> None:
                    with self._lock:
                        self._callbacks.pop(key, None)

                return forget
        callback()
        return lambda: None


NEVER = CancelToken()
"""A token nobody cancels, for callers that do not offer a Stop button."""
