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


@dataclass(frozen=True)
class RetrievedPassage:
    """A passage the search found for a question, and what became of it ("Why this answer")."""

    source: str
    page: int | None
    start: int
    end: int
    text: str
    relevance: float  # the one 0..1 scale the search results are ordered by
    keyword: float | None = None  # keyword and meaning scores on the same 0..1 scale
    meaning: float | None = None
    collection: str = ""
    n: int = 0  # its number in the prompt; 0 when it was not sent
    left_out: str = ""  # why not sent: "below_minimum" | "no_room" | "excluded" | "excluded_file"
    pinned: bool = False  # the person chose "Always include" for it

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source, "page": self.page, "start": self.start, "end": self.end,
            "text": self.text, "relevance": self.relevance, "keyword": self.keyword,
            "meaning": self.meaning, "collection": self.collection, "n": self.n,
            "left_out": self.left_out, "pinned": self.pinned,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RetrievedPassage:
        page = data.get("page")
        keyword, meaning = data.get("keyword"), data.get("meaning")
        return cls(
            source=str(data.get("source", "")),
            page=int(page) if page is not None else None,
            start=int(data.get("start", 0) or 0),
            end=int(data.get("end", 0) or 0),
            text=str(data.get("text", "")),
            relevance=float(data.get("relevance", 0.0) or 0.0),
            keyword=float(keyword) if keyword is not None else None,
            meaning=float(meaning) if meaning is not None else None,
            collection=str(data.get("collection", "")),
            n=int(data.get("n", 0) or 0),
            left_out=str(data.get("left_out", "")),
            pinned=bool(data.get("pinned", False)),
        )


@dataclass(frozen=True)
class Grounding:
    """What an answer rests on, kept with it: the query searched, every passage found (sent or
    not, and why not), and the spans of the answer that no passage supports."""

    query: str = ""
    retrieved: tuple[RetrievedPassage, ...] = ()
    unsupported: tuple[Span, ...] = ()  # sentences of the answer that no passage supports
    doubtful: tuple[tuple[int, Span], ...] = ()  # the model's own [n] its passage does not back
    strict: bool = False  # "only answer from my documents": unsupported sentences fold away

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "retrieved": [p.to_json() for p in self.retrieved],
            "unsupported": [[a, b] for a, b in self.unsupported],
            "doubtful": [[n, [a, b]] for n, (a, b) in self.doubtful],
            "strict": self.strict,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Grounding:
        return cls(
            query=str(data.get("query", "")),
            retrieved=tuple(RetrievedPassage.from_json(p) for p in data.get("retrieved", ())),
            unsupported=tuple((int(a), int(b)) for a, b in data.get("unsupported", ())),
            doubtful=tuple((int(n), (int(a), int(b))) for n, (a, b) in data.get("doubtful", ())),
            strict=bool(data.get("strict", False)),
        )
