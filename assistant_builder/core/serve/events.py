"""A streamed answer as server-sent events: one ``data:`` event per chunk, ``[DONE]`` at the
end, an error mid-stream as an event in OpenAI's shape (the headers are gone by then). The
chunks come from a blocking generator run on a worker thread; a client that disconnects
cancels the answer, and the generator is always closed, which keeps its partial text and frees
the model for the next request."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Awaitable, Callable, Generator
from typing import Any

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.serve.refusal import ApiError

Chunks = Generator[dict[str, Any], None, None]


def event(data: Any) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return f"data: {text}\n\n".encode()


async def watch_disconnect(receive: Callable[[], Awaitable[Any]], cancel: CancelToken) -> None:
    """Cancel ``cancel`` when the client disconnects (ASGI's ``http.disconnect``)."""
    while (await receive())["type"] != "http.disconnect":
        pass
    cancel.cancel()


class EventStream(Response):
    media_type = "text/event-stream"

    def __init__(self, first: dict[str, Any] | None, chunks: Chunks, cancel: CancelToken) -> None:
        self.status_code = 200
        self.background = None
        self.init_headers({"Cache-Control": "no-cache"})
        self.first, self.chunks, self.cancel = first, chunks, cancel

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The generator runs on one worker thread from start to end, handing each event to
        # the loop through a deque and one wake-up call: cheaper per token than a thread
        # round trip per chunk. It closes itself there, keeping the partial answer.
        loop = asyncio.get_running_loop()
        ready: deque[bytes | None] = deque()
        wake = asyncio.Event()

        def produce() -> None:
            try:
                for chunk in self.chunks:
                    ready.append(event(chunk))
                    loop.call_soon_threadsafe(wake.set)
            except ApiError as err:  # headers are gone: the error travels as an event
                ready.append(event(err.body))
            finally:
                self.chunks.close()
                ready.append(None)
                loop.call_soon_threadsafe(wake.set)

        async with anyio.create_task_group() as group:
            group.start_soon(watch_disconnect, receive, self.cancel)
            group.start_soon(anyio.to_thread.run_sync, produce)
            try:
                await self._send_all(send, ready, wake)
            finally:
                self.cancel.cancel()  # over, or its reader gone: either way the answer stops
                group.cancel_scope.cancel()

    async def _send_all(self, send: Send, ready: deque[bytes | None], wake: asyncio.Event) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        if self.first is not None:
            await send({"type": "http.response.body", "body": event(self.first), "more_body": True})
        while True:
            await wake.wait()
            wake.clear()
            while ready:
                data = ready.popleft()
                if data is None:
                    await send({"type": "http.response.body", "body": event("[DONE]"),
                                "more_body": False})  # fmt: skip
                    return
                await send({"type": "http.response.body", "body": data, "more_body": True})
