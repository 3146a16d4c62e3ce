"""The final-prompt panel beside the editor: for a sample question, the exact text the model
will receive from the unsaved assistant (special tokens marked, retrieved passages included)
and how it spends the context window. Computed off the GUI thread, debounced as the person
types; a result for an older draft is dropped."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from assistant_builder.core.app import PromptPreviewer
from assistant_builder.core.records import MEMORY, Assistant, PromptView
from assistant_builder.ui.editor.budget_bar import BudgetBar
from assistant_builder.ui.workers import TaskRunner

DEBOUNCE_MS = 300
DEFAULT_QUESTION = "What can you help me with?"
# Above this share of the room the prompt may use, the next longer turn would lose something.
NEARLY_FULL = 0.85


class SpecialTokenHighlighter(QSyntaxHighlighter):
    """Marks the model's special tokens (as its tokenizer names them) wherever they occur."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.tokens: frozenset[str] = frozenset()
        self.mark = QTextCharFormat()
        self.mark.setForeground(QColor("#ffffff"))
        self.mark.setBackground(QColor("#8e44ad"))
        self.mark.setFontWeight(QFont.Weight.Bold)

    def highlightBlock(self, text: str) -> None:
        for token in self.tokens:
            at = text.find(token)
            while at >= 0:
                self.setFormat(at, len(token), self.mark)
                at = text.find(token, at + len(token))


@dataclass(frozen=True)
class _Request:
    draft: Assistant
    question: str


class FinalPromptPanel(QWidget):
    updated = Signal()  # a new preview (or the sentence saying why there is none) is shown

    def __init__(self, source: PromptPreviewer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self.setAccessibleName("Final prompt")
        title = QLabel("Final prompt")
        title.setObjectName("subheading")
        hint = QLabel("Exactly what the model will receive for this question.")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.question = QLineEdit(DEFAULT_QUESTION)
        self.question.setAccessibleName("Sample question")
        self.question.setPlaceholderText("Type a question to try the assistant with")
        self.question.setToolTip("A question to see the prompt with; it is not sent anywhere.")
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setAccessibleName("Preview status")
        self.status.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setObjectName("hint")
        self.warning.setProperty("problem", True)
        self.warning.setAccessibleName("Prompt warning")
        self.warning.setWordWrap(True)
        self.notice = QLabel()
        self.notice.setObjectName("hint")
        self.notice.setAccessibleName("Template notice")
        self.notice.setWordWrap(True)
        self.budget = BudgetBar()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Final prompt text")
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.highlighter = SpecialTokenHighlighter(self.text.document())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 0, 0)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addWidget(self.question)
        layout.addWidget(self.budget)
        layout.addWidget(self.warning)
        layout.addWidget(self.notice)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.status)
        for label in (self.warning, self.notice):
            label.hide()

        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._on_result)
        self.runner.failed.connect(self._on_failed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._start)
        self.question.textChanged.connect(lambda _: self._timer.start())
        self._draft: Assistant | None = None
        self._shown: _Request | None = None
        self.view: PromptView | None = None

    # Input -------------------------------------------------------------------------------
    def set_draft(self, draft: Assistant) -> None:
        """The editor's current draft; the preview follows it after a short pause."""
        if self._draft == draft:
            return
        self._draft = draft
        self._timer.start()

    def _start(self) -> None:
        if self._draft is None:
            return
        request = _Request(self._draft, self.question.text().strip())
        if request == self._shown and not self.runner.busy:
            return
        self._shown = request
        self.status.setText("Updating…")
        self.runner.start(self._source.compute, request.draft, request.question)

    # Output ------------------------------------------------------------------------------
    def _on_result(self, view: object) -> None:
        assert isinstance(view, PromptView)
        self.view = view
        final = view.final
        self.status.setText("")
        if final.preview is None:  # refused without calling the model
            self._show_text(final.assembled.refusal or "", frozenset())
            self.budget.clear()
            self._warn(self._refusal_reason(view))
            self.notice.hide()
            self.updated.emit()
            return
        preview = final.preview
        self._show_text(preview.text, view.special_tokens)
        self.budget.show_preview(preview)
        self._warn(self._warning_for(view))
        notice = " ".join(n for n in (preview.template_notice, _thinking_note(view)) if n)
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        self.updated.emit()

    @staticmethod
    def _refusal_reason(view: PromptView) -> str:
        if view.retrieval_problem:
            return view.retrieval_problem
        if view.passages_found:
            return (
                f"{view.passages_found} passage(s) were found but none reaches the minimum "
                "relevance, so the assistant answers with its refusal text; lower the minimum "
                "relevance in the Knowledge section."
            )
        return (
            "No passage was found for this question, so the assistant answers with its "
            "refusal text and the model is not asked."
        )

    def _warning_for(self, view: PromptView) -> str:
        preview = view.final.preview
        assert preview is not None
        if view.retrieval_problem:
            return view.retrieval_problem
        if preview.dropped:
            return (
                f"To fit the {MEMORY}, this leaves out {' and '.join(preview.dropped)}; "
                f"give the assistant more {MEMORY} or ask for fewer passages."
            )
        room = preview.context_size - view.final.answer_room
        if preview.total_tokens > NEARLY_FULL * room:
            return (
                f"The prompt nearly fills the {MEMORY}: the oldest messages will soon be "
                f"left out; give the assistant more {MEMORY} or shorten the instructions."
            )
        return ""

    def _on_failed(self, message: str) -> None:
        self.view = None
        self.status.setText("")
        self._show_text("", frozenset())
        self.budget.clear()
        self.notice.hide()
        self._warn(message)
        self.updated.emit()

    def _show_text(self, text: str, tokens: frozenset[str]) -> None:
        bar = self.text.verticalScrollBar()
        at = bar.value()
        self.highlighter.tokens = tokens  # applied by setPlainText's own highlighting pass
        if text != self.text.toPlainText():
            self.text.setPlainText(text)
        else:
            self.highlighter.rehighlight()
        bar.setValue(at)  # keep the person's place while the prompt changes under it

    def _warn(self, message: str) -> None:
        self.warning.setText(message)
        self.warning.setVisible(bool(message))

    # For tests and the screenshots -------------------------------------------------------
    def marked_tokens(self) -> set[str]:
        """The pieces of the shown text that carry the special-token mark."""
        marked: set[str] = set()
        block = self.text.document().begin()
        while block.isValid():
            for fmt in block.layout().formats():
                if fmt.format.background().color() == self.highlighter.mark.background().color():
                    marked.add(block.text()[fmt.start : fmt.start + fmt.length])
            block = block.next()
        return marked


def _thinking_note(view: PromptView) -> str:
    """What “Think before answering” does to this prompt, for a template that can switch it."""
    if not view.switches_thinking:
        return ""
    if view.thinking:
        return "Thinking is on: the model thinks before it answers (shown apart in the chat)."
    return "Thinking is off: the prompt tells the model to answer straight away."
