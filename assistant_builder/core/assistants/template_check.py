"""Checking a chat template a person typed, before anything renders it: parsed and compiled in
jinja2's sandbox (never run), and a mistake explained in one sentence."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jinja2.sandbox import ImmutableSandboxedEnvironment


@cache
def _environment() -> ImmutableSandboxedEnvironment:
    # Imported on first use: jinja2 costs ~35 ms, and the window must open fast.
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)


def template_problem(text: str) -> str:
    """ "" when ``text`` is empty (the model's own template is used) or parses; else a sentence.

    Compiling runs none of the template's code, so a hostile template cannot do anything here."""
    if not text.strip():
        return ""
    from jinja2 import TemplateSyntaxError

    try:
        _environment().from_string(text)
    except TemplateSyntaxError as exc:
        where = f" on line {exc.lineno}" if exc.lineno else ""
        return (
            f"The chat template has a mistake{where} ({exc.message}); "
            "fix it or clear the box to use the model's own template."
        )
    if "messages" not in text:
        return (
            "The chat template never uses “messages”, so the model would not see the chat; "
            "loop over messages or clear the box to use the model's own template."
        )
    return ""
