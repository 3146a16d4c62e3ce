"""The knowledge adapter of answering: passages for a question from an assistant's collections,
searched as each collection is set up on the assistant (how many, which mode), best first."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant_builder.core.assistants.answering import Retriever
from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.prompt import Passage
from assistant_builder.core.paths import Paths

if TYPE_CHECKING:
    from assistant_builder.core.knowledge.process import KnowledgeProcess
    from assistant_builder.core.knowledge.search import Searcher, SearchHit

# (collection name, question, top_k, mode) -> hits, best first
SearchFn = Callable[[str, str, int, str], "list[SearchHit]"]


def _retriever(search: SearchFn) -> Retriever:
    def retrieve(assistant: Assistant, question: str) -> list[Passage]:
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
    from assistant_builder.core.knowledge.collection import Collections

    collections = Collections(paths)
    searchers: dict[str, Searcher] = {}

    def search(name: str, question: str, top_k: int, mode: str) -> list[SearchHit]:
        from assistant_builder.core.knowledge.search import Searcher

        config = collections.get(name)
        searcher = searchers.get(name)
        if searcher is None or searcher.config != config:
            searcher = searchers[name] = Searcher(collections, config)
        return searcher.search(question, top_k=top_k, mode=mode)

    return _retriever(search)


def process_retriever(knowledge: KnowledgeProcess, paths: Paths) -> Retriever:
    """A Retriever searching in the knowledge process (the app: the heavy libraries stay out
    of the window's process, and the child keeps the searchers loaded between questions)."""
    from assistant_builder.core.knowledge.collection import Collections

    collections = Collections(paths)

    def search(name: str, question: str, top_k: int, mode: str) -> list[SearchHit]:
        return knowledge.search(collections, name, question, top_k=top_k, mode=mode)

    return _retriever(search)
