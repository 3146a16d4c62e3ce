"""At the window's default size (1100x720) and at 1440x900 every page, each of its tabs and
every editor section shows all its text and buttons: help text wraps under its field instead
of being cut, sliders have room to be used, and nothing needs a horizontal scroll bar."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QTabWidget
from pytestqt.qtbot import QtBot

from assistant_builder.ui.main_window import PAGES, MainWindow
from tests.ui.whole.looks import cut_off


@pytest.mark.parametrize("size", [(1100, 720), (1440, 900)])
def test_every_page_and_editor_section_fits_the_window(
    qtbot: QtBot, furnished_window: tuple[MainWindow, str], size: tuple[int, int], tmp_path: Path
) -> None:
    window, helper = furnished_window
    window.resize(*size)
    problems: list[str] = []

    def look(where: str) -> None:
        qtbot.wait(0)  # laid out and painted at this size
        window.grab().save(str(tmp_path / f"{where}.png"))
        problems.extend(f"{where}: {p}" for p in cut_off(window.pages.currentWidget()))

    for name in PAGES:
        window.show_page(name)
        page = window.pages.currentWidget()
        tabs = [t for t in page.findChildren(QTabWidget) if t.isVisibleTo(window)]
        if not tabs:
            look(name)
        for tab_widget in tabs:
            for index in range(tab_widget.count()):
                tab_widget.setCurrentIndex(index)
                look(f"{name} - {tab_widget.tabText(index)}")
    window.show_page("Assistants")
    window.assistants_page.open_editor(helper)
    editor = window.assistants_page.editor
    for section in editor.sections:
        editor.tabs.setCurrentWidget(section)
        look(f"editor - {section.title}")
    bar = editor.tabs.tabBar()  # every section's tab in view, none behind scroll arrows
    hidden = [bar.tabText(i) for i in range(bar.count()) if not bar.rect().contains(bar.tabRect(i))]
    if hidden:
        problems.append(f"editor: the tabs {hidden} are out of view")
    assert problems == [], "\n".join(problems)
