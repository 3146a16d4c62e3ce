"""The whole path through the real app window, with the real SmolLM2 and MiniLM: an assistant
on a small real folder, its prompt edited and the final prompt following, a question answered
with streamed text and a citation, the citation opened, a long answer stopped, and the app
restarted with the conversation intact."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.model import (
    Assistant,
    CollectionRef,
    Example,
    ModelRef,
)
from assistant_builder.core.assistants.prompt import Passage, user_turn
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.engine.sampling import SamplingOptions
from assistant_builder.core.paths import Paths

pytestmark = pytest.mark.integration

LEASE = (
    "# Lease\n\nThe rent is 950 euros a month. It is due on the first day of each month.\n\n"
    "## Deposit\n\nThe deposit is two months of rent, returned within thirty days.\n"
)
# One worked example in the shape of a question with passages, so the 135M model cites by number.
EXAMPLES = (
    Example(
        user_turn(
            "When does the car insurance renew?",
            [Passage(1, "insurance.md", None, 0, 30, "The policy renews on 1 March.", 1.0)],
        ),
        "The car insurance renews on 1 March each year [1].",
    ),
    Example(
        user_turn(
            "How much is the electricity bill?",
            [Passage(1, "energy.txt", None, 0, 40, "Electricity costs 60 euros a month.", 1.0)],
        ),
        "The electricity bill is 60 euros a month [1].",
    ),
)


def _window(qtbot: QtBot, knowledge: object) -> object:
    from assistant_builder.core.app import App
    from assistant_builder.core.services import Services
    from assistant_builder.ui.main_window import MainWindow

    services = Services.create()
    settings, _ = services.load_settings_or_defaults()
    settings.threads = 1
    window = MainWindow(App(services, settings, knowledge=knowledge))  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_build_ask_cite_open_stop_and_restart(
    qtbot: QtBot,
    app_home: Paths,
    smollm2_registry: object,
    minilm_dir: Path,
    tmp_path: Path,
    shared_knowledge: object,
) -> None:
    from assistant_builder.core.knowledge.collection import Collections
    from assistant_builder.core.knowledge.indexer import index_collection

    paths = app_home.ensure()
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "lease.md").write_text(LEASE, encoding="utf-8")
    collections = Collections(paths)
    collections.create("Papers", [folder], embedder=str(minilm_dir))
    for _ in index_collection(collections, "Papers"):
        pass
    assistant = AssistantStore(paths.assistants_dir).create(
        Assistant(
            id="", name="Papers helper", model=ModelRef(id="smollm2"),
            system_prompt="Answer from the passages and cite them like [1].",
            examples=EXAMPLES, collections=(CollectionRef("Papers", top_k=2),),
            sampling=SamplingOptions(temperature=0.0, seed=1, max_tokens=40), context_size=2048,
        )
    )  # fmt: skip

    window = _window(qtbot, shared_knowledge)
    # Edit the prompt in the editor and see the final prompt follow, unsaved.
    window.show_page("Assistants")  # type: ignore[attr-defined]
    page = window.assistants_page  # type: ignore[attr-defined]
    page.open_editor(assistant.id)
    panel = page.editor.prompt_panel
    panel.question.setText("When is the rent due?")
    qtbot.waitUntil(lambda: "950 euros" in panel.text.toPlainText(), timeout=60_000)
    page.editor.instructions.prompt.setPlainText(
        "You are {assistant_name}. Answer from the passages and cite them like [1]."
    )
    qtbot.waitUntil(
        lambda: "You are Papers helper. Answer" in panel.text.toPlainText(), timeout=60_000
    )
    page.editor.save()
    assert not page.editor.is_dirty()

    # Ask in the Chat page: streamed text, then a citation chip.
    page.chat_requested.emit(assistant.id)
    chat = window.chat_page.panel  # type: ignore[attr-defined]
    chat.composer.edit.setPlainText("When is the rent due?")
    qtbot.keyClick(chat.composer.edit, Qt.Key.Key_Return)
    # The answer appears while it is being written, before it is complete.
    qtbot.waitUntil(lambda: bool(chat.transcript.streaming_text), timeout=120_000)
    assert chat.composer.stop_button.isVisible()
    qtbot.waitUntil(lambda: chat.composer.send_button.isVisible(), timeout=120_000)
    answer_view = chat.transcript.views[-1]
    assert answer_view.text.strip()
    assert answer_view.chip_buttons, answer_view.text
    assert "lease.md" in answer_view.chip_buttons[0].text()

    # Open the citation: the lease, with the cited passage selected.
    answer_view.chip_buttons[0].click()
    qtbot.waitUntil(
        lambda: window.source_viewer is not None and window.source_viewer.isVisible()  # type: ignore[attr-defined]
    )
    viewer = window.source_viewer  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bool(viewer.text_view.textCursor().selectedText()), timeout=20_000)
    assert viewer.text_view.textCursor().selectedText() in LEASE.replace("\n", "\u2029")

    # A long answer, stopped with Esc.
    store = AssistantStore(paths.assistants_dir)
    from dataclasses import replace

    saved = store.get(assistant.id)
    store.save(replace(saved, sampling=replace(saved.sampling, max_tokens=400)))
    chat.composer.edit.setPlainText("Tell me everything about the lease, in great detail.")
    qtbot.keyClick(chat.composer.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(chat.transcript.streaming_text) > 10, timeout=120_000)
    stopped_at = time.perf_counter()
    qtbot.keyClick(chat.composer.edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: chat.composer.send_button.isVisible(), timeout=5_000)
    assert time.perf_counter() - stopped_at < 2.0
    conversation_id = chat.conversation_id
    before = [(m.role, m.content) for m in chat.messages()]
    assert len(before) == 4 and before[-1][1].strip()

    # Restart the app: the conversation is there, word for word.
    window.close()  # type: ignore[attr-defined]
    again = _window(qtbot, shared_knowledge)
    again.chat_page.open_assistant(assistant.id)  # type: ignore[attr-defined]
    again.chat_page.open_conversation(conversation_id)  # type: ignore[attr-defined]
    after = [(m.role, m.content) for m in again.chat_page.panel.messages()]  # type: ignore[attr-defined]
    assert after == before
    assert again.chat_page.panel.transcript.views[1].chip_buttons  # type: ignore[attr-defined]
    again.close()  # type: ignore[attr-defined]
