"""A cited document's text as the indexer read it, and where a passage is in it: what the
source viewer shows for a document that is not a PDF. It is read by the same isolated parser
processes as indexing (parsing.ParserPool), so a hostile file that hangs or crashes its parser
costs a plain sentence, and the app's window never runs a parser itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.errors import KnowledgeError
from assistant_builder.core.knowledge.filetypes import skip_reason
from assistant_builder.core.knowledge.loaders import DEFAULT_PARSERS
from assistant_builder.core.knowledge.parsing import ParserPool

TIME_LIMIT_S = 30.0  # as long as indexing gives a file


@dataclass(frozen=True)
class SourceText:
    text: str
    span: tuple[int, int] | None  # where the passage is in ``text``; None: no longer in it


def read_source(
    path: Path,
    start: int,
    end: int,
    passage: str,
    *,
    parsers: Mapping[str, str] | None = None,
    time_limit_s: float = TIME_LIMIT_S,
    cancel: CancelToken = NEVER,
) -> SourceText:
    """The text the indexer read from ``path`` (citations' offsets refer to it) and where the
    cited passage (recorded at ``start``:``end``) is in it now."""
    parsers = dict(parsers or DEFAULT_PARSERS)
    if skip_reason(path, parsers) is not None:
        raise KnowledgeError(f"“{path.name}” is not a kind of document the app can show.")
    with ParserPool(parsers, workers=1, time_limit_s=time_limit_s) as pool:
        for _path, document in pool.parse([path], cancel=cancel):
            if isinstance(document, str):
                raise KnowledgeError(f"“{path.name}” cannot be shown because {document}.")
            return SourceText(document.text, locate(document.text, start, end, passage))
    raise KnowledgeError(f"“{path.name}” cannot be shown because it could not be read.")


def locate(text: str, start: int, end: int, passage: str) -> tuple[int, int] | None:
    """Where the passage is in ``text``: at its recorded offsets, or found again when the file
    changed since it was indexed; None when it is no longer there."""
    if not passage or text[start:end] == passage:
        return (start, end) if 0 <= start <= end <= len(text) else None
    at = text.find(passage)
    return (at, at + len(passage)) if at >= 0 else None
