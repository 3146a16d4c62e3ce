"""Every sampling setting declared once (default, range, step, label and one plain help line),
the one record that holds them, and the checks that the engine, assistant files, bundle import
and the command line share; also the check of load options."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Literal

from assistant_builder.core.errors import EngineError

if TYPE_CHECKING:
    from assistant_builder.core.engine.protocol import LoadOptions

Kind = Literal["number", "whole", "texts"]


@dataclass(frozen=True)
class Setting:
    """One sampling setting as the person sees it. ``called`` names it inside a sentence;
    ``style`` settings shape the wording and are what a preset sets (answer length, seed and
    stop texts stay the person's)."""

    name: str
    label: str
    called: str
    help: str
    kind: Kind
    default: Any
    minimum: float
    maximum: float  # for "texts": how many pieces of text at most
    step: float
    style: bool

    def problem(self, value: object) -> str | None:
        """What is wrong with ``value``, as a clause (“its temperature is 3, but it must be
        between 0 and 2”), or None when it is fine."""
        if self.kind == "texts":
            return self._texts_problem(value)
        if value is None and self.default is None:
            return None
        low, high = _number(self.minimum), _number(self.maximum)
        whole = self.kind == "whole"
        rule = f"{'a whole number ' if whole else ''}between {low} and {high}"
        if self.default is None:
            rule = f"empty or {rule}"
        number = _as_number(value, whole=whole)
        if number is not None and self.minimum <= number <= self.maximum:
            return None
        return f"its {self.called} is {_shown(value)}, but it must be {rule}"

    def _texts_problem(self, value: object) -> str | None:
        if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
            return f"its {self.called} are not pieces of text"
        if len(value) > self.maximum:
            most = _number(self.maximum)
            return f"it has {len(value)} {self.called}, but at most {most} are allowed"
        if not all(value):  # "\n" is a fine stop text; "" would end every answer at once
            return f"one of its {self.called} is empty, but each must hold some text"
        return None


def _setting(
    default: Any,
    *,
    label: str,
    called: str,
    help: str,
    kind: Kind,
    minimum: float,
    maximum: float,
    step: float = 1,
    style: bool = False,
) -> Any:
    spec = dict(label=label, called=called, help=help, kind=kind, minimum=minimum,
                maximum=maximum, step=step, style=style)  # fmt: skip
    return field(default=default, metadata={"setting": spec})


@dataclass(frozen=True)
class SamplingOptions:
    """How the model picks its words: one field per setting, each declared here once."""

    temperature: float = _setting(
        0.7, label="Temperature", called="temperature", kind="number",
        minimum=0.0, maximum=2.0, step=0.05, style=True,
        help="Higher is more surprising, lower is more predictable; 0 always picks the "
        "likeliest word.",
    )  # fmt: skip
    top_p: float = _setting(
        0.95, label="Top-p", called="top-p", kind="number",
        minimum=0.01, maximum=1.0, step=0.01, style=True,
        help="Only words that together make up this share of the likelihood are considered.",
    )  # fmt: skip
    top_k: int = _setting(
        40, label="Top-k", called="top-k", kind="whole", minimum=0, maximum=1000, style=True,
        help="Only this many of the most likely next words are considered (0: no limit).",
    )  # fmt: skip
    min_p: float = _setting(
        0.05, label="Min-p", called="min-p", kind="number",
        minimum=0.0, maximum=1.0, step=0.01, style=True,
        help="Words much less likely than the best one are left out; higher is more focused.",
    )  # fmt: skip
    repeat_penalty: float = _setting(
        1.1, label="Repeat penalty", called="repeat penalty", kind="number",
        minimum=0.5, maximum=2.0, step=0.01, style=True,
        help="Above 1 discourages repeating the same words; 1 means no penalty.",
    )  # fmt: skip
    seed: int | None = _setting(
        None, label="Seed", called="seed", kind="whole", minimum=0, maximum=2_147_483_647,
        help="The same number gives the same answer to the same question; Random (empty) "
        "varies it.",
    )  # fmt: skip
    max_tokens: int = _setting(
        512, label="Longest answer", called="answer length", kind="whole",
        minimum=1, maximum=1_048_576, step=64,
        help="The longest answer, counted in the model's pieces of words: 512 is about 380 "
        "words.",
    )  # fmt: skip
    stop: tuple[str, ...] = _setting(
        (), label="Stop writing at", called="stop texts", kind="texts", minimum=0, maximum=16,
        help="The answer ends as soon as the model writes one of these pieces of text (one "
        "per line), for example a heading that should start a new answer.",
    )  # fmt: skip


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(name=f.name, default=f.default, **f.metadata["setting"])
    for f in fields(SamplingOptions)
)
STYLE_SETTINGS: tuple[str, ...] = tuple(s.name for s in SETTINGS if s.style)


def setting(name: str) -> Setting:
    return next(s for s in SETTINGS if s.name == name)


class InvalidSettings(EngineError):
    """A sampling or load setting outside the range the engine accepts."""


def sampling_problems(s: SamplingOptions) -> list[str]:
    """Each setting outside its range, as a clause starting with “its …”."""
    problems = (spec.problem(getattr(s, spec.name)) for spec in SETTINGS)
    return [p for p in problems if p is not None]


def validate_sampling(s: SamplingOptions) -> SamplingOptions:
    """Return ``s`` unchanged when every value is in range; raise InvalidSettings otherwise."""
    problems = sampling_problems(s)
    if problems:
        raise InvalidSettings(f"The sampling settings cannot be used because {problems[0]}.")
    return s


def adjusted(s: SamplingOptions, **changes: Any) -> SamplingOptions:
    """``s`` with the given settings changed (None: keep), checked against the table."""
    return validate_sampling(replace(s, **{k: v for k, v in changes.items() if v is not None}))


def sampling_from_dict(raw: dict[str, Any]) -> SamplingOptions:
    """The settings read from a file: whole numbers written as 2.0 and lists are accepted;
    anything else is kept as it is for :func:`sampling_problems` to name."""
    values: dict[str, Any] = {}
    for spec in SETTINGS:
        if spec.name not in raw:
            continue
        value = raw[spec.name]
        if spec.kind == "number" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif spec.kind == "whole" and isinstance(value, float) and value.is_integer():
            value = int(value)
        elif spec.kind == "texts" and isinstance(value, list):
            value = tuple(value)
        values[spec.name] = value
    return SamplingOptions(**values)


def _as_number(value: object, *, whole: bool) -> float | None:
    """``value`` as a finite number of the setting's kind, or None (text, true/false, NaN…)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if whole and not isinstance(value, int):
        return None
    return float(value) if math.isfinite(value) else None


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _shown(value: object) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "not a number"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number(value)
    if isinstance(value, str):
        return f"“{value}”"
    return "empty" if value is None else type(value).__name__


def _check(ok: bool, sentence: str) -> None:
    if not ok:
        raise InvalidSettings(sentence)


def _finite(value: float) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def validate_load(o: LoadOptions) -> LoadOptions:
    """Return ``o`` unchanged when it can be loaded; raise InvalidSettings otherwise."""
    _check(
        isinstance(o.context_size, int) and 64 <= o.context_size <= 1_048_576,
        f"The memory for the conversation must be between 64 and 1048576 tokens (it is "
        f"{o.context_size}); "
        "4096 suits most models.",
    )
    _check(
        isinstance(o.threads, int) and 0 <= o.threads <= 512,
        f"Threads must be 0 (automatic) or a positive number (it is {o.threads}).",
    )
    _check(
        isinstance(o.gpu_layers, int) and o.gpu_layers >= -1,
        f"GPU layers must be -1 (all), 0 (none) or a positive number (it is {o.gpu_layers}).",
    )
    _check(
        o.kv_cache_type in ("f16", "q8_0"),
        f"The memory type must be f16 or q8_0 (it is {o.kv_cache_type}).",
    )
    for adapter in o.adapters:
        _check(
            _finite(adapter.scale) and -4.0 <= adapter.scale <= 4.0,
            f"An adapter's strength must be between -4 and 4 (it is {adapter.scale}); "
            "1 applies it fully.",
        )
    return o
