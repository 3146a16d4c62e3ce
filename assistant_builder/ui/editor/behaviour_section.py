"""The Behaviour section: how the assistant picks its words (sampling), as presets (Precise,
Balanced, Creative) and as the individual knobs, each with a one-line explanation."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QButtonGroup,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from assistant_builder.core.assistants.model import Assistant, Sampling
from assistant_builder.core.assistants.presets import (
    CUSTOM,
    KNOB_EXPLANATIONS,
    SAMPLING_PRESETS,
    preset_name,
    sampling_preset,
)
from assistant_builder.ui.editor.section import FieldGrid, Section, heading, hint


def _double(low: float, high: float, step: float, decimals: int = 2) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setDecimals(decimals)
    return box


class BehaviourSection(Section):
    title = "Behaviour"
    intro = "How the assistant chooses its words. Start from a preset; experts can fine-tune."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout()
        self.preset_buttons = QButtonGroup(self)
        self.preset_buttons.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        for preset in SAMPLING_PRESETS:
            button = QPushButton(preset.name)
            button.setCheckable(True)
            button.setAccessibleName(f"{preset.name} preset")
            button.setToolTip(preset.explanation)
            self.preset_buttons.addButton(button)
            self.buttons[preset.name] = button
            row.addWidget(button)
            button.clicked.connect(lambda _=False, n=preset.name: self.choose_preset(n))
        self.preset_label = QLabel()
        self.preset_label.setObjectName("presetLabel")
        self.preset_label.setAccessibleName("Current preset")
        row.addSpacing(12)
        row.addWidget(self.preset_label)
        row.addStretch(1)
        self.preset_explanation = hint("")
        self.preset_explanation.setAccessibleName("Preset explanation")
        self.body.addWidget(heading("Style"))
        self.body.addLayout(row)
        self.body.addWidget(self.preset_explanation)

        grid = FieldGrid()
        self.temperature = _double(0.0, 2.0, 0.05)
        self.top_p = _double(0.05, 1.0, 0.01)
        self.top_k = QSpinBox()
        self.top_k.setRange(0, 500)
        self.min_p = _double(0.0, 1.0, 0.01)
        self.repeat_penalty = _double(0.8, 2.0, 0.01)
        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(16, 32768)
        self.max_tokens.setSingleStep(64)
        self.max_tokens.setSuffix(" tokens")
        self.seed = QSpinBox()
        self.seed.setRange(-1, 2_147_483_647)
        self.seed.setSpecialValueText("Random")
        knobs = (
            ("&Temperature", self.temperature, "temperature",
             "Temperature: how much randomness goes into choosing each word."),
            ("Top-&p", self.top_p, "top_p", "Top-p (nucleus sampling)."),
            ("Top-&k", self.top_k, "top_k", "Top-k: a fixed number of candidate words."),
            ("M&in-p", self.min_p, "min_p", "Min-p: a floor relative to the likeliest word."),
            ("&Repeat penalty", self.repeat_penalty, "repeat_penalty",
             "Repeat penalty: how strongly repeating recent words is discouraged."),
            ("Longest &answer", self.max_tokens, "max_tokens",
             "Max tokens: the answer stops at this length."),
            ("&Seed", self.seed, "seed", "Seed of the random number generator."),
        )  # fmt: skip
        for label, control, key, tooltip in knobs:
            control.setToolTip(tooltip)
            grid.add(label, control, KNOB_EXPLANATIONS[key])
            control.valueChanged.connect(self._on_knob)
        self.body.addWidget(heading("Settings"))
        self.body.addLayout(grid)
        self.body.addStretch(1)

    def sampling(self, base: Sampling | None = None) -> Sampling:
        seed = self.seed.value()
        return replace(
            base or Sampling(),
            temperature=round(self.temperature.value(), 2),
            top_p=round(self.top_p.value(), 2),
            top_k=self.top_k.value(),
            min_p=round(self.min_p.value(), 2),
            repeat_penalty=round(self.repeat_penalty.value(), 2),
            max_tokens=self.max_tokens.value(),
            seed=None if seed < 0 else seed,
        )

    def _show(self, s: Sampling) -> None:
        was = self._loading
        self._loading = True
        try:
            self.temperature.setValue(s.temperature)
            self.top_p.setValue(s.top_p)
            self.top_k.setValue(s.top_k)
            self.min_p.setValue(s.min_p)
            self.repeat_penalty.setValue(s.repeat_penalty)
            self.max_tokens.setValue(s.max_tokens)
            self.seed.setValue(-1 if s.seed is None else s.seed)
        finally:
            self._loading = was
        self._show_preset()

    def _load(self, assistant: Assistant) -> None:
        self._show(assistant.sampling)

    def apply(self, assistant: Assistant) -> Assistant:
        return replace(assistant, sampling=self.sampling(assistant.sampling))

    def choose_preset(self, name: str) -> None:
        self._show(sampling_preset(name).apply(self.sampling()))
        self._emit_changed()

    def current_preset(self) -> str:
        return preset_name(self.sampling())

    def _on_knob(self, *_: object) -> None:
        if self._loading:
            return
        self._show_preset()
        self._emit_changed()

    def _show_preset(self) -> None:
        name = self.current_preset()
        self.preset_label.setText(f"Now: {name}")
        for preset_key, button in self.buttons.items():
            button.setChecked(preset_key == name)
        if name == CUSTOM:
            # An exclusive group keeps one button down; lift it so none looks chosen.
            self.preset_buttons.setExclusive(False)
            for button in self.buttons.values():
                button.setChecked(False)
            self.preset_buttons.setExclusive(True)
            self.preset_explanation.setText("Custom: you changed a setting by hand.")
        else:
            self.preset_explanation.setText(sampling_preset(name).explanation)
