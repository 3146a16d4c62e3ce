"""Example exchanges: a table of question/answer pairs the person can add, edit, reorder and
remove. The model is a plain Qt table over the core's ``Example`` values; an empty cell shows
what to write there, and an exchange is sent to the model only once both sides are written."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.records import Example

_Index = QModelIndex | QPersistentModelIndex


class ExamplesModel(QAbstractTableModel):
    """Two editable columns: what the person asks, what the assistant answers."""

    HEADERS = ("The person asks", "The assistant answers")
    PLACEHOLDERS = (
        "Type a question your documents answer (not sent until both sides are filled in)",
        "Type the answer you would want, with its passage number like [1]",
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[list[str]] = []

    def set_examples(self, examples: tuple[Example, ...]) -> None:
        self.beginResetModel()
        self._rows = [[e.user, e.assistant] for e in examples]
        self.endResetModel()

    def examples(self) -> tuple[Example, ...]:
        return tuple(Example(user, answer) for user, answer in self._rows)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        text = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole and not text.strip():
            return self.PLACEHOLDERS[index.column()]  # greyed: what to write, never sent
        if role == Qt.ItemDataRole.ForegroundRole and not text.strip():
            return QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return text or None
        return None

    def setData(self, index: _Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        if not 0 <= index.row() < len(self._rows) or not isinstance(value, str):
            return False
        if self._rows[index.row()][index.column()] == value:
            return True
        self._rows[index.row()][index.column()] = value
        self.dataChanged.emit(index, index, [role, Qt.ItemDataRole.DisplayRole])
        return True

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < 2:
            return self.HEADERS[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return str(section + 1)
        return None

    def add(self, user: str = "", answer: str = "") -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append([user, answer])
        self.endInsertRows()
        return row

    def remove(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()

    def move(self, row: int, delta: int) -> int:
        """Move a row up (-1) or down (+1); returns where it now is."""
        target = row + delta
        if not (0 <= row < len(self._rows) and 0 <= target < len(self._rows)):
            return row
        # Qt's destination is the row the moved one will be placed before.
        destination = target + 1 if delta > 0 else target
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination)
        self._rows.insert(target, self._rows.pop(row))
        self.endMoveRows()
        return target


class ExamplesEditor(QWidget):
    """The table with Add, Remove, Move up and Move down."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ExamplesModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Example exchanges")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.setMinimumHeight(150)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.add_button = QPushButton("Add example")
        self.remove_button = QPushButton("Remove")
        self.up_button = QPushButton("Move up")
        self.down_button = QPushButton("Move down")
        for button, name in (
            (self.add_button, "Add an example exchange"),
            (self.remove_button, "Remove the selected example"),
            (self.up_button, "Move the selected example up"),
            (self.down_button, "Move the selected example down"),
        ):
            button.setAccessibleName(name)
            button.setToolTip(name)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(+1))
        for signal in (self.model.dataChanged, self.model.rowsInserted, self.model.rowsRemoved,
                       self.model.rowsMoved, self.model.modelReset):  # fmt: skip
            signal.connect(self._on_model_changed)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _add(self) -> None:
        row = self.model.add()
        self.table.selectRow(row)
        self.table.edit(self.model.index(row, 0))

    def _remove(self) -> None:
        row = self.selected_row()
        self.model.remove(row)
        if self.model.rowCount():
            self.table.selectRow(min(row, self.model.rowCount() - 1))

    def _move(self, delta: int) -> None:
        row = self.selected_row()
        if row >= 0:
            self.table.selectRow(self.model.move(row, delta))

    def _on_model_changed(self, *_: object) -> None:
        self._update_buttons()
        self.changed.emit()

    def _update_buttons(self, *_: object) -> None:
        row = self.selected_row()
        self.remove_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < self.model.rowCount() - 1)
