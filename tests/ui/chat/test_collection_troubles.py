"""The whole window with the real SmolLM2, asked by an assistant whose documents are not
there: a collection that is gone offers to edit the assistant at its Knowledge section, and
one with nothing indexed offers to index it; after "Index now" the same question is answered."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.model import Assistant, CollectionRef
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.paths import Paths
from assistant_builder.ui.main_window import MainWindow
from tests.ui.chat.conftest import ask

pytestmark = pytest.mark.integration


def test_a_collection_that_is_gone_offers_to_edit_the_assistant_at_its_knowledge(
    qtbot: QtBot,
    window: MainWindow,
    helper: Assistant,
    assistants: AssistantStore,
    paths: Paths,
    tmp_path: Path,
) -> None:
    Collections(paths).create("Manuals", [tmp_path])
    assistants.save(replace(helper, collections=(CollectionRef("Manuals"),)))
    shutil.rmtree(Collections(paths).folder("Manuals"))  # deleted outside the app
    window.assistants_page.chat_requested.emit(helper.id)
    panel = window.chat_page.panel
    ask(qtbot, panel, "How do I reset the boiler?")
    assert panel.banner.isVisible()
    assert panel.banner.message.text() == (
        "“Helper” reads the collection “Manuals”, which no longer exists; edit the "
        "assistant's documents, or create the collection again."
    )
    assert "assistant-builder" not in panel.banner.message.text()
    assert panel.banner.action_button.text() == "Edit the assistant"
    panel.banner.action_button.click()
    editor = window.assistants_page.editor
    assert window.current_page_name() == "Assistants"
    assert editor.draft().id == helper.id
    assert editor.tabs.currentWidget() is editor.knowledge
    assert editor.knowledge.collections.item(0).text() == "Manuals (missing)"


def test_a_collection_with_nothing_indexed_offers_index_now_and_then_answers(
    qtbot: QtBot,
    window: MainWindow,
    helper: Assistant,
    assistants: AssistantStore,
    paths: Paths,
    tmp_path: Path,
    minilm_dir: Path,
) -> None:
    folder = tmp_path / "manuals"
    folder.mkdir()
    (folder / "boiler.md").write_text("# Boiler\n\nTo reset the boiler, hold the red button.")
    Collections(paths).create("Manuals", [folder], embedder=str(minilm_dir))
    assistants.save(replace(helper, collections=(CollectionRef("Manuals"),)))
    window.assistants_page.chat_requested.emit(helper.id)
    panel = window.chat_page.panel
    ask(qtbot, panel, "How do I reset the boiler?")
    assert panel.banner.message.text() == (
        "The collection “Manuals” has nothing indexed yet; index it first."
    )
    assert panel.banner.action_button.text() == "Index now"
    library = window.library_page
    with qtbot.waitSignal(library.index_runner.finished, timeout=120_000):
        panel.banner.action_button.click()
        assert window.current_page_name() == "Library"
        assert library.indexing == "Manuals"
    assert library.model.summary(library.model.row_of("Manuals")).files == 1

    window.show_page("Chat")
    ask(qtbot, panel, "How do I reset the boiler?")
    assert not panel.banner.isVisible()
    answer = panel.transcript.views[-1]
    assert answer.role == "assistant" and answer.text.strip()
