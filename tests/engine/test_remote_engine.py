"""The remote engine against a real OpenAI-compatible server: llama-cpp-python's own, serving
SmolLM2 on 127.0.0.1."""

from __future__ import annotations

import threading

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


def test_stop_while_the_server_is_still_reading_the_prompt(server: str) -> None:
    remote = RemoteEngine(server, "smollm2", api_key=KEY)
    cancel = CancelToken()
    timer = threading.Timer(0.1, cancel.cancel)
    long_prompt = [ChatMessage("user", "Summarise: " + "the quick brown fox " * 60)]
    timer.start()
    events = list(remote.chat(long_prompt, GREEDY, cancel=cancel))
    timer.join()
    assert isinstance(events[-1], Finished) and events[-1].stop_reason == "cancelled"
    assert events[-1].timings.total_s < 0.1 + 0.2
