"""The one owner of the loaded model in the GUI: a thin Qt shell over the core AnswerSession
(the same answering path as ask, chat and serve). It runs one request at a time on a worker
thread (through TaskRunner), drops late events of stopped or superseded requests, reports the
engine's state for the status bar, and unloads the model when the app closes.

The chat page and the editor's Try it pane share one host, so one model is ever loaded. The
Chat page preloads its assistant's model (``preload``) so the first question does not wait
for it; a question asked meanwhile waits for that load instead of starting another."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from assistant_builder.core.app import AnswerSession, ConversationStore
from assistant_builder.core.records import (
    WORDS_PER_TOKEN,
    Answer,
    AppError,
    Assistant,
    Cancelled,
    CancelToken,
    CollectionMissing,
    ContextOverflow,
    EngineError,
    Loaded,
    Loading,
    ModelMissing,
    NotIndexed,
    Prepared,
    PromptTooLong,
    Stage,
    TextDelta,
    ThinkingDelta,
)
from assistant_builder.ui.workers import TaskRunner

NO_MODEL = "No model loaded"
READY = "Ready"  # a model is loaded by an engine that cannot say where it runs
RATE_EVERY_S = 0.5  # the status bar's writing speed is refreshed at most this often


@dataclass(frozen=True)
class _Unloaded:
    """The model was unloaded on request (after a crash, say)."""


@dataclass(frozen=True)
class Trouble:
    """Why an answer could not be given, and which fix to offer."""

    kind: str  # model_missing | context_full | crashed | collection_missing | not_indexed | other
    message: str  # one plain sentence
    details: str = ""
    collection: str = ""  # the collection concerned (collection_missing, not_indexed)


def trouble_of(exc: AppError) -> Trouble:
    details = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, ContextOverflow | PromptTooLong):
        return Trouble("context_full", str(exc), details)
    if isinstance(exc, ModelMissing):
        return Trouble("model_missing", str(exc), details)
    if isinstance(exc, EngineError):
        return Trouble("crashed", str(exc), details)
    if isinstance(exc, CollectionMissing):
        return Trouble("collection_missing", str(exc), details, exc.collection)
    if isinstance(exc, NotIndexed):
        return Trouble("not_indexed", str(exc), details, exc.collection)
    return Trouble("other", str(exc), details)


class EngineHost(QObject):
    """Signals carry the request id first; a receiver keeps only its own request's events."""

    state_changed = Signal(str)  # a sentence for the status bar
    # What the answer is doing before its first word ("Reading your documents…"), for its bubble.
    stage_changed = Signal(int, str)
    prepared = Signal(int, object)  # Prepared: the conversation id and the exact prompt
    streamed = Signal(int, str)  # a piece of the answer's text
    thought = Signal(int, str)  # a piece of a reasoning model's thinking (never the answer)
    answered = Signal(int, object)  # Answer, already saved in the conversation
    failed = Signal(int, object)  # Trouble
    stopped = Signal(int)
    ended = Signal(int)  # after answered, failed or stopped

    def __init__(self, session: AnswerSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        # One request uses the engine at a time: a superseded one finishes stopping first
        # (the session's lock, which running checks holds too).
        self._lock = session.lock
        self._runner = TaskRunner(self)
        self._runner.progressed.connect(self._on_progressed)
        self._runner.finished.connect(self._on_finished)
        self._runner.failed.connect(self._on_failed)
        self._runner.cancelled.connect(self._on_cancelled)
        # Preloading has its own runner: a question does not cancel it, it waits for it.
        self._preloader = TaskRunner(self)
        self._preloader.progressed.connect(self._on_preloaded)
        for ended in (self._preloader.finished, self._preloader.failed, self._preloader.cancelled):
            ended.connect(self._on_preload_ended)
        self._preloading = threading.Event()
        self._preloaded: Assistant | None = None  # the assistant preloaded last
        self._stopped: set[int] = set()
        self._state = NO_MODEL
        self._first_piece = 0.0
        self._tokens_seen = 0
        self._last_rate = 0.0
        self._ready_state = NO_MODEL

    # Asking ---------------------------------------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def busy(self) -> bool:
        return self._runner.busy

    def ask(
        self,
        assistant: Assistant,
        question: str,
        *,
        conversations: ConversationStore | None = None,
        conversation_id: int | None = None,
    ) -> int:
        """Start answering; returns the request id its signals will carry. ``conversations``
        keeps the exchange elsewhere than the session's store (the editor's Try it)."""
        self._preloaded = None  # a question may load another model (Try it's draft)
        previous = self._runner.current
        task = self._runner.start(self._answer, assistant, question, conversations, conversation_id)
        self._tokens_seen = 0
        if previous is not None:
            # Superseded: its own late signals are dropped, so say here that it ended.
            self.stopped.emit(previous.id)
            self.ended.emit(previous.id)
        return task.id

    def exclusive(self) -> threading.Lock:
        """Held while something else answers on the session's engine (Compare, on its own
        worker): a Chat question waits for it instead of sharing the engine mid-answer."""
        return self._lock

    def show_elsewhere(self, event: object, *, doing: str) -> None:
        """What another page's answering on the engine (Compare, Run checks) is doing, in the
        status line: ``doing`` names the work, a stage or loading event says where it is."""
        if isinstance(event, Loaded):
            self._ready_state = event.runs_on or READY
        stage = event.sentence if isinstance(event, Loading | Stage) else ""
        self._set_state(f"{doing}: {stage}" if stage else f"{doing}…")

    def elsewhere_ended(self) -> None:
        """That other page's work ended: the status line says what the engine holds again."""
        if not self._runner.busy:
            self._set_state(self._ready_state)

    def stop(self, request_id: int | None = None) -> None:
        """Stop the running request (only if it is ``request_id``, when given)."""
        current = self._runner.current
        if current is None or (request_id is not None and current.id != request_id):
            return
        self._stopped.add(current.id)
        current.cancel()

    def preload(self, assistant: Assistant) -> None:
        """Load the assistant's model in the background unless it is loaded or a question is
        being answered; a failure stays quiet here (the first question says what to do)."""
        if self._runner.busy or assistant == self._preloaded:
            return  # the page shown again, or chosen again: nothing changed
        self._preloaded = assistant
        self._preloader.start(self._preload, assistant)

    def restart(self) -> int:
        """Unload the model (after a crash, say); the next question loads it afresh."""
        self._preloaded = None
        task = self._runner.start(self._unload)
        return task.id

    def shutdown(self) -> None:
        """Stop whatever runs and unload the model (on app exit)."""
        self._preloaded = None
        self._runner.cancel()
        self._preloader.cancel()
        self._runner.wait(10_000)
        self._preloader.wait(10_000)
        with self._lock:
            self.session.unload()
        self._set_state(NO_MODEL)

    # Worker side ----------------------------------------------------------------------------
    def _answer(
        self,
        assistant: Assistant,
        question: str,
        conversations: ConversationStore | None,
        conversation_id: int | None,
        *,
        cancel: CancelToken,
    ) -> Iterator[object]:
        if self._preloading.is_set():
            yield Stage("loading")  # the Chat page's preload holds the engine: it is loading
        with self._lock:
            cancel.raise_if_cancelled()
            try:
                yield from self.session.ask(
                    assistant, question, conversations=conversations,
                    conversation_id=conversation_id, cancel=cancel,
                )  # fmt: skip
            except Cancelled:
                raise
            except AppError as exc:
                # A crashed child is replaced by the engine itself on the next question.
                yield trouble_of(exc)

    def _preload(
        self, assistant: Assistant, *, cancel: CancelToken
    ) -> Generator[object, None, bool]:
        """Whether the model is loaded now."""
        with self._lock:
            self._preloading.set()
            try:
                cancel.raise_if_cancelled()  # superseded while it waited
                yield from self.session.load(assistant, cancel=cancel)
            except AppError:
                return False  # the first question meets the same trouble and says what to do
            finally:
                self._preloading.clear()
            return True

    def _unload(self, *, cancel: CancelToken) -> Iterator[object]:
        with self._lock:
            self.session.unload()
            yield _Unloaded()

    # GUI side -------------------------------------------------------------------------------
    def _current_id(self) -> int:
        current = self._runner.current
        return current.id if current is not None else 0

    def _on_preloaded(self, event: object) -> None:
        if isinstance(event, Loading):
            self._set_state(event.sentence)
        elif isinstance(event, Loaded):
            self._ready_state = event.runs_on or READY
            if not self._runner.busy:
                self._set_state(self._ready_state)

    def _on_preload_ended(self, loaded: object = False) -> None:
        if loaded is not True:
            self._preloaded = None  # tried again next time (the model may be installed by then)
        if not self._runner.busy:  # a question says what it is doing itself
            self._set_state(self._ready_state)

    def _on_progressed(self, event: object) -> None:
        rid = self._current_id()
        if isinstance(event, Loading):
            self._set_state(event.sentence)
        elif isinstance(event, _Unloaded):
            self._ready_state = NO_MODEL
            self._set_state(NO_MODEL)
        elif isinstance(event, Loaded):
            self._ready_state = event.runs_on or READY
            self._set_state(self._ready_state)
        if rid in self._stopped:
            return  # late events of a stopped request are dropped
        if isinstance(event, Loading | Stage):
            self._set_state(event.sentence)
            self.stage_changed.emit(rid, event.sentence)
        elif isinstance(event, Prepared):
            if self._ready_state == NO_MODEL:
                self._ready_state = READY
            self.prepared.emit(rid, event)
        elif isinstance(event, TextDelta):
            self._count_tokens(event.tokens)
            self.streamed.emit(rid, event.text)
        elif isinstance(event, ThinkingDelta):
            self._count_tokens(1)
            self.thought.emit(rid, event.text)
        elif isinstance(event, Answer):
            self.answered.emit(rid, event)
        elif isinstance(event, Trouble):
            self.failed.emit(rid, event)

    def _count_tokens(self, tokens: int) -> None:
        now = time.monotonic()
        if self._tokens_seen == 0:
            self._first_piece = self._last_rate = now
        self._tokens_seen += tokens
        if now - self._last_rate >= RATE_EVERY_S:
            self._last_rate = now
            rate = (self._tokens_seen - 1) / max(1e-6, now - self._first_piece)
            self._set_state(f"Writing… about {rate * WORDS_PER_TOKEN:.1f} words a second")

    def _on_finished(self, _result: object) -> None:
        rid = self._current_id()
        self._set_state(self._ready_state)
        self._stopped.discard(rid)
        self.ended.emit(rid)

    def _on_failed(self, message: str) -> None:
        rid = self._current_id()
        self._set_state(self._ready_state)
        if rid not in self._stopped:
            self.failed.emit(rid, Trouble("other", message))
        self._stopped.discard(rid)
        self.ended.emit(rid)

    def _on_cancelled(self) -> None:
        rid = self._current_id()
        self._set_state(self._ready_state)
        self._stopped.discard(rid)
        self.stopped.emit(rid)
        self.ended.emit(rid)

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)
