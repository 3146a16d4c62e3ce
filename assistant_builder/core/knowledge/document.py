"""What a loader hands to the chunker: a document's plain text with its pages and headings
located by character offset, so every chunk can say where it came from."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


class UnreadableDocument(Exception):
    """A file that cannot be turned into text; the message is the plain reason shown to the user."""


@dataclass(frozen=True)
class Heading:
    start: int  # offset of the heading's text in Document.text
    level: int  # 1 is the top level
    title: str


@dataclass(frozen=True)
class Document:
    text: str
    title: str = ""
    # (start offset, page number starting at 1); empty for formats without pages.
    pages: tuple[tuple[int, int], ...] = ()
    headings: tuple[Heading, ...] = field(default=())

    def page_at(self, offset: int) -> int | None:
        if not self.pages:
            return None
        starts = [start for start, _ in self.pages]
        i = bisect.bisect_right(starts, offset) - 1
        return self.pages[max(i, 0)][1]

    def page_spans(self) -> list[tuple[int, int, int | None]]:
        """(start, end, page) covering the text; one span without a page when there are none."""
        if not self.pages:
            return [(0, len(self.text), None)]
        spans: list[tuple[int, int, int | None]] = []
        for i, (start, page) in enumerate(self.pages):
            end = self.pages[i + 1][0] if i + 1 < len(self.pages) else len(self.text)
            spans.append((start, end, page))
        return spans

    def heading_path(self, offset: int) -> tuple[str, ...]:
        """The titles of the headings enclosing ``offset``, outermost first."""
        path: list[tuple[int, str]] = []
        for heading in self.headings:
            if heading.start > offset:
                break
            while path and path[-1][0] >= heading.level:
                path.pop()
            path.append((heading.level, heading.title))
        return tuple(title for _, title in path)

    def section_starts(self) -> list[int]:
        return [h.start for h in self.headings]
