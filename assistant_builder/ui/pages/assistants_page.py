"""The Assistants page: a card per assistant (icon, name, description, model, collections) with
New from a starting point, Duplicate, Delete with Undo, Export, Import and Chat; opening one
shows the editor in the same page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.assistants.bundle import SUFFIX as BUNDLE_SUFFIX
from assistant_builder.core.assistants.bundle import BundleProgress, ExportSummary, export_bundle
from assistant_builder.core.assistants.bundle_import import ImportResult, import_bundle
from assistant_builder.core.assistants.model import Assistant, ModelRef
from assistant_builder.core.assistants.presets import (
    STARTING_POINTS,
    StartingPoint,
    from_starting_point,
)
from assistant_builder.core.assistants.store import AssistantStore, Removed, model_ref
from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.errors import AppError
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.ui.editor.editor import AssistantEditor
from assistant_builder.ui.theme import is_dark
from assistant_builder.ui.widgets.banner import Banner
from assistant_builder.ui.widgets.progress_panel import ProgressPanel
from assistant_builder.ui.workers import TaskRunner

CARD_WIDTH = 300
_BADGE_COLORS = ("#2f6fe4", "#0f8a6a", "#b5462b", "#7a4cc2", "#a86b00", "#c2407a", "#3f7f2f")

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


class AssistantCard(QFrame):
    """One assistant at a glance, with its actions."""

    chat_clicked = Signal(str)
    edit_clicked = Signal(str)
    duplicate_clicked = Signal(str)
    export_clicked = Signal(str)
    delete_clicked = Signal(str)

    def __init__(self, assistant: Assistant, model_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.assistant_id = assistant.id
        self.shows = (assistant, model_name)
        self.setObjectName("assistantCard")
        self.setAccessibleName(f"Assistant {assistant.name}")
        self.setFixedWidth(CARD_WIDTH)
        badge_text = assistant.icon or (assistant.name[:1].upper() or "?")
        self.badge = QLabel(badge_text)
        self.badge.setAccessibleName("Icon")
        self.badge.setFixedSize(44, 44)
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        color = _BADGE_COLORS[sum(map(ord, assistant.id)) % len(_BADGE_COLORS)]
        self.badge.setStyleSheet(
            f"background: {color}; color: white; border-radius: 22px; font-size: 20px;"
        )
        self.name = QLabel(assistant.name)
        self.name.setObjectName("cardName")
        self.name.setWordWrap(True)
        self.name.setAccessibleName("Name")
        self.description = QLabel(assistant.description or "No description yet.")
        self.description.setWordWrap(True)
        self.description.setAccessibleName("Description")
        self.description.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.description.setMinimumHeight(self.description.fontMetrics().lineSpacing() * 3)
        self.model = QLabel(f"Model: {model_name}")
        self.model.setObjectName("cardMeta")
        self.model.setWordWrap(True)
        self.model.setAccessibleName("Model")
        names = ", ".join(c.name for c in assistant.collections)
        self.collections = QLabel(f"Documents: {names}" if names else "Documents: none")
        self.collections.setObjectName("cardMeta")
        self.collections.setWordWrap(True)
        self.collections.setAccessibleName("Collections")

        self.chat_button = QPushButton("Chat")
        self.chat_button.setAccessibleName(f"Chat with {assistant.name}")
        self.edit_button = QPushButton("Edit")
        self.edit_button.setAccessibleName(f"Edit {assistant.name}")
        self.more_button = QToolButton()
        self.more_button.setText("More")
        self.more_button.setAccessibleName(f"More actions for {assistant.name}")
        self.more_button.setToolTip("Duplicate, export or delete")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more_button)
        self.duplicate_action = menu.addAction("Duplicate")
        self.export_action = menu.addAction("Export to a file…")
        menu.addSeparator()
        self.delete_action = menu.addAction("Delete")
        self.more_button.setMenu(menu)

        top = QHBoxLayout()
        top.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        top.addSpacing(6)
        top.addWidget(self.name, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.chat_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.more_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.description)
        layout.addWidget(self.model)
        layout.addWidget(self.collections)
        layout.addStretch(1)
        layout.addLayout(buttons)

        aid = assistant.id
        self.chat_button.clicked.connect(lambda: self.chat_clicked.emit(aid))
        self.edit_button.clicked.connect(lambda: self.edit_clicked.emit(aid))
        self.duplicate_action.triggered.connect(lambda: self.duplicate_clicked.emit(aid))
        self.export_action.triggered.connect(lambda: self.export_clicked.emit(aid))
        self.delete_action.triggered.connect(lambda: self.delete_clicked.emit(aid))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.edit_clicked.emit(self.assistant_id)


class CardGrid(QWidget):
    """Cards in as many columns as fit the width, re-flowed when the page is resized."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(16)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._cards: list[QWidget] = []
        self._columns = 0
        # An explicit minimum keeps the layout from pinning the width of the widest row, so the
        # grid can shrink and re-flow into fewer columns.
        self.setMinimumWidth(CARD_WIDTH)

    def set_cards(self, cards: Sequence[QWidget]) -> None:
        """Show ``cards`` in order; cards no longer shown are deleted, kept ones reused."""
        keep = set(map(id, cards))
        for card in self._cards:
            self._grid.removeWidget(card)
            if id(card) not in keep:
                card.deleteLater()
        self._cards = list(cards)
        self._columns = 0
        self._reflow()

    def _reflow(self) -> None:
        columns = max(1, (self.width() + 16) // (CARD_WIDTH + 16))
        if columns == self._columns:
            return
        self._columns = columns
        for card in self._cards:
            self._grid.removeWidget(card)
        for n, card in enumerate(self._cards):
            self._grid.addWidget(card, n // columns, n % columns)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._reflow()


class AssistantsPage(QWidget):
    chat_requested = Signal(str)  # an assistant id; the Chat page takes it from there

    def __init__(
        self,
        store: AssistantStore,
        registry: ModelRegistry,
        *,
        imported_documents_dir: Path,
        collection_names: Callable[[], Sequence[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._registry = registry
        self._documents_dir = imported_documents_dir
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
        self.import_button.setToolTip("Add an assistant from a .assistant file someone shared")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.import_button)
        top.addWidget(self.new_button)
        app = QApplication.instance()
        self.banner = Banner(dark=isinstance(app, QApplication) and is_dark(app))
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

        self.editor = AssistantEditor(store, registry, collection_names)
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
        try:
            names = {m.id: m.name for m in self._registry.list()}
        except AppError:
            names = {}
        cards = []
        for assistant in found:
            model_name = names.get(assistant.model.id) or f"{assistant.model.id} (not installed)"
            old = self.cards.get(assistant.id)
            # An unchanged assistant keeps its card: building one costs ~2 ms.
            if old is not None and old.shows == (assistant, model_name):
                cards.append(old)
                continue
            card = AssistantCard(assistant, model_name)
            card.chat_clicked.connect(self.chat_requested)
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
        try:
            models = self._registry.list(kind="model")
        except AppError:
            models = []
        # The first installed model; with none, the Model section says how to get one.
        model = model_ref(models[0]) if models else ModelRef(id="")
        name = self._store.unique_name(point.assistant.name)
        self.editor.open_new(from_starting_point(point, name=name, model=model), point.retrieval)
        self.stack.setCurrentWidget(self.editor)
        self.editor.about.name.setFocus()
        self.editor.about.name.selectAll()

    def open_editor(self, assistant_id: str) -> None:
        try:
            assistant = self._store.get(assistant_id)
        except AppError as exc:
            self.banner.show_message(str(exc))
            self.refresh()
            return
        self.editor.open_assistant(assistant)
        self.stack.setCurrentWidget(self.editor)

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
        self.runner.start(_export, assistant, path, registry=self._registry, on_progress=self.relay)

    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import assistant", str(Path.home()), f"Assistant files (*{BUNDLE_SUFFIX})"
        )
        if path:
            self.import_from(Path(path))

    def import_from(self, path: Path) -> None:
        self.progress.start(f"Importing {path.name}…")
        self.runner.start(
            _import, path, store=self._store, registry=self._registry,
            documents_dir=self._documents_dir, on_progress=self.relay,
        )  # fmt: skip

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


def _export(
    assistant: Assistant, path: Path, *, registry: ModelRegistry,
    on_progress: ProgressRelay, cancel: CancelToken,
) -> ExportSummary:  # fmt: skip
    return export_bundle(assistant, path, registry=registry, cancel=cancel, on_progress=on_progress)


def _import(
    path: Path, *, store: AssistantStore, registry: ModelRegistry, documents_dir: Path,
    on_progress: ProgressRelay, cancel: CancelToken,
) -> ImportResult:  # fmt: skip
    return import_bundle(
        path, store=store, registry=registry, documents_dir=documents_dir, cancel=cancel,
        on_progress=on_progress,
    )  # fmt: skip


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
