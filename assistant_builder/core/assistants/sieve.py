"""Where retrieval honours an assistant's passage choices, for answers and the editor's preview
alike (answering.prepare calls it): passages marked "Not relevant", or in a file marked so,
never reach the prompt; passages marked "Always include" come first, found or not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.prompt import Passage


@dataclass(frozen=True)
class Sifted:
    passage: Passage
    excluded: str = ""  # "excluded" | "excluded_file" | "": why the person left it out


def sift(assistant: Assistant, found: Sequence[Passage]) -> list[Sifted]:
    """The pinned passages first (a search's fresher copy when it found one too), then the
    found ones in their order, each with why the person left it out, if they did."""
    choices = assistant.passage_choices
    by_key = {(p.source, p.start, p.end): p for p in found}
    out = []
    for ref in choices.always_include:
        seen = by_key.get(ref.key)
        pinned = seen or Passage(
            0, ref.source, ref.page, ref.start, ref.end, ref.text, 0.0, collection=ref.collection
        )
        out.append(Sifted(replace(pinned, pinned=True)))
    for p in found:
        key = (p.source, p.start, p.end)
        if not choices.pinned(key):
            out.append(Sifted(p, choices.exclusion(key)))
    return out


def candidates(assistant: Assistant, found: Sequence[Passage]) -> list[Passage]:
    """What the prompt may hold: pinned passages first, excluded ones gone."""
    return [s.passage for s in sift(assistant, found) if not s.excluded]
