"""The assistant editor, section by section, as a person would use it, against the real store."""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QSlider,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from assistant_builder.core.app import App
from assistant_builder.core.assistants.model import Assistant, Example
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.models.registry import InstalledModel
from assistant_builder.core.paths import Paths
from assistant_builder.core.services import Services
from assistant_builder.core.settings import Settings
from assistant_builder.ui.editor.editor import AssistantEditor
from assistant_builder.ui.editor.examples import ExamplesModel
from assistant_builder.ui.main_window import MainWindow
from assistant_builder.ui.pages.assistants_page import AssistantsPage

from .conftest import install

MakePage = Callable[[], AssistantsPage]


def open_editor(
    make_page: MakePage, assistant: Assistant
) -> tuple[AssistantsPage, AssistantEditor]:
    page = make_page()
    page.cards[assistant.id].edit_button.click()
    return page, page.editor


def test_an_edit_marks_unsaved_and_revert_or_save_clear_the_mark(
    make_page: MakePage, household: Assistant, store: AssistantStore
) -> None:
    _, editor = open_editor(make_page, household)
    before = store.path_of(household.id).read_bytes()
    assert editor.title.text() == "Household papers"
    assert not editor.save_button.isEnabled() and not editor.revert_button.isEnabled()
    editor.about.description.setPlainText("Bills, contracts and letters.")
    assert editor.title.text() == "Household papers  •"
    assert editor.save_button.isEnabled() and editor.revert_button.isEnabled()
    editor.revert_button.click()
    assert editor.about.description.toPlainText() == "Answers from my bills and contracts."
    assert editor.title.text() == "Household papers"
    assert store.path_of(household.id).read_bytes() == before
    # Typing the old text back by hand is not a change either.
    editor.about.name.setText("Household")
    editor.about.name.setText("Household papers")
    assert not editor.is_dirty()
    editor.about.name.setText("Home papers")
    editor.about.icon.setCurrentIndex(editor.about.icon.findData("⚖"))
    editor.save_button.click()
    saved = store.get(household.id)
    assert (saved.name, saved.icon) == ("Home papers", "⚖")
    assert editor.title.text() == "Home papers" and not editor.save_button.isEnabled()


def test_variables_come_from_a_menu_and_are_highlighted(
    make_page: MakePage, household: Assistant, store: AssistantStore
) -> None:
    _, editor = open_editor(make_page, household)
    section = editor.instructions
    editor.tabs.setCurrentWidget(section)
    labels = [a.data() for a in section.variables_menu.actions()]
    assert labels == ["date", "time", "weekday", "user_name", "assistant_name"]
    section.prompt.setPlainText("Hello ")
    cursor = section.prompt.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    section.prompt.setTextCursor(cursor)
    section.variables_menu.actions()[0].trigger()
    assert section.prompt.toPlainText() == "Hello {date}"
    block = section.prompt.document().firstBlock()
    formats = block.layout().formats()
    [fmt] = [f for f in formats if f.start == 6]
    assert fmt.length == len("{date}")
    assert fmt.format.foreground().color() == section.highlighter.known_format.foreground().color()
    assert section.unknown_note.isHidden()
    section.prompt.setPlainText("Hi {usr_name}")
    assert section.unknown_note.isVisible()
    assert section.unknown_note.text().startswith("{usr_name} is not a variable")
    unknown = [f for f in section.prompt.document().firstBlock().layout().formats() if f.start == 3]
    assert unknown[0].format.underlineStyle() == unknown[0].format.UnderlineStyle.WaveUnderline
    editor.save_button.click()
    assert store.get(household.id).system_prompt == "Hi {usr_name}"


def test_examples_are_added_edited_reordered_and_removed(
    make_page: MakePage, household: Assistant, store: AssistantStore
) -> None:
    _, editor = open_editor(make_page, household)
    ex = editor.instructions.examples
    ex.add_button.click()
    model = ex.model
    model.setData(model.index(1, 0), "Who is the landlord?")
    model.setData(model.index(1, 1), "Mrs Smith [2].")
    ex.add_button.click()
    model.setData(model.index(2, 0), "How much is the deposit?")
    model.setData(model.index(2, 1), "Two months of rent [1].")
    assert ex.selected_row() == 2
    ex.up_button.click()  # the deposit moves above the landlord
    assert ex.selected_row() == 1
    ex.select_row(0)
    ex.remove_button.click()
    ex.add_button.click()  # an empty row is not saved
    editor.save_button.click()
    assert store.get(household.id).examples == (
        Example("How much is the deposit?", "Two months of rent [1]."),
        Example("Who is the landlord?", "Mrs Smith [2]."),
    )


def test_examples_model_passes_the_model_tester(qtmodeltester: object) -> None:
    model = ExamplesModel()
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.set_examples((Example("a", "b"), Example("c", "d"), Example("e", "f")))
    model.move(0, +1)
    model.move(2, -1)
    model.remove(1)
    model.add("g", "h")
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert [e.user for e in model.examples()] == ["c", "a", "g"]


def test_an_empty_example_shows_what_to_write_and_edits_as_empty() -> None:
    model = ExamplesModel()
    model.set_examples((Example("", ""),))  # the "Ask my documents" starter's placeholder
    asks, answers = model.index(0, 0), model.index(0, 1)
    assert "not sent until both sides are filled in" in asks.data()
    assert "[1]" in answers.data() and answers.data(Qt.ItemDataRole.EditRole) == ""
    assert asks.data(Qt.ItemDataRole.ForegroundRole) is not None  # greyed like a placeholder
    model.setData(asks, "When is the recycling collected?")
    assert asks.data() == "When is the recycling collected?"
    assert asks.data(Qt.ItemDataRole.ForegroundRole) is None


def test_a_broken_chat_template_is_explained_as_you_type_and_never_saved(
    make_page: MakePage, household: Assistant, store: AssistantStore, qtbot: QtBot
) -> None:
    _, editor = open_editor(make_page, household)
    section = editor.instructions
    editor.tabs.setCurrentWidget(section)
    before = store.path_of(household.id).read_bytes()
    assert section.template.isHidden()
    section.template_switch.click()
    assert section.template.isVisible()
    section.template.setPlainText("{% for m in messages %}{{ m.content }")
    qtbot.waitUntil(lambda: "mistake on line 1" in section.template_status.text())
    editor.save_button.click()
    assert editor.banner.message.text().startswith("The chat template has a mistake on line 1")
    assert store.path_of(household.id).read_bytes() == before
    good = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}\n{% endfor %}"
    section.template.setPlainText(good)
    qtbot.waitUntil(lambda: section.template_status.text().startswith("✔"))
    editor.save_button.click()
    assert store.get(household.id).chat_template == good
    section.template_switch.click()  # back to the model's own template
    editor.save_button.click()
    assert store.get(household.id).chat_template == ""


def test_knowledge_settings_are_saved(
    make_page: MakePage, household: Assistant, store: AssistantStore
) -> None:
    _, editor = open_editor(make_page, household)
    k = editor.knowledge
    assert k.checked_names() == ["Household papers"]
    assert (k.top_k.value(), k.min_score.value()) == (4, 0.25)
    k.set_checked("Recipes", True)
    k.top_k.setValue(8)
    k.mode.setCurrentIndex(k.mode.findData("keyword"))
    assert k.mode.currentText() == "Exact words only"
    k.min_score.setValue(0.4)
    k.refusal.setPlainText("Not in your papers, sorry.")
    editor.save_button.click()
    saved = store.get(household.id)
    assert [(c.name, c.top_k, c.mode, c.min_score) for c in saved.collections] == [
        ("Household papers", 8, "keyword", 0.4),
        ("Recipes", 8, "keyword", 0.4),
    ]
    assert saved.refusal_text == "Not in your papers, sorry."
    k.set_checked("Household papers", False)
    k.set_checked("Recipes", False)
    assert "every question gets the reply below" in k.collections_note.text()
    k.only_documents.click()
    assert not k.refusal.isEnabled()
    editor.save_button.click()
    saved = store.get(household.id)
    assert saved.collections == () and not saved.only_from_documents


def test_a_collection_that_disappeared_is_shown_as_missing_and_kept(
    make_page: MakePage, household: Assistant, paths: Paths, store: AssistantStore
) -> None:
    shutil.rmtree(paths.collections_dir / "Household papers")
    _, editor = open_editor(make_page, household)
    items = [editor.knowledge.collections.item(i).text() for i in range(2)]
    assert items == ["Recipes", "Household papers (missing)"]
    editor.about.description.setPlainText("x")
    editor.save_button.click()
    assert [c.name for c in store.get(household.id).collections] == ["Household papers"]


def test_presets_set_the_knobs_and_a_hand_edit_says_custom(
    make_page: MakePage, household: Assistant, store: AssistantStore
) -> None:
    _, editor = open_editor(make_page, household)
    b = editor.behaviour
    assert b.preset_label.text() == "Now: Balanced" and b.buttons["Balanced"].isChecked()
    b.buttons["Creative"].click()
    assert b.controls["temperature"].value() == 1.0 and b.controls["top_k"].value() == 80
    assert b.preset_label.text() == "Now: Creative"
    assert b.preset_explanation.text().startswith("Takes more chances")
    b.controls["temperature"].setValue(0.85)
    assert b.preset_label.text() == "Now: Custom"
    assert not any(button.isChecked() for button in b.buttons.values())
    b.controls["max_tokens"].setValue(256)
    b.controls["seed"].setValue(42)
    editor.save_button.click()
    s = store.get(household.id).sampling
    assert (s.temperature, s.top_k, s.max_tokens, s.seed) == (0.85, 80, 256, 42)
    b.controls["seed"].setValue(-1)
    assert b.controls["seed"].text() == "Random"
    editor.save_button.click()
    assert store.get(household.id).sampling.seed is None


def test_model_adapter_strength_and_context_size_are_saved(
    make_page: MakePage, household: Assistant, store: AssistantStore, paths: Paths
) -> None:
    install(paths, "qwen", "Qwen 0.5B")
    lora = install(paths, "legal-lora", "Legal style", kind="adapter")
    _, editor = open_editor(make_page, household)
    m = editor.model_section
    assert [m.model.itemText(i) for i in range(m.model.count())] == [
        "SmolLM2 135M Instruct",
        "Qwen 0.5B",
    ]
    assert not m.strength.isEnabled()
    m.model.setCurrentIndex(m.model.findData("qwen"))
    m.adapter.setCurrentIndex(m.adapter.findData("legal-lora"))
    assert m.strength.isEnabled()
    m.strength.setValue(60)
    assert m.strength_value.text() == "60%"
    m.context.setValue(m.context.value() + 1)
    assert m.context_value.text() == "about 6,100 words"
    editor.save_button.click()
    saved = store.get(household.id)
    assert saved.model.id == "qwen" and saved.model.repo == "someone/qwen-GGUF"
    assert [(a.id, a.scale, a.sha256) for a in saved.adapters] == [("legal-lora", 0.6, lora.sha256)]
    assert saved.context_size == 8192


def test_the_seams_for_the_will_it_run_pill_and_memory_estimate(
    make_page: MakePage, household: Assistant
) -> None:
    _, editor = open_editor(make_page, household)
    m = editor.model_section
    editor.tabs.setCurrentWidget(m)
    assert m.verdict.isHidden() and m.memory_estimate.isHidden()
    m.set_model_choices(
        [("smollm2", "SmolLM2 135M Instruct", "Fits"), ("big", "Big 70B", "Won't fit")]
    )
    assert m.verdict.isVisible() and m.verdict.text() == "Fits"
    m.model.setCurrentIndex(1)
    assert m.verdict.text() == "Won't fit"
    m.set_memory_estimate("Needs about 0.3 GB of your 24 GB.")
    assert m.memory_estimate.isVisible()


def test_without_any_model_a_new_assistant_says_where_to_get_one(
    make_page: MakePage, store: AssistantStore
) -> None:
    page = make_page()
    page.new_menu.actions()[2].trigger()
    editor = page.editor
    assert "No model is installed yet" in editor.model_section.model_note.text()
    editor.tabs.setCurrentWidget(editor.about)
    editor.save_button.click()
    assert "it has no model" in editor.banner.message.text()
    assert editor.tabs.currentWidget() is editor.model_section
    assert store.list() == []


def test_invalid_names_are_refused_with_a_sentence(
    make_page: MakePage, household: Assistant, store: AssistantStore
) -> None:
    store.duplicate(household.id)
    before = store.path_of(household.id).read_bytes()
    _, editor = open_editor(make_page, household)
    editor.tabs.setCurrentWidget(editor.behaviour)
    editor.about.name.setText("   ")
    assert editor.about.name_note.text() == "Give the assistant a name."
    editor.save_button.click()
    assert "it has no name" in editor.banner.message.text()
    assert editor.tabs.currentWidget() is editor.about  # where the problem is
    editor.about.name.setText("household papers (2)")
    assert editor.about.name_note.text() == (
        "Another assistant is already called “household papers (2)”; choose another name."
    )
    assert editor.banner.isVisible()  # still refused: the name is taken
    editor.about.name.setText("Household papers, kept")
    assert not editor.banner.isVisible()  # its cause fixed, the banner is gone
    editor.about.name.setText("household papers (2)")
    editor.save_button.click()
    assert editor.banner.message.text() == (
        "An assistant called “household papers (2)” already exists; choose another name."
    )
    assert store.path_of(household.id).read_bytes() == before
    assert editor.is_dirty()
    editor.about.name.setText("Household papers")  # its own name is of course free
    assert editor.about.name_note.text() == "Shown on its card and in the chat."


def _answer_next_question(qtbot: QtBot, button: QMessageBox.StandardButton) -> list[str]:
    """Click ``button`` in the next message box, as a person would; returns its text."""
    seen: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(0, click)
    return seen


def test_leaving_with_unsaved_changes_asks_save_discard_or_cancel(
    make_page: MakePage, household: Assistant, store: AssistantStore, qtbot: QtBot
) -> None:
    page, editor = open_editor(make_page, household)
    editor.about.name.setText("Renamed")
    asked = _answer_next_question(qtbot, QMessageBox.StandardButton.Cancel)
    editor.back_button.click()
    assert asked == ["Save the changes to “Renamed”?"]
    assert page.editing and editor.about.name.text() == "Renamed"
    _answer_next_question(qtbot, QMessageBox.StandardButton.Discard)
    editor.back_button.click()
    assert not page.editing
    assert store.get(household.id).name == "Household papers"
    page.cards[household.id].edit_button.click()
    editor.about.name.setText("Renamed")
    _answer_next_question(qtbot, QMessageBox.StandardButton.Save)
    editor.back_button.click()
    assert not page.editing
    assert store.get(household.id).name == "Renamed"


def test_closing_the_window_with_unsaved_changes_can_be_cancelled(
    qtbot: QtBot, household: Assistant, store: AssistantStore
) -> None:
    window = MainWindow(App(Services.create(), Settings()))
    qtbot.addWidget(window)
    window.show()
    page = window.assistants_page
    page.cards[household.id].edit_button.click()
    page.editor.about.description.setPlainText("Changed")
    assert window.windowTitle() == "Assistant Builder •"
    _answer_next_question(qtbot, QMessageBox.StandardButton.Cancel)
    assert not window.close()
    assert window.isVisible()
    _answer_next_question(qtbot, QMessageBox.StandardButton.Save)
    assert window.close()
    assert store.get(household.id).description == "Changed"


def test_every_control_has_an_accessible_name(make_page: MakePage, household: Assistant) -> None:
    page, _ = open_editor(make_page, household)
    page.show_list()
    kinds = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QPlainTextEdit, QSlider,
             QListWidget, QTableView)  # fmt: skip
    unnamed = [
        f"{type(w).__name__} {w.objectName()} {getattr(w, 'text', lambda: '')()}"
        for w in page.findChildren(QWidget)
        if isinstance(w, kinds)
        and not w.accessibleName()
        and not (isinstance(w, QAbstractButton) and w.text())  # a button's text is its name
        and not isinstance(w.parent(), (QComboBox, QAbstractSpinBox))  # their inner editors
        and not w.objectName().startswith("qt_")  # Qt's own parts of a scroll area or table
    ]
    assert unnamed == []


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots_of_the_page_and_editor(
    qtbot: QtBot, household: Assistant, tmp_path, theme: str, model: InstalledModel
) -> None:
    from assistant_builder.ui.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    old = app.palette()
    apply_theme(app, theme)
    try:
        window = MainWindow(App(Services.create(), Settings()))
        qtbot.addWidget(window)
        window.resize(1000, 660)
        window.show()
        qtbot.waitExposed(window)
        page = window.assistants_page
        shots = [tmp_path / f"assistants-{theme}.png"]
        assert window.grab().save(str(shots[-1]))
        page.cards[household.id].edit_button.click()
        for index in range(page.editor.tabs.count()):
            page.editor.tabs.setCurrentIndex(index)
            shots.append(tmp_path / f"editor-{index}-{theme}.png")
            assert window.grab().save(str(shots[-1]))
        assert all(shot.stat().st_size > 10_000 for shot in shots)
        # Nothing the person must read is cut: each wrapped hint gets the height it needs.
        for label in page.editor.findChildren(QWidget, "hint"):
            if label.isVisible():
                assert label.height() >= label.heightForWidth(label.width()) - 1
        del window
    finally:
        app.setPalette(old)


def test_collections_keep_their_own_retrieval_settings_until_changed_here(
    make_page: MakePage, household: Assistant, store: AssistantStore
) -> None:
    from dataclasses import replace

    from assistant_builder.core.assistants.model import CollectionRef

    mixed = store.save(
        replace(
            household,
            collections=(
                CollectionRef("Household papers", top_k=4, min_score=0.25),
                CollectionRef("Recipes", top_k=2, mode="keyword"),
            ),
        )
    )
    _, editor = open_editor(make_page, mixed)
    k = editor.knowledge
    editor.tabs.setCurrentWidget(k)
    assert k.retrieval_note.isVisible() and "different settings" in k.retrieval_note.text()
    assert not editor.is_dirty()
    editor.about.description.setPlainText("Other words")
    editor.save_button.click()
    assert store.get(household.id).collections == mixed.collections
    k.top_k.setValue(7)
    editor.save_button.click()
    assert [(c.top_k, c.mode) for c in store.get(household.id).collections] == [
        (7, "hybrid"),
        (7, "hybrid"),
    ]


def test_a_context_size_typed_in_the_file_is_kept_until_the_slider_moves(
    make_page: MakePage, household: Assistant, store: AssistantStore
) -> None:
    from dataclasses import replace

    odd = store.save(replace(household, context_size=3000))
    _, editor = open_editor(make_page, odd)
    m = editor.model_section
    assert m.context_value.text() == "about 2,300 words"
    editor.about.description.setPlainText("x")
    editor.save_button.click()
    assert store.get(household.id).context_size == 3000
    m.context.setValue(m.context.value() + 1)  # the slider sat on the nearest step, 2,048
    editor.save_button.click()
    assert store.get(household.id).context_size == 4096
