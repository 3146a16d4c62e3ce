"""The Chat page with a real model whose own chat template is broken: it answers, and a quiet
line under the answer says the standard template was used and why."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.model import Assistant, ModelRef
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.ui.chat.page import ChatPage
from tests.engine.test_broken_template_models import NOTICES
from tests.ui.chat.conftest import BRIEF, ask
from tests.ui.prompt.test_template_notice import install

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("kind", ["raises", "escape"])
def test_the_answer_comes_with_a_quiet_notice(
    qtbot: QtBot, make_page: Callable[[], ChatPage], assistants: AssistantStore,
    registry: ModelRegistry, conversations: ConversationStore,
    broken_template_ggufs: dict[str, Path], kind: str,
) -> None:  # fmt: skip
    install(registry, broken_template_ggufs[kind])
    assistants.create(
        Assistant(id="", name="Helper", model=ModelRef(id="broken"), sampling=BRIEF,
                  context_size=1024, system_prompt="Be brief.")
    )  # fmt: skip
    page = make_page()
    notice = page.panel.template_notice
    assert not notice.isVisible()
    ask(qtbot, page.panel, "What colour is the sky?")
    assert not page.panel.banner.isVisible()
    stored = conversations.messages(page.panel.conversation_id or 0)
    assert [m.role for m in stored] == ["user", "assistant"] and stored[1].content.strip()
    assert notice.isVisible() and notice.text() == NOTICES[kind]
    page.open_conversation(None)  # a new conversation starts without it, until the next answer
    assert not notice.isVisible()
