"""The messages between the app and the knowledge child process (core/knowledge/
process_worker.py). Several requests run at once, each with an id; every reply names its
request. A long request sends Event replies (IndexProgress, IndexReport) before its outcome:
Done (with the result), Stopped (it was cancelled) or Failed (the plain sentence, and the
details of a bug for the log)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assistant_builder.core.errors import AppError
from assistant_builder.core.knowledge.report import IndexProgress, IndexReport
from assistant_builder.core.paths import Paths


# Parent → child: requests ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Index:
    request_id: int
    paths: Paths
    name: str


@dataclass(frozen=True, slots=True)
class Watch:
    request_id: int
    paths: Paths
    name: str
    debounce_ms: int


@dataclass(frozen=True, slots=True)
class Search:
    request_id: int
    paths: Paths
    name: str
    query: str
    top_k: int
    mode: str


@dataclass(frozen=True, slots=True)
class Remove:
    request_id: int
    paths: Paths
    name: str


@dataclass(frozen=True, slots=True)
class Warm:
    request_id: int
    paths: Paths
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Suggest:
    """Questions from the headings of a collection's indexed documents."""

    request_id: int
    paths: Paths
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class Sample:
    """Passages spread over a collection's indexed documents (suggested check questions)."""

    request_id: int
    paths: Paths
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class ReadSource:
    """The text of a cited document and where the passage is in it (the source viewer)."""

    request_id: int
    path: str
    start: int
    end: int
    passage: str
    parsers: Mapping[str, str] | None
    time_limit_s: float


@dataclass(frozen=True, slots=True)
class Embed:
    """Unit vectors of texts (rows) by a collection's embedder (an answer's sentences)."""

    request_id: int
    paths: Paths
    name: str
    texts: list[str]


@dataclass(frozen=True, slots=True)
class CountWords:
    """How many of a collection's passages hold each of these words (an answer's words,
    weighed by their rarity in the collection when it is attributed: word_counts.py)."""

    request_id: int
    paths: Paths
    name: str
    words: list[str]


Request = (
    Index | Watch | Search | Remove | Warm | ReadSource | Embed | CountWords | Suggest | Sample
)


# Parent → child: control -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Cancel:
    request_id: int


@dataclass(frozen=True, slots=True)
class Quit:
    pass


# Child → parent ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Event:
    request_id: int
    event: IndexProgress | IndexReport


@dataclass(frozen=True, slots=True)
class Done:
    request_id: int
    result: object


@dataclass(frozen=True, slots=True)
class Stopped:
    request_id: int


@dataclass(frozen=True, slots=True)
class Failed:
    request_id: int
    error: AppError
    details: str  # a traceback for the log when the failure was a bug, else ""
