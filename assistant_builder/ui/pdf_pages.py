"""A PDF's pages one below the other, with a cited passage filled like a highlighter stroke.

The view lays the pages out itself (QPdfView keeps its page positions private and only
outlines a search result), so it knows where every passage rectangle is on screen: it can
centre the passage and paint it. Pages are rendered when they come into view, a few kept."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

# Multiplied onto the page: white paper turns yellow, black letters stay black, on either
# theme (pages are paper-white in both).
HIGHLIGHT = QColor("#ffd23f")
PAPER = QColor("white")
MARGIN = 12  # around the pages, in pixels
SPACING = 12  # between pages
ZOOM_STEP = 1.25
ZOOM_RANGE = (0.25, 6.0)  # pixels per point
_CACHED_PAGES = 6


class PdfPagesView(QAbstractScrollArea):
    page_changed = Signal(int)  # the page at the middle of the view (from 0)
    zoom_changed = Signal()

    """Call ``relayout`` after the document was loaded or closed."""

    def __init__(self, document: QPdfDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._zoom: float | None = None  # pixels per point; None: the pages fit the width
        self._tops: list[float] = []  # each page's top, in pixels from the document's top
        self._height = 0.0
        self._highlight: tuple[int, list[QRectF]] | None = None  # page, rectangles in points
        self._cache: dict[tuple[int, int], QImage] = {}
        self._page = -1
        # Where the view was sent (a page, and a passage on it to centre): kept until the
        # person scrolls, so a resize (the window opening) puts it back in place.
        self._target: tuple[int, QRectF | None] | None = None
        self._placing = False
        # Always there, so fitting the width never toggles it and lays the pages out again.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.horizontalScrollBar().valueChanged.connect(lambda _v: self.viewport().update())

    # Layout ------------------------------------------------------------------------------
    def page_count(self) -> int:
        ready = self.document.status() == QPdfDocument.Status.Ready
        return self.document.pageCount() if ready else 0

    def scale(self) -> float:
        """Pixels per PDF point at the current zoom."""
        if self._zoom is not None:
            return self._zoom
        widest = max((self.document.pagePointSize(i).width() for i in range(self.page_count())),
                     default=612.0)  # fmt: skip
        return max(ZOOM_RANGE[0], (self.viewport().width() - 2 * MARGIN) / max(widest, 1.0))

    def page_rect(self, page: int) -> QRectF:
        """Where ``page`` is, in pixels of the whole document (not the scrolled view)."""
        size = self.document.pagePointSize(page) * self.scale()
        width = max(self._content_width(), self.viewport().width())
        return QRectF((width - size.width()) / 2, self._tops[page], size.width(), size.height())

    def _content_width(self) -> float:
        widest = max((self.document.pagePointSize(i).width() for i in range(self.page_count())),
                     default=0.0)  # fmt: skip
        return widest * self.scale() + 2 * MARGIN

    def relayout(self) -> None:
        self._placing = True  # a new scroll range is not the person scrolling
        try:
            self._relayout()
        finally:
            self._placing = False
        if self._target is not None:
            self._place()
        self._note_page()

    def _relayout(self) -> None:
        scale, top = self.scale(), float(MARGIN)
        self._tops = []
        for i in range(self.page_count()):
            self._tops.append(top)
            top += self.document.pagePointSize(i).height() * scale + SPACING
        self._height = top - SPACING + MARGIN if self._tops else 0.0
        bar = self.verticalScrollBar()
        bar.setPageStep(self.viewport().height())
        bar.setSingleStep(40)
        bar.setRange(0, max(0, int(self._height) - self.viewport().height()))
        hbar = self.horizontalScrollBar()
        hbar.setPageStep(self.viewport().width())
        hbar.setRange(0, max(0, int(self._content_width()) - self.viewport().width()))
        self.viewport().update()

    # Navigation --------------------------------------------------------------------------
    def current_page(self) -> int:
        """The page at the middle of the view (from 0), or -1 without a document."""
        middle = self.verticalScrollBar().value() + self.viewport().height() / 2
        page = -1
        for i, top in enumerate(self._tops):
            if top - SPACING <= middle:
                page = i
        return page

    def go_to_page(self, page: int) -> None:
        """Show ``page`` from its top."""
        if 0 <= page < len(self._tops):
            self._target = (page, None)
            self._place()

    def center_on(self, page: int, points: QRectF) -> None:
        """Scroll so that ``points`` (a rectangle on ``page``, in PDF points) is in the middle."""
        if 0 <= page < len(self._tops):
            self._target = (page, QRectF(points))
            self._place()

    def _place(self) -> None:
        assert self._target is not None
        page, points = self._target
        if page >= len(self._tops):
            return
        self._placing = True
        try:
            if points is None:
                self.verticalScrollBar().setValue(int(self._tops[page] - MARGIN))
                return
            middle = self._on_page(page, points).center()
            self.verticalScrollBar().setValue(int(middle.y() - self.viewport().height() / 2))
            self.horizontalScrollBar().setValue(int(middle.x() - self.viewport().width() / 2))
        finally:
            self._placing = False

    def set_zoom(self, zoom: float | None) -> None:
        """``zoom`` pixels per point, or None to fit the width; the middle of the view stays."""
        if self._target is None:
            page = max(self.current_page(), 0)
            if page < len(self._tops):
                middle = self.verticalScrollBar().value() + self.viewport().height() / 2
                down = (middle - self._tops[page]) / self.scale()  # points down the page
                width = self.document.pagePointSize(page).width()
                self._target = (page, QRectF(0, down, width, 0))
        self._zoom = None if zoom is None else min(max(zoom, ZOOM_RANGE[0]), ZOOM_RANGE[1])
        self._cache.clear()
        self.relayout()
        self.zoom_changed.emit()

    def zoom_in(self) -> None:
        self.set_zoom(self.scale() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.scale() / ZOOM_STEP)

    def fits_width(self) -> bool:
        return self._zoom is None

    # The passage -------------------------------------------------------------------------
    def set_highlight(self, page: int | None, rects: Sequence[QRectF] = ()) -> None:
        self._highlight = (page, list(rects)) if page is not None and rects else None
        self.viewport().update()

    def highlighted_page(self) -> int | None:
        return self._highlight[0] if self._highlight else None

    def highlight_on_screen(self) -> QRectF | None:
        """The passage's bounding box in the view's pixels, or None."""
        if self._highlight is None:
            return None
        page, rects = self._highlight
        box = QRectF()
        for rect in rects:
            box = box.united(self._on_page(page, rect))
        return box.translated(-self._offset())

    # Painting ----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        # Around the pages: a little darker than the window, in either theme.
        painter.fillRect(event.rect(), self.palette().color(QPalette.ColorRole.Window).darker(125))
        offset = self._offset()
        visible = QRectF(self.viewport().rect()).translated(offset)
        for page in range(len(self._tops)):
            rect = self.page_rect(page)
            if not rect.intersects(visible):
                continue
            target = rect.translated(-offset).toAlignedRect()
            painter.fillRect(target, PAPER)  # pages render onto transparency
            painter.drawImage(target, self._rendered(page, target.size()))
            if self._highlight and self._highlight[0] == page:
                painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
                for mark in self._highlight[1]:
                    painter.fillRect(self._on_page(page, mark).translated(-offset), HIGHLIGHT)
                painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        painter.end()

    def _rendered(self, page: int, size: QSize) -> QImage:
        ratio = self.devicePixelRatioF()
        key = (page, size.width())
        if key not in self._cache:
            if len(self._cache) >= _CACHED_PAGES:
                self._cache.pop(next(iter(self._cache)))
            image = self.document.render(page, size * ratio)
            image.setDevicePixelRatio(ratio)
            self._cache[key] = image
        return self._cache[key]

    def _on_page(self, page: int, points: QRectF) -> QRectF:
        """A rectangle in PDF points on ``page`` (from its top left) in document pixels."""
        origin, scale = self.page_rect(page).topLeft(), self.scale()
        pad = 2.0  # a little beyond the letters, as a highlighter stroke is
        return QRectF(
            origin.x() + points.x() * scale - pad,
            origin.y() + points.y() * scale - pad,
            points.width() * scale + 2 * pad,
            points.height() * scale + 2 * pad,
        )

    def _offset(self) -> QPointF:
        return QPointF(self.horizontalScrollBar().value(), self.verticalScrollBar().value())

    # Events ------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._zoom is None:
            self._cache.clear()
        self.relayout()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            (self.zoom_in if event.angleDelta().y() > 0 else self.zoom_out)()
            event.accept()
        else:
            super().wheelEvent(event)

    def _scrolled(self, _value: int) -> None:
        if not self._placing:
            self._target = None
        self.viewport().update()
        self._note_page()

    def _note_page(self) -> None:
        page = self.current_page()
        if page != self._page:
            self._page = page
            self.page_changed.emit(page)
