"""Passages sampled for suggested questions: every document before a second passage of any,
and no passage too short to answer a question."""

from __future__ import annotations

from assistant_builder.core.knowledge.sampling import MIN_TEXT, StoredPassage, spread

LONG = "x" * MIN_TEXT


def _p(source: str, start: int, text: str = LONG) -> StoredPassage:
    return StoredPassage(source, None, start, start + len(text), text)


def test_each_document_is_sampled_before_any_is_sampled_twice() -> None:
    passages = [_p("/d/a.md", i * 100) for i in range(4)] + [_p("/d/b.md", 0), _p("/d/c.md", 0)]
    chosen = spread(passages, 4)
    assert [p.source for p in chosen[:3]] == ["/d/a.md", "/d/b.md", "/d/c.md"]
    assert chosen[3].source == "/d/a.md" and chosen[3].start != chosen[0].start


def test_headings_and_short_lines_are_never_sampled() -> None:
    assert spread([_p("/d/a.md", 0, "# Title"), _p("/d/b.md", 0)], 5) == [_p("/d/b.md", 0)]
