"""The Compare view driven as a person would: opened from the card menu, a variant changed,
one question answered by the real SmolLM2 on passages the real MiniLM found once, blind mode,
"Keep this one", drafts kept across a restart and deleted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.app import App
from assistant_builder.core.assistants.model import Assistant, CollectionRef, ModelRef
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.engine.sampling import SamplingOptions
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.indexer import index_collection
from assistant_builder.core.paths import Paths
from assistant_builder.core.services import Services
from assistant_builder.core.settings import Settings
from assistant_builder.ui.compare.view import CompareView
from assistant_builder.ui.main_window import MainWindow

pytestmark = pytest.mark.integration

GARDEN = (
    "# Garden\n\nTomatoes are watered every morning in summer. The roses are pruned in "
    "February, just before the buds open.\n"
)
QUESTION = "When are the roses pruned?"


@pytest.fixture
def gardener(
    app_home: Paths, smollm2_registry: object, minilm_dir: Path, tmp_path: Path
) -> Assistant:
    paths = app_home.ensure()
    folder = tmp_path / "garden"
    folder.mkdir()
    (folder / "garden.md").write_text(GARDEN, encoding="utf-8")
    collections = Collections(paths)
    collections.create("Garden", [folder], embedder=str(minilm_dir))
    for _ in index_collection(collections, "Garden"):
        pass
    return AssistantStore(paths.assistants_dir).create(
        Assistant(
            id="", name="Gardener", model=ModelRef(id="smollm2"),
            system_prompt="You are {assistant_name}. Answer from the passages.",
            collections=(CollectionRef("Garden", top_k=2),),
            sampling=SamplingOptions(temperature=0.0, seed=1, max_tokens=16), context_size=1024,
        )
    )  # fmt: skip


def _window(qtbot: QtBot, shared_knowledge: object) -> MainWindow:
    window = MainWindow(
        App(Services.create(), Settings(threads=1, gpu_layers=0), knowledge=shared_knowledge)  # type: ignore[arg-type]
    )
    qtbot.addWidget(window)
    window.resize(1100, 720)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(qtbot: QtBot, gardener: Assistant, shared_knowledge: object) -> Iterator[MainWindow]:
    win = _window(qtbot, shared_knowledge)
    yield win
    win.close()


def compare_and_wait(qtbot: QtBot, view: CompareView, question: str = QUESTION) -> None:
    view.question.setText(question)
    with qtbot.waitSignal(view._runner.busy_changed, timeout=300_000,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        view.compare_button.click()


def test_variants_answer_side_by_side_on_passages_shown_once(
    qtbot: QtBot, window: MainWindow, gardener: Assistant
) -> None:
    window.assistants_page.cards[gardener.id].compare_action.trigger()
    view = window.compare_view
    assert window.assistants_page.stack.currentWidget() is view and view.isVisible()
    assert [c.variant.name for c in view.columns] == ["Saved", "A"]
    a, b = view.columns
    b.edit_button.click()
    b.instructions.setPlainText("Reply in one short sentence, quoting the passage.")
    assert b.variant.assistant.system_prompt.startswith("Reply in one short sentence")
    assert a.variant.assistant.system_prompt == gardener.system_prompt
    assert b.settings.isVisible()

    states: list[str] = []
    window.engine_host.state_changed.connect(states.append)
    compare_and_wait(qtbot, view)
    assert "same model, so it is loaded once" in view.plan.text()
    # The status bar says what the engine does for Compare, then what it holds.
    assert any(s.startswith("Comparing variants: Writing") for s in states), states
    assert not b.settings.isVisible() and not b.edit_button.isChecked()  # room for the answer
    assert window.engine_state.text() != "No model loaded"
    assert not window.engine_state.text().startswith("Comparing")
    assert view.passages.count() >= 1 and "garden.md" in view.passages.item(0).text()
    assert "given to every variant" in view.passages_title.text()
    for column in (a, b):
        answer = column.transcript.views[-1]
        assert answer.role == "assistant" and answer.text.strip()
        assert "tokens read" in column.usage.text() and "tokens/s" in column.usage.text()
        assert column.prompt_button.isEnabled() and column.keep_button.isEnabled()
        assert "The roses are pruned in February" in column.prompt.toPlainText()
    assert "one short sentence" in b.prompt.toPlainText()
    assert "one short sentence" not in a.prompt.toPlainText()
    b.prompt_button.click()
    assert b.prompt.isVisible()

    # Blind: nothing says which is which until the person picks.
    view.blind.setChecked(True)
    assert sorted(c.title.text() for c in view.columns) == ["Answer 1", "Answer 2"]
    assert all(not c.edit_button.isVisible() and c.pick_button.isVisible() for c in view.columns)
    assert not b.prompt.isVisible()
    b.pick_button.click()
    assert not view.blind.isChecked()
    assert b.title.text() == "A (your pick)"
    assert "You preferred variant A" in view.banner.message.text()


def test_keep_this_one_saves_it_and_the_drafts_survive_a_restart(
    qtbot: QtBot, window: MainWindow, gardener: Assistant, shared_knowledge: object
) -> None:
    window.assistants_page.cards[gardener.id].compare_action.trigger()
    view = window.compare_view
    view.add_variant()
    _saved, b, c = view.columns
    b.instructions.setPlainText("Answer in one sentence.")
    c.instructions.setPlainText("Answer in a list.")
    b.keep_button.menu().actions()[0].trigger()  # "Into the assistant"
    store = AssistantStore(window.app.paths.assistants_dir)
    assert store.get(gardener.id).system_prompt == "Answer in one sentence."
    assert "kept as drafts" in view.banner.message.text()
    # What was saved before, and the third variant, are kept as drafts.
    assert view.drafts_button.text() == "Drafts (2)"
    view.back_button.click()
    assert window.assistants_page.stack.currentWidget() is window.assistants_page.list_view
    window.close()

    again = _window(qtbot, shared_knowledge)
    again.assistants_page.cards[gardener.id].compare_action.trigger()
    view = again.compare_view
    names = [col.variant.name for col in view.columns]
    assert names == ["Saved", "B", "Before A"]  # the saved assistant, then its drafts
    prompts = [col.variant.assistant.system_prompt for col in view.columns]
    assert prompts == ["Answer in one sentence.", "Answer in a list.", gardener.system_prompt]
    draft_menu = view.drafts_menu.actions()[0].menu()
    assert draft_menu.title() == "B"
    draft_menu.actions()[1].trigger()  # "Delete"
    assert view.drafts_button.text() == "Drafts (1)"
    assert [d.name for d in again.app.compare_drafts(gardener.id)] == ["Before A"]
    again.close()


def test_compare_from_the_editor_starts_with_the_unsaved_draft(
    qtbot: QtBot, window: MainWindow, gardener: Assistant
) -> None:
    page = window.assistants_page
    page.open_editor(gardener.id)
    page.editor.instructions.prompt.setPlainText("Unsaved instructions.")
    page.editor.compare_button.click()
    view = window.compare_view
    assert page.stack.currentWidget() is view
    assert view.columns[0].variant.assistant.system_prompt == "Unsaved instructions."
    view.back_button.click()
    assert page.stack.currentWidget() is page.editor and page.editor.is_dirty()
    page.editor.revert()  # nothing to ask about when the window closes
    panel = page.editor.prompt_panel
    qtbot.waitUntil(lambda: not panel.runner.busy, timeout=120_000)  # its preview has ended


def test_run_checks_scores_every_variant_on_the_assistants_questions(
    qtbot: QtBot, window: MainWindow, gardener: Assistant
) -> None:
    from dataclasses import replace

    from assistant_builder.core.assistants.check_questions import CheckQuestion

    store = AssistantStore(window.app.paths.assistants_dir)
    question = CheckQuestion(question=QUESTION, file="garden.md", must_contain=("February",))
    store.save(replace(store.get(gardener.id), checks=(question,)))
    window.assistants_page.refresh()
    window.assistants_page.cards[gardener.id].compare_action.trigger()
    view = window.compare_view
    a, b = view.columns
    b.instructions.setPlainText("Reply in one short sentence, quoting the passage.")
    assert b.variant.assistant.checks == (question,)  # a variant keeps the questions
    states: list[str] = []
    window.engine_host.state_changed.connect(states.append)
    with qtbot.waitSignal(view._runner.busy_changed, timeout=300_000,
                          check_params_cb=lambda busy: not busy):  # fmt: skip
        view.checks_button.click()
    assert states[0] == "Running the check questions…"
    assert "Running the check questions (1 of 2 variants done)…" in states
    assert not window.engine_state.text().startswith("Running")
    for column in (a, b):
        assert column.checks.isVisible()
        assert column.checks.text() in {"Check questions: 0 of 1 pass",
                                        "Check questions: 1 of 1 pass"}  # fmt: skip
    assert "answered by every variant" in view.plan.text()
    # The retrieval step of the check passes for both: garden.md is in the collection.
    runs = list(window.app.check_variants(view.variants))
    assert [r.index for r in runs] == [0, 1]
    assert all(r.run.total == 1 and r.run.results[0].retrieved for r in runs)
