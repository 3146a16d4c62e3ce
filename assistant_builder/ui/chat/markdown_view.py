"""A piece of markdown as the transcript shows it: read by Qt's importer with raw HTML off (a
tag a model copied from its prompt or a person typed is shown as written), drawn from the
document it makes, with links underlined and the app's attribution marks styled in place in
the theme's colours."""

from __future__ import annotations

import math
import re

from PySide6.QtCore import QEvent
from PySide6.QtGui import QPalette, QTextCharFormat, QTextCursor, QTextDocument, QTextFormat
from PySide6.QtWidgets import QWidget

from assistant_builder.core.app import sentinel_places
from assistant_builder.core.records import MarkKind
from assistant_builder.ui.chat.text_view import TextView
from assistant_builder.ui.theme import color as theme_color

# GitHub's dialect (tables, task lists, strikethrough) with raw HTML read as plain text.
MARKDOWN = (
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub
    | QTextDocument.MarkdownFeature.MarkdownNoHTML
)
NOT_FOUND = "not found in your documents"
# Text that, added to the end of a paragraph, means nothing to markdown: letters, digits,
# spaces and the punctuation of prose (no emphasis, code, link, HTML, escape or table mark).
_PLAIN = re.compile(r"(?:[^\W_]|[ ,.;:!?'\"’‘“”—–…-])*")
# A last line that already began as a paragraph, list item or heading: a word, a space and
# more (what a line's first word and its space make of it is decided by then).
_LINE_BEGUN = re.compile(r"[ ]{0,3}\S+ +\S")
# What markdown makes a link of once its address goes on (www.x.org, https://…, a@b.org).
_ADDRESS = re.compile(r"www\.|://|@", re.IGNORECASE)


def _mark_pieces(kind: MarkKind, n: int, palette: QPalette) -> list[tuple[str, QTextCharFormat]]:
    """A mark's text and styles, in the colours of ``palette`` (labels re-render when the
    theme changes it)."""
    style = QTextCharFormat()
    if kind == "source":
        style.setForeground(palette.color(QPalette.ColorRole.Link))
        style.setFontWeight(600)
        return [("\u202f", QTextCharFormat()), (f"[{n}]", style)]
    if kind == "doubtful":
        style.setForeground(theme_color("doubtful"))
        style.setFontStrikeOut(True)
        return [(f"[{n}]", style)]
    style.setForeground(palette.color(QPalette.ColorRole.PlaceholderText))
    style.setProperty(QTextFormat.Property.FontSizeAdjustment, -1)  # CSS "small"
    return [(f" ({NOT_FOUND})", style)]


def _write_marks(document: QTextDocument, palette: QPalette) -> None:
    """Each mark's placeholder replaced by the mark, styled over the text around it."""
    for start, end, kind, n in reversed(sentinel_places(document.toRawText())):
        cursor = QTextCursor(document)
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        around = cursor.charFormat()
        cursor.removeSelectedText()
        for text, style in _mark_pieces(kind, n, palette):
            shown = QTextCharFormat(around)
            shown.merge(style)
            cursor.insertText(text, shown)


def _underline_links(document: QTextDocument) -> None:
    """Links underlined, as Qt's HTML shows them (its markdown importer only colours them)."""
    spans = []
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().isAnchor():
                spans.append((fragment.position(), fragment.position() + fragment.length()))
            it += 1
        block = block.next()
    underline = QTextCharFormat()
    underline.setFontUnderline(True)
    for start, end in spans:
        cursor = QTextCursor(document)
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(underline)


class MarkdownLabel(TextView):
    """A piece of markdown, read by Qt's importer with raw HTML off and drawn from the
    document it makes (``document``), with the attribution marks styled in place."""

    def __init__(self, markdown: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.markdown = ""
        self._end: QTextCursor | None = None  # at the end of the text, kept there by appends
        self.set_markdown(markdown)

    def set_markdown(self, markdown: str) -> bool:
        """Shows ``markdown``; True: its size changed (the layout was told)."""
        before, self.markdown = self.markdown, markdown
        added = _appended_plain(before, markdown)
        resized = None if added is None else self._append(added)
        return self._render() if resized is None else resized

    def _render(self) -> bool:
        markdown = self.markdown

        def write(document: QTextDocument) -> None:
            document.setMarkdown(markdown, MARKDOWN)
            _underline_links(document)
            _write_marks(document, self.palette())

        resized = self.fill(write)
        self._end = None
        return resized

    def _append(self, added: str) -> bool | None:
        """``added`` written at the end of the text as it is (what a streaming answer's next
        words mostly are) instead of the whole paragraph read again, and whether its size
        changed: None where the text ends in a link, whose address the words would wrongly
        join, or in a line that may not be broken (its least width would change)."""
        end = self._end
        if end is None:
            end = QTextCursor(self.document)
            end.movePosition(QTextCursor.MoveOperation.End)
        if end.charFormat().isAnchor() or end.blockFormat().nonBreakableLines():
            return None
        resized = False
        if added:
            top = self._last_line_top()
            write = lambda _document: end.insertText(added)  # noqa: E731
            resized = self.fill(write, changed_from=top, grown=True)
        self._end = end
        return resized

    def _last_line_top(self) -> int:
        """Where the last line is drawn: the lines above it stay as they are."""
        block = self.document.lastBlock()
        lines = block.layout().lineCount()
        if not lines or self.document.textWidth() != self.width():
            return 0  # not laid out at the width it is shown at: all of it is drawn
        top = self.document.documentLayout().blockBoundingRect(block).top()
        return max(0, math.floor(top + block.layout().lineAt(lines - 1).y()))

    def changeEvent(self, event: QEvent) -> None:
        # Another theme: the marks' colours are in the document, so write it again (the
        # transcript's style sheet makes a theme arrive as the label's own PaletteChange).
        changes = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if event.type() in changes and self.markdown:
            self._render()
        super().changeEvent(event)


def _appended_plain(before: str, after: str) -> str | None:
    """What to add to the text ``before`` was shown as, so that it shows ``after`` as
    markdown would (None: read it again). Markdown drops a paragraph's trailing spaces, so
    those are written only once words follow them; only plain words (``_PLAIN``) added to a
    last line that has begun (``_LINE_BEGUN``) and that ends in plain text are safe: anything
    else may make the line a list, a heading, a link or emphasis."""
    if not before or not after.startswith(before):
        return None
    shown, now = before.rstrip(" "), after.rstrip(" ")
    line = shown.rsplit("\n", 1)[-1]
    added = now[len(shown) :]
    if not shown or not _LINE_BEGUN.match(line) or not _PLAIN.fullmatch(shown[-1] + added):
        return None
    if _ADDRESS.search(line + added):  # the rest of an address may make it a link
        return None
    if not line.strip(" -"):  # dashes and spaces may yet be a ruled line ("- - -")
        return None
    return added
