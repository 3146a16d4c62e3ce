"""Parsers run in worker processes: one that hangs and one that kills its process are reported
and skipped, and the rest of the folder is still indexed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.loaders import DEFAULT_PARSERS
from assistant_builder.core.knowledge.parsing import ParserPool
from tests.knowledge.conftest import run_index

BAD = {
    ".hang": "tests.knowledge.bad_parsers:hang",
    ".exit": "tests.knowledge.bad_parsers:exit_process",
    ".segv": "tests.knowledge.bad_parsers:segfault",
}


def test_pool_survives_hanging_and_crashing_parsers(tmp_path: Path) -> None:
    files = []
    for n in range(4):
        good = tmp_path / f"good{n}.txt"
        good.write_text(f"good file {n}")
        files.append(good)
    for ext in (".hang", ".exit", ".segv"):
        bad = tmp_path / f"bad{ext}"
        bad.write_text("x")
        files.insert(2, bad)
    started = time.monotonic()
    with ParserPool({**DEFAULT_PARSERS, **BAD}, workers=2, time_limit_s=5.0) as pool:
        results = {p.name: r for p, r in pool.parse(files)}
    # The hanging file costs its limit, not the run: a generous bound on a loaded machine.
    assert time.monotonic() - started < 90
    assert set(results) == {f.name for f in files}  # every file answered exactly once
    for n in range(4):
        assert results[f"good{n}.txt"].text == f"good file {n}"
    assert "longer than 5 s" in results["bad.hang"]
    assert "crashed" in results["bad.exit"]
    assert "crashed" in results["bad.segv"]


@pytest.mark.integration
def test_index_run_skips_bad_files_and_indexes_the_rest(
    collections: Collections, tmp_path: Path, minilm, minilm_dir: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for n in range(5):
        (folder / f"note{n}.txt").write_text(f"Note number {n} is about the colour {n}.")
    (folder / "stuck.hang").write_text("x")
    (folder / "boom.segv").write_text("x")
    collections.create("mixed", [folder], embedder=str(minilm_dir))
    report, _ = run_index(
        collections, "mixed", embedder=minilm, parsers={**DEFAULT_PARSERS, **BAD}, time_limit_s=2
    )
    assert len(report.indexed) == 5
    reasons = {Path(p).name: r for p, r in report.failed}
    assert set(reasons) == {"stuck.hang", "boom.segv"}
    assert "longer than" in reasons["stuck.hang"] and "crashed" in reasons["boom.segv"]
    # An unchanged bad file is not retried (it would cost its time limit on every run).
    started = time.monotonic()
    again, _ = run_index(
        collections, "mixed", embedder=minilm, parsers={**DEFAULT_PARSERS, **BAD}, time_limit_s=2
    )
    assert time.monotonic() - started < 1.5
    assert {Path(p).name for p, _ in again.failed} == {"stuck.hang", "boom.segv"}
    assert len(again.unchanged) == 5
