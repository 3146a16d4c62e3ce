"""The knowledge adapter of answering: passages for a question from an assistant's collections,
searched as each collection is set up on the assistant (how many, which mode), best first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant_builder.core.assistants.answering import Retriever
from assistant_builder.core.assistants.model import Assistant
from assistant_builder.core.assistants.prompt import Passage
from assistant_builder.core.paths import Paths

if TYPE_CHECKING:
    from assistant_builder.core.knowledge.search import Searcher


def knowledge_retriever(paths: Paths) -> Retriever:
    """A Retriever that keeps one Searcher per collection, so each embedder loads once."""
    from assistant_builder.core.knowledge.collection import Collections

    collections = Collections(paths)
    searchers: dict[str, Searcher] = {}

    def retrieve(assistant: Assistant, question: str) -> list[Passage]:
        from assistant_builder.core.knowledge.search import Searcher

        found: list[Passage] = []
        for ref in assistant.collections:
            config = collections.get(ref.name)
            searcher = searchers.get(ref.name)
            if searcher is None or searcher.config != config:
                searcher = searchers[ref.name] = Searcher(collections, config)
            for hit in searcher.search(question, top_k=ref.top_k, mode=ref.mode):
                found.append(
                    Passage(
                        0,
                        hit.source,
                        hit.page,
                        hit.start,
                        hit.end,
                        hit.text,
                        hit.score,
                        collection=ref.name,
                        relevance=hit.relevance,
                    )
                )
        # Scores of different collections are on the same scale only within a mode; good
        # enough to order them, and prompt assembly numbers them in this order.
        found.sort(key=lambda p: -p.score)
        return found

    return retrieve
