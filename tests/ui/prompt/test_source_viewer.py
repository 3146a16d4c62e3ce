"""The source viewer opens a cited passage inside the app: a PDF at its page with the passage
highlighted, a text document with exactly the cited characters selected, a missing file with
a plain sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from assistant_builder.core.knowledge.loaders import load_html, load_markdown
from assistant_builder.core.knowledge.process import KnowledgeProcess
from assistant_builder.core.paths import Paths
from assistant_builder.ui.source_viewer import SourceViewer
from tests.knowledge.docs import write_pdf

PAGES = [
    "Volcanoes erupt when magma rises through the crust.",
    "Lava flows are slow enough to walk away from.",
    "Mount Etna in Sicily is the most active volcano in Europe.",
    "Iceland has about thirty active volcanic systems.",
]


@pytest.fixture
def viewer(qtbot: QtBot, shared_knowledge: KnowledgeProcess) -> SourceViewer:
    view = SourceViewer(shared_knowledge)
    qtbot.addWidget(view)
    view.resize(700, 800)
    view.show()
    qtbot.waitExposed(view)
    return view


def _open(qtbot: QtBot, viewer: SourceViewer, record: dict) -> None:
    with qtbot.waitSignal(viewer.shown, timeout=30_000):
        viewer.open_citation(record)


def _cyan_pixels(image: QImage) -> int:
    """QPdfView outlines the current search result in cyan: count those pixels."""
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            count += c.red() < 80 and c.green() > 200 and c.blue() > 200
    return count


def test_a_cited_pdf_opens_at_its_page_with_the_passage_highlighted(
    qtbot: QtBot, viewer: SourceViewer, tmp_path: Path
) -> None:
    pdf = write_pdf(tmp_path / "volcanoes.pdf", PAGES)
    _open(qtbot, viewer, {"source": str(pdf), "page": 3, "start": 0, "end": 0, "text": PAGES[2]})
    assert viewer.stack.currentWidget() is viewer.pdf_view
    assert viewer.title.text() == "volcanoes.pdf, page 3"
    assert viewer.current_page() == 3
    assert viewer.highlighted_pdf_page() == 3
    assert not viewer.message.isVisible()
    qtbot.waitUntil(lambda: _cyan_pixels(viewer.pdf_view.viewport().grab().toImage()) > 20)

    # A passage that is not on the cited page: the page opens, nothing is highlighted.
    _open(qtbot, viewer, {"source": str(pdf), "page": 2, "start": 0, "end": 0,
                          "text": "Nothing like this is written anywhere."})  # fmt: skip
    assert viewer.current_page() == 2 and viewer.highlighted_pdf_page() is None
    assert "could not be found on this page" in viewer.message.text()
    viewer.pdf_view.viewport().repaint()
    assert _cyan_pixels(viewer.pdf_view.viewport().grab().toImage()) == 0


def _selection(viewer: SourceViewer) -> str:
    return viewer.text_view.textCursor().selectedText().replace("\u2029", "\n")


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_a_cited_text_document_opens_with_exactly_the_passage_selected(
    qtbot: QtBot, viewer: SourceViewer, tmp_path: Path, suffix: str
) -> None:
    body = "\n\n".join(f"Line {i} of the notes about the garden." for i in range(80))
    if suffix == ".md":
        path = tmp_path / "garden.md"
        path.write_text(f"# Garden 🌱\n\n{body}\n\n## Pests\n\nAphids wash off with soapy water.\n")
        text = load_markdown(path).text
    else:
        path = tmp_path / "garden.html"
        paragraphs = "".join(f"<p>{line}</p>" for line in body.split("\n\n"))
        path.write_text(f"<html><body><h1>Garden 🌱</h1>{paragraphs}"
                        "<p>Aphids wash off with soapy water.</p></body></html>")  # fmt: skip
        text = load_html(path).text
    start = text.index("Aphids")
    end = start + len("Aphids wash off with soapy water.")
    _open(qtbot, viewer, {"source": str(path), "page": None, "start": start, "end": end,
                          "text": text[start:end]})  # fmt: skip
    assert viewer.stack.currentWidget() is viewer.text_view
    assert viewer.passage_range == (start, end)
    assert _selection(viewer) == "Aphids wash off with soapy water."
    marks = viewer.text_view.extraSelections()
    assert len(marks) == 1 and marks[0].cursor.selectedText() == "Aphids wash off with soapy water."
    # Scrolled to the passage at the end of a long file.
    bar = viewer.text_view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() > bar.maximum() // 2


@pytest.mark.integration
def test_a_search_hit_of_a_real_collection_opens_at_its_passage(
    qtbot: QtBot, viewer: SourceViewer, app_home: Paths, pets: str
) -> None:
    from assistant_builder.core.knowledge.collection import Collections
    from assistant_builder.core.knowledge.search import search_collection

    hit = search_collection(Collections(app_home), pets, "Which pets nap between games?")[0]
    _open(qtbot, viewer, hit.to_json())
    assert Path(hit.source).name == "dogs.md" and hit.end > hit.start
    assert _selection(viewer) == hit.text and viewer.passage_range == (hit.start, hit.end)


def test_a_file_changed_since_indexing_is_said_not_misplaced(
    qtbot: QtBot, viewer: SourceViewer, tmp_path: Path
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("New text. The passage moved here: cats sleep a lot.\n")
    _open(qtbot, viewer, {"source": str(path), "page": None, "start": 0, "end": 21,
                          "text": "cats sleep a lot."})  # fmt: skip
    assert _selection(viewer) == "cats sleep a lot."  # found again where it is now
    _open(qtbot, viewer, {"source": str(path), "page": None, "start": 0, "end": 21,
                          "text": "dogs bark at night."})  # fmt: skip
    assert viewer.passage_range is None and _selection(viewer) == ""
    assert "changed since it was indexed" in viewer.message.text()


def test_a_hostile_document_costs_a_sentence_never_the_window(
    qtbot: QtBot, viewer: SourceViewer, shared_knowledge: KnowledgeProcess, tmp_path: Path
) -> None:
    """The text is read in the knowledge process, off the GUI thread: opening returns at once
    (the window keeps painting), and a file its parser chokes on gets one plain sentence."""
    bad = tmp_path / "minutes.docx"
    bad.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 64)  # a zip header, then garbage
    with qtbot.waitSignal(viewer.shown, timeout=60_000):
        viewer.open_citation({"source": str(bad), "page": None, "start": 0, "end": 5,
                              "text": "Hello"})  # fmt: skip
        assert viewer.text_view.toPlainText() == "Opening…"  # not parsed on this thread
    assert shared_knowledge.process_id is not None
    assert viewer.message.text().startswith("“minutes.docx” cannot be shown because it could ")
    assert viewer.message.text().endswith(".") and viewer.passage_range is None
    # The window goes on: the next citation opens.
    good = tmp_path / "notes.txt"
    good.write_text("Cats sleep a lot.\n")
    _open(qtbot, viewer, {"source": str(good), "page": None, "start": 0, "end": 17,
                          "text": "Cats sleep a lot."})  # fmt: skip
    assert _selection(viewer) == "Cats sleep a lot." and not viewer.message.isVisible()


def test_a_missing_file_gets_a_plain_sentence(
    qtbot: QtBot, viewer: SourceViewer, tmp_path: Path
) -> None:
    gone = tmp_path / "gone" / "report.pdf"
    _open(qtbot, viewer, {"source": str(gone), "page": 4, "start": 0, "end": 10, "text": "x"})
    assert viewer.message.isVisible()
    assert viewer.message.text() == (
        f"“report.pdf” is no longer at {gone.parent}; it was moved or deleted, "
        "so put it back or index its collection again."
    )
    assert viewer.text_view.toPlainText() == ""


def test_the_main_window_opens_a_citation_in_its_source_window(
    qtbot: QtBot, app_home: Paths, tmp_path: Path
) -> None:
    from assistant_builder.core.services import Services
    from assistant_builder.core.settings import Settings
    from assistant_builder.ui.main_window import MainWindow

    window = MainWindow(Services.create(), Settings())
    qtbot.addWidget(window)
    window.show()
    pdf = write_pdf(tmp_path / "volcanoes.pdf", PAGES)
    window.open_citation({"source": str(pdf), "page": 4, "start": 0, "end": 0, "text": PAGES[3]})
    viewer = window.source_viewer
    assert viewer is not None and viewer.isVisible() and viewer.isWindow()
    assert viewer.current_page() == 4 and viewer.highlighted_pdf_page() == 4
    window.open_citation({"source": str(tmp_path / "gone.txt"), "page": None, "start": 0,
                          "end": 1, "text": "x"})  # fmt: skip
    assert window.source_viewer is viewer and "no longer at" in viewer.message.text()
