"""A loopback server that replays the OpenAI endpoints of Ollama and vLLM as their sources and
documentation describe them: the model list, streamed chunks (a role-only first chunk for vLLM,
``finish_reason`` on the last text chunk, then a chunk with empty ``choices`` and the ``usage``
asked for with ``stream_options.include_usage``, then ``[DONE]``), and their error bodies
(Ollama: ``{"error": {"message", "type": "not_found_error", "param": null, "code": null}}``;
vLLM: ``{"error": {"message", "type": "NotFoundError", "param", "code": 404}}``, and the same
object as an SSE event when a stream fails partway). It records the requests it gets."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

OLLAMA_MODEL = "llama3.2:1b"
VLLM_MODEL = "Qwen/Qwen2.5-0.5B-Instruct"
VLLM_CONTEXT = 3072
ANSWER = ["Cats sleep", " for about fifteen hours", " every day [1]."]


def ollama_models() -> dict[str, Any]:
    return {"object": "list", "data": [
        {"id": OLLAMA_MODEL, "object": "model", "created": 1733000000, "owned_by": "library"}
    ]}  # fmt: skip


def vllm_models() -> dict[str, Any]:
    return {"object": "list", "data": [
        {"id": VLLM_MODEL, "object": "model", "created": 1733000000, "owned_by": "vllm",
         "root": VLLM_MODEL, "parent": None, "max_model_len": VLLM_CONTEXT, "permission": []}
    ]}  # fmt: skip


def _chunk(kind: str, model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    chunk: dict[str, Any] = {
        "id": "chatcmpl-768", "object": "chat.completion.chunk", "created": 1733000001,
        "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }  # fmt: skip
    if kind == "ollama":
        chunk["system_fingerprint"] = "fp_ollama"
    else:
        chunk["choices"][0]["logprobs"] = None
    return chunk


def stream_events(kind: str, pieces: list[str], finish: str = "stop") -> list[dict[str, Any]]:
    model = OLLAMA_MODEL if kind == "ollama" else VLLM_MODEL
    events = []
    if kind == "vllm":
        events.append(_chunk(kind, model, {"role": "assistant", "content": ""}, None))
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        delta = {"role": "assistant", "content": piece} if kind == "ollama" else {"content": piece}
        events.append(_chunk(kind, model, delta, finish if last else None))
    events.append({
        "id": "chatcmpl-768", "object": "chat.completion.chunk", "created": 1733000001,
        "model": model, "choices": [],
        "usage": {"prompt_tokens": 31, "completion_tokens": 9, "total_tokens": 40},
    })  # fmt: skip
    return events


def not_found(kind: str, model: str) -> dict[str, Any]:
    if kind == "ollama":
        message = f'model "{model}" not found, try pulling it first'
        return {"error": {"message": message, "type": "not_found_error", "param": None,
                          "code": None}}  # fmt: skip
    message = f"The model `{model}` does not exist."
    return {"error": {"message": message, "type": "NotFoundError", "param": "model", "code": 404}}


@dataclass
class Script:
    """What the server does with the next chat: ``ok`` (the whole stream), ``drop`` (two
    chunks, then the connection closes), ``error`` (two chunks, then an error event)."""

    kind: str
    chat: str = "ok"
    requests: list[tuple[str, str, Any]] = field(default_factory=list)

    @property
    def model(self) -> str:
        return OLLAMA_MODEL if self.kind == "ollama" else VLLM_MODEL


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # the body ends when the connection closes, as on a drop
    script: ClassVar[Script]

    def do_GET(self) -> None:
        self.script.requests.append(("GET", self.path, None))
        if self.path == "/v1/models":
            self._json(200, ollama_models() if self.script.kind == "ollama" else vllm_models())
        else:
            self._json(404, {"error": {"message": "404 page not found"}})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.script.requests.append(("POST", self.path, body))
        if self.path != "/v1/chat/completions":
            self._json(404, {"error": {"message": "404 page not found"}})
            return
        if body["model"] != self.script.model:
            self._json(404, not_found(self.script.kind, body["model"]))
            return
        events = stream_events(self.script.kind, ANSWER)
        if self.script.chat != "ok":
            events = events[: 3 if self.script.kind == "vllm" else 2]
        if self.script.chat == "error":
            events.append({"error": {"message": "The engine ran out of memory.",
                                     "type": "InternalServerError", "code": 500}})  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for event in events:
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.flush()
        if self.script.chat == "ok":
            self.wfile.write(b"data: [DONE]\n\n")

    def _json(self, status: int, data: Any) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def replay_server(kind: str) -> Iterator[tuple[str, Script]]:
    script = Script(kind)
    handler = type("Replay", (_Handler,), {"script": script})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    finally:
        httpd.shutdown()
        httpd.server_close()
