"""The remote engine against a real OpenAI-compatible server: llama-cpp-python's own, serving
SmolLM2 on 127.0.0.1 (and a silent one, for a stop while nothing arrives)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.engine.protocol import (
    ChatMessage,
    Failed,
    Finished,
    SamplingOptions,
    TextDelta,
)
from assistant_builder.core.engine.remote import RemoteEngine, api_root
from assistant_builder.core.errors import EngineError
from tests.engine.conftest import collect
from tests.llama_server import API_KEY as KEY
from tests.llama_server import LlamaServer, free_port

pytestmark = pytest.mark.integration

QUESTION = [ChatMessage("user", "Tell me about cats.")]
GREEDY = SamplingOptions(temperature=0.0, seed=3, max_tokens=16)


@pytest.fixture
def server(llama_server: LlamaServer) -> str:
    return llama_server.url


def test_streams_an_answer_from_an_openai_compatible_server(server: str) -> None:
    remote = RemoteEngine(server, "smollm2", api_key=KEY)
    remote.load(remote.load_options(1024))
    events = list(remote.chat(QUESTION, GREEDY))
    deltas = [e for e in events if isinstance(e, TextDelta)]
    final = events[-1]
    assert isinstance(final, Finished), final
    assert len(deltas) >= 3 and "".join(d.text for d in deltas).strip()
    assert final.stop_reason == "length" and final.usage.completion_tokens == 16
    assert 0 < final.timings.ttft_s <= final.timings.total_s
    # Same seed, temperature 0: the same answer again.
    again, _ = collect(remote.chat(QUESTION, GREEDY))
    assert again == "".join(d.text for d in deltas)
    remote.unload()


def test_stop_closes_the_stream(server: str) -> None:
    remote = RemoteEngine(server + "/v1/", "smollm2", api_key=KEY)
    cancel = CancelToken()
    seen = 0
    final = None
    for event in remote.chat(QUESTION, SamplingOptions(max_tokens=200), cancel=cancel):
        if isinstance(event, TextDelta):
            seen += 1
            cancel.cancel()
        else:
            final = event
    assert isinstance(final, Finished) and final.stop_reason == "cancelled" and seen == 1


def test_a_wrong_api_key_is_a_plain_sentence(server: str) -> None:
    remote = RemoteEngine(server, "smollm2", api_key="wrong")
    with pytest.raises(EngineError, match="API key"):
        remote.load(remote.load_options(1024))
    _, final = collect(remote.chat(QUESTION, GREEDY))
    assert isinstance(final, Failed) and "API key" in final.message


def test_a_server_that_is_not_running_is_a_plain_sentence() -> None:
    remote = RemoteEngine(f"http://127.0.0.1:{free_port()}", "any")
    with pytest.raises(EngineError, match="could not be reached"):
        remote.load(remote.load_options(1024))
    _, final = collect(remote.chat(QUESTION, GREEDY))
    assert isinstance(final, Failed) and final.message.endswith(".")


def test_addresses() -> None:
    assert api_root("http://h:1") == api_root("http://h:1/v1/") == "http://h:1/v1"
    with pytest.raises(EngineError, match="http://"):
        api_root("h:1")


class _SilentServer(BaseHTTPRequestHandler):
    """Takes a chat request, answers its headers, then says nothing until the test ends (a
    server evaluating a long prompt): a stop that waited for the next line would never end."""

    arrived: ClassVar[threading.Event]
    release: ClassVar[threading.Event]

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.wfile.flush()
        self.arrived.set()
        self.release.wait()

    def log_message(self, *args: object) -> None:
        pass


def test_stop_while_the_server_is_still_reading_the_prompt() -> None:
    arrived, release = threading.Event(), threading.Event()
    handler = type("Silent", (_SilentServer,), {"arrived": arrived, "release": release})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    cancel = CancelToken()
    threading.Thread(target=lambda: arrived.wait() and cancel.cancel(), daemon=True).start()
    try:
        remote = RemoteEngine(f"http://127.0.0.1:{httpd.server_address[1]}", "m")
        events = list(remote.chat(QUESTION, GREEDY, cancel=cancel))
    finally:
        release.set()
        httpd.shutdown()
        httpd.server_close()
    assert arrived.is_set() and cancel.cancelled
    assert len(events) == 1 and isinstance(events[0], Finished)
    assert events[0].stop_reason == "cancelled"
