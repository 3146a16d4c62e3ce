"""The Settings page: the few app-wide choices, saved as soon as they change."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import default_threads
from assistant_builder.core.records import (
    KV_CACHE_CHOICES,
    KV_CACHE_HELP,
    KV_CACHE_LABELS,
    Settings,
)
from assistant_builder.ui.pages.computer_settings import ComputerSection
from assistant_builder.ui.pages.prompt_states import SizeOf

THEMES = (("system", "Same as my computer"), ("light", "Light"), ("dark", "Dark"))


class SettingsPage(QWidget):
    changed = Signal(object)  # the new Settings, after any edit
    theme_changed = Signal(str)

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        data_folder: Path,
        prompt_states: tuple[SizeOf, SizeOf] | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self.setAccessibleName("Settings page")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        title = QLabel("Settings")
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        form = QFormLayout()
        self.user_name = QLineEdit(settings.user_name)
        self.user_name.setAccessibleName("Your name")
        self.user_name.setPlaceholderText("How your assistants may call you")
        self.user_name.setToolTip("Assistants can use it through the {user_name} variable.")
        self.offline = QCheckBox("Never use the internet")
        self.offline.setAccessibleName("Offline mode")
        self.offline.setChecked(settings.offline)
        self.offline.setToolTip(
            "With this on, the app opens no connection beyond this computer: no model search "
            "or download, and only model servers running on this computer."
        )
        self.theme = QComboBox()
        self.theme.setAccessibleName("Appearance")
        for key, label in THEMES:
            self.theme.addItem(label, key)
        self.theme.setCurrentIndex(max(0, [k for k, _ in THEMES].index(settings.theme)
                                       if settings.theme in dict(THEMES) else 0))  # fmt: skip
        self.kv_cache = QComboBox()
        self.kv_cache.setAccessibleName("Conversation memory")
        self.kv_cache.setToolTip(KV_CACHE_HELP)
        for key in KV_CACHE_CHOICES:
            self.kv_cache.addItem(KV_CACHE_LABELS[key], key)
        self.kv_cache.setCurrentIndex(max(0, self.kv_cache.findData(settings.kv_cache)))
        kv_help = QLabel(KV_CACHE_HELP)
        kv_help.setWordWrap(True)
        kv_help.setObjectName("hint")
        form.addRow("Your name", self.user_name)
        form.addRow("Network", self.offline)
        form.addRow("Appearance", self.theme)
        form.addRow("Conversation memory", self.kv_cache)
        form.addRow("", kv_help)
        layout.addLayout(form)
        self.computer = ComputerSection(
            settings,
            data_folder,
            automatic_threads=default_threads(),
            prompt_states=prompt_states,
        )
        self.computer.changed.connect(self._emit)
        layout.addWidget(self.computer)
        self._sections = QVBoxLayout()  # parts with their own widget (model servers, log)
        layout.addLayout(self._sections)
        layout.addStretch(1)
        self.user_name.editingFinished.connect(self._emit)
        self.offline.toggled.connect(self._emit)
        self.theme.currentIndexChanged.connect(self._on_theme)
        self.kv_cache.currentIndexChanged.connect(self._emit)

    def add_section(self, section: QWidget) -> None:
        """A part of the page with its own widget, below the app-wide choices."""
        self._sections.addWidget(section)

    def _on_theme(self) -> None:
        self._emit()
        self.theme_changed.emit(self._settings.theme)

    def _emit(self) -> None:
        self._settings.user_name = self.user_name.text().strip()
        self._settings.offline = self.offline.isChecked()
        self._settings.theme = str(self.theme.currentData())
        self._settings.kv_cache = str(self.kv_cache.currentData())
        self.computer.apply(self._settings)
        self.changed.emit(self._settings)
