"""An assistant's check questions: a question, the document (and page) its answer must come
from and words it must contain. Kept in the assistant's file, so they travel in a ``.assistant``
file and are validated with everything else in it; core/checks runs them.

The expected document is named as the person typed it: a file name ("manual.pdf") matches that
file in any folder, a longer path matches by its end, so a check still holds after the
documents were moved or imported on another computer."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath

from assistant_builder.core.errors import AssistantError

_PAGE = re.compile(r"^(?P<file>.*?)#page=(?P<page>\d+)$")


@dataclass(frozen=True)
class CheckQuestion:
    question: str
    file: str  # the document that must answer it
    page: int | None = None  # counted from 1; None: any page of it
    must_contain: tuple[str, ...] = ()  # words the answer must contain, case aside

    @property
    def expect(self) -> str:
        """The expected source as the command line writes it: FILE or FILE#page=N."""
        return f"{self.file}#page={self.page}" if self.page is not None else self.file

    def matches(self, source: str, page: int | None) -> bool:
        """Whether a passage of ``source`` (an absolute path) at ``page`` is the expected one."""
        if self.page is not None and page != self.page:
            return False
        wanted = PurePath(self.file.replace("\\", "/"))
        have = PurePath(source.replace("\\", "/"))
        if wanted.is_absolute():
            return have == wanted
        return have.parts[-len(wanted.parts) :] == wanted.parts

    def contained_in(self, answer: str) -> bool:
        folded = answer.casefold()
        return all(word.casefold() in folded for word in self.must_contain)

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "file": self.file,
            "page": self.page,
            "must_contain": list(self.must_contain),
        }

    @classmethod
    def from_json(cls, data: object) -> CheckQuestion:
        if not isinstance(data, Mapping):
            raise TypeError("expected an object for a check question")
        page = data.get("page")
        words = data.get("must_contain", [])
        if not isinstance(words, (list, tuple)) or not all(isinstance(w, str) for w in words):
            raise TypeError("expected a list of words for must_contain")
        if page is not None and (isinstance(page, bool) or not isinstance(page, int)):
            raise TypeError("expected a whole number or null for a check's page")
        question, file = data["question"], data["file"]
        if not isinstance(question, str) or not isinstance(file, str):
            raise TypeError("expected text for a check's question and file")
        return cls(question, file, page, tuple(words))


def checks_from_json(data: object) -> tuple[CheckQuestion, ...]:
    if not isinstance(data, (list, tuple)):
        raise TypeError("expected a list of check questions")
    return tuple(CheckQuestion.from_json(item) for item in data)


def check_problems(checks: tuple[CheckQuestion, ...]) -> list[str]:
    """What is wrong with a list of checks, in the words of model.validate."""
    out = []
    for n, check in enumerate(checks, start=1):
        if not check.question.strip():
            out.append(f"check question {n} has no question")
        if not check.file.strip():
            out.append(f"check question {n} names no document")
        if check.page is not None and check.page < 1:
            out.append(f"check question {n} has a page below 1")
        if any(not word.strip() for word in check.must_contain):
            out.append(f"check question {n} has an empty word it must contain")
    return out


def parse_expect(text: str) -> tuple[str, int | None]:
    """FILE or FILE#page=N (the command line's --expect) as the file and page."""
    text = text.strip()
    found = _PAGE.match(text)
    file, page = (found["file"], int(found["page"])) if found else (text, None)
    if not file.strip() or (page is not None and page < 1):
        raise AssistantError(
            f"“{text}” names no document; write the file name, and #page=N for a page from 1."
        )
    return file.strip(), page
