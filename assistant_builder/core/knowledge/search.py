"""Searching a collection: hybrid (LanceDB's own fusion of keyword and vector picks the
candidates), vector or keyword, with optional cross-encoder reranking of the candidates; and the
one relevance scale every result is scored and ordered by, in every mode."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from assistant_builder.core.citation import Citation
from assistant_builder.core.errors import KnowledgeError, NotIndexed
from assistant_builder.core.knowledge.collection import CollectionConfig, Collections
from assistant_builder.core.knowledge.store_access import open_store

if TYPE_CHECKING:
    from assistant_builder.core.knowledge.embedder import Embedder, Vectors
    from assistant_builder.core.knowledge.store import StoredChunk

MODES = ("hybrid", "vector", "keyword")
RERANK_POOL = 4  # a reranker looks at this many times top_k candidates
HYBRID_POOL = 2  # hybrid orders this many times top_k of LanceDB's fused candidates
# A passage sharing none of the question's words keeps this share of its meaning score.
WORDLESS_SHARE = 0.8


def relevance(keyword: float, meaning: float) -> float:
    """The one relevance scale (0..1) that results are ordered by and a minimum relevance
    compares with: the meaning score, lowered by up to a fifth for a passage that shares fewer
    of the question's words than the best match does.

    Never above the meaning score, so a question about something the documents do not cover
    scores low whatever words it shares with them, and "only answer from my documents" still
    refuses it. On the manual-page evaluation (bench/knowledge_eval.py) this order beats
    LanceDB's reciprocal-rank fusion, whose scores (about 0.03) mean nothing to a reader."""
    return meaning * (WORDLESS_SHARE + (1.0 - WORDLESS_SHARE) * keyword)


@dataclass(frozen=True)
class SearchHit:
    source: str
    page: int | None
    start: int
    end: int
    relevance: float  # 0..1 by relevance(); results come best first by it, in every mode
    text: str
    heading: str = ""
    keyword: float = 0.0  # BM25 over the best BM25 among the question's candidates, 0..1
    meaning: float = 0.0  # cosine similarity to the question, clipped to 0..1
    # The passage's stored embedding: attribution compares the answer's sentences with it.
    vector: Vectors | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        # Exactly the keys of the command-line contract (SPEC §4): "score" is the relevance.
        return {"source": self.source, "page": self.page, "start": self.start,
                "end": self.end, "score": round(self.relevance, 6), "text": self.text}  # fmt: skip

    def citation(self, n: int = 1) -> Citation:
        """The hit as a citation record, to open it in the source viewer at its passage."""
        return Citation(n, self.source, self.page, self.start, self.end, self.text, self.relevance)


def scored(found: Sequence[StoredChunk]) -> list[SearchHit]:
    """``found`` on the one scale, best first: each keyword score is relative to the best
    word match among these candidates (BM25 has no fixed top), each meaning score absolute."""
    best = max((c.bm25 for c in found), default=0.0)
    hits = []
    for c in found:
        keyword = c.bm25 / best if best > 0 else 0.0
        hits.append(SearchHit(c.path, c.page, c.start, c.end, relevance(keyword, c.meaning),
                              c.text, c.heading, keyword, c.meaning, c.vector))  # fmt: skip
    return sorted(hits, key=lambda h: -h.relevance)


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
        self.config = config
        self._collections = collections
        self._embedder = embedder
        self._reranker = reranker
        if reranker is None and config.reranker:
            self._reranker = CrossEncoderReranker(config.reranker)
        self._store = open_store(collections, config)

    @property
    def embedder(self) -> Embedder:
        """The collection's own embedder, loaded on first use and kept."""
        if self._embedder is None:
            # Here, not at the top: the window's process imports this module for its records,
            # and the embedder's module brings numpy.
            from assistant_builder.core.knowledge.embedder import load_embedder

            self._embedder = load_embedder(self.config.embedder, self._collections.paths)
        return self._embedder

    def _embed(self, query: str) -> Any:
        from assistant_builder.core.knowledge.embedder import embed_query

        return embed_query(self.embedder, query)

    def search(self, query: str, *, top_k: int = 5, mode: str = "hybrid") -> list[SearchHit]:
        if mode not in MODES:
            raise KnowledgeError(f"“{mode}” is not a search mode; use hybrid, vector or keyword.")
        if not query.strip():
            raise KnowledgeError("The question is empty; type what you are looking for.")
        if self._store.count() == 0:
            raise NotIndexed(self.config.name)
        limit = top_k * (RERANK_POOL if self._reranker else HYBRID_POOL if mode == "hybrid" else 1)
        vector = self._embed(query)  # keyword mode too: every hit gets its meaning score
        try:
            hits = scored(self._store.search(mode, query, vector, limit))
        except Exception:
            damaged = self._collections.repair(deep=True, names=(self.config.name,))
            if damaged:  # kept aside; the sentence says to index the collection again
                raise KnowledgeError(damaged[0]) from None
            raise
        if self._reranker and hits:
            # The cross-encoder chooses which passages are kept; they are shown, and compared
            # with a minimum relevance, on the same scale as without it.
            scores = self._reranker.score(query, [h.text for h in hits])
            ranked = sorted(zip(scores, hits, strict=True), key=lambda pair: -pair[0])
            return sorted((h for _, h in ranked[:top_k]), key=lambda h: -h.relevance)
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
