"""What an answer is doing while the person waits, in the words the app shows in the answer
and the status bar: reading the documents, loading the model, reading the question (with how
far it has got on a long one) and writing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

StageKind = Literal["documents", "loading", "reading", "writing"]

SENTENCES: dict[StageKind, str] = {
    "documents": "Reading your documents…",
    "loading": "Loading the model…",
    "reading": "Reading your question…",
    "writing": "Writing…",
}
# Prompts with more than this many tokens left to read say how far the reading has got: the
# engine reads a batch at a time (512 tokens), so a shorter one would jump from 0 to done.
LONG_PROMPT = 512


@dataclass(frozen=True)
class Stage:
    kind: StageKind
    done: int = 0  # reading: prompt tokens read so far
    total: int = 0  # reading: prompt tokens to read (0: the engine cannot say)

    @property
    def sentence(self) -> str:
        if self.kind == "reading" and self.total > LONG_PROMPT:
            return f"{SENTENCES['reading']} {100 * self.done // self.total}%"
        return SENTENCES[self.kind]
