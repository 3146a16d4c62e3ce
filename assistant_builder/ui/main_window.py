"""The main window: a sidebar of pages, the pages, and a status bar with the engine's state."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QWidget,
)

from assistant_builder import APP_NAME
from assistant_builder.core.app import App
from assistant_builder.core.records import Assistant, Citation, Settings
from assistant_builder.ui.chat.page import ChatPage
from assistant_builder.ui.compare.view import CompareView
from assistant_builder.ui.editor.try_it import TryItPane
from assistant_builder.ui.engine_host import EngineHost
from assistant_builder.ui.library.page import LibraryPage
from assistant_builder.ui.onboarding.install import offer_first_run
from assistant_builder.ui.pages.assistants_page import AssistantsPage
from assistant_builder.ui.pages.models_page import ModelsPage
from assistant_builder.ui.pages.network_log import NetworkLogView
from assistant_builder.ui.pages.servers_section import ServersSection
from assistant_builder.ui.pages.settings_page import SettingsPage
from assistant_builder.ui.resources import icon
from assistant_builder.ui.theme import ThemeFollower

if TYPE_CHECKING:
    from assistant_builder.ui.source_viewer import SourceViewer

log = logging.getLogger(__name__)


PAGES = ("Assistants", "Chat", "Models", "Library", "Settings")

STYLE = """
QListWidget#sidebar { border: none; font-size: 14px; outline: 0; padding-top: 14px; }
QListWidget#sidebar::item { padding: 9px 14px; border-radius: 6px; margin: 2px 8px; }
QListWidget#sidebar::item:selected {
    background: palette(highlight); color: palette(highlighted-text);
}
QListWidget#sidebar::item:hover:!selected { background: palette(alternate-base); }
QLabel#pageTitle { font-size: 22px; font-weight: 600; margin-bottom: 6px; }
"""


class MainWindow(QMainWindow):
    # a source chip clicked in the Chat page or in Try it, or a Library test search result
    citation_requested = Signal(object)

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        """``app`` (core/app) owns what the pages share: the knowledge process, the stores,
        the answering session and the settings; the window only lays the pages out."""
        super().__init__(parent)
        self.app = app
        settings = app.settings
        self._settings = settings
        self.session = app.session
        self.conversations = app.conversations
        self.setWindowTitle(APP_NAME)
        self.setAccessibleName(APP_NAME)
        self.setMinimumSize(720, 480)
        self.setStyleSheet(STYLE)

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName("Navigation")
        self.sidebar.setFixedWidth(190)
        self.sidebar.setSpacing(0)
        self.sidebar.setIconSize(QSize(18, 18))
        self.sidebar.setContentsMargins(0, 12, 0, 0)
        self.pages = QStackedWidget()
        self.pages.setAccessibleName("Pages")

        self.models_page = ModelsPage(app)
        self.prompt_source = app.previewer
        self.source_viewer: SourceViewer | None = None  # opened by the first citation
        self.assistants_page = AssistantsPage(app)
        self.assistants_page.chat_requested.connect(self._on_chat_requested)
        self.assistants_page.editor.dirty_changed.connect(self._show_unsaved)
        self.library_page = LibraryPage(app)
        # A test search result opens in the source viewer like a cited passage.
        self.library_page.search_panel.source_requested.connect(self.citation_requested)
        # A removed collection was taken out of the assistants that read it: show them so.
        self.library_page.collection_removed.connect(lambda _r: self.assistants_page.refresh())
        # The one owner of the loaded model; the Chat page and the editor's Try it share it.
        self.engine_host = EngineHost(self.session, parent=self)
        self.chat_page = ChatPage(
            self.engine_host, app.assistants, self.conversations,
            suggest=app.suggested_questions,
        )  # fmt: skip
        self.chat_page.models_requested.connect(lambda: self.show_page("Models"))
        self.chat_page.citation_requested.connect(self.citation_requested)
        # A clicked source chip opens the cited document inside the app, at the passage.
        self.citation_requested.connect(self.open_citation)
        self.chat_page.edit_requested.connect(self._on_edit_requested)
        self.chat_page.knowledge_requested.connect(
            lambda assistant_id: self._on_edit_requested(assistant_id, section="Knowledge")
        )
        self.chat_page.index_requested.connect(self._on_index_requested)
        editor = self.assistants_page.editor
        self.try_it = TryItPane(
            self.engine_host, editor.current_draft, app.paths.scratch_dir,
            save_choices=editor.set_passage_choices,
        )  # fmt: skip
        self.try_it.models_requested.connect(lambda: self.show_page("Models"))
        self.try_it.citation_requested.connect(self.citation_requested)
        editor.opened.connect(self.try_it.clear)
        editor.opened.connect(lambda: self._warm_knowledge(editor.current_draft()))
        editor.add_try_it(self.try_it)
        self.compare_view = CompareView(app, self.engine_host)
        self.assistants_page.add_compare(self.compare_view)
        self.assistants_page.compare_requested.connect(self.open_compare)
        editor.compare_requested.connect(lambda draft: self.open_compare(draft.id, draft))
        self.compare_view.back_requested.connect(self.assistants_page.leave_compare)
        self.compare_view.kept.connect(lambda _a: self.assistants_page.refresh())
        self.compare_view.citation_requested.connect(self.citation_requested)
        self.settings_page = SettingsPage(
            settings,
            data_folder=app.paths.data_dir,
            prompt_states=(app.saved_prompt_states, app.clear_saved_prompt_states),
        )
        self.settings_page.changed.connect(self._save_settings)
        # The theme chosen in Settings, and the desktop's own when that is "system".
        self.theme = ThemeFollower(
            cast(QApplication, QApplication.instance()), settings.theme, self
        )
        self.settings_page.theme_changed.connect(self._apply_theme)
        self.servers_section = ServersSection(app)
        self.network_log = NetworkLogView(app)
        self.settings_page.add_section(self.servers_section)
        self.settings_page.add_section(self.network_log)
        self.servers_section.changed.connect(self.models_page.servers.refresh)
        self.servers_section.changed.connect(self.assistants_page.editor.refresh_server_models)
        self.servers_section.checked.connect(lambda _r: self.network_log.refresh())
        settings_scroll = QScrollArea()  # the model servers and the log make the page tall
        settings_scroll.setAccessibleName("Settings page")
        settings_scroll.setWidgetResizable(True)
        settings_scroll.setFrameShape(QFrame.Shape.NoFrame)
        settings_scroll.setWidget(self.settings_page)
        widgets: dict[str, QWidget] = {
            "Assistants": self.assistants_page,
            "Chat": self.chat_page,
            "Models": self.models_page,
            "Library": self.library_page,
            "Settings": settings_scroll,
        }
        for number, name in enumerate(PAGES, start=1):
            item = QListWidgetItem(icon(name.lower()), name)
            item.setToolTip(f"{name} (Ctrl+{number})")
            self.sidebar.addItem(item)
            self.pages.addWidget(widgets[name])
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.activated.connect(lambda n=number - 1: self.sidebar.setCurrentRow(n))
        self.sidebar.currentRowChanged.connect(self._show_page)
        QShortcut(QKeySequence.StandardKey.Quit, self).activated.connect(self.close)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.sidebar)
        row.addWidget(self.pages, 1)
        # The first-run guide is put in front of the pages in this stack: moving the whole
        # page tree into a new parent instead had Qt polish every widget again (0.2 s of start).
        self.front = QStackedWidget()
        self.front.addWidget(central)
        self.setCentralWidget(self.front)

        self.chat_assistant_id = ""  # the assistant the Chat page should open
        self.engine_state = QLabel("No model loaded")
        self.engine_state.setAccessibleName("Engine state")
        self.engine_state.setToolTip("What the language model is doing right now.")
        self.statusBar().addPermanentWidget(self.engine_state)
        self.engine_host.state_changed.connect(self.engine_state.setText)

        self._restore_geometry()
        self.sidebar.setCurrentRow(PAGES.index("Models") if not app.has_models() else 0)
        # With no assistant yet the window opens on the three-step guide instead.
        self.suggestions: QWidget | None = None  # the questions to try the guide leaves
        self.first_run_guide = offer_first_run(self)

    def page_names(self) -> list[str]:
        return [self.sidebar.item(i).text() for i in range(self.sidebar.count())]

    def current_page_name(self) -> str:
        return PAGES[self.pages.currentIndex()]

    def show_page(self, name: str) -> None:
        self.sidebar.setCurrentRow(PAGES.index(name))

    def _show_page(self, row: int) -> None:
        if row < 0:
            return
        self.pages.setCurrentIndex(row)
        if PAGES[row] == "Models":
            self.models_page.refresh()
        elif PAGES[row] == "Chat":
            self.chat_page.refresh()
        elif PAGES[row] == "Settings" and self.settings_page.computer.prompt_states:
            self.settings_page.computer.prompt_states.refresh()  # answers since made more

    def _show_unsaved(self, dirty: bool) -> None:
        self.setWindowTitle(f"{APP_NAME} •" if dirty else APP_NAME)

    def _on_chat_requested(self, assistant_id: str) -> None:
        self.chat_assistant_id = assistant_id
        self.show_page("Chat")
        self.chat_page.open_assistant(assistant_id)
        self._warm_knowledge(self.chat_page.assistant())

    def _warm_knowledge(self, assistant: Assistant | None) -> None:
        """An assistant with collections is about to be asked something: have the knowledge
        process load their embedders now, in the background, so the first answer is quick."""
        if assistant is not None and assistant.collections:
            names = [ref.name for ref in assistant.collections]
            self.app.warm_collections(names)

    def _on_edit_requested(self, assistant_id: str, section: str = "") -> None:
        self.show_page("Assistants")
        self.assistants_page.open_editor(assistant_id, section=section)

    def open_compare(self, assistant_id: str, draft: Assistant | None = None) -> None:
        """Compare from a card (the saved assistant and its drafts) or from the editor (its
        draft as it is now, in place of the saved one)."""
        self.show_page("Assistants")
        variants = self.app.compare_start(assistant_id)
        if draft is not None:
            variants[0] = replace(variants[0], assistant=draft)
        self.compare_view.open(assistant_id, variants)
        self.assistants_page.show_compare()
        self._warm_knowledge(variants[0].assistant)

    def _on_index_requested(self, collection: str) -> None:
        """“Index now” on a question about a collection with nothing indexed yet."""
        self.show_page("Library")
        self.library_page.refresh()  # it may have been made since the page last looked
        self.library_page.select(collection)
        if self.library_page.selected_name() == collection:
            self.library_page.start_index()

    def open_citation(self, citation: Citation) -> None:
        """Open a cited passage in the source viewer window (the chat page's
        ``citation_requested(Citation)`` connects here)."""
        from assistant_builder.ui.source_viewer import SourceViewer  # QtPdf: only when needed

        if self.source_viewer is None:
            self.source_viewer = SourceViewer(self.app, self)
            self.source_viewer.setWindowFlag(Qt.WindowType.Window)
            self.source_viewer.setWindowTitle(f"Source — {APP_NAME}")
            self.source_viewer.resize(760, 860)
        self.source_viewer.open_citation(citation)
        self.source_viewer.show()
        self.source_viewer.raise_()

    def _save_settings(self, settings: Settings) -> None:
        try:
            self.app.save_settings(settings)
        except OSError as exc:
            log.exception("saving settings failed")
            QMessageBox.warning(
                self, APP_NAME, f"Your settings could not be saved ({exc.strerror}); "
                "check that the disk is not full."
            )  # fmt: skip

    def _apply_theme(self, theme: str) -> None:
        self.theme.choose(theme)

    def _restore_geometry(self) -> None:
        if self._settings.window_geometry:
            data = QByteArray.fromBase64(self._settings.window_geometry.encode("ascii"))
            if self.restoreGeometry(data):
                return
        self.resize(1100, 720)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.assistants_page.editor.confirm_leave():
            event.ignore()
            return
        self.library_page.stop_work()
        self.app.stop_knowledge()  # what still runs in the child stops there
        self.library_page.shutdown()
        self._settings.window_geometry = bytes(self.saveGeometry().toBase64().data()).decode()
        self._save_settings(self._settings)
        self.compare_view.shutdown()  # it answers on the engine host's lock
        self.engine_host.shutdown()  # the model's process ends with the window
        self.theme.stop()
        self.app.close()
        super().closeEvent(event)
