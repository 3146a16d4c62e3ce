"""Light, Dark and "Same as my computer" restyle the whole open window at once: every page,
the sidebar, tables, cards, the status bar, an open dialog and the chat transcript, with text
readable (WCAG AA, 4.5:1, measured on what is painted) in each."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from assistant_builder.ui.library.dialogs import NewCollectionDialog
from assistant_builder.ui.main_window import PAGES, MainWindow
from assistant_builder.ui.theme import apply_theme
from tests.ui.whole.looks import AA, low_contrast, painted_contrast, rect_in


@pytest.fixture(autouse=True)
def light_again() -> object:
    yield
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, "light")  # the next test starts as the app does


def _dark_background(widget: QWidget) -> bool:
    shot = widget.grab().toImage()
    return shot.pixelColor(shot.width() - 3, shot.height() // 2).lightness() < 128


def _check_window(window: MainWindow, dialog: QWidget, qtbot: QtBot, dark: bool) -> list[str]:
    problems = []
    for name in PAGES:
        window.show_page(name)
        qtbot.wait(0)  # a pass of the event loop: the page is laid out and painted
        shot = window.grab().toImage()
        page = window.pages.currentWidget()
        if _dark_background(page) != dark:
            problems.append(f"{name} page background is not {'dark' if dark else 'light'}")
        problems += [f"{name}: {p}" for p in low_contrast(shot, window, page)]
        problems += [
            f"status bar ({name}): {p}" for p in low_contrast(shot, window, window.statusBar())
        ]
        sidebar = window.sidebar
        for row in range(sidebar.count()):
            # inside the item's rounded margins: where its name is painted
            rect = sidebar.visualItemRect(sidebar.item(row)).adjusted(10, 4, -10, -4)
            rect.translate(sidebar.viewport().mapTo(window, QPoint(0, 0)))
            ratio = painted_contrast(shot, rect)
            if ratio < AA:
                problems.append(f"sidebar {sidebar.item(row).text()!r} {ratio:.2f}:1")
    # The installed models' table, its text painted in the table's own colours.
    window.show_page("Models")
    page = window.models_page
    page.tabs.setCurrentIndex(page.INSTALLED)
    qtbot.wait(0)
    views = [v for v in page.installed.findChildren(QWidget) if hasattr(v, "visualRect")]
    shot = window.grab().toImage()
    for view in views:
        if not view.isVisibleTo(window) or view.model() is None or view.model().rowCount() == 0:
            continue
        for column in range(view.model().columnCount()):
            index = view.model().index(0, column)
            rect = view.visualRect(index).translated(view.viewport().mapTo(window, QPoint(0, 0)))
            if rect.width() > 8 and index.data():
                ratio = painted_contrast(shot, rect)
                if ratio < AA:
                    problems.append(f"installed table {index.data()!r} {ratio:.2f}:1")
    page.tabs.setCurrentIndex(page.CATALOG)
    dialog_shot = dialog.grab().toImage()
    problems += [f"dialog: {p}" for p in low_contrast(dialog_shot, dialog, dialog)]
    if _dark_background(dialog) != dark:
        problems.append("the open dialog kept the other theme")
    return problems


def test_switching_theme_restyles_every_open_page_and_dialog(
    qtbot: QtBot, furnished_window: tuple[MainWindow, str], tmp_path: Path
) -> None:
    window, _helper = furnished_window
    dialog = NewCollectionDialog("", [str(tmp_path)], parent=window)
    dialog.show()
    qtbot.waitExposed(dialog)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    problems = _check_window(window, dialog, qtbot, dark=False)
    assert problems == [], "\n".join(problems)
    settings = window.settings_page
    for theme, dark in (("dark", True), ("light", False), ("dark", True)):
        window.show_page("Settings")
        settings.theme.setCurrentIndex(settings.theme.findData(theme))
        problems = _check_window(window, dialog, qtbot, dark=dark)
        assert problems == [], "\n".join([theme, *problems])
    # "Same as my computer" follows the desktop while the app runs.
    settings.theme.setCurrentIndex(settings.theme.findData("system"))
    for scheme, dark in ((Qt.ColorScheme.Light, False), (Qt.ColorScheme.Dark, True)):
        app.styleHints().colorSchemeChanged.emit(scheme)
        problems = _check_window(window, dialog, qtbot, dark=dark)
        assert problems == [], "\n".join([str(scheme), *problems])
    # A chosen theme stays put whatever the desktop does.
    settings.theme.setCurrentIndex(settings.theme.findData("light"))
    app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert not _dark_background(window.pages.currentWidget())


def test_the_transcript_and_its_source_marks_take_the_new_theme(
    qtbot: QtBot, furnished_window: tuple[MainWindow, str]
) -> None:
    window, _helper = furnished_window
    window.show_page("Chat")
    transcript = window.chat_page.panel.transcript
    answer = transcript.views[-1]
    assert answer.chip_buttons, "the answer shows its source"
    for theme, dark in (("dark", True), ("light", False)):
        window.settings_page.theme.setCurrentIndex(window.settings_page.theme.findData(theme))
        qtbot.wait(0)
        shot = window.grab().toImage()
        assert _dark_background(transcript.viewport()) == dark
        for view in transcript.views:
            assert low_contrast(shot, window, view) == [], theme
            bubble = rect_in(view, window)
            assert painted_contrast(shot, bubble) >= AA
        chip = answer.chip_buttons[0]
        assert painted_contrast(shot, rect_in(chip, window)) >= AA
