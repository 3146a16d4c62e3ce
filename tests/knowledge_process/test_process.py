"""The knowledge process with the real MiniLM and LanceDB: indexing, searching and watching
done in the child give what the in-process code gives; stopping, killing and shutting down
the child leave every index consistent."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from assistant_builder.core.assistants.model import Assistant, CollectionRef, ModelRef
from assistant_builder.core.assistants.retrieval import knowledge_retriever, process_retriever
from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.errors import Cancelled, KnowledgeError
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.embedder import load_embedder
from assistant_builder.core.knowledge.manifest import Manifest
from assistant_builder.core.knowledge.process import DIED_INDEXING, KnowledgeProcess
from assistant_builder.core.knowledge.report import IndexProgress, IndexReport
from assistant_builder.core.knowledge.search import search_collection
from assistant_builder.core.knowledge.store import ChunkStore
from tests.knowledge.conftest import run_index
from tests.knowledge.test_crash_safety import _check_exactly_once
from tests.knowledge_process.conftest import NOTES, write_notes

pytestmark = pytest.mark.integration


def _names(paths: tuple[str, ...]) -> list[str]:
    return sorted(Path(p).name for p in paths)


def _stored(collections: Collections, name: str) -> list[tuple[str, int, str]]:
    store = ChunkStore(collections.store_uri(collections.get(name)))
    rows = store.rows(["path", "chunk", "text"])
    return sorted((Path(r["path"]).name, r["chunk"], r["text"]) for r in rows)


def test_indexing_in_the_child_reports_and_stores_what_in_process_indexing_does(
    knowledge: KnowledgeProcess, collections: Collections, tmp_path: Path, minilm, minilm_dir
) -> None:
    folder = write_notes(tmp_path / "a", 6)
    (folder / "broken.txt").write_bytes(bytes(range(256)) * 8)
    shutil.copytree(folder, tmp_path / "b")
    collections.create("child", [folder], embedder=str(minilm_dir))
    collections.create("here", [tmp_path / "b"], embedder=str(minilm_dir))

    events = list(knowledge.index(collections, "child"))
    expected, expected_progress = run_index(collections, "here", embedder=minilm)

    report = events[-1]
    assert isinstance(report, IndexReport)
    progress = events[:-1]
    assert progress and all(isinstance(e, IndexProgress) for e in progress)
    assert [e.files_done for e in progress] == [e.files_done for e in expected_progress]
    assert progress[-1].files_done == progress[-1].files_total == 7
    assert _names(report.indexed) == _names(expected.indexed) and len(report.indexed) == 6
    assert [(Path(p).name, why) for p, why in report.failed] == [
        (Path(p).name, why) for p, why in expected.failed
    ]
    assert report.chunks == expected.chunks > 6
    assert _stored(collections, "child") == _stored(collections, "here")
    # Nothing changed: the child reads nothing again either.
    again = list(knowledge.index(collections, "child"))[-1]
    assert isinstance(again, IndexReport)
    assert not again.indexed and len(again.unchanged) == 6


def test_search_in_the_child_equals_in_process_search(
    knowledge: KnowledgeProcess, collections: Collections, tmp_path: Path, minilm_dir
) -> None:
    folder = tmp_path / "pets"
    folder.mkdir()
    (folder / "cats.md").write_text("# Cats\n\nCats sleep for about fifteen hours every day.\n")
    (folder / "dogs.md").write_text("# Dogs\n\nDogs need a walk twice a day.\n")
    (folder / "bread.txt").write_text("Bread dough rises best in a warm kitchen.\n")
    collections.create("pets", [folder], embedder=str(minilm_dir))
    list(knowledge.index(collections, "pets"))
    own = load_embedder(str(minilm_dir), collections.paths)  # the int8 export the child uses
    for mode in ("hybrid", "vector", "keyword"):
        here = search_collection(
            collections, "pets", "How long do cats sleep?", top_k=2, mode=mode, embedder=own
        )
        there = knowledge.search(collections, "pets", "How long do cats sleep?", top_k=2,
                                 mode=mode)  # fmt: skip
        assert [(h.source, h.page, h.start, h.end, h.text) for h in there] == [
            (h.source, h.page, h.start, h.end, h.text) for h in here
        ]
        assert [h.relevance for h in there] == pytest.approx([h.relevance for h in here], rel=1e-4)
        assert Path(there[0].source).name == "cats.md"

    assistant = Assistant(
        id="a", name="A", model=ModelRef(id="m"),
        collections=(CollectionRef("pets", top_k=2, mode="vector"),),
    )  # fmt: skip
    through_child = process_retriever(knowledge, collections.paths)(assistant, "bread")
    in_process = knowledge_retriever(collections.paths)(assistant, "bread")
    assert [(p.source, p.text) for p in through_child] == [(p.source, p.text) for p in in_process]
    assert through_child[0].collection == "pets" and "Bread" in through_child[0].text


def test_errors_in_the_child_arrive_as_the_same_plain_sentence(
    knowledge: KnowledgeProcess, collections: Collections, tmp_path: Path, minilm_dir
) -> None:
    with pytest.raises(KnowledgeError, match="There is no collection named “nowhere”"):
        knowledge.search(collections, "nowhere", "anything")
    collections.create("empty", [tmp_path], embedder=str(minilm_dir))
    with pytest.raises(KnowledgeError, match="has nothing indexed yet"):
        knowledge.search(collections, "empty", "anything")
    with pytest.raises(KnowledgeError, match="not a search mode"):
        knowledge.search(collections, "empty", "anything", mode="fuzzy")


def test_cancel_stops_the_child_promptly_and_a_rerun_completes(
    knowledge: KnowledgeProcess, collections: Collections, many_notes: str, tmp_path, minilm
) -> None:
    token = CancelToken()
    run = knowledge.index(collections, many_notes, cancel=token)
    stopped_after = None
    with pytest.raises(Cancelled):
        for event in run:
            if isinstance(event, IndexProgress) and event.chunks and not token.cancelled:
                token.cancel()  # a first batch is stored; more are to come
                stopped_after = time.monotonic()
    assert stopped_after is not None
    assert time.monotonic() - stopped_after < 10  # at most the batch being embedded
    manifest = Manifest.load(collections.manifest_file(many_notes))
    assert manifest.running and 0 < len(manifest.files) < NOTES  # the run really stopped midway

    report = list(knowledge.index(collections, many_notes))[-1]
    assert isinstance(report, IndexReport) and not report.failed
    assert len(report.indexed) == NOTES - len(manifest.files)
    _check_exactly_once(collections, many_notes, tmp_path / "notes", minilm)


def test_a_child_killed_mid_index_gives_one_plain_error_and_the_next_run_resumes(
    fresh_knowledge: KnowledgeProcess, collections: Collections, many_notes: str, tmp_path, minilm
) -> None:
    knowledge = fresh_knowledge
    pid = None
    with pytest.raises(KnowledgeError) as raised:
        for event in knowledge.index(collections, many_notes):
            if isinstance(event, IndexProgress) and event.chunks and pid is None:
                pid = knowledge.process_id  # a first batch is stored; more are to come
                assert pid is not None
                os.kill(pid, signal.SIGKILL)
    assert str(raised.value) == DIED_INDEXING
    assert knowledge.process_id is None
    done_before = len(Manifest.load(collections.manifest_file(many_notes)).files)

    report = list(knowledge.index(collections, many_notes))[-1]
    assert isinstance(report, IndexReport) and not report.failed
    assert knowledge.restarts == 1 and knowledge.process_id not in (None, pid)
    assert len(report.indexed) == NOTES - done_before
    _check_exactly_once(collections, many_notes, tmp_path / "notes", minilm)


def test_watching_in_the_child_reindexes_changes_until_stopped(
    knowledge: KnowledgeProcess, collections: Collections, tmp_path: Path, minilm_dir
) -> None:
    folder = write_notes(tmp_path / "watched", 2)
    collections.create("watched", [folder], embedder=str(minilm_dir))
    token = CancelToken()
    reports: list[IndexReport] = []
    outcome: list[BaseException] = []

    def watch() -> None:
        try:
            for event in knowledge.watch(collections, "watched", debounce_ms=200, cancel=token):
                if isinstance(event, IndexReport):
                    reports.append(event)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=watch)
    thread.start()
    deadline = time.monotonic() + 60
    while not reports and time.monotonic() < deadline:  # the catch-up run after it went live
        time.sleep(0.05)
    assert reports and len(reports[0].indexed) == 2
    (folder / "new.md").write_text("# Kettle\n\nDescale the kettle with vinegar monthly.\n")
    while len(reports) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _names(reports[-1].indexed) == ["new.md"]
    hits = knowledge.search(collections, "watched", "kettle vinegar", top_k=1)
    assert Path(hits[0].source).name == "new.md"

    token.cancel()
    thread.join(10)
    assert not thread.is_alive()
    assert [type(e) for e in outcome] == [Cancelled]


def test_shutdown_ends_the_child_and_stops_what_runs_in_it(
    fresh_knowledge: KnowledgeProcess, collections: Collections, tmp_path: Path, minilm_dir
) -> None:
    knowledge = fresh_knowledge
    assert knowledge.process_id is None  # nothing starts before it is used
    started = time.monotonic()
    knowledge.warm(collections, [])
    assert time.monotonic() - started < 0.5  # warming never waits for the child
    folder = write_notes(tmp_path / "w", 1)
    collections.create("w", [folder], embedder=str(minilm_dir))
    outcome: list[BaseException] = []

    def watch() -> None:
        try:
            list(knowledge.watch(collections, "w", debounce_ms=200))
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=watch)
    thread.start()
    deadline = time.monotonic() + 30
    while knowledge.process_id is None and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = knowledge.process_id
    assert pid is not None
    time.sleep(0.5)
    knowledge.shutdown()
    thread.join(10)
    assert [type(e) for e in outcome] == [Cancelled]  # stopped, not "the reader died"
    assert knowledge.process_id is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_search_follows_a_table_that_indexing_rebuilt(
    knowledge: KnowledgeProcess, collections: Collections, tmp_path: Path, minilm_dir
) -> None:
    folder = tmp_path / "kitchen"
    folder.mkdir()
    (folder / "kettle.md").write_text("# Kettle\n\nDescale the kettle with vinegar monthly.\n")
    collections.create("kitchen", [folder], embedder=str(minilm_dir))
    list(knowledge.index(collections, "kitchen"))
    assert knowledge.search(collections, "kitchen", "kettle", top_k=1)  # the searcher is kept
    # The table vanishes (a cleaned disk, a restored backup): the next run builds a new one.
    shutil.rmtree(collections.store_uri(collections.get("kitchen")))
    (folder / "oven.md").write_text("# Oven\n\nClean the oven with baking soda paste.\n")
    report = list(knowledge.index(collections, "kitchen"))[-1]
    assert isinstance(report, IndexReport) and len(report.indexed) == 2
    hits = knowledge.search(collections, "kitchen", "baking soda oven", top_k=2)
    assert sorted(Path(h.source).name for h in hits) == ["kettle.md", "oven.md"]


PARENT = """
import time
from assistant_builder.core.errors import KnowledgeError
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.process import KnowledgeProcess
from assistant_builder.core.paths import Paths

if __name__ == "__main__":
    knowledge = KnowledgeProcess()
    try:  # a request the child answers: it is up and serving
        knowledge.search(Collections(Paths.from_env().ensure()), "none", "anything")
    except KnowledgeError:
        pass
    print(knowledge.process_id, flush=True)
    time.sleep(600)
"""


def test_a_child_whose_parent_was_killed_ends_by_itself(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = tmp_path / "parent.py"
    script.write_text(PARENT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                              env=env)  # fmt: skip
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.kill()  # no shutdown, no atexit: the child only sees its pipe close
    parent.wait(10)
    deadline = time.monotonic() + 15
    stat = Path(f"/proc/{child}/stat")
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        if stat.is_file() and ") Z" in stat.read_text():
            return  # ended; only its entry waits for the init process to collect it
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    pytest.fail("the knowledge process outlived the app that started it")


def test_warming_loads_only_embedders_already_on_this_computer(
    collections: Collections, tmp_path: Path, minilm_dir: Path
) -> None:
    """Opening the Library warms the child; that must never start a download nobody asked
    for (network is blocked in tests: an attempt would fail this test)."""
    from assistant_builder.core.knowledge.embedder import canonical_embedder_id
    from assistant_builder.core.knowledge.process_worker import KnowledgeService
    from assistant_builder.core.models.starter import starter_embedder_dir

    collections.create("starter", [tmp_path], embedder="all-MiniLM-L6-v2")
    collections.create("hub", [tmp_path], embedder="someone/some-embedder")
    collections.create("local", [tmp_path], embedder=str(minilm_dir))
    service = KnowledgeService()
    service.warm(collections.paths, ["starter", "hub", "gone", "local"], CancelToken())
    assert not starter_embedder_dir(collections.paths).exists()
    assert not collections.paths.wheels_cache.exists()
    assert list(service._embedders) == [canonical_embedder_id(str(minilm_dir))]  # warmed
