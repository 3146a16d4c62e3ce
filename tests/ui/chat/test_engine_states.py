"""The whole window with the real SmolLM2: the status bar follows the engine, Try it talks with
the unsaved draft and keeps it out of the conversations, a full context and a crashed model
each get a banner with their fix, and closing the window ends the model's process."""

from __future__ import annotations

import os
import re
import signal
from dataclasses import replace

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.answering import Prepared
from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.paths import Paths
from assistant_builder.ui import engine_host
from assistant_builder.ui.main_window import MainWindow
from tests.ui.chat.conftest import ask, with_sampling

pytestmark = pytest.mark.integration


def test_the_status_bar_and_the_answer_say_what_is_happening_from_loading_to_writing(
    qtbot: QtBot,
    window: MainWindow,
    helper: Assistant,
    assistants: AssistantStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The rate is refreshed at most every RATE_EVERY_S; a fast machine finishes the answer
    # before the first refresh, so here every piece after the first refreshes it.
    monkeypatch.setattr(engine_host, "RATE_EVERY_S", 0.0)
    with_sampling(assistants, helper, max_tokens=64)
    assert window.engine_state.text() == "No model loaded"
    states: list[str] = []
    window.engine_host.state_changed.connect(states.append)
    bubble: list[str] = []
    window.engine_host.stage_changed.connect(lambda _rid, sentence: bubble.append(sentence))
    window.assistants_page.chat_requested.emit(helper.id)
    assert window.current_page_name() == "Chat"
    assert window.chat_page.assistant_id() == helper.id
    # Opening the Chat page starts loading the model, before any question is asked.
    qtbot.waitUntil(lambda: len(states) == 2, timeout=120_000)
    assert states[0] == "Loading the model…"
    # gpu_layers=0 (conftest): on the processor, and it says whether a graphics card was found.
    on_cpu = states[1]
    assert on_cpu.startswith("Running on the processor — ")
    states.clear()
    ask(qtbot, window.chat_page.panel, "Tell me about the sea in three sentences.")
    assert "Loading the model…" not in states  # the question did not wait for a load
    assert _unique(bubble) == ["Reading your question…", "Writing…"]  # a short one: no figure
    assert _unique(states)[:2] == ["Reading your question…", "Writing…"]
    rates = [
        i for i, s in enumerate(states) if re.fullmatch(r"Writing… about [\d.]+ words a second", s)
    ]
    assert rates and states.index("Writing…") < rates[0]
    assert states[-1] == on_cpu and rates[-1] < len(states) - 1
    assert window.engine_state.text() == on_cpu
    assert not [s for s in states if "token" in s]

    # A long question says how far the model has got in reading it.
    bubble.clear()
    with_sampling(assistants, helper, max_tokens=2)  # only its reading matters here
    window.chat_page.refresh()
    window.chat_page.panel.open_conversation(None)
    long_question = "Read this and say yes. " + "The sea is blue. " * 130
    ask(qtbot, window.chat_page.panel, long_question, timeout=600_000)  # a slow machine is fine
    figures = [
        int(m[1]) for s in bubble if (m := re.fullmatch(r"Reading your question… (\d+)%", s))
    ]
    assert figures[0] == 0 and len(figures) >= 2 and figures == sorted(figures)
    assert bubble[-1] == "Writing…"
    pid = window.session.engine.process_id  # type: ignore[union-attr]
    assert pid is not None
    window.close()
    assert window.engine_state.text() == "No model loaded"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the model's process ended with the window


def _unique(sentences: list[str]) -> list[str]:
    """The sentences in order, each repetition in a row shown once."""
    return [s for i, s in enumerate(sentences) if i == 0 or sentences[i - 1] != s]


def test_try_it_answers_with_the_unsaved_draft_and_keeps_it_out_of_the_conversations(
    qtbot: QtBot, window: MainWindow, helper: Assistant, paths: Paths
) -> None:
    page = window.assistants_page
    page.open_editor(helper.id)
    editor = page.editor
    editor.instructions.prompt.setPlainText("You are a pirate called Redbeard. Be brief.")
    assert editor.is_dirty()
    editor.tabs.setCurrentWidget(window.try_it)
    prompts: list[str] = []
    window.engine_host.prepared.connect(
        lambda rid, p: prompts.append(p.final.preview.text) if isinstance(p, Prepared) else None
    )
    ask(qtbot, window.try_it.panel, "Who are you?")
    assert "Redbeard" in prompts[0]  # the draft, not the saved file, answered
    views = window.try_it.panel.transcript.views
    assert [v.role for v in views] == ["user", "assistant"] and views[1].text.strip()
    assert editor.is_dirty()  # trying it saved nothing
    with ConversationStore(paths.conversations_db) as store:
        assert store.list() == []  # nothing in the person's conversations
    window.try_it.clear_button.click()
    assert window.try_it.panel.transcript.views == []
    assert window.try_it.panel.conversation_id is None
    editor.revert()  # so that closing the window asks nothing


def test_a_question_too_long_for_the_context_offers_to_edit_the_assistant(
    qtbot: QtBot, window: MainWindow, helper: Assistant, assistants: AssistantStore
) -> None:
    assistants.save(replace(helper, context_size=256))
    window.assistants_page.chat_requested.emit(helper.id)
    panel = window.chat_page.panel
    ask(qtbot, panel, "Please read this. " * 150)
    shown = panel.banner.message.text()
    assert panel.banner.isVisible() and "more memory for the conversation" in shown
    assert re.search(r"shorten the question by about \d+ words", shown) and "token" not in shown
    assert panel.banner.action_button.text() == "Edit the assistant"
    panel.banner.action_button.click()
    assert window.current_page_name() == "Assistants"
    assert window.assistants_page.editor.draft().id == helper.id


def test_a_crashed_model_offers_a_restart_and_keeps_the_text_so_far(
    qtbot: QtBot, window: MainWindow, helper: Assistant, assistants: AssistantStore
) -> None:
    with_sampling(assistants, helper, max_tokens=400)
    window.assistants_page.chat_requested.emit(helper.id)
    panel = window.chat_page.panel
    panel.composer.edit.setPlainText("Write a long story about a lighthouse.")
    panel.composer.submit()
    qtbot.waitUntil(lambda: len(panel.transcript.streaming_text) > 10, timeout=60_000)
    pid = window.session.engine.process_id  # type: ignore[union-attr]
    assert pid is not None
    with qtbot.waitSignal(panel.busy_changed, timeout=10_000):
        os.kill(pid, signal.SIGKILL)
    banner = panel.banner
    assert banner.isVisible() and "stopped unexpectedly" in banner.message.text()
    assert banner.action_button.text() == "Restart model"
    assert panel.transcript.views[-1].text.strip()  # what was written is kept
    with qtbot.waitSignal(window.engine_host.state_changed, timeout=10_000):
        banner.action_button.click()
    assert window.engine_state.text() == "No model loaded"
    with_sampling(assistants, helper, max_tokens=8)
    window.chat_page.refresh()
    ask(qtbot, panel, "Are you back?")
    assert panel.transcript.views[-1].text.strip() and not banner.isVisible()


def test_switching_to_an_assistant_without_its_model_stops_saying_loading(
    qtbot: QtBot, window: MainWindow, helper: Assistant, assistants: AssistantStore
) -> None:
    from assistant_builder.core.assistants.model import ModelRef

    gone = assistants.create(replace(helper, id="", name="Gone", model=ModelRef(id="gone")))
    window.assistants_page.chat_requested.emit(helper.id)  # starts loading SmolLM2
    qtbot.waitUntil(lambda: window.engine_state.text() == "Loading the model…", timeout=10_000)
    page = window.chat_page
    page.assistant_combo.setCurrentIndex(page.assistant_combo.findData(gone.id))
    # The load is given up for the assistant now shown, whose model is not installed: the
    # status bar says so instead of "Loading the model…" forever, and no banner pops up.
    qtbot.waitUntil(lambda: not window.engine_host._preloader.busy, timeout=60_000)
    assert window.engine_state.text() == "No model loaded"
    assert not page.panel.banner.isVisible()
