"""The HTTP side of the local API, on Starlette and uvicorn (the stack llama-cpp-python's own
server uses): the Host check against DNS rebinding, CORS headers only for origins the person
allowed, the key check before anything else, bounded JSON bodies, server-sent events.

Every call into the engine blocks, so it runs on a worker thread; a client that goes away
(``http.disconnect``) cancels its answer, whether it streams or waits for the whole."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.errors import AppError
from assistant_builder.core.serve.api import ChatApi
from assistant_builder.core.serve.events import EventStream, watch_disconnect
from assistant_builder.core.serve.hosts import trusted_hosts
from assistant_builder.core.serve.refusal import ApiError

MAX_BODY = 8 << 20  # a chat request bigger than this is not a chat request
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
T = TypeVar("T")


def build_app(api: ChatApi, *, host: str, origins: Sequence[str] = ()) -> Starlette:
    """The ASGI app; ``origins`` are the web pages allowed to call it from a browser."""
    middleware = [Middleware(HostCheck, allowed_hosts=trusted_hosts(host))]
    if origins:
        methods, headers = ["GET", "POST"], ["Authorization", "Content-Type"]
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(origins),
                                     allow_methods=methods, allow_headers=headers))  # fmt: skip
    app = Starlette(routes=[Route("/{path:path}", _handle, methods=METHODS)],
                    middleware=middleware)  # fmt: skip
    app.state.api = api
    return app


class HostCheck:
    """Starlette's trusted-host check, with its refusal in OpenAI's error shape (the check
    itself answers in plain text, which an API client cannot read)."""

    def __init__(self, app: ASGIApp, allowed_hosts: Sequence[str]) -> None:
        self.app = app
        self.check = TrustedHostMiddleware(self._trusted, allowed_hosts, www_redirect=False)

    async def _trusted(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["assistant_builder.host_trusted"] = True
        await self.app(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.check(scope, receive, send)
            return

        async def answer(message: Message) -> None:
            if scope.get("assistant_builder.host_trusted"):
                await send(message)
            elif message["type"] == "http.response.start":  # the check's plain-text refusal
                await error_response(FOREIGN_HOST)(scope, receive, send)

        await self.check(scope, receive, answer)


FOREIGN_HOST = ApiError(
    400,
    "This server answers only requests addressed to this computer; a web page or another "
    "name pointing here is refused. Use the address the server printed when it started.",
    "invalid_request_error", "untrusted_host",
)  # fmt: skip


async def _handle(request: Request) -> Response:
    api: ChatApi = request.app.state.api
    path = request.url.path.rstrip("/")
    path = path[3:] if path.startswith("/v1") else path
    cancel = CancelToken()
    try:
        api.check_key(request.headers.get("authorization"))
        if request.method == "GET" and path == "/models":
            return JSONResponse(await anyio.to_thread.run_sync(api.models))
        if request.method == "POST" and path == "/chat/completions":
            chat = await anyio.to_thread.run_sync(api.parse, await _body(request))
            if chat.stream:
                chunks = api.stream(chat, cancel=cancel)
                first = await _watched(request.receive, cancel, lambda: next(chunks, None))
                return EventStream(first, chunks, cancel)
            return JSONResponse(
                await _watched(request.receive, cancel, lambda: api.complete(chat, cancel=cancel))
            )
        raise ApiError(
            404,
            f"There is no {request.method} {request.url.path} here; use /v1/models or "
            "/v1/chat/completions.",
            "invalid_request_error", "not_found",
        )  # fmt: skip
    except ApiError as err:
        return error_response(err)
    except AppError as exc:  # the client left while waiting, or a store failed
        return error_response(ApiError(500, str(exc), "server_error"))


def error_response(err: ApiError) -> JSONResponse:
    headers = {"Retry-After": str(err.retry_after)} if err.retry_after else None
    return JSONResponse(err.body, status_code=err.status, headers=headers)


async def _body(request: Request) -> Any:
    declared = request.headers.get("content-length", "")
    too_large = ApiError(413, "The request is too large; send a shorter conversation.",
                         "invalid_request_error", "request_too_large")  # fmt: skip
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise too_large
    raw = bytearray()
    try:
        async for part in request.stream():  # a body sent in chunks has no length to check
            raw += part
            if len(raw) > MAX_BODY:
                raise too_large
    except ClientDisconnect as exc:
        raise ApiError(400, "The request ended before its body; send it again.",
                       "invalid_request_error") from exc  # fmt: skip
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ApiError(400, "The request body is not valid JSON; send a JSON object.",
                       "invalid_request_error", "invalid_json") from exc  # fmt: skip


async def _watched(receive: Receive, cancel: CancelToken, work: Callable[[], T]) -> T:
    """Run ``work`` on a worker thread; if the client disconnects meanwhile, cancel it."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as exc:  # raised again below, outside the task group
            failure.append(exc)

    async with anyio.create_task_group() as group:
        group.start_soon(watch_disconnect, receive, cancel)
        await anyio.to_thread.run_sync(run)
        group.cancel_scope.cancel()
    if failure:
        raise failure[0]
    return outcome[0]


class ApiServer:
    """uvicorn serving the app on a socket bound here, so a taken port is an OSError at once
    and port 0 tells which port it got."""

    def __init__(
        self, address: tuple[str, int], api: ChatApi, *, origins: Sequence[str] = ()
    ) -> None:
        host, port = address
        family, kind, proto, _, where = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        self.socket = socket.socket(family, kind, proto)
        try:
            # Restarting right after a stop must not fail on a port left in TIME_WAIT.
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.socket.bind(where)
            self.socket.listen(128)  # connections wait in the backlog until uvicorn is up
        except OSError:
            self.socket.close()
            raise
        app = build_app(api, host=host, origins=origins)
        config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False,
                                lifespan="off", ws="none", timeout_graceful_shutdown=5)  # fmt: skip
        self._server = uvicorn.Server(config)

    @property
    def url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        shown = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{shown}:{port}/v1"

    def serve_forever(self) -> None:
        """Serve until SIGINT or SIGTERM; the signal is raised again once stopped."""
        self._server.run(sockets=[self.socket])

    def stop(self) -> None:
        """Ask a running ``serve_forever`` (on another thread) to finish."""
        self._server.should_exit = True

    def server_close(self) -> None:
        self.socket.close()
