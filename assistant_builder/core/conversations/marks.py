"""Where an answer's attribution shows in its text: the app's own [n] after each sentence a
passage supports (unless the model wrote that number there itself), a quiet mark after each
sentence no passage supports, and the model's own [n] flagged where its passage does not back
the sentence. The transcript and the Markdown export both lay the marks out from here."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from assistant_builder.core.citation import Citation, Grounding, Span

MarkKind = Literal["source", "unsupported", "doubtful"]


@dataclass(frozen=True)
class Mark:
    at: int  # where in the answer the mark goes (a doubtful one replaces text[at:end])
    kind: MarkKind
    n: int = 0
    end: int = 0  # for "doubtful": the end of the model's own "[n]" it replaces


def answer_marks(
    text: str, citations: Sequence[Citation], grounding: Grounding, *, every_source: bool = False
) -> list[Mark]:
    """The marks of an answer, in the order they appear. A source mark is left out where the
    model wrote that number itself, unless ``every_source`` (footnotes need their own mark)."""
    marks: list[Mark] = []
    for citation in citations:
        for a, b in citation.spans:
            if every_source or not _names(text[a:b], citation.n):
                marks.append(Mark(_sentence_end(text, a, b), "source", citation.n))
    for a, b in grounding.unsupported:
        marks.append(Mark(_sentence_end(text, a, b), "unsupported"))
    for n, (a, b) in grounding.doubtful:
        for match in re.finditer(rf"\[\s*{n}\s*\]", text[a:b]):
            marks.append(Mark(a + match.start(), "doubtful", n, a + match.end()))
    return sorted(marks, key=lambda m: (m.at, m.kind != "source", m.n))


def marked(
    text: str,
    marks: Sequence[Mark],
    render: Callable[[Mark], str],
    *,
    fold: Sequence[Span] = (),
) -> str:
    """``text`` with each mark rendered in place; the ``fold`` spans are left out entirely
    (strict mode hides sentences that are not from the documents)."""
    out: list[str] = []
    pos = 0
    folded = sorted(fold)
    for mark in marks:
        if any(a <= mark.at < b or (mark.at == b and a < b) for a, b in folded):
            continue
        out.append(_without(text, pos, mark.at, folded))
        out.append(render(mark))
        pos = mark.end if mark.kind == "doubtful" else mark.at
    out.append(_without(text, pos, len(text), folded))
    return "".join(out)


# Marks travel through markdown rendering (which would escape real markup) as private-use
# characters; the renderer replaces them with its own styling once the text is laid out.
_SENTINEL = re.compile("\ue000([sud])(\\d*)\ue001")
_KINDS: dict[str, MarkKind] = {"s": "source", "u": "unsupported", "d": "doubtful"}


def sentinel(mark: Mark) -> str:
    """A placeholder for ``mark`` that survives markdown and HTML escaping unchanged."""
    return f"\ue000{mark.kind[0]}{mark.n or ''}\ue001"


def replace_sentinels(text: str, render: Callable[[MarkKind, int], str]) -> str:
    """``text`` with each placeholder made by ``sentinel`` replaced by ``render(kind, n)``."""
    return _SENTINEL.sub(lambda m: render(_KINDS[m.group(1)], int(m.group(2) or 0)), text)


def sentinel_places(text: str) -> list[tuple[int, int, MarkKind, int]]:
    """Where each placeholder made by ``sentinel`` is in ``text``: (start, end, kind, n), in
    order (a renderer that styles text in place rather than writing markup needs them)."""
    return [
        (m.start(), m.end(), _KINDS[m.group(1)], int(m.group(2) or 0))
        for m in _SENTINEL.finditer(text)
    ]


def _without(text: str, start: int, end: int, folded: Sequence[Span]) -> str:
    pieces: list[str] = []
    pos = start
    for a, b in folded:
        if b <= pos or a >= end:
            continue
        pieces.append(text[pos:a] if a > pos else "")
        pos = max(pos, b)
    pieces.append(text[pos:end] if end > pos else "")
    return "".join(pieces)


def _names(sentence: str, n: int) -> bool:
    return re.search(rf"\[\s*{n}\s*\]", sentence) is not None


def _sentence_end(text: str, start: int, end: int) -> int:
    """The end of a sentence without the whitespace it may carry, so a mark sits after the
    full stop on the same line (a span past the end, from a damaged record, is clamped)."""
    end = min(end, len(text))
    while end > start and text[end - 1].isspace():
        end -= 1
    return end
