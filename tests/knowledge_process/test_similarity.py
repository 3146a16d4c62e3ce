"""The knowledge process measures sentence/passage similarity with the collection's own
embedder: what attribution needs, without loading torch in the app's process."""

from __future__ import annotations

import numpy as np
import pytest

from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.embedder import similarity
from assistant_builder.core.knowledge.process import KnowledgeProcess

pytestmark = pytest.mark.integration


def test_similarity_in_the_child_is_the_collections_embedder_cosine(
    knowledge: KnowledgeProcess, collections: Collections, tmp_path, minilm, minilm_dir
) -> None:
    (tmp_path / "docs").mkdir()
    collections.create("docs", [tmp_path / "docs"], embedder=str(minilm_dir))
    sentences = ["The rent is due on the first day of each month.", "Cats purr when content."]
    texts = ["Pay the rent by the 1st of every month.", "Bananas are rich in potassium."]

    matrix = knowledge.similarity(collections, "docs", sentences, texts)

    assert matrix.shape == (2, 2)
    np.testing.assert_allclose(matrix, similarity(minilm, sentences, texts), atol=1e-5)
    assert matrix[0, 0] > matrix[0, 1] + 0.3  # the paraphrase is far closer than the unrelated
