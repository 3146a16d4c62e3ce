"""The first run: from no assistant at all to a named document assistant answering with
sources — the model to get, the folder to read, the name — and whether to offer it."""

from __future__ import annotations

import re
from collections.abc import Generator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from assistant_builder.core.assistants.model import Assistant, Example
from assistant_builder.core.assistants.presets import STARTING_POINTS, from_starting_point
from assistant_builder.core.assistants.prompt import Passage, user_turn
from assistant_builder.core.assistants.store import AssistantStore, model_ref
from assistant_builder.core.errors import AppError, AssistantError
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.models.fit import Machine, detect_machine
from assistant_builder.core.models.recommend import (
    STARTER_ENTRY_ID,
    Recommendation,
    best_for_documents,
    starter_choice,
)
from assistant_builder.core.models.registry import InstalledModel, ModelRegistry
from assistant_builder.core.models.starter import STARTER_MODEL, STARTER_MODEL_ID
from assistant_builder.core.settings import Settings

if TYPE_CHECKING:
    from assistant_builder.core.cancel import CancelToken
    from assistant_builder.core.knowledge.process import KnowledgeProcess
    from assistant_builder.core.knowledge.report import IndexProgress, IndexReport
    from assistant_builder.core.paths import Paths

# One worked exchange in the very shape of a question with passages: it shows every model,
# the smallest above all, to answer from the passage in its words and cite it by number.
WORKED_EXAMPLE = Example(
    user_turn(
        "How often is the boiler serviced?",
        [
            Passage(
                1,
                "boiler-service.txt",
                None,
                0,
                58,
                "The boiler is serviced every October by Warmhouse Heating.",
                1.0,
            )
        ],
    ),
    "The boiler is serviced every October by Warmhouse Heating [1].",
)
# A model this small loses its way among many passages and in long answers: it gets the two
# best passages, room for a few sentences and its likeliest words (larger models keep the
# starting point's).
SMALL_MODEL_BYTES = 300_000_000
SMALL_MODEL_PASSAGES = 2
SMALL_MODEL_ANSWER_TOKENS = 100
SKIPPED = "first_run_skipped"  # kept in Settings.extra: the person chose to set up alone
DOCUMENTS_POINT = STARTING_POINTS[0]  # "Ask my documents"


def should_offer(assistants: AssistantStore, settings: Settings) -> bool:
    """Only before the first assistant exists, and never again once skipped."""
    if settings.extra.get(SKIPPED):
        return False
    try:
        return not assistants.list()
    except AppError:
        return False  # an unreadable folder: the Assistants page says why, not the guide


def skipped(settings: Settings) -> Settings:
    return replace(settings, extra={**settings.extra, SKIPPED: True})


def model_choices(machine: Machine) -> tuple[Recommendation | None, Recommendation]:
    """(the best model for documents on ``machine`` or None, the offline starter)."""
    return best_for_documents(machine), starter_choice(machine)


def installed_for(registry: ModelRegistry, choice: Recommendation) -> InstalledModel | None:
    """The installed model that is ``choice`` (the starter by its pinned checksum or id)."""
    chosen = choice.entry.file(choice.quantization)
    for model in registry.list(kind="model"):
        if choice.entry.id == STARTER_ENTRY_ID and (
            model.sha256 == STARTER_MODEL.pinned_sha256 or model.id == STARTER_MODEL_ID
        ):
            return model
        if model.filename == chosen.filename and model.repo == choice.entry.repo:
            return model
    return None


def _collection_name(folder: Path) -> str:
    name = re.sub(r"[^\w .+-]", " ", folder.name).strip(" .+-")[:60].strip()
    return name or "My documents"


def collection_for(collections: Collections, folder: Path) -> str:
    """The collection reading ``folder``: an existing one, else a new one named after it."""
    resolved = str(folder.expanduser().resolve())
    for config in collections.list():
        if config.folders == (resolved,):
            return config.name
    base = _collection_name(folder)
    name, n = base, 2
    while collections.exists(name):
        name, n = f"{base} {n}", n + 1
    collections.create(name, [folder])
    return name


def create_assistant(
    assistants: AssistantStore, name: str, model: InstalledModel, collection: str
) -> Assistant:
    """A document assistant called ``name`` reading ``collection`` with ``model``."""
    name = " ".join(name.split())
    if not name:
        raise AssistantError("Give your assistant a name, for example “Home papers helper”.")
    retrieval = replace(DOCUMENTS_POINT.retrieval, name=collection)
    draft = from_starting_point(DOCUMENTS_POINT, name=assistants.unique_name(name),
                                model=model_ref(model))  # fmt: skip
    if 0 < model.size < SMALL_MODEL_BYTES:
        retrieval = replace(retrieval, top_k=SMALL_MODEL_PASSAGES)
        sampling = replace(draft.sampling, max_tokens=SMALL_MODEL_ANSWER_TOKENS, temperature=0.0)
        draft = replace(draft, sampling=sampling)
    # The starting point's sample exchange is not shaped like a question with passages.
    return assistants.create(replace(draft, collections=(retrieval,), examples=(WORKED_EXAMPLE,)))


class _AppParts(Protocol):
    """What the guide uses of core/app.py's App (named here, so this module stays below it)."""

    assistants: AssistantStore
    settings: Settings
    knowledge: KnowledgeProcess
    collections: Collections

    @property
    def models(self) -> ModelRegistry: ...

    @property
    def paths(self) -> Paths: ...

    def save_settings(self, settings: Settings) -> None: ...

    def suggested_questions(self, name: str, *, cancel: CancelToken = ...) -> list[str]: ...


class FirstRun:
    """The first-run guide's use cases over the app's own stores and knowledge process
    (``App.first_run``)."""

    def __init__(self, app: _AppParts) -> None:
        self._app = app

    def should_offer(self) -> bool:
        return should_offer(self._app.assistants, self._app.settings)

    def skip(self) -> None:
        """Never offer the guide again (the person sets up alone)."""
        self._app.save_settings(skipped(self._app.settings))

    def model_choices(self, machine: Machine) -> tuple[Recommendation | None, Recommendation]:
        return model_choices(machine)

    def installed(self, choice: Recommendation) -> InstalledModel | None:
        return installed_for(self._app.models, choice)

    def starter_at_hand(self) -> bool:
        """Whether the starter installs without the internet (its package came with the app
        or was fetched before)."""
        return (self._app.paths.wheels_cache / STARTER_MODEL.wheel_name).is_file()

    def add_folder(self, folder: Path) -> str:
        """The name of the collection that reads ``folder`` (made now if there is none)."""
        return collection_for(self._app.collections, folder)

    def machine(self, *, cancel: CancelToken) -> Machine:
        """This computer's memory, cores and graphics card (may take a moment)."""
        return detect_machine()

    def index(
        self, collection: str, *, cancel: CancelToken
    ) -> Generator[IndexProgress | IndexReport, None, None]:
        """The collection's indexing events, run in the knowledge process."""
        yield from self._app.knowledge.index(self._app.collections, collection, cancel=cancel)

    def suggested_questions(self, collection: str, *, cancel: CancelToken) -> list[str]:
        """Three questions from the headings of what ``collection`` has indexed."""
        return self._app.suggested_questions(collection, cancel=cancel)

    def create_assistant(self, name: str, model: InstalledModel, collection: str) -> Assistant:
        return create_assistant(self._app.assistants, name, model, collection)
