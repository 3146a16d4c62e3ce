"""Settings' network log: every connection the app opened (or was refused while offline),
newest first, with the time, the host and what it was for."""

from __future__ import annotations

import time

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import App
from assistant_builder.core.records import AppError, NetworkEntry

COLUMNS = ("Time", "Host", "What for", "Result")


class NetworkLogView(QWidget):
    def __init__(self, app: App, parent: QWidget | None = None, *, limit: int = 200) -> None:
        super().__init__(parent)
        self.app = app
        self.limit = limit
        self.setAccessibleName("Network log")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        top = QHBoxLayout()
        heading = QLabel("Network log")
        heading.setObjectName("sectionTitle")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Show the latest connections")
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        self.summary = QLabel()
        self.summary.setObjectName("hint")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Connections the app opened")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(120)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.refresh_button.clicked.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        try:
            entries = self.app.network_log(self.limit)
        except (AppError, OSError) as exc:
            self.summary.setText(f"The network log could not be read ({exc}).")
            return
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            for column, text in enumerate(_cells(entry)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.summary.setText(
            "Every connection the app opened, newest first."
            if entries
            else "The app has opened no network connection yet."
        )

    def showEvent(self, event: object) -> None:
        self.refresh()
        super().showEvent(event)  # type: ignore[arg-type]


def _cells(entry: NetworkEntry) -> tuple[str, str, str, str]:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.time))
    result = "refused: offline mode" if entry.outcome.startswith("blocked") else "sent"
    return when, entry.host, entry.purpose, result
