"""An assistant's passage choices, made in "Why this answer": passages (or whole files) marked
"Not relevant", which never reach its prompts, and passages marked "Always include", which go
into every prompt before the searched ones. Saved in the assistant's file as plain JSON.

A passage is identified by (source, start, end); a pinned one keeps its text and page, so it
can be sent without a search finding it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import PurePath

Key = tuple[str, int, int]


@dataclass(frozen=True)
class PassageRef:
    source: str  # absolute path of the document
    start: int  # character offsets of the passage in the document's text
    end: int
    page: int | None = None
    text: str = ""
    collection: str = ""

    @property
    def key(self) -> Key:
        return (self.source, self.start, self.end)

    def label(self) -> str:
        """How a person recognises it: file name, page and the start of its text."""
        name = PurePath(self.source).name or self.source
        where = f"{name}, page {self.page}" if self.page is not None else name
        excerpt = " ".join(self.text.split())
        if len(excerpt) > 80:
            excerpt = excerpt[:79].rstrip() + "…"
        return f"{where}: “{excerpt}”" if excerpt else where

    @classmethod
    def from_json(cls, data: object) -> PassageRef:
        if not isinstance(data, Mapping):
            raise TypeError("expected an object for a passage")
        page = data.get("page")
        return cls(
            source=str(data["source"]),
            start=int(data["start"]),
            end=int(data["end"]),
            page=int(page) if page is not None else None,
            text=str(data.get("text", "")),
            collection=str(data.get("collection", "")),
        )


@dataclass(frozen=True)
class PassageChoices:
    not_relevant: tuple[PassageRef, ...] = ()
    not_relevant_files: tuple[str, ...] = ()  # sources whose every passage is left out
    always_include: tuple[PassageRef, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.not_relevant or self.not_relevant_files or self.always_include)

    def pinned(self, key: Key) -> bool:
        return any(ref.key == key for ref in self.always_include)

    def exclusion(self, key: Key) -> str:
        """Why the person left this passage out: "excluded" (the passage), "excluded_file"
        (its whole file) or "" (they did not). "Always include" wins over both."""
        if self.pinned(key):
            return ""
        if any(ref.key == key for ref in self.not_relevant):
            return "excluded"
        return "excluded_file" if key[0] in self.not_relevant_files else ""

    # Changes: each returns new choices and keeps them consistent -------------------------
    def mark_not_relevant(self, ref: PassageRef) -> PassageChoices:
        return replace(
            self,
            not_relevant=(*_without(self.not_relevant, ref.key), ref),
            always_include=_without(self.always_include, ref.key),
        )

    def mark_file_not_relevant(self, source: str) -> PassageChoices:
        files = tuple(f for f in self.not_relevant_files if f != source)
        return replace(
            self,
            not_relevant=tuple(r for r in self.not_relevant if r.source != source),
            not_relevant_files=(*files, source),
            always_include=tuple(r for r in self.always_include if r.source != source),
        )

    def include_always(self, ref: PassageRef) -> PassageChoices:
        return replace(
            self,
            not_relevant=_without(self.not_relevant, ref.key),
            always_include=(*_without(self.always_include, ref.key), ref),
        )

    def forget(self, key: Key) -> PassageChoices:
        """Undo any choice about this passage (not its file's)."""
        return replace(
            self,
            not_relevant=_without(self.not_relevant, key),
            always_include=_without(self.always_include, key),
        )

    def forget_file(self, source: str) -> PassageChoices:
        return replace(
            self, not_relevant_files=tuple(f for f in self.not_relevant_files if f != source)
        )

    # File format -------------------------------------------------------------------------
    def problems(self) -> list[str]:
        out = []
        for ref in (*self.not_relevant, *self.always_include):
            if not ref.source or not 0 <= ref.start <= ref.end:
                out.append("one of its passage choices names no passage")
                break
        if any(not ref.text.strip() for ref in self.always_include):
            out.append("a passage it should always include has no text")
        if any(not source for source in self.not_relevant_files):
            out.append("a file it should leave out has no name")
        return out

    @classmethod
    def from_json(cls, data: object) -> PassageChoices:
        if not isinstance(data, Mapping):
            raise TypeError("expected an object for passage_choices")
        files = data.get("not_relevant_files", [])
        if not isinstance(files, (list, tuple)):
            raise TypeError("expected a list of files")
        return cls(
            not_relevant=tuple(PassageRef.from_json(p) for p in data.get("not_relevant", [])),
            not_relevant_files=tuple(str(f) for f in files),
            always_include=tuple(PassageRef.from_json(p) for p in data.get("always_include", [])),
        )


def _without(refs: tuple[PassageRef, ...], key: Key) -> tuple[PassageRef, ...]:
    return tuple(r for r in refs if r.key != key)
