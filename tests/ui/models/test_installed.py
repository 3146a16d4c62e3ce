"""Installed models: details read from the file, Remove that asks first and names the
assistants using the model, and Import by file dialog and by drag-and-drop, with
validation errors in plain words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from assistant_builder.core.models.library import add_local
from assistant_builder.core.paths import Paths
from assistant_builder.ui.models.item_models import VERDICT_ROLE, InstalledModelsModel
from assistant_builder.ui.pages.models_page import ModelsPage
from tests.models.conftest import MakeGguf
from tests.ui.models.conftest import MakePage

# PySide marks the QPoint constructor deprecated; it is the one Qt itself uses for a drag.
pytestmark = pytest.mark.filterwarnings("ignore:Function.*QDragEnterEvent:DeprecationWarning")


def _drop(page: ModelsPage, path: Path) -> bool:
    """Drag the file over the page and drop it, as a file manager would; returns whether the
    page accepted the drag."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(
        QPoint(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    page.dragEnterEvent(enter)
    drop = QDropEvent(
        QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    page.dropEvent(drop)
    return enter.isAccepted()


def _names(model: InstalledModelsModel) -> list[str]:
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_a_dropped_gguf_is_validated_imported_and_its_details_shown(
    make_page: MakePage, qtbot: QtBot, make_gguf: MakeGguf, qtmodeltester: object
) -> None:
    page = make_page()
    assert _drop(page, make_gguf("dropped.gguf", n_layers=3, context=4096))
    assert page.import_progress.isVisible()  # checking happens off the GUI thread
    qtbot.waitUntil(lambda: page.table_model.rowCount() == 1, timeout=10_000)
    assert page.tabs.currentIndex() == page.INSTALLED
    assert page.banner.message.text() == "Imported Tiny Test Model."
    assert not page.import_progress.isVisible()
    model = page.table_model
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert _names(model) == ["Tiny Test Model"]
    assert model.index(0, 2).data() == "dropped.gguf"
    verdict = model.index(0, InstalledModelsModel.VERDICT_COLUMN)
    assert verdict.data() == "Fits" and verdict.data(VERDICT_ROLE).reason.startswith("Needs")
    details = page.installed.detail_values
    qtbot.waitUntil(lambda: details["Architecture"].text() == "llama", timeout=10_000)
    assert details["Layers"].text() == "3"
    assert details["Keeps in mind at most"].text() == "about 3,100 words"
    assert details["Chat template"].text() == "included"
    assert details["File size"].text().endswith("KB")
    assert "fewer bits" in details["Quantization"].toolTip()


def test_a_malformed_file_dropped_on_the_page_gets_a_plain_sentence(
    make_page: MakePage, qtbot: QtBot, tmp_path: Path, make_gguf: MakeGguf
) -> None:
    page = make_page()
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(make_gguf("whole.gguf").read_bytes()[:300])  # cut short
    _drop(page, broken)
    qtbot.waitUntil(page.banner.isVisible, timeout=10_000)
    text = page.banner.message.text()
    assert text.startswith("broken.gguf") and text.endswith(".")
    assert "Traceback" not in text and "\n" not in text
    assert page.table_model.rowCount() == 0
    assert not page.import_progress.isVisible()

    notes = tmp_path / "notes.txt"
    notes.write_text("not a model")
    page.banner.dismiss()
    _drop(page, notes)
    qtbot.waitUntil(page.banner.isVisible, timeout=10_000)
    assert page.banner.message.text() == "notes.txt is not a .gguf file; choose a GGUF model file."


def test_import_by_the_file_dialog(
    make_page: MakePage, qtbot: QtBot, make_gguf: MakeGguf, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_gguf("picked.gguf")
    asked: list[str] = []

    def pick(parent: object, caption: str, folder: str, filters: str) -> tuple[str, str]:
        asked.append(filters)
        return str(path), filters

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(pick))
    page = make_page()
    page.tabs.setCurrentIndex(page.INSTALLED)
    page.installed.import_button.click()
    qtbot.waitUntil(lambda: page.table_model.rowCount() == 1, timeout=10_000)
    assert "*.gguf" in asked[0]
    assert page.table_model.index(0, 2).data() == "picked.gguf"


def test_remove_asks_names_the_assistant_using_it_and_only_then_removes(
    make_page: MakePage,
    qtbot: QtBot,
    make_gguf: MakeGguf,
    app_home: Paths,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = add_local(app_home.ensure(), make_gguf("kept.gguf"), name="Kept Model")
    app_home.assistants_dir.mkdir(parents=True, exist_ok=True)
    (app_home.assistants_dir / "helper.json").write_text(
        json.dumps({"name": "Homework Helper", "model": model.id})
    )
    questions: list[str] = []
    answer = QMessageBox.StandardButton.Cancel

    def question(parent: object, title: str, text: str, *args: object) -> object:
        questions.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    page = make_page()
    page.tabs.setCurrentIndex(page.INSTALLED)
    page.installed.select(model.id)
    page.installed.remove_button.click()
    assert "Remove Kept Model from this computer?" in questions[0]
    assert "“Homework Helper” uses it" in questions[0]
    assert _names(page.table_model) == ["Kept Model"]  # Cancel kept it
    assert model.file.exists()

    answer = QMessageBox.StandardButton.Yes
    page.installed.remove_button.click()
    assert _names(page.table_model) == []
    assert page.banner.message.text() == "Removed Kept Model."
    assert model.file.exists()  # an imported file stays where the person keeps it
    assert page.tabs.tabText(page.INSTALLED) == "Installed (0)"


def test_a_model_no_assistant_uses_is_asked_about_plainly(
    make_page: MakePage, make_gguf: MakeGguf, app_home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = add_local(app_home.ensure(), make_gguf("alone.gguf"), name="Alone")
    questions: list[str] = []

    def question(parent: object, title: str, text: str, *args: object) -> object:
        questions.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    page = make_page()
    page.installed.select(model.id)
    page.installed.remove_button.click()
    assert questions == ["Remove Alone from this computer?"]
    assert page.table_model.rowCount() == 0


def test_a_model_registered_without_its_metadata_gets_it_read_in_the_background(
    make_page: MakePage, qtbot: QtBot, make_gguf: MakeGguf, app_home: Paths
) -> None:
    from assistant_builder.core.models.registry import InstalledModel, ModelRegistry

    path = make_gguf("bare-Q8_0.gguf")
    app_home.ensure()
    ModelRegistry(app_home.models_registry).add(
        InstalledModel(id="bare", name="Bare", path=str(path), sha256="1" * 64,
                       size=path.stat().st_size)
    )  # fmt: skip
    page = make_page()
    verdict = page.table_model.index(0, InstalledModelsModel.VERDICT_COLUMN)
    qtbot.waitUntil(lambda: verdict.data() == "Fits", timeout=10_000)
    assert page.table_model.index(0, 3).data() == "F32"  # what the file says, not its name
