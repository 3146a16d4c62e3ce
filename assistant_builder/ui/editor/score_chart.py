"""A small chart of the checks' score across runs: one bar per run, its height the share that
passed, the latest at the right, painted with the palette's colours so it reads in both themes."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from assistant_builder.core.records import RunSummary

SHOWN = 20  # the latest runs drawn


class ScoreChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Score across runs")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(self.sizeHint().height())
        self.runs: list[RunSummary] = []

    def sizeHint(self) -> QSize:
        return QSize(320, 90)

    def set_runs(self, runs: list[RunSummary]) -> None:
        self.runs = list(runs)[-SHOWN:]
        if self.runs:
            last = self.runs[-1]
            self.setToolTip(f"Last run: {last.passed} of {last.total} pass ({last.date[:10]})")
        self.setAccessibleDescription(
            ", ".join(f"{r.passed} of {r.total}" for r in self.runs) or "No runs yet"
        )
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.PlaceholderText)
        area = QRectF(self.rect()).adjusted(4, 4, -4, -18)
        painter.setPen(text)
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        if not self.runs:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "No runs yet")
            return
        slot = area.width() / SHOWN
        bar = max(4.0, slot * 0.6)
        track = palette.color(QPalette.ColorRole.AlternateBase)
        for i, run in enumerate(self.runs):
            share = run.passed / run.total if run.total else 0.0
            height = max(2.0, share * area.height())
            x = area.left() + i * slot + (slot - bar) / 2
            # The whole bar is every question; the coloured part, those that passed.
            painter.fillRect(QRectF(x, area.top(), bar, area.height()), track)
            colour = QColor("#2e9d57") if run.passed == run.total else palette.color(
                QPalette.ColorRole.Highlight
            )  # fmt: skip
            painter.fillRect(QRectF(x, area.bottom() - height, bar, height), colour)
        last = self.runs[-1]
        painter.setPen(text)
        painter.drawText(
            QRectF(area.left(), area.bottom() + 2, area.width(), 16),
            Qt.AlignmentFlag.AlignLeft,
            f"{len(self.runs)} run{'s' if len(self.runs) != 1 else ''} · "
            f"latest {last.passed} of {last.total}",
        )
