"""Offline means offline: with ASSISTANT_BUILDER_OFFLINE=1 the commands that use documents and
the model open no connection beyond this computer. Every Python process of each command records
its connects and name lookups (sitecustomize); where strace is available it also records every
connect system call, which catches native code (llama.cpp, LanceDB, tokenizers) too."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from assistant_builder.core.engine.protocol import Failed, SamplingOptions, TextDelta
from assistant_builder.core.engine.remote import RemoteEngine
from assistant_builder.core.network import NetworkPolicy, OfflineError
from assistant_builder.core.paths import Paths
from tests.integration.conftest import build_home, cli, write_docs
from tests.integration.test_serve import start_server, stop_server

RECORDER = Path(__file__).parent / "recorder_site"
LOOPBACK = re.compile(r"^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost|)$")
STRACE_ADDR = re.compile(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"')


def _strace() -> tuple[str, ...] | None:
    """A connect tracer for child commands, or None where strace cannot run (no ptrace)."""
    exe = shutil.which("strace")
    if exe is None:
        return None
    probe = subprocess.run([exe, "-f", "-qq", "-e", "trace=connect", "-o", os.devnull, "true"],
                           capture_output=True)  # fmt: skip
    return (
        (exe, "-f", "-qq", "--seccomp-bpf", "-e", "trace=connect")
        if probe.returncode == 0
        else None
    )


def outbound(python_log: Path, strace_logs: list[Path]) -> list[str]:
    """Every recorded connect or lookup that would leave this computer."""
    found = []
    if python_log.exists():
        for line in python_log.read_text().splitlines():
            entry = json.loads(line)
            if entry["host"] is not None and not LOOPBACK.match(entry["host"]):
                found.append(f"{entry['kind']} {entry['host']} (pid {entry['pid']})")
    for log in strace_logs:
        for line in log.read_text().splitlines():
            for v4, v6 in STRACE_ADDR.findall(line):
                if not LOOPBACK.match(v4 or v6):
                    found.append(line)
    return found


def test_the_outbound_check_sees_what_it_must(tmp_path: Path) -> None:
    log = tmp_path / "python.log"
    log.write_text(
        '{"pid": 1, "kind": "connect", "host": "127.0.0.1"}\n'
        '{"pid": 1, "kind": "connect", "host": null}\n'
        '{"pid": 1, "kind": "lookup", "host": "huggingface.co"}\n'
    )
    trace = tmp_path / "strace.1"
    trace.write_text(
        '1 connect(3, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("18.1.2.3")}'
        ", 16) = 0\n"
        '1 connect(4, {sa_family=AF_INET6, inet_pton(AF_INET6, "::1", &sin6_addr)}, 28) = 0\n'
    )
    found = outbound(log, [trace])
    assert len(found) == 2 and "huggingface.co" in found[0] and "18.1.2.3" in found[1]


@pytest.mark.integration
def test_offline_index_search_ask_chat_and_serve_stay_on_this_computer(
    app_home: Paths,
    tmp_path: Path,
    smollm2_gguf: Path,
    minilm_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    python_log = tmp_path / "connects.jsonl"
    trace_dir = tmp_path / "strace"
    trace_dir.mkdir()
    strace = _strace()
    wrap = (*strace, "-ff", "-o", str(trace_dir / "trace")) if strace else ()
    monkeypatch.setenv("ASSISTANT_BUILDER_OFFLINE", "1")
    monkeypatch.setenv("AB_CONNECT_LOG", str(python_log))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(RECORDER), os.environ.get("PYTHONPATH", "")])
    )
    # The app must switch the Hugging Face libraries offline itself.
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    home = Path(os.environ["ASSISTANT_BUILDER_HOME"])

    # The recorder works: a loopback connect from a child process is in its log.
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import socket; s = socket.socket(); s.connect_ex(('127.0.0.1', 9))",
        ]
    )
    assert probe.returncode == 0 and "127.0.0.1" in python_log.read_text()

    docs = write_docs(tmp_path / "docs")
    build_home(home, docs, smollm2_gguf, minilm_dir, env={}, wrap=wrap)  # add, create, index
    found = cli("search", "docs", "How long do cats sleep?", "--json", env={}, wrap=wrap)
    assert found.returncode == 0, found.stderr
    assert Path(json.loads(found.stdout)["results"][0]["source"]).name == "cats.md"
    asked = cli("ask", "Cats", "How long do cats sleep?", "--max-tokens", "8", "--json",
                env={}, wrap=wrap)  # fmt: skip
    assert asked.returncode == 0 and json.loads(asked.stdout)["answer"].strip(), asked.stderr
    chat = subprocess.run(
        [*wrap, sys.executable, "-m", "assistant_builder", "chat", "Cats"],
        input="Hello\n/exit\n", capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert chat.returncode == 0 and "Cats: " in chat.stdout, chat.stderr

    proc, url, key = start_server(wrap=wrap)
    try:
        from openai import OpenAI

        reply = OpenAI(
            base_url=url, api_key=key, max_retries=0, timeout=180
        ).chat.completions.create(
            model="cats", max_tokens=8, messages=[{"role": "user", "content": "Cats?"}]
        )
        assert reply.choices[0].message.content
    finally:
        stop_server(proc, group=bool(wrap))

    assert outbound(python_log, sorted(trace_dir.iterdir())) == []
    if strace:  # the tracer saw the commands' own work, so its silence means something
        assert len(list(trace_dir.iterdir())) > 7
    # Nothing tried the network through the app's own policy either.
    log = app_home.network_log
    assert not log.exists() or '"sent"' not in log.read_text()


class _FakeServer(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _FakeServer.hits.append(self.path)
        self._send(b'{"data": [{"id": "m"}]}', "application/json")

    def do_POST(self) -> None:
        _FakeServer.hits.append(self.path)
        self.rfile.read(int(self.headers["Content-Length"]))
        chunk = {"choices": [{"delta": {"content": "Hi"}, "finish_reason": "stop"}]}
        self._send(f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode(), "text/event-stream")

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _FakeServer.hits = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_the_remote_engine_logs_each_request_and_sends_none_offline(
    app_home: Paths, fake_server: str
) -> None:
    online = NetworkPolicy(app_home.network_log, offline=False)
    engine = RemoteEngine(fake_server, "m", policy=online)
    engine.load(engine.load_options(512))
    events = list(engine.chat([], SamplingOptions(max_tokens=4)))
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["Hi"]
    # Asking the server what it offers (context size, token counts) is logged like the rest.
    sent = ["/v1/models", "/props", "/extras/tokenize", "/v1/chat/completions"]
    assert [(e.method, e.url, e.outcome) for e in online.entries()] == [
        (method, f"{fake_server}{path}", "sent")
        for method, path in zip(("GET", "GET", "POST", "POST"), sent, strict=True)
    ]
    assert _FakeServer.hits == sent

    # Offline, a server on this computer still answers (nothing leaves it) ...
    offline = NetworkPolicy(app_home.network_log, offline=True)
    local = RemoteEngine(fake_server, "m", policy=offline)
    local.load(local.load_options(512))
    answered = list(local.chat([], SamplingOptions(max_tokens=4)))
    assert [e.text for e in answered if isinstance(e, TextDelta)] == ["Hi"]
    assert _FakeServer.hits == sent * 2
    # ... and one elsewhere is refused before anything is sent.
    blocked = RemoteEngine("http://192.168.1.20:8080", "m", policy=offline)
    with pytest.raises(OfflineError, match="Offline mode is on"):
        blocked.load(blocked.load_options(512))
    [failed] = list(blocked.chat([], SamplingOptions(max_tokens=4)))
    assert isinstance(failed, Failed) and "Offline mode is on" in failed.message
    assert [e.outcome for e in offline.entries()][-2:] == ["blocked (offline)"] * 2
