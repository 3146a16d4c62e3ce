"""Retrieval for answering, from a real collection indexed with the real MiniLM embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant_builder.core.assistants.model import Assistant, CollectionRef, ModelRef
from assistant_builder.core.assistants.retrieval import knowledge_retriever
from assistant_builder.core.paths import Paths

pytestmark = pytest.mark.integration


def test_passages_come_from_each_collection_as_the_assistant_sets_it_up(
    app_home: Paths, minilm_dir: Path, tmp_path: Path
) -> None:
    from assistant_builder.core.knowledge.collection import Collections
    from assistant_builder.core.knowledge.indexer import index_collection

    pets, food = tmp_path / "pets", tmp_path / "food"
    pets.mkdir()
    food.mkdir()
    (pets / "cats.md").write_text("# Cats\n\nCats sleep for about fifteen hours every day.\n")
    (pets / "dogs.md").write_text("# Dogs\n\nDogs need a walk twice a day.\n")
    (food / "bread.txt").write_text("Bread dough rises best in a warm kitchen.\n")
    collections = Collections(app_home)
    for name, folder in (("pets", pets), ("food", food)):
        collections.create(name, [folder], embedder=str(minilm_dir))
        for _ in index_collection(collections, name):
            pass
    assistant = Assistant(
        id="a", name="A", model=ModelRef(id="m"),
        collections=(CollectionRef("pets", top_k=1, mode="vector"), CollectionRef("food", top_k=1)),
    )  # fmt: skip
    passages = knowledge_retriever(app_home)(assistant, "How long do cats sleep?")
    assert [p.collection for p in passages].count("pets") == 1
    assert [p.collection for p in passages].count("food") == 1
    best = passages[0]
    assert best.collection == "pets" and Path(best.source).name == "cats.md"
    assert "fifteen hours" in best.text and best.end > best.start
    assert passages == sorted(passages, key=lambda p: -p.score)
