"""The source viewer: opens a cited passage inside the app, at the cited place.

A PDF opens at its page with the passage filled like a highlighter stroke and centred in the
view; any other document is shown as the text the knowledge core read from it (the same
loaders, so a citation's start and end land exactly) with the passage selected in the middle.
Page and zoom controls sit above it; Esc closes it. A document's text is read in the
knowledge process by the isolated parsers indexing uses, off the GUI thread: a hostile file
costs a sentence, never the window.

The main window connects the chat page's ``citation_requested(Citation)`` signal to
``SourceViewer.open_citation`` (core/citation.py: source, page, start, end, text)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QKeySequence,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import find_in_page
from assistant_builder.core.records import CancelToken, Citation, SourceText
from assistant_builder.ui.pdf_pages import PdfPagesView
from assistant_builder.ui.workers import TaskRunner

PASSAGE_BACKGROUND = QColor("#ffe066")
PASSAGE_TEXT = QColor("#1c1d20")


def _utf16(text: str, offset: int) -> int:
    """Qt counts positions in UTF-16 code units; Python in code points."""
    return len(text[:offset].encode("utf-16-le")) // 2


class SourceReader(Protocol):
    """What the viewer needs of the app (App.read_source): a document's text, read by the
    isolated parsers of the knowledge process, never in the window's."""

    def read_source(
        self, path: Path, start: int, end: int, passage: str, *, cancel: CancelToken = ...
    ) -> SourceText: ...


class SourceViewer(QWidget):
    shown = Signal()  # a citation is on screen (or the sentence saying why it cannot be)

    def __init__(self, reader: SourceReader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._reader = reader
        self.setAccessibleName("Source viewer")
        self.title = QLabel()
        self.title.setObjectName("subheading")
        self.title.setAccessibleName("Source")
        self.title.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("hint")
        self.message.setAccessibleName("Source problem")
        self.message.setWordWrap(True)
        self.message.hide()

        self.pdf = QPdfDocument(self)
        self.pdf_view = PdfPagesView(self.pdf)
        self.pdf_view.setAccessibleName("PDF pages")
        self.text_view = QPlainTextEdit()
        self.text_view.setReadOnly(True)
        self.text_view.setCenterOnScroll(True)  # a passage at the very end can be centred too
        self.text_view.setAccessibleName("Document text")
        self.text_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont))
        self._text_zoom = 0  # steps of the text's font size away from the normal one
        self.stack = QStackedWidget()
        self.stack.addWidget(self.text_view)
        self.stack.addWidget(self.pdf_view)

        self.previous_button = _button("‹ Previous", "Previous page", self._previous_page)
        self.next_button = _button("Next ›", "Next page", self._next_page)
        self.page_label = QLabel()
        self.page_label.setAccessibleName("Page")
        self.zoom_out_button = _button("−", "Zoom out", lambda: self._zoom(-1))
        self.zoom_in_button = _button("+", "Zoom in", lambda: self._zoom(+1))
        self.fit_button = _button("Fit width", "Fit the page to the width", lambda: self._zoom(0))
        self.fit_button.setCheckable(True)
        for button in (self.zoom_out_button, self.zoom_in_button):
            button.setFixedWidth(button.sizeHint().height() * 2)
        controls = QHBoxLayout()
        for widget in (self.previous_button, self.page_label, self.next_button):
            controls.addWidget(widget)
        controls.addStretch(1)
        for widget in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            controls.addWidget(widget)
        self.pdf_view.page_changed.connect(lambda _page: self._show_page_controls())
        self.pdf_view.zoom_changed.connect(self._show_page_controls)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.title)
        layout.addLayout(controls)
        layout.addWidget(self.message)
        layout.addWidget(self.stack, 1)

        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._on_text)
        self.runner.failed.connect(self._fail)
        self._record = Citation(0, "", None, 0, 0, "")
        self.passage_range: tuple[int, int] | None = None  # Python offsets of the shown passage
        self._show_page_controls()

    # Opening -----------------------------------------------------------------------------
    def open_citation(self, record: Citation) -> None:
        """Show the cited passage of ``record``."""
        self._record = record
        self.passage_range = None
        self.runner.cancel()
        path = Path(record.source)
        page = record.page
        self.title.setText(path.name + (f", page {page}" if page else ""))
        self.title.setToolTip(str(path))
        self._say("")
        if not path.is_file():
            self._fail(
                f"“{path.name}” is no longer at {path.parent}; it was moved or deleted, "
                "so put it back or index its collection again."
            )
            return
        if path.suffix.lower() == ".pdf":
            self._open_pdf(path, int(page or 1), record.text)
        else:
            self.pdf.close()
            self.pdf_view.relayout()
            self.text_view.setPlainText("Opening…")
            self.stack.setCurrentWidget(self.text_view)
            self._show_page_controls()
            self.runner.start(self._reader.read_source, path, record.start, record.end, record.text)

    def _open_pdf(self, path: Path, page: int, passage: str) -> None:
        self.pdf_view.set_highlight(None)
        self.pdf.close()
        if self.pdf.load(str(path)) != QPdfDocument.Error.None_:
            self._fail(
                f"“{path.name}” cannot be shown because the PDF is damaged or locked by "
                "a password; open it in your PDF reader instead."
            )
            return
        self.stack.setCurrentWidget(self.pdf_view)
        self.pdf_view.relayout()
        index = min(max(page, 1), self.pdf.pageCount()) - 1
        rects = self._passage_rects(index, passage)
        if rects:
            self.pdf_view.set_highlight(index, rects)
            box = QRectF()
            for rect in rects:
                box = box.united(rect)
            self.pdf_view.center_on(index, box)
        else:
            self.pdf_view.go_to_page(index)
            self._say("The passage could not be found on this page; it is shown from the top.")
        self._show_page_controls()
        self.shown.emit()

    def _passage_rects(self, index: int, passage: str) -> list[QRectF]:
        """The passage's lines on page ``index``, in PDF points, from the page's text layer."""
        text = self.pdf.getAllText(index).text()
        found = find_in_page(text, passage)
        if found is None:
            return []
        start, end = _utf16(text, found[0]), _utf16(text, found[1])
        selection = self.pdf.getSelectionAtIndex(index, start, end - start)
        return [polygon.boundingRect() for polygon in selection.bounds()]

    def _on_text(self, source: object) -> None:
        assert isinstance(source, SourceText)
        text, found = source.text, source.span
        self.text_view.setPlainText(text)
        self.stack.setCurrentWidget(self.text_view)
        if found is None:
            self._say(
                "This file has changed since it was indexed and the passage is no longer in "
                "it; index its collection again."
            )
        else:
            self._select(text, *found)
        self.shown.emit()

    def _select(self, text: str, start: int, end: int) -> None:
        self.passage_range = (start, end)
        document = self.text_view.document()
        # Centre the middle of the passage first; selecting it then scrolls no further
        # unless the passage is taller than half the view.
        middle = QTextCursor(document)
        middle.setPosition(_utf16(text, (start + end) // 2))
        self.text_view.setTextCursor(middle)
        self.text_view.centerCursor()
        cursor = QTextCursor(document)
        cursor.setPosition(_utf16(text, start))
        cursor.setPosition(_utf16(text, end), QTextCursor.MoveMode.KeepAnchor)
        mark = QTextEdit.ExtraSelection()
        mark.cursor = cursor  # type: ignore[attr-defined]
        fmt = QTextCharFormat()
        fmt.setBackground(PASSAGE_BACKGROUND)
        fmt.setForeground(PASSAGE_TEXT)
        mark.format = fmt  # type: ignore[attr-defined]
        self.text_view.setExtraSelections([mark])
        self.text_view.setTextCursor(cursor)

    # Pages and zoom ----------------------------------------------------------------------
    def _is_pdf(self) -> bool:
        return self.stack.currentWidget() is self.pdf_view and self.pdf_view.page_count() > 0

    def _previous_page(self) -> None:
        self.pdf_view.go_to_page(self.pdf_view.current_page() - 1)

    def _next_page(self) -> None:
        self.pdf_view.go_to_page(self.pdf_view.current_page() + 1)

    def _zoom(self, step: int) -> None:
        """One step in (+1) or out (-1), or back to the page's width (0)."""
        if self._is_pdf():
            if step == 0:
                self.pdf_view.set_zoom(None)
            else:
                (self.pdf_view.zoom_in if step > 0 else self.pdf_view.zoom_out)()
        else:
            wanted = 0 if step == 0 else max(-4, min(8, self._text_zoom + step))
            self.text_view.zoomIn(wanted - self._text_zoom)
            self._text_zoom = wanted
            self.text_view.centerCursor()
        self._show_page_controls()

    def _show_page_controls(self) -> None:
        pdf = self._is_pdf()
        for widget in (self.previous_button, self.page_label, self.next_button):
            widget.setVisible(pdf)
        count, page = self.pdf_view.page_count(), self.current_page()
        self.page_label.setText(f"Page {page} of {count}" if pdf else "")
        self.previous_button.setEnabled(pdf and page > 1)
        self.next_button.setEnabled(pdf and page < count)
        self.fit_button.setText("Fit width" if pdf else "Normal size")
        self.fit_button.setChecked(self.pdf_view.fits_width() if pdf else self._text_zoom == 0)

    # Saying what went wrong --------------------------------------------------------------
    def _fail(self, message: str) -> None:
        self.pdf_view.set_highlight(None)
        self.pdf.close()
        self.pdf_view.relayout()
        self.text_view.clear()
        self.text_view.setExtraSelections([])
        self.stack.setCurrentWidget(self.text_view)
        self._show_page_controls()
        self._say(message)
        self.shown.emit()

    def _say(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(bool(message))

    # What is on screen (for tests and the screenshots) -----------------------------------
    def current_page(self) -> int:
        """The PDF page on screen, counted from 1 like citations."""
        return self.pdf_view.current_page() + 1

    def highlighted_pdf_page(self) -> int | None:
        """The page (from 1) whose passage is highlighted, or None."""
        page = self.pdf_view.highlighted_page()
        return None if page is None else page + 1


def _button(text: str, name: str, slot: Any) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setToolTip(name)
    button.clicked.connect(slot)
    return button
