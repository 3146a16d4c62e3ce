"""The transcript: each message rendered from markdown (code blocks get a Copy button), each
answer with its numbered source chips and timings, and the streaming answer repainted from a
buffer at most every ~40 ms, never per token: a piece arriving starts the repaint's one-shot
timer (at once when the last repaint is 40 ms old), so the window wakes when there is something
to show, not 25 times a second while the model writes.

Markdown is read by Qt's own importer with raw HTML off, so a tag a model copied from its
prompt (``<passage …>``) or a person typed (``<b>``) is shown as written and can never hide or
restyle the text around it."""

from __future__ import annotations

import math
import re
import time
from pathlib import PurePath

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import answer_marks, marked, sentinel
from assistant_builder.core.records import (
    FENCE,
    WORDS_PER_TOKEN,
    Citation,
    Message,
    about_words,
)
from assistant_builder.ui.chat.markdown_view import MarkdownLabel
from assistant_builder.ui.chat.text_view import TextView
from assistant_builder.ui.chat.thinking import ThinkingSection
from assistant_builder.ui.chat.why_panel import why_button

REPAINT_MS = 40
# A blank line before a plain paragraph or heading: markdown starts a new block there, so the
# text can be shown in one label per block (lists, quotes, tables and indented text continue
# the block before them and stay with it).
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n+(?=[^\s>|*+\-\d])")

# The scroll bar is drawn flat: it is drawn again whenever a line is added, and the style's own
# shaded one cost the window more than the text (its gradients were filled on other threads).
STYLE = """
QFrame#message { border-radius: 10px; }
QFrame#message[role="user"] { background: palette(alternate-base); }
QFrame#codeBlock { background: palette(alternate-base); border: 1px solid palette(mid);
                   border-radius: 6px; }
QLabel#speaker { font-weight: 600; }
QLabel#meta { color: palette(placeholder-text); font-size: 11px; }
QPushButton#chip { border: 1px solid palette(mid); border-radius: 9px; padding: 2px 8px; }
QPushButton#chip:hover { border-color: palette(highlight); }
QScrollBar:vertical { background: palette(window); width: 12px; margin: 0; }
QScrollBar::handle:vertical { background: palette(mid); min-height: 32px; border-radius: 4px;
                              margin: 2px; }
QScrollBar::handle:vertical:hover { background: palette(placeholder-text); }
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical { height: 0; }
QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical { background: none; }
"""


def segments(text: str) -> list[tuple[str, str]]:
    """("markdown", text) and ("code", text) pieces, in order; markdown is cut into its
    paragraphs, so a growing answer re-renders only its last one."""
    out: list[tuple[str, str]] = []

    def prose(part: str) -> None:
        out.extend(("markdown", block) for block in _BLOCK_BREAK.split(part) if block.strip())

    pos = 0
    for match in FENCE.finditer(text):
        prose(text[pos : match.start()])
        out.append(("code", match.group(2).rstrip("\n")))
        pos = match.end()
    prose(text[pos:])
    return out


def chip_label(citation: Citation) -> str:
    name = PurePath(citation.source).name or "document"
    where = f"{name}, p. {citation.page}" if citation.page is not None else name
    return f"[{citation.n}] {where}"


def attributed_text(message: Message, *, show_all: bool = False) -> tuple[str, int]:
    """The answer's markdown with its attribution marks, and how many sentences strict mode
    folds away (shown when ``show_all``)."""
    grounding = message.grounding
    marks = answer_marks(message.content, message.citations, grounding)
    fold = grounding.unsupported if grounding.strict and not show_all else ()
    folded = len(grounding.unsupported) if grounding.strict else 0
    return marked(message.content, marks, sentinel, fold=fold), folded


def timing_label(message: Message) -> str:
    parts = []
    ttft = message.timings.get("ttft_s")
    total = message.timings.get("total_s")
    tokens = message.usage.get("completion_tokens")
    if ttft is not None:
        parts.append(f"first word after {float(ttft):.2f} s")
    if tokens and total is not None and float(total) > float(ttft or 0):
        rate = (int(tokens) - 1) / max(1e-6, float(total) - float(ttft or 0))
        parts.append(f"{max(rate, 0.0) * WORDS_PER_TOKEN:.1f} words a second")
    if tokens:
        parts.append(about_words(int(tokens)))
    if message.stop_reason == "length":
        parts.append("cut off at the length limit")
    return " · ".join(parts)


class CodeBlock(QFrame):
    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeBlock")
        self.code = TextView()
        self.code.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.code.set_plain_text(code)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setAccessibleName("Copy code")
        self.copy_button.setToolTip("Copy this code")
        self.copy_button.clicked.connect(lambda: _copy(self.code.text()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.copy_button)
        layout.addLayout(top)
        layout.addWidget(self.code)


class MessageView(QFrame):
    """One message. ``set_text`` re-renders it; answers also show chips and timings."""

    citation_requested = Signal(object)
    why_requested = Signal(object)  # the stored Message: open "Why this answer"

    def __init__(self, role: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = role
        self.message_id: int | None = None  # the stored message shown (None: not saved yet)
        self.text = ""
        self.setObjectName("message")
        self.setProperty("role", role)
        self.setAccessibleName("Your message" if role == "user" else "Answer")
        self.speaker = QLabel("You" if role == "user" else "Assistant")
        self.speaker.setObjectName("speaker")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setAccessibleName("Copy answer")
        self.copy_button.setToolTip("Copy this answer")
        self.copy_button.setFlat(True)
        self.copy_button.clicked.connect(lambda: _copy(self.text))
        self.copy_button.setVisible(role == "assistant")
        header = QHBoxLayout()
        header.addWidget(self.speaker)
        header.addStretch(1)
        header.addWidget(self.copy_button)
        self.body = QVBoxLayout()
        self.body.setSpacing(6)
        self._pieces: list[tuple[str, str]] = []  # what ``body`` shows, as segments()
        self._piece_views: list[MarkdownLabel | CodeBlock] = []
        self.chips = QHBoxLayout()
        self.chips.setSpacing(6)
        self.chip_buttons: list[QPushButton] = []
        self.meta = QLabel()
        self.meta.setObjectName("meta")
        self.meta.hide()
        # Strict mode: sentences not from the documents are folded away behind this.
        self.fold_button = QPushButton()
        self._all_folded = False  # strict mode folded every sentence of the answer away
        self.fold_button.setObjectName("foldButton")
        self.fold_button.setFlat(True)
        self.fold_button.setCheckable(True)
        self.fold_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.fold_button.hide()
        self.fold_button.toggled.connect(self._toggle_fold)
        self._message: Message | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(header)
        self.thinking = ThinkingSection()
        layout.addWidget(self.thinking)
        layout.addLayout(self.body)
        layout.addWidget(self.fold_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(self.chips)
        layout.addWidget(self.meta)

    def set_text(self, text: str, *, display: str | None = None) -> bool:
        """Shows ``text`` (or ``display``, the same answer with its attribution marks),
        touching only the pieces that changed: while an answer streams, only its last piece
        grows, and re-creating every piece 25 times a second took CPU from the model (the
        GUI's own process used 12% of a core). True: a piece was added, removed or resized."""
        self.text = text
        pieces = segments(text if display is None else display)
        same = 0  # leading pieces whose kind is unchanged keep their widget
        while (
            same < min(len(pieces), len(self._pieces)) and pieces[same][0] == self._pieces[same][0]
        ):
            same += 1
        changed = same < len(self._piece_views) or same < len(pieces)
        for gone in self._piece_views[same:]:
            self.body.removeWidget(gone)
            gone.deleteLater()
        del self._piece_views[same:]
        for i, (kind, piece) in enumerate(pieces):
            if i < same:
                if piece != self._pieces[i][1]:
                    view = self._piece_views[i]
                    if isinstance(view, CodeBlock):
                        changed = view.code.set_plain_text(piece) or changed
                    else:
                        changed = view.set_markdown(piece) or changed
                continue
            widget = CodeBlock(piece) if kind == "code" else MarkdownLabel(piece)
            # Counted by the layout before Qt shows it (a moment later), so that room is made
            # for it from the top (TranscriptView._grow), not by squeezing the message.
            policy = widget.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            widget.setSizePolicy(policy)
            self.body.addWidget(widget)
            self._piece_views.append(widget)
        self._pieces = pieces
        return changed

    def show_details(self, message: Message) -> None:
        """The attribution marks, chips for the passages that support the answer, and the
        timings, once an answer is complete."""
        self._message = message
        folded = self._show_attributed(show_all=False)
        if folded:
            self.fold_button.setVisible(True)
            self._set_fold_label(folded, shown=False)
        for citation in message.citations:
            chip = QPushButton(chip_label(citation))
            chip.setObjectName("chip")
            chip.setAccessibleName(f"Source {citation.n}")
            chip.setToolTip(citation.text[:300])
            chip.setCursor(Qt.CursorShape.PointingHandCursor)
            chip.clicked.connect(lambda _=False, c=citation: self.citation_requested.emit(c))
            self.chips.addWidget(chip)
            self.chip_buttons.append(chip)
        self.why_button = why_button(message)
        self.chips.addStretch(1)
        if self.why_button is not None:
            self.why_button.clicked.connect(lambda: self.why_requested.emit(message))
            self.chips.addWidget(self.why_button)
        note = timing_label(message)
        if not message.complete or message.stop_reason == "cancelled":
            note = "Stopped before the end" + (f" · {note}" if note else "")
        self.meta.setText(note)
        self.meta.setVisible(bool(note))

    def _show_attributed(self, *, show_all: bool) -> int:
        """Shows the answer with its marks; returns how many sentences strict mode folds."""
        if self._message is None:
            return 0
        display, folded = attributed_text(self._message, show_all=show_all)
        if not show_all:  # folded away whole, the answer says so rather than look empty
            self._all_folded = folded > 0 and not display.strip()
        self.set_text(self._message.content, display=display)
        return folded

    def _toggle_fold(self, shown: bool) -> None:
        self._set_fold_label(self._show_attributed(show_all=shown), shown=shown)

    def _set_fold_label(self, count: int, *, shown: bool) -> None:
        what = "sentence is" if count == 1 else "sentences are"
        action = "hide" if shown else "show"
        if self._all_folded:
            self.fold_button.setText(
                f"Nothing in this answer was found in your documents ({action})"
            )
        else:
            self.fold_button.setText(f"{count} {what} not from your documents ({action})")
        self.fold_button.setAccessibleName(
            f"{action.capitalize()} sentences not from your documents"
        )


class TranscriptView(QScrollArea):
    """The conversation's messages; ``stream`` feeds the answer being written."""

    citation_requested = Signal(object)
    why_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Transcript")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setStyleSheet(STYLE)
        inner = QWidget()
        # The column only grows at its end: a taller column draws only what it gained.
        inner.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self._column = QVBoxLayout(inner)
        self._column.setContentsMargins(16, 12, 16, 12)
        self._column.setSpacing(10)
        self._column.addStretch(1)
        self.setWidget(inner)
        self.views: list[MessageView] = []
        self._streaming: MessageView | None = None
        self._buffer: list[str] = []
        self._thought: list[str] = []
        self.repaints = 0  # how often the streaming answer was redrawn (tests check the cap)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)
        self._flushed = 0.0  # time.monotonic() of the last repaint
        self._target: MessageView | None = None  # a message to keep in view (a search hit)
        self._growing = False  # _grow lays the column out; it follows the end itself after
        self.verticalScrollBar().rangeChanged.connect(self._follow)

    def clear(self) -> None:
        self._keep(0)

    def _keep(self, count: int) -> None:
        """Ends a stream and removes every view after the first ``count``."""
        self.end_stream()
        for view in self.views[count:]:
            view.deleteLater()
        del self.views[count:]

    def show_messages(self, messages: list[Message]) -> None:
        """Shows ``messages``, keeping the views that already show the same stored messages
        (after an answer only the question and the answer are made again, not the whole
        conversation: rebuilding it took longer the longer it was)."""
        self._target = None
        kept = 0
        for view, message in zip(self.views, messages, strict=False):
            if (view.message_id, view.role, view.text) != (message.id, message.role,
                                                           message.content):  # fmt: skip
                break
            kept += 1
        self._keep(kept)
        for message in messages[kept:]:
            view = self.add(message.role, message.content)
            view.message_id = message.id
            if message.role == "assistant":
                view.thinking.set_thinking(message.reasoning)
                view.show_details(message)

    def add(self, role: str, text: str) -> MessageView:
        view = MessageView(role)
        view.set_text(text)
        view.citation_requested.connect(self.citation_requested)
        view.why_requested.connect(self.why_requested)
        self._column.insertWidget(self._column.count() - 1, view)
        self.views.append(view)
        return view

    def scroll_to(self, message_id: int) -> None:
        """Show the message at the top of the view (and keep it there while the layout
        settles) instead of the end of the conversation."""
        self._target = next((v for v in self.views if v.message_id == message_id), None)
        self._follow(0, self.verticalScrollBar().maximum())

    # Streaming ---------------------------------------------------------------------------
    def begin_stream(self) -> MessageView:
        self._target = None
        self._streaming = self.add("assistant", "")
        # It only grows at its end (and draws no frame): growing draws only what it gained.
        self._streaming.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self._streaming.meta.setAccessibleName("What the answer is doing")
        self._buffer.clear()
        self._thought.clear()
        self._flushed = 0.0
        return self._streaming

    def show_stage(self, sentence: str) -> None:
        """What the answer being written is doing before its first word ("Writing…")."""
        if self._streaming is not None and not self._streaming.text:
            self._streaming.meta.setText(sentence)
            self._streaming.meta.show()

    def stream(self, text: str) -> None:
        self._buffer.append(text)
        self._schedule()

    def stream_thinking(self, text: str) -> None:
        """A piece of a reasoning model's thinking: into its collapsed section, not the answer."""
        self._thought.append(text)
        self._schedule()

    def _schedule(self) -> None:
        if self._streaming is None or self._timer.isActive():
            return
        wait = REPAINT_MS - (time.monotonic() - self._flushed) * 1000.0
        self._timer.start(max(0, math.ceil(wait)))

    def flush(self) -> None:
        if self._streaming is None or not (self._buffer or self._thought):
            return
        if self._thought:
            view = self._streaming.thinking
            view.set_thinking(view.text + "".join(self._thought))
            self._thought.clear()
        if self._buffer:
            grew = self._streaming.set_text(self._streaming.text + "".join(self._buffer))
            self._streaming.meta.hide()
            self._buffer.clear()
            if grew:
                self._grow(self._streaming)
        self._flushed = time.monotonic()
        self.repaints += 1

    def _grow(self, view: MessageView) -> None:
        """The column laid out from the top when ``view`` grew, then the end followed.

        Left to Qt, the message lays its text out in the height it had (squeezing every piece
        of it), then the column does the same to every message, and only then does the column
        get its new height and all of it is laid out and drawn again: twice a line, the whole
        window. Here the column gets its height first, then the message its own. What changed
        is drawn before the view follows the end, so that following it copies what is on
        screen and draws only the new line."""
        layout = view.layout()
        if layout is None:
            return
        _invalidate(layout)  # a nested layout keeps its old height otherwise
        if view.heightForWidth(view.width()) == view.height():
            return
        view.updateGeometry()
        self._growing = True
        try:
            QApplication.sendEvent(self, QEvent(QEvent.Type.LayoutRequest))  # the column's height
            self._column.activate()
            layout.activate()
        finally:
            self._growing = False
        QApplication.sendPostedEvents(None, QEvent.Type.UpdateRequest)
        self._follow(0, self.verticalScrollBar().maximum())

    def end_stream(self) -> None:
        self.flush()
        self._timer.stop()
        self._streaming = None

    @property
    def streaming_text(self) -> str:
        return self._streaming.text if self._streaming is not None else ""

    def _follow(self, _min: int, maximum: int) -> None:
        if self._growing:
            return
        if self._target is not None:
            self.verticalScrollBar().setValue(max(self._target.y() - 12, 0))
        else:
            self.verticalScrollBar().setValue(maximum)


def _invalidate(layout: QLayout) -> None:
    """``layout`` and the layouts in it forget the sizes they computed."""
    layout.invalidate()
    for i in range(layout.count()):
        item = layout.itemAt(i)
        inner = item.layout() if item is not None else None
        if inner is not None:
            _invalidate(inner)


def _copy(text: str) -> None:
    clipboard = QApplication.clipboard()
    clipboard.setText(text)
