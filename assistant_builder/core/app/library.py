"""What the person does with document collections through the app: make and change them, index
and watch them, try a search, read a cited source, remove one (and so take it out of the
assistants that read it). Everything that needs the heavy libraries or the document parsers runs
in the app's knowledge process, never in the window's."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from assistant_builder.core.assistants import collection_removal
from assistant_builder.core.assistants.collection_removal import CollectionRemoved
from assistant_builder.core.assistants.store import AssistantStore
from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.knowledge.collection import (
    DEFAULT_EMBEDDER,
    CollectionConfig,
    Collections,
    CollectionStatus,
)
from assistant_builder.core.knowledge.process import KnowledgeProcess
from assistant_builder.core.knowledge.report import IndexProgress, IndexReport
from assistant_builder.core.knowledge.search import SearchHit
from assistant_builder.core.knowledge.source_text import SourceText


class LibraryUseCases:
    """Mixed into App (core/app/app.py), which sets these three."""

    knowledge: KnowledgeProcess
    collections: Collections
    assistants: AssistantStore

    def collection_names(self) -> list[str]:
        return self.collections.names()

    def collection(self, name: str) -> CollectionConfig:
        return self.collections.get(name)

    def collection_statuses(self) -> list[CollectionStatus]:
        """Each collection with what its index holds, in the Library's order."""
        return [self.collections.status(c) for c in self.collections.list()]

    def suggestion_shown(self, name: str) -> None:
        """Note that the one-time word on the collection's embedder was shown: never again."""
        from assistant_builder.core.knowledge.language import SUGGESTION_SHOWN

        config = self.collections.get(name)
        self.collections.save(
            CollectionConfig.from_dict({**config.to_dict(), SUGGESTION_SHOWN: True})
        )

    def use_multilingual_embedder(self, name: str) -> None:
        """Read the collection with the multilingual embedder from its next indexing on."""
        from assistant_builder.core.knowledge.embedder_catalog import MULTILINGUAL

        self.collections.update(name, embedder=MULTILINGUAL)

    def last_report(self, name: str) -> IndexReport | None:
        """The report of the collection's last finished indexing, kept across restarts."""
        return self.collections.last_report(name)

    def create_collection(
        self,
        name: str,
        folders: Sequence[str | Path],
        *,
        embedder: str = DEFAULT_EMBEDDER,
        store: str = "",
        endpoint: str = "",
    ) -> CollectionConfig:
        """A new collection reading ``folders`` (nothing is indexed yet); with ``store``, its
        index is kept at that LanceDB location (a shared s3:// store, served at ``endpoint``)."""
        return self.collections.create(
            name, [str(f) for f in folders], embedder=embedder, store_uri=store,
            store_endpoint=endpoint,
        )  # fmt: skip

    def change_collection(self, name: str, **changes: Any) -> CollectionConfig:
        """Change the collection's folders or watching (``folders=``, ``watch=``)."""
        return self.collections.update(name, **changes)

    def index_collection(
        self, name: str, *, cancel: CancelToken = NEVER
    ) -> Iterator[IndexProgress | IndexReport]:
        """Read new and changed documents into the index; the last event is the report. The
        first says the reader is getting ready (loading it can take a while the first time)."""
        yield IndexProgress(0, 0, 0, 0.0, None, note="Getting the reader ready…")
        yield from self.knowledge.index(self.collections, name, cancel=cancel)

    def watch_collection(
        self, name: str, debounce_ms: int, *, cancel: CancelToken = NEVER
    ) -> Iterator[IndexProgress | IndexReport]:
        """Re-index the collection whenever its documents change, until cancelled."""
        yield from self.knowledge.watch(
            self.collections, name, debounce_ms=debounce_ms, cancel=cancel
        )

    def search_collection(
        self,
        name: str,
        question: str,
        mode: str = "hybrid",
        *,
        top_k: int = 5,
        cancel: CancelToken = NEVER,
    ) -> list[SearchHit]:
        """The passages an assistant reading the collection would be given for ``question``."""
        return self.knowledge.search(
            self.collections, name, question, top_k=top_k, mode=mode, cancel=cancel
        )

    def suggested_questions(self, name: str, *, cancel: CancelToken = NEVER) -> list[str]:
        """Three questions to try, from the headings of what the collection has indexed (none
        while it has nothing indexed)."""
        return self.knowledge.suggestions(self.collections, name, cancel=cancel)

    def read_source(
        self, path: Path, start: int, end: int, passage: str, *, cancel: CancelToken = NEVER
    ) -> SourceText:
        """A cited document's text and where the passage is in it (for the source viewer)."""
        return self.knowledge.read_source(path, start, end, passage, cancel=cancel)

    def warm_collections(self, names: Sequence[str]) -> None:
        """Have the knowledge process load what searching these needs, in the background, so
        the first question is quick; returns at once."""
        self.knowledge.warm(self.collections, names)

    def removal_question(self, name: str) -> str:
        """The confirmation for removing the collection, naming the assistants that read it."""
        readers = collection_removal.readers(self.assistants, name)
        return collection_removal.removal_question(name, readers)

    def remove_collection(self, name: str, *, cancel: CancelToken = NEVER) -> CollectionRemoved:
        """Forget the collection and its index, then take it out of each assistant reading it."""
        return collection_removal.remove_collection(
            self.assistants,
            name,
            remove=lambda n: self.knowledge.remove(self.collections, n, cancel=cancel),
        )
