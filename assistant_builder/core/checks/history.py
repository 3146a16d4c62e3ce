"""The score of each check run, kept per assistant in the data folder (one small JSON file each,
written atomically): when it ran, how many passed, and what had changed in the assistant since
the run before (its instructions, model, settings or questions), found by comparing a
fingerprint of each part."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.checks.run import CheckRun
from assistant_builder.core.fileio import move_aside, write_json_atomic

PARTS = ("instructions", "model", "settings", "questions")
KEEP = 200  # runs kept per assistant; the chart shows the latest
VERSION = 1


@dataclass(frozen=True)
class RunSummary:
    date: str  # ISO 8601, UTC
    passed: int
    total: int
    changed: tuple[str, ...]  # PARTS changed since the previous run (none for the first)
    fingerprint: tuple[tuple[str, str], ...] = ()

    def changes(self) -> str:
        """“instructions and model changed”, or "" when nothing did."""
        if not self.changed:
            return ""
        words = list(self.changed)
        joined = ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]
        return f"{joined} changed"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["changed"] = list(self.changed)
        data["fingerprint"] = dict(self.fingerprint)
        return data

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> RunSummary:
        return cls(
            str(raw["date"]),
            int(raw["passed"]),
            int(raw["total"]),
            tuple(str(c) for c in raw.get("changed", [])),
            tuple((str(k), str(v)) for k, v in dict(raw.get("fingerprint", {})).items()),
        )


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fingerprint(assistant: Assistant) -> tuple[tuple[str, str], ...]:
    data = assistant.to_dict()
    parts = {
        "instructions": [data[k] for k in ("system_prompt", "examples", "refusal_text")],
        "model": [data[k] for k in ("model", "adapters", "chat_template", "think")],
        "settings": [
            data[k] for k in ("sampling", "context_size", "collections", "only_from_documents")
        ],
        "questions": data["checks"],
    }
    return tuple((name, _digest(parts[name])) for name in PARTS)


class CheckHistory:
    """The runs of every assistant's checks, one file per assistant id."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _file(self, assistant_id: str) -> Path:
        return self.folder / f"{assistant_id}.json"

    def runs(self, assistant_id: str) -> list[RunSummary]:
        """Oldest first. An unreadable file is moved aside (kept, never deleted) and the
        history starts again."""
        path = self._file(assistant_id)
        if not assistant_id or not path.is_file():
            return []
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return [RunSummary.from_json(r) for r in raw["runs"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            move_aside(path)
            return []

    def record(
        self, assistant: Assistant, run: CheckRun, *, now: datetime | None = None
    ) -> RunSummary:
        """Keep this run's score with what changed since the previous one. An assistant never
        saved (no id yet) gets its summary but no history."""
        previous = self.runs(assistant.id)
        mark = fingerprint(assistant)
        before = dict(previous[-1].fingerprint) if previous else {}
        changed = tuple(name for name, key in mark if before and before.get(name) != key)
        when = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        summary = RunSummary(when, run.passed, run.total, changed, mark)
        if assistant.id:
            kept = [*previous, summary][-KEEP:]
            write_json_atomic(
                self._file(assistant.id),
                {"version": VERSION, "runs": [r.to_json() for r in kept]},
            )
        return summary
