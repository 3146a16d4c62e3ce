"""The local engine: llama.cpp in a child process that this object starts and supervises
(core/childproc.py), so the weights and llama.cpp's threads stay out of the app's process.
The tokenizer alone loads here, to build and count prompts. A shared integer lets the child
check for a stop between tokens without reading its pipe."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from multiprocessing.sharedctypes import Synchronized
from typing import TYPE_CHECKING

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.childproc import CANCELLED, ENDED, Child, Supervisor
from assistant_builder.core.engine.backends import Hardware, where_it_runs
from assistant_builder.core.engine.cards import remember
from assistant_builder.core.engine.messages import (
    HELLO,
    Delta,
    Done,
    Generate,
    GenerateFailed,
    LoadFailed,
    PromptProgress,
    Quit,
    Ready,
)
from assistant_builder.core.engine.prompt import PromptBuilder, RenderedPrompt, check_room
from assistant_builder.core.engine.protocol import (
    ChatEvent,
    ChatMessage,
    Engine,
    Failed,
    Finished,
    LoadOptions,
    PromptRead,
    SamplingOptions,
    TextDelta,
    Timings,
    Usage,
)
from assistant_builder.core.engine.sampling import validate_load, validate_sampling
from assistant_builder.core.engine.state_cache import MIN_TOKENS
from assistant_builder.core.engine.worker import child_main
from assistant_builder.core.errors import Cancelled, EngineError

if TYPE_CHECKING:
    from assistant_builder.core.engine.llama_runtime import Vocabulary

_STOP_GRACE_S = 0.15  # a stop returns within this, even if the child is mid-way through a step
_QUIT_WAIT_S = 2.0
_DIED = (
    "The model process stopped unexpectedly (it may have run out of memory); what was "
    "written so far is kept, and the next message will restart it."
)
_DIED_LOADING = (
    "The model process stopped while loading the model; check that the file is a complete "
    "GGUF model and that enough memory is free."
)


class LocalEngine:
    """One model in one supervised child process; one request at a time."""

    def __init__(self, *, load_timeout_s: float = 300.0) -> None:
        self._load_timeout_s = load_timeout_s
        self._options: LoadOptions | None = None
        self._builder: PromptBuilder | None = None
        self._vocabulary: Vocabulary | None = None
        # The highest request id the parent cancelled, shared with the child (one per child).
        self._cancelled_upto: Synchronized[int] | None = None
        self._supervisor = Supervisor(self._start)
        self.context_size = 0
        self.gpu_layers = 0  # layers actually offloaded (0 on a CPU-only build, whatever was asked)
        self.hardware = Hardware("")  # what the child's llama.cpp found (known once loaded)
        self.last_prompt: RenderedPrompt | None = None  # what the child was last asked to evaluate
        self.last_evaluated: tuple[int, ...] = ()  # the prompt tokens the child's context holds

    # Loading --------------------------------------------------------------------------------

    def load(self, options: LoadOptions, *, cancel: CancelToken = NEVER) -> None:
        validate_load(options)
        loaded, builder = self._options, self._builder
        if loaded and builder and replace(loaded, thinking=options.thinking) == options:
            # Only the prompt changes: the loaded model and its cache stay.
            self._builder = builder.with_thinking(options.thinking)
            self._options = options
            return
        self.unload()
        from assistant_builder.core.engine.llama_runtime import Vocabulary

        vocabulary = Vocabulary(options.model_path)  # weights stay out of this process
        try:
            self._builder = PromptBuilder(
                vocabulary, options.chat_template, thinking=options.thinking
            )
            self._options = options
            self._vocabulary = vocabulary
            self._supervisor.ensure(cancel)
        except BaseException:
            self.unload()
            vocabulary.close()
            raise

    @property
    def loaded_options(self) -> LoadOptions | None:
        """What the loaded model was loaded with (None: nothing loaded)."""
        return self._options

    @property
    def runs_on(self) -> str:
        """Where the loaded model computes, as the status line says it."""
        return where_it_runs(self.hardware, self.gpu_layers)

    @property
    def prompt_builder(self) -> PromptBuilder:
        if self._builder is None:
            raise EngineError("No model is loaded; choose a model for this assistant first.")
        return self._builder

    @property
    def process_id(self) -> int | None:
        return self._supervisor.process_id

    @property
    def restarts(self) -> int:
        """Children started again after one died (with the same options)."""
        return self._supervisor.restarts

    def _start(self, cancel: CancelToken) -> Child:
        """A child loaded with the current options, once it said it is ready."""
        if self._options is None:
            raise EngineError("No model is loaded; choose a model for this assistant first.")
        cancelled_upto: Synchronized[int] = multiprocessing.get_context("spawn").Value(
            "q", -1, lock=False
        )
        child = Child(
            child_main,
            (cancelled_upto, self._options),
            name="assistant-builder-engine",
            quit_message=Quit(),
            daemon=True,
        )
        hello = child.open(HELLO, cancel)
        try:
            child.start()
            reply = hello.get(timeout=self._load_timeout_s)
        finally:
            hello.close()
        if isinstance(reply, Ready):
            self._cancelled_upto = cancelled_upto
            self.context_size = reply.context_size
            self.gpu_layers = reply.gpu_layers
            self.hardware = reply.hardware
            remember(reply.hardware.cards)  # for the "will it run?" estimates of the app
            return child
        child.stop(timeout=0.0)
        if reply is CANCELLED:
            raise Cancelled()
        if reply is None:
            raise EngineError("The model took too long to load; try a smaller model.")
        if isinstance(reply, LoadFailed) and reply.sentence:
            raise EngineError(reply.sentence)
        raise EngineError(_DIED_LOADING)

    def unload(self) -> None:
        self._options = None
        self._builder = None
        if self._vocabulary is not None:
            self._vocabulary.close()
            self._vocabulary = None
        self._supervisor.stop(_QUIT_WAIT_S)

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
        fixed: int = 0,
    ) -> Iterator[ChatEvent]:
        """Stream an answer. Bad settings, an unsafe template or a prompt that leaves no room
        for an answer raise here, before anything runs; failures while streaming arrive as a
        Failed event that keeps the text so far. The state of the first ``fixed`` messages
        is saved on disk for the next start (when the options say where)."""
        validate_sampling(sampling)
        prompt = self.render(messages)
        check_room(len(prompt.token_ids), self.context_size)
        request = self._generate(messages, fixed, prompt, sampling)
        return self._stream(prompt, request, cancel)

    def _generate(
        self,
        messages: Sequence[ChatMessage],
        fixed: int,
        prompt: RenderedPrompt,
        sampling: SamplingOptions,
    ) -> Callable[[int], Generate]:
        options, builder = self._options, self.prompt_builder
        saved = options is not None and options.state_cache is not None and options.model_sha256
        shared = builder.fixed_prefix(messages, fixed, prompt) if saved else 0
        if not MIN_TOKENS <= shared < len(prompt.token_ids):
            return lambda rid: Generate(rid, prompt.token_ids, sampling)
        template_id = builder.template_id
        return lambda rid: Generate(rid, prompt.token_ids, sampling, shared, template_id)

    def _stream(
        self, prompt: RenderedPrompt, generate: Callable[[int], Generate], cancel: CancelToken
    ) -> Iterator[ChatEvent]:
        if self._options is None:
            raise EngineError("No model is loaded; choose a model for this assistant first.")
        sent = self._supervisor.request(generate, cancel)
        if sent is None:
            raise EngineError(_DIED)
        child, request = sent
        cancelled_upto = self._cancelled_upto
        assert cancelled_upto is not None
        self.last_prompt = prompt
        start = time.perf_counter()
        first: float | None = None
        text: list[str] = []
        stop_deadline: float | None = None
        finished = False
        try:
            while True:
                timeout = None
                if stop_deadline is not None:
                    timeout = max(0.0, stop_deadline - time.monotonic())
                reply = request.get(timeout)
                if stop_deadline is None and cancel.cancelled:  # before pieces already queued
                    cancelled_upto.value = request.id
                    stop_deadline = time.monotonic() + _STOP_GRACE_S
                if reply is None:
                    # The child is inside one long step; its late pieces carry this id and
                    # are dropped.
                    finished = True
                    yield self._finished(prompt, len(text), 0, start, first, "cancelled")
                    return
                if reply is CANCELLED:
                    continue  # seen above
                if isinstance(reply, PromptProgress):
                    if stop_deadline is None:
                        yield PromptRead(reply.done, reply.total)
                    continue
                if isinstance(reply, Delta):
                    if stop_deadline is not None:
                        continue  # stopped: pieces already under way are not shown
                    if first is None:
                        first = time.perf_counter() - start
                    text.append(reply.text)
                    yield TextDelta(reply.text, reply.tokens)
                    continue
                finished = True
                if isinstance(reply, Done):
                    self.last_evaluated = reply.evaluated
                    reason = "cancelled" if stop_deadline is not None else reply.stop_reason
                    yield self._finished(
                        prompt, reply.completion_tokens, reply.cached_tokens, start, first, reason
                    )
                elif reply is ENDED:
                    child.stop(timeout=0.0, closing=False)  # the next message starts a new one
                    yield Failed(_DIED, partial_text="".join(text))
                elif isinstance(reply, GenerateFailed):
                    yield Failed(reply.sentence, partial_text="".join(text))
                return
        finally:
            request.close()
            if not finished:  # the caller stopped reading: stop the child too
                cancelled_upto.value = request.id

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
