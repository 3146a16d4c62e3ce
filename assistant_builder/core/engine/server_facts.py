"""What a model server tells about itself, asked once when the remote engine loads: its context
size and whether it counts tokens for clients.

llama.cpp's server answers ``GET /props`` (``default_generation_settings.n_ctx``, the context of
one request slot) and ``POST /tokenize``; llama-cpp-python's server answers
``POST /extras/tokenize``; vLLM lists ``max_model_len`` with each model. Anything else gets
the assistant's own context size and estimated counts (engine/messages_prompt.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant_builder.core.engine.messages_prompt import Counter
from assistant_builder.core.errors import EngineError

Fetch = Callable[[str, str, Mapping[str, Any] | None], Any]
"""(method, url, JSON body) -> the parsed JSON of a successful answer, or None for an error
status or a body that is not JSON; raises EngineError when the server cannot be reached."""

KEPT_COUNTS = 2048  # texts whose count is remembered: prompts are re-measured piece by piece


@dataclass(frozen=True)
class ServerFacts:
    kind: str  # llama.cpp | llama-cpp-python | openai (no extras)
    context_size: int | None  # None: the server does not say
    counter: Counter | None  # None: the server does not count tokens


class ServerTokenizer:
    """Counts tokens with the server's own tokenizer, remembering recent answers (the final
    prompt asks for the same passages and history again on every round and every turn)."""

    def __init__(self, fetch: Fetch, url: str, field: str, extra: Mapping[str, Any]) -> None:
        self._fetch, self._url, self._field, self._extra = fetch, url, field, dict(extra)
        self._counts: dict[str, int] = {}

    def tokens(self, text: str) -> list[Any] | None:
        answer = self._fetch("POST", self._url, {**self._extra, self._field: text})
        tokens = answer.get("tokens") if isinstance(answer, dict) else None
        return tokens if isinstance(tokens, list) else None

    def __call__(self, text: str) -> int:
        count = self._counts.get(text)
        if count is None:
            tokens = self.tokens(text)
            if tokens is None:
                raise EngineError(
                    "The model server stopped counting tokens for the app; check that it "
                    "is still running, then try again."
                )
            if len(self._counts) >= KEPT_COUNTS:
                self._counts.pop(next(iter(self._counts)))
            count = self._counts[text] = len(tokens)
        return count


def _positive(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def listed_context(listing: Sequence[Any], model: str) -> int | None:
    """The context size a model listing gives for ``model`` (vLLM's max_model_len)."""
    for entry in listing:
        if isinstance(entry, dict) and entry.get("id") == model:
            return _positive(entry.get("max_model_len"))
    return None


def probe(fetch: Fetch, server_root: str, model: str, listing: Sequence[Any]) -> ServerFacts:
    """Ask the server at ``server_root`` (its address without /v1) what it offers."""
    props = fetch("GET", f"{server_root}/props", None)
    settings = props.get("default_generation_settings") if isinstance(props, dict) else None
    if isinstance(settings, dict):
        counter = ServerTokenizer(fetch, f"{server_root}/tokenize", "content", {})
        return ServerFacts("llama.cpp", _positive(settings.get("n_ctx")), counter)
    extras = ServerTokenizer(fetch, f"{server_root}/extras/tokenize", "input", {"model": model})
    if extras.tokens("Hello") is not None:
        return ServerFacts("llama-cpp-python", listed_context(listing, model), extras)
    return ServerFacts("openai", listed_context(listing, model), None)
