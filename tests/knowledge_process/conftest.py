"""Fixtures of the knowledge-process tests: the child process shared by the session (starting
one costs seconds: torch and MiniLM load in it), clients of their own for the tests that end
their child, and folders of real notes to index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.process import KnowledgeProcess
from assistant_builder.core.paths import Paths
from tests.knowledge.test_crash_safety import _write_note

NOTES = 10


@pytest.fixture
def knowledge(shared_knowledge: KnowledgeProcess) -> KnowledgeProcess:
    return shared_knowledge


@pytest.fixture
def fresh_knowledge() -> Iterator[KnowledgeProcess]:
    """A client of its own, for tests that kill its child."""
    knowledge = KnowledgeProcess()
    yield knowledge
    knowledge.shutdown()


@pytest.fixture
def collections(app_home: Paths) -> Collections:
    return Collections(app_home.ensure())


def write_notes(folder: Path, count: int, seed: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        _write_note(folder / f"note{n:03}.txt", seed + n)
    return folder


@pytest.fixture
def many_notes(collections: Collections, tmp_path: Path, minilm_dir: Path) -> str:
    """A collection "notes" of NOTES files, big enough for two batches (32 passages a file)."""
    folder = write_notes(tmp_path / "notes", NOTES)
    collections.create("notes", [folder], embedder=str(minilm_dir), chunk_tokens=40,
                       overlap_tokens=8)  # fmt: skip
    return "notes"
