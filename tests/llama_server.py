"""llama-cpp-python's own OpenAI-compatible server serving SmolLM2 on 127.0.0.1, for the tests
of the remote engine (the `llama_server` fixture in tests/conftest.py), and a recording proxy
that keeps what the app sends to it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx2

API_KEY = "test-key-123"
MODEL_ALIAS = "smollm2"
SERVER_CONTEXT = 2048


@dataclass(frozen=True)
class LlamaServer:
    url: str
    api_key: str
    model: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# llama-cpp-python's own server, after ggml's backend modules are loaded from the package's
# lib folder as the app's engine loads them (llama-cpp-python looks only beside the Python
# executable and in the current folder).
SERVE = (
    "import sys, runpy; from assistant_builder.core.engine.backends import load_backends; "
    "load_backends(); sys.argv[0] = 'llama_cpp.server'; "
    "runpy.run_module('llama_cpp.server', run_name='__main__', alter_sys=True)"
)


@contextmanager
def llama_server(model: Path, log_path: Path) -> Iterator[LlamaServer]:
    """The server, once it answers its model list (as long as loading the model takes)."""
    port = free_port()
    log = log_path.open("wb")  # a file, not a pipe: a full pipe would stall the server
    proc = subprocess.Popen(
        [
            sys.executable, "-c", SERVE,
            "--model", str(model), "--model_alias", MODEL_ALIAS,
            "--host", "127.0.0.1", "--port", str(port),
            "--n_ctx", str(SERVER_CONTEXT), "--n_threads", "1", "--api_key", API_KEY,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(log_path.read_text(errors="replace")[-2000:])
            try:
                httpx2.get(f"{base}/v1/models", headers={"Authorization": f"Bearer {API_KEY}"})
                break
            except httpx2.HTTPError:
                time.sleep(0.2)  # not up yet: the loop ends when it answers or exits
        yield LlamaServer(base, API_KEY, MODEL_ALIAS)
    finally:
        proc.kill()  # nothing to save; a polite stop would wait for the prompt in progress
        proc.wait(timeout=30)
        log.close()


@dataclass
class Recorded:
    """What reached the server through the proxy: (method, path, JSON body or None)."""

    requests: list[tuple[str, str, Any]] = field(default_factory=list)

    def bodies(self, path: str) -> list[Any]:
        return [body for _, p, body in self.requests if p == path]


class _Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request a connection; the body ends when it closes
    upstream: ClassVar[str] = ""
    recorded: ClassVar[Recorded]

    def do_GET(self) -> None:
        self._forward("GET")

    def do_POST(self) -> None:
        self._forward("POST")

    def _forward(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        self.recorded.requests.append((method, self.path, json.loads(body) if body else None))
        headers = {k: v for k in ("Authorization", "Content-Type") if (v := self.headers.get(k))}
        with httpx2.stream(
            method, self.upstream + self.path, content=body, headers=headers, timeout=None
        ) as response:
            self.send_response(response.status_code)
            self.send_header("Content-Type", response.headers.get("content-type", "text/plain"))
            self.end_headers()
            for chunk in response.iter_raw():
                self.wfile.write(chunk)
                self.wfile.flush()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def recording_proxy(upstream: str) -> Iterator[tuple[str, Recorded]]:
    """A loopback address that forwards to ``upstream`` and records each request."""
    recorded = Recorded()
    handler = type("Proxy", (_Proxy,), {"upstream": upstream, "recorded": recorded})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", recorded
    finally:
        server.shutdown()
        server.server_close()
