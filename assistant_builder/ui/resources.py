"""Runtime assets shipped in the package (the app icon and the Lucide action icons), loaded
with importlib.resources. Action icons are line drawings painted in the theme's text colour
when they are drawn, so they follow a theme switch without being set again."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

# What each action's icon is called in the app, and the Lucide drawing it uses.
ICONS = {
    "assistants": "bot",
    "chat": "message-square",
    "models": "box",
    "library": "library",
    "settings": "settings",
    "new": "plus",
    "import": "import",
    "export": "share",
    "download": "download",
    "send": "send",
    "stop": "square",
    "regenerate": "refresh-cw",
    "edit": "pencil",
    "add-folder": "folder-plus",
    "search": "search",
    "remove": "trash-2",
}


def app_icon() -> QIcon:
    path = files("assistant_builder.resources").joinpath("icons/app.svg")
    return QIcon(str(path))


@cache
def _svg(name: str) -> str:
    path = files("assistant_builder.resources").joinpath(f"icons/lucide/{ICONS[name]}.svg")
    return path.read_text(encoding="utf-8")


def _pen(mode: QIcon.Mode) -> QColor:
    palette = QApplication.palette()
    if mode == QIcon.Mode.Disabled:
        return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
    if mode == QIcon.Mode.Selected:
        return palette.color(QPalette.ColorRole.HighlightedText)
    return palette.color(QPalette.ColorRole.ButtonText)


class _LineIconEngine(QIconEngine):
    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        svg = _svg(self._name).replace("currentColor", _pen(mode).name())
        QSvgRenderer(QByteArray(svg.encode())).render(painter, rect)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return _LineIconEngine(self._name)


def icon(name: str) -> QIcon:
    """The icon of an action (a key of ``ICONS``), in the colours of the theme now applied."""
    return QIcon(_LineIconEngine(name))
