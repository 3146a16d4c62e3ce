"""The knowledge adapter of answering: passages for a question from an assistant's collections,
searched as each collection is set up on the assistant (how many, which mode), best first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from assistant_builder.core.assistants.answering import (
    CollectionEmbed,
    CollectionFrequencies,
    Retriever,
)
from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.prompt import Passage
from assistant_builder.core.errors import CollectionMissing
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.paths import Paths

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from assistant_builder.core.knowledge.process import KnowledgeProcess
    from assistant_builder.core.knowledge.search import Searcher, SearchHit
    from assistant_builder.core.knowledge.word_counts import WordFrequencies

# (collection name, question, top_k, mode) -> hits, best first
SearchFn = Callable[[str, str, int, str], "list[SearchHit]"]


def _retriever(search: SearchFn, collections: Collections) -> Retriever:
    def retrieve(assistant: Assistant, question: str) -> list[Passage]:
        for ref in assistant.collections:
            # Said before any search, and by name: the fix is in the assistant, not the index.
            if not collections.exists(ref.name):
                raise CollectionMissing(assistant.name, ref.name)
        found: list[Passage] = []
        for ref in assistant.collections:
            for hit in search(ref.name, question, ref.top_k, ref.mode):
                found.append(
                    Passage(
                        0,
                        hit.source,
                        hit.page,
                        hit.start,
                        hit.end,
                        hit.text,
                        hit.relevance,
                        collection=ref.name,
                        relevance=hit.relevance,
                        keyword=hit.keyword,
                        meaning=hit.meaning,
                        vector=hit.vector,
                    )
                )
        # Every collection and mode scores on the one relevance scale, so passages of several
        # collections merge by it; prompt assembly numbers them in this order.
        found.sort(key=lambda p: -p.score)
        return found

    return retrieve


def knowledge_retriever(paths: Paths) -> Retriever:
    """A Retriever searching in this process (the command line: one-shot commands gain
    nothing from a child); keeps one Searcher per collection, so each embedder loads once."""
    return InProcessKnowledge(paths).retrieve


class InProcessKnowledge:
    """Searching and embedding in this process, sharing one Searcher (and so one
    loaded embedder) per collection: the command line's knowledge adapter."""

    def __init__(self, paths: Paths) -> None:
        self._collections = Collections(paths)
        self._searchers: dict[str, Searcher] = {}
        self.retrieve = _retriever(self._search, self._collections)

    def _searcher(self, name: str) -> Searcher:
        from assistant_builder.core.knowledge.search import Searcher

        config = self._collections.get(name)
        searcher = self._searchers.get(name)
        if searcher is None or searcher.config != config:
            searcher = self._searchers[name] = Searcher(self._collections, config)
        return searcher

    def _search(self, name: str, question: str, top_k: int, mode: str) -> list[SearchHit]:
        return self._searcher(name).search(question, top_k=top_k, mode=mode)

    def embed(self, name: str, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._searcher(name).embedder.embed(texts)

    def frequencies(self, name: str, words: Sequence[str]) -> WordFrequencies:
        from assistant_builder.core.knowledge.word_counts import frequencies

        return frequencies(self._collections.words_file(name), words)


def process_retriever(knowledge: KnowledgeProcess, paths: Paths) -> Retriever:
    """A Retriever searching in the knowledge process (the app: the heavy libraries stay out
    of the window's process, and the child keeps the searchers loaded between questions)."""
    collections = Collections(paths)

    def search(name: str, question: str, top_k: int, mode: str) -> list[SearchHit]:
        return knowledge.search(collections, name, question, top_k=top_k, mode=mode)

    return _retriever(search, collections)


def process_embedding(knowledge: KnowledgeProcess, paths: Paths) -> CollectionEmbed:
    """Texts embedded by a collection's embedder, in the knowledge process (the app)."""
    collections = Collections(paths)

    def embed(name: str, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return knowledge.embed(collections, name, texts)

    return embed


def process_frequencies(knowledge: KnowledgeProcess, paths: Paths) -> CollectionFrequencies:
    """A collection's word counts, read in the knowledge process (the app)."""
    collections = Collections(paths)

    def counted(name: str, words: Sequence[str]) -> WordFrequencies:
        return knowledge.word_frequencies(collections, name, words)

    return counted
