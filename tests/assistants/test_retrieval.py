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


def test_minimum_relevance_means_the_same_in_every_search_mode(
    app_home: Paths, minilm_dir: Path, smollm2_gguf: Path, tmp_path: Path
) -> None:
    """Hybrid ranking scores are tiny fusion numbers; the minimum relevance an assistant sets
    (0..1) is compared with the passage's similarity to the question instead, in every mode."""
    from assistant_builder.core.assistants.final_prompt import final_prompt
    from assistant_builder.core.engine.preview import vocabulary_builder
    from assistant_builder.core.knowledge.collection import Collections
    from assistant_builder.core.knowledge.indexer import index_collection

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "volcano.md").write_text("# Etna\n\nMount Etna is an active volcano in Sicily.\n")
    (docs / "tea.md").write_text("# Tea\n\nGreen tea is brewed at about 80 degrees.\n")
    collections = Collections(app_home)
    collections.create("geo", [docs], embedder=str(minilm_dir))
    for _ in index_collection(collections, "geo"):
        pass
    retrieve = knowledge_retriever(app_home)
    for mode in ("hybrid", "vector", "keyword"):
        strict = Assistant(
            id="s", name="S", model=ModelRef(id="m"), only_from_documents=True,
            refusal_text="Not in my documents.",
            collections=(CollectionRef("geo", top_k=2, mode=mode, min_score=0.3),),
        )  # fmt: skip
        relevant = retrieve(strict, "Where is the volcano Etna?")
        assert all(0.0 <= (p.relevance or 0) <= 1.0 for p in relevant)
        assert max(p.relevance or 0 for p in relevant) > 0.3, mode
        offtopic = retrieve(strict, "How do I change a bicycle tyre?")
        assert all((p.relevance or 0) < 0.3 for p in offtopic), mode
    # And so the "only from my documents" rule answers the first and refuses the second.
    hybrid = Assistant(
        id="h", name="H", model=ModelRef(id="m"), only_from_documents=True,
        refusal_text="Not in my documents.",
        collections=(CollectionRef("geo", top_k=2, mode="hybrid", min_score=0.3),),
    )  # fmt: skip
    with vocabulary_builder(str(smollm2_gguf)) as builder:
        answered = final_prompt(
            hybrid, "Where is Etna?", builder=builder, context_size=1024, answer_room=64,
            variables={}, passages=retrieve(hybrid, "Where is Etna?"),
        )  # fmt: skip
        refused = final_prompt(
            hybrid, "How do I change a bicycle tyre?", builder=builder, context_size=1024,
            answer_room=64, variables={},
            passages=retrieve(hybrid, "How do I change a bicycle tyre?"),
        )  # fmt: skip
    assert not answered.refused and "Mount Etna" in answered.preview.text  # type: ignore[union-attr]
    assert refused.refused
