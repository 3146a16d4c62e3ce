"""Fixtures for the Assistants page and editor: a home with an installed model, a few
collections and assistants, and the page built on the real stores in that home."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.model import Assistant, CollectionRef, Example
from assistant_builder.core.assistants.store import AssistantStore, model_ref
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.models.registry import InstalledModel, ModelRegistry
from assistant_builder.core.paths import Paths
from assistant_builder.ui.pages.assistants_page import AssistantsPage


def install(paths: Paths, model_id: str, name: str, kind: str = "model") -> InstalledModel:
    gguf = paths.models_dir / f"{model_id}.gguf"
    gguf.parent.mkdir(parents=True, exist_ok=True)
    gguf.write_bytes(b"GGUF" + model_id.encode() * 100)
    return ModelRegistry(paths.models_registry).add(
        InstalledModel(
            id=model_id, name=name, path=str(gguf), sha256=model_id[0] * 64, size=404,
            kind=kind, repo=f"someone/{model_id}-GGUF", filename=gguf.name,
        )
    )  # fmt: skip


@pytest.fixture
def paths(app_home: Paths) -> Paths:
    return app_home.ensure()


@pytest.fixture
def model(paths: Paths) -> InstalledModel:
    return install(paths, "smollm2", "SmolLM2 135M Instruct")


@pytest.fixture
def store(paths: Paths) -> AssistantStore:
    return AssistantStore(paths.assistants_dir)


@pytest.fixture
def collections(paths: Paths, tmp_path: Path) -> list[str]:
    documents = tmp_path / "documents"
    documents.mkdir(exist_ok=True)
    for name in ("Household papers", "Recipes"):
        Collections(paths).create(name, [documents])
    return ["Household papers", "Recipes"]


@pytest.fixture
def household(store: AssistantStore, model: InstalledModel, collections: list[str]) -> Assistant:
    return store.create(
        Assistant(
            id="",
            name="Household papers",
            model=model_ref(model),
            icon="☰",
            description="Answers from my bills and contracts.",
            system_prompt="You are {assistant_name}. Answer from the documents.",
            examples=(Example("When is the rent due?", "On the first of the month [1]."),),
            collections=(CollectionRef("Household papers", top_k=4, min_score=0.25),),
            only_from_documents=True,
        )
    )


@pytest.fixture
def make_page(
    qtbot: QtBot, paths: Paths, store: AssistantStore, make_app
) -> Callable[[], AssistantsPage]:
    def make() -> AssistantsPage:
        page = AssistantsPage(make_app())
        qtbot.addWidget(page)
        page.resize(1000, 700)
        page.show()
        qtbot.waitExposed(page)
        return page

    return make


def renamed(assistant: Assistant, name: str) -> Assistant:
    return replace(assistant, name=name)


def saved_file(store: AssistantStore, assistant_id: str) -> Path:
    return store.path_of(assistant_id)
