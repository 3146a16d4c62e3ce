"""The main window, driven offscreen through its own widgets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from assistant_builder.core.app import App
from assistant_builder.core.models.registry import InstalledModel, ModelRegistry
from assistant_builder.core.paths import Paths
from assistant_builder.core.services import Services
from assistant_builder.core.settings import Settings, load_settings
from assistant_builder.ui.main_window import PAGES, MainWindow
from assistant_builder.ui.pages.models_page import InstalledModelsModel


def _window(qtbot: QtBot) -> MainWindow:
    services = Services.create()
    settings, _ = services.load_settings_or_defaults()
    window = MainWindow(App(services, settings))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _install_fake_model(paths: Paths, name: str = "Tiny Model") -> InstalledModel:
    gguf = paths.models_dir / "tiny.gguf"
    gguf.parent.mkdir(parents=True, exist_ok=True)
    gguf.write_bytes(b"GGUF" + b"\0" * 1_500_000)
    return ModelRegistry(paths.models_registry).add(
        InstalledModel(id="tiny", name=name, path=str(gguf), sha256="0" * 64, size=1_500_004)
    )


def test_window_title_navigation_and_screenshot(qtbot: QtBot, tmp_path: Path) -> None:
    window = _window(qtbot)
    assert window.windowTitle() == "Assistant Builder"
    assert window.page_names() == ["Assistants", "Chat", "Models", "Library", "Settings"]
    for name in PAGES:
        window.show_page(name)
        assert window.current_page_name() == name
        assert window.pages.currentWidget().accessibleName() == f"{name} page"
    assert window.engine_state.text() == "No model loaded"
    shot = tmp_path / "main-window.png"
    assert window.grab().save(str(shot))
    assert shot.stat().st_size > 5_000


def test_keyboard_shortcuts_switch_pages(qtbot: QtBot) -> None:
    window = _window(qtbot)
    window.windowHandle().requestActivate()  # offscreen windows are not activated by show()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_name() == "Library"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_name() == "Assistants"


def test_with_no_model_the_models_page_opens_and_says_what_to_do(qtbot: QtBot) -> None:
    window = _window(qtbot)
    assert window.current_page_name() == "Models"
    assert "No model is installed yet" in window.models_page.status.text()
    assert window.models_page.table_model.rowCount() == 0


def test_models_page_lists_installed_models(
    qtbot: QtBot, app_home: Paths, qtmodeltester: object
) -> None:
    _install_fake_model(app_home)
    window = _window(qtbot)
    assert window.current_page_name() == "Assistants"  # a model exists: start where work starts
    window.show_page("Models")
    model = window.models_page.table_model
    assert model.rowCount() == 1
    assert model.index(0, 0).data() == "Tiny Model"
    assert model.index(0, 1).data() == "1.5 MB"
    assert model.index(0, 2).data() == "tiny.gguf"
    assert window.models_page.status.text() == "1 installed."
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_installed_models_model_passes_the_model_tester(
    qtmodeltester: object, app_home: Paths
) -> None:
    model = InstalledModelsModel()
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.set_models([_install_fake_model(app_home)])
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_settings_page_saves_what_the_user_changes(qtbot: QtBot, app_home: Paths) -> None:
    window = _window(qtbot)
    window.show_page("Settings")
    page = window.settings_page
    page.user_name.setText("Ada")
    page.user_name.editingFinished.emit()
    page.offline.click()
    page.theme.setCurrentIndex(page.theme.findData("dark"))
    page.kv_cache.setCurrentIndex(page.kv_cache.findData("q8_0"))
    saved = load_settings(app_home.settings_file)
    assert (saved.user_name, saved.offline, saved.theme) == ("Ada", True, "dark")
    assert saved.kv_cache == "q8_0" and "half the memory" in page.kv_cache.toolTip()
    assert window.app.network.offline  # takes effect at once, not after a restart


def test_window_geometry_is_remembered(qtbot: QtBot, app_home: Paths) -> None:
    window = _window(qtbot)
    window.resize(760, 560)  # within the offscreen screen (800x600)
    window.close()
    assert load_settings(app_home.settings_file).window_geometry
    again = _window(qtbot)
    assert (again.width(), again.height()) == (760, 560)


def test_opening_the_window_imports_no_heavy_library(app_home: Paths) -> None:
    probe = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from assistant_builder.app import run_gui\n"
        "from assistant_builder.core.services import Services\n"
        "from assistant_builder.core.app import App\n"
        "from assistant_builder.ui.main_window import MainWindow\n"
        "from assistant_builder.core.settings import Settings\n"
        "app = QApplication([])\n"
        "w = MainWindow(App(Services.create(), Settings())); w.show(); app.processEvents()\n"
        "import json\n"
        "heavy = ['llama_cpp', 'torch', 'sentence_transformers', 'lancedb', 'transformers',\n"
        "         'onnxruntime', 'onnx', 'tokenizers', 'numpy', 'httpx2']\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_a_damaged_settings_file_does_not_stop_the_window(qtbot: QtBot, app_home: Paths) -> None:
    app_home.settings_file.parent.mkdir(parents=True)
    app_home.settings_file.write_text("]]")
    window = _window(qtbot)
    assert window.isVisible()
    assert isinstance(window._settings, Settings)
