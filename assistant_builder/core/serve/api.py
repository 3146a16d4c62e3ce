"""The rules of the OpenAI-compatible API, free of HTTP: who may call it, what a chat request
means for an assistant, and the response and stream-chunk shapes (with citations added)."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
import uuid
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.session import AnswerSession
from assistant_builder.core.assistants.thinking import ThinkingDelta
from assistant_builder.core.assistants.turn import Answer
from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.engine.protocol import ChatMessage, TextDelta
from assistant_builder.core.engine.sampling import setting
from assistant_builder.core.errors import AppError, AssistantError
from assistant_builder.core.network import is_loopback
from assistant_builder.core.serve.fields import check_fields
from assistant_builder.core.serve.refusal import ApiError
from assistant_builder.core.serve.refusal import bad_request as _bad
from assistant_builder.core.serve.turns import Turns
from assistant_builder.core.services import Services

__all__ = ["ApiError", "ChatApi", "ChatRequest", "ensure_api_key", "serving_key"]

Streamed = TextDelta | ThinkingDelta | Answer

KEY_PREFIX = "ab-"


def serving_key(services: Services, host: str, given: str = "") -> str:
    """The key ``serve`` on ``host`` asks of every client. On this computer alone a key is made
    on first use; for other computers the person must have one already (``given``, or the one
    kept from an earlier run), so a server on the network never starts with a key nobody chose."""
    if given:
        return given
    if not is_loopback(host) and not services.load_settings().api_key:
        raise AppError(
            f"Serving on {host} lets other computers use your assistants, so it needs an API "
            "key first: choose one, or serve once on this computer alone to make one.",
            command=f"serve --host {host} --api-key-env VARIABLE_HOLDING_THE_KEY",
        )
    return ensure_api_key(services)


def ensure_api_key(services: Services) -> str:
    """The API key from the settings, made and saved on first use."""
    settings = services.load_settings()
    if not settings.api_key:
        settings.api_key = KEY_PREFIX + secrets.token_urlsafe(32)
        services.save_settings(settings)
    return settings.api_key


@dataclass(frozen=True)
class ChatRequest:
    assistant: Assistant
    question: str
    history: tuple[ChatMessage, ...]
    stream: bool
    max_tokens: int | None
    temperature: float | None


def finish_reason(answer: Answer) -> str:
    return "length" if answer.stop_reason == "length" else "stop"


class ChatApi:
    """Answers API requests with one AnswerSession. The session has one engine, so answers
    take turns: a client waits for the answers ahead of it (a bounded line, turns.py) rather
    than being turned away; past that line it is told to retry, which OpenAI clients do."""

    def __init__(self, session: AnswerSession, api_key: str, turns: Turns | None = None) -> None:
        self.session = session
        self.api_key = api_key
        self.turns = turns or Turns()
        self._lookup = threading.Lock()  # reading assistants, apart from a running answer

    def check_key(self, authorization: str | None) -> None:
        scheme, _, token = (authorization or "").partition(" ")
        given = token.strip() if scheme.lower() == "bearer" else ""
        if not given or not hmac.compare_digest(given.encode(), self.api_key.encode()):
            raise ApiError(
                401,
                "The API key is missing or wrong; send the key the server printed when it "
                "started, as “Authorization: Bearer KEY”.",
                "invalid_request_error",
                "invalid_api_key",
            )

    def models(self) -> dict[str, Any]:
        with self._lookup:
            found = self.session.assistants.list()
        return {
            "object": "list",
            "data": [
                {
                    "id": a.id,
                    "object": "model",
                    "created": 0,
                    "owned_by": "assistant-builder",
                    "name": a.name,
                    "description": a.description,
                }
                for a in found
            ],
        }

    def parse(self, body: Any) -> ChatRequest:
        if not isinstance(body, dict):
            raise _bad("The request body must be a JSON object; send a chat completion request.")
        check_fields(body)
        model = body.get("model")
        if not isinstance(model, str) or not model.strip():
            raise _bad("The request names no model; use an assistant's id from /v1/models.")
        with self._lookup:
            try:
                assistant = self.session.assistant(model)
            except AssistantError as exc:
                raise ApiError(404, str(exc), "invalid_request_error", "model_not_found") from exc
        raw = body.get("messages")
        if not isinstance(raw, list) or not raw:
            raise _bad("The request has no messages; send at least one user message.")
        messages = [_message(m) for m in raw]
        last = messages[-1]
        if last.role != "user" or not last.content.strip():
            raise _bad("The last message must be the user's question; end with a user message.")
        # The assistant's own instructions are its system prompt; a client's are not mixed in.
        history = tuple(m for m in messages[:-1] if m.role in ("user", "assistant"))
        max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
        temperature = body.get("temperature")
        for name, value in (("max_tokens", max_tokens), ("temperature", temperature)):
            problem = None if value is None else setting(name).problem(value)
            if problem:  # the ranges of the one table of sampling settings
                raise _bad(f"The request's {name} cannot be used because {problem}.", name)
        return ChatRequest(
            assistant, last.content, history, bool(body.get("stream", False)), max_tokens,
            None if temperature is None else float(temperature),
        )  # fmt: skip

    def _answers(self, request: ChatRequest, cancel: CancelToken) -> Iterator[Streamed]:
        session = self.session
        conversation_id = session.conversation_with(request.assistant, request.history)
        for event in session.ask(
            request.assistant, request.question, conversation_id=conversation_id,
            max_tokens=request.max_tokens, temperature=request.temperature, cancel=cancel,
        ):  # fmt: skip
            if isinstance(event, TextDelta | ThinkingDelta | Answer):
                yield event

    def complete(self, request: ChatRequest, *, cancel: CancelToken = NEVER) -> dict[str, Any]:
        """The non-streaming response, with a top-level ``citations`` list."""
        created, cid = int(time.time()), f"chatcmpl-{uuid.uuid4().hex}"
        with self.turns.take(cancel=cancel):
            final = _guarded_last(self._answers(request, cancel))
        return {
            "id": cid,
            "object": "chat.completion",
            "created": created,
            "model": request.assistant.id,
            "choices": [
                {
                    "index": 0,
                    "message": _message_out(final),
                    "finish_reason": finish_reason(final),
                }
            ],
            "usage": _usage(final),
            "citations": [c.to_json() for c in final.citations],
            "unsupported": [[a, b] for a, b in final.grounding.unsupported],
            "flagged_citations": list(final.invented_citations),
        }

    def stream(
        self, request: ChatRequest, *, cancel: CancelToken = NEVER
    ) -> Generator[dict[str, Any], None, None]:
        """Stream chunks; the last one carries finish_reason, usage and the ``citations``.
        Closing the iterator early (the client went away) stops the answer."""
        created, cid = int(time.time()), f"chatcmpl-{uuid.uuid4().hex}"

        def chunk(delta: dict[str, Any], reason: str | None = None) -> dict[str, Any]:
            return {"id": cid, "object": "chat.completion.chunk", "created": created,
                    "model": request.assistant.id,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": reason}]}  # fmt: skip

        with self.turns.take(cancel=cancel):
            yield chunk({"role": "assistant", "content": ""})
            events = _guarded(self._answers(request, cancel))
            try:
                for event in events:
                    if isinstance(event, TextDelta):
                        yield chunk({"content": event.text})
                    elif isinstance(event, ThinkingDelta):
                        yield chunk({"reasoning_content": event.text})
                    else:
                        last = chunk({}, finish_reason(event))
                        last["usage"] = _usage(event)
                        last["citations"] = [c.to_json() for c in event.citations]
                        last["unsupported"] = [[a, b] for a, b in event.grounding.unsupported]
                        last["flagged_citations"] = list(event.invented_citations)
                        yield last
            finally:
                events.close()  # runs the answer's own cleanup: partial text kept, engine stopped


def _guarded(events: Iterator[Streamed]) -> Generator[Streamed, None, None]:
    try:
        yield from events
    except AppError as exc:
        raise ApiError(500, str(exc), "server_error", "answer_failed") from exc


def _message_out(answer: Answer) -> dict[str, str]:
    """The reply as OpenAI-compatible clients read it: thinking apart as reasoning_content."""
    out = {"role": "assistant", "content": answer.text}
    if answer.reasoning:
        out["reasoning_content"] = answer.reasoning
    return out


def _guarded_last(events: Iterator[Streamed]) -> Answer:
    final: Answer | None = None
    for event in _guarded(events):
        if isinstance(event, Answer):
            final = event
    if final is None:
        raise ApiError(500, "The answer did not finish; try again.", "server_error")
    return final


def _usage(answer: Answer) -> dict[str, int]:
    prompt, completion = answer.usage.prompt_tokens, answer.usage.completion_tokens
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion}  # fmt: skip


def _message(raw: Any) -> ChatMessage:
    if not isinstance(raw, dict) or raw.get("role") not in ("system", "developer", "user",
                                                            "assistant", "tool"):  # fmt: skip
        raise _bad("Each message needs a role (system, user or assistant) and its content.")
    content = raw.get("content")
    if isinstance(content, list):  # content parts: only text is understood
        content = "".join(
            str(p.get("text", ""))
            for p in content
            if isinstance(p, dict) and p.get("type") == "text"
        )
    if content is None:
        content = ""
    if not isinstance(content, str):
        raise _bad("A message's content must be text.")
    role = raw["role"]
    if role == "developer":
        role = "system"
    if role == "tool":
        role = "system"  # tool results have no place in an assistant's history: left out
    return ChatMessage(role, content)
