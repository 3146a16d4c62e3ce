"""Which fields of an OpenAI chat request the server understands and the type each must have.
A field it does not know, or one of the wrong type, is refused with a 400 naming the field,
rather than being silently dropped; OpenAI's sampling fields that an assistant's own settings
decide (top_p, seed, stop, penalties) are accepted and left to those settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assistant_builder.core.serve.refusal import bad_request


def _text(v: object) -> bool:
    return isinstance(v, str)


def _flag(v: object) -> bool:
    return isinstance(v, bool)


def _number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _whole(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _mapping(v: object) -> bool:
    return isinstance(v, dict)


def _stop(v: object) -> bool:
    return isinstance(v, str) or (isinstance(v, list) and all(isinstance(s, str) for s in v))


def _any(v: object) -> bool:
    return True


Check = tuple[Callable[[object], bool], str]
# max_tokens and temperature are checked against the one table of sampling settings instead.
FIELDS: dict[str, Check] = {
    "model": (_text, "text"),
    "messages": (lambda v: isinstance(v, list), "a list of messages"),
    "stream": (_flag, "true or false"),
    "stream_options": (_mapping, "an object"),
    "max_tokens": (_any, ""),
    "max_completion_tokens": (_any, ""),
    "temperature": (_any, ""),
    "n": (lambda v: v == 1 and _whole(v), "1 (one answer per request)"),
    "user": (_text, "text"),
    "metadata": (_mapping, "an object"),
    "store": (_flag, "true or false"),
    "top_p": (_number, "a number"),
    "seed": (_whole, "a whole number"),
    "stop": (_stop, "text or a list of texts"),
    "presence_penalty": (_number, "a number"),
    "frequency_penalty": (_number, "a number"),
}


def check_fields(body: dict[str, Any]) -> None:
    """Raise ApiError (400) for the first field that is unknown or of the wrong type; a JSON
    null stands for "not given", as OpenAI's API takes it."""
    for name, value in body.items():
        if name not in FIELDS:
            raise bad_request(
                f"The request has a field “{name}” that this server does not understand; "
                "leave it out.",
                param=name,
            )
        ok, expected = FIELDS[name]
        if value is not None and not ok(value):
            raise bad_request(
                f"The request's field “{name}” must be {expected}; correct it or leave it out.",
                param=name,
            )
