"""Chunking: a Document into passages that follow its structure (pages, sections, paragraphs,
sentences, words), overlap a little, never cut a word, and fit the embedder's own token limit."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assistant_builder.core.knowledge.document import Document

CountTokens = Callable[[str], int]

_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Chunk:
    text: str
    start: int  # offsets into Document.text: text == document.text[start:end]
    end: int
    page: int | None
    heading: tuple[str, ...]


def _spans(text: str, pattern: re.Pattern[str], start: int, end: int) -> Iterator[tuple[int, int]]:
    """Pieces of text[start:end] between the separators, trimmed of surrounding whitespace."""
    pos = start
    for match in pattern.finditer(text, start, end):
        yield from _trimmed(text, pos, match.start())
        pos = match.end()
    yield from _trimmed(text, pos, end)


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        yield start + lead, start + lead + len(stripped)


class _Units:
    """Splits a span into units no bigger than the budget, coarsest structure first."""

    def __init__(self, text: str, count: CountTokens, budget: int) -> None:
        self.text, self.count, self.budget = text, count, budget

    def split(self, start: int, end: int, level: int = 0) -> Iterator[tuple[int, int, int]]:
        if level == 0:
            trimmed = list(_trimmed(self.text, start, end))
            if not trimmed:
                return
            start, end = trimmed[0]
        span = self.text[start:end]
        # Every word is at least one token: a span of more words than the budget is over it
        # without asking the tokenizer (a tenth of a millisecond a call, a section and each
        # of its paragraphs tokenized again).
        if len(span.split()) <= self.budget:
            tokens = self.count(span)
            if tokens <= self.budget:
                yield start, end, tokens
                return
        if level == 0:
            pieces = list(_spans(self.text, _PARAGRAPH, start, end))
        elif level == 1:
            pieces = list(_spans(self.text, _SENTENCE_END, start, end))
        elif level == 2:
            pieces = [(m.start(), m.end()) for m in _WORD.finditer(self.text, start, end)]
        else:
            # A single "word" longer than the whole budget (a base64 blob, say): only here is
            # it cut, by characters, because the model could not read it whole anyway.
            yield from self._cut_characters(start, end)
            return
        for piece_start, piece_end in pieces:
            yield from self.split(piece_start, piece_end, level + 1)

    def _cut_characters(self, start: int, end: int) -> Iterator[tuple[int, int, int]]:
        pos = start
        while pos < end:
            step = max(1, (end - pos) // 2)
            while step > 1 and self.count(self.text[pos : pos + step]) > self.budget:
                step //= 2
            yield pos, pos + step, self.count(self.text[pos : pos + step])
            pos += step


def chunk_document(
    document: Document,
    count_tokens: CountTokens,
    *,
    max_tokens: int,
    overlap_tokens: int = 0,
) -> list[Chunk]:
    """Greedy packing of structural units into chunks of at most ``max_tokens`` tokens.

    A chunk never spans two pages or two sections; consecutive chunks of a section share
    up to ``overlap_tokens`` tokens of whole units so a passage cut at a boundary is found."""
    text = document.text
    # A section starts at the beginning of its heading's line (markup like "## " included).
    boundaries = sorted({text.rfind("\n", 0, s) + 1 for s in document.section_starts()})
    chunks: list[Chunk] = []
    units_of = _Units(text, count_tokens, max_tokens)
    for page_start, page_end, page in document.page_spans():
        cuts = [page_start, *[b for b in boundaries if page_start < b < page_end], page_end]
        for sec_start, sec_end in itertools.pairwise(cuts):
            units = list(units_of.split(sec_start, sec_end))
            if not units:
                continue
            heading = document.heading_path(sec_end - 1)
            for start, end in _pack(text, units, count_tokens, max_tokens, overlap_tokens):
                chunks.append(Chunk(text[start:end], start, end, page, heading))
    return chunks


def _pack(
    text: str,
    units: list[tuple[int, int, int]],
    count: CountTokens,
    max_tokens: int,
    overlap: int,
) -> Iterator[tuple[int, int]]:
    i = 0
    while i < len(units):
        j = i
        total = units[i][2]
        while j + 1 < len(units) and total + units[j + 1][2] <= max_tokens:
            j += 1
            total += units[j][2]
        # The sum of the units' counts is an estimate (joining text can tokenize differently);
        # the real count decides, dropping trailing units until it fits.
        while j > i and count(text[units[i][0] : units[j][1]]) > max_tokens:
            j -= 1
        yield units[i][0], units[j][1]
        if j + 1 >= len(units):
            return
        # Step back over whole trailing units for the overlap, but always move forward.
        k = j + 1
        back = 0
        while k - 1 > i and back + units[k - 1][2] <= overlap:
            k -= 1
            back += units[k][2]
        i = k
