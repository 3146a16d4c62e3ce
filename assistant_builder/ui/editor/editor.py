"""The assistant editor: the sections side by side in tabs, Save and Revert, a marker for
unsaved changes, and a question before unsaved changes would be lost."""

from __future__ import annotations

import contextlib
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import App, assistant_problem
from assistant_builder.core.records import AppError, Assistant, CollectionRef, PassageChoices
from assistant_builder.ui.editor.about_section import AboutSection
from assistant_builder.ui.editor.behaviour_section import BehaviourSection
from assistant_builder.ui.editor.checks_section import ChecksSection
from assistant_builder.ui.editor.final_prompt_panel import FinalPromptPanel
from assistant_builder.ui.editor.instructions_section import InstructionsSection
from assistant_builder.ui.editor.knowledge_section import KnowledgeSection
from assistant_builder.ui.editor.model_section import ModelSection
from assistant_builder.ui.editor.section import Section
from assistant_builder.ui.widgets.banner import Banner
from assistant_builder.ui.workers import TaskRunner

STYLE = """
QLabel#editorTitle { font-size: 20px; font-weight: 600; }
QLabel#subheading { font-weight: 600; font-size: 14px; margin-top: 6px; }
QLabel#hint { color: palette(placeholder-text); }
QLabel#pill { border-radius: 9px; padding: 2px 10px; background: palette(alternate-base); }
QLabel#presetLabel { font-weight: 600; }
"""


class AssistantEditor(QWidget):
    back_requested = Signal()
    saved = Signal(object)  # the Assistant as written to its file
    dirty_changed = Signal(bool)
    opened = Signal()  # another assistant (or a new one) is now being edited
    compare_requested = Signal(object)  # the draft as it is now (saved once, so it has an id)

    def __init__(
        self,
        app: App,
        parent: QWidget | None = None,
    ) -> None:
        """``app`` gives the assistants folder, the installed models, the collections'
        names and the final prompt's previewer (the one the answering session uses)."""
        super().__init__(parent)
        self._app = app
        self._store = app.assistants
        self.setAccessibleName("Assistant editor")
        self.setStyleSheet(STYLE)
        self.back_button = QPushButton("‹  Assistants")
        self.back_button.setAccessibleName("Back to the assistants")
        self.back_button.setToolTip("Back to the list of assistants")
        self.title = QLabel()
        self.title.setObjectName("editorTitle")
        self.title.setAccessibleName("Editor title")
        self.revert_button = QPushButton("Revert")
        self.revert_button.setAccessibleName("Revert")
        self.revert_button.setToolTip("Forget the changes since the last save")
        self.save_button = QPushButton("Save")
        self.save_button.setAccessibleName("Save")
        self.save_button.setToolTip("Save the changes (Ctrl+S)")
        self.save_button.setShortcut("Ctrl+S")
        self.save_button.setDefault(True)
        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addSpacing(12)
        header.addWidget(self.title, 1)
        self.compare_button = QPushButton("Compare…")
        self.compare_button.setAccessibleName("Compare versions")
        self.compare_button.setToolTip("Try versions of this assistant side by side")
        header.addWidget(self.compare_button)
        header.addWidget(self.revert_button)
        header.addWidget(self.save_button)
        self.banner = Banner()

        self.about = AboutSection()
        self.model_section = ModelSection()
        self.instructions = InstructionsSection()
        self.knowledge = KnowledgeSection(app.collection_names)
        self.behaviour = BehaviourSection()
        self.checks = ChecksSection(app, self.draft)
        self.sections: tuple[Section, ...] = (
            self.about, self.model_section, self.instructions, self.knowledge, self.behaviour,
            self.checks,
        )  # fmt: skip
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Editor sections")
        self.tabs.setDocumentMode(True)
        for section in self.sections:
            self.tabs.addTab(section, section.title)
            section.changed.connect(self._on_changed)
        self.knowledge.choices_edited.connect(self._on_choices_edited)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addLayout(header)
        layout.addWidget(self.banner)
        # The final prompt sits beside the sections so every edit shows what the model gets.
        self.prompt_panel = FinalPromptPanel(app.previewer)
        self.splitter = QSplitter()
        self.splitter.setChildrenCollapsible(True)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.prompt_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([560, 440])  # proportions: the prompt needs room to be read
        layout.addWidget(self.splitter, 1)
        self.prompt_panel.updated.connect(self._on_prompt_updated)

        self.back_button.clicked.connect(self._back)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.revert)
        self.compare_button.clicked.connect(lambda: self.compare_requested.emit(self.draft()))
        self._original: Assistant | None = None
        self._baseline: Assistant | None = None
        self._is_new = False
        self._dirty = False
        self._refused = False  # the banner says why the last Save was refused
        self._other_names: set[str] = set()
        self._servers_asked = False
        self._server_runner = TaskRunner(self)
        self._server_runner.finished.connect(self._server_models_arrived)

    def _on_prompt_updated(self) -> None:
        view = self.prompt_panel.view
        self.behaviour.offer_thinking(view is not None and view.switches_thinking)
        self.model_section.set_memory_estimate(view.fit if view is not None else "")

    # Opening -----------------------------------------------------------------------------
    def open_assistant(self, assistant: Assistant) -> None:
        self._open(assistant, is_new=False, retrieval=CollectionRef(""))

    def open_new(self, draft: Assistant, retrieval: CollectionRef) -> None:
        """An unsaved assistant (from a starting point); it is created on the first Save."""
        self._open(draft, is_new=True, retrieval=retrieval)

    def _open(self, assistant: Assistant, *, is_new: bool, retrieval: CollectionRef) -> None:
        self.banner.dismiss()
        self._is_new = is_new
        self._original = assistant
        self.knowledge.set_retrieval_defaults(retrieval)
        # Names taken by the other assistants, read once, so each keystroke can say at once
        # whether the name is free (the store checks again on Save).
        self._other_names = {
            a.name.casefold() for a in self._store.list() if is_new or a.id != assistant.id
        }
        try:
            self.model_section.set_installed(self._app.installed_models())
        except AppError as exc:
            self.banner.show_message(str(exc))
        if not self._servers_asked:
            self.refresh_server_models()
        for section in self.sections:
            section.load(assistant)
        # What the controls make of the file is the baseline, so rounding is never a change.
        self._baseline = self.draft()
        self.tabs.setCurrentIndex(0)
        self._on_changed()
        self.compare_button.setEnabled(not is_new)  # drafts are kept beside a saved assistant
        self.opened.emit()

    def refresh_server_models(self) -> None:
        """Ask the model servers for their models (off the GUI thread); they join the Model
        section's list when they arrive. Nothing is asked when no server was added."""
        self._servers_asked = True
        if self._app.model_servers():
            self._server_runner.start(self._app.server_models)
        else:
            self.model_section.set_server_models([])

    def _server_models_arrived(self, results: object) -> None:
        found = [m for r in results for m in r.models]  # type: ignore[attr-defined]
        self.model_section.set_server_models(found)

    def add_try_it(self, pane: QWidget) -> None:
        """The Try it pane (built by the window, which owns the engine) as the last tab."""
        self.try_it = pane
        self.tabs.addTab(pane, "Try it")
        # Every tab in view, none behind scroll arrows: the sections take at least their tabs'
        # width from the final prompt beside them.
        self.tabs.setMinimumWidth(self.tabs.tabBar().sizeHint().width() + 8)

    def current_draft(self) -> Assistant | None:
        return self.draft() if self._original is not None else None

    def set_passage_choices(self, choices: PassageChoices) -> None:
        """Choices from "Why this answer" in Try it, or undone in the Knowledge section: kept in
        the assistant's file at once (a new one keeps them in the draft until its first Save),
        so they are not an unsaved change. Raises AppError when the file cannot be written."""
        if self._original is None:
            return
        if not self._is_new:
            saved = self._store.save_choices(self._original.id, choices)
            self._original = replace(self._original, passage_choices=saved.passage_choices)
        if self._baseline is not None:
            self._baseline = replace(self._baseline, passage_choices=choices)
        self.knowledge.show_choices(choices)
        self._on_changed()

    # State -------------------------------------------------------------------------------
    @property
    def is_new(self) -> bool:
        return self._is_new

    def draft(self) -> Assistant:
        """The assistant as the controls say it should be now (not yet saved)."""
        if self._original is None:
            raise RuntimeError("no assistant is open")
        assistant = self._original
        for section in self.sections:
            assistant = section.apply(assistant)
        return assistant

    def _on_choices_edited(self, choices: PassageChoices) -> None:
        try:
            self.set_passage_choices(choices)
        except AppError as exc:
            self.banner.show_message(str(exc))

    def is_dirty(self) -> bool:
        return self._original is not None and (self._is_new or self.draft() != self._baseline)

    def _on_changed(self) -> None:
        if self._original is None:
            return
        dirty = self.is_dirty()
        draft = self.draft()
        self.prompt_panel.set_draft(draft)
        self.about.show_name_problem(self.name_problem(draft.name))
        if self._refused and not assistant_problem(draft) and not self.name_problem(draft.name):
            self._refused = False  # what the banner said is fixed: it goes
            self.banner.dismiss()
        name = draft.name or "Untitled assistant"
        self.title.setText(f"{name}  •" if dirty else name)
        self.title.setToolTip("Not saved yet" if dirty else "")
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty and not self._is_new)
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)

    def name_problem(self, name: str) -> str:
        if not name:
            return "Give the assistant a name."
        if name.casefold() in self._other_names:
            return f"Another assistant is already called “{name}”; choose another name."
        return ""

    # Actions -----------------------------------------------------------------------------
    def save(self) -> bool:
        """Write the draft if the core accepts it whole; otherwise say why and keep editing."""
        if self._original is None:
            return False
        problem = self.instructions.template_problem()
        if problem:
            self.tabs.setCurrentWidget(self.instructions)
            self.banner.show_message(problem)
            return False
        draft = self.draft()
        if not self._is_new:  # the file's choices may be newer (made in the Chat page meanwhile)
            with contextlib.suppress(AppError):
                stored = self._store.get(draft.id).passage_choices
                draft = replace(draft, passage_choices=stored)
        if self.name_problem(draft.name):
            self.tabs.setCurrentWidget(self.about)
        elif not draft.model.id:
            self.tabs.setCurrentWidget(self.model_section)
        try:
            saved = self._store.create(draft) if self._is_new else self._store.save(draft)
        except (AppError, OSError) as exc:
            message = str(exc) if isinstance(exc, AppError) else (
                f"The assistant could not be saved ({exc.strerror}); "
                "check that the disk is not full."
            )  # fmt: skip
            self.banner.show_message(message)
            # Refused for what the person can fix here: the banner goes once it is fixed.
            self._refused = bool(assistant_problem(draft) or self.name_problem(draft.name))
            return False
        self._refused = False
        self.banner.show_message(f"Saved “{saved.name}”.", kind="info")
        self._open_saved(saved)
        self.saved.emit(saved)
        return True

    def _open_saved(self, saved: Assistant) -> None:
        self._is_new = False
        self._original = saved
        self.knowledge.show_choices(saved.passage_choices)
        self._baseline = self.draft()
        self._on_changed()

    def revert(self) -> None:
        if self._original is not None and not self._is_new:
            self._open(self._original, is_new=False, retrieval=CollectionRef(""))

    def confirm_leave(self) -> bool:
        """True when the person may leave: nothing unsaved, saved now, or discarded."""
        if not self.is_dirty():
            return True
        answer = self.ask_unsaved()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self._original = None
            self._dirty = False
            self.dirty_changed.emit(False)
            return True
        return False

    def ask_unsaved(self) -> QMessageBox.StandardButton:
        name = self.draft().name or "this assistant"
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Unsaved changes")
        box.setText(f"Save the changes to “{name}”?")
        box.setInformativeText("If you don't, they will be lost.")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        return QMessageBox.StandardButton(box.exec())

    def _back(self) -> None:
        if self.confirm_leave():
            self.back_requested.emit()
