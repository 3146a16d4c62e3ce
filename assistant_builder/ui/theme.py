"""Light and dark palettes on the Fusion style, so the app looks the same on every desktop;
switching restyles every open widget at once, and "Same as my computer" follows the desktop
while the app runs."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

_DARK = {
    QPalette.ColorRole.Window: "#1f2124",
    QPalette.ColorRole.WindowText: "#e8e8ea",
    QPalette.ColorRole.Base: "#17181a",
    QPalette.ColorRole.AlternateBase: "#2a2d31",
    QPalette.ColorRole.Text: "#e8e8ea",
    QPalette.ColorRole.Button: "#2a2d31",
    QPalette.ColorRole.ButtonText: "#e8e8ea",
    QPalette.ColorRole.Mid: "#4a4e55",
    QPalette.ColorRole.Highlight: "#2d6ad8",  # white text on it reads at 5:1
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#2a2d31",
    QPalette.ColorRole.ToolTipText: "#e8e8ea",
    QPalette.ColorRole.PlaceholderText: "#9a9ea6",
    QPalette.ColorRole.Link: "#8ab4ff",
}
_LIGHT = {
    QPalette.ColorRole.Window: "#f5f6f8",
    QPalette.ColorRole.WindowText: "#1c1d20",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#eceef2",
    QPalette.ColorRole.Text: "#1c1d20",
    QPalette.ColorRole.Button: "#ffffff",
    QPalette.ColorRole.ButtonText: "#1c1d20",
    QPalette.ColorRole.Mid: "#b9bdc5",
    QPalette.ColorRole.Highlight: "#2f6fe4",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#ffffff",
    QPalette.ColorRole.ToolTipText: "#1c1d20",
    QPalette.ColorRole.PlaceholderText: "#62666e",
    QPalette.ColorRole.Link: "#1f5fd0",
}
# Colours the palette has no role for, readable (4.5:1) on both Window and Base.
_EXTRA = {
    "light": {"problem": "#b3261e", "doubtful": "#8a5300"},
    "dark": {"problem": "#ff8a80", "doubtful": "#ffc266"},
}
# Application-wide rules whose colours depend on the theme; pages keep their own layout rules.
_SHEET = """
QLabel[problem="true"] {{ color: {problem}; }}
QToolTip {{ color: {tooltip_text}; background: {tooltip_base}; border: 1px solid {mid}; }}
"""


def is_dark(app_or_widget: QApplication | QWidget) -> bool:
    return app_or_widget.palette().color(QPalette.ColorRole.Window).lightness() < 128


def color(name: str) -> QColor:
    """A theme colour without a palette role ("problem", "doubtful"), for the
    theme now applied."""
    app = QApplication.instance()
    dark = isinstance(app, QApplication) and is_dark(app)
    return QColor(_EXTRA["dark" if dark else "light"][name])


def resolve(theme: str, scheme: Qt.ColorScheme) -> str:
    """ "light" or "dark": "system" is the desktop's colour scheme ``scheme``."""
    if theme == "system":
        return "dark" if scheme == Qt.ColorScheme.Dark else "light"
    return "dark" if theme == "dark" else "light"


def apply_theme(app: QApplication, theme: str, scheme: Qt.ColorScheme | None = None) -> None:
    """``theme`` is "light", "dark" or "system": the desktop's own colour scheme, ``scheme``
    when the desktop has just announced it, else the one it reports now."""
    app.setStyle("Fusion")
    name = resolve(theme, app.styleHints().colorScheme() if scheme is None else scheme)
    colors = _DARK if name == "dark" else _LIGHT
    palette = QPalette()
    for role, value in colors.items():
        palette.setColor(role, QColor(value))
    disabled = QColor(colors[QPalette.ColorRole.PlaceholderText])
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):  # fmt: skip
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    app.setPalette(palette)
    app.setStyleSheet(
        _SHEET.format(
            tooltip_text=colors[QPalette.ColorRole.ToolTipText],
            tooltip_base=colors[QPalette.ColorRole.ToolTipBase],
            mid=colors[QPalette.ColorRole.Mid],
            **_EXTRA[name],
        )
    )
    # A widget with its own style sheet took its colours from the palette when it was
    # polished and keeps them: setting the sheet again makes it read the new palette.
    for widget in app.allWidgets():
        sheet = widget.styleSheet()
        if sheet:
            widget.setStyleSheet("")
            widget.setStyleSheet(sheet)


class ThemeFollower(QObject):
    """The theme the person chose; with "system" it follows the desktop's colour scheme
    while the app runs (the desktop tells Qt through ``colorSchemeChanged``)."""

    def __init__(self, app: QApplication, theme: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.theme = theme
        app.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)
        self._following = True

    def stop(self) -> None:
        """No more following: the window it themed has closed."""
        if self._following:
            self._following = False
            self._app.styleHints().colorSchemeChanged.disconnect(self._on_scheme_changed)

    def choose(self, theme: str) -> None:
        self.theme = theme
        apply_theme(self._app, theme)

    def _on_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self.theme == "system":
            apply_theme(self._app, "system", scheme)
