"""The Chat page with an assistant whose model is on a model server (Ollama's OpenAI endpoint
replayed on loopback): the answer streams in and is kept with its conversation; a server that
goes away partway leaves what it wrote on screen and in the conversation, with one sentence."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.answering import no_retrieval
from assistant_builder.core.assistants.model import Assistant, ModelRef
from assistant_builder.core.assistants.session import AnswerSession
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.engine.sampling import SamplingOptions
from assistant_builder.core.paths import Paths
from assistant_builder.core.services import Services
from assistant_builder.ui.chat.page import ChatPage
from assistant_builder.ui.engine_host import EngineHost
from tests.servers.wire import ANSWER, OLLAMA_MODEL, Script, replay_server
from tests.ui.chat.conftest import ask


@pytest.fixture
def served(
    qtbot: QtBot, app_home: Paths
) -> Iterator[tuple[ChatPage, Script, Assistant, ConversationStore]]:
    paths = app_home.ensure()
    with replay_server("ollama") as (url, script):
        services = Services.create(paths)
        services.servers.add("Team", url)
        store = AssistantStore(paths.assistants_dir)
        helper = store.create(
            Assistant(id="", name="Helper", model=ModelRef(id=OLLAMA_MODEL, server="Team"),
                      sampling=SamplingOptions(temperature=0.0, max_tokens=20))
        )  # fmt: skip
        conversations = ConversationStore(paths.conversations_db)
        session = AnswerSession(services, retrieve=no_retrieval, conversations=conversations)
        host = EngineHost(session)
        page = ChatPage(host, store, conversations)
        qtbot.addWidget(page)
        page.show()
        page.open_assistant(helper.id)
        yield page, script, helper, conversations
        host.shutdown()
        session.close()
        conversations.close()


def test_a_server_assistant_answers_in_the_chat_and_a_lost_server_keeps_the_text(
    qtbot: QtBot, served: tuple[ChatPage, Script, Assistant, ConversationStore]
) -> None:
    page, script, _, conversations = served
    panel = page.panel
    ask(qtbot, panel, "How long do cats sleep?")
    assert panel.transcript.views[-1].text == "".join(ANSWER)
    assert not panel.banner.isVisible()

    script.chat = "drop"
    ask(qtbot, panel, "And dogs?")
    assert panel.banner.isVisible()
    said = panel.banner.message.text()
    assert "“Team” stopped answering partway; what it wrote is kept" in said
    assert panel.transcript.views[-1].text == "".join(ANSWER[:2])
    [conversation] = conversations.list()
    saved = conversations.messages(conversation.id)
    assert [m.role for m in saved] == ["user", "assistant", "user", "assistant"]
    assert saved[-1].content == "".join(ANSWER[:2]) and not saved[-1].complete
