"""What ask, chat and serve share: one engine, one conversation store and one retriever for a
run of the app, answering with any assistant (its model is loaded on first use and kept)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from assistant_builder.core.assistants.answering import (
    AnsweringEngine,
    Prepared,
    Retriever,
    answer,
    load_options,
)
from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.assistants.turn import Answer
from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.engine.protocol import ChatMessage, LoadOptions, TextDelta
from assistant_builder.core.engine.sampling import adjusted
from assistant_builder.core.services import Services
from assistant_builder.core.settings import Settings


class AnswerSession:
    """Answers questions with the user's assistants. Not thread-safe: one answer at a time
    (the engine runs one request, the store has one connection); ``serve`` queues requests."""

    def __init__(
        self,
        services: Services,
        *,
        settings: Settings | None = None,
        engine: AnsweringEngine | None = None,
        retrieve: Retriever | None = None,
    ) -> None:
        self.services = services
        self.settings = settings or services.load_settings()
        if engine is None:
            from assistant_builder.core.engine.local import LocalEngine

            engine = LocalEngine()
        if retrieve is None:
            from assistant_builder.core.assistants.retrieval import knowledge_retriever

            retrieve = knowledge_retriever(services.paths)
        self.engine = engine
        self.retrieve = retrieve
        self.assistants = AssistantStore(services.paths.assistants_dir)
        self.conversations = ConversationStore(services.paths.conversations_db)

    def close(self) -> None:
        self.engine.unload()
        self.conversations.close()

    def __enter__(self) -> AnswerSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def assistant(self, ref: str) -> Assistant:
        return self.assistants.get(ref)

    def load(self, assistant: Assistant, *, cancel: CancelToken = NEVER) -> None:
        """Load the assistant's model now (answering would otherwise do it on first use)."""
        options = self._options(assistant)
        if self.engine.loaded_options != options:
            self.engine.load(options, cancel=cancel)

    def _options(self, assistant: Assistant) -> LoadOptions:
        return load_options(
            assistant,
            self.services.models,
            threads=self.settings.threads,
            gpu_layers=self.settings.gpu_layers,
        )

    def ask(
        self,
        assistant: Assistant,
        question: str,
        *,
        conversation_id: int | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        cancel: CancelToken = NEVER,
    ) -> Iterator[Prepared | TextDelta | Answer]:
        """Yield Prepared, the answer's text as it streams, then the saved Answer."""
        sampling = adjusted(assistant.sampling, max_tokens=max_tokens, temperature=temperature)
        assistant = replace(assistant, sampling=sampling)
        return answer(
            assistant,
            question,
            engine=self.engine,
            options=self._options(assistant),
            conversations=self.conversations,
            conversation_id=conversation_id,
            retrieve=self.retrieve,
            user_name=self.settings.user_name,
            cancel=cancel,
        )

    def conversation_with(self, assistant: Assistant, history: Sequence[ChatMessage]) -> int:
        """A new conversation holding earlier turns sent by a client (the API is stateless)."""
        conversation_id = self.conversations.create(assistant.id).id
        for message in history:
            if message.role in ("user", "assistant") and message.content.strip():
                self.conversations.add_message(conversation_id, message.role, message.content)
        return conversation_id
