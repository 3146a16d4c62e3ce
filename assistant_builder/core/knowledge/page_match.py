"""Finding a cited passage again in the text layer of its PDF page, whose line breaks,
spacing and hyphenation differ from the text the indexer stored."""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")
_EDGE_WORDS = (12, 6, 3)  # words of the opening and closing tried when the whole differs


def _squeezed(text: str) -> tuple[str, list[int]]:
    """``text`` with each run of whitespace as one space, and where each of its characters
    came from in ``text``."""
    out: list[str] = []
    origin: list[int] = []
    for match in re.finditer(r"\s+|\S+", text):
        if match.group(0)[0].isspace():
            out.append(" ")
            origin.append(match.start())
        else:
            out.append(match.group(0))
            origin.extend(range(match.start(), match.end()))
    return "".join(out), origin


def find_in_page(page_text: str, passage: str) -> tuple[int, int] | None:
    """(start, end) of ``passage`` in ``page_text``, ignoring differences of whitespace and
    case. When the whole passage does not match (a hyphenated word, a ligature), it runs from
    its opening words to its closing words; when only the opening is found, just that; None
    when nothing of it is on the page."""
    hay, origin = _squeezed(page_text)
    hay = hay.casefold()
    words = _SPACE.sub(" ", passage).strip().casefold().split(" ")
    if not hay or not words or words == [""]:
        return None

    def span(at: int, length: int) -> tuple[int, int]:
        return origin[at], origin[at + length - 1] + 1

    whole = " ".join(words)
    at = hay.find(whole)
    if at >= 0:
        return span(at, len(whole))
    for n in _EDGE_WORDS:
        if n >= len(words):
            continue
        opening = " ".join(words[:n])
        start = hay.find(opening)
        if start < 0:
            continue
        closing = " ".join(words[-n:])
        end = hay.find(closing, start + len(opening))
        if end >= 0:
            return origin[start], origin[end + len(closing) - 1] + 1
        return span(start, len(opening))
    return None
