"""Settings › This computer › Saved prompt states: the disk space that what the model made of
each assistant's instructions and examples may take, what it takes now, and "Clear"."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from assistant_builder.core.records import STATE_CACHE_HELP, STATE_CACHE_MAX_MB, StateCacheSize

SizeOf = Callable[[], StateCacheSize]


def _megabytes(size: int) -> str:
    if size >= 1 << 30:
        return f"{size / (1 << 30):.1f} GB"
    return f"{size / (1 << 20):.0f} MB"


class PromptStatesRow(QWidget):
    """``changed`` when the limit is edited; the usage is read again on :meth:`refresh`."""

    changed = Signal()

    def __init__(
        self, limit_mb: int, size_of: SizeOf, clear: SizeOf, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._size_of, self._clear = size_of, clear
        self.limit = QSpinBox()
        self.limit.setAccessibleName("Space for remembered instructions")
        self.limit.setRange(0, STATE_CACHE_MAX_MB)
        self.limit.setSingleStep(256)
        self.limit.setSuffix(" MB at most")
        self.limit.setSpecialValueText("Off")
        self.limit.setValue(max(0, min(STATE_CACHE_MAX_MB, limit_mb)))
        self.limit.setToolTip(STATE_CACHE_HELP)
        self.used = QLabel()
        self.used.setAccessibleName("Space the remembered instructions take")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setAccessibleName("Clear the remembered instructions")
        self.clear_button.setToolTip("Remove them; each is made again when its assistant answers.")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.limit)
        row.addWidget(self.used, 1)
        row.addWidget(self.clear_button)
        self.limit.valueChanged.connect(lambda _value: self.changed.emit())
        self.clear_button.clicked.connect(self.clear)
        self.refresh()

    def refresh(self) -> None:
        self._show(self._size_of())

    def clear(self) -> None:
        self._show(self._clear())

    def _show(self, size: StateCacheSize) -> None:
        if size.files:
            self.used.setText(f"{_megabytes(size.bytes)} in use ({size.files} kept)")
        else:
            self.used.setText("None saved")
        self.clear_button.setEnabled(size.files > 0)
