"""The Behaviour section: how the assistant picks its words (sampling), as presets (Precise,
Balanced, Creative) and as the individual settings, each control built from the one table of
sampling settings (range, step, label and its one-line explanation)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import cast

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from assistant_builder.core.app import preset_name, sampling_preset
from assistant_builder.core.records import (
    CUSTOM,
    SAMPLING_PRESETS,
    Assistant,
    SamplingOptions,
    Setting,
)
from assistant_builder.core.records import SAMPLING_SETTINGS as SETTINGS
from assistant_builder.ui.editor.section import FieldGrid, Section, heading, hint

RANDOM = -1  # the seed box's value below the table's minimum, shown as “Random”
THINK_HELP = (
    "The model works the question out before it answers: better reasoning, a longer wait. "
    "Its thinking is shown apart and is never part of the answer. Off by default for answers "
    "from documents."
)


def _control(s: Setting) -> QWidget:
    if s.kind == "texts":
        box = QPlainTextEdit()
        box.setPlaceholderText("One piece of text per line; write \\n for a line break")
        box.setMaximumHeight(72)
        return box
    if s.kind == "whole":
        spin = QSpinBox()
        spin.setRange(RANDOM if s.default is None else int(s.minimum), int(s.maximum))
        spin.setSingleStep(int(s.step))
        if s.default is None:
            spin.setSpecialValueText("Random")
        return spin
    double = QDoubleSpinBox()
    decimals = -int(Decimal(str(s.step)).as_tuple().exponent)
    double.setDecimals(max(0, decimals))
    double.setRange(s.minimum, s.maximum)
    double.setSingleStep(s.step)
    return double


# A stop text may hold a line break (a file or bundle can say so); in the box it is written \n,
# so that every stop text can be shown on its line and saved back unchanged.
def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _unescape(line: str) -> str:
    out, i = [], 0
    while i < len(line):
        pair = line[i : i + 2]
        if pair in ("\\n", "\\\\"):
            out.append("\n" if pair == "\\n" else "\\")
            i += 2
        else:
            out.append(line[i])
            i += 1
    return "".join(out)


def _mnemonic(label: str, taken: set[str]) -> str:
    for i, char in enumerate(label):
        if char.isalpha() and char.lower() not in taken:
            taken.add(char.lower())
            return f"{label[:i]}&{label[i:]}"
    return label


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
        self.controls: dict[str, QWidget] = {}
        taken: set[str] = set()
        for setting in SETTINGS:
            control = _control(setting)
            control.setObjectName(setting.name)
            self.controls[setting.name] = control
            grid.add(_mnemonic(setting.label, taken), control, setting.help)
            if isinstance(control, QPlainTextEdit):
                control.textChanged.connect(self._on_knob)
            else:
                cast(QSpinBox | QDoubleSpinBox, control).valueChanged.connect(self._on_knob)
        self.body.addWidget(heading("Settings"))
        self.body.addLayout(grid)
        # Offered only when the model's template can switch thinking (offer_thinking).
        self.think = QCheckBox("Think before answering")
        self.think.setAccessibleName("Think before answering")
        self.think_hint = hint(THINK_HELP)
        self.think.toggled.connect(self._on_think)
        self._think: bool | None = None
        self.body.addWidget(self.think)
        self.body.addWidget(self.think_hint)
        self.offer_thinking(False)
        self.body.addStretch(1)

    def offer_thinking(self, offered: bool) -> None:
        self.think.setVisible(offered)
        self.think_hint.setVisible(offered)

    def _on_think(self, checked: bool) -> None:
        if self._loading:
            return
        self._think = checked
        self._emit_changed()

    def sampling(self, base: SamplingOptions | None = None) -> SamplingOptions:
        values: dict[str, object] = {}
        for setting in SETTINGS:
            control = self.controls[setting.name]
            if isinstance(control, QPlainTextEdit):
                lines = control.toPlainText().splitlines()
                values[setting.name] = tuple(_unescape(line) for line in lines if line.strip())
            elif isinstance(control, QSpinBox):
                value = control.value()
                values[setting.name] = (
                    None if value == RANDOM and setting.default is None else value
                )
            elif isinstance(control, QDoubleSpinBox):
                values[setting.name] = round(control.value(), control.decimals())
        return replace(base or SamplingOptions(), **values)  # type: ignore[arg-type]

    def _show(self, s: SamplingOptions) -> None:
        was = self._loading
        self._loading = True
        try:
            for setting in SETTINGS:
                control, value = self.controls[setting.name], getattr(s, setting.name)
                if isinstance(control, QPlainTextEdit):
                    if value != self.sampling().stop:  # keeps the cursor while one types
                        control.setPlainText("\n".join(_escape(text) for text in value))
                elif isinstance(control, QSpinBox | QDoubleSpinBox):
                    control.setValue(RANDOM if value is None else value)
        finally:
            self._loading = was
        self._show_preset()

    def _load(self, assistant: Assistant) -> None:
        self._show(assistant.sampling)
        self._think = assistant.think
        was, self._loading = self._loading, True
        try:
            self.think.setChecked(assistant.thinks())
        finally:
            self._loading = was

    def apply(self, assistant: Assistant) -> Assistant:
        return replace(assistant, sampling=self.sampling(assistant.sampling), think=self._think)

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
