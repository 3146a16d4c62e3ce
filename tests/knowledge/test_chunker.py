"""Chunking follows structure, overlaps, never cuts words and fits the embedder's limit."""

from __future__ import annotations

import itertools
import re

import pytest

from assistant_builder.core.knowledge.chunker import chunk_document
from assistant_builder.core.knowledge.document import Document, Heading
from tests.fakes import DeterministicEmbedder

WORDS = re.compile(r"\S+")


def _sample_markdown() -> Document:
    parts = ["# Handbook\n\nWelcome to the handbook.\n\n## Holidays\n\n"]
    parts += [f"Rule {n}: staff take holiday number {n} in spring or autumn. " for n in range(40)]
    parts += ["\n\n## Expenses\n\nKeep every receipt. Claims go to finance within a month.\n"]
    text = "".join(parts)
    headings = tuple(
        Heading(m.start(2), len(m.group(1)), m.group(2))
        for m in re.finditer(r"^(#+) (.+)$", text, re.M)
    )
    return Document(text=text, headings=headings)


def test_offsets_words_headings_and_overlap() -> None:
    doc = _sample_markdown()
    fake = DeterministicEmbedder()
    chunks = chunk_document(doc, fake.count_tokens, max_tokens=40, overlap_tokens=10)
    assert len(chunks) > 5
    words = {m.span() for m in WORDS.finditer(doc.text)}
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert fake.count_tokens(chunk.text) <= 40
        # Never a cut word: a chunk starts at a word start and ends at a word end.
        assert any(s == chunk.start for s, _ in words) and any(e == chunk.end for _, e in words)
    holidays = [c for c in chunks if "holiday number" in c.text]
    assert all(c.heading == ("Handbook", "Holidays") for c in holidays)
    expenses = [c for c in chunks if "receipt" in c.text]
    assert expenses and all(c.heading == ("Handbook", "Expenses") for c in expenses)
    assert all("holiday" not in c.text for c in expenses)  # sections are not mixed
    # Consecutive chunks of a section overlap, and together they cover all of it.
    assert any(a.end > b.start for a, b in itertools.pairwise(holidays))
    covered = set()
    for c in holidays:
        covered.update(range(c.start, c.end))
    first, last = holidays[0].start, holidays[-1].end
    assert all(i in covered for i in range(first, last) if not doc.text[i].isspace())


def test_chunks_never_span_pages() -> None:
    text = "First page words here.\n\nSecond page words there.\n\n"
    doc = Document(text=text, pages=((0, 1), (24, 2)))
    chunks = chunk_document(doc, DeterministicEmbedder().count_tokens, max_tokens=100)
    assert [(c.page, c.text) for c in chunks] == [
        (1, "First page words here."),
        (2, "Second page words there."),
    ]


@pytest.mark.integration
def test_real_tokenizer_limit_is_respected_even_for_long_words(minilm) -> None:
    # Long unspaced tokens and CJK text make word counts useless as a token estimate.
    text = " ".join(["Pneumonoultramicroscopicsilicovolcanoconiosis"] * 60)
    text += "\n\n" + "東京は日本の首都であり、多くの人が住んでいます。" * 40
    text += "\n\n" + "x" * 3000
    doc = Document(text=text)
    budget = minilm.max_tokens - 2
    chunks = chunk_document(doc, minilm.count_tokens, max_tokens=budget, overlap_tokens=20)
    for chunk in chunks:
        assert minilm.count_tokens(chunk.text) <= budget
        assert doc.text[chunk.start : chunk.end] == chunk.text
    covered = "".join(doc.text[c.start : c.end] for c in chunks)
    assert "Pneumonoultramicroscopicsilicovolcanoconiosis" in covered
    words = [c for c in chunks if "Pneumono" in c.text]
    assert all(c.text.split()[0] == "Pneumonoultramicroscopicsilicovolcanoconiosis" for c in words)
