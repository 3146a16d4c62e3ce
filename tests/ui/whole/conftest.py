"""Fixtures for the tests that look at the whole window: a home as a person has it after a
first afternoon (a model, a collection, two assistants, a conversation with a cited answer)
and the main window over it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.model import CollectionRef
from assistant_builder.core.assistants.presets import STARTING_POINTS, from_starting_point
from assistant_builder.core.assistants.store import AssistantStore, model_ref
from assistant_builder.core.citation import Citation
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.models.registry import InstalledModel, ModelRegistry
from assistant_builder.core.paths import Paths
from assistant_builder.ui.main_window import MainWindow

DESCRIPTION = (
    "Answers from my bills, contracts and insurance letters, with the page where it found "
    "each answer."
)


def furnish(paths: Paths, documents: Path) -> str:
    """Fills the home; returns the id of the document assistant (it has a conversation)."""
    paths.ensure()
    gguf = paths.models_dir / "SmolLM2-135M-Instruct-Q8_0_with_a_long_file_name_1.gguf"
    gguf.parent.mkdir(parents=True, exist_ok=True)
    gguf.write_bytes(b"GGUF" + b"\0" * 4000)
    model = ModelRegistry(paths.models_registry).add(
        InstalledModel(
            id="smollm2", name="SmolLM2 135M Instruct", path=str(gguf), sha256="a" * 64,
            size=4004, repo="HuggingFaceTB/SmolLM2-135M-Instruct-GGUF", filename=gguf.name,
        )
    )  # fmt: skip
    documents.mkdir(parents=True, exist_ok=True)
    lease = documents / "lease.md"
    lease.write_text("# Lease\n\nThe rent is due on the first day of each month.\n")
    Collections(paths).create("Household papers", [documents])
    store = AssistantStore(paths.assistants_dir)
    docs, writer, _blank = STARTING_POINTS
    helper = from_starting_point(docs, name="Household papers", model=model_ref(model))
    helper = store.create(
        replace(helper, description=DESCRIPTION, collections=(CollectionRef("Household papers"),))
    )
    store.create(from_starting_point(writer, name="Letter polisher", model=model_ref(model)))
    with ConversationStore(paths.conversations_db) as conversations:
        conversation = conversations.create(helper.id)
        conversations.add_message(conversation.id, "user", "When is the rent due?")
        conversations.add_message(
            conversation.id, "assistant", "The rent is due on the first day of each month [1].",
            citations=[Citation(1, str(lease), None, 9, 56, "The rent is due on the first "
                                "day of each month.", 0.9)],
        )  # fmt: skip
    return helper.id


@pytest.fixture
def furnished_window(
    qtbot: QtBot, app_home: Paths, tmp_path: Path
) -> Iterator[tuple[MainWindow, str]]:
    from PySide6.QtWidgets import QApplication

    from assistant_builder.core.app import App
    from assistant_builder.core.services import Services
    from assistant_builder.core.settings import Settings
    from assistant_builder.ui.theme import apply_theme

    helper = furnish(app_home, tmp_path / "Household papers")
    qt_app = QApplication.instance()
    assert isinstance(qt_app, QApplication)
    apply_theme(qt_app, "light")  # as the app does before it opens its window
    window = MainWindow(App(Services.create(), Settings(theme="light")))
    qtbot.addWidget(window)
    window.resize(1100, 720)
    window.show()
    qtbot.waitExposed(window)
    window.assistants_page.chat_requested.emit(helper)
    conversations = window.conversations.list(helper)
    window.chat_page.open_conversation(conversations[0].id)
    yield window, helper
