"""The Models page's "On model servers" tab: the models each server added in Settings offers,
beside the installed ones, each marked with its server's name. Servers are asked when the tab
is first shown and on Refresh, never just because the window opened."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import App
from assistant_builder.core.records import ServerModels, about_words
from assistant_builder.ui.workers import TaskRunner

COLUMNS = ("Model", "Server", "Memory for the conversation")


class ServerModelsPanel(QWidget):
    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.setAccessibleName("Models on model servers")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Model servers status")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Ask each model server again which models it offers")
        top.addWidget(self.status, 1)
        top.addWidget(self.refresh_button)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Server models")
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        self.runner = TaskRunner(self)
        self.runner.finished.connect(self.show_models)
        self.runner.failed.connect(self.status.setText)
        self.refresh_button.clicked.connect(self.refresh)
        self._asked = False
        self.results: list[ServerModels] = []

    def refresh(self) -> None:
        self._asked = True
        servers = self.app.model_servers()
        if not servers:
            self.show_models([])
            return
        self.status.setText("Asking your model servers which models they offer…")
        self.runner.start(self.app.server_models)

    def show_models(self, results: object) -> None:
        self.results = [r for r in results if isinstance(r, ServerModels)]  # type: ignore[attr-defined]
        self.tree.clear()
        for result in self.results:
            for model in result.models:
                size = "as the server says"
                if model.context_size:
                    size = about_words(model.context_size)
                item = QTreeWidgetItem([model.id, f"on {model.server}", size])
                item.setData(0, Qt.ItemDataRole.UserRole, (model.server, model.id))
                item.setToolTip(0, model.label)
                self.tree.addTopLevelItem(item)
        problems = [r.sentence for r in self.results if r.problem]
        if not self.results:
            self.status.setText(
                "No model server yet; add one in Settings under “Model servers” to use models "
                "that run elsewhere."
            )
        else:
            found = sum(len(r.models) for r in self.results)
            self.status.setText(
                " ".join([f"{found} model(s) on {len(self.results)} server(s).", *problems])
            )

    def showEvent(self, event: object) -> None:
        if not self._asked:
            self.refresh()
        super().showEvent(event)  # type: ignore[arg-type]
