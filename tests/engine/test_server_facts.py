"""What the remote engine learns from a server when it loads: the context size and token counts
of llama.cpp's server and vLLM in their documented shapes (a small loopback server plays them),
and a labelled estimate, on the long side, for a server that offers neither."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from assistant_builder.core.engine.messages_prompt import (
    ESTIMATE_NOTICE,
    SERVER_NOTICE,
    estimate_tokens,
    messages_text,
)
from assistant_builder.core.engine.protocol import Adapter, ChatMessage
from assistant_builder.core.engine.remote import RemoteEngine
from assistant_builder.core.errors import EngineError

MESSAGES = [ChatMessage("system", "Be brief."), ChatMessage("user", "How long do cats sleep?")]


class _Server(BaseHTTPRequestHandler):
    """Answers as the server named in ``kind`` does (its documented JSON), or 404."""

    kind: ClassVar[str] = "llama.cpp"
    routes: ClassVar[dict[str, dict[tuple[str, str], Any]]] = {
        "llama.cpp": {
            ("GET", "/v1/models"): {"data": [{"id": "m", "meta": {"n_ctx_train": 8192}}]},
            ("GET", "/props"): {"default_generation_settings": {"n_ctx": 3072}, "total_slots": 1},
        },
        "vllm": {("GET", "/v1/models"): {"data": [{"id": "m", "max_model_len": 6144}]}},
        "openai": {("GET", "/v1/models"): {"data": [{"id": "m"}]}},
    }

    def do_GET(self) -> None:
        self._answer(self.routes[self.kind].get(("GET", self.path)))

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.kind == "llama.cpp" and self.path == "/tokenize":
            # A word a token: enough to tell the server's count from the app's estimate.
            self._answer({"tokens": list(range(len(body["content"].split())))})
        else:
            self._answer(None)

    def _answer(self, data: Any) -> None:
        payload = json.dumps(data if data is not None else {"error": "not found"}).encode()
        self.send_response(200 if data is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(params=["llama.cpp", "vllm", "openai"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    handler = type("Server", (_Server,), {"kind": request.param})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield request.param, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_the_context_size_and_counts_come_from_the_server_where_it_offers_them(
    server: tuple[str, str],
) -> None:
    kind, url = server
    engine = RemoteEngine(url, "m")
    engine.load(engine.load_options(1024))
    assert engine.facts is not None
    assert engine.facts.kind == ("llama.cpp" if kind == "llama.cpp" else "openai")  # no extras
    assert engine.context_size == {"llama.cpp": 3072, "vllm": 6144, "openai": 1024}[kind]
    prompt = engine.prompt_builder.build(MESSAGES)
    assert prompt.text == messages_text(MESSAGES) and prompt.token_ids == ()
    if kind == "llama.cpp":
        assert prompt.token_count == len(prompt.text.split())
        assert prompt.template_notice == SERVER_NOTICE
    else:
        assert prompt.token_count == estimate_tokens(prompt.text)
        assert prompt.template_notice == ESTIMATE_NOTICE
    engine.unload()
    with pytest.raises(EngineError, match="No model is loaded"):
        engine.prompt_builder  # noqa: B018
    engine.load(engine.load_options(1024))  # an unloaded engine loads again
    assert engine.loaded_options == engine.load_options(1024)


@pytest.mark.integration
def test_the_estimate_counts_more_tokens_than_the_model_uses(vocab: Any) -> None:
    # So a prompt measured by the estimate is trimmed early rather than overflowing the server.
    from tests.integration.conftest import DOCS, SYSTEM_PROMPT

    prose = (
        "On 14 March 2024, the committee reviewed 37 proposals (about 1,250 pages) and chose "
        "three; see https://example.org/report-v2.pdf, section 4.2, for the full reasoning."
    )
    for text in [SYSTEM_PROMPT, *DOCS.values(), messages_text(MESSAGES), prose]:
        assert estimate_tokens(text) >= len(vocab.tokenize(text)), text


def test_what_only_a_local_engine_can_apply_is_refused_in_a_plain_sentence() -> None:
    engine = RemoteEngine("http://127.0.0.1:9", "m")
    base = engine.load_options(1024)
    with pytest.raises(EngineError, match="cannot apply adapters; remove them"):
        engine.load(base.__class__(base.model_path, adapters=(Adapter("/a.gguf"),)))
    with pytest.raises(EngineError, match="applies its own chat template; clear"):
        engine.load(base.__class__(base.model_path, chat_template="{{ messages }}"))
