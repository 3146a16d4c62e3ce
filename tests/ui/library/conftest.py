"""Fixtures for the Library page: a folder of real documents (one of them unreadable) and the
page built on the real collections of the test home, reading with the real MiniLM in the
session's knowledge process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.paths import Paths
from assistant_builder.ui.library.page import LibraryPage
from tests.knowledge.docs import write_pdf


@pytest.fixture
def collections(app_home: Paths) -> Collections:
    return Collections(app_home.ensure())


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A text file, a markdown file, a two-page PDF and a binary file posing as text."""
    root = tmp_path / "Household papers"
    root.mkdir()
    (root / "garden.md").write_text(
        "# Garden\n\nTomatoes need full sun and regular watering.\n\n"
        "## Pests\n\nAphids can be washed off the leaves with soapy water.\n",
        encoding="utf-8",
    )
    (root / "boiler.txt").write_text(
        "The boiler service is due every October. Call the heating company two weeks before; "
        "the warranty ends if a year is missed.\n",
        encoding="utf-8",
    )
    write_pdf(
        root / "volcanoes.pdf",
        ["Volcanoes erupt when magma rises.", "Mount Etna in Sicily is the most active volcano."],
    )
    (root / "photo.txt").write_bytes(bytes(range(256)) * 20)
    return root


@pytest.fixture
def make_page(
    qtbot: QtBot, collections: Collections, shared_knowledge, minilm_dir: Path, make_app
) -> Iterator[object]:
    pages: list[LibraryPage] = []

    def make(knowledge=shared_knowledge) -> LibraryPage:
        page = LibraryPage(
            make_app(knowledge=knowledge), default_embedder=str(minilm_dir), watch_debounce_ms=300
        )
        qtbot.addWidget(page)
        page.resize(1000, 720)
        page.show()
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.shutdown()


@pytest.fixture
def page(make_page) -> LibraryPage:
    return make_page()


def index_and_wait(qtbot: QtBot, page: LibraryPage, timeout: int = 60_000) -> None:
    with qtbot.waitSignal(page.index_runner.busy_changed, timeout=timeout,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        page.index_button.click()


def table_text(page: LibraryPage, row: int = 0) -> list[str]:
    return [page.model.index(row, c).data() for c in range(page.model.columnCount())]
