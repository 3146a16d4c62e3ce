"""The Assistants page: a card per assistant (icon, name, description, model, collections) with
New from a starting point, Duplicate, Delete with Undo, Export, Import and Chat; opening one
shows the editor in the same page."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import App, AssistantStore
from assistant_builder.core.records import (
    BUNDLE_SUFFIX,
    STARTING_POINTS,
    AppError,
    Assistant,
    BundleProgress,
    ExportSummary,
    ImportResult,
    Removed,
    StartingPoint,
)
from assistant_builder.ui.editor.editor import AssistantEditor
from assistant_builder.ui.pages.assistant_cards import AssistantCard, CardGrid
from assistant_builder.ui.resources import icon
from assistant_builder.ui.widgets.banner import Banner
from assistant_builder.ui.widgets.progress_panel import ProgressPanel
from assistant_builder.ui.workers import TaskRunner

STYLE = """
QFrame#assistantCard {
    background: palette(base); border: 1px solid palette(mid); border-radius: 10px;
}
QFrame#assistantCard:hover { border-color: palette(highlight); }
QLabel#cardName { font-size: 15px; font-weight: 600; }
QLabel#cardMeta { color: palette(placeholder-text); }
QLabel#emptyState { color: palette(placeholder-text); font-size: 14px; }
"""


class ProgressRelay(QObject):
    """Carries the core's ``on_progress`` calls from the worker thread to the GUI thread."""

    progressed = Signal(object)

    def __call__(self, event: BundleProgress) -> None:
        self.progressed.emit(event)


class AssistantsPage(QWidget):
    chat_requested = Signal(str)  # an assistant id; the Chat page takes it from there
    compare_requested = Signal(str)  # an assistant id; the window opens Compare with it

    def __init__(
        self,
        app: App,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._store = app.assistants
        # Every deletion of this session can be undone, newest first: nothing is lost because
        # a second delete replaced the first one's banner.
        self._removed: list[Removed] = []
        self.setAccessibleName("Assistants page")
        self.setStyleSheet(STYLE)

        self.stack = QStackedWidget()
        self.list_view = QWidget()
        self.list_view.setAccessibleName("Assistants list")
        title = QLabel("Assistants")
        title.setObjectName("pageTitle")
        title.setAccessibleName("Assistants heading")
        intro = QLabel(
            "An assistant combines a model, your instructions and, if you like, your documents."
        )
        intro.setWordWrap(True)
        self.new_button = QPushButton("New assistant")
        self.new_button.setAccessibleName("New assistant")
        self.new_button.setIcon(icon("new"))
        self.new_button.setToolTip("Start from a ready-made starting point")
        self.new_menu = QMenu(self.new_button)
        for point in STARTING_POINTS:
            action = self.new_menu.addAction(point.name)
            action.setToolTip(point.description)
            action.setStatusTip(point.description)
            action.triggered.connect(lambda _=False, p=point: self.new_from(p))
        self.new_menu.setToolTipsVisible(True)
        self.new_button.setMenu(self.new_menu)
        self.import_button = QPushButton("Import…")
        self.import_button.setAccessibleName("Import an assistant")
        self.import_button.setIcon(icon("import"))
        self.import_button.setToolTip("Add an assistant from a .assistant file someone shared")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.import_button)
        top.addWidget(self.new_button)
        self.banner = Banner()
        self.empty = QLabel(
            "You have no assistant yet. Click “New assistant” and pick a starting point: "
            "“Ask my documents” answers from your files, “Writing helper” polishes your texts."
        )
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName("No assistants")
        self.grid = CardGrid()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 4, 0, 4)
        holder_layout.addWidget(self.empty)
        holder_layout.addWidget(self.grid)
        holder_layout.addStretch(1)
        scroll.setWidget(holder)
        scroll.setAccessibleName("Assistant cards")
        list_layout = QVBoxLayout(self.list_view)
        list_layout.setContentsMargins(32, 28, 32, 20)
        list_layout.addLayout(top)
        list_layout.addWidget(intro)
        list_layout.addWidget(self.banner)
        self.progress = ProgressPanel()
        list_layout.addWidget(self.progress)
        list_layout.addWidget(scroll, 1)

        self.editor = AssistantEditor(app)
        self.stack.addWidget(self.list_view)
        self.stack.addWidget(self.editor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self.cards: dict[str, AssistantCard] = {}
        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._on_task_finished)
        self.runner.failed.connect(lambda message: self.banner.show_message(message))
        self.runner.busy_changed.connect(self._on_busy)
        self.relay = ProgressRelay(self)
        self.relay.progressed.connect(self._on_progress)
        self.progress.cancel_requested.connect(self.runner.cancel)
        self.runner.cancelled.connect(
            lambda: self.banner.show_message("Stopped; nothing was changed.", kind="info")
        )
        self.import_button.clicked.connect(self.choose_import)
        self.editor.back_requested.connect(self.show_list)
        self.editor.saved.connect(lambda _a: self.refresh())
        self.refresh()

    @property
    def store(self) -> AssistantStore:
        return self._store

    # The list ----------------------------------------------------------------------------
    def refresh(self) -> None:
        found, unreadable = self._store.scan()
        names = self._app.model_names()
        cards = []
        for assistant in found:
            model = assistant.model
            model_name = (
                f"{model.id} — on {model.server}" if model.server
                else names.get(model.id) or f"{model.id} (not installed)"
            )  # fmt: skip
            old = self.cards.get(assistant.id)
            # An unchanged assistant keeps its card: building one costs ~2 ms.
            if old is not None and old.shows == (assistant, model_name):
                cards.append(old)
                continue
            card = AssistantCard(assistant, model_name)
            card.chat_clicked.connect(self.chat_requested)
            card.compare_clicked.connect(self.compare_requested)
            card.edit_clicked.connect(self.open_editor)
            card.duplicate_clicked.connect(self.duplicate)
            card.export_clicked.connect(self.choose_export)
            card.delete_clicked.connect(self.delete)
            cards.append(card)
        self.cards = {card.assistant_id: card for card in cards}
        self.grid.set_cards(cards)
        self.empty.setVisible(not found)
        if unreadable and self.banner.isHidden():
            self.banner.show_message(
                f"{len(unreadable)} assistant file(s) could not be read and are not listed; "
                "they were left untouched.",
                kind="warning",
                details="\n".join(u.reason for u in unreadable),
            )

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.list_view)
        self.refresh()

    @property
    def editing(self) -> bool:
        return self.stack.currentWidget() is self.editor

    # Actions -----------------------------------------------------------------------------
    def new_from(self, point: StartingPoint) -> None:
        self.editor.open_new(self._app.new_assistant(point), point.retrieval)
        self.stack.setCurrentWidget(self.editor)
        self.editor.about.name.setFocus()
        self.editor.about.name.selectAll()

    def open_editor(self, assistant_id: str, *, section: str = "") -> None:
        """Opens the assistant in the editor, at the section of that title if one is given."""
        try:
            assistant = self._store.get(assistant_id)
        except AppError as exc:
            self.banner.show_message(str(exc))
            self.refresh()
            return
        self.editor.open_assistant(assistant)
        for widget in self.editor.sections:
            if widget.title == section:
                self.editor.tabs.setCurrentWidget(widget)
        self.stack.setCurrentWidget(self.editor)

    def add_compare(self, view: QWidget) -> None:
        """The Compare view (built by the window, which owns the engine) as a third page;
        its way back leads where it was opened from (the list or the editor)."""
        self.compare = view
        self.stack.addWidget(view)
        self._compare_from: QWidget = self.list_view

    def show_compare(self) -> None:
        self._compare_from = self.stack.currentWidget() or self.list_view
        self.stack.setCurrentWidget(self.compare)

    def leave_compare(self) -> None:
        if self._compare_from is self.editor:
            self.stack.setCurrentWidget(self.editor)
        else:
            self.show_list()

    def duplicate(self, assistant_id: str) -> None:
        try:
            copy = self._store.duplicate(assistant_id)
        except AppError as exc:
            self.banner.show_message(str(exc))
        else:
            self.banner.show_message(f"Made a copy called “{copy.name}”.", kind="info")
        self.refresh()

    def delete(self, assistant_id: str) -> None:
        try:
            self._removed.append(self._store.remove_for_undo(assistant_id))
        except (AppError, OSError) as exc:
            self.banner.show_message(str(exc) if isinstance(exc, AppError) else
                                     "The assistant's file could not be deleted.")  # fmt: skip
            return
        self._offer_undo()
        self.refresh()

    def _offer_undo(self, prefix: str = "") -> None:
        if not self._removed:
            return
        name = self._removed[-1].assistant.name
        self.banner.show_message(
            f"{prefix}Deleted “{name}”. Its model and documents were kept.",
            kind="info",
            action="Undo",
            on_action=self.undo_delete,
        )

    def undo_delete(self) -> None:
        """Put back the most recently deleted assistant, byte for byte."""
        if not self._removed:
            return
        try:
            restored = self._store.restore(self._removed[-1])
        except (AppError, OSError) as exc:
            self.banner.show_message(str(exc) if isinstance(exc, AppError) else
                                     "The assistant could not be put back.")  # fmt: skip
            return
        self._removed.pop()
        self.refresh()
        if self._removed:
            self._offer_undo(prefix=f"“{restored.name}” is back. ")
        else:
            self.banner.show_message(f"“{restored.name}” is back.", kind="info")

    def choose_export(self, assistant_id: str) -> None:
        try:
            assistant = self._store.get(assistant_id)
        except AppError as exc:
            self.banner.show_message(str(exc))
            return
        suggested = str(Path.home() / f"{assistant.name}{BUNDLE_SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(
            self, "Export assistant", suggested, f"Assistant files (*{BUNDLE_SUFFIX})"
        )
        if path:
            if not path.endswith(BUNDLE_SUFFIX):
                path += BUNDLE_SUFFIX
            self.export_to(assistant, Path(path))

    def export_to(self, assistant: Assistant, path: Path) -> None:
        self.progress.start(f"Exporting “{assistant.name}”…")
        self.runner.start(self._app.export_assistant, assistant, path, on_progress=self.relay)

    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import assistant", str(Path.home()), f"Assistant files (*{BUNDLE_SUFFIX})"
        )
        if path:
            self.import_from(Path(path))

    def import_from(self, path: Path) -> None:
        self.progress.start(f"Importing {path.name}…")
        self.runner.start(self._app.import_assistant, path, on_progress=self.relay)

    def _on_busy(self, busy: bool) -> None:
        self.import_button.setEnabled(not busy)
        if busy:
            self.banner.dismiss()
        else:
            self.progress.finish()

    def _on_progress(self, event: object) -> None:
        if isinstance(event, BundleProgress):
            self.progress.update_progress(
                event.done, event.total, f"{event.done} of {event.total} documents: {event.name}"
            )

    def _on_task_finished(self, result: object) -> None:
        if isinstance(result, ExportSummary):
            self.banner.show_message(
                f"Saved to {result.path} ({result.bytes / 1e3:.1f} kB).", kind="info"
            )
        elif isinstance(result, ImportResult):
            self.refresh()
            self.banner.show_message(_import_message(result), kind="info")


def _import_message(result: ImportResult) -> str:
    a = result.assistant
    parts = [f"Imported “{a.name}”"]
    if result.renamed_from:
        parts[0] += f" (you already had one called “{result.renamed_from}”)"
    parts[0] += "."
    if not result.model_installed:
        parts.append(
            f"Its model {a.model.filename or a.model.id} is not on this computer; "
            "install it on the Models page before chatting."
        )
    for adapter in result.missing_adapters:
        parts.append(f"Its adapter {adapter} is not installed.")
    return " ".join(parts)
