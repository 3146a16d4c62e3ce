"""The editor's final-prompt panel with a real model whose own chat template is broken: the
prompt is written on the standard template and the panel says why."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.model import Assistant, ModelRef
from assistant_builder.core.assistants.preview import PromptPreviewer
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.models.registry import InstalledModel, ModelRegistry
from assistant_builder.ui.pages.assistants_page import AssistantsPage
from tests.engine.test_broken_template_models import NOTICES
from tests.template_ggufs import BROKEN_TEMPLATES

pytestmark = pytest.mark.integration


@pytest.fixture
def source(registry: ModelRegistry) -> PromptPreviewer:
    return PromptPreviewer(registry)  # no documents here: no knowledge process needed


def install(registry: ModelRegistry, path: Path, model_id: str = "broken") -> None:
    registry.add(
        InstalledModel(id=model_id, name="Broken", path=str(path), sha256="c2" * 32,
                       size=path.stat().st_size)
    )  # fmt: skip


@pytest.mark.parametrize("kind", sorted(BROKEN_TEMPLATES))
def test_the_panel_shows_the_standard_prompt_and_the_notice(
    qtbot: QtBot, make_page: Callable[[], AssistantsPage], store: AssistantStore,
    registry: ModelRegistry, broken_template_ggufs: dict[str, Path], kind: str,
) -> None:  # fmt: skip
    install(registry, broken_template_ggufs[kind])
    assistant = store.create(
        Assistant(id="", name="Pet helper", model=ModelRef(id="broken"), system_prompt="Be kind.")
    )
    page = make_page()
    page.open_editor(assistant.id)
    panel = page.editor.prompt_panel
    qtbot.waitUntil(lambda: "Be kind." in panel.text.toPlainText(), timeout=60_000)
    assert panel.text.toPlainText().startswith("<|im_start|>system\nBe kind.<|im_end|>\n")
    assert panel.notice.isVisible() and panel.notice.text() == NOTICES[kind]
    assert not panel.warning.isVisible()
