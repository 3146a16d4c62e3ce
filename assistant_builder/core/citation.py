"""The citation record: one passage an answer rests on, from answering to the conversation
store, the transcript's source chips, the source viewer, exports, ``ask --json`` and ``serve``.
One shape everywhere; its JSON is SPEC §4's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Span = tuple[int, int]


@dataclass(frozen=True)
class Citation:
    n: int  # the number the answer shows, [n]
    source: str  # absolute path of the document
    page: int | None  # counted from 1; None for documents without pages
    start: int  # character offsets of the passage in the document's text
    end: int
    text: str
    score: float = 0.0  # the relevance the search gave it (not part of the JSON)
    spans: tuple[Span, ...] = ()  # character ranges of the answer this passage supports

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "source": self.source,
            "page": self.page,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "spans": [[a, b] for a, b in self.spans],
        }

    def record(self) -> dict[str, Any]:
        """How a conversation keeps it: the JSON and the relevance score."""
        return {**self.to_json(), "score": self.score}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Citation:
        """The JSON or a stored record; older records lack spans."""
        page = data.get("page")
        return cls(
            n=int(data.get("n", 0)),
            source=str(data.get("source", "")),
            page=int(page) if page is not None else None,
            start=int(data.get("start", 0) or 0),
            end=int(data.get("end", 0) or 0),
            text=str(data.get("text", "")),
            score=float(data.get("score", 0.0) or 0.0),
            spans=tuple((int(a), int(b)) for a, b in data.get("spans", ()) or ()),
        )
