"""The test search shows one relevance scale, best first, and opens a clicked result at its
passage in the source viewer: real files, the real MiniLM embedder, a real LanceDB index."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from assistant_builder.core.knowledge.search import relevance
from assistant_builder.core.paths import Paths
from tests.ui.library.conftest import index_and_wait

pytestmark = pytest.mark.integration


def search(qtbot: QtBot, panel, question: str, mode: str) -> None:
    panel.query.setText(question)
    panel.mode.setCurrentIndex(panel.mode.findData(mode))
    with qtbot.waitSignal(panel.runner.busy_changed, timeout=30_000,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        panel.search_button.click()


@pytest.mark.parametrize("mode", ["hybrid", "vector", "keyword"])
def test_results_are_shown_most_relevant_first_on_one_scale(
    qtbot: QtBot, page, docs: Path, mode: str
) -> None:
    assert page.create_collection("Household", [str(docs)])
    index_and_wait(qtbot, page)
    panel = page.search_panel
    search(qtbot, panel, "When is the boiler warranty lost?", mode)
    cards = panel.cards()
    assert cards and "most relevant first" in panel.status.text()
    shown = [card.relevance.value() for card in cards]
    assert shown == sorted(shown, reverse=True)
    assert shown == [round(card.hit.relevance * 100) for card in cards]
    assert Path(cards[0].hit.source).name == "boiler.txt"
    for card in cards:
        hit = card.hit
        assert 0.0 <= hit.keyword <= 1.0 and 0.0 <= hit.meaning <= 1.0
        assert hit.relevance == pytest.approx(relevance(hit.keyword, hit.meaning))
        tip = card.relevance.toolTip()
        assert re.fullmatch(r"keyword \d\.\d\d · meaning \d\.\d\d", tip)
        assert tip == f"keyword {hit.keyword:.2f} · meaning {hit.meaning:.2f}"
    # The passage matching the question's words best scores 1 on keywords.
    assert cards[0].hit.keyword == 1.0


def test_clicking_a_result_opens_the_source_viewer_at_the_passage(
    qtbot: QtBot, app_home: Paths, shared_knowledge, minilm_dir: Path, docs: Path
) -> None:
    from assistant_builder.core.app import App
    from assistant_builder.core.services import Services
    from assistant_builder.core.settings import Settings
    from assistant_builder.ui.main_window import MainWindow

    window = MainWindow(App(Services.create(), Settings(), knowledge=shared_knowledge))
    qtbot.addWidget(window)
    window.show()
    library = window.library_page
    library.default_embedder = str(minilm_dir)
    assert library.create_collection("Household", [str(docs)])
    index_and_wait(qtbot, library)
    panel = library.search_panel
    search(qtbot, panel, "How often is the boiler serviced?", "hybrid")
    card = next(c for c in panel.cards() if Path(c.hit.source).name == "boiler.txt")
    asked_for: list[object] = []
    window.citation_requested.connect(asked_for.append)
    with qtbot.waitSignal(window.citation_requested, timeout=10_000) as asked:
        qtbot.mouseClick(card.text, Qt.MouseButton.LeftButton)
    assert asked.args == [card.hit.citation()]
    viewer = window.source_viewer
    assert viewer is not None and viewer.isVisible()
    qtbot.waitUntil(lambda: viewer.passage_range is not None, timeout=30_000)
    assert viewer.title.text() == "boiler.txt"
    assert viewer.passage_range == (card.hit.start, card.hit.end)
    start, end = viewer.passage_range
    assert len(asked_for) == 1  # one click, one passage opened
    assert viewer.text_view.toPlainText()[start:end] == card.hit.text
    window.close()
