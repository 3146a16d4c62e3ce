"""A piece of markdown as the transcript shows it: read by Qt's importer with raw HTML off (a
tag a model copied from its prompt or a person typed is shown as written), drawn from the
document it makes, with links underlined and the app's attribution marks styled in place in
the theme's colours."""

from __future__ import annotations

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
        self.set_markdown(markdown)

    def set_markdown(self, markdown: str) -> None:
        self.markdown = markdown

        def write(document: QTextDocument) -> None:
            document.setMarkdown(markdown, MARKDOWN)
            _underline_links(document)
            _write_marks(document, self.palette())

        self.fill(write)

    def changeEvent(self, event: QEvent) -> None:
        # Another theme: the marks' colours are in the document, so write it again (the
        # transcript's style sheet makes a theme arrive as the label's own PaletteChange).
        changes = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if event.type() in changes and self.markdown:
            self.set_markdown(self.markdown)
        super().changeEvent(event)
