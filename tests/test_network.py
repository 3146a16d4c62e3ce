"""The offline switch and the network log, checked against a real local HTTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from assistant_builder.core.network import (
    NetworkPolicy,
    OfflineError,
    install_hub_policy,
    offline_from_env,
)
from assistant_builder.core.paths import Paths


class _Hub(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Hub.hits.append(self.path)
        body = json.dumps({"id": "acme/tiny", "modelId": "acme/tiny", "sha": "0" * 40}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hub() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hub.hits = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def restore_hub_client() -> Iterator[None]:
    from huggingface_hub import set_client_factory
    from huggingface_hub.utils._http import default_client_factory

    yield
    set_client_factory(default_client_factory)


def test_every_hub_request_is_logged(
    app_home: Paths, hub: str, restore_hub_client: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)
    from huggingface_hub import HfApi

    policy = NetworkPolicy(app_home.network_log, offline=False)
    install_hub_policy(policy)
    info = HfApi(endpoint=hub).model_info("acme/tiny")
    assert info.id == "acme/tiny"
    entries = policy.entries()
    assert len(entries) == 1
    assert entries[0].method == "GET" and entries[0].url.startswith(f"{hub}/api/models/acme/tiny")
    assert entries[0].outcome == "sent"


def test_offline_blocks_before_anything_is_sent(
    app_home: Paths, hub: str, restore_hub_client: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hub is the internet even at a loopback address (HF_ENDPOINT at a mirror or a test)."""
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)
    from huggingface_hub import HfApi

    policy = NetworkPolicy(app_home.network_log, offline=True)
    install_hub_policy(policy)
    with pytest.raises(OfflineError, match="Offline mode is on") as caught:
        HfApi(endpoint=hub).model_info("acme/tiny")
    assert "127.0.0.1" in str(caught.value)
    assert _Hub.hits == []  # the server never saw a request
    assert [e.outcome for e in policy.entries()] == ["blocked (offline)"]


def test_offline_still_reaches_model_servers_on_this_computer(app_home: Paths) -> None:
    """Nothing leaves the computer on a loopback address, so offline mode allows a model server
    there; every other address is refused, and the log lists both, newest first."""
    policy = NetworkPolicy(app_home.network_log, offline=True)
    for url in ("http://localhost:1/v1", "http://[::1]:1/v1", "http://127.0.0.2/"):
        policy.check("GET", url, "model server")
    for url in ("http://192.168.1.20:8080/v1", "https://example.com/v1", "http://10.0.0.1"):
        with pytest.raises(OfflineError, match="turn it off in Settings"):
            policy.check("GET", url, "model server")
    newest = policy.newest_first()
    assert [e.host for e in newest] == [
        "10.0.0.1", "example.com", "192.168.1.20", "127.0.0.2", "::1", "localhost"
    ]  # fmt: skip
    assert [e.outcome for e in newest] == ["blocked (offline)"] * 3 + ["sent"] * 3


def test_offline_env_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_BUILDER_OFFLINE", raising=False)
    assert offline_from_env(False) is False
    assert offline_from_env(True) is True
    monkeypatch.setenv("ASSISTANT_BUILDER_OFFLINE", "1")
    assert offline_from_env(False) is True


def test_a_torn_log_line_is_skipped(app_home: Paths) -> None:
    policy = NetworkPolicy(app_home.network_log, offline=False)
    policy.check("GET", "http://127.0.0.1/x", "test")
    with app_home.network_log.open("a") as handle:
        handle.write('{"time": 1, "meth')  # a crash mid-write
    assert [e.url for e in policy.entries()] == ["http://127.0.0.1/x"]
