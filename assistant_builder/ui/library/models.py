"""Qt item models over the knowledge core: the collections, and the per-file index report
with a proxy that filters it by status and by text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from assistant_builder.core.records import CollectionStatus, IndexReport
from assistant_builder.ui.theme import color as theme_color

Index = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()


def when_in_words(summary: CollectionStatus) -> str:
    if summary.last_indexed is None:
        return "Not indexed yet"
    stamp = summary.last_indexed.strftime("%d %b %Y, %H:%M")
    return f"Stopped before the end ({stamp})" if summary.interrupted else stamp


class CollectionListModel(QAbstractTableModel):
    """One row per collection: name, folders, files, passages, last indexed."""

    HEADERS = ("Collection", "Folders", "Files", "Passages", "Last indexed")
    TIPS = (
        "",
        "The folders whose documents this collection reads; hover for the full paths.",
        "Documents read into the index (files that could not be read are not counted).",
        "Documents are cut into short passages (chunks) so an answer can quote the right "
        "part; this is how many the index holds.",
        "When the documents were last read into the index.",
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[CollectionStatus] = []

    def set_summaries(self, summaries: list[CollectionStatus]) -> None:
        self.beginResetModel()
        self._rows = list(summaries)
        self.endResetModel()

    def summary(self, row: int) -> CollectionStatus:
        return self._rows[row]

    def row_of(self, name: str) -> int:
        for row, s in enumerate(self._rows):
            if s.name == name:
                return row
        return -1

    def rowCount(self, parent: Index = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.TIPS[section] or None
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        s, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return f"{s.name}  ·  watching" if s.watch else s.name
            if col == 1:
                names = [Path(f).name or f for f in s.folders]
                return ", ".join(names)
            if col == 2:
                return f"{s.files} ({s.failed} unreadable)" if s.failed else str(s.files)
            if col == 3:
                return str(s.chunks)
            return when_in_words(s)
        if role == Qt.ItemDataRole.ToolTipRole and col == 1:
            return "\n".join(s.folders)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return s.name
        return None


STATUSES = ("Indexed", "Unchanged", "Removed", "Failed", "Skipped")


@dataclass(frozen=True)
class ReportRow:
    status: str
    path: str
    reason: str = ""


def report_rows(report: IndexReport) -> list[ReportRow]:
    rows = [ReportRow("Failed", p, r) for p, r in report.failed]
    rows += [ReportRow("Indexed", p) for p in report.indexed]
    rows += [ReportRow("Removed", p, "no longer in the folders") for p in report.removed]
    rows += [ReportRow("Unchanged", p) for p in report.unchanged]
    rows += [ReportRow("Skipped", p, r) for p, r in report.skipped]
    return rows


def folder_in_words(path: str) -> str:
    """The folder a file is in, with the home folder as ~ (two index.html told apart)."""
    folder = Path(path).parent
    try:
        return str(Path("~") / folder.relative_to(Path.home()))
    except ValueError:
        return str(folder)


class ReportModel(QAbstractTableModel):
    """What the last index run did with each file; failed and skipped files carry their
    reason, and each file its folder."""

    HEADERS = ("Status", "File", "Folder", "Why")
    StatusRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ReportRow] = []

    def set_report(self, report: IndexReport | None) -> None:
        self.beginResetModel()
        self._rows = report_rows(report) if report is not None else []
        self.endResetModel()

    def rows(self) -> list[ReportRow]:
        return list(self._rows)

    def rowCount(self, parent: Index = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _NO_INDEX) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = 0) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.status, Path(row.path).name, folder_in_words(row.path), row.reason)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.reason if col == 3 and row.reason else row.path
        if role == self.StatusRole:
            return row.status
        if role == Qt.ItemDataRole.ForegroundRole and row.status == "Failed" and col != 1:
            return theme_color("problem")  # the theme's, readable on its background
        return None


class ReportFilterModel(QSortFilterProxyModel):
    """Shows the report rows of one status (or all) whose file or reason holds the text."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._status = ""
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)  # the text may be in the file name or the reason

    def set_status(self, status: str) -> None:
        """``""`` shows every status."""
        self.beginFilterChange()
        self._status = status
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if self._status:
            status = model.data(model.index(source_row, 0, source_parent), ReportModel.StatusRole)
            if status != self._status:
                return False
        return super().filterAcceptsRow(source_row, source_parent)
