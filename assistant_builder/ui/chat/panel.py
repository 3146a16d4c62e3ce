"""One conversation with one assistant: transcript, composer and error banner, talking to the
shared engine host. The Chat page and the editor's Try it pane are both built on it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from assistant_builder.core.app import ConversationStore
from assistant_builder.core.records import AppError, Assistant, Message, PassageChoices, Prepared
from assistant_builder.ui.chat.composer import Composer
from assistant_builder.ui.chat.transcript import TranscriptView
from assistant_builder.ui.chat.why_panel import SaveChoices, WhyPanel
from assistant_builder.ui.engine_host import EngineHost, Trouble
from assistant_builder.ui.widgets.banner import Banner


class ChatPanel(QWidget):
    citation_requested = Signal(object)  # a Citation of a stored answer
    conversation_changed = Signal(int)  # a conversation was created or got a new message
    models_requested = Signal()  # the fix for a missing model: the Models page
    edit_requested = Signal(str)  # the fix for a prompt too long for the context: the editor
    # The fix for a collection that is gone: the assistant's editor at its Knowledge section.
    knowledge_requested = Signal(str)  # the assistant's id
    index_requested = Signal(str)  # the fix for a collection with nothing indexed: its name
    busy_changed = Signal(bool)

    def __init__(
        self,
        host: EngineHost,
        store: ConversationStore,
        assistant: Callable[[], Assistant | None],
        parent: QWidget | None = None,
        *,
        offer_edit: bool = True,
        save_choices: SaveChoices | None = None,
    ) -> None:
        super().__init__(parent)
        self._save_choices = save_choices  # "Why this answer" keeps the choices through it
        self.why_panel: WhyPanel | None = None
        self._offer_edit = offer_edit  # not in the editor's own Try it pane
        self._host = host
        self.store = store
        self._assistant = assistant
        self.banner = Banner()
        self.transcript = TranscriptView()
        self.transcript.citation_requested.connect(self.citation_requested)
        self.transcript.why_requested.connect(self.show_why)
        # A quiet line under the answer when the model's own chat template could not be used.
        self.template_notice = QLabel()
        self.template_notice.setObjectName("hint")
        self.template_notice.setAccessibleName("Template notice")
        self.template_notice.setWordWrap(True)
        self.template_notice.setContentsMargins(16, 2, 16, 2)
        self.template_notice.hide()
        self.composer = Composer()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.transcript, 1)
        layout.addWidget(self.template_notice)
        layout.addWidget(self.composer)
        self.composer.send_requested.connect(self.send)
        self.composer.stop_requested.connect(self.stop)
        self.composer.regenerate_requested.connect(self.regenerate)
        self.composer.edit_requested.connect(self.edit_last)
        stop = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        stop.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        stop.activated.connect(self.stop)
        host.stage_changed.connect(self._on_stage)
        host.prepared.connect(self._on_prepared)
        host.streamed.connect(self._on_streamed)
        host.thought.connect(self._on_thought)
        host.answered.connect(self._on_answered)
        host.failed.connect(self._on_failed)
        host.ended.connect(self._on_ended)
        self.conversation_id: int | None = None
        self.request_id: int | None = None
        self._editing_from: int | None = None  # the question being edited, resent from here
        self._last_sent = ""

    def add_above_composer(self, widget: QWidget) -> None:
        """A widget between the transcript and the composer (the questions to try)."""
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(layout.indexOf(self.composer), widget)

    @property
    def busy(self) -> bool:
        return self.request_id is not None

    def open_conversation(self, conversation_id: int | None) -> None:
        """Show a stored conversation (None: a new one, created by the first question)."""
        if self.busy:
            self.stop()
        self.conversation_id = conversation_id
        self._editing_from = None
        self.composer.set_note("")
        self.banner.dismiss()
        self.template_notice.hide()
        self._reload()

    def messages(self) -> list[Message]:
        if self.conversation_id is None:
            return []
        try:
            return self.store.messages(self.conversation_id)
        except AppError:
            return []

    def _reload(self) -> None:
        messages = self.messages()
        self.transcript.show_messages(messages)
        self.composer.set_history(has_exchange=_last_question(messages) is not None)

    # Actions -----------------------------------------------------------------------------
    def send(self, question: str) -> None:
        assistant = self._assistant()
        if self.busy or assistant is None or not question.strip():
            return
        if self._editing_from is not None and self.conversation_id is not None:
            self.store.delete_messages_from(self.conversation_id, self._editing_from)
            self._editing_from = None
            self.composer.set_note("")
            self._reload()
        self.banner.dismiss()
        self._last_sent = question
        self.composer.edit.clear()
        self.transcript.add("user", question)
        self.transcript.begin_stream()
        self.request_id = self._host.ask(
            assistant, question, conversations=self.store,
            conversation_id=self.conversation_id,
        )  # fmt: skip
        self.composer.set_busy(True)
        self.busy_changed.emit(True)

    def stop(self) -> None:
        if self.request_id is not None:
            self._host.stop(self.request_id)

    def regenerate(self) -> None:
        """Forget the last answer and ask its question again."""
        last = _last_question(self.messages())
        if self.busy or last is None or self.conversation_id is None:
            return
        self.store.delete_messages_from(self.conversation_id, last.id)
        self._reload()
        self.send(last.content)

    def edit_last(self) -> None:
        """Put the last question back in the composer; sending replaces it and its answer."""
        last = _last_question(self.messages())
        if self.busy or last is None:
            return
        self._editing_from = last.id
        self.composer.edit.setPlainText(last.content)
        self.composer.edit.setFocus()
        self.composer.set_note("Editing your last question: sending replaces it and its answer.")

    def show_why(self, answer: Message) -> WhyPanel:
        """Open "Why this answer" for a stored answer; "Answer again" asks its question anew."""
        assistant = self._assistant()
        choices = assistant.passage_choices if assistant is not None else PassageChoices()
        messages = self.messages()
        last = next((m for m in reversed(messages) if m.role == "assistant"), None)
        is_last = last is not None and last.id == answer.id
        question = next(
            (m.content for m in reversed(messages) if m.role == "user" and m.id < answer.id), ""
        )
        if self.why_panel is not None:
            self.why_panel.close()
        panel = WhyPanel(answer, choices, save=self._save_choices, last=is_last, parent=self)
        panel.answer_again_requested.connect(
            lambda: self.regenerate() if is_last else self.send(question)
        )
        self.why_panel = panel
        panel.show()
        return panel

    # Host events -------------------------------------------------------------------------
    def _on_prepared(self, rid: int, prepared: Prepared) -> None:
        if rid != self.request_id:
            return
        notice = prepared.template_notice
        self.template_notice.setText(notice)
        self.template_notice.setVisible(bool(notice))
        if self.conversation_id != prepared.conversation_id:
            self.conversation_id = prepared.conversation_id
            self.conversation_changed.emit(prepared.conversation_id)

    def _on_stage(self, rid: int, sentence: str) -> None:
        if rid == self.request_id:
            self.transcript.show_stage(sentence)

    def _on_streamed(self, rid: int, text: str) -> None:
        if rid == self.request_id:
            self.transcript.stream(text)

    def _on_thought(self, rid: int, text: str) -> None:
        if rid == self.request_id:
            self.transcript.stream_thinking(text)

    def _on_answered(self, rid: int, _answer: object) -> None:
        if rid == self.request_id:
            self.transcript.flush()

    def _on_failed(self, rid: int, trouble: Trouble) -> None:
        if rid != self.request_id:
            return
        actions: dict[str, tuple[str, Callable[[], None]]] = {
            "model_missing": ("Open Models page", self.models_requested.emit),
            "context_full": ("Edit the assistant", self._edit_assistant),
            "crashed": ("Restart model", self._restart),
            "collection_missing": ("Edit the assistant", self._edit_knowledge),
            "not_indexed": ("Index now", lambda: self.index_requested.emit(trouble.collection)),
        }
        if not self._offer_edit:  # the editor's own Try it: its sections are beside it
            for kind in ("context_full", "collection_missing", "not_indexed"):
                actions.pop(kind)
        label, fix = actions.get(trouble.kind, ("", None))  # type: ignore[arg-type]
        self.banner.show_message(
            trouble.message, details=trouble.details, action=label, on_action=fix
        )

    def _edit_assistant(self) -> None:
        assistant = self._assistant()
        if assistant is not None:
            self.edit_requested.emit(assistant.id)

    def _edit_knowledge(self) -> None:
        assistant = self._assistant()
        if assistant is not None:
            self.knowledge_requested.emit(assistant.id)

    def _restart(self) -> None:
        self.banner.dismiss()
        self._host.restart()

    def _on_ended(self, rid: int) -> None:
        if rid != self.request_id:
            return
        self.request_id = None
        self.transcript.end_stream()
        self._reload()  # the stored conversation is the truth: text, chips, timings
        if not self.messages() and not self.composer.edit.toPlainText():
            self.composer.edit.setPlainText(self._last_sent)  # nothing was kept: not lost either
        self.composer.set_busy(False)
        self.busy_changed.emit(False)
        if self.conversation_id is not None:
            self.conversation_changed.emit(self.conversation_id)


def _last_question(messages: list[Message]) -> Message | None:
    for message in reversed(messages):
        if message.role == "user":
            return message
    return None
