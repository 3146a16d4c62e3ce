"""“Why this answer” with the real SmolLM2 and the real "pets" collection: the panel lists what
the search found for a real answer, "Not relevant" and "Answer again" leave the passage out,
"Always include" puts one into the next question's prompt, and the Knowledge section lists the
choices and undoes one."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.model import Assistant, CollectionRef, ModelRef
from assistant_builder.core.assistants.retrieval import process_retriever
from assistant_builder.core.assistants.session import AnswerSession
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.conversations.store import ConversationStore, Message
from assistant_builder.core.engine.sampling import SamplingOptions
from assistant_builder.core.models.registry import ModelRegistry
from assistant_builder.core.paths import Paths
from assistant_builder.core.services import Services
from assistant_builder.core.settings import Settings
from assistant_builder.ui.chat.page import ChatPage
from assistant_builder.ui.chat.why_panel import WhyPanel
from assistant_builder.ui.engine_host import EngineHost
from assistant_builder.ui.pages.assistants_page import AssistantsPage
from tests.ui.chat.conftest import ask

pytestmark = pytest.mark.integration


@pytest.fixture
def page(
    qtbot: QtBot, paths: Paths, registry: ModelRegistry, store: AssistantStore,
    pets: str, shared_knowledge: object,
) -> Iterator[ChatPage]:  # fmt: skip
    store.create(
        Assistant(id="", name="Pet expert", model=ModelRef(id="smollm2"), context_size=1024,
                  sampling=SamplingOptions(temperature=0.0, seed=1, max_tokens=8),
                  collections=(CollectionRef(pets, top_k=1),))
    )  # fmt: skip
    conversations = ConversationStore(paths.conversations_db)
    session = AnswerSession(
        Services.create(paths), settings=Settings(threads=1, gpu_layers=0),
        retrieve=process_retriever(shared_knowledge, paths),  # type: ignore[arg-type]
        conversations=conversations,
    )  # fmt: skip
    host = EngineHost(session)
    chat = ChatPage(host, store, conversations)
    qtbot.addWidget(chat)
    chat.resize(1000, 700)
    chat.show()
    qtbot.waitExposed(chat)
    yield chat
    host.shutdown()
    session.close()
    conversations.close()


def last_answer(page: ChatPage) -> Message:
    return [m for m in page.panel.messages() if m.role == "assistant"][-1]


def open_why(qtbot: QtBot, page: ChatPage) -> WhyPanel:
    button = page.panel.transcript.views[-1].why_button
    assert button is not None
    qtbot.waitUntil(button.isVisible)  # the reloaded transcript is shown by the event loop
    button.click()
    panel = page.panel.why_panel
    assert panel is not None and panel.isVisible()
    return panel


def test_why_this_answer_lists_the_search_and_its_choices_change_the_next_answers(
    qtbot: QtBot, page: ChatPage, store: AssistantStore, make_page: Callable[[], AssistantsPage]
) -> None:
    ask(qtbot, page.panel, "How long do cats sleep?")
    found = last_answer(page).grounding.retrieved
    assert [p.source.rsplit("/", 1)[-1] for p in found] == ["cats.md"] and found[0].n == 1
    panel = open_why(qtbot, page)
    assert "How long do cats sleep?" in panel.findChild(type(panel.problem), "whyQuery").text()
    row = panel.row_for("fifteen hours")
    assert row.fate.text() == "Went into the prompt as [1]." and row.bar.value() > 0
    assert "relevance" in row.figures.text()

    # "Not relevant" is kept with the assistant at once; "Answer again" leaves the passage out.
    row.this_passage.trigger()
    assert store.get("pet-expert").passage_choices.not_relevant[0].text == found[0].text
    assert row.chosen.text().startswith("From now on: left out") and row.undo.isVisible()
    with qtbot.waitSignal(page.panel.busy_changed, timeout=60_000, check_params_cb=lambda b: not b):
        panel.again.click()
    again = last_answer(page)
    assert len(page.panel.messages()) == 2  # the answer was replaced, not added
    (left_out,) = again.grounding.retrieved
    assert (left_out.n, left_out.left_out) == (0, "excluded")
    panel = open_why(qtbot, page)
    assert panel.rows[0].fate.text() == "Left out: you marked it not relevant."

    # Undo, then "Always include": the cats passage goes into a question about goldfish.
    panel.rows[0].undo.click()
    panel.rows[0].always.click()
    assert store.get("pet-expert").passage_choices.always_include[0].text == found[0].text
    panel.close()
    ask(qtbot, page.panel, "What do goldfish need at night?")
    retrieved = last_answer(page).grounding.retrieved
    assert [(p.source.rsplit("/", 1)[-1], p.n, p.pinned) for p in retrieved] == [
        ("cats.md", 1, True),
        ("fish.txt", 2, False),
    ]
    fate = open_why(qtbot, page).rows[0].fate.text()
    assert fate == "Went into the prompt as [1], because you chose to always include it."

    # The editor's Knowledge section lists the choice; removing it there undoes it at once.
    assistants = make_page()
    assistants.open_editor("pet-expert")
    choices = assistants.editor.knowledge.choices
    assert choices.labels()[0].startswith("Always include: cats.md")
    choices.list.setCurrentRow(0)
    choices.remove_button.click()
    assert store.get("pet-expert").passage_choices.empty
    assert not assistants.editor.is_dirty()
    assert choices.labels()[0].startswith("None yet")
    # The preview follows the draft; let it finish before the page goes.
    preview = assistants.editor.prompt_panel
    qtbot.waitUntil(
        lambda: not preview._timer.isActive() and not preview.runner.busy, timeout=60_000
    )
