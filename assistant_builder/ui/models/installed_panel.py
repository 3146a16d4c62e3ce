"""The installed models: a table, the chosen model's details (read from the file off the GUI
thread), Remove (asks first and names the assistants that use the model) and Import."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import App
from assistant_builder.core.records import AppError, GgufInfo, InstalledModel, about_words
from assistant_builder.ui.models.delegates import PillDelegate
from assistant_builder.ui.models.item_models import InstalledModelsModel
from assistant_builder.ui.models.words import (
    CONTEXT_TIP,
    PARAMETERS_TIP,
    QUANTIZATION_TIP,
    human_size,
    parameters_text,
)
from assistant_builder.ui.resources import icon
from assistant_builder.ui.workers import TaskRunner

DETAILS = (
    ("Architecture", "The family of model design; the app uses it to run the file correctly."),
    ("Parameters", PARAMETERS_TIP),
    ("Quantization", QUANTIZATION_TIP),
    ("Keeps in mind at most", CONTEXT_TIP),
    ("Layers", "The model's depth: how many processing steps each word goes through."),
    ("Chat template", "How a conversation is laid out for this model, stored in its file."),
    ("File size", "The size of the model file on disk."),
)


def describe(info: GgufInfo) -> dict[str, str]:
    """The details a person reads, in plain words."""
    return {
        "Architecture": info.architecture or "unknown",
        "Parameters": parameters_text(info.parameter_count),
        "Quantization": info.quantization or "unknown",
        "Keeps in mind at most": about_words(info.context_length)
        if info.context_length
        else "unknown",
        "Layers": str(info.block_count) if info.block_count else "unknown",
        "Chat template": "included" if info.chat_template else "none (a standard one is used)",
        "File size": human_size(info.file_size),
    }


class InstalledPanel(QWidget):
    removed = Signal(object)  # InstalledModel
    import_requested = Signal()
    failed = Signal(str)

    def __init__(
        self, app: App, model: InstalledModelsModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._app = app
        self.model = model
        self.setAccessibleName("Installed models")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        self.table = QTableView()
        self.table.setAccessibleName("Installed models")
        self.table.setModel(model)
        self.table.setItemDelegateForColumn(
            InstalledModelsModel.VERDICT_COLUMN, PillDelegate(self.table)
        )
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(70)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)  # a name reads from its start
        self.table.setWordWrap(False)
        # Measured when the list changes, not on every repaint (ResizeToContents would).
        model.modelReset.connect(self._fit_columns)

        side = QFrame()
        side.setObjectName("detailsPane")
        side.setFixedWidth(300)
        column = QVBoxLayout(side)
        self.details_title = QLabel("Details")
        self.details_title.setObjectName("sectionTitle")
        self.details_title.setWordWrap(True)
        self.details_title.setAccessibleName("Details of the chosen model")
        form = QFormLayout()
        self.detail_values: dict[str, QLabel] = {}
        for label, tip in DETAILS:
            value = QLabel("—")
            value.setAccessibleName(label)
            value.setToolTip(tip)
            value.setWordWrap(True)
            caption = QLabel(label + ":")
            caption.setToolTip(tip)
            form.addRow(caption, value)
            self.detail_values[label] = value
        self.details_note = QLabel()
        self.details_note.setWordWrap(True)
        self.details_note.setAccessibleName("Details message")
        self.remove_button = QPushButton("Remove…")
        self.remove_button.setAccessibleName("Remove the chosen model")
        self.remove_button.setIcon(icon("remove"))
        self.remove_button.setToolTip("Delete the model from this computer (it asks first).")
        self.import_button = QPushButton("Import a GGUF file…")
        self.import_button.setAccessibleName("Import a model file")
        self.import_button.setIcon(icon("import"))
        self.import_button.setToolTip(
            "Add a model file you already have. GGUF is the file format this app runs; "
            "you can also drop the file onto this page."
        )
        column.addWidget(self.details_title)
        column.addLayout(form)
        column.addWidget(self.details_note)
        column.addStretch(1)
        column.addWidget(self.remove_button)
        column.addWidget(self.import_button)
        layout.addWidget(self.table, 1)
        layout.addWidget(side)

        self._shown_id = ""  # the model whose details are shown or being read
        self.inspect_runner = TaskRunner(self)
        self.inspect_runner.finished.connect(self._show_info)
        self.inspect_runner.failed.connect(self._inspect_failed)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._chosen_changed())
        model.modelReset.connect(self._chosen_changed)
        self.remove_button.clicked.connect(self.remove_chosen)
        self.import_button.clicked.connect(self.import_requested)
        self._chosen_changed()

    def _fit_columns(self) -> None:
        for column in (0, 1, 3, 4):
            self.table.resizeColumnToContents(column)
        header = self.table.horizontalHeader()
        header.resizeSection(4, max(header.sectionSize(4), self.fontMetrics().horizontalAdvance(
            "Won't fit") + 48))  # fmt: skip

    def chosen(self) -> InstalledModel | None:
        row = self.table.currentIndex().row()
        return self.model.model_at(row) if 0 <= row < self.model.rowCount() else None

    def select(self, model_id: str) -> None:
        for row, model in enumerate(self.model.rows()):
            if model.id == model_id:
                self.table.selectRow(row)

    def remove_chosen(self) -> None:
        model = self.chosen()
        if model is None:
            return
        users = self._app.assistants_using_model(model.id)
        question = f"Remove {model.name} from this computer?"
        if users:
            names = "”, “".join(users)
            question += (
                f"\n\nThe assistant “{names}” uses it and will need another model before "
                "it can answer."
            )
        answer = QMessageBox.question(
            self, "Remove model", question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )  # fmt: skip
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            gone = self._app.remove_model(model.id)
        except AppError as exc:
            self.failed.emit(str(exc))
            return
        except OSError as exc:
            self.failed.emit(f"{model.name} could not be removed ({exc.strerror}); try again.")
            return
        self.removed.emit(gone)

    def _chosen_changed(self) -> None:
        model = self.chosen()
        self.remove_button.setEnabled(model is not None)
        for value in self.detail_values.values():
            value.setText("—")
        if model is None:
            self.details_title.setText("Details")
            self.details_note.setText("Choose a model to see what its file says about itself.")
            self.inspect_runner.cancel()
            return
        self.details_title.setText(model.name)
        self.details_note.setText("Reading the model file…")
        self._shown_id = ""
        if self.isVisible():  # otherwise when the panel is shown: no work nobody sees
            self._load_details()

    def _load_details(self) -> None:
        model = self.chosen()
        if model is not None and model.id != self._shown_id:
            self._shown_id = model.id
            self.inspect_runner.start(self._app.model_details, model.id)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._load_details()

    def _show_info(self, info: object) -> None:
        if not isinstance(info, GgufInfo):
            return
        for label, text in describe(info).items():
            self.detail_values[label].setText(text)
        kind = "A LoRA adapter." if info.kind == "adapter" else ""
        self.details_note.setText(kind)

    def _inspect_failed(self, message: str) -> None:
        self.details_note.setText(message)
