"""Fixtures of the final-prompt panel and source viewer tests: the real SmolLM2 registered in
the temp home, a tiny real collection indexed with the real MiniLM, and the Assistants page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.app import App
from assistant_builder.core.assistants.preview import PromptPreviewer
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.paths import Paths
from assistant_builder.core.services import Services
from assistant_builder.core.settings import Settings
from assistant_builder.ui.pages.assistants_page import AssistantsPage


@pytest.fixture
def paths(app_home: Paths) -> Paths:
    return app_home.ensure()


@pytest.fixture
def registry(paths: Paths, smollm2_registry: ModelRegistry) -> ModelRegistry:
    return smollm2_registry


@pytest.fixture
def store(paths: Paths) -> AssistantStore:
    return AssistantStore(paths.assistants_dir)


@pytest.fixture
def pets(paths: Paths, minilm_dir: Path, tmp_path: Path) -> str:
    """A collection "pets" of three real files, indexed with the real MiniLM."""
    from assistant_builder.core.knowledge.indexer import index_collection

    folder = tmp_path / "pets"
    folder.mkdir()
    (folder / "cats.md").write_text(
        "# Cats\n\nCats sleep for about fifteen hours every day, mostly in warm places. "
        "Kittens and old cats sleep even longer, sometimes twenty hours. A cat that sleeps "
        "in the sun keeps warm without spending energy, which is why sunny windowsills, "
        "radiators and laundry baskets are favourite spots in most homes.\n"
    )
    (folder / "dogs.md").write_text(
        "# Dogs\n\nDogs need a walk twice a day and sleep about twelve hours. "
        "Puppies nap often between short bursts of play. A tired dog is a calm dog: long "
        "walks, games of fetch and sniffing new places all help a dog settle down at night "
        "and sleep through without waking the whole house.\n"
    )
    (folder / "fish.txt").write_text(
        "Goldfish rest at night near the bottom of the tank and need clean, cool water. "
        "They do not close their eyes, because they have no eyelids, but they move much "
        "less and their colours fade a little while they rest in the dark.\n"
    )
    collections = Collections(paths)
    collections.create("pets", [folder], embedder=str(minilm_dir))
    for _ in index_collection(collections, "pets"):
        pass
    return "pets"


@pytest.fixture
def app(paths: Paths, registry: ModelRegistry, shared_knowledge, make_app) -> App:
    """The façade the page is built on; its previewer reads passages in the shared knowledge
    process and knows the person's name."""
    return make_app(Services.create(paths), Settings(user_name="Ada"), knowledge=shared_knowledge)


@pytest.fixture
def source(app: App) -> PromptPreviewer:
    return app.previewer


@pytest.fixture
def make_page(qtbot: QtBot, store: AssistantStore, app: App) -> Callable[[], AssistantsPage]:
    def make() -> AssistantsPage:
        page = AssistantsPage(app)
        qtbot.addWidget(page)
        page.resize(1200, 760)
        page.show()
        qtbot.waitExposed(page)
        return page

    return make
