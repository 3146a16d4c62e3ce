"""The Library page: the collections, their indexing with progress and a per-file report,
folder watching, and a test search. All knowledge work runs on workers (ui/workers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, QThreadPool
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.errors import AppError
from assistant_builder.core.knowledge.collection import DEFAULT_EMBEDDER, Collections
from assistant_builder.core.knowledge.indexer import IndexProgress, IndexReport, index_collection
from assistant_builder.ui.library.dialogs import EMBEDDER_TIP, NewCollectionDialog
from assistant_builder.ui.library.models import (
    STATUSES,
    CollectionListModel,
    ReportFilterModel,
    ReportModel,
)
from assistant_builder.ui.library.search_panel import TestSearchPanel, make_search
from assistant_builder.ui.library.summary import EmbedderCache, embedder_in_words, summarize
from assistant_builder.ui.widgets.banner import Banner
from assistant_builder.ui.widgets.progress_panel import ProgressPanel
from assistant_builder.ui.workers import TaskRunner

INTRO = (
    "Folders of documents your assistants can read and quote. They are read on this computer "
    "and cut into short passages, so answers can cite the exact page. Drop folders here to "
    "add them."
)


def index_job(
    collections: Collections, embedders: EmbedderCache, name: str, *, cancel: CancelToken
) -> Iterator[IndexProgress | IndexReport]:
    yield IndexProgress(0, 0, 0, 0.0, None, note="Getting the reader ready…")
    embedder = embedders.get(collections.get(name).embedder, cancel=cancel)
    yield from index_collection(collections, name, embedder=embedder, cancel=cancel)


def watch_job(
    collections: Collections,
    embedders: EmbedderCache,
    name: str,
    debounce_ms: int,
    *,
    cancel: CancelToken,
) -> Iterator[IndexProgress | IndexReport]:
    from assistant_builder.core.knowledge.watcher import watch_collection

    embedder = embedders.get(collections.get(name).embedder, cancel=cancel)
    yield from watch_collection(
        collections, name, embedder=embedder, debounce_ms=debounce_ms, cancel=cancel
    )


def _button(text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setToolTip(tip)
    return button


class LibraryPage(QWidget):
    def __init__(
        self,
        collections: Collections,
        *,
        embedders: EmbedderCache | None = None,
        default_embedder: str = DEFAULT_EMBEDDER,
        watch_debounce_ms: int = 800,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.collections = collections
        self.embedders = embedders or EmbedderCache(collections.paths)
        self.default_embedder = default_embedder
        self._debounce_ms = watch_debounce_ms
        self.reports: dict[str, IndexReport] = {}
        self._shown_report: IndexReport | None = None
        self.indexing = ""  # the collection being indexed, if any
        self.index_runner = TaskRunner(self)
        self.index_runner.progressed.connect(self._on_index_event)
        self.index_runner.finished.connect(self._on_index_ended)
        self.index_runner.failed.connect(self._on_index_failed)
        self.index_runner.cancelled.connect(self._on_index_cancelled)
        self.index_runner.busy_changed.connect(lambda _busy: self._update_actions())
        # Watchers run until stopped: their own pool keeps them from starving other work.
        self._watch_pool = QThreadPool(self)
        self._watch_pool.setMaxThreadCount(16)
        self.watchers: dict[str, TaskRunner] = {}
        self.watched: set[str] = set()  # what the person asked for; a stopping watcher is not
        self.dialog: NewCollectionDialog | None = None
        self.setAccessibleName("Library page")
        self.setAcceptDrops(True)
        self._build()
        self.refresh()
        for summary in (self.model.summary(r) for r in range(self.model.rowCount())):
            if summary.watch:
                self._start_watch(summary.name)

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
        )
        self.add_folder_button = _button(
            "Add folder…", "Add folder", "Add a folder of documents to the selected collection."
        )
        self.remove_button = _button(
            "Remove",
            "Remove collection",
            "Forget the selected collection and its index; your documents are never deleted.",
        )
        self.index_button = _button(
            "Index now",
            "Index collection",
            "Read new and changed documents into the index, so assistants can find them.",
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
        self.progress = ProgressPanel()
        self.progress.cancel_requested.connect(self.index_runner.cancel)

        self.report_model = ReportModel(self)
        self.report_proxy = ReportFilterModel(self)
        self.report_proxy.setSourceModel(self.report_model)
        self.report_summary = QLabel("Index the collection to see what happened to each file.")
        self.report_summary.setAccessibleName("Report summary")
        self.report_summary.setWordWrap(True)
        self.report_filter = QLineEdit()
        self.report_filter.setPlaceholderText("Filter by file name or reason…")
        self.report_filter.setAccessibleName("Filter the report")
        self.report_filter.setClearButtonEnabled(True)
        self.report_status = QComboBox()
        self.report_status.setAccessibleName("Show files that were")
        self.report_status.setToolTip("Show only the files with this outcome.")
        self.report_status.addItem("All files", "")
        for status in STATUSES:
            self.report_status.addItem(status, status)
        self.report_view = QTableView()
        self.report_view.setAccessibleName("Index report")
        self.report_view.setModel(self.report_proxy)
        self.report_view.setSortingEnabled(True)
        self.report_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # failed files first
        self.report_view.verticalHeader().hide()
        self.report_view.setWordWrap(False)
        # Fixed widths: fitting columns to their contents measures every row of a long
        # report on the GUI thread (a visible freeze after indexing thousands of files).
        report_header = self.report_view.horizontalHeader()
        report_header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        report_header.setStretchLastSection(True)
        self.report_view.setColumnWidth(0, 110)
        self.report_view.setColumnWidth(1, 300)
        self.report_view.verticalHeader().setDefaultSectionSize(24)
        self.report_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.report_filter.textChanged.connect(self.report_proxy.setFilterFixedString)
        self.report_status.currentIndexChanged.connect(
            lambda _: self.report_proxy.set_status(self.report_status.currentData())
        )
        filters = QHBoxLayout()
        filters.addWidget(self.report_filter, 1)
        filters.addWidget(self.report_status)
        report_tab = QWidget()
        report_layout = QVBoxLayout(report_tab)
        report_layout.addWidget(self.report_summary)
        report_layout.addLayout(filters)
        report_layout.addWidget(self.report_view, 1)

        self.search_panel = TestSearchPanel(make_search(self.collections, self.embedders))
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Collection details")
        self.tabs.addTab(report_tab, "Indexing report")
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
            summaries = [summarize(self.collections, c) for c in self.collections.list()]
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
        self.dialog = NewCollectionDialog(self.default_embedder, folders, self)
        self.dialog.accepted.connect(self._create_from_dialog)
        self.dialog.open()
        return self.dialog

    def _create_from_dialog(self) -> None:
        assert self.dialog is not None
        self.create_collection(self.dialog.name.text().strip(), self.dialog.folder_list())

    def create_collection(self, name: str, folders: list[str]) -> bool:
        try:
            self.collections.create(name, folders, embedder=self.default_embedder)
        except AppError as exc:
            self.banner.show_message(str(exc))
            return False
        self.banner.dismiss()
        self.refresh()
        self.select(name)
        return True

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
            self.banner.show_message(
                f"“{name}” is being indexed or watched; wait for it or turn watching off "
                "before adding folders.", kind="warning")  # fmt: skip
            return
        config = self.collections.get(name)
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
            self.collections.update(name, folders=config.folders + tuple(new))
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
        answer = QMessageBox.question(
            self,
            "Remove collection",
            f"Remove the collection “{name}” and its index? Assistants will no longer read it. "
            "Your documents stay where they are: nothing in your folders is ever deleted.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.collections.remove(name)
        except (AppError, OSError) as exc:
            self.banner.show_message(f"The collection could not be removed ({exc}); "
                                     "close other programs using it and try again.")  # fmt: skip
        self.reports.pop(name, None)
        self.refresh()

    # ----- indexing ---------------------------------------------------------------------

    def start_index(self) -> None:
        name = self.selected_name()
        if not name or self.index_runner.busy:
            return
        self.indexing = name
        self.banner.dismiss()
        self.progress.start(f"Indexing “{name}”…")
        self.index_runner.start(index_job, self.collections, self.embedders, name)
        self._update_actions()

    def _on_index_event(self, event: object) -> None:
        if isinstance(event, IndexReport):
            self._keep_report(self.indexing, event)
        elif isinstance(event, IndexProgress):
            if event.note:
                self.progress.label.setText(event.note)
                return
            detail = (f"{event.files_done} of {event.files_total} files · "
                      f"{event.chunks} passages")  # fmt: skip
            if event.path:
                detail += f" · {Path(event.path).name}"
            self.progress.update_progress(
                event.files_done, event.files_total, detail, eta_s=event.eta_s
            )

    def _keep_report(self, name: str, report: IndexReport) -> None:
        self.reports[name] = report
        if name == self.selected_name():
            self._show_report(report)

    def _index_over(self) -> None:
        self.indexing = ""
        self.progress.finish()
        self.refresh()

    def _on_index_ended(self, _result: object) -> None:
        self._index_over()

    def _on_index_failed(self, message: str) -> None:
        self._index_over()
        self.banner.show_message(message)

    def _on_index_cancelled(self) -> None:
        name = self.indexing
        self._index_over()
        self.banner.show_message(
            f"Indexing of “{name}” stopped; what was already read is kept. Index again to finish.",
            kind="info",
        )

    # ----- watching ---------------------------------------------------------------------

    def is_watching(self, name: str) -> bool:
        return name in self.watched

    def _watcher_busy(self, name: str) -> bool:
        runner = self.watchers.get(name)
        return runner is not None and runner.busy

    def set_watching(self, on: bool) -> None:
        name = self.selected_name()
        if not name:
            return
        try:
            self.collections.update(name, watch=on)
        except AppError as exc:
            self.banner.show_message(str(exc))
            return
        if on:
            self._start_watch(name)
        else:
            self._stop_watch(name)
        self.refresh()

    def _start_watch(self, name: str) -> None:
        self.watched.add(name)
        if self._watcher_busy(name):
            return
        runner = self.watchers.get(name) or TaskRunner(self, pool=self._watch_pool)
        if name not in self.watchers:
            self.watchers[name] = runner
            runner.progressed.connect(lambda e, n=name: self._on_watch_event(n, e))
            runner.failed.connect(lambda m, n=name: self._on_watch_failed(n, m))
            runner.busy_changed.connect(lambda _b: self._update_actions())
        runner.start(watch_job, self.collections, self.embedders, name, self._debounce_ms)

    def _stop_watch(self, name: str) -> None:
        self.watched.discard(name)
        runner = self.watchers.get(name)
        if runner is not None:
            runner.cancel()

    def _on_watch_event(self, name: str, event: object) -> None:
        if isinstance(event, IndexReport):
            self._keep_report(name, event)
            changed = len(event.indexed) + len(event.removed) + len(event.failed)
            self.watch_status.setText(f"Updated {changed} changed files at "
                                      f"{datetime.now():%H:%M:%S}")  # fmt: skip
            self.refresh()
        elif isinstance(event, IndexProgress) and name == self.selected_name():
            self.watch_status.setText("Reading changed documents…")

    def _on_watch_failed(self, name: str, message: str) -> None:
        self.watched.discard(name)
        self.banner.show_message(f"Watching “{name}” stopped: {message}")
        self._update_actions()

    def shutdown(self, msecs: int = 10_000) -> None:
        """Stops indexing and every watcher, and waits for them (app exit)."""
        self.index_runner.cancel()
        self.search_panel.runner.cancel()
        for runner in self.watchers.values():
            runner.cancel()
        self._watch_pool.waitForDone(msecs)
        self.index_runner.wait(msecs)

    # ----- selection, report ------------------------------------------------------------

    def _selection_changed(self, *_: object) -> None:
        name = self.selected_name()
        if name:
            summary = self.model.summary(self.model.row_of(name))
            self.embedder_label.setText(f"Reads with {embedder_in_words(summary.embedder)}")
        else:
            self.embedder_label.setText("Create a collection to get started.")
        self._show_report(self.reports.get(name))
        self.search_panel.set_collection(name)
        self._update_actions()

    def _show_report(self, report: IndexReport | None) -> None:
        if report is self._shown_report and report is not None:
            return
        self._shown_report = report
        self.report_model.set_report(report)
        if report is None:
            self.report_summary.setText("Index the collection to see what happened to each file.")
            return
        self.report_summary.setText(
            f"{len(report.indexed)} indexed, {len(report.unchanged)} unchanged, "
            f"{len(report.removed)} removed, {len(report.failed)} could not be read; "
            f"{report.chunks} passages stored in {report.seconds:.1f} s."
            + "".join(f" {note}" for note in report.notes)
        )

    def is_busy(self, name: str) -> bool:
        """Being indexed or watched: its folders and index must not change under the work."""
        return bool(name) and (
            self.indexing == name or self.is_watching(name) or self._watcher_busy(name)
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

    # ----- drag and drop ----------------------------------------------------------------

    @staticmethod
    def _dropped_folders(event: QDragEnterEvent | QDropEvent) -> list[str]:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        paths = [u.toLocalFile() for u in urls if u.isLocalFile()]
        return [p for p in paths if Path(p).is_dir()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_folders(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        folders = self._dropped_folders(event)
        if not folders:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_folders(folders)
