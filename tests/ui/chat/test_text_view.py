"""The transcript's text as a person uses it: selected with the mouse and copied (Ctrl+C, the
context menu), read by a screen reader, wrapped at any width without losing a line, and cheap
to redraw while an answer streams."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from assistant_builder.ui.chat.transcript import MarkdownLabel, TranscriptView

ANSWER = "The rent is due on the first day of each month, and the water bill every quarter."


def _shown(qtbot: QtBot, width: int = 700) -> TranscriptView:
    view = TranscriptView()
    qtbot.addWidget(view)
    view.resize(width, 400)
    view.show()
    qtbot.waitExposed(view)
    return view


def _label(view: TranscriptView) -> MarkdownLabel:
    label = view.views[-1].findChild(MarkdownLabel)
    assert label is not None
    return label


def test_an_answers_text_can_be_selected_with_the_mouse_and_copied(qtbot: QtBot) -> None:
    view = _shown(qtbot)
    view.add("assistant", ANSWER)
    QApplication.processEvents()  # laid out and painted
    label = _label(view)
    middle = label.fontMetrics().height() // 2
    words = label.fontMetrics().horizontalAdvance("The rent is due")
    qtbot.mousePress(label, Qt.MouseButton.LeftButton, pos=QPoint(0, middle))
    qtbot.mouseMove(label, QPoint(words, middle))
    qtbot.mouseRelease(label, Qt.MouseButton.LeftButton, pos=QPoint(words, middle))
    assert label.selected_text() == "The rent is due"
    highlight = label.palette().color(QPalette.ColorRole.Highlight)
    shot = label.grab().toImage()
    assert shot.pixelColor(words // 2, middle) == highlight, "the selection is shown"

    qtbot.keyClick(label, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "The rent is due"
    qtbot.keyClick(label, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    menu = label.context_menu()
    copy = next(action for action in menu.actions() if action.text() == "&Copy")
    assert copy.isEnabled()
    copy.trigger()
    assert QApplication.clipboard().text() == ANSWER
    # A screen reader is given the text.
    assert label.accessibleDescription() == ANSWER


def test_nothing_selected_copies_nothing(qtbot: QtBot) -> None:
    view = _shown(qtbot)
    view.add("assistant", ANSWER)
    QApplication.clipboard().setText("kept")
    label = _label(view)
    copy = next(a for a in label.context_menu().actions() if a.text() == "&Copy")
    assert not copy.isEnabled()
    qtbot.keyClick(label, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "kept"


def test_a_narrow_window_wraps_every_line_and_cuts_none_off(qtbot: QtBot) -> None:
    view = _shown(qtbot, width=260)
    long_word = "https://example.org/a/very/long/address/that/has/no/spaces/at/all"
    view.add("assistant", f"{ANSWER} See {long_word}.")
    QApplication.processEvents()
    label = _label(view)
    assert not view.horizontalScrollBar().isVisible()
    assert label.width() < 260
    assert label.height() >= label.heightForWidth(label.width())
    assert label.height() >= 4 * label.fontMetrics().height(), "wrapped into many lines"
    assert label.document.idealWidth() <= label.width(), "the long address is broken too"
    document = label.document.documentLayout()
    assert document.documentSize().height() <= label.height(), "no last line clipped"


def test_a_streaming_answer_is_laid_out_once_per_repaint(qtbot: QtBot) -> None:
    """Laying the growing paragraph out several times per repaint (a QLabel's size hints) was
    the window's CPU per token that the model lost; once, at the width it has, is enough."""
    view = _shown(qtbot)
    view.begin_stream()
    n = 0

    def more(words: int) -> None:
        nonlocal n
        for _ in range(words):
            view.stream(f" word{n}")
            n += 1
        view.flush()
        QApplication.processEvents()  # the layout and the repaint it asks for

    while not view.verticalScrollBar().isVisible():  # the answer is taller than the window
        more(30)
    label = _label(view)
    before = label.relayouts
    for _ in range(20):
        more(3)
    assert label.relayouts == before
    assert label.text().endswith(f"word{n - 1}")
    # Once the layout has passed its requests up the window, the last line has its room.
    room = label.document.documentLayout().documentSize().height
    qtbot.waitUntil(lambda: label.height() >= room(), timeout=5_000)


def test_a_link_in_an_answer_looks_like_a_link(qtbot: QtBot) -> None:
    view = _shown(qtbot)
    view.add("assistant", "See https://example.org/rent for the [form](https://example.org/f).")
    label = _label(view)
    block = label.document.begin()
    links = []
    it = block.begin()
    while not it.atEnd():
        style = it.fragment().charFormat()
        if style.isAnchor():
            links.append((it.fragment().text(), style.fontUnderline()))
        it += 1
    assert links == [("https://example.org/rent", True), ("form", True)]
