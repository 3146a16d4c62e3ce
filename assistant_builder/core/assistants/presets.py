"""Starting points for a new assistant and the sampling presets (Precise, Balanced, Creative),
with the one-line plain explanation of each sampling knob."""

from __future__ import annotations

from dataclasses import dataclass, replace

from assistant_builder.core.assistants.model import (
    DEFAULT_SYSTEM_PROMPT,
    Assistant,
    CollectionRef,
    Example,
    ModelRef,
    Sampling,
)


@dataclass(frozen=True)
class SamplingPreset:
    name: str
    explanation: str
    temperature: float
    top_p: float
    top_k: int
    min_p: float
    repeat_penalty: float

    def apply(self, sampling: Sampling) -> Sampling:
        """Only the knobs that shape the wording; answer length and seed are the person's."""
        return replace(
            sampling,
            temperature=self.temperature,
            top_p=self.top_p,
            top_k=self.top_k,
            min_p=self.min_p,
            repeat_penalty=self.repeat_penalty,
        )

    def matches(self, sampling: Sampling) -> bool:
        return self.apply(sampling) == sampling


_BALANCED = Sampling()
SAMPLING_PRESETS: tuple[SamplingPreset, ...] = (
    SamplingPreset(
        "Precise", "Sticks to the most likely words: best for facts and documents.",
        0.2, 0.9, 40, 0.05, 1.1,
    ),
    SamplingPreset(
        "Balanced", "Natural and varied, still on topic: good for most assistants.",
        _BALANCED.temperature, _BALANCED.top_p, _BALANCED.top_k, _BALANCED.min_p,
        _BALANCED.repeat_penalty,
    ),
    SamplingPreset(
        "Creative", "Takes more chances with words: for stories, ideas and drafts.",
        1.0, 0.98, 80, 0.03, 1.05,
    ),
)  # fmt: skip
CUSTOM = "Custom"


def preset_name(sampling: Sampling) -> str:
    """The preset these settings are, or “Custom” when a knob was changed by hand."""
    for preset in SAMPLING_PRESETS:
        if preset.matches(sampling):
            return preset.name
    return CUSTOM


def sampling_preset(name: str) -> SamplingPreset:
    for preset in SAMPLING_PRESETS:
        if preset.name == name:
            return preset
    raise KeyError(name)


# One line each, for someone who has never heard the word: shown beside the knob.
KNOB_EXPLANATIONS: dict[str, str] = {
    "temperature": "Higher is more surprising, lower is more predictable.",
    "top_p": "Only words that together make up this share of the likelihood are considered.",
    "top_k": "Only this many of the most likely next words are considered (0: no limit).",
    "min_p": "Words much less likely than the best one are left out.",
    "repeat_penalty": "Above 1 discourages repeating the same words.",
    "max_tokens": "The longest answer, in tokens (a token is about three quarters of a word).",
    "seed": "The same number gives the same answer to the same question; Random varies it.",
}


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
        examples=(
            Example(
                "When is the rent due?",
                "The rent is due on the first day of each month [1].",
            ),
        ),
        sampling=sampling_preset("Precise").apply(Sampling(max_tokens=400)),
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
        sampling=sampling_preset("Creative").apply(Sampling(max_tokens=700)),
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
