"""What a person sees of a window, measured: the contrast of text as it is painted (WCAG 2.1
relative luminance), and text or buttons that their window cuts off."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QLabel,
    QScrollArea,
    QSlider,
    QWidget,
)

from assistant_builder.ui.chat.text_view import TextView

AA = 4.5  # WCAG AA for normal text


def luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of sRGB colours (the last axis is R, G, B in 0..255)."""
    c = rgb.astype(float) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return np.asarray(linear @ np.array([0.2126, 0.7152, 0.0722]))


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = luminance(np.array([a, b]))
    return float((max(la, lb) + 0.05) / (min(la, lb) + 0.05))


def painted_contrast(shot: QImage, rect: QRect) -> float:
    """The contrast of the text painted in ``rect``: its most common colour is taken as the
    background and its most distant colour as the text (antialiased edges lie between)."""
    image = shot.copy(rect).convertToFormat(QImage.Format.Format_RGB32)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, count=image.sizeInBytes())
    pixels = data.reshape(height, image.bytesPerLine() // 4, 4)[:, :width, 2::-1].reshape(-1, 3)
    colors, counts = np.unique(pixels, axis=0, return_counts=True)
    lum = luminance(colors)
    back = lum[counts.argmax()]
    ratios = (np.maximum(lum, back) + 0.05) / (np.minimum(lum, back) + 0.05)
    return float(ratios.max())


def rect_in(widget: QWidget, top: QWidget) -> QRect:
    return QRect(widget.mapTo(top, QPoint(0, 0)), widget.size())


def readable_labels(root: QWidget) -> Iterator[QLabel | TextView]:
    """The visible labels under ``root`` that show words (the transcript's text views too)."""
    for label in [*root.findChildren(QLabel), *root.findChildren(TextView)]:
        text = _plain(label)
        if label.isVisibleTo(root.window()) and re.search(r"\w\w", text) and label.width() > 4:
            yield label


def low_contrast(shot: QImage, top: QWidget, root: QWidget) -> list[str]:
    """Each visible label under ``root`` whose painted text is below AA, with its ratio."""
    found = []
    for label in readable_labels(root):
        rect = label.contentsRect().translated(label.mapTo(top, QPoint(0, 0)))
        rect = rect.intersected(visible_rect(label, top)).intersected(shot.rect())
        if rect.width() < 4 or rect.height() < 4:
            continue
        ratio = painted_contrast(shot, rect)
        if ratio < AA:
            found.append(f"{label.text()[:40]!r} {ratio:.2f}:1")
    return found


def visible_rect(widget: QWidget, top: QWidget, *, scrolled: bool = False) -> QRect:
    """The part of ``widget`` (in ``top``'s coordinates) its ancestors leave on screen; with
    ``scrolled``, a scroll area's vertical cut does not count (scrolling brings it in)."""
    rect = rect_in(widget, top)
    parent = widget.parentWidget()
    while parent is not None and parent is not top.parentWidget():
        clip = rect_in(parent, top)
        area = parent.parentWidget()
        if scrolled and isinstance(area, QAbstractScrollArea) and parent is area.viewport():
            # Scrolled to: the widget's top at the viewport's top.
            rect.moveTop(clip.top())
            rect.setHeight(min(rect.height(), clip.height()))
        rect = rect.intersected(clip)
        if parent is top:
            break
        parent = parent.parentWidget()
    return rect


def _plain(label: QLabel | TextView) -> str:
    if isinstance(label, TextView):
        return label.text()
    return re.sub(r"<[^>]+>", " ", label.text()).replace("&nbsp;", " ")


def cut_off(root: QWidget) -> list[str]:
    """What under ``root`` a person cannot read or reach in full: labels whose text needs
    more room than they have or that their ancestors cut, squeezed help text, buttons cut by
    their window (a scroll area may hide them below; scrolling brings them), horizontal
    scroll bars, and sliders too short to use."""
    top = root.window()
    problems = []
    for label in readable_labels(root):
        text = _plain(label)
        shown = visible_rect(label, top, scrolled=True)
        room = label.contentsRect()
        if shown.width() < label.width() - 1 or shown.height() < min(label.height(), 12):
            problems.append(f"label cut by its window: {text[:50]!r}")
        elif isinstance(label, TextView) or label.wordWrap():
            words = max(text.split(), key=label.fontMetrics().horizontalAdvance, default="")
            if label.heightForWidth(label.width()) > label.height() + 1:
                problems.append(f"label taller than its room: {text[:50]!r}")
            elif label.fontMetrics().horizontalAdvance(words) > room.width() + 1:
                problems.append(f"label narrower than a word: {text[:50]!r}")
            elif len(text) > 60 and room.width() < 30 * label.fontMetrics().averageCharWidth():
                problems.append(f"help text squeezed to {room.width()} px: {text[:50]!r}")
        elif not text.rstrip().endswith("…") and label.sizeHint().width() > label.width() + 1:
            problems.append(f"label wider than its room: {text[:50]!r}")
    for button in root.findChildren(QAbstractButton):
        if not button.isVisibleTo(top) or button.width() < 2:
            continue
        if visible_rect(button, top, scrolled=True).size() != button.size():
            problems.append(f"button cut off: {button.text() or button.accessibleName()!r}")
    for area in root.findChildren(QScrollArea):
        if area.isVisibleTo(top) and area.horizontalScrollBar().isVisible():
            problems.append(f"horizontal scroll bar on {area.accessibleName() or area}")
    for slider in root.findChildren(QSlider):
        if slider.isVisibleTo(top) and slider.width() < 120:
            problems.append(f"slider only {slider.width()} px: {slider.accessibleName()!r}")
    return problems


def save(shot: QImage, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shot.save(str(folder / f"{name}.png"))
