"""One variant in the Compare view: what can be changed in it (instructions, model, preset,
temperature, passages per collection), its answer streaming in the chat transcript with the
same source chips and timings as Chat, its final prompt (folded), token counts and speed, and
"Keep this one"."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from assistant_builder.core.app import preset_name
from assistant_builder.core.records import (
    CUSTOM,
    SAMPLING_PRESETS,
    Answer,
    CheckRun,
    Message,
    Variant,
)
from assistant_builder.ui.chat.transcript import TranscriptView


def usage_line(answer: Answer) -> str:
    """Tokens read and written, the wait for the first word and the writing speed."""
    writing = max(answer.timings.total_s - answer.timings.ttft_s, 1e-6)
    speed = answer.usage.completion_tokens / writing
    return (
        f"{answer.usage.prompt_tokens} tokens read · {answer.usage.completion_tokens} written · "
        f"first word after {answer.timings.ttft_s:.1f} s · {speed:.1f} tokens/s"
    )


class VariantColumn(QFrame):
    """Signals carry this column so the view knows which variant is meant."""

    changed = Signal(object)  # the edited Variant is in ``variant``
    keep_requested = Signal(object, bool)  # this column; True: as a new assistant
    picked = Signal(object)  # blind mode: the person prefers this answer
    remove_requested = Signal(object)
    citation_requested = Signal(object)

    def __init__(self, variant: Variant, models: dict[str, str], parent: QWidget | None = None):
        super().__init__(parent)
        self.variant = variant
        self.setObjectName("variantColumn")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel()
        self.title.setObjectName("variantTitle")
        self.remove_button = QToolButton()
        self.remove_button.setText("✕")
        self.remove_button.setToolTip("Take this variant out of the comparison")
        self.remove_button.setAccessibleName("Remove variant")
        self.edit_button = QToolButton()
        self.edit_button.setText("Change…")
        self.edit_button.setCheckable(True)
        self.edit_button.setAccessibleName("Change this variant")
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.edit_button)
        header.addWidget(self.remove_button)

        a = variant.assistant
        self.instructions = QPlainTextEdit(a.system_prompt)
        self.instructions.setAccessibleName("Instructions")
        self.instructions.setFixedHeight(72)
        self.model = QComboBox()
        self.model.setAccessibleName("Model")
        for model_id, name in models.items():
            self.model.addItem(name, model_id)
        if a.model.id not in models:
            self.model.addItem(f"{a.model.id} (not installed)", a.model.id)
        self.model.setCurrentIndex(self.model.findData(a.model.id))
        self.preset = QComboBox()
        self.preset.setAccessibleName("Behaviour")
        self.preset.addItems([p.name for p in SAMPLING_PRESETS] + [CUSTOM])
        self.preset.setCurrentText(preset_name(a.sampling))
        self.temperature = QDoubleSpinBox()
        self.temperature.setAccessibleName("Creativity (temperature)")
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setValue(a.sampling.temperature)
        self.top_k = QSpinBox()
        self.top_k.setAccessibleName("Passages per collection")
        self.top_k.setRange(1, 50)
        self.top_k.setValue(a.collections[0].top_k if a.collections else 5)
        self.top_k.setEnabled(bool(a.collections))
        self.settings = QWidget()
        form = QFormLayout(self.settings)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Instructions", self.instructions)
        form.addRow("Model", self.model)
        form.addRow("Behaviour", self.preset)
        form.addRow("Creativity", self.temperature)
        form.addRow("Passages", self.top_k)
        self.settings.setVisible(False)

        self.transcript = TranscriptView()
        self.transcript.citation_requested.connect(self.citation_requested)
        self.usage = QLabel()
        self.usage.setObjectName("meta")
        self.usage.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.checks = QLabel()  # its score on the assistant's check questions, once run
        self.checks.setObjectName("meta")
        self.checks.setWordWrap(True)
        self.checks.setAccessibleName("Check questions passed")
        self.checks.hide()
        self.prompt_button = QToolButton()
        self.prompt_button.setText("Final prompt")
        self.prompt_button.setCheckable(True)
        self.prompt_button.setEnabled(False)
        self.prompt_button.setAccessibleName("Show the final prompt")
        self.prompt = QPlainTextEdit()
        self.prompt.setReadOnly(True)
        self.prompt.setAccessibleName("Final prompt")
        self.prompt.hide()
        self.pick_button = QPushButton("I prefer this one")
        self.pick_button.hide()
        self.keep_button = QPushButton("Keep this one")
        self.keep_button.setToolTip("Save this variant; the others are kept as drafts")
        keep_menu = QMenu(self.keep_button)
        keep_menu.addAction("Into the assistant", lambda: self.keep_requested.emit(self, False))
        keep_menu.addAction("As a new assistant", lambda: self.keep_requested.emit(self, True))
        self.keep_button.setMenu(keep_menu)
        self.keep_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.prompt_button)
        buttons.addStretch(1)
        buttons.addWidget(self.pick_button)
        buttons.addWidget(self.keep_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(header)
        layout.addWidget(self.settings)
        layout.addWidget(self.transcript, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.checks)
        layout.addWidget(self.usage)
        layout.addWidget(self.prompt, 1)
        layout.addLayout(buttons)

        self.edit_button.toggled.connect(self.settings.setVisible)
        self.prompt_button.toggled.connect(self.prompt.setVisible)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        self.pick_button.clicked.connect(lambda: self.picked.emit(self))
        self.instructions.textChanged.connect(self._edited)
        self.model.currentIndexChanged.connect(self._edited)
        self.preset.currentTextChanged.connect(self._edited)
        self.temperature.valueChanged.connect(self._edited)
        self.top_k.valueChanged.connect(self._edited)
        self.set_label(variant.name)

    def set_label(self, label: str) -> None:
        self.title.setText(label)
        self.setAccessibleName(f"Variant {label}")

    def set_blind(self, blind: bool, label: str) -> None:
        """Blind: nothing says which variant this is (its name, settings and prompt hidden)."""
        self.set_label(label if blind else self.variant.name)
        self.edit_button.setChecked(False)
        for widget in (self.edit_button, self.prompt_button, self.remove_button):
            widget.setVisible(not blind)
        self.prompt_button.setChecked(False)
        self.pick_button.setVisible(blind)
        self.keep_button.setVisible(not blind)

    def _edited(self) -> None:
        self.changed.emit(self)

    def edits(self) -> dict[str, object]:
        """The values shown, for the façade's vary_variant."""
        return {
            "system_prompt": self.instructions.toPlainText(),
            "model_id": self.model.currentData(),
            "preset": self.preset.currentText(),
            "temperature": self.temperature.value(),
            "top_k": self.top_k.value() if self.top_k.isEnabled() else None,
        }

    # A run --------------------------------------------------------------------------------
    def begin(self) -> None:
        self.edit_button.setChecked(False)  # the answer needs the room; "Change…" opens it again
        self.transcript.clear()
        self.transcript.begin_stream()
        self.usage.clear()
        self.problem.hide()
        self.prompt.clear()
        self.prompt_button.setEnabled(False)
        self.keep_button.setEnabled(False)

    def show_checks(self, run: CheckRun) -> None:
        """Its score on the check questions, the questions it failed in the tooltip."""
        failed = [r.check.question for r in run.results if not r.passed]
        self.checks.setText(f"Check questions: {run.summary()}")
        self.checks.setToolTip("Failed: " + "; ".join(failed) if failed else "All passed.")
        self.checks.show()

    def show_prompt(self, text: str) -> None:
        self.prompt.setPlainText(text)
        self.prompt_button.setEnabled(bool(text))

    def stream(self, text: str) -> None:
        self.transcript.stream(text)

    def show_answer(self, answer: Answer) -> None:
        self.usage.setText(usage_line(answer))
        if answer.prompt:
            self.show_prompt(answer.prompt)

    def show_kept(self, message: Message) -> None:
        """The finished answer as Chat shows it: marks, source chips and timings."""
        self.transcript.show_messages([message])
        for view in self.transcript.views:  # "Why this answer" belongs to a kept conversation
            why = getattr(view, "why_button", None)
            if why is not None:
                why.hide()
        self.keep_button.setEnabled(True)

    def show_problem(self, message: str) -> None:
        self.transcript.end_stream()
        self.problem.setText(message)
        self.problem.show()

    def end(self) -> None:
        self.transcript.end_stream()
        self.keep_button.setEnabled(True)
