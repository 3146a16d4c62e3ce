"""Settings › This computer: where the data lives (and opening it), and the processor threads
and graphics-card use that the engine then loads models with."""

from __future__ import annotations

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from assistant_builder.core.app import App, default_threads
from assistant_builder.core.assistants.model import Assistant, ModelRef
from assistant_builder.core.paths import Paths
from assistant_builder.core.services import Services
from assistant_builder.core.settings import load_settings
from assistant_builder.ui.main_window import MainWindow


class Opened(QObject):
    """Stands in for the file manager: QDesktopServices hands it the file: URLs it opens."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_settings_show_the_data_folder_and_the_engine_uses_threads_and_gpu_choice(
    qtbot: QtBot, app_home: Paths, smollm2_registry
) -> None:
    services = Services.create()
    settings, _ = services.load_settings_or_defaults()
    window = MainWindow(App(services, settings))
    qtbot.addWidget(window)
    window.show_page("Settings")
    section = window.settings_page.computer

    assert section.folder.text() == str(app_home.data_dir)
    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        section.open_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in opened.urls] == [str(app_home.data_dir)]

    # Automatic is the default, and says what it means here; each has its one-line help.
    assert section.threads.value() == 0
    assert section.threads.text() == f"Automatic ({default_threads()} on this computer)"
    assert section.gpu.currentText() == "Automatic"
    hints = [label.text() for label in section.findChildren(type(section.folder))]
    assert any("processor threads" in h for h in hints)
    assert any("graphics card" in h for h in hints)
    assert any("models, collections, assistants and conversations" in h for h in hints)

    page = window.settings_page
    page.kv_cache.setCurrentIndex(page.kv_cache.findData("f16"))
    section.threads.setValue(3)
    section.gpu.setCurrentIndex(section.gpu.findData(0))
    saved = load_settings(app_home.settings_file)
    assert (saved.threads, saved.gpu_layers) == (3, 0)
    assistant = Assistant(id="helper", name="Helper", model=ModelRef(id="smollm2"))
    options = window.app.session.options(assistant)  # what the engine is asked to load with
    assert (options.threads, options.gpu_layers) == (3, 0)

    section.threads.setValue(0)
    section.gpu.setCurrentIndex(section.gpu.findData(-1))
    assert window.app.session.options(assistant).threads == 0  # 0: the engine picks
    assert load_settings(app_home.settings_file).gpu_layers == -1
    automatic = window.app.session.options(assistant)
    assert automatic.automatic_layers is not None  # the engine places them on the cards it finds
    assert section.gpu_layers.isHidden()  # the number only shows for its own choice

    # A number of layers: that many go to the card, whatever the estimate says.
    section.gpu.setCurrentIndex(section.gpu.findText("A number of layers"))
    assert not section.gpu_layers.isHidden()
    section.gpu_layers.setValue(12)
    assert load_settings(app_home.settings_file).gpu_layers == 12
    chosen = window.app.session.options(assistant)
    assert (chosen.gpu_layers, chosen.automatic_layers) == (12, None)
    window.close()

    # Opened again, Settings shows the number it was given.
    again = MainWindow(App(services, services.load_settings_or_defaults()[0]))
    qtbot.addWidget(again)
    again.show_page("Settings")
    reopened = again.settings_page.computer
    assert reopened.gpu.currentText() == "A number of layers"
    assert reopened.gpu_layers.value() == 12 and not reopened.gpu_layers.isHidden()
