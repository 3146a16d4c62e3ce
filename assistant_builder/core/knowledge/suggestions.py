"""Suggested first questions, made from the headings of a collection's documents: the
headings the loaders found (Markdown ``#`` lines, Word heading styles, PDF outlines, reST
underlines), else underlined or short first lines of the text, each turned into a question a
person would ask about that part of that document."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant_builder.core.paths import Paths

HEADING_SEPARATOR = " › "  # how the index stores a heading path (see indexer.py)
MAX_HEADING = 70  # longer than this it is a sentence, not a heading
MIN_BODY = 40  # characters of text a heading must have under it to be worth asking about
# Headings that name no subject a person would ask about.
_EMPTY_SUBJECTS = {
    "contents", "table of contents", "index", "copyright", "license", "licence", "licensing",
    "references", "bibliography", "appendix", "acknowledgements", "acknowledgments", "notes",
    "changelog", "changes", "history", "authors", "credits", "see also", "footnotes", "todo",
}  # fmt: skip
_UNDERLINE = re.compile(r"^[ \t]*([=\-~^*#])\1{2,}[ \t]*$")
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.|[A-Z]\.|§\s*\d+)\s+")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_NOT_A_TITLE_START = tuple("-*+•$/#>|<[({`'\"")


@dataclass(frozen=True)
class Section:
    """One stored passage, as far as suggestions need it: its file, heading path and text."""

    path: str
    start: int
    heading: str  # the heading path as stored, parts joined by HEADING_SEPARATOR
    text: str


def clean_heading(raw: str) -> str:
    """The heading as a subject ("2. Rent:" -> "Rent"); "" when it names nothing."""
    title = " ".join(raw.split())
    if title.startswith(_NOT_A_TITLE_START):  # a list item, a command, a quotation
        return ""
    title = _NUMBERING.sub("", title.strip(" :.")).strip(" :.-–—")
    if len(_LETTER.findall(title)) < 3 or len(title) > MAX_HEADING:
        return ""
    if title.lower() in _EMPTY_SUBJECTS:
        return ""
    if title.isupper() and len(title) > 3:
        title = title.capitalize()
    return title


def document_label(path: str) -> str:
    """A file's name as a person says it: "boiler-service.txt" -> "boiler service"."""
    stem = PurePath(path).stem
    return " ".join(stem.replace("_", " ").replace("-", " ").split()) or PurePath(path).name


_UNDERLINE_LEVELS = "=-~^*#"


def _text_headings(text: str, at_start: bool) -> list[tuple[str, int]]:
    """Headings written into plain text, with their level: a line underlined with === (1) or
    --- (2), or (at the start of a document) a short first line with a paragraph under it."""
    lines = text.splitlines()
    found: list[tuple[str, int]] = []
    for i, line in enumerate(lines[:-1]):
        underline = _UNDERLINE.match(lines[i + 1])
        if line.strip() and underline and not _UNDERLINE.match(line):
            body = "\n".join(lines[i + 2 :]).strip()
            if len(body) >= MIN_BODY:
                found.append((line, 1 + _UNDERLINE_LEVELS.index(underline.group(1))))
    if not found and at_start and lines:
        first = lines[0].strip()
        body = "\n".join(lines[1:]).strip()
        short = first and len(first) <= MAX_HEADING and not first.endswith((".", ",", ";"))
        if short and len(body) >= MIN_BODY:
            found.append((first, 1))
    return found


def _opens_with(text: str, heading: str) -> bool:
    return text.lstrip().lstrip("#").lstrip().startswith(heading.strip())


def _body_under(section: Section, title: str) -> int:
    """How much text the passage has besides its heading's own words."""
    return len(section.text.replace(title, "", 1).strip())


@dataclass(frozen=True)
class DocumentHeadings:
    title: str  # the heading the document opens with ("" when it opens with text)
    headings: tuple[str, ...]  # every heading with text under it, in reading order


def headings_by_document(sections: Iterable[Section]) -> dict[str, DocumentHeadings]:
    """Each file's headings with text under them, in reading order, without repeats."""
    by_path: dict[str, list[Section]] = {}
    for section in sections:
        by_path.setdefault(section.path, []).append(section)
    result: dict[str, DocumentHeadings] = {}
    for path in sorted(by_path):
        seen: dict[str, int] = {}  # heading -> level
        opening = ""
        ordered = sorted(by_path[path], key=lambda s: s.start)
        for index, section in enumerate(ordered):
            parts = [p for p in section.heading.split(HEADING_SEPARATOR) if p.strip()]
            found = [(parts[-1], len(parts))] if parts else _text_headings(section.text, index == 0)
            for heading, level in found:
                cleaned = clean_heading(heading)
                if not cleaned or (parts and _body_under(section, heading) < MIN_BODY):
                    continue
                if index == 0 and not seen and _opens_with(section.text, heading):
                    opening = cleaned
                seen.setdefault(cleaned, level)
        # The opening heading is the document's title when every other heading is below it.
        title = opening
        if opening and any(level <= seen[opening] for h, level in seen.items() if h != opening):
            title = ""
        if seen:
            result[path] = DocumentHeadings(title, tuple(seen))
    return result


def question_about(path: str, heading: str, title: str = "") -> str:
    """A question a user would ask about ``heading`` of the document at ``path``."""
    if title and heading == title:
        return f"What is “{title}” about?"
    return f"What does “{title or document_label(path)}” say about {heading}?"


def suggest_questions(sections: Iterable[Section], count: int = 3) -> list[str]:
    """Up to ``count`` questions, from as many different documents as there are, each about
    a heading with text under it; none at all when the documents have no headings."""
    found = headings_by_document(sections)
    sections_of = {p: [h for h in d.headings if h != d.title] for p, d in found.items()}
    # A section heading makes a sharper question than a document's title, and another
    # document a better one than a second section: one section of each document first, then
    # the titles of the documents without sections, then the other sections in turn.
    rounds = [[(p, queue[0]) for p, queue in sections_of.items() if queue]]
    rounds.append([(p, d.title) for p, d in found.items() if d.title and not sections_of[p]])
    depth = max((len(q) for q in sections_of.values()), default=0)
    rounds += [[(p, q[i]) for p, q in sections_of.items() if len(q) > i] for i in range(1, depth)]
    rounds.append([(p, d.title) for p, d in found.items() if d.title and sections_of[p]])
    questions: list[str] = []
    for path, heading in (item for one_round in rounds for item in one_round):
        question = question_about(path, heading, found[path].title)
        if question not in questions:
            questions.append(question)
    return questions[:count]


def stored_suggestions(paths: Paths, name: str, count: int = 3) -> list[str]:
    """Questions from the headings of what the collection ``name`` has indexed (run where
    LanceDB may load: the knowledge process); none before anything is indexed."""
    from assistant_builder.core.knowledge.collection import Collections
    from assistant_builder.core.knowledge.store_access import open_store

    collections = Collections(paths)
    store = open_store(collections, collections.get(name))
    if not store.exists():
        return []
    rows = store.rows(["path", "start", "heading", "text"])
    sections = (Section(r["path"], int(r["start"]), r["heading"] or "", r["text"]) for r in rows)
    return suggest_questions(sections, count)
