"""The Model section: which installed model runs the assistant (or a model a model server
offers, marked with the server's name), an optional adapter with its strength, and how much
the assistant keeps in mind at once (the context size)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from assistant_builder.core.app import model_ref
from assistant_builder.core.records import (
    AdapterRef,
    Assistant,
    InstalledModel,
    ModelRef,
    ServerModel,
    about_words,
)
from assistant_builder.ui.editor.section import FieldGrid, Section, heading, hint

CONTEXT_STEPS = (512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072)

# (model id, label, verdict text): the "will it run?" estimate feeds these when it arrives.
ModelChoice = tuple[str, str, str]


SERVER_SEP = "\x1f"  # joins a server's name and its model id in a choice's key


def choice_key(model: ModelRef) -> str:
    """The model list's key for ``model``: its id, or its server and id for a server's."""
    return f"{model.server}{SERVER_SEP}{model.id}" if model.server else model.id


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
        self._server_models: dict[str, ServerModel] = {}  # by choice_key
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
        self.context.setAccessibleName("Memory for the conversation")
        self.context.setToolTip(
            "How much text (instructions, documents and the conversation so far) the model "
            "can keep in mind at once. More needs more of the computer's memory."
        )
        self.context_value = QLabel()
        self.context_value.setAccessibleName("Memory for the conversation in words")
        crow.addWidget(self.context)
        crow.addWidget(self.context_value)
        grid.add(
            "&Memory for the conversation",
            context_row,
            "Instructions, documents and the conversation.",
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
        keep = self.current_model_id() if self.model.count() else choice_key(self._current_model)
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
                server, _, model_id = keep.rpartition(SERVER_SEP)
                label = f"{model_id} — on {server} (not listed now)" if server else ""
                self.model.addItem(label or f"{keep} (not installed)", keep)
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
        servers = [(key, m.label, "") for key, m in self._server_models.items()]
        self.set_model_choices([(m.id, m.name, "") for m in models if m.kind == "model"] + servers)
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

    def set_server_models(self, models: Sequence[ServerModel]) -> None:
        """The models the model servers offer now, listed after the installed ones."""
        self._server_models = {choice_key(ModelRef(m.id, server=m.server)): m for m in models}
        self.set_installed(list(self._installed.values()))

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
        if model_id == choice_key(assistant.model):
            model = assistant.model
        elif model_id in self._installed:
            model = model_ref(self._installed[model_id])
        elif SERVER_SEP in model_id:
            server, _, served = model_id.rpartition(SERVER_SEP)
            model = ModelRef(id=served, server=server)
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
        self.context_value.setText(about_words(self.context_size()))

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
        elif SERVER_SEP in self.current_model_id():
            server = self.current_model_id().rpartition(SERVER_SEP)[0]
            self.model_note.setText(
                f"Answered by the model server “{server}”, with its own chat template; the "
                "memory below is used when the server does not say its own."
            )
        elif self.current_model_id() not in self._installed:
            self.model_note.setText(
                "This model is not on this computer; choose another or install it first."
            )
        else:
            self.model_note.setText("")
