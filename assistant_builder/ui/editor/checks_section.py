"""The editor's Checks section: the assistant's check questions (added, edited, removed, or
taken from suggestions), run on the unsaved draft with their results and score across runs.
The questions are part of the draft: they are kept with Save, like every other section."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QPushButton

from assistant_builder.core.app import App
from assistant_builder.core.records import Assistant, CheckQuestion
from assistant_builder.ui.editor.check_dialog import CheckDialog
from assistant_builder.ui.editor.check_suggestions import SuggestionsPanel
from assistant_builder.ui.editor.checks_run import CheckRunPanel
from assistant_builder.ui.editor.section import Section, heading


def label(check: CheckQuestion) -> str:
    words = f" · must contain {', '.join(check.must_contain)}" if check.must_contain else ""
    return f"{check.question}  — expects {check.expect}{words}"


class ChecksSection(Section):
    title = "Checks"
    intro = (
        "Questions the assistant should answer from a given document. Run them after a change "
        "to see whether the assistant got better or only different."
    )

    def __init__(self, app: App, draft: Callable[[], Assistant]) -> None:
        super().__init__()
        self.checks: list[CheckQuestion] = []
        self.list = QListWidget()
        self.list.setAccessibleName("Check questions")
        self.list.setMaximumHeight(150)
        self.add_button = QPushButton("Add…")
        self.add_button.setAccessibleName("Add a check question")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setAccessibleName("Edit the check question")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName("Remove the check question")
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.suggestions = SuggestionsPanel(app, draft)
        self.run_panel = CheckRunPanel(app, draft)
        self.body.addWidget(heading("Questions"))
        self.body.addWidget(self.list)
        self.body.addLayout(buttons)
        self.body.addWidget(self.suggestions)
        self.body.addWidget(heading("Results"))
        self.body.addWidget(self.run_panel, 1)
        self.add_button.clicked.connect(lambda: self.edit(None))
        self.edit_button.clicked.connect(lambda: self.edit(self.list.currentRow()))
        self.remove_button.clicked.connect(self.remove_current)
        self.list.itemDoubleClicked.connect(lambda _item: self.edit(self.list.currentRow()))
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.suggestions.accepted.connect(self.add)
        self._update_buttons()

    # Section -----------------------------------------------------------------------------
    def _load(self, assistant: Assistant) -> None:
        self.checks = list(assistant.checks)
        self._refresh()
        self.suggestions.clear()
        self.run_panel.show_history(assistant.id)

    def apply(self, assistant: Assistant) -> Assistant:
        return replace(assistant, checks=tuple(self.checks))

    # Editing -----------------------------------------------------------------------------
    def add(self, check: CheckQuestion) -> None:
        self.checks.append(check)
        self._refresh(select=len(self.checks) - 1)
        self._emit_changed()

    def edit(self, row: int | None) -> None:
        """Add (row None) or edit a check question in a dialog."""
        current = self.checks[row] if row is not None and 0 <= row < len(self.checks) else None
        if row is not None and current is None:
            return
        dialog = self.dialog(current)
        if not dialog.exec():
            return
        if current is None or row is None:
            self.add(dialog.check())
            return
        self.checks[row] = dialog.check()
        self._refresh(select=row)
        self._emit_changed()

    def dialog(self, check: CheckQuestion | None) -> CheckDialog:
        """The dialog for one check (tests answer it)."""
        return CheckDialog(check, self)

    def remove_current(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.checks):
            del self.checks[row]
            self._refresh(select=min(row, len(self.checks) - 1))
            self._emit_changed()

    def _refresh(self, select: int = -1) -> None:
        self.list.clear()
        for check in self.checks:
            item = QListWidgetItem(label(check))
            item.setToolTip(check.question)
            self.list.addItem(item)
        if self.checks:
            self.list.setCurrentRow(max(0, select))
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = 0 <= self.list.currentRow() < len(self.checks)
        self.edit_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)
        self.run_panel.set_runnable(len(self.checks))
