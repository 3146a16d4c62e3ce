"""Search Hugging Face for GGUF models, see a repository's files (one per quantization) with
their sizes, and download one. Every request runs off the GUI thread through the app's
network policy, so offline mode and the network log apply."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import App
from assistant_builder.core.records import HubRepo
from assistant_builder.ui.models.item_models import HubFilesModel, HubReposModel
from assistant_builder.ui.models.words import QUANTIZATION_TIP
from assistant_builder.ui.workers import TaskRunner

READY = "Models on Hugging Face that this app can run."
FAILED = "The search did not work; see the message above."


def _table(name: str) -> QTableView:
    table = QTableView()
    table.setAccessibleName(name)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    return table


class SearchPanel(QWidget):
    download_requested = Signal(str, str)  # core ref (owner/repo:file.gguf), label
    failed = Signal(str)

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.setAccessibleName("Search Hugging Face")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        row = QHBoxLayout()
        self.query = QLineEdit()
        self.query.setAccessibleName("Search words")
        self.query.setPlaceholderText("Search Hugging Face, e.g. “qwen 0.5b”, or owner/repo")
        self.query.setClearButtonEnabled(True)
        self.search_button = QPushButton("Search")
        self.search_button.setAccessibleName("Search Hugging Face")
        self.search_button.setToolTip(
            "Look for GGUF models (the file format this app runs) on huggingface.co."
        )
        row.addWidget(self.query, 1)
        row.addWidget(self.search_button)
        self.status = QLabel(READY)
        self.status.setAccessibleName("Search status")
        self.status.setWordWrap(True)

        self.repos = HubReposModel(self)
        self.repos_table = _table("Search results")
        self.repos_table.setModel(self.repos)
        header = self.repos_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.files = HubFilesModel(self)
        self.files_table = _table("Files of the chosen repository")
        self.files_table.setModel(self.files)
        self.files_table.setToolTip(QUANTIZATION_TIP)
        header = self.files_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        split = QSplitter()
        split.addWidget(self.repos_table)
        split.addWidget(self.files_table)
        split.setSizes([500, 500])
        self.download_button = QPushButton("Download file")
        self.download_button.setAccessibleName("Download the chosen file")
        self.download_button.setToolTip("Download the chosen quantization of this model.")
        self.download_button.setEnabled(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.download_button)
        layout.addLayout(row)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)

        self.search_runner = TaskRunner(self)
        self.search_runner.finished.connect(self._found)
        self.search_runner.failed.connect(self._failed)
        self.files_runner = TaskRunner(self)
        self.files_runner.finished.connect(self._listed)
        self.files_runner.failed.connect(self._failed)
        self.search_button.clicked.connect(self.search)
        self.query.returnPressed.connect(self.search)
        self.repos_table.selectionModel().currentRowChanged.connect(self._repo_chosen)
        self.files_table.selectionModel().currentRowChanged.connect(self._file_chosen)
        self.download_button.clicked.connect(self.download_chosen)

    def search(self) -> None:
        query = self.query.text().strip()
        if not query:
            self.status.setText("Type a few words to search for, or owner/repo.")
            return
        self.files.set_rows([])
        self.download_button.setEnabled(False)
        if "/" in query:  # a repository name: list its files straight away
            self.repos.set_rows([HubRepo(query, 0, 0, False)])
            self.list_files(query)
            return
        self.status.setText(f"Searching Hugging Face for “{query}”…")
        self.repos.set_rows([])
        self.search_runner.start(self._app.search_hub, query)

    def list_files(self, repo: str) -> None:
        self.status.setText(f"Listing the files of {repo}…")
        self.files_runner.start(self._app.hub_files, repo)

    def download_chosen(self) -> None:
        rows = self.files_table.selectionModel().selectedRows()
        if not rows:
            return
        file = self.files.row_at(rows[0].row())
        self.download_requested.emit(f"{file.repo}:{file.filename}", Path(file.filename).stem)

    def _found(self, repos: object) -> None:
        found = list(repos) if isinstance(repos, list) else []
        self.repos.set_rows(found)
        self.status.setText(
            f"{len(found)} model{'s' if len(found) != 1 else ''} found; choose one to see its "
            "files." if found else f"No GGUF model on Hugging Face matches “{self.query.text()}”."
        )  # fmt: skip
        if found:
            self.repos_table.selectRow(0)

    def _listed(self, files: object) -> None:
        listed = list(files) if isinstance(files, list) else []
        self.files.set_rows(listed)
        self.status.setText(
            "Choose a file: smaller files are faster, larger ones slightly more accurate."
            if listed else "This repository holds no GGUF file."
        )  # fmt: skip
        if listed:
            self.files_table.selectRow(0)

    def _failed(self, message: str) -> None:
        self.status.setText(FAILED)
        self.failed.emit(message)

    def clear_failure(self) -> None:
        """The message above was dismissed: nothing is left pointing at it."""
        if self.status.text() == FAILED:
            self.status.setText(READY)

    def _repo_chosen(self, current: object, _previous: object) -> None:
        row = self.repos_table.currentIndex().row()
        if 0 <= row < self.repos.rowCount():
            self.files.set_rows([])
            self.list_files(self.repos.row_at(row).repo)

    def _file_chosen(self, *_: object) -> None:
        self.download_button.setEnabled(self.files_table.currentIndex().isValid())
