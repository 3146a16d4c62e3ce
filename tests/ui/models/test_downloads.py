"""Downloading from the page against the local fake hub: progress a person can read, the model
appearing under Installed, Cancel then Continue (also after the app was closed), failures in
plain words, and a GUI that keeps responding while the bytes arrive."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.models.download import pending_downloads
from assistant_builder.core.paths import Paths
from assistant_builder.ui.diagnostics import StallMonitor
from assistant_builder.ui.models.delegates import PROGRESS_ROLE
from assistant_builder.ui.models.downloads import DownloadRow, DownloadsModel
from assistant_builder.ui.pages.models_page import ModelsPage
from tests.models.conftest import MakeGguf
from tests.models.fake_hub import FakeHub
from tests.ui.models.conftest import MakePage

CATALOG_REPO = "bartowski/SmolLM2-360M-Instruct-GGUF"
CATALOG_FILE = "SmolLM2-360M-Instruct-Q4_K_M.gguf"
SMOL_REPO = "tester/SmolLM2-GGUF"
SMOL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def _row(page: ModelsPage, ref: str) -> DownloadRow | None:
    return page.queue.model.get(ref)


def _status(page: ModelsPage, ref: str) -> str:
    row = _row(page, ref)
    return row.status if row else ""


def test_a_catalog_download_shows_progress_and_the_model_appears_installed(
    make_page: MakePage, qtbot: QtBot, fake_hub: FakeHub, make_gguf: MakeGguf
) -> None:
    fake_hub.add_file(CATALOG_REPO, CATALOG_FILE, make_gguf("q4.gguf"))
    page = make_page()
    assert page.downloads.isHidden()  # nothing to show yet
    page.catalog.select("smollm2-360m-instruct")
    page.catalog.download_button.click()
    ref = "smollm2-360m-instruct:Q4_K_M"
    assert page.downloads.isVisibleTo(page)
    qtbot.waitUntil(lambda: _status(page, ref) == "done", timeout=15_000)
    model = page.queue.model
    index = model.index(0, 1)
    assert (model.index(0, 0).data(), index.data()) == ("SmolLM2 360M Instruct Q4_K_M", "Installed")
    assert index.data(PROGRESS_ROLE) == 1000
    assert "listed under Installed" in model.index(0, 2).data()
    installed = page.table_model
    assert [installed.index(r, 0).data() for r in range(installed.rowCount())] == [
        "SmolLM2 360M Instruct Q4_K_M"
    ]
    assert page.tabs.tabText(page.INSTALLED) == "Installed (1)"
    assert page.status.text() == "1 installed."
    # The catalog now says so and offers no second download.
    row = next(
        i for i, e in enumerate(page.catalog_model.rows()) if e.id == "smollm2-360m-instruct"
    )
    assert page.catalog_model.index(row, 0).data().endswith("✓ installed")
    assert page.catalog.download_button.text() == "Installed"
    assert not page.catalog.download_button.isEnabled()
    # It went through the app's network policy: the request is in the network log.
    assert any(CATALOG_REPO in e.url for e in page.app.network.entries())


def test_a_failed_download_says_why_in_plain_words(
    make_page: MakePage, qtbot: QtBot, fake_hub: FakeHub
) -> None:
    page = make_page()  # the hub has no such repository
    page.catalog.select("smollm2-360m-instruct")
    page.catalog.download_button.click()
    qtbot.waitUntil(lambda: page.banner.isVisible(), timeout=10_000)
    assert page.banner.message.text().startswith("No model “bartowski/SmolLM2-360M")
    assert "\n" not in page.banner.message.text() and "Traceback" not in page.banner.message.text()
    assert page.queue.model.index(0, 1).data() == "Failed"
    assert page.downloads.continue_button.isEnabled()  # it can be tried again


def test_offline_mode_refuses_the_download_with_a_sentence(
    make_page: MakePage, qtbot: QtBot, fake_hub: FakeHub
) -> None:
    page = make_page()
    page.app.network.offline = True
    page.download(f"{SMOL_REPO}:{SMOL_FILE}", "SmolLM2")
    qtbot.waitUntil(lambda: page.banner.isVisible(), timeout=10_000)
    assert page.banner.message.text().startswith("Offline mode is on")
    assert fake_hub.requests == []


@pytest.mark.integration
def test_cancel_keeps_the_partial_file_and_continue_finishes_it_even_after_a_restart(
    make_page: MakePage, qtbot: QtBot, fake_hub: FakeHub, smollm2_gguf: Path, app_home: Paths
) -> None:
    hosted = fake_hub.add_file(SMOL_REPO, SMOL_FILE, smollm2_gguf)
    fake_hub.chunk_delay_s = 0.03  # ~3 s for the whole file: time to press Cancel
    page = make_page()
    ref = f"{SMOL_REPO}:{SMOL_FILE}"
    page.download(ref, "SmolLM2 135M")
    view = page.downloads
    qtbot.waitUntil(lambda: _status(page, ref) == "downloading", timeout=15_000)
    row = _row(page, ref)
    assert row is not None and 0 < row.done < row.total
    details = page.queue.model.index(0, 2).data()
    assert " of 98.4 MB" in details and "/s" in details and "left" in details
    assert view.cancel_button.isEnabled() and not view.continue_button.isEnabled()
    view.cancel_button.click()
    qtbot.waitUntil(lambda: _status(page, ref) == "stopped", timeout=15_000)
    assert page.queue.model.index(0, 1).data().startswith("Stopped ")
    assert "Continue picks up from there" in page.queue.model.index(0, 2).data()
    assert view.continue_button.isEnabled() and not view.cancel_button.isEnabled()
    assert page.table_model.rowCount() == 0  # a partial file is never listed as installed
    kept = pending_downloads(app_home)[0].done
    assert 0 < kept < len(hosted.data)

    # The app is opened again: the stopped download is listed, and Continue finishes it.
    page.queue.wait()
    fake_hub.chunk_delay_s = 0.0
    again = make_page()
    assert again.queue.model.rowCount() == 1
    assert again.queue.model.index(0, 0).data() == SMOL_FILE
    assert again.queue.model.index(0, 1).data().startswith("Stopped ")
    again.downloads.continue_button.click()
    qtbot.waitUntil(lambda: _status(again, ref) == "done", timeout=60_000)
    assert fake_hub.gets(SMOL_FILE)[-1].range == f"bytes={kept}-"
    assert again.table_model.rowCount() == 1
    assert again.table_model.index(0, 3).data() == "Q4_1"
    assert pending_downloads(app_home) == []


@pytest.mark.integration
def test_the_window_keeps_responding_while_a_download_runs(
    make_page: MakePage, qtbot: QtBot, fake_hub: FakeHub, smollm2_gguf: Path
) -> None:
    fake_hub.add_file(SMOL_REPO, SMOL_FILE, smollm2_gguf)
    page = make_page()
    monitor = StallMonitor(interval_ms=10)
    monitor.start()
    ref = f"{SMOL_REPO}:{SMOL_FILE}"
    page.download(ref, "SmolLM2 135M")
    qtbot.waitUntil(lambda: _status(page, ref) == "done", timeout=60_000)
    longest = monitor.stop()
    assert monitor.ticks > 20  # the loop really ran during the download
    # Generous: catches work done on the GUI thread (hashing 98 MB there takes far longer).
    assert longest < 300, f"the GUI froze for {longest:.0f} ms during a download"


def test_the_downloads_model_passes_the_model_tester(qtmodeltester: object) -> None:
    model = DownloadsModel()
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.put(DownloadRow("a/b:c.gguf", "c", "downloading", 10, 100, 5.0, 18.0))
    model.put(DownloadRow("a/b:d.gguf", "d", "stopped", 30, 100))
    model.put(DownloadRow("a/b:c.gguf", "c", "done", 100, 100))
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.rowCount() == 2
    assert model.index(0, 1).data() == "Installed"
    assert model.index(1, 1).data() == "Stopped 30 %"


@pytest.mark.integration
def test_quitting_stops_a_download_at_once_and_keeps_it_for_next_time(
    make_page: MakePage, qtbot: QtBot, fake_hub: FakeHub, smollm2_gguf: Path, app_home: Paths
) -> None:
    fake_hub.add_file(SMOL_REPO, SMOL_FILE, smollm2_gguf)
    fake_hub.chunk_delay_s = 0.05  # ~5 s for the whole file
    page = make_page()
    ref = f"{SMOL_REPO}:{SMOL_FILE}"
    page.download(ref, "SmolLM2 135M")
    qtbot.waitUntil(lambda: _status(page, ref) == "downloading", timeout=15_000)
    from PySide6.QtWidgets import QApplication

    QApplication.instance().aboutToQuit.emit()  # type: ignore[union-attr]
    assert page.queue.wait(3_000)  # quitting does not wait for the rest of the file
    assert [p.filename for p in pending_downloads(app_home)] == [SMOL_FILE]
