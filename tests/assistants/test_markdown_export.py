"""The Markdown export shows raw HTML or XML that an answer or a question contains as the
characters written: a Markdown viewer (CommonMark with raw HTML on, as on GitHub) renders none
of it as a tag, while the answer's own Markdown and code still render."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from assistant_builder.core.conversations.export import to_markdown
from assistant_builder.core.conversations.store import ConversationStore
from assistant_builder.core.paths import Paths
from tests.raw_html import RAW_HTML


class _Page(HTMLParser):
    """What a browser shows of an HTML page: its text, and which tags it really has."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _viewed(markdown: str) -> _Page:
    page = _Page()
    page.feed(MarkdownIt("commonmark", {"html": True}).render(markdown))
    page.close()
    return page


@pytest.mark.parametrize(("written", "visible"), RAW_HTML)
def test_raw_html_in_an_answer_or_a_question_is_exported_as_text(
    app_home: Paths, written: str, visible: str
) -> None:
    store = ConversationStore(app_home.conversations_db)
    conversation = store.create("helper", "Rent")
    store.add_message(conversation.id, "user", f"Repeat this: {written}")
    answer = f"{written}\n\nIn code it stays as it is: `<b>x</b>`\n\n```html\n<i>y</i>\n```\n"
    store.add_message(conversation.id, "assistant", answer)
    markdown = to_markdown(store.get(conversation.id), store.messages(conversation.id))
    store.close()

    page = _viewed(markdown)
    shown = "".join(page.text)
    assert shown.count(visible) == 2  # the question and the answer, each exactly as written
    assert "<b>x</b>" in shown and "<i>y</i>" in shown  # code spans and blocks unchanged
    # Only the export's own markup and the code's elements are tags; nothing written became one.
    assert page.tags <= {"h1", "h2", "p", "code", "pre", "sub", "strong"}
