"""Requests a web page or a careless client could send to ``serve``: each must be refused with
its 4xx, in OpenAI's error shape where it reaches the API, and answer nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass

from tests.faults.served import Served

CHAT = {"model": "cats", "messages": [{"role": "user", "content": "Hi?"}]}


@dataclass(frozen=True)
class Attack:
    name: str
    status: int
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    method: str = "POST"
    path: str = "/v1/chat/completions"
    key: bool = True


def _chat(**fields: object) -> bytes:
    return json.dumps({**CHAT, **fields}).encode()


ATTACKS = [
    Attack("foreign Host (DNS rebinding)", 400, _chat(), (("Host", "evil.example"),)),
    Attack("foreign Host with this port", 400, _chat(), (("Host", "evil.example:8765"),)),
    Attack("LAN address as Host", 400, _chat(), (("Host", "192.168.1.9"),)),
    Attack("no key on chat", 401, _chat(), key=False),
    Attack("no key on model list", 401, method="GET", path="/v1/models", key=False),
    Attack("no key on an unknown route", 401, method="GET", path="/v1/files", key=False),
    Attack(
        "browser preflight",
        401,
        None,
        (("Origin", "http://evil.example"), ("Access-Control-Request-Method", "POST")),
        method="OPTIONS",
        key=False,
    ),
    Attack("malformed JSON", 400, b"{not json"),
    Attack("not UTF-8", 400, b"\xff\xfe\x00"),
    Attack("JSON nested 100,000 deep", 400, b"[" * 100_000 + b"]" * 100_000),
    Attack("not an object", 400, b'"text"'),
    Attack("unknown field", 400, _chat(modle="x")),
    Attack("stream of the wrong type", 400, _chat(stream="yes")),
    Attack("model of the wrong type", 400, _chat(model=7)),
    Attack("messages of the wrong type", 400, _chat(messages="Hi?")),
    Attack("several answers asked", 400, _chat(n=3)),
    Attack("max_tokens of the wrong type", 400, _chat(max_tokens="lots")),
    Attack("temperature out of range", 400, _chat(temperature=99)),
    Attack("body over the limit", 413, b'{"x": "' + b"a" * (8 << 20) + b'"}'),
]


def replay(api: Served, attack: Attack) -> str | None:
    """What went wrong with the server's answer to ``attack``, or None when it was refused."""
    before = len(api.engine.requests)
    headers = {"Content-Type": "application/json", **dict(attack.headers)}
    status, got, raw = api.request(attack.method, attack.path, attack.body, headers,
                                   key=attack.key)  # fmt: skip
    if status != attack.status:
        return f"{attack.name}: {status} instead of {attack.status}"
    if len(api.engine.requests) != before:
        return f"{attack.name}: answered"
    if any(h.startswith("access-control") for h in got):
        return f"{attack.name}: sent a CORS header"
    error = json.loads(raw).get("error", {})  # every refusal in OpenAI's shape, Host's too
    if not (isinstance(error, dict) and error.get("message") and error.get("type")):
        return f"{attack.name}: no OpenAI-style error body"
    return None
