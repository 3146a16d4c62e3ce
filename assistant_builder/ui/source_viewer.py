"""The source viewer: opens a cited passage inside the app, at the cited place.

A PDF opens at its page in QtPdf with the passage highlighted; any other document is shown as
the text the knowledge core read from it (the same loaders, so a citation's start and end land
exactly) with the passage selected and scrolled into view. That text is read in the knowledge
process by the isolated parsers indexing uses, off the GUI thread: a hostile file costs a
sentence, never the window.

The main window connects the chat page's ``citation_requested(dict)`` signal to
``SourceViewer.open_citation``; a record is a citation as answers keep it:
``{"source": path, "page": int | None, "start": int, "end": int, "text": str}``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QColor, QFontDatabase, QTextCharFormat, QTextCursor
from PySide6.QtPdf import QPdfDocument, QPdfSearchModel
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.knowledge.process import KnowledgeProcess
from assistant_builder.core.knowledge.source_text import SourceText
from assistant_builder.ui.workers import TaskRunner

PASSAGE_BACKGROUND = QColor("#ffe066")
PASSAGE_TEXT = QColor("#1c1d20")


def search_phrases(passage: str) -> list[str]:
    """Phrases to find the passage on its PDF page, longest first. PDFium matches a space
    across a line break, so the whole passage usually matches; when the PDF's text layer
    differs from the indexed text (hyphens, ligatures), a shorter opening still finds it."""
    words = re.sub(r"\s+", " ", passage).strip().split(" ")
    lengths = [len(words), 40, 16, 8, 4, 2]
    phrases = [" ".join(words[:n]) for n in lengths if 0 < n <= len(words)]
    return [p for i, p in enumerate(phrases) if p and p not in phrases[:i]]


def _utf16(text: str, offset: int) -> int:
    """Qt counts positions in UTF-16 code units; Python in code points."""
    return len(text[:offset].encode("utf-16-le")) // 2


class SourceViewer(QWidget):
    shown = Signal()  # a citation is on screen (or the sentence saying why it cannot be)

    def __init__(self, knowledge: KnowledgeProcess, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._knowledge = knowledge
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
        self.search = QPdfSearchModel(self)
        self.search.setDocument(self.pdf)
        self.pdf_view = QPdfView()
        self.pdf_view.setAccessibleName("PDF page")
        self.pdf_view.setDocument(self.pdf)
        self.pdf_view.setSearchModel(self.search)
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.text_view = QPlainTextEdit()
        self.text_view.setReadOnly(True)
        self.text_view.setAccessibleName("Document text")
        self.text_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.text_view)
        self.stack.addWidget(self.pdf_view)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addWidget(self.stack, 1)

        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._on_text)
        self.runner.failed.connect(self._fail)
        self._record: dict[str, Any] = {}
        self.passage_range: tuple[int, int] | None = None  # Python offsets of the shown passage

    # Opening -----------------------------------------------------------------------------
    def open_citation(self, record: dict[str, Any]) -> None:
        """Show the cited passage of ``record`` (source, page, start, end, text)."""
        self._record = record
        self.passage_range = None
        self.runner.cancel()
        path = Path(str(record.get("source", "")))
        page = record.get("page")
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
            self._open_pdf(path, int(page or 1), str(record.get("text", "")))
        else:
            self.text_view.setPlainText("Opening…")
            self.stack.setCurrentWidget(self.text_view)
            self.runner.start(
                self._knowledge.read_source,
                path,
                int(record.get("start", 0)),
                int(record.get("end", 0)),
                str(record.get("text", "")),
            )

    def _open_pdf(self, path: Path, page: int, passage: str) -> None:
        self.search.setSearchString("")
        self.pdf.close()
        if self.pdf.load(str(path)) != QPdfDocument.Error.None_:
            self._fail(
                f"“{path.name}” cannot be shown because the PDF is damaged or locked by "
                "a password; open it in your PDF reader instead."
            )
            return
        self.stack.setCurrentWidget(self.pdf_view)
        index = min(max(page, 1), self.pdf.pageCount()) - 1
        self.pdf_view.pageNavigator().jump(index, QPointF(), 0)
        if not self._highlight_on_page(index, passage):
            self._say("The passage could not be found on this page; it is shown from the top.")
        self.shown.emit()

    def _highlight_on_page(self, index: int, passage: str) -> bool:
        for phrase in search_phrases(passage):
            self.search.setSearchString(phrase)
            if self.search.resultsOnPage(index):  # searches this page now, not in the background
                for i in range(self.search.count()):
                    if self.search.resultAtIndex(i).page() == index:
                        self.pdf_view.setCurrentSearchResultIndex(i)
                        return True
        self.search.setSearchString("")
        return False

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
        cursor = QTextCursor(self.text_view.document())
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
        self.text_view.centerCursor()

    # Saying what went wrong --------------------------------------------------------------
    def _fail(self, message: str) -> None:
        self.pdf.close()
        self.text_view.clear()
        self.text_view.setExtraSelections([])
        self.stack.setCurrentWidget(self.text_view)
        self._say(message)
        self.shown.emit()

    def _say(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(bool(message))

    # What is on screen (for tests and the screenshots) -----------------------------------
    def current_page(self) -> int:
        """The PDF page on screen, counted from 1 like citations."""
        return self.pdf_view.pageNavigator().currentPage() + 1

    def highlighted_pdf_page(self) -> int | None:
        """The page (from 1) whose passage is highlighted, or None."""
        i = self.pdf_view.currentSearchResultIndex()
        if i < 0 or not self.search.searchString():
            return None
        return self.search.resultAtIndex(i).page() + 1
