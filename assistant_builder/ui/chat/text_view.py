"""A QTextDocument drawn by a widget of its own, laid out once per change and per width, with
its text selectable by the mouse and copyable (Ctrl+C, the context menu) as a label's is.

A word-wrapped QLabel given the same document as HTML parsed it again on every change and laid
the growing paragraph out four times (its size hints at no width, every width, the least width
and the width it had): while an answer streamed, that text layout was ~2 ms of the window's
CPU per token, taken from the model on a 2-core machine."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QEvent, QMimeData, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QContextMenuEvent,
    QFocusEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QMenu, QSizePolicy, QWidget

_KEEP = QTextCursor.MoveMode.KeepAnchor
# Changes after which the text is drawn in other colours.
_REPAINTED = (
    QEvent.Type.PaletteChange,
    QEvent.Type.ApplicationPaletteChange,
    QEvent.Type.StyleChange,
    QEvent.Type.EnabledChange,
)


class TextView(QWidget):
    """Shows ``document`` (fill it through ``fill``). ``relayouts`` counts how often its
    text was laid out again at another width (a change lays it out once at the width it has)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = QTextDocument(self)
        self.document.setUndoRedoEnabled(False)
        self.document.setDocumentMargin(0)
        option = self.document.defaultTextOption()
        # A word longer than the window is broken rather than cut off at its edge.
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.document.setDefaultTextOption(option)
        self.document.setDefaultFont(self.font())
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setCursor(Qt.CursorShape.IBeamCursor)
        self._cursor = QTextCursor(self.document)
        self._heights: dict[int, int] = {}  # height for each width asked since the change
        self._least_width: int | None = None
        self._selecting = False
        self._painting: QAbstractTextDocumentLayout.PaintContext | None = None
        self.relayouts = 0

    # The content ------------------------------------------------------------------------
    def fill(
        self, write: Callable[[QTextDocument], None], *, changed_from: int = 0, grown: bool = False
    ) -> bool:
        """Rewrites the document with ``write``; a selection is kept where it still fits.
        ``changed_from``: the height above which nothing changed (what is redrawn is below);
        ``grown``: words were only added to the end of lines that wrap (the least width the
        text needs is the same). True: its size changed, and the layout was told."""
        anchor, position = self._cursor.anchor(), self._cursor.position()
        width = self.width()
        # The height it is shown at, if the layout asked for it since the last change.
        shown = self._heights.get(width) if self.isVisible() and width > 0 else None
        least = self._least_width
        write(self.document)
        end = self.document.characterCount() - 1
        self._cursor = QTextCursor(self.document)
        self._cursor.setPosition(min(anchor, end))
        self._cursor.setPosition(min(position, end), _KEEP)
        self._heights.clear()
        if not grown:
            self._least_width = None
        # What a screen reader reads (a QLabel's interface gave its text the same way).
        self.setAccessibleDescription(self.text())
        # Words added to the line a streaming answer is on leave its size as it was: then the
        # window is not laid out again, only this text repainted (the layout passing up the
        # window's widgets 20 times a second was most of the transcript's CPU per token).
        resized = shown is None or self.heightForWidth(width) != shown
        resized = resized or self.minimumSizeHint().width() != (least or 0)
        if resized:
            self.updateGeometry()
        self.update(0, changed_from, self.width(), max(0, self.height() - changed_from))
        return resized

    def set_plain_text(self, text: str) -> bool:
        return self.fill(lambda document: document.setPlainText(text))

    def text(self) -> str:
        """The text shown, as a person would copy it."""
        return self.document.toPlainText()

    def selected_text(self) -> str:
        return self._cursor.selection().toPlainText()

    # Size (the size policy says the height depends on the width) ------------------------
    def heightForWidth(self, width: int) -> int:
        height = self._heights.get(width)
        if height is None:
            self._lay_out(width)
            height = self._heights[width] = math.ceil(self.document.size().height())
        return height

    def sizeHint(self) -> QSize:
        # At the width the text is laid out at, so that asking costs no layout.
        width = int(self.document.textWidth())
        return QSize(width, self.heightForWidth(width)) if width > 0 else QSize(400, 0)

    def minimumSizeHint(self) -> QSize:
        if self._least_width is None:
            # Text wraps at any width; only a table (or a line that may not break) has a
            # least width of its own, and only then is it worth a layout to find it.
            self._least_width = 0
            if self.document.rootFrame().childFrames() or _unbreakable(self.document):
                self._lay_out(0)
                self._least_width = math.ceil(self.document.idealWidth())
        return QSize(self._least_width, self.fontMetrics().height())

    def _lay_out(self, width: int) -> None:
        if self.document.textWidth() != width:
            self.document.setTextWidth(width)
            self.relayouts += 1

    # Drawing ----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        self._lay_out(self.width())
        if self._painting is None:  # kept until the palette changes (drawn on every repaint)
            palette = self.palette()
            # Drawn in the window's text colour, as a label is.
            palette.setColor(QPalette.ColorRole.Text, palette.color(self.foregroundRole()))
            self._painting = QAbstractTextDocumentLayout.PaintContext()
            self._painting.palette = palette
        context = self._painting
        context.clip = QRectF(event.rect())
        context.selections = []
        if self._cursor.hasSelection():
            group = QPalette.ColorGroup.Active if self.hasFocus() else QPalette.ColorGroup.Inactive
            selection = QAbstractTextDocumentLayout.Selection()
            selection.cursor = self._cursor
            shown = QTextCharFormat()
            shown.setBackground(context.palette.brush(group, QPalette.ColorRole.Highlight))
            shown.setForeground(context.palette.brush(group, QPalette.ColorRole.HighlightedText))
            selection.format = shown
            context.selections = [selection]
        painter = QPainter(self)
        painter.setClipRect(event.rect())
        self.document.documentLayout().draw(painter, context)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in _REPAINTED:
            self._painting = None
        if event.type() == QEvent.Type.FontChange:
            self.document.setDefaultFont(self.font())
            self._heights.clear()
            self.updateGeometry()
        super().changeEvent(event)

    # Selecting and copying --------------------------------------------------------------
    def _at(self, point: QPointF) -> int:
        self._lay_out(self.width())
        hit = self.document.documentLayout().hitTest(point, Qt.HitTestAccuracy.FuzzyHit)
        return max(hit, 0)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        extend = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        mode = _KEEP if extend else QTextCursor.MoveMode.MoveAnchor
        self._cursor.setPosition(self._at(event.position()), mode)
        self._selecting = True
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._selecting and event.buttons() & Qt.MouseButton.LeftButton:
            self._cursor.setPosition(self._at(event.position()), _KEEP)
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._selecting = False

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._cursor.setPosition(self._at(event.position()))
            self._cursor.select(QTextCursor.SelectionType.WordUnderCursor)
            self.update()

    def select_all(self) -> None:
        self._cursor.select(QTextCursor.SelectionType.Document)
        self.update()

    def copy(self) -> None:
        """The selection to the clipboard, as text and as formatted text."""
        if not self._cursor.hasSelection():
            return
        fragment = self._cursor.selection()
        data = QMimeData()
        data.setText(fragment.toPlainText())
        data.setHtml(fragment.toHtml())
        QGuiApplication.clipboard().setMimeData(data)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy()
        elif event.matches(QKeySequence.StandardKey.SelectAll):
            self.select_all()
        else:
            super().keyPressEvent(event)

    def context_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.addAction("&Copy", self.copy).setEnabled(self._cursor.hasSelection())
        menu.addAction("Select All", self.select_all)
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.context_menu()
        menu.exec(event.globalPos())
        menu.deleteLater()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        # As a label: clicking elsewhere drops the selection; a menu or another window keeps it.
        keep = (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason)
        if event.reason() not in keep and self._cursor.hasSelection():
            self._cursor.clearSelection()
        self.update()
        super().focusOutEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusInEvent(event)


def _unbreakable(document: QTextDocument) -> bool:
    block = document.begin()
    while block.isValid():
        if block.blockFormat().nonBreakableLines():
            return True
        block = block.next()
    return False
