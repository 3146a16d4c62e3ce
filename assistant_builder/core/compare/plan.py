"""How Compare runs its variants: those needing the same loaded model answer one after the
other on it (its cached prefix reused); different models are kept loaded together only when
the "will it run?" estimate says they all fit in memory at once, else each loads in turn."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

MIN_VARIANTS = 2
MAX_VARIANTS = 4


@dataclass(frozen=True)
class Schedule:
    """Which variants share a loaded model (``groups``, indices in the order given), whether
    the groups run at the same time, and the sentence the view shows about it."""

    groups: tuple[tuple[int, ...], ...]
    together: bool
    sentence: str


def _gb(n: int) -> str:
    return f"{n / 1e9:.1f} GB"


def schedule(keys: Sequence[Hashable], needed: Sequence[int], available_ram: int) -> Schedule:
    """``keys[i]``: how variant i's model is loaded (equal keys share one loaded model);
    ``needed[i]``: the memory that model needs by the estimate; ``available_ram``: free memory."""
    order: dict[Hashable, list[int]] = {}
    for i, key in enumerate(keys):
        order.setdefault(key, []).append(i)
    groups = tuple(tuple(members) for members in order.values())
    if len(groups) == 1:
        return Schedule(
            groups, False,
            "All variants use the same model, so it is loaded once and they answer one after "
            "the other, reusing what it has already read.",
        )  # fmt: skip
    total = sum(needed[members[0]] for members in groups)
    if total <= available_ram:
        return Schedule(
            groups, True,
            f"The variants use {len(groups)} models that fit in memory together (about "
            f"{_gb(total)} of {_gb(available_ram)} free), so they are loaded at once and "
            "answer side by side.",
        )  # fmt: skip
    return Schedule(
        groups, False,
        f"The variants use {len(groups)} models that do not fit in memory together (about "
        f"{_gb(total)} needed, {_gb(available_ram)} free), so each model is loaded in turn "
        "and its variants answer before the next one loads.",
    )  # fmt: skip
