"""What an indexing run reports while it works (IndexProgress) and when it ends (IndexReport),
and the last report of each collection, kept beside its index so the Library still shows what
was read, what failed and what was left out after the app is restarted."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant_builder.core.fileio import write_json_atomic

REPORT_VERSION = 1


@dataclass(frozen=True)
class IndexProgress:
    files_done: int  # files read (parsed and cut into passages) or found up to date
    files_total: int
    chunks: int  # chunks embedded and stored so far in this run
    rate: float  # chunks embedded per second, over the last few seconds
    eta_s: float | None  # None while there is no recent rate to go by
    path: str = ""
    note: str = ""
    # The chunks this run will embed in all: those of the files read so far and an estimate
    # for the rest (0 until a file is read).
    passages_total: int = 0
    # Chunks embedded so far, stored or about to be (a batch is stored once it is all
    # embedded): the bar moves with these while a batch is embedded.
    embedded: int = 0

    @property
    def embedding(self) -> bool:
        """An event from the middle of a batch being embedded (its chunks not stored yet)."""
        return self.embedded > self.chunks

    def in_words(self) -> str:
        """What the run has done so far, for the bar's caption and the command line."""
        words = f"{self.files_done} of {self.files_total} files read"
        if self.passages_total > 0:
            about = "" if self.files_done >= self.files_total else "about "
            words += f" · {self.embedded:,} of {about}{self.passages_total:,} passages indexed"
        return words

    def fraction(self) -> float | None:
        """How far the run is, by passages embedded (the slow part), else by files read."""
        if self.passages_total > 0:
            return min(1.0, self.embedded / self.passages_total)
        if self.files_total > 0:
            return min(1.0, self.files_done / self.files_total)
        return None


@dataclass(frozen=True)
class IndexReport:
    indexed: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]  # (path, plain reason)
    chunks: int
    seconds: float
    notes: tuple[str, ...] = ()
    # Files in the folders the app does not read (path, plain reason), listed so nothing
    # seems to vanish without a word.
    skipped: tuple[tuple[str, str], ...] = ()
    suggestion: str = ""  # a one-time word on the embedder (language.embedder_suggestion)
    finished_at: float = field(default_factory=time.time)

    def to_json(self) -> dict[str, Any]:
        return {
            "files_indexed": len(self.indexed),
            "files_unchanged": len(self.unchanged),
            "files_removed": len(self.removed),
            "files_failed": [{"path": p, "reason": r} for p, r in self.failed],
            "files_skipped": [{"path": p, "reason": r} for p, r in self.skipped],
            "chunks": self.chunks,
            "seconds": round(self.seconds, 3),
        }

    def record(self) -> dict[str, Any]:
        """Everything, for keeping (to_json is the command line's summary)."""
        return {
            "version": REPORT_VERSION,
            "finished_at": self.finished_at,
            "indexed": list(self.indexed),
            "unchanged": list(self.unchanged),
            "removed": list(self.removed),
            "failed": [list(pair) for pair in self.failed],
            "skipped": [list(pair) for pair in self.skipped],
            "chunks": self.chunks,
            "seconds": self.seconds,
            "notes": list(self.notes),
            "suggestion": self.suggestion,
        }

    @classmethod
    def from_record(cls, raw: dict[str, Any]) -> IndexReport:
        def pairs(key: str) -> tuple[tuple[str, str], ...]:
            return tuple((str(p), str(r)) for p, r in raw.get(key, []))

        return cls(
            indexed=tuple(map(str, raw.get("indexed", []))),
            unchanged=tuple(map(str, raw.get("unchanged", []))),
            removed=tuple(map(str, raw.get("removed", []))),
            failed=pairs("failed"),
            chunks=int(raw.get("chunks", 0)),
            seconds=float(raw.get("seconds", 0.0)),
            notes=tuple(map(str, raw.get("notes", []))),
            skipped=pairs("skipped"),
            suggestion=str(raw.get("suggestion", "")),
            finished_at=float(raw.get("finished_at", 0.0)),
        )


def keep_report(path: Path, report: IndexReport) -> None:
    write_json_atomic(path, report.record())


def kept_report(path: Path) -> IndexReport | None:
    """The last kept report, or None when there is none or it cannot be read (a damaged
    report is only a report: the next run writes a new one)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return IndexReport.from_record(raw) if isinstance(raw, dict) else None
    except (OSError, ValueError, TypeError, KeyError):
        return None
