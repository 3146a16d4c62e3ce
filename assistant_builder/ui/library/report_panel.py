"""The per-file report of the last indexing of a collection, with a text filter and a status
filter (indexed / unchanged / removed / failed or skipped with its reason), each file with its
folder. The last report of a collection is kept, so it is still here after a restart."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.records import IndexReport
from assistant_builder.ui.library.models import STATUSES, ReportFilterModel, ReportModel

EMPTY = "Index the collection to see what happened to each file."


class ReportPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shown: IndexReport | None = None
        self.model = ReportModel(self)
        self.proxy = ReportFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self.summary = QLabel(EMPTY)
        self.summary.setAccessibleName("Report summary")
        self.summary.setWordWrap(True)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by file, folder or reason…")
        self.filter.setAccessibleName("Filter the report")
        self.filter.setClearButtonEnabled(True)
        self.status = QComboBox()
        self.status.setAccessibleName("Show files that were")
        self.status.setToolTip("Show only the files with this outcome.")
        self.status.addItem("All files", "")
        for status in STATUSES:
            self.status.addItem(status, status)
        self.view = QTableView()
        self.view.setAccessibleName("Index report")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # failed files first
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        # Fixed widths: fitting columns to their contents measures every row of a long
        # report on the GUI thread (a visible freeze after indexing thousands of files).
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.view.setColumnWidth(0, 110)
        self.view.setColumnWidth(1, 220)
        self.view.setColumnWidth(2, 260)
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.status.currentIndexChanged.connect(
            lambda _: self.proxy.set_status(self.status.currentData())
        )
        filters = QHBoxLayout()
        filters.addWidget(self.filter, 1)
        filters.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)

    def show_report(self, report: IndexReport | None) -> None:
        if report is self._shown and report is not None:
            return
        self._shown = report
        self.model.set_report(report)
        if report is None:
            self.summary.setText(EMPTY)
            return
        self.summary.setText(
            f"{len(report.indexed)} indexed, {len(report.unchanged)} unchanged, "
            f"{len(report.removed)} removed, {len(report.failed)} could not be read; "
            f"{report.chunks} passages stored in {report.seconds:.1f} s."
            + (
                f" {len(report.skipped)} other files are not documents the app reads "
                "(status “Skipped”)."
                if report.skipped
                else ""
            )
            + "".join(f" {note}" for note in report.notes)
        )
