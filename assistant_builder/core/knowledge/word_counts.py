"""How many of a collection's passages hold each word, so attribution can weigh a word by how
rare it is in these documents ("DIR_MODE" says more than "file" in a folder of READMEs).

Counted at indexing, per file and its content hash, from the passages as stored (words as
core/knowledge/wording compares them), and kept in words.json beside the collection's
manifest, written once at the end of each run: a file indexed again replaces its counts, a
file removed takes them away, and a run finding files whose counts it does not have for their
hash (a run killed before it wrote them, an index made before counts were kept, or by another
data folder on a shared store) counts them from the table. Only the totals are read when an
answer is attributed."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant_builder.core.fileio import write_json_atomic
from assistant_builder.core.knowledge.wording import NOT, VERSION, words

SCHEMA_VERSION = 1


def passage_words(text: str) -> set[str]:
    """The distinct words of a passage as attribution compares them."""
    return set(words(text).stems) - {NOT}


@dataclass(frozen=True)
class WordFrequencies:
    """The collection's passage count and, for the words asked about, how many hold each."""

    passages: int
    counts: Mapping[str, int] = field(default_factory=dict)

    def weight(self, word: str) -> float:
        """Inverse document frequency, smoothed: a word in every passage weighs 1, a word in
        none (the model's own) the most; with no counts at all, every word weighs 1."""
        if not self.passages:
            return 1.0
        return math.log((self.passages + 1) / (self.counts.get(word, 0) + 1)) + 1.0


@dataclass
class _File:
    hash: str  # the content the counts are of (the manifest's hash of the file)
    chunks: int
    words: dict[str, int]


class WordCounts:
    """The per-file counts of one collection, as kept in its words.json."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self.files: dict[str, _File] = {}
        self.changed = False  # since loaded: save() writes them
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("wording") != VERSION:
                return  # counted by other words: the next run counts again from the table
            for name, entry in raw.get("files", {}).items():
                self.files[name] = _File(
                    str(entry["hash"]), int(entry["chunks"]), dict(entry["words"])
                )
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            self.files = {}  # lost or damaged: the next run counts again from the table

    def set_file(self, path: str, digest: str, passages: Iterable[str]) -> None:
        counted: dict[str, int] = {}
        chunks = 0
        for text in passages:
            chunks += 1
            for word in passage_words(text):
                counted[word] = counted.get(word, 0) + 1
        self.files[path] = _File(digest, chunks, counted)
        self.changed = True

    def drop(self, paths: Iterable[str]) -> None:
        for path in paths:
            self.changed |= self.files.pop(path, None) is not None

    def missing(self, indexed: Mapping[str, str]) -> list[str]:
        """The paths of ``indexed`` (path: content hash) not counted for that content."""
        return [p for p, h in indexed.items() if p not in self.files or self.files[p].hash != h]

    def save(self) -> None:
        totals: dict[str, int] = {}
        for entry in self.files.values():
            for word, n in entry.words.items():
                totals[word] = totals.get(word, 0) + n
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "wording": VERSION,
            "passages": sum(e.chunks for e in self.files.values()),
            "totals": dict(sorted(totals.items())),
            "files": {p: {"hash": e.hash, "chunks": e.chunks,
                          "words": dict(sorted(e.words.items()))}
                      for p, e in sorted(self.files.items())},
        }  # fmt: skip
        write_json_atomic(self._path, data)
        self.changed = False


_cache: dict[Path, tuple[tuple[int, int], int, dict[str, int]]] = {}


def frequencies(path: Path, asked: Iterable[str]) -> WordFrequencies:
    """The frequencies of the words ``asked`` in the collection whose words.json is ``path``
    (read again only when it changed); none at all when it is missing or damaged."""
    try:
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
        cached = _cache.get(path)
        if cached is None or cached[0] != key:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("wording") != VERSION:
                return WordFrequencies(0)  # until the next run counts them again
            cached = _cache[path] = (key, int(raw["passages"]), dict(raw["totals"]))
    except (OSError, ValueError, TypeError, KeyError):
        return WordFrequencies(0)
    _, passages, totals = cached
    return WordFrequencies(passages, {w: totals[w] for w in set(asked) if w in totals})
