"""The download queue: every download with its progress, speed and time left, Cancel, and
Continue for a stopped one (the core keeps the partial file and a note beside it, so a
download stopped yesterday is listed again and continues where it stopped)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import App
from assistant_builder.core.records import DownloadProgress, InstalledModel
from assistant_builder.ui.models.delegates import PROGRESS_ROLE, ProgressDelegate
from assistant_builder.ui.models.item_models import DISPLAY, TOOLTIP, RowsModel
from assistant_builder.ui.models.words import human_size
from assistant_builder.ui.widgets.progress_panel import format_duration
from assistant_builder.ui.workers import PROGRESS, TaskRunner

ACTIVE = ("starting", "downloading", "verifying")


@dataclass(frozen=True)
class DownloadRow:
    ref: str  # what App.download_model is given to start or continue it
    label: str
    status: str  # starting | downloading | verifying | stopped | failed | done
    done: int = 0
    total: int = 0
    bytes_per_s: float = 0.0
    eta_s: float | None = None
    message: str = ""
    filename: str = ""

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def details(self) -> str:
        if self.status == "starting":
            return "Asking Hugging Face for the file…"
        if self.status == "done":
            return self.message or "Installed."
        if self.status == "failed":
            return self.message
        sizes = f"{human_size(self.done)} of {human_size(self.total)}" if self.total else ""
        if self.status == "stopped":
            return f"Stopped at {sizes}; Continue picks up from there." if sizes else "Stopped."
        if self.status == "verifying":
            return f"Checking the part already downloaded: {sizes}"
        left = format_duration(self.eta_s)
        parts = [sizes, f"{human_size(self.bytes_per_s)}/s" if self.bytes_per_s else ""]
        parts.append(f"about {left} left" if left else "")
        return " · ".join(p for p in parts if p)


class DownloadsModel(RowsModel[DownloadRow]):
    HEADERS = ("Model", "Progress", "Details")
    HEADER_TIPS = ("", "", "Size downloaded, speed and the time left.")

    def put(self, row: DownloadRow) -> None:
        """Add the row, or replace the one with the same ref."""
        for i, existing in enumerate(self._rows):
            if existing.ref == row.ref:
                self._rows[i] = row
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.HEADERS) - 1))
                return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
        self._rows.append(row)
        self.endInsertRows()

    def get(self, ref: str) -> DownloadRow | None:
        return next((r for r in self._rows if r.ref == ref), None)

    def cell(self, row: DownloadRow, column: int, role: int) -> Any:
        if role == PROGRESS_ROLE and column == 1:
            if row.status == "done":
                return 1000
            if row.status == "starting" or not row.total:
                return -1 if row.active else 0
            return int(1000 * min(row.done, row.total) / row.total)
        if role == DISPLAY:
            if column == 0:
                return row.label
            if column == 1:
                if row.status == "done":
                    return "Installed"
                if row.status == "failed":
                    return "Failed"
                percent = f"{100 * row.done / row.total:.0f} %" if row.total else ""
                return f"Stopped {percent}".strip() if row.status == "stopped" else percent
            return row.details()
        if role == TOOLTIP:
            return row.message or row.details() or row.label
        return None


class DownloadQueue(QObject):
    """Runs each download on its own TaskRunner and keeps DownloadsModel up to date."""

    installed = Signal(object)  # InstalledModel
    failed = Signal(str)  # one plain sentence

    def __init__(self, app: App, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.model = DownloadsModel(self)
        self._runners: dict[str, TaskRunner] = {}

    def load_pending(self) -> None:
        """List the downloads stopped in an earlier run that are not in the queue already."""
        known = {r.filename for r in self.model.rows()} | {r.ref for r in self.model.rows()}
        for pending in self._app.stopped_downloads():
            if pending.ref in known or pending.filename in known:
                continue
            self.model.put(
                DownloadRow(pending.ref, pending.filename, "stopped", pending.done, pending.total,
                            filename=pending.filename)
            )  # fmt: skip

    def start(self, ref: str, label: str) -> None:
        current = self.model.get(ref)
        if current is not None and current.active:
            return
        runner = self._runners.get(ref) or self._runner(ref)
        previous = current or DownloadRow(ref, label, "starting")
        self.model.put(replace(previous, status="starting", message="", label=label))
        runner.start(self._app.download_model, ref, on_progress=PROGRESS)

    def resume(self, ref: str) -> None:
        row = self.model.get(ref)
        self.start(ref, row.label if row else ref)

    def cancel(self, ref: str) -> None:
        runner = self._runners.get(ref)
        if runner is not None:
            runner.cancel()

    def cancel_all(self) -> None:
        for runner in self._runners.values():
            runner.cancel()

    def busy(self) -> bool:
        return any(r.busy for r in self._runners.values())

    def wait(self, msecs: int = 30_000) -> bool:
        return all(r.wait(msecs) for r in self._runners.values())

    def _runner(self, ref: str) -> TaskRunner:
        runner = TaskRunner(self)
        runner.progressed.connect(lambda p, ref=ref: self._progressed(ref, p))
        runner.finished.connect(lambda m, ref=ref: self._finished(ref, m))
        runner.failed.connect(lambda msg, ref=ref: self._failed(ref, msg))
        runner.cancelled.connect(lambda ref=ref: self._set(ref, status="stopped"))
        self._runners[ref] = runner
        return runner

    def _set(self, ref: str, **changes: Any) -> None:
        row = self.model.get(ref)
        if row is not None:
            self.model.put(replace(row, **changes))

    def _progressed(self, ref: str, p: object) -> None:
        if isinstance(p, DownloadProgress):
            status = "downloading" if p.stage == "download" else "verifying"
            self._set(ref, status=status, done=p.done, total=p.total,
                      bytes_per_s=p.bytes_per_s, eta_s=p.eta_s, filename=p.filename)  # fmt: skip

    def _finished(self, ref: str, model: object) -> None:
        if isinstance(model, InstalledModel):
            row = self.model.get(ref)
            total = row.total if row and row.total else model.size
            message = f"Installed as “{model.name}”; it is listed under Installed."
            self._set(ref, status="done", done=total, total=total, message=message)
            self.installed.emit(model)

    def _failed(self, ref: str, message: str) -> None:
        self._set(ref, status="failed", message=message)
        self.failed.emit(message)


class DownloadsView(QWidget):
    """The queue as a table, with Cancel / Continue for the selected download."""

    def __init__(self, queue: DownloadQueue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.setAccessibleName("Downloads")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("Downloads")
        heading.setObjectName("sectionTitle")
        self.table = QTableView()
        self.table.setAccessibleName("Download queue")
        self.table.setModel(queue.model)
        self.table.setItemDelegateForColumn(1, ProgressDelegate(self.table))
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(34)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(1, 220)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton("Cancel download")
        self.cancel_button.setAccessibleName("Cancel download")
        self.cancel_button.setToolTip(
            "Stop the chosen download (or the newest one); what arrived is kept."
        )
        self.continue_button = QPushButton("Continue download")
        self.continue_button.setAccessibleName("Continue download")
        self.continue_button.setToolTip(
            "Continue the chosen download (or the newest one) where it stopped."
        )
        buttons.addWidget(heading)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.continue_button)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.continue_button.clicked.connect(self.continue_selected)
        queue.model.dataChanged.connect(self._update)
        queue.model.rowsInserted.connect(self._select_newest)
        queue.model.modelReset.connect(self._update)
        self.table.selectionModel().selectionChanged.connect(self._update)
        self._update()

    def selected(self) -> DownloadRow | None:
        """The chosen download, or else the newest one (the buttons act on it)."""
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return self.queue.model.row_at(rows[0].row())
        count = self.queue.model.rowCount()
        return self.queue.model.row_at(count - 1) if count else None

    def select(self, ref: str) -> None:
        for i, row in enumerate(self.queue.model.rows()):
            if row.ref == ref:
                self.table.selectRow(i)

    def cancel_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.queue.cancel(row.ref)

    def continue_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.queue.resume(row.ref)

    def _select_newest(self) -> None:
        self.table.clearSelection()  # the buttons then act on the newest download
        self.table.resizeColumnToContents(0)
        header = self.table.horizontalHeader()
        header.resizeSection(0, header.sectionSize(0) + 16)
        self._update()

    def _update(self, *_: object) -> None:
        rows = self.queue.model.rowCount()
        self.setVisible(rows > 0)
        # As tall as its rows (up to four), so the lists above keep the room.
        height = self.table.horizontalHeader().height() + 4
        height += min(max(rows, 1), 4) * self.table.verticalHeader().defaultSectionSize()
        self.table.setFixedHeight(height)
        row = self.selected()
        self.cancel_button.setEnabled(row is not None and row.active)
        self.continue_button.setEnabled(row is not None and row.status in ("stopped", "failed"))
