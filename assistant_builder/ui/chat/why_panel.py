""" "Why this answer": what an answer rests on, from its stored grounding. The query that was
searched, every passage found in the order shown with one relevance bar, which went into the
prompt (as [n]) and why the others were left out, the person's "Not relevant" / "Always
include" per passage (saved with the assistant at once), and "Answer again"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.records import (
    AppError,
    Message,
    PassageChoices,
    PassageRef,
    RetrievedPassage,
)

SaveChoices = Callable[[PassageChoices], None]  # raises AppError when they cannot be kept

LEFT_OUT = {
    "below_minimum": "Left out: not close enough to the question.",
    "no_room": "Left out: no room left in the model's memory for the conversation.",
    "excluded": "Left out: you marked it not relevant.",
    "excluded_file": "Left out: you marked its whole file not relevant.",
}
CHOSEN = {
    "pinned": "From now on: always included.",
    "excluded": "From now on: left out (you marked it not relevant).",
    "excluded_file": "From now on: left out, with every passage of its file.",
}
EXCERPT = 280  # characters of a passage shown; the tooltip has all of it

STYLE = """
QFrame#whyPassage { border: 1px solid palette(mid); border-radius: 8px; }
QFrame#whyPassage[sent="true"] { border-color: palette(highlight); }
QLabel#whyWhere { font-weight: 600; }
QLabel#whyTitle { font-size: 17px; font-weight: 600; }
QToolButton#notRelevant { padding: 3px 8px; }
QToolButton#notRelevant::menu-indicator { image: none; width: 0px; }
QLabel#whyFigures, QLabel#hint { color: palette(placeholder-text); font-size: 11px; }
QProgressBar#relevance { border: none; border-radius: 3px; background: palette(alternate-base);
                         max-height: 6px; min-height: 6px; }
QProgressBar#relevance::chunk { border-radius: 3px; background: palette(highlight); }
"""


def why_button(message: Message) -> QPushButton | None:
    """The quiet button under a finished answer; None when nothing was searched for it."""
    if not message.complete or not message.grounding.retrieved:
        return None
    button = QPushButton("Why this answer")
    button.setFlat(True)
    button.setObjectName("whyButton")
    button.setAccessibleName("Why this answer")
    button.setToolTip("What the search found for this answer and what the model was given")
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


def ref_of(passage: RetrievedPassage) -> PassageRef:
    return PassageRef(
        passage.source, passage.start, passage.end, passage.page, passage.text, passage.collection
    )


def where(passage: RetrievedPassage) -> str:
    name = PurePath(passage.source).name or passage.source
    return f"{name}, page {passage.page}" if passage.page is not None else name


def fate(passage: RetrievedPassage) -> str:
    """What became of the passage in this answer, in plain words."""
    if passage.n:
        why = ", because you chose to always include it" if passage.pinned else ""
        return f"Went into the prompt as [{passage.n}]{why}."
    return LEFT_OUT.get(passage.left_out, "Left out.")


class PassageRow(QFrame):
    """One passage found: where, how relevant, what became of it, and the person's choice."""

    def __init__(self, passage: RetrievedPassage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.passage = passage
        self.setObjectName("whyPassage")
        self.setProperty("sent", bool(passage.n))
        self.setAccessibleName(f"Passage from {where(passage)}")
        number = f"[{passage.n}]  " if passage.n else ""
        self.where = QLabel(number + where(passage))
        self.where.setObjectName("whyWhere")
        self.bar = QProgressBar()
        self.bar.setObjectName("relevance")
        self.bar.setRange(0, 100)
        self.bar.setValue(round(100 * max(0.0, min(1.0, passage.relevance))))
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(120)
        self.bar.setAccessibleName(f"Relevance {passage.relevance:.2f}")
        self.figures = QLabel(figures(passage))
        self.figures.setObjectName("whyFigures")
        unscored = passage.pinned and passage.relevance == 0 and passage.keyword is None
        self.bar.setVisible(not unscored)
        self.fate = QLabel(fate(passage))
        self.fate.setWordWrap(True)
        excerpt = " ".join(passage.text.split())
        self.text = QLabel(excerpt[:EXCERPT] + ("…" if len(excerpt) > EXCERPT else ""))
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.text.setToolTip(passage.text[:2000])
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.not_relevant = QToolButton()
        self.not_relevant.setText("Not relevant ▾")
        self.not_relevant.setObjectName("notRelevant")
        self.not_relevant.setAccessibleName("Not relevant")
        self.not_relevant.setToolTip("Leave this passage, or its whole file, out of the answers")
        self.not_relevant.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.not_relevant)
        self.this_passage = menu.addAction("This passage")
        self.whole_file = menu.addAction(f"The whole file ({PurePath(passage.source).name})")
        self.not_relevant.setMenu(menu)
        self.always = QPushButton("Always include")
        self.always.setAccessibleName("Always include")
        self.always.setToolTip("Put this passage into every prompt of this assistant")
        self.chosen = QLabel()
        self.chosen.setObjectName("hint")
        self.undo = QPushButton("Undo")
        self.undo.setAccessibleName("Undo the choice")
        self.undo.setToolTip("Forget this choice")

        top = QHBoxLayout()
        top.addWidget(self.where, 1)
        top.addWidget(self.figures)
        top.addWidget(self.bar)
        actions = QHBoxLayout()
        actions.addWidget(self.chosen, 1)
        actions.addWidget(self.undo)
        actions.addWidget(self.not_relevant)
        actions.addWidget(self.always)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.fate)
        layout.addWidget(self.text)
        layout.addLayout(actions)

    def show_choice(self, choices: PassageChoices) -> None:
        key = (self.passage.source, self.passage.start, self.passage.end)
        choice = "pinned" if choices.pinned(key) else choices.exclusion(key)
        self.chosen.setText(CHOSEN.get(choice, ""))
        self.undo.setVisible(bool(choice))
        self.not_relevant.setVisible(not choice)
        self.always.setVisible(not choice)


def figures(passage: RetrievedPassage) -> str:
    parts = []
    if passage.keyword is not None:
        parts.append(f"words {passage.keyword:.2f}")
    if passage.meaning is not None:
        parts.append(f"meaning {passage.meaning:.2f}")
    unscored = passage.pinned and passage.relevance == 0 and passage.keyword is None
    if unscored:
        return "not found by the search"
    return " · ".join([*parts, f"relevance {passage.relevance:.2f}"])


class WhyPanel(QDialog):
    """Opened from an answer's "Why this answer" button; ``save`` keeps the choices (None:
    they cannot be made here)."""

    answer_again_requested = Signal()
    choices_saved = Signal(object)  # the PassageChoices now kept with the assistant

    def __init__(
        self,
        message: Message,
        choices: PassageChoices,
        *,
        save: SaveChoices | None,
        last: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Why this answer")
        self.setAccessibleName("Why this answer")
        self.setStyleSheet(STYLE)
        self.choices = choices
        self._save = save
        grounding = message.grounding
        sent = sum(1 for p in grounding.retrieved if p.n)
        title = QLabel("Why this answer")
        title.setObjectName("whyTitle")
        query = QLabel(f"Searched your documents for: “{grounding.query}”")
        query.setWordWrap(True)
        query.setTextFormat(Qt.TextFormat.PlainText)
        query.setObjectName("whyQuery")
        summary = QLabel(
            f"{_count(len(grounding.retrieved), 'passage')} found, best first; "
            f"{sent} went into the prompt. The bar shows how close each is to the question."
        )
        summary.setObjectName("hint")
        summary.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setProperty("problem", True)  # the theme gives it its colour
        self.problem.hide()
        self.rows = [PassageRow(p) for p in grounding.retrieved]
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 8, 0)
        for row in self.rows:
            column.addWidget(row)
            row.this_passage.triggered.connect(lambda _=False, r=row: self._exclude(r))
            row.whole_file.triggered.connect(lambda _=False, r=row: self._exclude_file(r))
            row.always.clicked.connect(lambda _=False, r=row: self._pin(r))
            row.undo.clicked.connect(lambda _=False, r=row: self._undo(r))
            row.not_relevant.setEnabled(save is not None)
            row.always.setEnabled(save is not None)
            row.undo.setEnabled(save is not None)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        note = QLabel(
            "Your choices are kept with the assistant at once and apply to its next answers; "
            "its Knowledge section lists them, to undo."
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        self.again = QPushButton("Answer again" if last else "Ask again")
        self.again.setAccessibleName("Answer again")
        self.again.setToolTip(
            "Ask this question again with your choices"
            + ("" if last else "; the new answer comes at the end of the conversation")
        )
        self.again.setDefault(True)
        close = QPushButton("Close")
        buttons = QHBoxLayout()
        buttons.addWidget(note, 1)
        buttons.addWidget(close)
        buttons.addWidget(self.again)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.addWidget(title)
        layout.addWidget(query)
        layout.addWidget(summary)
        layout.addWidget(self.problem)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        close.clicked.connect(self.reject)
        self.again.clicked.connect(self._again)
        self._show_choices()
        # Tall enough for the passages found (a few), never taller than a small screen.
        self.resize(780, min(600, 200 + 130 * len(self.rows)))

    def row_for(self, text: str) -> PassageRow:
        """The row of the passage whose text contains ``text`` (tests, and reading it back)."""
        return next(row for row in self.rows if text in row.passage.text)

    def _exclude(self, row: PassageRow) -> None:
        self._keep(self.choices.mark_not_relevant(ref_of(row.passage)))

    def _exclude_file(self, row: PassageRow) -> None:
        self._keep(self.choices.mark_file_not_relevant(row.passage.source))

    def _pin(self, row: PassageRow) -> None:
        self._keep(self.choices.include_always(ref_of(row.passage)))

    def _undo(self, row: PassageRow) -> None:
        key = (row.passage.source, row.passage.start, row.passage.end)
        choices = self.choices.forget(key)
        if choices == self.choices:
            choices = choices.forget_file(row.passage.source)
        self._keep(choices)

    def _keep(self, choices: PassageChoices) -> None:
        if self._save is None:
            return
        try:
            self._save(choices)
        except AppError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            return
        self.problem.hide()
        self.choices = choices
        self._show_choices()
        self.choices_saved.emit(choices)

    def _show_choices(self) -> None:
        for row in self.rows:
            row.show_choice(self.choices)

    def _again(self) -> None:
        self.accept()
        self.answer_again_requested.emit()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
