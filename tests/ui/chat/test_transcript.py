"""The transcript and the conversation list without a model: markdown with copyable code,
source chips that hand over their citation, the streaming buffer's repaint cap, and rename,
delete and per-assistant lists."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from assistant_builder.core.assistants.model import Assistant, ModelRef
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.citation import Citation
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.ui.chat.page import ChatPage
from assistant_builder.ui.chat.transcript import (
    CodeBlock,
    MarkdownLabel,
    MessageView,
    TranscriptView,
    segments,
)
from tests.raw_html import RAW_HTML

ANSWER = """## Your bills

- Rent is due on the **first** [1].
- Water is paid quarterly [2].

| bill | due |
|------|-----|
| rent | 1st |

```python
print("paid")
```
"""
CITATIONS = [
    Citation(1, "/docs/lease.pdf", 3, 10, 80, "The rent is due on the first day of each month.",
             0.8),
    Citation(2, "/docs/water.txt", None, 0, 40, "Water bills arrive every quarter.", 0.6),
]  # fmt: skip


def _conversation(store: ConversationStore, assistant: Assistant, question: str) -> int:
    cid = store.create(assistant.id).id
    store.add_message(cid, "user", question)
    timings = {"ttft_s": 0.25, "total_s": 1.25}
    store.add_message(
        cid, "assistant", ANSWER, citations=CITATIONS, timings=timings,
        usage={"completion_tokens": 41},
    )  # fmt: skip
    return cid


def test_an_answer_renders_markdown_with_copyable_code_chips_and_timings(
    qtbot: QtBot, make_page: Callable[[], ChatPage], helper: Assistant,
    conversations: ConversationStore,
) -> None:  # fmt: skip
    _conversation(conversations, helper, "When are my bills due?")
    page = make_page()  # opens the assistant's most recent conversation
    answer = page.panel.transcript.views[-1]
    labels = answer.findChildren(MarkdownLabel)
    shown = "".join(_shown(label) for label in labels)
    assert "Your bills" in shown and "quarterly" in shown and "**" not in shown
    assert any(label.document.rootFrame().childFrames() for label in labels), "a table"
    code = answer.findChild(CodeBlock)
    assert code is not None and code.code.text() == 'print("paid")'
    code.copy_button.click()
    assert QApplication.clipboard().text() == 'print("paid")'
    answer.copy_button.click()
    assert QApplication.clipboard().text() == ANSWER

    assert [c.text() for c in answer.chip_buttons] == ["[1] lease.pdf, p. 3", "[2] water.txt"]
    with qtbot.waitSignal(page.citation_requested) as opened:
        answer.chip_buttons[0].click()
    assert opened.args == [CITATIONS[0]]  # the stored citation itself, typed
    # In words, not tokens: 40 tokens a second are about 30 words.
    assert answer.meta.text() == "first word after 0.25 s · 30.0 words a second · about 31 words"
    page.grab().save(str(page.store.path.parent / "transcript.png"))


def test_a_code_block_still_streaming_is_shown_as_code() -> None:
    assert segments("Try this:\n```sh\nls -l\n") == [("markdown", "Try this:\n"), ("code", "ls -l")]
    assert segments("no code") == [("markdown", "no code")]


def test_streamed_pieces_are_repainted_on_a_timer_not_per_piece(qtbot: QtBot) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    view.show()
    view.begin_stream()
    for n in range(300):
        view.stream(f"word{n} ")
    assert view.repaints == 0 and view.streaming_text == ""
    qtbot.waitUntil(lambda: view.repaints == 1, timeout=1_000)
    assert view.streaming_text.startswith("word0 ") and "word299" in view.streaming_text
    qtbot.wait(120)
    assert view.repaints == 1  # nothing new, nothing repainted


def test_a_growing_answer_redraws_only_its_last_paragraph(qtbot: QtBot) -> None:
    """Earlier paragraphs keep their widget while the answer streams: re-creating all of
    them on every repaint took CPU from the model, more the longer the answer."""
    view = TranscriptView()
    qtbot.addWidget(view)
    view.show()
    message = view.begin_stream()
    view.stream("The lease starts in May [1].\n\nRent is due")
    view.flush()

    def shown() -> list[MarkdownLabel]:
        return [message.body.itemAt(i).widget() for i in range(message.body.count())]

    first, second = shown()
    view.stream(" on the first.\n\n- Water is\n- paid quarterly\n\nThat is all.")
    view.flush()
    labels = shown()
    texts = [label.markdown for label in labels]
    assert labels[0] is first and labels[1] is second
    assert texts == [
        "The lease starts in May [1].",
        "Rent is due on the first.\n\n- Water is\n- paid quarterly",
        "That is all.",
    ]
    assert segments("A.\n\n1. one\n\n2. two\n\n# Next") == [
        ("markdown", "A.\n\n1. one\n\n2. two"),
        ("markdown", "# Next"),
    ]


def _shown(label: MarkdownLabel) -> str:
    """The text the label shows: the plain text of the document it draws."""
    return label.document.toPlainText()


def _message_text(view: MessageView) -> str:
    pieces = [view.body.itemAt(i).widget() for i in range(view.body.count())]
    return "\n".join(p.code.text() if isinstance(p, CodeBlock) else _shown(p) for p in pieces)


def _restyled(label: MarkdownLabel) -> str:
    """The characters drawn bold, italic or in a colour of their own."""
    out, block = [], label.document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if (
                fmt.fontWeight() > 400
                or fmt.fontItalic()
                or fmt.hasProperty(fmt.Property.ForegroundBrush)
            ):
                out.append(it.fragment().text())
            it += 1
        block = block.next()
    return "".join(out)


def _has_ink(widget: QLabel) -> bool:
    image = widget.grab().toImage()
    background = image.pixelColor(0, 0)
    return any(
        image.pixelColor(x, y) != background
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
    )


@pytest.mark.parametrize(("written", "visible"), RAW_HTML)
def test_raw_html_in_a_question_or_an_answer_is_shown_as_written_while_streaming_and_after(
    qtbot: QtBot, written: str, visible: str
) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    question = view.add("user", f"Repeat: {written}")
    assert visible in _message_text(question)
    assert all(
        _restyled(label) in ("", "with markdown") for label in question.findChildren(MarkdownLabel)
    )

    answer = view.begin_stream()
    plain = written.split("**")[0]  # what reads the same before any markdown
    for end in range(6, len(written) + 6, 6):
        view.stream(written[end - 6 : end])
        view.flush()  # what a repaint shows of the partial answer
        assert _message_text(answer).startswith(plain[:end].rstrip())
        label = answer.findChild(MarkdownLabel)
        assert label is not None and _has_ink(label), "the partial answer is on screen"
    view.end_stream()
    assert visible in _message_text(answer)
    assert [_restyled(label) for label in answer.findChildren(MarkdownLabel)] in (
        [""],
        ["with markdown"],
    )


def test_conversations_are_listed_per_assistant_renamed_and_deleted_after_asking(
    qtbot: QtBot, make_page: Callable[[], ChatPage], helper: Assistant,
    assistants: AssistantStore, conversations: ConversationStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    other = assistants.create(Assistant(id="", name="Other", model=ModelRef(id="smollm2")))
    first = _conversation(conversations, helper, "When are my bills due?")
    _conversation(conversations, other, "Something else entirely")
    page = make_page()
    page.open_assistant(helper.id)
    items = page.conversations
    assert [items.list.item(i).text() for i in range(items.list.count())] == [
        "When are my bills due?"
    ]
    page.conversations.search.setText("entirely")
    assert items.list.count() == 0  # another assistant's conversation
    page.conversations.search.setText("")

    items.list.setCurrentRow(0)
    items.list.itemClicked.emit(items.list.item(0))
    assert page.panel.conversation_id == first
    monkeypatch.setattr(
        "assistant_builder.ui.chat.conversation_list.QInputDialog.getText",
        lambda *a, **k: ("Bills", True),
    )
    items.rename_button.click()
    assert conversations.get(first).title == "Bills" and items.list.item(0).text() == "Bills"

    answers = iter([False, True])
    monkeypatch.setattr(items, "confirm_delete", lambda title: next(answers))
    items.delete_button.click()
    assert conversations.list(helper.id)  # not confirmed: kept
    items.delete_button.click()
    assert conversations.list(helper.id) == [] and items.list.count() == 0
    assert page.panel.conversation_id is None and page.panel.transcript.views == []

    page.open_assistant(other.id)
    assert items.list.item(0).text() == "Something else entirely"
    assert [v.role for v in page.panel.transcript.views] == ["user", "assistant"]
