"""The one answering path: one engine, the conversation store and the retriever of a run of the
app, answering with any assistant (its model loaded on first use and kept), and the preview of
the final prompt built the same way. The desktop app (ui/engine_host.py, a thin Qt shell), ask,
chat and serve all answer through ``AnswerSession.ask``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from assistant_builder.core.assistants.answering import (
    AnsweringEngine,
    CollectionEmbed,
    CollectionFrequencies,
    Prepared,
    Retriever,
    answer,
    history_of,
    load_options,
)
from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.preview import PromptPreviewer, PromptView
from assistant_builder.core.assistants.prompt import Passage
from assistant_builder.core.assistants.stages import SENTENCES, Stage
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.assistants.thinking import ThinkingDelta
from assistant_builder.core.assistants.turn import Answer
from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.engine.protocol import Adapter, ChatMessage, LoadOptions, TextDelta
from assistant_builder.core.engine.sampling import adjusted
from assistant_builder.core.engine.state_cache import MB, StateCacheOptions
from assistant_builder.core.errors import ModelMissing
from assistant_builder.core.servers.catalog import Servers
from assistant_builder.core.services import Services
from assistant_builder.core.settings import Settings


@dataclass(frozen=True)
class Loading:
    """The assistant's model is being loaded (it was not, or other settings were)."""

    model: str

    @property
    def sentence(self) -> str:
        return SENTENCES["loading"]


@dataclass(frozen=True)
class Loaded:
    gpu_layers: int  # layers that went to a GPU (0: all on the CPU)
    runs_on: str = ""  # where the model computes, for the status line ("": the engine cannot say)


AnswerEvent = Loading | Loaded | Stage | Prepared | TextDelta | ThinkingDelta | Answer


def server_options(assistant: Assistant, servers: Servers) -> LoadOptions:
    """How a model server's model is "loaded": named by the server's address, with the
    assistant's context size for a server that does not report its own, its thinking switch
    when the person set one, and a chat template of its own refused (the server has one)."""
    base = servers.engine(assistant.model.server, assistant.model.id)
    return replace(
        base.load_options(assistant.context_size),
        chat_template=assistant.chat_template or None,
        thinking=assistant.think,
        adapters=tuple(Adapter(a.id, a.scale) for a in assistant.adapters),
    )


def _local_engine() -> AnsweringEngine:
    from assistant_builder.core.engine.local import LocalEngine

    return LocalEngine()


class AnswerSession:
    """Answers questions with the user's assistants, one at a time (the engine runs one
    request; the app's engine host runs them on one worker and ``serve`` queues them).

    The engine is made on first use (``engine_factory``), so building a session costs
    nothing on the way to the first window."""

    def __init__(
        self,
        services: Services,
        *,
        settings: Settings | None = None,
        engine: AnsweringEngine | None = None,
        engine_factory: Callable[[], AnsweringEngine] = _local_engine,
        retrieve: Retriever | None = None,
        embed: CollectionEmbed | None = None,
        frequencies: CollectionFrequencies | None = None,
        conversations: ConversationStore | None = None,
        assistants: AssistantStore | None = None,
    ) -> None:
        self.services = services
        self.settings = settings or services.load_settings()
        if retrieve is None:
            from assistant_builder.core.assistants.retrieval import InProcessKnowledge

            knowledge = InProcessKnowledge(services.paths)
            retrieve, embed = knowledge.retrieve, embed or knowledge.embed
            frequencies = frequencies or knowledge.frequencies
        self._engine = engine
        self._engine_factory = engine_factory
        # The engine of an assistant whose model is on a model server, by (server, model).
        self._remote: tuple[tuple[str, str], AnsweringEngine] | None = None
        # Held by whoever uses the engine from a worker (the app's engine host, running checks),
        # so two threads never drive the one loaded model at once.
        self.lock = threading.Lock()
        self.retrieve = retrieve
        self.embed = embed
        self.frequencies = frequencies
        self.assistants = assistants or AssistantStore(services.paths.assistants_dir)
        self._owns_conversations = conversations is None
        self.conversations = conversations or ConversationStore(services.paths.conversations_db)
        self.previewer = PromptPreviewer(
            services.models, retrieve, user_name=lambda: self.settings.user_name,
            kv_cache=lambda: self.settings.kv_cache, servers=services.servers,
        )  # fmt: skip

    @property
    def engine(self) -> AnsweringEngine:
        if self._engine is None:
            self._engine = self._engine_factory()
        return self._engine

    def engine_for(self, assistant: Assistant) -> AnsweringEngine:
        """The engine that answers for ``assistant``: this computer's, or a model server's
        (kept while the next question uses the same server and model)."""
        server = assistant.model.server
        if not server:
            return self.engine
        key = (server.casefold(), assistant.model.id)
        if self._remote is None or self._remote[0] != key:
            if self._remote is not None:
                self._remote[1].unload()
            self._remote = (key, self.services.servers.engine(server, assistant.model.id))
        return self._remote[1]

    def sibling(self) -> AnswerSession:
        """A session sharing this one's services, settings, search, conversations and
        assistants but with an engine of its own (Compare keeps two models loaded when both
        fit in memory)."""
        return AnswerSession(
            self.services, settings=self.settings, engine_factory=self._engine_factory,
            retrieve=self.retrieve, embed=self.embed, frequencies=self.frequencies,
            conversations=self.conversations,
            assistants=self.assistants,
        )  # fmt: skip

    def unload(self) -> None:
        """Unload the model (the next question loads it again)."""
        if self._engine is not None:
            self._engine.unload()
        if self._remote is not None:
            self._remote[1].unload()

    def close(self) -> None:
        self.unload()
        self.previewer.close()
        if self._owns_conversations:
            self.conversations.close()

    def __enter__(self) -> AnswerSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def assistant(self, ref: str) -> Assistant:
        return self.assistants.get(ref)

    def options(self, assistant: Assistant) -> LoadOptions:
        """How the assistant's model is loaded with this computer's settings; a model file
        gone from the disk is a ModelMissing with the fix, before llama.cpp ever sees it. A
        model server's model is named by its address; the server loads it as it was started."""
        if assistant.model.server:
            return server_options(assistant, self.services.servers)
        options = load_options(
            assistant,
            self.services.models,
            threads=self.settings.threads,
            gpu_layers=self.settings.gpu_layers,
            kv_cache=self.settings.kv_cache,
        )
        if not Path(options.model_path).is_file():
            raise ModelMissing(
                f"The model file of “{assistant.name}” is missing from this computer; "
                "download it again on the Models page or choose another model."
            )
        states = StateCacheOptions(
            self.services.paths.state_cache_dir, self.settings.state_cache_mb * MB
        )
        return replace(options, state_cache=states if states.limit_bytes > 0 else None)

    def load(
        self,
        assistant: Assistant,
        *,
        options: LoadOptions | None = None,
        cancel: CancelToken = NEVER,
    ) -> Iterator[Loading | Loaded]:
        """Load the assistant's model unless it is loaded with the same options already."""
        options = options or self.options(assistant)
        engine = self.engine_for(assistant)
        if engine.loaded_options != options:
            yield Loading(assistant.model.id or Path(options.model_path).stem)
            engine.load(options, cancel=cancel)
            yield Loaded(int(getattr(engine, "gpu_layers", 0)), str(getattr(engine, "runs_on", "")))

    def ask(
        self,
        assistant: Assistant,
        question: str,
        *,
        conversation_id: int | None = None,
        conversations: ConversationStore | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        passages: Sequence[Passage] | None = None,
        cancel: CancelToken = NEVER,
    ) -> Iterator[AnswerEvent]:
        """Yield Loading/Loaded when the model must be loaded, then the stages, Prepared, the
        answer's text as it streams, and the saved Answer. ``conversations`` keeps the exchange
        elsewhere than the person's conversations (the editor's Try it, Compare); ``passages``
        are answered on instead of searching (Compare's, found once)."""
        sampling = adjusted(assistant.sampling, max_tokens=max_tokens, temperature=temperature)
        assistant = replace(assistant, sampling=sampling)
        options = self.options(assistant)
        yield from self.load(assistant, options=options, cancel=cancel)
        yield from answer(
            assistant,
            question,
            engine=self.engine_for(assistant),
            options=options,
            conversations=conversations or self.conversations,
            conversation_id=conversation_id,
            retrieve=self.retrieve,
            embed=self.embed,
            frequencies=self.frequencies,
            user_name=self.settings.user_name,
            passages=passages,
            cancel=cancel,
        )

    def preview(
        self,
        assistant: Assistant,
        question: str,
        *,
        conversation_id: int | None = None,
        cancel: CancelToken = NEVER,
    ) -> PromptView:
        """The exact final prompt ``ask`` would send for this question now."""
        history: list[ChatMessage] = []
        if conversation_id is not None:
            history = history_of(self.conversations, conversation_id)
        return self.previewer.compute(assistant, question, history=history, cancel=cancel)

    def conversation_with(self, assistant: Assistant, history: Sequence[ChatMessage]) -> int:
        """A new conversation holding earlier turns sent by a client (the API is stateless)."""
        conversation_id = self.conversations.create(assistant.id).id
        for message in history:
            if message.role in ("user", "assistant") and message.content.strip():
                self.conversations.add_message(conversation_id, message.role, message.content)
        return conversation_id
