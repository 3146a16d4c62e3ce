"""A real `collections index` process killed with SIGKILL at many moments: every re-run ends
with each file indexed exactly once (no duplicates, no orphans, nothing missing)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from assistant_builder.core.knowledge.chunker import chunk_document
from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.embedder import load_embedder
from assistant_builder.core.knowledge.indexer import chunk_budget
from assistant_builder.core.knowledge.loaders import DEFAULT_PARSERS
from assistant_builder.core.knowledge.manifest import Manifest
from assistant_builder.core.knowledge.parsing import parse_file
from assistant_builder.core.knowledge.store import ChunkStore
from tests.knowledge.conftest import run_index

pytestmark = pytest.mark.integration

WORDS = [
    "river",
    "mountain",
    "lantern",
    "harvest",
    "copper",
    "meadow",
    "orbit",
    "thunder",
    "velvet",
    "quartz",
    "pepper",
    "anchor",
    "glacier",
    "tulip",
    "compass",
    "ember",
    "falcon",
    "walnut",
    "saffron",
    "harbor",
]


def _write_note(path: Path, seed: int) -> None:
    rng = random.Random(seed)
    paragraphs = []
    for _ in range(12):
        sentence = " ".join(rng.choice(WORDS) for _ in range(18))
        paragraphs.append(f"{sentence.capitalize()}. {sentence[::-1].strip()}.")
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")


def _kill_after(home: Path, name: str, lines: int) -> int:
    """Start `collections index`, SIGKILL it after `lines` progress lines; returns lines seen."""
    env = {**os.environ, "ASSISTANT_BUILDER_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant_builder", "collections", "index", name],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip
    seen = 0
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("["):
            seen += 1
            if seen >= lines:
                proc.send_signal(signal.SIGKILL)
                break
    proc.wait(timeout=60)
    return seen


def _check_exactly_once(collections: Collections, name: str, folder: Path, embedder) -> None:
    config = collections.get(name)
    rows = ChunkStore(collections.store_uri(config)).rows(["id", "path", "chunk", "text"])
    ids = Counter(r["id"] for r in rows)
    assert not [i for i, n in ids.items() if n > 1], "duplicate chunks"
    on_disk = {str(p) for p in folder.iterdir()}
    assert {r["path"] for r in rows} == on_disk, "orphans or missing files"
    manifest = Manifest.load(collections.manifest_file(name))
    assert set(manifest.files) == on_disk and not manifest.running
    budget = chunk_budget(config, embedder)
    overlap = min(config.overlap_tokens, budget // 4)
    for path in on_disk:
        doc = parse_file(DEFAULT_PARSERS, Path(path))
        chunks = chunk_document(
            doc, embedder.count_tokens, max_tokens=budget, overlap_tokens=overlap
        )
        expected = [c.text for c in chunks]
        stored = sorted((r["chunk"], r["text"]) for r in rows if r["path"] == path)
        assert [t for _, t in stored] == expected, f"wrong chunks for {path}"
        assert manifest.files[path].chunks == len(expected)


def test_sigkill_at_many_moments_then_rerun_indexes_every_file_exactly_once(
    collections: Collections, tmp_path: Path, minilm_dir: Path
) -> None:
    # The reruns use the embedder the killed command used (the int8 export): another one
    # would make every rerun embed the whole collection again.
    minilm = load_embedder(str(minilm_dir), collections.paths)
    folder = tmp_path / "notes"
    folder.mkdir()
    for n in range(16):
        _write_note(folder / f"note{n:02}.txt", n)
    collections.create("notes", [folder], embedder=str(minilm_dir), chunk_tokens=40,
                       overlap_tokens=8)  # fmt: skip
    home = collections.paths.data_dir.parent
    # Progress lines seen before the kill: early, between batches, and the last one (printed
    # after every file is stored, so that kill lands in the final index build). Each round
    # gives the killed run 9 files to read: 10 progress lines in all.
    moments = [1, 3, 5, 8, 10]
    interrupted = []
    for round_no, lines in enumerate(moments):
        if round_no:
            for n in range(8):  # changed files
                _write_note(folder / f"note{(n + round_no) % 16:02}.txt", 100 * round_no + n)
            _write_note(folder / f"extra{round_no}.txt", 2000 + round_no)  # a new file
            (folder / f"extra{round_no - 1}.txt").unlink(missing_ok=True)  # a deleted one
        seen = _kill_after(home, "notes", lines)
        assert seen == lines
        manifest = Manifest.load(collections.manifest_file("notes"))
        interrupted.append((manifest.running, len(manifest.files)))
        report, _ = run_index(collections, "notes", embedder=minilm)
        assert not report.failed
        _check_exactly_once(collections, "notes", folder, minilm)
    # Every kill hit a run in progress, and at different points of the table's writing.
    assert all(running for running, _ in interrupted)
    assert len({files for _, files in interrupted}) >= 3


def test_a_lost_manifest_costs_a_reindex_but_leaves_no_strays(
    collections: Collections, tmp_path: Path
) -> None:
    from tests.fakes import DeterministicEmbedder

    folder = tmp_path / "notes"
    folder.mkdir()
    for n in range(4):
        _write_note(folder / f"note{n}.txt", n)
    (folder / "copy.txt").write_text((folder / "note0.txt").read_text())  # same content twice
    collections.create("notes", [folder], embedder="fake-hash-64")
    embedder = DeterministicEmbedder(64)
    run_index(collections, "notes", embedder=embedder)
    collections.manifest_file("notes").unlink()
    (folder / "note3.txt").unlink()
    report, _ = run_index(collections, "notes", embedder=embedder)
    assert len(report.indexed) == 4
    rows = ChunkStore(collections.store_uri(collections.get("notes"))).rows(["id", "path"])
    assert {r["path"] for r in rows} == {str(p) for p in folder.iterdir()}
    assert len({r["id"] for r in rows}) == len(rows)
