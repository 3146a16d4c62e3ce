"""The façade the pages are built on (core/app), over the real core in the test's private
home; every app made here is closed (its stores, and its knowledge process if it owns one)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from assistant_builder.core.app import App
from assistant_builder.core.knowledge.process import KnowledgeProcess
from assistant_builder.core.paths import Paths
from assistant_builder.core.services import Services
from assistant_builder.core.settings import Settings

MakeApp = Callable[..., App]


@pytest.fixture(autouse=True)
def gui_thread_gc(qapp: object) -> Iterator[None]:
    """As in the app (app.py): pages preload models on worker threads while widgets come and
    go, so cycles of dead widgets are collected on the GUI thread only."""
    from assistant_builder.ui.workers import GuiThreadCollector

    collector = GuiThreadCollector()
    yield
    collector.stop()


@pytest.fixture
def make_app(app_home: Paths) -> Iterator[MakeApp]:
    made: list[App] = []

    def make(
        services: Services | None = None,
        settings: Settings | None = None,
        *,
        knowledge: KnowledgeProcess | None = None,
    ) -> App:
        app = App(services or Services.create(), settings or Settings(), knowledge=knowledge)
        made.append(app)
        return app

    yield make
    for app in made:
        app.close()
