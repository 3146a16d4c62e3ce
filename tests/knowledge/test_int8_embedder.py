"""The embedder's int8 export: made once on this computer, close to float32, rebuilt when its
cached copy is damaged, and used for both a collection's passages and its questions."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant_builder.core.knowledge.chunker import chunk_document
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.embedder_export import (
    DONE_FILE,
    MODEL_FILE,
    PREPARING,
    cached_export,
    memo_key,
    prepared_embedder,
)
from assistant_builder.core.knowledge.embedder_onnx import OnnxEmbedder
from assistant_builder.core.knowledge.loaders import DEFAULT_PARSERS
from assistant_builder.core.knowledge.manifest import Manifest
from assistant_builder.core.knowledge.parsing import parse_file
from assistant_builder.core.knowledge.search import Searcher
from tests.knowledge.conftest import run_index

pytestmark = pytest.mark.integration

REAL_DOCS = Path(__file__).resolve().parent.parent / "data" / "real_docs"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, minilm_dir: Path) -> Path:
    """A cache holding MiniLM's int8 export, made here from scratch."""
    cache = tmp_path_factory.mktemp("int8-cache")
    assert prepared_embedder(minilm_dir, cache) is not None
    return cache


def real_chunks(embedder: OnnxEmbedder) -> list[str]:
    texts: list[str] = []
    for path in sorted(REAL_DOCS.glob("*.txt")):
        document = parse_file(DEFAULT_PARSERS, path)
        assert not isinstance(document, str), document
        chunks = chunk_document(document, embedder.count_tokens, max_tokens=200)
        texts.extend(c.text for c in chunks)
    return texts


def test_int8_vectors_point_where_float32_ones_do(exported, minilm_dir, minilm) -> None:
    fast = prepared_embedder(minilm_dir, exported)
    assert isinstance(fast, OnnxEmbedder)
    texts = real_chunks(fast)
    assert len(texts) >= 20
    cosines = np.sum(fast.embed(texts) * minilm.embed(texts), axis=1)
    assert cosines.min() >= 0.98, cosines.min()
    query = "How do I add a new user account?"
    assert float(fast.embed_query(query) @ minilm.embed_query(query)) >= 0.98


@pytest.mark.parametrize("damage", ["garbage model", "unfinished export"])
def test_a_damaged_export_is_made_again(exported, minilm_dir, tmp_path, damage) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(exported, cache)
    key = memo_key(minilm_dir)
    good = prepared_embedder(minilm_dir, cache)
    assert good is not None
    expected = good.embed(["The cat sat on the mat.", "Aphids live on roses."])
    if damage == "garbage model":
        (cache / key / MODEL_FILE).write_bytes(b"\0" * 4096)
    else:
        (cache / key / DONE_FILE).unlink()
    assert cached_export(cache, key) is None

    again = prepared_embedder(minilm_dir, cache)

    assert again is not None and cached_export(cache, key) is not None
    vectors = again.embed(["The cat sat on the mat.", "Aphids live on roses."])
    assert np.allclose(vectors, expected, atol=1e-5)
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]  # no half-made copy left


def test_a_question_finds_its_passage_through_the_int8_model(
    collections: Collections, minilm_dir: Path, tmp_path: Path
) -> None:
    own_cache = collections.paths.embedders_cache
    own_cache.unlink()  # this home's own empty cache: the first run has to export
    folder = tmp_path / "docs"
    shutil.copytree(REAL_DOCS, folder)
    collections.create("debian", [folder], embedder=str(minilm_dir))

    report, events = run_index(collections, "debian")

    assert PREPARING in [e.note for e in events]
    assert report.chunks > 0 and not report.failed
    manifest = Manifest.load(collections.manifest_file("debian"))
    assert manifest.variant == "onnx-int8"
    searcher = Searcher(collections, collections.get("debian"))
    assert isinstance(searcher.embedder, OnnxEmbedder)
    questions = {
        "a tool that keeps the system's user ids consistent with Debian's master copies":
            "base-passwd-README.txt",
        "why does my issue file still name the unstable release after upgrading to testing?":
            "base-files-README.txt",
    }  # fmt: skip
    for question, answer in questions.items():
        for mode in ("vector", "hybrid"):
            hits = searcher.search(question, top_k=3, mode=mode)
            assert Path(hits[0].source).name == answer, (question, mode, hits[0].source)

    (folder / "more.txt").write_text("Tomatoes need full sun.\n", encoding="utf-8")
    _, events = run_index(collections, "debian")
    assert PREPARING not in [e.note for e in events]  # made once, then kept


def test_a_collection_indexed_in_float32_is_embedded_again_by_the_int8_model(
    collections: Collections, minilm, minilm_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    shutil.copytree(REAL_DOCS, folder)
    collections.create("debian", [folder], embedder=str(minilm_dir))
    first, _ = run_index(collections, "debian", embedder=minilm)
    assert Manifest.load(collections.manifest_file("debian")).variant == "float32"

    again, events = run_index(collections, "debian")

    assert any("embedded again" in e.note for e in events)
    assert again.chunks == first.chunks
    assert Manifest.load(collections.manifest_file("debian")).variant == "onnx-int8"
    _, events = run_index(collections, "debian")
    assert not any("embedded again" in e.note for e in events)  # once
