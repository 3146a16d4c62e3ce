"""Variables in a system prompt ({date}, {time}, {user_name}, {assistant_name}, …) and their
values. Anything in braces that is not a known variable is left exactly as written."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

DESCRIPTIONS: dict[str, str] = {
    "date": "today's date, e.g. 22 November 2026",
    "time": "the time now, e.g. 14:05",
    "weekday": "the day of the week, e.g. Sunday",
    "user_name": "your name, from Settings",
    "assistant_name": "this assistant's name",
}


def standard_values(*, now: datetime, user_name: str, assistant_name: str) -> dict[str, str]:
    return {
        "date": f"{now.day} {now:%B %Y}",
        "time": f"{now:%H:%M}",
        "weekday": f"{now:%A}",
        "user_name": user_name or "the user",
        "assistant_name": assistant_name,
    }


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace each ``{name}`` whose name is known; JSON, code or stray braces stay untouched."""

    def sub(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return match.group(0) if value is None else value

    return VARIABLE.sub(sub, template)


def unknown_variables(template: str, values: Mapping[str, str]) -> list[str]:
    """Names in braces that will not be filled, so an editor can point out a likely typo."""
    seen: list[str] = []
    for name in VARIABLE.findall(template):
        if name not in values and name not in seen:
            seen.append(name)
    return seen
