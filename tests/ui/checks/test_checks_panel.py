"""The editor's Checks section driven as a person would, with the real SmolLM2 and MiniLM: add a
question in its dialog, run the checks on the unsaved draft (a question whose document is in
the collection is found, one whose document is not is not), see "N of M pass" and the score
across runs, stop a run, and take a suggested question. Screenshots in the light and dark
palettes are saved too (into $ASSISTANT_BUILDER_SHOTS when set: docs/screenshots/)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from assistant_builder.core.app import App
from assistant_builder.core.assistants.model import Assistant, CollectionRef, ModelRef
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.checks import CheckQuestion
from assistant_builder.core.engine.sampling import SamplingOptions
from assistant_builder.ui.editor.check_dialog import CheckDialog
from assistant_builder.ui.editor.checks_section import ChecksSection
from assistant_builder.ui.pages.assistants_page import AssistantsPage
from assistant_builder.ui.theme import apply_theme

pytestmark = pytest.mark.integration

LONG = 600_000  # ms: an upper bound for a slow shared machine, never a timing window


@pytest.fixture
def pets_helper(store: AssistantStore, pets: str) -> Assistant:
    return store.create(
        Assistant(
            id="", name="Pet helper", model=ModelRef("smollm2"),
            collections=(CollectionRef(pets, top_k=2),), context_size=1024,
            sampling=SamplingOptions(temperature=0.0, seed=1, max_tokens=32),
            checks=(CheckQuestion("How long do cats sleep every day?", "cats.md"),),
        )
    )  # fmt: skip


def _open_checks(
    make_page: Callable[[], AssistantsPage], assistant: Assistant
) -> tuple[AssistantsPage, ChecksSection]:
    page = make_page()
    page.cards[assistant.id].edit_button.click()
    section = page.editor.checks
    page.editor.tabs.setCurrentWidget(section)
    return page, section


def _answer_dialog(question: str, file: str, words: str = "") -> None:
    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, CheckDialog)
        dialog.question.setText(question)
        dialog.file.setText(file)
        dialog.words.setText(words)
        dialog.accept()

    QTimer.singleShot(0, fill)


def _settle(qtbot: QtBot, page: AssistantsPage) -> None:
    """The final prompt of the last draft computed, so no worker outlives the test's widgets."""
    panel = page.editor.prompt_panel
    qtbot.waitUntil(lambda: not panel._timer.isActive() and not panel.runner.busy, timeout=LONG)
    panel.runner.wait()


@pytest.fixture(params=["light", "dark"])
def theme(request: pytest.FixtureRequest) -> Iterator[str]:
    """The palette the page is built in (before it is built, as the app starts in it)."""
    qt_app = QApplication.instance()
    assert isinstance(qt_app, QApplication)
    old = qt_app.palette()
    apply_theme(qt_app, request.param)
    yield request.param
    qt_app.setPalette(old)


def _shoot(widget: QWidget, name: str, tmp_path: Path) -> None:
    out = Path(os.environ.get("ASSISTANT_BUILDER_SHOTS", tmp_path))
    target = out / f"{name}.png"
    assert widget.window().grab().save(str(target))
    assert target.stat().st_size > 10_000


def test_run_checks_on_the_draft_finds_the_right_document_and_keeps_the_score(
    qtbot: QtBot, make_page: Callable[[], AssistantsPage], pets_helper: Assistant,
    app: App, tmp_path: Path, theme: str,
) -> None:  # fmt: skip
    page, section = _open_checks(make_page, pets_helper)
    assert [c.question for c in section.checks] == ["How long do cats sleep every day?"]
    _answer_dialog("How long do cats sleep every day?", "birds.md", "hours")
    section.add_button.click()
    assert len(section.checks) == 2 and section.list.count() == 2
    assert "expects birds.md" in section.list.item(1).text()
    assert page.editor.is_dirty()  # a question added is an unsaved change, kept with Save

    panel = section.run_panel
    with qtbot.waitSignal(panel.runner.finished, timeout=LONG):
        panel.run_button.click()
    found = [panel.table.item(row, 1).text() for row in range(panel.table.rowCount())]
    assert found == ["✓ yes", "✗ no"]  # cats.md is in the collection, birds.md is not
    assert [r.retrieved for r in panel.results] == [True, False]
    assert not panel.results[1].passed
    assert re.fullmatch(r"[01] of 2 pass", panel.summary.text())
    assert len(panel.chart.runs) == 1  # the saved assistant's run is kept

    # Instructions changed, unsaved: the next run says so and the chart grows.
    page.editor.instructions.prompt.setPlainText("Answer in one short sentence.")
    with qtbot.waitSignal(panel.runner.finished, timeout=LONG):
        panel.run_button.click()
    assert "(instructions changed since the last run)" in panel.summary.text()
    assert len(panel.chart.runs) == 2
    assert [(r.passed, r.total) for r in app.check_runs(pets_helper.id)][-1][1] == 2
    _shoot(section, f"checks-{theme}", tmp_path)
    _settle(qtbot, page)


def test_a_run_stopped_before_its_first_answer_says_stopped_and_keeps_no_score(
    qtbot: QtBot, make_page: Callable[[], AssistantsPage], pets_helper: Assistant, app: App
) -> None:
    page, section = _open_checks(make_page, pets_helper)
    panel = section.run_panel
    # While a chat holds the engine the run waits for it, so Stop comes before any answer.
    with qtbot.waitSignal(panel.runner.cancelled, timeout=LONG), app.session.lock:
        panel.run_button.click()
        assert panel.stop_button.isEnabled()
        panel.stop_button.click()
    qtbot.waitUntil(lambda: not panel.runner.busy, timeout=LONG)
    assert panel.summary.text() == "Stopped."
    assert app.check_runs(pets_helper.id) == []
    assert panel.run_button.isEnabled()
    _settle(qtbot, page)


def test_suggested_questions_can_be_accepted_and_name_their_passage(
    qtbot: QtBot, make_page: Callable[[], AssistantsPage], pets_helper: Assistant,
    tmp_path: Path, theme: str,
) -> None:  # fmt: skip
    page, section = _open_checks(make_page, pets_helper)
    box = section.suggestions
    with qtbot.waitSignal(box.runner.finished, timeout=LONG):
        box.suggest_button.click()
    suggestions = box.suggestions()
    assert suggestions, box.status.text()
    assert {s.check.file for s in suggestions} <= {"cats.md", "dogs.md", "fish.txt"}
    for row, s in enumerate(suggestions):
        assert s.check.question.endswith("?")
        assert ("does not find this passage" in box.list.item(row).text()) == s.flagged
    _shoot(section, f"checks-suggestions-{theme}", tmp_path)
    first = suggestions[0]
    box.list.setCurrentRow(0)
    box.accept_button.click()
    assert section.checks[-1] == first.check
    assert box.list.count() == len(suggestions) - 1
    if box.list.count():
        box.list.setCurrentRow(0)
        box.reject_button.click()
        assert box.list.count() == len(suggestions) - 2
        assert len(section.checks) == 2  # a rejected suggestion is not added
    _settle(qtbot, page)
