"""The embedder's export: made once on this computer, read by the runtime measured fastest here
(each close to float32), rebuilt when its cached copy is damaged, and used for both a
collection's passages and its questions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.errors import Cancelled
from assistant_builder.core.knowledge.chunker import chunk_document
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.embedder_export import (
    DONE_FILE,
    PREPARING,
    cached_export,
    discard,
    export,
    memo_key,
    prepared_embedder,
)
from assistant_builder.core.knowledge.embedder_onnx import (
    BF16,
    FLOAT32,
    INT8,
    QUESTIONS_CACHE,
    RUNNERS,
    OnnxEmbedder,
    copy_name,
    model_file,
    native_bf16,
)
from assistant_builder.core.knowledge.embedder_runner import RECORD, recorded_runner
from assistant_builder.core.knowledge.loaders import DEFAULT_PARSERS
from assistant_builder.core.knowledge.manifest import Manifest
from assistant_builder.core.knowledge.parsing import parse_file
from assistant_builder.core.knowledge.search import Searcher
from tests.knowledge.conftest import run_index

pytestmark = pytest.mark.integration

REAL_DOCS = Path(__file__).resolve().parent.parent / "data" / "real_docs"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, minilm_dir: Path) -> Path:
    """A cache holding MiniLM's export, made (and its runtime measured) here from scratch."""
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


@pytest.mark.parametrize(("runner", "bar"), [(INT8, 0.98), (BF16, 0.999), (FLOAT32, 0.9999)])
def test_each_runtime_s_vectors_point_where_float32_ones_do(
    exported, minilm_dir, minilm, runner, bar
) -> None:
    export = cached_export(exported, memo_key(minilm_dir))
    assert export is not None
    fast = OnnxEmbedder(minilm_dir, export, pooling="mean", runner=runner)
    texts = real_chunks(fast)
    assert len(texts) >= 20
    cosines = np.sum(fast.embed(texts) * minilm.embed(texts), axis=1)
    assert cosines.min() >= bar, cosines.min()
    query = "How do I add a new user account?"
    assert float(fast.embed_query(query) @ minilm.embed_query(query)) >= bar


def test_the_runtime_is_measured_once_and_the_fastest_close_one_kept(
    exported, minilm_dir, monkeypatch
) -> None:
    key = memo_key(minilm_dir)
    chosen = recorded_runner(exported, key)
    (entry,) = json.loads((exported / RECORD).read_text()).values()
    figures = entry["figures"]
    if native_bf16():
        # OpenVINO's float32 is the reference every runtime is held to.
        assert set(figures) == set(RUNNERS)
        assert figures[FLOAT32]["min_cosine"] == 1.0
        close = {r: f for r, f in figures.items() if f["min_cosine"] >= 0.98}
        assert chosen == max(close, key=lambda r: close[r]["passages_per_s"])
    else:  # no bfloat16 here: the int8 copy, without a measurement
        assert (chosen, figures) == (INT8, {})

    def measure_again(*_args: object) -> None:
        raise AssertionError("measured twice")

    monkeypatch.setattr("assistant_builder.core.knowledge.embedder_runner.measure", measure_again)
    again = prepared_embedder(minilm_dir, exported)
    assert again is not None and again.variant == chosen


def test_where_openvino_cannot_run_the_int8_copy_is_used(
    exported, minilm_dir, tmp_path, monkeypatch
) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(exported, cache)
    (cache / RECORD).unlink()  # not measured yet on this "computer"

    def broken(*_args: object) -> None:
        raise RuntimeError("libopenvino_intel_cpu_plugin.so: cannot open shared object file")

    monkeypatch.setattr("assistant_builder.core.knowledge.embedder_onnx._OpenVinoSession", broken)
    embedder = prepared_embedder(minilm_dir, cache)

    assert embedder is not None and embedder.variant == INT8
    assert recorded_runner(cache, memo_key(minilm_dir)) == INT8
    assert embedder.embed(["The cat sat on the mat."]).shape == (1, 384)


@pytest.mark.parametrize("damage", ["garbage model", "unfinished export"])
def test_a_damaged_export_is_made_again(exported, minilm_dir, tmp_path, damage) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(exported, cache)
    key = memo_key(minilm_dir)
    good = prepared_embedder(minilm_dir, cache)
    assert good is not None
    expected = good.embed(["The cat sat on the mat.", "Aphids live on roses."])
    if damage == "garbage model":
        # The copy the runtime measured here reads (the other one is not looked at).
        model_file(cache / key, good.variant).write_bytes(b"\0" * 4096)
    else:
        (cache / key / DONE_FILE).unlink()
    assert cached_export(cache, key) is None

    again = prepared_embedder(minilm_dir, cache)

    assert again is not None and cached_export(cache, key) is not None
    vectors = again.embed(["The cat sat on the mat.", "Aphids live on roses."])
    assert np.allclose(vectors, expected, atol=1e-5)
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]  # no half-made copy left


def test_a_question_finds_its_passage_through_the_exported_model(
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
    assert manifest.variant == recorded_runner(own_cache, memo_key(minilm_dir))
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


def test_a_collection_indexed_in_float32_is_embedded_again_by_the_exported_model(
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
    variant = Manifest.load(collections.manifest_file("debian")).variant
    assert variant == recorded_runner(collections.paths.embedders_cache, memo_key(minilm_dir))
    _, events = run_index(collections, "debian")
    assert not any("embedded again" in e.note for e in events)  # once


def test_the_variant_a_collection_will_be_made_by_is_known_without_loading_the_model(
    collections: Collections, minilm_dir: Path
) -> None:
    from assistant_builder.core.knowledge.embedder import planned_variant

    cache = collections.paths.embedders_cache
    assert prepared_embedder(minilm_dir, cache) is not None
    assert planned_variant(str(minilm_dir), collections.paths) == recorded_runner(
        cache, memo_key(minilm_dir)
    )


def test_openvino_is_loaded_without_its_usage_reports() -> None:
    import subprocess
    import sys

    # In a fresh interpreter: the app's own import of OpenVINO leaves its converter with the
    # stub that sends nothing (the real module would report each import to Google Analytics).
    code = (
        "from assistant_builder.core.knowledge.embedder_onnx import openvino_runtime;"
        "openvino_runtime();"
        "from openvino.tools.ovc import telemetry_utils;"
        "print(telemetry_utils.tm.__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "openvino.tools.ovc.telemetry_stub", out.stderr


def test_a_cache_that_cannot_be_written_falls_back_to_float32(minilm_dir, tmp_path) -> None:
    cache = tmp_path / "cache"
    cache.write_text("a file where the cache folder should be", encoding="utf-8")
    logged: list[str] = []

    assert prepared_embedder(minilm_dir, cache, log=logged.append) is None
    assert len(logged) == 1 and "could not be prepared" in logged[0]


def export_with(exported: Path, minilm_dir: Path, cache: Path, runner: str) -> Path:
    """A copy of the export holding the copy ``runner`` reads (made only where measured)."""
    key = memo_key(minilm_dir)
    source = cached_export(exported, key)
    assert source is not None
    if not model_file(source, runner).is_file():
        return export(minilm_dir, cache, key, copies=[copy_name(runner)])
    shutil.copytree(source, cache / key)
    return cache / key


class _CancelAfter(CancelToken):
    """Cancelled once its flag has been looked at ``checks`` times (between batches)."""

    def __init__(self, checks: int) -> None:
        super().__init__()
        self._left = checks

    @property
    def cancelled(self) -> bool:
        self._left -= 1
        if self._left < 0:
            self.cancel()
        return super().cancelled

    def raise_if_cancelled(self) -> None:
        if self.cancelled:
            raise Cancelled()


@pytest.mark.parametrize("runner", [INT8, FLOAT32])
def test_passages_stop_between_batches_when_cancelled_and_the_embedder_goes_on(
    exported, minilm_dir, tmp_path, runner
) -> None:
    source = export_with(exported, minilm_dir, tmp_path / "cache", runner)
    embedder = OnnxEmbedder(minilm_dir, source, pooling="mean", runner=runner, batch_size=2)
    texts = real_chunks(embedder)[:12]  # six batches

    with pytest.raises(Cancelled):
        embedder.embed(texts, cancel=_CancelAfter(2))

    # The batches still running when it stopped were waited for: the next call is whole.
    vectors = embedder.embed(texts)
    one_by_one = np.stack([embedder.embed([t])[0] for t in texts])
    # Each vector in its text's place (int8 scales each batch's numbers by the batch's range,
    # so a text in a batch of two is not exactly the text alone: cosine 0.99 here).
    similar = vectors @ one_by_one.T
    assert list(similar.argmax(axis=1)) == list(range(len(texts)))
    assert np.diag(similar).min() >= 0.98


@pytest.mark.parametrize("runner", [INT8, BF16])
def test_embedders_made_and_dropped_again_and_again_beside_questions_read_passages_alike(
    exported, minilm_dir, runner
) -> None:
    """As the knowledge process and the tests do: embedders made, used on their streams while
    another thread asks questions, and dropped, round after round in one process (a runtime
    whose threads call back into Python, or outlive their model, would crash here)."""
    import gc
    import threading

    export = cached_export(exported, memo_key(minilm_dir))
    assert export is not None
    texts = real_chunks(OnnxEmbedder(minilm_dir, export, pooling="mean", runner=runner))[:16]
    first = None
    for _ in range(6):
        embedder = OnnxEmbedder(minilm_dir, export, pooling="mean", runner=runner)
        asked: list[np.ndarray] = []
        asking = threading.Thread(
            target=lambda e=embedder, out=asked: out.extend(e.embed_query(t) for t in texts[:4])
        )
        asking.start()
        vectors = embedder.embed(texts)
        asking.join()
        assert len(asked) == 4 and np.allclose(asked[0], embedder.embed_query(texts[0]))
        first = vectors if first is None else first
        assert np.allclose(vectors, first, atol=1e-5)
        del embedder, asking
        gc.collect()


def test_questions_are_compiled_once_into_openvino_s_cache_which_goes_with_the_export(
    exported, minilm_dir, tmp_path
) -> None:
    folder = export_with(exported, minilm_dir, tmp_path / "cache", FLOAT32)
    shutil.rmtree(folder / QUESTIONS_CACHE, ignore_errors=True)  # the measured runtime's own
    query = "How do I add a new user account?"
    first = OnnxEmbedder(minilm_dir, folder, pooling="mean", runner=FLOAT32).embed_query(query)
    (blob,) = (folder / QUESTIONS_CACHE).iterdir()
    made = blob.stat().st_mtime_ns
    again = OnnxEmbedder(minilm_dir, folder, pooling="mean", runner=FLOAT32).embed_query(query)
    assert np.allclose(first, again, atol=1e-5)
    assert [blob] == list((folder / QUESTIONS_CACHE).iterdir()) and blob.stat().st_mtime_ns == made

    # A cache that cannot be used (a file where its folder goes) is done without.
    shutil.rmtree(folder / QUESTIONS_CACHE)
    (folder / QUESTIONS_CACHE).write_text("not a folder", encoding="utf-8")
    third = OnnxEmbedder(minilm_dir, folder, pooling="mean", runner=FLOAT32).embed_query(query)
    assert np.allclose(first, third, atol=1e-5)

    shutil.rmtree(folder / QUESTIONS_CACHE, ignore_errors=True)
    (folder / QUESTIONS_CACHE).unlink(missing_ok=True)
    OnnxEmbedder(minilm_dir, folder, pooling="mean", runner=FLOAT32).embed_query(query)
    discard(folder.parent, folder.name)  # its read-only compiled model too
    assert not folder.exists()
