"""The HTTP side of the local API, on the standard library's threading server: routes, the key
check before anything else, JSON bodies, and server-sent events for streaming answers.

Why not an ASGI framework: the engine answers one request at a time and every call into it
blocks, so an event loop would only add a thread hop per token; a thread per connection with
one lock around the engine (api.ChatApi) is the whole concurrency story."""

from __future__ import annotations

import json
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.serve.api import ApiError, ChatApi

log = logging.getLogger(__name__)

MAX_BODY = 8 << 20  # a chat request bigger than this is not a chat request


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True
    # Restarting right after a stop must not fail on a port left in TIME_WAIT.
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], api: ChatApi) -> None:
        super().__init__(address, _Handler)
        self.api = api

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), int(self.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: ApiServer
    protocol_version = "HTTP/1.1"
    server_version = "AssistantBuilder"

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def _route(self, method: str) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        if path.startswith("/v1"):
            path = path[3:]
        api = self.server.api
        try:
            try:
                api.check_key(self.headers.get("Authorization"))
            except ApiError:
                self.close_connection = True  # its body is left unread: no reuse
                raise
            body = self._read_body()
            if method == "GET" and path == "/models":
                self._send_json(200, api.models())
            elif method == "POST" and path == "/chat/completions":
                request = api.parse(body)
                if request.stream:
                    self._send_stream(api, request)
                else:
                    self._send_json(200, api.complete(request))
            else:
                raise ApiError(
                    404,
                    f"There is no {method} {self.path} here; use /v1/models or "
                    "/v1/chat/completions.",
                    "invalid_request_error",
                    "not_found",
                )
        except ApiError as err:
            self._send_json(err.status, err.body)

    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            raise ApiError(413, "The request is too large; send a shorter conversation.",
                           "invalid_request_error")  # fmt: skip
        if not length:
            return None
        raw = self.rfile.read(length)
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise ApiError(400, "The request body is not valid JSON; send a JSON object.",
                           "invalid_request_error") from exc  # fmt: skip

    def _send_json(self, status: int, data: Any) -> None:
        body = json.dumps(data, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_stream(self, api: ChatApi, request: Any) -> None:
        cancel = CancelToken()
        chunks = api.stream(request, cancel=cancel)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")  # the stream's end is the connection's end
        self.end_headers()
        self.close_connection = True
        try:
            try:
                for chunk in chunks:
                    self._event(json.dumps(chunk, ensure_ascii=False))
            except ApiError as err:
                # Headers are gone already: the error travels as an event, as OpenAI does.
                self._event(json.dumps(err.body, ensure_ascii=False))
            self._event("[DONE]")
        except OSError:  # the client went away: stop the answer, keep what was written
            cancel.cancel()
        finally:
            chunks.close()

    def _event(self, data: str) -> None:
        self.wfile.write(f"data: {data}\n\n".encode())
        self.wfile.flush()
