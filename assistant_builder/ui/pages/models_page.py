"""The Models page: the catalog with “will it run?”, Hugging Face search, the download queue,
the installed models with their details, and Import by file dialog or drag-and-drop."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import App
from assistant_builder.core.records import AppError, InstalledModel, Machine
from assistant_builder.ui.models.catalog_panel import CatalogPanel
from assistant_builder.ui.models.downloads import DownloadQueue, DownloadsView
from assistant_builder.ui.models.installed_panel import InstalledPanel
from assistant_builder.ui.models.item_models import CatalogModel, InstalledModelsModel
from assistant_builder.ui.models.search_panel import SearchPanel
from assistant_builder.ui.models.server_models_panel import ServerModelsPanel
from assistant_builder.ui.models.words import human_size
from assistant_builder.ui.widgets.banner import Banner
from assistant_builder.ui.widgets.message_slot import MessageSlot
from assistant_builder.ui.widgets.progress_panel import ProgressPanel
from assistant_builder.ui.workers import TaskRunner

__all__ = ["InstalledModelsModel", "ModelsPage", "human_size"]

STYLE = """
QLabel#sectionTitle { font-size: 15px; font-weight: 600; }
QLabel#chosenName { font-weight: 600; }
QFrame#detailsPane { border-left: 1px solid palette(mid); }
"""


class ModelsPage(QWidget):
    CATALOG, SEARCH, INSTALLED, SERVERS = range(4)

    def __init__(
        self, app: App, parent: QWidget | None = None, *, machine: Machine | None = None
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.setAccessibleName("Models page")
        self.setAcceptDrops(True)
        self.setStyleSheet(STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 20)
        title = QLabel("Models")
        title.setObjectName("pageTitle")
        intro = QLabel(
            "A model is your assistant's general knowledge and way with words. Pick one that "
            "fits this computer, download it once, and it works without the internet."
        )
        intro.setWordWrap(True)
        self.banner = Banner()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Models status")

        self.catalog_model = CatalogModel(self)
        self.catalog_model.set_rows(app.catalog())
        self.table_model = InstalledModelsModel(self)
        self.catalog = CatalogPanel(self.catalog_model)
        self.search = SearchPanel(app)
        self.installed = InstalledPanel(app, self.table_model)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Model sections")
        self.tabs.addTab(self.catalog, "Catalog")
        self.tabs.addTab(self.search, "Search Hugging Face")
        self.tabs.addTab(self.installed, "Installed")
        self.servers = ServerModelsPanel(app)
        self.tabs.addTab(self.servers, "On model servers")
        self.tabs.setTabToolTip(
            self.CATALOG, "Models chosen for this app, with sizes and licences."
        )
        self.tabs.setTabToolTip(self.SEARCH, "Find any GGUF model published on huggingface.co.")
        self.tabs.setTabToolTip(self.INSTALLED, "The models on this computer.")
        self.tabs.setTabToolTip(self.SERVERS, "Models your model servers offer (see Settings).")
        self.import_progress = ProgressPanel()
        self.import_progress.setAccessibleName("Import progress")
        self.queue = DownloadQueue(app, self)
        self.downloads = DownloadsView(self.queue)

        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(MessageSlot(self.status, self.banner))
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.import_progress)
        layout.addWidget(self.downloads)

        self.catalog.download_requested.connect(self.download)
        self.search.download_requested.connect(self.download)
        self.search.failed.connect(self.show_error)
        self.banner.dismissed.connect(self.search.clear_failure)
        self.queue.installed.connect(self._installed)
        self.queue.failed.connect(self.show_error)
        self.installed.removed.connect(self._removed)
        self.installed.failed.connect(self.show_error)
        self.installed.import_requested.connect(self.choose_import_file)
        self.import_runner = TaskRunner(self)
        self.import_runner.finished.connect(self._imported)
        self.import_runner.failed.connect(self._import_failed)
        self.import_runner.cancelled.connect(self.import_progress.finish)
        self.import_progress.cancel_requested.connect(self.import_runner.cancel)
        self.summary_runner = TaskRunner(self)
        self.summary_runner.progressed.connect(self._summary_read)
        self.machine_runner = TaskRunner(self)
        self.machine_runner.finished.connect(self.set_machine)
        if machine is not None:
            self.set_machine(machine)
        else:
            self.machine_runner.start(app.this_machine)
        self.refresh()
        self.queue.load_pending()
        self.catalog.table.selectRow(0)
        qt_app = QApplication.instance()
        if qt_app is not None:
            qt_app.aboutToQuit.connect(self.shutdown)

    def shutdown(self) -> None:
        """Stop the page's work so quitting does not wait for it; a stopped download is kept
        and offered again next time."""
        for runner in (self.import_runner, self.summary_runner, self.machine_runner,
                       self.search.search_runner, self.search.files_runner,
                       self.installed.inspect_runner):  # fmt: skip
            runner.cancel()
        self.queue.cancel_all()

    def set_machine(self, machine: object) -> None:
        if isinstance(machine, Machine):
            self.catalog_model.set_machine(machine)
            self.table_model.set_machine(machine)

    def refresh(self) -> None:
        try:
            models = self.app.installed_models()
        except AppError as exc:
            models = []
            self.status.setText(str(exc))
        else:
            self.status.setText(
                f"{len(models)} installed." if models else
                "No model is installed yet. Download one from the catalog below, or import a "
                "GGUF model file you already have."
            )  # fmt: skip
        chosen = self.installed.chosen()
        self.table_model.set_models(models)
        self.catalog_model.set_installed(models)
        self.tabs.setTabText(self.INSTALLED, f"Installed ({len(models)})")
        missing = self.table_model.missing_summaries()
        if missing:
            self.summary_runner.start(self.app.model_summaries, missing)
        if chosen is not None:
            self.installed.select(chosen.id)

    def _summary_read(self, item: object) -> None:
        if isinstance(item, tuple) and len(item) == 2:
            self.table_model.set_summary(*item)

    def show_error(self, message: str) -> None:
        self.banner.show_message(message, kind="error")

    def download(self, ref: str, label: str) -> None:
        self.banner.dismiss()
        self.queue.start(ref, label)

    # Import: by the button's file dialog or by dropping a file on the page.
    def choose_import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Import a model file",
            str(Path.home()),
            "GGUF model files (*.gguf);;All files (*)",
        )
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        self.banner.dismiss()
        self.import_progress.start(f"Checking {path.name}…")
        self.import_runner.start(self.app.import_model_file, path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.import_file(files[0])

    def _imported(self, model: object) -> None:
        self.import_progress.finish()
        if isinstance(model, InstalledModel):
            self.refresh()
            self.tabs.setCurrentIndex(self.INSTALLED)
            self.installed.select(model.id)
            self.banner.show_message(f"Imported {model.name}.", kind="info")

    def _import_failed(self, message: str) -> None:
        self.import_progress.finish()
        self.show_error(message)

    def _installed(self, model: object) -> None:
        self.refresh()
        if isinstance(model, InstalledModel):
            self.installed.select(model.id)

    def _removed(self, model: object) -> None:
        self.refresh()
        if isinstance(model, InstalledModel):
            self.banner.show_message(f"Removed {model.name}.", kind="info")
