"""Runtime assets shipped in the package (icons), loaded with importlib.resources."""

from __future__ import annotations

from importlib.resources import files

from PySide6.QtGui import QIcon


def app_icon() -> QIcon:
    path = files("assistant_builder.resources").joinpath("icons/app.svg")
    return QIcon(str(path))
