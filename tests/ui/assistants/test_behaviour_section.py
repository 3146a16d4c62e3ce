"""The Behaviour section's controls come from the one table of sampling settings: their ranges,
steps and explanations, and the stop texts a person types are saved in the assistant."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from PySide6.QtWidgets import QDoubleSpinBox, QLabel, QPlainTextEdit, QSpinBox
from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.engine import sampling
from assistant_builder.core.engine.sampling import SETTINGS
from assistant_builder.ui.editor import behaviour_section
from assistant_builder.ui.editor.behaviour_section import BehaviourSection
from assistant_builder.ui.pages.assistants_page import AssistantsPage

from .test_editor import open_editor

MakePage = Callable[[], AssistantsPage]


def explanations(section: BehaviourSection) -> list[str]:
    return [label.text() for label in section.findChildren(QLabel) if label.objectName() == "hint"]


def test_each_control_takes_its_range_step_and_explanation_from_the_table(qtbot: QtBot) -> None:
    section = BehaviourSection()
    qtbot.addWidget(section)
    assert list(section.controls) == [s.name for s in SETTINGS]
    shown = explanations(section)
    for s in SETTINGS:
        control = section.controls[s.name]
        assert s.help in shown and control.accessibleName() == s.label
        if isinstance(control, QSpinBox | QDoubleSpinBox):
            low = s.minimum - 1 if s.default is None else s.minimum  # below it: “Random”
            assert (control.minimum(), control.maximum()) == (low, s.maximum), s.name
            assert control.singleStep() == s.step, s.name
        else:
            assert isinstance(control, QPlainTextEdit) and s.kind == "texts"


def test_a_changed_table_changes_the_control(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    hotter = tuple(
        replace(s, maximum=3.0, step=0.1, help="Hotter.") if s.name == "temperature" else s
        for s in SETTINGS
    )
    monkeypatch.setattr(behaviour_section, "SETTINGS", hotter)
    section = BehaviourSection()
    qtbot.addWidget(section)
    temperature = section.controls["temperature"]
    assert isinstance(temperature, QDoubleSpinBox)
    assert (temperature.maximum(), temperature.singleStep()) == (3.0, 0.1)
    assert "Hotter." in explanations(section)
    assert sampling.setting("temperature").maximum == 2.0  # the real table is untouched


def test_stop_texts_typed_one_per_line_are_saved_and_shown_again(
    make_page: MakePage, household: Assistant, store: AssistantStore
) -> None:
    _, editor = open_editor(make_page, household)
    stop = editor.behaviour.controls["stop"]
    assert isinstance(stop, QPlainTextEdit) and stop.toPlainText() == ""
    stop.setPlainText("Question:\n\nSources\\n\n")  # a blank line is no stop text
    assert editor.save_button.isEnabled()
    assert editor.behaviour.current_preset() == "Balanced"  # stop texts are not a style
    editor.save_button.click()
    assert store.get(household.id).sampling.stop == ("Question:", "Sources\n")
    _, again = open_editor(make_page, store.get(household.id))
    assert again.behaviour.controls["stop"].toPlainText() == "Question:\nSources\\n"


def test_stop_texts_the_box_cannot_show_plainly_are_saved_back_unchanged(
    make_page: MakePage, household: Assistant, store: AssistantStore
) -> None:
    odd = ("\n\n", " Q:", "C:\\temp")  # from a file or a bundle
    store.save(replace(household, sampling=replace(household.sampling, stop=odd)))
    _, editor = open_editor(make_page, store.get(household.id))
    editor.about.description.setPlainText("Something else changed.")
    editor.save_button.click()
    assert store.get(household.id).sampling.stop == odd
