"""Telling "this computer is offline" from "Hugging Face cannot be reached": one sentence
each, from the one classification in core/network.py, used by every hub request."""

from __future__ import annotations

import socket

import pytest

from assistant_builder.core import network
from assistant_builder.core.errors import DownloadError
from assistant_builder.core.models import hub
from assistant_builder.core.paths import Paths


def test_offline_and_unreachable_are_told_apart() -> None:
    offline = network.unreachable_sentence(
        "Hugging Face", "https://huggingface.co", online=lambda: False
    )
    online = network.unreachable_sentence(
        "Hugging Face", "https://huggingface.co", online=lambda: True
    )
    assert offline.startswith("This computer is not connected to the internet")
    assert "huggingface.co" in online and "although this computer is connected" in online
    assert "offline" not in online and "not connected" not in online


def test_the_route_probe_sends_nothing_and_says_no_when_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The test home refuses every connection off this machine, as a computer without a
    # network would: no route out.
    assert network.has_network() is False
    sent: list[object] = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: None)
    monkeypatch.setattr(socket.socket, "send", lambda self, *a: sent.append(a))
    monkeypatch.setattr(socket.socket, "sendto", lambda self, *a: sent.append(a))
    assert network.has_network() is True and sent == []


@pytest.mark.parametrize("online", [False, True])
def test_a_hub_that_does_not_answer_says_which_it_is(
    app_home: Paths, monkeypatch: pytest.MonkeyPatch, online: bool
) -> None:
    import huggingface_hub.constants as hf_constants

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(network, "has_network", lambda: online)
    with pytest.raises(DownloadError) as raised:
        hub.search_repos("qwen")
    if online:
        assert str(raised.value).startswith(f"Hugging Face (127.0.0.1:{port}) cannot be reached")
    else:
        assert str(raised.value).startswith("This computer is not connected to the internet")
