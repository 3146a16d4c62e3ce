"""The remote engine: any OpenAI-compatible server (llama.cpp's server, Ollama, vLLM, LM Studio)
reached over HTTP with streaming (server-sent events), through httpx2."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import httpx2

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.engine.messages_prompt import MessagesPromptBuilder, messages_text
from assistant_builder.core.engine.protocol import (
    ChatEvent,
    ChatMessage,
    Engine,
    Failed,
    Finished,
    LoadOptions,
    SamplingOptions,
    TextDelta,
    Timings,
    Usage,
)
from assistant_builder.core.engine.sampling import validate_sampling
from assistant_builder.core.engine.server_facts import ServerFacts, probe
from assistant_builder.core.errors import EngineError
from assistant_builder.core.network import NetworkPolicy, OfflineError

_POLL_S = 0.02  # how often a waiting stream looks at the cancel token


def api_root(base_url: str) -> str:
    """``http://host:port`` and ``http://host:port/v1`` both mean the same server."""
    root = base_url.strip().rstrip("/")
    if not root.startswith(("http://", "https://")):
        raise EngineError(
            f"The server address {base_url!r} must start with http:// or https://; "
            "copy it from the server's settings."
        )
    return root if root.endswith("/v1") else root + "/v1"


class RemoteEngine:
    """Chat with a model served elsewhere. ``extended_sampling`` sends top_k, min_p and
    repeat_penalty too, which llama.cpp-based servers honour and OpenAI itself rejects.

    It answers through the same seam as the local engine (answering.AnsweringEngine): the
    prompt is built as the messages sent (engine/messages_prompt.py), measured with the
    server's tokenizer and context size where it offers them (engine/server_facts.py).

    The app passes its ``policy`` (Services.network): each request is checked against the
    offline switch and written to the network log before it is sent."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        extended_sampling: bool = True,
        timeout_s: float = 60.0,
        policy: NetworkPolicy | None = None,
        label: str = "",
    ) -> None:
        self.root = api_root(base_url)
        self.label = label  # the name the person gave the server, for the log and messages
        self.server_root = self.root.removesuffix("/v1")
        self.policy = policy
        self.model = model
        self.extended_sampling = extended_sampling
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = httpx2.Timeout(timeout_s, connect=min(timeout_s, 10.0))
        self._client = self._new_client()
        self._options: LoadOptions | None = None
        self._builder: MessagesPromptBuilder | None = None
        self.facts: ServerFacts | None = None
        self.context_size = 0

    def _new_client(self) -> httpx2.Client:
        return httpx2.Client(headers=self._headers, timeout=self._timeout)

    @property
    def _http(self) -> httpx2.Client:
        """The connection pool, opened again after an unload."""
        if self._client.is_closed:
            self._client = self._new_client()
        return self._client

    def load_options(self, context_size: int) -> LoadOptions:
        """Options naming this server's model, for an assistant whose context is
        ``context_size`` (used when the server does not report its own)."""
        return LoadOptions(model_path=f"{self.root}/models/{self.model}", context_size=context_size)

    def load(self, options: LoadOptions, *, cancel: CancelToken = NEVER) -> None:
        """Check that the server answers and serves ``model``, and ask once what it offers
        (context size, token counting); the server owns the loading."""
        _check_remote(options)
        self.unload()
        cancel.raise_if_cancelled()
        listing = self.served_models()
        served = [str(m.get("id", "")) for m in listing]
        if served and self.model not in served:
            raise EngineError(
                f"The server does not offer a model named {self.model!r}; "
                f"choose one of: {', '.join(served)}."
            )
        cancel.raise_if_cancelled()
        facts = probe(self._fetch, self.server_root, self.model, listing)
        self.facts = facts
        self.context_size = facts.context_size or options.context_size
        self._builder = MessagesPromptBuilder(facts.counter)
        self._options = options

    def served_models(self) -> list[dict[str, Any]]:
        """The server's model list (GET /v1/models), each entry as the server describes it."""
        response = self._request("GET", f"{self.root}/models")
        try:
            listing = response.json().get("data") or []
        except (ValueError, AttributeError):
            listing = []
        return [m for m in listing if isinstance(m, dict) and m.get("id")]

    @property
    def loaded_options(self) -> LoadOptions | None:
        """What the engine was loaded with (None: not loaded)."""
        return self._options

    @property
    def prompt_builder(self) -> MessagesPromptBuilder:
        if self._builder is None:
            raise EngineError("No model is loaded; choose a model for this assistant first.")
        return self._builder

    def unload(self) -> None:
        self._options = None
        self._builder = None
        self.facts = None
        self.context_size = 0
        self._client.close()

    def _allow(self, method: str, url: str) -> None:
        if self.policy is not None:
            name = f"model server {self.label}" if self.label else "model server"
            self.policy.check(method, url, f"{name} ({self.model})" if self.model else name)

    def _request(self, method: str, url: str) -> httpx2.Response:
        self._allow(method, url)
        try:
            response = self._http.request(method, url)
        except httpx2.HTTPError as err:
            raise EngineError(self._unreachable()) from err
        self._check_status(response)
        return response

    def _fetch(self, method: str, url: str, body: Mapping[str, Any] | None) -> Any:
        """A request whose answer is JSON, or None when the server has no such endpoint."""
        self._allow(method, url)
        try:
            response = self._http.request(method, url, json=body)
        except httpx2.HTTPError as err:
            raise EngineError(self._unreachable()) from err
        if response.status_code >= 300:
            return None
        try:
            return response.json()
        except ValueError:
            return None

    def _unreachable(self) -> str:
        where = f"“{self.label}” ({self.server_root})" if self.label else f"at {self.root}"
        return (
            f"The model server {where} could not be reached; check that it is running "
            "and that the address is right."
        )

    def _check_status(self, response: httpx2.Response) -> None:
        if response.status_code in (401, 403):
            raise EngineError("The server refused the API key; check the key in the settings.")
        if response.status_code >= 400:
            said = server_message(response)
            raise EngineError(
                f"The server answered with error {response.status_code}"
                + (f" (“{said}”)" if said else "")
                + "; check its address, model name and logs."
            )

    def _stopped(self) -> str:
        """A server gone away partway through an answer."""
        name = f"“{self.label}”" if self.label else f"at {self.server_root}"
        return (
            f"The model server {name} stopped answering partway; what it wrote is kept, "
            "and you can ask again once the server is running."
        )

    def _payload(self, messages: Sequence[ChatMessage], s: SamplingOptions) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": s.temperature,
            "top_p": s.top_p,
            "max_tokens": s.max_tokens,
        }
        if self._options is not None and self._options.thinking is not None:
            # llama-server and vLLM pass these to the template they apply.
            payload["chat_template_kwargs"] = {"enable_thinking": self._options.thinking}
        if s.seed is not None:
            payload["seed"] = s.seed
        if s.stop:
            payload["stop"] = list(s.stop)
        if self.extended_sampling:
            payload.update(top_k=s.top_k, min_p=s.min_p, repeat_penalty=s.repeat_penalty)
        return payload

    def chat(
        self,
        messages: Sequence[ChatMessage],
        sampling: SamplingOptions,
        *,
        cancel: CancelToken = NEVER,
        fixed: int = 0,  # the server keeps its own prompt cache, if any
    ) -> Iterator[ChatEvent]:
        validate_sampling(sampling)
        return self._stream(self._payload(messages, sampling), messages, cancel)

    def _usage(
        self, reported: dict[str, Any], messages: Sequence[ChatMessage], pieces: int
    ) -> Usage:
        """The server's usage; a server that streams none (llama-cpp-python's) gets the prompt
        as the final-prompt panel counted it, and one token per streamed piece (llama.cpp
        servers stream one token a chunk)."""
        prompt = reported.get("prompt_tokens")
        if prompt is None:
            builder = self._builder
            prompt = builder.build(messages).token_count if builder is not None else 0
        return Usage(int(prompt), int(reported.get("completion_tokens", pieces)))

    def _stream(
        self, payload: dict[str, Any], messages: Sequence[ChatMessage], cancel: CancelToken
    ) -> Iterator[ChatEvent]:
        start = time.perf_counter()
        first: float | None = None
        text: list[str] = []
        usage: dict[str, Any] = {}
        reason = "stop"
        ended = False  # the server said the answer is complete ([DONE] or a finish reason)
        try:
            self._allow("POST", f"{self.root}/chat/completions")
        except OfflineError as err:
            yield Failed(str(err))
            return
        try:
            with self._http.stream(
                "POST", f"{self.root}/chat/completions", json=payload
            ) as response:
                if response.status_code >= 400:
                    response.read()
                self._check_status(response)
                for line in _lines(response, cancel):
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        ended = True
                        break
                    chunk = json.loads(data)
                    if isinstance(chunk, dict) and "error" in chunk:  # vLLM, Ollama mid-stream
                        said = error_text(chunk)
                        yield Failed(
                            "The model server stopped the answer"
                            + (f" (“{said}”)" if said else "")
                            + "; what it wrote is kept, and you can ask again or check "
                            "the server's logs.",
                            partial_text="".join(text),
                        )
                        return
                    usage = chunk.get("usage") or usage
                    for choice in chunk.get("choices") or []:
                        piece = (choice.get("delta") or {}).get("content") or ""
                        if choice.get("finish_reason"):
                            reason = str(choice["finish_reason"])
                            ended = True
                        if piece:
                            first = first if first is not None else time.perf_counter() - start
                            text.append(piece)
                            yield TextDelta(piece)
        except EngineError as err:
            yield Failed(str(err), partial_text="".join(text))
            return
        except httpx2.HTTPError:
            said = self._stopped() if text else self._unreachable()
            yield Failed(said, partial_text="".join(text))
            return
        except json.JSONDecodeError:
            yield Failed(
                "The server sent an answer this app cannot read; check that it is "
                "OpenAI-compatible.",
                partial_text="".join(text),
            )
            return
        if cancel.cancelled:
            reason = "cancelled"  # leaving the block above closed the connection
        elif not ended:  # the connection closed before the server said the answer was done
            yield Failed(self._stopped(), partial_text="".join(text))
            return
        try:
            counted = self._usage(usage, messages, len(text))
        except EngineError:
            counted = Usage(0, len(text))  # the answer is complete; only the count is missing
        total = time.perf_counter() - start
        yield Finished(
            counted,
            Timings(ttft_s=first if first is not None else total, total_s=total),
            reason,
            messages_text(messages),  # what was sent, as the final-prompt panel shows it
        )


def error_text(body: object) -> str:
    """The message of an error body: OpenAI's, Ollama's and vLLM's ``{"error": {"message":
    …}}``, older vLLM's ``{"object": "error", "message": …}``, llama.cpp's ``{"error":
    {"message": …}}`` or a bare ``{"error": "…"}``."""
    if not isinstance(body, dict):
        return ""
    error = body.get("error")
    if isinstance(error, dict):
        error = error.get("message")
    if not error and body.get("object") == "error":
        error = body.get("message")
    return " ".join(str(error).split())[:300] if isinstance(error, str) else ""


def server_message(response: httpx2.Response) -> str:
    try:
        return error_text(response.json())
    except ValueError:
        return ""


def _check_remote(options: LoadOptions) -> None:
    """A server runs its model as it was started: what only a local engine can apply is refused
    rather than silently left out."""
    if options.adapters:
        raise EngineError(
            "A model server cannot apply adapters; remove them from the assistant or "
            "choose a model on this computer."
        )
    if options.chat_template:
        raise EngineError(
            "A model server applies its own chat template; clear the assistant's chat "
            "template or choose a model on this computer."
        )


def _lines(response: httpx2.Response, cancel: CancelToken) -> Iterator[str]:
    """The response's lines until it ends or ``cancel`` is set. They are read on a helper
    thread so that a stop is noticed at once even while the server is silent (evaluating a
    long prompt); the caller then closes the connection, which tells the server to stop."""
    lines: queue.Queue[str | Exception | None] = queue.Queue()

    def read() -> None:
        try:
            for line in response.iter_lines():
                lines.put(line)
            lines.put(None)
        except Exception as err:  # handed over to the caller, who decides
            lines.put(err)

    threading.Thread(target=read, name="remote-engine-reader", daemon=True).start()
    while not cancel.cancelled:
        try:
            item = lines.get(timeout=_POLL_S)
        except queue.Empty:
            continue
        if item is None:
            return
        if isinstance(item, Exception):
            raise item
        yield item


if TYPE_CHECKING:  # mypy proves the engine keeps the protocol's promises

    def _is_an_engine(engine: RemoteEngine) -> Engine:
        return engine
