"""The final-prompt panel beside the editor, with the real SmolLM2 vocabulary and a real
collection: what the model will receive, as the person edits the unsaved assistant."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.model import Assistant, CollectionRef, ModelRef
from assistant_builder.core.assistants.preview import PromptPreviewer
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.engine.sampling import SamplingOptions
from assistant_builder.ui.editor.final_prompt_panel import FinalPromptPanel
from assistant_builder.ui.pages.assistants_page import AssistantsPage

pytestmark = pytest.mark.integration

MakePage = Callable[[], AssistantsPage]


def _open(make_page: MakePage, store: AssistantStore, **fields: object) -> AssistantsPage:
    values: dict[str, object] = {
        "id": "", "name": "Pet helper", "model": ModelRef(id="smollm2"),
        "system_prompt": "You are {assistant_name}, talking with {user_name}.",
    }  # fmt: skip
    values.update(fields)
    assistant = store.create(Assistant(**values))  # type: ignore[arg-type]
    page = make_page()
    page.open_editor(assistant.id)
    return page


def _shown(qtbot: QtBot, panel: FinalPromptPanel, needle: str) -> str:
    qtbot.waitUntil(lambda: needle in panel.text.toPlainText(), timeout=60_000)
    return panel.text.toPlainText()


def test_the_panel_follows_the_unsaved_prompt_with_special_tokens_and_budget(
    qtbot: QtBot, make_page: MakePage, store: AssistantStore, source: PromptPreviewer
) -> None:
    page = _open(make_page, store)
    panel = page.editor.prompt_panel
    text = _shown(qtbot, panel, "You are Pet helper, talking with Ada.")
    # SmolLM2's own ChatML template, as its tokenizer renders it, ending where the answer starts.
    assert text.startswith("<|im_start|>system\nYou are Pet helper, talking with Ada.")
    assert "<|im_start|>user\nWhat can you help me with?<|im_end|>" in text
    assert text.endswith("<|im_start|>assistant\n")
    assert panel.marked_tokens() == {"<|im_start|>", "<|im_end|>"}
    labels = dict(panel.budget.parts())
    assert list(labels) == [
        "Instructions", "Examples", "Conversation so far", "Documents", "Question",
        "Room for the answer",
    ]  # fmt: skip
    assert labels["Instructions"] > 5 and labels["Question"] > 3
    assert sum(labels.values()) == 4096  # the parts and the room fill the context window
    assert not panel.warning.isVisible() and not panel.notice.isVisible()

    # Typing in the editor: the panel shows the new draft without a save.
    page.editor.instructions.prompt.setPlainText("You are a pirate. Answer in one line.")
    text = _shown(qtbot, panel, "You are a pirate.")
    assert "Pet helper" not in text and page.editor.is_dirty()
    assert dict(panel.budget.parts())["Instructions"] < labels["Instructions"] + 5
    page.editor.prompt_panel.question.setText("Where is the treasure?")
    _shown(qtbot, panel, "<|im_start|>user\nWhere is the treasure?<|im_end|>")
    assert source.loads == 1  # the vocabulary was read once for all these edits


def test_retrieved_passages_appear_and_a_warning_comes_before_they_are_cut(
    qtbot: QtBot, make_page: MakePage, store: AssistantStore, pets: str
) -> None:
    page = _open(make_page, store, collections=(CollectionRef(pets, top_k=3),))
    panel = page.editor.prompt_panel
    panel.question.setText("How long do cats sleep?")
    text = _shown(qtbot, panel, "fifteen hours")
    assert '<passage n="1" source="cats.md">' in text
    assert "Question: How long do cats sleep?" in text
    assert dict(panel.budget.parts())["Documents"] > 40
    assert not panel.warning.isVisible()

    # A small context cannot hold all three passages: the panel says what will be left out.
    page.editor.model_section.context.setValue(0)  # 512 tokens
    qtbot.waitUntil(lambda: "leaves out" in panel.warning.text(), timeout=60_000)
    assert panel.warning.isVisible() and "document passage" in panel.warning.text()
    assert panel.view is not None and panel.view.final.assembled.dropped_passages >= 1
    assert sum(dict(panel.budget.parts()).values()) == 512

    # "Only answer from my documents" with a bar no passage reaches: the refusal, and why.
    page.editor.knowledge.only_documents.setChecked(True)
    page.editor.knowledge.min_score.setValue(0.99)
    qtbot.waitUntil(lambda: "minimum relevance" in panel.warning.text(), timeout=60_000)
    assert panel.text.toPlainText() == page.editor.draft().refusal_text
    assert panel.budget.parts() == []


def test_a_collection_that_is_gone_is_said_and_the_prompt_still_shown(
    qtbot: QtBot, make_page: MakePage, store: AssistantStore
) -> None:
    page = _open(make_page, store, collections=(CollectionRef("Old notes"),))
    panel = page.editor.prompt_panel
    _shown(qtbot, panel, "<|im_start|>user\nWhat can you help me with?")
    assert panel.warning.isVisible() and "Old notes" in panel.warning.text()


def test_without_its_model_installed_the_panel_says_so(
    qtbot: QtBot, make_page: MakePage, store: AssistantStore
) -> None:
    page = _open(make_page, store, model=ModelRef(id="llama-70b"), sampling=SamplingOptions())
    panel = page.editor.prompt_panel
    qtbot.waitUntil(lambda: panel.warning.isVisible(), timeout=30_000)
    assert "is not installed" in panel.warning.text()
    assert panel.warning.text().count(".") == 1  # one plain sentence
    assert panel.text.toPlainText() == "" and panel.budget.parts() == []


def test_typing_is_debounced_off_the_gui_thread_and_a_stale_result_is_dropped(
    qtbot: QtBot, make_page: MakePage, store: AssistantStore, source: PromptPreviewer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    page = _open(make_page, store)
    panel = page.editor.prompt_panel
    _shown(qtbot, panel, "What can you help me with?")
    real = source.compute
    calls: list[tuple[str, bool]] = []
    release = threading.Event()

    def recording(draft: Assistant, question: str, *, cancel: CancelToken) -> object:
        calls.append((question, threading.current_thread() is threading.main_thread()))
        if question == "slow question":
            release.wait(30)  # an old computation still running when newer typing arrives
            return real(draft, question)  # ignoring its cancel: its result does arrive, late
        return real(draft, question, cancel=cancel)

    monkeypatch.setattr(source, "compute", recording)
    for text in ("W", "Wh", "Whe", "Wher", "Where do I start?"):
        panel.question.setText(text)  # faster than the pause the panel waits for
    _shown(qtbot, panel, "Where do I start?")
    assert calls == [("Where do I start?", False)]  # once, for the last text, in a worker

    panel.question.setText("slow question")
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=10_000)
    panel.question.setText("fast question")
    _shown(qtbot, panel, "fast question")
    release.set()
    panel.runner.wait()
    qtbot.wait(100)  # let the old task's late result reach the GUI thread, if it were kept
    assert "slow question" not in panel.text.toPlainText()
    assert "fast question" in panel.text.toPlainText()
