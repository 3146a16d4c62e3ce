"""The source viewer opens a cited passage inside the app: a PDF at its page with the passage
filled in yellow in the middle of the view, a text document with exactly the cited characters
selected in the middle, a missing file with a plain sentence; pages and zoom can be changed
and Esc closes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from assistant_builder.core.citation import Citation
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
        viewer.open_citation(Citation.from_json(record))


def _highlighted(image: QImage) -> list[tuple[int, int]]:
    """Where the image shows the passage's yellow fill (on paper-white pages it is the
    highlight colour itself), every other pixel."""
    found = []
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            if c.red() > 230 and 180 < c.green() < 230 and c.blue() < 120:
                found.append((x, y))
    return found


def _pdf_pixels(viewer: SourceViewer) -> QImage:
    viewport = viewer.pdf_view.viewport()
    viewport.repaint()
    return viewport.grab().toImage()


def _in_middle(points: list[tuple[int, int]], image: QImage) -> bool:
    """All of them in the middle half of the view's height (the lines of a page that fits
    the width start where the page's text starts, so across it is enough that they show)."""
    middle = QRect(0, image.height() // 4, image.width(), image.height() // 2)
    return bool(points) and all(middle.contains(x, y) for x, y in points)


def _long_pdf(path: Path) -> Path:
    """Nine pages of forty lines; the passage is near the bottom of page seven."""
    pages = [[f"Page {p} line {i}: notes about lava, ash and craters." for i in range(40)]
             for p in range(1, 10)]  # fmt: skip
    pages[6][33:35] = ["Mount Etna in Sicily is the most active volcano in Europe,",
                       "and it erupts every few years."]  # fmt: skip
    return write_pdf(path, pages)


PASSAGE = (
    "Mount Etna in Sicily is the most active volcano in Europe, and it erupts every few years."
)


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
    image = _pdf_pixels(viewer)
    assert len(_highlighted(image)) > 200 and _in_middle(_highlighted(image), image)

    # A passage that is not on the cited page: the page opens, nothing is highlighted.
    _open(qtbot, viewer, {"source": str(pdf), "page": 2, "start": 0, "end": 0,
                          "text": "Nothing like this is written anywhere."})  # fmt: skip
    assert viewer.current_page() == 2 and viewer.highlighted_pdf_page() is None
    assert "could not be found on this page" in viewer.message.text()
    assert _highlighted(_pdf_pixels(viewer)) == []
    assert viewer.page_label.text() == "Page 2 of 4"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_passage_deep_in_a_long_pdf_opens_at_its_page_filled_in_the_middle_of_the_view(
    qtbot: QtBot, viewer: SourceViewer, tmp_path: Path, theme: str
) -> None:
    from PySide6.QtWidgets import QApplication

    from assistant_builder.ui.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, theme)
    pdf = _long_pdf(tmp_path / "volcanoes.pdf")
    _open(qtbot, viewer, {"source": str(pdf), "page": 7, "start": 0, "end": 0, "text": PASSAGE})
    assert viewer.current_page() == 7 and viewer.highlighted_pdf_page() == 7
    assert viewer.page_label.text() == "Page 7 of 9"
    image = _pdf_pixels(viewer)
    marked = _highlighted(image)
    assert len(marked) > 300, "a filled stroke over two lines, not an outline"
    assert _in_middle(marked, image)
    ys = [y for _, y in marked]
    assert max(ys) - min(ys) > 20  # both lines of the passage

    # Zooming keeps the passage in the middle; fitting the width again too.
    viewer.zoom_in_button.click()
    viewer.zoom_in_button.click()
    image = _pdf_pixels(viewer)
    assert not viewer.fit_button.isChecked() and _in_middle(_highlighted(image), image)
    assert len(_highlighted(image)) > len(marked)
    viewer.fit_button.click()
    assert viewer.fit_button.isChecked() and _in_middle(_highlighted(_pdf_pixels(viewer)), image)

    # The page buttons turn the pages.
    viewer.next_button.click()
    assert viewer.current_page() == 8 and viewer.page_label.text() == "Page 8 of 9"
    viewer.previous_button.click()
    viewer.previous_button.click()
    assert viewer.current_page() == 6 and _highlighted(_pdf_pixels(viewer)) == []


def test_the_passage_stays_in_the_middle_when_the_window_opens_at_another_size(
    qtbot: QtBot, tmp_path: Path, shared_knowledge
) -> None:
    """The main window fills the viewer before showing it: the size it gets then counts."""
    viewer = SourceViewer(shared_knowledge)
    qtbot.addWidget(viewer)
    pdf = _long_pdf(tmp_path / "volcanoes.pdf")
    _open(qtbot, viewer, {"source": str(pdf), "page": 7, "start": 0, "end": 0, "text": PASSAGE})
    viewer.resize(760, 700)
    viewer.show()
    qtbot.waitExposed(viewer)
    image = _pdf_pixels(viewer)
    assert len(_highlighted(image)) > 300 and _in_middle(_highlighted(image), image)
    assert viewer.current_page() == 7


def test_esc_closes_the_viewer(qtbot: QtBot, viewer: SourceViewer, tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "volcanoes.pdf", PAGES)
    _open(qtbot, viewer, {"source": str(pdf), "page": 2, "start": 0, "end": 0, "text": PAGES[1]})
    viewer.activateWindow()
    qtbot.keyClick(viewer.pdf_view, Qt.Key.Key_Escape)
    assert not viewer.isVisible()


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
    # Scrolled to the passage at the end of a long file, shown in the middle of the view.
    bar = viewer.text_view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() > bar.maximum() // 2
    height = viewer.text_view.viewport().height()
    assert height // 4 < viewer.text_view.cursorRect().center().y() < 3 * height // 4
    assert not viewer.page_label.isVisible() and viewer.fit_button.text() == "Normal size"
    font = viewer.text_view.font().pointSizeF()
    viewer.zoom_in_button.click()
    assert viewer.text_view.font().pointSizeF() > font and _selection(viewer).startswith("Aphids")
    viewer.fit_button.click()
    assert viewer.text_view.font().pointSizeF() == font


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
        viewer.open_citation(Citation(1, str(bad), None, 0, 5, "Hello"))
        assert viewer.text_view.toPlainText() == "Opening…"  # not parsed on this thread
    assert shared_knowledge.process_id is not None
    assert viewer.message.text() == (
        "“minutes.docx” cannot be shown because it is damaged or not a real Word document."
    )
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
    from assistant_builder.core.app import App
    from assistant_builder.core.services import Services
    from assistant_builder.core.settings import Settings
    from assistant_builder.ui.main_window import MainWindow

    window = MainWindow(App(Services.create(), Settings()))
    qtbot.addWidget(window)
    window.show()
    pdf = write_pdf(tmp_path / "volcanoes.pdf", PAGES)
    window.open_citation(Citation(1, str(pdf), 4, 0, 0, PAGES[3]))
    viewer = window.source_viewer
    assert viewer is not None and viewer.isVisible() and viewer.isWindow()
    assert viewer.current_page() == 4 and viewer.highlighted_pdf_page() == 4
    window.open_citation(Citation(1, str(tmp_path / "gone.txt"), None, 0, 1, "x"))
    assert window.source_viewer is viewer and "no longer at" in viewer.message.text()
