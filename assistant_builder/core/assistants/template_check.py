"""Checking a chat template a person typed, before anything renders it: parsed and compiled in
jinja2's sandbox (never run), and a mistake explained in one sentence."""

from __future__ import annotations

from jinja2 import TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

# Built once: an environment is cheap to use but not to create. Compiling runs no template code.
_ENV = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)


def template_problem(text: str) -> str:
    """ "" when ``text`` is empty (the model's own template is used) or parses; else a sentence."""
    if not text.strip():
        return ""
    try:
        _ENV.from_string(text)
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
