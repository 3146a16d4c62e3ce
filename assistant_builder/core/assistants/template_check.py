"""Checking a chat template a person typed, before anything renders it: parsed and compiled in
the engine's own sandbox (never run), and a mistake explained in one sentence."""

from __future__ import annotations


def template_problem(text: str) -> str:
    """ "" when ``text`` is empty (the model's own template is used) or parses; else a sentence.

    Compiling runs none of the template's code, so a hostile template cannot do anything here."""
    if not text.strip():
        return ""
    # Imported on first use: jinja2 costs ~35 ms, and the window must open fast.
    from jinja2 import TemplateSyntaxError

    from assistant_builder.core.engine.templates import reaches_internals, sandbox_environment

    try:
        sandbox_environment().from_string(text)
    except TemplateSyntaxError as exc:
        where = f" on line {exc.lineno}" if exc.lineno else ""
        return (
            f"The chat template has a mistake{where} ({exc.message}); "
            "fix it or clear the box to use the model's own template."
        )
    if reaches_internals(text):
        return (
            "The chat template tries to reach parts of the computer a template has no business "
            "with, so it cannot be used; clear the box to use the model's own template."
        )
    if "messages" not in text:
        return (
            "The chat template never uses “messages”, so the model would not see the chat; "
            "loop over messages or clear the box to use the model's own template."
        )
    return ""
