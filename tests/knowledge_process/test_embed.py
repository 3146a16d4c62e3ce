"""The knowledge process embeds an answer's sentences with the collection's own embedder, and
a search hit carries its passage's stored vector: what attribution needs, without loading
torch in the app's process or embedding the passages again."""

from __future__ import annotations

import numpy as np
import pytest

from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.embedder import load_embedder
from assistant_builder.core.knowledge.process import KnowledgeProcess

pytestmark = pytest.mark.integration


def test_sentences_embedded_in_the_child_meet_the_stored_vector_of_their_passage(
    knowledge: KnowledgeProcess, collections: Collections, tmp_path, minilm_dir
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "rent.txt").write_text("Pay the rent by the 1st of every month.\n", encoding="utf-8")
    collections.create("docs", [docs], embedder=str(minilm_dir))
    for _ in knowledge.index(collections, "docs"):
        pass
    sentences = ["The rent is due on the first day of each month.", "Cats purr when content."]

    vectors = knowledge.embed(collections, "docs", sentences)
    (hit,) = knowledge.search(collections, "docs", "when is the rent due", top_k=1)

    own = load_embedder(str(minilm_dir), collections.paths)  # the int8 export the child uses
    np.testing.assert_allclose(vectors, own.embed(sentences), atol=1e-5)
    assert hit.vector is not None
    cosine = vectors @ hit.vector
    assert cosine[0] > cosine[1] + 0.3  # the paraphrase is far closer than the unrelated


def test_the_child_counts_the_passages_holding_each_word_of_an_answer(
    knowledge: KnowledgeProcess, collections: Collections, tmp_path, minilm_dir
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "rent.txt").write_text("Pay the rent by the 1st of every month.\n", encoding="utf-8")
    (docs / "cats.txt").write_text("Cats sleep most of the day.\n", encoding="utf-8")
    collections.create("docs", [docs], embedder=str(minilm_dir))
    for _ in knowledge.index(collections, "docs"):
        pass

    counted = knowledge.word_frequencies(collections, "docs", ["rent", "cat", "banana"])

    assert (counted.passages, dict(counted.counts)) == (2, {"rent": 1, "cat": 1})  # stems
    assert counted.weight("banana") > counted.weight("rent") > 1.0
