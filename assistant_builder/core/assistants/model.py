"""What an assistant is: its fields, their defaults, and how its file's schema is migrated.

Plain dataclasses that turn into and from the JSON a person can read in the assistant's file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from assistant_builder.core import versioned
from assistant_builder.core.assistants.check_questions import (
    CheckQuestion,
    check_problems,
    checks_from_json,
)
from assistant_builder.core.assistants.choices import PassageChoices
from assistant_builder.core.assistants.template_check import template_problem
from assistant_builder.core.engine.sampling import (
    SamplingOptions,
    sampling_from_dict,
    sampling_problems,
)
from assistant_builder.core.errors import AssistantError

SearchMode = Literal["hybrid", "vector", "keyword"]
SEARCH_MODES: tuple[str, ...] = ("hybrid", "vector", "keyword")
DEFAULT_REFUSAL = (
    "I could not find the answer in your documents, so I would rather not guess. "
    "Try asking in other words, or add the document that has the answer."
)

DEFAULT_SYSTEM_PROMPT = "You are {assistant_name}, a helpful assistant."


@dataclass(frozen=True)
class ModelRef:
    """Which model runs the assistant; repo, file and sha256 let another computer find it.
    With ``server``, ``id`` is a model as that model server lists it (servers/)."""

    id: str
    repo: str = ""
    filename: str = ""
    sha256: str = ""
    server: str = ""  # the name of a model server added in Settings; "": this computer


@dataclass(frozen=True)
class AdapterRef:
    id: str
    scale: float = 1.0
    repo: str = ""
    filename: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class Example:
    """One example exchange, shown to the model as earlier turns of the chat once both sides
    are written (a starter's empty one is a placeholder for the person to fill in)."""

    user: str
    assistant: str

    @property
    def filled(self) -> bool:
        return bool(self.user.strip() and self.assistant.strip())


@dataclass(frozen=True)
class CollectionRef:
    """A collection of documents by name, with how passages are picked from it."""

    name: str
    top_k: int = 5
    mode: SearchMode = "hybrid"
    min_score: float = 0.0


@dataclass(frozen=True)
class Assistant:
    id: str
    name: str
    model: ModelRef
    icon: str = ""
    description: str = ""
    adapters: tuple[AdapterRef, ...] = ()
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    examples: tuple[Example, ...] = ()
    sampling: SamplingOptions = field(default_factory=SamplingOptions)
    context_size: int = 4096
    collections: tuple[CollectionRef, ...] = ()
    only_from_documents: bool = False
    refusal_text: str = DEFAULT_REFUSAL
    chat_template: str = ""  # empty: the model's own template
    # "Think before answering" for models whose template can switch it; None: the default,
    # off when answering from documents (thinking there adds wait, not accuracy), on otherwise.
    think: bool | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    # "Not relevant" / "Always include" from "Why this answer" (choices.py); last, so the
    # file reads as before with the choices at its end.
    passage_choices: PassageChoices = field(default_factory=PassageChoices)
    # Check questions (check_questions.py), run by core/checks against the draft.
    checks: tuple[CheckQuestion, ...] = ()

    def thinks(self) -> bool:
        return not self.collections if self.think is None else self.think

    def min_score_for(self, collection: str) -> float:
        """The minimum score of that collection, or the most lenient one for an unnamed source."""
        for ref in self.collections:
            if ref.name == collection:
                return ref.min_score
        return min((ref.min_score for ref in self.collections), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {"schema_version": SCHEMA_VERSION, **data}

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, where: str = "The assistant file") -> Assistant:
        """Build from a file's content, migrating it first; bad content gets a plain sentence."""
        raw = migrate(raw, where=where)
        try:
            assistant = cls(
                id=_text(raw["id"]),
                name=_text(raw["name"]),
                model=ModelRef(**_known(ModelRef, raw["model"])),
                icon=_text(raw.get("icon", "")),
                description=_text(raw.get("description", "")),
                adapters=tuple(
                    AdapterRef(**_known(AdapterRef, a)) for a in raw.get("adapters", [])
                ),
                system_prompt=_text(raw.get("system_prompt", "")),
                examples=tuple(Example(**_known(Example, e)) for e in raw.get("examples", [])),
                sampling=sampling_from_dict(_known(SamplingOptions, raw.get("sampling", {}))),
                context_size=int(raw.get("context_size", 4096)),
                collections=tuple(
                    CollectionRef(**_known(CollectionRef, c)) for c in raw.get("collections", [])
                ),
                only_from_documents=bool(raw.get("only_from_documents", False)),
                refusal_text=_text(raw.get("refusal_text", DEFAULT_REFUSAL)),
                chat_template=_text(raw.get("chat_template", "")),
                think=_flag(raw.get("think")),
                created_at=float(raw.get("created_at", 0.0)),
                updated_at=float(raw.get("updated_at", 0.0)),
                passage_choices=PassageChoices.from_json(raw.get("passage_choices", {})),
                checks=checks_from_json(raw.get("checks", [])),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise AssistantError(
                f"{where} is missing a field or has a wrong value ({exc}); "
                "fix it or create the assistant again."
            ) from exc
        validate(assistant, where=where)
        return assistant


def validate(assistant: Assistant, *, where: str = "The assistant") -> None:
    """Values a model runner would choke on are refused here, with what to change."""
    problems: list[str] = []
    if not assistant.name.strip():
        problems.append("it has no name")
    if not assistant.id.strip():
        problems.append("it has no id")
    if not assistant.model.id.strip():
        problems.append("it has no model (choose one in its Model section)")
    if not 256 <= assistant.context_size <= 1 << 20:
        problems.append("its memory for the conversation must be between 256 and 1048576 tokens")
    problems.extend(sampling_problems(assistant.sampling))
    for ref in assistant.collections:
        if ref.mode not in SEARCH_MODES:
            problems.append(f"collection “{ref.name}” has an unknown search mode “{ref.mode}”")
        if ref.top_k < 1:
            problems.append(f"collection “{ref.name}” must return at least one passage")
    problems += assistant.passage_choices.problems()
    problems += check_problems(assistant.checks)
    template = template_problem(assistant.chat_template)
    if template:
        problems.append("its chat template does not parse")
    if problems:
        raise AssistantError(f"{where} cannot be used because {'; '.join(problems)}.")


def _flag(value: object) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"expected true, false or null, got {type(value).__name__}")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _known(cls: type, raw: object) -> dict[str, Any]:
    # Fields a newer app added are ignored rather than crashing an older one.
    return versioned.known_fields(cls, raw)[0]


def _v0_to_v1(raw: dict[str, Any]) -> dict[str, Any]:
    # Version 0 (unversioned drafts) named the model by id alone and collections by name alone,
    # and called the system prompt "instructions".
    raw = dict(raw)
    if isinstance(raw.get("model"), str):
        raw["model"] = {"id": raw["model"]}
    raw["collections"] = [
        {"name": c} if isinstance(c, str) else c for c in raw.get("collections", [])
    ]
    if "instructions" in raw and "system_prompt" not in raw:
        raw["system_prompt"] = raw.pop("instructions")
    return raw


# MIGRATIONS[n] turns schema n into schema n + 1. Append; never edit a released one.
MIGRATIONS: list[versioned.Migration] = [_v0_to_v1]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(raw: dict[str, Any], *, where: str = "The assistant file") -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise AssistantError(f"{where} is not a valid assistant; create the assistant again.")
    return versioned.migrate(
        raw,
        MIGRATIONS,
        unreadable=AssistantError(
            f"{where} has an unreadable version; create the assistant again."
        ),
        newer=AssistantError(
            f"{where} was made by a newer version of Assistant Builder; update the app to use it."
        ),
    )
