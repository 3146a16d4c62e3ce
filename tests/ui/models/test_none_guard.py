"""Repainting the Models page (Python delegates make many void Qt calls) must not wear None's
reference count down: with PySide6 6.12 on Python 3.11 that ends in a fatal interpreter
error after some tens of thousands of calls."""

from __future__ import annotations

import sys

from pytestqt.qtbot import QtBot

from assistant_builder.ui.none_guard import protect_none
from tests.ui.models.conftest import MakePage


def test_many_repaints_of_the_page_leave_none_alive(make_page: MakePage, qtbot: QtBot) -> None:
    protect_none()
    page = make_page()
    qtbot.waitExposed(page)
    table = page.catalog.table
    for _ in range(300):  # about what a minute of scrolling paints
        table.viewport().repaint()
    assert sys.getrefcount(None) > 1 << 30


def test_the_guard_is_idempotent() -> None:
    protect_none()
    first = sys.getrefcount(None)
    protect_none()
    assert abs(sys.getrefcount(None) - first) < 1000
