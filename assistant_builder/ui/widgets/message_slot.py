"""A page's place for news: its status line, or a banner shown in the same place. The slot
keeps the height of a two-line banner whichever shows, so a message that comes or goes moves
nothing under it (only opening a banner's details, which the person asks for, does)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMargins, QObject
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from assistant_builder.ui.widgets.banner import Banner


class MessageSlot(QWidget):
    def __init__(self, status: QLabel, banner: Banner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = status
        self.banner = banner
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(status, 0, 0)
        grid.addWidget(banner, 0, 0)  # the same cell: one or the other
        banner.installEventFilter(self)
        self.setMinimumHeight(self._two_line_banner_height())
        self._follow_banner()

    def _two_line_banner_height(self) -> int:
        line = self.banner.message.fontMetrics().lineSpacing()
        layout = self.banner.layout()
        margins = layout.contentsMargins() if layout is not None else QMargins()
        row = max(2 * line, self.banner.close_button.sizeHint().height(),
                  self.banner.action_button.sizeHint().height())  # fmt: skip
        return row + margins.top() + margins.bottom() + 4

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.banner and event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
            self._follow_banner()
        return False

    def _follow_banner(self) -> None:
        self.status.setVisible(self.banner.isHidden())
