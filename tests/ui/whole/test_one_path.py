"""One answering path: what the editor's final-prompt panel shows is, token for token, what the
engine evaluates when the Chat page asks the same question, with the person's name from
Settings, example exchanges, retrieved passages and, for a follow-up, the conversation so far."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.model import (
    Assistant,
    CollectionRef,
    Example,
    ModelRef,
)
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.engine.sampling import SamplingOptions
from assistant_builder.core.paths import Paths

pytestmark = pytest.mark.integration

GARDEN = (
    "# Garden\n\nTomatoes are watered every morning in summer. The roses are pruned in "
    "February, just before the buds open.\n"
)


def _evaluated_text(window: object) -> str:
    """The prompt tokens the engine's child holds after an answer, as text."""
    from assistant_builder.core.engine.llama_runtime import Vocabulary

    engine = window.session.engine  # type: ignore[attr-defined]
    vocabulary = Vocabulary(engine.loaded_options.model_path)
    try:
        return vocabulary.detokenize(engine.last_evaluated)
    finally:
        vocabulary.close()


def _ask(qtbot: QtBot, chat: object, question: str) -> None:
    chat.composer.edit.setPlainText(question)  # type: ignore[attr-defined]
    with qtbot.waitSignal(chat.busy_changed, timeout=180_000, check_params_cb=lambda b: not b):  # type: ignore[attr-defined]
        qtbot.keyClick(chat.composer.edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]


def test_the_final_prompt_panel_shows_what_the_engine_evaluates(
    qtbot: QtBot,
    app_home: Paths,
    smollm2_registry: object,
    minilm_dir: Path,
    tmp_path: Path,
    shared_knowledge: object,
) -> None:
    from assistant_builder.core.app import App
    from assistant_builder.core.knowledge.collection import Collections
    from assistant_builder.core.knowledge.indexer import index_collection
    from assistant_builder.core.services import Services
    from assistant_builder.ui.main_window import MainWindow

    paths = app_home.ensure()
    folder = tmp_path / "garden"
    folder.mkdir()
    (folder / "garden.md").write_text(GARDEN, encoding="utf-8")
    collections = Collections(paths)
    collections.create("Garden", [folder], embedder=str(minilm_dir))
    for _ in index_collection(collections, "Garden"):
        pass
    assistant = AssistantStore(paths.assistants_dir).create(
        Assistant(
            id="", name="Gardener", model=ModelRef(id="smollm2"),
            system_prompt="You are {assistant_name}, helping {user_name} with the garden.",
            examples=(Example("Hello!", "Hello, how can I help in the garden?"),),
            collections=(CollectionRef("Garden", top_k=2),),
            sampling=SamplingOptions(temperature=0.0, seed=1, max_tokens=12), context_size=2048,
        )
    )  # fmt: skip
    services = Services.create()
    settings, _ = services.load_settings_or_defaults()
    settings.threads, settings.gpu_layers, settings.user_name = 1, 0, "Ada"
    window = MainWindow(App(services, settings, knowledge=shared_knowledge))  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1100, 720)
    window.show()
    qtbot.waitExposed(window)

    question = "When are the roses pruned?"
    page = window.assistants_page
    page.open_editor(assistant.id)
    panel = page.editor.prompt_panel
    panel.question.setText(question)
    qtbot.waitUntil(lambda: "pruned in" in panel.text.toPlainText(), timeout=60_000)
    shown = panel.view.text if panel.view is not None else ""
    assert "helping Ada with the garden" in shown and "Hello, how can I help" in shown

    page.chat_requested.emit(assistant.id)
    chat = window.chat_page.panel
    _ask(qtbot, chat, question)
    assert chat.messages()[-1].content.strip()
    assert _evaluated_text(window) == shown

    # A follow-up: the conversation so far is part of the prompt, and still the same.
    follow_up = "And the tomatoes?"
    expected = window.session.preview(
        window.chat_page.assistant(), follow_up, conversation_id=chat.conversation_id
    ).text
    assert question in expected and chat.messages()[-1].content.strip() in expected
    _ask(qtbot, chat, follow_up)
    assert _evaluated_text(window) == expected
    window.close()
