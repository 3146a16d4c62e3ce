"""A streaming answer's paragraph grows by its next words written at its end, not by the whole
paragraph read again; what it shows must be exactly what reading it again would show, at every
step, whatever markdown the words make (lists, emphasis, links, code, rules, addresses)."""

from __future__ import annotations

import random

import pytest
from pytestqt.qtbot import QtBot

from assistant_builder.ui.chat.markdown_view import MarkdownLabel, _appended_plain
from assistant_builder.ui.chat.transcript import segments

ANSWERS = [
    "The dragon woke at dawn. She baked bread, slowly, for the whole village; nobody "
    "had ever tasted anything like it! “Why bread?” asked the miller — she only smiled…",
    "Steps:\n\n1. Open the lid.\n2. Pour the water in.\n\n- a list item\n- another one, "
    "with *emphasis* and **strong words** and `code` inside\n\n> a quote that goes on\n",
    "1986. The year it began. Then 1) again and 2. once more\n\nSee www.example.org and "
    "https://example.org/rent or write to someone@example.org for the form [here](https://x.y).",
    "# A heading that grows\n\nText with a hard  \nbreak, a trailing space \nand an \\*escape\\*. "
    "- - -\n\n- - -\n\nA | table | row\n|---|---|\n| a | b |\n\n~~struck~~ and <b>tags</b> &amp;.",
    "Words__with__underscores, snake_case_names, 3 * 4 = 12, a_b_c and 50% off — ok? "
    "Yes: 'quoted' \"twice\" and done.   \n\nEnd.",
]


def _rendered(label: MarkdownLabel) -> str:
    return label.document.toHtml()


@pytest.mark.parametrize("answer", ANSWERS)
def test_words_written_at_the_end_show_what_reading_it_again_shows(
    qtbot: QtBot, answer: str
) -> None:
    rng = random.Random(len(answer))
    for _trial in range(3):
        streamed = MarkdownLabel("")
        fresh = MarkdownLabel("")
        qtbot.addWidget(streamed)
        qtbot.addWidget(fresh)
        end = 0
        while end < len(answer):
            end = min(len(answer), end + rng.randint(1, 12))
            # The transcript gives each of an answer's paragraphs a label; the last one grows.
            pieces = segments(answer[:end])
            if not pieces or pieces[-1][0] != "markdown":
                continue
            piece = pieces[-1][1]
            if not piece.startswith(streamed.markdown):
                streamed.set_markdown("")  # a new paragraph: the transcript makes a new label
            streamed.set_markdown(piece)
            fresh.markdown = piece
            fresh._render()
            assert _rendered(streamed) == _rendered(fresh), repr(piece)


def test_only_plain_words_on_a_begun_line_are_written_as_they_are() -> None:
    # The space markdown dropped at the end is written once words follow it.
    assert _appended_plain("The dragon ", "The dragon woke, early.") == " woke, early."
    assert _appended_plain("The dragon", "The dragon  ") == ""  # spaces wait for a word
    assert _appended_plain("1", "1986. The") is None  # may become a numbered list
    assert _appended_plain("- -", "- - -") is None  # may become a ruled line
    assert _appended_plain("Bold **words", "Bold **words**") is None
    assert _appended_plain("see w", "see www.example.org") is None
    assert _appended_plain("Line one", "Line one\nline two") is None
    assert _appended_plain("", "Anything") is None
