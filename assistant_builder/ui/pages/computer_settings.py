"""The "This computer" section of Settings: where the app keeps its data (with a button that
opens the folder), and how a model uses the processor and the graphics card."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.records import (
    DATA_FOLDER_HELP,
    GPU_CHOICES,
    GPU_HELP,
    GPU_SOME_LAYERS,
    MAX_GPU_LAYERS,
    STATE_CACHE_HELP,
    THREADS_AUTOMATIC,
    THREADS_HELP,
    Settings,
)
from assistant_builder.ui.pages.prompt_states import PromptStatesRow, SizeOf

MAX_THREADS = 64


def _with_hint(field: QWidget | QHBoxLayout, text: str) -> QVBoxLayout:
    """The field with its one line of help right under it."""
    hint = QLabel(text)
    hint.setObjectName("hint")
    hint.setWordWrap(True)
    column = QVBoxLayout()
    column.setSpacing(2)
    if isinstance(field, QHBoxLayout):
        column.addLayout(field)
    else:
        column.addWidget(field)
    column.addWidget(hint)
    return column


class ComputerSection(QGroupBox):
    """``changed`` after an edit; ``apply`` writes the section's choices into settings."""

    changed = Signal()

    def __init__(
        self,
        settings: Settings,
        data_folder: Path,
        *,
        automatic_threads: int,
        prompt_states: tuple[SizeOf, SizeOf] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``prompt_states``: how to read and to clear the saved prompt states' size (no row
        for them without it)."""
        super().__init__("This computer", parent)
        self.setAccessibleName("This computer")
        self.data_folder = data_folder
        self.folder = QLabel(str(data_folder))
        self.folder.setAccessibleName("Data folder")
        self.folder.setWordWrap(True)
        self.folder.setToolTip(str(data_folder))
        self.open_button = QPushButton("Open folder")
        self.open_button.setAccessibleName("Open the data folder")
        self.open_button.setToolTip("Show this folder in the computer's file manager.")
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.open_button)

        self.threads = QSpinBox()
        self.threads.setAccessibleName("Processor threads")
        self.threads.setRange(THREADS_AUTOMATIC, MAX_THREADS)
        self.threads.setSpecialValueText(f"Automatic ({automatic_threads} on this computer)")
        self.threads.setValue(max(THREADS_AUTOMATIC, min(MAX_THREADS, settings.threads)))
        self.threads.setToolTip(THREADS_HELP)
        self.gpu = QComboBox()
        self.gpu.setAccessibleName("Graphics card")
        self.gpu.setToolTip(GPU_HELP)
        for value, label in GPU_CHOICES:
            self.gpu.addItem(label, value)
        self.gpu.addItem(GPU_SOME_LAYERS, None)
        self.gpu_layers = QSpinBox()
        self.gpu_layers.setAccessibleName("Layers on the graphics card")
        self.gpu_layers.setRange(1, MAX_GPU_LAYERS)
        self.gpu_layers.setSuffix(" layers")
        self.gpu_layers.setValue(max(1, min(MAX_GPU_LAYERS, settings.gpu_layers)))
        chosen = self.gpu.findData(settings.gpu_layers)
        self.gpu.setCurrentIndex(chosen if chosen >= 0 else self.gpu.count() - 1)
        self.gpu_layers.setVisible(self.gpu.currentData() is None)
        gpu_row = QHBoxLayout()
        gpu_row.addWidget(self.gpu)
        gpu_row.addWidget(self.gpu_layers)
        gpu_row.addStretch(1)

        form = QFormLayout(self)
        form.addRow("Data folder", _with_hint(folder_row, DATA_FOLDER_HELP))
        form.addRow("Processor threads", _with_hint(self.threads, THREADS_HELP))
        form.addRow("Graphics card", _with_hint(gpu_row, GPU_HELP))
        self.prompt_states: PromptStatesRow | None = None
        if prompt_states is not None:
            self.prompt_states = PromptStatesRow(settings.state_cache_mb, *prompt_states)
            self.prompt_states.changed.connect(self.changed.emit)
            form.addRow("Remembered instructions", _with_hint(self.prompt_states, STATE_CACHE_HELP))

        self.open_button.clicked.connect(self.open_folder)
        self.threads.valueChanged.connect(lambda _value: self.changed.emit())
        self.gpu.currentIndexChanged.connect(self._gpu_chosen)
        self.gpu_layers.valueChanged.connect(lambda _value: self.changed.emit())

    def _gpu_chosen(self, _index: int) -> None:
        self.gpu_layers.setVisible(self.gpu.currentData() is None)
        self.changed.emit()

    def open_folder(self) -> bool:
        self.data_folder.mkdir(parents=True, exist_ok=True)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_folder)))

    def apply(self, settings: Settings) -> None:
        settings.threads = self.threads.value()
        gpu = self.gpu.currentData()
        settings.gpu_layers = int(gpu) if gpu is not None else self.gpu_layers.value()
        if self.prompt_states is not None:
            settings.state_cache_mb = self.prompt_states.limit.value()
