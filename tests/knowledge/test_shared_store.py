"""A collection kept in a team's shared store (LanceDB on S3, here moto's server on loopback):
indexed from one data folder, searched and re-indexed from another, one indexer at a time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.errors import KnowledgeError
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.indexer import index_collection
from assistant_builder.core.knowledge.report import IndexProgress, IndexReport
from assistant_builder.core.knowledge.search import search_collection
from assistant_builder.core.knowledge.store_access import open_store
from assistant_builder.core.knowledge.store_lock import STALE_S, StoreBusy, StoreLock
from assistant_builder.core.knowledge.watcher import watch_collection
from assistant_builder.core.network import OfflineError
from assistant_builder.core.paths import HOME_ENV, Paths
from tests.conftest import share_embedders_cache
from tests.fakes import DeterministicEmbedder
from tests.knowledge.conftest import CountingEmbedder, run_index
from tests.s3_server import BUCKET
from tests.test_cli import run_cli

pytestmark = pytest.mark.integration
STORE = f"s3://{BUCKET}/handbook"
QUESTION = "how often do tomatoes need watering"


def _data_folder(tmp_path: Path, who: str) -> Collections:
    return Collections(Paths.from_env({HOME_ENV: str(tmp_path / who)}).ensure())


@pytest.fixture
def handbook(tmp_path: Path) -> Path:
    folder = tmp_path / "handbook"
    folder.mkdir()
    (folder / "garden.md").write_text(
        "# Garden\n\nTomatoes need full sun and watering every morning in summer.\n",
        encoding="utf-8",
    )
    (folder / "kitchen.md").write_text(
        "# Kitchen\n\nThe dishwasher filter is rinsed every Friday under warm water.\n",
        encoding="utf-8",
    )
    (folder / "car.txt").write_text(
        "The car's tyres are checked once a month; the spare is in the boot.\n", encoding="utf-8"
    )
    return folder


def _create(collections: Collections, folder: Path, endpoint: str) -> None:
    collections.create("Handbook", [folder], embedder="fake-hash-64", store_uri=STORE,
                       store_endpoint=endpoint)  # fmt: skip


def _found(collections: Collections) -> list[tuple[str, int, str, float]]:
    hits = search_collection(collections, "Handbook", QUESTION, embedder=DeterministicEmbedder(64))
    return [(h.source, h.start, h.text, round(h.relevance, 6)) for h in hits]


def _chunk_ids(collections: Collections) -> list[str]:
    store = open_store(collections, collections.get("Handbook"))
    return [r["id"] for r in store.rows(["id"])]


def test_a_second_data_folder_searches_and_reindexes_what_the_first_indexed(
    tmp_path: Path, handbook: Path, s3_endpoint: str
) -> None:
    alice, bob = _data_folder(tmp_path, "alice"), _data_folder(tmp_path, "bob")
    _create(alice, handbook, s3_endpoint)
    first, _ = run_index(alice, "Handbook", embedder=DeterministicEmbedder(64))
    assert len(first.indexed) == 3 and first.chunks >= 3
    assert not (alice.folder("Handbook") / "lancedb").exists()  # the passages are in the bucket

    _create(bob, handbook, s3_endpoint)
    assert bob.status(bob.get("Handbook")).files == 3  # seen before Bob indexes anything
    found = _found(bob)
    assert found and found == _found(alice)
    assert Path(found[0][0]).name == "garden.md"

    counting = CountingEmbedder(DeterministicEmbedder(64))
    again, _ = run_index(bob, "Handbook", embedder=counting)
    assert counting.embedded == 0 and again.indexed == () and len(again.unchanged) == 3

    (handbook / "garden.md").write_text(
        "# Garden\n\nTomatoes are watered at dusk; basil likes the same.\n", encoding="utf-8"
    )
    changed, _ = run_index(bob, "Handbook", embedder=counting)
    assert [Path(p).name for p in changed.indexed] == ["garden.md"] and counting.embedded > 0
    for_alice = CountingEmbedder(DeterministicEmbedder(64))
    seen, _ = run_index(alice, "Handbook", embedder=for_alice)
    assert for_alice.embedded == 0 and len(seen.unchanged) == 3
    assert any("basil" in text for _, _, text, _ in _found(alice))  # Bob's change
    ids = _chunk_ids(alice)
    assert len(ids) == len(set(ids)) == alice.status(alice.get("Handbook")).chunks

    bob.remove("Handbook")  # Bob forgets it; the team's index stays for Alice
    assert not bob.exists("Handbook") and _found(alice)


class _HeldEmbedder(DeterministicEmbedder):
    """Embeds only once ``release`` is set, so its indexing run is under way meanwhile."""

    def __init__(self) -> None:
        super().__init__(64)
        self.embedding = threading.Event()
        self.release = threading.Event()

    def embed(self, texts, *, cancel=None):  # type: ignore[no-untyped-def]
        self.embedding.set()
        assert self.release.wait(120)
        return super().embed(texts)


def test_a_second_indexer_is_refused_while_the_first_writes_and_nothing_is_duplicated(
    tmp_path: Path, handbook: Path, s3_endpoint: str
) -> None:
    alice, bob = _data_folder(tmp_path, "alice"), _data_folder(tmp_path, "bob")
    _create(alice, handbook, s3_endpoint)
    _create(bob, handbook, s3_endpoint)
    held = _HeldEmbedder()
    events: list[object] = []
    run = threading.Thread(
        target=lambda: events.extend(index_collection(alice, "Handbook", embedder=held))
    )
    run.start()
    try:
        assert held.embedding.wait(120)  # Alice's run is between reading and writing
        with pytest.raises(StoreBusy) as refused:
            list(index_collection(bob, "Handbook", embedder=DeterministicEmbedder(64)))
        message = str(refused.value)
        assert "is being indexed by" in message and "index it again when" in message
    finally:
        held.release.set()
        run.join(120)
    assert isinstance(events[-1], IndexReport) and len(events[-1].indexed) == 3
    after, _ = run_index(bob, "Handbook", embedder=DeterministicEmbedder(64))
    assert after.indexed == () and len(after.unchanged) == 3  # the lock was given back
    ids = _chunk_ids(bob)
    assert len(ids) == len(set(ids)) == events[-1].chunks


def test_a_claim_left_by_a_killed_indexer_is_set_aside(
    tmp_path: Path, handbook: Path, s3_endpoint: str
) -> None:
    alice = _data_folder(tmp_path, "alice")
    _create(alice, handbook, s3_endpoint)
    store = open_store(alice, alice.get("Handbook"))
    killed = StoreLock(store.db, "Handbook")
    killed.acquire()  # and never released: its process was killed
    with pytest.raises(StoreBusy):
        list(index_collection(alice, "Handbook", embedder=DeterministicEmbedder(64)))
    store.db.open_table("indexing_lock").update(
        where=f"claim = '{killed.claim}'", values={"renewed": time.time() - STALE_S - 60}
    )
    report, _ = run_index(alice, "Handbook", embedder=DeterministicEmbedder(64))
    assert len(report.indexed) == 3


def test_offline_allows_a_store_on_this_computer_and_refuses_any_other(
    tmp_path: Path, handbook: Path, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_BUILDER_OFFLINE", "1")
    alice = _data_folder(tmp_path, "alice")
    _create(alice, handbook, s3_endpoint)
    report, _ = run_index(alice, "Handbook", embedder=DeterministicEmbedder(64))
    assert len(report.indexed) == 3
    with pytest.raises(OfflineError) as refused:
        alice.create("Elsewhere", [handbook], store_uri=f"s3://{BUCKET}/elsewhere",
                     store_endpoint="http://192.0.2.7:9000")  # fmt: skip
    assert "Offline mode is on" in str(refused.value) and "192.0.2.7" in str(refused.value)
    assert not alice.exists("Elsewhere")
    log = alice.paths.network_log.read_text(encoding="utf-8")
    assert "blocked (offline)" in log and "shared document store" in log


def test_a_store_address_that_cannot_hold_a_collection_is_explained(
    tmp_path: Path, handbook: Path, s3_endpoint: str
) -> None:
    alice = _data_folder(tmp_path, "alice")
    with pytest.raises(KnowledgeError, match="could not be opened") as missing:
        alice.create("Web", [handbook], store_uri="s3://no-such-bucket/docs",
                     store_endpoint=s3_endpoint)  # fmt: skip
    assert "its bucket does not exist" in str(missing.value)
    assert "\n" not in str(missing.value) and "Error" not in str(missing.value)
    with pytest.raises(KnowledgeError, match="not a place a collection can be kept"):
        alice.create("Web", [handbook], store_uri="https://example.org/docs")
    with pytest.raises(KnowledgeError, match="names no bucket"):
        alice.create("Web", [handbook], store_uri="s3://")
    assert alice.names() == []


def test_two_indexers_started_at_once_from_the_command_line_share_the_work(
    tmp_path: Path, handbook: Path, s3_endpoint: str, minilm_dir: Path
) -> None:
    homes = {who: {HOME_ENV: str(tmp_path / who)} for who in ("alice", "bob")}
    for env in homes.values():
        # One computer: one measurement of which runtime reads passages (two measured at once,
        # each slowed by the other, could choose differently, and vectors of one runtime
        # searched by questions of the other score a little differently).
        share_embedders_cache(Paths.from_env(env))
        created = run_cli("collections", "create", "Handbook", str(handbook), "--embedder",
                          str(minilm_dir), "--store", STORE, "--store-endpoint", s3_endpoint,
                          env=env)  # fmt: skip
        assert created.returncode == 0, created.stderr
    command = [sys.executable, "-m", "assistant_builder", "collections", "index", "Handbook"]
    runs = [
        subprocess.Popen(
            [*command, "--json"],
            env={**os.environ, **env},
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for env in homes.values()
    ]
    outcomes = [(*run.communicate(timeout=300), run.returncode) for run in runs]
    reports = [json.loads(out) for out, _, code in outcomes if code == 0]
    for _, err, code in outcomes:
        assert code == 0 or ("is being indexed by" in err and "Traceback" not in err), err
    # Whoever ran second was refused, or found everything already done: read once in all.
    assert reports and sum(r["files_indexed"] for r in reports) == 3
    results = [
        json.loads(run_cli("search", "Handbook", QUESTION, "--json", env=env).stdout)["results"]
        for env in homes.values()
    ]
    assert results[0] and results[0] == results[1]
    alice = Collections(Paths.from_env(homes["alice"]))
    ids = _chunk_ids(alice)
    assert len(ids) == len(set(ids)) == sum(r["chunks"] for r in reports)


def test_a_watcher_waits_for_another_indexer_of_the_store_instead_of_stopping(
    tmp_path: Path, handbook: Path, s3_endpoint: str
) -> None:
    alice = _data_folder(tmp_path, "alice")
    _create(alice, handbook, s3_endpoint)
    elsewhere = StoreLock(open_store(alice, alice.get("Handbook")).db, "Handbook")
    elsewhere.acquire()
    cancel = CancelToken()
    events = watch_collection(alice, "Handbook", embedder=DeterministicEmbedder(64),
                              debounce_ms=50, busy_retry_s=0, cancel=cancel)  # fmt: skip
    try:
        busy = next(events)
        assert isinstance(busy, IndexProgress) and "is being indexed by" in busy.note
        elsewhere.release()
        report = next(e for e in events if isinstance(e, IndexReport))
    finally:
        cancel.cancel()
        events.close()
    assert len(report.indexed) == 3
