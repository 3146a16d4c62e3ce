"""Painters for two cells: the coloured “will it run?” pill and a download's progress bar."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
)

_Index = QModelIndex | QPersistentModelIndex
# PySide6 6.12 on Python 3.11 drops a reference to None each time Python code gets None back
# through QModelIndex.data() or calls initStyleOption(); enough repaints then crash the app
# ("deallocating None"). So painters ask the Python model directly (_value) and draw the
# item's background from the option the view prepared, never calling initStyleOption.
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 3  # 0..1000, or -1 for "busy"
SECOND_LINE_ROLE = Qt.ItemDataRole.UserRole + 4  # smaller, dimmer text under the cell's text

# (light background, light text, dark background, dark text) per verdict
PILL_COLORS = {
    "Fits": ("#dcf5e3", "#17612f", "#1d4a2b", "#9fe3b5"),
    "Slow": ("#fff0cf", "#7a4d00", "#4d3a12", "#ffd37a"),
    "Won't fit": ("#fde0dc", "#8a1c12", "#5a1d17", "#ffb0a6"),
}


def _value(index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    model = index.model()
    return model.data(index, role) if model is not None and index.isValid() else None


def _background(painter: QPainter, option: QStyleOptionViewItem) -> None:
    """Selection and alternating-row background, as the view would draw it."""
    style = option.widget.style() if option.widget else QApplication.style()
    style.drawPrimitive(
        QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget
    )


def pill_colors(verdict: str, dark: bool) -> tuple[QColor, QColor]:
    light_bg, light_fg, dark_bg, dark_fg = PILL_COLORS[verdict]
    return (QColor(dark_bg), QColor(dark_fg)) if dark else (QColor(light_bg), QColor(light_fg))


class PillDelegate(QStyledItemDelegate):
    """Draws the cell's text as a rounded, coloured label."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        text = str(_value(index) or "")
        _background(painter, option)
        if text not in PILL_COLORS:  # e.g. "Checking…", "Adapter": plain text, no pill
            selected = bool(option.state & QStyle.StateFlag.State_Selected)
            role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
            painter.save()
            painter.setPen(option.palette.color(role))
            painter.drawText(option.rect.adjusted(8, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter, text)
            painter.restore()
            return
        dark = option.palette.color(QPalette.ColorRole.Base).lightness() < 128
        bg, fg = pill_colors(text, dark)
        metrics = option.fontMetrics
        width = metrics.horizontalAdvance(text) + 20
        height = metrics.height() + 6
        rect = QRect(0, 0, width, height)
        rect.moveCenter(option.rect.center())
        rect.moveLeft(option.rect.left() + 8)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(bg)
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(fg)
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        text = str(_value(index) or "")
        return QSize(
            option.fontMetrics.horizontalAdvance(text) + 40, option.fontMetrics.height() + 16
        )


class ProgressDelegate(QStyledItemDelegate):
    """A progress bar from PROGRESS_ROLE, with the cell's text on it."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        value = _value(index, PROGRESS_ROLE)
        if not isinstance(value, int):
            super().paint(painter, option, index)
            return
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(4, 5, -4, -5)
        bar.palette = option.palette
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        bar.minimum, bar.maximum = (0, 0) if value < 0 else (0, 1000)
        bar.progress = max(0, int(value))
        bar.text = str(_value(index) or "")
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, option.widget)


class TwoLineDelegate(QStyledItemDelegate):
    """The cell's text in bold with SECOND_LINE_ROLE under it, elided to the cell's width."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        title = str(_value(index) or "")
        second = str(_value(index, SECOND_LINE_ROLE) or "")
        _background(painter, option)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorGroup.Normal
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        dim_role = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        rect = option.rect.adjusted(8, 5, -8, -5)
        half = rect.height() // 2
        painter.save()
        font = QFont(option.font)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(option.palette.color(group, text_role))
        top = QRect(rect.left(), rect.top(), rect.width(), half)
        painter.drawText(top, Qt.AlignmentFlag.AlignVCenter, QFontMetrics(font).elidedText(
            title, Qt.TextElideMode.ElideRight, rect.width()))  # fmt: skip
        painter.setFont(option.font)
        painter.setPen(option.palette.color(group, dim_role))
        bottom = QRect(rect.left(), rect.top() + half, rect.width(), rect.height() - half)
        painter.drawText(bottom, Qt.AlignmentFlag.AlignVCenter, option.fontMetrics.elidedText(
            second, Qt.TextElideMode.ElideRight, rect.width()))  # fmt: skip
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        height = option.fontMetrics.height()
        return QSize(320, 2 * height + 16)
