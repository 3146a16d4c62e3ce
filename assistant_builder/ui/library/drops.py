"""Folders dropped on the Library page: only local folders are taken (files and links are
refused at the drag, so the cursor says so), and they go where the page's "Add folder" puts
them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QDragEnterEvent, QDropEvent


def dropped_folders(event: QDragEnterEvent | QDropEvent) -> list[str]:
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    paths = [u.toLocalFile() for u in urls if u.isLocalFile()]
    return [p for p in paths if Path(p).is_dir()]


class FolderDrops:
    """Mixed into the page (before QWidget), which has ``add_folders``."""

    add_folders: Callable[[list[str]], None]  # the page's own

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_folders(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        folders = dropped_folders(event)
        if not folders:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_folders(folders)
