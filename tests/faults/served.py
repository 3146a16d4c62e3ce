"""``serve``'s real HTTP stack (Starlette on uvicorn, on a socket of its own) running in a
thread over a scripted engine, so browser, attack and load cases need no model."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from assistant_builder.core.assistants.model import Assistant, ModelRef
from assistant_builder.core.assistants.session import AnswerSession
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.engine.messages_prompt import MessagesPromptBuilder
from assistant_builder.core.engine.protocol import LoadOptions
from assistant_builder.core.models.registry import InstalledModel
from assistant_builder.core.serve.api import ChatApi, ensure_api_key
from assistant_builder.core.serve.http import ApiServer
from assistant_builder.core.serve.turns import Turns
from assistant_builder.core.services import Services
from assistant_builder.core.settings import Settings
from tests.fakes import ScriptedEngine


class AnsweringScript(ScriptedEngine):
    """The scripted engine with what answering asks of an engine besides chat."""

    context_size = 4096
    prompt_builder = MessagesPromptBuilder()

    @property
    def loaded_options(self) -> LoadOptions | None:
        return self.loaded


@dataclass
class Served:
    url: str
    key: str
    host: str
    port: int
    engine: AnsweringScript
    session: AnswerSession

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        *,
        key: bool = True,
    ) -> tuple[int, dict[str, str], bytes]:
        """One raw HTTP request: any Host, any body, any headers."""
        sent = {"Authorization": f"Bearer {self.key}"} if key else {}
        sent.update(headers or {})
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            got = {k.lower(): v for k, v in response.getheaders()}
            return response.status, got, response.read()
        finally:
            connection.close()

    def saved_answers(self) -> int:
        """The assistant messages in the conversation store."""
        store = self.session.conversations
        return sum(m.role == "assistant" for c in store.list() for m in store.messages(c.id))

    def chat(self, **fields: Any) -> tuple[int, dict[str, str], Any]:
        body = {"model": "cats", "messages": [{"role": "user", "content": "Hi?"}], **fields}
        sent = json.dumps(body).encode()
        status, headers, raw = self.request("POST", "/v1/chat/completions", sent,
                                            {"Content-Type": "application/json"})  # fmt: skip
        is_json = headers.get("content-type", "").startswith("application/json")
        return status, headers, json.loads(raw) if is_json else raw.decode()


def prepare_home() -> Services:
    """The home of ASSISTANT_BUILDER_HOME with a model entry "m" and the assistant "Cats"
    (again for a second server in one test: the same entries)."""
    services = Services.create()
    model = services.paths.models_dir / "m.gguf"
    model.parent.mkdir(parents=True, exist_ok=True)
    model.write_bytes(b"GGUF" + b"\0" * 60)
    services.models.add(InstalledModel(id="m", name="M", path=str(model), sha256="0" * 64,
                                       size=64))  # fmt: skip
    store = AssistantStore(services.paths.assistants_dir)
    if not store.exists("Cats"):
        store.create(Assistant(id="", name="Cats", model=ModelRef(id="m")))
    return services


@contextmanager
def served(
    replies: Sequence[str] = ("Cats sleep a lot.",),
    *,
    origins: Sequence[str] = (),
    turns: Turns | None = None,
    delay_s: float = 0.0,
    host: str = "127.0.0.1",
    server_class: Callable[..., Any] = ApiServer,
) -> Iterator[Served]:
    """``server_class`` is ApiServer, or another with its ``url``, ``serve_forever``, ``stop``
    and ``server_close`` (the bench compares the standard library's server from before)."""
    services = prepare_home()
    engine = AnsweringScript(list(replies), delay_s=delay_s)
    # The scripted engine's model file is only a name: no estimate reads it (kv_cache f16).
    settings = Settings(threads=1, gpu_layers=0, kv_cache="f16")
    session = AnswerSession(services, settings=settings, engine=engine,
                            retrieve=lambda a, q: [])  # fmt: skip
    key = ensure_api_key(services)
    api = ChatApi(session, key, turns)
    extra = {"origins": origins} if origins else {}
    server = server_class((host, 0), api, **extra)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = int(urlsplit(server.url).port or 0)
    try:
        yield Served(server.url, key, host, port, engine, session)
    finally:
        server.stop()
        thread.join(timeout=60)
        assert not thread.is_alive(), "the server did not stop"
        server.server_close()
        session.conversations.close()
