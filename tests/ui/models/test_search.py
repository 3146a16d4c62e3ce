"""Searching Hugging Face from the page (the local fake hub): results, a repository's files
with sizes, downloading one, and an offline or unreachable hub said in one sentence."""

from __future__ import annotations

import socket

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from assistant_builder.core.models.hub import HubFile, HubRepo
from assistant_builder.ui.models.item_models import HubFilesModel, HubReposModel
from tests.models.conftest import MakeGguf
from tests.models.fake_hub import FakeHub
from tests.ui.models.conftest import MakePage


def test_search_lists_repositories_then_files_with_sizes_and_downloads_one(
    make_page: MakePage, qtbot: QtBot, fake_hub: FakeHub, make_gguf: MakeGguf
) -> None:
    small = make_gguf("small.gguf", n_embd=32)
    large = make_gguf("large.gguf", n_embd=96)
    fake_hub.add_file("tester/Tiny-GGUF", "tiny-Q4_K_M.gguf", small)
    fake_hub.add_file("tester/Tiny-GGUF", "tiny-Q8_0.gguf", large)
    fake_hub.repos["tester/Tiny-GGUF"].downloads = 1234
    page = make_page()
    page.tabs.setCurrentIndex(page.SEARCH)
    search = page.search
    search.query.setText("tiny")
    search.search_button.click()
    qtbot.waitUntil(lambda: search.files.rowCount() == 2, timeout=10_000)
    assert search.repos.index(0, 0).data() == "tester/Tiny-GGUF"
    assert search.repos.index(0, 1).data() == "1,234"
    files = [(search.files.index(r, 0).data(), search.files.index(r, 1).data())
             for r in range(2)]  # fmt: skip
    assert [q for q, _ in files] == ["Q4_K_M", "Q8_0"]  # smallest first
    assert all(size.endswith("KB") for _, size in files)
    tip = search.files.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "slightly less accurate" in tip
    assert search.status.text().startswith("Choose a file")
    assert search.download_button.isEnabled()
    search.download_button.click()
    qtbot.waitUntil(lambda: page.table_model.rowCount() == 1, timeout=15_000)
    assert page.table_model.index(0, 2).data() == "tiny-Q4_K_M.gguf"
    assert any("/api/models" in e.url for e in page.app.network.entries())


def test_owner_slash_repo_lists_that_repository_directly(
    make_page: MakePage, qtbot: QtBot, fake_hub: FakeHub, make_gguf: MakeGguf
) -> None:
    fake_hub.add_file("someone/Model-GGUF", "model-Q4_0.gguf", make_gguf())
    page = make_page()
    page.search.query.setText("someone/Model-GGUF")
    page.search.search()
    qtbot.waitUntil(lambda: page.search.files.rowCount() == 1, timeout=10_000)
    assert page.search.files.index(0, 2).data() == "model-Q4_0.gguf"


def test_no_match_says_so(make_page: MakePage, qtbot: QtBot, fake_hub: FakeHub) -> None:
    page = make_page()
    page.search.query.setText("nothing-like-this")
    page.search.search()
    qtbot.waitUntil(lambda: "No GGUF model" in page.search.status.text(), timeout=10_000)
    assert page.search.repos.rowCount() == 0


def test_offline_mode_is_said_in_a_banner_and_nothing_is_sent(
    make_page: MakePage, qtbot: QtBot, fake_hub: FakeHub
) -> None:
    page = make_page()
    page.app.network.offline = True
    page.search.query.setText("tiny")
    page.search.search()
    qtbot.waitUntil(page.banner.isVisible, timeout=10_000)
    assert page.banner.message.text().startswith("Offline mode is on, so the app did not")
    assert fake_hub.requests == []
    assert page.app.network.entries()[-1].outcome == "blocked (offline)"


@pytest.mark.parametrize("online", [True, False])
def test_an_unreachable_hub_is_one_sentence_and_the_window_stays_responsive(
    make_page: MakePage, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, online: bool
) -> None:
    from assistant_builder.core import network

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    import huggingface_hub.constants as hf_constants

    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(network, "has_network", lambda: online)
    page = make_page()
    page.tabs.setCurrentIndex(page.SEARCH)
    search = page.search

    def places() -> list[int]:
        widgets = (page.tabs, search.search_button, search.download_button)
        return [w.mapTo(page, w.rect().topLeft()).y() for w in widgets]

    before = places()
    search.query.setText("tiny")
    search.search_button.click()
    assert search.status.text().startswith("Searching")  # returned at once
    qtbot.waitUntil(page.banner.isVisible, timeout=15_000)
    if online:
        assert page.banner.message.text() == (
            f"Hugging Face (127.0.0.1:{port}) cannot be reached, although this computer is "
            "connected to a network; the site may be down or blocked here, so try again later."
        )
    else:
        assert page.banner.message.text() == (
            "This computer is not connected to the internet, so Hugging Face cannot be "
            "reached; connect it and try again."
        )
    assert places() == before  # the banner moved no button
    assert "see the message above" in search.status.text()
    page.banner.close_button.click()
    assert not page.banner.isVisible()
    assert "message above" not in search.status.text()  # nothing points at a gone banner
    assert places() == before


def test_the_hub_item_models_pass_the_model_tester(qtmodeltester: object) -> None:
    repos, files = HubReposModel(), HubFilesModel()
    qtmodeltester.check(repos)  # type: ignore[attr-defined]
    repos.set_rows([HubRepo("a/b", 10, 2, False), HubRepo("c/d", 0, 0, True)])
    qtmodeltester.check(repos)  # type: ignore[attr-defined]
    assert repos.index(1, 3).data() == "Accept licence first"
    files.set_rows([HubFile("a/b", "b-Q4_K_M.gguf", 2_000_000, "0" * 64, "Q4_K_M", "main")])
    qtmodeltester.check(files)  # type: ignore[attr-defined]
    assert files.index(0, 1).data() == "2.0 MB"
