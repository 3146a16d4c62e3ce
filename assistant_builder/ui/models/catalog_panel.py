"""The curated catalog: one row per model with its “will it run?” pill, and below the table
the chosen model's quantization choice, verdict and Download button."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.records import IMAGES_NOTE, WITH_IMAGES, CatalogEntry
from assistant_builder.ui.models.delegates import PillDelegate, TwoLineDelegate
from assistant_builder.ui.models.item_models import CatalogModel, size_text
from assistant_builder.ui.models.words import QUANTIZATION_TIP
from assistant_builder.ui.resources import icon


class CatalogPanel(QWidget):
    download_requested = Signal(str, str)  # core ref (id:QUANT), label for the queue

    def __init__(self, model: CatalogModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setAccessibleName("Catalog")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        self.table = QTableView()
        self.table.setAccessibleName("Catalog of models")
        self.table.setModel(model)
        self.table.setItemDelegateForColumn(CatalogModel.VERDICT_COLUMN, PillDelegate(self.table))
        self.table.setItemDelegateForColumn(0, TwoLineDelegate(self.table))
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(2 * self.fontMetrics().height() + 18)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        # Measured once: ResizeToContents would measure every row again on each change.
        header.setMinimumSectionSize(60)
        self.table.resizeColumnsToContents()
        pill = self.fontMetrics().horizontalAdvance("Won't fit") + 48
        header.resizeSection(model.VERDICT_COLUMN, max(pill, header.sectionSize(4)))
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        chooser = QHBoxLayout()
        self.chosen_name = QLabel()
        self.chosen_name.setObjectName("chosenName")
        self.chosen_name.setAccessibleName("Chosen model")
        quant_label = QLabel("Quantization:")
        quant_label.setToolTip(QUANTIZATION_TIP)
        self.quantization = QComboBox()
        self.quantization.setAccessibleName("Quantization")
        self.quantization.setToolTip(QUANTIZATION_TIP)
        self.quantization.setMinimumContentsLength(22)
        quant_label.setBuddy(self.quantization)
        self.download_button = QPushButton("Download")
        self.download_button.setAccessibleName("Download the chosen model")
        self.download_button.setIcon(icon("download"))
        self.download_button.setToolTip("Download this model to this computer.")
        chooser.addWidget(self.chosen_name, 1)
        chooser.addWidget(quant_label)
        chooser.addWidget(self.quantization)
        chooser.addWidget(self.download_button)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setAccessibleName("Will it run on this computer")
        # The chosen model's whole description (the table shortens it) and its licence.
        self.about = QLabel()
        self.about.setWordWrap(True)
        self.about.setAccessibleName("About the chosen model")
        self.about.setTextFormat(Qt.TextFormat.RichText)
        self.about.setOpenExternalLinks(True)
        # For a model with an image reader (mmproj): the note, and whether to fetch the reader.
        self.images = QCheckBox("Also download its image reader")
        self.images.setAccessibleName("Also download the image reader")
        self.images.setToolTip(IMAGES_NOTE)
        self.images_note = QLabel(IMAGES_NOTE)
        self.images_note.setWordWrap(True)
        self.images_note.setAccessibleName("Can also read images")
        layout.addWidget(self.table, 1)
        layout.addLayout(chooser)
        layout.addWidget(self.about)
        layout.addWidget(self.reason)
        layout.addWidget(self.images_note)
        layout.addWidget(self.images)

        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_chosen())
        self.quantization.currentIndexChanged.connect(self._quantization_changed)
        self.download_button.clicked.connect(self.download_chosen)
        model.dataChanged.connect(lambda *_: self._update_reason())
        model.modelReset.connect(self._show_chosen)
        self._show_chosen()

    def entry(self) -> CatalogEntry | None:
        row = self.table.currentIndex().row()
        return self.model.row_at(row) if 0 <= row < self.model.rowCount() else None

    def select(self, entry_id: str) -> None:
        for row, entry in enumerate(self.model.rows()):
            if entry.id == entry_id:
                self.table.selectRow(row)

    def choose_quantization(self, quantization: str) -> None:
        index = self.quantization.findData(quantization)
        if index >= 0:
            self.quantization.setCurrentIndex(index)

    def download_chosen(self) -> None:
        entry = self.entry()
        if entry is None:
            return
        chosen = self.model.chosen_file(entry)
        images = entry.reads_images and self.images.isChecked()
        self.download_requested.emit(
            f"{entry.id}:{chosen.quantization}" + (WITH_IMAGES if images else ""),
            f"{entry.name} {chosen.quantization}" + (" with its image reader" if images else ""),
        )

    def _show_chosen(self) -> None:
        entry = self.entry()
        self.quantization.blockSignals(True)
        self.quantization.clear()
        if entry is not None:
            for item in entry.files:
                self.quantization.addItem(
                    f"{item.quantization} — {size_text(entry, item)}", item.quantization
                )
            chosen = self.model.chosen_file(entry)
            self.quantization.setCurrentIndex(self.quantization.findData(chosen.quantization))
        self.quantization.blockSignals(False)
        self.chosen_name.setText(entry.name if entry else "Choose a model in the list.")
        self.about.setText(about_html(entry) if entry else "")
        self.about.setVisible(entry is not None)
        reads = entry is not None and entry.reads_images
        self.images_note.setVisible(reads)
        self.images.setVisible(reads)
        self.quantization.setEnabled(entry is not None)
        self._update_reason()

    def _quantization_changed(self, index: int) -> None:
        row = self.table.currentIndex().row()
        if row >= 0 and index >= 0:
            self.model.choose(row, str(self.quantization.itemData(index)))

    def _update_reason(self) -> None:
        entry = self.entry()
        if entry is None:
            self.reason.setText("")
            self.download_button.setEnabled(False)
            return
        fit = self.model.fit(entry)
        installed = self.model.is_installed(entry)
        verdict = f"{fit.verdict}: {fit.reason}" if fit else "Checking this computer…"
        self.reason.setText(
            f"{verdict} It is already installed." if installed else verdict
        )  # fmt: skip
        self.download_button.setEnabled(not installed)
        self.download_button.setText("Installed" if installed else "Download")


def about_html(entry: CatalogEntry) -> str:
    """The description in full, then the licence by name, linked to its text."""
    link = f'<a href="{escape(entry.licence_url)}">{escape(entry.licence_name)}</a>'
    return f"{escape(entry.description)} Licence: {link}."
