"""The real stack, end to end: llama.cpp with the real GGUF, the real embedder, LanceDB."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant_builder.core.paths import Paths

pytestmark = pytest.mark.integration


def test_smollm2_loads_and_answers(smollm2_gguf: Path) -> None:
    from llama_cpp import Llama

    from assistant_builder.core.engine.backends import load_backends

    # The wheel's CPU code is in run-time loaded modules: loaded as the engine loads them
    # (without this the test passed only after another test of the run had loaded them).
    load_backends()
    llm = Llama(model_path=str(smollm2_gguf), n_ctx=512, n_threads=2, verbose=False, seed=1)
    out = llm.create_chat_completion(
        messages=[{"role": "user", "content": "What is the capital of France?"}],
        max_tokens=24,
        temperature=0.0,
    )
    answer = out["choices"][0]["message"]["content"]
    assert isinstance(answer, str) and answer.strip()
    assert out["usage"]["completion_tokens"] > 0


def test_minilm_ranks_the_similar_pair_higher(minilm: object) -> None:
    from assistant_builder.core.knowledge.embedder import SentenceTransformerEmbedder

    assert isinstance(minilm, SentenceTransformerEmbedder)
    vectors = minilm.embed(
        [
            "The cat sits on the mat.",
            "A kitten is resting on a rug.",
            "Quarterly tax filing deadlines.",
        ]
    )
    assert vectors.shape == (3, minilm.dimension) == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    similar = float(vectors[0] @ vectors[1])
    dissimilar = float(vectors[0] @ vectors[2])
    assert similar > dissimilar + 0.2


def test_lancedb_in_the_app_home_stores_and_finds_embedded_text(
    app_home: Paths, minilm: object
) -> None:
    import lancedb

    from assistant_builder.core.knowledge.embedder import SentenceTransformerEmbedder

    assert isinstance(minilm, SentenceTransformerEmbedder)
    texts = [
        "Bananas are rich in potassium.",
        "The Eiffel Tower is in Paris.",
        "Python is a programming language.",
    ]
    vectors = minilm.embed(texts)
    db = lancedb.connect(str(app_home.collections_dir / "demo"))
    table = db.create_table(
        "chunks",
        data=[{"text": t, "vector": v.tolist()} for t, v in zip(texts, vectors, strict=True)],
    )
    query = minilm.embed(["Which fruit has a lot of potassium?"])[0]
    hits = table.search(query.tolist()).limit(2).to_list()
    assert hits[0]["text"] == texts[0]
    assert (app_home.collections_dir / "demo").is_dir()
    assert (
        lancedb.connect(str(app_home.collections_dir / "demo")).open_table("chunks").count_rows()
        == 3
    )
