"""Issue 19 point 5: ``serve`` and the browser. Requests that a web page could make (a foreign
Host from DNS rebinding, a cross-origin read) and malformed requests, each sent for real to the
Starlette/uvicorn stack: refused with a 4xx, and nothing answered."""

from __future__ import annotations

import http.client
import json

import pytest

from tests.faults.served import served

pytestmark = pytest.mark.faults

CHAT = json.dumps({"model": "cats", "messages": [{"role": "user", "content": "Hi?"}]}).encode()
JSON = {"Content-Type": "application/json"}


def test_a_foreign_host_is_refused_and_loopback_names_answered() -> None:
    with served() as api:
        for host in ("evil.example", f"evil.example:{api.port}", "192.168.1.9", "localhost.evil"):
            status, headers, body = api.request("POST", "/v1/chat/completions", CHAT,
                                                {**JSON, "Host": host})  # fmt: skip
            assert status == 400, host
            assert headers["content-type"] == "application/json", host  # a client can read it
            error = json.loads(body)["error"]
            assert error["code"] == "untrusted_host" and "this computer" in error["message"]
        assert api.engine.requests == []  # nothing was answered for a rebinding page
        for host in (f"127.0.0.1:{api.port}", f"localhost:{api.port}", "localhost"):
            status, _, body = api.request("GET", "/v1/models", headers={"Host": host})
            assert status == 200 and json.loads(body)["data"][0]["id"] == "cats", host


def test_no_cors_header_unless_an_origin_is_allowed() -> None:
    page = {"Origin": "http://evil.example"}
    preflight = {**page, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization"}  # fmt: skip
    with served() as api:
        status, headers, _ = api.request("GET", "/v1/models", headers=page)
        assert status == 200 and not any(h.startswith("access-control") for h in headers)
        status, headers, _ = api.request("OPTIONS", "/v1/chat/completions", headers=preflight,
                                         key=False)  # fmt: skip
        assert status == 401 and not any(h.startswith("access-control") for h in headers)

    allowed = "http://localhost:3000"
    with served(origins=[allowed]) as api:
        status, headers, _ = api.request(
            "OPTIONS", "/v1/chat/completions", key=False,
            headers={**preflight, "Origin": allowed},
        )  # fmt: skip
        assert status == 200 and headers["access-control-allow-origin"] == allowed
        status, headers, _ = api.request("GET", "/v1/models", headers={"Origin": allowed})
        assert status == 200 and headers["access-control-allow-origin"] == allowed
        status, headers, _ = api.request("GET", "/v1/models", headers=page)
        assert "access-control-allow-origin" not in headers  # only the allowed page


def test_the_key_is_needed_on_every_route() -> None:
    with served() as api:
        for method, path, body in (
            ("GET", "/v1/models", None), ("GET", "/models", None),
            ("POST", "/v1/chat/completions", CHAT), ("GET", "/v1/nothing", None),
            ("DELETE", "/v1/models", None), ("OPTIONS", "/v1/models", None),
        ):  # fmt: skip
            status, _, raw = api.request(method, path, body, JSON, key=False)
            assert status == 401, (method, path)
            assert json.loads(raw)["error"]["code"] == "invalid_api_key"
        status, _, raw = api.request("GET", "/v1/nothing")
        assert status == 404 and json.loads(raw)["error"]["code"] == "not_found"
        assert api.engine.requests == []


@pytest.mark.parametrize(
    ("body", "status", "param", "says"),
    [
        (b"{not json", 400, None, "not valid JSON"),
        (b"\xff\xfe\x00", 400, None, "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, 400, None, "not valid JSON"),
        (b'"just text"', 400, None, "JSON object"),
        (json.dumps({"model": "cats", "messages": [], "modle": "x"}).encode(), 400, "modle",
         "does not understand"),
        (json.dumps({"model": "cats", "stream": "yes",
                     "messages": [{"role": "user", "content": "Hi?"}]}).encode(), 400, "stream",
         "true or false"),
        (json.dumps({"model": 7, "messages": []}).encode(), 400, "model", "must be text"),
        (json.dumps({"model": "cats", "messages": "Hi?"}).encode(), 400, "messages", "list"),
        (json.dumps({"model": "cats", "n": 3,
                     "messages": [{"role": "user", "content": "Hi?"}]}).encode(), 400, "n",
         "one answer"),
        (json.dumps({"model": "cats", "max_tokens": "lots",
                     "messages": [{"role": "user", "content": "Hi?"}]}).encode(), 400,
         "max_tokens", "max_tokens"),
    ],
)  # fmt: skip
def test_a_malformed_request_gets_an_openai_style_4xx(
    body: bytes, status: int, param: str | None, says: str
) -> None:
    with served() as api:
        got, headers, raw = api.request("POST", "/v1/chat/completions", body, JSON)
        assert got == status and headers["content-type"] == "application/json"
        error = json.loads(raw)["error"]
        assert says in error["message"] and error["type"] == "invalid_request_error"
        assert error["param"] == param
        assert api.engine.requests == []


def test_a_body_over_the_limit_is_refused_before_it_is_read() -> None:
    from assistant_builder.core.serve.http import MAX_BODY

    with served() as api:
        huge = b'{"model": "cats", "messages": [], "x": "' + b"a" * (MAX_BODY + 10) + b'"}'
        status, _, raw = api.request("POST", "/v1/chat/completions", huge, JSON)
        assert status == 413 and "too large" in json.loads(raw)["error"]["message"]
        # A body sent in chunks declares no length: it is cut off at the limit too.
        connection = http.client.HTTPConnection(api.host, api.port, timeout=60)
        pieces = (huge[i : i + 65536] for i in range(0, len(huge), 65536))
        connection.request("POST", "/v1/chat/completions", body=pieces, encode_chunked=True,
                           headers={**JSON, "Authorization": f"Bearer {api.key}"})  # fmt: skip
        response = connection.getresponse()
        assert response.status == 413 and b"too large" in response.read()
        connection.close()
        status, _, _ = api.request("GET", "/v1/models")
        assert status == 200  # and the server still answers


def test_streaming_through_the_official_client_ends_with_the_citations() -> None:
    from openai import OpenAI

    with served(["Cats sleep for about fifteen hours a day."]) as api:
        client = OpenAI(base_url=api.url, api_key=api.key, max_retries=0, timeout=60)
        chunks = list(client.chat.completions.create(
            model="cats", stream=True, messages=[{"role": "user", "content": "Sleep?"}]
        ))  # fmt: skip
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert text == "Cats sleep for about fifteen hours a day."
        assert chunks[-1].choices[0].finish_reason == "stop"
        assert isinstance((chunks[-1].model_extra or {})["citations"], list)


def test_a_client_that_leaves_mid_stream_stops_its_answer() -> None:
    reply = " ".join(f"word{n}" for n in range(400))
    with served([reply], delay_s=0.05) as api:
        connection = http.client.HTTPConnection(api.host, api.port, timeout=60)
        connection.request("POST", "/v1/chat/completions",
                           body=json.dumps({"model": "cats", "stream": True, "messages": [
                               {"role": "user", "content": "Talk."}]}).encode(),
                           headers={**JSON, "Authorization": f"Bearer {api.key}"})  # fmt: skip
        response = connection.getresponse()
        seen = b""
        while b"word3" not in seen:
            seen += response.read1(4096)
        connection.close()  # the client goes away half-way
        # The next request waits for the model, so it runs once the first answer has stopped.
        status, _, done = api.chat(max_tokens=5)
        assert status == 200, done
        conversations = api.session.conversations
        first = conversations.list()[-1]
        kept = conversations.messages(first.id)[-1]
        assert kept.role == "assistant" and kept.content.startswith("word0 word1")
        assert len(kept.content.split()) < 400  # it stopped, and what was written is kept


def test_every_attack_in_the_report_is_refused() -> None:
    from tests.faults.attacks import ATTACKS, replay

    with served() as api:
        assert [problem for a in ATTACKS if (problem := replay(api, a))] == []
        assert api.chat()[0] == 200  # and the server still answers afterwards
