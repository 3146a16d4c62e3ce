"""The Library page: the collections, their indexing with progress and a per-file report,
folder watching, and a test search. All knowledge work runs in the knowledge process
(core/knowledge/process.py), waited on by workers (ui/workers.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import App, AssistantStore, removed_sentence
from assistant_builder.core.records import (
    DEFAULT_EMBEDDER,
    AppError,
    CollectionRemoved,
    IndexReport,
)
from assistant_builder.ui.library.dialogs import EMBEDDER_TIP, NewCollectionDialog
from assistant_builder.ui.library.drops import FolderDrops
from assistant_builder.ui.library.embedder_hint import offer_multilingual
from assistant_builder.ui.library.indexing import Indexing
from assistant_builder.ui.library.models import (
    CollectionListModel,
)
from assistant_builder.ui.library.removal import CollectionRemoval
from assistant_builder.ui.library.report_panel import ReportPanel
from assistant_builder.ui.library.search_panel import TestSearchPanel
from assistant_builder.ui.library.summary import embedder_in_words
from assistant_builder.ui.library.watching import Watchers
from assistant_builder.ui.resources import icon
from assistant_builder.ui.widgets.banner import Banner

INTRO = (
    "Folders of documents your assistants can read and quote. They are read on this computer "
    "and cut into short passages, so answers can cite the exact page. Drop folders here to "
    "add them."
)


def _button(text: str, name: str, tip: str, icon_name: str) -> QPushButton:
    button = QPushButton(text)
    button.setIcon(icon(icon_name))
    button.setAccessibleName(name)
    button.setToolTip(tip)
    return button


class LibraryPage(FolderDrops, QWidget):
    collection_removed = Signal(object)  # CollectionRemoved: the assistants it was taken from

    def __init__(
        self,
        app: App,
        *,
        default_embedder: str = DEFAULT_EMBEDDER,
        watch_debounce_ms: int = 800,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self._warmed = False
        self.default_embedder = default_embedder
        self.reports: dict[str, IndexReport] = {}
        self.indexer = Indexing(app, self)
        self.indexer.reported.connect(self._keep_report)
        self.indexer.ended.connect(self._index_over)
        self.indexer.failed.connect(self._on_index_failed)
        self.indexer.cancelled.connect(self._on_index_cancelled)
        self.index_runner = self.indexer.runner
        self.index_runner.busy_changed.connect(lambda _busy: self._update_actions())
        self.assistants: AssistantStore = app.assistants
        self.removal = CollectionRemoval(app, self)
        self.removal.removed.connect(self._removed)
        self.removal.failed.connect(self._removal_over)
        self.remove_runner = self.removal.runner
        self.watching = Watchers(app, debounce_ms=watch_debounce_ms, parent=self)
        self.watching.reported.connect(self._on_watch_report)
        self.watching.progressed.connect(self._on_watch_progress)
        self.watching.failed.connect(self._on_watch_failed)
        self.watching.busy_changed.connect(self._update_actions)
        # For tests and shutdown: the runners by collection, and the pool they run on.
        self.watchers = self.watching.runners
        self._watch_pool = self.watching.pool
        self.dialog: NewCollectionDialog | None = None
        self._busy_warning = ""  # the banner's "wait for it" while the collection is busy
        self.setAccessibleName("Library page")
        self.setAcceptDrops(True)
        self._build()
        self.refresh()
        for summary in (self.model.summary(r) for r in range(self.model.rowCount())):
            if summary.watch:
                self.watching.start(summary.name)

    # ----- building ---------------------------------------------------------------------

    def _build(self) -> None:
        title = QLabel("Library")
        title.setObjectName("pageTitle")
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.banner = Banner()
        self.new_button = _button(
            "New collection…",
            "New collection",
            "Make a collection from one or more folders of documents.",
            "new",
        )
        self.add_folder_button = _button(
            "Add folder…",
            "Add folder",
            "Add a folder of documents to the selected collection.",
            "add-folder",
        )
        self.remove_button = _button(
            "Remove",
            "Remove collection",
            "Forget the selected collection and its index; your documents are never deleted.",
            "remove",
        )
        self.index_button = _button(
            "Index now",
            "Index collection",
            "Read new and changed documents into the index, so assistants can find them.",
            "regenerate",
        )
        self.watch_check = QCheckBox("Watch folders for changes")
        self.watch_check.setAccessibleName("Watch folders")
        self.watch_check.setToolTip(
            "While the app is open, documents you add, change or delete in these folders "
            "are indexed again by themselves."
        )  # fmt: skip
        actions = QHBoxLayout()
        for button in (self.new_button, self.add_folder_button, self.remove_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.watch_check)
        actions.addWidget(self.index_button)

        self.model = CollectionListModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Collections")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setMaximumHeight(150)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.embedder_label = QLabel()
        self.embedder_label.setAccessibleName("Embedder")
        self.embedder_label.setToolTip(EMBEDDER_TIP)
        self.watch_status = QLabel()
        self.watch_status.setAccessibleName("Watching status")
        self.progress = self.indexer.progress

        self.report_panel = ReportPanel()
        # The report's parts, by the names the rest of the page and its tests use.
        self.report_model = self.report_panel.model
        self.report_proxy = self.report_panel.proxy
        self.report_summary = self.report_panel.summary
        self.report_filter = self.report_panel.filter
        self.report_status = self.report_panel.status
        self.report_view = self.report_panel.view

        self.search_panel = TestSearchPanel(self.app.search_collection)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Collection details")
        self.tabs.addTab(self.report_panel, "Indexing report")
        self.tabs.addTab(self.search_panel, "Test search")
        self.tabs.setTabToolTip(0, "What the last indexing did with each file.")
        self.tabs.setTabToolTip(1, "See which passages a question finds, as an assistant would.")

        details = QHBoxLayout()
        details.addWidget(self.embedder_label, 1)
        details.addWidget(self.watch_status)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.banner)
        layout.addLayout(actions)
        layout.addWidget(self.table)
        layout.addLayout(details)
        layout.addWidget(self.progress)
        layout.addWidget(self.tabs, 1)

        self.new_button.clicked.connect(lambda: self.new_collection())
        self.add_folder_button.clicked.connect(self.choose_folder)
        self.remove_button.clicked.connect(self.remove_collection)
        self.index_button.clicked.connect(self.start_index)
        self.watch_check.clicked.connect(self.set_watching)

    # ----- collections ------------------------------------------------------------------

    def refresh(self) -> None:
        selected = self.selected_name()
        try:
            summaries = self.app.collection_statuses()
        except AppError as exc:
            self.banner.show_message(str(exc))
            summaries = []
        self.model.set_summaries(summaries)
        if summaries:
            row = max(self.model.row_of(selected), 0)
            self.table.selectionModel().select(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._selection_changed()

    def names(self) -> list[str]:
        return [self.model.summary(r).name for r in range(self.model.rowCount())]

    def selected_name(self) -> str:
        rows = self.table.selectionModel().selectedRows() if self.table.model() else []
        return self.model.summary(rows[0].row()).name if rows else ""

    def select(self, name: str) -> None:
        row = self.model.row_of(name)
        if row >= 0:
            self.table.selectRow(row)

    def new_collection(self, folders: list[str] | None = None) -> NewCollectionDialog:
        """Opens the dialog (not modal to the event loop); Create makes the collection."""
        self.dialog = NewCollectionDialog(
            self.default_embedder, folders, self, create=self._create_from_dialog
        )
        self.dialog.open()
        return self.dialog

    def _create_from_dialog(self, name: str, folders: list[str]) -> str:
        """Make the collection and start reading it; or why not, for the dialog to say."""
        assert self.dialog is not None
        store, endpoint = self.dialog.store_choice()
        try:
            self.app.create_collection(
                name, folders, embedder=self.default_embedder, store=store, endpoint=endpoint
            )
        except AppError as exc:
            return str(exc)
        self._created(name)
        self.start_index()
        return ""

    def create_collection(
        self, name: str, folders: list[str], store: str = "", endpoint: str = ""
    ) -> bool:
        """Make the collection without indexing it (the dialog's Create also starts that)."""
        try:
            self.app.create_collection(
                name, folders, embedder=self.default_embedder, store=store, endpoint=endpoint
            )
        except AppError as exc:
            self.banner.show_message(str(exc))
            return False
        self._created(name)
        return True

    def _created(self, name: str) -> None:
        self.banner.dismiss()
        self.refresh()
        self.select(name)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a folder of documents")
        if folder:
            self.add_folders([folder])

    def add_folders(self, folders: list[str]) -> None:
        name = self.selected_name()
        if not name:
            self.new_collection(folders)
            return
        if self.is_busy(name):
            self._busy_warning = (f"“{name}” is being indexed or watched; wait for it or turn "
                                  "watching off before adding folders.")  # fmt: skip
            self.banner.show_message(self._busy_warning, kind="warning")
            return
        config = self.app.collection(name)
        known = set(config.folders)
        new = []
        for folder in folders:
            path = Path(folder).expanduser()
            if not path.is_dir():
                self.banner.show_message(f"{path} is not a folder; drop or choose a folder.")
                return
            resolved = str(path.resolve())
            if resolved not in known:
                known.add(resolved)
                new.append(resolved)
        if new:
            self.app.change_collection(name, folders=config.folders + tuple(new))
            self.banner.show_message(
                f"Added {', '.join(Path(f).name for f in new)} to “{name}”; "
                "index the collection to read its documents.",
                kind="info",
            )
        self.refresh()

    def remove_collection(self) -> None:
        name = self.selected_name()
        if not name:
            return
        if not self.removal.confirm(name):
            return
        self.reports.pop(name, None)
        self.removal.start(name)
        self._update_actions()

    def _removed(self, removed: CollectionRemoved) -> None:
        self._removal_over()
        if removed.changed or removed.unchanged:
            details = "\n".join(f"{n}: {why}" for n, why in removed.unchanged)
            kind = "warning" if removed.unchanged else "info"
            self.banner.show_message(removed_sentence(removed), kind=kind, details=details)
        self.collection_removed.emit(removed)

    def _removal_over(self, problem: str = "") -> None:
        if problem:
            self.banner.show_message(problem)
        self.refresh()

    # ----- indexing ---------------------------------------------------------------------

    @property
    def indexing(self) -> str:
        """The collection being indexed, if any."""
        return self.indexer.name

    def start_index(self) -> None:
        if self.indexer.start(self.selected_name()):
            self.banner.dismiss()
            self._update_actions()

    def _keep_report(self, name: str, report: IndexReport) -> None:
        self.reports[name] = report
        if name == self.selected_name():
            self._show_report(report)
        if report.suggestion:
            offer_multilingual(self.banner, self.app, name, report.suggestion, self._redo)

    def _redo(self, name: str) -> None:
        self.select(name)
        self.start_index()

    def _index_over(self, _name: str = "") -> None:
        self.refresh()
        self._busy_over()

    def _busy_over(self) -> None:
        """A wait-until-it-is-done warning goes once the collection is free again."""
        name = self.selected_name()
        if self._busy_warning and not self.is_busy(name):
            if self.banner.message.text() == self._busy_warning:
                self.banner.dismiss()
            self._busy_warning = ""

    def _on_index_failed(self, _name: str, message: str) -> None:
        self.banner.show_message(message)

    def _on_index_cancelled(self, name: str) -> None:
        self.banner.show_message(
            f"Indexing of “{name}” stopped; what was already read is kept. Index again to finish.",
            kind="info",
        )

    # ----- watching ---------------------------------------------------------------------

    def is_watching(self, name: str) -> bool:
        return self.watching.is_watching(name)

    def set_watching(self, on: bool) -> None:
        name = self.selected_name()
        if not name:
            return
        try:
            self.app.change_collection(name, watch=on)
        except AppError as exc:
            self.banner.show_message(str(exc))
            return
        if on:
            self.watching.start(name)
        else:
            self.watching.stop(name)
        self.refresh()
        self._busy_over()

    def _on_watch_report(self, name: str, report: object) -> None:
        assert isinstance(report, IndexReport)
        self._keep_report(name, report)
        changed = len(report.indexed) + len(report.removed) + len(report.failed)
        self.watch_status.setText(f"Updated {changed} changed files at "
                                  f"{datetime.now():%H:%M:%S}")  # fmt: skip
        self.refresh()

    def _on_watch_progress(self, name: str) -> None:
        if name == self.selected_name():
            self.watch_status.setText("Reading changed documents…")

    def _on_watch_failed(self, name: str, message: str) -> None:
        self.banner.show_message(f"Watching “{name}” stopped: {message}")
        self._update_actions()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._warmed and self.names():
            # The first test search or indexing should not wait for the reader to load.
            self._warmed = True
            self.app.warm_collections(self.names())

    def stop_work(self) -> None:
        """Asks indexing, searching and every watcher to stop, without waiting."""
        self.index_runner.cancel()
        self.remove_runner.cancel()
        self.search_panel.runner.cancel()
        self.watching.stop_all()

    def shutdown(self, msecs: int = 10_000) -> None:
        """Stops indexing and every watcher, and waits for them (app exit)."""
        self.stop_work()
        self.watching.shutdown(msecs)
        self.index_runner.wait(msecs)

    # ----- selection, report ------------------------------------------------------------

    def _selection_changed(self, *_: object) -> None:
        name = self.selected_name()
        if name:
            summary = self.model.summary(self.model.row_of(name))
            self.embedder_label.setText(f"Reads with {embedder_in_words(summary.embedder)}")
        else:
            self.embedder_label.setText("Create a collection to get started.")
        kept = self.reports.get(name) or (self.app.last_report(name) if name else None)
        self._show_report(kept)
        self.search_panel.set_collection(name)
        self._update_actions()

    def _show_report(self, report: IndexReport | None) -> None:
        self.report_panel.show_report(report)

    def is_busy(self, name: str) -> bool:
        """Being indexed, removed or watched: its folders and index must not change under it."""
        return bool(name) and (
            name in (self.indexing, self.removal.name)
            or self.is_watching(name)
            or self.watching.busy(name)
        )

    def _update_actions(self) -> None:
        name = self.selected_name()
        watching = bool(name) and self.is_watching(name)
        # A stopping watcher may still be writing: one writer per index at a time.
        busy = self.is_busy(name)
        self.add_folder_button.setEnabled(not busy)
        self.remove_button.setEnabled(bool(name) and not busy)
        self.index_button.setEnabled(bool(name) and not self.index_runner.busy and not busy)
        self.watch_check.setEnabled(bool(name) and self.indexing != name)
        self.watch_check.setChecked(watching)
        self.watch_status.setText(self.watch_status.text() if watching else "")
        if watching:
            self.index_button.setToolTip("Watching keeps this collection up to date.")
        else:
            self.index_button.setToolTip("Read new and changed documents into the index, so "
                                         "assistants can find them.")  # fmt: skip
