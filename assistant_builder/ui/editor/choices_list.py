"""The Knowledge section's list of the passage choices made in "Why this answer" ("Not
relevant", "Always include"), each of which the person can remove to undo it."""

from __future__ import annotations

from pathlib import PurePath

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.records import PassageChoices

EMPTY = (
    "None yet. Under an answer, “Why this answer” lets you mark a passage “Not relevant” "
    "or “Always include”."
)


class ChoicesList(QWidget):
    edited = Signal(object)  # the PassageChoices without the removed one

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = PassageChoices()
        self.list = QListWidget()
        self.list.setAccessibleName("Passage choices")
        self.list.setToolTip("Choices made in “Why this answer”; remove one to undo it")
        self.list.setMaximumHeight(130)
        self.list.setWordWrap(True)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName("Remove the choice")
        self.remove_button.setToolTip("Undo the selected choice; it applies to the next answer")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(row)
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.currentRowChanged.connect(self._update)
        self.show_choices(PassageChoices())

    def show_choices(self, choices: PassageChoices) -> None:
        self.choices = choices
        self.list.clear()
        rows: list[tuple[str, tuple[str, object]]] = []
        rows += [(f"Always include: {r.label()}", ("pin", r.key)) for r in choices.always_include]
        rows += [(f"Not relevant: {r.label()}", ("passage", r.key)) for r in choices.not_relevant]
        rows += [
            (f"Not relevant, the whole file: {PurePath(f).name}  ({f})", ("file", f))
            for f in choices.not_relevant_files
        ]
        for label, data in rows:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, data)
            self.list.addItem(item)
        if not rows:
            item = QListWidgetItem(EMPTY)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(item)
        self._update()

    def labels(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def remove_selected(self) -> None:
        item = self.list.currentItem()
        data = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not data:
            return
        kind, what = data
        choices = self.choices.forget_file(what) if kind == "file" else self.choices.forget(what)
        self.edited.emit(choices)

    def _update(self, *_: object) -> None:
        item = self.list.currentItem()
        self.remove_button.setEnabled(
            item is not None and bool(item.data(Qt.ItemDataRole.UserRole))
        )
