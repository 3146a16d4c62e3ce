"""“Think before answering” in the Behaviour section, for a model whose template can switch
thinking (the real Qwen3 template as the assistant's own), and its effect in the final prompt."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.model import Assistant, CollectionRef, ModelRef
from assistant_builder.core.assistants.preview import PromptPreviewer
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.ui.pages.assistants_page import AssistantsPage

pytestmark = pytest.mark.integration

QWEN3 = (Path(__file__).parents[2] / "data" / "templates" / "qwen3.jinja").read_text("utf-8")
EMPTY_THINKING = "<|im_start|>assistant\n<think>\n\n</think>\n\n"


@pytest.fixture
def source(registry: ModelRegistry) -> PromptPreviewer:
    return PromptPreviewer(registry)  # no documents searched: no knowledge process needed


def test_think_before_answering_is_offered_and_shows_in_the_final_prompt(
    qtbot: QtBot, make_page: Callable[[], AssistantsPage], store: AssistantStore
) -> None:
    assistant = store.create(
        Assistant(id="", name="Lease helper", model=ModelRef(id="smollm2"),
                  chat_template=QWEN3, collections=(CollectionRef("lease"),))
    )  # fmt: skip
    page = make_page()
    page.open_editor(assistant.id)
    editor = page.editor
    panel, think = editor.prompt_panel, editor.behaviour.think
    # Answers from documents: off by default, and the prompt says so to the model.
    qtbot.waitUntil(lambda: panel.text.toPlainText().endswith(EMPTY_THINKING), timeout=60_000)
    editor.tabs.setCurrentWidget(editor.behaviour)
    assert think.isVisible() and not think.isChecked()
    assert "Thinking is off" in panel.notice.text()
    think.click()
    qtbot.waitUntil(
        lambda: panel.text.toPlainText().endswith("<|im_start|>assistant\n"), timeout=60_000
    )
    assert "Thinking is on" in panel.notice.text()
    editor.save()
    assert store.get(assistant.id).think is True


def test_a_template_without_the_switch_offers_nothing(
    qtbot: QtBot, make_page: Callable[[], AssistantsPage], store: AssistantStore
) -> None:
    assistant = store.create(Assistant(id="", name="Plain", model=ModelRef(id="smollm2")))
    page = make_page()
    page.open_editor(assistant.id)
    editor = page.editor
    qtbot.waitUntil(lambda: editor.prompt_panel.view is not None, timeout=60_000)
    editor.tabs.setCurrentWidget(editor.behaviour)
    assert not editor.behaviour.think.isVisible()
    assert "Thinking" not in editor.prompt_panel.notice.text()
    # “Will it run?” for this assistant, in its Model section.
    estimate = editor.model_section.memory_estimate.text()
    assert estimate.startswith(("Fits: Needs about", "Slow: ", "Won't fit: ")), estimate
