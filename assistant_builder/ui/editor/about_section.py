"""The About section: the assistant's name, icon and description, as its card shows them."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget

from assistant_builder.core.records import Assistant
from assistant_builder.ui.editor.section import FieldGrid, Section

# Symbols every desktop font has, so an icon never shows as an empty box.
ICONS = ("", "☰", "✎", "✉", "⚖", "★", "☕", "⌘", "⚛", "☘", "♫", "☀", "❤", "✈", "⚙", "✔")


ICON_LENGTH = 4  # characters of a symbol typed by hand (the list's own entries are longer)


class AboutSection(Section):
    title = "About"
    intro = "How this assistant appears in your list of assistants."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = FieldGrid()
        self.name = QLineEdit()
        self.name.setMaxLength(80)
        self.name.setPlaceholderText("For example: Household papers")
        self.icon = QComboBox()
        self.icon.setEditable(True)
        self.icon.setToolTip("A symbol shown on the assistant's card; type your own if you like.")
        for symbol in ICONS:
            self.icon.addItem(symbol or "(first letter of the name)", symbol)
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText("What is it for? One or two sentences.")
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(80)
        self.name_note = grid.add("&Name", self.name, "Shown on its card and in the chat.")
        self.name_note.setAccessibleName("Name note")
        grid.add("&Icon", self.icon, "")
        grid.add("&Description", self.description, "Helps you tell your assistants apart.")
        self.body.addLayout(grid)
        self.body.addStretch(1)
        self.name.textChanged.connect(self._emit_changed)
        self.icon.currentTextChanged.connect(self._emit_changed)
        self.description.textChanged.connect(self._emit_changed)

    def _load(self, assistant: Assistant) -> None:
        self.name.setText(assistant.name)
        index = self.icon.findData(assistant.icon)
        if index >= 0:
            self.icon.setCurrentIndex(index)
        else:
            self.icon.setEditText(assistant.icon)
        self.description.setPlainText(assistant.description)

    def show_name_problem(self, problem: str) -> None:
        """A sentence beside the name when it cannot be saved as it is."""
        self.name_note.setText(problem or "Shown on its card and in the chat.")
        self.name_note.setProperty("problem", bool(problem))
        self.name_note.style().unpolish(self.name_note)
        self.name_note.style().polish(self.name_note)

    def icon_text(self) -> str:
        index = self.icon.currentIndex()
        if index >= 0 and self.icon.itemText(index) == self.icon.currentText():
            return str(self.icon.itemData(index))
        return self.icon.currentText().strip()[:ICON_LENGTH]  # a typed symbol or two

    def apply(self, assistant: Assistant) -> Assistant:
        return replace(
            assistant,
            name=self.name.text().strip(),
            icon=self.icon_text(),
            description=self.description.toPlainText().strip(),
        )
