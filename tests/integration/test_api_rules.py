"""The API's rules without a model: who may call, what a request means, OpenAI's error shape."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant_builder.core.assistants.model import Assistant, ModelRef
from assistant_builder.core.assistants.session import AnswerSession
from assistant_builder.core.serve.api import ApiError, ChatApi, ensure_api_key
from assistant_builder.core.services import Services
from assistant_builder.core.settings import load_settings
from tests.fakes import ScriptedEngine


@pytest.fixture
def api(app_home: object) -> Iterator[ChatApi]:
    services = Services.create()
    session = AnswerSession(services, engine=ScriptedEngine(["unused"]),  # type: ignore[arg-type]
                            retrieve=lambda a, q: [])  # fmt: skip
    session.assistants.create(Assistant(id="", name="Cat expert", model=ModelRef(id="m")))
    yield ChatApi(session, ensure_api_key(services))
    session.conversations.close()


def test_the_key_is_made_once_and_kept(app_home: object) -> None:
    services = Services.create()
    key = ensure_api_key(services)
    assert key.startswith("ab-") and len(key) > 30
    assert ensure_api_key(services) == key == load_settings(services.paths.settings_file).api_key


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer wrong", "Basic {key}", "{key}"])
def test_anything_but_the_bearer_key_is_refused(api: ChatApi, header: str | None) -> None:
    header = header.format(key=api.api_key) if header else header
    with pytest.raises(ApiError) as refused:
        api.check_key(header)
    assert refused.value.status == 401
    assert refused.value.body["error"]["code"] == "invalid_api_key"
    api.check_key(f"Bearer {api.api_key}")
    api.check_key(f"bearer  {api.api_key} ")


def test_each_assistant_is_a_model(api: ChatApi) -> None:
    models = api.models()
    assert models["object"] == "list"
    assert [(m["id"], m["name"]) for m in models["data"]] == [("cat-expert", "Cat expert")]


def test_a_request_is_read_as_history_and_question(api: ChatApi) -> None:
    request = api.parse({
        "model": "cat-expert", "stream": True, "max_tokens": 12, "temperature": 0,
        "messages": [
            {"role": "system", "content": "Be a pirate."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "tool", "content": "{}"},
            {"role": "user", "content": [{"type": "text", "text": "How long "},
                                         {"type": "image_url", "image_url": {"url": "x"}},
                                         {"type": "text", "text": "do cats sleep?"}]},
        ],
    })  # fmt: skip
    assert request.assistant.name == "Cat expert" and request.stream
    assert request.question == "How long do cats sleep?"
    assert [(m.role, m.content) for m in request.history] == [
        ("user", "Hi"), ("assistant", "Hello!")
    ]  # fmt: skip
    assert request.max_tokens == 12 and request.temperature == 0.0


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ([], 400, "JSON object"),
        ({"messages": [{"role": "user", "content": "hi"}]}, 400, "no model"),
        ({"model": "nobody", "messages": [{"role": "user", "content": "hi"}]}, 404, "nobody"),
        ({"model": "cat-expert", "messages": []}, 400, "no messages"),
        ({"model": "cat-expert", "messages": [{"role": "assistant", "content": "x"}]}, 400,
         "last message"),
        ({"model": "cat-expert", "messages": [{"role": "wizard", "content": "x"}]}, 400, "role"),
        ({"model": "cat-expert", "messages": [{"role": "user", "content": 5}]}, 400, "text"),
        ({"model": "cat-expert", "max_tokens": 0,
          "messages": [{"role": "user", "content": "hi"}]}, 400, "max_tokens"),
        ({"model": "cat-expert", "temperature": "hot",
          "messages": [{"role": "user", "content": "hi"}]}, 400, "temperature is “hot”"),
        ({"model": "cat-expert", "temperature": 3,
          "messages": [{"role": "user", "content": "hi"}]}, 400, "between 0 and 2"),
    ],
)  # fmt: skip
def test_a_bad_request_gets_a_plain_openai_style_error(
    api: ChatApi, body: object, status: int, says: str
) -> None:
    with pytest.raises(ApiError) as refused:
        api.parse(body)
    assert refused.value.status == status
    error = refused.value.body["error"]
    assert says in error["message"] and error["type"] == "invalid_request_error"
