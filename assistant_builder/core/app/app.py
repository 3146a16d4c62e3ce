"""App: the one owner of each scarce resource the window's pages share (the knowledge process,
the assistants folder, the conversations file and its one writer, the answering session with its
loaded model, the settings and the network policy), and the use cases the pages drive on them
(mixed in from the sibling modules, one per part of the app). Built once by the composition root
(assistant_builder/app.py) and handed to the main window, which builds nothing of core itself."""

from __future__ import annotations

from assistant_builder.core.app.assistants import AssistantUseCases
from assistant_builder.core.app.checks import CheckUseCases
from assistant_builder.core.app.compare import CompareUseCases
from assistant_builder.core.app.library import LibraryUseCases
from assistant_builder.core.app.models import ModelUseCases
from assistant_builder.core.app.servers import ServerUseCases
from assistant_builder.core.assistants.preview import PromptPreviewer
from assistant_builder.core.assistants.retrieval import (
    process_embedding,
    process_frequencies,
    process_retriever,
)
from assistant_builder.core.assistants.session import AnswerSession
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.engine import state_cache
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.process import KnowledgeProcess
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.network import (
    NetworkPolicy,
    apply_offline_environment,
    offline_from_env,
)
from assistant_builder.core.onboarding import FirstRun
from assistant_builder.core.paths import Paths
from assistant_builder.core.services import Services
from assistant_builder.core.settings import Settings


class App(
    ModelUseCases,
    LibraryUseCases,
    AssistantUseCases,
    ServerUseCases,
    CompareUseCases,
    CheckUseCases,
):
    """Everything the window's pages share, and what the person does with it. ``knowledge``
    may be given (tests share one child between windows); otherwise the app owns its knowledge
    process and ends it on close."""

    def __init__(
        self,
        services: Services,
        settings: Settings,
        *,
        knowledge: KnowledgeProcess | None = None,
    ) -> None:
        self.services = services
        self.settings = settings
        self._owns_knowledge = knowledge is None
        # Its child starts on first use: building the app costs nothing on the way to the window.
        self.knowledge = knowledge or KnowledgeProcess()
        self.collections: Collections = services.collections
        self.assistants = AssistantStore(services.paths.assistants_dir)
        self.conversations = ConversationStore(services.paths.conversations_db)
        # The one answering path (Chat, Try it and the final-prompt panel); passages and the
        # attribution's embedder come from the knowledge process, never this process.
        self.session = AnswerSession(
            services,
            settings=settings,
            retrieve=process_retriever(self.knowledge, services.paths),
            embed=process_embedding(self.knowledge, services.paths),
            frequencies=process_frequencies(self.knowledge, services.paths),
            conversations=self.conversations,
            assistants=self.assistants,  # one store of assistants for the app and its answering
        )

    @property
    def paths(self) -> Paths:
        return self.services.paths

    @property
    def models(self) -> ModelRegistry:
        return self.services.models

    @property
    def network(self) -> NetworkPolicy:
        return self.services.network

    @property
    def first_run(self) -> FirstRun:
        """The first-run guide's use cases (core/onboarding.py)."""
        return FirstRun(self)

    @property
    def previewer(self) -> PromptPreviewer:
        return self.session.previewer

    def save_settings(self, settings: Settings) -> None:
        """Use ``settings`` from now on (the next answer, the offline switch) and keep them."""
        self.settings = settings
        self.session.settings = settings
        offline = offline_from_env(settings.offline)
        if offline != self.services.network.offline:
            apply_offline_environment(offline)
        self.services.network.offline = offline
        self.services.save_settings(settings)
        state_cache.prune(self.paths.state_cache_dir, settings.state_cache_mb * state_cache.MB)

    def stop_knowledge(self) -> None:
        """End the knowledge process if this app started it (what runs there stops)."""
        if self._owns_knowledge:
            self.knowledge.shutdown()

    def close(self) -> None:
        """Unload the model and close the stores (the window has stopped using them)."""
        self.session.close()
        self.conversations.close()
        self.stop_knowledge()
