"""A streamed answer as server-sent events: one ``data:`` event per chunk, ``[DONE]`` at the
end, an error mid-stream as an event in OpenAI's shape (the headers are gone by then). The
chunks come from a blocking generator, pulled on a worker thread one at a time; a client that
disconnects cancels the answer, and the generator is always closed, which keeps its partial
text and frees the model for the next request."""

from __future__ import annotations

import json
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


def _next(chunks: Chunks) -> bytes | None:
    try:
        return event(next(chunks))
    except StopIteration:
        return None
    except ApiError as err:
        return event(err.body)


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
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(watch_disconnect, receive, self.cancel)
                await self._send_all(send)
                group.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self.chunks.close)

    async def _send_all(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        data = event(self.first) if self.first is not None else None
        while data is not None:
            await send({"type": "http.response.body", "body": data, "more_body": True})
            data = await anyio.to_thread.run_sync(_next, self.chunks)
        await send({"type": "http.response.body", "body": event("[DONE]"), "more_body": False})
