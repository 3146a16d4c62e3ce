"""``assistant-builder serve`` driven by the official openai package, as another program would
use it: each assistant a model, answers from its documents with citations, a key required."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.paths import Paths
from assistant_builder.core.settings import load_settings
from tests.integration.conftest import DOCS

pytestmark = pytest.mark.integration


def start_server(wrap: tuple[str, ...] = ()) -> tuple[subprocess.Popen[str], str, str]:
    """Start ``serve --port 0`` (under ``wrap``, a tracer) and read the address and key."""
    proc = subprocess.Popen(
        [*wrap, sys.executable, "-m", "assistant_builder", "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    assert proc.stdout is not None
    url = key = ""
    deadline = time.monotonic() + 60
    while not (url and key) and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if "Serving your assistants at " in line:
            url = line.rsplit(" ", 1)[1].strip()
        if line.startswith("API key: "):
            key = line.split(": ", 1)[1].strip()
    assert url and key, proc.stderr.read() if proc.poll() is not None else "no address printed"
    return proc, url, key


def stop_server(proc: subprocess.Popen[str], *, group: bool = False) -> int:
    """A plain kill (SIGTERM): to the server, or to its whole group when it runs under a tracer."""
    if group:
        os.killpg(proc.pid, signal.SIGTERM)
    else:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.fixture
def server(app_home: Paths, ready: Path) -> Iterator[tuple[str, str]]:
    proc, url, key = start_server()
    try:
        yield url, key
    finally:
        assert stop_server(proc) == 0


def test_the_api_answers_as_each_assistant_streaming_and_not(
    app_home: Paths, ready: Path, server: tuple[str, str]
) -> None:
    from openai import OpenAI

    url, key = server
    assert url.startswith("http://127.0.0.1:")  # loopback unless asked otherwise
    assert load_settings(app_home.settings_file).api_key == key  # kept for the next start
    client = OpenAI(base_url=url, api_key=key, max_retries=0, timeout=180)
    assert [m.id for m in client.models.list()] == ["cats"]

    done = client.chat.completions.create(
        model="cats", max_tokens=30,
        messages=[{"role": "user", "content": "How long do cats sleep?"}],
    )  # fmt: skip
    text = done.choices[0].message.content or ""
    assert "fifteen" in text and done.choices[0].finish_reason in ("stop", "length")
    citations = (done.model_extra or {})["citations"]
    assert citations, text
    assert isinstance((done.model_extra or {})["unsupported"], list)  # the same attribution
    for c in citations:
        assert Path(c["source"]).parent == ready and c["spans"]  # the part of the answer it backs
        assert c["text"].strip() in DOCS[Path(c["source"]).name]
    assert done.usage is not None and 0 < done.usage.completion_tokens <= 30

    # Earlier messages become the conversation's history; the last one is the question.
    stream = client.chat.completions.create(
        model="cats", max_tokens=20, stream=True,
        messages=[
            {"role": "system", "content": "Ignored: the assistant has its own instructions."},
            {"role": "user", "content": "How long do cats sleep?"},
            {"role": "assistant", "content": text},
            {"role": "user", "content": "What is a group of cats called?"},
        ],
    )  # fmt: skip
    chunks = list(stream)
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed.strip()
    last = chunks[-1]
    assert last.choices[0].finish_reason in ("stop", "length")
    assert isinstance((last.model_extra or {})["citations"], list)
    assert all("citations" not in (c.model_extra or {}) for c in chunks[:-1])

    conversations = ConversationStore(app_home.conversations_db)
    latest = conversations.list()[0]
    saved = conversations.messages(latest.id)
    assert [m.role for m in saved] == ["user", "assistant", "user", "assistant"]
    assert saved[2].content == "What is a group of cats called?"
    assert saved[3].content == streamed


def test_requests_without_the_key_are_refused(app_home: Paths, server: tuple[str, str]) -> None:
    import openai

    url, key = server
    wrong = openai.OpenAI(base_url=url, api_key="not-the-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        wrong.models.list()
    assert caught.value.status_code == 401
    for path, body in (("/models", None), ("/chat/completions", b'{"model": "cats"}')):
        request = urllib.request.Request(url + path, data=body)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 401
        error = json.loads(refused.value.read())["error"]
        assert error["code"] == "invalid_api_key" and "API key" in error["message"]
    # With the key, an unknown assistant is a 404 in OpenAI's shape, not a crash.
    good = openai.OpenAI(base_url=url, api_key=key, max_retries=0)
    with pytest.raises(openai.NotFoundError):
        good.chat.completions.create(model="nobody", messages=[{"role": "user", "content": "hi"}])
