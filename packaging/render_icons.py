"""Renders the app icon (assistant_builder/resources/icons/app.svg, the one master) into the
PNG sizes of the Linux icon theme and a Windows .ico, with Qt's own SVG renderer.

    QT_QPA_PLATFORM=offscreen python packaging/render_icons.py"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
MASTER = ROOT / "assistant_builder" / "resources" / "icons" / "app.svg"
OUT = ROOT / "packaging" / "icons"
SIZES = (16, 32, 48, 64, 128, 256, 512)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841  (QImage needs an application)
    renderer = QSvgRenderer(str(MASTER))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {MASTER}")
    OUT.mkdir(exist_ok=True)
    for size in SIZES:
        if not render(renderer, size).save(str(OUT / f"app-{size}.png")):
            raise SystemExit(f"cannot write the {size} px icon")
    if not render(renderer, 256).save(str(OUT / "app.ico")):
        raise SystemExit("cannot write app.ico (Qt's ico image plugin is missing)")
    print(f"wrote {len(SIZES)} PNG sizes and app.ico to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
