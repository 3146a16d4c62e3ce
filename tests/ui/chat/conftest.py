"""Fixtures for the Chat page: the real SmolLM2 registered in the temp home, an assistant that
answers briefly on one thread, one engine host per test, and the page built on real stores."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.app import App
from assistant_builder.core.assistants.answering import no_retrieval
from assistant_builder.core.assistants.model import Assistant, ModelRef
from assistant_builder.core.assistants.session import AnswerSession
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.engine.sampling import SamplingOptions
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.paths import Paths
from assistant_builder.core.services import Services
from assistant_builder.core.settings import Settings
from assistant_builder.ui.chat.page import ChatPage
from assistant_builder.ui.chat.suggestions import Suggest
from assistant_builder.ui.engine_host import EngineHost
from assistant_builder.ui.main_window import MainWindow

BRIEF = SamplingOptions(temperature=0.0, seed=1, max_tokens=12)


@pytest.fixture
def paths(app_home: Paths) -> Paths:
    return app_home.ensure()


@pytest.fixture
def registry(paths: Paths, smollm2_registry: ModelRegistry) -> ModelRegistry:
    return smollm2_registry


@pytest.fixture
def assistants(paths: Paths) -> AssistantStore:
    return AssistantStore(paths.assistants_dir)


@pytest.fixture
def helper(assistants: AssistantStore, registry: ModelRegistry) -> Assistant:
    return assistants.create(
        Assistant(id="", name="Helper", model=ModelRef(id="smollm2"), sampling=BRIEF,
                  context_size=1024, system_prompt="You are {assistant_name}. Be brief.")
    )  # fmt: skip


def with_sampling(store: AssistantStore, assistant: Assistant, **changes: object) -> Assistant:
    return store.save(replace(assistant, sampling=replace(assistant.sampling, **changes)))  # type: ignore[arg-type]


@pytest.fixture
def window(qtbot: QtBot, paths: Paths, registry: ModelRegistry) -> Iterator[MainWindow]:
    """The whole window on this home, the real SmolLM2 answering on one thread."""
    win = MainWindow(App(Services.create(), Settings(threads=1, gpu_layers=0)))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.engine_host.shutdown()


@pytest.fixture
def conversations(paths: Paths) -> Iterator[ConversationStore]:
    store = ConversationStore(paths.conversations_db)
    yield store
    store.close()


@pytest.fixture
def session(
    paths: Paths, registry: ModelRegistry, conversations: ConversationStore
) -> Iterator[AnswerSession]:
    """The app's answering path with the person's settings: one thread, no GPU."""
    answer_session = AnswerSession(
        Services.create(paths), settings=Settings(threads=1, gpu_layers=0),
        retrieve=no_retrieval, conversations=conversations,
    )  # fmt: skip
    yield answer_session
    answer_session.close()


@pytest.fixture
def host(qtbot: QtBot, session: AnswerSession) -> Iterator[EngineHost]:
    engine_host = EngineHost(session)
    yield engine_host
    engine_host.shutdown()


@pytest.fixture
def make_page(
    qtbot: QtBot, host: EngineHost, assistants: AssistantStore, conversations: ConversationStore
) -> Callable[..., ChatPage]:
    def make(suggest: Suggest | None = None) -> ChatPage:
        page = ChatPage(host, assistants, conversations, suggest=suggest)
        qtbot.addWidget(page)
        page.resize(1000, 700)
        page.show()
        qtbot.waitExposed(page)
        return page

    return make


def ask(qtbot: QtBot, page_panel: object, question: str, timeout: int = 60_000) -> None:
    """Type the question and press Enter, then wait until the answer has ended."""
    from PySide6.QtCore import Qt

    from assistant_builder.ui.chat.panel import ChatPanel

    assert isinstance(page_panel, ChatPanel)
    page_panel.composer.edit.setPlainText(question)
    page_panel.composer.edit.setFocus()
    with qtbot.waitSignal(
        page_panel.busy_changed, timeout=timeout, check_params_cb=lambda b: not b
    ):
        qtbot.keyClick(page_panel.composer.edit, Qt.Key.Key_Return)
