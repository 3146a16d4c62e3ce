"""Watching folders from the Library page, and the GUI staying responsive while indexing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QTableView
from pytestqt.qtbot import QtBot

from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.process import KnowledgeProcess
from assistant_builder.core.knowledge.report import IndexReport
from assistant_builder.ui.diagnostics import StallMonitor
from bench.gui_stall_indexing import write_stdlib_docs
from tests.ui.library.conftest import index_and_wait, table_text

pytestmark = pytest.mark.integration


def test_watch_toggle_reindexes_a_changed_file_and_stops(
    qtbot: QtBot, page, docs: Path, collections: Collections
) -> None:
    page.create_collection("Household", [str(docs)])
    index_and_wait(qtbot, page)
    assert page.watch_check.isEnabled() and not page.watch_check.isChecked()
    page.watch_check.click()
    assert page.watch_check.isChecked() and page.is_watching("Household")
    assert collections.get("Household").watch  # remembered for the next start
    assert not page.index_button.isEnabled() and not page.remove_button.isEnabled()
    assert table_text(page)[0] == "Household  ·  watching"

    runner = page.watchers["Household"]
    # Once live, the watcher catches up with what changed before it started: after that
    # report, every change is seen (however long loading took on this machine).
    with qtbot.waitSignal(
        runner.progressed, timeout=60_000, check_params_cb=lambda e: isinstance(e, IndexReport)
    ):
        pass
    with qtbot.waitSignal(
        runner.progressed, timeout=30_000, check_params_cb=lambda e: isinstance(e, IndexReport)
    ):
        (docs / "boiler.txt").write_text("The boiler was replaced by a heat pump in May.\n")
    rows = [(r.status, Path(r.path).name) for r in page.report_model.rows()]
    assert ("Indexed", "boiler.txt") in rows
    assert ("Unchanged", "garden.md") in rows
    assert page.watch_status.text().startswith("Updated")

    panel = page.search_panel
    panel.mode.setCurrentIndex(panel.mode.findData("keyword"))
    panel.query.setText("heat pump")
    with qtbot.waitSignal(panel.runner.busy_changed, timeout=30_000,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        panel.search_button.click()
    assert Path(panel.cards()[0].hit.source).name == "boiler.txt"

    with qtbot.waitSignal(runner.busy_changed, timeout=10_000, check_params_cb=lambda b: not b):
        page.watch_check.click()
    assert not page.watch_check.isChecked() and not collections.get("Household").watch
    assert page.index_button.isEnabled() and table_text(page)[0] == "Household"


def test_watching_resumes_on_start_and_stops_on_shutdown(
    qtbot: QtBot, make_page, docs: Path, collections: Collections
) -> None:
    collections.create("Household", [docs], watch=True)
    page = make_page()
    runner = page.watchers["Household"]
    assert runner.busy and page.watch_check.isChecked()
    page.shutdown()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5_000)
    assert collections.get("Household").watch  # exiting is not turning it off


def test_indexing_a_real_folder_does_not_block_the_gui_even_the_first_time(
    qtbot: QtBot, make_page, tmp_path: Path
) -> None:
    """The first indexing of a session starts the knowledge process, which imports torch and
    loads the embedder: none of that may hold the window's event loop."""
    folder = tmp_path / "stdlib"
    folder.mkdir()
    write_stdlib_docs(folder, 20)
    knowledge = KnowledgeProcess()  # a child of its own: this is its very first run
    try:
        page = make_page(knowledge)
        page.create_collection("Python", [str(folder)])
        assert knowledge.process_id is None  # nothing started before it was needed
        monitor = StallMonitor()
        monitor.start()
        index_and_wait(qtbot, page)
        stall = monitor.stop()
        assert monitor.ticks > 20
        assert table_text(page)[2] == str(len(list(folder.iterdir())))
        assert stall < 300, f"the GUI froze for {stall:.0f} ms while indexing"
    finally:
        knowledge.shutdown()


def test_every_control_has_an_accessible_name(page) -> None:
    kinds = (QAbstractButton, QComboBox, QLineEdit, QTableView)
    controls = [w for kind in kinds for w in page.findChildren(kind) if w.isVisibleTo(page)]
    unnamed = [w for w in controls if not w.accessibleName() and not
               (isinstance(w, QAbstractButton) and w.text())]  # fmt: skip
    assert len(controls) > 8 and not unnamed, unnamed


def test_closing_the_window_stops_watching(
    qtbot: QtBot, docs: Path, collections: Collections, minilm_dir: Path
) -> None:
    from assistant_builder.core.app import App
    from assistant_builder.core.services import Services
    from assistant_builder.core.settings import Settings
    from assistant_builder.ui.main_window import MainWindow

    collections.create("Household", [docs], embedder=str(minilm_dir), watch=True)
    window = MainWindow(App(Services.create(), Settings()))
    qtbot.addWidget(window)
    window.show_page("Library")
    runner = window.library_page.watchers["Household"]
    assert runner.busy and window.library_page.watch_check.isChecked()
    window.close()
    # close() waited for the watcher thread to end, so nothing runs after the window is gone.
    assert window.library_page._watch_pool.activeThreadCount() == 0
    qtbot.waitUntil(lambda: not runner.busy, timeout=5_000)
