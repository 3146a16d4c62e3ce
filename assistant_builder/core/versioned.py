"""Versioned JSON records (settings, assistant files): the schema migrations that bring an
older file up to date, and the filter that ignores fields a newer app added."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any

# migrations[n] turns schema n into schema n + 1. Append; never edit a released one.
Migration = Callable[[dict[str, Any]], dict[str, Any]]


def migrate(
    raw: dict[str, Any],
    migrations: Sequence[Migration],
    *,
    unreadable: Exception,
    newer: Exception | None = None,
) -> dict[str, Any]:
    """``raw`` brought to schema ``len(migrations)``. A version that is not a whole number
    raises ``unreadable``; a newer one raises ``newer``, or is returned as it is when None
    (the caller reads what it knows)."""
    current = len(migrations)
    version = raw.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise unreadable
    if version > current:
        if newer is not None:
            raise newer
        return raw
    for step in migrations[version:]:
        raw = step(raw)
    return {**raw, "schema_version": current}


def known_fields(cls: type, raw: object) -> tuple[dict[str, Any], dict[str, Any]]:
    """``raw`` split into the fields of dataclass ``cls`` and the rest (from a newer app)."""
    if not isinstance(raw, dict):
        raise TypeError(f"expected an object for {cls.__name__}")
    names = {f.name for f in fields(cls)}
    known = {k: v for k, v in raw.items() if k in names}
    return known, {k: v for k, v in raw.items() if k not in names}
