"""The local engine: llama.cpp in a child process that this object starts and supervises.

Why a multiprocessing "spawn" child rather than a subprocess with a line protocol: the pipe is
a channel of its own (llama.cpp writes logs to stdout/stderr and cannot corrupt it), objects
cross it without a hand-written codec, and a shared integer lets the child check for a stop
between tokens without a reader thread. "spawn" because forking a process that runs Qt threads
is unsafe, and it behaves the same on Linux, macOS and Windows. A frozen build must call
multiprocessing.freeze_support() in its entry point."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized
from typing import TYPE_CHECKING, Any

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.engine.prompt import PromptBuilder, RenderedPrompt, check_room
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
from assistant_builder.core.engine.sampling import validate_load, validate_sampling
from assistant_builder.core.engine.worker import child_main
from assistant_builder.core.errors import Cancelled, EngineError

if TYPE_CHECKING:
    from assistant_builder.core.engine.llama_runtime import Vocabulary

_POLL_S = 0.02  # how often a waiting call looks at the cancel token
_STOP_GRACE_S = 0.15  # a stop returns within this, even if the child is mid-way through a step
_DIED = (
    "The model process stopped unexpectedly (it may have run out of memory); what was "
    "written so far is kept, and the next message will restart it."
)


class LocalEngine:
    """One model in one supervised child process; one request at a time."""

    def __init__(self, *, load_timeout_s: float = 300.0) -> None:
        self._mp = multiprocessing.get_context("spawn")
        self._load_timeout_s = load_timeout_s
        self._options: LoadOptions | None = None
        self._builder: PromptBuilder | None = None
        self._vocabulary: Vocabulary | None = None
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None
        self._cancelled_upto: Synchronized[int] | None = None
        self._next_id = 0
        self.context_size = 0
        self.gpu_layers = 0  # layers actually offloaded (0 on a CPU-only build, whatever was asked)
        self.last_prompt: RenderedPrompt | None = None  # what the child was last asked to evaluate
        self.last_evaluated: tuple[int, ...] = ()  # the prompt tokens the child's context holds
        self.restarts = 0

    # Loading --------------------------------------------------------------------------------

    def load(self, options: LoadOptions, *, cancel: CancelToken = NEVER) -> None:
        validate_load(options)
        self.unload()
        from assistant_builder.core.engine.llama_runtime import Vocabulary

        vocabulary = Vocabulary(options.model_path)  # weights stay out of this process
        try:
            self._builder = PromptBuilder(vocabulary, options.chat_template)
            self._options = options
            self._vocabulary = vocabulary
            self._start(cancel)
        except BaseException:
            self.unload()
            vocabulary.close()
            raise

    @property
    def loaded_options(self) -> LoadOptions | None:
        """What the loaded model was loaded with (None: nothing loaded)."""
        return self._options

    @property
    def prompt_builder(self) -> PromptBuilder:
        if self._builder is None:
            raise EngineError("No model is loaded; choose a model for this assistant first.")
        return self._builder

    @property
    def process_id(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.is_alive() else None

    def _start(self, cancel: CancelToken) -> None:
        assert self._options is not None
        parent_conn, child_conn = self._mp.Pipe(duplex=True)
        cancelled_upto: Synchronized[int] = self._mp.Value("q", -1, lock=False)
        proc = self._mp.Process(
            target=child_main,
            args=(child_conn, cancelled_upto, self._options),
            name="assistant-builder-engine",
            daemon=True,
        )
        proc.start()
        child_conn.close()  # so the parent sees EOF when the child dies
        self._proc, self._conn, self._cancelled_upto = proc, parent_conn, cancelled_upto
        deadline = time.monotonic() + self._load_timeout_s
        while True:
            if cancel.cancelled:
                self._kill()
                raise Cancelled()
            if time.monotonic() > deadline:
                self._kill()
                raise EngineError("The model took too long to load; try a smaller model.")
            ready = wait([parent_conn, proc.sentinel], timeout=_POLL_S)
            if parent_conn in ready:
                try:
                    message = parent_conn.recv()
                except EOFError:
                    message = ("load_failed", "")
                if message[0] == "ready":
                    self.context_size = int(message[1]["context_size"])
                    self.gpu_layers = int(message[1]["gpu_layers"])
                    return
                self._kill()
                raise EngineError(
                    message[1]
                    or "The model process stopped while loading the model; "
                    "check that the file is a complete GGUF model and memory is free."
                )
            if proc.sentinel in ready:
                self._kill()
                raise EngineError(
                    "The model process stopped while loading the model; check that the "
                    "file is a complete GGUF model and that enough memory is free."
                )

    def _kill(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if proc is not None:
            if proc.is_alive():
                proc.kill()
            proc.join(timeout=5)
            proc.close()
        if conn is not None:
            conn.close()

    def unload(self) -> None:
        self._options = None
        self._builder = None
        if self._vocabulary is not None:
            self._vocabulary.close()
            self._vocabulary = None
        if self._conn is not None and self._proc is not None and self._proc.is_alive():
            try:
                self._conn.send(("quit",))
                self._proc.join(timeout=2)
            except (BrokenPipeError, OSError):
                pass
        self._kill()

    # Prompts --------------------------------------------------------------------------------

    def render(self, messages: Sequence[ChatMessage]) -> RenderedPrompt:
        return self.prompt_builder.build(messages)

    # Chatting -------------------------------------------------------------------------------

    def chat(
        self,
        messages: Sequence[ChatMessage],
        sampling: SamplingOptions,
        *,
        cancel: CancelToken = NEVER,
    ) -> Iterator[ChatEvent]:
        """Stream an answer. Bad settings, an unsafe template or a prompt that leaves no room
        for an answer raise here, before anything runs; failures while streaming arrive as a
        Failed event that keeps the text so far."""
        validate_sampling(sampling)
        prompt = self.render(messages)
        check_room(len(prompt.token_ids), self.context_size)
        return self._stream(prompt, sampling, cancel)

    def _stream(
        self, prompt: RenderedPrompt, sampling: SamplingOptions, cancel: CancelToken
    ) -> Iterator[ChatEvent]:
        self._next_id += 1
        rid = self._next_id
        self._send(("generate", rid, list(prompt.token_ids), sampling), cancel)
        assert self._conn is not None and self._proc is not None
        assert self._cancelled_upto is not None
        conn, proc, cancelled_upto = self._conn, self._proc, self._cancelled_upto
        self.last_prompt = prompt
        start = time.perf_counter()
        first: float | None = None
        text: list[str] = []
        stop_deadline: float | None = None
        finished = False
        try:
            while True:
                if cancel.cancelled and stop_deadline is None:
                    cancelled_upto.value = rid
                    stop_deadline = time.monotonic() + _STOP_GRACE_S
                if stop_deadline is not None and time.monotonic() >= stop_deadline:
                    # The child is inside one long step; its late pieces carry this id and
                    # are dropped by the next request.
                    finished = True
                    yield self._finished(prompt, len(text), 0, start, first, "cancelled")
                    return
                timeout = _POLL_S
                if stop_deadline is not None:
                    timeout = max(0.0, min(timeout, stop_deadline - time.monotonic()))
                ready = wait([conn, proc.sentinel], timeout=timeout)
                if not ready:
                    continue
                message: tuple[Any, ...] | None = None
                if conn in ready or conn.poll():
                    try:
                        message = conn.recv()
                    except (EOFError, OSError):
                        message = None
                if message is None:
                    finished = True
                    self._kill()
                    yield Failed(_DIED, partial_text="".join(text))
                    return
                kind, message_id = message[0], message[1]
                if message_id != rid:
                    continue  # a late piece of a request that was stopped
                if kind == "delta":
                    if stop_deadline is not None:
                        continue  # stopped: pieces already under way are not shown
                    if first is None:
                        first = time.perf_counter() - start
                    text.append(message[2])
                    yield TextDelta(message[2], message[3])
                elif kind == "done":
                    finished = True
                    stats = message[2]
                    self.last_evaluated = tuple(stats["evaluated"])
                    reason = "cancelled" if stop_deadline is not None else stats["stop_reason"]
                    yield self._finished(
                        prompt,
                        stats["completion_tokens"],
                        stats["cached_tokens"],
                        start,
                        first,
                        reason,
                    )
                    return
                else:
                    finished = True
                    yield Failed(str(message[2]), partial_text="".join(text))
                    return
        finally:
            if not finished:  # the caller stopped reading: stop the child too
                cancelled_upto.value = rid

    def _ensure_child(self, cancel: CancelToken) -> None:
        """A live child: after a crash, a fresh one loaded with the same options."""
        if self._proc is not None and self._proc.is_alive():
            return
        if self._options is None:
            raise EngineError("No model is loaded; choose a model for this assistant first.")
        self._kill()
        self.restarts += 1
        self._start(cancel)

    def _send(self, message: tuple[Any, ...], cancel: CancelToken) -> None:
        self._ensure_child(cancel)
        assert self._conn is not None
        try:
            self._conn.send(message)
        except (BrokenPipeError, OSError):
            # The child died just now, between two requests: replace it and go on.
            self._kill()
            self._ensure_child(cancel)
            assert self._conn is not None
            self._conn.send(message)

    @staticmethod
    def _finished(
        prompt: RenderedPrompt,
        completion_tokens: int,
        cached_tokens: int,
        start: float,
        first: float | None,
        reason: str,
    ) -> Finished:
        total = time.perf_counter() - start
        return Finished(
            Usage(len(prompt.token_ids), completion_tokens, cached_tokens),
            Timings(ttft_s=first if first is not None else total, total_s=total),
            reason,
            prompt.text,
        )


if TYPE_CHECKING:  # mypy proves the engine keeps the protocol's promises

    def _is_an_engine(engine: LocalEngine) -> Engine:
        return engine
