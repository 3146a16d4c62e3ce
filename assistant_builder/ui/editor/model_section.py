"""The Model section: which installed model runs the assistant, an optional adapter with its
strength, and how much the assistant keeps in mind at once (the context size)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from assistant_builder.core.app import model_ref
from assistant_builder.core.records import AdapterRef, Assistant, InstalledModel, ModelRef
from assistant_builder.ui.editor.section import FieldGrid, Section, heading, hint

CONTEXT_STEPS = (512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072)

# (model id, label, verdict text): the "will it run?" estimate feeds these when it arrives.
ModelChoice = tuple[str, str, str]


def context_words(tokens: int) -> str:
    return f"{tokens:,} tokens, about {round(tokens * 0.75, -2):,.0f} words"


class ModelSection(Section):
    title = "Model"
    intro = (
        "The model is the assistant's general knowledge and way with words. Larger models "
        "write better but need more memory and answer more slowly."
    )
    context_size_changed = Signal(int)
    model_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._installed: dict[str, InstalledModel] = {}
        self._current_model = ModelRef(id="")
        self._current_adapter: AdapterRef | None = None

        grid = FieldGrid()
        model_row = QWidget()
        row = QHBoxLayout(model_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.model = QComboBox()
        self.model.setMinimumWidth(160)
        self.verdict = QLabel()
        self.verdict.setObjectName("pill")
        self.verdict.setAccessibleName("Will it run on this computer")
        self.verdict.hide()
        row.addWidget(self.model, 1)
        row.addWidget(self.verdict)
        self.model_note = grid.add("&Model", model_row, "")
        self.model.setAccessibleName("Model")

        self.adapter = QComboBox()
        self.adapter.setToolTip(
            "An adapter (LoRA) is a small add-on trained to give a model a specialised skill "
            "or style."
        )
        grid.add("&Adapter", self.adapter, "Optional: a specialised skill or style on top.")
        strength_row = QWidget()
        srow = QHBoxLayout(strength_row)
        srow.setContentsMargins(0, 0, 0, 0)
        self.strength = QSlider(Qt.Orientation.Horizontal)
        self.strength.setRange(0, 200)
        self.strength.setSingleStep(5)
        self.strength.setPageStep(25)
        self.strength.setAccessibleName("Adapter strength")
        self.strength_value = QLabel()
        self.strength_value.setMinimumWidth(48)
        srow.addWidget(self.strength, 1)
        srow.addWidget(self.strength_value)
        grid.add(
            "Adapter &strength", strength_row, "100% is what it was trained for; less softens it."
        )
        self.strength.setToolTip("How strongly the adapter changes the model (its LoRA scale).")

        context_row = QWidget()
        crow = QVBoxLayout(context_row)  # the value under the slider: the slider keeps the width
        crow.setContentsMargins(0, 0, 0, 0)
        crow.setSpacing(2)
        self.context = QSlider(Qt.Orientation.Horizontal)
        self.context.setRange(0, len(CONTEXT_STEPS) - 1)
        self.context.setPageStep(1)
        self.context.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.context.setAccessibleName("Context size")
        self.context.setToolTip(
            "The context window: how much text (instructions, documents and the conversation "
            "so far) the model can keep in mind at once. More needs more memory."
        )
        self.context_value = QLabel()
        self.context_value.setAccessibleName("Context size in words")
        crow.addWidget(self.context)
        crow.addWidget(self.context_value)
        grid.add(
            "&Memory for the chat", context_row, "Instructions, documents and the conversation."
        )
        self.memory_estimate = hint("")
        self.memory_estimate.setAccessibleName("Memory estimate")
        self.memory_estimate.hide()

        self.body.addWidget(heading("Model"))
        self.body.addLayout(grid)
        self.body.addWidget(self.memory_estimate)
        self.body.addStretch(1)

        self.model.currentIndexChanged.connect(self._on_model)
        self.adapter.currentIndexChanged.connect(self._on_adapter)
        self.strength.valueChanged.connect(self._on_strength)
        self.context.valueChanged.connect(self._on_context)
        self._custom_context: int | None = None

    # Seams for the "will it run?" estimate, which arrives with the models core.
    def set_model_choices(self, items: Sequence[ModelChoice]) -> None:
        """Fill the model list; a non-empty verdict is shown as a pill for the chosen model."""
        keep = self.current_model_id() if self.model.count() else self._current_model.id
        was = self._loading
        self._loading = True
        try:
            self.model.clear()
            for model_id, label, verdict in items:
                self.model.addItem(label, model_id)
                self.model.setItemData(
                    self.model.count() - 1, verdict, Qt.ItemDataRole.UserRole + 1
                )
            if keep and self.model.findData(keep) < 0:
                self.model.addItem(f"{keep} (not installed)", keep)
            self.model.setCurrentIndex(max(0, self.model.findData(keep)))
        finally:
            self._loading = was
        self._show_verdict()

    def set_memory_estimate(self, text: str) -> None:
        self.memory_estimate.setText(text)
        self.memory_estimate.setVisible(bool(text))

    def set_installed(self, models: Sequence[InstalledModel]) -> None:
        """The installed models and adapters, as the registry lists them."""
        self._installed = {m.id: m for m in models}
        self.set_model_choices([(m.id, m.name, "") for m in models if m.kind == "model"])
        # An empty list is being filled for a newly loaded assistant; else keep the choice.
        keep = self.current_adapter_id() if self.adapter.count() else (
            self._current_adapter.id if self._current_adapter else ""
        )  # fmt: skip
        was = self._loading
        self._loading = True
        try:
            self.adapter.clear()
            self.adapter.addItem("None", "")
            for m in models:
                if m.kind == "adapter":
                    self.adapter.addItem(m.name, m.id)
            if keep and self.adapter.findData(keep) < 0:
                self.adapter.addItem(f"{keep} (not installed)", keep)
            self.adapter.setCurrentIndex(max(0, self.adapter.findData(keep)))
        finally:
            self._loading = was
        self._update_notes()

    def current_model_id(self) -> str:
        return str(self.model.currentData() or "")

    def current_adapter_id(self) -> str:
        return str(self.adapter.currentData() or "")

    def context_size(self) -> int:
        if self._custom_context is not None:
            return self._custom_context
        return CONTEXT_STEPS[self.context.value()]

    def _load(self, assistant: Assistant) -> None:
        self._current_model = assistant.model
        self._current_adapter = assistant.adapters[0] if assistant.adapters else None
        self.model.clear()
        self.adapter.clear()
        self.set_installed(list(self._installed.values()))
        scale = self._current_adapter.scale if self._current_adapter else 1.0
        self.strength.setValue(round(scale * 100))
        size = assistant.context_size
        # A size typed into the file by hand is kept until the person moves the slider.
        self._custom_context = None if size in CONTEXT_STEPS else size
        nearest = min(range(len(CONTEXT_STEPS)), key=lambda i: abs(CONTEXT_STEPS[i] - size))
        self.context.setValue(nearest)
        self._on_strength(self.strength.value())
        self._show_context()
        self._update_notes()

    def apply(self, assistant: Assistant) -> Assistant:
        model_id = self.current_model_id()
        if model_id == assistant.model.id:
            model = assistant.model
        elif model_id in self._installed:
            model = model_ref(self._installed[model_id])
        else:
            model = ModelRef(id=model_id)
        adapter_id = self.current_adapter_id()
        adapters: tuple[AdapterRef, ...] = ()
        if adapter_id:
            scale = self.strength.value() / 100
            old = next((a for a in assistant.adapters if a.id == adapter_id), None)
            if old is not None:
                adapters = (replace(old, scale=scale),)
            elif adapter_id in self._installed:
                ref = model_ref(self._installed[adapter_id])
                adapters = (AdapterRef(ref.id, scale, ref.repo, ref.filename, ref.sha256),)
            else:
                adapters = (AdapterRef(adapter_id, scale),)
        # Adapters beyond the first are kept: this section edits one, and loses none.
        adapters += tuple(a for a in assistant.adapters[1:] if a.id != adapter_id)
        return replace(assistant, model=model, adapters=adapters, context_size=self.context_size())

    def _on_model(self, _index: int) -> None:
        self._show_verdict()
        self._update_notes()
        self.model_changed.emit(self.current_model_id())
        self._emit_changed()

    def _on_adapter(self, _index: int) -> None:
        self.strength.setEnabled(bool(self.current_adapter_id()))
        self._emit_changed()

    def _on_strength(self, value: int) -> None:
        self.strength_value.setText(f"{value}%")
        self._emit_changed()

    def _on_context(self, _value: int) -> None:
        if not self._loading:
            self._custom_context = None
        self._show_context()
        self.context_size_changed.emit(self.context_size())
        self._emit_changed()

    def _show_context(self) -> None:
        self.context_value.setText(context_words(self.context_size()))

    def _show_verdict(self) -> None:
        verdict = self.model.currentData(Qt.ItemDataRole.UserRole + 1) or ""
        self.verdict.setText(str(verdict))
        self.verdict.setVisible(bool(verdict))

    def _update_notes(self) -> None:
        self.strength.setEnabled(bool(self.current_adapter_id()))
        if self.model.count() == 0:
            self.model_note.setText(
                "No model is installed yet; add one on the Models page, then come back."
            )
        elif self.current_model_id() not in self._installed:
            self.model_note.setText(
                "This model is not on this computer; choose another or install it first."
            )
        else:
            self.model_note.setText("")
