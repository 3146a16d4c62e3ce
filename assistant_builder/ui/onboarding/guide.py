"""The first-run guide: model, documents, name, then the chat. The model arrives and the
documents are read in the background, so each step can be left at once; the guide only waits
for the model before the chat opens."""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import FirstRun
from assistant_builder.core.records import (
    AppError,
    IndexProgress,
    IndexReport,
    InstalledModel,
    Machine,
    Recommendation,
)
from assistant_builder.ui.models.downloads import DownloadQueue
from assistant_builder.ui.onboarding.steps import (
    STYLE,
    DocumentsStep,
    ModelStep,
    NameStep,
    Step,
)
from assistant_builder.ui.workers import TaskRunner

STEP_NAMES = ("The model", "Your documents", "A name")


def _pick_folder(parent: QWidget) -> str:
    return QFileDialog.getExistingDirectory(
        parent, "Choose the folder with your documents", str(Path.home())
    )


class FirstRunGuide(QWidget):
    skipped = Signal()  # “I'll set it up myself”
    finished = Signal(str)  # the new assistant's id: open it in the chat
    documents_read = Signal(str)  # the collection's name, once everything in it was read
    documents_failed = Signal(str)  # one plain sentence

    def __init__(
        self, first_run: FirstRun, downloads: DownloadQueue, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("First-run guide")
        self.setStyleSheet(STYLE)
        self.first_run = first_run
        self.downloads = downloads
        self.pick_folder = _pick_folder  # the folder dialog (a seam for tests)
        self.model: InstalledModel | None = None
        self.pending_ref = ""  # the download the guide waits for
        self.collection = ""
        self.documents_done = False
        self._choices: tuple[Recommendation | None, Recommendation] | None = None

        self.model_step = ModelStep()
        self.documents_step = DocumentsStep()
        self.name_step = NameStep()
        self.steps = QStackedWidget()
        for step in (self.model_step, self.documents_step, self.name_step):
            self.steps.addWidget(step)
        title = QLabel("Set up your first assistant")
        title.setObjectName("guideTitle")
        self.trail = QLabel()
        self.trail.setAccessibleName("Steps")
        self.trail.setTextFormat(Qt.TextFormat.RichText)
        self.back_button = QPushButton("Back")
        self.back_button.setAccessibleName("Back to the previous step")
        self.skip_button = QPushButton("I'll set it up myself")
        self.skip_button.setAccessibleName("Skip the guide")
        self.skip_button.setToolTip(
            "Close the guide and use the app's pages; it is not shown again."
        )
        self.model_status = QLabel()
        self.model_status.setObjectName("guideHint")
        self.model_status.setAccessibleName("The model's progress")
        self.model_status.setWordWrap(True)
        self.documents_status = QLabel()
        self.documents_status.setObjectName("guideHint")
        self.documents_status.setAccessibleName("Reading progress of your documents")
        self.documents_status.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel download")
        self.cancel_button.setAccessibleName("Cancel the model's download")
        self.cancel_button.hide()

        column = QVBoxLayout()
        column.setSpacing(14)
        column.addWidget(title)
        column.addWidget(self.trail)
        column.addWidget(self.steps, 1)
        status = QHBoxLayout()
        status.addWidget(self.model_status, 1)
        status.addWidget(self.cancel_button)
        column.addLayout(status)
        column.addWidget(self.documents_status)
        footer = QHBoxLayout()
        footer.addWidget(self.skip_button)
        footer.addStretch(1)
        footer.addWidget(self.back_button)
        column.addLayout(footer)
        body = QWidget()
        body.setMaximumWidth(760)
        body.setLayout(column)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(32, 24, 32, 20)
        outer.addStretch(1)
        outer.addWidget(body, 8)
        outer.addStretch(1)

        self.machine_runner = TaskRunner(self)
        self.machine_runner.finished.connect(self.set_machine)
        self.index_runner = TaskRunner(self)
        self.index_runner.progressed.connect(self._on_index_event)
        self.index_runner.failed.connect(self._on_index_failed)
        self.index_runner.cancelled.connect(lambda: self._on_index_failed("Reading stopped."))
        self.model_step.recommended_chosen.connect(lambda: self._choose(recommended=True))
        self.model_step.starter_chosen.connect(lambda: self._choose(recommended=False))
        self.documents_step.folder_requested.connect(self.choose_folder)
        self.documents_step.next_requested.connect(lambda: self.show_step(2))
        self.name_step.start_requested.connect(self._create)
        self.back_button.clicked.connect(lambda: self.show_step(self.steps.currentIndex() - 1))
        self.skip_button.clicked.connect(self._skip)
        self.cancel_button.clicked.connect(self._cancel_or_continue)
        downloads.installed.connect(self._on_installed)
        downloads.model.dataChanged.connect(lambda *_: self._on_download_changed())
        self.show_step(0)
        self.machine_runner.start(first_run.machine)

    # Steps ----------------------------------------------------------------------------------
    def show_step(self, index: int) -> None:
        index = max(0, min(index, self.steps.count() - 1))
        self.steps.setCurrentIndex(index)
        self.back_button.setVisible(index > 0)
        self.documents_status.setVisible(index != 1)  # step 2 shows its own progress
        parts = [
            f"<b>{i + 1}. {name}</b>" if i == index else f"{i + 1}. {name}"
            for i, name in enumerate(STEP_NAMES)
        ]
        self.trail.setText(" &nbsp;›&nbsp; ".join(parts))
        step = self.steps.currentWidget()
        focus = step.first_focus() if isinstance(step, Step) else None
        if focus is not None:
            focus.setFocus()

    def set_machine(self, machine: object) -> None:
        """Recommend for ``machine`` (this computer's own figures, or a test's)."""
        if not isinstance(machine, Machine):
            return
        best, starter = self._choices = self.first_run.model_choices(machine)
        self.model_step.show_choices(
            best, starter,
            best_installed=best is not None and self.first_run.installed(best) is not None,
            starter_installed=self.first_run.installed(starter) is not None,
            starter_at_hand=self.first_run.starter_at_hand(),
        )  # fmt: skip
        if self.steps.currentIndex() == 0:
            self.show_step(0)

    # Step 1: the model ----------------------------------------------------------------------
    def _choose(self, *, recommended: bool) -> None:
        if self._choices is None:
            return
        choice = self._choices[0] if recommended else self._choices[1]
        if choice is None:
            return
        if self.pending_ref and self.pending_ref != choice.ref:
            self.downloads.cancel(self.pending_ref)  # the other choice is no longer wanted
        self.model, self.pending_ref = self.first_run.installed(choice), ""
        if self.model is not None:
            self._model_ready()
        else:
            self.pending_ref = choice.ref
            self.cancel_button.setText("Cancel download")
            self.cancel_button.setVisible(choice is self._choices[0])
            self._set_model_state(False, f"Getting {choice.entry.name}…")
            self.downloads.start(choice.ref, choice.label)
        self.show_step(1)

    def _on_download_changed(self) -> None:
        row = self.downloads.model.get(self.pending_ref) if self.pending_ref else None
        if row is None:
            return
        name = row.label
        if row.status == "failed":
            self.cancel_button.hide()
            self._set_model_state(False, f"{row.message} Go back to step 1 to choose again.")
        elif row.status == "stopped":
            self.cancel_button.setText("Continue download")
            self._set_model_state(False, f"{name}: the download is stopped.")
        elif row.active:
            self.cancel_button.setText("Cancel download")
            detail = row.details() if row.total else "starting…"
            self._set_model_state(False, f"Getting {name}: {detail}")

    def _cancel_or_continue(self) -> None:
        row = self.downloads.model.get(self.pending_ref)
        if row is not None and row.active:
            self.downloads.cancel(self.pending_ref)
        elif self.pending_ref:
            self.downloads.resume(self.pending_ref)

    def _on_installed(self, model: object) -> None:
        if self.pending_ref and isinstance(model, InstalledModel):
            self.model, self.pending_ref = model, ""
            self._model_ready()

    def _model_ready(self) -> None:
        assert self.model is not None
        self.cancel_button.hide()
        self._set_model_state(True, f"The model {self.model.name} is ready.")

    def _set_model_state(self, ready: bool, text: str) -> None:
        self.model_status.setText(text)
        waiting = "" if ready else "The chat opens as soon as the model is ready."
        self.name_step.set_model_state(ready, waiting)

    # Step 2: the documents ------------------------------------------------------------------
    def choose_folder(self) -> None:
        chosen = self.pick_folder(self)
        if not chosen:
            return
        try:
            self.collection = self.first_run.add_folder(Path(chosen))
        except AppError as exc:
            self.documents_step.progress.setText(str(exc))
            return
        self.documents_done = False
        self.documents_step.show_folder(Path(chosen).name)
        self.documents_step.show_progress(0, 0, "Getting the reader ready…")
        self.index_runner.start(self.first_run.index, self.collection)

    def _on_index_event(self, event: object) -> None:
        if isinstance(event, IndexProgress):
            text = event.note or f"{event.in_words()}."
            fraction = event.fraction()
            # By passages embedded, not files read: full only when the last one is stored.
            done, total = (round(1000 * fraction), 1000) if fraction is not None else (0, 0)
            self.documents_step.show_progress(done, total, text)
            self.documents_status.setText(f"Your documents: {text}")
        elif isinstance(event, IndexReport):
            read = len(event.indexed) + len(event.unchanged)
            text = f"Read {read} document{'s' if read != 1 else ''}."
            if not read:
                text = "No document in this folder could be read; choose another folder."
            elif event.failed:
                text += f" {len(event.failed)} could not be read; the Library page says why."
            self.documents_step.show_progress(1, 1, text)
            self.documents_step.show_read()
            self.documents_status.setText(f"Your documents: {text}")
            self.documents_done = True
            self.documents_read.emit(self.collection)

    def _on_index_failed(self, message: str) -> None:
        self.documents_step.progress.setText(message)
        self.documents_status.setText(f"Your documents: {message}")
        self.documents_failed.emit(message)

    # Step 3: the name -----------------------------------------------------------------------
    def _create(self, name: str) -> None:
        if self.model is None or not self.collection:
            self.name_step.note.setText("Choose a folder of documents first (step 2).")
            return
        try:
            assistant = self.first_run.create_assistant(name, self.model, self.collection)
        except AppError as exc:
            self.name_step.note.setText(str(exc))
            return
        self.finished.emit(assistant.id)

    def _skip(self) -> None:
        with contextlib.suppress(OSError):  # it is offered again next time: nothing is lost
            self.first_run.skip()
        self.skipped.emit()
