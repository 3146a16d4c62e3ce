"""Fixtures for the Models page tests: the models tests' GGUF writer and local fake hub, and
a page built over the real core in the test's private home."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.models.fit import GIB, Machine
from assistant_builder.core.services import Services
from assistant_builder.ui.pages.models_page import ModelsPage
from tests.models.conftest import fake_hub, make_gguf  # noqa: F401  (fixtures reused)
from tests.ui.conftest import MakeApp

# A modest laptop: 8 GB of memory, 6 GB free, 2 cores, no graphics card.
LAPTOP = Machine(total_ram=8 * GIB, available_ram=6 * GIB, cpu_cores=2)

MakePage = Callable[..., ModelsPage]


@pytest.fixture
def make_page(qtbot: QtBot, make_app: MakeApp) -> Iterator[MakePage]:
    """A new Models page (a second call is the app opened again); waits for its work to end."""
    pages: list[ModelsPage] = []

    def make(machine: Machine | None = LAPTOP, services: Services | None = None) -> ModelsPage:
        page = ModelsPage(make_app(services), machine=machine)
        page.resize(1100, 760)
        qtbot.addWidget(page)
        page.show()
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.shutdown()
        page.queue.wait(10_000)
        page.import_runner.wait(10_000)
