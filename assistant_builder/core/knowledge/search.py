"""Searching a collection: hybrid (LanceDB's own fusion of keyword and vector), vector or
keyword, with optional cross-encoder reranking of the candidates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from assistant_builder.core.errors import KnowledgeError, NotIndexed
from assistant_builder.core.knowledge.collection import CollectionConfig, Collections
from assistant_builder.core.knowledge.embedder import Embedder, load_embedder

MODES = ("hybrid", "vector", "keyword")
RERANK_POOL = 4  # a reranker looks at this many times top_k candidates


@dataclass(frozen=True)
class SearchHit:
    source: str
    page: int | None
    start: int
    end: int
    score: float  # the mode's ranking score (results come best first by it)
    text: str
    heading: str = ""
    relevance: float = 0.0  # cosine similarity to the question, 0..1, comparable across modes

    def to_json(self) -> dict[str, Any]:
        # Exactly the keys of the command-line contract (SPEC §4).
        return {"source": self.source, "page": self.page, "start": self.start,
                "end": self.end, "score": round(self.score, 6), "text": self.text}  # fmt: skip


class Reranker(Protocol):
    def score(self, query: str, passages: Sequence[str]) -> list[float]: ...


class CrossEncoderReranker:
    """A sentence-transformers CrossEncoder (loaded on first use) scoring query/passage pairs."""

    def __init__(self, model: str) -> None:
        self._source = model
        self._model: Any = None

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        if self._model is None:
            from sentence_transformers import CrossEncoder

            try:
                self._model = CrossEncoder(self._source, device="cpu")
            except (OSError, ValueError) as exc:
                raise KnowledgeError(
                    f"The reranking model “{self._source}” could not be loaded; "
                    "choose an installed one or turn reranking off."
                ) from exc
        scores = self._model.predict([(query, p) for p in passages], show_progress_bar=False)
        return [float(s) for s in scores]


class Searcher:
    """Searches one collection; keeps its embedder and store open between queries."""

    def __init__(
        self,
        collections: Collections,
        config: CollectionConfig,
        *,
        embedder: Embedder | None = None,
        reranker: Reranker | None = None,
    ) -> None:
        from assistant_builder.core.knowledge.store import ChunkStore

        self.config = config
        self._collections = collections
        self._embedder = embedder
        self._reranker = reranker
        if reranker is None and config.reranker:
            self._reranker = CrossEncoderReranker(config.reranker)
        self._store = ChunkStore(collections.store_uri(config))

    @property
    def embedder(self) -> Embedder:
        """The collection's own embedder, loaded on first use and kept."""
        if self._embedder is None:
            self._embedder = load_embedder(self.config.embedder, self._collections.paths)
        return self._embedder

    def _embed(self, query: str) -> Any:
        return self.embedder.embed([query])[0]

    def search(self, query: str, *, top_k: int = 5, mode: str = "hybrid") -> list[SearchHit]:
        if mode not in MODES:
            raise KnowledgeError(f"“{mode}” is not a search mode; use hybrid, vector or keyword.")
        if not query.strip():
            raise KnowledgeError("The question is empty; type what you are looking for.")
        if self._store.count() == 0:
            raise NotIndexed(self.config.name)
        limit = top_k * RERANK_POOL if self._reranker else top_k
        vector = self._embed(query)  # keyword mode too: every hit gets its relevance
        found = self._store.search(mode, query, vector, limit)
        hits = [
            SearchHit(c.path, c.page, c.start, c.end, c.score, c.text, c.heading, c.relevance)
            for c in found
        ]
        if self._reranker and hits:
            scores = self._reranker.score(query, [h.text for h in hits])
            ranked = sorted(zip(scores, hits, strict=True), key=lambda pair: -pair[0])
            hits = [replace(h, score=s) for s, h in ranked]
        return hits[:top_k]


def search_collection(
    collections: Collections,
    name: str,
    query: str,
    *,
    top_k: int = 5,
    mode: str = "hybrid",
    embedder: Embedder | None = None,
    reranker: Reranker | None = None,
) -> list[SearchHit]:
    searcher = Searcher(collections, collections.get(name), embedder=embedder, reranker=reranker)
    return searcher.search(query, top_k=top_k, mode=mode)
