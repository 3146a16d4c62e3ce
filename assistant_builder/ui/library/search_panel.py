"""The "Test search" box: the passages a question retrieves from a collection, best first on
the one relevance scale, with their source and page and the question's words highlighted; a
click opens a passage in the source viewer."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.records import SearchHit
from assistant_builder.ui.resources import icon
from assistant_builder.ui.workers import TaskRunner

# Plain words for the search modes, in the order offered; the first is the default.
MODES = (
    ("Words and meaning (best)", "hybrid",
     "Finds passages that use your words or mean the same thing; usually the best."),
    ("Meaning only", "vector",
     "Finds passages that mean the same as your question, even in other words."),
    ("Exact words only", "keyword",
     "Finds passages that contain the words of your question."),
)  # fmt: skip
# Words too common to be worth highlighting.
_COMMON = frozenset(re.findall(r"\w+", """
    a an and are as at be by can do does for from how i in is it me my of on or the to what
    when where which who why with you your"""))  # fmt: skip
# (collection name, question, mode, *, cancel) -> hits; run on a worker thread.
SearchFn = Callable[..., list[SearchHit]]
MARK = "<span style='background:#ffe27a;color:#1a1a1a'>{}</span>"


def question_words(question: str) -> list[str]:
    words = {w.casefold() for w in re.findall(r"\w+", question) if len(w) > 1}
    return sorted(words - _COMMON, key=len, reverse=True)


def highlighted(text: str, question: str) -> str:
    """``text`` as HTML with every word of the question marked (whole words, any case;
    a plural or other ending after the word is marked too)."""
    words = question_words(question)
    escaped = html.escape(text)
    if not words:
        return escaped
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\w*", re.IGNORECASE)
    return pattern.sub(lambda m: MARK.format(m.group(0)), escaped)


class PassageLabel(QLabel):
    """Wrapped rich text that never gets squeezed below the height its lines need (a scroll
    area otherwise shrinks the cards to fit and clips the passages)."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if self.width() > 0:
            hint.setHeight(max(hint.height(), self.heightForWidth(self.width())))
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()


def relevance_tip(hit: SearchHit) -> str:
    return f"keyword {hit.keyword:.2f} · meaning {hit.meaning:.2f}"


class HitCard(QFrame):
    """One retrieved passage: where it comes from, how relevant it is, and its text. A click
    (or Enter) on it asks for the passage to be opened; selecting text in it does not."""

    open_requested = Signal(object)  # the passage as a Citation, to open at its place

    def __init__(self, rank: int, hit: SearchHit, question: str) -> None:
        super().__init__()
        self.hit = hit
        self.setObjectName("hitCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(f"Passage {rank}: open it in its document")
        where = Path(hit.source).name
        if hit.page is not None:
            where += f" · page {hit.page}"
        self.source = QLabel(f"<b>{rank}. {html.escape(where)}</b>")
        self.source.setToolTip(hit.source)
        self.source.setAccessibleName(f"Source of passage {rank}")
        # The relevance an assistant's "minimum relevance" compares with, as a percentage;
        # the two scores it combines are on hover.
        self.relevance = QProgressBar()
        self.relevance.setRange(0, 100)
        self.relevance.setValue(round(hit.relevance * 100))
        self.relevance.setFormat("relevance %p%")
        self.relevance.setFixedWidth(150)
        self.relevance.setToolTip(relevance_tip(hit))
        self.relevance.setAccessibleName(f"Relevance of passage {rank}")
        self.relevance.setAccessibleDescription(relevance_tip(hit))
        self.text = PassageLabel(highlighted(hit.text, question))
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAccessibleName(f"Text of passage {rank}")
        self.text.setCursor(Qt.CursorShape.PointingHandCursor)
        self.text.installEventFilter(self)
        header = QHBoxLayout()
        header.addWidget(self.source, 1)
        header.addWidget(self.relevance)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(header)
        layout.addWidget(self.text)

    def open(self) -> None:
        self.open_requested.emit(self.hit.citation())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.open()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.open()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The passage's text takes the mouse for selecting; a plain click still opens it.
        if (
            watched is self.text
            and event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
            and not self.text.hasSelectedText()
        ):
            self.open()
        return False


class TestSearchPanel(QWidget):
    """Asks the selected collection a question off the GUI thread and lists what comes back."""

    __test__ = False  # not a pytest test class despite its name

    source_requested = Signal(object)  # a result clicked: its Citation, to open at the passage

    def __init__(self, search_fn: SearchFn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._search_fn = search_fn
        self.collection = ""
        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._show_hits)
        self.runner.failed.connect(self._show_error)
        self.runner.busy_changed.connect(self._busy)
        self._question = ""

        self.query = QLineEdit()
        self.query.setPlaceholderText("Ask something your documents should answer…")
        self.query.setAccessibleName("Test question")
        self.query.setToolTip("Type a question to see which passages an assistant would read.")
        self.mode = QComboBox()
        self.mode.setAccessibleName("Search mode")
        for label, value, tip in MODES:
            self.mode.addItem(label, value)
            self.mode.setItemData(self.mode.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.mode.setToolTip("How passages are matched to the question.")
        self.search_button = QPushButton("Search")
        self.search_button.setAccessibleName("Run test search")
        self.search_button.setIcon(icon("search"))
        self.search_button.setToolTip("Show the passages this question retrieves.")
        self.status = QLabel("Pick a collection and ask a question.")
        self.status.setAccessibleName("Test search status")
        self.status.setWordWrap(True)

        self.results = QWidget()
        self.results.setAccessibleName("Test search results")
        self.results_layout = QVBoxLayout(self.results)
        self.results_layout.setContentsMargins(0, 0, 0, 0)
        self.results_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.results)

        row = QHBoxLayout()
        row.addWidget(self.query, 1)
        row.addWidget(self.mode)
        row.addWidget(self.search_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)
        self.query.returnPressed.connect(self.search)
        self.search_button.clicked.connect(self.search)

    def set_collection(self, name: str) -> None:
        if name != self.collection:
            self.collection = name
            self._clear()
            self.status.setText(f"Ask “{name}” a question." if name else
                                "Pick a collection and ask a question.")  # fmt: skip

    def cards(self) -> list[HitCard]:
        items = (self.results_layout.itemAt(i) for i in range(self.results_layout.count()))
        return [w for item in items if item and isinstance(w := item.widget(), HitCard)]

    def search(self) -> None:
        question = self.query.text().strip()
        if not self.collection or not question:
            return
        self._question = question
        self.status.setText("Searching…")
        self.runner.start(self._search_fn, self.collection, question, self.mode.currentData())

    def _clear(self) -> None:
        for card in self.cards():
            self.results_layout.removeWidget(card)
            card.deleteLater()

    def _show_hits(self, hits: object) -> None:
        assert isinstance(hits, list)
        self._clear()
        for rank, hit in enumerate(hits, start=1):
            card = HitCard(rank, hit, self._question)
            card.open_requested.connect(self.source_requested)
            self.results_layout.insertWidget(rank - 1, card)
        self.status.setText(
            f"{len(hits)} passages found, most relevant first; click one to open it." if hits else
            "Nothing matched; try other words or “Meaning only”."
        )  # fmt: skip

    def _show_error(self, message: str) -> None:
        self._clear()
        self.status.setText(message)

    def _busy(self, busy: bool) -> None:
        self.search_button.setEnabled(not busy)
