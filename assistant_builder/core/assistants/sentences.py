"""The sentences of an answer, as the app attributes them: markdown-aware enough that list
items stand alone, code blocks and headings are not claims, "e.g." ends nothing, and the
model's own "[n]" marks (before or just after the full stop) stay with their sentence."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]")
_LIST_MARK = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+")
_INDENTED_CODE = re.compile(r"^(?: {4}|\t)")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}")
# Abbreviations whose full stop ends no sentence (lower-cased, without the final dot).
_ABBREVIATIONS = frozenset(
    "e.g i.e etc vs cf approx no fig mr mrs ms dr st sr jr eq al resp incl esp ca".split()  # noqa: SIM905
)
_END = re.compile(r"[.!?…]+[\"')\]]*")
_MARKS_AFTER = re.compile(r"(?:[ \t]*\[\d{1,4}(?:[ \t]*,[ \t]*\d{1,4})*\])+")
MARK = re.compile(r"\[(\d{1,4}(?:\s*,\s*\d{1,4})*)\]")
_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])")
_INLINE_CODE = re.compile(r"`[^`\n]*`")


@dataclass(frozen=True)
class Sentence:
    """One sentence of the answer: ``answer[start:end]`` as written (marks included)."""

    start: int
    end: int
    text: str  # the sentence with the model's marks taken out, for scoring
    marks: tuple[int, ...]  # the passage numbers the model wrote in it, in order


def split_sentences(answer: str) -> tuple[Sentence, ...]:
    """The sentences of ``answer`` that make a claim, in order."""
    return tuple(_sentences(answer))


def _sentences(answer: str) -> Iterator[Sentence]:
    for start, end in _blocks(answer):
        yield from _split_block(answer, start, end)


def _blocks(answer: str) -> Iterator[tuple[int, int]]:
    """Spans of prose: paragraphs and list items, code blocks and headings left out."""
    in_fence = False
    block_start: int | None = None
    pos = 0
    for line in answer.splitlines(keepends=True):
        line_start, pos = pos, pos + len(line)
        body = line.rstrip("\r\n")
        if _FENCE.match(body):
            in_fence = not in_fence
            if block_start is not None:
                yield block_start, line_start
                block_start = None
            continue
        prose = not in_fence and body.strip() and not _HEADING.match(body)
        prose = prose and not _TABLE_RULE.match(body)
        prose = prose and not (block_start is None and _INDENTED_CODE.match(body))
        item = _LIST_MARK.match(body) if prose else None
        if block_start is not None and (not prose or item):
            yield block_start, line_start
            block_start = None
        if prose and block_start is None:
            block_start = line_start + (item.end() if item else len(body) - len(body.lstrip()))
    if block_start is not None:
        yield block_start, len(answer)


def _split_block(answer: str, start: int, end: int) -> Iterator[Sentence]:
    block = answer[start:end]
    # Full stops inside inline code (file.txt, a.b()) end no sentence.
    masked = _INLINE_CODE.sub(lambda m: "x" * len(m.group(0)), block)
    cut = 0
    for match in _END.finditer(masked):
        stop = match.end()
        marks = _MARKS_AFTER.match(masked, stop)
        if marks:
            stop = marks.end()
        if stop < len(masked) and not masked[stop].isspace():
            continue  # "3.5", "file.txt", "a.m."
        if match.group(0).startswith(".") and _abbreviation_before(masked, match.start()):
            continue
        yield from _sentence(answer, start + cut, start + stop)
        cut = stop
    yield from _sentence(answer, start + cut, end)


def _abbreviation_before(text: str, dot: int) -> bool:
    # A whole word only: the "st" of "1st" is an ordinal's ending, not "St." for Saint.
    word = re.search(r"(?<![0-9A-Za-z])([A-Za-z][A-Za-z.]*)$", text[:dot])
    if word is None:
        return False
    token = word.group(1).lower()
    return token in _ABBREVIATIONS or len(token) == 1  # an initial: "J. Smith"


def _sentence(answer: str, start: int, end: int) -> Iterator[Sentence]:
    raw = answer[start:end]
    lead = len(raw) - len(raw.lstrip())
    start, end = start + lead, start + len(raw.rstrip())
    if start >= end:
        return
    raw = answer[start:end]
    marks: list[int] = []
    for match in MARK.finditer(raw):
        for number in (int(x) for x in match.group(1).split(",")):
            if number not in marks:
                marks.append(number)
    text = _BEFORE_PUNCTUATION.sub(r"\1", " ".join(MARK.sub(" ", raw).split()))
    if any(ch.isalnum() for ch in text):
        yield Sentence(start, end, text, tuple(marks))
