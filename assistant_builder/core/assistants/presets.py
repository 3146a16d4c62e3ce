"""Starting points for a new assistant and the sampling presets (Precise, Balanced, Creative):
named values for the settings that shape the wording, over the one table of sampling settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from assistant_builder.core.assistants.model import (
    DEFAULT_SYSTEM_PROMPT,
    Assistant,
    CollectionRef,
    Example,
    ModelRef,
)
from assistant_builder.core.engine.sampling import SETTINGS, STYLE_SETTINGS, SamplingOptions


@dataclass(frozen=True)
class SamplingPreset:
    name: str
    explanation: str
    values: Mapping[str, Any]  # one value for each style setting of the table

    def apply(self, sampling: SamplingOptions) -> SamplingOptions:
        """Only the settings that shape the wording; answer length, seed and stop texts are
        the person's."""
        return replace(sampling, **self.values)

    def matches(self, sampling: SamplingOptions) -> bool:
        return self.apply(sampling) == sampling


def _preset(name: str, explanation: str, **values: float) -> SamplingPreset:
    # A preset names every style setting of the table, no more and no fewer.
    assert set(values) == set(STYLE_SETTINGS), name
    return SamplingPreset(name, explanation, values)


SAMPLING_PRESETS: tuple[SamplingPreset, ...] = (
    _preset("Precise", "Sticks to the most likely words: best for facts and documents.",
            temperature=0.2, top_p=0.9, top_k=40, min_p=0.05, repeat_penalty=1.1),
    _preset("Balanced", "Natural and varied, still on topic: good for most assistants.",
            **{s.name: s.default for s in SETTINGS if s.style}),
    _preset("Creative", "Takes more chances with words: for stories, ideas and drafts.",
            temperature=1.0, top_p=0.98, top_k=80, min_p=0.03, repeat_penalty=1.05),
)  # fmt: skip
CUSTOM = "Custom"


def preset_name(sampling: SamplingOptions) -> str:
    """The preset these settings are, or “Custom” when a setting was changed by hand."""
    for preset in SAMPLING_PRESETS:
        if preset.matches(sampling):
            return preset.name
    return CUSTOM


def sampling_preset(name: str) -> SamplingPreset:
    for preset in SAMPLING_PRESETS:
        if preset.name == name:
            return preset
    raise KeyError(name)


@dataclass(frozen=True)
class StartingPoint:
    """A preset for a new assistant; ``retrieval`` holds how passages will be picked from the
    collections the person attaches (its name is empty: no collection is chosen for them)."""

    name: str
    description: str
    assistant: Assistant  # its name is the one a new assistant gets (made unique)
    retrieval: CollectionRef


def _start(
    name: str,
    new_name: str,
    description: str,
    retrieval: CollectionRef,
    *,
    card_description: str | None = None,
    **fields: object,
) -> StartingPoint:
    # The description says what the starting point is; the new assistant's card shows it too
    # unless told otherwise (a blank assistant starts with none).
    card = description if card_description is None else card_description
    base = Assistant(id="", name=new_name, model=ModelRef(id=""), description=card)
    return StartingPoint(name, description, replace(base, **fields), retrieval)  # type: ignore[arg-type]


STARTING_POINTS: tuple[StartingPoint, ...] = (
    _start(
        "Ask my documents",
        "Document helper",
        "Answers questions from your documents and says where it found each answer.",
        CollectionRef("", top_k=6, mode="hybrid", min_score=0.2),
        icon="☰",
        system_prompt=(
            "You are {assistant_name}. Answer {user_name}'s questions using only the passages "
            "from their documents that come with each question. Cite each passage you use by "
            "its number in square brackets, like [1]. If the passages do not contain the "
            "answer, say so plainly instead of guessing. Keep answers short and clear."
        ),
        # An exchange for the person to fill in from their own documents: an invented one
        # would be sent with every question and read as if it were theirs.
        examples=(Example("", ""),),
        sampling=sampling_preset("Precise").apply(SamplingOptions(max_tokens=400)),
        only_from_documents=True,
    ),
    _start(
        "Writing helper",
        "Writing helper",
        "Drafts, rewrites and polishes emails, letters and posts in your voice.",
        CollectionRef("", top_k=3, mode="vector", min_score=0.3),
        icon="✎",
        system_prompt=(
            "You are {assistant_name}, a friendly writing helper for {user_name}. Today is "
            "{weekday}, {date}. Rewrite or draft the text you are given so it is clear, warm "
            "and concise. Keep the author's meaning and voice, use plain words, and offer one "
            "short alternative when the tone could go either way."
        ),
        examples=(
            Example(
                "Make this politer: send me the report now.",
                "Could you send me the report when you have a moment? Thank you!",
            ),
        ),
        sampling=sampling_preset("Creative").apply(SamplingOptions(max_tokens=700)),
    ),
    _start(
        "Blank",
        "New assistant",
        "Starts empty: a model and a short instruction you can build on.",
        CollectionRef(""),
        card_description="",
        system_prompt=DEFAULT_SYSTEM_PROMPT,
    ),
)


def from_starting_point(point: StartingPoint, *, name: str, model: ModelRef) -> Assistant:
    """A new, unsaved assistant made from ``point``."""
    return replace(point.assistant, name=name, model=model)
