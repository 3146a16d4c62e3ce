"""The Library page driven through its own widgets, on real files, the real MiniLM embedder
and a real LanceDB index."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from assistant_builder.core.knowledge.collection import Collections
from tests.ui.library.conftest import index_and_wait, table_text

pytestmark = pytest.mark.integration


def search(qtbot: QtBot, panel) -> None:
    with qtbot.waitSignal(panel.runner.busy_changed, timeout=30_000,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        panel.search_button.click()


def create_by_dialog(page, name: str, folder: Path) -> None:
    """Create also starts indexing: callers wait for it to end."""
    dialog = page.new_collection()
    assert "all-MiniLM-L6-v2" in dialog.embedder.text()
    assert "meaning" in dialog.embedder.toolTip()
    dialog.name.setText(name)
    dialog.folders.addItem(str(folder))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_create_index_and_read_the_report(qtbot: QtBot, page, docs: Path) -> None:
    assert page.model.rowCount() == 0
    assert not page.index_button.isEnabled()
    seen: list[tuple[str, int]] = []
    page.index_runner.progressed.connect(
        lambda _e: seen.append((page.progress.label.text(), page.progress.bar.value()))
    )
    # Creating a collection starts reading it at once.
    with qtbot.waitSignal(page.index_runner.busy_changed, timeout=60_000,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        create_by_dialog(page, "Household", docs)
        assert table_text(page)[0] == "Household"
        assert page.progress.isVisible() and not page.index_button.isEnabled()
    assert any("of 4 files read" in text and "passages indexed" in text for text, _ in seen)
    # The bar is full only once the last passage is stored, never while work goes on.
    full = [text for text, value in seen if value == page.progress.bar.maximum()]
    assert all(text.startswith("4 of 4 files read") for text in full)
    assert not page.progress.isVisible()
    assert page.index_button.isEnabled()

    _name, folders, files, passages, when = table_text(page)
    assert folders == "Household papers"
    assert files == "3 (1 unreadable)"
    assert int(passages) >= 3
    assert when[0].isdigit()  # a date, not "Not indexed yet"
    assert page.report_summary.text().startswith("3 indexed, 0 unchanged, 0 removed, 1 could")

    rows = {(r.status, Path(r.path).name): r.reason for r in page.report_model.rows()}
    assert set(rows) == {("Failed", "photo.txt"), ("Indexed", "garden.md"),
                         ("Indexed", "boiler.txt"), ("Indexed", "volcanoes.pdf")}  # fmt: skip
    assert rows[("Failed", "photo.txt")]  # a reason a person can read

    page.report_status.setCurrentIndex(page.report_status.findData("Failed"))
    proxy = page.report_proxy
    assert [proxy.index(r, 1).data() for r in range(proxy.rowCount())] == ["photo.txt"]
    page.report_status.setCurrentIndex(0)
    page.report_filter.setText("garden")
    assert [proxy.index(r, 1).data() for r in range(proxy.rowCount())] == ["garden.md"]
    page.report_filter.clear()

    # Nothing changed: a second run reads nothing again.
    index_and_wait(qtbot, page)
    assert page.report_summary.text().startswith("0 indexed, 3 unchanged")


def test_test_search_shows_passages_with_source_page_score_and_highlights(
    qtbot: QtBot, page, docs: Path
) -> None:
    assert page.create_collection("Household", [str(docs)])
    index_and_wait(qtbot, page)
    page.tabs.setCurrentWidget(page.search_panel)
    panel = page.search_panel
    panel.query.setText("Which volcano is the most active?")
    search(qtbot, panel)
    cards = panel.cards()
    assert cards and "passages found" in panel.status.text()
    best = cards[0]
    assert "volcanoes.pdf · page 2" in best.source.text()
    assert best.relevance.text() == f"relevance {round(best.hit.relevance * 100)}%"
    assert best.source.toolTip() == str(docs / "volcanoes.pdf")
    assert ">active</span>" in best.text.text() and ">volcano</span>" in best.text.text()

    panel.mode.setCurrentIndex(panel.mode.findData("keyword"))
    assert panel.mode.currentText() == "Exact words only"
    panel.query.setText("boiler warranty")
    search(qtbot, panel)
    assert Path(panel.cards()[0].hit.source).name == "boiler.txt"
    assert ">warranty</span>" in panel.cards()[0].text.text()


def test_search_before_indexing_says_what_to_do(qtbot: QtBot, page, docs: Path) -> None:
    page.create_collection("Household", [str(docs)])
    panel = page.search_panel
    panel.query.setText("boiler")
    search(qtbot, panel)
    assert "nothing indexed yet" in panel.status.text()
    assert panel.cards() == []


def test_cancel_stops_indexing_and_keeps_the_page_usable(
    qtbot: QtBot, page, docs: Path, tmp_path: Path
) -> None:
    for n in range(40):
        (docs / f"note{n}.txt").write_text(f"Note {n}: remember to water the plants.\n" * 30)
    page.create_collection("Household", [str(docs)])
    with qtbot.waitSignal(page.index_runner.cancelled, timeout=60_000):
        page.index_button.click()
        assert page.progress.isVisible() and not page.index_button.isEnabled()
        page.progress.cancel_button.click()
        assert page.progress.cancel_button.text() == "Cancelling…"
    assert "stopped" in page.banner.message.text()
    assert not page.progress.isVisible()
    qtbot.waitUntil(lambda: page.index_button.isEnabled())
    assert table_text(page)[2] != "44"  # not everything was read
    index_and_wait(qtbot, page)  # indexing again finishes the job
    assert table_text(page)[2] == "43 (1 unreadable)"


def test_drop_folders_to_add_them_or_to_start_a_collection(
    qtbot: QtBot, page, docs: Path, tmp_path: Path
) -> None:
    def drop(folder: Path) -> None:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(folder))])
        event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime,
                           Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
        page.dropEvent(event)

    assert page.acceptDrops()
    drop(docs)  # no collection yet: the New collection dialog opens with the folder in it
    assert page.dialog is not None and page.dialog.folder_list() == [str(docs)]
    page.dialog.name.setText("Household")
    with qtbot.waitSignal(page.index_runner.busy_changed, timeout=60_000,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        page.dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert page.names() == ["Household"]

    letters = tmp_path / "Letters"
    letters.mkdir()
    # While it is being read, a folder cannot be added; the warning goes once reading ends.
    with qtbot.waitSignal(page.index_runner.busy_changed, timeout=60_000,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        page.index_button.click()
        drop(letters)
        assert "is being indexed" in page.banner.message.text() and page.banner.isVisible()
        assert table_text(page)[1] == "Household papers"
    assert not page.banner.isVisible()
    drop(letters)  # added to the selected collection
    assert table_text(page)[1] == "Household papers, Letters"
    assert page.model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole).endswith("Letters")
    assert "index the collection" in page.banner.message.text()


def test_remove_asks_and_never_touches_the_documents(
    qtbot: QtBot, page, docs: Path, collections: Collections, monkeypatch
) -> None:
    page.create_collection("Household", [str(docs)])
    asked: list[str] = []

    def answer(reply):
        def question(_parent, _title, text, *args, **kwargs):
            asked.append(text)
            return reply

        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    page.remove_button.click()
    assert page.names() == ["Household"]
    assert "nothing in your folders is ever deleted" in asked[0]

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    page.remove_button.click()
    assert not page.index_button.isEnabled()  # being removed, in the knowledge process
    qtbot.waitUntil(lambda: page.names() == [], timeout=30_000)
    assert collections.list() == []
    assert sorted(p.name for p in docs.iterdir()) == [
        "boiler.txt", "garden.md", "photo.txt", "volcanoes.pdf"]  # fmt: skip


def test_removing_a_collection_with_an_outside_store_drops_that_store(
    qtbot: QtBot,
    page,
    docs: Path,
    collections: Collections,
    tmp_path: Path,
    minilm_dir,
    monkeypatch,
) -> None:
    from assistant_builder.core.knowledge.store import ChunkStore

    shared = tmp_path / "team store"  # a LanceDB location of its own, as a team might share
    collections.create("Team", [docs], embedder=str(minilm_dir), store_uri=str(shared))
    page.refresh()
    index_and_wait(qtbot, page)
    assert ChunkStore(str(shared)).count() > 0
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    page.remove_button.click()
    qtbot.waitUntil(lambda: page.names() == [], timeout=30_000)
    assert not ChunkStore(str(shared)).exists() and collections.list() == []
    assert not page.banner.isVisible()


def test_a_bad_name_is_explained_in_the_banner(page, docs: Path) -> None:
    assert not page.create_collection("../etc", [str(docs)])
    assert page.banner.isVisible() or "cannot be a collection name" in page.banner.message.text()
    assert "cannot be a collection name" in page.banner.message.text()


def test_a_refused_name_is_said_in_the_dialog_which_keeps_its_folders(
    qtbot: QtBot, page, docs: Path, tmp_path: Path
) -> None:
    letters = tmp_path / "Letters"
    letters.mkdir()
    page.new_button.click()
    dialog = page.dialog
    dialog.folders.addItem(str(docs))
    dialog.folders.addItem(str(letters))
    create = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    create.click()  # no name yet
    assert dialog.isVisible() and dialog.folder_list() == [str(docs), str(letters)]
    assert dialog.problem.isVisible() and "Give the collection a name" in dialog.problem.text()
    assert not page.banner.isVisible() and page.names() == []
    dialog.name.setText("../etc")
    create.click()
    assert dialog.isVisible() and "cannot be a collection name" in dialog.problem.text()
    dialog.name.clear()
    qtbot.keyClicks(dialog.name, "Household")
    assert not dialog.problem.isVisible()  # typing answers the complaint
    with qtbot.waitSignal(page.index_runner.busy_changed, timeout=60_000,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        create.click()
    assert not dialog.isVisible() and page.names() == ["Household"]
    assert table_text(page)[1] == "Household papers, Letters"
    assert table_text(page)[4] != "Not indexed yet"


def test_add_folder_by_dialog(page, docs: Path, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    page.create_collection("Household", [str(docs)])
    letters = tmp_path / "Letters"
    letters.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(letters))
    page.add_folder_button.click()
    assert table_text(page)[1] == "Household papers, Letters"
    page.add_folder_button.click()  # the same folder twice is kept once
    assert table_text(page)[1] == "Household papers, Letters"


def test_removing_a_collection_assistants_read_names_them_and_takes_it_out_of_each(
    qtbot: QtBot, page, docs: Path, collections: Collections, monkeypatch
) -> None:
    from assistant_builder.core.assistants.model import Assistant, CollectionRef, ModelRef

    page.create_collection("Manuals", [str(docs)])
    store = page.assistants
    for name in ("Helpdesk", "Recipes"):
        store.create(Assistant(id="", name=name, model=ModelRef(id="smol"),
                               collections=(CollectionRef("Manuals"),)))  # fmt: skip
    asked: list[str] = []

    def question(_parent, _title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    with qtbot.waitSignal(page.collection_removed, timeout=30_000) as removed:
        page.remove_button.click()
    assert asked[0].startswith(
        "“Manuals” is used by Helpdesk and Recipes; removing it also removes it from them."
    )
    assert removed.args[0].changed == ("Helpdesk", "Recipes")
    assert page.names() == [] and collections.names() == []
    assert [a.collections for a in store.list()] == [(), ()]
    assert page.banner.message.text() == (
        "Removed the collection “Manuals” (your files were not touched); "
        "Helpdesk and Recipes no longer read it."
    )


def test_the_report_lists_skipped_files_with_their_folders_and_survives_a_restart(
    qtbot: QtBot, make_page, tmp_path: Path
) -> None:
    folder = tmp_path / "manuals"
    html = (Path(__file__).parents[2] / "data" / "real_html" / "index.html").read_bytes()
    for sub in ("printer", "router"):
        (folder / sub).mkdir(parents=True)
        (folder / sub / "index.html").write_bytes(html)
    (folder / "LICENSE").write_text("You may share these manuals with your family.\n")
    (folder / "setup.exe").write_bytes(b"MZ" + bytes(4096))
    page = make_page()
    with qtbot.waitSignal(page.index_runner.busy_changed, timeout=60_000,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        create_by_dialog(page, "Manuals", folder)

    rows = {(r.status, str(Path(r.path).relative_to(folder))): r.reason
            for r in page.report_model.rows()}  # fmt: skip
    assert rows == {
        ("Indexed", "printer/index.html"): "", ("Indexed", "router/index.html"): "",
        ("Indexed", "LICENSE"): "",
        ("Skipped", "setup.exe"): "not a kind of document the app reads",
    }  # fmt: skip
    assert "1 other files are not documents the app reads" in page.report_summary.text()
    page.report_status.setCurrentIndex(page.report_status.findData("Skipped"))
    proxy = page.report_proxy
    assert [proxy.index(r, 1).data() for r in range(proxy.rowCount())] == ["setup.exe"]
    page.report_status.setCurrentIndex(0)
    page.report_filter.setText("router")  # the folder column is searched too
    assert [proxy.index(r, 2).data() for r in range(proxy.rowCount())] == [str(folder / "router")]
    page.shutdown()

    # A restart: a new page over the same data folder shows the same report, read from disk.
    again = make_page()
    again.table.selectRow(again.model.row_of("Manuals"))
    assert {(r.status, r.path) for r in again.report_model.rows()} == {
        (r.status, r.path) for r in page.report_model.rows()
    }
    assert "1 other files" in again.report_summary.text()
