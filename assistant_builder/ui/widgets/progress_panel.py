"""Progress of a long task in plain words: a bar, what is happening, speed, time left, Cancel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget


def format_duration(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return ""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class ProgressPanel(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Progress")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Progress bar")
        self.bar.setTextVisible(True)
        self.label = QLabel()
        self.label.setAccessibleName("Progress details")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel")
        row.addWidget(self.bar, 2)
        row.addWidget(self.label, 3)
        row.addWidget(self.cancel_button)
        self.cancel_button.clicked.connect(self._cancel)
        self.hide()

    def start(self, what: str) -> None:
        self.bar.setRange(0, 0)  # busy until the first real figure arrives
        self.label.setText(what)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.show()

    def update_progress(
        self, done: float, total: float, detail: str, *, eta_s: float | None = None
    ) -> None:
        if total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(done, total) / total))
        left = format_duration(eta_s)
        self.label.setText(f"{detail} — about {left} left" if left else detail)

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self.cancel_requested.emit()

    def finish(self) -> None:
        self.hide()
