"""Qt item models over the models core: catalog entries, installed models, hub results.

Each is a read-only table whose rows are immutable core objects; the views never see anything
but these models. The verdict column carries the core's FitEstimate in VERDICT_ROLE for the
pill delegate, and its reason as the tooltip."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from assistant_builder.core.app import estimate_fit, quantization_name
from assistant_builder.core.records import (
    AppError,
    CatalogEntry,
    CatalogFile,
    FitEstimate,
    HubFile,
    HubRepo,
    InstalledModel,
    Machine,
    ModelShape,
    about_words,
)
from assistant_builder.ui.models.delegates import SECOND_LINE_ROLE
from assistant_builder.ui.models.words import (
    FIT_TIP,
    LICENCE_TIP,
    PARAMETERS_TIP,
    QUANTIZATION_TIP,
    human_size,
    parameters_text,
)

_Index = QModelIndex | QPersistentModelIndex
Row = TypeVar("Row")
DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the core object of the row
VERDICT_ROLE = Qt.ItemDataRole.UserRole + 2  # FitEstimate | None, for the pill
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
DEFAULT_CONTEXT = 4096


class RowsModel(QAbstractTableModel, Generic[Row]):
    """A table of immutable rows; subclasses say what each cell shows."""

    HEADERS: tuple[str, ...] = ()
    HEADER_TIPS: tuple[str, ...] = ()  # per column; "" for none
    RIGHT_ALIGNED: frozenset[int] = frozenset()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Row]:
        return list(self._rows)

    def row_at(self, row: int) -> Row:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: _Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == ROW_ROLE:
            return row
        if role == ALIGN and index.column() in self.RIGHT_ALIGNED:
            return RIGHT
        return self.cell(row, index.column(), role)

    def cell(self, row: Row, column: int, role: int) -> Any:
        raise NotImplementedError

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == DISPLAY:
            return self.HEADERS[section]
        if role == TOOLTIP:
            tip = self.HEADER_TIPS[section] if section < len(self.HEADER_TIPS) else ""
            return tip or None
        return None


class CatalogModel(RowsModel[CatalogEntry]):
    """The curated catalog, each entry at the quantization the person picked."""

    HEADERS = ("Model", "Size", "Parameters", "Licence", "Will it run?")
    HEADER_TIPS = (
        "",
        "The download size of the chosen quantization.",
        PARAMETERS_TIP,
        LICENCE_TIP,
        FIT_TIP.format(words=about_words(DEFAULT_CONTEXT)),
    )
    RIGHT_ALIGNED = frozenset({1, 2})
    VERDICT_COLUMN = 4

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.machine: Machine | None = None
        self.context = DEFAULT_CONTEXT
        self._chosen: dict[str, str] = {}
        self._installed: set[tuple[str, str]] = set()

    def set_machine(self, machine: Machine) -> None:
        self.machine = machine
        self._changed(range(len(self._rows)))

    def set_installed(self, models: Sequence[InstalledModel]) -> None:
        self._installed = {(m.repo, m.filename) for m in models}
        self._changed(range(len(self._rows)))

    def chosen_file(self, entry: CatalogEntry) -> CatalogFile:
        return entry.file(self._chosen.get(entry.id))

    def choose(self, row: int, quantization: str) -> None:
        self._chosen[self._rows[row].id] = quantization
        self._changed([row])

    def is_installed(self, entry: CatalogEntry, item: CatalogFile | None = None) -> bool:
        chosen = item or self.chosen_file(entry)
        return (entry.repo_of(chosen), chosen.filename) in self._installed or (
            chosen.source.startswith("pypi:")
            and any(f == chosen.filename for _, f in self._installed)
        )

    def fit(self, entry: CatalogEntry, item: CatalogFile | None = None) -> FitEstimate | None:
        if self.machine is None:
            return None
        chosen = item or self.chosen_file(entry)
        return estimate_fit(entry.model_shape(chosen), self.context, self.machine)

    def _changed(self, rows: Sequence[int] | range) -> None:
        if len(rows):  # one signal for the span: each one makes the views lay out again
            last = len(self.HEADERS) - 1
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), last))

    def cell(self, row: CatalogEntry, column: int, role: int) -> Any:
        chosen = self.chosen_file(row)
        if role == VERDICT_ROLE and column == self.VERDICT_COLUMN:
            return self.fit(row)
        if role == SECOND_LINE_ROLE and column == 0:
            return row.description
        if role == DISPLAY:
            if column == self.VERDICT_COLUMN:
                fit = self.fit(row)
                return fit.verdict if fit else "Checking…"
            size = size_text(row, chosen)
            name = f"{row.name}  ✓ installed" if self.is_installed(row) else row.name
            return (name, size, parameters_text(row.parameters), row.licence_name)[column]
        if role == TOOLTIP:
            if column == self.VERDICT_COLUMN:
                fit = self.fit(row)
                return fit.reason if fit else "Checking this computer's memory…"
            if column == 0:
                installed = " It is installed." if self.is_installed(row) else ""
                return f"{row.description}\n\n{row.name} from {row.repo}.{installed}"
            if column == 1:
                return f"{chosen.quantization}: {QUANTIZATION_TIP}"
            if column == 3:
                return f"{row.licence_name}: {row.licence_url}"
        return None


def size_text(entry: CatalogEntry, item: CatalogFile) -> str:
    """Exact when the catalog knows the size, an estimate from the parameter count otherwise."""
    size = entry.estimated_size(item)
    return human_size(size) if item.size else f"about {human_size(size)}"


class InstalledModelsModel(RowsModel[InstalledModel]):
    """Models and LoRA adapters on this computer, with their “will it run?” verdict."""

    HEADERS = ("Name", "Size", "File", "Quantization", "Will it run?")
    HEADER_TIPS = ("", "", "", QUANTIZATION_TIP, FIT_TIP.format(words=about_words(DEFAULT_CONTEXT)))
    RIGHT_ALIGNED = frozenset({1})
    VERDICT_COLUMN = 4

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.machine: Machine | None = None
        self._fits: dict[str, FitEstimate | None] = {}
        self._summaries: dict[str, dict[str, Any]] = {}  # read later for models without one

    def set_models(self, models: Sequence[InstalledModel]) -> None:
        self._fits.clear()
        self.set_rows(models)

    def missing_summaries(self) -> list[str]:
        return [m.id for m in self._rows if self.summary(m) is None]

    def set_summary(self, model_id: str, summary: dict[str, Any]) -> None:
        """The file's own metadata, read off the GUI thread for a model registered without it."""
        self._summaries[model_id] = summary
        self._fits.pop(model_id, None)
        for row, model in enumerate(self._rows):
            if model.id == model_id:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def summary(self, model: InstalledModel) -> dict[str, Any] | None:
        stored = model.meta.get("gguf") if isinstance(model.meta, dict) else None
        if isinstance(stored, dict) and stored.get("block_count") is not None:
            return stored
        return self._summaries.get(model.id)

    def model_at(self, row: int) -> InstalledModel:
        return self.row_at(row)

    def set_machine(self, machine: Machine) -> None:
        self.machine = machine
        self._fits.clear()
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(self.HEADERS) - 1)
            )

    def fit(self, model: InstalledModel) -> FitEstimate | None:
        # Only from a summary already at hand: reading a file here would block the GUI thread.
        summary = self.summary(model)
        if self.machine is None or model.kind != "model" or summary is None:
            return None
        if model.id not in self._fits:
            try:
                shape = ModelShape.from_summary(summary)
                self._fits[model.id] = estimate_fit(shape, DEFAULT_CONTEXT, self.machine)
            except (AppError, ValueError, TypeError):
                self._fits[model.id] = None
        return self._fits[model.id]

    def cell(self, row: InstalledModel, column: int, role: int) -> Any:
        summary = self.summary(row) or {}
        quant = str(summary.get("quantization") or quantization_name(None, row.file.name))
        if role == VERDICT_ROLE and column == self.VERDICT_COLUMN:
            return self.fit(row)
        if role == DISPLAY:
            if column == self.VERDICT_COLUMN:
                if row.kind == "adapter":
                    return "Adapter"
                fit = self.fit(row)
                return fit.verdict if fit else ""
            return (row.name, human_size(row.size), row.file.name, quant or "—")[column]
        if role == TOOLTIP:
            if column == self.VERDICT_COLUMN:
                fit = self.fit(row)
                if row.kind == "adapter":
                    return "A LoRA adapter: it changes how a model answers and runs with one."
                return fit.reason if fit else "Select the model to see its details."
            if column == 3:
                return QUANTIZATION_TIP
            return row.path
        return None


class HubReposModel(RowsModel[HubRepo]):
    HEADERS = ("Repository", "Downloads", "Likes", "Access")
    HEADER_TIPS = (
        "",
        "",
        "",
        "Some makers ask you to accept their licence on huggingface.co first.",
    )
    RIGHT_ALIGNED = frozenset({1, 2})

    def cell(self, row: HubRepo, column: int, role: int) -> Any:
        if role == DISPLAY:
            access = "Accept licence first" if row.gated else "Open"
            return (row.repo, f"{row.downloads:,}", f"{row.likes:,}", access)[column]
        if role == TOOLTIP and column == 3 and row.gated:
            return (
                "Accept the licence on the model's page on huggingface.co and set HF_TOKEN "
                "before downloading."
            )
        return None


class HubFilesModel(RowsModel[HubFile]):
    HEADERS = ("Quantization", "Size", "File")
    HEADER_TIPS = (QUANTIZATION_TIP,)
    RIGHT_ALIGNED = frozenset({1})

    def cell(self, row: HubFile, column: int, role: int) -> Any:
        if role == DISPLAY:
            return (row.quantization or "?", human_size(row.size), row.filename)[column]
        if role == TOOLTIP and column == 0:
            return QUANTIZATION_TIP
        return None
