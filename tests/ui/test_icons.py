"""The app's action icons: Lucide line drawings shipped with their licence, painted in the
theme's text colour so they stay visible in Light and Dark, and bundled by the desktop build."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from assistant_builder.ui.resources import ICONS, icon
from assistant_builder.ui.theme import apply_theme
from tests.ui.whole.looks import contrast

FOLDER = Path(str(files("assistant_builder.resources").joinpath("icons/lucide")))
ROOT = Path(__file__).resolve().parents[2]


def test_every_icon_used_is_shipped_with_its_licence_and_nothing_else() -> None:
    shipped = {p.stem for p in FOLDER.glob("*.svg")}
    assert shipped == set(ICONS.values())
    licence = (FOLDER / "LICENSE").read_text(encoding="utf-8")
    assert "ISC License" in licence and "Lucide" in licence and "MIT" in licence


def _ink(image_icon: QIcon, mode: QIcon.Mode = QIcon.Mode.Normal) -> QColor:
    """The colour of the drawing's strokes (its most opaque pixel)."""
    image = image_icon.pixmap(QSize(32, 32), mode).toImage()
    pixels = [image.pixelColor(x, y) for x in range(32) for y in range(32)]
    painted = [c for c in pixels if c.alpha() > 0]
    assert len(painted) > 40, "the icon draws something"
    return max(painted, key=lambda c: c.alpha())


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_icons_are_painted_in_the_theme_text_colour(qtbot: QtBot, theme: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    send = icon("send")  # made before the switch: it must follow the theme all the same
    apply_theme(app, theme)
    try:
        button = app.palette().color(QPalette.ColorRole.Button)
        for name in ICONS:
            ink = _ink(icon(name))
            assert contrast(ink.getRgb()[:3], button.getRgb()[:3]) >= 4.5, name
        ink = _ink(send)
        assert contrast(ink.getRgb()[:3], button.getRgb()[:3]) >= 4.5
        selected = _ink(icon("chat"), QIcon.Mode.Selected)
        highlight = app.palette().color(QPalette.ColorRole.Highlight)
        assert contrast(selected.getRgb()[:3], highlight.getRgb()[:3]) >= 4.5
    finally:
        apply_theme(app, "light")


def test_the_sidebar_shows_an_icon_for_every_page(qtbot: QtBot) -> None:
    from assistant_builder.core.app import App
    from assistant_builder.core.services import Services
    from assistant_builder.core.settings import Settings
    from assistant_builder.ui.main_window import MainWindow

    window = MainWindow(App(Services.create(), Settings()))
    qtbot.addWidget(window)
    for row in range(window.sidebar.count()):
        assert not window.sidebar.item(row).icon().isNull()


def test_the_desktop_build_collects_the_icons() -> None:
    from PyInstaller.utils.hooks import collect_data_files

    spec = (ROOT / "packaging" / "assistant-builder.spec").read_text(encoding="utf-8")
    assert 'collect_data_files("assistant_builder", includes=["resources/**/*"])' in spec
    collected = {Path(src).resolve() for src, _dest in
                 collect_data_files("assistant_builder", includes=["resources/**/*"])}  # fmt: skip
    for svg in FOLDER.glob("*"):
        assert svg.resolve() in collected, svg.name
